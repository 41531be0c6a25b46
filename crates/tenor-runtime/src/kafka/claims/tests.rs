//! The claims stage without a broker: restore, replay, tensions, embeddings.

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
    let outputs = ClaimsOutputs { claims: "tenor.claims".into(), changelog: "changelog".into(), tensions: None };
    ClaimsStage::new(ClusterConfig::default(), outputs, 1 << 20)
}

/// Feeds records as the engine does; returns every emission.
fn feed(stage: &mut ClaimsStage, tracker: &mut OffsetTracker, records: &[(i64, Vec<u8>)]) -> Vec<Emission> {
    let tp = TopicPartition::new("tenor.sentences", 0);
    let metrics = Metrics::new("test");
    let mut out = Vec::new();
    for (offset, payload) in records {
        let input = tracker.begin(&tp, *offset);
        let message =
            Incoming { tp: tp.clone(), offset: *offset, key: None, payload: payload.clone(), timestamp_ms: None };
        out.extend(stage.ingest(&message, &input, tracker, &metrics).unwrap());
        tracker.complete(&input);
    }
    out
}

fn of_topic<'a>(emissions: &'a [Emission], topic: &str) -> Vec<&'a Outgoing> {
    emissions.iter().flat_map(|e| &e.records).filter(|r| &*r.topic == topic).collect()
}

/// An offset tracker with `tenor.sentences` partition 0 assigned.
fn fresh_tracker() -> OffsetTracker {
    let mut tracker = OffsetTracker::new();
    tracker.assign(TopicPartition::new("tenor.sentences", 0));
    tracker
}

/// The latest claim record of every cluster in `emissions`, by cluster id.
fn latest_claims<'a>(emissions: impl IntoIterator<Item = &'a Emission>) -> BTreeMap<String, ClaimRecord> {
    let records = emissions.into_iter().flat_map(|e| &e.records).filter(|r| &*r.topic == "tenor.claims");
    records
        .map(|r| serde_json::from_slice::<ClaimRecord>(&r.payload).unwrap())
        .map(|c| (c.cluster_id.clone(), c))
        .collect()
}

fn stream() -> Vec<(i64, Vec<u8>)> {
    let texts = ["Fuel taxes will rise next spring", "The bridge will reopen this month"];
    (0..12).map(|k| (k as i64, sentence(k, &format!("\"{}\", officials said.", texts[k % 2])))).collect()
}

#[test]
fn a_stage_restored_from_its_changelog_skips_what_it_applied_and_republishes_what_may_be_lost() {
    let stream = stream();
    let mut tracker = fresh_tracker();
    let mut first = stage();
    let emitted = feed(&mut first, &mut tracker, &stream[..8]);
    assert_eq!(of_topic(&emitted, "tenor.claims").len(), 8);
    // Every emission holds its input until acknowledged.
    assert!(emitted.iter().all(|e| e.covers.len() == 1));
    let changelog = changelog_of(&emitted);

    // Restarted with offsets committed up to 6 (the next to read): records 6 and 7 come again.
    let committed = BTreeMap::from([(TopicPartition::new("tenor.sentences", 0), 6)]);
    let mut second = stage();
    let stats = second.restore_entries(changelog.iter().map(|(k, v)| (k.as_slice(), v.as_slice())), &committed);
    assert_eq!(
        stats,
        RestoreStats { entries: 8, clusters: 2, unreadable: 0, republished: 2, ..RestoreStats::default() }
    );
    let mut tracker = fresh_tracker();
    let replayed = feed(&mut second, &mut tracker, &stream[6..]);
    let claims = of_topic(&replayed, "tenor.claims");
    // Two republished records (both clusters' latest entries are at offsets 6 and 7), then offsets 8..12.
    assert_eq!(claims.len(), 2 + 4);
    assert!(replayed[0].covers.is_empty(), "republished records complete no input");
    // And the end state is the uninterrupted run's.
    let mut tracker = fresh_tracker();
    let mut uninterrupted = stage();
    let all = feed(&mut uninterrupted, &mut tracker, &stream);
    let mut resumed = latest_claims(&emitted);
    resumed.extend(latest_claims(&replayed));
    assert_eq!(resumed, latest_claims(&all));
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
        (0, claim(0, "The talks in Miami were productive and constructive, envoys said.", "Wire", "envoys", 0.9)),
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
    let mut tracker = fresh_tracker();
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
    assert_eq!(
        stats,
        RestoreStats { entries: 2, clusters: 0, unreadable: 1, republished: 0, ..RestoreStats::default() }
    );
    // The expire entry's input position counts as applied.
    let mut tracker = OffsetTracker::new();
    let tp = TopicPartition::new("t", 0);
    tracker.assign(tp.clone());
    let input = tracker.begin(&tp, 3);
    let message = Incoming { tp, offset: 3, key: None, payload: b"{not json".to_vec(), timestamp_ms: None };
    let out = stage.ingest(&message, &input, &mut tracker, &Metrics::new("test")).unwrap();
    assert!(out.is_empty(), "offset 3 was applied before: skipped, not decoded");
}

/// A claim sentence record with stance, speaker and (optionally) an embedding.
fn opinion(article: &str, text: &str, outlet: &str, speaker: &str, positive: f64) -> SentenceRecord {
    use tenor_core::{Attribution, Speaker, Stance, StanceLabel, StanceProbs, TextSpan};
    let mut r: SentenceRecord = serde_json::from_slice(&sentence(0, text)).unwrap();
    r.article_id = article.into();
    r.article_source = Some(outlet.into());
    r.attribution = Some(Attribution {
        speaker: Speaker { text: speaker.into(), span: Span::new(0, 1), resolved: None },
        cue: TextSpan { text: "said".into(), span: Span::new(0, 1) },
        content: None,
        quote: None,
    });
    let negative = 0.95 - positive;
    r.stance = Some(Stance {
        label: if positive > negative { StanceLabel::Positive } else { StanceLabel::Negative },
        confidence: positive.max(negative),
        probs: StanceProbs { negative, neutral: 0.05, positive },
        evidence: Vec::new(),
    });
    r
}

fn with_tensions() -> ClaimsStage {
    let outputs = ClaimsOutputs {
        claims: "tenor.claims".into(),
        changelog: "changelog".into(),
        tensions: Some(("tensions".into(), TensionConfig::default())),
    };
    ClaimsStage::new(ClusterConfig::default(), outputs, 1 << 20)
}

fn changelog_of(emissions: &[Emission]) -> Vec<(Vec<u8>, Vec<u8>)> {
    of_topic(emissions, "changelog").into_iter().map(|r| (r.key.clone().unwrap(), r.payload.clone())).collect()
}

fn restored(changelog: &[(Vec<u8>, Vec<u8>)], committed: i64) -> (ClaimsStage, RestoreStats) {
    let committed = BTreeMap::from([(TopicPartition::new("tenor.sentences", 0), committed)]);
    let mut stage = with_tensions();
    let stats = stage.restore_entries(changelog.iter().map(|(k, v)| (k.as_slice(), v.as_slice())), &committed);
    (stage, stats)
}

#[test]
fn the_tension_memory_survives_a_restore_and_pairs_are_published_once() {
    let a = opinion("a1", "Fuel taxes on diesel will ruin the haulage industry.", "Wire", "hauliers", 0.05);
    let c = opinion("a2", "The new museum wing is a triumph of design.", "Wire", "critics", 0.9);
    let d = opinion("a3", "The new museum wing is an ugly failure of design.", "Post", "residents", 0.05);
    let b = opinion("a4", "Fuel taxes on diesel will save the haulage industry.", "Post", "ministers", 0.9);
    let records: Vec<(i64, Vec<u8>)> =
        [&a, &c, &d, &b].iter().enumerate().map(|(i, r)| (i as i64, serde_json::to_vec(r).unwrap())).collect();
    let mut tracker = fresh_tracker();
    let mut first = with_tensions();
    let before = feed(&mut first, &mut tracker, &records[..3]);
    assert_eq!(of_topic(&before, "tensions").len(), 1, "c and d, before the restart");
    let changelog = changelog_of(&before);

    // Everything committed: nothing is published again, and the restored tracker holds a, c and d.
    let (mut second, stats) = restored(&changelog, 3);
    assert_eq!((stats.tension_claims, stats.tensions_republished, stats.republished), (3, 0, 0));
    let mut tracker = fresh_tracker();
    // d again (a redelivery the state already holds) then b: one new tension, a with b.
    let after = feed(&mut second, &mut tracker, &records[2..]);
    let tensions: Vec<tenor_core::TensionRecord> =
        of_topic(&after, "tensions").iter().map(|r| serde_json::from_slice(&r.payload).unwrap()).collect();
    assert_eq!(tensions.len(), 1, "{tensions:#?}");
    let sides: Vec<&str> = tensions[0].sides.iter().map(|s| s.article_id.as_str()).collect();
    assert_eq!(sides, ["a1", "a4"]);

    // Without the tracker's entries in the changelog (as before this change) the pair is missed.
    let clusters_only: Vec<(Vec<u8>, Vec<u8>)> =
        changelog.iter().filter(|(k, _)| !k.starts_with(b"tension:")).cloned().collect();
    let (mut forgetful, _) = restored(&clusters_only, 3);
    let mut tracker = fresh_tracker();
    assert!(of_topic(&feed(&mut forgetful, &mut tracker, &records[3..]), "tensions").is_empty());

    // Committed only up to d (offset 2): d's tension with c may not have been delivered, so it goes out again.
    let (mut third, stats) = restored(&changelog, 2);
    assert_eq!((stats.tensions_republished, stats.republished), (1, 1));
    let mut tracker = fresh_tracker();
    let again = feed(&mut third, &mut tracker, &records[2..3]);
    assert_eq!(of_topic(&again, "tensions").len(), 1);
    assert_eq!(of_topic(&again, "tensions")[0].payload, of_topic(&before, "tensions")[0].payload);
}

#[test]
fn embeddings_join_paraphrases_and_another_encoders_are_refused() {
    use tenor_core::SentenceEmbedding;
    let unit = |tilt: f32| {
        let mut v = vec![0.0f32; 384];
        v[0] = 1.0;
        v[1] = tilt;
        v
    };
    let with = |article: &str, text: &str, encoder: &str, tilt: f32| {
        let mut r = opinion(article, text, "Wire", "officials", 0.5);
        r.embedding = SentenceEmbedding::quantise(&unit(tilt), encoder);
        (0, serde_json::to_vec(&r).unwrap())
    };
    let encoder = "aa".repeat(32);
    let records = [
        with("p1", "Unemployment fell to its lowest level in a decade.", &encoder, 0.0),
        with("p2", "The jobless rate dropped to a ten-year low.", &encoder, 0.1),
        with("p3", "Joblessness is at its lowest for ten years.", &"bb".repeat(32), 0.1),
    ];
    let records: Vec<(i64, Vec<u8>)> = records.into_iter().enumerate().map(|(i, (_, p))| (i as i64, p)).collect();
    let mut tracker = fresh_tracker();
    let mut stage = with_tensions();
    let out = feed(&mut stage, &mut tracker, &records);
    let claims: Vec<ClaimRecord> =
        of_topic(&out, "tenor.claims").iter().map(|r| serde_json::from_slice(&r.payload).unwrap()).collect();
    assert_eq!(claims[1].cluster_id, claims[0].cluster_id, "joined by embedding");
    assert_eq!(claims[1].matched_by.as_str(), "embedding");
    assert_ne!(claims[2].cluster_id, claims[0].cluster_id, "another encoder's embedding is not used");
    assert_eq!(stage.encoder(), Some(&encoder[..16]));

    // The encoder and the canonical embedding survive a restore: a paraphrase after it still joins, and the
    // other encoder is still refused.
    let (mut restored, _) = restored(&changelog_of(&out), 3);
    assert_eq!(restored.encoder(), Some(&encoder[..16]));
    let more = [
        with("p4", "Fewer people are out of work than at any time in ten years.", &encoder, 0.05),
        with("p5", "Fewer people are out of work than at any time in ten years.", &"bb".repeat(32), 0.05),
    ];
    let more: Vec<(i64, Vec<u8>)> = more.into_iter().enumerate().map(|(i, (_, p))| (3 + i as i64, p)).collect();
    let mut tracker = fresh_tracker();
    let out = feed(&mut restored, &mut tracker, &more);
    let claims: Vec<ClaimRecord> =
        of_topic(&out, "tenor.claims").iter().map(|r| serde_json::from_slice(&r.payload).unwrap()).collect();
    let first: &ClaimRecord = &claims[0];
    assert_eq!(
        (first.matched_by.as_str(), first.members, first.canonical.article_id.as_str()),
        ("embedding", 3, "p1")
    );
    // p5 has p4's vector but another encoder's: compared by its words only, it opens a cluster.
    assert_eq!(claims[1].matched_by.as_str(), "new");
}

/// The broker test's kill -9 without the broker, at many points of a stream whose clusters crowd the LSH
/// buckets (sentences alike but for their numbers, and few candidates per bucket): a stage restored from the
/// changelog its predecessor wrote, fed the rest from a committed offset behind, ends with every cluster's
/// latest record as an uninterrupted stage's (tensions on).
#[test]
fn a_restart_at_any_point_of_a_crowded_stream_changes_no_cluster() {
    let stream: Vec<(i64, Vec<u8>)> = (0..160)
        .map(|k| {
            let text = match k % 3 {
                0 => format!("Residents of district {k} reported {} new potholes on street {}", k % 13, k * 7),
                1 => format!("\"Fuel taxes will rise by {} percent next spring\", officials said.", k % 4),
                _ => format!("Residents of district {} reported new potholes, according to the council.", k % 9),
            };
            (k as i64, sentence(k as usize, &text))
        })
        .collect();
    let new_stage = || {
        let outputs = ClaimsOutputs {
            claims: "tenor.claims".into(),
            changelog: "changelog".into(),
            tensions: Some(("tensions".into(), TensionConfig::default())),
        };
        ClaimsStage::new(ClusterConfig { max_bucket_candidates: 2, ..ClusterConfig::default() }, outputs, 1 << 20)
    };
    let want = latest_claims(&feed(&mut new_stage(), &mut fresh_tracker(), &stream));
    assert!(want.len() > 10, "several clusters: {}", want.len());
    for split in (1..stream.len()).step_by(7) {
        let before = feed(&mut new_stage(), &mut fresh_tracker(), &stream[..split]);
        // Committed a few records behind what was applied, as after a kill -9.
        let committed = split.saturating_sub(3);
        let mut second = new_stage();
        let tp = TopicPartition::new("tenor.sentences", 0);
        let changelog = changelog_of(&before);
        second.restore_entries(
            changelog.iter().map(|(k, v)| (k.as_slice(), v.as_slice())),
            &BTreeMap::from([(tp, committed as i64)]),
        );
        let after = feed(&mut second, &mut fresh_tracker(), &stream[committed..]);
        let mut got = latest_claims(&before);
        got.extend(latest_claims(&after));
        assert_eq!(got, want, "restarted after {split} records");
    }
}

/// A cluster the window drops gets a tombstone in the changelog (so compaction can drop its key), and a
/// restore reads the tombstone as the cluster gone, not as an unreadable entry.
#[test]
fn a_dropped_cluster_is_a_tombstone_in_the_changelog() {
    let outputs = ClaimsOutputs { claims: "tenor.claims".into(), changelog: "changelog".into(), tensions: None };
    let config = ClusterConfig { window_seconds: 3600, ..ClusterConfig::default() };
    let mut first = ClaimsStage::new(config.clone(), outputs.clone(), 1 << 20);
    let mut tracker = fresh_tracker();
    // Two hours apart: the second drops the first's cluster.
    let stream = [
        (0, sentence(0, "Fuel taxes will rise next spring, officials said.")),
        (1, sentence(120, "The bridge will reopen this month, officials said.")),
    ];
    let emitted = feed(&mut first, &mut tracker, &stream);
    let changelog = changelog_of(&emitted);
    let dropped = serde_json::from_slice::<ClaimRecord>(&of_topic(&emitted, "tenor.claims")[0].payload).unwrap();
    let tombstones: Vec<&(Vec<u8>, Vec<u8>)> = changelog.iter().filter(|(_, v)| v.is_empty()).collect();
    assert_eq!(tombstones.len(), 1, "{changelog:?}");
    assert_eq!(tombstones[0].0, dropped.cluster_id.as_bytes());
    assert_eq!(first.index().len(), 1);

    let mut second = ClaimsStage::new(config, outputs, 1 << 20);
    let stats =
        second.restore_entries(changelog.iter().map(|(k, v)| (k.as_slice(), v.as_slice())), &BTreeMap::new());
    assert_eq!(stats.unreadable, 0);
    assert_eq!(stats.clusters, 1);
    assert_eq!(second.index().len(), 1);
    assert!(second.index().snapshot(&dropped.cluster_id).is_none());
}

#[path = "../../../../../tests/fixtures/claim_stream.rs"]
mod claim_stream;

/// The broker test's stream (`tests/fixtures/claim_stream.rs`) as input records at offsets 0, 1, ...
fn reprinted(n: usize) -> Vec<(i64, Vec<u8>)> {
    let records = claim_stream::reprinted(n).into_iter().enumerate();
    records.map(|(k, record)| (k as i64, serde_json::to_vec(&record).unwrap())).collect()
}

/// A kill -9 can leave any prefix of the changelog (one partition, one idempotent producer), cutting an
/// input's entries after its tracker claims and before its upsert; the input offsets committed are at most
/// those of inputs wholly written. Restored from every such prefix and fed the rest from a committed offset
/// (as far back as 5 records), a stage ends with every cluster's latest record and the tracker's memory as
/// an uninterrupted stage's. Before the upsert alone marked an input applied, a cut after an input's tracker
/// claim skipped the input and lost its member.
#[test]
fn a_restore_from_any_prefix_of_the_changelog_loses_no_member() {
    let stream = reprinted(120);
    let mut uninterrupted = with_tensions();
    let all = feed(&mut uninterrupted, &mut fresh_tracker(), &stream);
    let want = latest_claims(&all);
    let want_tracker = serde_json::to_value(uninterrupted.tracker().unwrap().snapshot()).unwrap();
    // Every changelog entry with the input (stream index) that wrote it.
    let mut entries: Vec<(usize, Vec<u8>, Vec<u8>)> = Vec::new();
    for (input, emission) in all.iter().filter(|e| !e.covers.is_empty()).enumerate() {
        for r in emission.records.iter().filter(|r| &*r.topic == "changelog") {
            entries.push((input, r.key.clone().unwrap(), r.payload.clone()));
        }
    }
    assert!(entries.len() >= 2 * stream.len(), "tracker claims and upserts: {} entries", entries.len());
    for cut in (1..entries.len()).step_by(3) {
        let prefix = &entries[..cut];
        // Inputs wholly written: those before the input of the first entry left out.
        let whole = entries.get(cut).map_or(stream.len(), |(input, _, _)| *input);
        let committed = whole.saturating_sub(cut % 6);
        let (mut second, _) =
            restored(&prefix.iter().map(|(_, k, v)| (k.clone(), v.clone())).collect::<Vec<_>>(), committed as i64);
        let after = feed(&mut second, &mut fresh_tracker(), &stream[committed..]);
        // What the process before published: at least the records of the inputs it committed.
        let mut got = latest_claims(all.iter().filter(|e| !e.covers.is_empty()).take(committed));
        got.extend(latest_claims(&after));
        for (id, w) in &want {
            assert_eq!(
                got.get(id),
                Some(w),
                "restored from {cut} of {} entries, committed {committed}",
                entries.len()
            );
        }
        assert_eq!(got.len(), want.len());
        let got_tracker = serde_json::to_value(second.tracker().unwrap().snapshot()).unwrap();
        assert_eq!(got_tracker, want_tracker, "tracker memory after a restore from {cut} entries");
    }
}

/// Entries a killed process left without their upsert, followed by the next start's marker, stay ignored when
/// a later upsert (of another input) comes: they belonged to the input that was killed.
#[test]
fn entries_left_before_a_restart_marker_are_not_taken_by_a_later_upsert() {
    let stream = reprinted(3);
    let all = feed(&mut with_tensions(), &mut fresh_tracker(), &stream);
    let entries = changelog_of(&all);
    // Input 0 whole, input 1's tracker claim only, then a restart's marker, then input 2 whole.
    let upsert = |e: &(Vec<u8>, Vec<u8>)| e.0.starts_with(b"c-");
    let first_upsert = entries.iter().position(upsert).unwrap();
    let second_upsert = first_upsert + 1 + entries[first_upsert + 1..].iter().position(upsert).unwrap();
    let mut log: Vec<(Vec<u8>, Vec<u8>)> = entries[..second_upsert].to_vec();
    assert!(!upsert(log.last().unwrap()), "input 1 wrote a tracker claim before its upsert");
    log.push((b"__tenor_restore_marker".to_vec(), b"token".to_vec()));
    let third: Vec<_> = entries[second_upsert + 1..].to_vec();
    log.extend(third);
    let (stage, stats) = restored(&log, 0);
    assert_eq!(stats.incomplete, 1);
    let tracked = serde_json::to_value(stage.tracker().unwrap().snapshot()).unwrap();
    assert!(!tracked.to_string().contains("art-1\""), "input 1's claim is not in the tracker: {tracked}");
    assert!(tracked.to_string().contains("art-2\""), "input 2's is: {tracked}");
}
