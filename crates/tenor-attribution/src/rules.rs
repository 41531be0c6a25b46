//! Attribution of one sentence from token patterns: find cue candidates, then the speaker each one needs,
//! then the content and quote. The first candidate outside quoted text that yields a speaker wins.

use std::ops::Range;

use crate::lexicon::{CueClass, Lexicon};
use crate::quotes::QuoteMap;
use crate::tokens::{TokenKind, Tokens};

/// Cue candidates tried per sentence; bounds the work on pathological sentences.
const MAX_CANDIDATES: usize = 12;
/// Longest speaker, in tokens.
const MAX_SPEAKER_TOKENS: usize = 20;
/// Longest speaker after its cue (`"…," said the minister of finance`), in tokens.
const MAX_INVERTED_SPEAKER_TOKENS: usize = 10;

/// What kind of cue introduced an attribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueKind {
    /// A reporting verb (said, told, claimed, denied).
    Speech,
    /// A verb of belief or knowledge, or a predicative adjective (thinks, knows, is convinced).
    Cognition,
    /// `according to X`, `in the words of X`.
    Source,
    /// A noun: `X's claim that`, `the assertion by X that`.
    Nominal,
}

impl CueKind {
    /// The kind of a verb or adjective cue: verbs of speech and report say something; the rest (belief,
    /// evidence, predicative adjectives) report a thought.
    fn of_verb(class: CueClass) -> CueKind {
        if matches!(class, CueClass::Speech | CueClass::Report) {
            CueKind::Speech
        } else {
            CueKind::Cognition
        }
    }
}

/// One sentence's attribution, in byte offsets into the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributionSpans {
    pub speaker: Range<usize>,
    /// The cue as recorded: the cue word(s), widened to the auxiliary when negated ("did not say").
    pub cue: Range<usize>,
    /// The lexical cue alone ("say", "according to"): GUM's indicative word.
    pub cue_word: Range<usize>,
    pub content: Option<Range<usize>>,
    /// The quoted span for direct speech (from the first quoted word to the last, across a split quote).
    pub quote: Option<Range<usize>>,
    /// "did not say", "never claimed": the speaker is reported as *not* saying it.
    pub negated: bool,
    pub kind: CueKind,
    /// Copied from the sentence holding the cue, because this sentence is part of the same quote.
    pub inherited: bool,
    /// The cue lies inside quoted text: someone quoted reports someone else (or their own thought).
    pub in_quote: bool,
}

fn is_determiner(w: &str) -> bool {
    matches!(
        w,
        "the"
            | "a"
            | "an"
            | "this"
            | "these"
            | "those"
            | "his"
            | "her"
            | "their"
            | "its"
            | "our"
            | "my"
            | "your"
            | "some"
            | "any"
            | "every"
            | "each"
            | "no"
            | "another"
            | "new"
            | "latest"
            | "recent"
            | "'s"
            | "’s"
    )
}

fn is_negation(w: &str) -> bool {
    matches!(w, "not" | "n't" | "n’t" | "never" | "cannot") || w.ends_with("n't") || w.ends_with("n’t")
}

fn is_be(w: &str) -> bool {
    matches!(
        w,
        "is" | "are" | "was" | "were" | "be" | "been" | "being" | "am" | "'m" | "’m" | "'re" | "’re" | "'s" | "’s"
    )
}

fn is_memory_verb(w: &str) -> bool {
    matches!(w, "remember" | "remembers" | "remembered" | "recall" | "recalls" | "recalled")
}

/// Finite auxiliaries that show a clause has started ("the room was", "the plan will").
fn is_finite_auxiliary(w: &str) -> bool {
    matches!(
        w,
        "is" | "are"
            | "was"
            | "were"
            | "did"
            | "does"
            | "has"
            | "had"
            | "will"
            | "would"
            | "could"
            | "can"
            | "should"
            | "might"
            | "must"
    )
}

/// Auxiliaries, negation and adverbs that may stand between a speaker and the cue.
fn is_between_word(w: &str) -> bool {
    is_be(w)
        || is_negation(w)
        || matches!(
            w,
            "has"
                | "have"
                | "had"
                | "'ve"
                | "’ve"
                | "'d"
                | "’d"
                | "'ll"
                | "’ll"
                | "will"
                | "would"
                | "shall"
                | "should"
                | "can"
                | "could"
                | "may"
                | "might"
                | "must"
                | "did"
                | "does"
                | "do"
                | "also"
                | "remain"
                | "remains"
                | "remained"
                | "further"
                | "previously"
                | "then"
                | "later"
                | "earlier"
                | "again"
                | "just"
                | "recently"
                | "repeatedly"
                | "publicly"
                | "privately"
                | "once"
                | "already"
                | "often"
                | "still"
                | "even"
                | "always"
                | "really"
                | "solemnly"
                | "briefly"
                | "first"
                | "separately"
                | "similarly"
                | "reportedly"
                | "allegedly"
                | "subsequently"
                | "initially"
                | "originally"
                | "frequently"
                | "openly"
                | "explicitly"
                | "simply"
                | "only"
                | "actually"
                | "personally"
                | "generally"
                | "certainly"
                | "strongly"
                | "consistently"
                | "flatly"
                | "firmly"
                | "categorically"
                | "quickly"
                | "immediately"
                | "ultimately"
                | "finally"
                | "now"
                | "ever"
                | "all"
                | "both"
                | "too"
                | "yet"
                | "clearly"
                | "widely"
                | "long"
                | "officially"
                | "formally"
                | "emphatically"
                | "angrily"
                | "softly"
                | "quietly"
                | "confidently"
                | "proudly"
                | "mostly"
                | "largely"
                | "broadly"
                | "generously"
                | "tearfully"
                | "bluntly"
                | "candidly"
                | "tellingly"
                | "correctly"
                | "wrongly"
                | "mistakenly"
                | "incorrectly"
                | "specifically"
                | "anonymously"
                | "reluctantly"
                | "defiantly"
                | "calmly"
                | "cautiously"
                | "rightly"
                | "falsely"
                | "truly"
                | "sincerely"
                | "honestly"
                | "seriously"
        )
}

/// Words that end the stretch of text a speaker can come from, scanning left from the cue.
fn is_left_boundary(w: &str) -> bool {
    matches!(
        w,
        "that"
            | "because"
            | "while"
            | "whereas"
            | "although"
            | "though"
            | "when"
            | "where"
            | "if"
            | "unless"
            | "as"
            | "but"
            | "than"
            | "whether"
            | "what"
            | "how"
            | "why"
            | "who"
            | "which"
            | "whom"
            | "whose"
            | "so"
            | "since"
            | "until"
            | "after"
            | "before"
            | "once"
            | "whatever"
            | "whenever"
    )
}

fn is_relative(w: &str) -> bool {
    matches!(w, "who" | "which" | "that" | "whom")
}

/// Words that open an introductory phrase rather than a speaker ("In a statement, the minister said").
fn is_intro(w: &str) -> bool {
    matches!(
        w,
        "in" | "on"
            | "at"
            | "after"
            | "before"
            | "during"
            | "for"
            | "from"
            | "with"
            | "by"
            | "under"
            | "over"
            | "speaking"
            | "asked"
            | "according"
            | "when"
            | "while"
            | "although"
            | "though"
            | "if"
            | "however"
            | "meanwhile"
            | "earlier"
            | "later"
            | "yesterday"
            | "today"
            | "tonight"
            | "now"
            | "then"
            | "also"
            | "still"
            | "instead"
            | "indeed"
            | "moreover"
            | "furthermore"
            | "separately"
            | "elsewhere"
            | "finally"
            | "last"
            | "this"
            | "since"
            | "despite"
            | "amid"
            | "following"
            | "writing"
            | "responding"
            | "commenting"
            | "addressing"
            | "of"
            | "to"
            | "about"
            | "as"
            | "because"
            | "once"
            | "like"
            | "unlike"
            | "overall"
            | "thus"
            | "therefore"
            | "hence"
            | "ultimately"
            | "first"
            | "second"
            | "third"
            | "lastly"
            | "besides"
            | "yes"
            | "no"
            | "oh"
            | "well"
            | "so"
            | "and"
            | "but"
            | "or"
            | "yet"
    )
}

/// Leading words stripped from a speaker.
fn is_leading_filler(w: &str) -> bool {
    matches!(
        w,
        "and"
            | "but"
            | "so"
            | "well"
            | "then"
            | "now"
            | "yes"
            | "oh"
            | "also"
            | "or"
            | "yet"
            | "still"
            | "however"
            | "meanwhile"
            | "moreover"
            | "instead"
            | "indeed"
            | "thus"
            | "hence"
            | "therefore"
            | "and,"
            | "plus"
            | "nor"
    )
}

/// Words a speaker never starts with.
fn is_bad_speaker_start(w: &str) -> bool {
    matches!(
        w,
        "to" | "of"
            | "in"
            | "on"
            | "at"
            | "for"
            | "with"
            | "from"
            | "by"
            | "about"
            | "into"
            | "than"
            | "there"
            | "what"
            | "how"
            | "why"
            | "when"
            | "where"
            | "whether"
            | "if"
            | "because"
            | "as"
            | "that"
            | "which"
            | "who"
            | "whom"
            | "not"
            | "n't"
            | "so"
            | "very"
            | "too"
            | "between"
            | "among"
            | "like"
    ) || is_be(w)
}

/// Words that start a clause after a cue of belief or knowledge.
fn starts_clause(w: &str) -> bool {
    matches!(
        w,
        "i" | "we"
            | "you"
            | "he"
            | "she"
            | "they"
            | "it"
            | "there"
            | "this"
            | "these"
            | "those"
            | "everyone"
            | "everybody"
            | "someone"
            | "somebody"
            | "nobody"
            | "nothing"
            | "something"
            | "people"
            | "one"
    )
}

/// Cues that can stand as a parenthetical after or inside what they report ("…, I think.", "you know,").
fn is_parenthetical(w: &str) -> bool {
    matches!(
        w,
        "think"
            | "thought"
            | "believe"
            | "guess"
            | "suppose"
            | "know"
            | "mean"
            | "remember"
            | "hope"
            | "suspect"
            | "reckon"
            | "imagine"
            | "assume"
            | "bet"
            | "feel"
            | "understand"
            | "see"
            | "say"
            | "said"
            | "says"
    )
}

/// Words after a loose cue that show it takes an object or a phrase, not a clause.
fn is_loose_excluded(w: &str) -> bool {
    matches!(
        w,
        "to" | "about"
            | "of"
            | "for"
            | "so"
            | "with"
            | "on"
            | "in"
            | "at"
            | "up"
            | "over"
            | "back"
            | "too"
            | "much"
            | "well"
            | "by"
            | "from"
            | "as"
            | "out"
            | "into"
            | "upon"
            | "like"
            | "no"
            | "not"
            | "n't"
            | "more"
            | "him"
            | "her"
            | "them"
            | "me"
            | "us"
            | "it"
            | "this"
            | "that"
            | "these"
            | "those"
            | "or"
            | "and"
            | "you"
    )
}

/// "say" and "tell" report speech with anything after them ("said the plan was dead", "told reporters").
fn is_say_or_tell(w: &str) -> bool {
    matches!(
        w,
        "say" | "says" | "said" | "saying" | "tell" | "tells" | "told" | "telling" | "add" | "adds" | "added"
    )
}

/// Belief verbs whose complement is nearly always a clause, so a plain-looking word after them still starts
/// one ("I think Darfur is …"); the others (feel, fear, wish, expect) often take an object.
fn is_loose_belief(w: &str) -> bool {
    matches!(
        w,
        "think"
            | "thinks"
            | "thought"
            | "thinking"
            | "believe"
            | "believes"
            | "believed"
            | "believing"
            | "suspect"
            | "suspects"
            | "suspected"
            | "suppose"
            | "supposes"
            | "supposed"
            | "guess"
            | "guessed"
            | "reckon"
            | "reckons"
            | "reckoned"
            | "hope"
            | "hopes"
            | "hoped"
            | "hoping"
            | "doubt"
            | "doubts"
            | "doubted"
            | "assume"
            | "assumes"
            | "assumed"
            | "presume"
            | "presumed"
            | "mean"
            | "meant"
            | "sure"
            | "convinced"
            | "aware"
            | "confident"
            | "certain"
            | "concerned"
            | "worried"
            | "hopeful"
            | "optimistic"
            | "adamant"
            | "positive"
    )
}

/// Heads of research and record speakers ("the results", "a study", "estimates"), whose evidence verbs
/// report findings even without `that`.
fn is_research_noun(w: &str) -> bool {
    matches!(
        w,
        "study"
            | "studies"
            | "report"
            | "reports"
            | "results"
            | "findings"
            | "figures"
            | "data"
            | "survey"
            | "surveys"
            | "poll"
            | "polls"
            | "research"
            | "analysis"
            | "evidence"
            | "scientists"
            | "researchers"
            | "estimates"
            | "statistics"
            | "records"
            | "documents"
            | "tests"
            | "investigation"
            | "review"
            | "paper"
            | "experiments"
            | "models"
            | "projections"
            | "audit"
            | "census"
            | "authors"
    )
}

fn is_preposition(w: &str) -> bool {
    matches!(
        w,
        "to" | "from"
            | "of"
            | "for"
            | "by"
            | "upon"
            | "about"
            | "without"
            | "after"
            | "before"
            | "in"
            | "on"
            | "at"
            | "with"
            | "into"
            | "than"
    )
}

fn starts_question(w: &str) -> bool {
    matches!(w, "that" | "how" | "what" | "why" | "whether" | "if" | "when" | "where" | "who" | "which")
}

fn is_pronoun(w: &str) -> bool {
    matches!(w, "i" | "we" | "you" | "he" | "she" | "they" | "it" | "me" | "us" | "him" | "them" | "one")
}

fn is_time_word(w: &str) -> bool {
    matches!(
        w,
        "today"
            | "yesterday"
            | "tonight"
            | "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "earlier"
            | "later"
            | "again"
            | "then"
            | "recently"
            | "last"
            | "this"
            | "on"
            | "in"
            | "at"
            | "previously"
            | "afterwards"
            | "also"
            | "too"
            | "week"
            | "month"
            | "year"
            | "morning"
            | "evening"
            | "night"
            | "afternoon"
    )
}

/// Nouns that report a claim when followed by `that`.
fn is_claim_noun(w: &str) -> bool {
    matches!(
        w,
        "claim"
            | "claims"
            | "assertion"
            | "assertions"
            | "allegation"
            | "allegations"
            | "statement"
            | "suggestion"
            | "argument"
            | "contention"
            | "insistence"
            | "belief"
            | "view"
            | "warning"
            | "assessment"
            | "announcement"
            | "admission"
            | "denial"
            | "prediction"
            | "promise"
            | "pledge"
            | "charge"
            | "accusation"
            | "conclusion"
            | "suspicion"
            | "fear"
            | "fears"
            | "hope"
            | "hopes"
            | "opinion"
            | "position"
            | "stance"
            | "report"
            | "reports"
            | "theory"
            | "remarks"
            | "insinuation"
    )
}

/// Reporting verbs that are also common nouns ("the report", "his claims", "the states").
fn is_noun_like_cue(w: &str) -> bool {
    matches!(
        w,
        "report"
            | "reports"
            | "claim"
            | "claims"
            | "comment"
            | "comments"
            | "note"
            | "notes"
            | "reply"
            | "replies"
            | "tweet"
            | "tweets"
            | "estimate"
            | "estimates"
            | "states"
            | "remarks"
            | "answer"
            | "answers"
            | "promise"
            | "promises"
            | "warning"
            | "warnings"
            | "writing"
            | "writings"
            | "hope"
            | "fear"
            | "doubt"
            | "guess"
            | "bet"
            | "trust"
            | "quote"
            | "quotes"
            | "vow"
            | "vows"
            | "pledge"
            | "pledges"
            | "counter"
            | "forecast"
            | "forecasts"
            | "stress"
            | "repeat"
            | "reason"
            | "mention"
            | "joke"
            | "jokes"
            | "dispute"
            | "disputes"
            | "whisper"
            | "shout"
            | "cite"
            | "wish"
            | "concern"
            | "show"
            | "shows"
            | "find"
            | "finds"
            | "mean"
            | "learning"
            | "understanding"
            | "thinking"
            | "knowing"
            | "feeling"
            | "reasoning"
            | "saying"
            | "sayings"
            | "accepted"
            | "known"
            | "seen"
            | "agreed"
            | "expected"
            | "sure"
            | "aware"
            | "positive"
            | "certain"
            | "confident"
            | "hearing"
    )
}

/// A sentence being analysed.
pub(crate) struct Sentence<'a> {
    pub body: &'a str,
    pub tokens: &'a Tokens,
    pub quotes: &'a QuoteMap,
    pub quote_ids: Range<usize>,
    pub lexicon: &'a Lexicon,
    /// Byte span of the speaker of the last attribution found in this sentence.
    pub previous_speaker: std::cell::Cell<Option<(usize, usize)>>,
}

impl Sentence<'_> {
    fn n(&self) -> usize {
        self.tokens.len()
    }

    fn w(&self, i: usize) -> &str {
        self.tokens.lower(i)
    }

    fn is_word(&self, i: usize) -> bool {
        i < self.n() && self.tokens.is_word(i)
    }

    fn is_comma(&self, i: usize) -> bool {
        i < self.n() && self.tokens.is_punct(i, self.body, ',')
    }

    fn is_quote(&self, i: usize) -> bool {
        i < self.n() && self.tokens.toks[i].kind == TokenKind::Quote
    }

    /// Punctuation that closes a phrase: anything but a hyphen-like joiner, apostrophe or bracket-free period.
    fn is_phrase_end(&self, i: usize) -> bool {
        i >= self.n() || !self.tokens.is_word(i)
    }

    /// A period inside an abbreviation ("U.S. officials"): attached to the word before, a word after.
    fn is_abbreviation_period(&self, k: usize) -> bool {
        k > 0
            && k + 1 < self.n()
            && self.tokens.is_punct(k, self.body, '.')
            && self.tokens.toks[k].start == self.tokens.toks[k - 1].end
            && self.is_word(k - 1)
            && self.is_word(k + 1)
    }

    fn cue_class(&self, i: usize) -> Option<CueClass> {
        self.lexicon.cues.get(self.w(i)).copied()
    }

    fn inside_quote(&self, i: usize) -> bool {
        let start = self.tokens.toks[i].start;
        self.quote_ids.clone().any(|q| self.quotes.quotes[q].inner.contains(&start))
    }

    fn span(&self, first: usize, last: usize) -> Range<usize> {
        self.tokens.toks[first].start..self.tokens.toks[last].end
    }

    /// Byte span of tokens `first..=last` with trailing punctuation, quotes and leading `that`/`,`/`:` removed.
    fn clean_span(&self, mut first: usize, mut last: usize) -> Option<Range<usize>> {
        while first <= last && (!self.is_word(first) || self.w(first) == "that") {
            first += 1;
        }
        while last >= first && !self.is_word(last) && !self.tokens.is_punct(last, self.body, ')') {
            if last == 0 {
                return None;
            }
            last -= 1;
        }
        (first <= last && last < self.n()).then(|| self.span(first, last))
    }

    /// Every attribution of the sentence, in order of their cues; cues inside quoted text are included
    /// (marked `in_quote`), since a quoted speaker may report others ("I think …", "they told me …").
    pub fn attribute_all(&self) -> Vec<AttributionSpans> {
        let mut found_all = Vec::new();
        let mut tried = 0;
        let mut i = 0;
        while i < self.n() && tried < MAX_CANDIDATES {
            if !self.is_word(i) {
                i += 1;
                continue;
            }
            let found = match self.w(i) {
                // "She continued: \"…\"", `"…," he continued.`: `continue` reports speech only next to a quote.
                "continued" | "continues" | "continue" if self.beside_quote(i) => {
                    tried += 1;
                    self.verbal(i, i, CueClass::Report)
                }
                // "I have no doubt that …": the noun frames a belief of the one who has it.
                "doubt"
                    if i >= 2
                        && self.w(i - 1) == "no"
                        && matches!(self.w(i - 2), "have" | "has" | "had")
                        && self.clause_follows(i + 1) =>
                {
                    tried += 1;
                    self.no_doubt(i)
                }
                // "a quote attributed to Einstein": the source follows, as after `according to`.
                "attributed" if self.is_word(i + 1) && self.w(i + 1) == "to" => {
                    tried += 1;
                    self.source_phrase(i, i + 1)
                }
                "according" if self.is_word(i + 1) && self.w(i + 1) == "to" => {
                    tried += 1;
                    self.source_phrase(i, i + 1)
                }
                "in" if self.n() > i + 3
                    && self.w(i + 1) == "the"
                    && self.w(i + 2) == "words"
                    && self.w(i + 3) == "of" =>
                {
                    tried += 1;
                    self.source_phrase(i, i + 3)
                }
                w if is_claim_noun(w) && self.is_word(i + 1) && matches!(self.w(i + 1), "that" | "by") => {
                    tried += 1;
                    // "Smith's claim that" is nominal; "Paris claims that" is a verb.
                    self.nominal(i).or_else(|| match self.cue_class(i) {
                        Some(class) if i > 0 && !is_determiner(self.w(i - 1)) => self.verbal(i, i, class),
                        _ => None,
                    })
                }
                "like"
                    if i >= 2
                    && is_be(self.w(i - 1))
                    // "what it should be like": quotative `like` needs a finite be ("was like", "'m like").
                    && !matches!(self.w(i - 1), "be" | "been" | "being")
                    && self.is_phrase_end(i + 1)
                    && self.is_word(i - 2) =>
                {
                    tried += 1;
                    self.verbal(i - 1, i, CueClass::Speech)
                }
                _ => match self.cue_class(i) {
                    Some(class) if self.plausible_verb(i, class) => {
                        tried += 1;
                        self.verbal(i, i, class)
                    }
                    _ => None,
                },
            };
            let found = found.filter(|a| !self.is_discourse_use(i, a));
            match found {
                Some(mut attribution) => {
                    attribution.in_quote = self.inside_quote(i);
                    if !attribution.in_quote {
                        self.attach_quote(&mut attribution);
                    }
                    let cue_end = attribution.cue_word.end;
                    self.previous_speaker.set(Some((attribution.speaker.start, attribution.speaker.end)));
                    found_all.push(attribution);
                    while i < self.n() && self.tokens.toks[i].start < cue_end {
                        i += 1;
                    }
                }
                None => i += 1,
            }
        }
        found_all
    }

    /// Cue-like phrases that report nothing: the filler `you know,` (GUM does mark `I mean,` and `you see,`,
    /// which introduce the speaker's own point), and `can tell` meaning "make out" ("as far as I can tell",
    /// "how can you tell whether").
    fn is_discourse_use(&self, cue: usize, attribution: &AttributionSpans) -> bool {
        if attribution.kind != CueKind::Speech && attribution.kind != CueKind::Cognition {
            return false;
        }
        let w = self.w(cue);
        let speaker = &self.body[attribution.speaker.clone()];
        if w == "know" && speaker.eq_ignore_ascii_case("you") && (cue + 1 >= self.n() || self.is_comma(cue + 1)) {
            return true;
        }
        // "what Colbert said to Terry Gross", "that's all it said": a free relative names words, it does not
        // report them.
        if attribution.speaker.end <= attribution.cue_word.start {
            let first = self.tokens.toks.iter().position(|t| t.start == attribution.speaker.start);
            if let Some(first) = first.filter(|&f| f > 0 && cue - f <= 3) {
                let free_relative = self.is_word(first - 1)
                    && (self.w(first - 1) == "what"
                        || self.w(first - 1) == "all"
                            && first > 1
                            && (is_be(self.w(first - 2))
                                || self.w(first - 2).ends_with("'s")
                                || self.w(first - 2).ends_with("’s")));
                // A belief verb may still take a clause out of the relative ("what we think will make …").
                let nothing_follows = cue + 1 >= self.n()
                    || !self.is_word(cue + 1)
                    || matches!(self.w(cue + 1), "when" | "because" | "if" | "and" | "but" | "to");
                if free_relative && (attribution.kind == CueKind::Speech || nothing_follows) {
                    return true;
                }
            }
        }
        // "We think also of our brothers": a belief verb before `of` / `about`, past an adverb, is not a report.
        if attribution.kind == CueKind::Cognition
            && cue + 2 < self.n()
            && self.is_word(cue + 1)
            && self.is_word(cue + 2)
        {
            let adverb =
                matches!(self.w(cue + 1), "also" | "often" | "still" | "too") || self.w(cue + 1).ends_with("ly");
            if adverb && matches!(self.w(cue + 2), "of" | "about") {
                return true;
            }
        }
        // "asked me that day": `that` before a time noun is a determiner, not the start of a clause.
        if !is_say_or_tell(w) {
            let that = (cue + 1..(cue + 4).min(self.n())).find(|&k| self.is_word(k) && self.w(k) == "that");
            if let Some(k) = that {
                if k + 1 < self.n()
                    && self.is_word(k + 1)
                    && matches!(self.w(k + 1), "day" | "week" | "year" | "night" | "time" | "morning" | "moment")
                {
                    return true;
                }
            }
        }
        let modal_before = |k: usize| matches!(self.w(k), "can" | "could" | "ca");
        let can_tell =
            cue > 0 && modal_before(cue - 1) || cue > 1 && is_pronoun(self.w(cue - 1)) && modal_before(cue - 2);
        if w == "tell" && can_tell {
            let next = cue + 1;
            return next >= self.n() || !self.is_word(next) || matches!(self.w(next), "whether" | "if");
        }
        false
    }

    /// Whether the cue word at `i` is used as a verb (or predicative adjective), judged from its neighbours.
    fn plausible_verb(&self, i: usize, class: CueClass) -> bool {
        let w = self.w(i);
        // Capitalised mid-sentence: a name or title ("the United States", "Hope Street").
        if i > 0 && self.tokens.toks[i].capitalized && !self.is_quote(i - 1) {
            return false;
        }
        if i > 0 && self.is_word(i - 1) && is_determiner(self.w(i - 1)) {
            return false;
        }
        // An infinitive ("hard to predict") or a gerund after a preposition ("upon learning") has no subject
        // of its own in the sentence.
        // An infinitive takes the subject of the verb that governs it ("we need to know what …") only when a
        // subject pronoun is close and a clause follows; otherwise ("hard to predict") it has none.
        if i > 0 && self.is_word(i - 1) && self.w(i - 1) == "to" {
            return self.is_catenative_to(i - 1) || self.infinitive_subject(i).is_some();
        }
        if i > 0 && self.is_word(i - 1) && w.ends_with("ing") && is_preposition(self.w(i - 1)) {
            return false;
        }
        if is_noun_like_cue(w) {
            // "reports say", "the report's findings": followed by a verb or a possessive, it is a noun.
            if self.is_word(i + 1) {
                let next = self.w(i + 1);
                if self.cue_class(i + 1).is_some() || is_between_word(next) || next == "'s" || next == "’s" {
                    return false;
                }
            }
            if i == 0 {
                return false;
            }
            // "winds of hope", "for comment": after a preposition it is a noun.
            if self.is_word(i - 1) && is_preposition(self.w(i - 1)) && self.w(i - 1) != "to" {
                return false;
            }
        }
        // "we remain convinced", "I am hopeful and confident": a copula up to three words back.
        let copula =
            |k: usize| is_be(self.w(k)) || matches!(self.w(k), "remain" | "remains" | "remained" | "feel");
        if class == CueClass::Stance && !(i.saturating_sub(3)..i).any(|k| self.is_word(k) && copula(k)) {
            return false;
        }
        // "is said to be", "are thought to": hearsay, handled as a hedge.
        if self.is_word(i + 1) && self.w(i + 1) == "to" && i > 0 && is_be(self.w(i - 1)) {
            return false;
        }
        true
    }

    /// Whether what follows a belief or evidence cue is a clause it reports.
    fn has_complement(
        &self,
        cue: usize,
        class: CueClass,
        speaker_is_pronoun: bool,
        parenthetical_position: bool,
        research_subject: bool,
    ) -> bool {
        let next = cue + 1;
        if class == CueClass::Speech && is_say_or_tell(self.w(cue)) {
            // "let me say that again", "heard me say it over and over": a repeated form of words, not a report.
            let repeats = next + 1 < self.n()
                && self.is_word(next)
                && matches!(self.w(next), "it" | "that" | "this")
                && self.is_word(next + 1)
                && matches!(self.w(next + 1), "again" | "over");
            return !repeats && !self.tells_a_topic(cue) && !self.adds_an_object(cue);
        }
        let quote_follows = next < self.n()
            && (self.is_quote(next)
                || self.tokens.is_punct(next, self.body, ':')
                || (self.is_comma(next) && self.is_quote(next + 1)));
        if quote_follows || self.that_or_quote_soon(next, matches!(class, CueClass::Speech | CueClass::Report)) {
            return true;
        }
        if next >= self.n() || !self.is_word(next) {
            if class == CueClass::Speech {
                // "Hill commented:" / "…, the spokesman confirmed." — but "would respond, militarily, within
                // 48 hours": a comma and then words leave the verb without anything reported.
                return !(self.is_comma(next) && self.is_word(next + 1));
            }
            if class == CueClass::Report {
                // `"…," Smith wrote.`: the quote came first.
                return (0..cue).any(|k| self.is_quote(k));
            }
            // "…, I think." / "you know," — a parenthetical, attributed when its subject is a pronoun.
            return speaker_is_pronoun && parenthetical_position && is_parenthetical(self.w(cue));
        }
        let w = self.w(next);
        // "know exactly what", "showed clearly that": an adverb before the clause.
        if w.len() > 4 && w.ends_with("ly") && self.clause_follows(next + 1) {
            return true;
        }
        match class {
            // Other speech verbs ("confirmed", "denied", "noted"): as loose as belief verbs below.
            // A determiner after them starts an object ("conceded a penalty", "announced the start of").
            CueClass::Speech => {
                self.clause_follows(next)
                    || (!is_loose_excluded(w)
                        && (!is_determiner(w) || self.determiner_subject_then_verb(next))
                        && (next..self.n()).take_while(|&k| self.is_word(k)).count() >= 3)
            }
            // "described the plan as reckless".
            CueClass::Report if self.w(cue).starts_with("describ") => {
                (next..(next + 10).min(self.n())).take_while(|&k| self.is_word(k)).any(|k| self.w(k) == "as")
            }
            // "The results show the camp kept its majority": findings report what follows them.
            CueClass::Evidence if research_subject => {
                self.clause_follows(next)
                    || (!is_preposition(w) && (next..self.n()).take_while(|&k| self.is_word(k)).count() >= 3)
            }
            // "I remember signing my first autograph": memory verbs report a recalled event as a gerund.
            CueClass::Report | CueClass::Evidence | CueClass::Belief
                if is_memory_verb(self.w(cue)) && w.ends_with("ing") && w.len() >= 5 && !w.ends_with("thing") =>
            {
                true
            }
            CueClass::Report | CueClass::Evidence => self.clause_follows(next),
            CueClass::Belief | CueClass::Stance if !is_loose_belief(self.w(cue)) => self.clause_follows(next),
            // Belief verbs rarely take a plain object: anything but a preposition, particle or object pronoun
            // starts their clause, provided it runs on for a few words ("I fear the worst" does not).
            CueClass::Belief | CueClass::Stance => {
                if self.clause_follows(next) {
                    return true;
                }
                // "I think by using emails …", "Prompted I think by the video": a first-person "I think" frames
                // what surrounds it unless it is thinking of or about something.
                let first_person_think =
                    self.w(cue) == "think" && cue > 0 && matches!(self.w(cue - 1), "i" | "we");
                if first_person_think
                    && !matches!(
                        w,
                        "of" | "about"
                            | "so"
                            | "back"
                            | "through"
                            | "over"
                            | "up"
                            | "out"
                            | "twice"
                            | "hard"
                            | "again"
                    )
                {
                    return true;
                }
                let excluded = is_loose_excluded(w);
                let run = (next..self.n()).take_while(|&k| self.is_word(k)).count();
                !excluded && (run >= 3 || (run == 2 && is_between_word(self.w(next + 1))))
            }
        }
    }

    /// "tell stories", "tells something", "told about mathematics", "tells Wikinews about ants": telling a
    /// thing or about a topic names what was told, it does not report it (no `that`, clause or quote follows).
    fn tells_a_topic(&self, cue: usize) -> bool {
        if !matches!(self.w(cue), "tell" | "tells" | "told" | "telling") || !self.is_word(cue + 1) {
            return false;
        }
        let next = self.w(cue + 1);
        if matches!(
            next,
            "stories" | "story" | "something" | "anything" | "nothing" | "everything" | "jokes" | "lies" | "tales"
        ) {
            return true;
        }
        // "about" within the next three words, before any `that`, clause word or quote.
        for k in cue + 1..(cue + 4).min(self.n()) {
            if !self.is_word(k) {
                return false;
            }
            let w = self.w(k);
            // "told Reuters about 300 people died": `about` before a number approximates it.
            if w == "about" {
                let number = k + 1 < self.n()
                    && self.body[self.tokens.toks[k + 1].start..].starts_with(|c: char| c.is_ascii_digit());
                return !number;
            }
            if w == "that" || starts_question(w) || (k > cue + 1 && starts_clause(w)) {
                return false;
            }
        }
        false
    }

    /// "who adds the visual aspect", "added a clause": `add` before a determiner-led object adds a thing, not
    /// words (a reported clause after `add` starts with `that`, a pronoun or a name).
    fn adds_an_object(&self, cue: usize) -> bool {
        matches!(self.w(cue), "add" | "adds" | "added" | "adding")
            && self.is_word(cue + 1)
            && matches!(self.w(cue + 1), "a" | "an" | "the" | "some" | "more" | "another" | "new" | "to")
            && !self.determiner_subject_then_verb(cue + 1)
    }

    /// `that`, or a quote or colon, shortly after a communication cue, past a short phrase ("stated to LA
    /// Weekly that", "announced on Friday that", "commented on the plan, \"…\"").
    fn that_or_quote_soon(&self, from: usize, quote_too: bool) -> bool {
        // The phrase in between is a prepositional or time phrase, or an addressee ("told reporters that"),
        // never a determiner-led object ("the full weight of that …").
        // Verbs of telling take an addressee of any shape ("remind the world that").
        let addressee_verb = from > 0
            && matches!(
                self.w(from - 1),
                "remind"
                    | "reminds"
                    | "reminded"
                    | "inform"
                    | "informs"
                    | "informed"
                    | "assure"
                    | "assures"
                    | "assured"
                    | "reassure"
                    | "reassured"
                    | "warn"
                    | "warns"
                    | "warned"
                    | "convince"
                    | "convinced"
                    | "notify"
                    | "notified"
                    | "persuade"
                    | "persuaded"
                    | "advise"
                    | "advised"
                    | "promise"
                    | "promised"
                    | "tell"
                    | "tells"
                    | "told"
            );
        // Belief and evidence verbs (`quote_too` false) allow only an adverb or an inserted phrase in between
        // ("felt strongly that"); a prepositional phrase there ends in a relative `that` ("hear about the
        // definition that …").
        let speech_only = |open: bool| open && quote_too;
        let opens_phrase = from < self.n()
            && (addressee_verb
                || self.is_comma(from)
                || (self.is_word(from) && self.w(from).ends_with("ly"))
                || (self.is_word(from)
                    && speech_only(
                        is_preposition(self.w(from))
                            || is_time_word(self.w(from))
                            || self.w(from).ends_with("ly")
                            // "tweeted using his account:".
                            || self.w(from).ends_with("ing")
                            || self.tokens.toks[from].capitalized
                            || matches!(
                                self.w(from),
                                "him"
                                    | "her"
                                    | "them"
                                    | "us"
                                    | "me"
                                    | "you"
                                    | "reporters"
                                    | "journalists"
                                    | "officials"
                                    | "lawmakers"
                            ),
                    )));
        if !opens_phrase {
            return false;
        }
        for k in from..(from + 10).min(self.n()) {
            if self.is_word(k) {
                if self.w(k) == "that" && k > from {
                    return self.is_word(k + 1);
                }
                if self.cue_class(k).is_some() || is_left_boundary(self.w(k)) {
                    return false;
                }
            } else if self.is_quote(k) || self.tokens.is_punct(k, self.body, ':') {
                return quote_too
                    && k > from
                    && (self.is_comma(k - 1) || self.tokens.is_punct(k, self.body, ':') || self.is_quote(k));
            } else if !self.is_comma(k) {
                return false;
            }
        }
        false
    }

    /// Whether token `k` is the `to` of a verb chain that acts as an auxiliary ("going to", "have to",
    /// "wants to", "used to").
    fn is_catenative_to(&self, k: usize) -> bool {
        k > 0
            && self.is_word(k)
            && self.w(k) == "to"
            && self.is_word(k - 1)
            && matches!(
                self.w(k - 1),
                "going"
                    | "have"
                    | "has"
                    | "had"
                    | "need"
                    | "needs"
                    | "needed"
                    | "want"
                    | "wants"
                    | "wanted"
                    | "used"
                    | "ought"
                    | "able"
                    | "likely"
                    | "expected"
                    | "seem"
                    | "seems"
                    | "seemed"
                    | "appear"
                    | "appears"
                    | "appeared"
                    | "continue"
                    | "continues"
                    | "continued"
                    | "tend"
                    | "tends"
                    | "pleased"
                    | "happy"
                    | "glad"
                    | "proud"
                    | "delighted"
                    | "honoured"
                    | "honored"
                    | "sad"
                    | "sorry"
            )
    }

    /// The subject pronoun of an infinitive cue at `cue` ("we need to know what", "I wanted to say that"): a
    /// subject pronoun at most three words before `to`, with `that`, a wh-word or a quote after the cue.
    fn infinitive_subject(&self, cue: usize) -> Option<usize> {
        if cue < 2
            || !(self.clause_follows(cue + 1)
                || self.is_quote(cue + 1)
                || (self.is_comma(cue + 1) && self.is_quote(cue + 2)))
        {
            return None;
        }
        let to = cue - 1;
        // "I think to say it was unexpected is inaccurate": the infinitive is a subject clause of its own.
        if to > 0 && matches!(self.cue_class(to - 1), Some(CueClass::Belief | CueClass::Evidence)) {
            return None;
        }
        (to.saturating_sub(4)..to)
            .rev()
            .take_while(|&k| self.is_word(k))
            .find(|&k| matches!(self.w(k), "i" | "we" | "he" | "she" | "they" | "you"))
    }

    /// The subject of the clause a coordinated verb belongs to, scanning left from the conjunction at `and`:
    /// a subject pronoun right after a clause word ("when people come up … and say"), or the noun phrase the
    /// sentence opens with when no clause word intervenes.
    fn coordinated_subject(&self, and: usize) -> Option<Range<usize>> {
        // "teaching and learning that …": a gerund coordinated with a noun.
        if self.w(and + 1).ends_with("ing") {
            return None;
        }
        let mut k = and;
        while k > 0 {
            let prev = k - 1;
            if self.is_word(prev) && is_left_boundary(self.w(prev)) {
                break;
            }
            if !self.is_word(prev) && !self.is_comma(prev) && !self.is_abbreviation_period(prev) {
                return None;
            }
            // "was hauled in and told that", "were encouraged to submit … and suggest": the first verb is
            // passive or an infinitive, so its subject is not the one who speaks.
            let infinitive = self.w(prev) == "to"
                && self.is_word(prev + 1)
                && !self.tokens.toks[prev + 1].capitalized
                && !is_pronoun(self.w(prev + 1))
                && !is_determiner(self.w(prev + 1));
            if self.is_word(prev) && (infinitive || is_be(self.w(prev)) && self.w(prev) != "'s") {
                return None;
            }
            k -= 1;
        }
        if k == 0 {
            return self.opening_noun_phrase(and);
        }
        let w = self.w(k);
        (self.is_word(k) && starts_clause(w) && !matches!(w, "this" | "these" | "those" | "there" | "it"))
            .then_some(k..k + 1)
    }

    /// The noun phrase a sentence opens with, after introductory chunks, before token `limit`: a determiner
    /// and the word after it, or a run of capitalised words ("The ministry", "Rick Santorum").
    fn opening_noun_phrase(&self, limit: usize) -> Option<Range<usize>> {
        let mut start = 0;
        // Skip introductory chunks ("In a statement on Monday, …").
        while start < limit && self.is_word(start) && is_intro(self.w(start)) {
            match (start..limit).find(|&k| self.is_comma(k)) {
                Some(comma) => start = comma + 1,
                None => return None,
            }
        }
        if start >= limit || !self.is_word(start) {
            return None;
        }
        let w = self.w(start);
        let end = if is_pronoun(w) {
            start + 1
        } else if matches!(w, "the" | "a" | "an") {
            let mut e = start + 1;
            while e < limit && self.is_word(e) && self.tokens.toks[e].capitalized {
                e += 1;
            }
            if e == start + 1 && e < limit && self.is_word(e) {
                e += 1;
            }
            e
        } else if self.tokens.toks[start].capitalized {
            let mut e = start + 1;
            while e < limit
                && (self.is_word(e) && self.tokens.toks[e].capitalized || self.is_abbreviation_period(e))
            {
                e += 1;
            }
            e
        } else {
            return None;
        };
        (end > start).then_some(start..end)
    }

    /// Whether a clause starts at token `k`: `that` or a wh-word with words after it, a subject pronoun with a
    /// verb after it, or a demonstrative/expletive followed by an auxiliary ("it was", "there is").
    fn clause_follows(&self, k: usize) -> bool {
        if !self.is_word(k) {
            return false;
        }
        // "wrote that \"…\"", "believe that, as leaders, we …": a quote or an inserted phrase may open it.
        if self.w(k) == "that" && (self.is_quote(k + 1) || self.is_comma(k + 1)) {
            return true;
        }
        if !self.is_word(k + 1) {
            return false;
        }
        let w = self.w(k);
        let after = self.w(k + 1);
        // "believe that doctrine or not", "assumes that responsibility, he": `that` before a lone noun is a
        // determiner.
        let lone_noun = self.is_phrase_end(k + 2) || matches!(self.w(k + 2), "or" | "and" | "but");
        if w == "that" && lone_noun && !starts_clause(after) {
            return false;
        }
        if w == "that" || starts_question(w) {
            return true;
        }
        match w {
            "i" | "we" | "he" | "she" | "they" => !is_preposition(after) && !matches!(after, "and" | "or"),
            // "you" is an object as often as a subject ("show you", "heard you loud and clear").
            "you" => is_between_word(after) || after.ends_with("ed"),
            "it" | "this" | "there" | "these" | "those" | "everyone" | "everybody" | "someone" | "somebody"
            | "nobody" | "nothing" | "something" | "people" => {
                // A verb in -s, not a function word that happens to end in s ("see this as a map").
                let s_verb = after.ends_with('s')
                    && !matches!(
                        after,
                        "as" | "us"
                            | "his"
                            | "its"
                            | "this"
                            | "thus"
                            | "yes"
                            | "plus"
                            | "less"
                            | "unless"
                            | "across"
                    );
                is_between_word(after) || s_verb || after.ends_with("ed")
            }
            // "knew the room was too big", "realize baseball is just a game": a short noun phrase, then a
            // finite auxiliary.
            _ => self.noun_phrase_then_auxiliary(k),
        }
    }

    /// A determiner-led noun phrase at `k` followed by a verb ("the findings show", "the exhibit identifies"),
    /// before any preposition or relative word: the subject of a reported clause, not an object ("the start
    /// of", "a penalty which").
    fn determiner_subject_then_verb(&self, k: usize) -> bool {
        for j in k + 2..(k + 6).min(self.n()) {
            if !self.is_word(j) {
                return false;
            }
            let w = self.w(j);
            if is_preposition(w) || is_relative(w) || matches!(w, "and" | "or" | "but") {
                return false;
            }
            let singular_then_s = w.len() > 3
                && w.ends_with('s')
                && !w.ends_with("ss")
                && !self.w(j - 1).ends_with('s')
                && !self.tokens.toks[j].capitalized;
            if is_finite_auxiliary(w) || self.cue_class(j).is_some() || singular_then_s {
                return true;
            }
        }
        false
    }

    /// A run of at most four words from `k` (a determiner or a plain word, no preposition, relative word or
    /// conjunction) followed by a finite auxiliary: the subject and verb of a clause.
    fn noun_phrase_then_auxiliary(&self, k: usize) -> bool {
        // A pronoun, a clause word or a time word in the run: the words after the verb are not one noun
        // phrase ("found his brother he had", "repeat mistakes because the world is", "see today are").
        let breaks = |w: &str| {
            is_preposition(w)
                || is_relative(w)
                || starts_clause(w)
                || is_time_word(w)
                || matches!(
                    w,
                    "and"
                        | "or"
                        | "but"
                        | "to"
                        | "not"
                        | "n't"
                        | "no"
                        | "because"
                        | "when"
                        | "if"
                        | "as"
                        | "since"
                        | "while"
                        | "so"
                        | "more"
                        | "today"
                        | "who"
                )
        };
        let first = self.w(k);
        if breaks(first) || is_loose_excluded(first) && !is_determiner(first) {
            return false;
        }
        for j in k + 1..(k + 5).min(self.n()) {
            if !self.is_word(j) {
                return false;
            }
            let w = self.w(j);
            if is_finite_auxiliary(w) {
                return true;
            }
            if breaks(w) {
                return false;
            }
        }
        false
    }

    /// A verb (or `be like`, or a predicative adjective) cue spanning tokens `first..=last`.
    fn verbal(&self, first: usize, last: usize, class: CueClass) -> Option<AttributionSpans> {
        // Inversion: `"…," said Smith.` / `…, said Smith, a spokesman.`
        // Only verbs of saying invert, never a participle ("…", highlighting the importance of …).
        if class == CueClass::Speech
            && !self.w(last).ends_with("ing")
            && first > 0
            && (self.is_quote(first - 1) || self.is_comma(first - 1))
        {
            if let Some(speaker) = self.inverted_speaker(last + 1) {
                let content = self.content_before(first);
                return Some(AttributionSpans {
                    speaker: self.span(speaker.start, speaker.end - 1),
                    cue: self.span(first, last),
                    cue_word: self.span(first, last),
                    content,
                    quote: None,
                    negated: false,
                    kind: CueKind::Speech,
                    inherited: false,
                    in_quote: false,
                });
            }
        }
        // "national, say between Jews and Arabs": a bare `say` right after a comma, not inverted ("…, say
        // analysts."), means "for example".
        if self.w(first) == "say" && first > 0 && self.is_comma(first - 1) {
            return None;
        }
        // Auxiliaries, negation and adverbs between speaker and cue.
        let mut j = first;
        let mut negated = false;
        let mut first_aux = first;
        let mut passive = false;
        let mut catenative = false;
        while j > 0 && self.is_word(j - 1) && (is_between_word(self.w(j - 1)) || self.is_catenative_to(j - 1)) {
            if self.is_catenative_to(j - 1) {
                // "are going to remind", "has to say": the chain belongs to the verb, like an auxiliary.
                j -= 2;
                catenative = true;
                continue;
            }
            let w = self.w(j - 1);
            // "'s" after a name is a possessive, not "is"; after "let" it is "us".
            if (w == "'s" || w == "’s") && j >= 2 && (!self.is_word(j - 2) || self.w(j - 2) == "let") {
                break;
            }
            negated |= is_negation(w);
            passive |= is_be(w) && class != CueClass::Stance;
            j -= 1;
            if is_negation(w) || matches!(w, "did" | "does" | "do") {
                first_aux = j;
            }
        }
        let cue = if negated { self.span(first_aux, last) } else { self.span(first, last) };
        let cue_word = self.span(first, last);
        let participle = {
            let w = self.w(last);
            w.ends_with("ed")
                || matches!(
                    w,
                    "told"
                        | "said"
                        | "known"
                        | "seen"
                        | "shown"
                        | "found"
                        | "heard"
                        | "thought"
                        | "written"
                        | "proven"
                        | "meant"
                        | "felt"
                        | "understood"
                )
        };
        let passive = passive && participle;
        // Passive with an agent: "it is asserted by the Crown"; without one ("no injuries were reported",
        // "it was decided that") nobody is named as the source.
        if passive {
            if !(self.is_word(last + 1) && self.w(last + 1) == "by")
                || (self.is_word(last + 2) && self.w(last + 2).ends_with("ing"))
            {
                return None;
            }
            let speaker = self.phrase_after(last + 2, MAX_SPEAKER_TOKENS)?;
            let content = self.content_after(speaker.end);
            return Some(AttributionSpans {
                speaker: self.span(speaker.start, speaker.end - 1),
                cue,
                cue_word,
                content,
                quote: None,
                negated,
                kind: CueKind::Speech,
                inherited: false,
                in_quote: false,
            });
        }
        if j == 0 {
            return None;
        }
        // "The ministry issued a statement, saying …": a participle after a comma reports for the subject of
        // the sentence (the previous speaker, or the noun phrase the sentence opens with).
        if self.w(last).ends_with("ing")
            && self.is_comma(j - 1)
            && first == last
            && matches!(class, CueClass::Speech | CueClass::Report)
        {
            let say_clause =
                is_say_or_tell(self.w(last)) && self.is_word(last + 1) && !is_preposition(self.w(last + 1));
            if !(say_clause
                || self.clause_follows(last + 1)
                || self.that_or_quote_soon(last + 1, true)
                || self.is_quote(last + 1))
            {
                return None;
            }
            let (start, end) = match self.previous_speaker.get() {
                Some(previous) => previous,
                None => {
                    let subject = self.opening_noun_phrase(j - 1)?;
                    (self.tokens.toks[subject.start].start, self.tokens.toks[subject.end - 1].end)
                }
            };
            return Some(AttributionSpans {
                speaker: start..end,
                cue,
                cue_word,
                content: self.content_after(last + 1),
                quote: None,
                negated,
                kind: CueKind::Speech,
                inherited: false,
                in_quote: false,
            });
        }
        // "we need to know what …": the subject pronoun before the governing verb.
        if self.w(j - 1) == "to" {
            let subject = self.infinitive_subject(first)?;
            return Some(AttributionSpans {
                speaker: self.span(subject, subject),
                cue,
                cue_word,
                content: self.content_after(last + 1),
                quote: None,
                negated,
                kind: CueKind::of_verb(class),
                inherited: false,
                in_quote: false,
            });
        }
        // "Let me say" / "let us see": the pronoun after "let".
        let lets = |k: usize| {
            k >= 1 && self.w(k - 1) == "let" && matches!(self.w(k), "me" | "us" | "'s" | "’s")
                || matches!(self.w(k), "let's" | "let’s")
        };
        if lets(j - 1) && self.has_complement(last, class, true, true, false) {
            return Some(AttributionSpans {
                speaker: self.span(j - 1, j - 1),
                cue,
                cue_word,
                content: self.content_after(last + 1),
                quote: None,
                negated,
                kind: CueKind::of_verb(class),
                inherited: false,
                in_quote: false,
            });
        }
        // A second verb of the same subject ("said …, and said it was …"): the speaker of the sentence's
        // previous attribution, if there is one.
        if self.is_word(j - 1) && matches!(self.w(j - 1), "and" | "or" | "but") {
            // Without an earlier attribution, the subject of the first verb ("when people come up to me and
            // say", "because I can't call and tell them", "Zuckerberg tweeted to Mohamed and said").
            let (start, end) = match self.previous_speaker.get() {
                Some(previous) => previous,
                None => {
                    let subject = self.coordinated_subject(j - 1)?;
                    (self.tokens.toks[subject.start].start, self.tokens.toks[subject.end - 1].end)
                }
            };
            let demoted = if class == CueClass::Speech && (catenative || is_noun_like_cue(self.w(last))) {
                CueClass::Report
            } else {
                class
            };
            if !self.has_complement(last, demoted, false, false, false) {
                return None;
            }
            let content = self.content_after(last + 1);
            return Some(AttributionSpans {
                speaker: start..end,
                cue,
                cue_word,
                content,
                quote: None,
                negated,
                kind: CueKind::of_verb(class),
                inherited: false,
                in_quote: false,
            });
        }
        // A subject pronoun right before the cue is the speaker ("Do you think", "… study I think").
        let speaker = if self.is_word(j - 1)
            && starts_clause(self.w(j - 1))
            && !matches!(
                self.w(j - 1),
                "this" | "these" | "those" | "there" | "one" | "people" | "nothing" | "something"
            ) {
            j - 1..j
        } else {
            self.speaker_before(j - 1)?
        };
        let pronoun_speaker = speaker.len() == 1 && is_pronoun(self.w(speaker.start));
        // A parenthetical sits between commas or at a sentence edge ("…, I think." / "You know, …").
        let sentence_final = last + 2 >= self.n() && !self.is_word(self.n() - 1);
        // "any activity you could imagine.", "than you'd imagine.": a modal or auxiliary makes the cue the verb
        // of a clause of its own, not a parenthetical comment.
        let auxiliary_between = (j..first).any(|k| {
            is_finite_auxiliary(self.w(k))
                || matches!(
                    self.w(k),
                    "'d" | "’d" | "'ll" | "’ll" | "will" | "may" | "'ve" | "’ve" | "have" | "do"
                )
        });
        let parenthetical_position = !negated
            && !auxiliary_between
            && (speaker.start == 0
                || self.is_comma(speaker.start - 1)
                || self.is_quote(speaker.start - 1)
                || sentence_final);
        let research_subject = is_research_noun(self.w(speaker.end - 1));
        // A cue word that is also a common noun ("submit reports", "delivered remarks") reports speech only
        // with a clause or quote after it.
        // After a verb chain ("wanted to tell the story") even "say" and "tell" need a reported clause.
        let class = if class == CueClass::Speech && (catenative || is_noun_like_cue(self.w(last))) {
            CueClass::Report
        } else {
            class
        };
        if !self.has_complement(last, class, pronoun_speaker, parenthetical_position, research_subject) {
            return None;
        }
        // A speaker never holds an auxiliary or an infinitive: the stretch crossed into another clause
        // ("Over the years I have performed in …").
        if (speaker.start..speaker.end).any(|k| {
            self.is_word(k)
                && (matches!(
                    self.w(k),
                    "to" | "has"
                        | "have"
                        | "had"
                        | "was"
                        | "were"
                        | "will"
                        | "would"
                        | "can"
                        | "could"
                        | "should"
                        | "may"
                        | "might"
                        | "must"
                        | "did"
                        | "does"
                        | "do"
                        | "am"
                        | "are"
                        | "is"
                        | "be"
                        | "been"
                ))
        }) {
            return None;
        }
        if self.w(first) == "mean" || self.w(first) == "meant" {
            // "I mean" is attribution only as a parenthetical of a pronoun speaker.
            if !pronoun_speaker {
                return None;
            }
        }
        let content = if self.is_phrase_end(last + 1) && last + 1 >= self.n().saturating_sub(1) {
            // The cue closes the sentence: "Prices will rise, the minister said."
            self.content_before(speaker.start)
        } else {
            self.content_after(last + 1)
        };
        Some(AttributionSpans {
            speaker: self.span(speaker.start, speaker.end - 1),
            cue,
            cue_word,
            content,
            quote: None,
            negated,
            kind: CueKind::of_verb(class),
            inherited: false,
            in_quote: false,
        })
    }

    /// The speaker after an inverted cue: a short noun phrase closed by punctuation, with no verb in it.
    fn inverted_speaker(&self, from: usize) -> Option<Range<usize>> {
        let mut end = from;
        while end < self.n()
            && (self.is_word(end) || (end > from && self.is_abbreviation_period(end)))
            && end - from < MAX_INVERTED_SPEAKER_TOKENS
        {
            if !self.is_word(end) {
                end += 1;
                continue;
            }
            let w = self.w(end);
            if is_between_word(w) || self.cue_class(end).is_some() || w == "that" || is_left_boundary(w) {
                return None;
            }
            end += 1;
        }
        if end == from || !self.is_phrase_end(end) {
            return None;
        }
        if (from..end).all(|k| is_time_word(self.w(k))) {
            return None;
        }
        // "national, say between Jews and Arabs": `say` as "for example", before a prepositional phrase.
        if is_bad_speaker_start(self.w(from)) || is_preposition(self.w(from)) {
            return None;
        }
        Some(from..end)
    }

    /// The speaker ending at token `last`: the subject stretch left of the cue, cut at clause boundaries,
    /// then the right comma-separated chunk of it (an appositive or relative clause is skipped).
    fn speaker_before(&self, last: usize) -> Option<Range<usize>> {
        // Before an appositive or relative clause ("Smith, who …, said") only strong boundaries count, since
        // the clause itself may hold clause words ("since", "when").
        let appositive = self.is_comma(last);
        let mut start = last + 1;
        while start > 0 {
            let k = start - 1;
            let t = &self.tokens.toks[k];
            let boundary = match t.kind {
                TokenKind::Quote => true,
                TokenKind::Punct => {
                    let c = self.body[t.start..].chars().next().unwrap_or(' ');
                    matches!(c, ';' | ':' | '(' | ')' | '!' | '?' | '\u{2014}' | '\u{2013}')
                }
                TokenKind::Word => {
                    let w = self.w(k);
                    (is_left_boundary(w) && !(appositive && k + 1 < last))
                        || (k != last
                            && !appositive
                            && self.cue_class(k).is_some()
                            && !t.capitalized
                            && !is_noun_like_cue(w)
                            && !(k > 0 && self.is_word(k - 1) && is_determiner(self.w(k - 1))))
                }
            };
            if boundary {
                break;
            }
            start -= 1;
            if last + 1 - start > 3 * MAX_SPEAKER_TOKENS {
                return None;
            }
        }
        // A relative pronoun right before the cue: "officials who said" — the speaker is before it.
        if start > 0 && start == last + 1 {
            let k = start - 1;
            if self.is_word(k) && is_relative(self.w(k)) && k > 0 {
                let before = if self.is_comma(k - 1) { k.checked_sub(2)? } else { k - 1 };
                if !self.is_word(before) {
                    return None;
                }
                // "Amanda Gorman, the amazing poet, wise beyond her years, who told us": `who` after a comma
                // refers past appositives to the name they describe, the nearest chunk ending in a capital.
                if self.is_comma(k - 1) && self.w(k) == "who" && !self.tokens.toks[before].capitalized {
                    let mut end = before;
                    for _ in 0..3 {
                        let Some(comma) = (end.saturating_sub(12)..end).rev().find(|&c| self.is_comma(c)) else {
                            break;
                        };
                        if comma == 0 || !self.is_word(comma - 1) {
                            break;
                        }
                        if self.tokens.toks[comma - 1].capitalized {
                            return Some(self.antecedent(comma - 1));
                        }
                        end = comma - 1;
                    }
                }
                return Some(self.antecedent(before));
            }
            return None;
        }
        // Chunks between commas.
        let mut chunks: Vec<Range<usize>> = Vec::new();
        let mut chunk_start = start;
        for k in start..=last {
            if self.is_comma(k) {
                chunks.push(chunk_start..k);
                chunk_start = k + 1;
            }
        }
        chunks.push(chunk_start..last + 1);
        let trim = |r: Range<usize>| -> Range<usize> {
            let mut s = r.start;
            while s < r.end && (!self.is_word(s) || is_leading_filler(self.w(s))) {
                s += 1;
            }
            let mut e = r.end;
            while e > s && !self.is_word(e - 1) && !self.tokens.is_punct(e - 1, self.body, '.') {
                e -= 1;
            }
            s..e
        };
        let chosen = if appositive {
            // "Smith, who …, said": the chunk before the relative clause; "Professor X, Director of Y, says":
            // the first chunk that is not an introductory phrase.
            let trimmed: Vec<Range<usize>> = chunks.iter().map(|c| trim(c.clone())).collect();
            let before_relative = trimmed.windows(2).find_map(|pair| {
                (!pair[0].is_empty() && !pair[1].is_empty() && is_relative(self.w(pair[1].start)))
                    .then(|| pair[0].clone())
            });
            match before_relative {
                Some(chunk) => chunk,
                None => {
                    let at = trimmed.iter().position(|c| {
                        !c.is_empty() && !is_intro(self.w(c.start)) && !is_relative(self.w(c.start))
                    })?;
                    // "Zürich's mayor, Corine Mauch, said": a role and then the name; the name is the speaker.
                    let role_then_name = trimmed.get(at + 1).is_some_and(|name| {
                        let role = &trimmed[at];
                        !name.is_empty()
                            && name.len() <= 4
                            && (name.start..name.end).all(|k| self.is_word(k) && self.tokens.toks[k].capitalized)
                            && crate::resolve::is_person_role(self.w(role.end - 1))
                    });
                    trimmed[if role_then_name { at + 1 } else { at }].clone()
                }
            }
        } else {
            let last_chunk = trim(chunks.last()?.clone());
            if !last_chunk.is_empty() && is_relative(self.w(last_chunk.start)) && chunks.len() > 1 {
                // "The agency, which said …": the antecedent.
                trim(chunks[chunks.len() - 2].clone())
            } else if chunks.len() > 1 && !last_chunk.is_empty() && last_chunk.len() <= 4 {
                // "Malaysia's Prime Minister, Najib Razak said": a role, then the name; both are the speaker.
                let role = trim(chunks[chunks.len() - 2].clone());
                let name_only =
                    (last_chunk.start..last_chunk.end).all(|k| self.is_word(k) && self.tokens.toks[k].capitalized);
                let is_role = !role.is_empty()
                    && role.len() <= 6
                    && !is_intro(self.w(role.start))
                    && crate::resolve::is_person_role(self.w(role.end - 1));
                if name_only && is_role {
                    role.start..last_chunk.end
                } else {
                    last_chunk
                }
            } else {
                last_chunk
            }
        };
        // "in a way people …": a preposition-led chunk without a comma ends in its subject; keep the last word
        // and the capitalised run before it.
        let mut chosen = chosen;
        if !chosen.is_empty() && is_preposition(self.w(chosen.start)) && chosen.len() > 1 {
            let mut s = chosen.end - 1;
            while s > chosen.start + 1 && self.is_word(s - 1) && self.tokens.toks[s - 1].capitalized {
                s -= 1;
            }
            chosen = s..chosen.end;
        }
        if chosen.is_empty() || chosen.len() > MAX_SPEAKER_TOKENS || is_bad_speaker_start(self.w(chosen.start)) {
            return None;
        }
        if (chosen.start..chosen.end).any(|k| self.is_quote(k)) {
            return None;
        }
        Some(chosen)
    }

    /// The noun phrase a relative clause hangs on, ending at token `last` ("… met with **Devocht**, who told
    /// …", "**the officials** who said …"): a run of capitalised words, or up to three words back to a
    /// determiner, stopping at prepositions and verbs.
    fn antecedent(&self, last: usize) -> Range<usize> {
        let mut start = last;
        if self.tokens.toks[last].capitalized {
            while start > 0
                && (self.is_word(start - 1) && self.tokens.toks[start - 1].capitalized
                    || self.is_abbreviation_period(start - 1))
            {
                start -= 1;
            }
        } else {
            while start > 0 && last - start < 3 && self.is_word(start - 1) {
                let w = self.w(start - 1);
                if is_preposition(w)
                    || is_between_word(w)
                    || self.cue_class(start - 1).is_some()
                    || is_left_boundary(w)
                {
                    break;
                }
                start -= 1;
                if is_determiner(w) {
                    break;
                }
            }
        }
        if start > 0 && self.is_word(start - 1) && matches!(self.w(start - 1), "the" | "a" | "an") {
            start -= 1;
        }
        start..last + 1
    }

    /// A noun phrase starting at `from`, up to punctuation, `that`, or `max` tokens.
    fn phrase_after(&self, from: usize, max: usize) -> Option<Range<usize>> {
        let mut end = from;
        while end < self.n()
            && (self.is_word(end) || (end > from && self.is_abbreviation_period(end)))
            && end - from < max
        {
            if !self.is_word(end) {
                end += 1;
                continue;
            }
            let w = self.w(end);
            if w == "that" || (end > from && (self.cue_class(end).is_some() && !is_noun_like_cue(w))) {
                break;
            }
            end += 1;
        }
        // Keep abbreviation periods inside ("the U.S. envoy").
        (end > from && !is_bad_speaker_start(self.w(from))).then_some(from..end)
    }

    /// Content from token `from` to the sentence end.
    fn content_after(&self, mut from: usize) -> Option<Range<usize>> {
        // "told him he would help": the addressee of a telling is not part of what was told.
        if from > 0
            && matches!(self.w(from - 1), "tell" | "tells" | "told" | "telling")
            && self.is_word(from)
            && matches!(self.w(from), "him" | "her" | "them" | "me" | "us" | "you" | "reporters" | "journalists")
        {
            from += 1;
        } else if from > 0 && matches!(self.w(from - 1), "tell" | "tells" | "told" | "telling") {
            // "told Reuters about 300 people died", "told Parliament the plan …": a named addressee.
            let run = (from..(from + 4).min(self.n()))
                .take_while(|&k| self.is_word(k) && self.tokens.toks[k].capitalized)
                .count();
            if run > 0 && self.is_word(from + run) {
                from += run;
            }
        }
        // "told reporters that …": the content starts after `that` when it comes soon.
        for k in from..(from + 8).min(self.n()) {
            if !self.is_word(k) {
                break;
            }
            if self.w(k) == "that" {
                from = k + 1;
                break;
            }
        }
        if from >= self.n() {
            return None;
        }
        self.clean_span(from, self.n() - 1)
    }

    /// Content from the sentence start to just before token `end` (the cue or speaker).
    fn content_before(&self, end: usize) -> Option<Range<usize>> {
        if end == 0 {
            return None;
        }
        self.clean_span(0, end - 1)
    }

    /// Whether the word at `i` stands next to direct speech: a quote or colon right after it, or a quote
    /// before it with only a comma and a short subject in between (`"…," she continued.`).
    fn beside_quote(&self, i: usize) -> bool {
        let after = i + 1 < self.n() && (self.is_quote(i + 1) || self.tokens.is_punct(i + 1, self.body, ':'));
        let closes = i + 2 >= self.n() && !self.is_word(self.n() - 1);
        let quote_before = (i.saturating_sub(5)..i).any(|k| self.is_quote(k));
        after || (closes && quote_before)
    }

    /// "X have no doubt that …": the speaker before `have`, the cue `doubt`.
    fn no_doubt(&self, noun: usize) -> Option<AttributionSpans> {
        let have = noun - 2;
        let speaker = if have > 0 && self.is_word(have - 1) && starts_clause(self.w(have - 1)) {
            have - 1..have
        } else {
            self.speaker_before(have.checked_sub(1)?)?
        };
        Some(AttributionSpans {
            speaker: self.span(speaker.start, speaker.end - 1),
            cue: self.span(noun, noun),
            cue_word: self.span(noun, noun),
            content: self.content_after(noun + 1),
            quote: None,
            negated: false,
            kind: CueKind::Cognition,
            inherited: false,
            in_quote: false,
        })
    }

    /// `according to X` / `in the words of X`: the cue is `first..=last`, the speaker follows.
    fn source_phrase(&self, first: usize, last: usize) -> Option<AttributionSpans> {
        let mut speaker = self.phrase_after(last + 1, MAX_SPEAKER_TOKENS)?;
        // Without a comma, a name ends where a new noun phrase starts: "According to Rathbun the property …".
        if let Some(k) = (speaker.start + 1..speaker.end).find(|&k| {
            self.tokens.toks[k - 1].capitalized
                && matches!(self.w(k), "the" | "a" | "an" | "it" | "he" | "she" | "they" | "there" | "this")
        }) {
            speaker.end = k;
        }
        // Content is the rest of the sentence: before the phrase, or after it when the phrase leads.
        let content = if first == 0 || (first == 1 && !self.is_word(0)) {
            self.clean_span(speaker.end, self.n() - 1)
        } else {
            self.content_before(first)
        };
        Some(AttributionSpans {
            speaker: self.span(speaker.start, speaker.end - 1),
            cue: self.span(first, last),
            cue_word: self.span(first, last),
            content,
            quote: None,
            negated: false,
            kind: CueKind::Source,
            inherited: false,
            in_quote: false,
        })
    }

    /// `X's claim that …`, `his claim that …`, `the claim by X that …`.
    fn nominal(&self, noun: usize) -> Option<AttributionSpans> {
        let next = self.w(noun + 1);
        let (speaker, content_from) = if next == "by" {
            let speaker = self.phrase_after(noun + 2, MAX_INVERTED_SPEAKER_TOKENS)?;
            if !(self.is_word(speaker.end) && self.w(speaker.end) == "that") {
                return None;
            }
            (self.span(speaker.start, speaker.end - 1), speaker.end + 1)
        } else {
            if noun == 0 || !self.is_word(noun - 1) {
                return None;
            }
            let possessor = noun - 1;
            let pw = self.w(possessor);
            let speaker = if matches!(pw, "his" | "her" | "their" | "its") {
                self.span(possessor, possessor)
            } else {
                // The possessor ends at the "'s" (a token of its own, or the end of the word).
                let (head, end_byte) = if pw == "'s" || pw == "’s" {
                    (possessor.checked_sub(1)?, self.tokens.toks[possessor].start)
                } else if let Some(stripped) = pw.strip_suffix("'s").or_else(|| pw.strip_suffix("’s")) {
                    let cut = pw.len() - stripped.len();
                    (possessor, self.tokens.toks[possessor].end - cut)
                } else {
                    return None;
                };
                if !self.is_word(head) {
                    return None;
                }
                // Extend left over a run of capitalised words, and one determiner.
                let mut s = head;
                while s > 0
                    && self.is_word(s - 1)
                    && self.tokens.toks[s - 1].capitalized
                    && !is_determiner(self.w(s - 1))
                {
                    s -= 1;
                }
                if s > 0 && self.is_word(s - 1) && matches!(self.w(s - 1), "the" | "a" | "an") {
                    s -= 1;
                }
                let end_byte = end_byte.min(self.tokens.toks[head].end).max(self.tokens.toks[s].start);
                let end_byte = self.body[..end_byte].trim_end().len();
                self.tokens.toks[s].start..end_byte
            };
            (speaker, noun + 2)
        };
        if speaker.is_empty() {
            return None;
        }
        let content = if content_from < self.n() { self.clean_span(content_from, self.n() - 1) } else { None };
        Some(AttributionSpans {
            speaker,
            cue: self.span(noun, noun),
            cue_word: self.span(noun, noun),
            content,
            quote: None,
            negated: false,
            kind: CueKind::Nominal,
            inherited: false,
            in_quote: false,
        })
    }

    /// Direct speech: the quotes of this sentence become the quote and the content.
    fn attach_quote(&self, attribution: &mut AttributionSpans) {
        let mut quote: Option<Range<usize>> = None;
        for q in self.quote_ids.clone() {
            let inner = &self.quotes.quotes[q].inner;
            if inner.is_empty()
                || inner.contains(&attribution.cue_word.start)
                || inner.contains(&attribution.speaker.start)
            {
                continue;
            }
            quote = Some(match quote {
                None => inner.clone(),
                Some(q) => q.start.min(inner.start)..q.end.max(inner.end),
            });
        }
        if let Some(quote) = quote {
            // A short quote inside reported content ("said it was \"dead\"") leaves the content as it is.
            let inside_content =
                attribution.content.as_ref().is_some_and(|c| c.start < quote.start && quote.end <= c.end);
            if !inside_content {
                attribution.content = Some(quote.clone());
            }
            attribution.quote = Some(quote);
        }
    }
}
