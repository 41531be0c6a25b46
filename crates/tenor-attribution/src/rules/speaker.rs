//! Speakers: the noun phrase a cue is attributed to, before the cue (`the minister said`), after it in
//! inversion (`"...," said the minister`), the subject of an infinitive or a coordination, or the previous
//! attribution's speaker (`antecedent`).

use std::ops::Range;

use super::words::*;
use super::*;

impl Sentence<'_> {
    /// The subject pronoun of an infinitive cue at `cue` ("we need to know what", "I wanted to say that"): a
    /// subject pronoun at most three words before `to`, with `that`, a wh-word or a quote after the cue.
    pub(super) fn infinitive_subject(&self, cue: usize) -> Option<usize> {
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
    pub(super) fn coordinated_subject(&self, and: usize) -> Option<Range<usize>> {
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
    pub(super) fn opening_noun_phrase(&self, limit: usize) -> Option<Range<usize>> {
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

    /// The speaker after an inverted cue: a short noun phrase closed by punctuation, with no verb in it.
    pub(super) fn inverted_speaker(&self, from: usize) -> Option<Range<usize>> {
        let end = self.words_from(from, MAX_INVERTED_SPEAKER_TOKENS, |end| {
            let w = self.w(end);
            (!(is_between_word(w) || self.cue_class(end).is_some() || w == "that" || is_left_boundary(w)))
                .then_some(true)
        })?;
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
    pub(super) fn speaker_before(&self, last: usize) -> Option<Range<usize>> {
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
    pub(super) fn antecedent(&self, last: usize) -> Range<usize> {
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
}
