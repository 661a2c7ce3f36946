//! Domain rules of shijian (市监): the codes, roles, permissions, calendar, time limits,
//! money and masking that every module relies on.
//!
//! Architecture invariant: this crate does no I/O. It knows nothing about SQL, HTTP or
//! HTML; it is plain data and pure functions, tested on its own. Reading the clock goes
//! through the [`clock::Clock`] trait so callers (and tests) decide what "now" is.

pub mod audit;
pub mod calendar;
pub mod clock;
pub mod disclosure;
pub mod division;
pub mod entity;
pub mod id_number;
pub mod masking;
pub mod money;
pub mod name_check;
pub mod password;
pub mod permit;
pub mod role;
pub mod startup;
pub mod time_limit;
pub mod totp;
pub mod uscc;
