use serde::de::DeserializeOwned;
use serde::Serialize;

use tenor_pipeline::PipelineConfig;

use super::layers::*;
use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn layers_apply_in_order_file_env_flags() {
    let dir = std::env::temp_dir().join(format!("tenor-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("serve.toml");
    std::fs::write(
        &file,
        "[kafka]\nbootstrap_servers = \"file:1\"\ngroup_id = \"from-file\"\n[kafka.librdkafka]\n\"security.protocol\" = \"SSL\"\n[review]\nthreshold = 0.7\n",
    )
    .unwrap();
    let layers = Layers {
        file: Some(file.display().to_string()),
        env: env(&[
            ("TENOR_KAFKA__GROUP_ID", "from-env"),
            ("TENOR_DELIVERY__MAX_IN_FLIGHT", "7"),
            ("TENOR_KAFKA__LIBRDKAFKA__SASL_MECHANISMS", "PLAIN"),
            ("TENOR_LOG", "debug"),
            ("OTHER", "x"),
        ]),
        overrides: vec![("topics.input".into(), "news".into()), ("kafka.librdkafka.linger.ms".into(), "2".into())],
    };
    let config: ServeConfig = load(&layers).unwrap();
    assert_eq!(config.kafka.bootstrap_servers, "file:1");
    assert_eq!(config.kafka.group_id, "from-env");
    assert_eq!(config.delivery.max_in_flight, 7);
    assert_eq!(config.review.threshold, 0.7);
    assert_eq!(config.topics.input, "news");
    assert_eq!(config.topics.sentences, "tenor.sentences");
    assert_eq!(config.kafka.librdkafka["security.protocol"], "SSL");
    assert_eq!(config.kafka.librdkafka["sasl.mechanisms"], "PLAIN");
    assert_eq!(config.kafka.librdkafka["linger.ms"], "2");
    assert_eq!(config.pipeline, PipelineConfig::default());
}

#[test]
fn bad_values_and_unknown_keys_are_named() {
    let layers = Layers { env: env(&[("TENOR_DELIVERY__MAX_IN_FLIGHT", "many")]), ..Layers::default() };
    let err = load::<ServeConfig>(&layers).unwrap_err().to_string();
    assert!(err.contains("delivery.max_in_flight") && err.contains("TENOR_DELIVERY__MAX_IN_FLIGHT"), "{err}");
    let layers = Layers { overrides: vec![("kafka.nope".into(), "1".into())], ..Layers::default() };
    assert!(load::<ServeConfig>(&layers).unwrap_err().to_string().contains("unknown key"));
}

#[test]
fn unknown_keys_in_files_are_rejected() {
    let dir = std::env::temp_dir().join(format!("tenor-config-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(&file, "[kafka]\nbootstrap_server = \"typo:1\"\n").unwrap();
    let layers = Layers { file: Some(file.display().to_string()), ..Layers::default() };
    let err = load::<ServeConfig>(&layers).unwrap_err().to_string();
    assert!(err.contains("bootstrap_server"), "{err}");
}

#[test]
fn secrets_are_redacted() {
    let mut config = ServeConfig::default();
    config.kafka.librdkafka.insert("sasl.password".into(), "hunter2".into());
    config.kafka.librdkafka.insert("sasl.jaas.config".into(), "user pass".into());
    config.kafka.librdkafka.insert("ssl.key.pem".into(), "-----BEGIN".into());
    config.kafka.librdkafka.insert("sasl.username".into(), "alice".into());
    let text = redacted(&config);
    assert!(!text.contains("hunter2") && !text.contains("user pass") && !text.contains("BEGIN"), "{text}");
    assert!(text.contains("alice"), "{text}");
}

#[test]
fn configuration_errors_never_quote_a_secret() {
    const SECRET: &str = "hunter2-in-an-error";
    let dir = tempfile::tempdir().unwrap();
    let load_file = |text: &str| {
        let path = dir.path().join("tenor.toml");
        std::fs::write(&path, text).unwrap();
        let layers = Layers { file: Some(path.display().to_string()), env: Vec::new(), overrides: Vec::new() };
        load::<ServeConfig>(&layers).unwrap_err().to_string()
    };
    // A TOML syntax error on the secret's own line: the position is reported, the line is not quoted.
    let unterminated = load_file(&format!("[kafka.librdkafka]\n\"sasl.password\" = \"{SECRET}\n"));
    assert!(unterminated.contains("line 2"), "{unterminated}");
    // A secret of the wrong type in a typed map.
    let wrong_type = load_file(&format!("[kafka.librdkafka]\n\"sasl.password\" = [\"{SECRET}\"]\n"));
    let flag = parse_override(&format!("={SECRET}")).unwrap_err();
    // A secret given to a key that does not exist (a typo of the pass-through map).
    let env = Layers {
        file: None,
        env: vec![("TENOR_KAFKA__SASL_PASSWORD".into(), SECRET.into())],
        overrides: vec![("kafka.sasl.password".into(), SECRET.into())],
    };
    let layered = load::<ServeConfig>(&env).unwrap_err().to_string();
    for message in [&unterminated, &wrong_type, &flag, &layered] {
        assert!(!message.contains(SECRET), "{message}");
    }
}

#[test]
fn metrics_listen_on_loopback_unless_configured() {
    let addrs = [
        ServeConfig::default().metrics.addr,
        SegmenterConfig::default().metrics.addr,
        ScorerConfig::default().metrics.addr,
        AggregatorConfig::default().metrics.addr,
    ];
    for addr in addrs {
        let parsed: std::net::SocketAddr = addr.parse().unwrap();
        assert!(parsed.ip().is_loopback(), "{addr}");
    }
}

#[test]
fn every_component_config_round_trips_through_toml() {
    fn check<T: Serialize + DeserializeOwned + Default + PartialEq + std::fmt::Debug>() {
        let text = toml::to_string(&T::default()).unwrap();
        assert_eq!(toml::from_str::<T>(&text).unwrap(), T::default(), "{text}");
    }
    check::<ServeConfig>();
    check::<SegmenterConfig>();
    check::<ScorerConfig>();
    check::<AggregatorConfig>();
    check::<ClaimsConfig>();
}
