//! Log set-up shared by every subcommand: `tracing` to standard error, text or JSON.

use clap::{Args, ValueEnum};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Log format on standard error.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "TENOR_LOG_FORMAT")]
    pub log_format: LogFormat,
    /// Log filter, in `tracing` syntax (e.g. `info`, `tenor_runtime=debug`); `RUST_LOG` works too.
    #[arg(long, global = true, default_value = "warn", env = "TENOR_LOG")]
    pub log: String,
}

pub fn init(args: &LogArgs) {
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(&args.log));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match args.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
