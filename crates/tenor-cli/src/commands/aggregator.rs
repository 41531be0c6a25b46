use std::process::ExitCode;

use clap::Args;
use tenor_runtime::config::{self, AggregatorConfig};
use tenor_runtime::kafka::service;

use super::service::{block_on, finish, flag, ServiceArgs};

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
    let config: AggregatorConfig = args.service.load(extra.into_iter().flatten().collect())?;
    if args.service.print_config {
        print!("{}", config::redacted(&config));
        return Ok(ExitCode::SUCCESS);
    }
    let summary = block_on(async {
        let shutdown = service::shutdown_on_signals();
        service::aggregator(&config, shutdown).await
    })??;
    Ok(finish(summary))
}
