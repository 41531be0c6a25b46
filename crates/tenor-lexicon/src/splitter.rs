//! The lists tenor-text's sentence splitter takes from the one home: words it shares with other parts of
//! Tenor in meaning but keeps in its own form (exact case, a short list), each file's header says why.
//! The splitter's abbreviation and sentence-starter tables stay in tenor-text: they are splitter-internal.

use crate::WordSet;

lists! {
    /// Reporting verbs that close a quotation (`"We will win." Smith said.`); exact case.
    REPORTING_VERBS: WordSet = "tenor/splitter_reporting_verbs.txt";
    /// Labels of a picture credit (`Image: NASA`); exact case, capitalized.
    CREDIT_LABELS: WordSet = "tenor/splitter_credit_labels.txt";
    /// Lower-case words that open a sentence in web text (`it was closed. thanks`); exact case.
    LOWERCASE_OPENERS: WordSet = "tenor/splitter_lowercase_openers.txt";
    /// Emoticons that end a sentence (`Thanks :) See you`); exact tokens.
    EMOTICONS: WordSet = "tenor/splitter_emoticons.txt";
    /// Capitalized words that open a sentence run on without punctuation (`was great They were`); exact case.
    RUN_ON_OPENERS: WordSet = "tenor/splitter_run_on_openers.txt";
    /// HTML element names whose tags separate sentences (`</p>`, `<br>`, `<li>`); lower case.
    BLOCK_TAGS: WordSet = "tenor/splitter_block_tags.txt";
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
        assert_members(&LOWERCASE_OPENERS, &["i", "thanks", "it's"], &["in", "is", "the", "I"]);
        assert_members(&EMOTICONS, &[":)", ";-)", "<3"], &[":", ")"]);
        assert_members(&RUN_ON_OPENERS, &["They", "Thanks"], &["I", "The", "they"]);
        assert_members(&BLOCK_TAGS, &["p", "br", "li", "h1"], &["b", "a", "span", "P"]);
    }
}
