//! The word lists of tenor-attribution: the rules' word classes (one set per role a word plays around a cue),
//! the cue lexicon's verb lists, the hedge lists and the credit labels. All are Tenor's own (Apache-2.0),
//! under `models/data/lexicons/tenor/`; entries are lower case.

use crate::{List, WeightedList, WordSet};

// The rules' word classes (tenor-attribution `rules/`).
/// Determiners and possessives that open a noun phrase (speaker and subject detection).
/// (`tenor/determiners.txt`)
pub static DETERMINERS: WordSet =
    WordSet::new("tenor/determiners.txt", include_str!("../../../models/data/lexicons/tenor/determiners.txt"));
/// Negation words of a cue ("did not say"); words ending in "n't" count too (in code).
/// (`tenor/negations.txt`)
pub static NEGATIONS: WordSet =
    WordSet::new("tenor/negations.txt", include_str!("../../../models/data/lexicons/tenor/negations.txt"));
/// Forms of "be" (passive and predicative cues, speaker boundaries).
/// (`tenor/be_forms.txt`)
pub static BE_FORMS: WordSet =
    WordSet::new("tenor/be_forms.txt", include_str!("../../../models/data/lexicons/tenor/be_forms.txt"));
/// Verbs of remembering: a gerund after them ("recalled seeing ...") is their complement, not a plain object.
/// (`tenor/memory_verbs.txt`)
pub static MEMORY_VERBS: WordSet =
    WordSet::new("tenor/memory_verbs.txt", include_str!("../../../models/data/lexicons/tenor/memory_verbs.txt"));
/// Finite auxiliaries that show a clause has started ("the room was", "the plan will").
/// (`tenor/finite_auxiliaries.txt`)
pub static FINITE_AUXILIARIES: WordSet = WordSet::new(
    "tenor/finite_auxiliaries.txt",
    include_str!("../../../models/data/lexicons/tenor/finite_auxiliaries.txt"),
);
/// Auxiliaries and adverbs that may stand between a speaker and the cue (forms of "be" and negations count too, in code).
/// (`tenor/between_words.txt`)
pub static BETWEEN_WORDS: WordSet =
    WordSet::new("tenor/between_words.txt", include_str!("../../../models/data/lexicons/tenor/between_words.txt"));
/// Words that end the stretch of text a speaker can come from, scanning left from the cue.
/// (`tenor/left_boundaries.txt`)
pub static LEFT_BOUNDARIES: WordSet = WordSet::new(
    "tenor/left_boundaries.txt",
    include_str!("../../../models/data/lexicons/tenor/left_boundaries.txt"),
);
/// Relative pronouns ("the minister who said").
/// (`tenor/relatives.txt`)
pub static RELATIVES: WordSet =
    WordSet::new("tenor/relatives.txt", include_str!("../../../models/data/lexicons/tenor/relatives.txt"));
/// Words that open an introductory phrase rather than a speaker ("In a statement, the minister said").
/// (`tenor/intro_words.txt`)
pub static INTRO_WORDS: WordSet =
    WordSet::new("tenor/intro_words.txt", include_str!("../../../models/data/lexicons/tenor/intro_words.txt"));
/// Leading words stripped from a speaker.
/// (`tenor/leading_fillers.txt`)
pub static LEADING_FILLERS: WordSet = WordSet::new(
    "tenor/leading_fillers.txt",
    include_str!("../../../models/data/lexicons/tenor/leading_fillers.txt"),
);
/// Words a speaker never starts with (forms of "be" count too, in code).
/// (`tenor/bad_speaker_starts.txt`)
pub static BAD_SPEAKER_STARTS: WordSet = WordSet::new(
    "tenor/bad_speaker_starts.txt",
    include_str!("../../../models/data/lexicons/tenor/bad_speaker_starts.txt"),
);
/// Words that start a clause after a cue of belief or knowledge.
/// (`tenor/clause_openers.txt`)
pub static CLAUSE_OPENERS: WordSet = WordSet::new(
    "tenor/clause_openers.txt",
    include_str!("../../../models/data/lexicons/tenor/clause_openers.txt"),
);
/// Cues that can stand as a parenthetical after or inside what they report ("..., I think.", "you know,").
/// (`tenor/parenthetical_cues.txt`)
pub static PARENTHETICAL_CUES: WordSet = WordSet::new(
    "tenor/parenthetical_cues.txt",
    include_str!("../../../models/data/lexicons/tenor/parenthetical_cues.txt"),
);
/// Words after a loose cue that show it takes an object or a phrase, not a clause.
/// (`tenor/loose_cue_objects.txt`)
pub static LOOSE_CUE_OBJECTS: WordSet = WordSet::new(
    "tenor/loose_cue_objects.txt",
    include_str!("../../../models/data/lexicons/tenor/loose_cue_objects.txt"),
);
/// Forms of "say" and "tell": they report speech with anything after them ("said the plan was dead", "told reporters").
/// (`tenor/say_tell_forms.txt`)
pub static SAY_TELL_FORMS: WordSet = WordSet::new(
    "tenor/say_tell_forms.txt",
    include_str!("../../../models/data/lexicons/tenor/say_tell_forms.txt"),
);
/// Belief verbs whose complement is nearly always a clause, so a plain-looking word after them still starts one ("I think Darfur is ..."); the others (feel, fear, wish, expect) often take an object.
/// (`tenor/loose_belief_verbs.txt`)
pub static LOOSE_BELIEF_VERBS: WordSet = WordSet::new(
    "tenor/loose_belief_verbs.txt",
    include_str!("../../../models/data/lexicons/tenor/loose_belief_verbs.txt"),
);
/// Heads of research and record speakers ("the results", "a study", "estimates"), whose evidence verbs report findings even without "that".
/// (`tenor/research_nouns.txt`)
pub static RESEARCH_NOUNS: WordSet = WordSet::new(
    "tenor/research_nouns.txt",
    include_str!("../../../models/data/lexicons/tenor/research_nouns.txt"),
);
/// Prepositions (a cue after one is not a verb; speaker boundaries).
/// (`tenor/prepositions.txt`)
pub static PREPOSITIONS: WordSet =
    WordSet::new("tenor/prepositions.txt", include_str!("../../../models/data/lexicons/tenor/prepositions.txt"));
/// Words that open an indirect question or a "that" clause after a cue.
/// (`tenor/question_openers.txt`)
pub static QUESTION_OPENERS: WordSet = WordSet::new(
    "tenor/question_openers.txt",
    include_str!("../../../models/data/lexicons/tenor/question_openers.txt"),
);
/// Personal pronouns (speakers, and subjects of a clause after a cue).
/// (`tenor/pronouns.txt`)
pub static PRONOUNS: WordSet =
    WordSet::new("tenor/pronouns.txt", include_str!("../../../models/data/lexicons/tenor/pronouns.txt"));
/// Time words that may stand between a cue and its speaker or content ("said on Tuesday").
/// (`tenor/time_words.txt`)
pub static TIME_WORDS: WordSet =
    WordSet::new("tenor/time_words.txt", include_str!("../../../models/data/lexicons/tenor/time_words.txt"));
/// Nouns that report a claim when followed by "that".
/// (`tenor/claim_nouns.txt`)
pub static CLAIM_NOUNS: WordSet =
    WordSet::new("tenor/claim_nouns.txt", include_str!("../../../models/data/lexicons/tenor/claim_nouns.txt"));
/// Reporting verbs that are also common nouns ("the report", "his claims", "the states").
/// (`tenor/noun_like_cues.txt`)
pub static NOUN_LIKE_CUES: WordSet = WordSet::new(
    "tenor/noun_like_cues.txt",
    include_str!("../../../models/data/lexicons/tenor/noun_like_cues.txt"),
);

// The cue lexicon (tenor-attribution `lexicon.rs`); inflections of base forms are generated there.
/// Verb forms of the GenderGapTracker quote-verb list that are mostly something else in news prose; left out of the attribution cue lexicon.
/// (`tenor/quote_verbs_excluded.txt`)
pub static QUOTE_VERBS_EXCLUDED: WordSet = WordSet::new(
    "tenor/quote_verbs_excluded.txt",
    include_str!("../../../models/data/lexicons/tenor/quote_verbs_excluded.txt"),
);
/// Speech verbs beyond the GenderGapTracker list, as base forms (inflections are generated in code).
/// (`tenor/speech_verbs_extra.txt`)
pub static SPEECH_VERBS_EXTRA: WordSet = WordSet::new(
    "tenor/speech_verbs_extra.txt",
    include_str!("../../../models/data/lexicons/tenor/speech_verbs_extra.txt"),
);
/// Verbs of belief (think, believe, hope), base forms: cues that need a clause after them. They override the speech list.
/// (`tenor/belief_verbs.txt`)
pub static BELIEF_VERBS: WordSet =
    WordSet::new("tenor/belief_verbs.txt", include_str!("../../../models/data/lexicons/tenor/belief_verbs.txt"));
/// Verbs of knowing and evidence (know, show, reveal), base forms: cues that need `that`, a wh-word or a subject pronoun after them. They override the speech and belief lists.
/// (`tenor/evidence_verbs.txt`)
pub static EVIDENCE_VERBS: WordSet = WordSet::new(
    "tenor/evidence_verbs.txt",
    include_str!("../../../models/data/lexicons/tenor/evidence_verbs.txt"),
);
/// Speech verbs that report speech on their own ("the minister said", "X denied it"), base forms; other communication verbs of the speech lists are Report cues.
/// (`tenor/core_speech_verbs.txt`)
pub static CORE_SPEECH_VERBS: WordSet = WordSet::new(
    "tenor/core_speech_verbs.txt",
    include_str!("../../../models/data/lexicons/tenor/core_speech_verbs.txt"),
);
/// Predicative adjectives after a form of "be" that report a stance (sure, convinced, aware).
/// (`tenor/stance_adjectives.txt`)
pub static STANCE_ADJECTIVES: WordSet = WordSet::new(
    "tenor/stance_adjectives.txt",
    include_str!("../../../models/data/lexicons/tenor/stance_adjectives.txt"),
);
/// Inflected cue forms that are mostly nouns or adjectives ("feeling", "hopes"); removed from the cue lexicon.
/// (`tenor/cue_nouns_excluded.txt`)
pub static CUE_NOUNS_EXCLUDED: WordSet = WordSet::new(
    "tenor/cue_nouns_excluded.txt",
    include_str!("../../../models/data/lexicons/tenor/cue_nouns_excluded.txt"),
);
/// Irregular verb forms added to the generated inflections: the base form, then its irregular forms, separated by spaces (a base alone has none).
/// (`tenor/irregular_verbs.txt`)
pub static IRREGULAR_VERBS: List = List::new(
    "tenor/irregular_verbs.txt",
    include_str!("../../../models/data/lexicons/tenor/irregular_verbs.txt"),
);

// The hedge lexicon (tenor-attribution `lexicon.rs`, on top of the wooorm lists in `third_party`).
/// Entries of the wooorm hedge and weasel lists that do not hedge in news prose (boosters such as "clearly", quantifiers such as "many", "will").
/// (`tenor/hedges_excluded.txt`)
pub static HEDGES_EXCLUDED: WordSet = WordSet::new(
    "tenor/hedges_excluded.txt",
    include_str!("../../../models/data/lexicons/tenor/hedges_excluded.txt"),
);
/// Weasel words (wooorm list) that do hedge; the rest of that list are boosters and vague intensifiers.
/// (`tenor/weasel_hedges.txt`)
pub static WEASEL_HEDGES: WordSet =
    WordSet::new("tenor/weasel_hedges.txt", include_str!("../../../models/data/lexicons/tenor/weasel_hedges.txt"));
/// Hedges outside the wooorm lists (evidential and rumour markers), each with how much it lowers certainty: phrase<TAB>weight.
/// (`tenor/hedges_extra.txt`)
pub static HEDGES_EXTRA: WeightedList = WeightedList::new(
    "tenor/hedges_extra.txt",
    include_str!("../../../models/data/lexicons/tenor/hedges_extra.txt"),
);
/// Weights of hedges from the wooorm lists, by what kind of hedge they are: phrase<TAB>weight. A listed hedge not here weighs 0.15 (in code).
/// (`tenor/hedge_weights.txt`)
pub static HEDGE_WEIGHTS: WeightedList = WeightedList::new(
    "tenor/hedge_weights.txt",
    include_str!("../../../models/data/lexicons/tenor/hedge_weights.txt"),
);

// Source credits (tenor-attribution `credits.rs`).
/// Words that label a media credit when a colon (or GUM's occasional semicolon) follows ("Image: Nick Moreau."). Lower case, matched against the lower-cased word.
/// (`tenor/credit_labels.txt`)
pub static CREDIT_LABELS: WordSet =
    WordSet::new("tenor/credit_labels.txt", include_str!("../../../models/data/lexicons/tenor/credit_labels.txt"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_parses_and_is_lower_case() {
        let sets: &[&WordSet] = &[
            &DETERMINERS,
            &NEGATIONS,
            &BE_FORMS,
            &MEMORY_VERBS,
            &FINITE_AUXILIARIES,
            &BETWEEN_WORDS,
            &LEFT_BOUNDARIES,
            &RELATIVES,
            &INTRO_WORDS,
            &LEADING_FILLERS,
            &BAD_SPEAKER_STARTS,
            &CLAUSE_OPENERS,
            &PARENTHETICAL_CUES,
            &LOOSE_CUE_OBJECTS,
            &SAY_TELL_FORMS,
            &LOOSE_BELIEF_VERBS,
            &RESEARCH_NOUNS,
            &PREPOSITIONS,
            &QUESTION_OPENERS,
            &PRONOUNS,
            &TIME_WORDS,
            &CLAIM_NOUNS,
            &NOUN_LIKE_CUES,
            &QUOTE_VERBS_EXCLUDED,
            &SPEECH_VERBS_EXTRA,
            &BELIEF_VERBS,
            &EVIDENCE_VERBS,
            &CORE_SPEECH_VERBS,
            &STANCE_ADJECTIVES,
            &CUE_NOUNS_EXCLUDED,
            &HEDGES_EXCLUDED,
            &WEASEL_HEDGES,
            &CREDIT_LABELS,
        ];
        for set in sets {
            assert!(!set.is_empty(), "{}", set.file());
            for entry in set.entries() {
                assert_eq!(entry, entry.to_lowercase(), "{}: lower case", set.file());
            }
        }
        for list in [&HEDGES_EXTRA, &HEDGE_WEIGHTS] {
            let weights: Vec<f64> = list.entries().map(|(_, w)| w).collect();
            assert!(!weights.is_empty() && weights.iter().all(|w| (0.0..=1.0).contains(w)), "{}", list.file());
        }
        assert!(IRREGULAR_VERBS.entries().any(|l| l == "say said"));
    }

    #[test]
    fn spot_checks() {
        assert!(DETERMINERS.contains("the"));
        assert!(NEGATIONS.contains("n’t"));
        assert!(BE_FORMS.contains("was"));
        assert!(!BE_FORMS.contains("said"));
        assert!(NOUN_LIKE_CUES.contains("report"));
        assert_eq!(HEDGE_WEIGHTS.get("may"), Some(0.3));
        assert_eq!(HEDGE_WEIGHTS.get("looks like"), Some(0.25));
        assert_eq!(HEDGES_EXTRA.get("allegedly"), Some(0.4));
        assert!(CREDIT_LABELS.contains("illustration") && !CREDIT_LABELS.contains("Image"));
    }
}
