//! Market entities (市场主体): their kinds and detailed types, registration status, the
//! lifecycle state machine and the legal conditions of its transitions, and the value
//! parsers the importer uses for the columns of existing systems' Excel exports.
//!
//! Sources (rules-cn.md §3): 市场主体登记管理条例 (国务院令第746号, in force 2022-03-01,
//! "条例"), 市场主体登记管理条例实施细则 (总局令第52号, "细则"), 公司法 (2023 revision, in
//! force 2024-07-01) and 国务院关于实施《公司法》注册资本登记管理制度的规定 (国务院令第784号,
//! 2024-07-01, "注册资本规定").
//!
//! This module owns:
//! - [`EntityKind`] (企业 / 个体工商户 / 农民专业合作社), the detailed [`EnterpriseType`],
//!   the title of the entity's head ([`HeadRole`]) and [`classify`] for the importer's 类型
//!   column;
//! - [`EntityStatus`] with its label table [`STATUS_TABLE`] (data: the national code list
//!   is UNCONFIRMED);
//! - the lifecycle: [`Action`], [`transition`] and [`LifecycleError`];
//! - dormancy (歇业): [`DormancyRule`], [`DormancyPeriod`], [`DormancyPlan`];
//! - simplified deregistration (简易注销): [`SimplifiedDeregistrationRule`], [`Bars`],
//!   [`Objection`], [`check_start`], [`check_application`], [`SimplifiedDeregistration`];
//! - the capital contribution deadline (公司法 Art.47): [`CapitalRule`], [`CapitalFlag`],
//!   [`contribution_deadline_check`];
//! - annual reports and the abnormal / serious lists: [`listing`];
//! - value parsers: [`parse_date`], [`looks_like_excel_mangled_number`],
//!   [`check_not_excel_mangled`] and [`ValueError`].
//!
//! Registered capital in 万元 is parsed by [`crate::money::Fen::parse_wan_yuan`]; it is
//! not duplicated here.
//!
//! # Day counting
//!
//! Every period that runs *from an event* (a notice published on a date, a company
//! established on a date) follows 民法典 Art.201–202 like [`crate::calendar`]: the day of
//! the event is not counted, so a 20-day notice published on 2025-03-01 runs to the end
//! of 2025-03-21, and "5 years from establishment on 2024-07-01" ends on 2029-07-01.
//! Periods stated as explicit date ranges (a dormancy period "2022-03-01 至 2025-02-28")
//! include both ends. Days here are plain calendar days: a period ending on a rest day is
//! *not* moved to the next working day (民法典 Art.203), because that needs the working
//! calendar; see each function for what that means.
//!
//! Every error has a stable snake_case `code()` and a Chinese message (its `Display`)
//! that tells an officer what to do next; errors serialise as `{code, message}`.

#![deny(missing_docs)]

mod capital;
mod dormancy;
mod kind;
mod lifecycle;
pub mod listing;
mod simplified;
mod status;
mod text;
mod value;

pub use capital::{contribution_deadline_check, CapitalFlag, CapitalRule};
pub use dormancy::{
    plan_dormancy, plan_dormancy_extension, DormancyPeriod, DormancyPlan, DormancyRule,
};
pub use kind::{classify, EnterpriseType, EntityKind, HeadRole};
pub use lifecycle::{transition, Action, LifecycleError};
pub use simplified::{
    check_application, check_start, Bar, Bars, Objection, ObjectorKind, SimplifiedDeregistration,
    SimplifiedDeregistrationRule,
};
pub use status::{EntityStatus, StatusRow, STATUS_TABLE};
pub use value::{check_not_excel_mangled, looks_like_excel_mangled_number, parse_date, ValueError};
