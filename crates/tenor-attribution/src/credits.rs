//! Source credits: sources named without a cue word. Three shapes, all common in news and transcripts:
//!
//! - media credits: `Image: Nick Moreau.`, `Shimon Peres image: David Shankbone.`, `(source: Google
//!   Analytics)`, `Video: …`, `Audio: …`;
//! - transcript labels: a sentence that is only an upper-case name and a colon (`THE PRESIDENT:`);
//! - signatures after a quotation: `"…," - Matthew Ingram`, `… tolerate. — Rick Santorum`;
//! - copyright notices (`(copyright Frank Messina; reprinted with permission)`) and bibliography entries, a
//!   sentence that is only an inverted name (`Austen, Jane.`, `Marx, Karl and Engels, Friedrich.`).
//!
//! A credit names where a text, picture or quotation comes from; it is not a speaker of claims, so it never
//! becomes a record's attribution, a claim or a summary speaker. GUM annotates these sources as attribution
//! units without a cue, and the evaluation scores them as speaker predictions.

use std::ops::Range;

use crate::tokens::{TokenKind, Tokens};

// Words that label a media credit when a colon (or GUM's occasional semicolon) follows.
use tenor_lexicon::attribution::CREDIT_LABELS;

/// At most this many tokens make up a credited name ("Twitter / Barack Obama", "Daily et al").
const MAX_CREDIT_TOKENS: usize = 6;

fn is_dash(text: &str) -> bool {
    matches!(text, "-" | "--" | "\u{2013}" | "\u{2014}")
}

/// The name a sentence credits, if any (a byte range into the body).
pub(crate) fn credit(body: &str, tokens: &Tokens) -> Option<Range<usize>> {
    media_credit(body, tokens)
        .or_else(|| transcript_label(body, tokens))
        .or_else(|| signature(body, tokens))
        .or_else(|| bibliography_entry(body, tokens))
}

/// First words of short comma-separated sentences that are greetings or replies, not names ("Yes, Sir.").
const NOT_SURNAMES: &[&str] = &[
    "yes",
    "no",
    "thank",
    "thanks",
    "well",
    "oh",
    "okay",
    "ok",
    "hello",
    "hi",
    "dear",
    "sir",
    "madam",
    "ladies",
    "good",
    "now",
    "so",
    "again",
    "today",
    "please",
    "sorry",
    "welcome",
    "congratulations",
    "friends",
];

/// A sentence that is only an inverted name, as in a reading list: `Austen, Jane.`, `Macaulay, Thomas
/// Babington.`, `Marx, Karl and Engels, Friedrich.` Every word capitalised (but `and`), at least one comma, a
/// final stop, mixed case (an all-capitals line is a label), at most eight words.
fn bibliography_entry(body: &str, tokens: &Tokens) -> Option<Range<usize>> {
    let toks = &tokens.toks;
    let n = toks.len();
    if n < 4 || !tokens.is_punct(n - 1, body, '.') || NOT_SURNAMES.contains(&tokens.lower(0)) {
        return None;
    }
    let mut words = 0;
    let mut commas = 0;
    for i in 0..n - 1 {
        if tokens.is_punct(i, body, ',') {
            // A comma between two names, never first or doubled.
            if i == 0 || !tokens.is_word(i - 1) {
                return None;
            }
            commas += 1;
        } else if tokens.is_word(i) {
            let text = &body[toks[i].start..toks[i].end];
            let name_word = toks[i].capitalized && text.chars().any(char::is_lowercase);
            if !(name_word || (text == "and" && i > 0)) {
                return None;
            }
            words += 1;
        } else if !tokens.is_punct(i, body, '.') {
            return None;
        }
    }
    (commas >= 1 && (2..=8).contains(&words) && tokens.is_word(n - 2)).then(|| toks[0].start..toks[n - 2].end)
}

/// Tokens from `first` that form a name: a capitalised word, then words, `/`, `&`, `.` up to a comma,
/// semicolon, bracket or the end of the sentence. `None` when the stretch is empty, starts lower case or is
/// too long to be a name.
fn name_from(body: &str, tokens: &Tokens, first: usize) -> Option<(Range<usize>, usize)> {
    let toks = &tokens.toks;
    if first >= toks.len() || !tokens.is_word(first) || !toks[first].capitalized {
        return None;
    }
    let mut last = first;
    let mut i = first + 1;
    while i < toks.len() {
        let text = &body[toks[i].start..toks[i].end];
        let joins = tokens.is_word(i) || matches!(text, "/" | "&") || (text == "." && i + 1 < toks.len());
        if !joins {
            break;
        }
        if tokens.is_word(i) {
            last = i;
        }
        i += 1;
    }
    let count = last + 1 - first;
    (count <= MAX_CREDIT_TOKENS).then(|| (toks[first].start..toks[last].end, last + 1))
}

fn media_credit(body: &str, tokens: &Tokens) -> Option<Range<usize>> {
    let toks = &tokens.toks;
    // Look for the colon first: most sentences have none, and the label look-up is then skipped.
    for i in 0..toks.len().saturating_sub(2) {
        // "(copyright Frank Messina; reprinted with permission)".
        if matches!(tokens.lower(i), "copyright" | "©") {
            if let Some((name, after)) = name_from(body, tokens, i + 1) {
                let closes = after >= toks.len()
                    || matches!(&body[toks[after].start..toks[after].end], "." | "," | ";" | ")" | "]");
                if closes {
                    return Some(name);
                }
            }
        }
        if !(tokens.is_punct(i + 1, body, ':') || tokens.is_punct(i + 1, body, ';')) {
            continue;
        }
        if !CREDIT_LABELS.contains(tokens.lower(i)) {
            continue;
        }
        let Some((name, after)) = name_from(body, tokens, i + 2) else { continue };
        // The name must close the sentence or its clause: end, `.`, `,`, `;` or a bracket.
        let closes = after >= toks.len()
            || matches!(&body[toks[after].start..toks[after].end], "." | "," | ";" | ")" | "]" | "!");
        if closes {
            return Some(name);
        }
    }
    None
}

fn transcript_label(body: &str, tokens: &Tokens) -> Option<Range<usize>> {
    let toks = &tokens.toks;
    let n = toks.len();
    if n < 2 || !tokens.is_punct(n - 1, body, ':') {
        return None;
    }
    let words = &toks[..n - 1];
    let all_caps = words.iter().all(|t| {
        let text = &body[t.start..t.end];
        t.kind == TokenKind::Word
            && text.chars().any(char::is_alphabetic)
            && text.chars().all(|c| !c.is_alphabetic() || c.is_uppercase())
    });
    // One letter ("Q:", "A:") is an interview turn, not a named source.
    let long_enough = words.iter().map(|t| t.end - t.start).sum::<usize>() >= 2;
    (all_caps && long_enough && words.len() <= MAX_CREDIT_TOKENS)
        .then(|| words[0].start..words[words.len() - 1].end)
}

fn signature(body: &str, tokens: &Tokens) -> Option<Range<usize>> {
    let toks = &tokens.toks;
    let n = toks.len();
    // Scan back from the end for a dash that follows a quote mark or a sentence-final stop.
    let lowest = n.saturating_sub(MAX_CREDIT_TOKENS + 2);
    for d in (lowest.max(1)..n.saturating_sub(1)).rev() {
        if toks[d].kind != TokenKind::Punct || !is_dash(&body[toks[d].start..toks[d].end]) {
            continue;
        }
        let before = &body[toks[d - 1].start..toks[d - 1].end];
        if !(toks[d - 1].kind == TokenKind::Quote || matches!(before, "." | "!" | "?" | "\u{2019}" | "'")) {
            return None;
        }
        let (name, after) = name_from(body, tokens, d + 1)?;
        let rest_is_stop = toks[after..].iter().all(|t| matches!(&body[t.start..t.end], "." | "!"));
        return rest_is_stop.then_some(name);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credited(text: &str) -> Option<&str> {
        let mut tokens = Tokens::default();
        tokens.tokenize(text, 0..text.len());
        credit(text, &tokens).map(|r| &text[r])
    }

    #[test]
    fn media_credits_name_their_source() {
        assert_eq!(credited("Image: Nick Moreau."), Some("Nick Moreau"));
        assert_eq!(credited("Image; Pacific Standard, provided by the owners."), Some("Pacific Standard"));
        assert_eq!(credited("Shimon Peres image: David Shankbone."), Some("David Shankbone"));
        assert_eq!(credited("Image: Twitter / Barack Obama."), Some("Twitter / Barack Obama"));
        assert_eq!(credited("image: Daily et al."), Some("Daily et al"));
        assert_eq!(
            credited("We get 14 million visitors (source: Google Analytics), which is a lot."),
            Some("Google Analytics")
        );
    }

    #[test]
    fn labels_and_signatures() {
        assert_eq!(credited("THE PRESIDENT:"), Some("THE PRESIDENT"));
        assert_eq!(credited("Q:"), None);
        assert_eq!(credited("\"But it 's a long game.\" - Matthew Ingram"), Some("Matthew Ingram"));
        assert_eq!(credited("anybody should tolerate it. — Rick Santorum"), Some("Rick Santorum"));
    }

    #[test]
    fn copyright_notices_and_reading_lists() {
        assert_eq!(credited("(copyright Frank Messina; reprinted with permission)"), Some("Frank Messina"));
        assert_eq!(credited("Austen, Jane."), Some("Austen, Jane"));
        assert_eq!(credited("Macaulay, Thomas Babington."), Some("Macaulay, Thomas Babington"));
        assert_eq!(credited("Marx, Karl and Engels, Friedrich."), Some("Marx, Karl and Engels, Friedrich"));
        assert_eq!(credited("Yes, Sir."), None);
        assert_eq!(credited("Thank you, Mr. President."), None);
        assert_eq!(credited("Paris, the capital, was quiet."), None);
        assert_eq!(credited("The copyright law changed."), None);
    }

    #[test]
    fn ordinary_sentences_credit_nobody() {
        assert_eq!(credited("The images were posted online."), None);
        assert_eq!(credited("The source: a leaked memo that the ministry wrote in March last year."), None);
        assert_eq!(credited("Prices rose - Analysts expect more."), None);
        assert_eq!(credited("Growth was 3% — the highest in years."), None);
        assert_eq!(credited("UPDATE: the minister has resigned."), None);
    }
}
