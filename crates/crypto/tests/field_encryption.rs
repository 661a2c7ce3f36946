//! Black-box tests of field encryption, rotation and the blind index through the public API.

use std::sync::Arc;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use proptest::prelude::*;
use shijian_crypto::envelope::StoredValue;
use shijian_crypto::{
    kinds, Aes256GcmCipher, BlindIndex, CryptoError, FieldCipher, KeyId, KeyRing, SecretKey,
};

const ID_CONTEXT: &str = "entity.legal_rep_id_number";
const PHONE_CONTEXT: &str = "complaint.phone";
const ID: &str = "42080219900101123X";

fn id(s: &str) -> KeyId {
    KeyId::new(s).unwrap()
}

fn cipher_with(keys: &[(&str, u8)]) -> Aes256GcmCipher {
    let ring = KeyRing::new(
        keys.iter()
            .map(|(name, byte)| (id(name), SecretKey::from_bytes([*byte; 32]))),
        None,
    )
    .unwrap();
    Aes256GcmCipher::new(ring)
}

fn random_cipher() -> Aes256GcmCipher {
    Aes256GcmCipher::new(KeyRing::single(id("k1"), SecretKey::generate()))
}

#[test]
fn round_trip() {
    let cipher = random_cipher();
    for plaintext in [ID, "13800138000", "", "张三 湖北省荆门市东宝区", "a:b:c"] {
        let stored = cipher.encrypt(plaintext, ID_CONTEXT).unwrap();
        assert!(stored.starts_with("v1:aes256gcm:k1:"), "{stored}");
        assert!(stored.is_ascii());
        assert_eq!(cipher.decrypt(&stored, ID_CONTEXT).unwrap(), plaintext);
    }
    assert_eq!(cipher.algorithm(), "aes256gcm");
}

#[test]
fn usable_as_a_trait_object() {
    let cipher: Arc<dyn FieldCipher> = Arc::new(random_cipher());
    let stored = cipher.encrypt(ID, ID_CONTEXT).unwrap();
    assert_eq!(cipher.decrypt(&stored, ID_CONTEXT).unwrap(), ID);
    assert!(!cipher.needs_reencryption(&stored));
}

#[test]
fn equal_plaintexts_give_different_stored_texts() {
    let cipher = random_cipher();
    let a = cipher.encrypt(ID, ID_CONTEXT).unwrap();
    let b = cipher.encrypt(ID, ID_CONTEXT).unwrap();
    assert_ne!(a, b, "nonces must be fresh");
    let nonce = |s: &str| {
        StoredValue::parse(s)
            .unwrap()
            .nonce_and_ciphertext()
            .unwrap()
            .0
    };
    assert_ne!(nonce(&a), nonce(&b));
}

#[test]
fn context_mismatch_fails() {
    let cipher = random_cipher();
    let stored = cipher.encrypt(ID, ID_CONTEXT).unwrap();
    let err = cipher.decrypt(&stored, PHONE_CONTEXT).unwrap_err();
    assert_eq!(err.code(), "decryption_failed");
    assert!(err.to_string().contains(PHONE_CONTEXT), "{err}");
    assert!(!err.to_string().contains(ID));
    // Near misses fail too.
    for other in [
        "entity.legal_rep_id_numbe",
        "entity.legal_rep_id_number ",
        "ENTITY.legal_rep_id_number",
    ] {
        assert!(cipher.decrypt(&stored, other).is_err(), "{other}");
    }
    assert_eq!(cipher.encrypt(ID, "").unwrap_err().code(), "empty_context");
    assert_eq!(
        cipher.decrypt(&stored, "").unwrap_err().code(),
        "empty_context"
    );
}

#[test]
fn tampered_ciphertext_fails() {
    let cipher = random_cipher();
    let stored = cipher.encrypt(ID, ID_CONTEXT).unwrap();
    let value = StoredValue::parse(&stored).unwrap();
    let header = &stored[..stored.len() - value.payload.len()];
    let payload = URL_SAFE_NO_PAD.decode(value.payload).unwrap();

    // Every bit of nonce, ciphertext and tag is authenticated.
    for byte in 0..payload.len() {
        for bit in 0..8 {
            let mut bad = payload.clone();
            bad[byte] ^= 1 << bit;
            let forged = format!("{header}{}", URL_SAFE_NO_PAD.encode(&bad));
            let err = cipher.decrypt(&forged, ID_CONTEXT).unwrap_err();
            assert_eq!(err.code(), "decryption_failed", "byte {byte} bit {bit}");
        }
    }
    // Truncated, extended, or not a stored value at all.
    let short = format!(
        "{header}{}",
        URL_SAFE_NO_PAD.encode(&payload[..payload.len() - 1])
    );
    assert_eq!(
        cipher.decrypt(&short, ID_CONTEXT).unwrap_err().code(),
        "decryption_failed"
    );
    let long = format!(
        "{header}{}",
        URL_SAFE_NO_PAD.encode([&payload[..], &[0]].concat())
    );
    assert_eq!(
        cipher.decrypt(&long, ID_CONTEXT).unwrap_err().code(),
        "decryption_failed"
    );
    for bad in [
        ID.to_owned(),
        header.to_owned(),
        format!("{header}AAAA"),
        format!("{header}{}!", value.payload),
        stored.replace("v1:aes256gcm:k1:", "v1:aes256gcm:k1"),
    ] {
        assert_eq!(
            cipher.decrypt(&bad, ID_CONTEXT).unwrap_err().code(),
            "malformed_ciphertext",
            "{bad}"
        );
    }
    let other_alg = stored.replace("aes256gcm", "sm4gcm");
    assert_eq!(
        cipher.decrypt(&other_alg, ID_CONTEXT).unwrap_err().code(),
        "unsupported_ciphertext_format"
    );
}

#[test]
fn wrong_key_id_fails_clearly() {
    let old = cipher_with(&[("k1", 1)]);
    let other = cipher_with(&[("k2", 2)]);
    let stored = old.encrypt(ID, ID_CONTEXT).unwrap();
    let err = other.decrypt(&stored, ID_CONTEXT).unwrap_err();
    assert!(
        matches!(&err, CryptoError::UnknownKeyId { key_id } if key_id == "k1"),
        "{err:?}"
    );
    assert_eq!(err.code(), "unknown_key_id");
    let message = err.to_string();
    assert!(message.contains("“k1”"), "{message}");
    assert!(message.contains("密钥文件"), "{message}");

    // Same id, different key bytes (a wrong key file): authentication fails.
    let impostor = cipher_with(&[("k1", 9)]);
    assert_eq!(
        impostor.decrypt(&stored, ID_CONTEXT).unwrap_err().code(),
        "decryption_failed"
    );

    // Rewriting the key id in the header to another key of the ring fails too.
    let both = cipher_with(&[("k1", 1), ("k2", 2)]);
    let relabelled = stored.replace(":k1:", ":k2:");
    assert_eq!(
        both.decrypt(&relabelled, ID_CONTEXT).unwrap_err().code(),
        "decryption_failed"
    );
}

#[test]
fn rotation() {
    let before = cipher_with(&[("k1", 1)]);
    let old_value = before.encrypt(ID, ID_CONTEXT).unwrap();
    assert!(!before.needs_reencryption(&old_value));

    // Rotate: same old key plus a new current key.
    let mut ring = before.ring().clone();
    ring.push_current(id("k2"), SecretKey::from_bytes([2; 32]))
        .unwrap();
    let after = Aes256GcmCipher::new(ring);
    assert_eq!(after.ring().current_id().as_str(), "k2");

    // Old values still decrypt and are flagged for the rotation job.
    assert_eq!(after.decrypt(&old_value, ID_CONTEXT).unwrap(), ID);
    assert!(after.needs_reencryption(&old_value));

    // New values use the new key.
    let new_value = after.encrypt(ID, ID_CONTEXT).unwrap();
    assert!(new_value.starts_with("v1:aes256gcm:k2:"), "{new_value}");
    assert!(!after.needs_reencryption(&new_value));

    // The job's helper moves old values to the new key, leaves new ones alone.
    let moved = after.reencrypt(&old_value, ID_CONTEXT).unwrap();
    assert!(moved.starts_with("v1:aes256gcm:k2:"), "{moved}");
    assert!(!after.needs_reencryption(&moved));
    assert_eq!(after.decrypt(&moved, ID_CONTEXT).unwrap(), ID);
    assert_eq!(after.reencrypt(&new_value, ID_CONTEXT).unwrap(), new_value);

    // It refuses to launder a value of another field or a tampered one.
    assert_eq!(
        after
            .reencrypt(&old_value, PHONE_CONTEXT)
            .unwrap_err()
            .code(),
        "decryption_failed"
    );
    // Unparseable values and other algorithms count as needing attention.
    assert!(after.needs_reencryption("420802199001011234"));
    assert!(after.needs_reencryption(&new_value.replace("aes256gcm", "sm4gcm")));

    // Once the old key is removed from the ring, un-rotated values fail clearly.
    let pruned = cipher_with(&[("k2", 2)]);
    assert_eq!(pruned.decrypt(&moved, ID_CONTEXT).unwrap(), ID);
    assert_eq!(
        pruned.decrypt(&old_value, ID_CONTEXT).unwrap_err().code(),
        "unknown_key_id"
    );
}

#[test]
fn keys_rotation_end_to_end() {
    let mut keys = shijian_crypto::Keys::parse(&shijian_crypto::Keys::generate()).unwrap();
    let old_value = keys.cipher().encrypt(ID, ID_CONTEXT).unwrap();
    let old_index = keys.blind_index().hash(kinds::ID_NUMBER, ID);
    keys.rotate_data_key();
    let keys = shijian_crypto::Keys::parse(&keys.to_text()).unwrap();
    let (cipher, index) = keys.into_parts();
    assert!(cipher.needs_reencryption(&old_value));
    assert!(cipher
        .encrypt(ID, ID_CONTEXT)
        .unwrap()
        .starts_with("v1:aes256gcm:k2:"));
    assert_eq!(cipher.decrypt(&old_value, ID_CONTEXT).unwrap(), ID);
    // The index key did not change, so lookups keep working across a data-key rotation.
    assert_eq!(index.hash(kinds::ID_NUMBER, ID), old_index);
}

#[test]
fn blind_index_is_deterministic_kind_separated_and_keyed() {
    let index = BlindIndex::new(SecretKey::from_bytes([7; 32]));
    let a = index.hash(kinds::ID_NUMBER, ID);
    assert_eq!(a, index.hash(kinds::ID_NUMBER, ID));
    assert_eq!(a.len(), 64);
    assert!(a
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert!(!a.contains(ID));

    // Other values differ.
    assert_ne!(a, index.hash(kinds::ID_NUMBER, "420802199001011231"));
    // Same digits, other kind: unrelated.
    let digits = "13800138000";
    assert_ne!(
        index.hash(kinds::PHONE, digits),
        index.hash(kinds::ID_NUMBER, digits)
    );
    // Kind and value boundaries cannot be shifted.
    assert_ne!(index.hash("phone", "1"), index.hash("phone1", ""));
    assert_ne!(index.hash("a", "bc"), index.hash("ab", "c"));

    // Another key, another index; the key check tells keys apart without revealing them.
    let other = BlindIndex::new(SecretKey::from_bytes([8; 32]));
    assert_ne!(a, other.hash(kinds::ID_NUMBER, ID));
    assert_ne!(index.key_check(), other.key_check());
    assert_eq!(
        index.key_check(),
        BlindIndex::new(SecretKey::from_bytes([7; 32])).key_check()
    );
    assert_eq!(index.key_check().len(), 16);

    // Debug shows neither the key nor its encodings.
    let shown = format!("{index:?}");
    assert!(!shown.contains(&hex::encode([7u8; 32])[..16]), "{shown}");
    assert!(
        !shown.contains(&STANDARD.encode([7u8; 32])[..16]),
        "{shown}"
    );
}

#[test]
fn blind_index_matches_hmac_sha256_reference() {
    use hmac::{Hmac, Mac};
    let key = [0x42u8; 32];
    let index = BlindIndex::new(SecretKey::from_bytes(key));
    let mut mac = <Hmac<sha2::Sha256>>::new_from_slice(&key).unwrap();
    mac.update(b"shijian-blind-index-v1\0");
    mac.update(&5u64.to_be_bytes());
    mac.update(b"phone");
    mac.update(b"13800138000");
    assert_eq!(
        index.hash(kinds::PHONE, "13800138000"),
        hex::encode(mac.finalize().into_bytes())
    );
}

/// 18-character ID-number-like strings (17 digits and a digit or X) and 11-digit phones.
fn id_like() -> impl Strategy<Value = String> {
    prop_oneof!["[1-8][0-9]{16}[0-9X]", "1[3-9][0-9]{9}"]
}

/// ID-like values plus other short personal codes (passport, licence numbers).
fn personal_value() -> impl Strategy<Value = String> {
    prop_oneof![id_like(), "[0-9A-Za-z]{8,24}"]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn stored_text_never_contains_the_plaintext(plaintext in personal_value()) {
        let cipher = cipher_with(&[("k1", 1)]);
        let stored = cipher.encrypt(&plaintext, ID_CONTEXT).unwrap();
        prop_assert!(stored.is_ascii());
        let lower = stored.to_ascii_lowercase();
        prop_assert!(!stored.contains(&plaintext));
        prop_assert!(!lower.contains(&hex::encode(&plaintext)));
        for engine in [STANDARD, URL_SAFE] {
            let encoded = engine.encode(&plaintext);
            prop_assert!(!stored.contains(encoded.trim_end_matches('=')));
        }
        for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
            prop_assert!(!stored.contains(&engine.encode(&plaintext)));
        }
        prop_assert_eq!(cipher.decrypt(&stored, ID_CONTEXT).unwrap(), plaintext);
    }

    #[test]
    fn blind_index_never_contains_the_value(value in id_like()) {
        let index = BlindIndex::new(SecretKey::from_bytes([3; 32]));
        let hash = index.hash(kinds::ID_NUMBER, &value);
        prop_assert!(!hash.contains(&value.to_ascii_lowercase()));
        prop_assert!(!hash.contains(&hex::encode(&value)));
    }
}
