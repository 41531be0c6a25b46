//! Deploying Tenor (`deploy/`): the image, the compose stack, the dashboards, the alert rules and the Kubernetes
//! manifests, checked against the real services.
//!
//! No container engine runs on the machines these tests run on, so they check what can be checked without one:
//! - every metric a dashboard or an alert rule queries is one a running `tenor serve` or `tenor aggregator`
//!   exports, read from their `/metrics` after real traffic (never from a hand-written list), with the labels
//!   and label values the queries match on;
//! - the compose file and the manifests use the ports, probe paths, topics, consumer groups and `TENOR_*`
//!   variables the services really read: each service's configuration is asked of the `tenor` binary itself
//!   (`--print-config` with the environment and file the deployment gives it);
//! - the image's health check script works against a running service.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value as Json;
use serde_norway::Value as Yaml;

use crate::broker::{example_messages, http_get, Service, Tansu};
use crate::support::{repo, tenor};

// ---------------------------------------------------------------------------------------------------------
// PromQL: which metrics an expression queries.

/// A vector selector of a PromQL expression: `metric{label="value", ...}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    /// The metric name, written before the braces or as a `__name__="..."` matcher.
    pub metric: Option<String>,
    pub matchers: Vec<Matcher>,
}

/// One label matcher: `label op "value"`, with `op` one of `=`, `!=`, `=~`, `!~`.
#[derive(Debug, Clone, PartialEq)]
pub struct Matcher {
    pub label: String,
    pub op: String,
    pub value: String,
}

/// Words that are never metric names (case-insensitive in PromQL).
const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "unless",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "atan2",
    "inf",
    "nan",
];
/// Keywords followed by a parenthesised list of label names (not an expression).
const GROUPING: &[&str] = &["by", "without", "on", "ignoring", "group_left", "group_right"];

/// Every vector selector of a PromQL expression, in order. Grafana variables (`$job`, `${job}`,
/// `$__rate_interval`) are accepted wherever Grafana allows them. Identifiers followed by `(` are functions or
/// aggregations; words after `by`/`without`/`on`/`ignoring`/`group_*` are label names; strings, numbers,
/// durations and comments are skipped.
pub fn selectors(expr: &str) -> Result<Vec<Selector>, String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    // The previous token was a grouping keyword, so a `(` opens a list of label names.
    let mut after_grouping = false;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if matches!(c, '"' | '\'' | '`') {
            i = read_string(&chars, i)?.1;
            after_grouping = false;
        } else if c == '$' {
            i = skip_variable(&chars, i);
        } else if c == '[' {
            // A range or a subquery: durations, variables and `:` only.
            i = find(&chars, i, ']')? + 1;
        } else if c == '(' && after_grouping {
            i = find(&chars, i, ')')? + 1;
            after_grouping = false;
        } else if c == '{' {
            let (matchers, next) = read_matchers(&chars, i)?;
            let metric = matchers.iter().find(|m| m.label == "__name__" && m.op == "=").map(|m| m.value.clone());
            out.push(Selector { metric, matchers });
            i = next;
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            // Numbers, hexadecimal and durations (`5m`, `1h30m`).
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
        } else if is_ident_start(c) {
            let start = i;
            while i < chars.len() && is_ident_char(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let lower = word.to_ascii_lowercase();
            if KEYWORDS.contains(&lower.as_str()) {
                after_grouping = GROUPING.contains(&lower.as_str());
                continue;
            }
            after_grouping = false;
            let next = skip_space(&chars, i);
            let next_word: String = chars[next..].iter().take_while(|c| is_ident_char(**c)).collect();
            if ["by", "without"].contains(&next_word.to_ascii_lowercase().as_str()) {
                continue; // an aggregation operator with its grouping first: `sum by (job) (...)`
            }
            match chars.get(next) {
                Some('(') => {} // a function or an aggregation operator
                Some('{') => {
                    let (matchers, after) = read_matchers(&chars, next)?;
                    out.push(Selector { metric: Some(word), matchers });
                    i = after;
                }
                _ => out.push(Selector { metric: Some(word), matchers: Vec::new() }),
            }
        } else {
            after_grouping = false;
            i += 1;
        }
    }
    Ok(out)
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

fn skip_space(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i].is_whitespace() {
        i += 1;
    }
    i
}

fn find(chars: &[char], from: usize, close: char) -> Result<usize, String> {
    (from..chars.len()).find(|&j| chars[j] == close).ok_or_else(|| format!("unclosed `{}`", chars[from]))
}

/// `$name`, `${name}`, `${name:format}`: Grafana template variables.
fn skip_variable(chars: &[char], i: usize) -> usize {
    if chars.get(i + 1) == Some(&'{') {
        return find(chars, i + 1, '}').map_or(chars.len(), |j| j + 1);
    }
    let mut j = i + 1;
    while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
        j += 1;
    }
    j
}

/// A quoted string starting at `i`: its unescaped content and the index after the closing quote.
fn read_string(chars: &[char], i: usize) -> Result<(String, usize), String> {
    let quote = chars[i];
    let mut out = String::new();
    let mut j = i + 1;
    while j < chars.len() {
        match chars[j] {
            '\\' if quote != '`' => {
                if let Some(&escaped) = chars.get(j + 1) {
                    out.push(escaped);
                }
                j += 2;
            }
            c if c == quote => return Ok((out, j + 1)),
            c => {
                out.push(c);
                j += 1;
            }
        }
    }
    Err(format!("unterminated string starting at {i}"))
}

/// `{label op "value", ...}` starting at the `{` at `open`: the matchers and the index after the `}`.
fn read_matchers(chars: &[char], open: usize) -> Result<(Vec<Matcher>, usize), String> {
    let mut matchers = Vec::new();
    let mut i = open + 1;
    loop {
        i = skip_space(chars, i);
        match chars.get(i) {
            None => return Err("unclosed `{`".into()),
            Some('}') => return Ok((matchers, i + 1)),
            Some(',') => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let label = if matches!(chars[i], '"' | '\'') {
            let (label, next) = read_string(chars, i)?;
            i = next;
            label
        } else {
            let start = i;
            while i < chars.len() && is_ident_char(chars[i]) {
                i += 1;
            }
            chars[start..i].iter().collect()
        };
        if label.is_empty() {
            return Err(format!("expected a label name at {i}"));
        }
        i = skip_space(chars, i);
        let start = i;
        while i < chars.len() && matches!(chars[i], '=' | '!' | '~') {
            i += 1;
        }
        let op: String = chars[start..i].iter().collect();
        if !["=", "!=", "=~", "!~"].contains(&op.as_str()) {
            return Err(format!("expected a matcher operator after `{label}`, got {op:?}"));
        }
        i = skip_space(chars, i);
        if !matches!(chars.get(i), Some('"' | '\'' | '`')) {
            return Err(format!("expected a quoted value for `{label}`"));
        }
        let (value, next) = read_string(chars, i)?;
        i = next;
        matchers.push(Matcher { label, op, value });
    }
}

fn metric_names(expr: &str) -> Vec<String> {
    selectors(expr).unwrap().into_iter().filter_map(|s| s.metric).collect()
}

#[test]
fn promql_selectors_are_found_through_aggregations_functions_and_grafana_variables() {
    assert_eq!(
        selectors(r#"sum by (job, topic) (rate(tenor_messages_consumed_total{job=~"$job"}[$__rate_interval]))"#)
            .unwrap(),
        vec![Selector {
            metric: Some("tenor_messages_consumed_total".into()),
            matchers: vec![Matcher { label: "job".into(), op: "=~".into(), value: "$job".into() }],
        }]
    );
    assert_eq!(
        metric_names("histogram_quantile(0.99, sum by (le) (rate(x_seconds_bucket[5m]))) > 5"),
        ["x_seconds_bucket"]
    );
    // Label lists after on/ignoring/group_left/without are not metrics; neither are keywords.
    assert_eq!(metric_names(r#"a * on (job) group_left (version) b{c!="d"}"#), ["a", "b"]);
    assert_eq!(
        metric_names("count(foo) without (instance) and on() bar unless ignoring(x) baz"),
        ["foo", "bar", "baz"]
    );
    assert_eq!(metric_names("sum(rate(foo[5m])) by (job) / sum(bar) BY (job)"), ["foo", "bar"]);
    assert_eq!(metric_names("sum by (le) (foo) + topk without (x) (3, bar)"), ["foo", "bar"]);
    // Metric names in strings (label_replace arguments) are not queried.
    assert_eq!(metric_names(r#"label_replace(foo, "dst", "bar_total", "src", "(.*)")"#), ["foo"]);
    // __name__ matchers, offsets, @ modifiers, subqueries, comments, numbers in every form.
    let named = selectors(r#"{__name__="foo", x='1'}"#).unwrap();
    assert_eq!(named[0].metric.as_deref(), Some("foo"));
    assert_eq!(named[0].matchers[1], Matcher { label: "x".into(), op: "=".into(), value: "1".into() });
    assert_eq!(metric_names("rate(foo[5m] offset 1h) / bar @ end()"), ["foo", "bar"]);
    assert_eq!(metric_names("max_over_time(rate(foo[1m])[10m:1m])"), ["foo"]);
    assert_eq!(metric_names("foo # bar_total is a comment\n + baz"), ["foo", "baz"]);
    assert_eq!(metric_names("foo > 1e3 and bar < 0x10 or baz > Inf or qux != NaN"), ["foo", "bar", "baz", "qux"]);
    assert_eq!(metric_names(r#"up{job=~"tenor-.*"} == 0"#), ["up"]);
    assert_eq!(metric_names("sum(x) / ${denominator} * $factor"), ["x"]);
    assert_eq!(selectors(r#"a{b="c\"d"}"#).unwrap()[0].matchers[0].value, "c\"d");
    // Malformed selectors are errors, not silently skipped.
    assert!(selectors(r#"foo{a="b""#).is_err());
    assert!(selectors("foo{a}").is_err());
    assert!(selectors("rate(foo[5m)").is_err());
    assert!(selectors(r#"foo{a="b}"#).is_err());
}

// ---------------------------------------------------------------------------------------------------------
// What a service exports.

/// A `/metrics` text: the sample names it can hold (a histogram family also names its `_bucket`, `_sum` and
/// `_count` series) and the label sets of every sample.
#[derive(Debug, Default)]
struct Exposition {
    names: BTreeSet<String>,
    series: BTreeMap<String, Vec<BTreeMap<String, String>>>,
}

impl Exposition {
    fn parse(text: &str) -> Exposition {
        let mut out = Exposition::default();
        out.add(text);
        out
    }

    /// Adds another service's exposition (the union is what a Prometheus scraping both sees).
    fn add(&mut self, text: &str) {
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let mut parts = rest.split_whitespace();
                let (name, kind) = (parts.next().unwrap(), parts.next().unwrap());
                let suffixes: &[&str] = match kind {
                    "histogram" => &["_bucket", "_sum", "_count"],
                    "summary" => &["", "_sum", "_count"],
                    _ => &[""],
                };
                self.names.extend(suffixes.iter().map(|s| format!("{name}{s}")));
            } else if !line.starts_with('#') && !line.trim().is_empty() {
                let (name, labels) = parse_sample(line);
                self.names.insert(name.clone());
                self.series.entry(name).or_default().push(labels);
            }
        }
    }
}

/// `name{a="x",b="y"} value` → (name, labels).
fn parse_sample(line: &str) -> (String, BTreeMap<String, String>) {
    let end = line.find(['{', ' ']).unwrap_or(line.len());
    let name = line[..end].to_owned();
    let mut labels = BTreeMap::new();
    if line[end..].starts_with('{') {
        let chars: Vec<char> = line[end..].chars().collect();
        let (matchers, _) = read_matchers(&chars, 0).unwrap_or_else(|e| panic!("bad sample line {line:?}: {e}"));
        labels.extend(matchers.into_iter().map(|m| (m.label, m.value)));
    }
    (name, labels)
}

/// Series Prometheus itself adds for every scrape target.
const PROMETHEUS_SERIES: &[&str] = &["up"];
/// Labels Prometheus attaches to every scraped series (the target's), not exported by the services.
const TARGET_LABELS: &[&str] = &["job", "instance"];

/// Problems with one query: metrics the services do not export, labels they do not carry, label values that
/// never occur.
fn check_query(origin: &str, expr: &str, exported: &Exposition, problems: &mut Vec<String>) {
    let selectors = match selectors(expr) {
        Ok(s) => s,
        Err(e) => return problems.push(format!("{origin}: cannot parse {expr:?}: {e}")),
    };
    if !selectors.iter().any(|s| s.metric.is_some()) {
        problems.push(format!("{origin}: {expr:?} queries no metric"));
    }
    for selector in selectors {
        let Some(metric) = &selector.metric else {
            problems.push(format!("{origin}: a selector without a metric name in {expr:?}"));
            continue;
        };
        if PROMETHEUS_SERIES.contains(&metric.as_str()) {
            continue;
        }
        if !exported.names.contains(metric) {
            problems.push(format!("{origin}: `{metric}` is not exported by the services"));
            continue;
        }
        let series = exported.series.get(metric).map(Vec::as_slice).unwrap_or_default();
        for m in &selector.matchers {
            if m.label == "__name__" || TARGET_LABELS.contains(&m.label.as_str()) {
                continue;
            }
            if m.label == "service" {
                // The Prometheus Operator's target label `service` renames it to `exported_service`.
                problems
                    .push(format!("{origin}: `{metric}` matched on `service`, which Kubernetes scrapes rename"));
                continue;
            }
            if !series.iter().any(|labels| labels.contains_key(&m.label)) {
                problems.push(format!("{origin}: `{metric}` has no label `{}`", m.label));
            } else if m.op == "="
                && !m.value.contains('$')
                && !series.iter().any(|l| l.get(&m.label) == Some(&m.value))
            {
                problems.push(format!("{origin}: `{metric}` never has {}={:?}", m.label, m.value));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// The deployment files.

fn deploy_dir() -> PathBuf {
    repo().join("deploy")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every document of a YAML file (`---` separated), with `<<` merge keys applied.
fn yaml_docs(path: &Path) -> Vec<Yaml> {
    use serde::Deserialize;
    let text = read(path);
    serde_norway::Deserializer::from_str(&text)
        .map(|doc| {
            let mut value =
                Yaml::deserialize(doc).unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
            value.apply_merge().unwrap_or_else(|e| panic!("{}: bad merge key: {e}", path.display()));
            value
        })
        .filter(|v| !v.is_null())
        .collect()
}

fn yaml(path: &Path) -> Yaml {
    let mut docs = yaml_docs(path);
    assert_eq!(docs.len(), 1, "{} holds one document", path.display());
    docs.remove(0)
}

/// `value[a][b]...` as a string (numbers and booleans too), or None.
fn text_at(value: &Yaml, path: &[&str]) -> Option<String> {
    let mut node = value;
    for key in path {
        node = node.get(key)?;
    }
    scalar(node)
}

fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn seq<'a>(value: &'a Yaml, key: &str) -> Vec<&'a Yaml> {
    value.get(key).and_then(Yaml::as_sequence).map(|s| s.iter().collect()).unwrap_or_default()
}

/// A YAML mapping of scalars as strings.
fn string_map(value: Option<&Yaml>) -> BTreeMap<String, String> {
    value
        .and_then(Yaml::as_mapping)
        .map(|m| m.iter().filter_map(|(k, v)| Some((scalar(k)?, scalar(v)?))).collect())
        .unwrap_or_default()
}

/// The PromQL of every dashboard panel target and query variable, with where it comes from.
fn dashboard_queries() -> Vec<(String, String)> {
    fn walk(value: &Json, origin: &str, out: &mut Vec<(String, String)>) {
        match value {
            Json::Object(map) => {
                let origin = match map.get("title").and_then(Json::as_str) {
                    Some(title) if map.contains_key("type") => format!("{origin} panel {title:?}"),
                    _ => origin.to_owned(),
                };
                if let Some(expr) = map.get("expr").and_then(Json::as_str) {
                    out.push((origin.clone(), expr.to_owned()));
                }
                for (key, v) in map {
                    if key != "templating" {
                        walk(v, &origin, out);
                    }
                }
            }
            Json::Array(items) => items.iter().for_each(|v| walk(v, origin, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for path in dashboard_files() {
        let dashboard: Json = serde_json::from_str(&read(&path)).expect("dashboard JSON");
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        walk(&dashboard["panels"], &file, &mut out);
        for variable in dashboard["templating"]["list"].as_array().unwrap() {
            if variable["type"] != "query" {
                continue;
            }
            let query = variable["query"]["query"].as_str().or(variable["query"].as_str()).unwrap();
            // Grafana's `label_values(<selector>, <label>)`: the selector is PromQL.
            let selector = query
                .strip_prefix("label_values(")
                .and_then(|q| q.strip_suffix(')'))
                .and_then(|q| q.rsplit_once(','))
                .map_or(query, |(selector, _label)| selector);
            out.push((format!("{file} variable {}", variable["name"]), selector.to_owned()));
        }
    }
    out
}

fn dashboard_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(deploy_dir().join("grafana/dashboards"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The PromQL of every alert rule.
fn alert_queries() -> Vec<(String, String)> {
    let rules = yaml(&deploy_dir().join("prometheus/alerts.yml"));
    let mut out = Vec::new();
    for group in seq(&rules, "groups") {
        for rule in seq(group, "rules") {
            let name = text_at(rule, &["alert"]).or_else(|| text_at(rule, &["record"])).expect("rule name");
            out.push((format!("alert {name}"), text_at(rule, &["expr"]).expect("rule expr")));
        }
    }
    out
}

/// The last stage of deploy/Dockerfile (the runtime image), as (instruction, arguments).
fn dockerfile_runtime_stage() -> Vec<(String, String)> {
    let mut instructions = dockerfile_instructions(&read(&deploy_dir().join("Dockerfile")));
    let last_from = instructions.iter().rposition(|(op, _)| op == "FROM").expect("a FROM");
    instructions.split_off(last_from)
}

/// The environment the image sets (its `ENV` instructions): the first layer under a deployment's own.
fn image_env() -> Vec<(String, String)> {
    dockerfile_runtime_stage()
        .into_iter()
        .filter(|(op, _)| op == "ENV")
        .flat_map(|(_, args)| {
            args.split_whitespace()
                .map(|pair| {
                    let (k, v) = pair.split_once('=').expect("ENV key=value");
                    (k.to_owned(), v.trim_matches('"').to_owned())
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The configuration `tenor <command>` loads from `env` (on top of the image's) and `config_file`, as the
/// service prints it (`--print-config`), or the service's own error.
fn effective_config(
    command: &str,
    env: &BTreeMap<String, String>,
    config_file: Option<&Path>,
) -> Result<toml::Table, String> {
    let mut cmd = tenor();
    for (name, _) in std::env::vars() {
        if name.starts_with("TENOR_") {
            cmd.env_remove(name);
        }
    }
    cmd.arg(command);
    if let Some(file) = config_file {
        cmd.arg("--config").arg(file);
    }
    let output = cmd.arg("--print-config").envs(env).output().unwrap();
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    toml::from_str(&String::from_utf8(output.stdout).unwrap()).map_err(|e| e.to_string())
}

/// The `TENOR_*` variables `tenor <command>` reads: one per configuration key (from its own printed
/// defaults) and the ones its flags take (`[env: ...]` in `--help`). librdkafka keys are free-form
/// (`TENOR_KAFKA__LIBRDKAFKA__<KEY>`) and checked apart.
fn env_names(command: &str) -> BTreeSet<String> {
    fn leaves(table: &toml::Table, prefix: &str, out: &mut BTreeSet<String>) {
        for (key, value) in table {
            let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
            match value {
                toml::Value::Table(t) if path != "kafka.librdkafka" => leaves(t, &path, out),
                toml::Value::Table(_) => {}
                _ => {
                    out.insert(format!("TENOR_{}", path.replace('.', "__").to_ascii_uppercase()));
                }
            }
        }
    }
    let mut names = BTreeSet::new();
    leaves(&effective_config(command, &BTreeMap::new(), None).unwrap(), "", &mut names);
    let help = tenor().args([command, "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for piece in help.split("[env: ").skip(1) {
        names.insert(piece.split(['=', ']']).next().unwrap().to_owned());
    }
    assert!(names.contains("TENOR_KAFKA__BOOTSTRAP_SERVERS") && names.contains("TENOR_LOG"), "{names:?}");
    names
}

const LIBRDKAFKA_PREFIX: &str = "TENOR_KAFKA__LIBRDKAFKA__";

/// Problems with the `TENOR_*` variables given to `command`: names it does not read, librdkafka properties
/// librdkafka rejects (all of them set on one client, as the service does).
fn check_env(origin: &str, command: &str, env: &BTreeMap<String, String>, problems: &mut Vec<String>) {
    let known = env_names(command);
    let mut properties = BTreeMap::new();
    for (name, value) in env {
        if let Some(key) = name.strip_prefix(LIBRDKAFKA_PREFIX) {
            properties.insert(key.to_ascii_lowercase().replace('_', "."), value.clone());
        } else if name.starts_with("TENOR_") && !known.contains(name) {
            problems.push(format!("{origin}: `tenor {command}` does not read {name}"));
        }
    }
    if let Err(e) = librdkafka_accepts(&properties) {
        problems.push(format!("{origin}: librdkafka rejects {:?}: {e}", properties.keys().collect::<Vec<_>>()));
    }
}

/// Whether librdkafka accepts these properties: a client is created with them; nothing connects.
fn librdkafka_accepts(properties: &BTreeMap<String, String>) -> Result<(), String> {
    use rdkafka::producer::BaseProducer;
    let mut config = rdkafka::ClientConfig::new();
    config.set("bootstrap.servers", "127.0.0.1:9");
    for (key, value) in properties {
        config.set(key, value);
    }
    config.create::<BaseProducer>().map(drop).map_err(|e| e.to_string())
}

fn config_str(config: &toml::Table, path: &str) -> String {
    let mut node = config;
    let parts: Vec<&str> = path.split('.').collect();
    for part in &parts[..parts.len() - 1] {
        node = node[*part].as_table().unwrap_or_else(|| panic!("no section {part} in {path}"));
    }
    match &node[parts[parts.len() - 1]] {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn port_of(addr: &str) -> u16 {
    addr.rsplit_once(':').and_then(|(_, p)| p.parse().ok()).unwrap_or_else(|| panic!("no port in {addr:?}"))
}

/// The topics a service's configuration names.
fn topics_of(config: &toml::Table) -> BTreeSet<String> {
    config["topics"].as_table().unwrap().values().map(|v| v.as_str().unwrap().to_owned()).collect()
}

/// The topic a service consumes.
fn input_topic(command: &str, config: &toml::Table) -> String {
    let key = match command {
        "serve" | "segmenter" => "topics.input",
        "scorer" => "topics.segments",
        "aggregator" | "claims" => "topics.sentences",
        other => panic!("not a service: {other}"),
    };
    config_str(config, key)
}

const SERVICES: &[&str] = &["serve", "segmenter", "scorer", "aggregator", "claims"];

fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(problems.is_empty(), "{what}: {} problem(s):\n  {}", problems.len(), problems.join("\n  "));
}

// ---------------------------------------------------------------------------------------------------------
// Checks.

#[test]
fn dashboards_and_alert_rules_query_only_what_running_services_export() {
    let queries: Vec<(String, String)> = dashboard_queries().into_iter().chain(alert_queries()).collect();
    // Both dashboards and the rules are there and hold real queries (a missing file must not pass vacuously).
    assert_eq!(dashboard_files().len(), 2, "pipeline and content dashboards");
    assert!(queries.len() >= 40, "only {} queries found", queries.len());
    for required in
        ["TenorConsumerLagGrowing", "TenorDeadLettersRising", "TenorNoOutput", "TenorModelReloadRefused"]
    {
        assert!(queries.iter().any(|(origin, _)| origin == &format!("alert {required}")), "{required}");
    }

    // A real broker, `tenor serve` and the aggregator, and enough traffic that every series a query may match
    // exists: good and bad articles (dead letters), sentence records below the review threshold (so that the
    // review topic gets records: 0.9 makes sure of it), and aggregator windows (emitted after 300 ms idle).
    let broker = Tansu::start();
    broker.create_topics(&["articles"], 2);
    let serve = Service::start(&broker, "serve", &["--review-threshold", "0.9"]);
    let aggregator = Service::start(&broker, "aggregator", &["--set", "window.idle_flush_ms=300"]);
    let mut messages = example_messages();
    messages.truncate(8);
    messages.push((Some("bad".into()), b"{not json".to_vec()));
    broker.produce("articles", &messages);

    let wanted = [
        (&serve, "tenor_records_produced_total{topic=\"tenor.review\"}"),
        (&serve, "tenor_records_produced_total{topic=\"tenor.dlq\"}"),
        (&serve, "tenor_end_to_end_latency_seconds_count"),
        (&aggregator, "tenor_windows_emitted_total{kind=\"final\"}"),
    ];
    let deadline = Instant::now() + Duration::from_secs(90);
    for (service, series) in wanted {
        while service.metric(series) < 1.0 {
            assert!(Instant::now() < deadline, "{series} never counted: {}", service.log_text());
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    // Consumer lag comes from librdkafka statistics (every 500 ms with the test harness).
    while !serve.metrics().contains("tenor_consumer_lag_messages{")
        || !aggregator.metrics().contains("tenor_consumer_lag_messages{")
    {
        assert!(Instant::now() < deadline, "no consumer lag exported: {}", serve.log_text());
        std::thread::sleep(Duration::from_millis(200));
    }

    let mut exported = Exposition::parse(&serve.metrics());
    exported.add(&aggregator.metrics());
    let mut problems = Vec::new();
    for (origin, expr) in &queries {
        check_query(origin, expr, &exported, &mut problems);
    }
    assert_no_problems("dashboards and alert rules", &problems);

    // The checker itself catches what it is for (so that a clean run above means something).
    let mut caught = Vec::new();
    check_query("t", "rate(tenor_messages_consumed_totl[5m])", &exported, &mut caught);
    check_query("t", r#"tenor_dead_letters_total{reasn="x"}"#, &exported, &mut caught);
    check_query("t", r#"tenor_records_produced_total{topic="tenor.nope"}"#, &exported, &mut caught);
    check_query("t", "tenor_stance_confidence_bucket + tenor_stance_confidence_count", &exported, &mut caught);
    assert_eq!(caught.len(), 3, "{caught:?}");

    // The probes the manifests use and the image's health check answer on the running service.
    for path in ["/healthz", "/readyz"] {
        assert_eq!(http_get(serve.metrics_port, path).map(|r| r.0), Some(200), "{path}");
    }
    let healthcheck = |port: u16, path: &str| {
        std::process::Command::new("bash")
            .arg(deploy_dir().join("healthcheck.sh"))
            .arg(path)
            .env("TENOR_METRICS__ADDR", format!("0.0.0.0:{port}"))
            .status()
            .unwrap()
            .success()
    };
    assert!(healthcheck(serve.metrics_port, "/healthz"));
    assert!(healthcheck(aggregator.metrics_port, "/readyz"));
    assert!(!healthcheck(serve.metrics_port, "/nope"), "a 404 is unhealthy");
    assert!(!healthcheck(crate::broker::free_port(), "/healthz"), "nothing listening is unhealthy");
}

#[test]
fn compose_stack_wires_the_topics_ports_and_variables_the_services_read() {
    let dir = deploy_dir();
    let compose = yaml(&dir.join("docker-compose.yml"));
    let services = compose["services"].as_mapping().expect("services");
    let service = |name: &str| &compose["services"][name];
    let mut problems = Vec::new();

    // Kafka in KRaft mode (no ZooKeeper), reachable as kafka:9092 inside the stack.
    let kafka = service("kafka");
    assert!(text_at(kafka, &["image"]).unwrap().starts_with("apache/kafka:"));
    let kafka_env = string_map(kafka.get("environment"));
    assert!(kafka_env["KAFKA_PROCESS_ROLES"].contains("controller"), "KRaft: the broker is its own controller");
    assert!(kafka_env["KAFKA_ADVERTISED_LISTENERS"].contains("PLAINTEXT://kafka:9092"));
    assert!(!services.keys().any(|k| k.as_str().is_some_and(|k| k.contains("zookeeper"))));
    let init = service("kafka-init");
    let init_env = string_map(init.get("environment"));
    let created: BTreeSet<String> = ["TOPICS", "COMPACTED_TOPICS", "SINGLE_PARTITION_COMPACTED_TOPICS"]
        .iter()
        .flat_map(|k| init_env[*k].split_whitespace())
        .map(str::to_owned)
        .collect();
    assert!(seq(init, "command")
        .iter()
        .any(|c| c.as_str().is_some_and(|c| c.contains("kafka-topics.sh") && c.contains("--create"))));

    // serve by default (.env), the split pair as the alternative profile, the aggregator always.
    let dotenv = read(&dir.join(".env"));
    assert!(dotenv.lines().any(|l| l.trim() == "COMPOSE_PROFILES=serve"), "{dotenv}");
    let profiles =
        |name: &str| -> Vec<String> { seq(service(name), "profiles").iter().filter_map(|p| scalar(p)).collect() };
    assert_eq!(profiles("tenor-serve"), ["serve"]);
    assert_eq!(profiles("tenor-segmenter"), ["split"]);
    assert_eq!(profiles("tenor-scorer"), ["split"]);
    assert!(profiles("tenor-aggregator").is_empty());
    assert!(profiles("tenor-claims").is_empty());

    // Every Tenor service: a real subcommand, variables it reads, and the configuration those give it.
    let prometheus = yaml(&dir.join("prometheus/prometheus.yml"));
    let mut configs = BTreeMap::new();
    let mut ui_services = Vec::new();
    let tenor_image = text_at(service("tenor-serve"), &["image"]).unwrap();
    for (name, svc) in services {
        let name = name.as_str().unwrap();
        if text_at(svc, &["image"]).as_deref() != Some(tenor_image.as_str()) {
            continue;
        }
        let command = seq(svc, "command").first().and_then(|c| scalar(c)).unwrap_or_default();
        if command == "ui" {
            check_compose_ui(name, svc, &created, &mut problems);
            ui_services.push(name.to_owned());
            continue;
        }
        if !SERVICES.contains(&command.as_str()) {
            problems.push(format!("{name}: `{command}` is not a Tenor service"));
            continue;
        }
        let origin = format!("compose service {name}");
        let mut env: BTreeMap<String, String> = image_env().into_iter().collect();
        env.extend(string_map(svc.get("environment")));
        check_env(&origin, &command, &env, &mut problems);
        let config = match effective_config(&command, &env, None) {
            Ok(c) => c,
            Err(e) => {
                problems.push(format!("{origin}: `tenor {command}` rejects its configuration: {e}"));
                continue;
            }
        };
        if config_str(&config, "kafka.bootstrap_servers") != "kafka:9092" {
            problems
                .push(format!("{origin}: bootstrap servers {}", config_str(&config, "kafka.bootstrap_servers")));
        }
        let port = port_of(&config_str(&config, "metrics.addr"));
        if !seq(svc, "expose").iter().any(|p| scalar(p) == Some(port.to_string())) {
            problems.push(format!("{origin}: metrics on {port}, not exposed"));
        }
        if config_str(&config, "kafka.create_topics") == "false" {
            for topic in topics_of(&config).difference(&created) {
                problems.push(format!("{origin}: uses topic {topic}, which kafka-init does not create"));
            }
        }
        if text_at(svc, &["depends_on", "kafka-init", "condition"]).as_deref()
            != Some("service_completed_successfully")
        {
            problems.push(format!("{origin}: does not wait for kafka-init"));
        }
        // Prometheus scrapes it: a job of the same name, found by DNS, on the metrics port.
        let job = seq(&prometheus, "scrape_configs")
            .into_iter()
            .find(|j| text_at(j, &["job_name"]).as_deref() == Some(name));
        let scraped = job.is_some_and(|job| {
            seq(job, "dns_sd_configs").iter().any(|sd| {
                seq(sd, "names").iter().any(|n| n.as_str() == Some(name))
                    && text_at(sd, &["port"]) == Some(port.to_string())
            })
        });
        if !scraped {
            problems.push(format!("{origin}: no Prometheus job scrapes {name}:{port}"));
        }
        configs.insert(command, config);
    }
    assert_eq!(
        configs.keys().map(String::as_str).collect::<Vec<_>>(),
        ["aggregator", "claims", "scorer", "segmenter", "serve"]
    );
    assert_eq!(ui_services, ["tenor-ui"], "the live page is in the stack");
    // Split mode consumes what serve consumes, and the scorer reads what the segmenter writes.
    assert_eq!(input_topic("segmenter", &configs["segmenter"]), input_topic("serve", &configs["serve"]));
    assert_eq!(input_topic("scorer", &configs["scorer"]), config_str(&configs["segmenter"], "topics.segments"));
    for reader in ["aggregator", "claims"] {
        assert_eq!(input_topic(reader, &configs[reader]), config_str(&configs["serve"], "topics.sentences"));
    }

    // The demo producer replays the example stream into the topic serve reads.
    let demo = service("demo-producer");
    let script = seq(demo, "command").iter().filter_map(|c| scalar(c)).collect::<Vec<_>>().join("\n");
    let topic = input_topic("serve", &configs["serve"]);
    assert!(
        script.contains("kafka-console-producer.sh") && script.contains(&format!("--topic {topic}")),
        "{script}"
    );
    let mounts: Vec<String> = seq(demo, "volumes").iter().filter_map(|v| scalar(v)).collect();
    let (host, inside) = mounts
        .iter()
        .find_map(|m| m.split(':').collect::<Vec<_>>().get(..2).map(|p| (p[0].to_owned(), p[1].to_owned())))
        .unwrap();
    assert!(dir.join(&host).canonicalize().unwrap().ends_with("examples/articles.jsonl"), "{host}");
    assert!(script.contains(&format!("< {inside}")), "{script}");

    // Prometheus gets its configuration and the rules it names; Grafana its datasource and dashboards.
    let prom_mounts = volume_mounts(service("prometheus"));
    let config_inside = seq(service("prometheus"), "command")
        .iter()
        .filter_map(|c| scalar(c))
        .find_map(|c| c.strip_prefix("--config.file=").map(str::to_owned))
        .unwrap();
    assert!(prom_mounts.get(&config_inside).is_some_and(|h| dir.join(h).ends_with("prometheus/prometheus.yml")));
    for rule_file in seq(&prometheus, "rule_files") {
        let host =
            prom_mounts.get(rule_file.as_str().unwrap()).unwrap_or_else(|| panic!("{rule_file:?} not mounted"));
        assert!(dir.join(host).is_file(), "{host}");
    }
    let grafana_mounts = volume_mounts(service("grafana"));
    assert_eq!(grafana_mounts["/etc/grafana/provisioning"], "./grafana/provisioning");
    let provider = yaml(&dir.join("grafana/provisioning/dashboards/tenor.yml"));
    let dashboards_inside = text_at(seq(&provider, "providers")[0], &["options", "path"]).unwrap();
    assert_eq!(grafana_mounts[&dashboards_inside], "./grafana/dashboards");
    let home =
        string_map(service("grafana").get("environment"))["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"].clone();
    let home_file = home.strip_prefix(&format!("{dashboards_inside}/")).unwrap();
    assert!(dir.join("grafana/dashboards").join(home_file).is_file(), "{home}");
    let datasources = yaml(&dir.join("grafana/provisioning/datasources/prometheus.yml"));
    let url = text_at(seq(&datasources, "datasources")[0], &["url"]).unwrap();
    assert_eq!(url, "http://prometheus:9090");
    assert!(seq(service("prometheus"), "ports").iter().any(|p| scalar(p).is_some_and(|p| p.ends_with(":9090"))));
    // Nothing is published beyond the host's loopback unless asked for, and Grafana has no default login.
    for (name, definition) in services {
        let name = scalar(name).unwrap_or_default();
        for port in seq(definition, "ports") {
            let port = scalar(port).unwrap_or_default();
            if !port.starts_with("${BIND_ADDRESS:-127.0.0.1}:") {
                problems.push(format!("{name} publishes {port} on every interface by default"));
            }
        }
    }
    let grafana_env = string_map(service("grafana").get("environment"));
    assert!(
        grafana_env["GF_SECURITY_ADMIN_PASSWORD"].starts_with("${GRAFANA_ADMIN_PASSWORD:?"),
        "no default password"
    );
    assert_eq!(grafana_env["GF_AUTH_ANONYMOUS_ORG_ROLE"], "Viewer", "anonymous users are never editors or admins");
    for path in dashboard_files() {
        let dashboard: Json = serde_json::from_str(&read(&path)).unwrap();
        let variables = dashboard["templating"]["list"].as_array().unwrap();
        assert!(variables.iter().any(|v| v["type"] == "datasource" && v["query"] == "prometheus"), "{path:?}");
    }

    assert_no_problems("docker-compose.yml", &problems);
}

/// The live page (`tenor ui`) is not one of [`SERVICES`]: it has no layered configuration, no consumer group,
/// no output topics and no `/metrics` (so no Prometheus job), only the page with `/healthz` and `/readyz` on
/// its `--listen` port. What it needs from the stack: the broker, the topics it reads (created by kafka-init),
/// its port published on the host's loopback, and the image's health check pointed at that port.
fn check_compose_ui(name: &str, svc: &Yaml, created: &BTreeSet<String>, problems: &mut Vec<String>) {
    let origin = format!("compose service {name}");
    let args: Vec<String> = seq(svc, "command").iter().filter_map(|c| scalar(c)).collect();
    let flag = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    if flag("--brokers").as_deref() != Some("kafka:9092") {
        problems.push(format!("{origin}: --brokers is not kafka:9092: {args:?}"));
    }
    let listen = flag("--listen").unwrap_or_default();
    if !listen.starts_with("0.0.0.0:") {
        problems.push(format!("{origin}: --listen {listen} is not reachable from outside the container"));
    }
    let port = port_of(&listen);
    if !seq(svc, "ports").iter().any(|p| scalar(p) == Some(format!("${{BIND_ADDRESS:-127.0.0.1}}:{port}:{port}")))
    {
        problems.push(format!("{origin}: port {port} is not published on the host"));
    }
    let env = string_map(svc.get("environment"));
    if env.get("TENOR_METRICS__ADDR").map(|a| port_of(a)) != Some(port) {
        problems.push(format!("{origin}: the image's health check would not reach the page's /healthz on {port}"));
    }
    let topics: Vec<String> = args
        .iter()
        .enumerate()
        .filter(|(_, a)| *a == "--topic")
        .filter_map(|(i, _)| args.get(i + 1).cloned())
        .collect();
    let topics = if topics.is_empty() {
        tenor_runtime::ui::feed::DEFAULT_TOPICS.map(str::to_owned).to_vec()
    } else {
        topics
    };
    for topic in topics {
        if !created.contains(&topic) {
            problems.push(format!("{origin}: reads topic {topic}, which kafka-init does not create"));
        }
    }
    if text_at(svc, &["depends_on", "kafka-init", "condition"]).as_deref()
        != Some("service_completed_successfully")
    {
        problems.push(format!("{origin}: does not wait for kafka-init"));
    }
    // A real command line: `tenor ui` accepts these flags.
    let help = crate::support::tenor().args(["ui", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for arg in args.iter().skip(1).filter(|a| a.starts_with("--")) {
        if !help.contains(arg.as_str()) {
            problems.push(format!("{origin}: `tenor ui` has no flag {arg}"));
        }
    }
}

/// `inside path → host path` of a compose service's bind mounts.
fn volume_mounts(service: &Yaml) -> BTreeMap<String, String> {
    seq(service, "volumes")
        .iter()
        .filter_map(|v| scalar(v))
        .filter_map(|v| {
            let parts: Vec<&str> = v.split(':').collect();
            (parts.len() >= 2 && parts[0].starts_with('.')).then(|| (parts[1].to_owned(), parts[0].to_owned()))
        })
        .collect()
}

/// Every document a kustomization directory includes, following its `resources` (files and directories).
fn kustomize(dir: &Path, problems: &mut Vec<String>) -> Vec<Yaml> {
    let kustomization = yaml(&dir.join("kustomization.yaml"));
    let mut docs = Vec::new();
    for resource in seq(&kustomization, "resources") {
        let path = dir.join(resource.as_str().unwrap());
        if path.is_dir() {
            docs.extend(kustomize(&path, problems));
        } else if path.is_file() {
            docs.extend(yaml_docs(&path));
        } else {
            problems.push(format!("{}: resource {} does not exist", dir.display(), path.display()));
        }
    }
    docs
}

fn all_yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all_yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// `selector` ⊆ `labels`.
fn selects(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

#[test]
fn kubernetes_manifests_parse_and_match_the_services_ports_probes_topics_and_configuration() {
    let k8s = deploy_dir().join("k8s");
    let mut files = Vec::new();
    all_yaml_files(&k8s, &mut files);
    let mut problems = Vec::new();
    for file in &files {
        for doc in yaml_docs(file) {
            if file.file_name().unwrap() == "kustomization.yaml" {
                continue;
            }
            for key in ["apiVersion", "kind"] {
                if text_at(&doc, &[key]).is_none() {
                    problems.push(format!("{}: a document without {key}", file.display()));
                }
            }
            if text_at(&doc, &["metadata", "name"]).is_none() {
                problems.push(format!("{}: a document without metadata.name", file.display()));
            }
        }
    }
    let secret = yaml(&k8s.join("secret.example.yaml"));
    let secret_name = text_at(&secret, &["metadata", "name"]).unwrap();
    let secret_keys: BTreeSet<String> = string_map(secret.get("stringData")).into_keys().collect();
    let alert_groups = yaml(&deploy_dir().join("prometheus/alerts.yml"))["groups"].clone();

    // Each mode is checked as kustomize would build it.
    for (overlay, want) in [
        ("", ["aggregator", "claims", "serve"].as_slice()),
        ("split", &["aggregator", "claims", "scorer", "segmenter"]),
    ] {
        let dir = if overlay.is_empty() { k8s.clone() } else { k8s.join(overlay) };
        let origin = format!("deploy/k8s/{overlay}");
        let docs = kustomize(&dir, &mut problems);
        let of_kind = |kind: &str| -> Vec<&Yaml> {
            docs.iter().filter(|d| text_at(d, &["kind"]).as_deref() == Some(kind)).collect()
        };
        let config_map = |name: &str| -> BTreeMap<String, String> {
            let found = of_kind("ConfigMap")
                .into_iter()
                .find(|c| text_at(c, &["metadata", "name"]).as_deref() == Some(name));
            string_map(found.unwrap_or_else(|| panic!("{origin}: no ConfigMap {name}")).get("data"))
        };
        for map in of_kind("ConfigMap") {
            for (key, value) in string_map(map.get("data")) {
                let property =
                    key.strip_prefix(LIBRDKAFKA_PREFIX).map(|k| k.to_ascii_lowercase().replace('_', "."));
                if tenor_runtime::config::is_secret_key(&property.unwrap_or_default())
                    || value.contains("password =")
                {
                    problems.push(format!("{origin}: a secret in ConfigMap key {key}: use the Secret"));
                }
            }
        }

        let mut commands = Vec::new();
        let mut configs = BTreeMap::new();
        let mut pod_labels = BTreeMap::new();
        let mut container_ports = BTreeMap::new();
        for deployment in of_kind("Deployment") {
            let name = text_at(deployment, &["metadata", "name"]).unwrap();
            let origin = format!("{origin} Deployment {name}");
            let labels = string_map(deployment["spec"]["template"]["metadata"].get("labels"));
            if !selects(&string_map(deployment["spec"]["selector"].get("matchLabels")), &labels) {
                problems.push(format!("{origin}: its selector does not select its pods"));
            }
            pod_labels.insert(name.clone(), labels);
            let pod = &deployment["spec"]["template"]["spec"];
            let containers = seq(pod, "containers");
            assert_eq!(containers.len(), 1, "{origin}");
            let container = containers[0];
            let args: Vec<String> = seq(container, "args").iter().filter_map(|a| scalar(a)).collect();
            let command = args.first().cloned().unwrap_or_default();
            assert!(SERVICES.contains(&command.as_str()), "{origin}: {args:?}");
            commands.push(command.clone());

            // The --config file comes from the ConfigMap mounted at its folder.
            let config_path =
                args.iter().position(|a| a == "--config").map(|i| args[i + 1].clone()).expect("--config");
            let (folder, file_name) = config_path.rsplit_once('/').unwrap();
            let mount = seq(container, "volumeMounts")
                .into_iter()
                .find(|m| text_at(m, &["mountPath"]).as_deref() == Some(folder))
                .expect("config mounted");
            let volume_name = text_at(mount, &["name"]).unwrap();
            let volume = seq(pod, "volumes")
                .into_iter()
                .find(|v| text_at(v, &["name"]).as_deref() == Some(volume_name.as_str()))
                .expect("volume");
            let files = config_map(&text_at(volume, &["configMap", "name"]).expect("a ConfigMap volume"));
            let temp = tempfile::tempdir().unwrap();
            let file = temp.path().join(file_name);
            std::fs::write(
                &file,
                files.get(file_name).unwrap_or_else(|| panic!("{origin}: no {file_name} in the ConfigMap")),
            )
            .unwrap();

            // Environment: the image's, then envFrom, then env (secrets stand in as placeholders).
            let mut env: BTreeMap<String, String> = image_env().into_iter().collect();
            for from in seq(container, "envFrom") {
                env.extend(config_map(&text_at(from, &["configMapRef", "name"]).expect("configMapRef")));
            }
            for var in seq(container, "env") {
                let var_name = text_at(var, &["name"]).unwrap();
                let value =
                    match (text_at(var, &["value"]), var.get("valueFrom").and_then(|v| v.get("secretKeyRef"))) {
                        (Some(value), _) => value,
                        (None, Some(reference)) => {
                            let (ref_name, key) =
                                (text_at(reference, &["name"]).unwrap(), text_at(reference, &["key"]).unwrap());
                            if ref_name != secret_name || !secret_keys.contains(&key) {
                                problems.push(format!(
                                    "{origin}: {var_name} refers to {ref_name}/{key}, not in secret.example.yaml"
                                ));
                            }
                            "from-the-secret".into()
                        }
                        _ => panic!("{origin}: {var_name} has no value"),
                    };
                env.insert(var_name, value);
            }
            check_env(&origin, &command, &env, &mut problems);
            let config = match effective_config(&command, &env, Some(&file)) {
                Ok(c) => c,
                Err(e) => {
                    problems.push(format!("{origin}: `tenor {command}` rejects its configuration: {e}"));
                    continue;
                }
            };

            // The port the service listens on is the container's `metrics` port, and the probes use it.
            let port = port_of(&config_str(&config, "metrics.addr"));
            let ports = seq(container, "ports");
            let metrics_port = ports.iter().find(|p| text_at(p, &["name"]).as_deref() == Some("metrics"));
            if metrics_port.and_then(|p| text_at(p, &["containerPort"])) != Some(port.to_string()) {
                problems.push(format!(
                    "{origin}: the service listens on {port}, the container port `metrics` differs"
                ));
            }
            container_ports.insert(name.clone(), port);
            for (probe, path) in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")] {
                let get = &container[probe]["httpGet"];
                if text_at(get, &["path"]).as_deref() != Some(path) {
                    problems.push(format!("{origin}: {probe} does not GET {path}"));
                }
                let probe_port = text_at(get, &["port"]).unwrap_or_default();
                if probe_port != "metrics" && probe_port != port.to_string() {
                    problems.push(format!("{origin}: {probe} on port {probe_port}, the service is on {port}"));
                }
            }
            if config_str(&config, "kafka.bootstrap_servers") == "127.0.0.1:9092" {
                problems.push(format!("{origin}: no bootstrap servers set"));
            }
            configs.insert(name, (command, config));
        }
        commands.sort();
        assert_eq!(
            commands, want,
            "{origin}: the services of this mode (never serve and the split pair together)"
        );

        // Services select their Deployment's pods and expose the metrics port by name.
        let mut service_labels = Vec::new();
        let mut service_port_names = BTreeSet::new();
        for service in of_kind("Service") {
            let name = text_at(service, &["metadata", "name"]).unwrap();
            let selector = string_map(service["spec"].get("selector"));
            let targets: Vec<&String> =
                pod_labels.iter().filter(|(_, l)| selects(&selector, l)).map(|(n, _)| n).collect();
            if targets.len() != 1 {
                problems.push(format!("{origin}: Service {name} selects {targets:?}"));
                continue;
            }
            for port in seq(&service["spec"], "ports") {
                let target = text_at(port, &["targetPort"]).unwrap_or_default();
                if target != "metrics"
                    && Some(target.clone()) != container_ports.get(targets[0]).map(u16::to_string)
                {
                    problems.push(format!("{origin}: Service {name} targets port {target}"));
                }
                service_port_names.extend(text_at(port, &["name"]));
            }
            service_labels.push(string_map(service["metadata"].get("labels")));
        }
        let monitors = of_kind("ServiceMonitor");
        assert_eq!(monitors.len(), 1, "{origin}");
        let selector = string_map(monitors[0]["spec"]["selector"].get("matchLabels"));
        if !service_labels.iter().all(|l| selects(&selector, l)) || service_labels.is_empty() {
            problems.push(format!("{origin}: the ServiceMonitor does not select every Tenor Service"));
        }
        for endpoint in seq(&monitors[0]["spec"], "endpoints") {
            if !service_port_names.contains(&text_at(endpoint, &["port"]).unwrap_or_default())
                || text_at(endpoint, &["path"]).as_deref() != Some("/metrics")
            {
                problems
                    .push(format!("{origin}: ServiceMonitor endpoint {endpoint:?} is not a Service's /metrics"));
            }
        }
        let rules = of_kind("PrometheusRule");
        assert_eq!(rules.len(), 1, "{origin}");
        if rules[0]["spec"]["groups"] != alert_groups {
            problems.push(format!("{origin}: the PrometheusRule differs from deploy/prometheus/alerts.yml"));
        }

        // KEDA scales each autoscaled service on its own group's lag on the topic it really consumes, with no
        // more replicas than partitions.
        let bootstrap = config_map("tenor-kafka")["TENOR_KAFKA__BOOTSTRAP_SERVERS"].clone();
        let auths: BTreeMap<String, &Yaml> = of_kind("TriggerAuthentication")
            .into_iter()
            .map(|a| (text_at(a, &["metadata", "name"]).unwrap(), a))
            .collect();
        let mut scaled = Vec::new();
        for object in of_kind("ScaledObject") {
            let target = text_at(object, &["spec", "scaleTargetRef", "name"]).unwrap();
            let Some((command, config)) = configs.get(&target) else {
                problems.push(format!("{origin}: ScaledObject targets {target}, not a Deployment here"));
                continue;
            };
            scaled.push(command.clone());
            let max = text_at(object, &["spec", "maxReplicaCount"]).unwrap().parse::<i64>().unwrap();
            let partitions = config["kafka"]["topic_partitions"].as_integer().unwrap();
            if max > partitions {
                problems.push(format!(
                    "{origin}: {target} scales to {max} replicas but its topics have {partitions} partitions"
                ));
            }
            for trigger in seq(&object["spec"], "triggers") {
                assert_eq!(text_at(trigger, &["type"]).as_deref(), Some("kafka"));
                let meta = string_map(trigger.get("metadata"));
                let checks = [
                    ("consumerGroup", config_str(config, "kafka.group_id")),
                    ("topic", input_topic(command, config)),
                    ("bootstrapServers", bootstrap.clone()),
                ];
                for (key, want) in checks {
                    if meta.get(key) != Some(&want) {
                        problems.push(format!(
                            "{origin}: ScaledObject {target} {key} is {:?}, the service uses {want:?}",
                            meta.get(key)
                        ));
                    }
                }
                let auth = text_at(trigger, &["authenticationRef", "name"]).unwrap();
                match auths.get(&auth) {
                    None => problems.push(format!("{origin}: no TriggerAuthentication {auth}")),
                    Some(auth) => {
                        for reference in seq(&auth["spec"], "secretTargetRef") {
                            let key = text_at(reference, &["key"]).unwrap();
                            if text_at(reference, &["name"]) != Some(secret_name.clone())
                                || !secret_keys.contains(&key)
                            {
                                problems.push(format!("{origin}: TriggerAuthentication reads {key:?} from a Secret secret.example.yaml does not describe"));
                            }
                        }
                    }
                }
            }
        }
        scaled.sort();
        let mut expected_scaled: Vec<&str> =
            want.iter().copied().filter(|c| !["aggregator", "claims"].contains(c)).collect();
        expected_scaled.sort_unstable();
        assert_eq!(
            scaled, expected_scaled,
            "{origin}: every service but the aggregator and the claims service (one per group) autoscales"
        );
    }
    assert_no_problems("deploy/k8s", &problems);
}

#[test]
fn image_runs_as_a_non_root_user_with_the_health_check_labels_and_every_build_input() {
    let stage = dockerfile_runtime_stage();
    let args_of =
        |op: &str| -> Vec<String> { stage.iter().filter(|(o, _)| o == op).map(|(_, a)| a.clone()).collect() };
    let user = args_of("USER").pop().expect("a USER");
    assert!(!["root", "0", "0:0"].contains(&user.as_str()) && !user.starts_with("0:"), "USER {user}");
    let env: BTreeMap<String, String> = image_env().into_iter().collect();
    let port = port_of(&env["TENOR_METRICS__ADDR"]);
    assert!(args_of("EXPOSE").iter().any(|p| p.split_whitespace().any(|p| p == port.to_string())));
    let healthcheck = args_of("HEALTHCHECK").pop().expect("a HEALTHCHECK");
    let script = "/usr/local/bin/tenor-healthcheck";
    assert!(healthcheck.contains(script), "{healthcheck}");
    assert!(args_of("COPY").iter().any(|c| c.ends_with(&format!("deploy/healthcheck.sh {script}"))));
    assert!(args_of("ENTRYPOINT").iter().any(|e| e.contains("/usr/local/bin/tenor\"")));
    let labels = args_of("LABEL").join(" ");
    for key in ["title", "description", "version", "revision", "created", "licenses", "source"] {
        assert!(labels.contains(&format!("org.opencontainers.image.{key}=")), "OCI label {key}");
    }
    // The image's environment is configuration the services accept.
    let mut problems = Vec::new();
    for command in SERVICES {
        check_env("Dockerfile ENV", command, &env, &mut problems);
    }
    assert_no_problems("Dockerfile", &problems);

    // Everything the build reads survives .dockerignore: the files the crates compile in, and what COPY names.
    let ignore = DockerIgnore::parse(&read(&repo().join(".dockerignore")));
    let root = repo();
    let mut inputs = Vec::new();
    let mut sources = Vec::new();
    collect_rs(&root.join("crates"), &mut sources);
    for source in sources {
        let text = read(&source);
        for piece in text.split("include_str!(\"").chain(text.split("include_bytes!(\"")).skip(1) {
            let relative = piece.split('"').next().unwrap();
            let path = source.parent().unwrap().join(relative);
            if let Ok(path) = path.canonicalize() {
                inputs.push(path.strip_prefix(&root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    assert!(inputs.iter().any(|p| p == "models/stance/model.json"), "{inputs:?}");
    let text = read(&deploy_dir().join("Dockerfile"));
    for (op, args) in dockerfile_instructions(&text) {
        if op != "COPY" || args.starts_with("--from") {
            continue;
        }
        let words: Vec<&str> = args.split_whitespace().filter(|w| !w.starts_with("--")).collect();
        for source in &words[..words.len() - 1] {
            let path = source.trim_end_matches('/');
            match path.rsplit_once('/') {
                Some((folder, name)) if name.contains('*') => {
                    let matched: Vec<String> = std::fs::read_dir(root.join(folder))
                        .unwrap()
                        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                        .filter(|f| glob_segment(name, f))
                        .map(|f| format!("{folder}/{f}"))
                        .collect();
                    assert!(!matched.is_empty(), "COPY {source} matches nothing");
                    inputs.extend(matched);
                }
                _ => {
                    assert!(root.join(path).exists(), "COPY {source}: no such file");
                    inputs.push(path.to_owned());
                }
            }
        }
    }
    let ignored: Vec<&String> = inputs.iter().filter(|p| ignore.excludes(p)).collect();
    assert!(ignored.is_empty(), ".dockerignore excludes build inputs: {ignored:?}");
    // ...while the bulky and private things stay out of the context.
    for path in ["target/debug/tenor", "models/data/gum/splits.md", ".git/HEAD", "deploy/docker-compose.yml"] {
        assert!(ignore.excludes(path), "{path} is sent to the build");
    }
}

fn dockerfile_instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if current.is_empty() && (line.starts_with('#') || line.is_empty()) {
            continue;
        }
        if let Some(part) = line.strip_suffix('\\') {
            current.push_str(part);
            current.push(' ');
            continue;
        }
        current.push_str(line);
        let (op, args) = current.split_once(' ').unwrap_or((&current, ""));
        out.push((op.to_ascii_uppercase(), args.trim().to_owned()));
        current.clear();
    }
    out
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && path.file_name().is_some_and(|n| n != "target") {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The patterns of a `.dockerignore` (the subset Tenor's uses: `*` within a path segment, `**` across
/// segments, `!` to re-include; the last matching pattern wins, and excluding a folder excludes its content).
#[derive(Debug)]
struct DockerIgnore {
    patterns: Vec<(bool, Vec<String>)>,
}

impl DockerIgnore {
    fn parse(text: &str) -> DockerIgnore {
        let patterns = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (include, pattern) = l.strip_prefix('!').map_or((false, l), |p| (true, p));
                (include, pattern.trim_matches('/').split('/').map(str::to_owned).collect())
            })
            .collect();
        DockerIgnore { patterns }
    }

    fn excludes(&self, path: &str) -> bool {
        let segments: Vec<&str> = path.split('/').collect();
        let mut excluded = false;
        for (include, pattern) in &self.patterns {
            let matches = (1..=segments.len()).any(|n| glob_path(pattern, &segments[..n]));
            if matches {
                excluded = !include;
            }
        }
        excluded
    }
}

fn glob_path(pattern: &[String], path: &[&str]) -> bool {
    match (pattern.first(), path.first()) {
        (None, None) => true,
        (Some(p), _) if p == "**" => (0..=path.len()).any(|skip| glob_path(&pattern[1..], &path[skip..])),
        (Some(p), Some(s)) => glob_segment(p, s) && glob_path(&pattern[1..], &path[1..]),
        _ => false,
    }
}

fn glob_segment(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((prefix, rest)) => {
            text.starts_with(prefix)
                && (prefix.len()..=text.len()).any(|i| text.is_char_boundary(i) && glob_segment(rest, &text[i..]))
        }
    }
}

#[test]
fn dockerignore_patterns_follow_dockers_rules() {
    let ignore = DockerIgnore::parse("target/\n*.log\nmodels/data/*\n!models/data/lexicons/\n**/secret\n# c\n");
    assert!(ignore.excludes("target/debug/tenor"));
    assert!(ignore.excludes("build.log") && !ignore.excludes("logs/x.txt"));
    assert!(ignore.excludes("models/data/gum/a.conllu"));
    assert!(!ignore.excludes("models/data/lexicons/vader/vader_lexicon.txt"));
    assert!(!ignore.excludes("models/stance/model.json"));
    assert!(ignore.excludes("a/b/secret") && ignore.excludes("secret"));
    assert!(glob_segment("LICENSE.*", "LICENSE.hedges-weasels-MIT") && !glob_segment("LICENSE.*", "SOURCE.txt"));
}
