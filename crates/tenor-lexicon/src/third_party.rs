//! Third-party word lists, as published (licences beside them under `models/data/lexicons/`, sources in
//! `SOURCE.txt`). Users filter them (tenor-attribution's exclusions are in [`crate::attribution`]) and
//! lower-case entries themselves.

use crate::WordSet;

/// GenderGapTracker's quote-verb list (inflected forms; MIT).
pub static QUOTE_VERBS: WordSet = WordSet::new(
    "quote_verb_list.GenderGapTracker.txt",
    include_str!("../../../models/data/lexicons/quote_verb_list.GenderGapTracker.txt"),
);

/// wooorm's hedge list (words and phrases; MIT).
pub static HEDGES: WordSet =
    WordSet::new("hedges_wooorm.txt", include_str!("../../../models/data/lexicons/hedges_wooorm.txt"));

/// wooorm's weasel-word list (MIT).
pub static WEASELS: WordSet =
    WordSet::new("weasels_wooorm.txt", include_str!("../../../models/data/lexicons/weasels_wooorm.txt"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn third_party_lists_load() {
        assert!(QUOTE_VERBS.contains("said") && QUOTE_VERBS.len() > 200);
        assert!(HEDGES.contains("perhaps"));
        assert!(WEASELS.contains("reportedly"));
    }
}
