//! Flags and start-up shared by the Kafka services (`serve`, `segmenter`, `scorer`, `aggregator`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tenor_runtime::config::{self, Layers};
use tenor_runtime::kafka::engine::RunSummary;

/// Configuration flags every service takes. Layers: defaults < `--config` file < `TENOR_*` environment <
/// these flags (see docs/KAFKA.md for every key).
#[derive(Debug, Args)]
pub struct ServiceArgs {
    /// TOML configuration file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Set any configuration key, e.g. `--set kafka.librdkafka.security.protocol=SSL` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = config::parse_override)]
    pub overrides: Vec<(String, String)>,
    /// Kafka bootstrap servers (`kafka.bootstrap_servers`).
    #[arg(long, value_name = "HOST:PORT,...")]
    pub brokers: Option<String>,
    /// Consumer group id (`kafka.group_id`).
    #[arg(long)]
    pub group_id: Option<String>,
    /// Address of the /metrics, /healthz and /readyz endpoints (`metrics.addr`); port 0 picks a free port.
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<String>,
    /// Print the effective configuration (secrets redacted) and exit.
    #[arg(long)]
    pub print_config: bool,
}

impl ServiceArgs {
    /// Loads the configuration, with `extra` flag overrides (named flags of the command) applied last.
    pub fn load<T: Serialize + DeserializeOwned + Default>(
        &self,
        extra: Vec<(String, String)>,
    ) -> anyhow::Result<T> {
        let mut overrides = self.overrides.clone();
        let named = [
            ("kafka.bootstrap_servers", &self.brokers),
            ("kafka.group_id", &self.group_id),
            ("metrics.addr", &self.metrics_addr),
        ];
        overrides.extend(named.into_iter().filter_map(|(k, v)| v.clone().map(|v| (k.to_owned(), v))));
        overrides.extend(extra);
        let layers = Layers::from_process(self.config.as_ref().map(|p| p.display().to_string()), overrides);
        let config: T = config::load(&layers).context("cannot load the configuration")?;
        tracing::info!(config = %config::redacted(&config), "configuration");
        Ok(config)
    }
}

impl ServiceArgs {
    /// The configuration to run with (see [`ServiceArgs::load`]), or `None` when `--print-config` asked only
    /// to print it, which is done here.
    pub fn config_to_run<T: Serialize + DeserializeOwned + Default>(
        &self,
        extra: &[Option<(String, String)>],
    ) -> anyhow::Result<Option<T>> {
        let config: T = self.load(extra.iter().flatten().cloned().collect())?;
        if self.print_config {
            print!("{}", config::redacted(&config));
            return Ok(None);
        }
        Ok(Some(config))
    }
}

/// Runs a service until SIGTERM or SIGINT (its `shutdown` signal) and reports how it ended.
pub fn run_until_signalled<Service, Running>(service: Service) -> anyhow::Result<ExitCode>
where
    Service: FnOnce(tokio::sync::watch::Receiver<bool>) -> Running,
    Running: std::future::Future<Output = Result<RunSummary, tenor_runtime::kafka::ServiceError>>,
{
    let summary = block_on(async { service(tenor_runtime::kafka::service::shutdown_on_signals()).await })??;
    Ok(finish(summary))
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

/// The models of a scoring service: from `models.dir` (checked like a hot reload: see
/// `tenor_runtime::kafka::reload`), or the built-in ones when it is empty.
pub fn load_models(config: &tenor_runtime::config::ModelsConfig) -> anyhow::Result<tenor_pipeline::Models> {
    if config.dir.is_empty() {
        return tenor_pipeline::Models::shipped().context("the built-in models do not load");
    }
    let (models, _) = tenor_runtime::kafka::reload::load_models_dir(std::path::Path::new(&config.dir))?;
    Ok(models)
}
