//! Training (linfa), calibration, model artifacts and the sparse scorer.
