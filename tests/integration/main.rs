//! Integration tests: the real `wxcc` binary against the emulator. One test binary; each
//! file is one area.

mod conformance;
mod harness;

mod agent;
mod auth;
mod bad_input;
mod emulator_behaviour;
mod emulator_kinds;
mod hostile_config;
mod kinds;
mod plan_apply;
mod regressions;
mod schema;
