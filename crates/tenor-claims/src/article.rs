//! One stream's claims, an article at a time: what `tenor run` and `tenor replay` do after the pipeline (and
//! what the Kafka claims service does a sentence record at a time).
//!
//! [`ClaimsRun::article`] takes an article's sentence records, in order, with the encoder's sentence embeddings
//! when the encoder scored them, and
//!
//! 1. puts each claim sentence in its claim cluster ([`ClaimIndex::assign`]) and writes the id into the
//!    record's `claim_cluster`;
//! 2. finds the article's own tensions ([`tensions_in_article`]);
//! 3. finds tensions with claims of earlier articles, within a claim cluster or a story window
//!    ([`TensionTracker::observe`]);
//!
//! and returns the updated `tenor.claim/1` records (the latest of each cluster the article touched) and the
//! `tenor.tension/1` records, each once. Deterministic: the same articles in the same order give the same ids
//! and records.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use tenor_core::{ClaimRecord, SentenceRecord, TensionRecord};

use crate::cluster::{ClaimIndex, ClusterConfig};
use crate::tension::{tensions_in_article, TensionConfig, TensionTracker};

/// What a run does with claims, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimsRunConfig {
    /// Put claim sentences in claim clusters and publish `tenor.claim/1` records.
    pub clusters: bool,
    /// Find tensions and publish `tenor.tension/1` records.
    pub tensions: bool,
    pub cluster: ClusterConfig,
    pub tension: TensionConfig,
}

impl Default for ClaimsRunConfig {
    fn default() -> Self {
        ClaimsRunConfig {
            clusters: true,
            tensions: true,
            cluster: ClusterConfig::default(),
            tension: TensionConfig::default(),
        }
    }
}

impl ClaimsRunConfig {
    /// Checks both parts; the error names the part and the field.
    pub fn validate(&self) -> Result<(), String> {
        self.cluster.validate().map_err(|e| format!("cluster: {e}"))?;
        self.tension.validate().map_err(|e| format!("tension: {e}"))?;
        Ok(())
    }
}

/// What one article added: the claim clusters it changed (their latest record each, in order of first change)
/// and its tensions (within the article first, then with earlier articles).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleClaims {
    pub claims: Vec<ClaimRecord>,
    pub tensions: Vec<TensionRecord>,
}

/// A stream's claim clusters and tension memory.
#[derive(Debug)]
pub struct ClaimsRun {
    config: ClaimsRunConfig,
    index: ClaimIndex,
    tracker: TensionTracker,
}

impl ClaimsRun {
    /// # Panics
    /// When `config` does not validate (check it where it is read).
    pub fn new(config: ClaimsRunConfig) -> ClaimsRun {
        if let Err(e) = config.validate() {
            panic!("invalid claims configuration: {e}");
        }
        let index = ClaimIndex::new(config.cluster.clone());
        let tracker = TensionTracker::new(config.tension.clone());
        ClaimsRun { config, index, tracker }
    }

    pub fn index(&self) -> &ClaimIndex {
        &self.index
    }

    /// Takes one article's sentence records (sets their `claim_cluster`); `embeddings[i]` is sentence `i`'s
    /// encoder embedding, or the slice is empty when the encoder scored none.
    pub fn article(
        &mut self,
        sentences: &mut [SentenceRecord],
        title: Option<&str>,
        embeddings: &[Option<Vec<f32>>],
    ) -> ArticleClaims {
        let embedding = |i: usize| embeddings.get(i).and_then(Option::as_deref);
        let mut out = ArticleClaims::default();
        if self.config.clusters {
            for (i, sentence) in sentences.iter_mut().enumerate() {
                if let Some(assignment) = self.index.assign(sentence, embedding(i)) {
                    sentence.claim_cluster = Some(assignment.cluster_id);
                    match out.claims.iter_mut().find(|c| c.cluster_id == assignment.record.cluster_id) {
                        Some(earlier) => *earlier = assignment.record,
                        None => out.claims.push(assignment.record),
                    }
                }
            }
        }
        if self.config.tensions {
            let given = (!embeddings.is_empty()).then_some(embeddings);
            out.tensions = tensions_in_article(sentences, title, given, &self.config.tension);
            let mut seen: BTreeSet<String> = out.tensions.iter().map(|t| t.tension_id.clone()).collect();
            for (i, sentence) in sentences.iter().enumerate() {
                for tension in self.tracker.observe(sentence, sentence.claim_cluster.as_deref(), embedding(i)) {
                    if seen.insert(tension.tension_id.clone()) {
                        out.tensions.push(tension);
                    }
                }
            }
        }
        out
    }
}
