//! Content: what a cue reports. Whether a clause, a `that`, a wh-word or a quote follows a cue (the
//! complement its class demands), and the byte span of the reported content after or before the cue.

use std::ops::Range;

use super::words::*;
use super::*;

impl Sentence<'_> {
    /// Whether what follows a belief or evidence cue is a clause it reports.
    pub(super) fn has_complement(
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

    /// `that`, or a quote or colon, shortly after a communication cue, past a short phrase ("stated to LA
    /// Weekly that", "announced on Friday that", "commented on the plan, \"…\"").
    pub(super) fn that_or_quote_soon(&self, from: usize, quote_too: bool) -> bool {
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
    pub(super) fn is_catenative_to(&self, k: usize) -> bool {
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

    /// Whether a clause starts at token `k`: `that` or a wh-word with words after it, a subject pronoun with a
    /// verb after it, or a demonstrative/expletive followed by an auxiliary ("it was", "there is").
    pub(super) fn clause_follows(&self, k: usize) -> bool {
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
    pub(super) fn determiner_subject_then_verb(&self, k: usize) -> bool {
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
    pub(super) fn noun_phrase_then_auxiliary(&self, k: usize) -> bool {
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

    /// The end of a run of words from `from` (abbreviation periods inside it included), at most `max` tokens:
    /// `keep` says of each word whether the run goes on (`Some(true)`), ends before it (`Some(false)`), or is
    /// rejected (`None`).
    pub(super) fn words_from(
        &self,
        from: usize,
        max: usize,
        keep: impl Fn(usize) -> Option<bool>,
    ) -> Option<usize> {
        let mut end = from;
        while end < self.n()
            && (self.is_word(end) || (end > from && self.is_abbreviation_period(end)))
            && end - from < max
        {
            if self.is_word(end) && !keep(end)? {
                break;
            }
            end += 1;
        }
        Some(end)
    }

    /// A noun phrase starting at `from`, up to punctuation, `that`, or `max` tokens.
    pub(super) fn phrase_after(&self, from: usize, max: usize) -> Option<Range<usize>> {
        let end = self.words_from(from, max, |end| {
            let w = self.w(end);
            Some(!(w == "that" || (end > from && (self.cue_class(end).is_some() && !is_noun_like_cue(w)))))
        })?;
        // Keep abbreviation periods inside ("the U.S. envoy").
        (end > from && !is_bad_speaker_start(self.w(from))).then_some(from..end)
    }

    /// Content from token `from` to the sentence end.
    pub(super) fn content_after(&self, mut from: usize) -> Option<Range<usize>> {
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
    pub(super) fn content_before(&self, end: usize) -> Option<Range<usize>> {
        if end == 0 {
            return None;
        }
        self.clean_span(0, end - 1)
    }
}
