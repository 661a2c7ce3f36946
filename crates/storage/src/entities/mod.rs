//! Market entities (市场主体): the registered and filed items of every enterprise,
//! individual business and farmers' cooperative, each version of them with the day it took
//! effect, and the lifecycle records (dormancy, simplified deregistration, bars, succession).
//!
//! This module owns the `entity*`, `simplified_deregistration`, `deregistration_objection`
//! tables. Invariants:
//! - every change goes through [`write`] in one write transaction: the row, a new
//!   `entity_version` (the masked after-image, effective on a stated day), the audit record
//!   and the event (`object_type = "entity"`, read by the search projection) commit together;
//! - the legal representative's ID number and the phone number are sealed at rest and found
//!   by exact value through their blind index; nothing that leaves this module carries them
//!   unmasked (`shijian_domain::masking`);
//! - every read is scoped to the actor's jurisdiction by the entity's division code; an
//!   entity outside it does not exist for that actor (404).
//!
//! The legal conditions themselves (which action is allowed from which status, the time
//! limits of dormancy and deregistration) are `shijian_domain::entity`'s; this module
//! applies them to stored facts.

mod import;
mod lifecycle;
mod read;
mod validate;
mod write;

pub(crate) use write::{load, load_many, load_scoped, Row};

pub use import::{
    import, import_table, insert_with_history, map_headers, HistoricEntity, ImportOutcome,
    ImportRow, ImportSummary, Reject, RowOutcome, BATCH, COLUMNS,
};
pub use lifecycle::{
    add_objection, bars_of, begin_dormancy, cancel_registration, deregister, end_dormancy,
    extend_dormancy, lift_bar, link_succession, move_in, move_out, record_bar,
    resume_expired_dormancies, revoke, simplified_deregistration, simplified_deregistration_apply,
    simplified_deregistration_start, simplified_deregistrations_of, BarRecord, Objection,
    SimplifiedDeregistration,
};
pub use read::{
    as_of, export, export_cells, export_headers, find_by_legal_rep_id, get, history,
    load_search_docs, search_doc, Version,
};
pub use validate::{check_uscc, known, FieldError, Known, RawItems};
pub use write::{amend, establish};

use serde::{Deserialize, Serialize};

/// The AAD field names sealed values are bound to (see `shijian_crypto`).
pub const ID_FIELD: &str = "entity.legal_rep_id";
pub const PHONE_FIELD: &str = "entity.phone";

/// One additional business premises (一照多址).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Premises {
    pub address: String,
    pub division_code: String,
}

/// The registered and filed items of an entity as an officer or an import gives them:
/// validated by the caller with the domain rules (codes, dates, amounts); storage checks the
/// division against the jurisdiction and the lifecycle conditions.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EntityItems {
    pub name: String,
    /// `enterprise`, `individual_business` or `cooperative`.
    pub entity_type: String,
    /// The detailed enterprise type's code (`shijian_domain::entity::EnterpriseType`).
    pub enterprise_type: Option<String>,
    pub legal_rep: String,
    /// Normalised 18-character ID number (sealed at rest).
    pub legal_rep_id: Option<String>,
    /// Digits only (sealed at rest).
    pub phone: Option<String>,
    pub division_code: String,
    pub domicile: String,
    pub additional_premises: Vec<Premises>,
    pub registered_capital_fen: Option<i64>,
    pub capital_currency: String,
    pub subscribed_capital_fen: Option<i64>,
    pub paid_in_capital_fen: Option<i64>,
    pub contribution_deadline: Option<chrono::NaiveDate>,
    pub business_scope: String,
    pub industry_code: String,
    pub established_on: Option<chrono::NaiveDate>,
    pub registration_authority: String,
    pub parent_uscc: Option<String>,
}

/// An entity as it leaves storage: personal data masked. The same shape is kept as each
/// version's snapshot, so `as_of` answers with it too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entity {
    pub uscc: String,
    pub name: String,
    /// `enterprise`, `individual_business` or `cooperative`.
    pub entity_type: String,
    /// The detailed enterprise type's code, if known.
    pub enterprise_type: Option<String>,
    pub legal_rep: String,
    pub legal_rep_id_masked: Option<String>,
    pub phone_masked: Option<String>,
    pub division_code: String,
    pub domicile: String,
    pub additional_premises: Vec<Premises>,
    pub registered_capital_fen: Option<i64>,
    pub capital_currency: String,
    pub subscribed_capital_fen: Option<i64>,
    pub paid_in_capital_fen: Option<i64>,
    pub contribution_deadline: Option<String>,
    pub business_scope: String,
    pub industry_code: String,
    pub established_on: Option<String>,
    pub registration_authority: String,
    pub parent_uscc: Option<String>,
    /// `active`, `dormant`, `revoked`, `deregistered`, `cancelled` or `moved_out`.
    pub status: String,
    pub dormant_until: Option<String>,
    /// `""`, `abnormal` or `dishonesty`.
    pub listing: String,
    /// When the registration application was received and the licence issued (企业开办).
    pub received_at: Option<chrono::DateTime<chrono::Utc>>,
    pub issued_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Increases with every change; amendments name the version they change.
    pub version: i64,
}

impl Entity {
    /// The 2023 Company Law contribution-deadline check for this entity on `today`, for
    /// companies with a known type and establishment date (`None` otherwise).
    #[must_use]
    pub fn capital_flag(
        &self,
        today: chrono::NaiveDate,
    ) -> Option<shijian_domain::entity::CapitalFlag> {
        use shijian_domain::entity::{contribution_deadline_check, EnterpriseType};
        let t = self
            .enterprise_type
            .as_deref()
            .and_then(EnterpriseType::from_code)
            .filter(|t| t.is_company())?;
        let established = self.established_on.as_deref()?.parse().ok()?;
        let deadline = self
            .contribution_deadline
            .as_deref()
            .and_then(|d| d.parse().ok());
        Some(contribution_deadline_check(t, established, deadline, today))
    }
}
