use std::process::ExitCode;

use clap::Args;
use tenor_runtime::config::AggregatorConfig;
use tenor_runtime::kafka::service;

use super::service::{flag, run_until_signalled};
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
    let Some(config) = args.service.config_to_run::<AggregatorConfig>(&extra)? else {
        return Ok(ExitCode::SUCCESS);
    };
    run_until_signalled(|shutdown| async move { service::aggregator(&config, shutdown).await })
}
