//! Model hot reload for the services that score (`serve`, `scorer`).
//!
//! The stage holds a [`PipelineCell`]; each message takes the current pipeline once, at its start, and uses it
//! for all its records, so a swap happens *between* messages: every article is scored by one model version
//! and nothing is dropped or processed twice (the engine's offsets are untouched by a reload).
//!
//! A reload ([`ModelReloader::reload`]) is triggered by SIGHUP or by a change of the model files
//! (`models.watch_interval_ms`). The new files are checked before anything is swapped: both must read, parse as
//! a `tenor.model/1` of the right task and feature version, match their `model.json.sha256` file when one sits
//! beside them, and score a probe sentence to finite probabilities. A file that fails is **refused**: the old
//! models stay, the error is logged, and `tenor_model_reloads_total{outcome="refused"}` counts it; a swap counts
//! as `loaded`. Records name the new models' sha256 from the first message processed after the swap.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use tenor_pipeline::{Models, Pipeline, PipelineConfig};
use tokio::sync::watch;

use crate::metrics::Metrics;

/// The pipeline a service runs, replaceable while it runs.
#[derive(Debug)]
pub struct PipelineCell {
    current: RwLock<Arc<Pipeline>>,
}

impl PipelineCell {
    pub fn new(pipeline: Arc<Pipeline>) -> PipelineCell {
        PipelineCell { current: RwLock::new(pipeline) }
    }

    /// The pipeline to process one message with.
    pub fn load(&self) -> Arc<Pipeline> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn swap(&self, pipeline: Arc<Pipeline>) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = pipeline;
    }
}

impl From<Arc<Pipeline>> for PipelineCell {
    fn from(pipeline: Arc<Pipeline>) -> Self {
        PipelineCell::new(pipeline)
    }
}

/// Why model files were refused.
#[derive(Debug, thiserror::Error)]
pub enum ModelFilesError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path} has sha256 {actual} but {path}.sha256 says {expected}")]
    Checksum { path: String, expected: String, actual: String },
    #[error("the models in {dir} do not load: {detail}")]
    Load { dir: String, detail: String },
    #[error("the models in {dir} fail the probe sentence: {detail}")]
    Probe { dir: String, detail: String },
    #[error("the built-in models do not load: {0}")]
    BuiltIn(String),
    #[error("the encoder tier does not load: {0}")]
    Encoder(String),
}

/// The model files of a models directory (the layout of `models/`): per-target stance, sentence stance, claim.
pub fn model_paths(dir: &Path) -> [PathBuf; 3] {
    ["stance", "sentence_stance", "claim"].map(|role| dir.join(role).join("model.json"))
}

fn read_checked(path: &Path) -> Result<(Vec<u8>, String), ModelFilesError> {
    let read_error = |source| ModelFilesError::Read { path: path.display().to_string(), source };
    let bytes = std::fs::read(path).map_err(read_error)?;
    let actual = hex::encode(Sha256::digest(&bytes));
    let sidecar = PathBuf::from(format!("{}.sha256", path.display()));
    match std::fs::read_to_string(&sidecar) {
        Ok(text) => {
            // `sha256sum` format works too: the first word is the hash.
            let expected = text.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
            if expected != actual {
                return Err(ModelFilesError::Checksum { path: path.display().to_string(), expected, actual });
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => return Err(ModelFilesError::Read { path: sidecar.display().to_string(), source }),
    }
    Ok((bytes, actual))
}

/// Loads and checks the models of `dir`: every file reads, matches its `.sha256` file if any, parses as a
/// model of the right task and feature version, and scores a probe sentence. Returns the models and the files'
/// sha256 (per-target stance, sentence stance, claim).
pub fn load_models_dir(dir: &Path) -> Result<(Models, [String; 3]), ModelFilesError> {
    let [stance_path, sentence_path, claim_path] = model_paths(dir);
    let (stance, stance_sha) = read_checked(&stance_path)?;
    let (sentence_stance, sentence_sha) = read_checked(&sentence_path)?;
    let (claim, claim_sha) = read_checked(&claim_path)?;
    let dir_name = dir.display().to_string();
    let models = Models::from_bytes(&stance, &sentence_stance, &claim)
        .map_err(|e| ModelFilesError::Load { dir: dir_name.clone(), detail: e.to_string() })?;
    let probe = "The minister said on Monday that the talks had gone well.";
    let probe_error = |detail: String| ModelFilesError::Probe { dir: dir_name.clone(), detail };
    for (_, scorer) in models.roles() {
        let probs = scorer.score(probe, None).map_err(|e| probe_error(e.to_string()))?.probs;
        let sum: f64 = probs.iter().sum();
        if probs.iter().any(|p| !p.is_finite() || *p < 0.0) || (sum - 1.0).abs() > 1e-6 {
            return Err(probe_error(format!("probabilities {probs:?} are not a distribution")));
        }
    }
    Ok((models, [stance_sha, sentence_sha, claim_sha]))
}

/// The models a command or service starts with: those of `dir`, with the checks of a reload
/// ([`load_models_dir`]), or the ones built into the binary when there is no directory (`--models` not given,
/// `models.dir` empty). Every caller (`tenor run`, `classify`, `replay`, `serve`, `scorer`) loads through
/// here, so the choice and the checks exist once.
pub fn load_models(dir: Option<&Path>) -> Result<Models, ModelFilesError> {
    match dir {
        None => Models::shipped().map_err(|e| ModelFilesError::BuiltIn(e.to_string())),
        Some(dir) => Ok(load_models_dir(dir)?.0),
    }
}

/// The models of a configuration: the linear models ([`load_models`]) and, for the `encoder` and `cascade`
/// tiers, the encoder (from `models.encoder_dir`, its files checked against the pinned manifest) with the
/// built-in heads. Every command and service that scores starts here.
pub fn load_configured(config: &crate::config::ModelsConfig) -> Result<Models, ModelFilesError> {
    let models = load_models(configured_dir(config))?;
    if config.tier == tenor_pipeline::Tier::Linear {
        return Ok(models);
    }
    Ok(models.with_encoder(load_encoder(config)?, config.tier_config()))
}

/// The encoder tier of a configuration: the pinned encoder and the built-in heads.
pub fn load_encoder(
    config: &crate::config::ModelsConfig,
) -> Result<tenor_pipeline::EncoderModels, ModelFilesError> {
    let manifest = tenor_encoder::Manifest::default_encoder();
    let (dir, encoder_config) = config.encoder(&manifest);
    let started = std::time::Instant::now();
    let encoder = tenor_encoder::Encoder::load(&dir, &manifest, encoder_config)
        .map_err(|e| ModelFilesError::Encoder(e.to_string()))?;
    tracing::info!(dir = %dir.display(), ms = started.elapsed().as_millis() as u64, tier = config.tier.as_str(), "encoder loaded");
    tenor_pipeline::EncoderModels::shipped(std::sync::Arc::new(encoder), &manifest.weights_sha256)
        .map_err(|e| ModelFilesError::Encoder(e.to_string()))
}

/// The directory of `models.dir`, `None` when it is empty (the built-in models).
pub fn configured_dir(config: &crate::config::ModelsConfig) -> Option<&Path> {
    (!config.dir.is_empty()).then(|| Path::new(config.dir.as_str()))
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReloadOutcome {
    /// New models swapped in.
    Loaded,
    /// The files are the models already in use: nothing to do (not counted).
    Unchanged,
    /// The files failed their checks; the old models stay.
    Refused(String),
}

/// Reloads the models of one directory into a [`PipelineCell`].
#[derive(Debug)]
pub struct ModelReloader {
    dir: PathBuf,
    config: PipelineConfig,
    cell: Arc<PipelineCell>,
    metrics: Arc<Metrics>,
    /// sha256 of the files in use (per-target stance, sentence stance, claim).
    in_use: [String; 3],
}

impl ModelReloader {
    /// `in_use` is the sha256 of the files the cell's current pipeline was loaded from.
    pub fn new(
        dir: PathBuf,
        config: PipelineConfig,
        cell: Arc<PipelineCell>,
        metrics: Arc<Metrics>,
        in_use: [String; 3],
    ) -> ModelReloader {
        ModelReloader { dir, config, cell, metrics, in_use }
    }

    pub fn reload(&mut self, trigger: &str) -> ReloadOutcome {
        match load_models_dir(&self.dir) {
            Err(error) => {
                self.metrics.model_reloads.with_label_values(&["refused"]).inc();
                tracing::error!(%error, trigger, dir = %self.dir.display(), "model reload refused; keeping the models in use");
                ReloadOutcome::Refused(error.to_string())
            }
            Ok((_, shas)) if shas == self.in_use => {
                tracing::info!(trigger, "model files unchanged; nothing to reload");
                ReloadOutcome::Unchanged
            }
            Ok((mut models, shas)) => {
                // The encoder tier does not reload (its files are pinned): the new linear models keep it.
                if let Some(current) = self.cell.load().models() {
                    if let Some(encoder) = current.encoder() {
                        models = models.with_encoder(encoder.clone(), current.tier());
                    }
                }
                self.metrics.observe_model(models.stance.model_ref());
                self.metrics.observe_model(models.claim.model_ref());
                tracing::info!(
                    trigger,
                    stance = %models.stance.model_ref().sha256,
                    stance_version = %models.stance.model_ref().version,
                    claim = %models.claim.model_ref().sha256,
                    claim_version = %models.claim.model_ref().version,
                    "models reloaded; records name the new models from the next message on"
                );
                self.cell.swap(Arc::new(Pipeline::with_models(self.config.clone(), models)));
                self.metrics.model_reloads.with_label_values(&["loaded"]).inc();
                self.in_use = shas;
                ReloadOutcome::Loaded
            }
        }
    }
}

/// Size and modification time of the model files: a change of either triggers a reload.
pub fn files_stamp(dir: &Path) -> Vec<Option<(u64, SystemTime)>> {
    model_paths(dir)
        .iter()
        .map(|p| std::fs::metadata(p).ok().and_then(|m| Some((m.len(), m.modified().ok()?))))
        .collect()
}

/// Runs reloads until `shutdown`: on SIGHUP, and when the files' stamp changed and then stayed the same for
/// one more `watch_interval` (checked only if not zero).
pub fn run_reloads(
    reloader: ModelReloader,
    watch_interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) -> impl std::future::Future<Output = ()> + Send {
    // The reference stamp is taken now, not when the task first runs: a change made in between is seen.
    let dir = reloader.dir.clone();
    let mut stamp = files_stamp(&dir);
    let reloader = Arc::new(std::sync::Mutex::new(reloader));
    async move {
        let mut pending = None;
        let mut tick = tokio::time::interval(if watch_interval.is_zero() {
            Duration::from_secs(3600)
        } else {
            watch_interval
        });
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        #[cfg(unix)]
        let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
        loop {
            #[cfg(unix)]
            let hangup_signal = async {
                match hangup.as_mut() {
                    Some(signal) => signal.recv().await,
                    None => futures::future::pending().await,
                }
            };
            #[cfg(not(unix))]
            let hangup_signal = futures::future::pending::<Option<()>>();
            let trigger = tokio::select! {
                _ = shutdown.changed() => return,
                _ = hangup_signal => "SIGHUP",
                _ = tick.tick(), if !watch_interval.is_zero() => {
                    let now = files_stamp(&dir);
                    // Reload only once the files have stopped changing for a whole interval, so that a file
                    // being written (or the second file of a pair) is not read half-way.
                    let settled = pending.as_ref() == Some(&now);
                    if now == stamp || !settled {
                        pending = (now != stamp).then_some(now);
                        continue;
                    }
                    "file change"
                }
            };
            let reloader = reloader.clone();
            let _ = tokio::task::spawn_blocking(move || {
                reloader.lock().unwrap_or_else(|e| e.into_inner()).reload(trigger)
            })
            .await;
            // The files as reloaded are the new reference for the watcher (a SIGHUP reload included).
            stamp = files_stamp(&dir);
            pending = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_models(dir: &Path, stance: &[u8], claim: &[u8]) {
        let sentence_stance = tenor_models::shipped::SENTENCE_STANCE;
        for (role, bytes) in [("stance", stance), ("sentence_stance", sentence_stance), ("claim", claim)] {
            std::fs::create_dir_all(dir.join(role)).unwrap();
            std::fs::write(dir.join(role).join("model.json"), bytes).unwrap();
        }
    }

    #[test]
    fn start_up_loading_chooses_built_in_or_checked_directory() {
        let shipped = load_models(None).unwrap();
        assert_eq!(shipped.stance.model_ref().sha256, hex::encode(Sha256::digest(tenor_models::shipped::STANCE)));
        let config = crate::config::ModelsConfig::default();
        assert_eq!(configured_dir(&config), None, "an empty models.dir means the built-in models");
        let dir = tempfile::tempdir().unwrap();
        let (stance, claim) = (tenor_models::shipped::STANCE, tenor_models::shipped::CLAIM);
        write_models(dir.path(), stance, claim);
        let config = crate::config::ModelsConfig { dir: dir.path().display().to_string(), ..config };
        assert_eq!(configured_dir(&config), Some(dir.path()));
        assert!(load_models(configured_dir(&config)).is_ok());
        // A directory gets the reload checks: a stance model in the claim slot is refused.
        write_models(dir.path(), stance, stance);
        let err = load_models(Some(dir.path())).unwrap_err();
        assert!(matches!(err, ModelFilesError::Load { .. }), "{err}");
    }

    /// A reloader over `dir` holding the given stance and claim model files, and the cell and metrics it
    /// updates.
    fn reloader_over(dir: &Path, stance: &[u8], claim: &[u8]) -> (Arc<PipelineCell>, Arc<Metrics>, ModelReloader) {
        write_models(dir, stance, claim);
        let (models, shas) = load_models_dir(dir).unwrap();
        let cell = Arc::new(PipelineCell::new(Arc::new(Pipeline::with_models(PipelineConfig::default(), models))));
        let metrics = Arc::new(Metrics::new("test"));
        let reloader =
            ModelReloader::new(dir.into(), PipelineConfig::default(), cell.clone(), metrics.clone(), shas);
        (cell, metrics, reloader)
    }

    #[test]
    fn reloads_swap_good_models_and_refuse_broken_ones() {
        let dir = tempfile::tempdir().unwrap();
        let (stance, claim) = (tenor_models::shipped::STANCE, tenor_models::shipped::CLAIM);
        let (cell, metrics, mut reloader) = reloader_over(dir.path(), stance, claim);
        let count = |outcome: &str| metrics.model_reloads.with_label_values(&[outcome]).get();
        let before = cell.load();

        assert_eq!(reloader.reload("test"), ReloadOutcome::Unchanged);
        let stamp = files_stamp(dir.path());

        // Broken: truncated JSON, then a stance model in the claim slot, then a wrong checksum file.
        write_models(dir.path(), &stance[..stance.len() / 2], claim);
        assert_ne!(files_stamp(dir.path()), stamp, "a rewrite changes the stamp");
        assert!(matches!(reloader.reload("test"), ReloadOutcome::Refused(_)));
        write_models(dir.path(), stance, stance);
        assert!(matches!(reloader.reload("test"), ReloadOutcome::Refused(e) if e.contains("do not load")));
        write_models(dir.path(), stance, claim);
        std::fs::write(dir.path().join("claim/model.json.sha256"), "00ff  model.json\n").unwrap();
        assert!(matches!(reloader.reload("test"), ReloadOutcome::Refused(e) if e.contains("sha256")));
        assert_eq!(count("refused"), 3);
        assert!(Arc::ptr_eq(&before, &cell.load()), "the old pipeline stays");

        // A different, valid stance model (its intercept moved) is swapped in.
        let correct = hex::encode(Sha256::digest(claim));
        std::fs::write(dir.path().join("claim/model.json.sha256"), format!("{correct}  model.json\n")).unwrap();
        let mut changed: serde_json::Value = serde_json::from_slice(stance).unwrap();
        changed["intercept"][2] = (changed["intercept"][2].as_f64().unwrap() + 0.5).into();
        write_models(dir.path(), &serde_json::to_vec(&changed).unwrap(), claim);
        assert_eq!(reloader.reload("test"), ReloadOutcome::Loaded);
        assert_eq!(count("loaded"), 1);
        let after = cell.load();
        let sha = |p: &Pipeline| p.models().unwrap().stance.model_ref().sha256.clone();
        assert_ne!(sha(&before), sha(&after));
        assert_eq!(sha(&after), hex::encode(Sha256::digest(serde_json::to_vec(&changed).unwrap())));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_change_of_the_files_triggers_a_reload() {
        let dir = tempfile::tempdir().unwrap();
        let (stance, claim) = (tenor_models::shipped::STANCE, tenor_models::shipped::CLAIM);
        let (_, metrics, reloader) = reloader_over(dir.path(), stance, claim);
        let (stop, shutdown) = watch::channel(false);
        let task = tokio::spawn(run_reloads(reloader, Duration::from_millis(20), shutdown));
        let count = |outcome: &str| metrics.model_reloads.with_label_values(&[outcome]).get();
        let wait = |outcome: &'static str| {
            let metrics = metrics.clone();
            async move {
                let deadline = std::time::Instant::now() + Duration::from_secs(10);
                while metrics.model_reloads.with_label_values(&[outcome]).get() == 0 {
                    assert!(std::time::Instant::now() < deadline, "no {outcome} reload");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        };
        write_models(dir.path(), b"{", claim);
        wait("refused").await;
        let mut changed: serde_json::Value = serde_json::from_slice(stance).unwrap();
        changed["intercept"][0] = (changed["intercept"][0].as_f64().unwrap() + 0.25).into();
        write_models(dir.path(), &serde_json::to_vec(&changed).unwrap(), claim);
        wait("loaded").await;
        assert_eq!((count("refused"), count("loaded")), (1, 1));
        stop.send(true).unwrap();
        task.await.unwrap();
    }
}
