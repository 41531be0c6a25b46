//! The word lists of tenor-attribution: the rules' word classes (one set per role a word plays around a cue),
//! the cue lexicon's verb lists, the hedge lists and the credit labels. All are Tenor's own (Apache-2.0),
//! under `models/data/lexicons/tenor/`; entries are lower case.

use crate::{List, WeightedList, WordSet};

// The rules' word classes (tenor-attribution `rules/`).
lists! {
    /// Determiners and possessives that open a noun phrase (speaker and subject detection).
    DETERMINERS: WordSet = "tenor/determiners.txt";
    /// Negation words of a cue ("did not say"); words ending in "n't" count too (in code).
    NEGATIONS: WordSet = "tenor/negations.txt";
    /// Forms of "be" (passive and predicative cues, speaker boundaries).
    BE_FORMS: WordSet = "tenor/be_forms.txt";
    /// Verbs of remembering: a gerund after them ("recalled seeing ...") is their complement, not a plain object.
    MEMORY_VERBS: WordSet = "tenor/memory_verbs.txt";
    /// Finite auxiliaries that show a clause has started ("the room was", "the plan will").
    FINITE_AUXILIARIES: WordSet = "tenor/finite_auxiliaries.txt";
    /// Auxiliaries and adverbs that may stand between a speaker and the cue (forms of "be" and negations count too, in code).
    BETWEEN_WORDS: WordSet = "tenor/between_words.txt";
    /// Words that end the stretch of text a speaker can come from, scanning left from the cue.
    LEFT_BOUNDARIES: WordSet = "tenor/left_boundaries.txt";
    /// Relative pronouns ("the minister who said").
    RELATIVES: WordSet = "tenor/relatives.txt";
    /// Words that open an introductory phrase rather than a speaker ("In a statement, the minister said").
    INTRO_WORDS: WordSet = "tenor/intro_words.txt";
    /// Leading words stripped from a speaker.
    LEADING_FILLERS: WordSet = "tenor/leading_fillers.txt";
    /// Words a speaker never starts with (forms of "be" count too, in code).
    BAD_SPEAKER_STARTS: WordSet = "tenor/bad_speaker_starts.txt";
    /// Words that start a clause after a cue of belief or knowledge.
    CLAUSE_OPENERS: WordSet = "tenor/clause_openers.txt";
    /// Cues that can stand as a parenthetical after or inside what they report ("..., I think.", "you know,").
    PARENTHETICAL_CUES: WordSet = "tenor/parenthetical_cues.txt";
    /// Words after a loose cue that show it takes an object or a phrase, not a clause.
    LOOSE_CUE_OBJECTS: WordSet = "tenor/loose_cue_objects.txt";
    /// Forms of "say" and "tell": they report speech with anything after them ("said the plan was dead", "told reporters").
    SAY_TELL_FORMS: WordSet = "tenor/say_tell_forms.txt";
    /// Belief verbs whose complement is nearly always a clause, so a plain-looking word after them still starts one ("I think Darfur is ..."); the others (feel, fear, wish, expect) often take an object.
    LOOSE_BELIEF_VERBS: WordSet = "tenor/loose_belief_verbs.txt";
    /// Heads of research and record speakers ("the results", "a study", "estimates"), whose evidence verbs report findings even without "that".
    RESEARCH_NOUNS: WordSet = "tenor/research_nouns.txt";
    /// Prepositions (a cue after one is not a verb; speaker boundaries).
    PREPOSITIONS: WordSet = "tenor/prepositions.txt";
    /// Words that open an indirect question or a "that" clause after a cue.
    QUESTION_OPENERS: WordSet = "tenor/question_openers.txt";
    /// Personal pronouns (speakers, and subjects of a clause after a cue).
    PRONOUNS: WordSet = "tenor/pronouns.txt";
    /// Time words that may stand between a cue and its speaker or content ("said on Tuesday").
    TIME_WORDS: WordSet = "tenor/time_words.txt";
    /// Nouns that report a claim when followed by "that".
    CLAIM_NOUNS: WordSet = "tenor/claim_nouns.txt";
    /// Reporting verbs that are also common nouns ("the report", "his claims", "the states").
    NOUN_LIKE_CUES: WordSet = "tenor/noun_like_cues.txt";
}

// The cue lexicon (tenor-attribution `lexicon.rs`); inflections of base forms are generated there.
lists! {
    /// Verb forms of the GenderGapTracker quote-verb list that are mostly something else in news prose; left out of the attribution cue lexicon.
    QUOTE_VERBS_EXCLUDED: WordSet = "tenor/quote_verbs_excluded.txt";
    /// Speech verbs beyond the GenderGapTracker list, as base forms (inflections are generated in code).
    SPEECH_VERBS_EXTRA: WordSet = "tenor/speech_verbs_extra.txt";
    /// Verbs of belief (think, believe, hope), base forms: cues that need a clause after them. They override the speech list.
    BELIEF_VERBS: WordSet = "tenor/belief_verbs.txt";
    /// Verbs of knowing and evidence (know, show, reveal), base forms: cues that need `that`, a wh-word or a subject pronoun after them. They override the speech and belief lists.
    EVIDENCE_VERBS: WordSet = "tenor/evidence_verbs.txt";
    /// Speech verbs that report speech on their own ("the minister said", "X denied it"), base forms; other communication verbs of the speech lists are Report cues.
    CORE_SPEECH_VERBS: WordSet = "tenor/core_speech_verbs.txt";
    /// Predicative adjectives after a form of "be" that report a stance (sure, convinced, aware).
    STANCE_ADJECTIVES: WordSet = "tenor/stance_adjectives.txt";
    /// Inflected cue forms that are mostly nouns or adjectives ("feeling", "hopes"); removed from the cue lexicon.
    CUE_NOUNS_EXCLUDED: WordSet = "tenor/cue_nouns_excluded.txt";
    /// Irregular verb forms added to the generated inflections: the base form, then its irregular forms, separated by spaces (a base alone has none).
    IRREGULAR_VERBS: List = "tenor/irregular_verbs.txt";
}

// The hedge lexicon (tenor-attribution `lexicon.rs`, on top of the wooorm lists in `third_party`).
lists! {
    /// Entries of the wooorm hedge and weasel lists that do not hedge in news prose (boosters such as "clearly", quantifiers such as "many", "will").
    HEDGES_EXCLUDED: WordSet = "tenor/hedges_excluded.txt";
    /// Weasel words (wooorm list) that do hedge; the rest of that list are boosters and vague intensifiers.
    WEASEL_HEDGES: WordSet = "tenor/weasel_hedges.txt";
    /// Hedges outside the wooorm lists (evidential and rumour markers), each with how much it lowers certainty: phrase<TAB>weight.
    HEDGES_EXTRA: WeightedList = "tenor/hedges_extra.txt";
    /// Weights of hedges from the wooorm lists, by what kind of hedge they are: phrase<TAB>weight. A listed hedge not here weighs 0.15 (in code).
    HEDGE_WEIGHTS: WeightedList = "tenor/hedge_weights.txt";
}

// Source credits (tenor-attribution `credits.rs`).
lists! {
    /// Words that label a media credit when a colon (or GUM's occasional semicolon) follows ("Image: Nick Moreau."). Lower case, matched against the lower-cased word.
    CREDIT_LABELS: WordSet = "tenor/credit_labels.txt";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::set::assert_members;

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
        assert_members(&DETERMINERS, &["the"], &[]);
        assert_members(&NEGATIONS, &["n’t"], &[]);
        assert_members(&BE_FORMS, &["was"], &["said"]);
        assert_members(&NOUN_LIKE_CUES, &["report"], &[]);
        assert_eq!(HEDGE_WEIGHTS.get("may"), Some(0.3));
        assert_eq!(HEDGE_WEIGHTS.get("looks like"), Some(0.25));
        assert_eq!(HEDGES_EXTRA.get("allegedly"), Some(0.4));
        assert_members(&CREDIT_LABELS, &["illustration"], &["Image"]);
    }
}
