//! Text to what clusters compare: the normalised text (its hash finds exact reprints) and the lexical
//! fingerprint (sorted hashes of word unigrams and bigrams, stop words left out).

use tenor_lexicon::claims::CLAIM_STOP_WORDS;

/// 64-bit FNV-1a, continuing from `state` (start with [`FNV_OFFSET`]). Stable across runs and machines.
pub(crate) fn fnv1a(mut state: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        state ^= u64::from(b);
        state = state.wrapping_mul(0x0000_0100_0000_01b3);
    }
    state
}

pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// splitmix64's finaliser: a good 64-bit mix, used for hash-map keys, MinHash and the hyperplanes' seeds.
pub(crate) fn mix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub(crate) fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The text as clusters compare it: at most `max_bytes` of it read, lower-cased, apostrophes removed
/// (`it's` and `its`, `’` and `'` alike), every other character that is not a letter or digit (quotes, dashes,
/// punctuation, symbols, control characters, white space of any kind) a word break, words joined by one
/// space.
pub fn normalize(text: &str, max_bytes: usize) -> String {
    let text = truncate(text, max_bytes);
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else if matches!(c, '\'' | '’' | 'ʼ' | '`' | '´') {
            // Inside a word: dropped ("don't" = "dont"); a quote mark around words still breaks them below.
        } else {
            pending_space = true;
        }
    }
    out
}

/// The hash of a normalised text: equal texts (after [`normalize`]) are exact reprints.
pub fn text_hash(normalized: &str) -> u64 {
    fnv1a(FNV_OFFSET, normalized.as_bytes())
}

/// The lexical fingerprint of a normalised text: 32-bit hashes of its word unigrams and bigrams, stop words
/// (`models/data/lexicons/tenor/claim_stop_words.txt`) left out before the bigrams are formed (all words kept
/// when every word is one), sorted and de-duplicated, at most `max_features` (the smallest hashes).
pub fn fingerprint(normalized: &str, max_features: usize) -> Vec<u32> {
    let content: Vec<&str> =
        normalized.split(' ').filter(|w| !w.is_empty() && !CLAIM_STOP_WORDS.contains(w)).collect();
    let words: Vec<&str> =
        if content.is_empty() { normalized.split(' ').filter(|w| !w.is_empty()).collect() } else { content };
    let mut features: Vec<u32> = Vec::with_capacity(words.len() * 2);
    for (i, word) in words.iter().enumerate() {
        let h = fnv1a(FNV_OFFSET, word.as_bytes());
        features.push(mix64(h) as u32);
        if let Some(next) = words.get(i + 1) {
            let h = fnv1a(fnv1a(h, b" "), next.as_bytes());
            features.push(mix64(h ^ 0x5bd1_e995) as u32);
        }
    }
    features.sort_unstable();
    features.dedup();
    features.truncate(max_features);
    features
}

/// Shared features of two sorted, de-duplicated fingerprints.
pub(crate) fn overlap(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Jaccard similarity and containment (shared features over the smaller fingerprint's size) of two
/// fingerprints, and the smaller size; (0, 0, 0) when either is empty.
pub(crate) fn similarity(a: &[u32], b: &[u32]) -> (f64, f64, usize) {
    if a.is_empty() || b.is_empty() {
        return (0.0, 0.0, 0);
    }
    let shared = overlap(a, b);
    let smaller = a.len().min(b.len());
    let union = a.len() + b.len() - shared;
    (shared as f64 / union as f64, shared as f64 / smaller as f64, smaller)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_folds_case_quotes_punctuation_and_space() {
        let a = normalize("\u{201c}We won\u{2019}t raise TAXES,\u{201d} she said \u{2014} today.", 1000);
        let b = normalize("\"We won't raise taxes\" she said - today", 1000);
        assert_eq!(a, "we wont raise taxes she said today");
        assert_eq!(a, b);
        assert_eq!(normalize("  \u{0}\t\n ", 1000), "");
        assert_eq!(normalize("éÉ ß", 1000), "éé ß");
        assert_eq!(truncate("aé", 2), "a");
    }

    #[test]
    fn fingerprints_skip_stop_words_and_compare() {
        let f = fingerprint(&normalize("The minister said taxes will rise.", 1000), 128);
        let g = fingerprint(&normalize("Taxes will rise, the minister told reporters.", 1000), 128);
        // content words: minister taxes rise / taxes rise minister: 3 unigrams each, bigrams differ.
        let (jaccard, containment, smaller) = similarity(&f, &g);
        assert_eq!(smaller, 5);
        assert!((containment - 0.8).abs() < 1e-9, "{containment}");
        assert!((jaccard - 4.0 / 6.0).abs() < 1e-9, "{jaccard}");
        assert_eq!(similarity(&f, &[]), (0.0, 0.0, 0));
        assert!(!fingerprint("the of", 128).is_empty(), "all stop words: all words kept");
        assert_eq!(fingerprint(&normalize("one two three four five six", 1000), 3).len(), 3);
    }
}
