use std::process::ExitCode;

use clap::Args;
use tenor_runtime::config::ClaimsConfig;
use tenor_runtime::kafka::service;

use super::service::flag;
use crate::flags::ServiceArgs;

#[derive(Debug, Args)]
pub struct ClaimsArgs {
    #[command(flatten)]
    pub service: ServiceArgs,
    /// How long a claim cluster lives after its newest member, in seconds of event time
    /// (`cluster.window_seconds`).
    #[arg(long)]
    pub window_seconds: Option<u64>,
}

pub fn run(args: ClaimsArgs) -> anyhow::Result<ExitCode> {
    let extra = [flag("cluster.window_seconds", &args.window_seconds)];
    super::service::run_configured(&args.service, &extra, |config: ClaimsConfig| {
        Ok(move |shutdown| async move { service::claims(&config, shutdown).await })
    })
}
