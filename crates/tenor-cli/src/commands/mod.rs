//! One module per subcommand.

pub mod aggregator;
pub mod archive;
pub mod claims;
pub mod classify;
pub mod diff;
pub mod eval;
pub mod eval_attribution;
pub mod eval_claims;
#[cfg(feature = "train")]
pub mod eval_finetuned;
pub mod eval_replay;
pub mod eval_split;
#[cfg(feature = "train")]
pub mod eval_tension;
pub mod replay;
pub mod run;
pub mod scorer;
pub mod segment;
pub mod segmenter;
pub mod serve;
pub mod service;
#[cfg(feature = "train")]
pub mod train;
pub mod ui;

/// The encoder in `dir` (default: the cache `scripts/fetch-encoder.sh` fills) at `precision`, resolved and
/// configured as the scoring commands resolve `models.encoder_*` (`ModelsConfig::encoder`): the one loader of
/// the `eval` commands.
pub fn load_encoder(
    dir: Option<&std::path::Path>,
    precision: tenor_encoder::Precision,
) -> anyhow::Result<tenor_encoder::Encoder> {
    use anyhow::Context;
    let mut models = tenor_runtime::config::ModelsConfig { encoder_precision: precision, ..Default::default() };
    if let Some(dir) = dir {
        models.encoder_dir = dir.display().to_string();
    }
    let manifest = tenor_encoder::Manifest::default_encoder();
    let (dir, config) = models.encoder(&manifest);
    tenor_encoder::Encoder::load(&dir, &manifest, config)
        .with_context(|| format!("cannot load the encoder from {}", dir.display()))
}

/// The bundled example stream: GUM's Wikinews news and interview articles (CC BY 2.5, see examples/README.md).
pub const EXAMPLE_STREAM: &[u8] = include_bytes!("../../../../examples/articles.jsonl");
/// The name records give as their origin file when they come from the bundled stream.
pub const EXAMPLE_STREAM_NAME: &str = "examples/articles.jsonl";
