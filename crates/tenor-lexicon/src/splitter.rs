//! The lists tenor-text's sentence splitter takes from the one home: words it shares with other parts of
//! Tenor in meaning but keeps in its own form (exact case, a short list), each file's header says why.
//! The splitter's abbreviation and sentence-starter tables stay in tenor-text: they are splitter-internal.

use crate::WordSet;

lists! {
    /// Reporting verbs that close a quotation (`"We will win." Smith said.`); exact case.
    REPORTING_VERBS: WordSet = "tenor/splitter_reporting_verbs.txt";
    /// Labels of a picture credit (`Image: NASA`); exact case, capitalized.
    CREDIT_LABELS: WordSet = "tenor/splitter_credit_labels.txt";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::set::assert_members;

    #[test]
    fn splitter_lists_keep_their_case() {
        assert_members(&REPORTING_VERBS, &["said", "continued"], &[]);
        assert_eq!(REPORTING_VERBS.len(), 18);
        assert_members(&CREDIT_LABELS, &["Image"], &["image"]);
        assert_eq!(CREDIT_LABELS.len(), 8);
    }
}
