//! Who is acting, and in which request. Every write records both; every scoped read
//! filters by the actor's jurisdiction.

use shijian_domain::division::CITY_CODE;
use shijian_domain::role::Role;

/// The authenticated principal of a request, or the operator of a CLI command or job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's id, `None` for the CLI operator and jobs.
    pub user_id: Option<i64>,
    pub username: String,
    pub role: Role,
    /// The jurisdiction code that scopes everything this actor reads.
    pub jurisdiction: String,
}

impl Actor {
    /// The local operator of a CLI command (a person with access to the server's files),
    /// or a scheduled job. Acts city-wide and is recorded as `cli:NAME`.
    #[must_use]
    pub fn system(name: &str) -> Self {
        Self {
            user_id: None,
            username: format!("cli:{name}"),
            role: Role::SystemAdmin,
            jurisdiction: CITY_CODE.to_owned(),
        }
    }

    /// Whether this is the local operator of a CLI command or a job: a person or process
    /// with the server's files and keys already. What it does is still audited.
    #[must_use]
    pub fn is_local_operator(&self) -> bool {
        self.user_id.is_none() && self.username.starts_with("cli:")
    }

    /// The public disclosure portal: reads city-wide, with the read-only rights of an
    /// integration client; what it may show is decided by the disclosure policy
    /// (`shijian_domain::disclosure`), not by this principal.
    #[must_use]
    pub fn public_portal() -> Self {
        Self {
            user_id: None,
            username: "public".to_owned(),
            role: Role::Integration,
            jurisdiction: CITY_CODE.to_owned(),
        }
    }

    /// An unauthenticated caller (a failed login), recorded under the name it gave.
    #[must_use]
    pub fn anonymous(claimed_username: &str) -> Self {
        Self {
            user_id: None,
            // Anyone can send any name: keep a bounded, printable prefix of it.
            username: format!(
                "anonymous:{}",
                claimed_username
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(32)
                    .collect::<String>()
            ),
            role: Role::Enterprise,
            jurisdiction: CITY_CODE.to_owned(),
        }
    }
}

/// The request a change belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestCtx {
    pub request_id: String,
    /// `(principal, key)` of the `Idempotency-Key` reservation this request holds.
    pub idempotency: Option<(String, String)>,
}

impl RequestCtx {
    /// A context for a CLI command or job, with a fresh request id.
    #[must_use]
    pub fn local(kind: &str) -> Self {
        Self {
            request_id: format!("{kind}-{}", uuid::Uuid::new_v4()),
            idempotency: None,
        }
    }
}

/// Checks that `actor` holds `permission`; a refusal is recorded in the audit trail (as
/// `denied`) and returned as [`StoreError::Forbidden`](crate::StoreError::Forbidden).
pub async fn authorize(
    store: &crate::Store,
    actor: &Actor,
    ctx: &RequestCtx,
    permission: shijian_domain::role::Permission,
    action: &'static str,
) -> crate::Result<()> {
    let allowed = actor.role.can(permission);
    require(
        store,
        actor,
        ctx,
        allowed,
        &format!("{permission:?}"),
        action,
    )
    .await
}

/// Lets the action through when `allowed` (or when the actor is the local CLI operator);
/// otherwise records the denial, naming `what` was missing, and refuses.
pub async fn require(
    store: &crate::Store,
    actor: &Actor,
    ctx: &RequestCtx,
    allowed: bool,
    what: &str,
    action: &'static str,
) -> crate::Result<()> {
    if allowed || actor.is_local_operator() {
        return Ok(());
    }
    store
        .audit_only(
            actor,
            ctx,
            crate::Change {
                action,
                object_type: "permission",
                object_id: what.to_owned(),
                jurisdiction_code: actor.jurisdiction.clone(),
                result: crate::AuditResult::Denied,
                after: None,
            },
        )
        .await?;
    Err(crate::StoreError::Forbidden)
}
