//! The lists tenor-text's sentence splitter takes from the one home: words it shares with other parts of
//! Tenor in meaning but keeps in its own form (exact case, a short list), each file's header says why.
//! The splitter's abbreviation and sentence-starter tables stay in tenor-text: they are splitter-internal.

use crate::WordSet;

/// Reporting verbs that close a quotation (`"We will win." Smith said.`); exact case.
pub static REPORTING_VERBS: WordSet = WordSet::new(
    "tenor/splitter_reporting_verbs.txt",
    include_str!("../../../models/data/lexicons/tenor/splitter_reporting_verbs.txt"),
);

/// Labels of a picture credit (`Image: NASA`); exact case, capitalized.
pub static CREDIT_LABELS: WordSet = WordSet::new(
    "tenor/splitter_credit_labels.txt",
    include_str!("../../../models/data/lexicons/tenor/splitter_credit_labels.txt"),
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitter_lists_keep_their_case() {
        assert!(REPORTING_VERBS.contains("said") && REPORTING_VERBS.contains("continued"));
        assert_eq!(REPORTING_VERBS.len(), 18);
        assert!(CREDIT_LABELS.contains("Image") && !CREDIT_LABELS.contains("image"));
        assert_eq!(CREDIT_LABELS.len(), 8);
    }
}
