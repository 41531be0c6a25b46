//! Stance and claim models: training with linfa, calibration, the model file, and the sparse scorer.
//!
//! - [`train::train`]: examples in, a [`ModelFile`] and cross-validated predictions out (pure, deterministic);
//! - [`ModelFile`]: the artifact in `models/<name>/model.json`, checked on load (format, feature version,
//!   shapes);
//! - [`Scorer`]: serving, a sparse dot product over hashed features, loaded once and shared across threads
//!   (stance with byte-range evidence, claim verdict and score);
//! - [`shipped`]: the models built into the binary (`models/stance`, `models/sentence_stance`, `models/claim`).

pub mod artifact;
pub mod scorer;
pub mod shipped;
pub mod train;

pub use artifact::{BucketWeights, Calibration, ModelError, ModelFile, Task, TrainingInfo, MODEL_FORMAT};
pub use scorer::{ByteEvidence, ClaimScore, ScoredStance, Scorer, Scores};
