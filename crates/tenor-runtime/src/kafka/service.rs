//! Entry points of the four services: each loads its stage, creates its topics, serves its metrics, and runs
//! the engine until SIGTERM or SIGINT.

use std::sync::Arc;
use std::time::Duration;

use tenor_pipeline::Pipeline;
use tokio::sync::watch;

use super::aggregate::Aggregator;
use super::claims::{self, ClaimsOutputs, ClaimsStage};
use super::engine::{self, EngineSettings, RunSummary, Stage};
use super::reload::{run_reloads, ModelReloader, PipelineCell};
use super::stages::{OutputTopics, ScorerStage, SegmenterStage, ServeStage};
use super::{ensure_topics, ServiceError, TopicShapes};
use crate::config::{
    AggregatorConfig, ClaimsConfig, ConfigError, DeliveryConfig, KafkaConfig, MetricsConfig, ModelsConfig,
    RecordsConfig, ScorerConfig, SegmenterConfig, ServeConfig, ServiceSettings, TensionSection,
};
use crate::http::{metrics_router, Health, HttpServer};
use crate::metrics::Metrics;

/// A shutdown signal: turns true on SIGTERM or SIGINT (Ctrl-C).
pub fn shutdown_on_signals() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        let signal = wait_for_signal().await;
        tracing::info!(signal, "shutdown requested");
        let _ = tx.send(true);
        // Keep the sender alive: dropping it would read as a second shutdown request.
        futures::future::pending::<()>().await;
    });
    rx
}

#[cfg(unix)]
async fn wait_for_signal() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = tokio::signal::ctrl_c() => "SIGINT",
        },
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            "SIGINT"
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> &'static str {
    let _ = tokio::signal::ctrl_c().await;
    "SIGINT"
}

/// What every service needs besides its stage.
struct Common<'a> {
    service: &'static str,
    kafka: &'a KafkaConfig,
    metrics_config: &'a MetricsConfig,
    delivery: &'a DeliveryConfig,
    input: &'a str,
    outputs: Vec<&'a str>,
    /// Outputs created with `cleanup.policy=compact` (keyed state).
    compacted: Vec<&'a str>,
    /// Outputs created with one partition.
    single_partition: Vec<&'a str>,
    /// Topics consumed besides `input`.
    more_inputs: Vec<&'a str>,
    dlq: &'a str,
}

impl<'a> Common<'a> {
    fn new(
        service: &'static str,
        config: &'a impl ServiceSettings,
        input: &'a str,
        outputs: Vec<&'a str>,
        dlq: &'a str,
    ) -> Common<'a> {
        let (kafka, metrics_config, delivery) = (config.kafka(), config.metrics(), config.delivery());
        Common {
            service,
            kafka,
            metrics_config,
            delivery,
            input,
            outputs,
            compacted: Vec::new(),
            single_partition: Vec::new(),
            more_inputs: Vec::new(),
            dlq,
        }
    }
}

async fn run_service(
    common: Common<'_>,
    make_stage: impl FnOnce(&Arc<Metrics>) -> Stage,
    shutdown: watch::Receiver<bool>,
) -> Result<RunSummary, ServiceError> {
    run_service_with(common, |metrics| std::future::ready(Ok(make_stage(metrics))), shutdown).await
}

/// [`run_service`] with a stage whose making talks to the broker (reads state back) once topics exist.
async fn run_service_with<F>(
    common: Common<'_>,
    make_stage: impl FnOnce(&Arc<Metrics>) -> F,
    shutdown: watch::Receiver<bool>,
) -> Result<RunSummary, ServiceError>
where
    F: std::future::Future<Output = Result<Stage, ServiceError>>,
{
    let metrics = Arc::new(Metrics::new(common.service));
    let health = Arc::new(Health::default());
    let app = metrics_router(metrics.clone(), health.clone());
    let server = HttpServer::start(&common.metrics_config.addr, app, "/metrics, /healthz and /readyz").await?;
    if common.kafka.create_topics {
        let mut topics = vec![common.input, common.dlq];
        topics.extend(&common.more_inputs);
        topics.extend(&common.outputs);
        // Topic creation waits up to a minute for the broker: a shutdown request is honoured meanwhile.
        let mut stop = shutdown.clone();
        tokio::select! {
            created = ensure_topics(common.kafka, &topics, TopicShapes { compacted: &common.compacted, single_partition: &common.single_partition }, Duration::from_secs(60)) => created?,
            _ = stop.wait_for(|stop| *stop) => {
                tracing::info!("shutdown requested before the topics were ready; nothing was consumed");
                server.stop();
                return Ok(RunSummary::default());
            }
        }
    }
    let stage = match make_stage(&metrics).await {
        Ok(stage) => stage,
        Err(error) => {
            server.stop();
            return Err(error);
        }
    };
    health.set_pipeline_loaded(true);
    let settings = EngineSettings {
        service: format!("tenor-{}", common.service),
        input_topics: std::iter::once(common.input)
            .chain(common.more_inputs.iter().copied())
            .map(str::to_owned)
            .collect(),
        dlq_topic: common.dlq.into(),
        delivery: common.delivery.clone(),
        workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
    };
    let summary = engine::run(common.kafka, settings, stage, metrics, health, shutdown).await;
    server.stop();
    summary
}

/// Exports `tenor_model_info` for the pipeline's models as soon as they are loaded.
fn register_models(pipeline: &Pipeline, metrics: &Metrics) {
    if let Some(models) = pipeline.models() {
        for (_, scorer) in models.roles() {
            metrics.observe_model(scorer.model_ref());
        }
    }
}

/// The scoring stages' pipeline, in a cell that reloads swap: exports its models in `tenor_model_info` and
/// starts the reload task when the models come from a directory (`models.dir`; `pipeline` must have been
/// loaded from it).
fn reloadable(
    pipeline: Arc<Pipeline>,
    config: &ModelsConfig,
    metrics: &Arc<Metrics>,
    shutdown: watch::Receiver<bool>,
) -> Arc<PipelineCell> {
    register_models(&pipeline, metrics);
    let in_use = pipeline
        .models()
        .map(|m| [&m.stance, &m.sentence_stance, &m.claim].map(|scorer| scorer.model_ref().sha256.clone()));
    let pipeline_config = pipeline.config().clone();
    let cell = Arc::new(PipelineCell::new(pipeline));
    match in_use {
        Some(in_use) if !config.dir.is_empty() => {
            let reloader = ModelReloader::new(
                config.dir.clone().into(),
                pipeline_config,
                cell.clone(),
                metrics.clone(),
                in_use,
            );
            let interval = Duration::from_millis(config.watch_interval_ms);
            tracing::info!(dir = %config.dir, watch_interval_ms = config.watch_interval_ms, "model hot reload enabled (SIGHUP or file change)");
            tokio::spawn(run_reloads(reloader, interval, shutdown));
        }
        _ => tracing::info!("built-in models: hot reload needs models.dir (--models DIR)"),
    }
    cell
}

/// The scoring stages' output topics (sentences, articles, review, tensions) as names and as the stage's
/// [`OutputTopics`]; refuses tension rules that do not validate.
fn scoring_outputs<'a>(
    [sentences, articles, review, tensions]: [&'a String; 4],
    threshold: f64,
    tension: &TensionSection,
    records: &RecordsConfig,
) -> Result<(Vec<&'a str>, OutputTopics), ServiceError> {
    tension.rules.validate().map_err(|e| ServiceError::Config(ConfigError::Invalid(format!("tension: {e}"))))?;
    let topics = OutputTopics {
        sentences: sentences.as_str().into(),
        articles: articles.as_str().into(),
        review: review.as_str().into(),
        review_threshold: threshold,
        tensions: tension.enabled.then(|| (tensions.as_str().into(), tension.rules.clone())),
        embeddings: records.embeddings,
    };
    Ok((vec![sentences, articles, review, tensions], topics))
}

/// `tenor serve`.
pub async fn serve(
    config: &ServeConfig,
    pipeline: Arc<Pipeline>,
    shutdown: watch::Receiver<bool>,
) -> Result<RunSummary, ServiceError> {
    let t = &config.topics;
    let (outputs, topics) = scoring_outputs(
        [&t.sentences, &t.articles, &t.review, &t.tensions],
        config.review.threshold,
        &config.tension,
        &config.records,
    )?;
    let common = Common::new("serve", config, &t.input, outputs, &t.dlq);
    let reload_shutdown = shutdown.clone();
    let stage = |metrics: &Arc<Metrics>| {
        let pipeline = reloadable(pipeline, &config.models, metrics, reload_shutdown);
        Stage::Stateless(Arc::new(ServeStage { pipeline, topics }))
    };
    run_service(common, stage, shutdown).await
}

/// `tenor segmenter`.
pub async fn segmenter(
    config: &SegmenterConfig,
    pipeline: Arc<Pipeline>,
    shutdown: watch::Receiver<bool>,
) -> Result<RunSummary, ServiceError> {
    let t = &config.topics;
    let common = Common::new("segmenter", config, &t.input, vec![&t.segments], &t.dlq);
    let segments = t.segments.as_str().into();
    run_service(common, |_| Stage::Stateless(Arc::new(SegmenterStage { pipeline, segments })), shutdown).await
}

/// `tenor scorer`.
pub async fn scorer(
    config: &ScorerConfig,
    pipeline: Arc<Pipeline>,
    shutdown: watch::Receiver<bool>,
) -> Result<RunSummary, ServiceError> {
    let t = &config.topics;
    let (outputs, topics) = scoring_outputs(
        [&t.sentences, &t.articles, &t.review, &t.tensions],
        config.review.threshold,
        &config.tension,
        &config.records,
    )?;
    let common = Common::new("scorer", config, &t.segments, outputs, &t.dlq);
    let reload_shutdown = shutdown.clone();
    let stage = |metrics: &Arc<Metrics>| {
        let pipeline = reloadable(pipeline, &config.models, metrics, reload_shutdown);
        Stage::Stateless(Arc::new(ScorerStage { pipeline, topics }))
    };
    run_service(common, stage, shutdown).await
}

/// `tenor aggregator`.
pub async fn aggregator(
    config: &AggregatorConfig,
    shutdown: watch::Receiver<bool>,
) -> Result<RunSummary, ServiceError> {
    let t = &config.topics;
    let mut common = Common::new("aggregator", config, &t.sentences, vec![&t.speakers], &t.dlq);
    if !t.tensions.is_empty() {
        common.more_inputs.push(&t.tensions);
    }
    let aggregator = Aggregator::new(config.window.clone(), t.speakers.as_str().into(), config.max_record_bytes);
    run_service(common, |_| Stage::Stateful(Box::new(aggregator)), shutdown).await
}

/// `tenor claims`: reads its index back from the changelog, then runs.
pub async fn claims(config: &ClaimsConfig, shutdown: watch::Receiver<bool>) -> Result<RunSummary, ServiceError> {
    config.cluster.validate().map_err(|e| ServiceError::Config(ConfigError::Invalid(format!("cluster: {e}"))))?;
    let t = &config.topics;
    config
        .tension
        .rules
        .validate()
        .map_err(|e| ServiceError::Config(ConfigError::Invalid(format!("tension: {e}"))))?;
    let mut common =
        Common::new("claims", config, &t.sentences, vec![&t.claims, &t.changelog, &t.tensions], &t.dlq);
    common.compacted = vec![&t.claims, &t.changelog];
    common.single_partition = vec![&t.changelog];
    let outputs = ClaimsOutputs {
        claims: t.claims.as_str().into(),
        changelog: t.changelog.as_str().into(),
        tensions: config.tension.enabled.then(|| (t.tensions.as_str().into(), config.tension.rules.clone())),
    };
    let make_stage = |metrics: &Arc<Metrics>| {
        let metrics = metrics.clone();
        async move {
            let mut stage = ClaimsStage::new(config.cluster.clone(), outputs, config.max_record_bytes);
            let timeout = Duration::from_millis(config.restore_timeout_ms);
            claims::restore(&config.kafka, &t.changelog, &t.sentences, &mut stage, &metrics, timeout).await?;
            Ok(Stage::Stateful(Box::new(stage)))
        }
    };
    run_service_with(common, make_stage, shutdown).await
}
