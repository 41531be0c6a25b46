//! Quotes: direct speech around a cue becomes the attribution's quote and content.

use std::ops::Range;

use super::*;

impl Sentence<'_> {
    /// Whether the word at `i` stands next to direct speech: a quote or colon right after it, or a quote
    /// before it with only a comma and a short subject in between (`"…," she continued.`).
    pub(super) fn beside_quote(&self, i: usize) -> bool {
        let after = i + 1 < self.n() && (self.is_quote(i + 1) || self.tokens.is_punct(i + 1, self.body, ':'));
        let closes = i + 2 >= self.n() && !self.is_word(self.n() - 1);
        let quote_before = (i.saturating_sub(5)..i).any(|k| self.is_quote(k));
        after || (closes && quote_before)
    }

    /// Direct speech: the quotes of this sentence become the quote and the content.
    pub(super) fn attach_quote(&self, attribution: &mut AttributionSpans) {
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
