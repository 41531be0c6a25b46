//! Tenor's rule-based sentence splitter for news and web text.
//!
//! One forward pass over the bytes finds *cut points* (byte offsets between two sentences); the spans are the
//! pieces between cut points, trimmed of white space. Because every cut point is a char boundary and every
//! piece is kept, the spans are in order, non-overlapping and together cover every non-whitespace character
//! of the input, whatever the input is.
//!
//! Only a handful of bytes can start a decision (`.`, `!`, `?`, `)`, `,`, `:`, `;`, `=`, `<`, line breaks, and
//! the lead byte of a few non-ASCII marks such as `…` and `•`); everything else is skipped with one table
//! lookup (a space between a lower-case letter and a capital adds one check), which is what makes the splitter
//! fast. Tags left in the text (`<p>`, `</b>`) are never removed: they stay inside the spans. The rules
//! themselves are documented in `docs/SPLITTING.md`.
//!
//! The code is split by role: `scan.rs` is the scanning loop and its look-around helpers, `marks.rs` the
//! decision rule of each punctuation mark, `lists.rs` line breaks, list items and headings, `web.rs` web text
//! (sentences glued together, lower-case openers, emoticons, run-on openers) and tags left in the text; this
//! file turns cut points into trimmed, kind-tagged spans.

mod lists;
mod marks;
mod scan;
mod web;

use tenor_core::SentenceKind;

use crate::lexicon;
use scan::Scanner;

/// One sentence (or heading) found in a text: byte offsets, trimmed of surrounding white space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceSpan {
    pub start: usize,
    pub end: usize,
    pub kind: SentenceKind,
}

/// The sentence splitter. Cheap to build; reuse one per thread.
#[derive(Debug, Clone, Default)]
pub struct Splitter {}

impl Splitter {
    pub fn new() -> Splitter {
        Splitter {}
    }

    /// Splits `text` into sentences, in order, non-overlapping, each trimmed of white space.
    pub fn split(&self, text: &str) -> Vec<SentenceSpan> {
        let cuts = Scanner::new(text).run();
        spans_from_cuts(text, &cuts)
    }

    /// The byte offsets where one sentence ends and the next begins (before trimming), in increasing order.
    pub fn cut_points(&self, text: &str) -> Vec<usize> {
        Scanner::new(text).run()
    }
}

/// Splits `text` with the default [`Splitter`].
pub fn split(text: &str) -> Vec<SentenceSpan> {
    Splitter::new().split(text)
}

fn spans_from_cuts(text: &str, cuts: &[usize]) -> Vec<SentenceSpan> {
    let mut spans = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for &cut in cuts.iter().chain(std::iter::once(&text.len())) {
        push_trimmed(text, start, cut, &mut spans);
        start = cut;
    }
    spans
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<SentenceSpan>) {
    let piece = &text[start..end];
    let trimmed_start = start + (piece.len() - piece.trim_start().len());
    let trimmed_end = end - (piece.len() - piece.trim_end().len());
    if trimmed_start < trimmed_end {
        let kind = sentence_kind(text, trimmed_start, trimmed_end);
        out.push(SentenceSpan { start: trimmed_start, end: trimmed_end, kind });
    }
}

/// A heading is a span of at most 20 words without final punctuation or line break inside, that starts or ends
/// a line: a whole title line, and also both halves of a title line the splitter cut in two (a headline
/// followed by its dateline on the same line, as in Wikinews copy).
fn sentence_kind(text: &str, start: usize, end: usize) -> SentenceKind {
    let body = &text[start..end];
    let last = web::trim_trailing_tags(body)
        .trim_end_matches(|c: char| lexicon::is_closing_quote(c) || matches!(c, ')' | ']' | '}'));
    let ends_punctuated =
        last.chars().next_back().is_none_or(|c| lexicon::is_terminal(c) || matches!(c, ':' | ';' | ','));
    let is_line_break = |c: char| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
    let starts_line =
        text[..start].chars().rev().find(|c| !c.is_whitespace() || is_line_break(*c)).is_none_or(is_line_break);
    let ends_line =
        text[end..].chars().find(|c| !c.is_whitespace() || is_line_break(*c)).is_none_or(is_line_break);
    if !ends_punctuated
        && (starts_line || ends_line)
        && !body.contains(is_line_break)
        && body.split_whitespace().count() <= 20
    {
        SentenceKind::Heading
    } else {
        SentenceKind::Sentence
    }
}

/// The rules, one case each; read as documentation of what the splitter promises.
#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        split(text).iter().map(|s| &text[s.start..s.end]).collect()
    }

    fn kinds(text: &str) -> Vec<SentenceKind> {
        split(text).iter().map(|s| s.kind).collect()
    }

    #[test]
    fn abbreviations_and_titles_do_not_end_sentences() {
        assert_eq!(
            sentences(
                "U.S. officials met Dr. Smith and Gov. Brown at 5 p.m. on Jan. 5 in Washington, D.C., on Friday."
            ),
            ["U.S. officials met Dr. Smith and Gov. Brown at 5 p.m. on Jan. 5 in Washington, D.C., on Friday."]
        );
        assert_eq!(sentences("Acme Inc. said profits rose."), ["Acme Inc. said profits rose."]);
    }

    #[test]
    fn an_abbreviation_ends_a_sentence_before_a_typical_sentence_opener() {
        assert_eq!(
            sentences("The firm moved to the U.S. The move cut costs."),
            ["The firm moved to the U.S.", "The move cut costs."]
        );
        assert_eq!(
            sentences("They sell toys, games, etc. However, sales fell."),
            ["They sell toys, games, etc.", "However, sales fell."]
        );
    }

    #[test]
    fn initials_stay_with_the_name() {
        assert_eq!(
            sentences("J. R. R. Tolkien wrote it. John F. Kennedy read it."),
            ["J. R. R. Tolkien wrote it.", "John F. Kennedy read it."]
        );
    }

    #[test]
    fn numbers_and_decimals() {
        assert_eq!(
            sentences("Shares rose 3.5 percent to $12.75. Analysts expected 1,200.50 points. It closed at 12."),
            ["Shares rose 3.5 percent to $12.75.", "Analysts expected 1,200.50 points.", "It closed at 12."]
        );
    }

    #[test]
    fn ellipses_end_a_sentence_only_before_a_capitalized_word() {
        assert_eq!(sentences("He paused... Then he left."), ["He paused...", "Then he left."]);
        assert_eq!(sentences("Well… maybe not."), ["Well… maybe not."]);
        assert_eq!(sentences("I thought . . . I was wrong."), ["I thought . . . I was wrong."]);
    }

    #[test]
    fn a_quotation_with_a_reporting_clause_is_one_sentence() {
        assert_eq!(
            sentences("The talks were \u{201c}productive and constructive,\u{201d} officials said."),
            ["The talks were \u{201c}productive and constructive,\u{201d} officials said."]
        );
        assert_eq!(sentences("\"We won!\" she said."), ["\"We won!\" she said."]);
        assert_eq!(sentences("\"We will win.\" Smith said."), ["\"We will win.\" Smith said."]);
        // ... but a capitalized clause that goes on after the verb is a new sentence.
        assert_eq!(
            sentences("She called it \"unusual.\" He added: \"We expect rain.\""),
            ["She called it \"unusual.\"", "He added: \"We expect rain.\""]
        );
        assert_eq!(
            sentences("\"It is over.\" Smith said the team would appeal."),
            ["\"It is over.\"", "Smith said the team would appeal."]
        );
    }

    #[test]
    fn a_quotation_that_ends_a_sentence_ends_it_after_the_closing_quote() {
        assert_eq!(sentences("He said \"Stop.\" Then he left."), ["He said \"Stop.\"", "Then he left."]);
        assert_eq!(
            sentences("She said it was \u{2018}over.\u{2019} Nobody agreed."),
            ["She said it was \u{2018}over.\u{2019}", "Nobody agreed."]
        );
    }

    #[test]
    fn nested_quotations() {
        assert_eq!(
            sentences("\"I heard him say 'never again.'\" she recalled."),
            ["\"I heard him say 'never again.'\" she recalled."]
        );
        assert_eq!(
            sentences("He said: \"They called it 'a farce.'\" The judge disagreed."),
            ["He said: \"They called it 'a farce.'\"", "The judge disagreed."]
        );
    }

    #[test]
    fn parentheses() {
        assert_eq!(
            sentences("He teaches (He worked as an engineer.) at the school."),
            ["He teaches (He worked as an engineer.) at the school."]
        );
        assert_eq!(
            sentences("The index fell (see chart). Traders were nervous."),
            ["The index fell (see chart).", "Traders were nervous."]
        );
        assert_eq!(
            sentences("He left. (He came back later.) Then he slept."),
            ["He left.", "(He came back later.)", "Then he slept."]
        );
        // A citation closed by its own full stop belongs to the sentence before it.
        assert_eq!(
            sentences("It ranks 135th in the US. (quantcast.com). Growth is slow."),
            ["It ranks 135th in the US. (quantcast.com).", "Growth is slow."]
        );
    }

    #[test]
    fn list_items_on_their_own_lines() {
        assert_eq!(
            sentences("Steps:\n1. Mix the flour\n2. Bake it\n- Serve warm\n\u{2022} Eat"),
            ["Steps:", "1. Mix the flour", "2. Bake it", "- Serve warm", "\u{2022} Eat"]
        );
    }

    #[test]
    fn list_items_run_together_on_one_line() {
        assert_eq!(sentences("1) First item 2) Second item"), ["1) First item", "2) Second item"]);
        assert_eq!(sentences("a. Apples b. Pears"), ["a. Apples", "b. Pears"]);
        // A number that does not continue a list is just a number.
        assert_eq!(sentences("He won 2. Then he lost 3 games."), ["He won 2.", "Then he lost 3 games."]);
    }

    #[test]
    fn headings_and_page_furniture_are_headings() {
        let text = "Storm hits coast\n\nThe storm hit the coast on Monday.\n\nRelated stories\nShare this article";
        assert_eq!(
            sentences(text),
            ["Storm hits coast", "The storm hit the coast on Monday.", "Related stories", "Share this article"]
        );
        assert_eq!(
            kinds(text),
            [SentenceKind::Heading, SentenceKind::Sentence, SentenceKind::Heading, SentenceKind::Heading]
        );
    }

    #[test]
    fn a_headline_and_its_dateline_on_one_line_are_both_headings() {
        let text = "Biologist tells Wikinews about ants Tuesday, September 1, 2015\n\nThe team used ants.";
        assert_eq!(
            sentences(text),
            ["Biologist tells Wikinews about ants", "Tuesday, September 1, 2015", "The team used ants."]
        );
        assert_eq!(kinds(text), [SentenceKind::Heading, SentenceKind::Heading, SentenceKind::Sentence]);
    }

    #[test]
    fn a_heading_line_ends_at_a_single_line_break() {
        assert_eq!(
            sentences("Markets rally on rate hopes\nStocks rose on Monday."),
            ["Markets rally on rate hopes", "Stocks rose on Monday."]
        );
    }

    #[test]
    fn a_wrapped_sentence_is_not_broken_at_its_line_breaks() {
        assert_eq!(
            sentences("The committee met on\nTuesday to discuss the budget."),
            ["The committee met on\nTuesday to discuss the budget."]
        );
    }

    #[test]
    fn a_blank_line_always_ends_a_sentence() {
        assert_eq!(
            sentences("no final punctuation here\n\nand lowercase after"),
            ["no final punctuation here", "and lowercase after"]
        );
        assert_eq!(sentences("Title\r\n\r\nBody text.\r\n"), ["Title", "Body text."]);
    }

    #[test]
    fn a_dateline_under_a_title_stands_alone() {
        assert_eq!(
            sentences("Biologist tells Wikinews about ants Tuesday, September 1, 2015 Ants heal themselves."),
            ["Biologist tells Wikinews about ants", "Tuesday, September 1, 2015", "Ants heal themselves."]
        );
        assert_eq!(
            sentences("They met on Tuesday, September 1, 2015 in Paris."),
            ["They met on Tuesday, September 1, 2015 in Paris."]
        );
    }

    #[test]
    fn a_photo_credit_after_a_caption_stands_alone() {
        assert_eq!(
            sentences("The robot at the fair Image: United States Navy."),
            ["The robot at the fair", "Image: United States Navy."]
        );
    }

    #[test]
    fn an_attribution_after_a_dash_stays_with_the_quote() {
        assert_eq!(
            sentences("\"We have brains.\" \u{2014} Peres, on oil."),
            ["\"We have brains.\" \u{2014} Peres, on oil."]
        );
    }

    #[test]
    fn web_text_and_names() {
        assert_eq!(
            sentences("Email jane.doe@example.com. She replies fast!"),
            ["Email jane.doe@example.com.", "She replies fast!"]
        );
        assert_eq!(
            sentences("I bought it at Yahoo! in May. Then eBay. iPhone sales rose."),
            ["I bought it at Yahoo! in May.", "Then eBay.", "iPhone sales rose."]
        );
    }

    #[test]
    fn offsets_are_bytes_into_the_input() {
        let text = "  Caf\u{e9} ouvert. Gr\u{fc}\u{df}e!  ";
        let spans = split(text);
        assert_eq!(spans.len(), 2);
        assert_eq!(&text[spans[0].start..spans[0].end], "Caf\u{e9} ouvert.");
        assert_eq!((spans[1].start, spans[1].end), (16, 24));
    }

    /// A small fixed-seed generator (xorshift), so that the property test below is reproducible.
    struct Rng(u64);
    impl Rng {
        fn next_u64(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next_u64() % n as u64) as usize
        }
    }

    const FRAGMENTS: &[&str] = &[
        ".",
        "..",
        "...",
        ". . .",
        "!",
        "?",
        "?!",
        "\u{2026}",
        "U.S.",
        "Mr.",
        "p.m.",
        "a.m",
        "J.",
        "e.g.",
        "1.",
        "12.",
        "a)",
        "2.)",
        "\"",
        "'",
        "\u{201c}",
        "\u{201d}",
        "\u{2019}",
        "(",
        ")",
        "[",
        "]",
        "[...]",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\n\n",
        "\r",
        "\u{2028}",
        "\u{2029}",
        "\u{a0}",
        "\u{3000}",
        "The",
        "word",
        "said",
        "I",
        "it",
        "\u{e9}",
        "e\u{301}",
        "\u{1f600}",
        "\u{1f468}\u{200d}\u{1f469}",
        "\0",
        "\u{2022}",
        "\u{2043}",
        "-",
        "\u{2014}",
        ":",
        ",",
        ";",
        "Image:",
        "Tuesday, September 1, 2015",
        "Tuesday,",
        "\u{3002}",
        "\u{ff1f}",
        "x",
        "3.14",
        "$100.00",
        "http://a.b/c.html",
        "\u{feff}",
        "\u{200b}",
        "\u{5d0}\u{5d1}",
        "\u{645}",
        "<p>",
        "</p>",
        "<br/>",
        "<b>",
        "<a href=\"x\">",
        "<",
        ">",
        ":)",
        ";-)",
        "<3",
        "Q.",
        "A.",
        "world.Today",
        "1,000.That",
        "They",
        "thanks",
        "flour",
    ];

    /// Checks every promise of [`Splitter::split`] on `text`.
    fn assert_invariants(text: &str) {
        let spans = split(text);
        let mut previous_end = 0;
        for span in &spans {
            assert!(span.start < span.end && span.end <= text.len(), "{span:?} in {text:?}");
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end), "{span:?} in {text:?}");
            assert!(span.start >= previous_end, "overlap or disorder at {span:?} in {text:?}");
            let piece = &text[span.start..span.end];
            assert_eq!(piece, piece.trim(), "untrimmed {span:?} in {text:?}");
            // Every non-whitespace character between two spans would be lost.
            assert!(
                text[previous_end..span.start].trim().is_empty(),
                "uncovered text before {span:?} in {text:?}"
            );
            previous_end = span.end;
        }
        assert!(text[previous_end..].trim().is_empty(), "uncovered tail in {text:?}");
    }

    #[test]
    fn spans_are_ordered_trimmed_and_cover_all_text_on_random_nasty_inputs() {
        let mut rng = Rng(0x5eed_1234_abcd_ef01);
        for _ in 0..20_000 {
            let len = rng.below(40);
            let text: String = (0..len).map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())]).collect();
            assert_invariants(&text);
        }
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let cases = [
            String::new(),
            " \n\t ".to_owned(),
            ".".repeat(100_000),
            ". ".repeat(50_000),
            "a. ".repeat(30_000),
            "1. ".repeat(30_000),
            "\"".repeat(10_000),
            "(".repeat(10_000) + &")".repeat(10_000),
            "x".repeat(100_000),
            "\u{1f600}.".repeat(10_000),
            "\r\n".repeat(10_000),
            "\0".repeat(1_000),
            "Tuesday,".repeat(1_000),
            "Image:".repeat(1_000),
            "e\u{301}\u{301}\u{301}. ".repeat(1_000),
            "<p>".repeat(10_000),
            "</p>".repeat(10_000),
            "<".repeat(10_000) + &"a".repeat(10_000),
            ":) ".repeat(10_000),
            "flour\n".repeat(10_000),
            "one two\nthree\n".repeat(5_000),
            "word.Word".repeat(10_000),
            "great They were ".repeat(5_000),
        ];
        for text in &cases {
            assert_invariants(text);
        }
        assert_eq!(split("Hello.").len(), 1);
    }
}
