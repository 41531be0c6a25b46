//! What the page asks for: a source, a speaker and a time range, all optional.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Filters of a snapshot. Empty strings mean "no filter".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// An outlet (`article_source`), exactly as records give it.
    pub source: Option<String>,
    /// A speaker (resolved name, else the speaker's text), exactly as the page lists it.
    pub speaker: Option<String>,
    /// Event time at or after this instant (ms since the epoch).
    pub from_ms: Option<i64>,
    /// Event time at or before this instant (ms since the epoch).
    pub to_ms: Option<i64>,
}

/// A query parameter the view cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(pub String);

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

impl Query {
    /// From decoded `key=value` pairs (`source`, `speaker`, `from`, `to`; others are ignored).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Query, QueryError> {
        let mut query = Query::default();
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key {
                "source" => query.source = Some(value.to_owned()),
                "speaker" => query.speaker = Some(value.to_owned()),
                "from" => query.from_ms = Some(parse_time(value)?),
                "to" => query.to_ms = Some(parse_time(value)?),
                _ => {}
            }
        }
        Ok(query)
    }

    pub(crate) fn in_range(&self, time_ms: i64) -> bool {
        self.from_ms.is_none_or(|from| time_ms >= from) && self.to_ms.is_none_or(|to| time_ms <= to)
    }

    pub(crate) fn source_is(&self, outlet: Option<&str>) -> bool {
        self.source.as_deref().is_none_or(|want| outlet == Some(want))
    }

    pub(crate) fn speaker_is(&self, speaker: Option<&str>) -> bool {
        self.speaker.as_deref().is_none_or(|want| speaker == Some(want))
    }
}

/// An instant as milliseconds since the epoch: RFC 3339 (`2026-12-01T10:00:00Z`), a date and time without a
/// zone (`2026-12-01T10:00`, read as UTC), a date (`2026-12-01`, its midnight UTC) or milliseconds.
pub fn parse_time(value: &str) -> Result<i64, QueryError> {
    if let Ok(ms) = value.parse::<i64>() {
        return Ok(ms);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(value) {
        return Ok(time.timestamp_millis());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(time) = NaiveDateTime::parse_from_str(value, format) {
            return Ok(time.and_utc().timestamp_millis());
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp_millis());
    }
    Err(QueryError(format!(
        "not a time: {:?} (RFC 3339, e.g. 2026-12-01T10:00:00Z)",
        crate::text::clip(value, 40)
    )))
}
