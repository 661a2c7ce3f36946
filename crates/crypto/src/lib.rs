//! Personal data at rest (等保 level 3 §8.1.4.8, PIPL Art. 51, checklist item 24): ID numbers,
//! phone numbers and other fields marked personal are stored encrypted, and found by exact
//! value through a keyed hash (a *blind index*).
//!
//! # Threat model
//!
//! * **Protected against**: anyone who obtains the database file, a dump or backup of it, a
//!   replica, or the application's logs. They see only `v1:aes256gcm:<key id>:<random-looking
//!   base64>` and 64-hex-character blind indexes: no plaintext, and no way to test guesses,
//!   because both the data keys and the index key live in a key file kept *elsewhere* (mode
//!   0600, owned by the service account, backed up offline and separately) or in the
//!   `SHIJIAN_DATA_KEYS` environment variable. Tampering with a stored value, or copying it
//!   into another column or row of a different field, fails authentication (AES-GCM with the
//!   field name as associated data), which is the integrity check §8.1.4.7 asks for.
//! * **Still visible** in the database: which rows share a value of the same kind (equal
//!   blind indexes) and the approximate length of each value.
//! * **Not protected against**: an attacker who runs code as the service account or reads
//!   its memory or its key file; they hold the keys. Passwords are not this crate's business:
//!   they are hashed with Argon2 in storage, never encrypted.
//!
//! Keys are zeroized when dropped and no `Debug` output or error message shows key bytes,
//! plaintexts or ciphertexts.
//!
//! # Map
//!
//! * [`cipher`] — the [`FieldCipher`] trait and [`Aes256GcmCipher`].
//! * [`envelope`] — the stored-text format `v1:<alg>:<key_id>:<base64url>` and its associated
//!   data, shared by every cipher.
//! * [`blind_index`] — [`BlindIndex`], HMAC-SHA256 for exact lookup.
//! * [`keys`] — [`KeyId`], [`SecretKey`], [`KeyRing`].
//! * [`keyfile`] — [`Keys`]: the key-file format, loading, generation, writing.
//! * [`error`] — [`CryptoError`] with stable codes and Chinese messages.
//!
//! # Use
//!
//! ```
//! use shijian_crypto::{kinds, FieldCipher, Keys};
//!
//! // At start-up: Keys::load(&KeySource::File(path)) or Keys::load(&KeySource::env()).
//! let keys = Keys::parse(&Keys::generate())?;
//! let (cipher, index) = keys.into_parts();
//!
//! let context = "entity.legal_rep_id_number";
//! let stored = cipher.encrypt("420802199001011234", context)?;
//! let lookup = index.hash(kinds::ID_NUMBER, "420802199001011234");
//! assert!(stored.starts_with("v1:aes256gcm:k1:"));
//! assert_eq!(cipher.decrypt(&stored, context)?, "420802199001011234");
//! assert!(cipher.decrypt(&stored, "complaint.phone").is_err());
//! assert_eq!(lookup.len(), 64);
//! # Ok::<(), shijian_crypto::CryptoError>(())
//! ```
//!
//! # Swapping in SM4 for a 密评 assessment
//!
//! Code outside this crate holds an `Arc<dyn FieldCipher>`, never `Aes256GcmCipher`. An SM4
//! implementation is one more type in [`cipher`]:
//!
//! 1. Add RustCrypto's `sm4` crate (to `[workspace.dependencies]` first). SM4-GCM is
//!    `aes_gcm::AesGcm<sm4::Sm4, U12>` — the GCM mode in `aes-gcm` is generic over any 128-bit
//!    block cipher — or a certified module's API if the assessor requires one.
//! 2. Give it `ALGORITHM = "sm4gcm"`, and use [`envelope::encode`], [`envelope::StoredValue`]
//!    and [`envelope::aad`] exactly as [`Aes256GcmCipher`] does, so stored values keep the
//!    same shape and context binding.
//! 3. SM4 keys are 128 bits: take them from their own `data.` entries (a key file per
//!    algorithm, or a new entry prefix), never by truncating an AES key.
//! 4. To migrate existing values, decrypt by the algorithm tag each stored value carries
//!    (`aes256gcm` or `sm4gcm`) and let the rotation job re-encrypt everything whose tag is not
//!    the new algorithm ([`FieldCipher::needs_reencryption`] already says so).
//!
//! The blind index would likewise move from HMAC-SHA256 to HMAC-SM3 (`sm3` crate), which
//! changes every index and so needs the full recomputation described in [`blind_index`].

pub mod blind_index;
pub mod cipher;
pub mod envelope;
pub mod error;
pub mod keyfile;
pub mod keys;
pub mod links;

pub use blind_index::{kinds, BlindIndex};
pub use cipher::{Aes256GcmCipher, FieldCipher};
pub use error::CryptoError;
pub use keyfile::{create_key_file, replace_key_file, KeySource, Keys, KEYS_ENV_VAR};
pub use keys::{KeyId, KeyRing, SecretKey, KEY_LEN};
