//! The HTTP API suite: one binary, every test run on SQLite and on PostgreSQL.

mod access;
mod audit_events;
mod auth;
mod entities;
mod hardening;
mod lists;
mod name_checks;
mod permits;
mod platform;
mod reference;
mod second_factor;
mod support;
