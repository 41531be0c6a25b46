//! Flag groups shared by more than one subcommand, in one place: a command flattens the group it needs
//! (`#[command(flatten)]`) and turns it into the library's own value with the group's method. Each group's
//! defaults come from the library, so a flag and the library cannot disagree.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tenor_digest::DigestOptions;
use tenor_pipeline::{Models, PipelineConfig, Tier};
use tenor_runtime::config::{self, Layers, ModelsConfig};

use crate::commands::service::flag;

/// Which models score: the linear models built into the binary or a directory holding `stance/model.json`,
/// `sentence_stance/model.json` and `claim/model.json` (the layout of `models/`), and which tier scores
/// (docs/MODELS.md, "Tiers"). Services take the same choices as `models.*` configuration keys.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Directory with `stance/model.json`, `sentence_stance/model.json` and `claim/model.json` to use instead
    /// of the built-in models (`models.dir`).
    #[arg(long)]
    pub models: Option<PathBuf>,
    /// Which tier scores: linear, encoder, or cascade (`models.tier`).
    #[arg(long, value_name = "TIER")]
    pub tier: Option<Tier>,
    /// Cascade: share of each article's sentences the encoder re-scores, 0..=1 (`models.encoder_share`).
    #[arg(long, value_name = "SHARE")]
    pub encoder_share: Option<f64>,
    /// The encoder's model directory (`models.encoder_dir`; default: the cache scripts/fetch-encoder.sh fills).
    #[arg(long, value_name = "DIR")]
    pub encoder_dir: Option<PathBuf>,
    /// Threads for the encoder (`models.encoder_threads`; default one per core).
    #[arg(long, value_name = "N")]
    pub encoder_threads: Option<usize>,
    /// How the encoder's dense layers compute: f32 or int8 (`models.encoder_precision`).
    #[arg(long, value_name = "PRECISION")]
    pub encoder_precision: Option<tenor_encoder::Precision>,
}

impl ModelArgs {
    /// These flags over the default configuration, for the commands that take no configuration file.
    pub fn config(&self) -> ModelsConfig {
        let mut config = ModelsConfig::default();
        if let Some(dir) = &self.models {
            config.dir = dir.display().to_string();
        }
        config.tier = self.tier.unwrap_or(config.tier);
        config.encoder_share = self.encoder_share.unwrap_or(config.encoder_share);
        if let Some(dir) = &self.encoder_dir {
            config.encoder_dir = dir.display().to_string();
        }
        config.encoder_threads = self.encoder_threads.unwrap_or(config.encoder_threads);
        config.encoder_precision = self.encoder_precision.unwrap_or(config.encoder_precision);
        config
    }

    /// The models, loaded and checked by `tenor_runtime::kafka::reload::load_configured`.
    pub fn load(&self) -> anyhow::Result<Models> {
        Ok(tenor_runtime::kafka::reload::load_configured(&self.config())?)
    }

    /// The flags as configuration overrides, for the services (named flags win over every other layer).
    pub fn overrides(&self) -> Vec<Option<(String, String)>> {
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        vec![
            flag("models.dir", &path(&self.models)),
            flag("models.tier", &self.tier.map(|t| t.as_str())),
            flag("models.encoder_share", &self.encoder_share),
            flag("models.encoder_dir", &path(&self.encoder_dir)),
            flag("models.encoder_threads", &self.encoder_threads),
            flag("models.encoder_precision", &self.encoder_precision),
        ]
    }
}

/// The size limits of the commands that run the pipeline over a file (`run`, `replay`); the services take
/// theirs from their configuration.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Largest article body accepted, in bytes; larger ones are dead-lettered as `oversize`.
    #[arg(long, default_value_t = PipelineConfig::default().limits.max_body_bytes)]
    pub max_body_bytes: usize,
    /// Largest message (input line) accepted, in bytes.
    #[arg(long, default_value_t = PipelineConfig::default().limits.max_message_bytes)]
    pub max_message_bytes: usize,
}

impl LimitArgs {
    /// The default pipeline configuration with these limits.
    pub fn pipeline_config(&self) -> PipelineConfig {
        let mut config = PipelineConfig::default();
        config.limits.max_body_bytes = self.max_body_bytes;
        config.limits.max_message_bytes = self.max_message_bytes;
        config
    }
}

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

/// The flags of the `tenor eval` commands that retrain the baseline (`stance`, `claim`).
#[cfg(feature = "train")]
#[derive(Debug, Clone, Args)]
pub struct RetrainArgs {
    /// Also write the reports as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    #[command(flatten)]
    pub training: tenor_train::TrainingOptions,
}

#[cfg(all(test, feature = "train"))]
mod tests {
    use clap::{Parser, ValueEnum};

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        training: tenor_train::TrainingOptions,
    }

    #[test]
    fn training_flags_default_to_the_library_defaults() {
        let cli = Cli::try_parse_from(["tenor"]).unwrap();
        assert_eq!(cli.training, tenor_train::TrainingOptions::default());
        let cli = Cli::try_parse_from(["tenor", "--alphas", "1,2", "--with-tone", "t.txt", "--tone-rows", "all"])
            .unwrap();
        let options = cli.training;
        assert_eq!((options.alphas, options.tone_rows), (vec![1.0, 2.0], tenor_train::ToneRows::All));
    }

    #[test]
    fn the_names_on_a_card_command_line_are_the_flag_values() {
        for kind in tenor_train::ModelKind::value_variants() {
            assert_eq!(kind.to_possible_value().unwrap().get_name(), kind.flag_value());
        }
        for features in tenor_train::FeatureSet::value_variants() {
            assert_eq!(features.to_possible_value().unwrap().get_name(), features.flag_value());
        }
    }
}

/// What `run` and `replay` (in-process) write to the records output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// The digest when the records output is standard output and a terminal, JSON lines otherwise.
    Auto,
    /// A readable digest for a person: each article's claims with speaker, stance and hedges, then a summary.
    Digest,
    /// The records, one JSON object a line (`tenor.sentence/1`, `tenor.article/1`).
    Jsonl,
}

/// Whether the digest is in colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When standard output is a terminal and `NO_COLOR` is not set.
    Auto,
    Always,
    Never,
}

/// Whether `run` and `replay` (in-process) follow claims across the stream's articles (issue #17): claim
/// clusters (`claim_cluster` on sentence records, `tenor.claim/1` records) and tensions (`tenor.tension/1`).
#[derive(Debug, Clone, Args)]
pub struct ClaimsArgs {
    /// Write no claim clusters: no `claim_cluster` ids, no `tenor.claim/1` records.
    #[arg(long)]
    pub no_claims: bool,
    /// Write no `tenor.tension/1` records.
    #[arg(long)]
    pub no_tensions: bool,
}

impl ClaimsArgs {
    /// The run's claims configuration (defaults of `tenor_claims`), or `None` when both are off.
    pub fn config(&self) -> Option<tenor_claims::ClaimsRunConfig> {
        let config = tenor_claims::ClaimsRunConfig {
            clusters: !self.no_claims,
            tensions: !self.no_tensions,
            ..Default::default()
        };
        (config.clusters || config.tensions).then_some(config)
    }
}

/// How `run` and `replay` (in-process) present their output to a person: the output format, colour, and the
/// progress line on standard error.
#[derive(Debug, Clone, Args)]
pub struct PresentArgs {
    /// Records output format: `digest` (readable, for a person), `jsonl` (the records), or `auto`: the digest
    /// when the output is standard output and a terminal, JSON lines otherwise (a pipe or a file).
    #[arg(long, value_enum, default_value_t = OutputFormat::Auto)]
    pub format: OutputFormat,
    /// Colour in the digest: `auto` is on when standard output is a terminal and `NO_COLOR` is not set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// No progress line (it is also hidden when standard error is not a terminal).
    #[arg(long)]
    pub no_progress: bool,
}

impl PresentArgs {
    /// The digest's layout when the records output (`-`: standard output) gets a digest, `None` when it gets
    /// JSON lines. The width is the terminal's when the digest goes to one, else `tenor_digest::DEFAULT_WIDTH`.
    pub fn digest(&self, output: &str) -> Option<DigestOptions> {
        let terminal = output == "-" && std::io::stdout().is_terminal();
        let digest = match self.format {
            OutputFormat::Auto => terminal,
            OutputFormat::Digest => true,
            OutputFormat::Jsonl => false,
        };
        let color = match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        };
        let width = terminal
            .then(|| terminal_size::terminal_size_of(std::io::stdout()))
            .flatten()
            .map_or(tenor_digest::DEFAULT_WIDTH, |(width, _)| usize::from(width.0));
        digest.then_some(DigestOptions { width, color })
    }

    /// Whether to draw a progress line: asked for, and standard error is a terminal.
    pub fn progress(&self) -> bool {
        !self.no_progress && std::io::stderr().is_terminal()
    }
}
