//! `tenor ui`: the live page (tenor_runtime::ui).
//!
//! Plain flags, no configuration struct in `config/services.rs` and no `--print-config`: the page is not a
//! stage of the engine (no consumer group, no offsets to commit, no output topics, no models, no metrics), so
//! the layered service configuration would be sections it ignores. Its Kafka client takes `--kafka-set` for
//! librdkafka properties (SASL, TLS), like `tenor archive`.

use std::process::ExitCode;

use clap::Args;
use tenor_runtime::config::{self, KafkaConfig};
use tenor_runtime::ui::{self, feed::DEFAULT_TOPICS, FeedSource};
use tenor_view::Caps;

use super::service::block_on;

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("feed").required(true).args(["records", "brokers"]))]
pub struct UiArgs {
    /// Read records from this file (JSON lines as `tenor run` writes them; `-` is standard input, `.gz` is
    /// decompressed).
    #[arg(long, value_name = "FILE")]
    pub records: Option<String>,
    /// With `--records FILE`: keep reading lines appended to the file.
    #[arg(long, requires = "records")]
    pub follow: bool,
    /// Read the output topics of a running Tenor from their beginning (no consumer group, nothing committed).
    #[arg(long, value_name = "HOST:PORT,...", env = "TENOR_KAFKA__BOOTSTRAP_SERVERS")]
    pub brokers: Option<String>,
    /// Any librdkafka property, e.g. `--kafka-set security.protocol=SSL` (repeatable).
    #[arg(long = "kafka-set", value_name = "KEY=VALUE", value_parser = config::parse_override)]
    pub librdkafka: Vec<(String, String)>,
    /// The topics to read (repeatable; default: the four output topics).
    #[arg(long = "topic", value_name = "TOPIC", default_values_t = DEFAULT_TOPICS.map(String::from))]
    pub topics: Vec<String>,
    /// Where the page listens.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// How many articles the page keeps (the newest; older ones are dropped).
    #[arg(long, default_value_t = Caps::default().articles)]
    pub max_articles: usize,
}

pub fn run(args: UiArgs) -> anyhow::Result<ExitCode> {
    let source = match (&args.records, &args.brokers) {
        (Some(path), _) => FeedSource::File { path: path.clone(), follow: args.follow },
        (None, Some(brokers)) => FeedSource::Kafka {
            kafka: KafkaConfig {
                bootstrap_servers: brokers.clone(),
                group_id: "tenor-ui".to_owned(),
                fetch_wait_max_ms: 100,
                librdkafka: args.librdkafka.iter().cloned().collect(),
                ..KafkaConfig::default()
            },
            topics: args.topics.clone(),
        },
        (None, None) => unreachable!("clap requires --records or --brokers"),
    };
    let caps = Caps { articles: args.max_articles.max(1), ..Caps::default() };
    block_on(async {
        ui::run(&args.listen, source, caps, tenor_runtime::kafka::service::shutdown_on_signals()).await
    })??;
    Ok(ExitCode::SUCCESS)
}
