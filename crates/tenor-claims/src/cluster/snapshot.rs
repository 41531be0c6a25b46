//! A cluster's whole state as a value ([`ClusterSnapshot`]), so that a service can write it to a changelog
//! and rebuild its index after a restart ([`ClaimIndex::snapshot`], [`ClaimIndex::restore`]), and the ids of
//! clusters the window dropped ([`ClaimIndex::take_expired`]), so that it can delete them there.
//!
//! A restored cluster is the cluster it was: same id, creation order, canonical member, counts and stored
//! embedding; its LSH keys are recomputed from its fingerprint and stored embedding, which is what they were
//! computed from in the first place. So an index restored from the snapshots of all its live clusters
//! assigns the next sentences exactly as the index it was taken from.

use serde::{Deserialize, Serialize};

use super::state::Cluster;
use super::ClaimIndex;

/// One cluster's state (serialisable; opaque to callers).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClusterSnapshot(Cluster);

impl ClusterSnapshot {
    /// The cluster's id (`c-` and 16 hex digits).
    pub fn cluster_id(&self) -> String {
        self.0.id_string()
    }
}

impl ClaimIndex {
    /// The state of the live cluster `cluster_id`, if there is one.
    pub fn snapshot(&self, cluster_id: &str) -> Option<ClusterSnapshot> {
        let id = u64::from_str_radix(cluster_id.strip_prefix("c-")?, 16).ok()?;
        let slot = *self.ids.get(&id)?;
        let mut cluster = self.clusters[slot as usize].clone()?;
        cluster.embedding = self.embeddings.get(slot);
        Some(ClusterSnapshot(cluster))
    }

    /// Puts clusters back, each replacing a live cluster of the same id. The snapshots may come in any order:
    /// their bands are filed in the LSH buckets in the order the index they were taken from filed them
    /// (lexical bands in creation order, embedding bands in the order each cluster got its embedding). That
    /// order decides the candidates of a crowded bucket (`max_bucket_candidates`, the most recently filed
    /// first), so without it a restored index could assign differently. The index keeps the newest event
    /// time it has seen and continues its clock after the largest restored.
    ///
    /// Restore all of a state in one call: snapshots restored by a later call are filed after the clusters
    /// already in the index, whatever their age.
    pub fn restore(&mut self, snapshots: impl IntoIterator<Item = ClusterSnapshot>) {
        let mut snapshots: Vec<ClusterSnapshot> = snapshots.into_iter().collect();
        snapshots.sort_by_key(|s| s.0.seq);
        let mut embedding_bands: Vec<(u64, u32, Vec<u32>)> = Vec::new();
        for snapshot in snapshots {
            embedding_bands.extend(self.restore_one(snapshot));
        }
        embedding_bands.sort_by_key(|&(filed, _, _)| filed);
        for (_, slot, keys) in embedding_bands {
            self.buckets.insert(slot, self.config.lexical_bands, &keys);
        }
    }

    /// Places one cluster and files its lexical bands; returns its embedding bands to file (when, slot, keys).
    fn restore_one(&mut self, snapshot: ClusterSnapshot) -> Option<(u64, u32, Vec<u32>)> {
        let mut cluster = snapshot.0;
        // A live cluster's embedding is kept in the index's arena, not in the cluster.
        let stored = cluster.embedding.take().filter(|e| e.values().len() == self.config.embedding_dim);
        if let Some(&slot) = self.ids.get(&cluster.id) {
            let last_seen = self.clusters[slot as usize].as_ref().map(|c| c.last_seen);
            if let Some(last_seen) = last_seen {
                self.by_time.remove(&(last_seen, slot));
            }
            let expired = self.expired.take();
            self.close(slot);
            self.expired = expired;
        }
        let filed = cluster.embedding_filed.unwrap_or(cluster.seq);
        self.next_seq = self.next_seq.max(cluster.seq + 1).max(filed + 1);
        self.now = Some(self.now.map_or(cluster.last_seen, |n| n.max(cluster.last_seen)));
        let mut keys = Vec::with_capacity(self.config.lexical_bands);
        self.minhash.keys(&cluster.features, &mut keys);
        let mut embedding_keys = Vec::with_capacity(self.config.embedding_bands);
        // Without hyperplanes (a lexical-only index) the embedding is kept, unused, for later snapshots.
        let embedding = stored.map(|stored| {
            let sketch =
                self.planes.as_ref().map_or([0; 4], |p| p.keys(&stored.dequantized(), &mut embedding_keys));
            (stored, sketch)
        });
        let last_seen = cluster.last_seen;
        let slot = self.place(cluster);
        self.buckets.insert(slot, 0, &keys);
        self.by_time.insert((last_seen, slot));
        let (stored, sketch) = embedding?;
        self.embeddings.set(slot, &stored, sketch);
        (!embedding_keys.is_empty()).then_some((filed, slot, embedding_keys))
    }

    /// From now on, remember the ids of clusters the window drops, for [`ClaimIndex::take_expired`].
    pub fn report_expired(&mut self) {
        self.expired.get_or_insert_with(Vec::new);
    }

    /// The ids of the clusters dropped since the last call (empty unless [`ClaimIndex::report_expired`]).
    pub fn take_expired(&mut self) -> Vec<String> {
        self.expired.as_mut().map(std::mem::take).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::{DateTime, Duration, Utc};
    use tenor_core::SentenceRecord;

    use super::*;
    use crate::cluster::ClusterConfig;

    fn claim(article: usize, text: &str, hours: i64) -> SentenceRecord {
        let time = DateTime::parse_from_rfc3339("2024-03-01T00:00:00Z").unwrap().with_timezone(&Utc)
            + Duration::hours(hours);
        crate::testing::claim_sentence(&format!("a{article}"), 0, text, &format!("outlet-{}", article % 3), time)
    }

    fn embedding(seed: usize) -> Vec<f32> {
        (0..384).map(|i| (((i * 31 + seed * 17) % 97) as f32 - 48.0) / 48.0).collect()
    }

    /// Sentences that repeat, paraphrase and start topics, with embeddings for some.
    fn stream() -> Vec<(SentenceRecord, Option<Vec<f32>>)> {
        let topics = [
            "the ministry said tax rates on fuel will rise next spring",
            "talks in miami were productive and constructive envoys said",
            "no significant breakthrough has emerged from the negotiations",
            "core disputes over territory remain unresolved analysts noted",
            "the central bank will hold interest rates steady this quarter",
        ];
        let mut out = Vec::new();
        for i in 0..60 {
            let topic = topics[i % topics.len()];
            let text = match i % 4 {
                0 => topic.to_owned(),
                1 => format!("\"{}\", officials told reporters.", topic.to_uppercase()),
                2 => format!("{topic} according to a statement"),
                _ => format!("unrelated sentence number {i} about the weather in town {}", i * 7),
            };
            let emb = (i % 2 == 0).then(|| embedding(i % topics.len()));
            out.push((claim(i, &text, i as i64), emb));
        }
        out
    }

    #[test]
    fn a_restored_index_assigns_the_rest_of_a_stream_exactly_as_the_original() {
        let config = ClusterConfig { window_seconds: 30 * 3600, ..ClusterConfig::default() };
        let stream = stream();
        let (first, rest) = stream.split_at(35);
        let mut original = ClaimIndex::new(config.clone());
        original.report_expired();
        let mut seen = BTreeSet::new();
        for (record, emb) in first {
            seen.insert(original.assign(record, emb.as_deref()).unwrap().cluster_id);
        }
        let expired: BTreeSet<String> = original.take_expired().into_iter().collect();
        assert!(!expired.is_empty(), "the window dropped some clusters");
        let live: Vec<String> = seen.difference(&expired).cloned().collect();
        assert_eq!(live.len(), original.len());
        let mut restored = ClaimIndex::new(config);
        // Through JSON, as a changelog carries them, and in reverse order.
        restored.restore(live.iter().rev().map(|id| {
            let json = serde_json::to_string(&original.snapshot(id).expect("live")).unwrap();
            let snapshot: ClusterSnapshot = serde_json::from_str(&json).unwrap();
            assert_eq!(&snapshot.cluster_id(), id);
            snapshot
        }));
        assert_eq!(restored.len(), original.len());
        for (record, emb) in rest {
            let a = original.assign(record, emb.as_deref()).unwrap();
            let b = restored.assign(record, emb.as_deref()).unwrap();
            assert_eq!(a, b);
        }
        assert!(original.snapshot("c-0000000000000000").is_none());
        assert!(original.snapshot("not an id").is_none());
    }

    /// Sentences alike but for their numbers (crowded lexical buckets), every other one with an embedding
    /// of one of three directions (crowded embedding buckets).
    fn potholes() -> Vec<(SentenceRecord, Option<Vec<f32>>)> {
        (0..300)
            .map(|k| {
                let text =
                    format!("Residents of district {k} reported {} new potholes on street {}", k % 13, k * 7);
                (claim(k, &text, 0), (k % 2 == 0).then(|| noisy(k)))
            })
            .collect()
    }

    fn noisy(k: usize) -> Vec<f32> {
        let mut e = embedding(k % 3);
        e[k % 384] += 0.3;
        e
    }

    /// Clusters that get their embedding after later clusters opened: 100 sentences with no words in common,
    /// every other one with an embedding; the same 100 again (exact matches), all with one; then 100 more
    /// without common words, matched by embedding only.
    fn late_embeddings() -> Vec<(SentenceRecord, Option<Vec<f32>>)> {
        let text = |k: usize| format!("alpha{k} bravo{k} charlie{k} delta{k} echo{k} foxtrot{k}");
        (0..300)
            .map(|k| match k {
                0..100 => (claim(k, &text(k), 0), (k % 2 == 0).then(|| noisy(k))),
                100..200 => (claim(k, &text(k - 100), 0), Some(noisy(k - 100))),
                _ => (claim(k, &text(k), 0), Some(noisy(k))),
            })
            .collect()
    }

    /// Every LSH chain of `index` as (cluster id, band), most recently filed first.
    fn chains(index: &ClaimIndex) -> Vec<(u32, Vec<(u64, usize)>)> {
        let id = |slot: u32| index.clusters[slot as usize].as_ref().expect("a filed slot is live").id;
        let chains = index.buckets.chains();
        chains
            .into_iter()
            .map(|(key, chain)| (key, chain.into_iter().map(|(s, b)| (id(s), b)).collect()))
            .collect()
    }

    /// Many clusters share LSH buckets and `max_bucket_candidates` is small, so which clusters are candidates
    /// depends on the order of the chains: a restore must file them as the original did whatever order the
    /// snapshots come in (a changelog read back gives them by key), clusters that got their embedding after
    /// later ones opened included.
    #[test]
    fn a_restore_files_crowded_buckets_in_the_original_order() {
        for (name, stream) in [("potholes", potholes()), ("late embeddings", late_embeddings())] {
            for limit in [1, 2, 4, 32] {
                let config = ClusterConfig { max_bucket_candidates: limit, ..ClusterConfig::default() };
                for split in [40, 150, 260] {
                    let (first, rest) = stream.split_at(split);
                    let mut original = ClaimIndex::new(config.clone());
                    let mut live = BTreeSet::new();
                    for (record, emb) in first {
                        live.insert(original.assign(record, emb.as_deref()).unwrap().cluster_id);
                    }
                    let mut restored = ClaimIndex::new(config.clone());
                    // By id, as the claims service reads its changelog back.
                    restored.restore(live.iter().map(|id| original.snapshot(id).expect("live")));
                    assert_eq!(chains(&restored), chains(&original), "{name}: restored after {split}");
                    for (record, emb) in rest {
                        let a = original.assign(record, emb.as_deref()).unwrap();
                        let b = restored.assign(record, emb.as_deref()).unwrap();
                        assert_eq!(a, b, "{name}: limit {limit}, restored after {split}");
                    }
                }
            }
        }
    }

    #[test]
    fn expired_ids_are_reported_only_when_asked() {
        let mut index = ClaimIndex::new(ClusterConfig { window_seconds: 3600, ..ClusterConfig::default() });
        let first = index.assign(&claim(1, "the first claim about fuel taxes", 0), None).unwrap();
        index.assign(&claim(2, "a second claim about something else entirely", 5), None).unwrap();
        assert!(index.take_expired().is_empty());
        index.report_expired();
        index.assign(&claim(3, "a third claim about yet another matter", 10), None).unwrap();
        // The first expired before reporting began; the second expires now.
        let expired = index.take_expired();
        assert_eq!(expired.len(), 1);
        assert_ne!(expired[0], first.cluster_id);
        assert!(index.take_expired().is_empty());
    }
}
