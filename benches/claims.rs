//! Claim clustering throughput with a full window: `ClaimIndex::assign` per claim sentence with 1,000,000
//! clusters already in the index, lexical only and with 384-d embeddings, on one core; and the memory per
//! claim (`state_bytes` and the process's resident set before and after filling). Figures: docs/CLAIMS.md and
//! docs/PERFORMANCE.md.
//!
//! The window's sentences are spread over the window's 72 hours, oldest first. While measuring, each sentence
//! that opens a cluster moves the clock on by one sentence's share of the window, so the oldest cluster expires
//! as a new one opens (expiry is part of the measured work) and the index stays at the window's size (as long
//! as the measurement opens fewer clusters than three quarters of the window: at 1M, by far).
//!
//! The sentences are synthetic: 12-30 words, content words drawn from a Zipf-Mandelbrot vocabulary of 50,000
//! made-up words (weight 1 / (rank + 20): the most frequent content word is 0.6 % of content words, about
//! what "year" or "people" are in news once stop words are out) with stop words between them, so LSH
//! buckets fill as with real text rather than all colliding or all unique. Of the sentences assigned while measuring, a third are exact reprints of a
//! sentence in the window, a third near-duplicates (two words changed, a clause cut), a third new claims.
//! Embeddings are random unit vectors (a near-duplicate's is its original's plus noise, cosine about 0.9);
//! real sentence embeddings are less uniform, so their hyperplane buckets are fuller than here.
//!
//! Criterion's times are on-CPU time of the benchmark thread (`/proc/thread-self/schedstat`), so that the
//! figure is per core on a machine shared with other work; the wall-clock rate is printed beside it.
//! `CLAIMS_BENCH_WINDOW` sets the number of clusters filled first (default 1,000,000).
//!
//! `CLAIMS_BENCH_COMMON=c` (0 to 1, default 0) gives every embedding a share of one fixed direction, so that two
//! unrelated sentences have cosine about `c` instead of 0: a stand-in for real sentence embeddings, which
//! crowd together (sentences on one topic at 0.5-0.7). With c = 0.6 the hyperplane buckets fill up to
//! `max_bucket_candidates` and nearly every candidate gets past the sign sketch: the embedding step's worst
//! case. `CLAIMS_BENCH_INDEX=lexical` or `embedding` runs only that index.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tenor_claims::cluster::{ClaimIndex, ClusterConfig};
use tenor_core::{Claim, ClaimKind, Origin, SentenceKind, SentenceRecord, Span};

const STOP: [&str; 12] = ["the", "of", "to", "and", "in", "said", "that", "for", "on", "with", "was", "a"];

fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

struct Corpus {
    words: Vec<String>,
    /// Cumulative Zipf weights.
    cumulative: Vec<f64>,
}

impl Corpus {
    fn new() -> Corpus {
        let syllables =
            ["ka", "lo", "mi", "tren", "sor", "vel", "dan", "qui", "pra", "zu", "ber", "ont", "ess", "ray"];
        let words: Vec<String> = (0..50_000u64)
            .map(|i| {
                let mut h = mix(i + 1);
                let n = 2 + (h % 3) as usize;
                (0..n)
                    .map(|_| {
                        h = mix(h);
                        syllables[(h % syllables.len() as u64) as usize]
                    })
                    .collect::<String>()
                    + &i.to_string()
            })
            .collect();
        let mut total = 0.0;
        let cumulative = (1..=words.len())
            .map(|r| {
                total += 1.0 / (r + 20) as f64;
                total
            })
            .collect();
        Corpus { words, cumulative }
    }

    fn word(&self, h: u64) -> &str {
        let total = *self.cumulative.last().unwrap();
        let x = (h >> 11) as f64 / (1u64 << 53) as f64 * total;
        let i = self.cumulative.partition_point(|&c| c < x).min(self.words.len() - 1);
        &self.words[i]
    }

    /// Sentence `n`: deterministic in `n`.
    fn sentence(&self, n: u64) -> String {
        let mut h = mix(n ^ 0x5e17);
        let len = 12 + (h % 19) as usize;
        let mut out = String::new();
        for i in 0..len {
            h = mix(h);
            let word = if i % 3 == 2 { STOP[(h % STOP.len() as u64) as usize] } else { self.word(h) };
            if i == 0 {
                let mut c = word.chars();
                out.extend(c.next().map(|c| c.to_ascii_uppercase()));
                out.push_str(c.as_str());
            } else {
                out.push(' ');
                out.push_str(word);
            }
        }
        out.push('.');
        out
    }

    /// A near-duplicate of sentence `n`: two words replaced, the last fifth cut.
    fn near_duplicate(&self, n: u64, salt: u64) -> String {
        let original = self.sentence(n);
        let mut words: Vec<&str> = original.trim_end_matches('.').split(' ').collect();
        let keep = words.len() - words.len() / 5;
        words.truncate(keep);
        let mut h = mix(salt);
        for _ in 0..2 {
            h = mix(h);
            let i = (h % words.len() as u64) as usize;
            words[i] = self.word(mix(h));
        }
        words.join(" ") + ", officials told reporters."
    }
}

/// `CLAIMS_BENCH_COMMON` (see the top).
fn common_share() -> f32 {
    static SHARE: OnceLock<f32> = OnceLock::new();
    *SHARE.get_or_init(|| {
        std::env::var("CLAIMS_BENCH_COMMON").ok().and_then(|v| v.parse().ok()).unwrap_or(0.0f32).clamp(0.0, 1.0)
    })
}

/// A random unit vector, with `common_share()` of the fixed direction `random_unit(u64::MAX)` mixed in.
fn embedding(seed: u64, out: &mut [f32]) {
    random_unit(seed, out);
    let c = common_share();
    if c > 0.0 {
        static COMMON: OnceLock<Vec<f32>> = OnceLock::new();
        let common = COMMON.get_or_init(|| {
            let mut v = vec![0.0f32; 384];
            random_unit(u64::MAX, &mut v);
            v
        });
        // cos(a, b) = c for two of these when their random parts are orthogonal.
        out.iter_mut().zip(common).for_each(|(v, w)| *v = (1.0 - c).sqrt() * *v + c.sqrt() * w);
        let norm = out.iter().map(|v| v * v).sum::<f32>().sqrt();
        out.iter_mut().for_each(|v| *v /= norm);
    }
}

fn random_unit(seed: u64, out: &mut [f32]) {
    let mut h = mix(seed ^ 0xe3b);
    for v in out.iter_mut() {
        h = mix(h);
        // A sum of uniforms: close enough to Gaussian for a random direction.
        *v = ((h & 0xffff) as f32 + ((h >> 16) & 0xffff) as f32 + ((h >> 32) & 0xffff) as f32) / 65536.0 - 1.5;
    }
    let norm = out.iter().map(|v| v * v).sum::<f32>().sqrt();
    out.iter_mut().for_each(|v| *v /= norm);
}

fn noisy(seed: u64, salt: u64, out: &mut [f32]) {
    embedding(seed, out);
    let mut noise = vec![0.0f32; out.len()];
    embedding(salt ^ 0xabc, &mut noise);
    out.iter_mut().zip(&noise).for_each(|(v, n)| *v += 0.45 * n);
}

fn record(n: u64, text: String, at: DateTime<Utc>) -> SentenceRecord {
    let mut r = SentenceRecord::unanalysed(
        format!("article-{n}"),
        (n % 40) as usize,
        text,
        Span::new(0, 1),
        SentenceKind::Sentence,
        Origin::File { file: "-".into(), line: 1 },
        at,
    );
    r.article_source = Some(format!("outlet-{}", n % 500));
    r.claim = Some(Claim { is_claim: true, score: 0.9, kind: ClaimKind::Assertion });
    r
}

/// Time this thread has spent on a CPU, in nanoseconds (`/proc/thread-self/schedstat`): throughput "on one
/// core" on a machine shared with other work, where wall time would count the time other processes ran.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat").ok()?.split_whitespace().next()?.parse().ok()
}

fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb * 1024)
}

fn bench_claims(c: &mut Criterion) {
    let window: u64 = std::env::var("CLAIMS_BENCH_WINDOW").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let corpus = Corpus::new();
    let at = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
    let mut group = c.benchmark_group("claims");
    group.sample_size(10).measurement_time(Duration::from_secs(10)).warm_up_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(1));
    let only = std::env::var("CLAIMS_BENCH_INDEX").ok();
    for with_embeddings in [false, true] {
        let name = if with_embeddings { "embedding" } else { "lexical" };
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let config =
            if with_embeddings { ClusterConfig::default() } else { ClusterConfig::default().lexical_only() };
        let rss_before = rss_bytes();
        // Sentence n of the stream at `time(n)`: the window's sentences spread over the window, the oldest first.
        let span = i128::from(config.window_seconds) * 1000;
        let time =
            |n: u64| at + chrono::Duration::milliseconds((i128::from(n) * span / i128::from(window)) as i64);
        let mut index = ClaimIndex::new(config);
        let mut e = vec![0.0f32; 384];
        let (started, cpu_started) = (Instant::now(), cpu_ns());
        for n in 0..window {
            embedding(n, &mut e);
            index.assign(&record(n, corpus.sentence(n), time(n)), with_embeddings.then_some(e.as_slice()));
        }
        let fill = started.elapsed();
        let fill_cpu = cpu_ns().zip(cpu_started).map(|(b, a)| Duration::from_nanos(b - a));
        let rss_after = rss_bytes();
        let claims = index.len().max(1) as f64;
        eprintln!(
            "claims/{name}: filled {} clusters from {window} sentences in {:.1} s wall, {:.1} s on CPU ({:.0} \
             sentences per CPU second); state_bytes {} ({:.0} bytes/claim); RSS {:?} -> {:?} ({:.0} bytes/claim)",
            index.len(),
            fill.as_secs_f64(),
            fill_cpu.map_or(f64::NAN, |d| d.as_secs_f64()),
            window as f64 / fill_cpu.unwrap_or(fill).as_secs_f64(),
            index.state_bytes(),
            index.state_bytes() as f64 / claims,
            rss_before,
            rss_after,
            match (rss_before, rss_after) {
                (Some(b), Some(a)) => a.saturating_sub(b) as f64 / claims,
                _ => f64::NAN,
            }
        );
        let mut next = window;
        // Clusters opened while measuring. Each moves the clock one sentence of the stream on, so that the
        // oldest cluster of the window expires as one opens: the window stays at `window` clusters, their slots
        // are reused and no array of the index grows (a growing index would copy its arrays when they double,
        // inside the measurement). Reprints and near-duplicates pick a sentence at least a quarter of the
        // window from its oldest end, so that none of them is renewed shortly before the clock would expire it.
        let mut opened = 0u64;
        let margin = window / 4;
        let (mut wall_total, mut cpu_total, mut assigned) = (Duration::ZERO, Duration::ZERO, 0u64);
        group.bench_function(format!("assign_1m_window/{name}"), |b| {
            b.iter_custom(|iters| {
                let mut queries: Vec<(SentenceRecord, Vec<f32>)> = (0..iters)
                    .map(|_| {
                        next += 1;
                        let live = window.saturating_sub(opened + margin).max(1);
                        let pick = (opened + margin + mix(next) % live).min(window - 1);
                        let mut v = vec![0.0f32; 384];
                        let text = match next % 3 {
                            0 => {
                                embedding(pick, &mut v);
                                corpus.sentence(pick)
                            }
                            1 => {
                                noisy(pick, next, &mut v);
                                corpus.near_duplicate(pick, next)
                            }
                            _ => {
                                embedding(next << 20, &mut v);
                                corpus.sentence(next << 20)
                            }
                        };
                        (record(next, text, at), v)
                    })
                    .collect();
                let (started, cpu_started) = (Instant::now(), cpu_ns());
                for (r, v) in &mut queries {
                    r.processed_at = time(window + opened);
                    let assigned = index.assign(r, with_embeddings.then_some(v.as_slice()));
                    opened += u64::from(assigned.as_ref().is_some_and(|a| a.is_new));
                    std::hint::black_box(assigned);
                }
                let wall = started.elapsed();
                // On-CPU time when the kernel tells it (see `cpu_ns`), else wall time.
                let cpu = cpu_ns().zip(cpu_started).map(|(b, a)| Duration::from_nanos(b - a));
                wall_total += wall;
                cpu_total += cpu.unwrap_or(wall);
                assigned += iters;
                cpu.unwrap_or(wall)
            })
        });
        eprintln!(
            "claims/{name}: measured {assigned} assignments: {:.0} per CPU second, {:.0} per wall second; {} clusters, \
             state_bytes {}",
            assigned as f64 / cpu_total.as_secs_f64(),
            assigned as f64 / wall_total.as_secs_f64(),
            index.len(),
            index.state_bytes()
        );
        drop(index);
    }
    group.finish();
}

criterion_group!(benches, bench_claims);
criterion_main!(benches);
