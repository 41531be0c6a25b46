//! Datasets to training examples: which file each model trains on and the rules that turn its rows into
//! [`Example`]s, and [`prepare`], which reads them and builds the [`TrainConfig`].
//!
//! Guarantees: the examples come in file order (folds and `--limit` depend on it), every example's `group`
//! keeps rows of one sentence together, and tone rows carry [`TONE_GROUP_PREFIX`] so that [`RowKind::of`]
//! tells them apart from NewsMTSC's.

use std::path::{Path, PathBuf};

use tenor_eval::corpora::{read_claimbuster, read_newsmtsc, read_vader_ground_truth};
use tenor_features::FeatureConfig;
use tenor_models::Task;

use crate::fit::{Example, TrainConfig};
use crate::Error;

/// Repository paths of the training files.
pub const NEWSMTSC_TRAIN: &str = "models/data/newsmtsc/train.jsonl";
pub const NEWSMTSC_DEV: &str = "models/data/newsmtsc/devtest_mt.jsonl";
pub const CLAIMBUSTER_TRAIN: &str = "models/data/claimbuster/train.json";

/// Group prefix of the rows read by [`tone_examples`], so reports can tell them from NewsMTSC's.
pub const TONE_GROUP_PREFIX: &str = "tone:";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ModelKind {
    /// 3-class stance (negative/neutral/positive) on NewsMTSC train, per target mention (mention marked).
    Stance,
    /// 3-class stance of a whole sentence (no mention marked) on NewsMTSC train: one row per sentence whose
    /// targets all have the same polarity.
    SentenceStance,
    /// 2-class check-worthy claim on ClaimBuster train.
    Claim,
}

impl ModelKind {
    /// The model's directory under `models/` and its default name.
    pub fn dir_name(self) -> &'static str {
        match self {
            ModelKind::Stance => "stance",
            ModelKind::SentenceStance => "sentence_stance",
            ModelKind::Claim => "claim",
        }
    }

    /// How `tenor train` names the kind on its command line.
    pub fn flag_value(self) -> &'static str {
        match self {
            ModelKind::Stance => "stance",
            ModelKind::SentenceStance => "sentence-stance",
            ModelKind::Claim => "claim",
        }
    }

    pub fn task(self) -> Task {
        match self {
            ModelKind::Stance | ModelKind::SentenceStance => Task::Stance,
            ModelKind::Claim => Task::Claim,
        }
    }
}

/// Which features a model is trained on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum FeatureSet {
    /// Tenor's features for the task (negation, lexicons, target or shape features).
    Tenor,
    /// The plain baseline: word 1-2 and char_wb 2-5 grams only.
    Baseline,
}

impl FeatureSet {
    /// How `tenor train` names the feature set on its command line.
    pub fn flag_value(self) -> &'static str {
        match self {
            FeatureSet::Tenor => "tenor",
            FeatureSet::Baseline => "baseline",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ToneRows {
    /// Clearly rated sentences only (`ToneExample::clear_label`).
    Clear,
    /// Every sentence (`ToneExample::label`).
    All,
}

/// Hyper-parameters and data choices of a training run: the flags shared by `tenor train` and `tenor eval
/// stance|claim` (with the `clap` feature this struct is that flag group, so each flag is defined once, here).
/// The defaults are `tenor train`'s.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct TrainingOptions {
    /// Training file (default: NewsMTSC train for stance, ClaimBuster train for claims).
    #[cfg_attr(feature = "clap", arg(long))]
    pub data: Option<PathBuf>,
    /// L2 strengths to choose from by cross-validation (comma-separated).
    #[cfg_attr(feature = "clap", arg(long, value_delimiter = ',', default_values_t = TrainingOptions::default().alphas))]
    pub alphas: Vec<f64>,
    /// Cross-validation folds (grouped by sentence).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainingOptions::default().folds))]
    pub folds: usize,
    /// L-BFGS iterations per fit.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainingOptions::default().max_iterations))]
    pub max_iterations: u64,
    /// Keep hashed buckets seen in at least this many training examples.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainingOptions::default().min_df))]
    pub min_df: usize,
    /// At most this many buckets become training columns (linfa fits dense matrices).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainingOptions::default().max_columns))]
    pub max_columns: usize,
    /// Hash space size 2^bits (at most 14 for training: linfa fits dense matrices).
    #[cfg_attr(feature = "clap", arg(long))]
    pub hash_bits: Option<u32>,
    /// Use only N examples, evenly spread over the file (small configurations, tests).
    #[cfg_attr(feature = "clap", arg(long))]
    pub limit: Option<usize>,
    /// sentence-stance only: also train on the per-target rows (mention marked), so one model learns from
    /// both; cross-validation is then also reported on the sentence rows alone.
    #[cfg_attr(feature = "clap", arg(long))]
    pub with_targets: bool,
    /// sentence-stance only: also train on sentence-tone ratings in VADER's ground-truth format
    /// (`id<TAB>mean rating -4..4<TAB>sentence`, e.g. `models/data/vader_nyt/nytEditorialSnippets_GroundTruth.txt`).
    /// Cross-validation is then also reported on the NewsMTSC rows alone.
    #[cfg_attr(feature = "clap", arg(long, value_name = "FILE"))]
    pub with_tone: Option<PathBuf>,
    /// Which rated sentences `--with-tone` trains on: `clear` ones only (|mean| <= 0.25 neutral, >= 1 its
    /// sign; the rest left out), or `all` (|mean| < 0.5 neutral, else its sign).
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = ToneRows::Clear, requires = "with_tone"))]
    pub tone_rows: ToneRows,
}

impl Default for TrainingOptions {
    fn default() -> Self {
        TrainingOptions {
            data: None,
            alphas: vec![3.0, 10.0],
            folds: 5,
            max_iterations: 80,
            min_df: 2,
            max_columns: 5000,
            hash_bits: None,
            limit: None,
            with_targets: false,
            with_tone: None,
            tone_rows: ToneRows::Clear,
        }
    }
}

/// The kinds of training row, for the cross-validation report of a model trained on more than one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A NewsMTSC sentence, no mention marked.
    Sentence,
    /// A NewsMTSC target, mention marked (`--with-targets`, or the per-target model).
    Target,
    /// A sentence rated for tone (`--with-tone`).
    Tone,
}

impl RowKind {
    pub const ALL: [RowKind; 3] = [RowKind::Sentence, RowKind::Target, RowKind::Tone];

    pub fn of(e: &Example) -> RowKind {
        if e.group.starts_with(TONE_GROUP_PREFIX) {
            RowKind::Tone
        } else if e.target.is_some() {
            RowKind::Target
        } else {
            RowKind::Sentence
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            RowKind::Sentence => "sentence rows (no mention)",
            RowKind::Target => "target rows (mention marked)",
            RowKind::Tone => "tone rows (--with-tone)",
        }
    }
}

/// Reads the training data of `kind` and builds the training configuration.
pub fn prepare(
    kind: ModelKind,
    features: FeatureSet,
    name: &str,
    version: &str,
    options: &TrainingOptions,
) -> Result<(TrainConfig, Vec<Example>), Error> {
    let (default_data, mut feature_config) = match kind {
        ModelKind::Stance | ModelKind::SentenceStance => (NEWSMTSC_TRAIN, FeatureConfig::stance()),
        ModelKind::Claim => (CLAIMBUSTER_TRAIN, FeatureConfig::claim()),
    };
    if features == FeatureSet::Baseline {
        feature_config = FeatureConfig::baseline();
    }
    if let Some(bits) = options.hash_bits {
        if !(8..=14).contains(&bits) {
            return Err(Error::Invalid("--hash-bits must be 8..=14 (linfa fits dense matrices)".into()));
        }
        feature_config.hash_bits = bits;
    }
    let data = options.data.clone().unwrap_or_else(|| PathBuf::from(default_data));
    let mut examples = match kind {
        ModelKind::Stance => stance_examples(&data)?,
        ModelKind::SentenceStance if options.with_targets => {
            let mut rows = sentence_stance_examples(&data)?;
            rows.extend(stance_examples(&data)?);
            rows
        }
        ModelKind::SentenceStance => sentence_stance_examples(&data)?,
        ModelKind::Claim => claim_examples(&data)?,
    };
    if let Some(tone) = &options.with_tone {
        if kind != ModelKind::SentenceStance {
            return Err(Error::Invalid("--with-tone is for the sentence-stance model".into()));
        }
        examples.extend(tone_examples(tone, options.tone_rows)?);
    }
    if let Some(limit) = options.limit.filter(|&l| l > 0 && l < examples.len()) {
        // An even spread over the file (the files are sorted by label, so a prefix would be one class).
        let stride = examples.len().div_ceil(limit);
        examples = examples.into_iter().step_by(stride).take(limit).collect();
    }
    let config = TrainConfig {
        name: name.to_owned(),
        version: version.to_owned(),
        task: kind.task(),
        features: feature_config,
        alphas: options.alphas.clone(),
        folds: options.folds,
        max_iterations: options.max_iterations,
        min_df: options.min_df,
        max_columns: options.max_columns,
        data: match &options.with_tone {
            Some(tone) => format!("{} + {}", data.display(), tone.display()),
            None => data.display().to_string(),
        },
    };
    Ok((config, examples))
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.display().to_string(), source })
}

fn format_error(path: &Path, what: &'static str) -> impl FnOnce(tenor_eval::corpora::CorpusError) -> Error {
    let path = path.display().to_string();
    move |source| Error::Format { path, what, source }
}

/// One example per NewsMTSC target, mention marked, grouped by sentence.
pub fn stance_examples(path: &Path) -> Result<Vec<Example>, Error> {
    let corpus = read_newsmtsc(&read(path)?).map_err(format_error(path, "NewsMTSC JSONL"))?;
    Ok(corpus
        .into_iter()
        .map(|e| Example { text: e.text, target: Some((e.from, e.to)), label: e.label, group: e.sentence_id })
        .collect())
}

/// One example per NewsMTSC sentence, without a mention: the sentence's polarity when all its targets agree.
/// Sentences whose targets disagree (about 5 % of train) have no single sentence-level label and are left out.
pub fn sentence_stance_examples(path: &Path) -> Result<Vec<Example>, Error> {
    Ok(sentence_rows(&stance_examples(path)?))
}

/// The sentence rows of per-target rows (consecutive rows of one group are one sentence).
fn sentence_rows(targets: &[Example]) -> Vec<Example> {
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
    out
}

/// One example per rated sentence of a VADER ground-truth file that `rows` keeps, labelled by
/// `ToneExample::clear_label` or `ToneExample::label` (`tenor_eval::corpora`), each sentence its own group.
pub fn tone_examples(path: &Path, rows: ToneRows) -> Result<Vec<Example>, Error> {
    let rated = read_vader_ground_truth(&read(path)?).map_err(format_error(path, "a VADER ground-truth file"))?;
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

/// One example per ClaimBuster sentence, label 1 = check-worthy factual claim.
pub fn claim_examples(path: &Path) -> Result<Vec<Example>, Error> {
    let corpus = read_claimbuster(&read(path)?).map_err(format_error(path, "ClaimBuster JSON"))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(group: &str, label: usize) -> Example {
        Example { text: format!("text {group}"), target: Some((0, 4)), label, group: group.into() }
    }

    #[test]
    fn sentence_rows_keep_sentences_whose_targets_agree() {
        let targets = [row("a", 0), row("a", 0), row("b", 1), row("b", 2), row("c", 2), row("d", 1), row("d", 0)];
        let sentences = sentence_rows(&targets);
        let kept: Vec<(&str, usize)> = sentences.iter().map(|e| (e.group.as_str(), e.label)).collect();
        assert_eq!(kept, [("a", 0), ("c", 2)]);
        assert!(sentences.iter().all(|e| e.target.is_none() && RowKind::of(e) == RowKind::Sentence));
    }

    #[test]
    fn tone_rows_follow_the_chosen_rule_and_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tone.txt");
        std::fs::write(&path, "1_1\t0.1\tFlat.\n1_2\t0.7\tSomewhat good.\n1_3\t-2.5\tVery bad.\n").unwrap();
        let clear = tone_examples(&path, ToneRows::Clear).unwrap();
        assert_eq!(clear.iter().map(|e| e.label).collect::<Vec<_>>(), [1, 0]);
        let all = tone_examples(&path, ToneRows::All).unwrap();
        assert_eq!(all.iter().map(|e| e.label).collect::<Vec<_>>(), [1, 2, 0]);
        assert!(all.iter().all(|e| RowKind::of(e) == RowKind::Tone && e.group.starts_with(TONE_GROUP_PREFIX)));
    }

    #[test]
    fn bad_choices_and_files_are_errors_that_name_them() {
        let dir = tempfile::tempdir().unwrap();
        let options = TrainingOptions { hash_bits: Some(20), ..TrainingOptions::default() };
        let err = prepare(ModelKind::Stance, FeatureSet::Tenor, "x", "1", &options).unwrap_err();
        assert!(err.to_string().contains("--hash-bits"), "{err}");
        let missing = dir.path().join("missing.jsonl");
        let options = TrainingOptions { data: Some(missing.clone()), ..TrainingOptions::default() };
        let err = prepare(ModelKind::Claim, FeatureSet::Tenor, "x", "1", &options).unwrap_err();
        assert!(matches!(&err, Error::Read { path, .. } if *path == missing.display().to_string()), "{err}");
        let bad = dir.path().join("bad.txt");
        std::fs::write(&bad, "1_1\tsoon\tNot a rating.\n").unwrap();
        let err = tone_examples(&bad, ToneRows::Clear).unwrap_err();
        assert!(err.to_string().ends_with("is not a VADER ground-truth file"), "{err}");
    }
}
