//! The encoder on its real weights (fetched by `scripts/fetch-encoder.sh`, which the test script runs first).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tenor_encoder::{Encoder, EncoderConfig, EncoderError, Manifest, Precision};

fn model_dir() -> PathBuf {
    let dir = Manifest::default_encoder().default_dir();
    assert!(
        dir.join("model.safetensors").exists(),
        "no encoder weights in {}: run scripts/fetch-encoder.sh (scripts/test.sh does)",
        dir.display()
    );
    dir
}

fn encoder() -> &'static Encoder {
    static ENCODER: OnceLock<Encoder> = OnceLock::new();
    ENCODER.get_or_init(|| {
        Encoder::load(
            &model_dir(),
            &Manifest::default_encoder(),
            EncoderConfig { batch_size: 4, ..Default::default() },
        )
        .unwrap()
    })
}

fn int8_encoder() -> &'static Encoder {
    static ENCODER: OnceLock<Encoder> = OnceLock::new();
    ENCODER.get_or_init(|| {
        let config = EncoderConfig { batch_size: 4, precision: Precision::Int8, ..Default::default() };
        Encoder::load(&model_dir(), &Manifest::default_encoder(), config).unwrap()
    })
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn outputs_are_identical_run_to_run_and_do_not_depend_on_the_batch() {
    let texts = [
        "Envoys described the talks as productive and constructive.",
        "No significant breakthrough has emerged, officials said.",
        "Oil prices rose.",
        "U.S. intelligence assessments suggest that the Kremlin's aims are unchanged, according to two people familiar with them.",
        "",
    ];
    let a = encoder().encode(&texts).unwrap();
    let b = encoder().encode(&texts).unwrap();
    assert_eq!(a, b);
    for (i, text) in texts.iter().enumerate() {
        let alone = &encoder().encode(&[text]).unwrap()[0];
        assert_eq!(alone.offsets, a[i].offsets);
        let gap = alone.vectors.iter().zip(&a[i].vectors).map(|(x, y)| (x - y).abs()).fold(0f32, f32::max);
        assert!(gap < 1e-4, "text {i} differs by {gap} alone and in a batch");
    }
    assert_eq!(a[4].tokens(), 2, "an empty text is [CLS] [SEP]");
}

/// The int8 dense layers: integer products are exact and rows are quantized one by one, so the outputs are
/// identical run to run, and a text's are exactly the same whatever its batch (its attention runs over its own
/// tokens in a fixed order); and they stay close to the f32 encoder's, the sentence embeddings at cosine ≥ 0.99.
#[test]
fn int8_layers_are_repeatable_batch_independent_and_close_to_f32() {
    let texts = [
        "Envoys described the talks as productive and constructive.",
        "No significant breakthrough has emerged, officials said.",
        "Oil prices rose.",
        "U.S. intelligence assessments suggest that the Kremlin's aims are unchanged, according to two people familiar with them.",
        "The central bank held rates at 4.5 per cent, defying forecasts of a cut.",
    ];
    let a = int8_encoder().encode(&texts).unwrap();
    assert_eq!(a, int8_encoder().encode(&texts).unwrap());
    let f32s = encoder().encode(&texts).unwrap();
    for (i, text) in texts.iter().enumerate() {
        let alone = &int8_encoder().encode(&[text]).unwrap()[0];
        assert_eq!(alone.vectors, a[i].vectors, "text {i} differs alone and in a batch");
        let cos = cosine(&a[i].embedding(), &f32s[i].embedding());
        assert!(cos >= 0.99, "text {i}: int8 against f32 cosine {cos}");
        assert_ne!(a[i].vectors, f32s[i].vectors, "text {i}: the int8 layers were not used");
    }
}

#[test]
fn token_offsets_are_bytes_into_the_text_and_find_a_mention() {
    let text = "Zürich’s “cruel” plan drew criticism from Mr. Łukasz Nowak.";
    let e = &encoder().encode(&[text]).unwrap()[0];
    assert_eq!(e.offsets.first(), Some(&None));
    assert_eq!(e.offsets.last(), Some(&None));
    for range in e.offsets.iter().flatten() {
        assert!(text.get(range.clone()).is_some_and(|piece| !piece.trim().is_empty()), "{range:?}");
    }
    let start = text.find("plan").unwrap();
    let tokens = e.tokens_in(&(start..start + 4));
    assert_eq!(tokens.len(), 1);
    assert_eq!(&text[e.offsets[tokens[0]].clone().unwrap()], "plan");
    let name = text.find("Łukasz Nowak").unwrap();
    let name_tokens = e.tokens_in(&(name..name + "Łukasz Nowak".len()));
    assert!(name_tokens.len() >= 2);
    assert_eq!(e.pooled(Some(&(start..start + 4))).len(), 2 * encoder().dim());
    assert_eq!(e.span_mean(&(0..0)), None);
}

#[test]
fn embeddings_place_paraphrases_closer_than_unrelated_sentences() {
    let e = encoder()
        .encode(&[
            "The negotiations were productive and constructive.",
            "The talks went well and made real progress.",
            "The recipe calls for two cups of flour.",
        ])
        .unwrap();
    let (a, b, c) = (e[0].embedding(), e[1].embedding(), e[2].embedding());
    assert!((cosine(&a, &a) - 1.0).abs() < 1e-5);
    assert!(cosine(&a, &b) > cosine(&a, &c) + 0.2, "{} vs {}", cosine(&a, &b), cosine(&a, &c));
}

#[test]
fn a_text_past_the_token_limit_is_truncated_not_refused() {
    let text = "word ".repeat(2_000);
    let e = &encoder().encode(&[&text]).unwrap()[0];
    assert!(e.truncated);
    assert_eq!(e.tokens(), encoder().config().max_tokens);
    assert!(!encoder().encode(&["short"]).unwrap()[0].truncated);
}

fn copy_dir(to: &Path) {
    for name in ["config.json", "model.safetensors", "tokenizer.json"] {
        std::fs::copy(model_dir().join(name), to.join(name)).unwrap();
    }
}

#[test]
fn a_missing_corrupt_or_mismatched_file_is_a_clear_error() {
    let manifest = Manifest::default_encoder();
    let empty = tempfile::tempdir().unwrap();
    let err = Encoder::load(empty.path(), &manifest, EncoderConfig::default()).unwrap_err();
    assert!(matches!(err, EncoderError::Missing { ref path } if path.ends_with("config.json")), "{err}");
    assert!(err.to_string().contains("fetch-encoder.sh"));

    let dir = tempfile::tempdir().unwrap();
    copy_dir(dir.path());
    let tokenizer = dir.path().join("tokenizer.json");
    let mut bytes = std::fs::read(&tokenizer).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&tokenizer, &bytes).unwrap();
    let err = Encoder::load(dir.path(), &manifest, EncoderConfig::default()).unwrap_err();
    assert!(matches!(err, EncoderError::Checksum { ref path, .. } if path.ends_with("tokenizer.json")), "{err}");

    // Files that each check out against their manifest but do not fit together: a config of another width.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(dir.path());
    let config = std::fs::read_to_string(dir.path().join("config.json"))
        .unwrap()
        .replace("\"hidden_size\": 384", "\"hidden_size\": 768");
    std::fs::write(dir.path().join("config.json"), &config).unwrap();
    let mut other = manifest.clone();
    other.config_sha256 = sha256(config.as_bytes());
    let err = Encoder::load(dir.path(), &other, EncoderConfig::default()).unwrap_err();
    assert!(matches!(err, EncoderError::Mismatch { .. }), "{err}");
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn the_bottom_layers_then_the_rest_equal_one_whole_pass() {
    let texts =
        ["Envoys described the talks as productive and constructive.", "No breakthrough.", "A b c d e f g h"];
    let whole = encoder().encode(&texts).unwrap();
    let bottom = encoder().encode_through(&texts, 4).unwrap();
    assert_eq!(bottom[0].offsets, whole[0].offsets);
    assert!(bottom[0].vectors.iter().zip(&whole[0].vectors).any(|(a, b)| (a - b).abs() > 1e-2), "4 layers differ");
    let rest = encoder().encode_rest(&bottom, 4).unwrap();
    for (r, w) in rest.iter().zip(&whole) {
        assert_eq!(r.offsets, w.offsets);
        let worst = r.vectors.iter().zip(&w.vectors).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(worst < 1e-4, "{worst}");
    }
}
