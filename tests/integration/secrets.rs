//! Secrets stay secret: a SASL password given by flag, file or environment never shows in `--help`, in the
//! printed configuration, in error messages, in a running service's logs, or on its HTTP endpoints.

use std::time::Duration;

use crate::broker::{http_get, Service, Tansu};
use crate::kafka_split::copies_of_examples;
use crate::support::tenor;

const FROM_FLAG: &str = "flag-secret-5d1e0c";
const FROM_FILE: &str = "file-secret-9b2c4a";
const FROM_ENV: &str = "env-secret-3f7a81";
const SECRETS: [&str; 3] = [FROM_FLAG, FROM_FILE, FROM_ENV];

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} shows the secret {secret:?}:\n{text}");
    }
}

fn config_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("tenor.toml");
    let text =
        format!("[kafka.librdkafka]\n\"sasl.username\" = \"tenor\"\n\"ssl.key.password\" = \"{FROM_FILE}\"\n");
    std::fs::write(&path, text).unwrap();
    path
}

fn output_text(output: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn help_printed_configuration_and_errors_never_show_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(dir.path());
    let flag = format!("kafka.librdkafka.sasl.password={FROM_FLAG}");
    for service in ["serve", "segmenter", "scorer", "aggregator"] {
        let help =
            tenor().args([service, "--help"]).env("TENOR_KAFKA__LIBRDKAFKA__SASL_PASSWORD", FROM_ENV).output();
        assert_no_secret(&format!("tenor {service} --help"), &output_text(&help.unwrap()));

        let printed = tenor()
            .args([service, "--print-config", "--config"])
            .arg(&file)
            .args(["--set", &flag])
            .env("TENOR_KAFKA__LIBRDKAFKA__SASL_OAUTHBEARER_CLIENT_SECRET", FROM_ENV)
            .output()
            .unwrap();
        assert!(printed.status.success(), "{}", output_text(&printed));
        let text = output_text(&printed);
        assert_no_secret(&format!("tenor {service} --print-config"), &text);
        // The keys are there, with their values hidden; what is not secret is shown.
        assert!(text.contains("\"sasl.password\" = \"***\""), "{text}");
        assert!(text.contains("\"ssl.key.password\" = \"***\""), "{text}");
        assert!(text.contains("\"sasl.oauthbearer.client.secret\" = \"***\""), "{text}");
        assert!(text.contains("\"sasl.username\" = \"tenor\""), "{text}");
    }

    // A TOML syntax error on the secret's own line.
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, format!("[kafka.librdkafka]\n\"sasl.password\" = \"{FROM_FILE}\n")).unwrap();
    let output = tenor().args(["serve", "--config"]).arg(&broken).output().unwrap();
    assert!(!output.status.success());
    assert!(output_text(&output).contains("line 2"), "{}", output_text(&output));
    assert_no_secret("a TOML syntax error", &output_text(&output));

    // librdkafka refuses the client configuration while a password is set.
    let output = tenor()
        .args(["serve", "--brokers", "127.0.0.1:1", "--metrics-addr", "127.0.0.1:0", "--set", &flag])
        .args(["--set", "kafka.librdkafka.security.protocol=SASL_PLAINTEXT"])
        .args(["--set", "kafka.librdkafka.sasl.mechanisms=NO-SUCH-MECHANISM"])
        .env("TENOR_KAFKA__LIBRDKAFKA__SSL_KEY_PASSWORD", FROM_ENV)
        .output()
        .unwrap();
    assert!(!output.status.success(), "{}", output_text(&output));
    assert!(output_text(&output).contains("NO-SUCH-MECHANISM"), "{}", output_text(&output));
    assert_no_secret("a client configuration error", &output_text(&output));
}

#[test]
fn a_running_service_never_logs_or_exports_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(dir.path());
    let (_, messages) = copies_of_examples(dir.path(), 1);
    let broker = Tansu::start();
    broker.create_topics(&["articles"], 2);
    let flag = format!("kafka.librdkafka.sasl.password={FROM_FLAG}");
    let mut serve = Service::start(&broker, "serve", &["--config", file.to_str().unwrap(), "--set", &flag]);
    broker.produce("articles", &messages[..5]);
    broker.read_at_least("tenor.articles", 5, Duration::from_secs(60), Duration::ZERO);

    for path in ["/metrics", "/healthz", "/readyz", "/no-such-page"] {
        let (_, body) = http_get(serve.metrics_port, path).expect("the metrics listener answers");
        assert_no_secret(path, &body);
    }
    let (status, _) = serve.terminate();
    assert!(status.success(), "{}", serve.log_text());
    let log = serve.log_text();
    // The configuration was logged (redacted) at start-up, so the check below looked at the right place.
    assert!(log.contains("sasl.password"), "{log}");
    assert_no_secret("the service log", &log);
}
