//! The word lists behind the rules, compiled into the binary so that `tenor` works from any directory.
//!
//! Reporting verbs start from the GenderGapTracker quote-verb list and add speech, cognition and evidence verbs
//! from wire copy and from GUM's attribution units (train split). Hedges start from wooorm's hedge list, keep
//! only the weasel words that hedge, drop entries that are not hedges in news prose (boosters such as
//! "clearly", quantifiers such as "many", "will"), and add evidential and rumour markers.

use std::collections::HashMap;

const QUOTE_VERBS: &str = include_str!("../../../models/data/lexicons/quote_verb_list.GenderGapTracker.txt");
const HEDGES: &str = include_str!("../../../models/data/lexicons/hedges_wooorm.txt");
const WEASELS: &str = include_str!("../../../models/data/lexicons/weasels_wooorm.txt");

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

/// Verb forms of the GenderGapTracker list that are mostly something else in news prose.
const QUOTE_VERB_EXCLUDED: &[&str] = &[
    "continue",
    "continued",
    "continues",
    "continuing",
    "persist",
    "persisted",
    "persisting",
    "persists",
    "present",
    "presenting",
    "presents",
    "release",
    "released",
    "releases",
    "releasing",
    "preach",
    "preached",
    "preaches",
    "preaching",
    "rave",
    "raved",
    "raves",
    "raving",
    "finding",
    "point",
    "pointed",
    "pointing",
    "points",
    "state",
    "illustrate",
    "illustrated",
    "illustrates",
    "illustrating",
    "demonstrate",
    "demonstrated",
    "demonstrates",
    "demonstrating",
    "ensure",
    "ensured",
    "ensures",
    "ensuring",
    "finds",
    "think",
    "thinking",
    "thinks",
    "thought",
    "convince",
    "convinced",
    "convinces",
    "convincing",
    "indicate",
    "indicated",
    "indicates",
    "indicating",
];

/// Speech verbs beyond the GenderGapTracker list (base forms; inflections are generated).
const SPEECH_EXTRA: &[&str] = &[
    "affirm",
    "allege",
    "answer",
    "ask",
    "aver",
    "boast",
    "brag",
    "caution",
    "cite",
    "complain",
    "concede",
    "confess",
    "contend",
    "counter",
    "deny",
    "disclose",
    "divulge",
    "emphasise",
    "emphasize",
    "forecast",
    "hint",
    "joke",
    "lament",
    "observe",
    "pledge",
    "posit",
    "promise",
    "propose",
    "quip",
    "quote",
    "reason",
    "recall",
    "recommend",
    "recount",
    "reiterate",
    "remark",
    "repeat",
    "retort",
    "scream",
    "shout",
    "speculate",
    "stress",
    "surmise",
    "swear",
    "theorise",
    "theorize",
    "urge",
    "vow",
    "whisper",
    "wonder",
    "yell",
    "acknowledge",
    "calculate",
    "hypothesise",
    "hypothesize",
    "opine",
    "attest",
    "contest",
    "estimate",
    "counsel",
    "rule",
    "read",
];

const BELIEF: &[&str] = &[
    "think",
    "believe",
    "suspect",
    "suppose",
    "guess",
    "reckon",
    "hope",
    "fear",
    "feel",
    "expect",
    "doubt",
    "imagine",
    "assume",
    "wish",
    "agree",
    "accept",
    "worry",
    "presume",
    "figure",
    "bet",
    "trust",
    "mean",
    "realise",
    "realize",
    "notice",
    "remember",
    "recognise",
    "recognize",
    "decide",
];

const EVIDENCE: &[&str] = &[
    "know",
    "see",
    "find",
    "show",
    "reveal",
    "prove",
    "demonstrate",
    "determine",
    "discover",
    "indicate",
    "ensure",
    "illustrate",
    "learn",
    "hear",
    "understand",
    "forget",
    "maintain",
    "convince",
    "suggest",
];

/// Speech verbs that report speech on their own ("the minister said", "X denied it"); the other
/// communication verbs are [`CueClass::Report`].
const CORE_SPEECH: &[&str] = &[
    "say",
    "tell",
    "claim",
    "state",
    "note",
    "add",
    "insist",
    "argue",
    "assert",
    "declare",
    "confirm",
    "deny",
    "warn",
    "explain",
    "report",
    "announce",
    "admit",
    "acknowledge",
    "reply",
    "comment",
    "remark",
    "observe",
    "tweet",
    "allege",
    "concede",
    "contend",
    "reiterate",
    "testify",
    "caution",
    "counter",
    "retort",
    "quip",
    "stress",
    "emphasise",
    "emphasize",
    "conclude",
    "respond",
];

const STANCE_ADJECTIVES: &[&str] = &[
    "sure",
    "convinced",
    "aware",
    "confident",
    "certain",
    "adamant",
    "positive",
    "concerned",
    "worried",
    "optimistic",
    "hopeful",
    "afraid",
    "fearful",
    "skeptical",
    "sceptical",
    "determined",
    "convinced",
];

/// Irregular forms (base, forms).
const IRREGULAR: &[(&str, &[&str])] = &[
    ("say", &["said"]),
    ("tell", &["told"]),
    ("write", &["wrote", "written"]),
    ("tweet", &[]),
    ("think", &["thought"]),
    ("know", &["knew", "known"]),
    ("see", &["saw", "seen"]),
    ("find", &["found"]),
    ("show", &["shown"]),
    ("prove", &["proven"]),
    ("hear", &["heard"]),
    ("learn", &["learnt"]),
    ("feel", &["felt"]),
    ("mean", &["meant"]),
    ("forget", &["forgot", "forgotten"]),
    ("understand", &["understood"]),
    ("swear", &["swore", "sworn"]),
    ("bet", &[]),
    ("forecast", &[]),
];

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
    if let Some((_, irregular)) = IRREGULAR.iter().find(|(b, _)| *b == base) {
        forms.extend(irregular.iter().map(|f| (*f).to_owned()));
    }
    forms
}

/// One hedge entry: its words (lower case) and how much it lowers certainty.
#[derive(Debug, Clone)]
pub(crate) struct HedgePhrase {
    pub words: Vec<String>,
    pub weight: f64,
}

/// Entries of the hedge lists that do not hedge in news prose.
const HEDGE_EXCLUDED: &[&str] = &[
    "always",
    "certain",
    "certainly",
    "clear",
    "clearly",
    "quite clearly",
    "definite",
    "definitely",
    "must",
    "will",
    "say",
    "says",
    "can",
    "read",
    "really",
    "find",
    "finds",
    "found",
    "like",
    "many",
    "most",
    "much",
    "few",
    "little",
    "several",
    "some",
    "something",
    "someone",
    "somebody",
    "somewhere",
    "often",
    "frequently",
    "usually",
    "generally",
    "overall",
    "mainly",
    "mostly",
    "largely",
    "actually",
    "basically",
    "effectively",
    "necessarily",
    "diagnostic",
    "consistent with",
    "at least",
    "so far",
    "couple",
    "bunch",
    "a bit",
    "pretty",
    "quite",
    "rather",
    "fairly",
    "rare",
    "rarely",
    "seldom",
    "occasionally",
    "sometimes",
    "in general",
    "and all that",
    "and so forth",
    "et cetera",
    "something or other",
    "be sure",
    "surely",
    "consider",
    "considered",
    "considers",
    "evidently",
    "understand",
    "understands",
    "understood",
    "in general",
    "doubt",
    "practically",
    "virtually",
    "frequently",
    "certain",
    "if i'm understanding you correctly",
];

/// Weasel words that do hedge (the rest of that list are boosters and vague intensifiers).
const WEASEL_HEDGES: &[&str] =
    &["reportedly", "arguably", "supposed", "seemed", "seems", "appears", "appeared", "probably", "believed"];

/// Cues outside the lists, with their weights.
const HEDGE_EXTRA: &[(&str, f64)] = &[
    ("allegedly", 0.4),
    ("reportedly", 0.4),
    ("purportedly", 0.4),
    ("supposedly", 0.4),
    ("reputedly", 0.4),
    ("ostensibly", 0.35),
    ("rumoured", 0.4),
    ("rumored", 0.4),
    ("unconfirmed", 0.4),
    ("unverified", 0.4),
    ("purported", 0.35),
    ("alleged", 0.35),
    ("potentially", 0.3),
    ("seemingly", 0.25),
    ("suspected", 0.2),
    ("tentatively", 0.2),
    ("preliminary", 0.15),
    ("nearly", 0.1),
    ("unclear", 0.25),
    ("uncertain", 0.25),
    ("is said to", 0.3),
    ("are said to", 0.3),
    ("was said to", 0.3),
    ("were said to", 0.3),
    ("is believed to", 0.25),
    ("are believed to", 0.25),
    ("is thought to", 0.25),
    ("are thought to", 0.25),
    ("is expected to", 0.15),
    ("are expected to", 0.15),
    ("it appears", 0.25),
    ("according to", 0.1),
];

/// The weight of a hedge from the lists, by what kind of hedge it is.
fn listed_weight(phrase: &str) -> f64 {
    match phrase {
        "alleged" | "allege" | "apparent" | "supposed" | "reportedly" => 0.35,
        "may" | "might" | "could" | "possibly" | "perhaps" | "maybe" | "possible" | "conceivably"
        | "possibility" => 0.3,
        "appear" | "appears" | "appeared" | "appear to be" | "seem" | "seems" | "seemed" | "apparently"
        | "suggest" | "suggests" | "suggested" | "suggestive" | "indicate" | "look like" | "looks like" => 0.25,
        "probably" | "likely" | "unlikely" | "probable" | "presumably" | "presumable" | "doubtful"
        | "improbable" | "tend" | "probability" | "inconclusive" | "unsure" => 0.2,
        "about" | "around" | "approximately" | "roughly" | "almost" | "almost never" | "more or less"
        | "kind of" | "sort of" | "somewhat" | "somehow" | "partially" | "would" | "should" | "hopefully" => 0.1,
        _ => 0.15,
    }
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
        for line in QUOTE_VERBS.lines() {
            let form = line.trim().to_lowercase();
            if !form.is_empty() && !QUOTE_VERB_EXCLUDED.contains(&form.as_str()) {
                cues.insert(form, CueClass::Speech);
            }
        }
        for base in SPEECH_EXTRA {
            for form in inflect(base) {
                cues.entry(form).or_insert(CueClass::Speech);
            }
        }
        let core: Vec<String> = CORE_SPEECH.iter().flat_map(|b| inflect(b)).collect();
        for (form, class) in cues.iter_mut() {
            if !core.contains(form) {
                *class = CueClass::Report;
            }
        }
        // Belief and evidence verbs override the speech list, which holds "think" and "suggest" too.
        for base in BELIEF {
            for form in inflect(base) {
                cues.insert(form, CueClass::Belief);
            }
        }
        for base in EVIDENCE {
            for form in inflect(base) {
                cues.insert(form, CueClass::Evidence);
            }
        }
        for adjective in STANCE_ADJECTIVES {
            cues.insert((*adjective).to_owned(), CueClass::Stance);
        }
        // "feeling", "hoping", "meaning" and the like are mostly nouns or adjectives.
        for noun in [
            "feeling", "feelings", "meaning", "findings", "hopes", "fears", "doubts", "bets", "trusts", "means",
            "wishes",
        ] {
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
        for (phrase, weight) in HEDGE_EXTRA {
            add(phrase, *weight);
        }
        for line in HEDGES.lines().chain(WEASELS.lines().filter(|w| WEASEL_HEDGES.contains(&w.trim()))) {
            let phrase = line.trim().to_lowercase();
            if !phrase.is_empty() && !HEDGE_EXCLUDED.contains(&phrase.as_str()) {
                add(&phrase, listed_weight(&phrase));
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
