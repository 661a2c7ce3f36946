//! The audit trail's hash chain: the canonical encoding of an audit record and the rule
//! `h_n = SHA-256(h_{n-1} ‖ canonical(record_n))`.
//!
//! Storage writes records and the verifier recomputes the chain; both use [`chain_hash`],
//! so there is one definition of what a record's hash covers. The first record chains from
//! [`GENESIS_HASH`].

use chrono::{DateTime, SubsecRound, Utc};
use sha2::{Digest, Sha256};

/// The hash the first record chains from: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The algorithm identifier stored with every record.
pub const HASH_ALG: &str = "sha256";

/// The fields of an audit record that the chain covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    pub actor_role: &'a str,
    pub actor_jurisdiction: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub jurisdiction_code: &'a str,
    pub result: &'a str,
    pub request_id: &'a str,
    pub change_digest: &'a str,
}

/// Audit timestamps are kept to the microsecond, the precision both databases store.
#[must_use]
pub fn audit_time(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// The canonical byte encoding: every field as `len:bytes;` in a fixed order, so no field
/// can bleed into its neighbour.
#[must_use]
pub fn canonical_bytes(f: &AuditFields<'_>) -> Vec<u8> {
    let seq = f.seq.to_string();
    let at = f.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let parts: [&str; 12] = [
        &seq,
        &at,
        f.actor,
        f.actor_role,
        f.actor_jurisdiction,
        f.action,
        f.object_type,
        f.object_id,
        f.jurisdiction_code,
        f.result,
        f.request_id,
        f.change_digest,
    ];
    let mut out = Vec::with_capacity(256);
    for p in parts {
        out.extend_from_slice(p.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(p.as_bytes());
        out.push(b';');
    }
    out
}

/// The hash of a record given the previous record's hash (hex).
#[must_use]
pub fn chain_hash(prev_hash: &str, f: &AuditFields<'_>) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical_bytes(f));
    hex::encode(h.finalize())
}

/// The digest of a change payload (the before/after lives in the event; the audit record
/// keeps only this digest).
#[must_use]
pub fn change_digest(payload: &serde_json::Value) -> String {
    hex::encode(Sha256::digest(payload.to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn fields(seq: i64, actor: &str) -> AuditFields<'_> {
        AuditFields {
            seq,
            at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            actor,
            actor_role: "officer",
            actor_jurisdiction: "420881",
            action: "user.create",
            object_type: "user",
            object_id: "7",
            jurisdiction_code: "420881",
            result: "ok",
            request_id: "r1",
            change_digest: "d",
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = chain_hash(GENESIS_HASH, &fields(1, "a"));
        assert_ne!(base, chain_hash(GENESIS_HASH, &fields(2, "a")));
        assert_ne!(base, chain_hash(GENESIS_HASH, &fields(1, "b")));
        assert_ne!(base, chain_hash(&base, &fields(1, "a")));
        assert_eq!(base, chain_hash(GENESIS_HASH, &fields(1, "a")));
    }

    #[test]
    fn fields_cannot_bleed_into_each_other() {
        let mut a = fields(1, "ab");
        a.actor_role = "c";
        let mut b = fields(1, "a");
        b.actor_role = "bc";
        assert_ne!(canonical_bytes(&a), canonical_bytes(&b));
    }
}
