//! The `shijian` program: command-line parsing, configuration, start-up (first
//! administrator, demo accounts), the server loop with its jobs, and the admin commands.
//!
//! Architecture invariant: this crate wires the others together and holds no business
//! rules of its own; a command is a few calls into storage or web.

pub mod cli;
pub mod config;
pub mod demo;
pub mod import;
pub mod keys;
pub mod serve;
pub mod validate;
