//! The lists of tenor-claims' tension finder (Tenor's own, Apache-2.0, under `models/data/lexicons/tenor/`;
//! entries are lower case).

use crate::WordSet;

lists! {
    /// Words two claims may share without being about one subject: function words, reporting words, news-generic words.
    TENSION_STOP_WORDS: WordSet = "tenor/tension_stop_words.txt";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::set::assert_members;

    #[test]
    fn stop_words_hold_function_and_reporting_words_only() {
        assert_members(
            &TENSION_STOP_WORDS,
            &["the", "said", "according", "statement"],
            &["talks", "breakthrough", "miami"],
        );
    }
}
