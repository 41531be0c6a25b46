use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use tenor_pipeline::Pipeline;
use tenor_runtime::config::ServeConfig;
use tenor_runtime::kafka::reload::load_configured;
use tenor_runtime::kafka::service;

use super::service::flag;
use crate::flags::{ModelArgs, ServiceArgs};

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub service: ServiceArgs,
    #[command(flatten)]
    pub models: ModelArgs,
    /// Topic of article messages (`topics.input`).
    #[arg(long)]
    pub input_topic: Option<String>,
    /// Sentence records below this stance confidence also go to the review topic (`review.threshold`).
    #[arg(long)]
    pub review_threshold: Option<f64>,
    /// Publish no `tenor.tension/1` records (`tension.enabled = false`).
    #[arg(long)]
    pub no_tensions: bool,
    /// Put no encoder embedding on claim sentence records (`records.embeddings = false`); the claims service
    /// then clusters them lexically.
    #[arg(long)]
    pub no_embeddings: bool,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut extra = args.models.overrides();
    extra.extend([flag("topics.input", &args.input_topic), flag("review.threshold", &args.review_threshold)]);
    extra.push(args.no_tensions.then(|| ("tension.enabled".to_owned(), "false".to_owned())));
    extra.push(args.no_embeddings.then(|| ("records.embeddings".to_owned(), "false".to_owned())));
    super::service::run_configured(&args.service, &extra, |config: ServeConfig| {
        let pipeline = Arc::new(Pipeline::with_models(config.pipeline.clone(), load_configured(&config.models)?));
        Ok(move |shutdown| async move { service::serve(&config, pipeline, shutdown).await })
    })
}
