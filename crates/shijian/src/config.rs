//! Configuration: a TOML file (`--config FILE`, or `shijian.toml` in the data directory if
//! present), then environment variables, then command-line flags, each overriding the one
//! before. Every key is documented in `docs/CONFIGURATION.md`.

use anyhow::Context;
use serde::Deserialize;
use shijian_domain::password::PasswordPolicy;
use shijian_domain::role::Role;
use shijian_storage::sessions::SessionPolicy;
use shijian_web::limits::{Limit, RateLimits};
use std::path::Path;

/// The configuration file's contents.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address `serve` listens on.
    pub listen: String,
    /// `text` or `json`.
    pub log_format: String,
    /// Served behind TLS: cookies get `Secure` and `__Host-`, responses HSTS.
    pub secure_cookies: bool,
    pub session: SessionConfig,
    pub password: PasswordPolicy,
    pub rate_limits: RateLimitConfig,
    pub audit: AuditConfig,
    pub public: PublicConfig,
}

/// The public disclosure portal.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublicConfig {
    /// The address the public reaches the portal at, used in licence QR codes, e.g.
    /// `https://gs.jingmen.example`. Empty: `http://` + `listen`.
    pub base_url: String,
    /// A second address serving only `/public` (so the staff UI can stay on the intranet).
    pub listen: Option<String>,
}

/// The daily signed audit checkpoint.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// The Ed25519 key file made by `shijian audit keygen` (kept outside the database).
    pub checkpoint_key: Option<std::path::PathBuf>,
    /// The checkpoint file the daily job appends to (copy it off the server).
    pub checkpoint_out: Option<std::path::PathBuf>,
}

impl AuditConfig {
    /// The job's target when both paths are configured.
    #[must_use]
    pub fn checkpoint_target(&self) -> Option<shijian_storage::checkpoint::Target> {
        Some(shijian_storage::checkpoint::Target {
            key: self.checkpoint_key.clone()?,
            out: self.checkpoint_out.clone()?,
        })
    }
}

/// Rate limits per minute (0 switches one off).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    pub login_per_address_per_minute: u32,
    pub login_per_account_per_minute: u32,
    pub requests_per_address_per_minute: u32,
    /// Requests to the public portal per client address.
    pub public_per_address_per_minute: u32,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        let d = RateLimits::default();
        let per = |l: Option<Limit>| l.map_or(0, |l| l.per_minute);
        Self {
            login_per_address_per_minute: per(d.login_per_address),
            login_per_account_per_minute: per(d.login_per_account),
            requests_per_address_per_minute: per(d.requests_per_address),
            public_per_address_per_minute: per(d.public_per_address),
            trust_forwarded_for: d.trust_forwarded_for,
        }
    }
}

impl RateLimitConfig {
    #[must_use]
    pub fn limits(&self) -> RateLimits {
        // Sign-in buckets allow a minute's worth at once; the general bucket half of that.
        let limit = |per_minute: u32, burst: u32| {
            (per_minute > 0).then_some(Limit {
                burst: burst.max(1),
                per_minute,
            })
        };
        RateLimits {
            login_per_address: limit(
                self.login_per_address_per_minute,
                self.login_per_address_per_minute,
            ),
            login_per_account: limit(
                self.login_per_account_per_minute,
                self.login_per_account_per_minute,
            ),
            requests_per_address: limit(
                self.requests_per_address_per_minute,
                self.requests_per_address_per_minute / 2,
            ),
            public_per_address: limit(
                self.public_per_address_per_minute,
                self.public_per_address_per_minute / 2,
            ),
            trust_forwarded_for: self.trust_forwarded_for,
        }
    }
}

/// Sign-in and session settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    pub idle_timeout_minutes: i64,
    pub absolute_lifetime_hours: i64,
    pub max_failed_logins: i64,
    pub lockout_minutes: i64,
    /// Roles that must sign in with a second factor (TOTP).
    pub totp_roles: Vec<Role>,
    /// Days after which a password must be changed (0: never).
    pub password_max_age_days: i64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            log_format: "text".into(),
            secure_cookies: false,
            session: SessionConfig::default(),
            password: PasswordPolicy::default(),
            rate_limits: RateLimitConfig::default(),
            audit: AuditConfig::default(),
            public: PublicConfig::default(),
        }
    }
}

impl Config {
    /// The public portal's base URL without a trailing slash.
    #[must_use]
    pub fn public_base_url(&self) -> String {
        let url = if self.public.base_url.is_empty() {
            format!(
                "http://{}",
                self.public.listen.as_deref().unwrap_or(&self.listen)
            )
        } else {
            self.public.base_url.clone()
        };
        url.trim_end_matches('/').to_owned()
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        let p = SessionPolicy::default();
        Self {
            idle_timeout_minutes: p.idle_timeout.num_minutes(),
            absolute_lifetime_hours: p.absolute_lifetime.num_hours(),
            max_failed_logins: p.max_failures,
            lockout_minutes: p.lockout.num_minutes(),
            totp_roles: p.totp_roles,
            password_max_age_days: p.password_max_age.num_days(),
        }
    }
}

impl SessionConfig {
    #[must_use]
    pub fn policy(&self) -> SessionPolicy {
        SessionPolicy {
            max_failures: self.max_failed_logins.max(1),
            lockout: chrono::Duration::minutes(self.lockout_minutes.max(1)),
            idle_timeout: chrono::Duration::minutes(self.idle_timeout_minutes.max(1)),
            absolute_lifetime: chrono::Duration::hours(self.absolute_lifetime_hours.max(1)),
            totp_roles: self.totp_roles.clone(),
            password_max_age: if self.password_max_age_days > 0 {
                chrono::Duration::days(self.password_max_age_days)
            } else {
                chrono::Duration::MAX
            },
        }
    }
}

fn env_parse<T: std::str::FromStr>(name: &str, target: &mut T) -> anyhow::Result<()> {
    if let Ok(v) = std::env::var(name) {
        *target = v
            .parse()
            .map_err(|_| anyhow::anyhow!("环境变量 {name} 的值无效：{v}"))?;
    }
    Ok(())
}

impl Config {
    /// What the scheduled jobs need from the configuration.
    #[must_use]
    pub fn job_context(&self) -> shijian_storage::jobs::JobContext {
        shijian_storage::jobs::JobContext {
            session_policy: self.session.policy(),
            checkpoint: self.audit.checkpoint_target(),
        }
    }

    /// Reads `file` if given (it must exist), else `default_file` if it exists, then applies
    /// the `SHIJIAN_*` environment overrides.
    pub fn load(file: Option<&Path>, default_file: &Path) -> anyhow::Result<Self> {
        let path = file.or_else(|| default_file.exists().then_some(default_file));
        let mut c: Config = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("无法读取配置文件 {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("配置文件 {} 有误", p.display()))?
            }
            None => Config::default(),
        };
        env_parse("SHIJIAN_LISTEN", &mut c.listen)?;
        env_parse("SHIJIAN_LOG_FORMAT", &mut c.log_format)?;
        env_parse("SHIJIAN_SECURE_COOKIES", &mut c.secure_cookies)?;
        env_parse(
            "SHIJIAN_SESSION_IDLE_TIMEOUT_MINUTES",
            &mut c.session.idle_timeout_minutes,
        )?;
        env_parse(
            "SHIJIAN_SESSION_ABSOLUTE_LIFETIME_HOURS",
            &mut c.session.absolute_lifetime_hours,
        )?;
        env_parse(
            "SHIJIAN_MAX_FAILED_LOGINS",
            &mut c.session.max_failed_logins,
        )?;
        env_parse("SHIJIAN_LOCKOUT_MINUTES", &mut c.session.lockout_minutes)?;
        env_parse("SHIJIAN_PASSWORD_MIN_LENGTH", &mut c.password.min_length)?;
        env_parse("SHIJIAN_PASSWORD_MIN_CLASSES", &mut c.password.min_classes)?;
        env_parse(
            "SHIJIAN_PASSWORD_MAX_AGE_DAYS",
            &mut c.session.password_max_age_days,
        )?;
        let r = &mut c.rate_limits;
        env_parse(
            "SHIJIAN_LOGIN_PER_ADDRESS_PER_MINUTE",
            &mut r.login_per_address_per_minute,
        )?;
        env_parse(
            "SHIJIAN_LOGIN_PER_ACCOUNT_PER_MINUTE",
            &mut r.login_per_account_per_minute,
        )?;
        env_parse(
            "SHIJIAN_REQUESTS_PER_ADDRESS_PER_MINUTE",
            &mut r.requests_per_address_per_minute,
        )?;
        env_parse("SHIJIAN_TRUST_FORWARDED_FOR", &mut r.trust_forwarded_for)?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_values_override_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.toml");
        std::fs::write(
            &f,
            "listen = \"0.0.0.0:9000\"\n[session]\nlockout_minutes = 30\n",
        )
        .unwrap();
        let c = Config::load(Some(&f), Path::new("/nonexistent")).unwrap();
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(c.session.policy().lockout, chrono::Duration::minutes(30));
        assert_eq!(c.session.policy().max_failures, 5);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.toml");
        std::fs::write(&f, "listne = \"x\"\n").unwrap();
        assert!(Config::load(Some(&f), Path::new("/nonexistent")).is_err());
    }
}
