//! Field encryption: the [`FieldCipher`] trait the rest of shijian codes against, and its
//! AES-256-GCM implementation [`Aes256GcmCipher`] over a rotating [`KeyRing`].
//!
//! This module owns the encryption algorithm and nonce generation; the stored-text format is
//! [`crate::envelope`]'s, the keys are [`crate::keys`]'.

use std::fmt;

use aes_gcm::aead::{Aead as _, Payload};
use aes_gcm::{Aes256Gcm, Key, KeyInit as _, Nonce};
use rand::rngs::OsRng;
use rand::RngCore as _;
use zeroize::{Zeroize as _, Zeroizing};

use crate::envelope::{self, StoredValue, NONCE_LEN};
use crate::{CryptoError, KeyRing, SecretKey};

/// Encrypts and decrypts one personal-data field value at a time.
///
/// `context` names the field (`"entity.legal_rep_id_number"`, `"complaint.phone"`) and is
/// bound as associated data: a value decrypts only with the context it was encrypted for, so
/// a ciphertext copied into another column is rejected. Use one fixed string per column.
///
/// Implementations must write self-describing, printable-ASCII text (use
/// [`crate::envelope`]) and must use a fresh random nonce per encryption, so equal
/// plaintexts give different stored texts; exact-value lookup goes through
/// [`crate::BlindIndex`] instead.
pub trait FieldCipher: Send + Sync {
    /// Encrypts `plaintext` under the current key, for the field `context`.
    fn encrypt(&self, plaintext: &str, context: &str) -> Result<String, CryptoError>;

    /// Decrypts a value produced by [`encrypt`](Self::encrypt) with the same `context`,
    /// under whichever key of the ring its key id names.
    fn decrypt(&self, stored: &str, context: &str) -> Result<String, CryptoError>;

    /// The algorithm tag written into stored values (`"aes256gcm"`, `"sm4gcm"`).
    fn algorithm(&self) -> &'static str;

    /// Whether `stored` was not written by this algorithm under the current key (or cannot
    /// be parsed at all), so a rotation job should rewrite it with
    /// [`reencrypt`](Self::reencrypt).
    fn needs_reencryption(&self, stored: &str) -> bool;

    /// Decrypts `stored` and, if [`needs_reencryption`](Self::needs_reencryption), encrypts it
    /// again under the current key; otherwise returns it unchanged. The value is always
    /// authenticated first, so a tampered or misplaced value is reported, not rewritten.
    fn reencrypt(&self, stored: &str, context: &str) -> Result<String, CryptoError> {
        let plaintext = Zeroizing::new(self.decrypt(stored, context)?);
        if self.needs_reencryption(stored) {
            self.encrypt(&plaintext, context)
        } else {
            Ok(stored.to_owned())
        }
    }
}

/// AES-256-GCM field encryption with 96-bit random nonces from `OsRng` and rotating keys.
///
/// Stored text: `v1:aes256gcm:<key_id>:<base64url(nonce || ciphertext || tag)>`.
///
/// With random 96-bit nonces, NIST SP 800-38D limits one key to 2³² encryptions; a
/// personal-data column set stays far below that, and rotation resets the count.
#[derive(Clone)]
pub struct Aes256GcmCipher {
    ring: KeyRing,
}

impl Aes256GcmCipher {
    /// The algorithm tag of this cipher.
    pub const ALGORITHM: &'static str = "aes256gcm";

    /// A cipher over `ring`: encrypts under its current key, decrypts under any of its keys.
    #[must_use]
    pub fn new(ring: KeyRing) -> Self {
        Self { ring }
    }

    /// The key ring.
    #[must_use]
    pub fn ring(&self) -> &KeyRing {
        &self.ring
    }

    // The AES key schedule lives only for one call. (Zeroizing it needs the `aes` crate's
    // `zeroize` feature, which is not enabled in this workspace.)
    fn aead(key: &SecretKey) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key.bytes()))
    }
}

impl FieldCipher for Aes256GcmCipher {
    fn encrypt(&self, plaintext: &str, context: &str) -> Result<String, CryptoError> {
        if context.is_empty() {
            return Err(CryptoError::EmptyContext);
        }
        let key_id = self.ring.current_id();
        let mut nonce = [0u8; NONCE_LEN];
        OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|_| CryptoError::RandomUnavailable)?;
        let aad = envelope::aad(Self::ALGORITHM, key_id.as_str(), context);
        let ciphertext = Self::aead(self.ring.current_key())
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::EncryptionFailed)?;
        Ok(envelope::encode(
            Self::ALGORITHM,
            key_id,
            &nonce,
            &ciphertext,
        ))
    }

    fn decrypt(&self, stored: &str, context: &str) -> Result<String, CryptoError> {
        if context.is_empty() {
            return Err(CryptoError::EmptyContext);
        }
        let value = StoredValue::parse(stored)?;
        value.expect(Self::ALGORITHM)?;
        let key = self
            .ring
            .get(value.key_id)
            .ok_or_else(|| CryptoError::UnknownKeyId {
                key_id: value.key_id.to_owned(),
            })?;
        let (nonce, ciphertext) = value.nonce_and_ciphertext()?;
        let plaintext = Self::aead(key)
            .decrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad: &value.aad(context),
                },
            )
            .map_err(|_| CryptoError::DecryptionFailed {
                context: context.to_owned(),
            })?;
        String::from_utf8(plaintext).map_err(|e| {
            e.into_bytes().zeroize();
            CryptoError::InvalidPlaintext
        })
    }

    fn algorithm(&self) -> &'static str {
        Self::ALGORITHM
    }

    fn needs_reencryption(&self, stored: &str) -> bool {
        !StoredValue::parse(stored).is_ok_and(|value| {
            value.expect(Self::ALGORITHM).is_ok() && value.key_id == self.ring.current_id().as_str()
        })
    }
}

impl fmt::Debug for Aes256GcmCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Aes256GcmCipher")
            .field("ring", &self.ring)
            .finish()
    }
}
