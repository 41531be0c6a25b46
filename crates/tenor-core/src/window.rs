//! `tenor.speaker_window/1`: what the aggregator publishes on `tenor.speakers`, claim counts for one speaker
//! or one publisher over one tumbling event-time window.
//!
//! Guarantees: keyed on the topic by `{dimension}:{name}`; `window_end - window_start` is the configured
//! width; `claims = positive + neutral + negative` (`tensions` counts something else: the tensions the speaker
//! or source was a side of); `kind` is `final` (the window closed) or `late` (an
//! increment of records that arrived after it closed), and a window's totals are its `final` record plus its
//! `late` records. How windows are formed and closed is the aggregator's job
//! (`tenor_runtime::kafka::aggregate`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Schema identifier of [`WindowRecord`].
pub const SPEAKER_WINDOW_SCHEMA: &str = "tenor.speaker_window/1";

/// Which dimension a window record counts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Speaker,
    Source,
}

impl Dimension {
    /// The name used in the JSON field and in the message key (`speaker`, `source`).
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Speaker => "speaker",
            Dimension::Source => "source",
        }
    }
}

/// One aggregate, keyed on the topic by `{dimension}:{name}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowRecord {
    pub schema: String,
    pub dimension: Dimension,
    pub name: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    /// `final` when the window closed, `late` for an increment of records that arrived after it closed.
    pub kind: String,
    pub claims: u64,
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    /// Mean stance confidence over the claims counted here.
    pub mean_confidence: f64,
    /// Tensions (`tenor.tension/1`) this speaker or source was a side of, counted in the window of the later
    /// side's time. (Absent in records of versions before tensions: read as 0.)
    #[serde(default)]
    pub tensions: u64,
    pub emitted_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_shape_is_fixed() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let record = WindowRecord {
            schema: SPEAKER_WINDOW_SCHEMA.to_owned(),
            dimension: Dimension::Source,
            name: "Wire".into(),
            window_start: at("2024-01-01T00:00:00Z"),
            window_end: at("2024-01-01T00:01:00Z"),
            kind: "final".into(),
            claims: 2,
            positive: 1,
            neutral: 0,
            negative: 1,
            mean_confidence: 0.75,
            tensions: 1,
            emitted_at: at("2024-01-01T00:02:00Z"),
        };
        let json = serde_json::to_string(&record).unwrap();
        assert_eq!(
            json,
            r#"{"schema":"tenor.speaker_window/1","dimension":"source","name":"Wire","window_start":"2024-01-01T00:00:00Z","window_end":"2024-01-01T00:01:00Z","kind":"final","claims":2,"positive":1,"neutral":0,"negative":1,"mean_confidence":0.75,"tensions":1,"emitted_at":"2024-01-01T00:02:00Z"}"#
        );
        assert_eq!(serde_json::from_str::<WindowRecord>(&json).unwrap(), record);
        assert_eq!(serde_json::to_value(Dimension::Speaker).unwrap(), Dimension::Speaker.as_str());
    }
}
