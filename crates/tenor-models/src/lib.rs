//! Stance and claim models as served: the model file, its calibration, and the sparse scorer.
//!
//! - [`ModelFile`]: the artifact in `models/<name>/model.json` (format `tenor.model/1`), checked on load
//!   (format, feature version, shapes); [`Calibration::apply`] turns raw scores into probabilities;
//! - [`Scorer`]: serving, a sparse dot product over hashed features, loaded once and shared across threads
//!   (stance with byte-range evidence, claim verdict and score);
//! - [`Head`]: an encoder head (`tenor.head/1`), a linear layer over pooled encoder vectors with its
//!   standardisation, calibration and claim threshold (the encoder itself runs in `tenor-encoder`);
//! - [`FineTunedFile`]: a fine-tuned encoder head's description (`tenor.finetuned/1`): its top layers' weights
//!   file (sha256-pinned), the layer it starts at, its calibration;
//! - [`shipped`]: the models built into the binary (`models/stance`, `models/sentence_stance`, `models/claim`).
//!
//! Training (linfa, calibration fitting, cross-validation, model cards) lives in `tenor-train`, so that a
//! binary that only serves does not link it: this crate guarantees it depends on no training library.

pub mod artifact;
pub mod finetuned;
pub mod head;
pub mod scorer;
pub mod shipped;

pub use artifact::{
    sha256_hex, softmax, BucketWeights, Calibration, ModelError, ModelFile, Task, TrainingInfo, MODEL_FORMAT,
};
pub use finetuned::{FineTunedFile, FineTunedTraining, FINETUNED_FORMAT};
pub use head::{EncoderRef, Head, HeadFile, HeadInput, HeadTraining, HEAD_FORMAT};
pub use scorer::{ByteEvidence, ClaimScore, ScoredStance, Scorer, Scores};
