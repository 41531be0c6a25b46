//! Cues: whether a word is a reporting cue in this sentence (a verb of the cue lexicon used as a verb, with
//! the complement its class demands, not a discourse use such as "you know"), and the attribution each kind of
//! cue yields: verbal cues, claim nouns ("the claim that ..."), source phrases ("according to ...") and
//! "no doubt".

use super::words::*;
use super::*;

impl Sentence<'_> {
    /// Cue-like phrases that report nothing: the filler `you know,` (GUM does mark `I mean,` and `you see,`,
    /// which introduce the speaker's own point), and `can tell` meaning "make out" ("as far as I can tell",
    /// "how can you tell whether").
    pub(super) fn is_discourse_use(&self, cue: usize, attribution: &AttributionSpans) -> bool {
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
    pub(super) fn plausible_verb(&self, i: usize, class: CueClass) -> bool {
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

    /// "tell stories", "tells something", "told about mathematics", "tells Wikinews about ants": telling a
    /// thing or about a topic names what was told, it does not report it (no `that`, clause or quote follows).
    pub(super) fn tells_a_topic(&self, cue: usize) -> bool {
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
    pub(super) fn adds_an_object(&self, cue: usize) -> bool {
        matches!(self.w(cue), "add" | "adds" | "added" | "adding")
            && self.is_word(cue + 1)
            && matches!(self.w(cue + 1), "a" | "an" | "the" | "some" | "more" | "another" | "new" | "to")
            && !self.determiner_subject_then_verb(cue + 1)
    }

    /// The class whose complement the cue ending at `last` needs. A cue word that is also a common noun
    /// ("submit reports", "delivered remarks") reports speech only with a clause or quote after it; after a
    /// verb chain (`catenative`: "wanted to tell the story") even "say" and "tell" need a reported clause.
    fn complement_class(&self, class: CueClass, last: usize, catenative: bool) -> CueClass {
        if class == CueClass::Speech && (catenative || is_noun_like_cue(self.w(last))) {
            CueClass::Report
        } else {
            class
        }
    }

    /// A verb (or `be like`, or a predicative adjective) cue spanning tokens `first..=last`.
    pub(super) fn verbal(&self, first: usize, last: usize, class: CueClass) -> Option<AttributionSpans> {
        // Inversion: `"…," said Smith.` / `…, said Smith, a spokesman.`
        // Only verbs of saying invert, never a participle ("…", highlighting the importance of …).
        if class == CueClass::Speech
            && !self.w(last).ends_with("ing")
            && first > 0
            && (self.is_quote(first - 1) || self.is_comma(first - 1))
        {
            if let Some(speaker) = self.inverted_speaker(last + 1) {
                let content = self.content_before(first);
                return Some(AttributionSpans::of_cue(
                    self.span(speaker.start, speaker.end - 1),
                    self.span(first, last),
                    content,
                    CueKind::Speech,
                ));
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
        // Every attribution found from here on has this cue and this polarity.
        let found = |speaker: Range<usize>, content: Option<Range<usize>>, kind: CueKind| {
            Some(AttributionSpans::unquoted(speaker, cue.clone(), cue_word.clone(), content, negated, kind))
        };
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
            return found(self.span(speaker.start, speaker.end - 1), content, CueKind::Speech);
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
            return found(start..end, self.content_after(last + 1), CueKind::Speech);
        }
        // "we need to know what …": the subject pronoun before the governing verb.
        if self.w(j - 1) == "to" {
            let subject = self.infinitive_subject(first)?;
            return found(self.span(subject, subject), self.content_after(last + 1), CueKind::of_verb(class));
        }
        // "Let me say" / "let us see": the pronoun after "let".
        let lets = |k: usize| {
            k >= 1 && self.w(k - 1) == "let" && matches!(self.w(k), "me" | "us" | "'s" | "’s")
                || matches!(self.w(k), "let's" | "let’s")
        };
        if lets(j - 1) && self.has_complement(last, class, true, true, false) {
            return found(self.span(j - 1, j - 1), self.content_after(last + 1), CueKind::of_verb(class));
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
            if !self.has_complement(last, self.complement_class(class, last, catenative), false, false, false) {
                return None;
            }
            let content = self.content_after(last + 1);
            return found(start..end, content, CueKind::of_verb(class));
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
        let class = self.complement_class(class, last, catenative);
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
        found(self.span(speaker.start, speaker.end - 1), content, CueKind::of_verb(class))
    }

    /// "X have no doubt that …": the speaker before `have`, the cue `doubt`.
    pub(super) fn no_doubt(&self, noun: usize) -> Option<AttributionSpans> {
        let have = noun - 2;
        let speaker = if have > 0 && self.is_word(have - 1) && starts_clause(self.w(have - 1)) {
            have - 1..have
        } else {
            self.speaker_before(have.checked_sub(1)?)?
        };
        Some(AttributionSpans::of_cue(
            self.span(speaker.start, speaker.end - 1),
            self.span(noun, noun),
            self.content_after(noun + 1),
            CueKind::Cognition,
        ))
    }

    /// `according to X` / `in the words of X`: the cue is `first..=last`, the speaker follows.
    pub(super) fn source_phrase(&self, first: usize, last: usize) -> Option<AttributionSpans> {
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
        Some(AttributionSpans::of_cue(
            self.span(speaker.start, speaker.end - 1),
            self.span(first, last),
            content,
            CueKind::Source,
        ))
    }

    /// `X's claim that …`, `his claim that …`, `the claim by X that …`.
    pub(super) fn nominal(&self, noun: usize) -> Option<AttributionSpans> {
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
        Some(AttributionSpans::of_cue(speaker, self.span(noun, noun), content, CueKind::Nominal))
    }
}
