//! Helpers shared by the end-to-end tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The `tenor` binary Cargo built for these tests.
pub fn tenor() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tenor"));
    cmd.env_remove("RUST_LOG").env_remove("TENOR_LOG");
    cmd
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// Runs `cmd` with `stdin` as standard input and returns its output.
pub fn run_with_stdin(cmd: &mut Command, stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child =
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn tenor");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let output = child.wait_with_output().expect("wait for tenor");
    writer.join().expect("stdin writer");
    output
}

/// Parses JSON lines.
pub fn json_lines(bytes: &[u8]) -> Vec<Value> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).unwrap_or_else(|e| panic!("bad JSON line {e}: {line:?}")))
        .collect()
}

/// The bundled example stream, parsed.
pub fn example_articles() -> Vec<Value> {
    json_lines(&std::fs::read(repo().join("examples/articles.jsonl")).expect("examples/articles.jsonl"))
}
