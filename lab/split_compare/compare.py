#!/usr/bin/env python3
"""Scores punkt, pySBD and spaCy's sentencizer the way `tenor eval-split` scores Tenor.

Input: the JSON lines of `tenor eval-split --dump-documents` (one scored document a line: the corpus name, the
text rebuilt from CoNLL-U, the gold sentence ends and Tenor's, as UTF-8 byte offsets into the text), on standard
input or as the first argument. Output: one table row per splitter and corpus, all boundaries and inside
paragraphs only, as docs/SPLITTING.md defines them.

The metric is re-implemented here (it is a few lines); the Tenor row is computed from the dumped Tenor ends
with this code, and the script fails if it differs from the counts `tenor eval-split --json` gives (pass that
JSON with --check), so both implementations are known to agree.

punkt: nltk's PunktSentenceTokenizer, *trained here* on the unlabelled text of the GUM train documents of the
same genres (the dump of `tenor eval-split --gum-split train --dump-documents`, passed with --punkt-train):
nltk's pretrained English punkt data cannot be downloaded on this machine and no PyPI package ships it.
pySBD: `pysbd.Segmenter(language="en", clean=False, char_span=True)`.
spaCy: `spacy.blank("en")` with the rule-based `sentencizer` pipe (no statistical model).
"""

import argparse
import json
import sys


def boundaries(text_bytes, ends):
    """Byte offsets just after the last non-whitespace byte before each end, without 0 and the document end."""
    doc_end = len(text_bytes.rstrip())
    out = set()
    for e in ends:
        b = len(text_bytes[: min(e, len(text_bytes))].rstrip())
        if 0 < b < doc_end:
            out.add(b)
    return out


def at_paragraph_break(text_bytes, b):
    rest = text_bytes[b:]
    gap = rest[: len(rest) - len(rest.lstrip())]
    return gap.count(b"\n") >= 2


def score(docs, ends_of):
    """Counts (gold, predicted, correct) for all boundaries and for those inside paragraphs."""
    all_c = [0, 0, 0]
    par_c = [0, 0, 0]
    for doc in docs:
        tb = doc["text"].encode("utf-8")
        gold = boundaries(tb, doc["gold_ends"])
        pred = boundaries(tb, ends_of(doc))
        for b in gold:
            all_c[0] += 1
            if not at_paragraph_break(tb, b):
                par_c[0] += 1
        for b in pred:
            inside = not at_paragraph_break(tb, b)
            hit = b in gold
            all_c[1] += 1
            all_c[2] += hit
            if inside:
                par_c[1] += 1
                par_c[2] += hit
    return all_c, par_c


def prf(c):
    gold, pred, correct = c
    p = correct / pred if pred else 1.0
    r = correct / gold if gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return 100 * p, 100 * r, 100 * f


def char_to_byte_ends(text, char_ends):
    # One forward pass: code point offsets (increasing or not) to UTF-8 byte offsets.
    table = [0]
    for ch in text:
        table.append(table[-1] + len(ch.encode("utf-8")))
    return [table[min(e, len(text))] for e in char_ends]


def punkt_splitter(train_docs):
    from nltk.tokenize.punkt import PunktSentenceTokenizer, PunktTrainer

    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = True
    trainer.train("\n\n".join(d["text"] for d in train_docs), finalize=True)
    tok = PunktSentenceTokenizer(trainer.get_params())

    def ends(doc):
        return char_to_byte_ends(doc["text"], [e for _, e in tok.span_tokenize(doc["text"])])

    return ends


def pysbd_splitter():
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)

    def ends(doc):
        return char_to_byte_ends(doc["text"], [s.end for s in seg.segment(doc["text"])])

    return ends


def spacy_splitter():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 10_000_000

    def ends(doc):
        return char_to_byte_ends(doc["text"], [s.end_char for s in nlp(doc["text"]).sents])

    return ends


def read_jsonl(path):
    stream = open(path, encoding="utf-8") if path != "-" else sys.stdin
    docs = [json.loads(line) for line in stream if line.strip()]
    for i, d in enumerate(docs, 1):
        for key in ("corpus", "text", "gold_ends", "tenor_ends"):
            if key not in d:
                sys.exit(f"{path}: line {i}: no field {key!r} (expected `tenor eval-split --dump-documents` output)")
    return docs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dump", nargs="?", default="-", help="tenor eval-split --dump-documents output (default stdin)")
    ap.add_argument("--punkt-train", required=True, help="dump of the GUM train split, punkt's training text")
    ap.add_argument("--check", help="tenor eval-split --json output: the Tenor counts must match it")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = ap.parse_args()

    docs = read_jsonl(args.dump)
    train = [d for d in read_jsonl(args.punkt_train) if d["corpus"].startswith("GUM train")]
    if not train:
        sys.exit(f"{args.punkt_train}: no GUM train documents (use `tenor eval-split --gum-split train --dump-documents`)")
    corpora = list(dict.fromkeys(d["corpus"] for d in docs))
    splitters = [
        ("tenor", lambda d: d["tenor_ends"]),
        ("punkt (nltk, trained on GUM train)", punkt_splitter(train)),
        ("pysbd", pysbd_splitter()),
        ("spacy sentencizer", spacy_splitter()),
    ]
    rows = []
    for name, ends_of in splitters:
        for corpus in corpora:
            cdocs = [d for d in docs if d["corpus"] == corpus]
            all_c, par_c = score(cdocs, ends_of)
            rows.append({"splitter": name, "corpus": corpus, "documents": len(cdocs), "all": all_c, "in_par": par_c})

    if args.check:
        report = json.load(open(args.check, encoding="utf-8"))
        for c in report["corpora"]:
            row = next(r for r in rows if r["splitter"] == "tenor" and r["corpus"] == c["corpus"])
            want_all = [c["gold"], c["predicted"], c["correct"]]
            wp = c["within_paragraphs"]
            want_par = [wp["gold"], wp["predicted"], wp["correct"]]
            if row["all"] != want_all or row["in_par"] != want_par:
                sys.exit(f"metric mismatch on {c['corpus']}: script {row['all']} {row['in_par']}, tenor {want_all} {want_par}")

    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"{'splitter':<36} {'corpus':<34} {'gold':>5} {'pred':>5} {'P':>6} {'R':>6} {'F1':>6} | "
          f"{'gold':>5} {'pred':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for r in rows:
        a, p = prf(r["all"]), prf(r["in_par"])
        print(f"{r['splitter']:<36} {r['corpus']:<34} {r['all'][0]:>5} {r['all'][1]:>5} "
              f"{a[0]:>6.2f} {a[1]:>6.2f} {a[2]:>6.2f} | {r['in_par'][0]:>5} {r['in_par'][1]:>5} "
              f"{p[0]:>6.2f} {p[1]:>6.2f} {p[2]:>6.2f}")


if __name__ == "__main__":
    main()
