//! The run's totals and the one-screen summary at the end of a digest.

use std::collections::HashMap;

use tenor_core::{SentenceRecord, StanceLabel};

use crate::text::{Line, Palette};
use crate::{plural, styles, TOP_SPEAKERS};

/// One speaker's claims, by stance label of the sentence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpeakerTally {
    pub claims: u64,
    pub negative: u64,
    pub neutral: u64,
    pub positive: u64,
}

/// What the digest has seen so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Article summaries (`tenor.article/1`).
    pub articles: u64,
    /// Sentence records (`tenor.sentence/1`), headings included.
    pub sentences: u64,
    /// Sentence records with `claim.is_claim`.
    pub claims: u64,
    /// Sentence records with `hedge.hedged`.
    pub hedged: u64,
    /// Claims with an attribution, by speaker (the resolved name when there is one, else the speaker text).
    pub speakers: HashMap<String, SpeakerTally>,
}

impl Totals {
    pub(crate) fn count(&mut self, record: &SentenceRecord) {
        self.sentences += 1;
        self.hedged += u64::from(record.hedge.as_ref().is_some_and(|h| h.hedged));
        if !is_claim(record) {
            return;
        }
        self.claims += 1;
        if let Some(attribution) = &record.attribution {
            let speaker = &attribution.speaker;
            let name = speaker.resolved.clone().unwrap_or_else(|| speaker.text.clone());
            let tally = self.speakers.entry(name).or_default();
            tally.claims += 1;
            match record.stance.as_ref().map(|s| s.label) {
                Some(StanceLabel::Negative) => tally.negative += 1,
                Some(StanceLabel::Neutral) => tally.neutral += 1,
                Some(StanceLabel::Positive) => tally.positive += 1,
                None => {}
            }
        }
    }

    /// The speakers with the most claims, most first (ties by name), at most `n`.
    pub fn top_speakers(&self, n: usize) -> Vec<(&str, SpeakerTally)> {
        let mut all: Vec<(&str, SpeakerTally)> = self.speakers.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        all.sort_by(|a, b| b.1.claims.cmp(&a.1.claims).then_with(|| a.0.cmp(b.0)));
        all.truncate(n);
        all
    }

    /// The summary: the counts on one line, then the top speakers by claim count with their stance mix.
    pub(crate) fn render(&self, dead_letters: u64, width: usize, palette: Palette) -> String {
        let mut out = String::new();
        let rule = "─".repeat(width.min(60));
        out.push_str(&palette.paint(styles::META, &rule));
        out.push('\n');
        let mut counts = Line::new();
        counts.push("Summary: ", styles::TITLE);
        let items = [
            (self.articles, "article", "articles"),
            (self.sentences, "sentence", "sentences"),
            (self.claims, "claim", "claims"),
            (self.hedged, "hedged sentence", "hedged sentences"),
            (dead_letters, "dead letter", "dead letters"),
        ];
        for (i, &(n, one, many)) in items.iter().enumerate() {
            if i > 0 {
                counts.push(" · ", styles::META);
            }
            let style = if one == "dead letter" && n > 0 { styles::NEGATIVE } else { anstyle::Style::new() };
            counts.push(&plural(n, one, many), style);
        }
        push_line(&mut out, &counts, width, palette);

        let top = self.top_speakers(TOP_SPEAKERS);
        if top.is_empty() {
            push_line(&mut out, Line::new().push("No attributed claims.", styles::META), width, palette);
            return out;
        }
        let attributed: u64 = self.speakers.values().map(|t| t.claims).sum();
        let heading = format!(
            "Top speakers by claims ({} of {} speakers, {attributed} attributed claims):",
            top.len(),
            self.speakers.len()
        );
        push_line(&mut out, Line::new().push(&heading, styles::TITLE), width, palette);
        let name_width = top.iter().map(|(name, _)| crate::text::width(&crate::text::escape(name))).max();
        let name_width = name_width.unwrap_or(0).min(30);
        let count_width = top[0].1.claims.to_string().len();
        for (name, tally) in top {
            let mut line = Line::new();
            let mut name_line = Line::new();
            name_line.push(name, styles::SPEAKER);
            let shown = name_line.render(name_width, Palette { color: false });
            line.push("  ", anstyle::Style::new()).push(&shown, styles::SPEAKER);
            line.push(
                &" ".repeat(name_width.saturating_sub(crate::text::width(&shown)) + 2),
                anstyle::Style::new(),
            );
            line.push(&format!("{:>count_width$}  ", tally.claims), anstyle::Style::new());
            let mix = [
                (tally.negative, StanceLabel::Negative),
                (tally.neutral, StanceLabel::Neutral),
                (tally.positive, StanceLabel::Positive),
            ];
            for (i, (n, label)) in mix.into_iter().enumerate() {
                if i > 0 {
                    line.push(" · ", styles::META);
                }
                line.push(&format!("{n} {}", label.as_str()), styles::stance(label));
            }
            push_line(&mut out, &line, width, palette);
        }
        out
    }
}

pub(crate) fn is_claim(record: &SentenceRecord) -> bool {
    record.claim.as_ref().is_some_and(|c| c.is_claim)
}

pub(crate) fn push_line(out: &mut String, line: &Line, width: usize, palette: Palette) {
    out.push_str(&line.render(width, palette));
    out.push('\n');
}
