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
    /// Which tier's model: the linear model over hashed features, or an encoder head (written to
    /// models/encoder_<kind>/head.json by default; the encoder comes from --encoder-dir or the fetch cache).
    #[arg(long, value_enum, default_value_t = TrainTier::Linear)]
    pub tier: TrainTier,
    /// The encoder's model directory (encoder tier; default: the cache scripts/fetch-encoder.sh fills).
    #[arg(long, value_name = "DIR")]
    pub encoder_dir: Option<PathBuf>,
    #[command(flatten)]
    pub fine_tune: FineTuneArgs,
    #[command(flatten)]
    pub training: tenor_train::TrainingOptions,
}

/// Fine-tuning the encoder's top layers (`stance --tier encoder` only; docs/MODELS.md, "Fine-tuned top
/// layers"). Without --fine-tune-layers the encoder tier trains a frozen head.
#[derive(Debug, Args)]
pub struct FineTuneArgs {
    /// Fine-tune the encoder's top K layers with the target-stance classifier (started from the shipped
    /// frozen head); writes models/encoder_stance_ft/ (finetuned.json, top_layers.safetensors) by default.
    #[arg(long, value_name = "K")]
    pub fine_tune_layers: Option<usize>,
    /// Epochs over train (minus its held-out slice).
    #[arg(long, default_value_t = 1, requires = "fine_tune_layers")]
    pub epochs: usize,
    /// Peak learning rate of the layers (AdamW, linear decay to 0).
    #[arg(long, default_value_t = 5e-5, requires = "fine_tune_layers")]
    pub lr: f64,
    /// Peak learning rate of the classifier.
    #[arg(long, default_value_t = 5e-5, requires = "fine_tune_layers")]
    pub head_lr: f64,
    /// Target rows per step.
    #[arg(long, default_value_t = 32, requires = "fine_tune_layers")]
    pub batch: usize,
    /// Seed of the row order.
    #[arg(long, default_value_t = 15, requires = "fine_tune_layers")]
    pub seed: u64,
    /// Stop after this many steps (timing; the shipped model runs every step).
    #[arg(long, requires = "fine_tune_layers")]
    pub max_steps: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TrainTier {
    Linear,
    Encoder,
}

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    if args.tier == TrainTier::Encoder {
        if args.fine_tune.fine_tune_layers.is_some() {
            return fine_tune(args);
        }
        return train_head(args);
    }
    anyhow::ensure!(args.fine_tune.fine_tune_layers.is_none(), "--fine-tune-layers needs --tier encoder");
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

/// `tenor train <kind> --tier encoder`: the encoder head, its file and its card.
fn train_head(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let manifest = tenor_encoder::Manifest::default_encoder();
    let dir = args.encoder_dir.clone().unwrap_or_else(|| manifest.default_dir());
    let encoder = tenor_encoder::Encoder::load(&dir, &manifest, tenor_encoder::EncoderConfig::default())?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix} [{bar:30}] {pos}/{len} {elapsed} ({eta} left) {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(format!("encoder head for {}", args.kind.flag_value()));
    let run = tenor_train::train_encoder_head(
        args.kind,
        &args.model_version,
        &args.training,
        &encoder,
        &manifest.weights_sha256,
        &mut |event| match event {
            tenor_train::HeadEvent::Encoded { done, total } => {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
                bar.set_message("sentences encoded");
            }
            tenor_train::HeadEvent::Fit(tenor_train::TrainEvent::Fit { done, total, what }) => {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
                bar.set_message(what);
            }
        },
    )?;
    bar.finish_and_clear();
    let out =
        args.out.clone().unwrap_or_else(|| PathBuf::from(format!("models/encoder_{}", args.kind.dir_name())));
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let bytes = run.trained.head.to_bytes();
    let path = out.join("head.json");
    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    let date = args.date.clone().unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string());
    let command =
        std::iter::once("tenor".to_owned()).chain(std::env::args().skip(1)).collect::<Vec<_>>().join(" ");
    let card = tenor_train::head_card(&run, &bytes, &command, &date);
    std::fs::write(out.join("MODEL_CARD.md"), &card).context("cannot write MODEL_CARD.md")?;
    println!("{card}");
    println!("wrote {} (sha256 {})", path.display(), sha256_hex(&bytes));
    Ok(ExitCode::SUCCESS)
}

/// `tenor train stance --tier encoder --fine-tune-layers K`: the fine-tuned top layers and their description.
fn fine_tune(args: TrainArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.kind == ModelKind::Stance, "--fine-tune-layers trains the target-stance model only");
    let manifest = tenor_encoder::Manifest::default_encoder();
    let dir = args.encoder_dir.clone().unwrap_or_else(|| manifest.default_dir());
    let encoder = tenor_encoder::Encoder::load(&dir, &manifest, tenor_encoder::EncoderConfig::default())?;
    let weights_path = dir.join("model.safetensors");
    let weights =
        std::fs::read(&weights_path).with_context(|| format!("cannot read {}", weights_path.display()))?;
    let f = &args.fine_tune;
    let config = tenor_train::finetune::FineTuneConfig {
        layers: f.fine_tune_layers.expect("checked by the caller"),
        lr: f.lr,
        head_lr: f.head_lr,
        batch: f.batch,
        epochs: f.epochs,
        seed: f.seed,
        max_steps: f.max_steps,
        ..Default::default()
    };
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("models/encoder_stance_ft"));
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix} [{bar:30}] {pos}/{len} {elapsed} ({eta} left) {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(format!("fine-tuning the top {} layers", config.layers));
    let started = std::time::Instant::now();
    let run = tenor_train::finetuned::fine_tune_stance(
        &encoder,
        &weights,
        &manifest.weights_sha256,
        tenor_models::shipped::ENCODER_STANCE,
        &args.model_version,
        &args.training,
        &config,
        &out,
        &mut |event| match event {
            tenor_train::finetuned::FineTuneEvent::Encoded { done, total } => {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
                bar.set_message("sentences through the bottom layers");
            }
            tenor_train::finetuned::FineTuneEvent::Step { step, steps, loss } => {
                bar.set_length(steps as u64);
                bar.set_position(step as u64);
                bar.set_message(format!("loss {loss:.4}"));
                if !bar.is_hidden() {
                    return;
                }
                if step % 20 == 0 || step == steps {
                    eprintln!("step {step}/{steps} loss {loss:.4} ({:.0} s)", started.elapsed().as_secs_f64());
                }
            }
        },
    )?;
    bar.finish_and_clear();
    println!("{}", run.held_out.table("fine-tuned target stance on the held-out slice of train"));
    println!(
        "wrote {} ({} bytes, sha256 {}) and {} in {:.0} s ({} steps, final loss {:.4})",
        out.join(&run.file.weights_file).display(),
        run.file.weights_bytes,
        run.file.weights_sha256,
        out.join(tenor_train::finetuned::DESCRIPTION_FILE).display(),
        started.elapsed().as_secs_f64(),
        run.file.training.steps,
        run.file.training.final_loss,
    );
    Ok(ExitCode::SUCCESS)
}
