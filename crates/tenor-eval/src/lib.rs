//! Evaluation: readers for the labelled corpora Tenor is measured on, and the metrics it reports.
//!
//! Pure and synchronous: readers take `&str` (the caller reads files), metrics take slices. The one exception
//! is [`gum_attribution::read_gum`], which reads a GUM folder for `tenor eval attribution`.

pub mod charts;
pub mod claims_eval;
pub mod conllu;
pub mod corpora;
pub mod diff;
pub mod gold;
pub mod gum_attribution;
pub mod gum_rsd;
pub mod ibm_claim_stance;
pub mod metrics;
pub mod opposition;
pub mod perspectrum;
pub mod split_eval;
