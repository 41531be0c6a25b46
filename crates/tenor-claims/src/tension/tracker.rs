//! Tensions across articles: claims kept over a story window, indexed by subject key, each new claim paired
//! with the kept claims it shares a key with (and, with an embedding, the latest claims with one).
//!
//! Memory is bounded: at most `max_claims` claims (the oldest go first), at most `max_per_key` per key in the
//! index, and claims older than the window (by event time, behind the newest event time seen) expire.
//!
//! The memory can be saved and put back (`super::snapshot`): whole ([`TensionTracker::snapshot`]) or a claim at
//! a time ([`TensionTracker::record_changes`], [`TensionTracker::take_changes`]), for a service's changelog.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{DateTime, Duration, Utc};
use tenor_core::{SentenceRecord, TensionRecord, TensionScope};

use super::side::Side;
use super::{best_first, pair, TensionConfig};

/// The cross-article tension finder. Feed it every sentence record (in any order of articles) with the
/// sentence's claim cluster and embedding when known; each call returns the tensions the new sentence makes
/// with claims of *other* articles kept so far (pairs within one article are [`super::tensions_in_article`]'s).
/// A sentence observed again (same `article_id` and `sentence_index`, as on replay or redelivery) yields nothing.
#[derive(Debug)]
pub struct TensionTracker {
    pub(super) config: TensionConfig,
    pub(super) next: u64,
    /// Kept claims by arrival number.
    pub(super) claims: BTreeMap<u64, Kept>,
    /// Subject key (`t:` target, `c:` cluster, `w:` word) → arrival numbers, oldest first.
    by_key: BTreeMap<String, VecDeque<u64>>,
    /// (event time, arrival number), for expiry.
    by_time: BTreeSet<(DateTime<Utc>, u64)>,
    /// (article_id, sentence_index) → arrival number, for repeats.
    seen: BTreeMap<(String, usize), u64>,
    pub(super) newest: Option<DateTime<Utc>>,
    /// With [`TensionTracker::record_changes`]: claims kept and dropped since the last `take_changes`.
    pub(super) changes: Option<Changes>,
}

#[derive(Debug)]
pub(super) struct Kept {
    pub(super) side: Side,
    keys: Vec<String>,
}

/// Arrival numbers kept, and (article_id, sentence_index) of claims dropped, since the last take.
#[derive(Debug, Default)]
pub(super) struct Changes {
    pub(super) kept: Vec<u64>,
    pub(super) dropped: Vec<(String, usize)>,
}

impl TensionTracker {
    /// A tracker with `config` (call [`TensionConfig::validate`] first; out-of-range values are clamped to
    /// at least 1 here so that the tracker stays bounded).
    pub fn new(config: TensionConfig) -> TensionTracker {
        TensionTracker {
            config,
            next: 0,
            claims: BTreeMap::new(),
            by_key: BTreeMap::new(),
            by_time: BTreeSet::new(),
            seen: BTreeMap::new(),
            newest: None,
            changes: None,
        }
    }

    /// Claims kept now.
    pub fn len(&self) -> usize {
        self.claims.len()
    }

    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }

    /// Subject keys in the index now.
    pub fn keys(&self) -> usize {
        self.by_key.len()
    }

    /// Entries in the index now (each at most `max_per_key` per key).
    pub fn index_entries(&self) -> usize {
        self.by_key.values().map(VecDeque::len).sum()
    }

    /// Takes one sentence record; returns its tensions with kept claims of other articles, best first, at most
    /// `max_per_observe`. `cluster_id` is its claim cluster when known; `embedding` its sentence embedding.
    pub fn observe(
        &mut self,
        sentence: &SentenceRecord,
        cluster_id: Option<&str>,
        embedding: Option<&[f32]>,
    ) -> Vec<TensionRecord> {
        let Some(side) = Side::of(sentence, embedding, cluster_id, &self.config) else {
            return Vec::new();
        };
        let key = (side.article_id.clone(), side.sentence_index);
        if self.seen.contains_key(&key) {
            return Vec::new();
        }
        let seconds = i64::try_from(self.config.window_seconds).unwrap_or(i64::MAX);
        let window = Duration::try_seconds(seconds).unwrap_or(Duration::MAX);
        let newest = self.newest.map_or(side.time, |n| n.max(side.time));
        self.newest = Some(newest);
        let horizon = newest.checked_sub_signed(window).unwrap_or(DateTime::<Utc>::MIN_UTC);
        self.expire(horizon);
        if side.time < horizon {
            return Vec::new();
        }
        let keys = subject_keys(&side);
        let mut candidates: BTreeSet<u64> = BTreeSet::new();
        for k in &keys {
            if let Some(list) = self.by_key.get(k) {
                candidates.extend(list.iter().copied());
            }
        }
        if side.embedding.is_some() {
            candidates.extend(
                self.claims
                    .iter()
                    .rev()
                    .filter(|(_, kept)| kept.side.embedding.is_some())
                    .take(self.config.embedding_scan)
                    .map(|(n, _)| *n),
            );
        }
        let mut found = Vec::new();
        for n in candidates {
            let Some(other) = self.claims.get(&n).map(|k| &k.side) else { continue };
            if other.article_id == side.article_id || (other.time - side.time).abs() > window {
                continue;
            }
            let scope = match (&side.cluster_id, &other.cluster_id) {
                (Some(x), Some(y)) if x == y => TensionScope::Cluster,
                _ => TensionScope::Story,
            };
            if let Some(record) = pair(other, &side, scope, None, &self.config) {
                found.push(record);
            }
        }
        best_first(&mut found, self.config.max_per_observe.max(1));
        self.keep(side, keys, key);
        found
    }

    fn keep(&mut self, side: Side, keys: Vec<String>, key: (String, usize)) {
        let n = self.next;
        self.next += 1;
        if let Some(changes) = &mut self.changes {
            changes.kept.push(n);
        }
        self.insert(n, side, keys, key);
        while self.claims.len() > self.config.max_claims.max(1) {
            let Some((&oldest, _)) = self.claims.iter().next() else { break };
            self.remove(oldest);
        }
    }

    /// Puts claim `n` in the maps (its index lists capped at `max_per_key`, oldest out).
    pub(super) fn insert(&mut self, n: u64, side: Side, keys: Vec<String>, key: (String, usize)) {
        for k in &keys {
            let list = self.by_key.entry(k.clone()).or_default();
            list.push_back(n);
            while list.len() > self.config.max_per_key.max(1) {
                list.pop_front();
            }
        }
        self.by_time.insert((side.time, n));
        if let Some(old) = self.seen.insert(key, n) {
            // Only on a restore of inconsistent entries: one sentence is kept once.
            self.remove_at(old, false);
        }
        self.claims.insert(n, Kept { side, keys });
    }

    /// Drops every claim with an event time before `horizon`.
    pub(super) fn expire(&mut self, horizon: DateTime<Utc>) {
        while let Some(&(time, n)) = self.by_time.iter().next() {
            if time >= horizon {
                break;
            }
            self.remove(n);
        }
    }

    pub(super) fn remove(&mut self, n: u64) {
        self.remove_at(n, true);
    }

    fn remove_at(&mut self, n: u64, forget_seen: bool) {
        let Some(kept) = self.claims.remove(&n) else { return };
        self.by_time.remove(&(kept.side.time, n));
        let key = (kept.side.article_id.clone(), kept.side.sentence_index);
        if forget_seen {
            self.seen.remove(&key);
        }
        if let Some(changes) = &mut self.changes {
            // A claim kept and dropped before the take is only dropped.
            changes.kept.retain(|&m| m != n);
            if forget_seen {
                changes.dropped.push(key);
            }
        }
        for k in &kept.keys {
            if let Some(list) = self.by_key.get_mut(k) {
                list.retain(|&m| m != n);
                if list.is_empty() {
                    self.by_key.remove(k);
                }
            }
        }
    }
}

/// The keys a claim is found by: its target mentions, its cluster, its salient words.
pub(super) fn subject_keys(side: &Side) -> Vec<String> {
    let mut keys: Vec<String> = side.targets.iter().map(|t| format!("t:{}", t.key)).collect();
    keys.extend(side.cluster_id.iter().map(|c| format!("c:{c}")));
    keys.extend(side.terms.iter().map(|w| format!("w:{w}")));
    keys.sort();
    keys.dedup();
    keys
}
