use serde_json::{json, Value};

use crate::text::MAX_TEXT_CHARS;
use crate::{Caps, IngestOutcome, Query, View};

fn sentence(article: &str, index: u64, outlet: &str, speaker: Option<&str>, stance: &str, time: &str) -> Value {
    json!({
        "schema": "tenor.sentence/1", "article_id": article, "sentence_index": index,
        "text": format!("{article} claim {index}"), "span": {"start": 0, "end": 10}, "kind": "sentence",
        "processed_at": "2030-01-01T00:00:00Z", "published_at": time, "article_source": outlet,
        "claim": {"is_claim": true, "score": 0.9, "kind": "attributed"},
        "attribution": speaker.map(|s| json!({"speaker": {"text": s, "span": {"start": 0, "end": 1}, "resolved": null},
            "cue": {"text": "said", "span": {"start": 0, "end": 1}}, "content": null, "quote": null})),
        "stance": {"label": stance, "confidence": 0.75, "probs": {}, "evidence": []},
        "hedge": {"hedged": true, "cues": [{"text": "reportedly", "span": {"start": 0, "end": 1}}], "certainty": 0.5},
        "targets": [], "model": {}
    })
}

fn article(id: &str, outlet: &str, title: &str, time: &str) -> Value {
    json!({"schema": "tenor.article/1", "article_id": id, "processed_at": "2030-01-01T00:00:00Z",
        "published_at": time, "article_source": outlet, "title": title, "url": "javascript:alert(1)",
        "counts": {"sentences": 3, "headings": 0, "characters": 100}})
}

fn member(article: &str, outlet: &str, time: &str) -> Value {
    json!({"article_id": article, "sentence_index": 0, "text": "Talks were productive", "outlet": outlet, "time": time})
}

fn cluster(id: &str, outlets: &[&str], members: u64) -> Value {
    json!({"schema": "tenor.claim/1", "cluster_id": id, "canonical": member("a", outlets[0], "2026-12-01T10:00:00Z"),
        "first_seen": member("a", outlets[0], "2026-12-01T10:00:00Z"),
        "latest": member("b", outlets[outlets.len() - 1], "2026-12-01T12:00:00Z"),
        "members": members, "outlets": outlets, "outlet_count": outlets.len(),
        "speakers": [{"name": "envoys", "claims": members}],
        "stance": {"negative": 0, "neutral": 0, "positive": members, "mean_confidence": 0.7}})
}

fn tension(id: &str, left: (&str, &str), right: (&str, &str), time: &str) -> Value {
    let side = |(outlet, speaker): (&str, &str), stance: &str| {
        json!({"article_id": format!("{outlet}-1"), "sentence_index": 0, "text": format!("{speaker} quote"),
            "outlet": outlet, "speaker": speaker, "stance": stance, "polarity": 0.5, "confidence": 0.8, "time": time})
    };
    json!({"schema": "tenor.tension/1", "tension_id": id, "scope": "story",
        "subject": {"text": "talks", "link": "target", "strength": 1.0},
        "sides": [side(left, "positive"), side(right, "negative")], "score": 0.4})
}

fn query(pairs: &[(&str, &str)]) -> Query {
    Query::from_pairs(pairs.iter().copied()).unwrap()
}

#[test]
fn articles_come_newest_first_with_their_claims_in_sentence_order() {
    let mut view = View::new(Caps::default());
    view.ingest(&sentence("old", 1, "Wire", Some("envoys"), "positive", "2026-12-01T10:00:00Z"));
    view.ingest(&sentence("new", 2, "Post", Some("officials"), "negative", "2026-12-01T12:00:00Z"));
    view.ingest(&sentence("new", 0, "Post", None, "neutral", "2026-12-01T12:00:00Z"));
    view.ingest(&article("new", "Post", "Later story", "2026-12-01T12:00:00Z"));
    let snap = view.snapshot(&Query::default());
    let ids: Vec<&str> = snap.articles.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["new", "old"]);
    let new = &snap.articles[0];
    assert_eq!(new.title.as_deref(), Some("Later story"));
    assert_eq!(new.claims.iter().map(|c| c.index).collect::<Vec<_>>(), [0, 2]);
    assert_eq!(new.claims[1].anchor, "article-new-s2");
    assert_eq!(new.claims[1].hedges, ["reportedly"]);
    assert_eq!(new.url, None, "only http(s) links are kept");
}

#[test]
fn sentences_without_a_claim_and_other_schemas_are_ignored_and_garbage_is_counted() {
    let mut view = View::new(Caps::default());
    let mut plain = sentence("a", 0, "Wire", None, "neutral", "2026-12-01T10:00:00Z");
    plain["claim"] = json!({"is_claim": false, "score": 0.1, "kind": null});
    assert_eq!(view.ingest(&plain), IngestOutcome::Ignored);
    assert_eq!(view.ingest(&json!({"schema": "tenor.dead_letter/1"})), IngestOutcome::Ignored);
    assert_eq!(view.ingest_line(b"{not json"), IngestOutcome::Invalid);
    assert_eq!(view.ingest_line(b"[1,2]"), IngestOutcome::Invalid);
    assert_eq!(view.ingest_line(br#"{"schema":"tenor.sentence/1","article_id":7}"#), IngestOutcome::Invalid);
    let snap = view.snapshot(&Query::default());
    assert!(snap.articles.is_empty());
    assert_eq!((snap.totals.records, snap.totals.invalid), (2, 3));
}

#[test]
fn every_list_stays_within_its_cap_under_a_flood() {
    let caps =
        Caps { articles: 10, claims_per_article: 5, speaker_claims: 50, clusters: 7, tensions: 4, per_entry: 3 };
    let mut view = View::new(caps);
    for k in 0..2_000u64 {
        let id = format!("a{}", k % 97);
        let time = format!("2026-12-01T{:02}:{:02}:00Z", (k / 60) % 24, k % 60);
        view.ingest(&sentence(&id, k % 13, "Wire", Some(&format!("s{}", k % 31)), "positive", &time));
        view.ingest(&cluster(&format!("c{k}"), &["A", "B", "C", "D", "E"], k));
        view.ingest(&tension(&format!("t{k}"), ("Wire", "x"), ("Post", "y"), &time));
    }
    assert!(view.articles.len() <= 10);
    assert!(view.articles.values().all(|a| a.claims.len() <= 5));
    assert_eq!(view.speaker_claims.len(), 50);
    assert_eq!(view.clusters.len(), 7);
    assert!(view.clusters.values().all(|c| c.outlets.len() <= 3));
    assert_eq!(view.tensions.len(), 4);
    // The newest survive.
    assert!(view.clusters.contains_key("c1999"));
    assert_eq!(view.tensions[0].id, "t1999");
    let snap = view.snapshot(&Query::default());
    assert!(snap.buckets.count as i64 <= crate::snapshot::MAX_BUCKETS);
    assert!(snap.speakers.iter().all(|s| s.series.len() == snap.buckets.count));
}

#[test]
fn a_redelivered_record_is_counted_once() {
    let mut view = View::new(Caps::default());
    let s = sentence("a", 0, "Wire", Some("envoys"), "positive", "2026-12-01T10:00:00Z");
    let t = tension("t1", ("Wire", "envoys"), ("Post", "officials"), "2026-12-01T10:00:00Z");
    for _ in 0..3 {
        view.ingest(&s);
        view.ingest(&t);
    }
    let snap = view.snapshot(&Query::default());
    assert_eq!(snap.speakers[0].claims, 1);
    assert_eq!(snap.tensions.len(), 1);
    assert_eq!(snap.articles[0].claims.len(), 1);
}

#[test]
fn filters_narrow_every_panel() {
    let mut view = View::new(Caps::default());
    view.ingest(&sentence("w1", 0, "Wire", Some("envoys"), "positive", "2026-12-01T10:00:00Z"));
    view.ingest(&sentence("w1", 1, "Wire", Some("officials"), "negative", "2026-12-01T10:00:00Z"));
    view.ingest(&sentence("p1", 0, "Post", Some("envoys"), "positive", "2026-12-02T10:00:00Z"));
    view.ingest(&cluster("c-wire", &["Wire", "Post"], 2));
    view.ingest(&cluster("c-daily", &["Daily"], 1));
    view.ingest(&tension("t1", ("Wire", "envoys"), ("Wire", "officials"), "2026-12-01T10:00:00Z"));
    view.ingest(&tension("t2", ("Daily", "mayor"), ("Herald", "council"), "2026-12-03T10:00:00Z"));

    let all = view.snapshot(&Query::default());
    assert_eq!(all.articles.len(), 2);
    assert_eq!(all.speakers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["envoys", "officials"]);
    assert_eq!(all.all_sources, ["Daily", "Post", "Wire"]);
    assert_eq!(all.clusters[0].id, "c-wire", "two outlets rank above one");
    assert_eq!(all.tensions[0].id, "t2", "newest first");

    let wire = view.snapshot(&query(&[("source", "Wire")]));
    assert_eq!(wire.articles.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["w1"]);
    assert_eq!(wire.clusters.len(), 1);
    assert_eq!(wire.tensions.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["t1"]);
    assert_eq!(
        wire.speakers.iter().map(|s| (s.name.as_str(), s.claims)).collect::<Vec<_>>(),
        [("envoys", 1), ("officials", 1)]
    );

    let officials = view.snapshot(&query(&[("speaker", "officials")]));
    assert_eq!(officials.articles.len(), 1);
    assert_eq!(officials.articles[0].claims.len(), 1, "only the speaker's claims");
    assert_eq!(officials.speakers.len(), 1);
    assert_eq!(officials.tensions.len(), 1);
    assert!(officials.clusters.is_empty());
    assert_eq!(officials.all_speakers.len(), 2, "the menus keep every choice");

    let day2 = view.snapshot(&query(&[("from", "2026-12-02T00:00:00Z"), ("to", "2026-12-02T23:59:59Z")]));
    assert_eq!(day2.articles.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["p1"]);
    assert!(day2.tensions.is_empty());
    assert!(day2.clusters.is_empty(), "both clusters ended on day 1");
    let day1_noon = view.snapshot(&query(&[("from", "2026-12-01T11:00:00Z"), ("to", "2026-12-01T11:30:00Z")]));
    assert_eq!(
        day1_noon.clusters.len(),
        2,
        "alive in the range: first seen before its end, latest after its start"
    );
    let later = view.snapshot(&query(&[("from", "2026-12-05")]));
    assert!(later.articles.is_empty() && later.clusters.is_empty() && later.speakers.is_empty());
}

#[test]
fn speakers_carry_a_stance_mix_per_time_bucket() {
    let mut view = View::new(Caps::default());
    view.ingest(&sentence("a", 0, "Wire", Some("envoys"), "positive", "2026-12-01T10:00:00Z"));
    view.ingest(&sentence("b", 0, "Wire", Some("envoys"), "negative", "2026-12-01T12:30:00Z"));
    view.ingest(&sentence("c", 0, "Wire", Some("envoys"), "negative", "2026-12-01T12:40:00Z"));
    let snap = view.snapshot(&Query::default());
    assert_eq!(snap.buckets.width_ms, 900_000, "2 h 40 min fits in 24 buckets of 15 min");
    let envoys = &snap.speakers[0];
    assert_eq!((envoys.mix.positive, envoys.mix.negative), (1, 2));
    assert_eq!(envoys.series.first().unwrap().positive, 1);
    assert_eq!(envoys.series.last().unwrap().negative, 2);
    assert_eq!(envoys.series.iter().map(|m| m.negative + m.positive).sum::<u64>(), 3);
}

#[test]
fn hostile_text_is_stored_clipped_and_without_control_characters() {
    let mut view = View::new(Caps::default());
    let huge = "A".repeat(200_000);
    let mut s = sentence("<script>alert(1)</script>", 0, "Wire", Some(&huge), "positive", "2026-12-01T10:00:00Z");
    s["text"] = json!(format!("<script>alert(1)</script> \u{202e}מחמאות {huge}\u{0}"));
    assert_eq!(view.ingest_line(s.to_string().as_bytes()), IngestOutcome::Kept);
    let snap = view.snapshot(&Query::default());
    let claim = &snap.articles[0].claims[0];
    assert!(
        claim.text.starts_with("<script>alert(1)</script> מחמאות"),
        "text is kept as text, the override dropped"
    );
    assert_eq!(claim.text.chars().count(), MAX_TEXT_CHARS + 1);
    assert!(claim.text.ends_with('…'));
    assert!(claim.speaker.as_ref().unwrap().chars().count() <= crate::text::MAX_NAME_CHARS + 1);
    let json = serde_json::to_string(&snap).unwrap();
    assert!(json.len() < 10_000, "a 200 KB word does not reach the page: {} bytes", json.len());
}

#[test]
fn times_read_in_every_form_the_page_sends() {
    let z = crate::parse_time("2026-12-01T10:00:00Z").unwrap();
    assert_eq!(crate::parse_time("2026-12-01T10:00").unwrap(), z);
    assert_eq!(crate::parse_time("2026-12-01T11:00:00+01:00").unwrap(), z);
    assert_eq!(crate::parse_time(&z.to_string()).unwrap(), z);
    assert_eq!(crate::parse_time("2026-12-01").unwrap(), z - 10 * 3_600_000);
    assert!(crate::parse_time("yesterday").is_err());
    assert!(Query::from_pairs([("from", "nope")]).is_err());
    assert_eq!(Query::from_pairs([("source", " "), ("x", "y")]).unwrap(), Query::default());
}
