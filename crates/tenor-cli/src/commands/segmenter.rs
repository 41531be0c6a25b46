use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use tenor_pipeline::Pipeline;
use tenor_runtime::config::SegmenterConfig;
use tenor_runtime::kafka::service;

use super::service::flag;
use crate::flags::ServiceArgs;

#[derive(Debug, Args)]
pub struct SegmenterArgs {
    #[command(flatten)]
    pub service: ServiceArgs,
    /// Topic of article messages (`topics.input`).
    #[arg(long)]
    pub input_topic: Option<String>,
}

pub fn run(args: SegmenterArgs) -> anyhow::Result<ExitCode> {
    let extra = [flag("topics.input", &args.input_topic)];
    super::service::run_configured(&args.service, &extra, |config: SegmenterConfig| {
        let pipeline = Arc::new(Pipeline::new(config.pipeline.clone()));
        Ok(move |shutdown| async move { service::segmenter(&config, pipeline, shutdown).await })
    })
}
