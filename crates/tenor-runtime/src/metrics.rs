//! Prometheus metrics of a Tenor service, in one registry per process, served on `/metrics` by [`crate::http`].
//!
//! Names follow Prometheus conventions: a `tenor_` prefix, base units (`_seconds`), `_total` for counters.
//! Label values are bounded: topics and reasons come from configuration and [`InputError::REASONS`], labels
//! from [`StanceLabel::ALL`], partitions from the assignment.

use std::collections::HashSet;
use std::sync::Mutex;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use tenor_core::{InputError, ModelRef, SentenceRecord, StanceLabel};

/// Every metric a Tenor service exports.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// `tenor_messages_consumed_total{topic}`
    pub messages_consumed: IntCounterVec,
    /// `tenor_records_produced_total{topic}`: records acknowledged by the broker.
    pub records_produced: IntCounterVec,
    /// `tenor_dead_letters_total{reason}`: dead letters acknowledged by the broker.
    pub dead_letters: IntCounterVec,
    /// `tenor_stage_seconds{stage}`: time spent in each processing stage, per message.
    pub stage_seconds: HistogramVec,
    /// `tenor_end_to_end_latency_seconds`: from the input message's timestamp to the acknowledgement of the
    /// last record it produced.
    pub end_to_end_seconds: Histogram,
    /// `tenor_consumer_lag_messages{topic,partition}`
    pub consumer_lag: IntGaugeVec,
    /// `tenor_stance_labels_total{label}`
    pub stance_labels: IntCounterVec,
    /// `tenor_stance_confidence`: calibrated confidence of every stance produced.
    pub confidence: Histogram,
    /// `tenor_in_flight_messages`: input messages consumed but not yet fully acknowledged.
    pub in_flight: IntGauge,
    /// `tenor_consumption_paused_total`: times consumption paused because in-flight work hit its bound.
    pub consumption_paused: IntCounter,
    /// `delivery.max_in_flight`, so that alerts can compare `tenor_in_flight_messages` with it.
    pub in_flight_limit: IntGauge,
    /// Partitions paused because the in-flight bound held (output slow or down); 0 when consuming.
    pub partitions_paused: IntGauge,
    /// Partitions assigned to and revoked from this member, by event (`assigned`, `revoked`).
    pub rebalances: IntCounterVec,
    /// `tenor_produce_retries_total`: records re-sent after a failed delivery.
    pub produce_retries: IntCounter,
    /// Produce failures by class: `transient` (re-sent), `permanent` (the input is dead-lettered), `fatal`
    /// (the producer is unusable: the service stops).
    pub produce_errors: IntCounterVec,
    /// Records that can never be delivered and have no input to dead-letter (a refused dead letter, a refused
    /// window record): logged and skipped so that the partition moves on. By reason.
    pub undeliverable_records: IntCounterVec,
    /// `tenor_offset_commits_total{result}`
    pub commits: IntCounterVec,
    /// `tenor_late_records_total`: aggregator records whose window had already been emitted.
    pub late_records: IntCounter,
    /// `tenor_windows_emitted_total{kind}`: aggregator window records emitted (`final` or `late`).
    pub windows_emitted: IntCounterVec,
    /// `tenor_event_time_clamped_total{direction}`: aggregator records whose event time lay too far in the
    /// `future` (or `past`) of their reference time and was clamped to it.
    pub event_time_clamped: IntCounterVec,
    /// `tenor_window_state_dropped_total`: aggregator input records whose counts were dropped from open windows
    /// because their partition was revoked; the partition's next owner replays and counts them.
    pub window_state_dropped: IntCounter,
    /// `tenor_tensions_total{scope}`: `tenor.tension/1` records produced, by scope (`article`: serve and
    /// scorer; `cluster`, `story`: the claims service).
    pub tensions: IntCounterVec,
    /// `tenor_claims_assigned_total{matched_by}`: claim sentences put in a cluster, by how they joined (`new`,
    /// `exact`, `lexical`, `embedding`).
    pub claims_assigned: IntCounterVec,
    /// `tenor_claim_clusters`: live claim clusters in the claims service's window.
    pub claim_clusters: IntGauge,
    /// `tenor_claim_state_bytes`: the claims service's estimate of its index's memory.
    pub claim_state_bytes: IntGauge,
    /// `tenor_claim_clusters_expired_total`: clusters the window dropped.
    pub claim_clusters_expired: IntCounter,
    /// `tenor_claim_clusters_restored_total`: clusters read back from the changelog at start-up.
    pub claim_clusters_restored: IntCounter,
    /// `tenor_claims_replay_skipped_total`: input records already in the restored state (replayed after a
    /// restart or a rebalance), not applied twice.
    pub claims_replay_skipped: IntCounter,
    /// `tenor_claims_embeddings_total{result}`: sentence records that carried an embedding, by what the claims
    /// service did with it (`used`, `other_encoder`: made by another encoder than the one in its state,
    /// `unreadable`); refused ones are clustered lexically.
    pub claims_embeddings: IntCounterVec,
    /// `tenor_tension_claims_restored_total`: claims of the tension tracker read back from the changelog.
    pub tension_claims_restored: IntCounter,
    /// `tenor_skipped_offsets_total{topic}`: offsets between a partition's committed position and the first
    /// message read after it was assigned, which this service never saw (see the engine's resume check).
    pub skipped_offsets: IntCounterVec,
    /// `tenor_model_reloads_total{outcome}`: model hot reloads, `loaded` (swapped in) or `refused` (the new
    /// file failed its checks and the old model was kept).
    pub model_reloads: IntCounterVec,
    /// `tenor_model_info{name,version,sha256}`: 1 for every model the service's records were produced with.
    pub model_info: IntGaugeVec,
    /// `tenor_build_info{version,component}`: always 1 (`component`, not `service`, which the Prometheus
    /// Operator sets on every scraped series).
    pub build_info: IntGaugeVec,
    models_seen: Mutex<HashSet<(String, String, String)>>,
}

/// Processing stages timed by `tenor_stage_seconds`.
pub mod stage {
    /// Decoding and validating an input message.
    pub const DECODE: &str = "decode";
    /// Splitting an article into sentences.
    pub const SEGMENT: &str = "segment";
    /// The whole pipeline on one decoded article (split, score, attribute, summarise).
    pub const PIPELINE: &str = "pipeline";
    /// Serialising records.
    pub const ENCODE: &str = "encode";
    /// From handing records to the producer to the broker's acknowledgement of the last one.
    pub const PRODUCE: &str = "produce";
    /// Aggregating one sentence record into its window.
    pub const AGGREGATE: &str = "aggregate";
    /// Putting one claim sentence in its cluster.
    pub const CLUSTER: &str = "cluster";
}

impl Metrics {
    /// Builds the registry for `service` (e.g. `serve`) and pre-registers every bounded label value, so that
    /// dashboards see zeros rather than missing series.
    pub fn new(service: &str) -> Metrics {
        let registry = Registry::new();
        let counter_vec = |name: &str, help: &str, labels: &[&str]| {
            let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
            registry.register(Box::new(c.clone())).expect("unique metric");
            c
        };
        let latency_buckets =
            vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];
        let messages_consumed =
            counter_vec("tenor_messages_consumed_total", "Input messages consumed, by topic.", &["topic"]);
        let records_produced = counter_vec(
            "tenor_records_produced_total",
            "Records acknowledged by the broker, by topic (dead letters included).",
            &["topic"],
        );
        let dead_letters = counter_vec(
            "tenor_dead_letters_total",
            "Dead letters acknowledged by the broker, by reason.",
            &["reason"],
        );
        for reason in InputError::REASONS {
            dead_letters.with_label_values(&[reason]);
        }
        let stage_seconds = HistogramVec::new(
            HistogramOpts::new("tenor_stage_seconds", "Time spent in each processing stage, per message.")
                .buckets(latency_buckets.clone()),
            &["stage"],
        )
        .expect("valid metric");
        registry.register(Box::new(stage_seconds.clone())).expect("unique metric");
        let end_to_end_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "tenor_end_to_end_latency_seconds",
                "From the input message timestamp to the acknowledgement of the last record it produced.",
            )
            .buckets(latency_buckets),
        )
        .expect("valid metric");
        registry.register(Box::new(end_to_end_seconds.clone())).expect("unique metric");
        let consumer_lag = IntGaugeVec::new(
            Opts::new("tenor_consumer_lag_messages", "Consumer lag per input partition, in messages."),
            &["topic", "partition"],
        )
        .expect("valid metric");
        registry.register(Box::new(consumer_lag.clone())).expect("unique metric");
        let stance_labels = counter_vec("tenor_stance_labels_total", "Stance labels produced.", &["label"]);
        for label in StanceLabel::ALL {
            stance_labels.with_label_values(&[label.as_str()]);
        }
        let confidence = Histogram::with_opts(
            HistogramOpts::new("tenor_stance_confidence", "Calibrated confidence of the stances produced.")
                .buckets(vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0]),
        )
        .expect("valid metric");
        registry.register(Box::new(confidence.clone())).expect("unique metric");
        let in_flight = IntGauge::new(
            "tenor_in_flight_messages",
            "Input messages consumed whose records are not all acknowledged yet.",
        )
        .expect("valid metric");
        registry.register(Box::new(in_flight.clone())).expect("unique metric");
        let consumption_paused = IntCounter::new(
            "tenor_consumption_paused_total",
            "Times consumption paused because in-flight work reached its bound.",
        )
        .expect("valid metric");
        registry.register(Box::new(consumption_paused.clone())).expect("unique metric");
        let in_flight_limit = IntGauge::new(
            "tenor_in_flight_limit",
            "The bound on in-flight input messages (delivery.max_in_flight).",
        )
        .expect("valid metric");
        registry.register(Box::new(in_flight_limit.clone())).expect("unique metric");
        let partitions_paused = IntGauge::new(
            "tenor_partitions_paused",
            "Partitions paused because the in-flight bound held (output slow or down).",
        )
        .expect("valid metric");
        registry.register(Box::new(partitions_paused.clone())).expect("unique metric");
        let rebalances = counter_vec(
            "tenor_rebalance_partitions_total",
            "Partitions assigned to or revoked from this member, by event.",
            &["event"],
        );
        for event in ["assigned", "revoked"] {
            rebalances.with_label_values(&[event]);
        }
        let produce_retries =
            IntCounter::new("tenor_produce_retries_total", "Records re-sent after a failed delivery.")
                .expect("valid metric");
        registry.register(Box::new(produce_retries.clone())).expect("unique metric");
        let produce_errors = counter_vec(
            "tenor_produce_errors_total",
            "Records whose production failed, by class (transient: re-sent; permanent: input dead-lettered; \
             fatal: producer unusable, service stops).",
            &["class"],
        );
        for class in ["transient", "permanent", "fatal"] {
            produce_errors.with_label_values(&[class]);
        }
        let undeliverable_records = counter_vec(
            "tenor_undeliverable_records_total",
            "Records refused for good with no input left to dead-letter (refused dead letters, window records): \
             logged and skipped, by reason.",
            &["reason"],
        );
        for reason in ["output_too_large", "produce_rejected"] {
            undeliverable_records.with_label_values(&[reason]);
        }
        let commits = counter_vec("tenor_offset_commits_total", "Offset commits, by result.", &["result"]);
        for result in ["ok", "error"] {
            commits.with_label_values(&[result]);
        }
        let late_records = IntCounter::new(
            "tenor_late_records_total",
            "Aggregator input records whose window had already been emitted.",
        )
        .expect("valid metric");
        registry.register(Box::new(late_records.clone())).expect("unique metric");
        let windows_emitted =
            counter_vec("tenor_windows_emitted_total", "Aggregator window records emitted, by kind.", &["kind"]);
        let event_time_clamped = counter_vec(
            "tenor_event_time_clamped_total",
            "Aggregator records whose event time was clamped to their reference time, by direction.",
            &["direction"],
        );
        for direction in ["future", "past"] {
            event_time_clamped.with_label_values(&[direction]);
        }
        let window_state_dropped = IntCounter::new(
            "tenor_window_state_dropped_total",
            "Aggregator records dropped from open windows when their partition was revoked (replayed by its next owner).",
        )
        .expect("valid metric");
        registry.register(Box::new(window_state_dropped.clone())).expect("unique metric");
        let tensions = counter_vec(
            "tenor_tensions_total",
            "Tension records (two sources, one subject, opposite stance) produced, by scope.",
            &["scope"],
        );
        for scope in ["article", "cluster", "story"] {
            tensions.with_label_values(&[scope]);
        }
        let claims_assigned = counter_vec(
            "tenor_claims_assigned_total",
            "Claim sentences put in a claim cluster, by how they joined (new, exact, lexical, embedding).",
            &["matched_by"],
        );
        for kind in ["new", "exact", "lexical", "embedding"] {
            claims_assigned.with_label_values(&[kind]);
        }
        let gauge = |name: &str, help: &str| {
            let g = IntGauge::new(name, help).expect("valid metric");
            registry.register(Box::new(g.clone())).expect("unique metric");
            g
        };
        let counter = |name: &str, help: &str| {
            let c = IntCounter::new(name, help).expect("valid metric");
            registry.register(Box::new(c.clone())).expect("unique metric");
            c
        };
        let claim_clusters = gauge("tenor_claim_clusters", "Live claim clusters in the window.");
        let claim_state_bytes = gauge("tenor_claim_state_bytes", "Estimated bytes of the claim cluster index.");
        let claim_clusters_expired =
            counter("tenor_claim_clusters_expired_total", "Claim clusters dropped by the time window.");
        let claim_clusters_restored = counter(
            "tenor_claim_clusters_restored_total",
            "Claim clusters read back from the changelog at start-up.",
        );
        let claims_replay_skipped = counter(
            "tenor_claims_replay_skipped_total",
            "Input records already applied to the restored claim state (replayed), not applied twice.",
        );
        let claims_embeddings = counter_vec(
            "tenor_claims_embeddings_total",
            "Sentence records with an embedding, by what the claims service did with it (used, other_encoder, \
             unreadable).",
            &["result"],
        );
        for result in ["used", "other_encoder", "unreadable"] {
            claims_embeddings.with_label_values(&[result]);
        }
        let tension_claims_restored = counter(
            "tenor_tension_claims_restored_total",
            "Claims of the cross-article tension tracker read back from the changelog at start-up.",
        );
        let skipped_offsets = counter_vec(
            "tenor_skipped_offsets_total",
            "Offsets between the committed position and the first message read after an assignment.",
            &["topic"],
        );
        let model_reloads = counter_vec(
            "tenor_model_reloads_total",
            "Model hot reloads, by outcome (loaded or refused).",
            &["outcome"],
        );
        for outcome in ["loaded", "refused"] {
            model_reloads.with_label_values(&[outcome]);
        }
        let model_info = IntGaugeVec::new(
            Opts::new("tenor_model_info", "Models the records were produced with (value 1)."),
            &["name", "version", "sha256"],
        )
        .expect("valid metric");
        registry.register(Box::new(model_info.clone())).expect("unique metric");
        let build_info = IntGaugeVec::new(
            Opts::new("tenor_build_info", "Tenor build information (value 1)."),
            &["version", "component"],
        )
        .expect("valid metric");
        registry.register(Box::new(build_info.clone())).expect("unique metric");
        build_info.with_label_values(&[env!("CARGO_PKG_VERSION"), service]).set(1);

        Metrics {
            registry,
            messages_consumed,
            records_produced,
            dead_letters,
            stage_seconds,
            end_to_end_seconds,
            consumer_lag,
            stance_labels,
            confidence,
            in_flight,
            consumption_paused,
            in_flight_limit,
            partitions_paused,
            rebalances,
            produce_retries,
            produce_errors,
            undeliverable_records,
            commits,
            late_records,
            windows_emitted,
            event_time_clamped,
            window_state_dropped,
            tensions,
            claims_assigned,
            claim_clusters,
            claim_state_bytes,
            claim_clusters_expired,
            claim_clusters_restored,
            claims_replay_skipped,
            claims_embeddings,
            tension_claims_restored,
            skipped_offsets,
            model_reloads,
            model_info,
            build_info,
            models_seen: Mutex::new(HashSet::new()),
        }
    }

    /// Registers a model in `tenor_model_info` (once per distinct model).
    pub fn observe_model(&self, model: &ModelRef) {
        // Called for every model of every sentence record: look up by reference (a handful of entries) and
        // copy the strings only for a model not seen before.
        let mut seen = self.models_seen.lock().unwrap_or_else(|e| e.into_inner());
        let known = seen.iter().any(|(name, version, sha256)| {
            *name == model.name && *version == model.version && *sha256 == model.sha256
        });
        if !known {
            seen.insert((model.name.clone(), model.version.clone(), model.sha256.clone()));
            tracing::info!(name = %model.name, version = %model.version, sha256 = %model.sha256, "model in use");
            self.model_info.with_label_values(&[&model.name, &model.version, &model.sha256]).set(1);
        }
    }

    /// Counts the stance of a produced sentence record and the models it names.
    pub fn observe_sentence(&self, record: &SentenceRecord) {
        if let Some(stance) = &record.stance {
            self.stance_labels.with_label_values(&[stance.label.as_str()]).inc();
            self.confidence.observe(stance.confidence);
        }
        for model in record.model.values() {
            self.observe_model(model);
        }
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out).expect("text encoding cannot fail");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_has_conventional_names_and_preregistered_labels() {
        let metrics = Metrics::new("serve");
        metrics.messages_consumed.with_label_values(&["articles"]).inc_by(3);
        metrics.observe_model(&ModelRef { name: "stance".into(), version: "1".into(), sha256: "ab".into() });
        let text = metrics.render();
        for needle in [
            "tenor_messages_consumed_total{topic=\"articles\"} 3",
            "tenor_dead_letters_total{reason=\"invalid_json\"} 0",
            "tenor_stance_labels_total{label=\"negative\"} 0",
            "tenor_model_info{name=\"stance\",sha256=\"ab\",version=\"1\"} 1",
            "tenor_build_info{component=\"serve\",version=",
            "tenor_in_flight_messages 0",
            "tenor_produce_errors_total{class=\"permanent\"} 0",
            "tenor_undeliverable_records_total{reason=\"produce_rejected\"} 0",
            "# TYPE tenor_end_to_end_latency_seconds histogram",
            "# TYPE tenor_stance_confidence histogram",
        ] {
            assert!(text.contains(needle), "missing {needle} in\n{text}");
        }
    }
}
