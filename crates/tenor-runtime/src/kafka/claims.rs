//! The claims service: sentence records in (`tenor.sentences`), claim clusters out (`tenor.claims`: one
//! `tenor.claim/1` record per update, keyed by cluster id, so the latest record of a key is the cluster's
//! state). The clustering itself is `tenor_claims::cluster` (pure); this module keeps its index alive across
//! restarts and replays.
//!
//! - **Changelog.** Every update also writes the cluster's whole state ([`ClusterSnapshot`]) to
//!   `tenor.claims.changelog`, keyed by cluster id, with the input position that produced it; a cluster the
//!   window drops gets an `expire` entry. The topic is meant to be compacted (the latest entry of a key is all
//!   a restart needs). At start-up, before consuming, [`restore`] reads the changelog back to its end and
//!   rebuilds the index: ids, counts and canonical members are those of the run before, so a restart (kill
//!   -9 included) changes no id.
//! - **One partition.** The changelog has exactly one partition (created so; the service refuses to start
//!   otherwise): the idempotent producer keeps its entries in order without gaps, so an acknowledged entry
//!   means every earlier one is there too, which is what "last offset applied" below relies on.
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
//!   [`TensionTracker`] (its cluster id known), and the tensions it finds with claims of earlier articles (same
//!   cluster, or same story window) go to `tenor.tensions` (scope `cluster` or `story`). The tracker's memory
//!   is not in the changelog: after a restart it starts empty, so a tension between a claim from before the
//!   restart and one after it is missed (the tensions within an article are `serve`'s, unaffected).
//! - **One consumer.** Clusters are global: the service must see every partition of its input. Run one
//!   replica (a second one in the same group would split the partitions and the clusters); docs/KAFKA.md
//!   says how it scales past that.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use serde::{Deserialize, Serialize};
use tenor_claims::cluster::{ClaimIndex, ClusterConfig, ClusterSnapshot};
use tenor_claims::tension::{TensionConfig, TensionTracker};
use tenor_core::{ClaimRecord, InputError, SentenceRecord};

use super::engine::{Emission, Incoming, Outgoing, StatefulStage};
use super::{consumer_config, producer_config, ServiceError};
use crate::config::KafkaConfig;
use crate::delivery::{InputRef, OffsetTracker, TopicPartition};
use crate::metrics::{stage, Metrics};

/// Key prefix of the changelog's own markers (never a cluster id, which starts with `c-`).
const MARKER_KEY: &[u8] = b"__tenor_restore_marker";

/// Where an input record was read: stored with each changelog entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputPosition {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

/// One changelog entry (the value; the key is the cluster id).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ChangelogEntry {
    /// The cluster's whole state after the input at `input`, and the claim record published with it.
    Upsert { input: InputPosition, cluster: Box<ClusterSnapshot>, record: Box<ClaimRecord> },
    /// The window dropped the cluster (while taking in the input at `input`).
    Expire { input: InputPosition },
}

/// Output topics of the claims stage.
#[derive(Debug, Clone)]
pub struct ClaimsOutputs {
    pub claims: Arc<str>,
    pub changelog: Arc<str>,
    /// Where tensions across articles go, and how they are found; `None`: not looked for.
    pub tensions: Option<(Arc<str>, TensionConfig)>,
}

/// The claims service's stage: the claim index, and the last input offset applied per partition.
#[derive(Debug)]
pub struct ClaimsStage {
    index: ClaimIndex,
    tracker: Option<TensionTracker>,
    outputs: ClaimsOutputs,
    max_record_bytes: usize,
    applied: BTreeMap<TopicPartition, i64>,
    /// Claim records to publish again after a restore (see the module doc).
    republish: Vec<ClaimRecord>,
}

/// What [`restore`] read back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestoreStats {
    pub entries: u64,
    pub clusters: u64,
    pub unreadable: u64,
    /// Claim records to be published again (their delivery before the restart is not known).
    pub republished: u64,
}

impl ClaimsStage {
    /// # Panics
    /// When `config` does not validate (check it where the configuration is loaded).
    pub fn new(config: ClusterConfig, outputs: ClaimsOutputs, max_record_bytes: usize) -> ClaimsStage {
        let mut index = ClaimIndex::new(config);
        index.report_expired();
        let tracker = outputs.tensions.as_ref().map(|(_, config)| TensionTracker::new(config.clone()));
        ClaimsStage { index, tracker, outputs, max_record_bytes, applied: BTreeMap::new(), republish: Vec::new() }
    }

    pub fn index(&self) -> &ClaimIndex {
        &self.index
    }

    /// Rebuilds the index from changelog entries, in the order read (per key, the last entry wins).
    /// Unreadable entries are counted and skipped (the changelog is Tenor's own; one bad entry loses one
    /// cluster, never the service). `committed` is the input's committed offset per partition: a cluster
    /// whose latest entry is at or after it has its claim record published again.
    pub fn restore_entries<'a>(
        &mut self,
        entries: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
        committed: &BTreeMap<TopicPartition, i64>,
    ) -> RestoreStats {
        let mut latest: BTreeMap<String, Option<(InputPosition, ClusterSnapshot, Box<ClaimRecord>)>> =
            BTreeMap::new();
        let mut stats = RestoreStats::default();
        for (key, payload) in entries {
            if key.starts_with(MARKER_KEY) {
                continue;
            }
            stats.entries += 1;
            let Ok(key) = std::str::from_utf8(key) else {
                stats.unreadable += 1;
                continue;
            };
            match serde_json::from_slice::<ChangelogEntry>(payload) {
                Ok(ChangelogEntry::Upsert { input, cluster, record }) => {
                    self.note_applied(&input);
                    latest.insert(key.to_owned(), Some((input, *cluster, record)));
                }
                Ok(ChangelogEntry::Expire { input }) => {
                    self.note_applied(&input);
                    latest.insert(key.to_owned(), None);
                }
                Err(error) => {
                    tracing::warn!(key, %error, "unreadable claims changelog entry skipped");
                    stats.unreadable += 1;
                }
            }
        }
        for (input, snapshot, record) in latest.into_values().flatten() {
            let tp = TopicPartition::new(&input.topic, input.partition);
            if committed.get(&tp).is_none_or(|&next| input.offset >= next) {
                self.republish.push(*record);
            }
            self.index.restore(snapshot);
            stats.clusters += 1;
        }
        stats.republished = self.republish.len() as u64;
        // Clusters restored past the window are dropped now; their `expire` entries go out with the next update.
        self.index.expire(chrono::DateTime::<chrono::Utc>::MIN_UTC);
        stats
    }

    fn note_applied(&mut self, input: &InputPosition) {
        let tp = TopicPartition::new(&input.topic, input.partition);
        let last = self.applied.entry(tp).or_insert(input.offset);
        *last = (*last).max(input.offset);
    }

    fn decode(&self, message: &Incoming) -> Result<SentenceRecord, InputError> {
        let text = super::record_text(&message.payload, "sentence record", self.max_record_bytes)?;
        serde_json::from_str(text).map_err(|e| InputError::InvalidJson(format!("not a sentence record: {e}")))
    }

    fn claim_record(&self, record: &ClaimRecord) -> Outgoing {
        Outgoing {
            topic: self.outputs.claims.clone(),
            key: Some(record.cluster_id.as_bytes().to_vec()),
            payload: serde_json::to_vec(record).expect("claim records always serialise"),
            dead_letter_reason: None,
        }
    }

    /// The claim records a restore left to publish again, as one emission that completes no input.
    fn take_republish(&mut self) -> Option<Emission> {
        if self.republish.is_empty() {
            return None;
        }
        let records: Vec<Outgoing> = self.republish.iter().map(|r| self.claim_record(r)).collect();
        self.republish.clear();
        tracing::info!(records = records.len(), "claim records published again after the restore");
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
        let Some(assignment) = self.index.assign(&record, None) else { return Ok(out) };
        let position = InputPosition {
            topic: message.tp.topic.clone(),
            partition: message.tp.partition,
            offset: message.offset,
        };
        let matched_by = assignment.record.matched_by.as_str();
        metrics.claims_assigned.with_label_values(&[matched_by]).inc();
        tracing::debug!(cluster = %assignment.cluster_id, matched_by, members = assignment.record.members, "claim assigned");
        let snapshot = self.index.snapshot(&assignment.cluster_id).expect("the cluster just assigned is live");
        let mut records = vec![
            self.claim_record(&assignment.record),
            self.changelog(
                &assignment.cluster_id,
                &ChangelogEntry::Upsert {
                    input: position.clone(),
                    cluster: Box::new(snapshot),
                    record: Box::new(assignment.record),
                },
            ),
        ];
        let expired = self.index.take_expired();
        if !expired.is_empty() {
            metrics.claim_clusters_expired.inc_by(expired.len() as u64);
            tracing::info!(clusters = expired.len(), "claim clusters dropped by the window");
        }
        for id in expired {
            records.push(self.changelog(&id, &ChangelogEntry::Expire { input: position.clone() }));
        }
        if let (Some(tracker), Some((topic, _))) = (&mut self.tracker, &self.outputs.tensions) {
            for tension in tracker.observe(&record, Some(&assignment.cluster_id), None) {
                metrics.tensions.with_label_values(&[tension.scope.as_str()]).inc();
                records.push(Outgoing {
                    topic: topic.clone(),
                    key: Some(tension.tension_id.as_bytes().to_vec()),
                    payload: serde_json::to_vec(&tension).expect("tension records always serialise"),
                    dead_letter_reason: None,
                });
            }
        }
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

/// Reads the changelog back into `stage` (see the module doc): writes a marker to every partition, then reads
/// each from the beginning up to its marker. Fails (the service does not start) when the broker cannot be
/// reached or the markers are not read back within `timeout`.
pub async fn restore(
    kafka: &KafkaConfig,
    topic: &str,
    input_topic: &str,
    stage: &mut ClaimsStage,
    metrics: &Metrics,
    timeout: Duration,
) -> Result<RestoreStats, ServiceError> {
    let started = Instant::now();
    let mut config = consumer_config(kafka);
    config.set("enable.auto.commit", "false").set("enable.partition.eof", "false");
    let consumer: StreamConsumer =
        config.create().map_err(ServiceError::kafka("creating the changelog consumer"))?;
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(30))
        .map_err(ServiceError::kafka("reading the changelog's metadata"))?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .filter(|t| t.name() == topic)
        .flat_map(|t| t.partitions())
        .map(|p| p.id())
        .collect();
    let producer: FutureProducer =
        producer_config(kafka).create().map_err(ServiceError::kafka("creating the changelog producer"))?;
    let token = format!("{}-{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default());
    let mut ends: BTreeMap<i32, i64> = BTreeMap::new();
    for &partition in &partitions {
        let record = FutureRecord::to(topic).partition(partition).key(MARKER_KEY).payload(token.as_bytes());
        let delivery = producer
            .send(record, timeout)
            .await
            .map_err(|(source, _)| ServiceError::Kafka { during: "writing the changelog marker", source })?;
        ends.insert(partition, delivery.offset);
    }
    let mut assignment = TopicPartitionList::new();
    for &partition in &partitions {
        assignment
            .add_partition_offset(topic, partition, Offset::Beginning)
            .map_err(ServiceError::kafka("assigning the changelog"))?;
    }
    consumer.assign(&assignment).map_err(ServiceError::kafka("assigning the changelog"))?;
    let mut entries: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let mut open: BTreeMap<i32, i64> = ends.clone();
    while !open.is_empty() {
        let left = timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(ServiceError::Restore(format!(
                "the claims changelog {topic} was not read back within {} ms ({} entries read, partitions {:?} \
                 not finished)",
                timeout.as_millis(),
                entries.len(),
                open.keys().collect::<Vec<_>>()
            )));
        }
        let message = match tokio::time::timeout(left, consumer.recv()).await {
            Ok(Ok(message)) => message,
            Ok(Err(error)) => {
                tracing::warn!(%error, "consumer error while reading the claims changelog, going on");
                continue;
            }
            Err(_) => continue,
        };
        let (partition, offset) = (message.partition(), message.offset());
        let Some(&end) = open.get(&partition) else { continue };
        if offset < end {
            entries.push((
                message.key().unwrap_or_default().to_vec(),
                message.payload().unwrap_or_default().to_vec(),
            ));
        }
        if offset >= end {
            open.remove(&partition);
        }
    }
    let committed = committed_offsets(&consumer, input_topic, timeout.saturating_sub(started.elapsed()))?;
    let stats = stage.restore_entries(entries.iter().map(|(k, v)| (k.as_slice(), v.as_slice())), &committed);
    metrics.claim_clusters_restored.inc_by(stats.clusters);
    metrics.claim_clusters.set(stage.index.len() as i64);
    metrics.claim_state_bytes.set(stage.index.state_bytes() as i64);
    tracing::info!(
        topic,
        entries = stats.entries,
        clusters = stats.clusters,
        unreadable = stats.unreadable,
        republished = stats.republished,
        ms = started.elapsed().as_millis() as u64,
        "claim index restored from the changelog"
    );
    Ok(stats)
}

/// The service group's committed offset (the next offset to read) of every partition of `topic` that has one.
fn committed_offsets(
    consumer: &StreamConsumer,
    topic: &str,
    timeout: Duration,
) -> Result<BTreeMap<TopicPartition, i64>, ServiceError> {
    let metadata = consumer
        .fetch_metadata(Some(topic), timeout)
        .map_err(ServiceError::kafka("reading the input's metadata"))?;
    let mut list = TopicPartitionList::new();
    for partition in metadata.topics().iter().filter(|t| t.name() == topic).flat_map(|t| t.partitions()) {
        list.add_partition(topic, partition.id());
    }
    let committed =
        consumer.committed_offsets(list, timeout).map_err(ServiceError::kafka("reading the committed offsets"))?;
    Ok(committed
        .elements()
        .iter()
        .filter_map(|e| match e.offset() {
            Offset::Offset(next) => Some((TopicPartition::new(e.topic(), e.partition()), next)),
            _ => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration as Hours, Utc};
    use tenor_core::{Claim, ClaimKind, Origin, SentenceKind, Span};

    use super::*;

    fn sentence(k: usize, text: &str) -> Vec<u8> {
        let time = DateTime::parse_from_rfc3339("2024-05-01T00:00:00Z").unwrap().with_timezone(&Utc)
            + Hours::minutes(k as i64);
        let mut r = SentenceRecord::unanalysed(
            format!("a{k}"),
            0,
            text.into(),
            Span::new(0, text.chars().count()),
            SentenceKind::Sentence,
            Origin::File { file: "t".into(), line: 1 },
            time,
        );
        r.article_source = Some(format!("outlet-{}", k % 2));
        r.claim = Some(Claim { is_claim: true, score: 0.9, kind: ClaimKind::Attributed });
        serde_json::to_vec(&r).unwrap()
    }

    fn stage() -> ClaimsStage {
        let outputs =
            ClaimsOutputs { claims: "tenor.claims".into(), changelog: "changelog".into(), tensions: None };
        ClaimsStage::new(ClusterConfig::default(), outputs, 1 << 20)
    }

    /// Feeds records as the engine does; returns every emission.
    fn feed(stage: &mut ClaimsStage, tracker: &mut OffsetTracker, records: &[(i64, Vec<u8>)]) -> Vec<Emission> {
        let tp = TopicPartition::new("tenor.sentences", 0);
        let metrics = Metrics::new("test");
        let mut out = Vec::new();
        for (offset, payload) in records {
            let input = tracker.begin(&tp, *offset);
            let message = Incoming {
                tp: tp.clone(),
                offset: *offset,
                key: None,
                payload: payload.clone(),
                timestamp_ms: None,
            };
            out.extend(stage.ingest(&message, &input, tracker, &metrics).unwrap());
            tracker.complete(&input);
        }
        out
    }

    fn of_topic<'a>(emissions: &'a [Emission], topic: &str) -> Vec<&'a Outgoing> {
        emissions.iter().flat_map(|e| &e.records).filter(|r| &*r.topic == topic).collect()
    }

    fn stream() -> Vec<(i64, Vec<u8>)> {
        let texts = ["Fuel taxes will rise next spring", "The bridge will reopen this month"];
        (0..12).map(|k| (k as i64, sentence(k, &format!("\"{}\", officials said.", texts[k % 2])))).collect()
    }

    #[test]
    fn a_stage_restored_from_its_changelog_skips_what_it_applied_and_republishes_what_may_be_lost() {
        let stream = stream();
        let mut tracker = OffsetTracker::new();
        tracker.assign(TopicPartition::new("tenor.sentences", 0));
        let mut first = stage();
        let emitted = feed(&mut first, &mut tracker, &stream[..8]);
        assert_eq!(of_topic(&emitted, "tenor.claims").len(), 8);
        // Every emission holds its input until acknowledged.
        assert!(emitted.iter().all(|e| e.covers.len() == 1));
        let changelog: Vec<(Vec<u8>, Vec<u8>)> = of_topic(&emitted, "changelog")
            .into_iter()
            .map(|r| (r.key.clone().unwrap(), r.payload.clone()))
            .collect();

        // Restarted with offsets committed up to 6 (the next to read): records 6 and 7 come again.
        let committed = BTreeMap::from([(TopicPartition::new("tenor.sentences", 0), 6)]);
        let mut second = stage();
        let stats =
            second.restore_entries(changelog.iter().map(|(k, v)| (k.as_slice(), v.as_slice())), &committed);
        assert_eq!(stats, RestoreStats { entries: 8, clusters: 2, unreadable: 0, republished: 2 });
        let mut tracker = OffsetTracker::new();
        tracker.assign(TopicPartition::new("tenor.sentences", 0));
        let replayed = feed(&mut second, &mut tracker, &stream[6..]);
        let claims = of_topic(&replayed, "tenor.claims");
        // Two republished records (both clusters' latest entries are at offsets 6 and 7), then offsets 8..12.
        assert_eq!(claims.len(), 2 + 4);
        let decode = |r: &Outgoing| serde_json::from_slice::<ClaimRecord>(&r.payload).unwrap();
        assert!(replayed[0].covers.is_empty(), "republished records complete no input");
        // And the end state is the uninterrupted run's.
        let mut tracker = OffsetTracker::new();
        tracker.assign(TopicPartition::new("tenor.sentences", 0));
        let mut uninterrupted = stage();
        let all = feed(&mut uninterrupted, &mut tracker, &stream);
        let last = |records: Vec<&Outgoing>| {
            let mut by_id = BTreeMap::new();
            for r in records {
                let c = decode(r);
                by_id.insert(c.cluster_id.clone(), c);
            }
            by_id
        };
        let mut resumed = last(of_topic(&emitted, "tenor.claims"));
        resumed.extend(last(claims));
        assert_eq!(resumed, last(of_topic(&all, "tenor.claims")));
        assert!(resumed.values().all(|c| c.members == 6));
    }

    #[test]
    fn opposite_claims_of_two_outlets_in_one_cluster_are_a_tension() {
        use tenor_core::{Attribution, Speaker, Stance, StanceLabel, StanceProbs, TextSpan};
        let claim = |k: usize, text: &str, outlet: &str, speaker: &str, positive: f64| {
            let mut r: SentenceRecord = serde_json::from_slice(&sentence(k, text)).unwrap();
            r.article_source = Some(outlet.into());
            r.attribution = Some(Attribution {
                speaker: Speaker { text: speaker.into(), span: Span::new(0, 1), resolved: None },
                cue: TextSpan { text: "said".into(), span: Span::new(0, 1) },
                content: None,
                quote: None,
            });
            let negative = 0.95 - positive;
            let label = if positive > negative { StanceLabel::Positive } else { StanceLabel::Negative };
            r.stance = Some(Stance {
                label,
                confidence: positive.max(negative),
                probs: StanceProbs { negative, neutral: 0.05, positive },
                evidence: Vec::new(),
            });
            serde_json::to_vec(&r).unwrap()
        };
        let records = vec![
            (
                0,
                claim(
                    0,
                    "The talks in Miami were productive and constructive, envoys said.",
                    "Wire",
                    "envoys",
                    0.9,
                ),
            ),
            (
                1,
                claim(
                    1,
                    "The talks in Miami were not productive and constructive, officials said.",
                    "Post",
                    "officials",
                    0.05,
                ),
            ),
        ];
        let outputs = ClaimsOutputs {
            claims: "tenor.claims".into(),
            changelog: "changelog".into(),
            tensions: Some(("tensions".into(), TensionConfig::default())),
        };
        let mut stage = ClaimsStage::new(ClusterConfig::default(), outputs, 1 << 20);
        let mut tracker = OffsetTracker::new();
        tracker.assign(TopicPartition::new("tenor.sentences", 0));
        let out = feed(&mut stage, &mut tracker, &records);
        let claims: Vec<ClaimRecord> =
            of_topic(&out, "tenor.claims").iter().map(|r| serde_json::from_slice(&r.payload).unwrap()).collect();
        assert_eq!(claims[1].cluster_id, claims[0].cluster_id, "one claim cluster: {claims:?}");
        let tensions = of_topic(&out, "tensions");
        assert_eq!(tensions.len(), 1);
        let tension: tenor_core::TensionRecord = serde_json::from_slice(&tensions[0].payload).unwrap();
        assert_eq!(tension.scope, tenor_core::TensionScope::Cluster);
        assert_eq!(tensions[0].key.as_deref(), Some(tension.tension_id.as_bytes()));
        let speakers: Vec<_> = tension.sides.iter().map(|s| s.speaker.clone().unwrap_or_default()).collect();
        assert_eq!(speakers.len(), 2);
        assert_ne!(speakers[0], speakers[1]);
    }

    #[test]
    fn unreadable_changelog_entries_and_markers_are_skipped() {
        let mut stage = stage();
        let entries: [(&[u8], &[u8]); 3] = [
            (b"__tenor_restore_marker", b"token"),
            (b"c-0000000000000001", b"{not json"),
            (b"c-0000000000000002", br#"{"op":"expire","input":{"topic":"t","partition":0,"offset":3}}"#),
        ];
        let stats = stage.restore_entries(entries, &BTreeMap::new());
        assert_eq!(stats, RestoreStats { entries: 2, clusters: 0, unreadable: 1, republished: 0 });
        // The expire entry's input position counts as applied.
        let mut tracker = OffsetTracker::new();
        let tp = TopicPartition::new("t", 0);
        tracker.assign(tp.clone());
        let input = tracker.begin(&tp, 3);
        let message = Incoming { tp, offset: 3, key: None, payload: b"{not json".to_vec(), timestamp_ms: None };
        let out = stage.ingest(&message, &input, &mut tracker, &Metrics::new("test")).unwrap();
        assert!(out.is_empty(), "offset 3 was applied before: skipped, not decoded");
    }
}
