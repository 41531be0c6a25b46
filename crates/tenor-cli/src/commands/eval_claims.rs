//! `tenor eval claims`: the claim clusterer on Perspectrum's perspective clusters (pairwise and B-cubed F1;
//! lexical only, with embeddings, and two baselines) and on a reprint stream of the example articles' claim
//! sentences re-edited as other outlets would (recall of re-edits, originals wrongly merged). Figures and how
//! they were made: docs/CLAIMS.md.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use serde::Serialize;
use tenor_claims::cluster::ClusterConfig;
use tenor_core::{Origin, SentenceKind, SentenceRecord};
use tenor_eval::claims_eval::{
    cluster_ids, evaluate_perspectrum, reprint_scores, reprint_stream, task_records, PerspectrumReport,
    ReprintScores,
};
use tenor_eval::metrics::{cluster_scores, ClusterScores};
use tenor_eval::perspectrum::Perspectrum;
use tenor_pipeline::{Pipeline, PipelineConfig};

use super::{EXAMPLE_STREAM, EXAMPLE_STREAM_NAME};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimSplit {
    /// Perspectrum's train claims (tuning).
    Train,
    /// Perspectrum's dev claims (tuning and the development figure).
    Dev,
    /// Perspectrum's test claims: the final figure, run once; `--sweep` refuses it.
    Test,
}

impl ClaimSplit {
    fn name(self) -> &'static str {
        match self {
            ClaimSplit::Train => "train",
            ClaimSplit::Dev => "dev",
            ClaimSplit::Test => "test",
        }
    }
}

#[derive(Debug, Args)]
pub struct EvalClaimsArgs {
    /// Which Perspectrum split's perspectives to cluster.
    #[arg(long, value_enum, default_value_t = ClaimSplit::Dev)]
    pub split: ClaimSplit,
    /// Folder with Perspectrum's `perspectrum_with_answers_v1.0.json`, `perspective_pool_v1.0.json` and
    /// `dataset_split_v1.0.json`.
    #[arg(long, default_value = "models/data/perspectrum")]
    pub perspectrum: PathBuf,
    /// The encoder's model directory (default: as the encoder tier resolves `models.encoder_dir`, the cache
    /// scripts/fetch-encoder.sh fills).
    #[arg(long, value_name = "DIR")]
    pub encoder_dir: Option<PathBuf>,
    /// How the encoder's dense layers compute: f32 or int8.
    #[arg(long, value_name = "PRECISION", default_value_t)]
    pub encoder_precision: tenor_encoder::Precision,
    /// Lexical clustering only: no encoder is loaded.
    #[arg(long)]
    pub lexical_only: bool,
    /// Score a grid of thresholds on the split (train or dev only) instead of the default configuration.
    #[arg(long)]
    pub sweep: bool,
    /// Leave out the reprint stream.
    #[arg(long)]
    pub no_reprints: bool,
    /// Only the reprint stream: Perspectrum's perspectives are not encoded, and its figures are lexical only.
    #[arg(long, conflicts_with_all = ["no_reprints", "sweep"])]
    pub reprints_only: bool,
    /// Embeddings as the claims service reads them from sentence records: quantised to `i8` and back
    /// (`tenor_core::SentenceEmbedding`), instead of the encoder's floats.
    #[arg(long, conflicts_with = "lexical_only")]
    pub wire_embeddings: bool,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    config: ClusterConfig,
    perspectrum: PerspectrumReport,
    /// Claim sentences of the example stream and their re-edits, lexical only and with embeddings.
    reprints: Option<Reprints>,
}

#[derive(Debug, Serialize)]
struct Reprints {
    source: &'static str,
    lexical: ReprintScores,
    embedding: Option<ReprintScores>,
}

pub fn run(args: EvalClaimsArgs) -> anyhow::Result<ExitCode> {
    if args.sweep && args.split == ClaimSplit::Test {
        bail!("--sweep tunes: it runs on train or dev, never on test");
    }
    let read = |name: &str| -> anyhow::Result<String> {
        let path = args.perspectrum.join(name);
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    let data = Perspectrum::parse(
        &read("perspectrum_with_answers_v1.0.json")?,
        &read("perspective_pool_v1.0.json")?,
        &read("dataset_split_v1.0.json")?,
    )?;
    let task = data.cluster_task(args.split.name())?;
    let encoder = if args.lexical_only {
        None
    } else {
        Some(
            super::load_encoder(args.encoder_dir.as_deref(), args.encoder_precision)
                .context("clustering with embeddings needs the encoder (or run with --lexical-only)")?,
        )
    };
    let embed = |texts: &[&str]| -> anyhow::Result<Option<Vec<Vec<f32>>>> {
        let Some(encoder) = &encoder else { return Ok(None) };
        let started = std::time::Instant::now();
        let encoded = encoder.encode(texts)?;
        eprintln!("encoded {} texts in {:.1} s", texts.len(), started.elapsed().as_secs_f64());
        let vectors = encoded.iter().map(tenor_encoder::Encoded::embedding);
        if args.wire_embeddings {
            return Ok(Some(vectors.map(|v| wire(&v)).collect()));
        }
        Ok(Some(vectors.collect()))
    };
    let texts: Vec<&str> = task.texts.iter().map(String::as_str).collect();
    let embeddings = if args.reprints_only { None } else { embed(&texts)? };
    let config = ClusterConfig::default();
    if args.sweep {
        sweep(&task, embeddings.as_deref(), &config);
        return Ok(ExitCode::SUCCESS);
    }
    let perspectrum = evaluate_perspectrum(args.split.name(), &task, embeddings.as_deref(), &config);

    let reprints = if args.no_reprints {
        None
    } else {
        let originals = example_claims()?;
        let stream = reprint_stream(&originals);
        let records: Vec<SentenceRecord> = stream.iter().map(|i| i.record.clone()).collect();
        let texts: Vec<&str> = records.iter().map(|r| r.text.as_str()).collect();
        let embeddings = embed(&texts)?;
        let lexical = reprint_scores(&stream, &cluster_ids(&records, None, &config.clone().lexical_only()));
        let embedding = embeddings.map(|e| reprint_scores(&stream, &cluster_ids(&records, Some(&e), &config)));
        Some(Reprints { source: EXAMPLE_STREAM_NAME, lexical, embedding })
    };
    let report = Report { config, perspectrum, reprints };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_tables(&report);
    }
    Ok(ExitCode::SUCCESS)
}

/// A vector as it comes back from a sentence record's `embedding` (quantised, then read back).
fn wire(vector: &[f32]) -> Vec<f32> {
    tenor_core::SentenceEmbedding::quantise(vector, "0")
        .and_then(|e| e.values().ok())
        .unwrap_or_else(|| vector.to_vec())
}

/// The claim sentences of the bundled example stream (Wikinews, CC BY 2.5), as `tenor run` scores them with
/// the built-in linear models: `claim.is_claim` true, kind `sentence`.
fn example_claims() -> anyhow::Result<Vec<SentenceRecord>> {
    let models = tenor_runtime::kafka::reload::load_models(None)?;
    let pipeline = Pipeline::with_models(PipelineConfig::default(), models);
    let mut claims = Vec::new();
    for (i, line) in EXAMPLE_STREAM.split(|&b| b == b'\n').filter(|l| !l.is_empty()).enumerate() {
        let origin = Origin::File { file: EXAMPLE_STREAM_NAME.into(), line: i as u64 + 1 };
        let processed = pipeline.process_message(line, origin).map_err(|e| anyhow::anyhow!("{e}"))?;
        claims.extend(
            processed
                .sentences
                .into_iter()
                .filter(|s| s.kind == SentenceKind::Sentence && s.claim.as_ref().is_some_and(|c| c.is_claim)),
        );
    }
    Ok(claims)
}

/// B-cubed and pairwise F1 over a grid of thresholds.
fn sweep(task: &tenor_eval::perspectrum::ClusterTask, embeddings: Option<&[Vec<f32>]>, base: &ClusterConfig) {
    let records = task_records(task);
    println!("| lexical | containment | embedding | margin | support | B3 P | B3 R | B3 F1 | pair P | pair R | pair F1 | clusters |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let row = |config: &ClusterConfig, scores: &ClusterScores, with: bool| {
        let e = |v: f64| if with { format!("{v:.3}") } else { "-".into() };
        println!(
            "| {:.2} | {:.2} | {} | {} | {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {} |",
            config.lexical_threshold,
            config.containment_threshold,
            e(config.embedding_threshold),
            e(config.embedding_margin),
            e(config.lexical_support),
            scores.bcubed.precision,
            scores.bcubed.recall,
            scores.bcubed.f1,
            scores.pairwise.precision,
            scores.pairwise.recall,
            scores.pairwise.f1,
            scores.predicted_clusters
        );
    };
    for lexical in [0.3, 0.4, 0.5, 0.6] {
        let config = ClusterConfig { lexical_threshold: lexical, ..base.clone() }.lexical_only();
        row(&config, &cluster_scores(&task.gold, &cluster_ids(&records, None, &config)), false);
    }
    let Some(embeddings) = embeddings else { return };
    for lexical in [0.3, 0.5] {
        for threshold in [0.75, 0.775, 0.8, 0.825, 0.85] {
            for (margin, support) in [(0.0, 1.0), (0.05, 0.2), (0.1, 0.2)] {
                let config = ClusterConfig {
                    lexical_threshold: lexical,
                    embedding_threshold: threshold,
                    embedding_margin: margin,
                    lexical_support: support,
                    ..base.clone()
                };
                row(&config, &cluster_scores(&task.gold, &cluster_ids(&records, Some(embeddings), &config)), true);
            }
        }
    }
}

fn print_tables(report: &Report) {
    let p = &report.perspectrum;
    println!(
        "Perspectrum {}: {} perspectives, {} gold clusters",
        p.split, p.singletons.items, p.singletons.gold_clusters
    );
    println!(
        "| clustering | clusters | pairwise P | pairwise R | pairwise F1 | B-cubed P | B-cubed R | B-cubed F1 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut rows =
        vec![("every perspective alone", &p.singletons), ("exact text only", &p.exact), ("lexical", &p.lexical)];
    if let Some(e) = &p.embedding {
        rows.push(("lexical + embedding", e));
    }
    for (name, s) in rows {
        println!(
            "| {name} | {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} |",
            s.predicted_clusters,
            s.pairwise.precision,
            s.pairwise.recall,
            s.pairwise.f1,
            s.bcubed.precision,
            s.bcubed.recall,
            s.bcubed.f1
        );
    }
    if let Some(r) = &report.reprints {
        println!(
            "\nReprint stream ({}): {} claim sentences ({} distinct), {} re-edits",
            r.source, r.lexical.originals, r.lexical.distinct_originals, r.lexical.re_edits
        );
        let edits: Vec<&String> = r.lexical.recall_by_edit.keys().collect();
        print!("| clustering | recall | originals wrongly merged |");
        for e in &edits {
            print!(" {e} |");
        }
        println!("\n|---|---|---|{}", "---|".repeat(edits.len()));
        let mut rows = vec![("lexical", &r.lexical)];
        if let Some(e) = &r.embedding {
            rows.push(("lexical + embedding", e));
        }
        for (name, s) in rows {
            print!("| {name} | {:.4} | {:.4} |", s.recall, s.wrongly_merged);
            for e in &edits {
                print!(" {:.4} |", s.recall_by_edit[*e]);
            }
            println!();
        }
    }
}
