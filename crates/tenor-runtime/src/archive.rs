//! The archive format (`tenor.archive/1`), re-exported from [`tenor_core::archive`] where it is defined with
//! the rest of the wire contract: one Kafka message per JSON line, bytes kept exactly, `schema` first so that
//! [`is_archive_line`] recognises a line by its prefix. `tenor archive` writes these lines
//! ([`crate::kafka::replay`]); `tenor replay` and `tenor run` read them ([`crate::file`]). See docs/REPLAY.md.

pub use tenor_core::archive::{
    is_archive_line, ArchivedHeader, ArchivedMessage, HeaderBytes, RawMessage, TimestampType, ARCHIVE_SCHEMA,
};
