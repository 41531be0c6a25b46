//! What a training run writes beside `model.json`: the model card, as a typed [`ModelCard`] rendered in one
//! pass, and the command line that reproduces the run ([`TrainRequest::command_line`]).
//!
//! Guarantees: the card is a function of the request, the trained model, its bytes and the cross-validation
//! figures (no clock: the date is given), so retraining with the card's own command writes the same
//! `MODEL_CARD.md`, byte for byte; the command line names every choice that changes `model.json`.

use std::path::PathBuf;

use tenor_eval::metrics::{evaluate, Report};
use tenor_models::Task;

use crate::data::{FeatureSet, ModelKind, RowKind, ToneRows, TrainingOptions};
use crate::fit::{Example, Trained};

/// The version `tenor train` writes unless told otherwise (omitted from the command line at this value).
pub const DEFAULT_MODEL_VERSION: &str = "1.0.0";

/// One training run as asked for: the model, where it goes, and every choice that decides it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainRequest {
    pub kind: ModelKind,
    /// Output directory; the model is named after its last component.
    pub out: PathBuf,
    pub features: FeatureSet,
    pub version: String,
    /// The date written into the card, when fixed on the command line.
    pub date: Option<String>,
    pub options: TrainingOptions,
}

impl TrainRequest {
    /// `models/<kind>`, where the shipped model of `kind` lives.
    pub fn default_out(kind: ModelKind) -> PathBuf {
        PathBuf::from(format!("models/{}", kind.dir_name()))
    }

    /// The model's name: its directory's name.
    pub fn name(&self) -> String {
        self.out.file_name().and_then(|n| n.to_str()).unwrap_or(self.kind.dir_name()).to_owned()
    }

    /// The `tenor train` command that repeats this run.
    pub fn command_line(&self) -> String {
        let t = &self.options;
        let mut cmd = format!(
            "tenor train {} --out {} --features {} --alphas {} --folds {} --max-iterations {} --min-df {} --max-columns {}",
            self.kind.flag_value(),
            self.out.display(),
            self.features.flag_value(),
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
        if let Some(date) = &self.date {
            cmd.push_str(&format!(" --date {date}"));
        }
        // The version is written into the model file, so the command that reproduces it must carry it (omitted
        // at the default, so the cards of 1.0.0 models read as before).
        if self.version != DEFAULT_MODEL_VERSION {
            cmd.push_str(&format!(" --model-version {}", self.version));
        }
        cmd
    }
}

/// Cross-validation figures of the rows of one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct RowReport {
    pub kind: RowKind,
    pub rows: usize,
    pub report: Report,
}

/// Metrics of the cross-validated (cross-fitted calibrated) predictions.
pub fn cv_report(trained: &Trained, task: Task) -> Report {
    evaluate(task.labels(), &trained.cv.gold, &trained.cv.probs)
}

/// The cross-validation figures by kind of row, when the examples hold more than one kind (empty otherwise).
pub fn row_reports(examples: &[Example], trained: &Trained, task: Task) -> Vec<RowReport> {
    let present: Vec<RowKind> =
        RowKind::ALL.into_iter().filter(|&kind| examples.iter().any(|e| RowKind::of(e) == kind)).collect();
    if present.len() < 2 {
        return Vec::new();
    }
    present
        .into_iter()
        .map(|kind| {
            let rows: Vec<usize> = (0..examples.len()).filter(|&i| RowKind::of(&examples[i]) == kind).collect();
            let gold: Vec<usize> = rows.iter().map(|&i| trained.cv.gold[i]).collect();
            let probs: Vec<Vec<f64>> = rows.iter().map(|&i| trained.cv.probs[i].clone()).collect();
            RowReport { kind, rows: rows.len(), report: evaluate(task.labels(), &gold, &probs) }
        })
        .collect()
}

/// The tone rows a model was trained on, for its card.
#[derive(Debug, Clone, PartialEq)]
pub struct ToneSource {
    pub path: PathBuf,
    pub rows: usize,
    pub rule: ToneRows,
}

/// Everything `MODEL_CARD.md` says, rendered by [`ModelCard::render`].
#[derive(Debug, Clone, PartialEq)]
pub struct ModelCard<'a> {
    pub kind: ModelKind,
    pub trained: &'a Trained,
    /// sha256 of `model.json`, hex.
    pub sha256: String,
    pub date: String,
    pub command: String,
    /// `--with-targets`: target rows beside the sentence rows (sentence stance).
    pub with_targets: bool,
    pub tone: Option<ToneSource>,
    pub cv: Report,
    /// Cross-validation by kind of row; no section when empty.
    pub rows: Vec<RowReport>,
}

impl<'a> ModelCard<'a> {
    /// The card of a finished run of `request` on `examples`.
    pub fn new(request: &TrainRequest, examples: &[Example], trained: &'a Trained, date: &str) -> ModelCard<'a> {
        let task = trained.model.task;
        ModelCard {
            kind: request.kind,
            trained,
            sha256: sha256_hex(&trained.model.to_bytes()),
            date: date.to_owned(),
            command: request.command_line(),
            with_targets: request.options.with_targets,
            tone: request.options.with_tone.as_ref().map(|path| ToneSource {
                path: path.clone(),
                rows: examples.iter().filter(|e| RowKind::of(e) == RowKind::Tone).count(),
                rule: request.options.tone_rows,
            }),
            cv: cv_report(trained, task),
            rows: row_reports(examples, trained, task),
        }
    }

    /// The data line: which rows the model was trained on.
    fn data_line(&self) -> String {
        match self.kind {
            ModelKind::Stance => {
                "NewsMTSC `train.jsonl` (Hamborg & Donnay 2021), one example per target mention, mention marked"
                    .to_owned()
            }
            ModelKind::SentenceStance => {
                let mut line =
                    "NewsMTSC `train.jsonl` (Hamborg & Donnay 2021), one example per sentence, no mention \
                                marked, labelled with its targets' polarity where they all agree (sentences whose \
                                targets disagree are left out)"
                        .to_owned();
                if let Some(tone) = &self.tone {
                    line.push_str(&format!(
                        ", plus {} sentences rated for tone from `{}` (VADER's ground truth, Hutto & Gilbert 2014; \
                         {}; MIT, see the `SOURCE.md` beside it)",
                        tone.rows,
                        tone.path.display(),
                        match tone.rule {
                            ToneRows::Clear => {
                                "clearly rated sentences only: |mean rating| <= 0.25 neutral, >= 1 its sign"
                            }
                            ToneRows::All => "every sentence: |mean rating| < 0.5 neutral, else its sign",
                        }
                    ));
                }
                if self.with_targets {
                    line.push_str(", plus one example per target mention, mention marked");
                }
                line
            }
            ModelKind::Claim => {
                "ClaimBuster `train.json` (Arslan et al. 2020), label 1 = check-worthy factual claim".to_owned()
            }
        }
    }

    fn licence(&self) -> &'static str {
        match (self.kind, &self.tone) {
            (ModelKind::Claim, _) => {
                "ClaimBuster data is GPL-3.0 (`models/data/claimbuster/GPL-3.0-header-from-repo.txt`); only the \
                 trained weights are shipped, the data is not linked into Tenor's binaries."
            }
            (_, None) => {
                "NewsMTSC is MIT-licensed (`models/data/newsmtsc/LICENSE`); the weights are derived from it."
            }
            (_, Some(_)) => {
                "NewsMTSC is MIT-licensed (`models/data/newsmtsc/LICENSE`); the weights are derived from it and \
                 from the tone rows: VADER's ground truth is MIT-licensed (`LICENSE` beside it), and the rated \
                 sentences are New York Times excerpts whose own copyright stays with their publisher \
                 (`SOURCE.md` beside it); only the weights are shipped."
            }
        }
    }

    /// `MODEL_CARD.md`.
    pub fn render(&self) -> String {
        let m = &self.trained.model;
        let t = &m.training;
        let report = &self.cv;
        let positive_f1 = report.per_class.last().map_or(0.0, |c| c.f1);
        let mut card = format!(
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
            sha = self.sha256,
            date = self.date,
            command = self.command,
            data_line = self.data_line(),
            data = t.data,
            examples = t.examples,
            licence = self.licence(),
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
        );
        if !self.rows.is_empty() {
            card.push_str(
                "\n## Cross-validation by kind of row\n\n| rows | n | accuracy | macro-F1 | ECE (15) | Brier |\n\
                 |---|---|---|---|---|---|\n",
            );
            for r in &self.rows {
                card.push_str(&format!(
                    "| {} | {} | {:.4} | {:.4} | {:.4} | {:.4} |\n",
                    r.kind.describe(),
                    r.rows,
                    r.report.accuracy,
                    r.report.macro_f1,
                    r.report.ece,
                    r.report.brier
                ));
            }
        }
        card
    }
}

/// sha256 of `bytes`, hex.
pub use tenor_models::sha256_hex;

/// The model card of an encoder head (`models/encoder_<kind>/MODEL_CARD.md`).
pub fn head_card(run: &crate::encoded::HeadRun, bytes: &[u8], command: &str, date: &str) -> String {
    let head = &run.trained.head;
    let cv = &run.trained.cv;
    let report = evaluate(head.task.labels(), &cv.gold, &cv.probs);
    let mut out = format!(
        "# Model card: `{}` {}\n\n\
         - task: {:?} ({}), read from {:?} encoder vectors\n\
         - file: `head.json` (`{}`), sha256 `{}`, {} bytes\n\
         - trained: {date}, by `{command}`\n\
         - reproducible: the same command on the same data and encoder writes the same `head.json`, byte for byte\n\
         - encoder: `{}` (weights sha256 `{}`, width {}), frozen; its files are fetched by `scripts/fetch-encoder.sh`\n\
         - data: `{}`, {} examples (the same rows as the linear model of this kind)\n\
         - model: linfa-logistic multinomial logistic regression on standardised vectors, L2 alpha {} chosen from {:?} by {}-fold cross-validation grouped by sentence (scores {:?}); {} L-BFGS iterations at most\n\
         - calibration: `{}`, fitted on the out-of-fold scores of train\n",
        head.name,
        head.version,
        head.task,
        head.labels.join(", "),
        head.input,
        head.format,
        sha256_hex(bytes),
        bytes.len(),
        head.encoder.name,
        head.encoder.weights_sha256,
        head.encoder.dim,
        head.training.data,
        head.training.examples,
        head.training.alpha,
        head.training.alpha_grid,
        head.training.folds,
        head.training.cv_scores.iter().map(|s| (s * 1e4).round() / 1e4).collect::<Vec<_>>(),
        head.training.max_iterations,
        serde_json::to_string(&head.calibration).expect("calibration serialises"),
    );
    if let Some(t) = head.threshold {
        out.push_str(&format!(
            "- decision: a claim when the calibrated probability is at least {t:.4}, the threshold with the best \
             out-of-fold F1 (per-fold thresholds, each chosen on the other folds: {:?})\n",
            run.trained.cv_thresholds.iter().map(|s| (s * 1e4).round() / 1e4).collect::<Vec<_>>()
        ));
    }
    out.push_str(&format!(
        "\n## Cross-validation on train ({} folds; calibration cross-fitted on the other folds)\n\n{}\n",
        head.training.folds,
        report.table("arg-max of the calibrated probabilities")
    ));
    if head.threshold.is_some() {
        let decisions = run.trained.cv_claims();
        let (mut tp, mut fp, mut fn_) = (0f64, 0f64, 0f64);
        for (&d, &g) in decisions.iter().zip(&cv.gold) {
            match (d, g == 1) {
                (true, true) => tp += 1.0,
                (true, false) => fp += 1.0,
                (false, true) => fn_ += 1.0,
                _ => {}
            }
        }
        let (p, r) = (tp / (tp + fp).max(1.0), tp / (tp + fn_).max(1.0));
        out.push_str(&format!(
            "\nWith the cross-fitted thresholds: claim precision {p:.4}, recall {r:.4}, F1 {:.4}.\n",
            if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 }
        ));
    }
    out.push_str("\nComparison with the linear tier and the plain baseline, dev-set figures and speed: see `docs/MODELS.md`.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The command each shipped card names, as the request that `tenor train` builds from those flags.
    #[test]
    fn shipped_cards_name_the_command_of_their_request() {
        let shipped = |kind, version: &str, with_tone: Option<&str>| TrainRequest {
            kind,
            out: TrainRequest::default_out(kind),
            features: FeatureSet::Tenor,
            version: version.to_owned(),
            date: Some("2026-11-27".to_owned()),
            options: TrainingOptions { with_tone: with_tone.map(PathBuf::from), ..TrainingOptions::default() },
        };
        let tone = "models/data/vader_nyt/nytEditorialSnippets_GroundTruth.txt";
        for (request, card) in [
            (shipped(ModelKind::Stance, "1.1.0", None), include_str!("../../../models/stance/MODEL_CARD.md")),
            (
                shipped(ModelKind::SentenceStance, "1.2.0", Some(tone)),
                include_str!("../../../models/sentence_stance/MODEL_CARD.md"),
            ),
            (
                shipped(ModelKind::Claim, DEFAULT_MODEL_VERSION, None),
                include_str!("../../../models/claim/MODEL_CARD.md"),
            ),
        ] {
            let line = format!("- trained: 2026-11-27, by `{}`\n", request.command_line());
            assert!(card.contains(&line), "{line}");
            assert_eq!(request.name(), request.kind.dir_name());
        }
    }
}
