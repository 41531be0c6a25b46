use thiserror::Error;

/// Whose fault an error is, which decides what a service does with the message that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The message itself is bad: retrying cannot help. Dead-letter it with its reason and move on, so the
    /// partition is never blocked.
    Input,
    /// Something outside the message failed (broker, disk, network): retry with backoff, never dead-letter.
    World,
}

/// Why a message cannot be processed. Every variant is the input's fault ([`Fault::Input`]).
///
/// [`InputError::reason`] is a stable, machine-readable code used as the dead-letter `reason` and as a metric
/// label; the `Display` text is the human-readable `error`.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputError {
    #[error("message is not valid UTF-8 (first invalid byte at offset {valid_up_to})")]
    InvalidUtf8 { valid_up_to: usize },

    #[error("message is not valid JSON: {0}")]
    InvalidJson(String),

    #[error("message is JSON but not an object (found {found})")]
    NotAnObject { found: &'static str },

    #[error("required field `{0}` is missing")]
    MissingField(&'static str),

    #[error("field `{field}` must be {expected}, found {found}")]
    WrongType { field: &'static str, expected: &'static str, found: &'static str },

    #[error("field `{field}` is invalid: {detail}")]
    InvalidField { field: &'static str, detail: String },

    #[error("field `body` is empty or only whitespace")]
    EmptyBody,

    #[error("{what} is {size} bytes, over the limit of {limit} bytes")]
    Oversize { what: &'static str, size: usize, limit: usize },

    /// The article produced more sentences than the configured limit allows.
    #[error("article has more than {limit} sentences")]
    TooManySentences { limit: usize },

    /// The message nests JSON arrays and objects deeper than the configured limit.
    #[error("message nests JSON {depth} levels deep or more, over the limit of {limit}")]
    TooDeep { depth: usize, limit: usize },

    /// One field other than `body` is longer than the limit on such fields (`max_field_bytes`): they are
    /// copied into every record, so one over-long `source` would multiply through the output.
    #[error("field `{field}` is {size} bytes, over the limit of {limit} bytes")]
    FieldTooLong { field: &'static str, size: usize, limit: usize },

    /// One sentence is longer than the configured limit (a table or a list run together, usually). No longer
    /// produced by the pipeline, which cuts such a sentence into pieces instead; kept so the reason stays known.
    #[error("sentence {index} is {chars} code points long, over the limit of {limit}")]
    SentenceTooLong { index: usize, chars: usize, limit: usize },

    /// Processing the article took longer than the configured limit (the watchdog gave up on it).
    #[error("processing took longer than the limit of {limit_ms} ms")]
    Timeout { limit_ms: u64 },

    /// A model could not score this input (for example a target span outside the text).
    #[error("model could not score this input: {0}")]
    Model(String),

    /// A record made from this input is larger than the producer accepts (`message.max.bytes`): the input
    /// can never be delivered as it is, so it is dead-lettered instead of retried.
    #[error("a record made from this message is {size} bytes, over the producer's limit of {limit} bytes")]
    OutputTooLarge { size: usize, limit: usize },

    /// The broker or the producer refused a record made from this input with an error that no retry can
    /// cure (invalid record, authorization, policy): the input is dead-lettered instead of retried.
    #[error("a record made from this message was refused: {0}")]
    ProduceRejected(String),
}

impl InputError {
    /// Stable reason code (dead-letter `reason`, metric label). Never renamed once published.
    pub fn reason(&self) -> &'static str {
        match self {
            InputError::InvalidUtf8 { .. } => "invalid_utf8",
            InputError::InvalidJson(_) => "invalid_json",
            InputError::NotAnObject { .. } => "not_an_object",
            InputError::MissingField(_) => "missing_field",
            InputError::WrongType { .. } => "wrong_type",
            InputError::InvalidField { .. } => "invalid_field",
            InputError::EmptyBody => "empty_body",
            InputError::Oversize { .. } => "oversize",
            InputError::TooManySentences { .. } => "too_many_sentences",
            InputError::TooDeep { .. } => "too_deep",
            InputError::FieldTooLong { .. } => "field_too_long",
            InputError::SentenceTooLong { .. } => "sentence_too_long",
            InputError::Timeout { .. } => "timeout",
            InputError::Model(_) => "model_error",
            InputError::OutputTooLarge { .. } => "output_too_large",
            InputError::ProduceRejected(_) => "produce_rejected",
        }
    }

    /// Every reason code, for pre-registering metric label values and for documentation.
    pub const REASONS: &'static [&'static str] = &[
        "invalid_utf8",
        "invalid_json",
        "not_an_object",
        "missing_field",
        "wrong_type",
        "invalid_field",
        "empty_body",
        "oversize",
        "too_many_sentences",
        "too_deep",
        "field_too_long",
        "sentence_too_long",
        "timeout",
        "model_error",
        "output_too_large",
        "produce_rejected",
    ];

    pub fn fault(&self) -> Fault {
        Fault::Input
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_is_listed() {
        let samples = [
            InputError::InvalidUtf8 { valid_up_to: 0 },
            InputError::InvalidJson(String::new()),
            InputError::NotAnObject { found: "array" },
            InputError::MissingField("id"),
            InputError::WrongType { field: "id", expected: "a string", found: "a number" },
            InputError::InvalidField { field: "id", detail: String::new() },
            InputError::EmptyBody,
            InputError::Oversize { what: "body", size: 2, limit: 1 },
            InputError::TooManySentences { limit: 1 },
            InputError::TooDeep { depth: 2, limit: 1 },
            InputError::FieldTooLong { field: "source", size: 2, limit: 1 },
            InputError::SentenceTooLong { index: 0, chars: 2, limit: 1 },
            InputError::Timeout { limit_ms: 1 },
            InputError::Model(String::new()),
            InputError::OutputTooLarge { size: 2, limit: 1 },
            InputError::ProduceRejected(String::new()),
        ];
        for e in &samples {
            assert!(InputError::REASONS.contains(&e.reason()), "{} not in REASONS", e.reason());
            assert_eq!(e.fault(), Fault::Input);
        }
        assert_eq!(samples.len(), InputError::REASONS.len());
    }
}
