//! Tenor's one end-to-end test binary: it drives the real `tenor` executable as a user would.
//!
//! Each module is a chapter of the user's story; read them as documentation of what Tenor promises.

mod broker;
#[path = "../fixtures/claim_stream.rs"]
mod claim_stream;
mod support;

mod attribution;
mod claims_run;
mod deploy;
mod diff;
mod digest;
mod eval_attribution;
mod eval_replay;
mod eval_split;
mod kafka_aggregate;
mod kafka_claims;
mod kafka_crash;
mod kafka_faults;
mod kafka_group;
mod kafka_reload;
mod kafka_restart;
mod kafka_serve;
mod kafka_split;
mod models;
mod replay;
mod run;
mod schemas;
mod secrets;
mod tension;
mod ui;
