use super::*;
use std::collections::BTreeMap as Map;
use tenor_core::{Attribution, Origin, SentenceKind, Span, Speaker, Stance, StanceProbs, TextSpan};

fn record(source: &str, speaker: Option<&str>, label: StanceLabel, confidence: f64, published: &str) -> Vec<u8> {
    let record = SentenceRecord {
        schema: "tenor.sentence/1".into(),
        article_id: "a".into(),
        sentence_index: 0,
        text: "x".into(),
        span: Span::new(0, 1),
        kind: SentenceKind::Sentence,
        source: Origin::Kafka { topic: "articles".into(), partition: 0, offset: 0 },
        processed_at: Utc::now(),
        published_at: Some(DateTime::parse_from_rfc3339(published).unwrap()),
        article_source: Some(source.into()),
        claim: None,
        attribution: speaker.map(|s| Attribution {
            speaker: Speaker { text: s.into(), span: Span::new(0, 1), resolved: None },
            cue: TextSpan { text: "said".into(), span: Span::new(0, 1) },
            content: None,
            quote: None,
        }),
        stance: Some(Stance {
            label,
            confidence,
            probs: StanceProbs { negative: 0.0, neutral: 0.0, positive: 0.0 },
            evidence: Vec::new(),
        }),
        targets: Vec::new(),
        hedge: None,
        model: Map::new(),
        tier: None,
        run_id: None,
        claim_cluster: None,
        embedding: None,
    };
    serde_json::to_vec(&record).unwrap()
}

fn feed(agg: &mut Aggregator, tracker: &mut OffsetTracker, offset: i64, payload: Vec<u8>) -> Vec<Emission> {
    feed_from(agg, tracker, &TopicPartition::new("s", 0), offset, payload, &Metrics::new("test"))
}

/// Ingests one record of `tp` as the engine does: begin, ingest, complete the message itself.
fn feed_from(
    agg: &mut Aggregator,
    tracker: &mut OffsetTracker,
    tp: &TopicPartition,
    offset: i64,
    payload: Vec<u8>,
    metrics: &Metrics,
) -> Vec<Emission> {
    let input = tracker.begin(tp, offset);
    let message = Incoming { tp: tp.clone(), offset, key: None, payload, timestamp_ms: None };
    let out = agg.ingest(&message, &input, tracker, metrics).unwrap();
    tracker.complete(&input);
    out
}

/// (dimension, name) → claims, over every record of `emissions`.
fn claims(emissions: &[Emission]) -> Map<(Dimension, String), u64> {
    let mut claims = Map::new();
    for record in emissions.iter().flat_map(decode) {
        *claims.entry((record.dimension, record.name)).or_default() += record.claims;
    }
    claims
}

fn acknowledge(tracker: &mut OffsetTracker, emissions: &[Emission]) {
    for input in emissions.iter().flat_map(|e| &e.covers) {
        tracker.complete(input);
    }
}

fn decode(emission: &Emission) -> Vec<WindowRecord> {
    emission.records.iter().map(|r| serde_json::from_slice(&r.payload).unwrap()).collect()
}

#[test]
fn tensions_count_for_each_sides_speaker_and_outlet_in_the_later_sides_window() {
    use tenor_core::{LinkKind, TensionRecord, TensionScope, TensionSide, TensionSubject, TENSION_SCHEMA};
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    let side = |speaker: &str, outlet: &str, time: &str| TensionSide {
        article_id: format!("{outlet}-1"),
        sentence_index: 0,
        text: "x".into(),
        outlet: Some(outlet.into()),
        speaker: Some(speaker.into()),
        stance: StanceLabel::Positive,
        polarity: 0.5,
        confidence: 0.7,
        time: at(time),
    };
    let tension = TensionRecord {
        schema: TENSION_SCHEMA.into(),
        tension_id: "t-1".into(),
        scope: TensionScope::Cluster,
        subject: TensionSubject { text: "talks".into(), link: LinkKind::Cluster, strength: 1.0, cluster_id: None },
        sides: [side("Ann", "Wire", "2024-01-01T00:00:50Z"), side("Bob", "Wire", "2024-01-01T00:01:10Z")],
        score: 0.5,
        run_id: None,
    };
    let payload = serde_json::to_vec(&tension).unwrap();
    assert!(payload.starts_with(TENSION_PREFIX.as_bytes()), "Tenor writes the schema first");
    let config = WindowConfig { width_seconds: 60, idle_flush_ms: 1, ..WindowConfig::default() };
    let mut agg = Aggregator::new(config, "out".into(), 1 << 20);
    let mut tracker = OffsetTracker::new();
    assert!(feed(&mut agg, &mut tracker, 0, payload).is_empty());
    assert!(feed(
        &mut agg,
        &mut tracker,
        1,
        record("Wire", Some("Ann"), StanceLabel::Neutral, 0.5, "2024-01-01T00:01:20Z")
    )
    .is_empty());
    std::thread::sleep(Duration::from_millis(5));
    let out = agg.tick(Instant::now(), &tracker, &Metrics::new("test"));
    let records: Vec<WindowRecord> = out.iter().flat_map(decode).collect();
    let get = |d: Dimension, n: &str| records.iter().find(|r| r.dimension == d && r.name == n).unwrap();
    // The later side is at 00:01:10: the tension counts in the second window, once for the shared outlet.
    assert_eq!(records.iter().map(|r| r.window_start).collect::<std::collections::BTreeSet<_>>().len(), 1);
    assert_eq!((get(Dimension::Speaker, "Ann").tensions, get(Dimension::Speaker, "Ann").claims), (1, 1));
    assert_eq!((get(Dimension::Speaker, "Bob").tensions, get(Dimension::Speaker, "Bob").claims), (1, 0));
    assert_eq!((get(Dimension::Source, "Wire").tensions, get(Dimension::Source, "Wire").claims), (1, 1));
}

#[test]
fn windows_close_on_event_time_and_late_records_become_increments() {
    let config = WindowConfig {
        width_seconds: 60,
        allowed_lateness_seconds: 30,
        idle_flush_ms: 0,
        ..WindowConfig::default()
    };
    let mut agg = Aggregator::new(config, "out".into(), 1 << 20);
    let mut tracker = OffsetTracker::new();
    let tp = TopicPartition::new("s", 0);
    use StanceLabel::*;
    assert!(feed(&mut agg, &mut tracker, 0, record("Wire", Some("Ann"), Positive, 0.9, "2024-01-01T00:00:10Z"))
        .is_empty());
    assert!(
        feed(&mut agg, &mut tracker, 1, record("Wire", None, Negative, 0.7, "2024-01-01T00:00:50Z")).is_empty()
    );
    assert_eq!(tracker.committable(&tp), Some(0), "the open window holds offset 0");
    // 00:01:20 is not yet 30 s past the first window's end.
    assert!(feed(&mut agg, &mut tracker, 2, record("Wire", Some("Ann"), Neutral, 0.5, "2024-01-01T00:01:20Z"))
        .is_empty());
    let out = feed(&mut agg, &mut tracker, 3, record("Post", Some("Bob"), Positive, 0.8, "2024-01-01T00:01:31Z"));
    assert_eq!(out.len(), 1);
    let records = decode(&out[0]);
    let wire = records.iter().find(|r| r.dimension == Dimension::Source && r.name == "Wire").unwrap();
    assert_eq!((wire.claims, wire.positive, wire.negative, wire.kind.as_str()), (2, 1, 1, "final"));
    assert!((wire.mean_confidence - 0.8).abs() < 1e-9);
    let ann = records.iter().find(|r| r.dimension == Dimension::Speaker).unwrap();
    assert_eq!((ann.name.as_str(), ann.claims), ("Ann", 1));
    assert_eq!(out[0].covers.len(), 1);
    // Acknowledging the window releases its hold; offset 2 is held by the open window.
    tracker.complete(&out[0].covers[0]);
    assert_eq!(tracker.committable(&tp), Some(2));

    // A record for the closed first window is late: it waits for the next tick as an increment.
    assert!(
        feed(&mut agg, &mut tracker, 4, record("Wire", None, Negative, 0.6, "2024-01-01T00:00:05Z")).is_empty()
    );
    let ticked = agg.tick(Instant::now(), &tracker, &Metrics::new("test"));
    assert_eq!(ticked.len(), 1);
    let late = decode(&ticked[0]);
    assert_eq!((late[0].kind.as_str(), late[0].claims, late[0].negative), ("late", 1, 1));
    assert_eq!(late[0].window_start.to_rfc3339(), "2024-01-01T00:00:00+00:00");
}

#[test]
fn idle_flush_emits_open_windows_and_bad_records_are_input_errors() {
    let config = WindowConfig {
        width_seconds: 3600,
        allowed_lateness_seconds: 0,
        idle_flush_ms: 1,
        ..WindowConfig::default()
    };
    let mut agg = Aggregator::new(config, "out".into(), 1 << 20);
    let mut tracker = OffsetTracker::new();
    feed(&mut agg, &mut tracker, 0, record("Wire", None, StanceLabel::Positive, 0.9, "2024-01-01T00:00:10Z"));
    std::thread::sleep(Duration::from_millis(5));
    let out = agg.tick(Instant::now(), &tracker, &Metrics::new("test"));
    assert_eq!(out.len(), 1);
    assert_eq!(decode(&out[0])[0].claims, 1);

    let metrics = Metrics::new("test");
    let tp = TopicPartition::new("s", 0);
    let input = tracker.begin(&tp, 1);
    let message = Incoming { tp, offset: 1, key: None, payload: b"{}".to_vec(), timestamp_ms: None };
    assert_eq!(agg.ingest(&message, &input, &mut tracker, &metrics).unwrap_err().reason(), "invalid_json");
}

#[test]
fn a_revoked_partition_is_dropped_and_its_replay_counted_once_under_new_holds() {
    let config = WindowConfig {
        width_seconds: 60,
        allowed_lateness_seconds: 0,
        idle_flush_ms: 0,
        ..WindowConfig::default()
    };
    let mut agg = Aggregator::new(config, "out".into(), 1 << 20);
    let mut tracker = OffsetTracker::new();
    let metrics = Metrics::new("test");
    let (p0, p1) = (TopicPartition::new("s", 0), TopicPartition::new("s", 1));
    tracker.assign(p0.clone());
    tracker.assign(p1.clone());
    let at = |second: u32| format!("2024-01-01T00:00:{second:02}Z");
    let ann = |second| record("Wire", Some("Ann"), StanceLabel::Positive, 0.5, &at(second));
    for offset in 0..3 {
        assert!(feed_from(&mut agg, &mut tracker, &p0, offset, ann(offset as u32), &metrics).is_empty());
        assert!(feed_from(&mut agg, &mut tracker, &p1, offset, ann(10), &metrics).is_empty());
    }
    assert_eq!((tracker.committable(&p0), tracker.committable(&p1)), (Some(0), Some(0)));

    // A rebalance: p0 comes back to this instance (a new epoch), p1 goes to another one. Nothing was
    // committed past offset 0, so the consumer replays p0 from 0.
    tracker.revoke(&p0);
    tracker.revoke(&p1);
    tracker.assign(p0.clone());
    for offset in 0..4 {
        assert!(feed_from(&mut agg, &mut tracker, &p0, offset, ann(offset as u32), &metrics).is_empty());
    }
    assert_eq!(metrics.window_state_dropped.get(), 6, "three records of each partition dropped");
    // The replayed records are held under the new assignment: nothing of the open window is committable.
    assert_eq!(tracker.committable(&p0), Some(0));

    let out = feed_from(
        &mut agg,
        &mut tracker,
        &p0,
        4,
        record("Wire", Some("Ann"), StanceLabel::Positive, 0.5, "2024-01-01T00:01:00Z"),
        &metrics,
    );
    assert_eq!(out.len(), 1);
    let counts = claims(&out);
    // Four records of p0, each once; p1's three are its new owner's to count.
    assert_eq!(counts[&(Dimension::Speaker, "Ann".to_owned())], 4, "{counts:?}");
    assert_eq!(out[0].covers.len(), 1, "only the current assignment's hold");
    assert!(out[0].covers.iter().all(|c| tracker.is_current(c)));
    assert_eq!(tracker.committable(&p0), Some(0), "held until the window is acknowledged");
    acknowledge(&mut tracker, &out);
    assert_eq!(tracker.committable(&p0), Some(4), "then up to the next open window's hold");
}

#[test]
fn a_partition_revoked_between_records_is_left_out_of_idle_flushes_and_late_increments() {
    let config = WindowConfig {
        width_seconds: 60,
        allowed_lateness_seconds: 0,
        idle_flush_ms: 1,
        ..WindowConfig::default()
    };
    let mut agg = Aggregator::new(config, "out".into(), 1 << 20);
    let mut tracker = OffsetTracker::new();
    let metrics = Metrics::new("test");
    let (p0, p1) = (TopicPartition::new("s", 0), TopicPartition::new("s", 1));
    let rec = |source: &str, time: &str| record(source, None, StanceLabel::Negative, 0.5, time);
    feed_from(&mut agg, &mut tracker, &p0, 0, rec("Wire", "2024-01-01T00:00:10Z"), &metrics);
    feed_from(&mut agg, &mut tracker, &p1, 0, rec("Post", "2024-01-01T00:00:20Z"), &metrics);
    let closed = feed_from(&mut agg, &mut tracker, &p0, 1, rec("Wire", "2024-01-01T00:01:10Z"), &metrics);
    acknowledge(&mut tracker, &closed);
    // Late increments for the closed window from both partitions, then p1 is revoked before the tick.
    feed_from(&mut agg, &mut tracker, &p0, 2, rec("Wire", "2024-01-01T00:00:30Z"), &metrics);
    feed_from(&mut agg, &mut tracker, &p1, 1, rec("Post", "2024-01-01T00:00:40Z"), &metrics);
    feed_from(&mut agg, &mut tracker, &p1, 2, rec("Post", "2024-01-01T00:01:40Z"), &metrics);
    tracker.revoke(&p1);
    std::thread::sleep(Duration::from_millis(5));
    let out = agg.tick(Instant::now(), &tracker, &metrics);
    let counts = claims(&out);
    assert_eq!(counts.get(&(Dimension::Source, "Post".to_owned())), None, "{counts:?}");
    assert_eq!(counts[&(Dimension::Source, "Wire".to_owned())], 2, "the late one and the open window's");
    assert_eq!(metrics.window_state_dropped.get(), 2);
    assert!(out.iter().flat_map(|e| &e.covers).all(|c| c.tp == p0));
}

#[test]
fn event_times_far_from_the_reference_time_are_clamped_to_it() {
    let config = WindowConfig { max_future_seconds: 300, max_past_seconds: 0, ..WindowConfig::default() };
    let now = 1_700_000_000;
    let ms = |secs: i64| Some(secs * 1000);
    // In range: published_at as it is, ahead or behind.
    assert_eq!(event_time(Some(now + 300), ms(now), now, &config), Some((now + 300, None)));
    assert_eq!(event_time(Some(0), ms(now), now, &config), Some((0, None)), "no past limit by default");
    // Too far ahead of the message timestamp: the message timestamp.
    assert_eq!(event_time(Some(now + 301), ms(now - 50), now, &config), Some((now - 50, Some(Clamped::Future))));
    // A message timestamp ahead of the clock is no reference: the clock is.
    assert_eq!(event_time(None, ms(now + 86_400), now, &config), Some((now, Some(Clamped::Future))));
    assert_eq!(event_time(Some(now + 3600), None, now, &config), Some((now, Some(Clamped::Future))));
    assert_eq!(event_time(None, None, now, &config), None);
    let strict = WindowConfig { max_past_seconds: 86_400, ..config };
    assert_eq!(event_time(Some(now - 86_401), ms(now), now, &strict), Some((now, Some(Clamped::Past))));
    assert_eq!(event_time(Some(now - 86_400), ms(now), now, &strict), Some((now - 86_400, None)));
    // Replaying an old record later clamps it the same way: the reference is its own timestamp.
    let old = now - 10 * 86_400;
    assert_eq!(event_time(Some(old + 3600), ms(old), now, &config), Some((old, Some(Clamped::Future))));
}

#[test]
fn one_record_dated_far_ahead_neither_holds_commits_nor_makes_later_records_late() {
    let config = WindowConfig {
        width_seconds: 60,
        allowed_lateness_seconds: 0,
        idle_flush_ms: 0,
        ..WindowConfig::default()
    };
    let mut agg = Aggregator::new(config, "out".into(), 1 << 20);
    let mut tracker = OffsetTracker::new();
    let metrics = Metrics::new("test");
    let tp = TopicPartition::new("s", 0);
    let now = Utc::now().timestamp();
    let minute = |m: i64| (now.div_euclid(60) - 10 + m) * 60;
    let at = |secs: i64| Utc.timestamp_opt(secs, 0).unwrap().to_rfc3339();
    let ingest = |agg: &mut Aggregator, tracker: &mut OffsetTracker, offset: i64, published: i64| {
        let payload = record("Wire", None, StanceLabel::Neutral, 0.5, &at(published));
        let input = tracker.begin(&tp, offset);
        // The message timestamp: the record was produced at minute `offset` + 5 seconds.
        let message = Incoming {
            tp: tp.clone(),
            offset,
            key: None,
            payload,
            timestamp_ms: Some((minute(offset) + 5) * 1000),
        };
        let out = agg.ingest(&message, &input, tracker, &metrics).unwrap();
        tracker.complete(&input);
        acknowledge(tracker, &out);
        out
    };
    ingest(&mut agg, &mut tracker, 0, minute(0) + 1);
    // A publisher's clock (or a typo) says the year 2999.
    let bad = Utc.with_ymd_and_hms(2999, 1, 1, 0, 0, 0).unwrap().timestamp();
    ingest(&mut agg, &mut tracker, 1, bad);
    assert_eq!(metrics.event_time_clamped.with_label_values(&["future"]).get(), 1);
    let mut emitted = Vec::new();
    for offset in 2..6 {
        emitted.extend(ingest(&mut agg, &mut tracker, offset, minute(offset) + 1));
    }
    assert_eq!(metrics.late_records.get(), 0, "on-time records after the bad one are not late");
    let counts = claims(&emitted);
    assert_eq!(counts[&(Dimension::Source, "Wire".to_owned())], 4, "minutes 1 (with the bad one) to 4");
    // The commit moves on to the only open window (minute 5); the bad record holds nothing.
    assert_eq!(tracker.committable(&tp), Some(5));
}
