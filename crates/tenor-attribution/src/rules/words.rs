//! The rules' word classes, as predicates over a lower-cased word. The lists are data files of
//! `tenor-lexicon` (`models/data/lexicons/tenor/`); only the logic that is not a list (suffixes, unions of
//! classes) lives here.

use tenor_lexicon::attribution as lists;

#[inline]
pub(super) fn is_determiner(w: &str) -> bool {
    lists::DETERMINERS.contains(w)
}

#[inline]
pub(super) fn is_negation(w: &str) -> bool {
    lists::NEGATIONS.contains(w) || w.ends_with("n't") || w.ends_with("n’t")
}

#[inline]
pub(super) fn is_be(w: &str) -> bool {
    lists::BE_FORMS.contains(w)
}

#[inline]
pub(super) fn is_memory_verb(w: &str) -> bool {
    lists::MEMORY_VERBS.contains(w)
}

/// Finite auxiliaries that show a clause has started ("the room was", "the plan will").
#[inline]
pub(super) fn is_finite_auxiliary(w: &str) -> bool {
    lists::FINITE_AUXILIARIES.contains(w)
}

/// Auxiliaries, negation and adverbs that may stand between a speaker and the cue.
#[inline]
pub(super) fn is_between_word(w: &str) -> bool {
    is_be(w) || is_negation(w) || lists::BETWEEN_WORDS.contains(w)
}

/// Words that end the stretch of text a speaker can come from, scanning left from the cue.
#[inline]
pub(super) fn is_left_boundary(w: &str) -> bool {
    lists::LEFT_BOUNDARIES.contains(w)
}

#[inline]
pub(super) fn is_relative(w: &str) -> bool {
    lists::RELATIVES.contains(w)
}

/// Words that open an introductory phrase rather than a speaker ("In a statement, the minister said").
#[inline]
pub(super) fn is_intro(w: &str) -> bool {
    lists::INTRO_WORDS.contains(w)
}

/// Leading words stripped from a speaker.
#[inline]
pub(super) fn is_leading_filler(w: &str) -> bool {
    lists::LEADING_FILLERS.contains(w)
}

/// Words a speaker never starts with.
#[inline]
pub(super) fn is_bad_speaker_start(w: &str) -> bool {
    lists::BAD_SPEAKER_STARTS.contains(w) || is_be(w)
}

/// Words that start a clause after a cue of belief or knowledge.
#[inline]
pub(super) fn starts_clause(w: &str) -> bool {
    lists::CLAUSE_OPENERS.contains(w)
}

/// Cues that can stand as a parenthetical after or inside what they report ("…, I think.", "you know,").
#[inline]
pub(super) fn is_parenthetical(w: &str) -> bool {
    lists::PARENTHETICAL_CUES.contains(w)
}

/// Words after a loose cue that show it takes an object or a phrase, not a clause.
#[inline]
pub(super) fn is_loose_excluded(w: &str) -> bool {
    lists::LOOSE_CUE_OBJECTS.contains(w)
}

/// "say" and "tell" report speech with anything after them ("said the plan was dead", "told reporters").
#[inline]
pub(super) fn is_say_or_tell(w: &str) -> bool {
    lists::SAY_TELL_FORMS.contains(w)
}

/// Belief verbs whose complement is nearly always a clause, so a plain-looking word after them still starts
/// one ("I think Darfur is …"); the others (feel, fear, wish, expect) often take an object.
#[inline]
pub(super) fn is_loose_belief(w: &str) -> bool {
    lists::LOOSE_BELIEF_VERBS.contains(w)
}

/// Heads of research and record speakers ("the results", "a study", "estimates"), whose evidence verbs
/// report findings even without `that`.
#[inline]
pub(super) fn is_research_noun(w: &str) -> bool {
    lists::RESEARCH_NOUNS.contains(w)
}

#[inline]
pub(super) fn is_preposition(w: &str) -> bool {
    lists::PREPOSITIONS.contains(w)
}

#[inline]
pub(super) fn starts_question(w: &str) -> bool {
    lists::QUESTION_OPENERS.contains(w)
}

#[inline]
pub(super) fn is_pronoun(w: &str) -> bool {
    lists::PRONOUNS.contains(w)
}

#[inline]
pub(super) fn is_time_word(w: &str) -> bool {
    lists::TIME_WORDS.contains(w)
}

/// Nouns that report a claim when followed by `that`.
#[inline]
pub(super) fn is_claim_noun(w: &str) -> bool {
    lists::CLAIM_NOUNS.contains(w)
}

/// Reporting verbs that are also common nouns ("the report", "his claims", "the states").
#[inline]
pub(super) fn is_noun_like_cue(w: &str) -> bool {
    lists::NOUN_LIKE_CUES.contains(w)
}
