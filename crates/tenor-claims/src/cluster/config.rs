//! [`ClusterConfig`]: the clusterer's whole configuration, with its defaults and checks.

use serde::{Deserialize, Serialize};

/// How claims are clustered. Every bound on memory per cluster is here, so a cluster's size is bounded
/// whatever arrives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// A cluster whose newest member is older than this (event time, behind the newest event time seen) is
    /// dropped; a later sentence with its text starts a new cluster.
    pub window_seconds: u64,
    /// Word-overlap match: Jaccard similarity of the fingerprints (unigrams and bigrams of the words that are
    /// not stop words) at or above this joins the cluster.
    pub lexical_threshold: f64,
    /// Word-overlap match also when the smaller fingerprint is contained in the other at least this much (a
    /// reprint cut after a clause, a dateline added) ...
    pub containment_threshold: f64,
    /// ... and the smaller fingerprint has at least this many features (so "Taxes rise." is not contained in
    /// every sentence about taxes).
    pub min_containment_features: usize,
    /// Embedding match: cosine with the cluster's canonical embedding at or above this joins the cluster.
    pub embedding_threshold: f64,
    /// Embedding match also at `embedding_threshold - embedding_margin` when the Jaccard similarity is at
    /// least `lexical_support` (both kinds of evidence, each a little weaker).
    pub embedding_margin: f64,
    /// See `embedding_margin`.
    pub lexical_support: f64,
    /// MinHash LSH of the fingerprints: bands ...
    pub lexical_bands: usize,
    /// ... of this many min-hashes each; two fingerprints are candidates when one band agrees.
    pub lexical_rows: usize,
    /// Random-hyperplane LSH of the embeddings: bands ...
    pub embedding_bands: usize,
    /// ... of this many sign bits each.
    pub embedding_bits: usize,
    /// Width of the embeddings given to `assign` (all-MiniLM-L6-v2: 384); others are ignored.
    pub embedding_dim: usize,
    /// At most this many clusters are taken from one LSH bucket per look-up (a crowded bucket costs no more).
    pub max_bucket_candidates: usize,
    /// A cluster with this many members is `capped`: it still takes members, but its outlets, speakers and
    /// stance mix no longer change.
    pub max_members: u64,
    /// Outlet names listed per cluster.
    pub max_outlets: usize,
    /// Distinct outlets counted exactly per cluster; `outlet_count` is a lower bound beyond.
    pub max_outlets_counted: usize,
    /// Speaker names listed per cluster (new names beyond are not listed; listed ones keep counting).
    pub max_speakers: usize,
    /// Text kept (canonical sentence) and read (normalisation) per sentence, in bytes.
    pub max_text_bytes: usize,
    /// Features kept per fingerprint (the smallest hashes: a consistent sample of a long sentence).
    pub max_features: usize,
    /// Seed of the MinHash functions and hyperplanes; fixed, so cluster ids are the same on every run.
    pub seed: u64,
    /// A `published_at` more than this many seconds after the record's `processed_at` is not believed: the
    /// sentence counts at its `processed_at`. One record dated years ahead would otherwise become the index's
    /// "now" and expire every cluster.
    pub max_future_seconds: u64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            window_seconds: 72 * 3600,
            lexical_threshold: 0.5,
            containment_threshold: 0.9,
            min_containment_features: 8,
            embedding_threshold: 0.8,
            embedding_margin: 0.05,
            lexical_support: 0.2,
            lexical_bands: 16,
            lexical_rows: 3,
            embedding_bands: 16,
            embedding_bits: 16,
            embedding_dim: 384,
            max_bucket_candidates: 32,
            max_members: 10_000,
            max_outlets: 32,
            max_outlets_counted: 1024,
            max_speakers: 16,
            max_text_bytes: 1000,
            max_features: 128,
            max_future_seconds: 3600,
            seed: 0x7e_a0_c1_a1_5e_ed_00_01,
        }
    }
}

impl ClusterConfig {
    /// The configuration without embedding matching: embeddings given to `assign` are ignored.
    pub fn lexical_only(mut self) -> ClusterConfig {
        self.embedding_bands = 0;
        self
    }

    /// Whether embeddings are used.
    pub fn uses_embeddings(&self) -> bool {
        self.embedding_bands > 0
    }

    /// Checks every value; the error names the field.
    pub fn validate(&self) -> Result<(), String> {
        let unit = |name: &str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(format!("{name} must be in 0..=1, not {v}"))
            }
        };
        unit("lexical_threshold", self.lexical_threshold)?;
        unit("containment_threshold", self.containment_threshold)?;
        unit("embedding_threshold", self.embedding_threshold)?;
        unit("embedding_margin", self.embedding_margin)?;
        unit("lexical_support", self.lexical_support)?;
        let range = |name: &str, v: usize, lo: usize, hi: usize| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(format!("{name} must be in {lo}..={hi}, not {v}"))
            }
        };
        range("lexical_bands", self.lexical_bands, 1, 64)?;
        range("lexical_rows", self.lexical_rows, 1, 8)?;
        range("embedding_bands", self.embedding_bands, 0, 64)?;
        range("embedding_bits", self.embedding_bits, 1, 32)?;
        range("embedding_dim", self.embedding_dim, 1, 4096)?;
        range("max_bucket_candidates", self.max_bucket_candidates, 1, 10_000)?;
        range("max_outlets", self.max_outlets, 1, 10_000)?;
        range("max_outlets_counted", self.max_outlets_counted, self.max_outlets, 1_000_000)?;
        range("max_speakers", self.max_speakers, 1, 10_000)?;
        range("max_text_bytes", self.max_text_bytes, 16, 1 << 20)?;
        range("max_features", self.max_features, 1, 4096)?;
        if self.window_seconds == 0 || self.window_seconds > 366 * 24 * 3600 {
            return Err(format!("window_seconds must be in 1..=31622400, not {}", self.window_seconds));
        }
        if self.max_members == 0 {
            return Err("max_members must be at least 1".into());
        }
        Ok(())
    }
}
