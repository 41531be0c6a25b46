//! The lists tenor-claims' claim clusterer uses.

use crate::WordSet;

lists! {
    /// Function words and reporting words left out of a claim's lexical fingerprint; lower case, apostrophes
    /// removed.
    CLAIM_STOP_WORDS: WordSet = "tenor/claim_stop_words.txt";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::set::assert_members;

    #[test]
    fn claim_stop_words_hold_function_and_reporting_words() {
        assert_members(&CLAIM_STOP_WORDS, &["the", "said", "told", "reporters", "its"], &["tax", "The", "it's"]);
    }
}
