//! The claims service's changelog (`tenor.claims.changelog`): what an entry is, and reading it back at
//! start-up ([`restore`], [`ClaimsStage::restore_entries`]).
//!
//! **Why a cluster's entry is its whole state, not what changed.** The topic is compacted: the broker keeps
//! only the latest entry of each key, and a restart reads only those. That is what keeps the changelog (and
//! the restart) proportional to the live state rather than to the history: for it to work, the latest entry
//! of a key must be enough on its own, so it has to be the whole state. A delta per update would need every
//! delta since the cluster opened (no compaction, or a compaction that merges deltas, which Kafka does not
//! do), and a restart would replay the history of every live cluster. The cost of writing whole states is
//! bounded by the cluster's caps (`ClusterConfig`: 32 outlet names, 1,024 outlet hashes, 16 speakers, 1,000
//! bytes of text, 128 fingerprint features, one 384-byte embedding), a few kilobytes at most, paid once per
//! claim sentence; the snapshot is a clone of that bounded state (`ClaimIndex::snapshot`), serialised once.
//! The tension tracker's memory is written a claim at a time, for the same reason: one key per kept claim,
//! whose latest entry is that claim as the tracker holds it (or its removal).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use serde::{Deserialize, Serialize};
use tenor_claims::cluster::ClusterSnapshot;
use tenor_claims::tension::{KeptClaim, TensionTracker, TrackerSnapshot};
use tenor_core::{ClaimRecord, TensionRecord};

use super::ClaimsStage;
use crate::config::KafkaConfig;
use crate::delivery::TopicPartition;
use crate::kafka::{consumer_config, producer_config, ServiceError};
use crate::metrics::Metrics;

/// Key prefix of the changelog's own markers (never a cluster id, which starts with `c-`).
pub(super) const MARKER_KEY: &[u8] = b"__tenor_restore_marker";

/// Key of the entry naming the encoder of the embeddings in the state.
pub(super) const ENCODER_KEY: &str = "__tenor_encoder";

/// Key prefix of the tension tracker's claims.
const TENSION_PREFIX: &str = "tension:";

/// The changelog key of the tracker's claim (`article_id`, `sentence_index`).
pub(super) fn tension_key(article_id: &str, sentence_index: usize) -> String {
    format!("{TENSION_PREFIX}{sentence_index}:{article_id}")
}

/// Where an input record was read: stored with each changelog entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputPosition {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

/// One changelog entry (the value; the key is the cluster id, `tension:<index>:<article_id>` or
/// `__tenor_encoder`). A cluster the window dropped and a claim the tracker dropped get a tombstone (a null
/// value), which carries no input position: the upsert written for the same input carries it (every input
/// that drops something also upserts a cluster, written before its tombstones or after the tracker's).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ChangelogEntry {
    /// The cluster's whole state after the input at `input`, and the claim record published with it.
    Upsert { input: InputPosition, cluster: Box<ClusterSnapshot>, record: Box<ClaimRecord> },
    /// The window dropped the cluster (while taking in the input at `input`). Written before tombstones
    /// were (a changelog of an earlier version); still read.
    Expire { input: InputPosition },
    /// A claim the tension tracker keeps, as it keeps it, and the tensions it made when it arrived (published
    /// again after a restore when `input` was not committed; empty in the entry of a claim rewritten later).
    TensionClaim {
        input: InputPosition,
        claim: Box<KeptClaim>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tensions: Vec<TensionRecord>,
    },
    /// The tracker dropped the claim (window or `max_claims`). Written before tombstones were; still read.
    TensionForget { input: InputPosition },
    /// The encoder whose embeddings the state holds (the first 16 hex digits of its weights' sha256).
    Encoder { input: InputPosition, encoder: String },
}

/// What [`restore`] read back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestoreStats {
    pub entries: u64,
    pub clusters: u64,
    pub unreadable: u64,
    /// Claim records to be published again (their delivery before the restart is not known).
    pub republished: u64,
    /// Claims of the tension tracker restored.
    pub tension_claims: u64,
    /// Tension records to be published again.
    pub tensions_republished: u64,
    /// Entries of an input whose upsert is not in the changelog (a process killed while writing them),
    /// ignored: the input is consumed again.
    pub incomplete: u64,
}

/// An entry written before its input's upsert, held until the upsert is read.
enum Pending {
    Key(String, Latest),
    Encoder(String),
}

/// The latest entry of a key, as far as a restore needs it.
enum Latest {
    Cluster(InputPosition, Box<ClusterSnapshot>, Box<ClaimRecord>),
    Claim(InputPosition, Box<KeptClaim>, Vec<TensionRecord>),
    Gone,
}

impl ClaimsStage {
    /// Rebuilds the index, the tension tracker and the state's encoder from changelog entries, in the order
    /// read (per key, the last entry wins; an empty payload is a tombstone). Unreadable entries are counted
    /// and skipped (the changelog is Tenor's own; one bad entry loses one cluster or claim, never the
    /// service). `committed` is the input's committed offset per partition: a cluster or tracker claim whose
    /// latest entry is at or after it has its claim record (its tensions) published again.
    ///
    /// An input's entries count only once its cluster's upsert is there: the entries an input writes before
    /// its upsert (encoder, tracker claims) and no upsert after them are what a process killed mid-write
    /// leaves at the end of the log (before the next start's marker, once it restarted), and are ignored
    /// (`RestoreStats::incomplete`): the input is not applied, so it is consumed again and writes them again.
    /// Were they kept, the input would count as applied, be skipped, and its member be missing from its
    /// cluster.
    pub fn restore_entries<'a>(
        &mut self,
        entries: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
        committed: &BTreeMap<TopicPartition, i64>,
    ) -> RestoreStats {
        let mut latest: BTreeMap<String, Latest> = BTreeMap::new();
        let mut pending: Vec<Pending> = Vec::new();
        let mut stats = RestoreStats::default();
        for (key, payload) in entries {
            if key.starts_with(MARKER_KEY) {
                // Every start writes one: entries still held here were left by a process killed mid-write.
                stats.incomplete += pending.len() as u64;
                pending.clear();
                continue;
            }
            stats.entries += 1;
            let Ok(key) = std::str::from_utf8(key) else {
                stats.unreadable += 1;
                continue;
            };
            if payload.is_empty() {
                // A tombstone (written after its input's upsert): the cluster or tracked claim is gone.
                latest.insert(key.to_owned(), Latest::Gone);
                continue;
            }
            let entry = match serde_json::from_slice::<ChangelogEntry>(payload) {
                Ok(entry) => entry,
                Err(error) => {
                    tracing::warn!(key, %error, "unreadable claims changelog entry skipped");
                    stats.unreadable += 1;
                    continue;
                }
            };
            match entry {
                ChangelogEntry::Upsert { input, cluster, record } => {
                    self.note_applied(&input);
                    for held in pending.drain(..) {
                        match held {
                            Pending::Key(key, value) => {
                                latest.insert(key, value);
                            }
                            Pending::Encoder(encoder) => self.encoder = Some(encoder),
                        }
                    }
                    latest.insert(key.to_owned(), Latest::Cluster(input, cluster, record));
                }
                // Written after its input's upsert (by versions before tombstones).
                ChangelogEntry::Expire { input } => {
                    self.note_applied(&input);
                    latest.insert(key.to_owned(), Latest::Gone);
                }
                ChangelogEntry::TensionClaim { input, claim, tensions } => {
                    pending.push(Pending::Key(key.to_owned(), Latest::Claim(input, claim, tensions)));
                }
                // Written before its input's upsert (by versions before tombstones).
                ChangelogEntry::TensionForget { .. } => pending.push(Pending::Key(key.to_owned(), Latest::Gone)),
                ChangelogEntry::Encoder { encoder, .. } => pending.push(Pending::Encoder(encoder)),
            }
        }
        stats.incomplete += pending.len() as u64;
        let uncommitted = |input: &InputPosition| {
            let tp = TopicPartition::new(&input.topic, input.partition);
            committed.get(&tp).is_none_or(|&next| input.offset >= next)
        };
        let mut clusters = Vec::new();
        let mut claims = Vec::new();
        let mut tensions = Vec::new();
        for value in latest.into_values() {
            match value {
                Latest::Cluster(input, snapshot, record) => {
                    if uncommitted(&input) {
                        self.republish.push(self.claim_record(&record));
                        stats.republished += 1;
                    }
                    clusters.push(*snapshot);
                    stats.clusters += 1;
                }
                Latest::Claim(input, claim, found) => {
                    if uncommitted(&input) {
                        tensions.extend(found);
                    }
                    claims.push(*claim);
                }
                Latest::Gone => {}
            }
        }
        // In one call: the index files them in the order the index before the restart did.
        self.index.restore(clusters);
        if let Some(tracker) = &mut self.tracker {
            let config = self.outputs.tensions.as_ref().map(|(_, c)| c.clone()).unwrap_or_default();
            *tracker = TensionTracker::restore(config, TrackerSnapshot::from_claims(claims));
            tracker.record_changes();
            stats.tension_claims = tracker.len() as u64;
            for tension in &tensions {
                if let Some(record) = self.tension_record(tension) {
                    self.republish.push(record);
                    stats.tensions_republished += 1;
                }
            }
        }
        // Clusters restored past the window are dropped now; their tombstones go out with the next update.
        self.index.expire(chrono::DateTime::<chrono::Utc>::MIN_UTC);
        stats
    }

    fn note_applied(&mut self, input: &InputPosition) {
        let tp = TopicPartition::new(&input.topic, input.partition);
        let last = self.applied.entry(tp).or_insert(input.offset);
        *last = (*last).max(input.offset);
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
    metrics.tension_claims_restored.inc_by(stats.tension_claims);
    metrics.claim_clusters.set(stage.index.len() as i64);
    metrics.claim_state_bytes.set(stage.index.state_bytes() as i64);
    tracing::info!(
        topic,
        entries = stats.entries,
        clusters = stats.clusters,
        unreadable = stats.unreadable,
        republished = stats.republished,
        tension_claims = stats.tension_claims,
        tensions_republished = stats.tensions_republished,
        incomplete = stats.incomplete,
        encoder = stage.encoder.as_deref().unwrap_or("none"),
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
