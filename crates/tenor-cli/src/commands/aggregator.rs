use std::process::ExitCode;

use clap::Args;
use tenor_runtime::config::AggregatorConfig;
use tenor_runtime::kafka::service;

use super::service::flag;
use crate::flags::ServiceArgs;

#[derive(Debug, Args)]
pub struct AggregatorArgs {
    #[command(flatten)]
    pub service: ServiceArgs,
    /// Width of the tumbling event-time windows, in seconds (`window.width_seconds`).
    #[arg(long)]
    pub window_seconds: Option<u64>,
}

pub fn run(args: AggregatorArgs) -> anyhow::Result<ExitCode> {
    let extra = [flag("window.width_seconds", &args.window_seconds)];
    super::service::run_configured(&args.service, &extra, |config: AggregatorConfig| {
        Ok(move |shutdown| async move { service::aggregator(&config, shutdown).await })
    })
}
