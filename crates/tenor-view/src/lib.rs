//! The live page's model (`tenor ui`): Tenor's output records in, one at a time, and a filtered snapshot out.
//!
//! [`View`] keeps what an editor watching a story needs, and no more: the newest articles with their claim
//! sentences (`tenor.sentence/1`, `tenor.article/1`), a log of attributed claims for the speakers' stance mix
//! over time, the latest state of each claim cluster (`tenor.claim/1`) and the newest tensions
//! (`tenor.tension/1`). Every list has a cap ([`Caps`]); every text is clipped on ingest ([`text::clip`]),
//! so a flood of records or a hostile one cannot grow the process. [`View::snapshot`] answers a [`Query`]
//! (source, speaker, time range) with a [`Snapshot`], which the server sends to the page as JSON.
//!
//! Records are read as JSON values, field by field, rather than as `tenor-core`'s types: the page shows
//! what it finds and skips what it does not understand, so a record from a newer Tenor (or a damaged one)
//! never stops it. This crate is pure: no I/O, no clock (event time comes with each record).

mod model;
mod query;
mod snapshot;
pub mod text;

pub use model::{Caps, IngestOutcome, View};
pub use query::{parse_time, Query, QueryError};
pub use snapshot::{
    ArticleOut, Buckets, ClaimOut, ClusterOut, Mix, SideOut, Snapshot, SpeakerOut, TensionOut, Totals,
};

#[cfg(test)]
mod tests;
