//! The claims service: sentence records in (`tenor.sentences`), claim clusters out (`tenor.claims`: one
//! `tenor.claim/1` record per update, keyed by cluster id, so the latest record of a key is the cluster's
//! state). The clustering itself is `tenor_claims::cluster` (pure); this module keeps its index alive across
//! restarts and replays.
//!
//! - **Embeddings.** A sentence record may carry the encoder's embedding (`embedding`, put there by `serve` /
//!   `scorer` with the encoder tier). The index uses it, so paraphrases join as in `tenor run`; a record
//!   without one is clustered lexically. Vectors of two encoders are not comparable: the first embedding the
//!   service takes fixes its state's encoder (written to the changelog, key `__tenor_encoder`), and an
//!   embedding from another encoder is refused (`tenor_claims_embeddings_total{result="other_encoder"}`, a
//!   warning) and its record clustered lexically. The clusters' canonical embeddings are part of their
//!   changelog state (`ClusterSnapshot`), so a restart keeps them.
//! - **Changelog.** Every update also writes the cluster's whole state (`ClusterSnapshot`) to
//!   `tenor.claims.changelog`, keyed by cluster id, with the input position that produced it; a cluster the
//!   window drops gets a tombstone (a null value). The topic is compacted (the latest entry of a key is all
//!   a restart needs, and a tombstoned key goes), so it holds the live state, not the history. At start-up, before consuming, [`restore`] reads the changelog back to its end and
//!   rebuilds the index: ids, counts and canonical members are those of the run before, so a restart (kill
//!   -9 included) changes no id. Why whole states rather than what changed: `claims/changelog.rs`.
//! - **One partition.** The changelog has exactly one partition (created so; the service refuses to start
//!   otherwise): the idempotent producer keeps its entries in order without gaps, so an acknowledged entry
//!   means every earlier one is there too, which is what "last offset applied" below relies on. An update's
//!   entries are written in an order that keeps this true: encoder, tension claims, then the cluster's upsert
//!   (the entry that marks the input applied), then tombstones (clusters and tracker claims dropped). A
//!   restore ignores entries of an input whose upsert is missing (a process killed while writing them): the
//!   input is consumed again. A tombstone lost after its upsert costs nothing: the restored index and tracker
//!   apply the window and bounds again.
//! - **Where "the end" is.** The broker's high watermark is not trusted (Tansu 0.6 misreports it): start-up
//!   first writes a marker to every partition of the changelog and reads each partition up to its marker's
//!   offset, which the broker acknowledged.
//! - **Exactly once in the state.** Input offsets are committed once a record's claim and changelog records are
//!   acknowledged (at-least-once, as everywhere). After a restart or a rebalance, records between the
//!   committed offset and the last one applied are consumed again; the stage knows, per input partition, the
//!   last offset applied (restored from the changelog's input positions) and skips those
//!   (`tenor_claims_replay_skipped_total`), so no member is counted twice.
//! - **No update lost.** A changelog entry may have been acknowledged while its `tenor.claims` record was not
//!   (the process died between the two): each entry carries the claim record it went with, and every cluster
//!   whose latest entry lies at or after its input partition's committed offset has that record published
//!   again after the restore (the same record, so a consumer keeping the latest per key sees no change).
//! - **Tension across articles.** With `tension.enabled`, every claim sentence also goes through a
//!   [`TensionTracker`] (its cluster id and embedding known), and the tensions it finds with claims of earlier
//!   articles (same cluster, or same story window) go to `tenor.tensions` (scope `cluster` or `story`). The
//!   tracker's memory is in the changelog too, a claim at a time (key `tension:<sentence_index>:<article_id>`:
//!   the claim as the tracker keeps it, and the tensions it made when it arrived; a tombstone when the
//!   tracker drops it), and is restored with the index: a claim after a restart pairs with one from before
//!   it, and a pair published before is not published again (the restored tracker knows both sides). Like
//!   claim records, the tensions of an entry at or after the committed offset are published again (same
//!   `tension_id`).
//! - **One consumer.** Clusters are global: the service must see every partition of its input. Run one
//!   replica (a second one in the same group would split the partitions and the clusters); docs/KAFKA.md
//!   says how it scales past that.

mod changelog;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use tenor_claims::cluster::{ClaimIndex, ClusterConfig};
use tenor_claims::tension::{TensionConfig, TensionTracker};
use tenor_core::{ClaimRecord, InputError, SentenceKind, SentenceRecord, TensionRecord};

pub use changelog::{restore, ChangelogEntry, InputPosition, RestoreStats};

use super::engine::{Emission, Incoming, Outgoing, StatefulStage};
use crate::delivery::{InputRef, OffsetTracker, TopicPartition};
use crate::metrics::{stage, Metrics};

/// Output topics of the claims stage.
#[derive(Debug, Clone)]
pub struct ClaimsOutputs {
    pub claims: Arc<str>,
    pub changelog: Arc<str>,
    /// Where tensions across articles go, and how they are found; `None`: not looked for.
    pub tensions: Option<(Arc<str>, TensionConfig)>,
}

/// The claims service's stage: the claim index, the tension tracker, and the last input offset applied per
/// partition.
#[derive(Debug)]
pub struct ClaimsStage {
    index: ClaimIndex,
    tracker: Option<TensionTracker>,
    outputs: ClaimsOutputs,
    max_record_bytes: usize,
    applied: BTreeMap<TopicPartition, i64>,
    /// The encoder of the embeddings in the state (its weights' sha256, shortened), once one was taken.
    encoder: Option<String>,
    /// Records to publish again after a restore (see the module doc): claim and tension records.
    republish: Vec<Outgoing>,
}

impl ClaimsStage {
    /// # Panics
    /// When `config` does not validate (check it where the configuration is loaded).
    pub fn new(config: ClusterConfig, outputs: ClaimsOutputs, max_record_bytes: usize) -> ClaimsStage {
        let mut index = ClaimIndex::new(config);
        index.report_expired();
        let tracker = outputs.tensions.as_ref().map(|(_, config)| {
            let mut tracker = TensionTracker::new(config.clone());
            tracker.record_changes();
            tracker
        });
        ClaimsStage {
            index,
            tracker,
            outputs,
            max_record_bytes,
            applied: BTreeMap::new(),
            encoder: None,
            republish: Vec::new(),
        }
    }

    pub fn index(&self) -> &ClaimIndex {
        &self.index
    }

    /// The tension tracker, when tensions are looked for.
    pub fn tracker(&self) -> Option<&TensionTracker> {
        self.tracker.as_ref()
    }

    /// The encoder whose embeddings the state holds, once one was taken.
    pub fn encoder(&self) -> Option<&str> {
        self.encoder.as_deref()
    }

    fn decode(&self, message: &Incoming) -> Result<SentenceRecord, InputError> {
        let text = super::record_text(&message.payload, "sentence record", self.max_record_bytes)?;
        serde_json::from_str(text).map_err(|e| InputError::InvalidJson(format!("not a sentence record: {e}")))
    }

    /// The record's embedding as values, when it has one the state can take; adopts the record's encoder when
    /// the state has none yet (the second value is then true: write it to the changelog).
    fn embedding_of(&mut self, record: &SentenceRecord, metrics: &Metrics) -> (Option<Vec<f32>>, bool) {
        let Some(embedding) = &record.embedding else { return (None, false) };
        let values = match embedding.values() {
            Ok(values) => values,
            Err(error) => {
                let n = metrics.claims_embeddings.with_label_values(&["unreadable"]);
                n.inc();
                tracing::warn!(article_id = %record.article_id, %error, unreadable = n.get(), "embedding not readable, clustered lexically");
                return (None, false);
            }
        };
        match &self.encoder {
            Some(encoder) if *encoder != embedding.encoder => {
                let n = metrics.claims_embeddings.with_label_values(&["other_encoder"]);
                n.inc();
                // Every record of a stream from another encoder would log: the first one and every 1000th.
                if n.get() % 1000 == 1 {
                    tracing::warn!(
                        state = %encoder,
                        record = %embedding.encoder,
                        refused = n.get(),
                        "embedding from another encoder than the one in the claim state, clustered lexically"
                    );
                }
                (None, false)
            }
            Some(_) => {
                metrics.claims_embeddings.with_label_values(&["used"]).inc();
                (Some(values), false)
            }
            None => {
                tracing::info!(encoder = %embedding.encoder, "claim state takes embeddings of this encoder");
                self.encoder = Some(embedding.encoder.clone());
                metrics.claims_embeddings.with_label_values(&["used"]).inc();
                (Some(values), true)
            }
        }
    }

    fn claim_record(&self, record: &ClaimRecord) -> Outgoing {
        Outgoing {
            topic: self.outputs.claims.clone(),
            key: Some(record.cluster_id.as_bytes().to_vec()),
            payload: serde_json::to_vec(record).expect("claim records always serialise"),
            dead_letter_reason: None,
        }
    }

    fn tension_record(&self, tension: &TensionRecord) -> Option<Outgoing> {
        let (topic, _) = self.outputs.tensions.as_ref()?;
        Some(Outgoing {
            topic: topic.clone(),
            key: Some(tension.tension_id.as_bytes().to_vec()),
            payload: serde_json::to_vec(tension).expect("tension records always serialise"),
            dead_letter_reason: None,
        })
    }

    /// The records a restore left to publish again, as one emission that completes no input.
    fn take_republish(&mut self) -> Option<Emission> {
        if self.republish.is_empty() {
            return None;
        }
        let records = std::mem::take(&mut self.republish);
        tracing::info!(records = records.len(), "claim and tension records published again after the restore");
        Some(Emission { records, covers: Vec::new(), stances: Vec::new(), input_timestamp_ms: None })
    }

    fn changelog(&self, key: &str, entry: &ChangelogEntry) -> Outgoing {
        Outgoing {
            topic: self.outputs.changelog.clone(),
            key: Some(key.as_bytes().to_vec()),
            payload: serde_json::to_vec(entry).expect("changelog entries always serialise"),
            dead_letter_reason: None,
        }
    }

    /// The tracker's tensions for `record` and its changelog entries: claims kept (with the tensions of the
    /// one just observed), to write before the input's upsert; tombstones of claims dropped, to write after it.
    fn observe_tensions(
        &mut self,
        record: &SentenceRecord,
        cluster_id: &str,
        embedding: Option<&[f32]>,
        position: &InputPosition,
        metrics: &Metrics,
    ) -> (Vec<TensionRecord>, Vec<Outgoing>, Vec<Outgoing>) {
        let Some(tracker) = &mut self.tracker else { return (Vec::new(), Vec::new(), Vec::new()) };
        let tensions = tracker.observe(record, Some(cluster_id), embedding);
        let changes = tracker.take_changes();
        let mut entries = Vec::new();
        for claim in changes.kept {
            let (article_id, index) = claim.key();
            let key = changelog::tension_key(article_id, index);
            let mine = article_id == record.article_id && index == record.sentence_index;
            let entry = ChangelogEntry::TensionClaim {
                input: position.clone(),
                claim: Box::new(claim),
                tensions: if mine { tensions.clone() } else { Vec::new() },
            };
            entries.push(self.changelog(&key, &entry));
        }
        let tombstones = changes
            .dropped
            .iter()
            .map(|(article_id, index)| {
                let key = changelog::tension_key(article_id, *index);
                Outgoing::tombstone(self.outputs.changelog.clone(), key.into_bytes())
            })
            .collect();
        for tension in &tensions {
            metrics.tensions.with_label_values(&[tension.scope.as_str()]).inc();
        }
        (tensions, entries, tombstones)
    }
}

impl StatefulStage for ClaimsStage {
    fn ingest(
        &mut self,
        message: &Incoming,
        input: &InputRef,
        tracker: &mut OffsetTracker,
        metrics: &Metrics,
    ) -> Result<Vec<Emission>, InputError> {
        let started = Instant::now();
        let mut out: Vec<Emission> = self.take_republish().into_iter().collect();
        if self.applied.get(&message.tp).is_some_and(|&last| message.offset <= last) {
            metrics.claims_replay_skipped.inc();
            tracing::debug!(
                topic = %message.tp.topic,
                partition = message.tp.partition,
                offset = message.offset,
                "record already in the restored claim state, skipped"
            );
            return Ok(out);
        }
        let record = self.decode(message)?;
        self.applied.insert(message.tp.clone(), message.offset);
        // What the index takes (and serve puts embeddings on): claims of kind `sentence`.
        if record.kind != SentenceKind::Sentence || !record.claim.as_ref().is_some_and(|c| c.is_claim) {
            return Ok(out);
        }
        let (embedding, new_encoder) = self.embedding_of(&record, metrics);
        let Some(assignment) = self.index.assign(&record, embedding.as_deref()) else { return Ok(out) };
        let position = InputPosition {
            topic: message.tp.topic.clone(),
            partition: message.tp.partition,
            offset: message.offset,
        };
        let matched_by = assignment.record.matched_by.as_str();
        metrics.claims_assigned.with_label_values(&[matched_by]).inc();
        tracing::debug!(cluster = %assignment.cluster_id, matched_by, members = assignment.record.members, "claim assigned");
        // In changelog order (module doc): encoder, tension claims, the upsert, tombstones; then the outputs.
        let mut records = Vec::new();
        if let (true, Some(encoder)) = (new_encoder, &self.encoder) {
            let entry = ChangelogEntry::Encoder { input: position.clone(), encoder: encoder.clone() };
            records.push(self.changelog(changelog::ENCODER_KEY, &entry));
        }
        let (tensions, entries, forgotten) =
            self.observe_tensions(&record, &assignment.cluster_id, embedding.as_deref(), &position, metrics);
        records.extend(entries);
        let snapshot = self.index.snapshot(&assignment.cluster_id).expect("the cluster just assigned is live");
        let claim = self.claim_record(&assignment.record);
        records.push(self.changelog(
            &assignment.cluster_id,
            &ChangelogEntry::Upsert {
                input: position.clone(),
                cluster: Box::new(snapshot),
                record: Box::new(assignment.record),
            },
        ));
        let expired = self.index.take_expired();
        if !expired.is_empty() {
            metrics.claim_clusters_expired.inc_by(expired.len() as u64);
            tracing::info!(clusters = expired.len(), "claim clusters dropped by the window");
        }
        for id in expired {
            records.push(Outgoing::tombstone(self.outputs.changelog.clone(), id.into_bytes()));
        }
        records.extend(forgotten);
        records.push(claim);
        records.extend(tensions.iter().filter_map(|t| self.tension_record(t)));
        metrics.claim_clusters.set(self.index.len() as i64);
        metrics.stage_seconds.with_label_values(&[stage::CLUSTER]).observe(started.elapsed().as_secs_f64());
        out.push(Emission {
            records,
            covers: vec![tracker.hold(input)],
            stances: Vec::new(),
            input_timestamp_ms: message.timestamp_ms,
        });
        Ok(out)
    }

    /// Also sets `tenor_claim_state_bytes`, here rather than per record: the estimate walks every cluster.
    fn tick(&mut self, _now: Instant, _tracker: &OffsetTracker, metrics: &Metrics) -> Vec<Emission> {
        metrics.claim_state_bytes.set(self.index.state_bytes() as i64);
        self.take_republish().into_iter().collect()
    }
}
