//! Model hot reload under load: while `tenor serve` works through a backlog, a broken model file is refused
//! (old model kept, counted) and a new one is swapped in on SIGHUP. Every article's records come out exactly
//! once, each article scored by one model, and from the swap on the records name the new model's sha256.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::broker::{Service, Tansu};
use crate::kafka_split::{complete, copies_of_examples};
use crate::support::{json_lines, repo, tenor};

fn write_atomically(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn wait_for(service: &Service, series: &str, value: f64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while service.metric(series) < value {
        assert!(Instant::now() < deadline, "{series} never reached {value}: {}", service.log_text());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn models_reload_under_load_without_losing_or_duplicating_records() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    for role in ["stance", "sentence_stance", "claim"] {
        std::fs::create_dir_all(models.join(role)).unwrap();
        std::fs::copy(repo().join("models").join(role).join("model.json"), models.join(role).join("model.json"))
            .unwrap();
    }
    // The sentence model: it scores every record's own stance (`model.stance` in the records).
    let stance_file = models.join("sentence_stance/model.json");
    let original = std::fs::read(&stance_file).unwrap();
    let mut candidate: Value = serde_json::from_slice(&original).unwrap();
    candidate["intercept"][2] = (candidate["intercept"][2].as_f64().unwrap() + 0.5).into();
    candidate["version"] = "1.0.0-reloaded".into();
    let candidate = serde_json::to_vec(&candidate).unwrap();
    let sha = |bytes: &[u8]| hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
    let (old_sha, new_sha) = (sha(&original), sha(&candidate));

    let (_, messages) = copies_of_examples(dir.path(), 4);
    let broker = Tansu::start();
    broker.create_topics(&["articles"], 2);
    let models_arg = models.to_str().unwrap();
    let mut serve =
        Service::start(&broker, "serve", &["--models", models_arg, "--set", "models.watch_interval_ms=0"]);
    assert!(serve.metrics().contains(&old_sha), "the starting model is exported in tenor_model_info");

    // A backlog the service needs a while to work through, produced while it runs.
    let at_swap = std::thread::scope(|scope| {
        scope.spawn(|| {
            for chunk in messages.chunks(13) {
                broker.produce("articles", chunk);
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        wait_for(&serve, "tenor_records_produced_total{topic=\"tenor.articles\"}", 10.0);

        // A half-written file: refused, the old model keeps scoring.
        std::fs::write(&stance_file, &original[..original.len() / 3]).unwrap();
        serve.hangup();
        wait_for(&serve, "tenor_model_reloads_total{outcome=\"refused\"}", 1.0);
        assert_eq!(serve.metric("tenor_model_reloads_total{outcome=\"loaded\"}"), 0.0);

        // The new model, written atomically: loaded.
        write_atomically(&stance_file, &candidate);
        serve.hangup();
        wait_for(&serve, "tenor_model_reloads_total{outcome=\"loaded\"}", 1.0);
        serve.metric("tenor_records_produced_total{topic=\"tenor.articles\"}")
    });
    assert!(at_swap < messages.len() as f64, "the reload must happen mid-stream ({at_swap} articles done)");
    assert!(serve.metrics().contains(&new_sha), "tenor_model_info names the new model");

    // Expected records: the input as `tenor run` sees it (same split, whatever the model).
    let input = dir.path().join("articles.jsonl");
    let run = tenor().args(["run", "--no-claims", "--no-tensions", "-i"]).arg(&input).output().unwrap();
    let expected = json_lines(&run.stdout);
    let sentences = broker.read_until("tenor.sentences", Duration::from_secs(180), complete(&expected));
    let articles = broker.read_at_least(
        "tenor.articles",
        messages.len(),
        Duration::from_secs(60),
        Duration::from_millis(500),
    );

    // Nothing lost, nothing twice.
    let mut seen: HashMap<(String, u64), usize> = HashMap::new();
    for record in &sentences {
        let key = (
            record.value["article_id"].as_str().unwrap().to_owned(),
            record.value["sentence_index"].as_u64().unwrap(),
        );
        *seen.entry(key).or_default() += 1;
    }
    let expected_sentences = expected.iter().filter(|r| r["schema"] == "tenor.sentence/1").count();
    assert_eq!(seen.len(), expected_sentences, "every sentence record arrived");
    assert!(seen.values().all(|&n| n == 1), "no sentence record twice");
    assert_eq!(articles.len(), messages.len(), "one summary per article");

    // Each article scored by one model; old model before the swap, new after, per partition.
    let mut per_article: HashMap<&str, &str> = HashMap::new();
    for record in &sentences {
        let sha = record.value["model"]["stance"]["sha256"].as_str().unwrap();
        assert!(sha == old_sha || sha == new_sha, "unknown model {sha}");
        let first = per_article.entry(record.value["article_id"].as_str().unwrap()).or_insert(sha);
        assert_eq!(*first, sha, "an article mixes models");
    }
    let mut switched: HashMap<i32, bool> = HashMap::new();
    for record in &articles {
        let is_new = record.value["model"]["stance"]["sha256"] == new_sha;
        let before = switched.entry(record.partition).or_insert(false);
        assert!(is_new || !*before, "partition {} went back to the old model", record.partition);
        *before |= is_new;
    }
    let new_articles = articles.iter().filter(|r| r.value["model"]["stance"]["sha256"] == new_sha).count();
    assert!(
        new_articles > 0 && new_articles < articles.len(),
        "{new_articles} of {} on the new model",
        articles.len()
    );
    assert!(serve.log_text().contains("model reload refused"), "the refusal is logged");
    let (status, _) = serve.terminate();
    assert!(status.success());
}
