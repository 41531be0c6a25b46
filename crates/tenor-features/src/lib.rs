//! Featurizer: text (and an optional target mention) to a stable hashed sparse vector.
