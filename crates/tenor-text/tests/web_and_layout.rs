//! Web text and unusual layout (issue 19): sentences run together without a space, lower-case openers,
//! emoticons, run-on openers, `Q.` / `A.` interview markers, ellipses and runs of dots, list items and headings
//! one per line without punctuation, and HTML-like tags left in the text. Every case here was written by hand
//! for these tests; none is taken from an evaluation corpus.

use tenor_core::SentenceKind;
use tenor_text::Splitter;

fn sentences(text: &str) -> Vec<&str> {
    Splitter::new().split(text).iter().map(|s| &text[s.start..s.end]).collect()
}

/// The spans are exact byte offsets and nothing is dropped: the pieces between them are only white space.
fn assert_covers(text: &str) {
    let spans = Splitter::new().split(text);
    let mut previous = 0;
    for s in &spans {
        assert!(text[previous..s.start].trim().is_empty(), "lost text before {s:?} in {text:?}");
        previous = s.end;
    }
    assert!(text[previous..].trim().is_empty(), "lost tail in {text:?}");
}

#[test]
fn sentences_run_together_without_a_space() {
    assert_eq!(sentences("Hello world.Today is Tuesday."), ["Hello world.", "Today is Tuesday."]);
    assert_eq!(sentences("They bought 1,000.That is a lot."), ["They bought 1,000.", "That is a lot."]);
    assert_eq!(sentences("Is it open?Nobody knows."), ["Is it open?", "Nobody knows."]);
    assert_eq!(sentences("We won!Great game."), ["We won!", "Great game."]);
    assert_eq!(sentences("I don't know...Maybe tomorrow."), ["I don't know...", "Maybe tomorrow."]);
    assert_eq!(
        sentences("The shop was shut.\"Come back later,\" it said."),
        ["The shop was shut.\"Come back later,\" it said."]
    );
}

#[test]
fn names_addresses_and_numbers_with_inner_dots_are_not_glued_sentences() {
    for text in [
        "Write to Jane.Doe@example.com today.",
        "Visit www.Google.com for more.",
        "It runs on ASP.NET and Node.js now.",
        "Pi is 3.14159 or so.",
        "Mr.Smith and Dr.Jones came.",
        "She moved to St.Louis in May.",
        "I visited the U.S.A. last year.",
        "The file is at C:/Users/Me.Docs now.",
        "See v2.Final for details.",
    ] {
        assert_eq!(sentences(text), [text], "{text:?}");
    }
}

#[test]
fn lowercase_openers_after_a_terminal_mark() {
    assert_eq!(sentences("i went there. it was closed."), ["i went there.", "it was closed."]);
    assert_eq!(sentences("Any ideas? thanks in advance"), ["Any ideas?", "thanks in advance"]);
    assert_eq!(sentences("Great food! we will be back."), ["Great food!", "we will be back."]);
    assert_eq!(sentences("Works fine. i\u{2019}m happy."), ["Works fine.", "i\u{2019}m happy."]);
}

#[test]
fn lowercase_words_that_continue_a_sentence_still_do() {
    for text in [
        "She works at Yahoo! in the accounting department.",
        "\"Stop!\" she said.",
        "\"It is over.\" he said.",
        "They sell toys, games, etc. and more.",
        "It costs approx. three dollars.",
        "Cats vs. dogs is old.",
        "Tell him why. the rest can wait.",
        "Check section 4. it is short.",
        "Ask Mr. X. he knows.",
    ] {
        assert_eq!(sentences(text), [text], "{text:?}");
    }
}

#[test]
fn emoticons_end_sentences() {
    assert_eq!(sentences("Thanks for the tip :) See you soon."), ["Thanks for the tip :)", "See you soon."]);
    assert_eq!(sentences("Was it good? :) It was."), ["Was it good? :)", "It was."]);
    assert_eq!(sentences("Lost my keys again :( i hate Mondays"), ["Lost my keys again :(", "i hate Mondays"]);
    assert_eq!(sentences("Love it <3 Will buy again."), ["Love it <3", "Will buy again."]);
    assert_eq!(sentences("Nice ;-) :D Bye."), ["Nice ;-) :D", "Bye."]);
    // Not emoticons: a colon in a time, a label, a smiley before a lower-case word that continues.
    assert_eq!(sentences("Meet at 10:30 Tomorrow."), ["Meet at 10:30 Tomorrow."]);
    assert_eq!(sentences("Result: Positive."), ["Result: Positive."]);
    assert_eq!(sentences("So happy :) about it."), ["So happy :) about it."]);
}

#[test]
fn capitalized_openers_run_on_without_punctuation() {
    assert_eq!(
        sentences("The food was great They were friendly too."),
        ["The food was great", "They were friendly too."]
    );
    assert_eq!(
        sentences("see you at noon Thanks again for the help"),
        ["see you at noon", "Thanks again for the help"]
    );
    // Not run-ons: a title, a pronoun after punctuation or a capitalized word, an opener before a name.
    for text in [
        "We watched This Is England last night.",
        "He said, They were late.",
        "Ask Jane We Are Here about it.",
        "The band played Please Please Me twice.",
        "It is a film called My Life in the list.",
    ] {
        assert_eq!(sentences(text), [text], "{text:?}");
    }
}

#[test]
fn interview_markers_open_their_sentence() {
    assert_eq!(
        sentences("Q. What did you see? A. I saw the storm coming. Q. When? A. The night before."),
        ["Q. What did you see?", "A. I saw the storm coming.", "Q. When?", "A. The night before."]
    );
    assert_eq!(
        sentences("Q. How long did it last?\nA. Two days.\nQ. And then?\nA. It moved north."),
        ["Q. How long did it last?", "A. Two days.", "Q. And then?", "A. It moved north."]
    );
    assert_eq!(sentences("Q: Why? A: Because."), ["Q: Why?", "A: Because."]);
}

#[test]
fn ellipses_and_long_runs_of_dots() {
    assert_eq!(sentences("Wait.......... Then it moved."), ["Wait..........", "Then it moved."]);
    assert_eq!(sentences("Loading.......... done."), ["Loading.......... done."]);
    assert_eq!(sentences("So... I guess not."), ["So... I guess not."]);
    assert_eq!(sentences("He left.... She stayed."), ["He left....", "She stayed."]);
    assert_eq!(sentences("Chapter 1 .......... 5"), ["Chapter 1 .......... 5"]);
    assert_covers(&".".repeat(5_000));
    assert_covers("a......b......C......");
}

#[test]
fn list_items_one_per_line_without_punctuation() {
    assert_eq!(
        sentences("Ingredients:\nflour\nsugar\ntwo eggs\na pinch of salt"),
        ["Ingredients:", "flour", "sugar", "two eggs", "a pinch of salt"]
    );
    assert_eq!(
        sentences("What to bring\nwater\nsun cream\na hat\n\nWe start at nine."),
        ["What to bring", "water", "sun cream", "a hat", "We start at nine."]
    );
    assert_eq!(
        sentences("Opening hours\nMonday to Friday\nSaturday mornings\nClosed on Sundays"),
        ["Opening hours", "Monday to Friday", "Saturday mornings", "Closed on Sundays"]
    );
}

#[test]
fn wrapped_prose_is_not_cut_at_its_line_breaks() {
    let text = "The committee met on Tuesday to\ndiscuss the budget for next year\nand agreed to cut spending by ten\npercent over two years.";
    assert_eq!(sentences(text), [text]);
    let narrow = "The plan was\nfinally approved\nby the board\nlast week.";
    assert_eq!(sentences(narrow), [narrow]);
}

#[test]
fn headings_one_per_line_without_punctuation() {
    let text = "Storm season\nWhat to expect this year\nForecasters expect ten named storms.";
    assert_eq!(
        sentences(text),
        ["Storm season", "What to expect this year", "Forecasters expect ten named storms."]
    );
    let kinds: Vec<SentenceKind> = Splitter::new().split(text).iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [SentenceKind::Heading, SentenceKind::Heading, SentenceKind::Sentence]);
}

#[test]
fn html_like_tags_separate_block_sentences_and_stay_in_the_text() {
    assert_eq!(
        sentences("<p>The storm hit the coast.</p><p>Nobody was hurt.</p>"),
        ["<p>The storm hit the coast.</p>", "<p>Nobody was hurt.</p>"]
    );
    assert_eq!(
        sentences("<h1>Storm hits coast</h1><p>The storm hit on Monday.</p>"),
        ["<h1>Storm hits coast</h1>", "<p>The storm hit on Monday.</p>"]
    );
    assert_eq!(sentences("first line<br>second line<br/>third"), ["first line<br>", "second line<br/>", "third"]);
    assert_eq!(
        sentences("<ul><li>water</li><li>a hat</li></ul>"),
        ["<ul>", "<li>water</li>", "<li>a hat</li></ul>"]
    );
    // Inline tags are looked through: they neither cut nor hide a boundary.
    assert_eq!(
        sentences("He was <b>very</b> late.</b> Then he <i>left</i>."),
        ["He was <b>very</b> late.</b>", "Then he <i>left</i>."]
    );
    assert_eq!(
        sentences("It rained. <a href=\"/x\">The roads</a> flooded."),
        ["It rained.", "<a href=\"/x\">The roads</a> flooded."]
    );
    // Not tags: comparisons and arrows.
    assert_eq!(sentences("If a < b and c > d then stop."), ["If a < b and c > d then stop."]);
    assert_eq!(sentences("x<y and z>w holds."), ["x<y and z>w holds."]);
}

#[test]
fn offsets_stay_exact_and_nothing_is_removed() {
    for text in [
        "<p>Caf\u{e9} ouvert.</p><p>Gr\u{fc}\u{df}e!</p>",
        "  <div> <p>One.</p>\n<p>Two</p> </div>  ",
        "Hello world.Today is Tuesday.Tomorrow is not.",
        "Thanks :) See you :( bye",
        "<br><br><br>",
        "</p></p>x</p>",
        "<<p>>",
        "Q. A. Q. A.",
    ] {
        assert_covers(text);
    }
    let text = "Intro.<p>\u{e9}t\u{e9}.</p>";
    let spans = Splitter::new().split(text);
    assert_eq!(spans.iter().map(|s| (s.start, s.end)).collect::<Vec<_>>(), [(0, 6), (6, text.len())]);
}
