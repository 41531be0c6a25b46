use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use tenor_pipeline::Pipeline;
use tenor_runtime::config::{self, SegmenterConfig};
use tenor_runtime::kafka::service;

use super::service::{block_on, finish, flag, ServiceArgs};

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
    let config: SegmenterConfig = args.service.load(extra.into_iter().flatten().collect())?;
    if args.service.print_config {
        print!("{}", config::redacted(&config));
        return Ok(ExitCode::SUCCESS);
    }
    let pipeline = Arc::new(Pipeline::new(config.pipeline.clone()));
    let summary = block_on(async {
        let shutdown = service::shutdown_on_signals();
        service::segmenter(&config, pipeline, shutdown).await
    })??;
    Ok(finish(summary))
}
