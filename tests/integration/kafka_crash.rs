//! Every service survives `kill -9` mid-stream against a real broker (Tansu, SQLite storage): restarted, it
//! replays from its group's committed offset and nothing is lost; the aggregator's windows come out exact. (The
//! scorer's crash test is `kafka_split::killing_the_scorer_mid_stream_loses_nothing`.)

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use crate::broker::{Message, Service, Tansu};
use crate::kafka_aggregate::{sentence, Totals};
use crate::kafka_serve::{check_outputs, expected_records, sentence_total};
use crate::kafka_split::{complete, copies_of_examples, has_all};

/// Waits until `series` of `service` reaches `at_least`, then kills the service with SIGKILL. Returns the value
/// reached, after checking that it is below `total`: the kill landed with work left.
pub fn kill_mid_stream(service: &mut Service, series: &str, at_least: f64, total: f64) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    let reached = loop {
        let value = service.metric(series);
        if value >= at_least {
            break value;
        }
        assert!(Instant::now() < deadline, "{} made no progress: {}", service.name, service.log_text());
        std::thread::sleep(Duration::from_millis(5));
    };
    service.kill_hard();
    assert!(reached < total, "{} finished ({reached} of {total}) before it could be killed", service.name);
    reached
}

#[test]
fn killing_serve_mid_stream_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (input, messages) = copies_of_examples(dir.path(), 8);
    let expected = expected_records(Some(&input));
    let total = sentence_total(&expected);

    let broker = Tansu::start_durable();
    broker.create_topics(&["articles"], 2);
    broker.produce("articles", &messages);
    let mut serve = Service::start(&broker, "serve", &["--set", "delivery.max_in_flight=16"]);
    let series = r#"tenor_records_produced_total{topic="tenor.sentences"}"#;
    let at_kill = kill_mid_stream(&mut serve, series, total as f64 / 3.0, total as f64);

    serve.restart(&broker, &[]);
    let sentences = broker.read_until("tenor.sentences", Duration::from_secs(120), complete(&expected));
    assert!(has_all(&expected, &sentences), "records missing after the restart: {}", serve.log_text());
    let articles = broker.read_at_least(
        "tenor.articles",
        messages.len(),
        Duration::from_secs(60),
        Duration::from_millis(500),
    );
    let duplicates = check_outputs(&expected, &sentences, &articles, true);
    eprintln!("serve crash test: {total} sentence records, {duplicates} duplicates after kill -9 at ~{at_kill}");
    assert_eq!(serve.metric(r#"tenor_skipped_offsets_total{topic="articles"}"#), 0.0);
    assert_eq!(sentences.len(), total + duplicates);
}

#[test]
fn killing_the_segmenter_mid_stream_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, messages) = copies_of_examples(dir.path(), 8);
    let ids: HashSet<String> = messages.iter().map(|(key, _)| key.clone().unwrap()).collect();

    let broker = Tansu::start_durable();
    broker.create_topics(&["articles"], 2);
    broker.produce("articles", &messages);
    let mut segmenter = Service::start(&broker, "segmenter", &["--set", "delivery.max_in_flight=8"]);
    let series = r#"tenor_records_produced_total{topic="tenor.segments"}"#;
    let at_kill = kill_mid_stream(&mut segmenter, series, ids.len() as f64 / 3.0, ids.len() as f64);

    segmenter.restart(&broker, &[]);
    let mut missing = ids.clone();
    let segments = broker.read_until("tenor.segments", Duration::from_secs(120), |r| {
        missing.remove(r.key.as_deref().unwrap_or_default());
        missing.is_empty()
    });
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for record in &segments {
        let id = record.key.clone().unwrap_or_default();
        assert_eq!(record.value["article"]["id"].as_str(), Some(id.as_str()), "keyed by its article id");
        assert_eq!(record.value["schema"], "tenor.segments/1");
        *seen.entry(id).or_default() += 1;
    }
    let lost: Vec<&String> = ids.iter().filter(|id| !seen.contains_key(*id)).collect();
    assert!(lost.is_empty(), "articles never segmented: {lost:?}\n{}", segmenter.log_text());
    let duplicates: usize = seen.values().map(|n| n - 1).sum();
    eprintln!("segmenter crash test: {} articles, {duplicates} duplicates after kill -9 at ~{at_kill}", ids.len());
    assert_eq!(segmenter.metric(r#"tenor_skipped_offsets_total{topic="articles"}"#), 0.0);
}

/// One partition of sentence records in event-time order, `per_window` a minute over `windows` minutes; the
/// aggregator is killed once it has emitted some windows (with later windows open and some emitted ones
/// perhaps not yet committed) and restarted. Every window comes out, and any window emitted twice (its records
/// replayed because the commit had not yet passed them) is emitted with the same counts: the totals, one
/// record per (dimension, name, window, kind), are exact.
#[test]
fn killing_the_aggregator_mid_stream_keeps_its_windows_exact() {
    const WINDOWS: usize = 30;
    const PER_WINDOW: usize = 40;
    let speakers = ["Ann", "Bob", "Cho", "Dee"];
    let sources = ["Wire", "Post", "Daily"];
    let labels = ["positive", "neutral", "negative"];
    let mut want = Totals::new();
    let mut messages: Vec<Message> = Vec::new();
    for k in 0..WINDOWS * PER_WINDOW {
        let (minute, second) = (k / PER_WINDOW, k % PER_WINDOW);
        let (speaker, source, label) = (speakers[k % 4], sources[k % 3], labels[k % 3]);
        let published = format!("2024-01-01T00:{minute:02}:{second:02}Z");
        let record = sentence(&format!("k{k}"), 0, source, Some(speaker), label, 0.5, &published);
        messages.push((Some(format!("k{k}")), record.to_string().into_bytes()));
        let window = format!("2024-01-01T00:{minute:02}:00Z");
        for (dimension, name) in [("speaker", speaker), ("source", source)] {
            let e = want.entry((dimension.to_owned(), name.to_owned(), window.clone())).or_default();
            e.0 += 1;
            match label {
                "positive" => e.1 += 1,
                "neutral" => e.2 += 1,
                _ => e.3 += 1,
            }
        }
    }
    let (first_half, second_half) = messages.split_at(messages.len() / 2);

    let broker = Tansu::start_durable();
    broker.create_topics(&["tenor.sentences"], 1);
    let flags = [
        "--window-seconds",
        "60",
        "--set",
        "window.allowed_lateness_seconds=0",
        "--set",
        "window.idle_flush_ms=1000",
    ];
    broker.produce("tenor.sentences", first_half);
    let mut aggregator = Service::start(&broker, "aggregator", &flags);
    let series = r#"tenor_windows_emitted_total{kind="final"}"#;
    // Each window is emitted as 7 records (4 speakers, 3 sources).
    let at_kill = kill_mid_stream(&mut aggregator, series, 3.0 * 7.0, (WINDOWS * 7) as f64);
    broker.produce("tenor.sentences", second_half);
    aggregator.restart(&broker, &flags);

    let out = broker.read_until("tenor.speakers", Duration::from_secs(120), {
        let (mut seen, want) = (Vec::new(), want.clone());
        move |r| {
            seen.push(r.clone());
            distinct_windows(&seen).0 == want
        }
    });
    let all = broker.read_at_least("tenor.speakers", out.len(), Duration::from_secs(30), Duration::from_secs(2));
    let (totals, kinds, duplicates) = distinct_windows(&all);
    assert_eq!(totals, want, "{}", aggregator.log_text());
    assert_eq!(kinds, ["final".to_owned()].into(), "records in event-time order are never late");
    eprintln!("aggregator crash test: {WINDOWS} windows, {duplicates} window records repeated after kill -9 at ~{at_kill}");
    assert_eq!(aggregator.metric(r#"tenor_skipped_offsets_total{topic="tenor.sentences"}"#), 0.0);
}

/// Window records with one per (dimension, name, window start, kind): the totals per (dimension, name, window
/// start), the kinds seen and the number of repeats. A repeat must carry the same counts.
fn distinct_windows(records: &[crate::broker::Record]) -> (Totals, HashSet<String>, usize) {
    type Key = (String, String, String, String);
    let mut distinct: BTreeMap<Key, (u64, u64, u64, u64)> = BTreeMap::new();
    let mut repeats = 0;
    for r in records {
        let v = &r.value;
        let [d, n, w, k] =
            ["dimension", "name", "window_start", "kind"].map(|f| v[f].as_str().unwrap().to_owned());
        let [c, p, u, g] = ["claims", "positive", "neutral", "negative"].map(|f| v[f].as_u64().unwrap());
        if let Some(before) = distinct.insert((d, n, w, k), (c, p, u, g)) {
            assert_eq!(before, (c, p, u, g), "a window emitted twice with different counts: {v}");
            repeats += 1;
        }
    }
    let kinds = distinct.keys().map(|k| k.3.clone()).collect();
    let mut totals = Totals::new();
    for ((d, n, w, _), (c, p, u, g)) in distinct {
        let e = totals.entry((d, n, w)).or_default();
        *e = (e.0 + c, e.1 + p, e.2 + u, e.3 + g);
    }
    (totals, kinds, repeats)
}
