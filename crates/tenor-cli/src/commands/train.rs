//! `tenor train`: trains the stance or claim model and writes `models/<name>/` (model.json, MODEL_CARD.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use tenor_eval::corpora::{read_claimbuster, read_newsmtsc, read_vader_ground_truth};
use tenor_eval::metrics::{evaluate, Report};
use tenor_features::FeatureConfig;
use tenor_models::train::{train, Example, TrainConfig, TrainEvent, Trained};
use tenor_models::Task;

/// Repository paths of the training files.
pub const NEWSMTSC_TRAIN: &str = "models/data/newsmtsc/train.jsonl";
pub const NEWSMTSC_DEV: &str = "models/data/newsmtsc/devtest_mt.jsonl";
pub const CLAIMBUSTER_TRAIN: &str = "models/data/claimbuster/train.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelKind {
    /// 3-class stance (negative/neutral/positive) on NewsMTSC train, per target mention (mention marked).
    Stance,
    /// 3-class stance of a whole sentence (no mention marked) on NewsMTSC train: one row per sentence whose
    /// targets all have the same polarity.
    SentenceStance,
    /// 2-class check-worthy claim on ClaimBuster train.
    Claim,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Features {
    /// Tenor's features for the task (negation, lexicons, target or shape features).
    Tenor,
    /// The plain baseline: word 1-2 and char_wb 2-5 grams only.
    Baseline,
}

/// Hyper-parameters shared by `tenor train` and `tenor eval` (which retrains the baseline).
#[derive(Debug, Clone, Args)]
pub struct TrainingArgs {
    /// Training file (default: NewsMTSC train for stance, ClaimBuster train for claims).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// L2 strengths to choose from by cross-validation (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = vec![3.0, 10.0])]
    pub alphas: Vec<f64>,
    /// Cross-validation folds (grouped by sentence).
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// L-BFGS iterations per fit.
    #[arg(long, default_value_t = 80)]
    pub max_iterations: u64,
    /// Keep hashed buckets seen in at least this many training examples.
    #[arg(long, default_value_t = 2)]
    pub min_df: usize,
    /// At most this many buckets become training columns (linfa fits dense matrices).
    #[arg(long, default_value_t = 5000)]
    pub max_columns: usize,
    /// Hash space size 2^bits (at most 14 for training: linfa fits dense matrices).
    #[arg(long)]
    pub hash_bits: Option<u32>,
    /// Use only N examples, evenly spread over the file (small configurations, tests).
    #[arg(long)]
    pub limit: Option<usize>,
    /// sentence-stance only: also train on the per-target rows (mention marked), so one model learns from
    /// both; cross-validation is then also reported on the sentence rows alone.
    #[arg(long)]
    pub with_targets: bool,
    /// sentence-stance only: also train on sentence-tone ratings in VADER's ground-truth format
    /// (`id<TAB>mean rating -4..4<TAB>sentence`, e.g. `models/data/vader_nyt/nytEditorialSnippets_GroundTruth.txt`).
    /// Cross-validation is then also reported on the NewsMTSC rows alone.
    #[arg(long, value_name = "FILE")]
    pub with_tone: Option<PathBuf>,
    /// Which rated sentences `--with-tone` trains on: `clear` ones only (|mean| <= 0.25 neutral, >= 1 its
    /// sign; the rest left out), or `all` (|mean| < 0.5 neutral, else its sign).
    #[arg(long, value_enum, default_value_t = ToneRows::Clear, requires = "with_tone")]
    pub tone_rows: ToneRows,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ToneRows {
    /// Clearly rated sentences only (`ToneExample::clear_label`).
    Clear,
    /// Every sentence (`ToneExample::label`).
    All,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Which model.
    #[arg(value_enum)]
    pub kind: ModelKind,
    /// Output directory (default: models/<kind>).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Feature set: Tenor's or the plain baseline.
    #[arg(long, value_enum, default_value_t = Features::Tenor)]
    pub features: Features,
    /// Model version written into the file and every record.
    #[arg(long, default_value = "1.0.0")]
    pub model_version: String,
    /// Date written into the model card (a fixed date keeps the card reproducible too).
    #[arg(long)]
    pub date: Option<String>,
    #[command(flatten)]
    pub training: TrainingArgs,
}

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from(format!("models/{}", kind_name(args.kind))));
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or(kind_name(args.kind)).to_owned();
    let (config, examples) = prepare(args.kind, args.features, &name, &args.model_version, &args.training)?;
    let trained = train_with_progress(&config, &examples)?;
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let bytes = trained.model.to_bytes();
    let model_path = out.join("model.json");
    std::fs::write(&model_path, &bytes).with_context(|| format!("cannot write {}", model_path.display()))?;
    let report = cv_report(&trained, config.task);
    let mut subsets = String::new();
    let present: Vec<RowKind> =
        RowKind::ALL.into_iter().filter(|&kind| examples.iter().any(|e| RowKind::of(e) == kind)).collect();
    if present.len() > 1 {
        for kind in present {
            let what = kind.describe();
            let rows: Vec<usize> = (0..examples.len()).filter(|&i| RowKind::of(&examples[i]) == kind).collect();
            let gold: Vec<usize> = rows.iter().map(|&i| trained.cv.gold[i]).collect();
            let probs: Vec<Vec<f64>> = rows.iter().map(|&i| trained.cv.probs[i].clone()).collect();
            let r = evaluate(config.task.labels(), &gold, &probs);
            println!("{}", r.table(&format!("{name}: cross-validation on the {what} only")));
            subsets.push_str(&format!(
                "| {what} | {} | {:.4} | {:.4} | {:.4} | {:.4} |\n",
                rows.len(),
                r.accuracy,
                r.macro_f1,
                r.ece,
                r.brier
            ));
        }
    }
    let date = args.date.clone().unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string());
    let mut card = model_card(args.kind, &trained, &report, &bytes, &date, &command_line(&args, &out));
    if args.training.with_targets {
        card = card.replace(
            "(sentences whose targets disagree are left out)",
            "(sentences whose targets disagree are left out), plus one example per target mention, mention marked",
        );
    }
    if let Some(tone) = &args.training.with_tone {
        let tone_rows = examples.iter().filter(|e| RowKind::of(e) == RowKind::Tone).count();
        card = card.replace(
            "(sentences whose targets disagree are left out)",
            &format!(
                "(sentences whose targets disagree are left out), plus {tone_rows} sentences rated for tone from `{}` \
                 (VADER's ground truth, Hutto & Gilbert 2014; {rule}; MIT, see the `SOURCE.md` beside it)",
                tone.display(),
                rule = match args.training.tone_rows {
                    ToneRows::Clear => "clearly rated sentences only: |mean rating| <= 0.25 neutral, >= 1 its sign",
                    ToneRows::All => "every sentence: |mean rating| < 0.5 neutral, else its sign",
                }
            ),
        );
        card = card.replace(
            "the weights are derived from it.",
            "the weights are derived from it and from the tone rows: VADER's ground truth is MIT-licensed \
             (`LICENSE` beside it), and the rated sentences are New York Times excerpts whose own copyright stays \
             with their publisher (`SOURCE.md` beside it); only the weights are shipped.",
        );
    }
    if !subsets.is_empty() {
        card.push_str(&format!(
            "\n## Cross-validation by kind of row\n\n| rows | n | accuracy | macro-F1 | ECE (15) | Brier |\n\
             |---|---|---|---|---|---|\n{subsets}"
        ));
    }
    std::fs::write(out.join("MODEL_CARD.md"), card).context("cannot write MODEL_CARD.md")?;
    println!("{}", report.table(&format!("{name}: {}-fold cross-validation on {}", config.folds, config.data)));
    println!("wrote {} (sha256 {})", model_path.display(), sha256_hex(&bytes));
    Ok(ExitCode::SUCCESS)
}

/// The kinds of training row, for the cross-validation report of a model trained on more than one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    /// A NewsMTSC sentence, no mention marked.
    Sentence,
    /// A NewsMTSC target, mention marked (`--with-targets`, or the per-target model).
    Target,
    /// A sentence rated for tone (`--with-tone`).
    Tone,
}

impl RowKind {
    const ALL: [RowKind; 3] = [RowKind::Sentence, RowKind::Target, RowKind::Tone];

    fn of(e: &Example) -> RowKind {
        if e.group.starts_with(TONE_GROUP_PREFIX) {
            RowKind::Tone
        } else if e.target.is_some() {
            RowKind::Target
        } else {
            RowKind::Sentence
        }
    }

    fn describe(self) -> &'static str {
        match self {
            RowKind::Sentence => "sentence rows (no mention)",
            RowKind::Target => "target rows (mention marked)",
            RowKind::Tone => "tone rows (--with-tone)",
        }
    }
}

pub fn kind_name(kind: ModelKind) -> &'static str {
    match kind {
        ModelKind::Stance => "stance",
        ModelKind::SentenceStance => "sentence_stance",
        ModelKind::Claim => "claim",
    }
}

/// Reads the training data and builds the training configuration.
pub fn prepare(
    kind: ModelKind,
    features: Features,
    name: &str,
    version: &str,
    args: &TrainingArgs,
) -> anyhow::Result<(TrainConfig, Vec<Example>)> {
    let (task, default_data, mut feature_config) = match kind {
        ModelKind::Stance | ModelKind::SentenceStance => (Task::Stance, NEWSMTSC_TRAIN, FeatureConfig::stance()),
        ModelKind::Claim => (Task::Claim, CLAIMBUSTER_TRAIN, FeatureConfig::claim()),
    };
    match features {
        Features::Tenor => {}
        Features::Baseline => feature_config = FeatureConfig::baseline(),
    }
    if let Some(bits) = args.hash_bits {
        anyhow::ensure!((8..=14).contains(&bits), "--hash-bits must be 8..=14 (linfa fits dense matrices)");
        feature_config.hash_bits = bits;
    }
    let data = args.data.clone().unwrap_or_else(|| PathBuf::from(default_data));
    let mut examples = match kind {
        ModelKind::Stance => stance_examples(&data)?,
        ModelKind::SentenceStance if args.with_targets => {
            let mut rows = sentence_stance_examples(&data)?;
            rows.extend(stance_examples(&data)?);
            rows
        }
        ModelKind::SentenceStance => sentence_stance_examples(&data)?,
        ModelKind::Claim => claim_examples(&data)?,
    };
    if let Some(tone) = &args.with_tone {
        anyhow::ensure!(kind == ModelKind::SentenceStance, "--with-tone is for the sentence-stance model");
        examples.extend(tone_examples(tone, args.tone_rows)?);
    }
    if let Some(limit) = args.limit.filter(|&l| l > 0 && l < examples.len()) {
        // An even spread over the file (the files are sorted by label, so a prefix would be one class).
        let stride = examples.len().div_ceil(limit);
        examples = examples.into_iter().step_by(stride).take(limit).collect();
    }
    let config = TrainConfig {
        name: name.to_owned(),
        version: version.to_owned(),
        task,
        features: feature_config,
        alphas: args.alphas.clone(),
        folds: args.folds,
        max_iterations: args.max_iterations,
        min_df: args.min_df,
        max_columns: args.max_columns,
        data: match &args.with_tone {
            Some(tone) => format!("{} + {}", data.display(), tone.display()),
            None => data.display().to_string(),
        },
    };
    Ok((config, examples))
}

pub fn stance_examples(path: &Path) -> anyhow::Result<Vec<Example>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let corpus = read_newsmtsc(&text).with_context(|| format!("{} is not NewsMTSC JSONL", path.display()))?;
    Ok(corpus
        .into_iter()
        .map(|e| Example { text: e.text, target: Some((e.from, e.to)), label: e.label, group: e.sentence_id })
        .collect())
}

/// One example per NewsMTSC sentence, without a mention: the sentence's polarity when all its targets agree.
/// Sentences whose targets disagree (about 5 % of train) have no single sentence-level label and are left out.
pub fn sentence_stance_examples(path: &Path) -> anyhow::Result<Vec<Example>> {
    let targets = stance_examples(path)?;
    let mut out: Vec<Example> = Vec::new();
    let mut agree = true;
    for (i, e) in targets.iter().enumerate() {
        let first_of_sentence = i == 0 || targets[i - 1].group != e.group;
        if first_of_sentence {
            if !agree {
                out.pop();
            }
            agree = true;
            out.push(Example { text: e.text.clone(), target: None, label: e.label, group: e.group.clone() });
        } else if out.last().is_some_and(|s| s.label != e.label) {
            agree = false;
        }
    }
    if !agree {
        out.pop();
    }
    Ok(out)
}

/// Group prefix of the rows read by [`tone_examples`], so reports can tell them from NewsMTSC's.
pub const TONE_GROUP_PREFIX: &str = "tone:";

/// One example per rated sentence of a VADER ground-truth file that `rows` keeps, labelled by
/// `ToneExample::clear_label` or `ToneExample::label` (`tenor_eval::corpora`), each sentence its own group.
pub fn tone_examples(path: &Path, rows: ToneRows) -> anyhow::Result<Vec<Example>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let rated = read_vader_ground_truth(&text)
        .with_context(|| format!("{} is not a VADER ground-truth file", path.display()))?;
    Ok(rated
        .into_iter()
        .filter_map(|r| {
            let label = match rows {
                ToneRows::Clear => r.clear_label()?,
                ToneRows::All => r.label(),
            };
            Some(Example { label, target: None, group: format!("{TONE_GROUP_PREFIX}{}", r.id), text: r.text })
        })
        .collect())
}

pub fn claim_examples(path: &Path) -> anyhow::Result<Vec<Example>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let corpus = read_claimbuster(&text).with_context(|| format!("{} is not ClaimBuster JSON", path.display()))?;
    Ok(corpus
        .into_iter()
        .map(|e| Example {
            text: e.text,
            target: None,
            label: usize::from(e.label),
            group: e.sentence_id.to_string(),
        })
        .collect())
}

pub fn train_with_progress(config: &TrainConfig, examples: &[Example]) -> anyhow::Result<Trained> {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {prefix} [{bar:30}] {pos}/{len} fits, {elapsed} ({eta} left) {msg}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_prefix(format!("training {} ({} examples)", config.name, examples.len()));
    let trained = train(config, examples, &mut |event| match event {
        TrainEvent::Fit { done, total, what } => {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.set_message(what);
        }
    })
    .with_context(|| format!("training {} failed", config.name))?;
    bar.finish_and_clear();
    Ok(trained)
}

/// Metrics of the cross-validated (cross-fitted calibrated) predictions.
pub fn cv_report(trained: &Trained, task: Task) -> Report {
    evaluate(task.labels(), &trained.cv.gold, &trained.cv.probs)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn command_line(args: &TrainArgs, out: &Path) -> String {
    let t = &args.training;
    let mut cmd = format!(
        "tenor train {} --out {} --features {} --alphas {} --folds {} --max-iterations {} --min-df {} --max-columns {}",
        args.kind.to_possible_value().map_or_else(|| kind_name(args.kind).to_owned(), |v| v.get_name().to_owned()),
        out.display(),
        match args.features {
            Features::Tenor => "tenor",
            Features::Baseline => "baseline",
        },
        t.alphas.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(","),
        t.folds,
        t.max_iterations,
        t.min_df,
        t.max_columns
    );
    if let Some(bits) = t.hash_bits {
        cmd.push_str(&format!(" --hash-bits {bits}"));
    }
    if let Some(limit) = t.limit {
        cmd.push_str(&format!(" --limit {limit}"));
    }
    if t.with_targets {
        cmd.push_str(" --with-targets");
    }
    if let Some(tone) = &t.with_tone {
        cmd.push_str(&format!(" --with-tone {}", tone.display()));
        if t.tone_rows == ToneRows::All {
            cmd.push_str(" --tone-rows all");
        }
    }
    if let Some(data) = &t.data {
        cmd.push_str(&format!(" --data {}", data.display()));
    }
    if let Some(date) = &args.date {
        cmd.push_str(&format!(" --date {date}"));
    }
    // The version is written into the model file, so the command that reproduces it must carry it (omitted
    // at the default, so the cards of 1.0.0 models read as before).
    if args.model_version != "1.0.0" {
        cmd.push_str(&format!(" --model-version {}", args.model_version));
    }
    cmd
}

fn model_card(
    kind: ModelKind,
    trained: &Trained,
    report: &Report,
    bytes: &[u8],
    date: &str,
    command: &str,
) -> String {
    let m = &trained.model;
    let t = &m.training;
    let newsmtsc_licence =
        "NewsMTSC is MIT-licensed (`models/data/newsmtsc/LICENSE`); the weights are derived from it.";
    let (data_line, licence) = match kind {
        ModelKind::Stance => (
            "NewsMTSC `train.jsonl` (Hamborg & Donnay 2021), one example per target mention, mention marked",
            newsmtsc_licence,
        ),
        ModelKind::SentenceStance => (
            "NewsMTSC `train.jsonl` (Hamborg & Donnay 2021), one example per sentence, no mention marked, \
             labelled with its targets' polarity where they all agree (sentences whose targets disagree are left out)",
            newsmtsc_licence,
        ),
        ModelKind::Claim => (
            "ClaimBuster `train.json` (Arslan et al. 2020), label 1 = check-worthy factual claim",
            "ClaimBuster data is GPL-3.0 (`models/data/claimbuster/GPL-3.0-header-from-repo.txt`); only the \
             trained weights are shipped, the data is not linked into Tenor's binaries.",
        ),
    };
    let positive_f1 = report.per_class.last().map_or(0.0, |c| c.f1);
    format!(
        "# Model card: `{name}` {version}\n\n\
         - task: {task:?} ({labels})\n\
         - file: `model.json` (`{format}`), sha256 `{sha}`\n\
         - trained: {date}, by `{command}`\n\
         - reproducible: the same command on the same data writes the same `model.json`, byte for byte\n\
         - data: {data_line} — `{data}`, {examples} examples\n\
         - licence: {licence}\n\
         - features: `{features}` (feature version {fv}); {columns} hashed columns kept (min_df {min_df})\n\
         - model: linfa-logistic multinomial logistic regression, L2 alpha {alpha} chosen from {grid:?} by \
           {folds}-fold cross-validation grouped by sentence (scores {cv:?}); {iters} L-BFGS iterations at most\n\
         - calibration: `{calibration}`, fitted on the out-of-fold scores of train\n\n\
         ## Cross-validation on train ({folds} folds; calibration cross-fitted on the other folds)\n\n\
         Produced by the command above (the training run prints this table).\n\n\
         | metric | value |\n|---|---|\n\
         | accuracy | {acc:.4} |\n| macro-F1 | {mf1:.4} |\n| positive-class F1 | {pf1:.4} |\n\
         | ECE (15 bins) | {ece:.4} |\n| Brier | {brier:.4} |\n\n\
         Comparison with the plain baseline, dev-set figures and speed: see `docs/MODELS.md`.\n",
        name = m.name,
        version = m.version,
        task = m.task,
        labels = m.labels.join(", "),
        format = m.format,
        sha = sha256_hex(bytes),
        data = t.data,
        examples = t.examples,
        features = serde_json::to_string(&m.features).unwrap_or_default(),
        fv = m.features.version,
        columns = t.columns,
        min_df = t.min_df,
        alpha = t.alpha,
        grid = t.alpha_grid,
        folds = t.folds,
        cv = t.cv_scores.iter().map(|s| (s * 10000.0).round() / 10000.0).collect::<Vec<_>>(),
        iters = t.max_iterations,
        calibration = serde_json::to_string(&m.calibration).unwrap_or_default(),
        acc = report.accuracy,
        mf1 = report.macro_f1,
        pf1 = positive_f1,
        ece = report.ece,
        brier = report.brier,
    )
}
