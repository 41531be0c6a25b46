//! `tenor eval fine-tuned`: the fine-tuned target-stance model (`models/encoder_stance_ft`) beside the frozen
//! encoder head on NewsMTSC dev's target rows, and both on the reference sentences (scored without a mention:
//! the sentence mean stands in for the target). Scoring is `tenor_train::finetuned`'s; this prints.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use tenor_eval::metrics::evaluate;
use tenor_models::Task;
use tenor_train::data::{stance_examples, NEWSMTSC_DEV};
use tenor_train::finetuned::{score_fine_tuned, FineTunedModel};
use tenor_train::Example;

#[derive(Debug, Args)]
pub struct EvalFineTunedArgs {
    /// The fine-tuned model's directory (finetuned.json, top_layers.safetensors).
    #[arg(long, default_value = "models/encoder_stance_ft")]
    pub dir: PathBuf,
    /// Labelled dev file (NewsMTSC JSONL); evaluation only.
    #[arg(long, default_value = NEWSMTSC_DEV)]
    pub dev: PathBuf,
    /// The reference sentences (label TAB sentence).
    #[arg(long, default_value = "models/data/reference/sentences.tsv")]
    pub reference: PathBuf,
    /// The encoder's model directory (default: the cache scripts/fetch-encoder.sh fills).
    #[arg(long, value_name = "DIR")]
    pub encoder_dir: Option<PathBuf>,
}

pub fn run(args: EvalFineTunedArgs) -> anyhow::Result<ExitCode> {
    let manifest = tenor_encoder::Manifest::default_encoder();
    let encoder = super::load_encoder(args.encoder_dir.as_deref(), tenor_encoder::Precision::F32)?;
    let model = FineTunedModel::load(&args.dir, &encoder, &manifest.weights_sha256)?;
    let frozen = tenor_models::Head::from_bytes(tenor_models::shipped::ENCODER_STANCE)?;
    let labels = Task::Stance.labels();
    let width = frozen.file().input_width();
    let frozen_probs = |rows: &[Example]| -> anyhow::Result<Vec<Vec<f64>>> {
        let vectors = tenor_train::vector_examples(&encoder, rows, &mut |_, _| {})?;
        // Without a mention the sentence mean stands in for the target's, as in the fine-tuned model.
        let pooled = |x: &[f32]| if x.len() == width { x.to_vec() } else { [x, x].concat() };
        Ok(vectors.iter().map(|v| frozen.probabilities(&pooled(&v.x))).collect())
    };

    let dev = stance_examples(&args.dev)?;
    let gold: Vec<usize> = dev.iter().map(|e| e.label).collect();
    let what = format!("{} ({} targets)", args.dev.display(), dev.len());
    println!("{}", evaluate(labels, &gold, &frozen_probs(&dev)?).table(&format!("frozen head {what}")));
    let tuned = score_fine_tuned(&model, &encoder, &dev)?;
    println!(
        "{}",
        tuned.table(&format!("fine-tuned top {} layers {what}", model.file.layers - model.file.from_layer))
    );

    let text = std::fs::read_to_string(&args.reference)?;
    let reference: Vec<Example> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            let (label, sentence) = l.split_once('\t').ok_or_else(|| anyhow::anyhow!("line {l:?}: no tab"))?;
            let label =
                labels.iter().position(|x| *x == label).ok_or_else(|| anyhow::anyhow!("label {label:?}"))?;
            Ok(Example { text: sentence.to_owned(), target: None, label, group: i.to_string() })
        })
        .collect::<anyhow::Result<_>>()?;
    let right = |probs: &[Vec<f64>]| {
        let argmax = |p: &[f64]| (0..p.len()).fold(0, |b, c| if p[c] > p[b] { c } else { b });
        probs.iter().zip(&reference).filter(|(p, e)| argmax(p) == e.label).count()
    };
    let tuned_probs = model.probabilities(&encoder, &reference)?;
    println!(
        "reference sentences (no mention): frozen target head {} of {} right, fine-tuned {} of {}",
        right(&frozen_probs(&reference)?),
        reference.len(),
        right(&tuned_probs),
        reference.len()
    );
    Ok(ExitCode::SUCCESS)
}
