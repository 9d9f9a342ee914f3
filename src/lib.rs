//! `wxcc`: configuration as code for Webex Contact Center. Reads desired config from YAML,
//! live state from the WxCC REST API, and plans and applies the difference.
//!
//! Data flows `cli` → `config` (desired) + `api` (live) → `plan` (pure) → `apply`. The
//! `emulator` is a separate, local stand-in for the API that shares no code with the rest.

pub mod api;
pub mod apply;
pub mod atomic_file;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod data;
pub mod desktop;
pub mod emulator;
pub mod error;
pub mod export;
pub mod model;
pub(crate) mod parallel;
pub mod plan;
pub mod regular_file;
pub mod spec;
