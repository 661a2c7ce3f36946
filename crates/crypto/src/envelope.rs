//! The stored-text format shared by every [`crate::FieldCipher`] implementation, so that an
//! SM4-GCM cipher writes and reads the same self-describing text as AES-256-GCM:
//!
//! ```text
//! v1:<alg>:<key_id>:<base64url-no-pad(nonce || ciphertext || tag)>
//! e.g. v1:aes256gcm:k2:3q2-7wAAAB...
//! ```
//!
//! * `v1` — this format's version.
//! * `<alg>` — the cipher's [`algorithm`](crate::FieldCipher::algorithm) tag, 1–16 of
//!   `[a-z0-9]` (`aes256gcm`; an SM4 implementation would write `sm4gcm`).
//! * `<key_id>` — the [`KeyId`] of the data key used.
//! * the payload — a 96-bit random nonce, then the AEAD output (ciphertext and 128-bit tag),
//!   in the URL-safe base64 alphabet without padding. The whole text is printable ASCII.
//!
//! The associated data ([`aad`]) binds the version, algorithm, key id and the caller's
//! context (the field, e.g. `entity.legal_rep_id_number`): a value copied to another column
//! or given a rewritten header fails authentication.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::{CryptoError, KeyId};

/// The format version written by this crate.
pub const FORMAT_VERSION: &str = "v1";

/// Nonce length of the GCM ciphers (96 bits).
pub const NONCE_LEN: usize = 12;

/// Authentication tag length of the GCM ciphers (128 bits).
pub const TAG_LEN: usize = 16;

/// Longest version or algorithm tag.
const MAX_NAME_LEN: usize = 16;

/// A parsed stored value. Parsing checks the shape only; it decrypts nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredValue<'a> {
    /// The format version tag (`v1`).
    pub version: &'a str,
    /// The algorithm tag.
    pub algorithm: &'a str,
    /// The key id (already checked against the [`KeyId`] rules).
    pub key_id: &'a str,
    /// The base64url payload, not yet decoded.
    pub payload: &'a str,
}

impl<'a> StoredValue<'a> {
    /// Splits `stored` into its four parts and checks their alphabets. Any shape error is
    /// [`CryptoError::MalformedCiphertext`]; the version is not checked here.
    pub fn parse(stored: &'a str) -> Result<Self, CryptoError> {
        let mut parts = stored.splitn(4, ':');
        let (Some(version), Some(algorithm), Some(key_id), Some(payload)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(CryptoError::MalformedCiphertext);
        };
        let base64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if !is_tag(version)
            || !is_tag(algorithm)
            || !KeyId::is_valid(key_id)
            || !payload.bytes().all(base64url)
        {
            return Err(CryptoError::MalformedCiphertext);
        }
        Ok(Self {
            version,
            algorithm,
            key_id,
            payload,
        })
    }

    /// Checks the version and the algorithm against what a cipher handles.
    pub fn expect(&self, algorithm: &'static str) -> Result<(), CryptoError> {
        if self.version == FORMAT_VERSION && self.algorithm == algorithm {
            Ok(())
        } else {
            Err(CryptoError::UnsupportedFormat {
                version: self.version.to_owned(),
                algorithm: self.algorithm.to_owned(),
                expected: algorithm,
            })
        }
    }

    /// Decodes the payload and splits it into `(nonce, ciphertext || tag)`.
    pub fn nonce_and_ciphertext(&self) -> Result<([u8; NONCE_LEN], Vec<u8>), CryptoError> {
        let mut bytes = URL_SAFE_NO_PAD
            .decode(self.payload)
            .map_err(|_| CryptoError::MalformedCiphertext)?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptoError::MalformedCiphertext);
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&bytes[..NONCE_LEN]);
        bytes.drain(..NONCE_LEN);
        Ok((nonce, bytes))
    }

    /// The associated data of this value for `context`.
    #[must_use]
    pub fn aad(&self, context: &str) -> Vec<u8> {
        aad(self.algorithm, self.key_id, context)
    }
}

/// Formats a stored value: `v1:<algorithm>:<key_id>:<base64url(nonce || ciphertext_and_tag)>`.
#[must_use]
pub fn encode(algorithm: &str, key_id: &KeyId, nonce: &[u8], ciphertext_and_tag: &[u8]) -> String {
    let mut payload = Vec::with_capacity(nonce.len() + ciphertext_and_tag.len());
    payload.extend_from_slice(nonce);
    payload.extend_from_slice(ciphertext_and_tag);
    let mut out = format!("{FORMAT_VERSION}:{algorithm}:{key_id}:");
    URL_SAFE_NO_PAD.encode_string(&payload, &mut out);
    out
}

/// The associated data bound into every value:
/// `"shijian-field\0" || version || "\0" || algorithm || "\0" || key_id || "\0" || context`.
/// The tags and the key id cannot contain NUL, so the encoding is unambiguous.
#[must_use]
pub fn aad(algorithm: &str, key_id: &str, context: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + algorithm.len() + key_id.len() + context.len());
    for part in ["shijian-field", FORMAT_VERSION, algorithm, key_id] {
        out.extend_from_slice(part.as_bytes());
        out.push(0);
    }
    out.extend_from_slice(context.as_bytes());
    out
}

fn is_tag(s: &str) -> bool {
    (1..=MAX_NAME_LEN).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_then_parse() {
        let id = KeyId::new("k7").unwrap();
        let text = encode("aes256gcm", &id, &[1; NONCE_LEN], &[2; 20]);
        assert!(text.starts_with("v1:aes256gcm:k7:"));
        assert!(text.is_ascii());
        let value = StoredValue::parse(&text).unwrap();
        assert_eq!(value.key_id, "k7");
        value.expect("aes256gcm").unwrap();
        let (nonce, ct) = value.nonce_and_ciphertext().unwrap();
        assert_eq!(nonce, [1; NONCE_LEN]);
        assert_eq!(ct, vec![2; 20]);
    }

    #[test]
    fn bad_shapes_are_malformed() {
        for bad in [
            "",
            "plain text",
            "v1:aes256gcm:k1",
            "v1::k1:AAAA",
            "v1:AES:k1:AAAA",
            "v1:aes256gcm:k:1:AAAA",
            "v1:aes256gcm:k 1:AAAA",
            "v1:aes256gcm:k1:+/+/",
            "v1:aes256gcm:k1:AAAA=",
        ] {
            let err = StoredValue::parse(bad).map(|_| ()).unwrap_err();
            assert_eq!(err.code(), "malformed_ciphertext", "{bad:?}");
        }
        // Shape fine, payload too short or not canonical base64.
        for bad in [
            "v1:aes256gcm:k1:AAAA",
            "v1:aes256gcm:k1:A",
            "v1:aes256gcm:k1:",
        ] {
            let value = StoredValue::parse(bad).unwrap();
            assert_eq!(
                value.nonce_and_ciphertext().unwrap_err().code(),
                "malformed_ciphertext"
            );
        }
    }

    #[test]
    fn other_versions_and_algorithms_are_unsupported() {
        let value = StoredValue::parse("v2:aes256gcm:k1:AAAA").unwrap();
        assert_eq!(
            value.expect("aes256gcm").unwrap_err().code(),
            "unsupported_ciphertext_format"
        );
        let value = StoredValue::parse("v1:sm4gcm:k1:AAAA").unwrap();
        let err = value.expect("aes256gcm").unwrap_err();
        assert!(err.to_string().contains("sm4gcm"), "{err}");
    }

    #[test]
    fn aad_separates_its_parts() {
        assert_ne!(aad("a", "k1", "x.y"), aad("a", "k1x", ".y"));
        assert_ne!(aad("a", "k1", "x"), aad("a", "k2", "x"));
        assert_ne!(aad("aes256gcm", "k1", "x"), aad("sm4gcm", "k1", "x"));
    }
}
