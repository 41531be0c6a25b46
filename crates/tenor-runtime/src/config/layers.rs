//! Layering: defaults < TOML file < `TENOR_*` environment < `--set` flags, and redaction of secrets.

use serde::de::DeserializeOwned;
use serde::Serialize;
use toml::Value;

use super::ConfigError;

/// Where the layers of a configuration come from.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    /// TOML file given with `--config`.
    pub file: Option<String>,
    /// Environment variables (normally `std::env::vars()`); only `TENOR_*` ones are read.
    pub env: Vec<(String, String)>,
    /// `key.path=value` overrides from flags, applied last, in order.
    pub overrides: Vec<(String, String)>,
}

impl Layers {
    /// The file, the process environment and the given flag overrides.
    pub fn from_process(file: Option<String>, overrides: Vec<(String, String)>) -> Layers {
        Layers { file, env: std::env::vars().collect(), overrides }
    }
}

/// Loads a configuration: defaults, then the file, then `TENOR_*` variables, then flag overrides.
pub fn load<T: Serialize + DeserializeOwned + Default>(layers: &Layers) -> Result<T, ConfigError> {
    let file = match &layers.file {
        None => None,
        Some(path) => Some((
            path.as_str(),
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.clone(), source })?,
        )),
    };
    load_text(file.as_ref().map(|(path, text)| (*path, text.as_str())), &layers.env, &layers.overrides)
}

/// [`load`] with the file already read: `file` is `(path, TOML text)`, the path only names it in errors.
/// Separate from [`load`] so that the parsing of configuration text can be tested and fuzzed without files.
pub fn load_text<T: Serialize + DeserializeOwned + Default>(
    file: Option<(&str, &str)>,
    env: &[(String, String)],
    overrides: &[(String, String)],
) -> Result<T, ConfigError> {
    let mut tree = Value::try_from(T::default()).map_err(|e| ConfigError::Invalid(e.to_string()))?;
    if let Some((path, text)) = file {
        let file: Value = toml::from_str(text).map_err(|error| {
            let at = error.span().map_or(0, |span| span.start).min(text.len());
            let before = &text[..at];
            ConfigError::Parse {
                path: path.to_owned(),
                line: before.matches('\n').count() + 1,
                column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
                message: error.message().to_owned(),
            }
        })?;
        merge(&mut tree, file);
    }
    apply_env(&mut tree, env)?;
    for (key, raw) in overrides {
        set_path(&mut tree, key, raw, "a flag")?;
    }
    let secrets = secret_values(&tree);
    T::deserialize(tree).map_err(|e| ConfigError::Invalid(scrub(&e.to_string(), &secrets)))
}

/// Every value stored under a secret key, to be scrubbed from error messages that might quote it.
fn secret_values(tree: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(value: &Value, under_secret: bool, out: &mut Vec<String>) {
        match value {
            Value::Table(table) => table.iter().for_each(|(k, v)| walk(v, under_secret || is_secret_key(k), out)),
            Value::Array(items) => items.iter().for_each(|v| walk(v, under_secret, out)),
            other if under_secret => {
                let text = match other {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if !text.is_empty() {
                    out.push(text);
                }
            }
            _ => {}
        }
    }
    walk(tree, false, &mut out);
    out
}

fn scrub(message: &str, secrets: &[String]) -> String {
    secrets.iter().fold(message.to_owned(), |m, secret| m.replace(secret.as_str(), "***"))
}

/// Parses `key.path=value` (the form of `--set`).
pub fn parse_override(text: &str) -> Result<(String, String), String> {
    // Errors never quote the value: it may be a secret.
    let (key, value) = text.split_once('=').ok_or_else(|| "expected KEY=VALUE, found no `=`".to_owned())?;
    if key.trim().is_empty() {
        return Err("expected KEY=VALUE, found an empty key".to_owned());
    }
    Ok((key.trim().to_owned(), value.to_owned()))
}

/// The configuration as TOML with every secret value replaced by `***`: the only form that may be logged.
pub fn redacted<T: Serialize>(config: &T) -> String {
    let mut tree = Value::try_from(config).unwrap_or(Value::Table(Default::default()));
    redact(&mut tree);
    toml::to_string(&tree).unwrap_or_default()
}

/// True for keys whose values must never be logged.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["password", "secret", "jaas", "token", "credential", "ssl.key.pem", "private"].iter().any(|s| key.contains(s))
}

fn redact(value: &mut Value) {
    match value {
        Value::Table(table) => {
            for (key, v) in table.iter_mut() {
                if is_secret_key(key) && !v.is_table() {
                    *v = Value::String("***".into());
                } else {
                    redact(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Table(base), Value::Table(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(existing) if existing.is_table() && value.is_table() => merge(existing, value),
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

const ENV_PREFIX: &str = "TENOR_";
/// Maps with free-form keys, whose entries come from `TENOR_<PATH>__<KEY>` with `_` standing for `.`.
const PASS_THROUGH_MAPS: &[&str] = &["kafka.librdkafka"];

fn apply_env(tree: &mut Value, env: &[(String, String)]) -> Result<(), ConfigError> {
    let mut leaves = Vec::new();
    collect_leaves(tree, &mut Vec::new(), &mut leaves);
    for path in leaves {
        let name = env_name(&path);
        if let Some((_, raw)) = env.iter().find(|(k, _)| *k == name) {
            set_path(tree, &path, raw, &format!("${name}"))?;
        }
    }
    for map in PASS_THROUGH_MAPS {
        let prefix = format!("{}__", env_name(map));
        for (name, raw) in env {
            if let Some(rest) = name.strip_prefix(&prefix) {
                let key = rest.to_ascii_lowercase().replace('_', ".");
                set_path(tree, &format!("{map}.\"{key}\""), raw, &format!("${name}"))?;
            }
        }
    }
    Ok(())
}

fn env_name(path: &str) -> String {
    format!("{ENV_PREFIX}{}", path.replace('.', "__").to_ascii_uppercase())
}

/// Dotted paths of every non-table value (pass-through maps excluded: their keys are free-form).
fn collect_leaves(value: &Value, prefix: &mut Vec<String>, out: &mut Vec<String>) {
    if let Value::Table(table) = value {
        for (key, v) in table {
            prefix.push(key.clone());
            let path = prefix.join(".");
            if v.is_table() {
                if !PASS_THROUGH_MAPS.contains(&path.as_str()) {
                    collect_leaves(v, prefix, out);
                }
            } else {
                out.push(path);
            }
            prefix.pop();
        }
    }
}

/// Splits `a.b."c.d"` into `["a", "b", "c.d"]`.
fn split_path(path: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            parts.push(quoted[..end].to_owned());
            rest = quoted.get(end + 1..).unwrap_or("").trim_start_matches('.');
        } else {
            let end = rest.find('.').unwrap_or(rest.len());
            parts.push(rest[..end].to_owned());
            rest = rest.get(end + 1..).unwrap_or("");
        }
    }
    parts
}

/// Sets `path` to `raw`, parsed according to the type of the value already there. Inside a pass-through
/// map, the rest of the path is one key (`kafka.librdkafka.security.protocol` works unquoted).
fn set_path(tree: &mut Value, path: &str, raw: &str, origin: &str) -> Result<(), ConfigError> {
    let mut parts = split_path(path);
    for map in PASS_THROUGH_MAPS {
        let depth = map.split('.').count();
        if parts.len() > depth + 1 && parts[..depth].join(".") == *map {
            let key = parts[depth..].join(".");
            parts.truncate(depth);
            parts.push(key);
        }
    }
    let err = |detail: String| ConfigError::Value { key: path.to_owned(), origin: origin.to_owned(), detail };
    // The value as errors may show it: never a secret's.
    let shown = if is_secret_key(path) { "the value".to_owned() } else { format!("{raw:?}") };
    let (last, parents) = parts.split_last().ok_or_else(|| err("empty key".into()))?;
    let mut node = tree;
    for (i, part) in parents.iter().enumerate() {
        let table =
            node.as_table_mut().ok_or_else(|| err(format!("`{}` is not a section", parents[..i].join("."))))?;
        node = table.get_mut(part).ok_or_else(|| err(format!("unknown key `{}`", parents[..=i].join("."))))?;
    }
    let parent_path = parents.join(".");
    let table = node.as_table_mut().ok_or_else(|| err(format!("`{parent_path}` is not a section")))?;
    let value = match table.get(last) {
        Some(Value::String(_)) => Value::String(raw.to_owned()),
        Some(Value::Integer(_)) => {
            Value::Integer(raw.trim().parse().map_err(|e| err(format!("{shown} is not an integer ({e})")))?)
        }
        Some(Value::Float(_)) => {
            Value::Float(raw.trim().parse().map_err(|e| err(format!("{shown} is not a number ({e})")))?)
        }
        Some(Value::Boolean(_)) => {
            Value::Boolean(raw.trim().parse().map_err(|e| err(format!("{shown} is not true or false ({e})")))?)
        }
        Some(Value::Table(_)) => return Err(err("is a section, not a value".into())),
        Some(_) => {
            let wrapped: toml::Table = toml::from_str(&format!("v = {raw}"))
                .map_err(|e| err(format!("{shown} is not a TOML value ({})", e.message())))?;
            wrapped["v"].clone()
        }
        None if PASS_THROUGH_MAPS.contains(&parent_path.as_str()) => Value::String(raw.to_owned()),
        None => return Err(err(format!("unknown key `{path}`"))),
    };
    table.insert(last.clone(), value);
    Ok(())
}
