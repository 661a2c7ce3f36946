//! Signed checkpoints of the audit chain. This module owns the signing key file, the
//! checkpoint format (one JSON object per line), the signed message, and checking a file
//! of checkpoints against the database.
//!
//! The hash chain alone proves only that the records agree with each other: someone who
//! can write the database may delete the last records and roll `log_head` back, or edit a
//! record and recompute every later hash, and [`crate::audit::verify`] still passes. A
//! checkpoint is the chain head (sequence number and hash) signed with the audit
//! administrator's Ed25519 key and kept outside the database. As long as the record at
//! `seq` still has the hash `head_hash`, no record up to `seq` was changed, removed or
//! re-hashed; and a head that no longer reaches `seq` shows a removed tail.
//!
//! Files:
//! - the key file is PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), created with mode 0600;
//!   a file holding the 32-byte secret as 64 hex digits is accepted as well;
//! - the checkpoint file is JSON lines, appended to and synced after each checkpoint; each
//!   line carries the public key, so it can be checked without other files, and a pinned
//!   public key ([`verify_file`]'s `trusted`) shows it was signed by the right key.

use crate::audit::Broken;
use crate::{Actor, AuditResult, Change, RequestCtx, Result, Store, StoreError, WriteTx};
use chrono::{DateTime, Utc};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shijian_domain::audit::GENESIS_HASH;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The format tag of a checkpoint line and the domain separator of the signed message.
pub const FORMAT: &str = "shijian-audit-checkpoint/1";

/// One signed checkpoint (one line of a checkpoint file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Always [`FORMAT`].
    pub format: String,
    /// The sequence number of the last audit record covered.
    pub seq: i64,
    /// That record's hash (hex); [`GENESIS_HASH`] for an empty log.
    pub head_hash: String,
    /// When it was signed (UTC, to the microsecond).
    pub at: DateTime<Utc>,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The first 16 hex digits of SHA-256 of the public key.
    pub key_id: String,
    /// The Ed25519 public key (hex).
    pub public_key: String,
    /// The Ed25519 signature of [`signed_message`] (hex).
    pub signature: String,
}

/// The head of the audit chain as `log_head` records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// Where the daily `audit_checkpoint` job finds its key and writes its checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub key: PathBuf,
    pub out: PathBuf,
}

/// A checkpoint that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The line of the checkpoint file (from 1).
    pub line: usize,
    /// The checkpoint's sequence number, if the line could be read.
    pub seq: Option<i64>,
    /// `malformed`, `untrusted_key`, `bad_signature`, `missing` or `mismatch`.
    pub kind: &'static str,
    pub detail: String,
}

/// The outcome of checking a checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Checkpoints read.
    pub checkpoints: usize,
    /// The highest sequence number a checkpoint covers.
    pub latest_seq: Option<i64>,
    /// The signing keys seen, in order of first appearance.
    pub key_ids: Vec<String>,
    /// The problem with the lowest sequence number (an unreadable line counts as lowest;
    /// ties go to the earliest line), if any.
    pub first_problem: Option<Problem>,
    /// How many checkpoints fail.
    pub problems: usize,
}

/// Why [`sign_verified`] refused to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The hash chain is broken; signing its head would vouch for the damage.
    Chain(Broken),
    /// A checkpoint already in the output file does not hold.
    Checkpoint(Problem),
}

/// The key id of a public key: the first 16 hex digits of its SHA-256.
#[must_use]
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))[..16].to_owned()
}

/// A public key as 64 hex digits (the form `audit keygen` prints and checkpoints carry).
#[must_use]
pub fn public_key_hex(key: &VerifyingKey) -> String {
    hex::encode(key.as_bytes())
}

/// The bytes a checkpoint signs: the format tag and every field as `len:bytes;`, so no
/// field can be shifted into its neighbour.
#[must_use]
pub fn signed_message(
    seq: i64,
    head_hash: &str,
    at: DateTime<Utc>,
    backend: &str,
    key_id: &str,
) -> Vec<u8> {
    let seq = seq.to_string();
    let at = at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let mut out = Vec::with_capacity(192);
    for part in [FORMAT, &seq, head_hash, &at, backend, key_id] {
        out.extend_from_slice(part.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(part.as_bytes());
        out.push(b';');
    }
    out
}

fn key_error(message: String) -> StoreError {
    StoreError::invalid("checkpoint_key", message)
}

/// Creates a new key pair in `path` (PKCS#8 PEM, mode 0600; an existing file is never
/// overwritten) and returns the public key.
pub fn generate_key_file(path: &Path) -> Result<VerifyingKey> {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| key_error(format!("无法编码私钥：{e}")))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => key_error(format!(
            "密钥文件 {} 已存在，不会覆盖；请换一个文件名",
            path.display()
        )),
        _ => key_error(format!("无法创建密钥文件 {}：{e}", path.display())),
    })?;
    file.write_all(pem.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| key_error(format!("无法写入密钥文件 {}：{e}", path.display())))?;
    Ok(key.verifying_key())
}

/// Reads the signing key from `path` (PKCS#8 PEM or 64 hex digits). Refuses a file that
/// other users may read, as ssh does.
pub fn load_signing_key(path: &Path) -> Result<SigningKey> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| key_error(format!("无法读取密钥文件 {}：{e}", path.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| key_error(format!("无法读取密钥文件 {}：{e}", path.display())))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(key_error(format!(
                "密钥文件 {} 的权限为 {:o}，其他用户可以读取；请执行 chmod 600",
                path.display(),
                mode & 0o777
            )));
        }
    }
    let text = text.trim();
    if text.starts_with("-----BEGIN") {
        return SigningKey::from_pkcs8_pem(text).map_err(|e| {
            key_error(format!(
                "密钥文件 {} 不是 Ed25519 PKCS#8 私钥：{e}",
                path.display()
            ))
        });
    }
    let bytes: [u8; 32] = hex::decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            key_error(format!(
                "密钥文件 {} 既不是 PKCS#8 PEM，也不是 64 位十六进制私钥",
                path.display()
            ))
        })?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// Parses a public key given as 64 hex digits or as PEM (`-----BEGIN PUBLIC KEY-----`).
pub fn parse_public_key(text: &str) -> Result<VerifyingKey> {
    let text = text.trim();
    let parsed = if text.starts_with("-----BEGIN") {
        VerifyingKey::from_public_key_pem(text).ok()
    } else {
        hex::decode(text)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .and_then(|b| VerifyingKey::from_bytes(&b).ok())
    };
    parsed.ok_or_else(|| key_error("公钥应为 64 位十六进制数或 PEM 格式的 Ed25519 公钥".into()))
}

/// A public key given on the command line: the key itself (hex), or a file holding it
/// (hex or PEM).
pub fn load_public_key(arg: &str) -> Result<VerifyingKey> {
    let path = Path::new(arg);
    if arg.len() != 64 && path.is_file() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| key_error(format!("无法读取公钥文件 {arg}：{e}")))?;
        return parse_public_key(&text);
    }
    parse_public_key(arg)
}

/// Signs `head` as of `at`.
#[must_use]
pub fn sign(key: &SigningKey, head: &Head, at: DateTime<Utc>, backend: &str) -> Checkpoint {
    let public = key.verifying_key();
    let id = key_id(&public);
    let at = shijian_domain::audit::audit_time(at);
    let signature = key.sign(&signed_message(head.seq, &head.hash, at, backend, &id));
    Checkpoint {
        format: FORMAT.to_owned(),
        seq: head.seq,
        head_hash: head.hash.clone(),
        at,
        backend: backend.to_owned(),
        key_id: id,
        public_key: public_key_hex(&public),
        signature: hex::encode(signature.to_bytes()),
    }
}

/// Appends `checkpoint` as one line to `path` (created if missing) and syncs the file.
pub fn append(path: &Path, checkpoint: &Checkpoint) -> Result<()> {
    let mut line = serde_json::to_string(checkpoint)
        .map_err(|e| StoreError::Other(anyhow::anyhow!("无法编码检查点：{e}")))?;
    line.push('\n');
    let io_error = |e: std::io::Error| {
        StoreError::Other(anyhow::anyhow!(
            "无法写入检查点文件 {}：{e}",
            path.display()
        ))
    };
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(io_error)?;
    file.write_all(line.as_bytes()).map_err(io_error)?;
    file.sync_all().map_err(io_error)
}

/// The head recorded in `log_head`.
pub async fn head(store: &Store) -> Result<Head> {
    let (seq, hash): (i64, String) = on_pool!(store, c => sqlx::query_as(
        "SELECT audit_seq, audit_hash FROM log_head WHERE id = 1").fetch_one(c).await)?;
    Ok(Head { seq, hash })
}

/// Checks the whole chain and the checkpoints already in `out`, then signs the head,
/// appends the checkpoint to `out` and records `audit.checkpoint` on behalf of `actor`.
/// The head is read before the chain is checked, so every record it covers has been
/// verified.
pub async fn sign_verified(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    key: &SigningKey,
    out: &Path,
) -> Result<std::result::Result<Checkpoint, Refusal>> {
    let head = head(store).await?;
    if let Some(b) = crate::audit::verify(store).await?.first_broken {
        return Ok(Err(Refusal::Chain(b)));
    }
    if out.exists() {
        if let Some(p) = verify_file(store, out, &[]).await?.first_problem {
            return Ok(Err(Refusal::Checkpoint(p)));
        }
    }
    let checkpoint = sign(key, &head, store.now(), store.backend_name());
    append(out, &checkpoint)?;
    let change = Change {
        action: "audit.checkpoint",
        object_type: "audit_log",
        object_id: head.seq.to_string(),
        jurisdiction_code: shijian_domain::division::CITY_CODE.to_owned(),
        result: AuditResult::Ok,
        after: Some(serde_json::json!({
            "seq": checkpoint.seq,
            "head_hash": checkpoint.head_hash,
            "key_id": checkpoint.key_id,
            "file": out.display().to_string(),
        })),
    };
    store.audit_only(actor, ctx, change).await?;
    Ok(Ok(checkpoint))
}

/// The body of the daily `audit_checkpoint` job: signs the head as this transaction sees
/// it (holding the log's write lock) and appends the checkpoint. It does not recompute
/// the chain, which would hold every writer for as long; `audit verify` does that.
pub(crate) async fn run_job(tx: &mut WriteTx<'_>, target: &Target) -> Result<String> {
    let key = load_signing_key(&target.key)?;
    let (seq, hash): (i64, String) = on_tx!(tx, c => sqlx::query_as(
        "SELECT audit_seq, audit_hash FROM log_head WHERE id = 1").fetch_one(c).await)?;
    let checkpoint = sign(
        &key,
        &Head { seq, hash },
        tx.now(),
        tx.store().backend_name(),
    );
    append(&target.out, &checkpoint)?;
    Ok(format!(
        "signed audit head {seq} with key {} into {}",
        checkpoint.key_id,
        target.out.display()
    ))
}

/// Checks every checkpoint in `path` against the database: the line is well formed, the
/// key is one of `trusted` (when any are given), the signature holds, and the record at
/// `seq` exists with hash `head_hash`.
pub async fn verify_file(store: &Store, path: &Path, trusted: &[VerifyingKey]) -> Result<Report> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        StoreError::invalid(
            "checkpoint_file",
            format!("无法读取检查点文件 {}：{e}", path.display()),
        )
    })?;
    let log_head = head(store).await?;
    let mut report = Report {
        checkpoints: 0,
        latest_seq: None,
        key_ids: Vec::new(),
        first_problem: None,
        problems: 0,
    };
    for (index, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let line = index + 1;
        report.checkpoints += 1;
        let problem = match serde_json::from_str::<Checkpoint>(raw) {
            Err(e) => Some(Problem {
                line,
                seq: None,
                kind: "malformed",
                detail: format!("无法解析：{e}"),
            }),
            Ok(cp) => {
                report.latest_seq = report.latest_seq.max(Some(cp.seq));
                if !report.key_ids.contains(&cp.key_id) {
                    report.key_ids.push(cp.key_id.clone());
                }
                check(store, &cp, trusted, &log_head)
                    .await?
                    .map(|(kind, detail)| Problem {
                        line,
                        seq: Some(cp.seq),
                        kind,
                        detail,
                    })
            }
        };
        if let Some(p) = problem {
            report.problems += 1;
            let earlier = |q: &Problem| (q.seq.unwrap_or(i64::MIN), q.line);
            if report
                .first_problem
                .as_ref()
                .is_none_or(|f| earlier(&p) < earlier(f))
            {
                report.first_problem = Some(p);
            }
        }
    }
    if report.checkpoints == 0 {
        return Err(StoreError::invalid(
            "checkpoint_file",
            format!("检查点文件 {} 中没有检查点", path.display()),
        ));
    }
    Ok(report)
}

/// Checks one checkpoint; `Some((kind, detail))` names what fails.
async fn check(
    store: &Store,
    cp: &Checkpoint,
    trusted: &[VerifyingKey],
    log_head: &Head,
) -> Result<Option<(&'static str, String)>> {
    if cp.format != FORMAT {
        return Ok(Some((
            "malformed",
            format!("未知的检查点格式 {}", cp.format),
        )));
    }
    let Ok(public) = parse_public_key(&cp.public_key) else {
        return Ok(Some(("malformed", "检查点中的公钥无效".to_owned())));
    };
    if key_id(&public) != cp.key_id {
        return Ok(Some(("malformed", "检查点的密钥标识与公钥不符".to_owned())));
    }
    if !trusted.is_empty() && !trusted.contains(&public) {
        return Ok(Some((
            "untrusted_key",
            format!("签名密钥 {} 不是指定的受信任公钥", cp.key_id),
        )));
    }
    let signature = hex::decode(&cp.signature)
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok());
    let message = signed_message(cp.seq, &cp.head_hash, cp.at, &cp.backend, &cp.key_id);
    if signature.is_none_or(|s| public.verify_strict(&message, &s).is_err()) {
        return Ok(Some((
            "bad_signature",
            "签名无效：检查点内容被改动，或并非该公钥签署".to_owned(),
        )));
    }
    if cp.seq == 0 {
        return Ok((cp.head_hash != GENESIS_HASH)
            .then(|| ("mismatch", "空日志的检查点哈希应为创世哈希".to_owned())));
    }
    if cp.seq > log_head.seq {
        return Ok(Some((
            "missing",
            format!(
                "检查点覆盖到第 {} 条记录，但日志头只到第 {} 条：尾部记录被删除或数据库被回退",
                cp.seq, log_head.seq
            ),
        )));
    }
    let hash: Option<String> = on_pool!(store, c => sqlx::query_scalar(
        "SELECT hash FROM audit_log WHERE seq = $1").bind(cp.seq).fetch_optional(c).await)?;
    Ok(match hash {
        None => Some(("missing", format!("第 {} 条记录不存在（记录被删除）", cp.seq))),
        Some(h) if h != cp.head_hash => Some((
            "mismatch",
            format!(
                "第 {} 条记录的哈希与检查点不符：该条或此前的记录被改写（哈希链被重新计算也会被发现）",
                cp.seq
            ),
        )),
        Some(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn head() -> Head {
        Head {
            seq: 7,
            hash: "ab".repeat(32),
        }
    }

    #[test]
    fn a_signature_covers_every_field() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let at = Utc.with_ymd_and_hms(2026, 6, 15, 2, 0, 0).unwrap();
        let cp = sign(&key, &head(), at, "sqlite");
        let public = key.verifying_key();
        let sig = Signature::from_slice(&hex::decode(&cp.signature).unwrap()).unwrap();
        let ok = |seq, hash: &str, at, backend: &str| {
            public
                .verify_strict(&signed_message(seq, hash, at, backend, &cp.key_id), &sig)
                .is_ok()
        };
        assert!(ok(7, &cp.head_hash, at, "sqlite"));
        assert!(!ok(8, &cp.head_hash, at, "sqlite"));
        assert!(!ok(7, &"cd".repeat(32), at, "sqlite"));
        assert!(!ok(
            7,
            &cp.head_hash,
            at + chrono::Duration::seconds(1),
            "sqlite"
        ));
        assert!(!ok(7, &cp.head_hash, at, "postgres"));
    }

    #[test]
    fn a_checkpoint_survives_its_json_line() {
        let key = SigningKey::from_bytes(&[9; 32]);
        let at = Utc.with_ymd_and_hms(2026, 6, 15, 2, 0, 0).unwrap()
            + chrono::Duration::microseconds(123_456);
        let cp = sign(&key, &head(), at, "postgres");
        let back: Checkpoint = serde_json::from_str(&serde_json::to_string(&cp).unwrap()).unwrap();
        assert_eq!(back, cp);
        assert_eq!(cp.key_id, key_id(&key.verifying_key()));
    }

    #[test]
    fn key_files_are_private_pem_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        let public = generate_key_file(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_eq!(load_signing_key(&path).unwrap().verifying_key(), public);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = load_signing_key(&path).unwrap_err().to_string();
            assert!(e.contains("chmod 600"), "{e}");
        }
        let e = generate_key_file(&path).unwrap_err().to_string();
        assert!(e.contains("已存在"), "{e}");
        // Public keys: hex and PEM.
        assert_eq!(
            parse_public_key(&hex::encode(public.as_bytes())).unwrap(),
            public
        );
        let pem = ed25519_dalek::pkcs8::EncodePublicKey::to_public_key_pem(&public, LineEnding::LF)
            .unwrap();
        assert_eq!(parse_public_key(&pem).unwrap(), public);
        assert!(parse_public_key("zz").is_err());
    }
}
