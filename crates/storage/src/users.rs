//! User accounts: creation, the account lifecycle, role and jurisdiction assignment, and
//! passwords. Every operation checks the actor's permission (the matrix in
//! `shijian_domain::role`) and jurisdiction, and records its audit entry and event.

use crate::actor::{authorize, require};
use crate::jurisdictions::{self, scope_filter};
use crate::password::{hash_password, verify_password};
use crate::{Actor, AuditResult, Change, RequestCtx, Result, Store, StoreError, WriteTx};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shijian_domain::password::PasswordPolicy;
use shijian_domain::role::{Permission, Role};

/// A user account as others may see it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub jurisdiction_code: String,
    pub disabled: bool,
    pub locked_until: Option<DateTime<Utc>>,
    /// A second factor (TOTP) is enrolled.
    pub totp_enabled: bool,
    pub password_changed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    jurisdiction_code: String,
    disabled: bool,
    locked_until: Option<DateTime<Utc>>,
    password_changed_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    password_hash: String,
    totp_secret: Option<String>,
    totp_last_step: i64,
    totp_recovery: String,
}

const COLUMNS: &str = "id, username, display_name, role, jurisdiction_code, disabled, \
    locked_until, password_changed_at, created_at, updated_at, password_hash, totp_secret, \
    totp_last_step, totp_recovery";

impl UserRow {
    fn into_user(self) -> Result<User> {
        let role = self
            .role
            .parse()
            .map_err(|e| StoreError::Other(anyhow::anyhow!("{e}")))?;
        Ok(User {
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            role,
            jurisdiction_code: self.jurisdiction_code,
            disabled: self.disabled,
            locked_until: self.locked_until,
            totp_enabled: self.totp_secret.is_some(),
            password_changed_at: self.password_changed_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

impl User {
    /// The after-image recorded in the event log.
    fn image(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "jurisdiction_code": self.jurisdiction_code,
            "disabled": self.disabled,
        })
    }

    /// The actor this user acts as once authenticated.
    #[must_use]
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.id),
            username: self.username.clone(),
            role: self.role,
            jurisdiction: self.jurisdiction_code.clone(),
        }
    }
}

/// What a new account needs.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// A jurisdiction code or Chinese name.
    pub jurisdiction: String,
    pub password: String,
}

fn check_username(username: &str) -> Result<()> {
    let ok = (3..=32).contains(&username.len())
        && username
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "bad_username",
            "用户名须为 3–32 位小写字母、数字或 . _ -，并以字母或数字开头",
        ))
    }
}

fn check_display_name(name: &str) -> Result<()> {
    let n = name.trim().chars().count();
    if (1..=50).contains(&n) && !name.chars().any(char::is_control) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "bad_display_name",
            "姓名须为 1–50 个字符",
        ))
    }
}

fn check_password(policy: &PasswordPolicy, username: &str, password: &str) -> Result<()> {
    policy
        .check(username, password)
        .map_err(|e| StoreError::invalid(e.code(), e.to_string()))
}

/// Resolves `jurisdiction` and checks the actor may place a user there.
async fn scoped_jurisdiction(store: &Store, actor: &Actor, jurisdiction: &str) -> Result<String> {
    let j = jurisdictions::resolve(store, jurisdiction).await?;
    if !jurisdictions::covers(store, &actor.jurisdiction, &j.code).await? {
        return Err(StoreError::invalid(
            "jurisdiction_out_of_scope",
            format!("{} 不在您的辖区内", j.name),
        ));
    }
    Ok(j.code)
}

/// Creates an account.
pub async fn create(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    new: NewUser,
    policy: &PasswordPolicy,
) -> Result<User> {
    let allowed = actor.role.may_create(new.role);
    require(
        store,
        actor,
        ctx,
        allowed,
        &format!("create:{}", new.role),
        "user.create",
    )
    .await?;
    check_username(&new.username)?;
    check_display_name(&new.display_name)?;
    check_password(policy, &new.username, &new.password)?;
    let jurisdiction = scoped_jurisdiction(store, actor, &new.jurisdiction).await?;
    let hash = hash_password(new.password).await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let now = tx.now();
    let inserted = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO app_user (username, display_name, role, jurisdiction_code, password_hash, \
         password_changed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $6) RETURNING id")
        .bind(&new.username)
        .bind(new.display_name.trim())
        .bind(new.role.as_str())
        .bind(&jurisdiction)
        .bind(&hash)
        .bind(now)
        .fetch_one(c).await);
    let id = match inserted {
        Ok(id) => id,
        Err(e) if crate::error::is_unique_violation(&e) => {
            return Err(StoreError::conflict(
                "username_taken",
                format!("用户名 {} 已存在", new.username),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let user = fetch_in_tx(&mut tx, id).await?;
    tx.record(Change {
        action: "user.create",
        object_type: "user",
        object_id: id.to_string(),
        jurisdiction_code: user.jurisdiction_code.clone(),
        result: AuditResult::Ok,
        after: Some(user.image()),
    })
    .await?;
    tx.commit().await?;
    Ok(user)
}

async fn fetch_in_tx(tx: &mut WriteTx<'_>, id: i64) -> Result<User> {
    let sql = format!("SELECT {COLUMNS} FROM app_user WHERE id = $1");
    on_tx!(tx, c => sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_one(c).await)?.into_user()
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Only ids greater than this (the cursor).
    pub after_id: Option<i64>,
    pub limit: i64,
    /// Part of the username or display name.
    pub query: Option<String>,
}

/// Lists the accounts inside the actor's jurisdiction.
pub async fn list(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    f: &UserFilter,
) -> Result<Vec<User>> {
    authorize(store, actor, ctx, Permission::ReadUsers, "user.list").await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM app_user WHERE {} AND id > $2 \
         AND ($3 = '' OR username LIKE '%' || $3 || '%' OR display_name LIKE '%' || $3 || '%') \
         ORDER BY id LIMIT $4",
        scope_filter("jurisdiction_code", 1)
    );
    let q = f.query.clone().unwrap_or_default();
    let rows = on_pool!(store, c => sqlx::query_as::<_, UserRow>(&sql)
        .bind(&actor.jurisdiction)
        .bind(f.after_id.unwrap_or(0))
        .bind(&q)
        .bind(f.limit.clamp(1, 500))
        .fetch_all(c).await)?;
    rows.into_iter().map(UserRow::into_user).collect()
}

/// One account inside the actor's jurisdiction; outside it answers [`StoreError::NotFound`].
pub async fn get(store: &Store, actor: &Actor, ctx: &RequestCtx, id: i64) -> Result<User> {
    authorize(store, actor, ctx, Permission::ReadUsers, "user.read").await?;
    get_scoped(store, actor, id).await
}

pub(crate) async fn get_scoped(store: &Store, actor: &Actor, id: i64) -> Result<User> {
    let sql = format!(
        "SELECT {COLUMNS} FROM app_user WHERE id = $2 AND {}",
        scope_filter("jurisdiction_code", 1)
    );
    on_pool!(store, c => sqlx::query_as::<_, UserRow>(&sql)
        .bind(&actor.jurisdiction)
        .bind(id)
        .fetch_optional(c).await)?
    .ok_or(StoreError::NotFound)?
    .into_user()
}

/// The account of an authenticated actor (no permission needed to see oneself).
pub async fn me(store: &Store, actor: &Actor) -> Result<User> {
    get_scoped(store, actor, actor.user_id.ok_or(StoreError::NotFound)?).await
}

/// Opens the write transaction for a change to an account in the actor's scope. An account
/// outside the jurisdiction does not exist for this actor.
pub(crate) async fn begin_update<'s>(
    store: &'s Store,
    actor: &Actor,
    ctx: &RequestCtx,
    id: i64,
) -> Result<WriteTx<'s>> {
    get_scoped(store, actor, id).await?;
    store.begin_write(actor, ctx).await
}

/// Stamps, records and commits a change to an account.
pub(crate) async fn finish_update(
    mut tx: WriteTx<'_>,
    id: i64,
    action: &'static str,
) -> Result<User> {
    let now = tx.now();
    on_tx!(tx, c => sqlx::query("UPDATE app_user SET updated_at = $1 WHERE id = $2")
        .bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    let user = fetch_in_tx(&mut tx, id).await?;
    tx.record(Change {
        action,
        object_type: "user",
        object_id: id.to_string(),
        jurisdiction_code: user.jurisdiction_code.clone(),
        result: AuditResult::Ok,
        after: Some(user.image()),
    })
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Ends every session of a user (on disable, password reset, role change).
pub(crate) async fn end_sessions(tx: &mut WriteTx<'_>, id: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM session WHERE user_id = $1").bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Checks the actor may manage the lifecycle (disable, enable, reset password) of account
/// `id`: the system administrator for ordinary accounts; for the three administrator roles
/// the security administrator, who grants those roles (so no administrator can take over
/// another's account). Outside the actor's jurisdiction the account does not exist.
async fn authorize_lifecycle(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    id: i64,
    action: &'static str,
) -> Result<()> {
    let target = get_scoped(store, actor, id).await?;
    let permission = if target.role.is_administrator() {
        Permission::AssignRoles
    } else {
        Permission::ManageAccountLifecycle
    };
    authorize(store, actor, ctx, permission, action).await
}

/// Disables or re-enables an account. Disabling ends its sessions at once.
pub async fn set_disabled(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    id: i64,
    disabled: bool,
) -> Result<User> {
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    if actor.user_id == Some(id) {
        return Err(StoreError::invalid(
            "cannot_change_self",
            "不能停用自己的账户",
        ));
    }
    authorize_lifecycle(store, actor, ctx, id, action).await?;
    let mut tx = begin_update(store, actor, ctx, id).await?;
    on_tx!(tx, c => sqlx::query("UPDATE app_user SET disabled = $1, failed_logins = 0, locked_until = NULL WHERE id = $2")
        .bind(disabled).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    if disabled {
        end_sessions(&mut tx, id).await?;
    }
    finish_update(tx, id, action).await
}

/// Sets a new password for another account (by an administrator). Ends its sessions.
pub async fn reset_password(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    id: i64,
    password: String,
    policy: &PasswordPolicy,
) -> Result<User> {
    if actor.user_id == Some(id) {
        return Err(StoreError::invalid(
            "cannot_change_self",
            "不能用管理功能重置自己的密码，请在“账户安全”中修改（需输入当前密码）",
        ));
    }
    authorize_lifecycle(store, actor, ctx, id, "user.reset_password").await?;
    let target = get_scoped(store, actor, id).await?;
    check_password(policy, &target.username, &password)?;
    let hash = hash_password(password).await?;
    let mut tx = begin_update(store, actor, ctx, id).await?;
    let now = tx.now();
    on_tx!(tx, c => sqlx::query("UPDATE app_user SET password_hash = $1, password_changed_at = $2, \
        failed_logins = 0, locked_until = NULL WHERE id = $3")
        .bind(&hash).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    end_sessions(&mut tx, id).await?;
    finish_update(tx, id, "user.reset_password").await
}

/// Changes another account's role and/or jurisdiction (security administrator). Ends its
/// sessions so the new rights apply at the next sign-in.
pub async fn assign(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    id: i64,
    role: Option<Role>,
    jurisdiction: Option<String>,
) -> Result<User> {
    authorize(store, actor, ctx, Permission::AssignRoles, "user.assign").await?;
    if actor.user_id == Some(id) {
        return Err(StoreError::invalid(
            "cannot_change_self",
            "不能修改自己的角色或辖区",
        ));
    }
    let jurisdiction = match jurisdiction {
        Some(j) => Some(scoped_jurisdiction(store, actor, &j).await?),
        None => None,
    };
    let mut tx = begin_update(store, actor, ctx, id).await?;
    if let Some(role) = role {
        on_tx!(tx, c => sqlx::query("UPDATE app_user SET role = $1 WHERE id = $2")
            .bind(role.as_str()).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    }
    if let Some(j) = &jurisdiction {
        on_tx!(tx, c => sqlx::query("UPDATE app_user SET jurisdiction_code = $1 WHERE id = $2")
            .bind(j).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    }
    end_sessions(&mut tx, id).await?;
    finish_update(tx, id, "user.assign").await
}

/// Changes the actor's own password after checking the current one. Other sessions of the
/// user end; the caller's session (`keep_token_hash`) stays.
pub async fn change_own_password(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    current: String,
    new_password: String,
    policy: &PasswordPolicy,
    keep_token_hash: Option<String>,
) -> Result<()> {
    let id = actor.user_id.ok_or(StoreError::NotFound)?;
    let row = find_row(store, &actor.username)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !verify_password(current, Some(row.password_hash)).await {
        return Err(StoreError::invalid("wrong_password", "当前密码不正确"));
    }
    check_password(policy, &actor.username, &new_password)?;
    let hash = hash_password(new_password).await?;
    let keep = keep_token_hash.unwrap_or_default();
    let mut tx = begin_update(store, actor, ctx, id).await?;
    let now = tx.now();
    on_tx!(tx, c => sqlx::query("UPDATE app_user SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(&hash).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query("DELETE FROM session WHERE user_id = $1 AND token_hash <> $2")
        .bind(id).bind(&keep).execute(c).await.map(|r| r.rows_affected()))?;
    // An expired password was the only thing this session was waiting for.
    on_tx!(tx, c => sqlx::query("UPDATE session SET stage = 'full' WHERE token_hash = $1 AND stage = 'change_password'")
        .bind(&keep).execute(c).await.map(|r| r.rows_affected()))?;
    finish_update(tx, id, "user.change_password")
        .await
        .map(|_| ())
}

/// The login view of an account: the user, its hash and its second factor.
pub(crate) struct LoginRecord {
    pub user: User,
    pub password_hash: String,
    /// Sealed TOTP secret, if enrolled.
    pub totp_secret: Option<String>,
    pub totp_last_step: i64,
    /// JSON array of SHA-256 hashes of unused recovery codes.
    pub totp_recovery: String,
}

async fn find_row(store: &Store, username: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM app_user WHERE username = $1");
    Ok(
        on_pool!(store, c => sqlx::query_as::<_, UserRow>(&sql).bind(username).fetch_optional(c).await)?,
    )
}

/// An account by id, unscoped: for resolving the user behind an authenticated session.
pub(crate) async fn find_by_id(store: &Store, id: i64) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM app_user WHERE id = $1");
    on_pool!(store, c => sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(c).await)?
        .map(UserRow::into_user)
        .transpose()
}

/// Looks up an account for sign-in (not scoped: the caller is not authenticated yet).
pub(crate) async fn find_for_login(store: &Store, username: &str) -> Result<Option<LoginRecord>> {
    match find_row(store, username).await? {
        None => Ok(None),
        Some(row) => {
            let password_hash = row.password_hash.clone();
            let (totp_secret, totp_last_step) = (row.totp_secret.clone(), row.totp_last_step);
            let totp_recovery = row.totp_recovery.clone();
            Ok(Some(LoginRecord {
                user: row.into_user()?,
                password_hash,
                totp_secret,
                totp_last_step,
                totp_recovery,
            }))
        }
    }
}

/// Whether any account exists (first start creates the administrator).
pub async fn any_exist(store: &Store) -> Result<bool> {
    let n: i64 = on_pool!(store, c => sqlx::query_scalar("SELECT COUNT(*) FROM app_user").fetch_one(c).await)?;
    Ok(n > 0)
}

/// Opens the `enterprise` account of a market entity, so it can file its annual reports
/// and apply for removal from the abnormal list itself. An officer of the entity's
/// jurisdiction does it, with an initial password handed over on paper; the account must
/// change it at first sign-in (its password counts as expired). One account per entity;
/// its username is the credit code in lower case.
pub async fn open_enterprise_account(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    initial_password: String,
    policy: &PasswordPolicy,
) -> Result<User> {
    authorize(
        store,
        actor,
        ctx,
        Permission::RegisterEntities,
        "user.open_enterprise_account",
    )
    .await?;
    let username = uscc.to_ascii_lowercase();
    check_password(policy, &username, &initial_password)?;
    let hash = hash_password(initial_password).await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let row = crate::entities::load_scoped(&mut tx, actor, uscc).await?;
    let existing: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM app_user WHERE entity_uscc = $1 OR username = $2")
        .bind(uscc).bind(&username).fetch_one(c).await)?;
    if existing > 0 {
        return Err(StoreError::conflict(
            "account_exists",
            "该市场主体已开通企业账户（如需重置密码，请由安全管理员办理）",
        ));
    }
    let authority = crate::documents::authority_for(&mut tx, &row.division_code).await?;
    let now = tx.now();
    // Expired from the start: the first sign-in leads to the password change.
    let expired = DateTime::<Utc>::from_timestamp(0, 0).unwrap_or(now);
    let id = on_tx!(tx, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO app_user (username, display_name, role, jurisdiction_code, password_hash, \
         password_changed_at, created_at, updated_at, entity_uscc) \
         VALUES ($1, $2, 'enterprise', $3, $4, $5, $6, $6, $7) RETURNING id")
        .bind(&username).bind(row.name.chars().take(50).collect::<String>())
        .bind(&authority.code).bind(&hash).bind(expired).bind(now).bind(uscc)
        .fetch_one(c).await)?;
    let user = fetch_in_tx(&mut tx, id).await?;
    let mut image = user.image();
    image["entity_uscc"] = serde_json::Value::String(uscc.to_owned());
    tx.record(Change {
        action: "user.open_enterprise_account",
        object_type: "user",
        object_id: id.to_string(),
        jurisdiction_code: user.jurisdiction_code.clone(),
        result: AuditResult::Ok,
        after: Some(image),
    })
    .await?;
    tx.commit().await?;
    Ok(user)
}
