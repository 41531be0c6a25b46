#!/usr/bin/env python3
"""What "no" means in NewsMTSC train, and what stance models learned for it (docs/MODELS.md, "Negation
idioms"). Reads only models/data/newsmtsc/train.jsonl, never the dev file.

    python3 scripts/newsmtsc_no.py [MODEL.json ...]

1. Every "no" in the train sentences whose targets all agree (the sentence model's rows), split into the
   fixed expressions of `NEGATION_IDIOMS` (crates/tenor-features/src/lib.rs) that start with "no" and the
   rest ("real": a determiner negation such as "no evidence"), with the sentence label of each. Tokens are
   approximated by a regex (lower case, letters, digits and apostrophes), not Tenor's tokenizer.
2. For each model file given: the weights (negative / neutral / positive) of the word "no", of the negation
   cue "no" (`negation_idioms` only) and of the lexicon sums, found by hashing their names as tenor-features
   does (64-bit FNV-1a with a namespace byte, high bits folded into the low ones).
"""
import collections
import json
import re
import sys

# The "no ..." expressions of NEGATION_IDIOMS, longest first as there.
IDIOMS = ["no less than", "no more than", "no doubt", "no matter", "no wonder", "no secret", "no stranger",
          "no sooner", "no less", "no longer", "no one", "no more"]


def label(polarity):
    return "negative" if polarity < 4 else "neutral" if polarity == 4 else "positive"


def counts():
    table = collections.Counter()
    for line in open("models/data/newsmtsc/train.jsonl", encoding="utf-8"):
        row = json.loads(line)
        polarities = {t["polarity"] for t in row["targets"]}
        if len(polarities) != 1:
            continue
        gold = label(polarities.pop())
        words = " ".join(re.findall(r"[a-z0-9']+", row["sentence_normalized"].lower().replace("\u2019", "'")))
        for m in re.finditer(r"\bno\b(?: \S+)?(?: \S+)?", words):
            kind = next((i for i in IDIOMS if (m.group(0) + " ").startswith(i + " ")), "real (determiner)")
            table[(kind, gold)] += 1
    print("\"no\" in the agreeing NewsMTSC train sentences: negative / neutral / positive")
    for kind in sorted({k for k, _ in table}, key=lambda k: -sum(table[(k, g)] for g in ("negative", "neutral", "positive"))):
        print(f"  {kind:20s} {table[(kind, 'negative')]:4d} {table[(kind, 'neutral')]:4d} {table[(kind, 'positive')]:4d}")


def bucket(namespace, data, bits=14):
    h = 0xCBF29CE484222325
    for byte in bytes([namespace]) + data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    h ^= h >> 32
    return h & ((1 << bits) - 1)


def weights(path):
    model = json.load(open(path, encoding="utf-8"))
    table = {b: w for b, w in model["weights"]}
    print(f"{path} (version {model['version']}): weights negative / neutral / positive")
    for name, namespace, data in [
        ("word \"no\"", 1, b"no"),
        ("negation cue \"no\"", 13, b"no\x1f"),
        ("all:vader_neg", 5, b"all:vader_neg"),
        ("near:vader_neg", 5, b"near:vader_neg"),
        ("all:negator", 5, b"all:negator"),
        ("near:negator", 5, b"near:negator"),
    ]:
        w = table.get(bucket(namespace, data), [0.0, 0.0, 0.0])
        print(f"  {name:20s} " + " ".join(f"{x:+.2f}" for x in w))


if __name__ == "__main__":
    counts()
    for model_path in sys.argv[1:]:
        weights(model_path)
