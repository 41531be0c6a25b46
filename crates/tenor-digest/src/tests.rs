use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use tenor_core::{
    ArticleCounts, ArticleRecord, Attribution, Claim, ClaimKind, Hedge, HedgeCue, Origin, SentenceKind,
    SentenceRecord, Span, Speaker, Stance, StanceLabel, StanceProbs, TextSpan,
};

use super::*;
use crate::text::width;

fn now() -> DateTime<Utc> {
    "2026-01-02T03:04:05Z".parse().unwrap()
}

fn origin() -> Origin {
    Origin::File { file: "in.jsonl".into(), line: 1 }
}

/// A sentence of article `a1` starting at code point `start` of the body.
fn sentence(index: usize, start: usize, text: &str) -> SentenceRecord {
    let end = start + text.chars().count();
    SentenceRecord::unanalysed(
        "a1".into(),
        index,
        text.into(),
        Span::new(start, end),
        SentenceKind::Sentence,
        origin(),
        now(),
    )
}

fn stance(label: StanceLabel, confidence: f64) -> Stance {
    let rest = (1.0 - confidence) / 2.0;
    let mut probs = StanceProbs { negative: rest, neutral: rest, positive: rest };
    match label {
        StanceLabel::Negative => probs.negative = confidence,
        StanceLabel::Neutral => probs.neutral = confidence,
        StanceLabel::Positive => probs.positive = confidence,
    }
    Stance { label, confidence, probs, evidence: Vec::new() }
}

/// `text` as an attributed claim by `speaker` (found in the text) with cue `cue`.
fn attributed(
    index: usize,
    start: usize,
    text: &str,
    speaker: &str,
    cue: &str,
    label: StanceLabel,
) -> SentenceRecord {
    let mut record = sentence(index, start, text);
    let at = |needle: &str| {
        let byte = text.find(needle).expect("needle in text");
        let from = start + text[..byte].chars().count();
        Span::new(from, from + needle.chars().count())
    };
    record.claim = Some(Claim { is_claim: true, score: 0.9, kind: ClaimKind::Attributed });
    record.attribution = Some(Attribution {
        speaker: Speaker { text: speaker.into(), span: at(speaker), resolved: None },
        cue: TextSpan { text: cue.into(), span: at(cue) },
        content: None,
        quote: None,
    });
    record.stance = Some(stance(label, 0.72));
    record.hedge = Some(Hedge { hedged: false, cues: Vec::new(), certainty: 1.0 });
    record
}

fn not_a_claim(index: usize, start: usize, text: &str) -> SentenceRecord {
    let mut record = sentence(index, start, text);
    record.claim = Some(Claim { is_claim: false, score: 0.1, kind: ClaimKind::None });
    record.stance = Some(stance(StanceLabel::Neutral, 0.8));
    record
}

fn article(title: Option<&str>) -> ArticleRecord {
    ArticleRecord {
        schema: tenor_core::ARTICLE_SCHEMA.into(),
        article_id: "a1".into(),
        source: origin(),
        processed_at: now(),
        published_at: Some("2015-09-01T00:00:00Z".parse().unwrap()),
        article_source: Some("Wikinews".into()),
        title: title.map(str::to_owned),
        url: None,
        lang: None,
        counts: ArticleCounts::default(),
        stance: None,
        claims: BTreeMap::new(),
        speakers: Vec::new(),
        model: BTreeMap::new(),
        run_id: None,
    }
}

fn plain(width: usize) -> Digest {
    Digest::new(DigestOptions { width, color: false })
}

/// Removes ANSI SGR sequences (`ESC [ ... m`), the only ones the digest writes.
fn strip_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            assert_eq!(chars.next(), Some('['), "only SGR sequences: {text:?}");
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
                assert!(c.is_ascii_digit() || c == ';', "only SGR sequences: {text:?}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn a_claim_with_a_speaker_shows_speaker_cue_stance_and_confidence() {
    let mut digest = plain(100);
    digest.sentence(&attributed(0, 0, "The deal is dead, Smith said.", "Smith", "said", StanceLabel::Negative));
    let out = digest.article(&article(Some("Talks collapse")));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "▌ Talks collapse");
    assert_eq!(lines[1], "  Wikinews · 2015-09-01 · a1 · 1 sentence, 1 claim");
    assert_eq!(lines[2], "  • The deal is dead, Smith said.");
    assert_eq!(lines[3], "    Smith · said · negative 72%");
}

#[test]
fn a_resolved_speaker_is_named_with_the_words_of_the_text() {
    let mut digest = plain(100);
    let mut record = attributed(0, 0, "He said it would pass.", "He", "said", StanceLabel::Positive);
    record.attribution.as_mut().unwrap().speaker.resolved = Some("Nick Bos".into());
    digest.sentence(&record);
    let out = digest.article(&article(Some("T")));
    assert!(out.contains("    Nick Bos (He) · said · positive 72%"), "{out}");
    assert_eq!(digest.totals().speakers["Nick Bos"].positive, 1);
}

#[test]
fn sentences_without_a_claim_are_counted_not_shown() {
    let mut digest = plain(100);
    digest.sentence(&not_a_claim(0, 0, "Hello there."));
    digest.sentence(&attributed(1, 13, "Prices rose, officials said.", "officials", "said", StanceLabel::Neutral));
    digest.sentence(&not_a_claim(2, 42, "Goodbye."));
    let out = digest.article(&article(None));
    assert!(!out.contains("Hello there") && !out.contains("Goodbye"), "{out}");
    assert!(out.contains("… 2 sentences without a claim not shown"), "{out}");
    assert!(out.starts_with("▌ a1\n  Wikinews · 2015-09-01 · 3 sentences, 1 claim\n"), "no title: the id: {out}");
    // The next article starts from nothing.
    let next = digest.article(&article(Some("Empty")));
    assert!(next.contains("0 sentences, 0 claims") && !next.contains("not shown"), "{next}");
}

#[test]
fn an_assertion_without_attribution_says_so_and_hedges_are_listed() {
    let mut digest = plain(100);
    let mut record = sentence(0, 10, "Rates may reportedly rise.");
    record.claim = Some(Claim { is_claim: true, score: 0.8, kind: ClaimKind::Assertion });
    record.stance = Some(stance(StanceLabel::Neutral, 0.634));
    record.hedge = Some(Hedge {
        hedged: true,
        cues: vec![
            HedgeCue { text: "may".into(), span: Span::new(16, 19) },
            HedgeCue { text: "reportedly".into(), span: Span::new(20, 30) },
        ],
        certainty: 0.4,
    });
    digest.sentence(&record);
    let out = digest.article(&article(Some("T")));
    assert!(out.contains("    no speaker · neutral 63% · hedged: may, reportedly"), "{out}");
    assert_eq!(digest.totals().hedged, 1);

    // With colour, the cues are marked inside the sentence text.
    let mut digest = Digest::new(DigestOptions { width: 100, color: true });
    digest.sentence(&record);
    let out = digest.article(&article(Some("T")));
    let mark = styles::HEDGE_IN_TEXT;
    assert!(out.contains(&format!("Rates {mark}may{mark:#} {mark}reportedly{mark:#} rise.")), "{out:?}");
}

#[test]
fn colour_off_writes_no_escape_sequence_and_colour_on_paints_the_stance() {
    let records = [
        attributed(0, 0, "It failed, Smith said.", "Smith", "said", StanceLabel::Negative),
        attributed(1, 23, "It worked, Jones said.", "Jones", "said", StanceLabel::Positive),
    ];
    let mut off = plain(100);
    let mut on = Digest::new(DigestOptions { width: 100, color: true });
    let (mut text_off, mut text_on) = (String::new(), String::new());
    for digest in [&mut off, &mut on] {
        for record in &records {
            digest.sentence(record);
        }
    }
    text_off.push_str(&off.article(&article(Some("T"))));
    text_off.push_str(&off.summary(3));
    text_on.push_str(&on.article(&article(Some("T"))));
    text_on.push_str(&on.summary(3));
    assert!(!text_off.contains('\u{1b}'), "{text_off}");
    let (red, green) = (styles::NEGATIVE, styles::POSITIVE);
    assert!(text_on.contains(&format!("{red}negative 72%{red:#}")), "{text_on:?}");
    assert!(text_on.contains(&format!("{green}positive 72%{green:#}")), "{text_on:?}");
    assert_eq!(strip_sgr(&text_on), text_off, "colour changes nothing but the escapes");
}

#[test]
fn hostile_text_is_escaped_everywhere_it_is_shown() {
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}gnp.exe\u{9b}1A\r\u{8}";
    let text = format!("Claim {evil} here, Eve said.");
    let mut record = attributed(0, 0, &text, "Eve", "said", StanceLabel::Negative);
    record.attribution.as_mut().unwrap().speaker.text = format!("Eve{evil}");
    record.hedge = Some(Hedge {
        hedged: true,
        cues: vec![HedgeCue { text: format!("may{evil}"), span: Span::new(0, 5) }],
        certainty: 0.5,
    });
    let mut title = article(Some(&format!("Title{evil}")));
    title.article_source = Some(format!("Src{evil}"));
    for color in [false, true] {
        let mut digest = Digest::new(DigestOptions { width: 400, color });
        digest.sentence(&record);
        let mut out = digest.article(&title);
        out.push_str(&digest.tensions(&[format!("tension{evil}")]));
        out.push_str(&digest.summary(0));
        let visible = strip_sgr(&out);
        for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\r', '\u{8}'] {
            assert!(!visible.contains(bad), "{bad:?} reached the terminal: {visible:?}");
        }
        assert!(visible.contains(r"Title\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}gnp.exe\u{9b}1A \u{8}"), "{visible}");
        assert!(visible.contains(r"Eve\u{1b}"), "speaker escaped: {visible}");
        assert!(visible.contains(r"tension\u{1b}"), "tension lines escaped: {visible}");
        // Every line is one terminal line: nothing inside a record broke it.
        assert_eq!(visible.lines().filter(|l| l.contains("pwned")).count(), 6, "{visible}");
    }
}

#[test]
fn every_line_fits_the_width() {
    let long = "Officials said the negotiations, which began in the spring and stalled twice over the summer, \
                would resume next week in Geneva with 日本語 delegates and a 👍🏽 from everyone.";
    for width in [40, 57, 80, 100] {
        for color in [false, true] {
            let mut digest = Digest::new(DigestOptions { width, color });
            digest.sentence(&attributed(0, 0, long, "Officials", "said", StanceLabel::Neutral));
            let mut out = digest.article(&article(Some(&"A very long title ".repeat(10))));
            out.push_str(&digest.summary(0));
            for line in strip_sgr(&out).lines() {
                assert!(width_of(line) <= width, "{width}: {line:?} is {} wide", width_of(line));
            }
            let clipped = strip_sgr(&out).lines().find(|l| l.starts_with("  • ")).unwrap().to_owned();
            assert!(clipped.ends_with('…'), "the long sentence is clipped: {clipped}");
            assert_eq!(width_of(&clipped), width, "clipped lines use the whole width");
        }
    }
    // Below the minimum, lines keep the minimum width.
    let mut digest = plain(10);
    digest.sentence(&attributed(0, 0, long, "Officials", "said", StanceLabel::Neutral));
    let out = digest.article(&article(Some("T")));
    assert!(out.lines().all(|l| width_of(l) <= MIN_WIDTH) && out.lines().any(|l| width_of(l) == MIN_WIDTH));
}

fn width_of(line: &str) -> usize {
    width(line)
}

#[test]
fn the_summary_counts_everything_and_ranks_speakers_with_their_stance_mix() {
    let mut digest = plain(100);
    let mut start = 0;
    let mut next = |digest: &mut Digest, text: &str, speaker: Option<(&str, StanceLabel)>| {
        let index = digest.totals().sentences as usize;
        let record = match speaker {
            Some((who, label)) => attributed(index, start, text, who, "said", label),
            None => not_a_claim(index, start, text),
        };
        start += text.chars().count() + 1;
        digest.sentence(&record);
    };
    next(&mut digest, "Bad, Ann said.", Some(("Ann", StanceLabel::Negative)));
    next(&mut digest, "Good, Ann said.", Some(("Ann", StanceLabel::Positive)));
    next(&mut digest, "Fine, Ann said.", Some(("Ann", StanceLabel::Neutral)));
    next(&mut digest, "Nothing.", None);
    let _ = digest.article(&article(Some("One")));
    next(&mut digest, "Bad, Bob said.", Some(("Bob", StanceLabel::Negative)));
    next(&mut digest, "Worse, Ann said.", Some(("Ann", StanceLabel::Negative)));
    let _ = digest.article(&article(Some("Two")));
    let summary = digest.summary(2);
    let lines: Vec<&str> = summary.lines().collect();
    assert_eq!(lines[1], "Summary: 2 articles · 6 sentences · 5 claims · 0 hedged sentences · 2 dead letters");
    assert_eq!(lines[2], "Top speakers by claims (2 of 2 speakers, 5 attributed claims):");
    assert_eq!(lines[3], "  Ann  4  2 negative · 1 neutral · 1 positive");
    assert_eq!(lines[4], "  Bob  1  1 negative · 0 neutral · 0 positive");
    assert_eq!(lines.len(), 5, "one screen: {summary}");
}

#[test]
fn the_summary_lists_at_most_ten_speakers() {
    let mut digest = plain(100);
    for i in 0..25 {
        let who = format!("Speaker{i:02}");
        let text = format!("Yes, {who} said.");
        digest.sentence(&attributed(i, 0, &text, &who, "said", StanceLabel::Neutral));
    }
    let _ = digest.article(&article(Some("Many")));
    let summary = digest.summary(0);
    assert_eq!(summary.lines().count(), 3 + TOP_SPEAKERS, "{summary}");
    assert!(summary.contains("(10 of 25 speakers, 25 attributed claims)"), "{summary}");
}

#[test]
fn the_tension_hook_shows_given_lines_under_a_heading_and_nothing_for_none() {
    let mut digest = plain(60);
    assert_eq!(digest.tensions(&[]), "");
    let out = digest.tensions(&["Smith vs Jones on the budget".into()]);
    assert_eq!(out, "  Tensions:\n    Smith vs Jones on the budget\n\n");
}
