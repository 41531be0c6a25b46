//! Word-bounded character n-grams (scikit-learn's `char_wb`): the hot loop of featurizing.
//!
//! Guarantees: [`CharNgrams::push_ascii`] (one byte per character, hashes extended byte by byte) gives exactly
//! the features of [`CharNgrams::push`] (any word, counted in characters), in the same order; the featurizer
//! takes the fast path for ASCII words only as a speed-up.

use crate::featurize::NS_CHAR;
use crate::hash::Fnv1a;
use crate::Feature;

/// The character n-grams of one word: lengths `lo..=hi` of `" " + word + " "` (scikit-learn's `char_wb`),
/// hashed into `2^bits` buckets, each feature pointing at tokens `from..to`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CharNgrams {
    pub(crate) lo: usize,
    pub(crate) hi: usize,
    pub(crate) bits: u32,
    pub(crate) from: u16,
    pub(crate) to: u16,
}

impl CharNgrams {
    /// The n-grams of an ASCII word: one byte is one character, so every n-gram starting at a position is one
    /// more byte hashed onto the previous, shorter one. Gives exactly the features of [`CharNgrams::push`], in
    /// the same order, without finding character boundaries (the hot loop of featurizing).
    #[inline]
    pub(crate) fn push_ascii(self, word: &[u8], padded: &mut Vec<u8>, out: &mut Vec<Feature>) {
        let CharNgrams { lo, hi, bits, from, to } = self;
        padded.clear();
        padded.push(b' ');
        padded.extend_from_slice(word);
        padded.push(b' ');
        let chars = padded.len();
        if chars < lo {
            return;
        }
        out.reserve((chars - lo + 1) * (hi - lo + 1));
        let start = Fnv1a::new(NS_CHAR);
        for s in 0..=chars - lo {
            let h = start.bytes(&padded[s..s + lo - 1]);
            let end = (s + hi).min(chars);
            let mut h = h;
            for &b in &padded[s + lo - 1..end] {
                h = h.byte(b);
                out.push(Feature { index: h.bucket(bits), value: 1.0, from, to });
            }
        }
    }

    /// The n-grams of any word, counted in characters.
    pub(crate) fn push(self, word: &str, bounds: &mut Vec<usize>, out: &mut Vec<Feature>) {
        let CharNgrams { lo, hi, bits, from, to } = self;
        // Character boundaries of the padded word, as byte offsets into `word` shifted by the leading space.
        bounds.clear();
        bounds.push(0);
        bounds.extend(word.char_indices().map(|(b, _)| b + 1));
        bounds.push(word.len() + 1);
        bounds.push(word.len() + 2);
        let chars = bounds.len() - 1;
        let byte_at = |b: usize| if b == 0 || b == word.len() + 1 { b' ' } else { word.as_bytes()[b - 1] };
        for s in 0..chars {
            let mut h = Fnv1a::new(NS_CHAR);
            for len in 1..=hi {
                if s + len > chars {
                    break;
                }
                for b in bounds[s + len - 1]..bounds[s + len] {
                    h = h.byte(byte_at(b));
                }
                if len >= lo {
                    out.push(Feature { index: h.bucket(bits), value: 1.0, from, to });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_fast_path_gives_the_features_of_the_general_path() {
        let (mut padded, mut bounds) = (Vec::new(), Vec::new());
        for word in ["a", "ok", "talks", "breakthrough", "supercalifragilisticexpialidocious", "n't", "0.0"] {
            for (lo, hi) in [(1, 1), (2, 5), (3, 5), (4, 8), (6, 8)] {
                let (mut fast, mut general) = (Vec::new(), Vec::new());
                let grams = CharNgrams { lo, hi, bits: 14, from: 2, to: 3 };
                grams.push_ascii(word.as_bytes(), &mut padded, &mut fast);
                grams.push(word, &mut bounds, &mut general);
                assert_eq!(fast, general, "{word} {lo}..={hi}");
                let padded_chars = word.len() + 2;
                let expected: usize = (lo..=hi).map(|n| (padded_chars + 1).saturating_sub(n)).sum();
                assert_eq!(fast.len(), expected, "{word} {lo}..={hi}");
            }
        }
        // A non-ASCII word counts characters, not bytes: " é " has three 1-grams.
        let mut out = Vec::new();
        CharNgrams { lo: 1, hi: 1, bits: 14, from: 0, to: 1 }.push("é", &mut bounds, &mut out);
        assert_eq!(out.len(), 3);
    }
}
