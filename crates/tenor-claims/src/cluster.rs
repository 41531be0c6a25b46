//! Incremental clustering of claim sentences across articles, over an event-time window.
//!
//! [`ClaimIndex::assign`] takes one sentence record (and, when the encoder tier ran, its unit-length sentence
//! embedding) and returns the cluster it joined with the cluster's updated `tenor.claim/1` record. A sentence
//! joins the first of these that matches, else opens a new cluster:
//!
//! 1. **exact**: its normalised text ([`normalize`]: case, quote marks, dashes, punctuation and white space
//!    folded) hashes like the canonical sentence of a cluster;
//! 2. **lexical**: its fingerprint ([`fingerprint`]: word unigrams and bigrams, stop and reporting words left
//!    out) has Jaccard similarity ≥ `lexical_threshold` with a cluster's, or is contained in it (or it in the
//!    sentence) ≥ `containment_threshold` when the smaller has ≥ `min_containment_features` features.
//!    Candidates come from MinHash LSH bands, never from a scan;
//! 3. **embedding**: cosine with a cluster's canonical embedding ≥ `embedding_threshold`, or ≥
//!    `embedding_threshold - embedding_margin` with Jaccard ≥ `lexical_support`. Candidates are the lexical
//!    ones and those of random-hyperplane LSH bands over the embedding; a candidate whose 256-bit sign sketch
//!    (the signs of the same projections) differs from the sentence's in too many bits to reach that cosine
//!    is dropped before its vector is read (`lsh::sketch_max_distance`: a pair at cosine ≥ the lowest that
//!    can join, less 0.05 for quantisation, is dropped with probability under 10⁻⁹), and the Jaccard
//!    similarity is computed only when the cosine falls in the margin.
//!
//! Among several clusters that match at one step the most similar wins, then the oldest. A cluster is compared
//! through its **canonical** sentence, its first member (text, fingerprint and embedding): a fixed
//! representative costs nothing per member and cannot drift, so a chain of paraphrases never walks a cluster
//! away from what its id was made from (a running centroid would, and would cost a float vector per cluster).
//! Embeddings are kept as `i8` (384 bytes per cluster) with their sketch (32 bytes), side by side in one
//! arena indexed by the cluster's slot (`cluster/embeddings.rs`), not behind a pointer per cluster.
//!
//! **Event time** is the record's `published_at`, else its `processed_at` (a `published_at` more than
//! `max_future_seconds` after `processed_at` is not believed: [`crate::event_time`]). The index keeps the newest event
//! time seen as "now"; a cluster whose newest member is more than `window_seconds` older is dropped (inside
//! `assign`, or by [`ClaimIndex::expire`]), and its id is not reused by a later sentence unless that sentence is
//! the same first member.
//!
//! **Ids** are `c-` and 16 hex digits of the FNV-1a hash of the first member's article id, sentence index and
//! normalised text. Nothing here depends on a per-process seed or on hash-map iteration order: the same
//! records in the same order give the same ids and records on every run and machine.
//!
//! **Bounds**: a cluster keeps at most `max_outlets` outlet names, `max_outlets_counted` outlet hashes,
//! `max_speakers` speakers and `max_text_bytes` of text, whatever arrives; at `max_members` it is `capped`
//! (it keeps taking members, counted, but its figures stop changing). [`ClaimIndex::state_bytes`] estimates
//! the whole state.
//!
//! Pure: no I/O, no clock, no threads.

mod config;
mod embeddings;
mod lsh;
mod normalize;
mod snapshot;
mod state;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use tenor_core::{ClaimRecord, MatchKind, SentenceKind, SentenceRecord};

pub use config::ClusterConfig;
pub use normalize::{fingerprint, normalize, text_hash};
pub use snapshot::ClusterSnapshot;

pub use crate::event_time;

use embeddings::Embeddings;
use lsh::{sketch_max_distance, Buckets, Hyperplanes, MinHasher, MixMap, Sketch};
use normalize::similarity;
use state::{Cluster, Member, Quantized};

/// What [`ClaimIndex::assign`] did with a claim sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The cluster's id (`c-` and 16 hex digits), for the sentence record's `claim_cluster`.
    pub cluster_id: String,
    /// Whether this sentence opened the cluster.
    pub is_new: bool,
    /// The cluster's `tenor.claim/1` record after this sentence.
    pub record: ClaimRecord,
}

/// The claim clusters of one time window, and the indexes that find a sentence's cluster.
#[derive(Debug)]
pub struct ClaimIndex {
    config: ClusterConfig,
    minhash: MinHasher,
    planes: Option<Hyperplanes>,
    /// Sketches that differ in more bits than this are not compared (see [`lsh::sketch_max_distance`]).
    sketch_distance: u32,
    clusters: Vec<Option<Cluster>>,
    /// The live clusters' canonical embeddings and sketches, by slot.
    embeddings: Embeddings,
    free: Vec<u32>,
    live: usize,
    next_seq: u64,
    exact: MixMap<u64, u32>,
    /// Cluster id → slot.
    ids: MixMap<u64, u32>,
    /// Ids of clusters dropped by the window since the last [`ClaimIndex::take_expired`], when asked for
    /// ([`ClaimIndex::report_expired`]).
    expired: Option<Vec<String>>,
    /// Lexical bands `0..lexical_bands`, then embedding bands.
    buckets: Buckets,
    /// (newest member's event time in seconds, slot), oldest first.
    by_time: BTreeSet<(i64, u32)>,
    now: Option<i64>,
}

impl ClaimIndex {
    /// An empty index.
    ///
    /// # Panics
    /// When `config` does not pass [`ClusterConfig::validate`] (a caller bug: validate it where it is read).
    pub fn new(config: ClusterConfig) -> ClaimIndex {
        if let Err(e) = config.validate() {
            panic!("invalid claim cluster configuration: {e}");
        }
        let minhash = MinHasher::new(config.lexical_bands, config.lexical_rows, config.seed);
        let planes = config.uses_embeddings().then(|| {
            Hyperplanes::new(config.embedding_bands, config.embedding_bits, config.embedding_dim, config.seed)
        });
        let width = config.lexical_bands + config.embedding_bands;
        // The lowest cosine that can join, less 0.05 for the quantisation of both vectors.
        let lowest = config.embedding_threshold - config.embedding_margin - 0.05;
        let sketch_distance = planes.as_ref().map_or(0, |p| sketch_max_distance(p.sketch_bits(), lowest));
        ClaimIndex {
            embeddings: Embeddings::new(config.embedding_dim),
            config,
            minhash,
            planes,
            sketch_distance,
            clusters: Vec::new(),
            free: Vec::new(),
            live: 0,
            next_seq: 0,
            exact: MixMap::default(),
            ids: MixMap::default(),
            expired: None,
            buckets: Buckets::new(width),
            by_time: BTreeSet::new(),
            now: None,
        }
    }

    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// Live clusters.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Puts a claim sentence in its cluster. `None` when the record is not a claim sentence (`claim` absent
    /// or `is_claim` false, or `kind` not `sentence`). `embedding` is used when it has `embedding_dim` finite
    /// values and the configuration uses embeddings; it is normalised to unit length here.
    pub fn assign(&mut self, sentence: &SentenceRecord, embedding: Option<&[f32]>) -> Option<Assignment> {
        if sentence.kind != SentenceKind::Sentence || !sentence.claim.as_ref().is_some_and(|c| c.is_claim) {
            return None;
        }
        let time = event_time(sentence, self.config.max_future_seconds);
        let seconds = time.timestamp();
        let now = self.now.map_or(seconds, |n| n.max(seconds));
        self.now = Some(now);
        self.expire_before(now.saturating_sub(self.window()));

        let unit = embedding.and_then(|e| self.unit_embedding(e));
        let normalized = normalize(&sentence.text, self.config.max_text_bytes);
        let exact = text_hash(&normalized);
        let member = Member::of(sentence, time, self.config.max_text_bytes);

        // The embedding's band keys and sketch cost 256 dot products: made only when a step needs them.
        let mut embedding_keys = Vec::new();
        let mut sketch = None;
        let (slot, matched_by) =
            match self.find(exact, &normalized, unit.as_deref(), &mut embedding_keys, &mut sketch) {
                Found::Exact(slot) => (slot, MatchKind::Exact),
                Found::Lexical(slot) => (slot, MatchKind::Lexical),
                Found::Embedding(slot) => (slot, MatchKind::Embedding),
                Found::None(features, keys) => {
                    let slot = self.open(sentence, &member, exact, &normalized, features, &keys);
                    (slot, MatchKind::New)
                }
            };
        let config = &self.config;
        let cluster = self.clusters[slot as usize].as_mut().expect("a found slot is live");
        let before = cluster.last_seen;
        cluster.add(sentence, &member, config);
        if !self.embeddings.has(slot) {
            if let (Some(unit), Some(planes)) = (&unit, &self.planes) {
                // The first member with an embedding gives the cluster its canonical embedding.
                let stored = Quantized::new(unit);
                // Keys and sketch from the stored vector (as `find` makes them), so that a restored cluster
                // ([`ClaimIndex::restore`]) lands in the same buckets with the same sketch.
                let sketch = match sketch {
                    Some(sketch) => sketch,
                    None => planes.keys(&stored.dequantized(), &mut embedding_keys),
                };
                self.embeddings.set(slot, &stored, sketch);
                self.buckets.insert(slot, self.config.lexical_bands, &embedding_keys);
                cluster.embedding_filed = Some(self.next_seq);
                self.next_seq += 1;
            }
        }
        let cluster = self.clusters[slot as usize].as_ref().expect("live");
        if cluster.last_seen != before || matched_by == MatchKind::New {
            self.by_time.remove(&(before, slot));
            self.by_time.insert((cluster.last_seen, slot));
        }
        Some(Assignment {
            cluster_id: cluster.id_string(),
            is_new: matched_by == MatchKind::New,
            record: cluster.record(&member, matched_by, sentence.run_id.as_deref()),
        })
    }

    /// Drops every cluster whose newest member is older than `now` minus the window. `assign` does this itself
    /// with the newest event time it has seen; call this to expire by another clock (e.g. on an idle stream).
    pub fn expire(&mut self, now: DateTime<Utc>) {
        let seconds = now.timestamp();
        self.now = Some(self.now.map_or(seconds, |n| n.max(seconds)));
        self.expire_before(seconds.saturating_sub(self.window()));
    }

    /// An estimate of the bytes the index holds: every cluster (strings, fingerprint, embedding, lists), the
    /// LSH buckets, the exact-text map, the expiry order and the hyperplanes. Allocator overhead is left out.
    pub fn state_bytes(&self) -> usize {
        let clusters: usize = self.clusters.iter().flatten().map(Cluster::heap_bytes).sum();
        clusters
            + self.clusters.capacity() * std::mem::size_of::<Option<Cluster>>()
            + self.free.capacity() * 4
            + self.exact.capacity() * (8 + 4 + 1)
            + self.buckets.heap_bytes()
            // A B-tree node holds up to 11 keys of 16 bytes and an edge per key: about 24 bytes a key.
            + self.by_time.len() * 24
            + self.planes.as_ref().map_or(0, Hyperplanes::heap_bytes)
            + self.embeddings.heap_bytes()
    }

    fn window(&self) -> i64 {
        i64::try_from(self.config.window_seconds).unwrap_or(i64::MAX)
    }

    fn unit_embedding(&self, embedding: &[f32]) -> Option<Vec<f32>> {
        if !self.config.uses_embeddings()
            || embedding.len() != self.config.embedding_dim
            || !embedding.iter().all(|v| v.is_finite())
        {
            return None;
        }
        let norm = embedding.iter().map(|v| v * v).sum::<f32>().sqrt();
        (norm > 1e-6 && norm.is_finite()).then(|| embedding.iter().map(|v| v / norm).collect())
    }

    fn expire_before(&mut self, cutoff: i64) {
        while let Some(&(time, slot)) = self.by_time.first() {
            if time >= cutoff {
                break;
            }
            self.by_time.pop_first();
            self.close(slot);
        }
    }

    fn close(&mut self, slot: u32) {
        if let Some(cluster) = self.clusters[slot as usize].take() {
            if self.exact.get(&cluster.exact) == Some(&slot) {
                self.exact.remove(&cluster.exact);
            }
            if self.ids.get(&cluster.id) == Some(&slot) {
                self.ids.remove(&cluster.id);
            }
            if let Some(expired) = &mut self.expired {
                expired.push(cluster.id_string());
            }
            self.buckets.remove(slot);
            self.embeddings.clear(slot);
            self.free.push(slot);
            self.live -= 1;
        }
    }

    fn open(
        &mut self,
        sentence: &SentenceRecord,
        member: &Member,
        exact: u64,
        normalized: &str,
        features: Vec<u32>,
        keys: &[u32],
    ) -> u32 {
        let cluster = Cluster::new(sentence, member.clone(), exact, normalized, features, self.next_seq);
        self.next_seq += 1;
        let slot = self.place(cluster);
        self.buckets.insert(slot, 0, keys);
        slot
    }

    /// Puts a cluster in a free slot and in the exact-text and id maps (not in the LSH buckets).
    fn place(&mut self, cluster: Cluster) -> u32 {
        let (exact, id) = (cluster.exact, cluster.id);
        let slot = match self.free.pop() {
            Some(slot) => {
                self.clusters[slot as usize] = Some(cluster);
                slot
            }
            None => {
                self.clusters.push(Some(cluster));
                (self.clusters.len() - 1) as u32
            }
        };
        self.live += 1;
        self.exact.insert(exact, slot);
        self.ids.insert(id, slot);
        slot
    }

    /// The cluster a sentence joins. Fills `embedding_keys` and `sketch` when it gets as far as the embedding
    /// step.
    fn find(
        &mut self,
        exact: u64,
        normalized: &str,
        unit: Option<&[f32]>,
        embedding_keys: &mut Vec<u32>,
        sketch: &mut Option<Sketch>,
    ) -> Found {
        if let Some(&slot) = self.exact.get(&exact) {
            return Found::Exact(slot);
        }
        let features = fingerprint(normalized, self.config.max_features);
        let mut keys = Vec::with_capacity(self.config.lexical_bands);
        self.minhash.keys(&features, &mut keys);
        let limit = self.config.max_bucket_candidates;
        let mut candidates = Vec::new();
        self.buckets.candidates_of(&keys, limit, &mut candidates);
        candidates.sort_unstable();
        candidates.dedup();
        let c = &self.config;
        let mut lexical: Vec<(u32, f64)> = Vec::with_capacity(candidates.len());
        let mut best: Option<(f64, u64, u32)> = None;
        for &slot in &candidates {
            let Some(cluster) = self.clusters[slot as usize].as_ref() else { continue };
            let (jaccard, containment, smaller) = similarity(&features, &cluster.features);
            lexical.push((slot, jaccard));
            let contained = smaller >= c.min_containment_features && containment >= c.containment_threshold;
            if jaccard >= c.lexical_threshold || contained {
                let score = jaccard.max(if contained { containment } else { 0.0 });
                if better(score, cluster.seq, best) {
                    best = Some((score, cluster.seq, slot));
                }
            }
        }
        if let Some((_, _, slot)) = best {
            return Found::Lexical(slot);
        }
        if let (Some(unit), Some(planes)) = (unit, &self.planes) {
            // Band keys and sketch of the vector as a cluster would store it (i8), so that a sentence and a
            // cluster made from it, or restored from a snapshot, share buckets.
            let own = planes.keys(&Quantized::new(unit).dequantized(), embedding_keys);
            *sketch = Some(own);
            let mut more = Vec::new();
            self.buckets.candidates_of(embedding_keys, limit, &mut more);
            more.sort_unstable();
            more.dedup();
            // The sketches first, in one tight pass (their cache misses overlap), then for those near enough
            // the cosine, the word overlap only when the cosine is in the band where the overlap decides, and
            // the cluster only when it matches.
            let (embeddings, distance) = (&self.embeddings, self.sketch_distance);
            let mut near: Vec<(u32, Option<f64>)> = lexical
                .iter()
                .filter(|&&(slot, _)| embeddings.sketch_near(slot, &own, distance))
                .map(|&(slot, jaccard)| (slot, Some(jaccard)))
                .collect();
            near.extend(
                more.iter()
                    .filter(|&&slot| lexical.binary_search_by_key(&slot, |&(s, _)| s).is_err())
                    .filter(|&&slot| embeddings.sketch_near(slot, &own, distance))
                    .map(|&slot| (slot, None)),
            );
            let slots: Vec<u32> = near.iter().map(|&(slot, _)| slot).collect();
            let mut cosines = Vec::with_capacity(slots.len());
            embeddings.cosines(&slots, unit, &mut cosines);
            let mut best: Option<(f64, u64, u32)> = None;
            for ((slot, jaccard), cosine) in near.into_iter().zip(cosines) {
                let Some(cosine) = cosine else { continue };
                let ok = cosine >= c.embedding_threshold
                    || (cosine >= c.embedding_threshold - c.embedding_margin
                        && jaccard.unwrap_or_else(|| {
                            self.clusters[slot as usize]
                                .as_ref()
                                .map_or(0.0, |cluster| similarity(&features, &cluster.features).0)
                        }) >= c.lexical_support);
                if !ok {
                    continue;
                }
                let Some(cluster) = self.clusters[slot as usize].as_ref() else { continue };
                if better(cosine, cluster.seq, best) {
                    best = Some((cosine, cluster.seq, slot));
                }
            }
            if let Some((_, _, slot)) = best {
                return Found::Embedding(slot);
            }
        }
        Found::None(features, keys)
    }
}

/// Higher score wins, then the older cluster (lower `seq`).
fn better(score: f64, seq: u64, best: Option<(f64, u64, u32)>) -> bool {
    best.is_none_or(|(s, q, _)| score > s || (score == s && seq < q))
}

enum Found {
    Exact(u32),
    Lexical(u32),
    Embedding(u32),
    /// No match: the sentence's fingerprint and lexical band keys, for the new cluster.
    None(Vec<u32>, Vec<u32>),
}
