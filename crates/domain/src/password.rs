//! The password policy (等保 level 3 §8.1.4.1a; ASVS 6.2): length, character classes and a
//! small blocklist. Hashing lives with the storage of credentials; this is only the rule.

use serde::{Deserialize, Serialize};

/// A configurable password policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordPolicy {
    /// Minimum length in characters.
    pub min_length: usize,
    /// Minimum number of character classes (lower, upper, digit, other).
    pub min_classes: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 8,
            min_classes: 3,
        }
    }
}

/// Why a password was refused. The message is shown to people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("密码至少需要 {0} 个字符")]
    TooShort(usize),
    #[error("密码需包含大写字母、小写字母、数字、符号中的至少 {0} 类")]
    TooFewClasses(usize),
    #[error("密码过于常见或包含用户名")]
    Blocked,
    #[error("密码不能超过 128 个字符")]
    TooLong,
}

impl PasswordError {
    /// Stable machine code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            PasswordError::TooShort(_) => "password_too_short",
            PasswordError::TooFewClasses(_) => "password_too_simple",
            PasswordError::Blocked => "password_blocked",
            PasswordError::TooLong => "password_too_long",
        }
    }
}

const BLOCKLIST: [&str; 8] = [
    "password", "12345678", "qwertyui", "admin123", "p@ssw0rd", "1qaz2wsx", "abc12345", "shijian",
];

impl PasswordPolicy {
    /// Checks `password` for the account `username`.
    pub fn check(&self, username: &str, password: &str) -> Result<(), PasswordError> {
        let len = password.chars().count();
        if len > 128 {
            return Err(PasswordError::TooLong);
        }
        if len < self.min_length {
            return Err(PasswordError::TooShort(self.min_length));
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if classes < self.min_classes {
            return Err(PasswordError::TooFewClasses(self.min_classes));
        }
        let lower = password.to_lowercase();
        let user = username.to_lowercase();
        if BLOCKLIST.iter().any(|w| lower.contains(w)) || (user.len() >= 3 && lower.contains(&user))
        {
            return Err(PasswordError::Blocked);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_table() {
        let p = PasswordPolicy::default();
        let cases: [(&str, Result<(), &str>); 8] = [
            ("Abc-1234", Ok(())),
            ("Ab1-", Err("password_too_short")),
            ("abcdefgh", Err("password_too_simple")),
            ("abcd1234", Err("password_too_simple")),
            ("abcd-1234", Ok(())),
            ("Password1!", Err("password_blocked")),
            ("zhang.san-1A", Err("password_blocked")),
            ("荆门市监Ab12", Ok(())),
        ];
        for (pw, want) in cases {
            assert_eq!(p.check("zhang.san", pw).map_err(|e| e.code()), want, "{pw}");
        }
    }

    #[test]
    fn policy_is_configurable() {
        let p = PasswordPolicy {
            min_length: 12,
            min_classes: 4,
        };
        assert!(p.check("u", "Abc-1234").is_err());
        assert!(p.check("u", "Abcd-1234-xyz").is_ok());
    }
}
