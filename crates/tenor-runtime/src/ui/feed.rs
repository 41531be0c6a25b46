//! Filling the page's [`View`](tenor_view::View): from a records file (JSON lines as `tenor run` writes them;
//! `-` is standard input; optionally followed as it grows) or from Kafka's output topics, read from their
//! beginning by a plain consumer that joins no group and commits nothing (like `tenor archive`): the page
//! never disturbs the services' offsets. Both run on a thread of their own: blocking reads, one write lock
//! per record.

use std::io::{self, BufRead};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use super::{FeedHealth, SharedView};
use crate::config::KafkaConfig;
use crate::kafka::consumer_config;

/// The longest record line the page reads; longer lines are skipped whole (no record is that long).
pub const MAX_RECORD_BYTES: usize = 8 * 1024 * 1024;

/// The output topics the page reads by default.
pub const DEFAULT_TOPICS: [&str; 4] = ["tenor.sentences", "tenor.articles", "tenor.claims", "tenor.tensions"];

/// Faults of the world while feeding; they stop the command.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("cannot open {path}")]
    Open { path: String, source: io::Error },
    #[error("cannot read {path}")]
    Read { path: String, source: io::Error },
    #[error("Kafka client error while {during}: {source}")]
    Kafka { during: &'static str, source: rdkafka::error::KafkaError },
}

/// Reads record lines from `path` (`-` is standard input; `.gz` is decompressed) into `view` until the end,
/// or, with `follow`, forever, picking up lines appended to the file. Lines that are not records are
/// counted by the view and skipped.
pub fn feed_file(
    path: &str,
    follow: bool,
    view: &SharedView,
    health: &FeedHealth,
    stop: &AtomicBool,
) -> Result<(), FeedError> {
    let mut reader = crate::file::open_input(path).map_err(|e| match e {
        crate::file::FileError::Open { path, source } => FeedError::Open { path, source },
        other => FeedError::Open { path: path.to_owned(), source: io::Error::other(other.to_string()) },
    })?;
    health.set_started();
    let mut line = Vec::new();
    let mut oversized = false;
    while !stop.load(Ordering::SeqCst) {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => return Err(FeedError::Read { path: path.to_owned(), source }),
        };
        if available.is_empty() {
            if !follow {
                // A last line without its newline is still a record.
                if !line.is_empty() && !oversized {
                    ingest(view, &line);
                }
                return Ok(());
            }
            // Following: a partial last line waits for the rest of it.
            std::thread::sleep(Duration::from_millis(250));
            continue;
        }
        let (chunk, newline) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], true),
            None => (available, false),
        };
        if line.len() + chunk.len() > MAX_RECORD_BYTES {
            oversized = true;
            line.clear();
        } else if !oversized {
            line.extend_from_slice(chunk);
        }
        let used = chunk.len() + usize::from(newline);
        reader.consume(used);
        if newline {
            if oversized {
                tracing::warn!(limit = MAX_RECORD_BYTES, "skipped a record line over the limit");
                view.write().unwrap_or_else(|p| p.into_inner()).ingest_line(b"");
            } else if !line.iter().all(u8::is_ascii_whitespace) {
                ingest(view, &line);
            }
            line.clear();
            oversized = false;
        }
    }
    Ok(())
}

fn ingest(view: &SharedView, line: &[u8]) {
    view.write().unwrap_or_else(|p| p.into_inner()).ingest_line(line);
}

/// Reads `topics` from their beginning into `view` until `stop` is set. Topics or partitions that appear
/// later (a service created them after the page started) are picked up: metadata is read again every few
/// seconds.
pub fn feed_kafka(
    kafka: &KafkaConfig,
    topics: &[String],
    view: &SharedView,
    health: &FeedHealth,
    stop: &AtomicBool,
) -> Result<(), FeedError> {
    let consumer: BaseConsumer = consumer_config(kafka)
        .create()
        .map_err(|source| FeedError::Kafka { during: "creating the consumer", source })?;
    let mut assigned: Vec<(String, i32)> = Vec::new();
    let mut next_metadata = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        if Instant::now() >= next_metadata {
            let complete = assign_new_partitions(&consumer, topics, &mut assigned, health);
            next_metadata =
                Instant::now() + if complete { Duration::from_secs(10) } else { Duration::from_secs(1) };
        }
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(message)) => {
                if let Some(payload) = message.payload() {
                    if payload.len() <= MAX_RECORD_BYTES {
                        ingest(view, payload);
                    }
                }
            }
            Some(Err(error)) => {
                tracing::warn!(%error, "Kafka consumer error (retrying)");
                std::thread::sleep(Duration::from_millis(500));
            }
            None => {}
        }
    }
    Ok(())
}

/// Adds every partition of `topics` not yet read, from its beginning. True when every topic was found.
fn assign_new_partitions(
    consumer: &BaseConsumer,
    topics: &[String],
    assigned: &mut Vec<(String, i32)>,
    health: &FeedHealth,
) -> bool {
    let mut complete = true;
    let mut new = TopicPartitionList::new();
    for topic in topics {
        let metadata = match consumer.fetch_metadata(Some(topic), Duration::from_secs(5)) {
            Ok(metadata) => metadata,
            Err(error) => {
                tracing::warn!(%error, topic, "cannot read topic metadata (retrying)");
                complete = false;
                continue;
            }
        };
        health.set_started();
        let partitions: Vec<i32> = metadata
            .topics()
            .iter()
            .filter(|t| t.name() == topic && t.error().is_none())
            .flat_map(|t| t.partitions().iter().map(|p| p.id()))
            .collect();
        if partitions.is_empty() {
            complete = false;
        }
        for partition in partitions {
            if !assigned.iter().any(|(t, p)| t == topic && *p == partition) {
                assigned.push((topic.clone(), partition));
                if let Err(error) = new.add_partition_offset(topic, partition, Offset::Beginning) {
                    tracing::warn!(%error, topic, partition, "cannot add a partition");
                }
            }
        }
    }
    if new.count() > 0 {
        match consumer.incremental_assign(&new) {
            Ok(()) => tracing::info!(partitions = new.count(), "reading new partitions from their beginning"),
            Err(error) => {
                tracing::warn!(%error, "cannot assign partitions (retrying)");
                assigned.retain(|(t, p)| new.find_partition(t, *p).is_none());
                complete = false;
            }
        }
    }
    complete
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, RwLock};
    use tenor_view::{Query, View};

    #[test]
    fn a_records_file_is_read_and_a_followed_file_picks_up_appended_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.jsonl");
        let article = |id: &str| {
            format!(r#"{{"schema":"tenor.article/1","article_id":"{id}","processed_at":"2026-12-01T10:00:00Z"}}"#)
        };
        std::fs::write(&path, format!("{}\nnot json\n\n{}", article("a1"), article("a2"))).unwrap();
        let view: SharedView = Arc::new(RwLock::new(View::default()));
        let health = FeedHealth::default();
        let path_text = path.to_str().unwrap().to_owned();
        feed_file(&path_text, false, &view, &health, &AtomicBool::new(false)).unwrap();
        assert!(health.is_started());
        let snap = view.read().unwrap().snapshot(&Query::default());
        assert_eq!(snap.articles.len(), 2, "the last line needs no newline");
        assert_eq!(snap.totals.invalid, 1);

        let followed: SharedView = Arc::new(RwLock::new(View::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (followed, stop, path_text) = (followed.clone(), stop.clone(), path_text.clone());
            std::thread::spawn(move || feed_file(&path_text, true, &followed, &FeedHealth::default(), &stop))
        };
        let count = || followed.read().unwrap().snapshot(&Query::default()).articles.len();
        let deadline = Instant::now() + Duration::from_secs(10);
        while count() < 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(count(), 1, "a partial last line waits while following");
        let mut file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        write!(file, "\n{}\n", article("a3")).unwrap();
        while count() < 3 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(count(), 3);
        stop.store(true, Ordering::SeqCst);
        thread.join().unwrap().unwrap();
    }
}
