//! A readable digest of Tenor's records, for a person at a terminal (`tenor run` when standard output is one).
//!
//! Pure: records in, text out. No I/O and no terminal detection: the caller says how wide the terminal is
//! and whether to use colour ([`DigestOptions`]), feeds the records in the order `tenor run` writes them
//! (each article's sentence records, then its summary) and prints what comes back.
//!
//! Per article: the title (or the article id), its source, time and id, then each sentence that carries a
//! claim (text clipped to the width, hedge cues marked) with its speaker and cue, stance label and confidence
//! (negative red, positive green, neutral dim) and hedges; sentences without a claim are counted, not shown.
//! At the end, [`Digest::summary`]: articles, sentences, claims, hedged sentences, dead letters and the top
//! speakers by claim count with their stance mix. Every piece of record text is escaped ([`text`]): control
//! characters and bidi overrides in the input cannot reach the terminal.

mod summary;
pub mod text;

use std::ops::Range;

use anstyle::Style;
use chrono::{DateTime, FixedOffset, NaiveTime};
use tenor_core::{ArticleRecord, SentenceRecord, Stance};

use summary::{is_claim, push_line};
pub use summary::{SpeakerTally, Totals};
use text::{Line, Palette};

/// The width when the caller knows none (output not a terminal, or its size unknown).
pub const DEFAULT_WIDTH: usize = 100;
/// Narrower than this, lines are still laid out for this width (a terminal would wrap them).
pub const MIN_WIDTH: usize = 40;
/// How many speakers the summary lists.
pub const TOP_SPEAKERS: usize = 10;

/// How the digest is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestOptions {
    /// Terminal width in columns; every line of the digest fits in it (at least [`MIN_WIDTH`]).
    pub width: usize,
    /// Colour (ANSI escapes) on or off. Off gives plain text with no escape sequence at all.
    pub color: bool,
}

impl Default for DigestOptions {
    fn default() -> Self {
        DigestOptions { width: DEFAULT_WIDTH, color: false }
    }
}

/// The styles of the digest, in one place.
pub(crate) mod styles {
    use anstyle::{AnsiColor, Effects, Style};
    use tenor_core::StanceLabel;

    pub const TITLE: Style = Style::new().effects(Effects::BOLD);
    pub const META: Style = Style::new().effects(Effects::DIMMED);
    pub const SPEAKER: Style = Style::new().effects(Effects::BOLD);
    pub const HEDGE: Style = AnsiColor::Yellow.on_default();
    pub const HEDGE_IN_TEXT: Style = AnsiColor::Yellow.on_default().effects(Effects::UNDERLINE);
    pub const NEGATIVE: Style = AnsiColor::Red.on_default();
    pub const POSITIVE: Style = AnsiColor::Green.on_default();
    pub const NEUTRAL: Style = META;

    pub fn stance(label: StanceLabel) -> Style {
        match label {
            StanceLabel::Negative => NEGATIVE,
            StanceLabel::Neutral => NEUTRAL,
            StanceLabel::Positive => POSITIVE,
        }
    }
}

/// What the digest keeps of one claim-bearing sentence until its article's summary arrives.
#[derive(Debug, Clone)]
struct ClaimView {
    text: String,
    /// Hedge cues as char ranges into `text`.
    hedge_marks: Vec<Range<usize>>,
    hedge_cues: Vec<String>,
    /// Speaker as written, the name it resolves to (when another), and the cue.
    speaker: Option<(String, Option<String>, String)>,
    stance: Option<Stance>,
}

impl ClaimView {
    fn of(record: &SentenceRecord) -> ClaimView {
        let start = record.span.start;
        let (hedge_marks, hedge_cues) = match &record.hedge {
            Some(hedge) if hedge.hedged => (
                hedge
                    .cues
                    .iter()
                    .map(|c| c.span.start.saturating_sub(start)..c.span.end.saturating_sub(start))
                    .collect(),
                hedge.cues.iter().map(|c| c.text.clone()).collect(),
            ),
            _ => (Vec::new(), Vec::new()),
        };
        let speaker = record.attribution.as_ref().map(|a| {
            let resolved = a.speaker.resolved.clone().filter(|r| *r != a.speaker.text);
            (a.speaker.text.clone(), resolved, a.cue.text.clone())
        });
        ClaimView { text: record.text.clone(), hedge_marks, hedge_cues, speaker, stance: record.stance.clone() }
    }
}

/// The digest of a stream of records: feed it records as they come, print what it returns.
#[derive(Debug)]
pub struct Digest {
    options: DigestOptions,
    palette: Palette,
    /// The claim-bearing sentences of the article whose summary has not arrived yet.
    claims: Vec<ClaimView>,
    /// Its sentences without a claim, counted.
    skipped: u64,
    totals: Totals,
}

impl Digest {
    pub fn new(options: DigestOptions) -> Digest {
        let options = DigestOptions { width: options.width.max(MIN_WIDTH), ..options };
        Digest {
            options,
            palette: Palette { color: options.color },
            claims: Vec::new(),
            skipped: 0,
            totals: Totals::default(),
        }
    }

    /// One sentence record. Nothing is printed until its article's summary ([`Digest::article`]) arrives:
    /// `tenor run` writes an article's sentence records together, followed by its summary.
    pub fn sentence(&mut self, record: &SentenceRecord) {
        self.totals.count(record);
        if is_claim(record) {
            self.claims.push(ClaimView::of(record));
        } else {
            self.skipped += 1;
        }
    }

    /// One article summary: returns the article's block (header, its claims, the count of sentences not
    /// shown), built from the sentence records given since the previous summary.
    pub fn article(&mut self, record: &ArticleRecord) -> String {
        self.totals.articles += 1;
        let (width, palette) = (self.options.width, self.palette);
        let mut out = String::new();
        let mut title = Line::new();
        title.push("▌ ", styles::META);
        title.push(record.title.as_deref().unwrap_or(&record.article_id), styles::TITLE);
        push_line(&mut out, &title, width, palette);

        let mut meta = Line::new();
        meta.push("  ", Style::new());
        let mut parts: Vec<String> = Vec::new();
        parts.extend(record.article_source.clone());
        parts.extend(record.published_at.map(format_time));
        if record.title.is_some() {
            parts.push(record.article_id.clone());
        }
        let sentences = self.claims.len() as u64 + self.skipped;
        parts.push(format!(
            "{}, {}",
            plural(sentences, "sentence", "sentences"),
            plural(self.claims.len() as u64, "claim", "claims")
        ));
        meta.push(&parts.join(" · "), styles::META);
        push_line(&mut out, &meta, width, palette);

        for claim in std::mem::take(&mut self.claims) {
            self.render_claim(&claim, &mut out);
        }
        if self.skipped > 0 {
            let note = format!("  … {} without a claim not shown", plural(self.skipped, "sentence", "sentences"));
            push_line(&mut out, Line::new().push(&note, styles::META), width, palette);
        }
        self.skipped = 0;
        out.push('\n');
        out
    }

    /// Extension point for the tensions between claims (`tenor.tension/1`, issue #17): lines already
    /// rendered by the tension renderer, one per tension, shown under a heading with the same escaping and
    /// clipping as the rest of the digest. Returns nothing when `lines` is empty.
    // tensions: issue #17
    pub fn tensions(&mut self, lines: &[String]) -> String {
        let mut out = String::new();
        if lines.is_empty() {
            return out;
        }
        let (width, palette) = (self.options.width, self.palette);
        push_line(&mut out, Line::new().push("  Tensions:", styles::TITLE), width, palette);
        for line in lines {
            push_line(&mut out, Line::new().push("    ", Style::new()).push(line, Style::new()), width, palette);
        }
        out.push('\n');
        out
    }

    /// The totals so far.
    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    /// The one-screen summary of everything seen; `dead_letters` is the run's count of rejected messages
    /// (they never reach the digest: they go where `--dead-letter` says).
    pub fn summary(&self, dead_letters: u64) -> String {
        self.totals.render(dead_letters, self.options.width, self.palette)
    }

    fn render_claim(&self, claim: &ClaimView, out: &mut String) {
        let (width, palette) = (self.options.width, self.palette);
        let mut text = Line::new();
        text.push("  • ", styles::META);
        text.push_marked(&claim.text, Style::new(), &claim.hedge_marks, styles::HEDGE_IN_TEXT);
        push_line(out, &text, width, palette);

        let mut about = Line::new();
        about.push("    ", Style::new());
        match &claim.speaker {
            Some((speaker, resolved, cue)) => {
                match resolved {
                    Some(name) => about.push(name, styles::SPEAKER).push(&format!(" ({speaker})"), Style::new()),
                    None => about.push(speaker, styles::SPEAKER),
                };
                about.push(" · ", styles::META).push(cue, Style::new());
            }
            None => {
                about.push("no speaker", styles::META);
            }
        }
        about.push(" · ", styles::META);
        match &claim.stance {
            Some(stance) => {
                let label = format!("{} {:.0}%", stance.label.as_str(), stance.confidence * 100.0);
                about.push(&label, styles::stance(stance.label))
            }
            None => about.push("no stance", styles::META),
        };
        if !claim.hedge_cues.is_empty() {
            about
                .push(" · ", styles::META)
                .push(&format!("hedged: {}", claim.hedge_cues.join(", ")), styles::HEDGE);
        }
        push_line(out, &about, width, palette);
    }
}

/// `n` and the noun, singular for 1.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The date, and the time of day when there is one (many feeds give midnight for "that day").
fn format_time(time: DateTime<FixedOffset>) -> String {
    if time.time() == NaiveTime::MIN {
        time.format("%Y-%m-%d").to_string()
    } else {
        time.format("%Y-%m-%d %H:%M %:z").to_string()
    }
}

#[cfg(test)]
mod tests;

/// A tension as lines for [`Digest::tensions`]: what links the two claims, then each side (who, what, which
/// tone). Escaping and clipping happen there.
pub fn tension_lines(record: &tenor_core::TensionRecord) -> Vec<String> {
    let mut lines = vec![format!(
        "about \u{201c}{}\u{201d} ({} link, score {:.2})",
        record.subject.text,
        record.subject.link.as_str(),
        record.score
    )];
    for side in &record.sides {
        let who = side.speaker.as_deref().or(side.outlet.as_deref()).unwrap_or("unattributed");
        lines.push(format!(
            "  {} {who}: \u{201c}{}\u{201d} ({} {:.0}%)",
            if side.polarity >= 0.0 { "+" } else { "\u{2212}" },
            side.text,
            side.stance.as_str(),
            side.confidence * 100.0
        ));
    }
    lines
}
