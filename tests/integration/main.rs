//! Tenor's one end-to-end test binary: it drives the real `tenor` executable as a user would.
//!
//! Each module is a chapter of the user's story; read them as documentation of what Tenor promises.

mod broker;
mod support;

mod attribution;
mod deploy;
mod eval_attribution;
mod eval_split;
mod kafka_aggregate;
mod kafka_restart;
mod kafka_serve;
mod kafka_split;
mod models;
mod run;
mod schemas;
mod secrets;
