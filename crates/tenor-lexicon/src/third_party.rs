//! Third-party word lists, as published (licences beside them under `models/data/lexicons/`, sources in
//! `SOURCE.txt`). Users filter them (tenor-attribution's exclusions are in [`crate::attribution`]) and
//! lower-case entries themselves.

use crate::WordSet;

lists! {
    /// GenderGapTracker's quote-verb list (inflected forms; MIT).
    QUOTE_VERBS: WordSet = "quote_verb_list.GenderGapTracker.txt";
    /// wooorm's hedge list (words and phrases; MIT).
    HEDGES: WordSet = "hedges_wooorm.txt";
    /// wooorm's weasel-word list (MIT).
    WEASELS: WordSet = "weasels_wooorm.txt";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::set::assert_members;

    #[test]
    fn third_party_lists_load() {
        assert_members(&QUOTE_VERBS, &["said"], &[]);
        assert!(QUOTE_VERBS.len() > 200);
        assert_members(&HEDGES, &["perhaps"], &[]);
        assert_members(&WEASELS, &["reportedly"], &[]);
    }
}
