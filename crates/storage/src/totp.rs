//! The second factor of an account: enrolment (a pending secret confirmed by a first
//! code), use at sign-in (each code once; recovery codes once), and reset by the security
//! administrator. The arithmetic is `shijian_domain::totp`.

use crate::actor::authorize;
use crate::password::verify_password;
use crate::users::{self, begin_update, end_sessions, finish_update, LoginRecord, User};
use crate::{Actor, RequestCtx, Result, Store, StoreError, WriteTx};
use chrono::{DateTime, Utc};
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use shijian_domain::role::Permission;
use shijian_domain::totp;

/// The field the TOTP secrets are sealed for (both the confirmed and the pending column).
const SECRET_FIELD: &str = "app_user.totp_secret";

/// How many recovery codes an enrolment issues.
pub const RECOVERY_CODES: usize = 10;

fn recovery_hash(code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    hex::encode(Sha256::digest(norm.as_bytes()))
}

fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let c: String = (0..10)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{}-{}", &c[..5], &c[5..])
        })
        .collect()
}

/// Checks a sign-in code (TOTP, or an unused recovery code) inside the sign-in transaction
/// and records its use, so it cannot be used again.
pub(crate) async fn accept_code(
    tx: &mut WriteTx<'_>,
    record: &LoginRecord,
    sealed: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let id = record.user.id;
    // Secrets enrolled before sealing existed are plain base32; they still work.
    let secret_b32 = if sealed.starts_with("v1:") {
        tx.store().open_sealed(sealed, SECRET_FIELD)?
    } else {
        sealed.to_owned()
    };
    let secret = totp::decode_secret(&secret_b32)
        .ok_or_else(|| anyhow::anyhow!("stored TOTP secret of user {id} is not base32"))?;
    if let Some(step) = totp::verify(&secret, code, now.timestamp(), record.totp_last_step) {
        // Only if no parallel sign-in used this step (or a later one) first.
        let n = on_tx!(tx, c => sqlx::query("UPDATE app_user SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1")
            .bind(step).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        return Ok(n == 1);
    }
    let mut unused: Vec<String> = serde_json::from_str(&record.totp_recovery).unwrap_or_default();
    let h = recovery_hash(code);
    let Some(pos) = unused.iter().position(|u| *u == h) else {
        return Ok(false);
    };
    unused.remove(pos);
    let left = serde_json::to_string(&unused).map_err(anyhow::Error::from)?;
    // Only if no parallel sign-in spent a code from the same list first.
    let n = on_tx!(tx, c => sqlx::query("UPDATE app_user SET totp_recovery = $1 WHERE id = $2 AND totp_recovery = $3")
        .bind(&left).bind(id).bind(&record.totp_recovery).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A started enrolment: the secret to show (as text and QR code) until confirmed.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret: String,
    pub otpauth_uri: String,
}

/// Starts (or restarts) enrolment of the actor's second factor. Re-authentication: the
/// current password is required.
pub async fn begin_enrolment(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    current_password: String,
) -> Result<Enrolment> {
    let id = actor.user_id.ok_or(StoreError::NotFound)?;
    let record = users::find_for_login(store, &actor.username)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !verify_password(current_password, Some(record.password_hash)).await {
        return Err(StoreError::invalid("wrong_password", "当前密码不正确"));
    }
    let mut bytes = [0u8; totp::SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = totp::encode_secret(&bytes);
    let mut tx = begin_update(store, actor, ctx, id).await?;
    let sealed = store.seal(&secret, SECRET_FIELD)?;
    on_tx!(tx, c => sqlx::query("UPDATE app_user SET totp_pending_secret = $1 WHERE id = $2")
        .bind(&sealed).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    finish_update(tx, id, "totp.enrol_start").await?;
    let otpauth_uri = totp::otpauth_uri("荆门市场监管一张网", &actor.username, &secret);
    Ok(Enrolment {
        secret,
        otpauth_uri,
    })
}

/// Confirms enrolment with a first code from the new secret. Returns the recovery codes,
/// shown once. The caller's session (`token_hash`) becomes a full session.
pub async fn confirm_enrolment(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    code: &str,
    token_hash: &str,
) -> Result<Vec<String>> {
    let id = actor.user_id.ok_or(StoreError::NotFound)?;
    let pending: Option<String> = on_pool!(store, c => sqlx::query_scalar(
        "SELECT totp_pending_secret FROM app_user WHERE id = $1").bind(id).fetch_one(c).await)?;
    let pending =
        pending.ok_or_else(|| StoreError::invalid("totp_not_started", "请先开始绑定动态口令"))?;
    let secret = totp::decode_secret(&store.open_sealed(&pending, SECRET_FIELD)?)
        .ok_or_else(|| anyhow::anyhow!("pending TOTP secret is not base32"))?;
    let step = totp::verify(&secret, code, store.now().timestamp(), 0).ok_or_else(|| {
        StoreError::invalid(
            "bad_otp",
            "动态口令不正确或已过期，请输入验证器当前显示的 6 位数字",
        )
    })?;
    let codes = new_recovery_codes();
    let hashes = serde_json::to_string(&codes.iter().map(|c| recovery_hash(c)).collect::<Vec<_>>())
        .map_err(anyhow::Error::from)?;
    let mut tx = begin_update(store, actor, ctx, id).await?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE app_user SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, \
         totp_last_step = $1, totp_recovery = $2 WHERE id = $3")
        .bind(step).bind(&hashes).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query("UPDATE session SET stage = 'full' WHERE token_hash = $1 AND stage = 'enrol_totp'")
        .bind(token_hash).execute(c).await.map(|r| r.rows_affected()))?;
    finish_update(tx, id, "totp.enrol").await?;
    Ok(codes)
}

/// Removes an account's second factor (security administrator, in scope, audited). The
/// user enrols again at the next sign-in; their sessions end now.
pub async fn reset(store: &Store, actor: &Actor, ctx: &RequestCtx, id: i64) -> Result<User> {
    authorize(store, actor, ctx, Permission::AssignRoles, "totp.reset").await?;
    if actor.user_id == Some(id) {
        return Err(StoreError::invalid(
            "cannot_change_self",
            "不能重置自己的动态口令，请由另一位安全管理员操作",
        ));
    }
    let mut tx = begin_update(store, actor, ctx, id).await?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE app_user SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = 0, \
         totp_recovery = '[]' WHERE id = $1")
        .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    end_sessions(&mut tx, id).await?;
    finish_update(tx, id, "totp.reset").await
}

/// Enrols a known secret directly (the demo accounts; the local operator only).
pub async fn enrol_known_secret(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    id: i64,
    secret_b32: &str,
) -> Result<User> {
    if !actor.is_local_operator() {
        return Err(StoreError::Forbidden);
    }
    let sealed = store.seal(secret_b32, SECRET_FIELD)?;
    let mut tx = begin_update(store, actor, ctx, id).await?;
    on_tx!(tx, c => sqlx::query("UPDATE app_user SET totp_secret = $1, totp_last_step = 0 WHERE id = $2")
        .bind(&sealed).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    finish_update(tx, id, "totp.enrol").await
}
