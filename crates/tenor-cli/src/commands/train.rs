//! `tenor train`: trains the stance or claim model and writes `models/<name>/` (model.json, MODEL_CARD.md).
//! Datasets, the fit and the card are `tenor-train`'s; this command parses flags, shows progress, writes the
//! two files and prints the cross-validation tables.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use tenor_train::{
    prepare, sha256_hex, Example, FeatureSet, ModelCard, ModelKind, TrainConfig, TrainRequest, Trained,
};

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Which model.
    #[arg(value_enum)]
    pub kind: ModelKind,
    /// Output directory (default: models/<kind>).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Feature set: Tenor's or the plain baseline.
    #[arg(long, value_enum, default_value_t = FeatureSet::Tenor)]
    pub features: FeatureSet,
    /// Model version written into the file and every record.
    #[arg(long, default_value = tenor_train::card::DEFAULT_MODEL_VERSION)]
    pub model_version: String,
    /// Date written into the model card (a fixed date keeps the card reproducible too).
    #[arg(long)]
    pub date: Option<String>,
    #[command(flatten)]
    pub training: tenor_train::TrainingOptions,
}

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let request = TrainRequest {
        kind: args.kind,
        out: args.out.clone().unwrap_or_else(|| TrainRequest::default_out(args.kind)),
        features: args.features,
        version: args.model_version.clone(),
        date: args.date.clone(),
        options: args.training,
    };
    let name = request.name();
    let (config, examples) = prepare(request.kind, request.features, &name, &request.version, &request.options)?;
    let trained = train_with_progress(&config, &examples)?;
    let out = &request.out;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let bytes = trained.model.to_bytes();
    let model_path = out.join("model.json");
    std::fs::write(&model_path, &bytes).with_context(|| format!("cannot write {}", model_path.display()))?;
    let date = request.date.clone().unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string());
    let card = ModelCard::new(&request, &examples, &trained, &date);
    for rows in &card.rows {
        println!(
            "{}",
            rows.report.table(&format!("{name}: cross-validation on the {} only", rows.kind.describe()))
        );
    }
    std::fs::write(out.join("MODEL_CARD.md"), card.render()).context("cannot write MODEL_CARD.md")?;
    println!("{}", card.cv.table(&format!("{name}: {}-fold cross-validation on {}", config.folds, config.data)));
    println!("wrote {} (sha256 {})", model_path.display(), sha256_hex(&bytes));
    Ok(ExitCode::SUCCESS)
}

/// Trains behind a progress bar on standard error (cleared when done).
pub fn train_with_progress(config: &TrainConfig, examples: &[Example]) -> Result<Trained, tenor_train::Error> {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {prefix} [{bar:30}] {pos}/{len} fits, {elapsed} ({eta} left) {msg}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_prefix(format!("training {} ({} examples)", config.name, examples.len()));
    let trained = tenor_train::train(config, examples, &mut |event| match event {
        tenor_train::TrainEvent::Fit { done, total, what } => {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.set_message(what);
        }
    })
    .map_err(|source| tenor_train::Error::Train { name: config.name.clone(), source })?;
    bar.finish_and_clear();
    Ok(trained)
}
