//! Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP; HMAC-SHA1, 6 digits, 30 s
//! steps), as every common authenticator app computes them. This module owns the
//! arithmetic and the acceptance rule: a code is accepted for the current step or one step
//! either side, and only for a step later than the last one used, so each code works once.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Secret length in bytes (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// The step number of a Unix time.
#[must_use]
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The HOTP code of `secret` for counter `step`.
#[must_use]
pub fn code(secret: &[u8], step: i64) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let bin = (u32::from(h[offset]) & 0x7f) << 24
        | u32::from(h[offset + 1]) << 16
        | u32::from(h[offset + 2]) << 8
        | u32::from(h[offset + 3]);
    format!(
        "{:0width$}",
        bin % 10u32.pow(DIGITS),
        width = DIGITS as usize
    )
}

/// Checks `submitted` at `unix_seconds`. Accepts the current step and one either side,
/// but only steps after `last_used_step`. Returns the matched step, which the caller must
/// store as the new `last_used_step`.
#[must_use]
pub fn verify(
    secret: &[u8],
    submitted: &str,
    unix_seconds: i64,
    last_used_step: i64,
) -> Option<i64> {
    let submitted: String = submitted.chars().filter(|c| !c.is_whitespace()).collect();
    if submitted.len() != DIGITS as usize || !submitted.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_seconds);
    (now - 1..=now + 1)
        .filter(|s| *s > last_used_step)
        .find(|s| constant_eq(code(secret, *s).as_bytes(), submitted.as_bytes()))
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The secret as authenticator apps show and scan it (RFC 4648 base32, no padding).
#[must_use]
pub fn encode_secret(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// Reads a base32 secret (spaces and case ignored).
#[must_use]
pub fn decode_secret(text: &str) -> Option<Vec<u8>> {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .collect::<String>()
        .to_ascii_uppercase();
    data_encoding::BASE32_NOPAD
        .decode(clean.as_bytes())
        .ok()
        .filter(|s| !s.is_empty())
}

/// The `otpauth://` URI that authenticator apps scan from a QR code.
#[must_use]
pub fn otpauth_uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    /// RFC 6238 Appendix B (SHA-1), last six digits of the eight-digit values.
    #[test]
    fn rfc_6238_vectors() {
        for (t, want) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(code(RFC_SECRET, step_at(t)), want, "t={t}");
        }
    }

    #[test]
    fn accepts_one_step_either_side_once() {
        let t = 1_234_567_890;
        let now = step_at(t);
        for s in [now - 1, now, now + 1] {
            assert_eq!(verify(RFC_SECRET, &code(RFC_SECRET, s), t, 0), Some(s));
        }
        assert_eq!(verify(RFC_SECRET, &code(RFC_SECRET, now - 2), t, 0), None);
        assert_eq!(verify(RFC_SECRET, &code(RFC_SECRET, now + 2), t, 0), None);
        // Used once: the same code, or an older one, is refused afterwards.
        let used = verify(RFC_SECRET, &code(RFC_SECRET, now), t, 0).unwrap();
        assert_eq!(verify(RFC_SECRET, &code(RFC_SECRET, now), t, used), None);
        assert_eq!(
            verify(RFC_SECRET, &code(RFC_SECRET, now - 1), t, used),
            None
        );
        assert_eq!(
            verify(RFC_SECRET, &code(RFC_SECRET, now + 1), t, used),
            Some(now + 1)
        );
        for bad in ["", "12345", "1234567", "abcdef"] {
            assert_eq!(verify(RFC_SECRET, bad, t, 0), None, "{bad}");
        }
    }

    #[test]
    fn secrets_round_trip_through_base32() {
        let b32 = encode_secret(RFC_SECRET);
        assert_eq!(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(decode_secret(&b32.to_lowercase()).unwrap(), RFC_SECRET);
        assert!(decode_secret("not base32!").is_none());
        let uri = otpauth_uri("荆门市监", "zx.admin", &b32);
        assert!(uri.starts_with("otpauth://totp/%E8%8D%86"));
        assert!(uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));
    }
}
