//! The progress line of `run` and `replay` on standard error (only when it is a terminal): a bar over the
//! input's bytes with an ETA when its size is known (a file, gzip or not: the bar counts the compressed bytes
//! read, so the ETA needs no first pass; the bundled example), a spinner for standard input; articles/s and
//! sentences/s in its message.

use std::io::{BufRead, Read, Write};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tenor_runtime::file::{decode_input, RunStats};

use crate::commands::{EXAMPLE_STREAM, EXAMPLE_STREAM_NAME};

/// The input to read (`None`: the bundled example stream, `-`: standard input, `.gz` decompressed), its name
/// for records' origins, and a progress bar over its bytes, drawn on standard error only when `visible`.
pub fn open_input(
    input: Option<&str>,
    visible: bool,
) -> anyhow::Result<(ProgressBar, Box<dyn BufRead + Send>, String)> {
    let (bar, raw, name): (ProgressBar, Box<dyn Read + Send>, &str) = match input {
        None => {
            let bar = ProgressBar::new(EXAMPLE_STREAM.len() as u64);
            (bar.clone(), Box::new(bar.wrap_read(EXAMPLE_STREAM)), EXAMPLE_STREAM_NAME)
        }
        Some("-") => {
            let bar = ProgressBar::new_spinner();
            (bar.clone(), Box::new(bar.wrap_read(std::io::stdin())), "-")
        }
        Some(path) => {
            let file = std::fs::File::open(path).with_context(|| format!("cannot open {path}"))?;
            let bar = ProgressBar::new(file.metadata().map(|m| m.len()).unwrap_or(0));
            (bar.clone(), Box::new(bar.wrap_read(file)), path)
        }
    };
    // Standard input has no known size: a spinner with the byte rate instead of a bar with an ETA.
    let template = if bar.length().is_none() {
        "{spinner} {bytes} read, {binary_bytes_per_sec} | {wide_msg}"
    } else {
        "{bar:16} {percent:>3}%, ETA {eta} | {wide_msg}"
    };
    bar.set_style(ProgressStyle::with_template(template).expect("valid template"));
    if !visible {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    Ok((bar, decode_input(name, raw), name.to_owned()))
}

/// Counts per second since `bar` started.
pub fn per_second(count: u64, bar: &ProgressBar) -> f64 {
    count as f64 / bar.elapsed().as_secs_f64().max(1e-3)
}

/// The progress message of a run over a stream.
pub fn run_message(stats: &RunStats, bar: &ProgressBar) -> String {
    format!(
        "{} articles {:.0}/s, {} sentences {:.0}/s",
        stats.articles,
        per_second(stats.articles, bar),
        stats.sentence_records,
        per_second(stats.sentence_records, bar)
    )
}

/// A writer to the terminal the progress line is drawn on: the line is cleared while it writes and drawn
/// again after, so that neither tears the other.
#[derive(Debug)]
pub struct AroundProgress<W> {
    pub bar: ProgressBar,
    pub inner: W,
}

impl<W: Write> Write for AroundProgress<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let AroundProgress { bar, inner } = self;
        bar.suspend(|| inner.write(buf))
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let AroundProgress { bar, inner } = self;
        bar.suspend(|| inner.write_all(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
