//! The service configuration loader: TOML text (plus `--set key=value` overrides) → each service's config.
//! Any text loads or is refused with a `ConfigError`, never a panic; a loaded config's redacted form is TOML.
//! Input: TOML text, then optionally a NUL byte and one `key=value` override per line.

use tenor_runtime::config::{
    load_text, parse_override, redacted, AggregatorConfig, ScorerConfig, SegmenterConfig, ServeConfig,
};

fn check_as<T: serde::Serialize + serde::de::DeserializeOwned + Default>(
    text: &str,
    overrides: &[(String, String)],
) {
    if let Ok(config) = load_text::<T>(Some(("fuzz.toml", text)), &[], overrides) {
        let shown = redacted(&config);
        toml::from_str::<toml::Table>(&shown).expect("the redacted config is TOML");
    }
}

/// Checks one input; panics when the reader breaks its contract.
pub fn check(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let (text, flags) = input.split_once('\0').unwrap_or((input, ""));
    let overrides: Vec<(String, String)> = flags.lines().filter_map(|l| parse_override(l).ok()).collect();
    check_as::<ServeConfig>(text, &overrides);
    check_as::<SegmenterConfig>(text, &overrides);
    check_as::<ScorerConfig>(text, &overrides);
    check_as::<AggregatorConfig>(text, &overrides);
}
