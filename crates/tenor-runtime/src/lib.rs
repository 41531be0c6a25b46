//! Tenor's runtime: wires the pure [`tenor_pipeline::Pipeline`] to the world.
//!
//! - [`file`]: archived streams (JSONL, gzip or not, or standard input) in, JSONL records out;
//! - dead letters for every message that cannot be processed, with reason and origin.
//!
//! Errors here are either the input's fault (a message is dead-lettered, processing goes on) or the world's
//! (a file cannot be opened, a sink cannot be written: the command fails or retries).

pub mod file;
