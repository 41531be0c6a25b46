//! The dense, named features of a sentence (or of the words near a target): lexicon sums (VADER, Pattern,
//! news tone; subjectivity, hedge, reporting-verb and negator counts), sentence shape, and claim cues.
//!
//! Guarantees: each feature's bucket is `NS_DENSE` + its name (with a `prefix:` for a span: `all`, `near`,
//! `cue`), so names, not positions, identify them; a sum is spread over the tokens that carry it, so evidence
//! can point at those words; the news-tone sums stay empty without `FeatureConfig::news_tone`, so the features
//! of older models are unchanged.

use std::ops::Range;

use crate::featurize::{FeatureBuffer, Featurizer, NS_DENSE};
use crate::hash::Fnv1a;
use crate::lexicon::{self, LexEntry};
use crate::Feature;

// Claim cues (FeatureConfig::claim_cues), by slot.
const CUE_YEAR: usize = 0;
const CUE_MAGNITUDE: usize = 1;
const CUE_COMPARE: usize = 2;
const CUE_CHANGE: usize = 3;
const CUE_MODAL: usize = 4;
const CUE_NAME: usize = 5;
const CUE_NUMBER_RUN: usize = 6;
const CUE_QUANTITY: usize = 7;
const CUE_NAMES: [&[u8]; 8] =
    [b"year", b"magnitude", b"compare", b"change", b"modal", b"name", b"number_run", b"quantity"];

impl Featurizer {
    pub(crate) fn dense(&self, name: &[u8]) -> u32 {
        Fnv1a::new(NS_DENSE).bytes(name).bucket(self.config.hash_bits)
    }

    /// The (VADER, Pattern, news-tone) valences of a word. Under `news_tone`, the news-tone valence stands in
    /// for VADER's and Pattern's (scaled to Pattern's -1..1) where those give the word none, so news words
    /// like "productive" or "stalemate" weigh in the polarity sums a model already relies on.
    #[inline]
    fn valences(&self, e: &LexEntry) -> [f32; 3] {
        if !self.config.news_tone {
            return [e.vader, e.polarity, 0.0];
        }
        let vader = if e.vader == 0.0 { e.tone } else { e.vader };
        let pattern = if e.polarity == 0.0 { e.tone / 4.0 } else { e.polarity };
        [vader, pattern, e.tone]
    }

    /// Polarity (VADER, Pattern, and under `news_tone` the news-tone lexicon; negated words flip),
    /// subjectivity, hedge, reporting-verb and negator features over tokens `range`, named with `prefix`.
    pub(crate) fn lexicon_features(
        &self,
        buf: &mut FeatureBuffer,
        range: Range<usize>,
        prefix: &[u8],
        weight: f32,
    ) {
        let mut sums = [0f32; 6]; // vader+, vader-, pattern+, pattern-, tone+, tone-
        let mut counts = [0u32; 4]; // subjective, hedge, reporting, negator
        for i in range.clone() {
            let Some(e) = buf.lex[i] else { continue };
            let flip = if buf.negated[i] { -0.74 } else { 1.0 };
            for (lexicon, valence) in self.valences(&e).into_iter().enumerate() {
                let signed = valence * flip;
                if signed > 0.0 {
                    sums[2 * lexicon] += signed
                } else {
                    sums[2 * lexicon + 1] -= signed
                }
            }
            counts[0] += u32::from(e.subjectivity >= 0.5);
            counts[1] += u32::from(e.hedge);
            counts[2] += u32::from(e.reporting);
            counts[3] += u32::from(e.negator);
        }
        // Squash sums to 0..1 so one long sentence cannot dominate: x / (x + k).
        let squash = |x: f32, k: f32| x / (x + k);
        let names: [&[u8]; 6] =
            [b"vader_pos", b"vader_neg", b"pattern_pos", b"pattern_neg", b"tone_pos", b"tone_neg"];
        let scales = [2.0, 2.0, 0.5, 0.5, 2.0, 2.0];
        for (slot, name) in names.iter().enumerate() {
            // The tone sums stay 0 without `news_tone`, so the features of older models are unchanged.
            if sums[slot] <= 0.0 {
                continue;
            }
            let total = sums[slot];
            let value = squash(total, scales[slot]) * weight;
            let index = self.dense_named(prefix, name);
            for i in range.clone() {
                let Some(e) = buf.lex[i] else { continue };
                let flip = if buf.negated[i] { -0.74 } else { 1.0 };
                let raw = self.valences(&e)[slot / 2] * flip;
                let share = if slot % 2 == 0 { raw.max(0.0) } else { (-raw).max(0.0) };
                if share > 0.0 {
                    buf.features.push(Feature {
                        index,
                        value: value * share / total,
                        from: i as u16,
                        to: i as u16 + 1,
                    });
                }
            }
        }
        let count_names: [&[u8]; 4] = [b"subjective", b"hedge", b"reporting", b"negator"];
        for (slot, name) in count_names.iter().enumerate() {
            if counts[slot] > 0 {
                let value = (counts[slot].min(3) as f32 / 3.0) * weight;
                let index = self.dense_named(prefix, name);
                buf.features.push(Feature {
                    index,
                    value,
                    from: range.start as u16,
                    to: range.end.min(u16::MAX as usize) as u16,
                });
            }
        }
    }

    pub(crate) fn dense_named(&self, prefix: &[u8], name: &[u8]) -> u32 {
        Fnv1a::new(NS_DENSE).bytes(prefix).byte(b':').bytes(name).bucket(self.config.hash_bits)
    }

    pub(crate) fn shape_features(&self, text: &str, buf: &mut FeatureBuffer) {
        let n = buf.tokens.len();
        let numbers = (0..n).filter(|&i| buf.norm(i).starts_with('0')).count();
        let push = |buf: &mut FeatureBuffer, name: &[u8], value: f32| {
            let index = self.dense(name);
            buf.features.push(Feature { index, value, from: 0, to: 0 });
        };
        if numbers > 0 {
            push(buf, b"has_number", 1.0);
            push(buf, b"numbers", numbers.min(4) as f32 / 4.0);
        }
        if text.contains('%') || text.contains("percent") {
            push(buf, b"percent", 1.0);
        }
        if text.contains('$') || text.contains('€') || text.contains('£') {
            push(buf, b"currency", 1.0);
        }
        if text.trim_end().ends_with('?') {
            push(buf, b"question", 1.0);
        }
        let first_person =
            (0..n).filter(|&i| matches!(buf.norm(i), "i" | "we" | "me" | "my" | "our" | "us")).count();
        if first_person > 0 {
            push(buf, b"first_person", first_person.min(3) as f32 / 3.0);
        }
        let length_bucket: &[u8] = match n {
            0..=5 => b"len_0_5",
            6..=12 => b"len_6_12",
            13..=25 => b"len_13_25",
            _ => b"len_26_",
        };
        push(buf, length_bucket, 1.0);
    }

    /// What makes a sentence a check-worthy factual claim beyond its words: concrete, checkable quantities
    /// (years, magnitudes, amounts with a comparison or a change), named things (capitalised words inside the
    /// sentence), and the absence of opinion markers (modals, future, first person + cognition verbs). Each
    /// cue is one feature per sentence, with the token that carries it as evidence.
    pub(crate) fn claim_cue_features(&self, text: &str, buf: &mut FeatureBuffer) {
        let n = buf.tokens.len();
        let mut counts = [0u32; CUE_NAMES.len()];
        let mut first_token = [u16::MAX; CUE_NAMES.len()];
        let mut mark = |cue: usize, i: usize, counts: &mut [u32; CUE_NAMES.len()]| {
            counts[cue] += 1;
            if first_token[cue] == u16::MAX {
                first_token[cue] = i.min(u16::MAX as usize - 1) as u16;
            }
        };
        let mut previous_number = false;
        for i in 0..n {
            let t = buf.tokens[i];
            let raw = &text[t.start as usize..t.end as usize];
            let word = buf.norm(i);
            let is_number = word.starts_with('0');
            let cue = buf.lex[i].map_or(0, |e| e.cue);
            if is_number && raw.len() == 4 && (raw.starts_with("19") || raw.starts_with("20")) {
                mark(CUE_YEAR, i, &mut counts);
            }
            for (bit, slot) in [
                (lexicon::CUE_MAGNITUDE, CUE_MAGNITUDE),
                (lexicon::CUE_COMPARE, CUE_COMPARE),
                (lexicon::CUE_CHANGE, CUE_CHANGE),
                (lexicon::CUE_MODAL, CUE_MODAL),
            ] {
                if cue & bit != 0 {
                    mark(slot, i, &mut counts);
                }
            }
            let capitalised = raw.chars().next().is_some_and(char::is_uppercase);
            if capitalised && i > 0 && !t.break_before && word != "i" {
                mark(CUE_NAME, i, &mut counts);
            }
            if is_number && previous_number {
                mark(CUE_NUMBER_RUN, i, &mut counts);
            }
            if is_number && i + 1 < n && buf.lex[i + 1].is_some_and(|e| e.cue & lexicon::CUE_UNIT != 0) {
                mark(CUE_QUANTITY, i, &mut counts);
            }
            previous_number = is_number;
        }
        if text.contains('$') && counts[CUE_MAGNITUDE] > 0 {
            counts[CUE_QUANTITY] += 1;
        }
        for (cue, name) in CUE_NAMES.iter().enumerate() {
            let value = match counts[cue] {
                0 => continue,
                c => (c.min(3) as f32 / 3.0).sqrt(),
            };
            let index = self.dense_named(b"cue", name);
            let at = if first_token[cue] == u16::MAX { 0 } else { first_token[cue] };
            let to = if first_token[cue] == u16::MAX { 0 } else { at + 1 };
            buf.features.push(Feature { index, value, from: at, to });
        }
        if counts[CUE_MODAL] == 0 && (counts[CUE_YEAR] + counts[CUE_MAGNITUDE] + counts[CUE_QUANTITY]) > 0 {
            let index = self.dense_named(b"cue", b"quantity_without_modal");
            buf.features.push(Feature { index, value: 1.0, from: 0, to: 0 });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{FeatureBuffer, FeatureConfig, Featurizer};

    #[test]
    fn news_tone_turns_news_words_into_polarity_and_negation_flips_it() {
        let tone = Featurizer::new(FeatureConfig::stance()).unwrap();
        let plain = Featurizer::new(FeatureConfig { news_tone: false, ..FeatureConfig::stance() }).unwrap();
        let dense = |name: &[u8]| tone.dense_named(b"all", name);
        let sum = |f: &Featurizer, text: &str, name: &[u8]| -> f32 {
            let mut buf = FeatureBuffer::new();
            f.featurize(text, None, &mut buf).unwrap();
            buf.features.iter().filter(|x| x.index == dense(name)).map(|x| x.value).sum()
        };
        let envoys = "Envoys described the talks as productive and constructive";
        assert_eq!(sum(&plain, envoys, b"vader_pos"), 0.0, "neither word is in VADER");
        assert!(sum(&tone, envoys, b"vader_pos") > 0.5, "{}", sum(&tone, envoys, b"vader_pos"));
        assert!(sum(&tone, envoys, b"tone_pos") > 0.5);
        assert_eq!(sum(&tone, envoys, b"tone_neg"), 0.0);
        let no_breakthrough = "no significant breakthrough has emerged";
        assert!(sum(&tone, no_breakthrough, b"vader_neg") > 0.3, "negated, the positive word counts as negative");
        assert!(sum(&tone, no_breakthrough, b"tone_neg") > 0.3);
        assert_eq!(sum(&tone, no_breakthrough, b"tone_pos"), 0.0);
        assert!(sum(&tone, "Talks ended in a stalemate", b"tone_neg") > 0.3);
        // The evidence of a sum points at the word that carries it.
        let mut buf = FeatureBuffer::new();
        tone.featurize(envoys, None, &mut buf).unwrap();
        let carriers: Vec<&str> = buf
            .features
            .iter()
            .filter(|x| x.index == dense(b"tone_pos"))
            .map(|x| buf.norm(x.from as usize))
            .collect();
        assert_eq!(carriers, ["productive", "constructive"]);
        // A word VADER has keeps VADER's valence in the VADER sum.
        assert_eq!(
            sum(&tone, "The crowd was happy", b"vader_pos"),
            sum(&plain, "The crowd was happy", b"vader_pos")
        );
    }
}
