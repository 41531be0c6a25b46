//! One cluster's state, bounded by the configuration whatever arrives, and the `tenor.claim/1` record made
//! from it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenor_core::{
    ClaimMember, ClaimRecord, MatchKind, SentenceRecord, SpeakerSummary, StanceCounts, StanceLabel, CLAIM_SCHEMA,
};

use super::normalize::{fnv1a, truncate, FNV_OFFSET};
use super::ClusterConfig;

/// A member as a cluster keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Member {
    article_id: Box<str>,
    sentence_index: usize,
    text: Box<str>,
    outlet: Option<Box<str>>,
    pub(crate) time: DateTime<Utc>,
}

impl Member {
    pub(crate) fn of(sentence: &SentenceRecord, time: DateTime<Utc>, max_text_bytes: usize) -> Member {
        Member {
            article_id: sentence.article_id.as_str().into(),
            sentence_index: sentence.sentence_index,
            text: truncate(&sentence.text, max_text_bytes).into(),
            outlet: sentence.article_source.as_deref().map(Into::into),
            time,
        }
    }

    pub(crate) fn record(&self) -> ClaimMember {
        ClaimMember {
            article_id: self.article_id.to_string(),
            sentence_index: self.sentence_index,
            text: self.text.to_string(),
            outlet: self.outlet.as_deref().map(str::to_owned),
            time: self.time,
        }
    }

    fn heap_bytes(&self) -> usize {
        self.article_id.len() + self.text.len() + self.outlet.as_ref().map_or(0, |o| o.len())
    }
}

/// An embedding stored as `i8` with one scale: `value ≈ q * scale`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Quantized {
    values: Box<[i8]>,
    scale: f32,
}

impl Quantized {
    /// `unit` is unit length (checked by the caller).
    pub(crate) fn new(unit: &[f32]) -> Quantized {
        let max = unit.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-12);
        let scale = max / 127.0;
        let values = unit.iter().map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8).collect();
        Quantized { values, scale }
    }

    /// The stored vector as floats (what LSH keys are computed from, so that a restored cluster lands in the
    /// buckets it had).
    pub(crate) fn dequantized(&self) -> Vec<f32> {
        self.values.iter().map(|&q| f32::from(q) * self.scale).collect()
    }

    pub(crate) fn from_parts(values: &[i8], scale: f32) -> Quantized {
        Quantized { values: values.into(), scale }
    }

    pub(crate) fn values(&self) -> &[i8] {
        &self.values
    }

    pub(crate) fn scale(&self) -> f32 {
        self.scale
    }
}

/// The cosine of the stored vector `values * scale` with a unit-length vector (the stored one was unit length
/// before quantisation), in eight independent lanes.
pub(crate) fn cosine_i8(values: &[i8], scale: f32, unit: &[f32]) -> f64 {
    let mut lanes = [0.0f32; 8];
    let (cq, cu) = (values.chunks_exact(8), unit.chunks_exact(8));
    let tail: f32 = cq.remainder().iter().zip(cu.remainder()).map(|(&q, &u)| f32::from(q) * u).sum();
    for (q, u) in cq.zip(cu) {
        for i in 0..8 {
            lanes[i] += f32::from(q[i]) * u[i];
        }
    }
    f64::from((lanes.iter().sum::<f32>() + tail) * scale)
}

/// One claim cluster.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Cluster {
    pub(crate) id: u64,
    /// Creation order: ties between equally good candidates go to the older cluster. Also when its lexical
    /// bands were filed in the LSH buckets (one clock with `embedding_filed`).
    pub(crate) seq: u64,
    /// When its embedding bands were filed (on the clock of `seq`): with its first member that had an
    /// embedding, which may come after clusters opened later. A restore files them in this order
    /// (`snapshot.rs`); absent in snapshots written before it was kept (then `seq`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) embedding_filed: Option<u64>,
    pub(crate) canonical: Member,
    /// The member with the earliest event time, when it is not `canonical`.
    earliest: Option<Box<Member>>,
    /// Newest event time of a member, in seconds: the cluster expires a window after it.
    pub(crate) last_seen: i64,
    pub(crate) exact: u64,
    pub(crate) features: Box<[u32]>,
    /// The canonical embedding, in a snapshot only: a live cluster's is in the index's arena
    /// ([`super::embeddings::Embeddings`], by slot).
    pub(crate) embedding: Option<Quantized>,
    members: u64,
    outlets: Vec<Box<str>>,
    /// FNV hashes of the distinct outlets counted, sorted.
    outlet_hashes: Vec<u64>,
    speakers: Vec<(Box<str>, u64)>,
    stance: [u64; 3],
    confidence_sum: f64,
    capped: bool,
}

impl Cluster {
    pub(crate) fn new(
        sentence: &SentenceRecord,
        member: Member,
        exact: u64,
        normalized: &str,
        features: Vec<u32>,
        seq: u64,
    ) -> Cluster {
        let mut h = fnv1a(FNV_OFFSET, sentence.article_id.as_bytes());
        h = fnv1a(h, &[0xff]);
        h = fnv1a(h, &(sentence.sentence_index as u64).to_le_bytes());
        h = fnv1a(h, &[0xff]);
        h = fnv1a(h, normalized.as_bytes());
        Cluster {
            id: h,
            seq,
            embedding_filed: None,
            last_seen: member.time.timestamp(),
            canonical: member,
            earliest: None,
            exact,
            features: features.into_boxed_slice(),
            embedding: None,
            members: 0,
            outlets: Vec::new(),
            outlet_hashes: Vec::new(),
            speakers: Vec::new(),
            stance: [0; 3],
            confidence_sum: 0.0,
            capped: false,
        }
    }

    pub(crate) fn id_string(&self) -> String {
        format!("c-{:016x}", self.id)
    }

    /// Counts a member in (its outlet, speaker and stance while the cluster is not capped).
    pub(crate) fn add(&mut self, sentence: &SentenceRecord, member: &Member, config: &ClusterConfig) {
        self.members += 1;
        self.last_seen = self.last_seen.max(member.time.timestamp());
        if member.time < self.first_seen().time {
            self.earliest = Some(Box::new(member.clone()));
        }
        if self.capped {
            return;
        }
        if let Some(outlet) = sentence.article_source.as_deref() {
            let h = fnv1a(FNV_OFFSET, outlet.as_bytes());
            if let Err(at) = self.outlet_hashes.binary_search(&h) {
                if self.outlet_hashes.len() < config.max_outlets_counted {
                    // Most clusters have one or two members: grow the lists one at a time at first.
                    if self.outlet_hashes.len() < 4 {
                        self.outlet_hashes.reserve_exact(1);
                    }
                    self.outlet_hashes.insert(at, h);
                    if self.outlets.len() < config.max_outlets {
                        if self.outlets.len() < 4 {
                            self.outlets.reserve_exact(1);
                        }
                        self.outlets.push(truncate(outlet, 256).into());
                    }
                }
            }
        }
        if let Some(a) = &sentence.attribution {
            let name = a.speaker.resolved.as_deref().unwrap_or(&a.speaker.text);
            let name = truncate(name, 256);
            if let Some(s) = self.speakers.iter_mut().find(|(n, _)| &**n == name) {
                s.1 += 1;
            } else if self.speakers.len() < config.max_speakers {
                if self.speakers.len() < 4 {
                    self.speakers.reserve_exact(1);
                }
                self.speakers.push((name.into(), 1));
            }
        }
        if let Some(stance) = &sentence.stance {
            let i = match stance.label {
                StanceLabel::Negative => 0,
                StanceLabel::Neutral => 1,
                StanceLabel::Positive => 2,
            };
            self.stance[i] += 1;
            if stance.confidence.is_finite() {
                self.confidence_sum += stance.confidence.clamp(0.0, 1.0);
            }
        }
        if self.members >= config.max_members {
            self.capped = true;
        }
    }

    fn first_seen(&self) -> &Member {
        self.earliest.as_deref().unwrap_or(&self.canonical)
    }

    pub(crate) fn record(&self, latest: &Member, matched_by: MatchKind, run_id: Option<&str>) -> ClaimRecord {
        let mut speakers: Vec<SpeakerSummary> = self
            .speakers
            .iter()
            .map(|(name, n)| SpeakerSummary { name: name.to_string(), claims: *n as usize })
            .collect();
        speakers.sort_by(|a, b| b.claims.cmp(&a.claims).then_with(|| a.name.cmp(&b.name)));
        let stanced: u64 = self.stance.iter().sum();
        ClaimRecord {
            schema: CLAIM_SCHEMA.to_owned(),
            cluster_id: self.id_string(),
            canonical: self.canonical.record(),
            first_seen: self.first_seen().record(),
            latest: latest.record(),
            members: self.members,
            outlets: self.outlets.iter().map(|o| o.to_string()).collect(),
            outlet_count: self.outlet_hashes.len() as u64,
            speakers,
            stance: StanceCounts {
                negative: self.stance[0] as usize,
                neutral: self.stance[1] as usize,
                positive: self.stance[2] as usize,
                mean_confidence: if stanced == 0 { 0.0 } else { self.confidence_sum / stanced as f64 },
            },
            capped: self.capped,
            matched_by,
            run_id: run_id.map(str::to_owned),
        }
    }

    /// Bytes this cluster holds on the heap (an estimate: allocator overhead left out); its own size is counted
    /// by the slab that holds it.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.canonical.heap_bytes()
            + self.earliest.as_ref().map_or(0, |m| std::mem::size_of::<Member>() + m.heap_bytes())
            + self.features.len() * 4
            + self.embedding.as_ref().map_or(0, |e| e.values.len())
            + self.outlets.capacity() * std::mem::size_of::<Box<str>>()
            + self.outlets.iter().map(|o| o.len()).sum::<usize>()
            + self.outlet_hashes.capacity() * 8
            + self.speakers.capacity() * std::mem::size_of::<(Box<str>, u64)>()
            + self.speakers.iter().map(|(n, _)| n.len()).sum::<usize>()
    }
}
