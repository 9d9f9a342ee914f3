//! Integration tests: the real `wxcc` binary against the emulator. One test binary; each
//! file is one area.

mod conformance;
mod harness;

mod agent;
mod auth;
mod bad_input;
mod bulk;
mod bulk_export;
mod ci_workflow;
mod cli;
mod csv;
mod data;
mod differential;
mod differential_mutations;
mod emulator_behaviour;
mod emulator_kinds;
mod environments;
mod export;
mod faults;
mod hostile_config;
mod hostile_server;
mod kinds;
mod plan_apply;
mod readme_tour;
mod regressions;
mod rules;
mod saved_plans;
mod scale;
mod schema;
mod scope_blast;
mod undo;
