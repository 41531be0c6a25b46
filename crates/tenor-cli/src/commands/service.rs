//! Start-up and shutdown shared by the Kafka services (`serve`, `segmenter`, `scorer`, `aggregator`); their
//! shared flags are `crate::flags::ServiceArgs`.

use std::process::ExitCode;

use anyhow::Context;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tenor_runtime::kafka::engine::RunSummary;

use crate::flags::ServiceArgs;

/// Runs a service until SIGTERM or SIGINT (its `shutdown` signal) and reports how it ended.
pub fn run_until_signalled<Service, Running>(service: Service) -> anyhow::Result<ExitCode>
where
    Service: FnOnce(tokio::sync::watch::Receiver<bool>) -> Running,
    Running: std::future::Future<Output = Result<RunSummary, tenor_runtime::kafka::ServiceError>>,
{
    let summary = block_on(async { service(tenor_runtime::kafka::service::shutdown_on_signals()).await })??;
    Ok(finish(summary))
}

/// Loads a service's configuration (`extra`: the command's named flags) and runs the service `start` makes
/// of it until signalled; with `--print-config`, only prints the configuration.
pub fn run_configured<Config, Service, Running>(
    args: &ServiceArgs,
    extra: &[Option<(String, String)>],
    start: impl FnOnce(Config) -> anyhow::Result<Service>,
) -> anyhow::Result<ExitCode>
where
    Config: Serialize + DeserializeOwned + Default,
    Service: FnOnce(tokio::sync::watch::Receiver<bool>) -> Running,
    Running: std::future::Future<Output = Result<RunSummary, tenor_runtime::kafka::ServiceError>>,
{
    let Some(config) = args.config_to_run::<Config>(extra)? else {
        return Ok(ExitCode::SUCCESS);
    };
    run_until_signalled(start(config)?)
}

/// Runs a service's future on a fresh async runtime, then shuts the runtime down without waiting for worker
/// threads still busy: a stage abandoned by the engine's stage timeout must not hold the exit (shutdown has
/// a 10 s budget).
pub fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let output = runtime.block_on(future);
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    Ok(output)
}

/// Reports a finished service run as an exit code.
pub fn finish(summary: RunSummary) -> ExitCode {
    tracing::info!(
        consumed = summary.consumed,
        produced = summary.produced,
        dead_letters = summary.dead_letters,
        "service stopped"
    );
    ExitCode::SUCCESS
}

/// `Some(key=value)` when a named flag was given.
pub fn flag<T: ToString>(key: &str, value: &Option<T>) -> Option<(String, String)> {
    value.as_ref().map(|v| (key.to_owned(), v.to_string()))
}
