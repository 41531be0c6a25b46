//! `tenor eval tension`: how well tension's opposition rule tells opposing statements apart
//! (docs/CLAIMS.md, "Tension"). Two tasks (`tenor_eval::opposition`): Perspectrum (a claim and two of its
//! perspectives: do they oppose?) and IBM Claim Stance (two claims of one topic: PRO versus CON?). Variants:
//!
//! - `majority`: the majority class of the task's train pairs, for every pair;
//! - `linear`: tension's rule (`tenor_claims::tension::opposed` at the default `min_polarity`) on the linear
//!   sentence-stance model's polarity of each statement;
//! - `encoder`: the same rule on the encoder tier's sentence-stance head;
//! - `head`: an experiment, a learned scorer of each statement's side relative to its context (logistic
//!   regression over `[c⊙s, |c−s|]` of the context's and the statement's sentence embeddings, L2 chosen by
//!   cross-validation on train grouped by context, Platt-calibrated); opposing iff the two predicted sides
//!   differ (p ≥ 0.5). Trained on the task's train split; IBM has no dev split, so its dev figure is
//!   out-of-fold over train.
//!
//! `--split dev` reports Perspectrum dev and IBM train (cross-validated); `--split test` the test splits, for
//! the final figure only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use serde::Serialize;
use tenor_claims::tension::{opposed, polarity, TensionConfig};
use tenor_eval::ibm_claim_stance::read_claim_stance;
use tenor_eval::opposition::{pairs, perspectrum_contexts, Context, OppositionScores, Pair};
use tenor_train::head::{train_head, HeadConfig, VectorExample};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TensionSplit {
    /// Perspectrum dev; IBM train, cross-validated (IBM has no dev split).
    Dev,
    /// The test splits: the final figure, run once.
    Test,
}

#[derive(Debug, Args)]
pub struct EvalTensionArgs {
    #[arg(long, value_enum, default_value_t = TensionSplit::Dev)]
    pub split: TensionSplit,
    /// Perspectrum's folder (`perspectrum_with_answers_v1.0.json`, `perspective_pool_v1.0.json`,
    /// `dataset_split_v1.0.json`).
    #[arg(long, default_value = "models/data/perspectrum")]
    pub perspectrum: PathBuf,
    /// IBM Claim Stance's CSV.
    #[arg(long, default_value = "models/data/ibm_claim_stance/claim_stance_dataset_v1.csv")]
    pub ibm: PathBuf,
    /// At most this many claim pairs per IBM topic (a fixed hash chooses them).
    #[arg(long, default_value_t = 200)]
    pub ibm_pairs_per_topic: usize,
    /// The encoder's model directory (default: the cache scripts/fetch-encoder.sh fills). Without the
    /// encoder's files only `majority` and `linear` are reported.
    #[arg(long, value_name = "DIR")]
    pub encoder_dir: Option<PathBuf>,
    /// Head experiment: L2 strengths to choose from by cross-validation on train.
    #[arg(long, value_delimiter = ',', default_value = "1,10,100")]
    pub alphas: Vec<f64>,
    /// Write the figures as JSON here too.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// One task's data: its train contexts and the contexts scored, with their pairs.
struct Task {
    name: &'static str,
    train: Vec<Context>,
    /// The contexts the figures are on (for IBM `--split dev`, train itself).
    scored: Vec<Context>,
    scored_is_train: bool,
    pairs: Vec<Pair>,
    train_majority: bool,
}

/// `--split dev` only: the rule's scores over a range of `min_polarity` (the product keeps its default unless
/// dev says otherwise; never chosen on test).
const SWEEP: [f64; 6] = [0.0, 0.1, 0.25, 0.4, 0.55, 0.7];

#[derive(Debug, Serialize)]
struct SweepRow {
    task: &'static str,
    variant: &'static str,
    min_polarity: f64,
    #[serde(flatten)]
    scores: OppositionScores,
}

#[derive(Debug, Serialize)]
struct Row {
    task: &'static str,
    variant: &'static str,
    #[serde(flatten)]
    scores: OppositionScores,
}

pub fn run(args: EvalTensionArgs) -> anyhow::Result<ExitCode> {
    let tasks = load_tasks(&args)?;
    let rule = TensionConfig::default();
    let linear = tenor_pipeline::Models::shipped()?;
    let mut rows: Vec<Row> = Vec::new();
    let mut sweep: Vec<SweepRow> = Vec::new();
    let mut sweep_of = |task: &'static str, variant: &'static str, pairs: &[Pair], polarities: &[Vec<f64>]| {
        if args.split == TensionSplit::Dev {
            let gold: Vec<bool> = pairs.iter().map(|p| p.opposing).collect();
            for min_polarity in SWEEP {
                let scores = OppositionScores::of(&gold, &predict_rule(pairs, polarities, min_polarity));
                sweep.push(SweepRow { task, variant, min_polarity, scores });
            }
        }
    };
    let encoder = load_encoder(args.encoder_dir.as_deref());
    if let Err(e) = &encoder {
        eprintln!("encoder not loaded ({e:#}): reporting majority and linear only");
    }
    for task in &tasks {
        let gold: Vec<bool> = task.pairs.iter().map(|p| p.opposing).collect();
        rows.push(Row {
            task: task.name,
            variant: "majority",
            scores: OppositionScores::of(&gold, &vec![task.train_majority; gold.len()]),
        });
        let linear_polarity = |text: &str| -> anyhow::Result<f64> {
            let stance = linear.sentence_stance.stance(text, None).map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(polarity(&stance.probs).unwrap_or(0.0))
        };
        let polarities = statement_values(&task.scored, linear_polarity)?;
        let predicted = predict_rule(&task.pairs, &polarities, rule.min_polarity);
        sweep_of(task.name, "linear", &task.pairs, &polarities);
        rows.push(Row { task: task.name, variant: "linear", scores: OppositionScores::of(&gold, &predicted) });
        let Ok((encoder, weights_sha256)) = &encoder else { continue };
        eprintln!("{}: encoding", task.name);
        let vectors = Vectors::encode(encoder, &task.train, &task.scored)?;
        let head = tenor_models::Head::from_bytes(tenor_models::shipped::ENCODER_SENTENCE_STANCE)?;
        let polarities: Vec<Vec<f64>> = vectors
            .scored_pooled
            .iter()
            .map(|ctx| {
                ctx.iter()
                    .map(|x| {
                        let p = head.probabilities(x);
                        p[2] - p[0]
                    })
                    .collect()
            })
            .collect();
        let predicted = predict_rule(&task.pairs, &polarities, rule.min_polarity);
        sweep_of(task.name, "encoder", &task.pairs, &polarities);
        rows.push(Row { task: task.name, variant: "encoder", scores: OppositionScores::of(&gold, &predicted) });
        eprintln!("{}: training the head experiment", task.name);
        let sides = head_sides(task, &vectors, encoder, weights_sha256, &args.alphas)?;
        let predicted: Vec<bool> =
            task.pairs.iter().map(|p| (sides[p.context][p.a] >= 0.5) != (sides[p.context][p.b] >= 0.5)).collect();
        rows.push(Row { task: task.name, variant: "head", scores: OppositionScores::of(&gold, &predicted) });
    }
    print_rows(&args, &tasks, &rows);
    if !sweep.is_empty() {
        println!("\n| task | variant | min_polarity | predicted opposing | accuracy | F1 (opposing) |");
        println!("|---|---|---|---|---|---|");
        for r in &sweep {
            let s = &r.scores;
            println!(
                "| {} | {} | {:.2} | {} | {:.4} | {:.4} |",
                r.task, r.variant, r.min_polarity, s.predicted, s.accuracy, s.f1
            );
        }
    }
    if let Some(path) = &args.json {
        let value = serde_json::json!({
            "split": args.split, "min_polarity": rule.min_polarity, "rows": rows, "min_polarity_sweep": sweep
        });
        std::fs::write(path, serde_json::to_vec_pretty(&value)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn load_tasks(args: &EvalTensionArgs) -> anyhow::Result<Vec<Task>> {
    let read = |p: &Path| std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()));
    let dir = &args.perspectrum;
    let (answers, pool, splits) = (
        read(&dir.join("perspectrum_with_answers_v1.0.json"))?,
        read(&dir.join("perspective_pool_v1.0.json"))?,
        read(&dir.join("dataset_split_v1.0.json"))?,
    );
    let split = match args.split {
        TensionSplit::Dev => "dev",
        TensionSplit::Test => "test",
    };
    let p_train = perspectrum_contexts(&answers, &pool, &splits, "train")?;
    let p_scored = perspectrum_contexts(&answers, &pool, &splits, split)?;
    let csv = read(&args.ibm)?;
    let i_train = read_claim_stance(&csv, "train")?;
    let (i_scored, ibm_is_train) = match args.split {
        TensionSplit::Dev => (i_train.clone(), true),
        TensionSplit::Test => (read_claim_stance(&csv, "test")?, false),
    };
    // Every pair of a Perspectrum claim's clusters (at most 15 clusters a claim); IBM capped per topic.
    let task = |name, train: Vec<Context>, scored: Vec<Context>, scored_is_train, cap| {
        let train_pairs = pairs(&train, cap);
        let opposing = train_pairs.iter().filter(|p| p.opposing).count();
        let pairs = pairs(&scored, cap);
        Task { name, train, scored, scored_is_train, pairs, train_majority: 2 * opposing >= train_pairs.len() }
    };
    Ok(vec![
        task("perspectrum", p_train, p_scored, false, 1000),
        task("ibm_claim_stance", i_train, i_scored, ibm_is_train, args.ibm_pairs_per_topic),
    ])
}

fn load_encoder(dir: Option<&Path>) -> anyhow::Result<(tenor_encoder::Encoder, String)> {
    let encoder = super::load_encoder(dir, tenor_encoder::Precision::F32)?;
    Ok((encoder, tenor_encoder::Manifest::default_encoder().weights_sha256))
}

/// `f` of every statement, by context.
fn statement_values(
    contexts: &[Context],
    mut f: impl FnMut(&str) -> anyhow::Result<f64>,
) -> anyhow::Result<Vec<Vec<f64>>> {
    contexts.iter().map(|c| c.statements.iter().map(|s| f(&s.text)).collect()).collect()
}

/// Tension's rule on each pair.
fn predict_rule(pairs: &[Pair], polarities: &[Vec<f64>], min_polarity: f64) -> Vec<bool> {
    pairs.iter().map(|p| opposed(polarities[p.context][p.a], polarities[p.context][p.b], min_polarity)).collect()
}

/// Encoder vectors of the contexts and statements: each distinct text encoded once.
struct Vectors {
    /// Unit sentence embeddings by text.
    embedding: BTreeMap<String, Vec<f32>>,
    /// The sentence head's input (mean pool) of each scored statement, by context.
    scored_pooled: Vec<Vec<Vec<f32>>>,
}

impl Vectors {
    fn encode(encoder: &tenor_encoder::Encoder, train: &[Context], scored: &[Context]) -> anyhow::Result<Vectors> {
        let mut texts: Vec<&str> = Vec::new();
        for c in train.iter().chain(scored) {
            texts.push(&c.text);
            texts.extend(c.statements.iter().map(|s| s.text.as_str()));
        }
        texts.sort_unstable();
        texts.dedup();
        let mut embedding = BTreeMap::new();
        let mut pooled = BTreeMap::new();
        for (i, chunk) in texts.chunks(512).enumerate() {
            eprintln!("  encoded {} of {}", i * 512, texts.len());
            for (text, e) in chunk.iter().zip(encoder.encode(chunk)?) {
                embedding.insert((*text).to_owned(), e.embedding());
                pooled.insert((*text).to_owned(), e.pooled(None));
            }
        }
        let scored_pooled =
            scored.iter().map(|c| c.statements.iter().map(|s| pooled[&s.text].clone()).collect()).collect();
        Ok(Vectors { embedding, scored_pooled })
    }

    /// `[c⊙s, |c−s|]` of a context and one of its statements.
    fn features(&self, context: &str, statement: &str) -> Vec<f32> {
        let (c, s) = (&self.embedding[context], &self.embedding[statement]);
        c.iter().zip(s).map(|(a, b)| a * b).chain(c.iter().zip(s).map(|(a, b)| (a - b).abs())).collect()
    }
}

/// The head experiment's p(side 1: undermines / CON) of every scored statement: trained on the task's train
/// contexts; when the scored contexts are train itself, its out-of-fold probabilities.
fn head_sides(
    task: &Task,
    vectors: &Vectors,
    encoder: &tenor_encoder::Encoder,
    weights_sha256: &str,
    alphas: &[f64],
) -> anyhow::Result<Vec<Vec<f64>>> {
    let examples: Vec<VectorExample> = task
        .train
        .iter()
        .flat_map(|c| {
            c.statements.iter().map(move |s| VectorExample {
                x: vectors.features(&c.text, &s.text),
                label: s.side,
                group: c.id.clone(),
            })
        })
        .collect();
    let config = HeadConfig {
        name: format!("tension_side_{}", task.name),
        version: "experiment".into(),
        // Two classes: 0 supports the context, 1 undermines it (the claim task's shape: Platt scaling).
        task: tenor_models::Task::Claim,
        // [c⊙s, |c−s|] is twice the encoder's width, the width of this input.
        input: tenor_models::HeadInput::SentenceAndTarget,
        encoder: tenor_models::EncoderRef {
            name: encoder.name().to_owned(),
            weights_sha256: weights_sha256.to_owned(),
            dim: encoder.dim(),
        },
        alphas: alphas.to_vec(),
        folds: 5,
        max_iterations: 100,
        data: task.name.into(),
    };
    let trained = train_head(&config, &examples, &mut |_| {})?;
    if task.scored_is_train {
        let mut probs = trained.cv.probs.iter().map(|p| p[1]);
        return Ok(task
            .train
            .iter()
            .map(|c| c.statements.iter().map(|_| probs.next().unwrap_or(0.5)).collect())
            .collect());
    }
    let head = tenor_models::Head::new(trained.head)?;
    Ok(task
        .scored
        .iter()
        .map(|c| c.statements.iter().map(|s| head.probabilities(&vectors.features(&c.text, &s.text))[1]).collect())
        .collect())
}

fn print_rows(args: &EvalTensionArgs, tasks: &[Task], rows: &[Row]) {
    let split = |t: &Task| match (t.name, args.split) {
        ("ibm_claim_stance", TensionSplit::Dev) => "train (head: out-of-fold)",
        (_, TensionSplit::Dev) => "dev",
        (_, TensionSplit::Test) => "test",
    };
    println!(
        "| task | split | pairs | opposing | variant | accuracy | P (opposing) | R (opposing) | F1 (opposing) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        let task = tasks.iter().find(|t| t.name == row.task).expect("a row's task");
        let s = &row.scores;
        println!(
            "| {} | {} | {} | {} | {} | {:.4} | {:.4} | {:.4} | {:.4} |",
            row.task,
            split(task),
            s.pairs,
            s.opposing,
            row.variant,
            s.accuracy,
            s.precision,
            s.recall,
            s.f1
        );
    }
}
