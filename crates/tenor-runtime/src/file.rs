//! Archived streams: one article message per line of a file (`.gz` is decompressed), or of standard input.
//! A line may also be a Kafka message archived by `tenor archive` ([`crate::archive`]): its payload is the
//! article message, and records point at the message's original topic, partition and offset.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::Arc;

use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use rayon::prelude::*;
use tenor_claims::{ArticleClaims, ClaimsRun, ClaimsRunConfig};
use tenor_core::{DeadLetter, InputError, Origin};
use tenor_pipeline::{Pipeline, ProcessedArticle};

use crate::archive::{is_archive_line, ArchivedMessage};

/// Lines longer than this are cut when read (the rest of the line is skipped), so one runaway line cannot
/// exhaust memory; such a line is over every message limit and is dead-lettered with a truncated payload.
pub const MAX_LINE_BYTES: usize = 256 * 1024 * 1024;

/// Errors of the world (files, pipes), never of the input: the run stops and reports them.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot open {path}")]
    Open { path: String, source: io::Error },
    #[error("cannot read {path}")]
    Read { path: String, source: io::Error },
    #[error("cannot write {what}")]
    Write { what: String, source: io::Error },
    #[error("cannot start worker threads: {0}")]
    Threads(String),
}

/// Opens `path` for reading (`-` is standard input); a `.gz` name is decompressed on the fly.
pub fn open_input(path: &str) -> Result<Box<dyn BufRead + Send>, FileError> {
    let open_err = |source| FileError::Open { path: path.to_owned(), source };
    let raw: Box<dyn Read + Send> =
        if path == "-" { Box::new(io::stdin()) } else { Box::new(File::open(path).map_err(open_err)?) };
    Ok(decode_input(path, raw))
}

/// Buffers the raw bytes of `path` (already opened, e.g. wrapped to count bytes for a progress bar),
/// decompressing them when the name ends in `.gz`.
pub fn decode_input(path: &str, raw: Box<dyn Read + Send>) -> Box<dyn BufRead + Send> {
    let reader: Box<dyn Read + Send> =
        if path.ends_with(".gz") { Box::new(MultiGzDecoder::new(raw)) } else { raw };
    Box::new(BufReader::with_capacity(256 * 1024, reader))
}

/// Opens `path` for writing (`-` is standard output); a `.gz` name is compressed.
pub fn open_output(path: &str) -> Result<Box<dyn Write + Send>, FileError> {
    if path == "-" {
        return Ok(Box::new(BufWriter::with_capacity(256 * 1024, io::stdout())));
    }
    if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| FileError::Open { path: path.to_owned(), source })?;
    }
    let file = File::create(path).map_err(|source| FileError::Open { path: path.to_owned(), source })?;
    if path.ends_with(".gz") {
        Ok(Box::new(BufWriter::new(GzEncoder::new(file, Compression::default()))))
    } else {
        Ok(Box::new(BufWriter::with_capacity(256 * 1024, file)))
    }
}

/// Reads one line (without its `\n` or `\r\n`) into `buf`, keeping at most `cap` bytes.
/// Returns `None` at end of input, else the full length of the line in bytes.
pub fn read_line_capped(reader: &mut dyn BufRead, buf: &mut Vec<u8>, cap: usize) -> io::Result<Option<usize>> {
    buf.clear();
    let mut total = 0usize;
    let mut saw_any = false;
    let mut last_byte = None;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        saw_any = true;
        let (chunk, found_newline) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], true),
            None => (available, false),
        };
        let room = cap.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        total += chunk.len();
        if let Some(&b) = chunk.last() {
            last_byte = Some(b);
        }
        let consumed = chunk.len() + usize::from(found_newline);
        reader.consume(consumed);
        if found_newline {
            break;
        }
    }
    if !saw_any {
        return Ok(None);
    }
    if last_byte == Some(b'\r') {
        if buf.len() == total {
            buf.pop();
        }
        total -= 1;
    }
    Ok(Some(total))
}

/// What a run over a stream did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunStats {
    /// Non-blank input lines read.
    pub messages: u64,
    pub articles: u64,
    pub sentence_records: u64,
    pub dead_letters: u64,
    /// `tenor.claim/1` records written (a cluster's record each time an article changed it).
    pub claim_records: u64,
    /// `tenor.tension/1` records written.
    pub tension_records: u64,
}

/// Where a run writes: records to `output`, rejected messages to `dead_letters`.
#[allow(missing_debug_implementations)]
pub struct RunSinks<'a> {
    pub output: &'a mut dyn Write,
    pub dead_letters: &'a mut dyn Write,
}

/// How a run uses the machine, how its records are tagged, and whether it follows claims across articles.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    /// Worker threads processing messages; output order is the input order whatever this is.
    pub threads: usize,
    /// Messages read ahead and processed together; bounds memory to about this many messages.
    pub batch: usize,
    /// Written into every record's `run_id` (replays); `None` leaves the field out.
    pub run_id: Option<Arc<str>>,
    /// Claim clusters and tensions across the stream (`tenor_claims::ClaimsRun`), after each article's own
    /// records; `None` writes sentence and article records only.
    pub claims: Option<ClaimsRunConfig>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            batch: 256,
            run_id: None,
            claims: None,
        }
    }
}

/// What one input line became, serialised by the workers so that the writer does not pay for JSON encoding.
enum LineOutcome {
    Records {
        json: Vec<u8>,
        sentences: u64,
        claims: u64,
        tensions: u64,
    },
    /// Processed, waiting for the (sequential) claims pass before it is serialised.
    Article(Box<ProcessedArticle>),
    DeadLetter {
        json: Vec<u8>,
    },
}

/// Runs the pipeline over every line of `input`. Bad lines are dead-lettered and the run goes on; only a
/// failure to read or write stops it. `file_name` is what records give as their origin (`-` for stdin);
/// archived Kafka messages ([`crate::archive`]) keep their original topic, partition and offset instead.
///
/// Lines are read in batches and processed in parallel; records are written in input order, each article's
/// sentence records followed by its summary, exactly as a sequential run would. With `options.claims`, each
/// batch's articles then go through the stream's [`ClaimsRun`] in input order (one thread: clusters depend on
/// order), which sets the sentence records' `claim_cluster`, and each article's records are followed by the
/// claim records it changed and its tensions.
pub fn run_stream(
    pipeline: &Pipeline,
    input: &mut dyn BufRead,
    file_name: &str,
    sinks: RunSinks<'_>,
    service: &str,
    options: RunOptions,
    mut on_progress: impl FnMut(&RunStats),
) -> Result<RunStats, FileError> {
    let RunSinks { output, dead_letters } = sinks;
    let run_id = options.run_id.as_deref();
    let mut claims = options.claims.clone().map(ClaimsRun::new);
    let defer = claims.is_some();
    let workers = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.max(1))
        .thread_name(|i| format!("tenor-worker-{i}"))
        .build()
        .map_err(|e| FileError::Threads(e.to_string()))?;
    let mut stats = RunStats::default();
    let mut line_no = 0u64;
    let mut batch: Vec<(u64, Vec<u8>)> = Vec::with_capacity(options.batch);
    let mut spare = Vec::new();
    loop {
        batch.clear();
        let mut at_end = false;
        while batch.len() < options.batch.max(1) {
            let mut line = std::mem::take(&mut spare);
            match read_line_capped(input, &mut line, MAX_LINE_BYTES) {
                Ok(Some(_)) => {}
                Ok(None) => {
                    at_end = true;
                    break;
                }
                Err(source) => return Err(FileError::Read { path: file_name.to_owned(), source }),
            }
            line_no += 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                spare = line;
                continue;
            }
            batch.push((line_no, line));
        }
        let mut outcomes: Vec<LineOutcome> = workers.install(|| {
            batch
                .par_iter()
                .map(|(line, payload)| process_line(pipeline, payload, file_name, *line, service, run_id, defer))
                .collect()
        });
        if let Some(run) = &mut claims {
            let found: Vec<Option<ArticleClaims>> = outcomes
                .iter_mut()
                .map(|outcome| match outcome {
                    LineOutcome::Article(a) => {
                        let title = a.article.title.clone();
                        Some(run.article(&mut a.sentences, title.as_deref(), &a.embeddings))
                    }
                    _ => None,
                })
                .collect();
            outcomes = workers.install(|| {
                outcomes
                    .into_par_iter()
                    .zip(found)
                    .map(|(outcome, found)| match outcome {
                        LineOutcome::Article(a) => encode(&a, found.as_ref().unwrap_or(&ArticleClaims::default())),
                        other => other,
                    })
                    .collect()
            });
        }
        for outcome in outcomes {
            stats.messages += 1;
            match outcome {
                LineOutcome::Records { json, sentences, claims, tensions } => {
                    output.write_all(&json).map_err(|source| write_error("records", source))?;
                    stats.articles += 1;
                    stats.sentence_records += sentences;
                    stats.claim_records += claims;
                    stats.tension_records += tensions;
                }
                LineOutcome::Article(_) => unreachable!("every article is encoded after the claims pass"),
                LineOutcome::DeadLetter { json } => {
                    dead_letters.write_all(&json).map_err(|source| write_error("dead letters", source))?;
                    stats.dead_letters += 1;
                }
            }
        }
        on_progress(&stats);
        if at_end {
            break;
        }
    }
    output.flush().map_err(|source| write_error("records", source))?;
    dead_letters.flush().map_err(|source| write_error("dead letters", source))?;
    Ok(stats)
}

/// Processes one line; with `defer`, an article is returned unserialised (for the claims pass).
fn process_line(
    pipeline: &Pipeline,
    line_bytes: &[u8],
    file: &str,
    line: u64,
    service: &str,
    run_id: Option<&str>,
    defer: bool,
) -> LineOutcome {
    let mut origin = Origin::File { file: file.to_owned(), line };
    let mut archived_payload = None;
    let result = if is_archive_line(line_bytes) {
        ArchivedMessage::parse(line_bytes).and_then(|message| {
            origin = message.origin();
            // A tombstone is an empty message, dead-lettered as `serve` would.
            let payload = message.payload_bytes()?.unwrap_or_default();
            let result = pipeline.process_message(&payload, origin.clone());
            archived_payload = Some(payload);
            result
        })
    } else {
        pipeline.process_message(line_bytes, origin.clone())
    };
    match result {
        Ok(mut processed) => {
            // The run's id, when it has one, wins over one the article message carries.
            if let Some(id) = run_id {
                for record in &mut processed.sentences {
                    record.run_id = Some(id.to_owned());
                }
                processed.article.run_id = Some(id.to_owned());
            }
            if defer {
                LineOutcome::Article(Box::new(processed))
            } else {
                encode(&processed, &ArticleClaims::default())
            }
        }
        Err(error) => {
            let payload = archived_payload.as_deref().unwrap_or(line_bytes);
            let letter = DeadLetter::new(&error, payload, origin, service, usize::MAX);
            let mut json = Vec::with_capacity(line_bytes.len() * 4);
            write_json_line(&mut json, &letter).expect("writing JSON to memory cannot fail");
            LineOutcome::DeadLetter { json }
        }
    }
}

/// An article's records as JSON lines: its sentence records, its summary, then the claim records it changed and
/// its tensions.
fn encode(processed: &ProcessedArticle, found: &ArticleClaims) -> LineOutcome {
    let mut json = Vec::with_capacity(processed.sentences.len() * 2048);
    let memory = "writing JSON to memory cannot fail";
    for record in &processed.sentences {
        write_json_line(&mut json, record).expect(memory);
    }
    write_json_line(&mut json, &processed.article).expect(memory);
    for record in &found.claims {
        write_json_line(&mut json, record).expect(memory);
    }
    for record in &found.tensions {
        write_json_line(&mut json, record).expect(memory);
    }
    LineOutcome::Records {
        json,
        sentences: processed.sentences.len() as u64,
        claims: found.claims.len() as u64,
        tensions: found.tensions.len() as u64,
    }
}

fn write_error(what: &str, source: io::Error) -> FileError {
    FileError::Write { what: what.to_owned(), source }
}

/// Sequential counterpart of [`run_stream`] for the commands that take one line at a time (`tenor segment`,
/// `tenor classify`): reads JSONL lines (blank ones skipped, each capped at [`MAX_LINE_BYTES`]), hands each to
/// `process` with its origin, writes the records it returns to `output` in order and an error as a dead letter
/// naming `service`. `stats.messages` and `stats.dead_letters` are counted here; `process` counts the rest.
#[allow(clippy::too_many_arguments)]
pub fn for_each_line<R: serde::Serialize>(
    input: &mut dyn BufRead,
    file: &str,
    output: &mut dyn Write,
    dead_letters: &mut dyn Write,
    service: &str,
    stats: &mut RunStats,
    mut process: impl FnMut(&[u8], Origin, &mut RunStats) -> Result<Vec<R>, InputError>,
) -> io::Result<()> {
    let mut line = Vec::new();
    let mut line_no = 0;
    while read_line_capped(input, &mut line, MAX_LINE_BYTES)?.is_some() {
        line_no += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        stats.messages += 1;
        let origin = Origin::File { file: file.to_owned(), line: line_no };
        match process(&line, origin.clone(), stats) {
            Ok(records) => {
                for record in &records {
                    write_json_line(output, record)?;
                }
            }
            Err(error) => {
                stats.dead_letters += 1;
                write_json_line(dead_letters, &DeadLetter::new(&error, &line, origin, service, usize::MAX))?;
            }
        }
    }
    dead_letters.flush()
}

/// Writes one value as a JSON line.
pub fn write_json_line<T: serde::Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenor_pipeline::PipelineConfig;

    #[test]
    fn capped_lines_keep_the_length_and_drop_the_rest() {
        let mut input: &[u8] = b"short\r\n0123456789\nlast";
        let mut buf = Vec::new();
        assert_eq!(read_line_capped(&mut input, &mut buf, 4).unwrap(), Some(5));
        assert_eq!(buf, b"shor");
        assert_eq!(read_line_capped(&mut input, &mut buf, 4).unwrap(), Some(10));
        assert_eq!(buf, b"0123");
        assert_eq!(read_line_capped(&mut input, &mut buf, 100).unwrap(), Some(4));
        assert_eq!(buf, b"last");
        assert_eq!(read_line_capped(&mut input, &mut buf, 100).unwrap(), None);
    }

    #[test]
    fn bad_lines_are_dead_lettered_and_the_run_goes_on() {
        let pipeline = Pipeline::new(PipelineConfig::default());
        let mut input: &[u8] =
            b"{\"id\":\"a\",\"body\":\"One. Two.\"}\nnot json\n\n\xff\n{\"id\":\"b\",\"body\":\"Three.\"}\n";
        let (mut out, mut dead) = (Vec::new(), Vec::new());
        let stats = run_stream(
            &pipeline,
            &mut input,
            "in.jsonl",
            RunSinks { output: &mut out, dead_letters: &mut dead },
            "test",
            RunOptions { threads: 2, batch: 2, run_id: None, claims: None },
            |_| {},
        )
        .unwrap();
        assert_eq!(
            stats,
            RunStats { messages: 4, articles: 2, sentence_records: 3, dead_letters: 2, ..RunStats::default() }
        );
        let letters: Vec<serde_json::Value> = dead
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(letters[0]["reason"], "invalid_json");
        assert_eq!(letters[0]["source"]["line"], 2);
        assert_eq!(letters[1]["reason"], "invalid_utf8");
        assert_eq!(letters[1]["payload"], "/w==");
        assert_eq!(letters[1]["source"]["line"], 4);
    }

    #[test]
    fn archived_messages_keep_their_kafka_origin_and_records_carry_the_run_id() {
        use crate::archive::{ArchivedMessage, RawMessage};
        let pipeline = Pipeline::new(PipelineConfig::default());
        let raw = |offset, payload: Option<&'static [u8]>| RawMessage {
            topic: "articles",
            partition: 1,
            offset,
            timestamp_ms: Some(5),
            timestamp_type: None,
            key: Some(b"a"),
            payload,
        };
        let mut input = Vec::new();
        for message in [
            ArchivedMessage::new(raw(7, Some(br#"{"id":"a","body":"One. Two."}"#)), &[]),
            ArchivedMessage::new(raw(8, None), &[]),
        ] {
            write_json_line(&mut input, &message).unwrap();
        }
        input.extend_from_slice(b"{\"id\":\"b\",\"body\":\"Plain.\"}\n");
        let (mut out, mut dead) = (Vec::new(), Vec::new());
        let stats = run_stream(
            &pipeline,
            &mut &input[..],
            "archive.jsonl",
            RunSinks { output: &mut out, dead_letters: &mut dead },
            "test",
            RunOptions { threads: 1, batch: 8, run_id: Some("r1".into()), claims: None },
            |_| {},
        )
        .unwrap();
        assert_eq!(
            stats,
            RunStats { messages: 3, articles: 2, sentence_records: 3, dead_letters: 1, ..RunStats::default() }
        );
        let records: Vec<serde_json::Value> = out
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert!(records.iter().all(|r| r["run_id"] == "r1"));
        assert_eq!(records[0]["source"], serde_json::json!({"topic": "articles", "partition": 1, "offset": 7}));
        assert_eq!(records.last().unwrap()["source"], serde_json::json!({"file": "archive.jsonl", "line": 3}));
        let letter: serde_json::Value = serde_json::from_slice(dead.strip_suffix(b"\n").unwrap()).unwrap();
        assert_eq!(letter["source"]["offset"], 8);
        assert_eq!(letter["payload"], "");
    }
}
