//! A learned cue scorer: logistic regression over hashed token-context features of every word that could be a
//! cue (a word of the cue lexicon), whether or not the rules accept it.
//!
//! It exists to test, by grouped cross-validation over documents, whether a model can filter the rules' cues
//! or add the ones they miss better than the hand rules alone (`tenor eval attribution --cv K --cue-model`).
//! Candidates carry the rules' verdict as a feature, so the model learns where the rules are wrong rather than
//! relearning them. Training is a pure function of its examples (fixed order, fixed epochs): the same data
//! gives the same weights.

use std::collections::HashMap;
use std::ops::Range;

use crate::lexicon::CueClass;
use crate::quotes::QuoteMap;
use crate::tokens::{TokenKind, Tokens};
use crate::{ArticleAnalysis, Attributor};

/// One word that could be a cue, with its features.
#[derive(Debug, Clone, PartialEq)]
pub struct CueCandidate {
    /// Index of the sentence in the article's sentence list.
    pub sentence: usize,
    /// Byte range of the word in the body.
    pub range: Range<usize>,
    /// The rules report an attribution with exactly this word as its cue.
    pub proposed: bool,
    /// Hashed feature ids of the word and its context (binary features; each id present once).
    pub features: Vec<u64>,
    /// Hashed feature ids of the rules' verdict on the word (alone and with the word and its class): kept apart
    /// so that a model can be trained with or without them.
    pub rule_features: Vec<u64>,
}

impl CueCandidate {
    /// The context features followed by the rules' verdict features.
    pub fn all_features(&self) -> Vec<u64> {
        self.features.iter().chain(&self.rule_features).copied().collect()
    }
}

/// FNV-1a over a tag and a string: one feature id without building the feature string.
fn feature(tag: &str, value: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in tag.bytes().chain(std::iter::once(0xff)).chain(value.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn class_name(class: Option<CueClass>) -> &'static str {
    match class {
        Some(CueClass::Speech) => "speech",
        Some(CueClass::Report) => "report",
        Some(CueClass::Belief) => "belief",
        Some(CueClass::Evidence) => "evidence",
        Some(CueClass::Stance) => "stance",
        None => "none",
    }
}

fn is_subject_pronoun(w: &str) -> bool {
    matches!(w, "i" | "we" | "you" | "he" | "she" | "they" | "it" | "who")
}

fn is_auxiliary(w: &str) -> bool {
    matches!(
        w,
        "do" | "does"
            | "did"
            | "don't"
            | "doesn't"
            | "didn't"
            | "n't"
            | "not"
            | "never"
            | "will"
            | "would"
            | "can"
            | "could"
            | "should"
            | "may"
            | "might"
            | "must"
            | "have"
            | "has"
            | "had"
            | "'ve"
            | "'d"
            | "'ll"
    )
}

fn is_be(w: &str) -> bool {
    matches!(w, "is" | "are" | "was" | "were" | "be" | "been" | "being" | "am" | "'m" | "'re" | "'s")
}

fn is_wh(w: &str) -> bool {
    matches!(w, "what" | "how" | "why" | "when" | "where" | "who" | "whether" | "if" | "which")
}

fn is_determiner(w: &str) -> bool {
    matches!(
        w,
        "the" | "a" | "an" | "this" | "these" | "those" | "his" | "her" | "their" | "its" | "our" | "my" | "your"
    )
}

/// The text of token `i` for features: the lower-cased word, the mark for punctuation, `"` for any quote mark.
fn token_text<'a>(tokens: &'a Tokens, body: &'a str, i: usize) -> &'a str {
    let t = &tokens.toks[i];
    match t.kind {
        TokenKind::Word => tokens.lower(i),
        TokenKind::Quote => "\"",
        TokenKind::Punct => body.get(t.start..t.end).unwrap_or("?"),
    }
}

/// What kind of token follows the candidate: what a complement looks like without a tagger.
fn follower_kind(w: &str) -> &'static str {
    match w {
        "" => "end",
        "that" => "that",
        "," => "comma",
        ":" => "colon",
        "\"" => "quote",
        "." | "?" | "!" | ";" => "stop",
        "to" => "to",
        "about" | "of" | "for" | "on" | "in" | "at" | "with" | "from" | "by" => "prep",
        w if is_wh(w) => "wh",
        w if is_subject_pronoun(w) => "pronoun",
        w if is_determiner(w) => "det",
        _ => "other",
    }
}

fn sentence_features(
    tokens: &Tokens,
    body: &str,
    quotes: &QuoteMap,
    quote_ids: Range<usize>,
    class_of: impl Fn(&str) -> Option<CueClass>,
    i: usize,
    proposed: bool,
) -> (Vec<u64>, Vec<u64>) {
    let n = tokens.len();
    let at = |k: isize| -> &str {
        if k < 0 || k as usize >= n {
            ""
        } else {
            token_text(tokens, body, k as usize)
        }
    };
    let i_signed = i as isize;
    let w = tokens.lower(i);
    let class = class_name(class_of(w));
    let rules = if proposed { "yes" } else { "no" };
    let (p1, p2, n1, n2) = (at(i_signed - 1), at(i_signed - 2), at(i_signed + 1), at(i_signed + 2));
    let suffix: String = {
        let chars: Vec<char> = w.chars().collect();
        chars[chars.len().saturating_sub(3)..].iter().collect()
    };
    let start = tokens.toks[i].start;
    let in_quote = quote_ids.clone().any(|q| quotes.quotes[q].inner.contains(&start));
    let has_quote = (0..n).any(|k| tokens.toks[k].kind == TokenKind::Quote) || !quote_ids.is_empty();
    let question =
        (0..n).rev().find(|&k| tokens.toks[k].kind != TokenKind::Quote).is_some_and(|k| at(k as isize) == "?");
    let position = if i < 2 {
        "start"
    } else if i + 3 >= n {
        "end"
    } else {
        "middle"
    };
    let subject_before = is_subject_pronoun(p1) || (is_auxiliary(p1) && is_subject_pronoun(p2));
    let name_before = i > 0 && tokens.toks[i - 1].capitalized && i > 1;
    let p1_kind = match p1 {
        "" => "start",
        "to" => "to",
        p if is_auxiliary(p) => "aux",
        p if is_be(p) => "be",
        p if is_determiner(p) => "det",
        p if is_subject_pronoun(p) => "pronoun",
        "," => "comma",
        "\"" => "quote",
        _ => "other",
    };
    let mut features = vec![
        feature("bias", ""),
        feature("w", w),
        feature("class", class),
        feature("suffix", &suffix),
        feature("p1", p1),
        feature("p2", p2),
        feature("n1", n1),
        feature("n2", n2),
        feature("n1kind", follower_kind(n1)),
        feature("n1kind+class", &format!("{}|{class}", follower_kind(n1))),
        feature("p1kind", p1_kind),
        feature("p1kind+class", &format!("{p1_kind}|{class}")),
        feature("position", position),
        feature("subject_before", if subject_before { "yes" } else { "no" }),
        feature("subject_before+w", &format!("{subject_before}|{w}")),
        feature("name_before", if name_before { "yes" } else { "no" }),
        feature("in_quote", if in_quote { "yes" } else { "no" }),
        feature("has_quote", if has_quote { "yes" } else { "no" }),
        feature("question", if question { "yes" } else { "no" }),
        feature("capitalised", if tokens.toks[i].capitalized && i > 0 { "yes" } else { "no" }),
    ];
    features.sort_unstable();
    features.dedup();
    let rule_features = vec![
        feature("rules", rules),
        feature("rules+w", &format!("{rules}|{w}")),
        feature("rules+class", &format!("{rules}|{class}")),
    ];
    (features, rule_features)
}

impl Attributor {
    /// Every word of the cue lexicon in the article's sentences, with its features and whether `analysis` (the
    /// rules' output for the same article and sentences) has an attribution whose cue is exactly that word.
    pub fn cue_candidates(
        &self,
        body: &str,
        sentences: &[Range<usize>],
        analysis: &ArticleAnalysis,
    ) -> Vec<CueCandidate> {
        let quotes = QuoteMap::build(body);
        let mut tokens = Tokens::default();
        let mut out = Vec::new();
        for (s, range) in sentences.iter().enumerate() {
            let valid = range.start <= range.end
                && range.end <= body.len()
                && body.is_char_boundary(range.start)
                && body.is_char_boundary(range.end);
            if !valid {
                continue;
            }
            tokens.tokenize(body, range.clone());
            let proposed_cues: Vec<Range<usize>> = analysis
                .sentences
                .get(s)
                .map(|a| {
                    a.attribution
                        .iter()
                        .filter(|a| !a.inherited)
                        .chain(a.others.iter())
                        .map(|a| a.cue_word.clone())
                        .collect()
                })
                .unwrap_or_default();
            let quote_ids = quotes.overlapping(range.clone());
            for i in 0..tokens.len() {
                if !tokens.is_word(i) || !self.lexicon.cues.contains_key(tokens.lower(i)) {
                    continue;
                }
                let word = tokens.toks[i].start..tokens.toks[i].end;
                let proposed = proposed_cues.contains(&word);
                let (features, rule_features) = sentence_features(
                    &tokens,
                    body,
                    &quotes,
                    quote_ids.clone(),
                    |w| self.lexicon.cues.get(w).copied(),
                    i,
                    proposed,
                );
                out.push(CueCandidate { sentence: s, range: word, proposed, features, rule_features });
            }
        }
        out
    }
}

/// Settings of [`CueModel::train`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CueModelSettings {
    /// L2 penalty per example and step.
    pub l2: f32,
    pub epochs: usize,
    pub learning_rate: f32,
}

impl Default for CueModelSettings {
    fn default() -> Self {
        CueModelSettings { l2: 1e-3, epochs: 30, learning_rate: 0.1 }
    }
}

/// Logistic regression weights over hashed features.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CueModel {
    weights: HashMap<u64, f32>,
}

impl CueModel {
    /// Probability that the candidate is a cue.
    pub fn probability(&self, features: &[u64]) -> f32 {
        let z: f32 = features.iter().filter_map(|f| self.weights.get(f)).sum();
        1.0 / (1.0 + (-z).exp())
    }

    /// Stochastic gradient descent on the log loss, examples in a fixed shuffled order per epoch (a seeded
    /// linear congruential generator, so training is reproducible), learning rate decaying as 1/(1 + epoch).
    pub fn train(examples: &[(&[u64], bool)], settings: CueModelSettings) -> CueModel {
        let mut weights: HashMap<u64, f32> = HashMap::new();
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for epoch in 0..settings.epochs {
            for k in (1..order.len()).rev() {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                let j = ((state >> 33) % (k as u64 + 1)) as usize;
                order.swap(k, j);
            }
            let rate = settings.learning_rate / (1.0 + epoch as f32);
            for &e in &order {
                let (features, label) = examples[e];
                let z: f32 = features.iter().filter_map(|f| weights.get(f)).sum();
                let p = 1.0 / (1.0 + (-z).exp());
                let gradient = p - if label { 1.0 } else { 0.0 };
                for f in features {
                    let w = weights.entry(*f).or_insert(0.0);
                    *w -= rate * (gradient + settings.l2 * *w);
                }
            }
        }
        CueModel { weights }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_lexicon_words_marked_with_the_rules_verdict() {
        let attributor = Attributor::new();
        let body = "The minister said the plan was dead. We know the way.";
        let sentences = [0..36, 37..body.len()];
        let analysis = attributor.analyze_article(body, &sentences);
        let candidates = attributor.cue_candidates(body, &sentences, &analysis);
        let said = candidates.iter().find(|c| &body[c.range.clone()] == "said").expect("said is a candidate");
        assert!(said.proposed);
        assert_eq!(said.sentence, 0);
        let know = candidates.iter().find(|c| &body[c.range.clone()] == "know").expect("know is a candidate");
        assert!(!know.proposed, "know with a plain object is not a cue for the rules");
        assert!(!candidates.iter().any(|c| &body[c.range.clone()] == "plan"));
        assert_ne!(said.features, know.features);
    }

    #[test]
    fn training_separates_a_learnable_pattern_and_is_reproducible() {
        let (a, b, bias) = (feature("w", "said"), feature("w", "way"), feature("bias", ""));
        let positive = [bias, a];
        let negative = [bias, b];
        let examples: Vec<(&[u64], bool)> =
            (0..20).flat_map(|_| [(&positive[..], true), (&negative[..], false)]).collect();
        let model = CueModel::train(&examples, CueModelSettings::default());
        assert!(model.probability(&positive) > 0.8);
        assert!(model.probability(&negative) < 0.2);
        assert_eq!(model, CueModel::train(&examples, CueModelSettings::default()));
    }
}
