//! The cue and hedge lexicons behind the rules, built once per process ([`LEXICON`]) from the word lists of
//! `tenor-lexicon` (data files under `models/data/lexicons`, compiled into the binary).
//!
//! Reporting verbs start from the GenderGapTracker quote-verb list and add speech, cognition and evidence verbs
//! from wire copy and from GUM's attribution units (train split); each inflected form gets a [`CueClass`].
//! Hedges start from wooorm's hedge list, keep only the weasel words that hedge, drop entries that are not
//! hedges in news prose (boosters such as "clearly", quantifiers such as "many", "will"), and add evidential
//! and rumour markers, each with a weight.

use std::collections::HashMap;
use std::sync::LazyLock;

use tenor_lexicon::{attribution as lists, third_party};

/// The lexicon, built on first use and shared by every `Attributor`.
pub(crate) static LEXICON: LazyLock<Lexicon> = LazyLock::new(Lexicon::new);

/// How a cue word behaves, which decides what the rules demand around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueClass {
    /// Speech and writing (said, told, claimed, noted): a speaker before it, or after it in inversion
    /// (`"…," said Smith`).
    Speech,
    /// Other verbs of communication (wrote, proposed, recalled, described): they report speech only with a
    /// clause or a quote after them ("wrote that", "recalled: \"…\""), not with a plain object.
    Report,
    /// Verbs of belief (think, believe, suspect, hope): need a clause after them.
    Belief,
    /// Verbs of knowing and evidence (know, see, show, reveal, find): need `that`, a wh-word or a subject
    /// pronoun after them, since they often take a plain object ("know the way").
    Evidence,
    /// Predicative adjectives after a form of *be* (sure, convinced, aware).
    Stance,
}

/// Regular inflections of an English verb: base, third person, past, gerund.
fn inflect(base: &str) -> Vec<String> {
    let mut forms = vec![base.to_owned()];
    let bytes = base.as_bytes();
    let last = bytes[bytes.len() - 1];
    let before_last = bytes.get(bytes.len().wrapping_sub(2)).copied().unwrap_or(b'a');
    let is_vowel = |b: u8| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u');
    if last == b'e' {
        let stem = &base[..base.len() - 1];
        forms.extend([format!("{base}s"), format!("{base}d"), format!("{stem}ing")]);
    } else if last == b'y' && !is_vowel(before_last) {
        let stem = &base[..base.len() - 1];
        forms.extend([format!("{stem}ies"), format!("{stem}ied"), format!("{base}ing")]);
    } else if base.ends_with('s') || base.ends_with("sh") || base.ends_with("ch") || base.ends_with('x') {
        forms.extend([format!("{base}es"), format!("{base}ed"), format!("{base}ing")]);
    } else {
        // Doubling before -ed/-ing for short stressed stems (admit, regret): both spellings are harmless.
        forms.extend([format!("{base}s"), format!("{base}ed"), format!("{base}ing")]);
        if !is_vowel(last) && is_vowel(before_last) && !matches!(last, b'w' | b'x' | b'y') {
            forms.extend([format!("{base}{}ed", last as char), format!("{base}{}ing", last as char)]);
        }
    }
    if let Some(line) = lists::IRREGULAR_VERBS.entries().find(|l| l.split_whitespace().next() == Some(base)) {
        forms.extend(line.split_whitespace().skip(1).map(str::to_owned));
    }
    forms
}

/// One hedge entry: its words (lower case) and how much it lowers certainty.
#[derive(Debug, Clone)]
pub(crate) struct HedgePhrase {
    pub words: Vec<String>,
    pub weight: f64,
}

#[derive(Debug)]
pub(crate) struct Lexicon {
    pub cues: HashMap<String, CueClass>,
    /// Hedges by their first word.
    pub hedges: HashMap<String, Vec<HedgePhrase>>,
}

impl Lexicon {
    pub fn new() -> Lexicon {
        let mut cues: HashMap<String, CueClass> = HashMap::new();
        for line in third_party::QUOTE_VERBS.entries() {
            let form = line.to_lowercase();
            if !lists::QUOTE_VERBS_EXCLUDED.contains(&form) {
                cues.insert(form, CueClass::Speech);
            }
        }
        for base in lists::SPEECH_VERBS_EXTRA.entries() {
            for form in inflect(base) {
                cues.entry(form).or_insert(CueClass::Speech);
            }
        }
        let core: Vec<String> = lists::CORE_SPEECH_VERBS.entries().flat_map(inflect).collect();
        for (form, class) in cues.iter_mut() {
            if !core.contains(form) {
                *class = CueClass::Report;
            }
        }
        // Belief and evidence verbs override the speech list, which holds "think" and "suggest" too.
        for base in lists::BELIEF_VERBS.entries() {
            for form in inflect(base) {
                cues.insert(form, CueClass::Belief);
            }
        }
        for base in lists::EVIDENCE_VERBS.entries() {
            for form in inflect(base) {
                cues.insert(form, CueClass::Evidence);
            }
        }
        for adjective in lists::STANCE_ADJECTIVES.entries() {
            cues.insert(adjective.to_owned(), CueClass::Stance);
        }
        // "feeling", "hoping", "meaning" and the like are mostly nouns or adjectives.
        for noun in lists::CUE_NOUNS_EXCLUDED.entries() {
            cues.remove(noun);
        }

        let mut hedges: HashMap<String, Vec<HedgePhrase>> = HashMap::new();
        let mut add = |phrase: &str, weight: f64| {
            let words: Vec<String> = phrase.split_whitespace().map(str::to_lowercase).collect();
            if let Some(first) = words.first().cloned() {
                let entry = hedges.entry(first).or_default();
                if !entry.iter().any(|p| p.words == words) {
                    entry.push(HedgePhrase { words, weight });
                }
            }
        };
        for (phrase, weight) in lists::HEDGES_EXTRA.entries() {
            add(phrase, weight);
        }
        let weasels = third_party::WEASELS.entries().filter(|w| lists::WEASEL_HEDGES.contains(w));
        for line in third_party::HEDGES.entries().chain(weasels) {
            let phrase = line.to_lowercase();
            if !lists::HEDGES_EXCLUDED.contains(&phrase) {
                // A listed hedge weighs by its kind (`hedge_weights.txt`), 0.15 when that list does not name it.
                add(&phrase, lists::HEDGE_WEIGHTS.get(&phrase).unwrap_or(0.15));
            }
        }
        // Longest phrase first, so that "appear to be" wins over "appear".
        for phrases in hedges.values_mut() {
            phrases.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
        }
        Lexicon { cues, hedges }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_load_with_their_classes() {
        let lex = Lexicon::new();
        assert_eq!(lex.cues.get("said"), Some(&CueClass::Speech));
        assert_eq!(lex.cues.get("told"), Some(&CueClass::Speech));
        assert_eq!(lex.cues.get("denied"), Some(&CueClass::Speech));
        assert_eq!(lex.cues.get("admitted"), Some(&CueClass::Speech));
        assert_eq!(lex.cues.get("wrote"), Some(&CueClass::Report));
        assert_eq!(lex.cues.get("thought"), Some(&CueClass::Belief));
        assert_eq!(lex.cues.get("knew"), Some(&CueClass::Evidence));
        assert_eq!(lex.cues.get("continued"), None);
        assert!(lex.hedges.contains_key("reportedly"));
        assert!(lex.hedges.contains_key("may"));
        assert!(!lex.hedges.contains_key("clearly"));
        assert!(lex.hedges["appear"].iter().any(|p| p.words.len() == 3));
    }
}
