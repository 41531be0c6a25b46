//! The digest sink: the JSON lines [`crate::file::run_stream`] writes, read back into records and rendered by
//! [`tenor_digest::Digest`] for a person (`tenor run` and `tenor replay` at a terminal, or `--format digest`).
//!
//! It is a [`Write`], so `run_stream` is unchanged and writes exactly what it writes to a file: the digest
//! sees the records a pipe would get. `run_stream` writes each article's sentence records followed by its
//! summary, in input order, so an article's block is printed as soon as its summary line arrives.

use std::io::{self, Write};

use tenor_core::{ArticleRecord, SentenceRecord, TensionRecord, ARTICLE_SCHEMA, SENTENCE_SCHEMA, TENSION_SCHEMA};
use tenor_digest::{tension_lines, Digest, Totals};

/// Tensions shown per article, strongest first (all of them are on the records).
const TENSIONS_SHOWN: usize = 3;

/// A records output that prints a digest to `out` instead of the records.
#[derive(Debug)]
pub struct DigestWriter<W: Write> {
    digest: Digest,
    out: W,
    /// The part of the current line received so far.
    line: Vec<u8>,
    /// The tensions that followed the last article, shown as one block (the strongest few) before the next
    /// record.
    tensions: Vec<TensionRecord>,
}

/// Whether `line` is a record of `schema` (records are written with `schema` first).
fn has_schema(line: &[u8], schema: &str) -> bool {
    line.strip_prefix(b"{\"schema\":\"")
        .and_then(|rest| rest.strip_prefix(schema.as_bytes()))
        .is_some_and(|rest| rest.first() == Some(&b'"'))
}

fn invalid(error: serde_json::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error)
}

impl<W: Write> DigestWriter<W> {
    pub fn new(digest: Digest, out: W) -> DigestWriter<W> {
        DigestWriter { digest, out, line: Vec::new(), tensions: Vec::new() }
    }

    /// Writes the summary (`dead_letters`: the run's count of rejected messages, which go to the dead-letter
    /// output, not here) and flushes; returns the totals shown.
    pub fn finish(mut self, dead_letters: u64) -> io::Result<Totals> {
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.record(&line)?;
        }
        self.flush_tensions()?;
        self.out.write_all(self.digest.summary(dead_letters).as_bytes())?;
        self.out.flush()?;
        Ok(self.digest.totals().clone())
    }

    fn flush_tensions(&mut self) -> io::Result<()> {
        if !self.tensions.is_empty() {
            let mut tensions = std::mem::take(&mut self.tensions);
            tensions.sort_by(|a, b| b.score.total_cmp(&a.score));
            let mut lines: Vec<String> = tensions.iter().take(TENSIONS_SHOWN).flat_map(tension_lines).collect();
            if tensions.len() > TENSIONS_SHOWN {
                lines.push(format!("… {} weaker tensions on the records", tensions.len() - TENSIONS_SHOWN));
            }
            let block = self.digest.tensions(&lines);
            self.out.write_all(block.as_bytes())?;
            self.out.flush()?;
        }
        Ok(())
    }

    fn record(&mut self, line: &[u8]) -> io::Result<()> {
        if has_schema(line, TENSION_SCHEMA) {
            let record: TensionRecord = serde_json::from_slice(line).map_err(invalid)?;
            self.tensions.push(record);
            return Ok(());
        }
        self.flush_tensions()?;
        if has_schema(line, SENTENCE_SCHEMA) {
            let record: SentenceRecord = serde_json::from_slice(line).map_err(invalid)?;
            self.digest.sentence(&record);
        } else if has_schema(line, ARTICLE_SCHEMA) {
            let record: ArticleRecord = serde_json::from_slice(line).map_err(invalid)?;
            let block = self.digest.article(&record);
            self.out.write_all(block.as_bytes())?;
            self.out.flush()?;
        }
        // Claim records (`tenor.claim/1`) are not part of the digest: the clusters are on the records.
        Ok(())
    }
}

impl<W: Write> Write for DigestWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            if self.line.is_empty() {
                self.record(&rest[..end])?;
            } else {
                self.line.extend_from_slice(&rest[..end]);
                let line = std::mem::take(&mut self.line);
                self.record(&line)?;
            }
            rest = &rest[end + 1..];
        }
        self.line.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::{run_stream, RunOptions, RunSinks};
    use tenor_digest::DigestOptions;
    use tenor_pipeline::{Pipeline, PipelineConfig};

    const INPUT: &[u8] =
        b"{\"id\":\"a\",\"title\":\"First\",\"body\":\"Talks failed, officials said. The sky is blue.\"}\n\
        not json\n\
        {\"id\":\"b\",\"body\":\"Prices may rise, the bank said.\"}\n";

    fn records(input: &[u8]) -> (Vec<u8>, u64) {
        let pipeline = Pipeline::new(PipelineConfig::default());
        let (mut out, mut dead) = (Vec::new(), Vec::new());
        let stats = run_stream(
            &pipeline,
            &mut &input[..],
            "in.jsonl",
            RunSinks { output: &mut out, dead_letters: &mut dead },
            "test",
            RunOptions { threads: 1, batch: 2, run_id: None, claims: None },
            |_| {},
        )
        .unwrap();
        (out, stats.dead_letters)
    }

    #[test]
    fn the_digest_of_run_stream_output_has_each_article_and_the_totals_of_its_records() {
        let (jsonl, dead_letters) = records(INPUT);
        let mut printed = Vec::new();
        let mut sink = DigestWriter::new(Digest::new(DigestOptions::default()), &mut printed);
        // Byte by byte: a line split over writes is put back together.
        for byte in &jsonl {
            sink.write_all(std::slice::from_ref(byte)).unwrap();
        }
        let totals = sink.finish(dead_letters).unwrap();
        let text = String::from_utf8(printed).unwrap();
        assert!(text.starts_with("▌ First\n"), "{text}");
        assert!(text.contains("▌ b\n"), "no title: the article id: {text}");
        let lines: Vec<&str> = std::str::from_utf8(&jsonl).unwrap().lines().collect();
        let sentences = lines.iter().filter(|l| has_schema(l.as_bytes(), SENTENCE_SCHEMA)).count() as u64;
        assert_eq!((totals.articles, totals.sentences), (2, sentences));
        assert!(text.contains("Summary: 2 articles · 3 sentences"), "{text}");
        assert!(text.contains(" · 1 dead letter"), "{text}");
    }

    #[test]
    fn schema_is_read_from_the_line_prefix() {
        assert!(has_schema(br#"{"schema":"tenor.sentence/1","x":1}"#, SENTENCE_SCHEMA));
        assert!(!has_schema(br#"{"schema":"tenor.sentence/10"}"#, SENTENCE_SCHEMA));
        assert!(!has_schema(br#"{"schema":"tenor.article/1"}"#, SENTENCE_SCHEMA));
        assert!(!has_schema(b"", ARTICLE_SCHEMA));
    }
}
