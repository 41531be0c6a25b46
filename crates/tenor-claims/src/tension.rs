//! Tension: pairs of claims about one subject with opposite stance, from different sources (`tenor.tension/1`).
//!
//! Two entry points, both pure (event time comes with each sentence record):
//!
//! - [`tensions_in_article`]: within one article, over its sentence records;
//! - [`TensionTracker::observe`]: across articles, within a claim cluster or a story window, one sentence
//!   record at a time, with bounded memory.
//!
//! The rule (docs/CLAIMS.md, "Tension"):
//!
//! 1. **Sides.** A sentence can be a side when it is not a heading, has a stance (or a target stance), and
//!    (with `require_claim`) the claim model did not say it is no claim. Its source is its speaker
//!    (resolved name, else as written, normalised); an unattributed sentence is its outlet's own voice.
//!    Two sides must have different sources.
//! 2. **Subject.** The first of these links that holds, in this order: a target mention both carry
//!    (normalised; each side's stance is then its stance toward that mention, and if those do not oppose the
//!    sentence stances are tried with the other links); one claim cluster; at least `min_shared_terms`
//!    salient words in common (stop words from `tenor_lexicon::tension`); sentence embeddings with a cosine of
//!    at least `min_cosine`; within one article with a title (one with a salient word), the article's own
//!    topic: an article is about one story, so any two of its claims are linked by its title, at the weaker
//!    strength `title_strength`.
//! 3. **Opposition.** polarity = p(positive) − p(negative) of each side's stance; the sides oppose when the
//!    signs differ and each |polarity| is at least `min_polarity` ([`opposed`]).
//! 4. **Score.** link strength × √(|polarity₁|·|polarity₂|) × √(certainty₁·certainty₂) (hedge certainty, 1
//!    when unhedged); pairs under `min_score` are dropped.

mod side;
mod snapshot;
mod tracker;

use serde::{Deserialize, Serialize};
use tenor_core::{
    tension_id, LinkKind, SentenceRecord, TensionRecord, TensionScope, TensionSide, TensionSubject, TENSION_SCHEMA,
};

pub use side::{opposed, polarity, salient_terms};
pub use snapshot::{KeptClaim, TrackerChanges, TrackerSnapshot};
pub use tracker::TensionTracker;

use side::{cosine, Pole, Side};

/// How tensions are found; every field has a default (`TensionConfig::default`), and [`TensionConfig::validate`]
/// says which value is out of range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TensionConfig {
    /// Least |p(positive) − p(negative)| of each side (0..=1).
    pub min_polarity: f64,
    /// Only claims are sides: a sentence the claim model says is no claim is skipped.
    pub require_claim: bool,
    /// Salient words two sentences must share to be about one subject.
    pub min_shared_terms: usize,
    /// Salient words kept per sentence (its first ones).
    pub max_terms: usize,
    /// Least cosine of two sentence embeddings for an embedding link (-1..=1).
    pub min_cosine: f64,
    /// Strength of a title link (0..=1): weaker than a shared word or target.
    pub title_strength: f64,
    /// Least score of a tension (0..=1).
    pub min_score: f64,
    /// Most tensions reported for one article, best first.
    pub max_per_article: usize,
    /// Most sentences of one article considered as sides (the first ones), so pairing stays bounded.
    pub max_sides_per_article: usize,
    /// Tracker: the story window, in seconds of event time; older claims expire.
    pub window_seconds: u64,
    /// Tracker: most claims kept in all.
    pub max_claims: usize,
    /// Tracker: most claims kept per subject key (a target, a word, a cluster).
    pub max_per_key: usize,
    /// Tracker: how many of the latest claims with an embedding are compared by embedding.
    pub embedding_scan: usize,
    /// Tracker: most tensions reported for one observed sentence, best first.
    pub max_per_observe: usize,
    /// A `published_at` more than this many seconds after the record's `processed_at` is not believed: the
    /// side counts at its `processed_at` ([`crate::event_time`]), so one record dated years ahead cannot
    /// become the tracker's "now" and expire every claim it keeps.
    pub max_future_seconds: u64,
}

impl Default for TensionConfig {
    fn default() -> TensionConfig {
        TensionConfig {
            min_polarity: 0.25,
            require_claim: true,
            min_shared_terms: 2,
            max_terms: 24,
            min_cosine: 0.6,
            title_strength: 0.5,
            min_score: 0.05,
            max_per_article: 16,
            max_sides_per_article: 400,
            window_seconds: 3 * 24 * 3600,
            max_claims: 20_000,
            max_per_key: 64,
            embedding_scan: 512,
            max_per_observe: 8,
            max_future_seconds: 3600,
        }
    }
}

/// A [`TensionConfig`] value out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tension.{field}: {problem}")]
pub struct TensionConfigError {
    pub field: &'static str,
    pub problem: &'static str,
}

impl TensionConfig {
    pub fn validate(&self) -> Result<(), TensionConfigError> {
        let unit = |field, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(TensionConfigError { field, problem: "must be in 0..=1" })
            }
        };
        unit("min_polarity", self.min_polarity)?;
        unit("title_strength", self.title_strength)?;
        unit("min_score", self.min_score)?;
        if !(-1.0..=1.0).contains(&self.min_cosine) {
            return Err(TensionConfigError { field: "min_cosine", problem: "must be in -1..=1" });
        }
        let positive = |field, v: usize| {
            if v > 0 {
                Ok(())
            } else {
                Err(TensionConfigError { field, problem: "must be at least 1" })
            }
        };
        positive("min_shared_terms", self.min_shared_terms)?;
        positive("max_terms", self.max_terms)?;
        positive("max_per_article", self.max_per_article)?;
        positive("max_sides_per_article", self.max_sides_per_article)?;
        positive("max_claims", self.max_claims)?;
        positive("max_per_key", self.max_per_key)?;
        positive("max_per_observe", self.max_per_observe)?;
        if self.window_seconds == 0 {
            return Err(TensionConfigError { field: "window_seconds", problem: "must be at least 1" });
        }
        Ok(())
    }
}

/// The tensions within one article: `sentences` are its sentence records (any order; a repeated
/// `sentence_index` counts once), `title` its title (the article's own topic: with a title, any two of
/// its sentences are linked, at `title_strength`),
/// `embeddings[i]` sentence `i`'s embedding when the encoder tier gave one (by position in `sentences`).
///
/// At most `max_per_article`, best score first (ties by `tension_id`); each pair of sentences at most once.
pub fn tensions_in_article(
    sentences: &[SentenceRecord],
    title: Option<&str>,
    embeddings: Option<&[Option<Vec<f32>>]>,
    config: &TensionConfig,
) -> Vec<TensionRecord> {
    // Every side counts toward `max_sides_per_article` (each `sentence_index` once), but only one that may
    // oppose another is built: building a side (its salient words) is most of this function's cost, and a
    // side too weak to oppose anything is in no pair.
    let mut counted: Vec<(&str, usize)> = Vec::new();
    let mut sides: Vec<Side> = Vec::new();
    for (i, record) in sentences.iter().enumerate() {
        if counted.len() >= config.max_sides_per_article {
            break;
        }
        let key = (record.article_id.as_str(), record.sentence_index);
        if !Side::is_side(record, config) || counted.contains(&key) {
            continue;
        }
        counted.push(key);
        if !Side::may_oppose(record, config) {
            continue;
        }
        let embedding = embeddings.and_then(|e| e.get(i)).and_then(Option::as_deref);
        sides.extend(Side::of(record, embedding, None, config));
    }
    let title = title.map(str::trim).filter(|t| !salient_terms(t, config.max_terms).is_empty());
    let mut found = Vec::new();
    for (i, a) in sides.iter().enumerate() {
        for b in &sides[i + 1..] {
            if a.article_id != b.article_id {
                continue;
            }
            if let Some(record) = pair(a, b, TensionScope::Article, title, config) {
                found.push(record);
            }
        }
    }
    best_first(&mut found, config.max_per_article);
    found
}

/// Sorts by score (best first, ties by id) and keeps the first `max`.
fn best_first(found: &mut Vec<TensionRecord>, max: usize) {
    found.sort_by(|x, y| y.score.total_cmp(&x.score).then_with(|| x.tension_id.cmp(&y.tension_id)));
    found.truncate(max);
}

/// The tension between two sides, if they are one: different sources, a link, opposite stances.
fn pair(
    a: &Side,
    b: &Side,
    scope: TensionScope,
    title: Option<&str>,
    config: &TensionConfig,
) -> Option<TensionRecord> {
    if a.source_key == b.source_key || a.key() == b.key() {
        return None;
    }
    // 1. A shared target, judged by the stance toward it.
    for ta in &a.targets {
        if let Some(tb) = b.targets.iter().find(|t| t.key == ta.key) {
            if opposed(ta.pole.polarity, tb.pole.polarity, config.min_polarity) {
                let subject = TensionSubject {
                    text: ta.mention.clone(),
                    link: LinkKind::Target,
                    strength: 1.0,
                    cluster_id: None,
                };
                return record(a, b, (ta.pole, tb.pole), subject, scope, config);
            }
        }
    }
    // 2.-5. The sentence stances, with the first link that holds.
    let (pa, pb) = (a.pole?, b.pole?);
    if !opposed(pa.polarity, pb.polarity, config.min_polarity) {
        return None;
    }
    let shared: Vec<&str> =
        a.terms.iter().zip(&a.surfaces).filter(|(t, _)| b.terms.contains(t)).map(|(_, s)| s.as_str()).collect();
    let same_cluster = match (&a.cluster_id, &b.cluster_id) {
        (Some(x), Some(y)) if x == y => Some(x.clone()),
        _ => None,
    };
    let subject = if let Some(cluster_id) = same_cluster {
        TensionSubject {
            text: shared.join(" "),
            link: LinkKind::Cluster,
            strength: 1.0,
            cluster_id: Some(cluster_id),
        }
    } else if shared.len() >= config.min_shared_terms {
        let smaller = a.terms.len().min(b.terms.len()).max(1);
        let strength = (shared.len() as f64 / smaller as f64).min(1.0);
        TensionSubject { text: shared.join(" "), link: LinkKind::Terms, strength, cluster_id: None }
    } else if let Some(cos) = embedding_link(a, b, config) {
        TensionSubject { text: shared.join(" "), link: LinkKind::Embedding, strength: cos, cluster_id: None }
    } else if let Some(title) = title {
        TensionSubject {
            text: title.to_owned(),
            link: LinkKind::Title,
            strength: config.title_strength,
            cluster_id: None,
        }
    } else {
        return None;
    };
    record(a, b, (pa, pb), subject, scope, config)
}

fn embedding_link(a: &Side, b: &Side, config: &TensionConfig) -> Option<f64> {
    let cos = cosine(a.embedding.as_deref()?, b.embedding.as_deref()?)?;
    (cos >= config.min_cosine).then_some(cos.max(0.0))
}

/// The record of an opposed, linked pair, sides in key order; `None` under `min_score`.
fn record(
    a: &Side,
    b: &Side,
    (pa, pb): (Pole, Pole),
    subject: TensionSubject,
    scope: TensionScope,
    config: &TensionConfig,
) -> Option<TensionRecord> {
    let score =
        subject.strength * (pa.polarity.abs() * pb.polarity.abs()).sqrt() * (a.certainty * b.certainty).sqrt();
    if !score.is_finite() || score < config.min_score {
        return None;
    }
    let side = |s: &Side, pole: Pole| TensionSide {
        article_id: s.article_id.clone(),
        sentence_index: s.sentence_index,
        text: s.text.clone(),
        outlet: s.outlet.clone(),
        speaker: s.speaker.clone(),
        stance: pole.label,
        polarity: pole.polarity,
        confidence: pole.confidence,
        time: s.time,
    };
    let (first, second) = if a.key() <= b.key() { ((a, pa), (b, pb)) } else { ((b, pb), (a, pa)) };
    Some(TensionRecord {
        schema: TENSION_SCHEMA.to_owned(),
        tension_id: tension_id(a.key(), b.key()),
        scope,
        subject,
        sides: [side(first.0, first.1), side(second.0, second.1)],
        score: score.clamp(0.0, 1.0),
        run_id: a.run_id.clone().or_else(|| b.run_id.clone()),
    })
}

#[cfg(test)]
mod tests;
