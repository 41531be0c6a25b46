//! `tenor run` for a person: a readable digest on a terminal (or with `--format digest`), the records exactly
//! as before when piped or with `--format jsonl`, and a progress line only on a terminal.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{example_articles, json_lines, repo, run_with_stdin, tenor};

/// The counts the digest's summary must show, from the records of a JSON lines run.
fn summary_line(records: &[Value], dead_letters: usize) -> String {
    let of = |schema: &str| records.iter().filter(|r| r["schema"] == schema).count();
    let sentences: Vec<&Value> = records.iter().filter(|r| r["schema"] == "tenor.sentence/1").collect();
    let claims = sentences.iter().filter(|r| r["claim"]["is_claim"] == true).count();
    let hedged = sentences.iter().filter(|r| r["hedge"]["hedged"] == true).count();
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "Summary: {} · {} · {} · {} · {}",
        plural(of("tenor.article/1"), "article", "articles"),
        plural(sentences.len(), "sentence", "sentences"),
        plural(claims, "claim", "claims"),
        plural(hedged, "hedged sentence", "hedged sentences"),
        plural(dead_letters, "dead letter", "dead letters"),
    )
}

/// Records with `processed_at` (the one field that differs run to run) blanked, as bytes.
fn without_processed_at(stdout: &[u8]) -> String {
    let text = String::from_utf8(stdout.to_vec()).expect("UTF-8 records");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    const KEY: &str = "\"processed_at\":\"";
    while let Some(at) = rest.find(KEY) {
        let value_start = at + KEY.len();
        let value_end = value_start + rest[value_start..].find('"').expect("closing quote");
        out.push_str(&rest[..value_start]);
        out.push('T');
        rest = &rest[value_end..];
    }
    out.push_str(rest);
    out
}

fn ok(output: &Output) -> &Output {
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    output
}

#[test]
fn piped_it_writes_the_records_exactly_as_format_jsonl_does_and_no_progress() {
    let default = tenor().arg("run").output().unwrap();
    let jsonl = tenor().args(["run", "--format", "jsonl"]).output().unwrap();
    for output in [&default, &jsonl] {
        ok(output);
        assert!(
            output.stderr.is_empty(),
            "nothing on a piped stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.stdout.contains(&0x1b), "no escape sequence in records");
    }
    assert!(default.stdout.starts_with(br#"{"schema":"tenor.sentence/1""#));
    assert_eq!(without_processed_at(&default.stdout), without_processed_at(&jsonl.stdout));
    let records = json_lines(&default.stdout);
    assert_eq!(records.iter().filter(|r| r["schema"] == "tenor.article/1").count(), example_articles().len());
}

#[test]
fn format_digest_shows_each_article_and_the_counts_of_the_records() {
    let records = json_lines(&ok(&tenor().arg("run").output().unwrap()).stdout);
    let output = tenor().args(["run", "--format", "digest"]).output().unwrap();
    ok(&output);
    assert!(output.stderr.is_empty(), "no progress when piped: {}", String::from_utf8_lossy(&output.stderr));
    let digest = String::from_utf8(output.stdout).unwrap();
    assert!(!digest.contains('\u{1b}'), "no colour when standard output is not a terminal");
    assert!(digest.lines().all(|l| l.chars().count() <= 100), "lines fit the default width");

    let headers: Vec<&str> = digest.lines().filter_map(|l| l.strip_prefix("▌ ")).collect();
    let titles: Vec<String> =
        example_articles().iter().map(|a| a["title"].as_str().expect("examples have titles").to_owned()).collect();
    assert_eq!(headers.len(), titles.len(), "one block per article");
    for (header, title) in headers.iter().zip(&titles) {
        match header.strip_suffix('…') {
            Some(clipped) => assert!(title.starts_with(clipped) && clipped.len() > 60, "{header} vs {title}"),
            None => assert_eq!(header, title),
        }
    }
    assert!(
        digest.contains(&summary_line(&records, 0)),
        "summary from the records: {}",
        summary_line(&records, 0)
    );

    // The claims shown are the records' claims; the rest are counted per article.
    let sentences: Vec<&Value> = records.iter().filter(|r| r["schema"] == "tenor.sentence/1").collect();
    let claims = sentences.iter().filter(|r| r["claim"]["is_claim"] == true).count();
    assert_eq!(digest.lines().filter(|l| l.starts_with("  • ")).count(), claims);
    let skipped: usize = digest
        .lines()
        .filter_map(|l| l.strip_prefix("  … "))
        .map(|l| l.split(' ').next().unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(skipped, sentences.len() - claims);
    // The top speaker and its claim count, from the records.
    let mut speakers = std::collections::HashMap::<String, usize>::new();
    for r in sentences.iter().filter(|r| r["claim"]["is_claim"] == true && !r["attribution"].is_null()) {
        let speaker = &r["attribution"]["speaker"];
        let name = speaker["resolved"].as_str().or(speaker["text"].as_str()).unwrap().to_owned();
        *speakers.entry(name).or_default() += 1;
    }
    let (top, most) = speakers.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))).unwrap();
    let first = digest.lines().skip_while(|l| !l.starts_with("Top speakers")).nth(1).unwrap();
    let words: Vec<&str> = first.split_whitespace().collect();
    assert_eq!((words[0], words[1]), (top.as_str(), most.to_string().as_str()), "{first}");
}

#[test]
fn the_digest_counts_dead_letters_which_still_go_to_the_dead_letter_output() {
    let dir = tempfile::tempdir().unwrap();
    let dlq = dir.path().join("dlq.jsonl");
    let input = b"{\"id\":\"a\",\"title\":\"Talks\",\"body\":\"Talks failed, officials said.\"}\nnot json\n";
    let output = run_with_stdin(
        tenor().args(["run", "-i", "-", "--format", "digest", "--color", "always", "--dead-letter"]).arg(&dlq),
        input,
    );
    assert_eq!(output.status.code(), Some(2), "a rejected message still makes the exit code 2");
    let digest = String::from_utf8(output.stdout).unwrap();
    assert!(digest.contains("\u{1b}[1mTalks\u{1b}[0m"), "--color always paints: {digest:?}");
    assert!(digest.contains("\u{1b}[31m1 dead letter\u{1b}[0m"), "{digest:?}");
    let letters = json_lines(&std::fs::read(&dlq).unwrap());
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["reason"], "invalid_json");
}

#[test]
fn replay_in_process_shows_the_digest_too() {
    let input = repo().join("examples/articles.jsonl");
    let output = tenor().args(["replay", "--format", "digest", "-i"]).arg(&input).output().unwrap();
    let digest = String::from_utf8(ok(&output).stdout.clone()).unwrap();
    assert_eq!(digest.lines().filter(|l| l.starts_with("▌ ")).count(), example_articles().len());
    assert!(digest.contains(&format!("Summary: {} articles", example_articles().len())), "{digest}");
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// Runs `tenor <args>` under a pseudo-terminal (util-linux `script`), so that standard output and standard
/// error are a terminal; `None` when `script` is not installed.
fn on_a_terminal(args: &str, env: &[(&str, &str)]) -> Option<String> {
    let script = ["/usr/bin/script", "/bin/script"].into_iter().find(|p| Path::new(p).exists())?;
    let command = format!("stty cols 100; {} {args}", env!("CARGO_BIN_EXE_tenor"));
    let mut cmd = Command::new(script);
    cmd.args(["-qec", &command, "/dev/null"])
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .env_remove("TENOR_LOG");
    for (key, value) in env {
        cmd.env(key, value);
    }
    let output = cmd.output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    Some(String::from_utf8(output.stdout).unwrap())
}

#[test]
fn on_a_terminal_the_default_is_the_digest_in_colour_and_no_color_turns_colour_off() {
    let Some(coloured) = on_a_terminal("run --no-progress", &[]) else {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    };
    assert!(coloured.contains("\u{1b}[1mSummary: \u{1b}[0m39 articles"), "{coloured:?}");
    assert!(!coloured.contains("{\"schema\""), "no records on a terminal");
    assert!(coloured.contains("\u{1b}[31mnegative "), "negative in red");
    let plain = on_a_terminal("run --no-progress", &[("NO_COLOR", "1")]).unwrap();
    assert!(plain.contains("Summary: 39 articles") && !plain.contains('\u{1b}'), "{plain:?}");
    let never = on_a_terminal("run --no-progress --color never", &[]).unwrap();
    assert!(!never.contains('\u{1b}'), "{never:?}");
}

#[test]
fn on_a_terminal_progress_is_drawn_on_standard_error_unless_no_progress() {
    let Some(with) = on_a_terminal("run --format jsonl -o /dev/null", &[]) else {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    };
    assert!(with.contains("%, ETA"), "a bar with an ETA: {with:?}");
    let without = on_a_terminal("run --format jsonl -o /dev/null --no-progress", &[]).unwrap();
    assert_eq!(without, "", "nothing at all without progress");
}

#[test]
fn hostile_article_text_cannot_reach_the_terminal() {
    let article = serde_json::json!({
        "id": "evil\u{1b}]0;owned\u{7}",
        "title": "Breaking\u{1b}[2J\u{1b}[H news \u{202e}gnp.exe",
        "source": "Wire\u{9b}31m",
        "body": "Officials said the deal \u{1b}[31mfailed\u{202e} on Monday, and \u{2066}nobody\u{2069} denied it.\r\n\
                 The talks, the minister said, had collapsed.\u{8}\u{8}\u{8}",
    });
    for color in ["never", "always"] {
        let output = run_with_stdin(
            tenor().args(["run", "-i", "-", "--format", "digest", "--color", color]),
            format!("{article}\n").as_bytes(),
        );
        let digest = String::from_utf8(ok(&output).stdout.clone()).unwrap();
        // Colour adds SGR sequences (ESC [ digits m) only; remove them, then no control or bidi character is left.
        let mut visible = String::new();
        let mut rest = digest.as_str();
        while let Some(at) = rest.find("\u{1b}[") {
            visible.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let end = after.find(|c: char| !(c.is_ascii_digit() || c == ';')).unwrap();
            assert_eq!(&after[end..end + 1], "m", "only SGR sequences: {digest:?}");
            rest = &after[end + 1..];
        }
        visible.push_str(rest);
        for c in visible.chars() {
            assert!(
                c == '\n'
                    || !(c.is_control()
                        || ('\u{202a}'..='\u{202e}').contains(&c)
                        || ('\u{2066}'..='\u{2069}').contains(&c)),
                "{c:?} reached the terminal: {visible:?}"
            );
        }
        assert!(visible.contains(r"Breaking\u{1b}[2J\u{1b}[H news \u{202e}gnp.exe"), "{visible}");
        assert!(visible.contains(r"Wire\u{9b}31m"), "{visible}");
        assert!(visible.contains(r"\u{1b}[31mfailed\u{202e}"), "the claim's text, escaped: {visible}");
    }
}
