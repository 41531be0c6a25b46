//! The tracker's memory as values, so that a service can keep it across restarts.
//!
//! - Whole: [`TensionTracker::snapshot`] gives a [`TrackerSnapshot`] (serde; at most `max_claims` claims, so
//!   bounded as the tracker is) and [`TensionTracker::restore`] puts it back.
//! - A claim at a time, for a changelog keyed by claim: after [`TensionTracker::record_changes`], each
//!   [`TensionTracker::take_changes`] gives the claims kept since the last take ([`KeptClaim`], one value per
//!   claim, [`KeptClaim::key`] names it) and the claims dropped (expired by the window, or the oldest past
//!   `max_claims`). The latest value of each key, the dropped ones left out, is a snapshot:
//!   [`TrackerSnapshot::from_claims`].
//!
//! A claim's value is its side as the tracker holds it (source, polarity, salient words, targets, certainty,
//! event time, cluster id and embedding, the embedding as its exact `f32` bytes), its arrival number and the
//! tracker's clock when it was kept. Restoring re-inserts the claims in arrival order and rebuilds the index
//! from them, so a restored tracker finds the tensions the original would, with one difference: the index
//! keeps at most `max_per_key` claims per key, and where the original had pushed an older claim out of a key's
//! list for a newer one that has since expired (claims arriving out of event-time order), the restored list
//! holds the older claim again. It then finds more candidates than the original, never fewer.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::side::Side;
use super::tracker::{subject_keys, TensionTracker};
use super::TensionConfig;

/// One kept claim (serialisable; opaque to callers but for its key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptClaim {
    /// Arrival number: the order claims came in.
    arrival: u64,
    /// The tracker's newest event time when the claim was kept.
    clock: DateTime<Utc>,
    side: Side,
}

impl KeptClaim {
    /// The claim's sentence: (`article_id`, `sentence_index`).
    pub fn key(&self) -> (&str, usize) {
        self.side.key()
    }
}

/// The whole memory of a tracker (serialisable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackerSnapshot {
    claims: Vec<KeptClaim>,
}

impl TrackerSnapshot {
    /// A snapshot made of claims taken one at a time ([`TensionTracker::take_changes`]), in any order.
    pub fn from_claims(claims: Vec<KeptClaim>) -> TrackerSnapshot {
        TrackerSnapshot { claims }
    }

    pub fn len(&self) -> usize {
        self.claims.len()
    }

    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }
}

/// What a tracker kept and dropped since the last [`TensionTracker::take_changes`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackerChanges {
    /// Claims kept, oldest first.
    pub kept: Vec<KeptClaim>,
    /// (`article_id`, `sentence_index`) of claims dropped.
    pub dropped: Vec<(String, usize)>,
}

impl TensionTracker {
    /// The whole memory, oldest claim first.
    pub fn snapshot(&self) -> TrackerSnapshot {
        TrackerSnapshot { claims: self.claims.keys().filter_map(|&n| self.kept_claim(n)).collect() }
    }

    /// A tracker with `config` and the memory of `snapshot`: claims re-inserted in arrival order, then the
    /// bounds of `config` applied (the window behind the newest clock, `max_claims`), so a snapshot taken
    /// under larger bounds is cut to these.
    pub fn restore(config: TensionConfig, snapshot: TrackerSnapshot) -> TensionTracker {
        let mut tracker = TensionTracker::new(config);
        let mut claims = snapshot.claims;
        claims.sort_by_key(|c| c.arrival);
        for claim in claims {
            tracker.newest = Some(tracker.newest.map_or(claim.clock, |n| n.max(claim.clock)));
            tracker.next = tracker.next.max(claim.arrival.saturating_add(1));
            let key = (claim.side.article_id.clone(), claim.side.sentence_index);
            let keys = subject_keys(&claim.side);
            tracker.insert(claim.arrival, claim.side, keys, key);
        }
        if let Some(newest) = tracker.newest {
            let seconds = i64::try_from(tracker.config.window_seconds).unwrap_or(i64::MAX);
            let window = Duration::try_seconds(seconds).unwrap_or(Duration::MAX);
            tracker.expire(newest.checked_sub_signed(window).unwrap_or(DateTime::<Utc>::MIN_UTC));
        }
        while tracker.claims.len() > tracker.config.max_claims.max(1) {
            let Some((&oldest, _)) = tracker.claims.iter().next() else { break };
            tracker.remove(oldest);
        }
        tracker
    }

    /// From now on, note the claims kept and dropped, for [`TensionTracker::take_changes`].
    pub fn record_changes(&mut self) {
        self.changes.get_or_insert_with(Default::default);
    }

    /// The claims kept and dropped since the last call (empty unless [`TensionTracker::record_changes`]). A
    /// claim kept and dropped in between is only in `dropped`.
    pub fn take_changes(&mut self) -> TrackerChanges {
        let Some(changes) = self.changes.as_mut().map(std::mem::take) else { return TrackerChanges::default() };
        TrackerChanges {
            kept: changes.kept.iter().filter_map(|&n| self.kept_claim(n)).collect(),
            dropped: changes.dropped,
        }
    }

    fn kept_claim(&self, n: u64) -> Option<KeptClaim> {
        let kept = self.claims.get(&n)?;
        let clock = self.newest.unwrap_or(kept.side.time);
        Some(KeptClaim { arrival: n, clock, side: kept.side.clone() })
    }
}

/// `Option<Vec<f32>>` as the base64 of the values' little-endian bytes: exact, and a quarter of the size of
/// JSON numbers.
pub(super) mod f32_base64 {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(values: &Option<Vec<f32>>, serializer: S) -> Result<S::Ok, S::Error> {
        match values {
            Some(values) => {
                let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
                serializer.serialize_some(&base64::engine::general_purpose::STANDARD.encode(bytes))
            }
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<f32>>, D::Error> {
        let Some(text) = Option::<String>::deserialize(deserializer)? else { return Ok(None) };
        let bytes = base64::engine::general_purpose::STANDARD.decode(text).map_err(serde::de::Error::custom)?;
        if bytes.len() % 4 != 0 {
            return Err(serde::de::Error::custom("embedding bytes are not a whole number of f32"));
        }
        Ok(Some(bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone;
    use tenor_core::{Attribution, SentenceRecord, Span, Speaker, Stance, StanceLabel, StanceProbs, TextSpan};

    use super::*;

    /// Sentence `i` of a stream: 12 articles a round, claims on a few subjects with alternating stance, some
    /// with an embedding, every event time later than the one before.
    fn item(i: usize) -> (SentenceRecord, Option<String>, Option<Vec<f32>>) {
        let subjects = ["Kansas harvest", "Miami talks", "fuel taxes", "bridge repairs", "hospital waiting lists"];
        let subject = subjects[i % subjects.len()];
        let text = format!("The {subject} report number {} was discussed by delegates.", i % 4);
        let time = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap() + Duration::minutes(7 * i as i64);
        let mut r = crate::testing::claim_sentence(&format!("art-{}", i / 2), i % 2, &text, "wire", time);
        r.article_source = Some(format!("outlet-{}", i % 3));
        let (negative, positive): (f64, f64) = if i % 3 == 0 { (0.8, 0.1) } else { (0.05, 0.85) };
        r.stance = Some(Stance {
            label: if positive > negative { StanceLabel::Positive } else { StanceLabel::Negative },
            confidence: positive.max(negative),
            probs: StanceProbs { negative, neutral: 1.0 - negative - positive, positive },
            evidence: Vec::new(),
        });
        r.attribution = Some(Attribution {
            speaker: Speaker { text: format!("speaker {}", i % 5), span: Span::new(0, 1), resolved: None },
            cue: TextSpan { text: "said".into(), span: Span::new(0, 1) },
            content: None,
            quote: None,
        });
        let cluster = (i % 4 == 0).then(|| format!("c-{}", i % 3));
        let embedding = (i % 3 != 1).then(|| (0..16).map(|j| ((i % 5 + j * 3) % 7) as f32 + 0.1).collect());
        (r, cluster, embedding)
    }

    fn feed(tracker: &mut TensionTracker, range: std::ops::Range<usize>) -> Vec<tenor_core::TensionRecord> {
        range
            .flat_map(|i| {
                let (r, cluster, embedding) = item(i);
                tracker.observe(&r, cluster.as_deref(), embedding.as_deref())
            })
            .collect()
    }

    fn config() -> TensionConfig {
        TensionConfig {
            window_seconds: 6 * 3600,
            max_claims: 40,
            max_per_key: 6,
            embedding_scan: 10,
            ..TensionConfig::default()
        }
    }

    #[test]
    fn a_restored_tracker_finds_what_the_original_finds_whole_or_a_claim_at_a_time() {
        let mut original = TensionTracker::new(config());
        original.record_changes();
        // The changelog: the latest value per key, dropped keys deleted.
        let mut changelog: BTreeMap<(String, usize), String> = BTreeMap::new();
        let mut before = Vec::new();
        for i in 0..150 {
            before.extend(feed(&mut original, i..i + 1));
            let changes = original.take_changes();
            for claim in changes.kept {
                let (article, index) = claim.key();
                changelog.insert((article.to_owned(), index), serde_json::to_string(&claim).unwrap());
            }
            for key in changes.dropped {
                changelog.remove(&key);
            }
        }
        assert!(before.len() > 20, "the stream has tensions: {}", before.len());
        assert_eq!(original.len(), 40, "max_claims dropped some");
        assert_eq!(changelog.len(), original.len());

        let json = serde_json::to_string(&original.snapshot()).unwrap();
        let mut whole = TensionTracker::restore(config(), serde_json::from_str(&json).unwrap());
        let claims = changelog.values().rev().map(|v| serde_json::from_str(v).unwrap()).collect();
        let mut incremental = TensionTracker::restore(config(), TrackerSnapshot::from_claims(claims));
        assert_eq!(whole.snapshot(), original.snapshot());
        assert_eq!(incremental.snapshot(), original.snapshot());
        assert_eq!(
            (whole.len(), whole.keys(), whole.index_entries()),
            (40, original.keys(), original.index_entries())
        );

        // Repeats of claims it holds yield nothing; the rest of the stream gives the same tensions.
        assert!(feed(&mut whole, 140..150).is_empty());
        let after = feed(&mut original, 150..300);
        assert!(after.len() > 20);
        assert_eq!(feed(&mut whole, 150..300), after);
        assert_eq!(feed(&mut incremental, 150..300), after);
    }

    #[test]
    fn a_claim_after_the_restore_pairs_with_one_before_it_once() {
        let mut tracker = TensionTracker::new(TensionConfig::default());
        let (a, b) = (item(0).0, item(5).0);
        assert_eq!(a.stance.as_ref().unwrap().label, StanceLabel::Negative);
        assert!(tracker.observe(&a, None, None).is_empty());
        let json = serde_json::to_string(&tracker.snapshot()).unwrap();
        let mut restored = TensionTracker::restore(TensionConfig::default(), serde_json::from_str(&json).unwrap());
        let mut b = b;
        b.text = a.text.replace("number 0", "number 9");
        b.attribution.as_mut().unwrap().speaker.text = "another speaker".into();
        let found = restored.observe(&b, None, None);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].sides[0].article_id, a.article_id);
        assert_eq!(found[0].sides[1].article_id, b.article_id);
        assert!(restored.observe(&b, None, None).is_empty(), "a repeat yields nothing");
        // A tighter configuration cuts a restored memory to its bounds.
        let small = TensionConfig { max_claims: 1, ..TensionConfig::default() };
        let json = serde_json::to_string(&restored.snapshot()).unwrap();
        assert_eq!(TensionTracker::restore(small, serde_json::from_str(&json).unwrap()).len(), 1);
    }

    #[test]
    fn embeddings_survive_the_snapshot_bit_for_bit() {
        let mut tracker = TensionTracker::new(config());
        let (r, _, _) = item(0);
        let odd = [0.1f32, -3.5e-7, 1.0 / 3.0, f32::MIN_POSITIVE, 12345.678];
        tracker.observe(&r, None, Some(&odd));
        let json = serde_json::to_string(&tracker.snapshot()).unwrap();
        let back: TrackerSnapshot = serde_json::from_str(&json).unwrap();
        assert_eq!(back, tracker.snapshot());
        assert!(serde_json::from_str::<TrackerSnapshot>(&json.replace("\"embedding\":\"", "\"embedding\":\"A"))
            .is_err());
    }
}
