//! Training of Tenor's models, kept out of the serving path: no binary that only serves links this crate (or
//! linfa, which it alone uses).
//!
//! - [`data`]: which dataset each model trains on and the rules that turn its rows into [`Example`]s
//!   ([`prepare`]); reads the files it is given, writes nothing;
//! - [`fit`]: [`train`], examples in, a [`tenor_models::ModelFile`] and cross-validated predictions out
//!   (pure, deterministic: the same data and configuration give the same file, byte for byte), with
//!   calibration fitting ([`fit_calibration`]);
//! - [`head`]: [`train_head`], encoder heads (linfa over pooled frozen encoder vectors), with CV-chosen L2,
//!   calibration and, for claims, a CV-chosen decision threshold;
//! - [`finetune`]: fine-tuning the encoder's top layers with a target-stance classifier (candle autograd,
//!   AdamW, deterministic order), over cached outputs of the frozen bottom layers; [`finetuned`]: the whole
//!   run (held-out slice, temperature, f16 weights and `tenor.finetuned/1` description) and its scoring;
//! - [`card`]: the model card ([`ModelCard`]) and the command line that reproduces a run ([`TrainRequest`]);
//! - [`evaluation`]: Tenor's features beside the plain baseline trained the same way (`tenor eval stance` and
//!   `tenor eval claim`).
//!
//! The artifact format, calibration *application* and the scorer stay in `tenor-models`.

pub mod card;
pub mod data;
pub mod encoded;
pub mod evaluation;
pub mod finetune;
pub mod finetuned;
pub mod fit;
pub mod head;

pub use card::{cv_report, head_card, row_reports, sha256_hex, ModelCard, RowReport, ToneSource, TrainRequest};
pub use data::{prepare, FeatureSet, ModelKind, RowKind, ToneRows, TrainingOptions};
pub use encoded::{train_encoder_head, vector_examples, HeadEvent, HeadRun};
pub use fit::{
    fit_calibration, selection_score, train, CrossValidation, Example, TrainConfig, TrainError, TrainEvent,
    Trained,
};
pub use head::{best_threshold, train_head, HeadConfig, TrainedHead, VectorExample};

/// Why a training or evaluation run could not be done.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not {what}")]
    Format {
        path: String,
        what: &'static str,
        #[source]
        source: tenor_eval::corpora::CorpusError,
    },
    /// A choice that does not fit the model (e.g. tone rows for the claim model).
    #[error("{0}")]
    Invalid(String),
    #[error("training {name} failed")]
    Train {
        name: String,
        #[source]
        source: TrainError,
    },
    #[error("cannot load {what}")]
    Model {
        what: String,
        #[source]
        source: tenor_models::ModelError,
    },
    #[error(transparent)]
    Feature(#[from] tenor_features::FeatureError),
}
