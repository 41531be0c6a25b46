#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora under fuzz/corpus/<target>/ (not committed; scripts/fuzz.sh runs this),
or under DIR/<target>/ with `fuzz_seeds.py DIR` (the seed replay test, crates/tenor-fuzz-targets, does this).

Seeds come from the example stream (examples/articles.jsonl), the splitter's golden rules
(models/data/sbd), NewsMTSC *train* sentences (never the dev split), string literals of the test code (unit
tests, crates' tests/ folders, tests/integration) and the configuration example in docs/KAFKA.md. Existing
files are kept, so corpora grown by earlier runs survive; seed file names are content hashes.
"""
import base64
import gzip
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "fuzz" / "corpus"
MAX_SEED_BYTES = 16 * 1024  # larger seeds slow every execution; long inputs are the fuzzer's job to build


def write(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if not data or len(data) > MAX_SEED_BYTES:
        return
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def archive_bytes(data):
    """Key, header or payload bytes as the archive stores them: UTF-8 text, else base64."""
    try:
        return data.decode("utf-8"), "utf8"
    except UnicodeDecodeError:
        return base64.b64encode(data).decode(), "base64"


def rust_string_literals(text):
    """Normal and raw string literals of Rust source, unescaped well enough for seeds."""
    for m in re.finditer(r'r(#+)"(.*?)"\1', text, re.S):
        yield m.group(2)
    for m in re.finditer(r'(?<![r#\w])"((?:[^"\\\n]|\\.)*)"', text):
        raw = m.group(1)
        raw = re.sub(r"\\u\{([0-9a-fA-F]+)\}", lambda u: chr(int(u.group(1), 16)), raw)
        raw = (raw.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t").replace("\\0", "\0")
               .replace('\\"', '"').replace("\\\\", "\\"))
        yield raw


def main():
    articles = [json.loads(line) for line in (ROOT / "examples/articles.jsonl").read_text().splitlines() if line.strip()]
    for line in (ROOT / "examples/articles.jsonl").read_text().splitlines():
        write("article_decode", line)
        write("pipeline", line)
    texts = []
    for article in articles:
        body = article["body"]
        texts.append(body)
        texts.extend(p for p in body.split("\n\n") if p.strip())
        # A shorter message per article too, so that the pipeline target starts from small inputs.
        short = dict(article, body=body[:2000])
        write("pipeline", json.dumps(short, ensure_ascii=False))
        write("article_decode", json.dumps(short))
    for line in (ROOT / "models/data/sbd/english_golden_rules.jsonl").read_text().splitlines():
        case = json.loads(line)
        texts.append(case["text"])
        texts.extend(case["sentences"])
    literals = []
    sources = list(ROOT.glob("crates/*/src/**/*.rs")) + list(ROOT.glob("crates/*/tests/*.rs"))
    sources += list(ROOT.glob("tests/integration/*.rs"))
    for path in sources:
        source = path.read_text()
        if path.parts[-3] == "src" or "/src/" in str(path):
            # Only the unit-test part of library files: its strings are the interesting inputs.
            at = source.find("#[cfg(test)]")
            if at < 0:
                continue
            source = source[at:]
        literals.extend(s for s in rust_string_literals(source) if len(s) >= 4)
    for literal in literals:
        stripped = literal.lstrip()
        if stripped.startswith("{"):
            if '"body"' in literal:
                write("article_decode", literal)
                write("pipeline", literal)
            if '"text"' in literal:
                write("classify_line", literal)
        else:
            texts.append(literal)
    for text in texts:
        write("split", text)
        write("attribution", text)
    # Score and classify: NewsMTSC train sentences with their target offsets.
    lines = (ROOT / "models/data/newsmtsc/train.jsonl").read_text().splitlines()[:300]
    for n, line in enumerate(lines):
        case = json.loads(line)
        sentence = case["sentence_normalized"]
        targets = [{"mention": t["mention"], "from": t["from"], "to": t["to"]} for t in case["targets"]]
        t = targets[0]
        if t["from"] < 256 and t["to"] < 256:
            write("score", bytes([t["from"], t["to"]]) + sentence.encode())
        write("classify_line", json.dumps({"id": f"s{n}", "text": sentence, "targets": targets}, ensure_ascii=n % 2 == 0))
    for text in texts[:400]:
        write("score", b"\x00\x05" + text.encode("utf-8", "surrogatepass"))
    # Config: the documented example (every key), each section alone, and overrides after a NUL byte.
    kafka_doc = (ROOT / "docs/KAFKA.md").read_text()
    for block in re.findall(r"```toml\n(.*?)```", kafka_doc, re.S):
        write("config", block)
        for section in re.split(r"\n(?=\[)", block):
            write("config", section)
    write("config", '[kafka]\nbootstrap_servers = "b:9092"\n\0kafka.group_id=g\nreview.threshold=0.7\n')
    write("config", '[kafka.librdkafka]\n"sasl.password" = "x"\n\0kafka.librdkafka.sasl.mechanisms=PLAIN\n')
    write("config", "\0window.seconds=60\npipeline.max_sentences=5\nmetrics.addr=0.0.0.0:1\n")
    # Archive reader: the example stream archived as `tenor archive` writes it (plain and gzip files), with
    # binary keys and headers in base64, null values (tombstones), and a few lines that are not archive lines.
    archive_lines = []
    for n, line in enumerate((ROOT / "examples/articles.jsonl").read_text().splitlines()[:40]):
        key = json.loads(line)["id"].encode() if n % 3 else bytes([0xFF, n % 256, 0x00])
        key_text, key_enc = archive_bytes(key)
        headers = [{"name": "trace", "value": f"t{n}", "value_encoding": "utf8"},
                   {"name": "bin", "value": base64.b64encode(bytes([0xC3, 0x28])).decode(), "value_encoding": "base64"}]
        if n % 5 == 0:
            headers.append({"name": "null", "value": None, "value_encoding": "utf8"})
        payload = None if n % 11 == 10 else line
        archive_lines.append(json.dumps({
            "schema": "tenor.archive/1", "topic": "articles", "partition": n % 4, "offset": n,
            "timestamp_ms": 1_700_000_000_000 + n if n % 2 else None,
            "timestamp_type": "create_time" if n % 2 else None,
            "key": key_text, "key_encoding": key_enc, "headers": headers,
            "payload": payload, "payload_encoding": "utf8"}, separators=(",", ":"), ensure_ascii=n % 2 == 0))
    for line in archive_lines:
        write("archive_read", line + "\n")
    for start in range(0, len(archive_lines), 8):
        chunk = "\n".join(archive_lines[start:start + 8]) + "\n"
        write("archive_read", chunk)
        write("archive_read", gzip.compress(chunk.encode(), mtime=0))
    write("archive_read", archive_lines[0] + "\r\n" + "not json\n" + '{"id":"a","body":"plain"}\n')
    counts = {d.name: len(list(d.iterdir())) for d in sorted(CORPUS.iterdir())}
    print("seed corpora:", ", ".join(f"{k} {v}" for k, v in counts.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
