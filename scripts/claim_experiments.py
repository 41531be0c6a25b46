#!/usr/bin/env python3
"""Quick feature experiments for the claim model (docs/MODELS.md, "Claims"): 5-fold stratified CV of
ClaimBuster train (models/data/claimbuster/train.json) with scikit-learn's logistic regression (liblinear).
Exploration only: the figures Tenor reports come from `tenor train claim`. Needs `pip install scikit-learn`.

Text mode (scikit-learn's own unhashed TF-IDF; word 1-2 + char_wb 2-5 grams is the plain baseline):

    python3 scripts/claim_experiments.py text base|pos|nb|pos_nb|subj  [--C 10,30,100]

  pos:   + n-grams (1-3) of each word's class from models/data/lexicons/gum_word_classes.tsv (GUM train),
         guessed from the word's shape when unknown (what FeatureConfig::word_classes does)
  nb:    features scaled by the training fold's NB log-count ratio (NBSVM, Wang & Manning 2012)
  subj:  pos + the score of a NewsSD-ENG subjectivity classifier (trained on newssd_eng/train.csv only)

Tenor mode (Tenor's own hashed features, its column selection and IDF, as `tenor train` does):

    cargo run --release -p tenor-features --example claim_features -- CONFIG_JSON > /tmp/x.svm
    python3 scripts/claim_experiments.py tenor /tmp/x.svm --columns 5000 --C 0.2 --splits tenor,1,2,3

(`--splits tenor` uses `tenor train`'s own folds; numbers are seeds of stratified shuffles. `--best-threshold`
also prints the best F1 over decision thresholds -2.0 .. 0.9: an upper bound on what a tuned threshold gives.)

(scikit-learn's C is about 1 / linfa's alpha: both put the L2 penalty beside the summed log loss.)

`--learner` swaps the linear model (tenor mode; docs/MODELS.md table E): `lr` (default, liblinear logistic
regression), `lr-balanced` (the same with class weights inversely proportional to class frequency),
`linear-svm` (liblinear's squared-hinge SVM), `complement-nb` (Complement naive Bayes, alpha 0.5; C unused).
"""
import argparse
import collections
import csv
import json
import re

import numpy as np
import scipy.sparse as sp
from sklearn.datasets import load_svmlight_file
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC
from sklearn.model_selection import StratifiedKFold

DATA = "models/data/claimbuster/train.json"
WORD_CLASSES = "models/data/lexicons/gum_word_classes.tsv"
TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def word_class(word, lexicon):
    norm = re.sub(r"\d", "0", word.lower())
    if norm in lexicon:
        return lexicon[norm]
    if norm.endswith("'s") and norm[:-2] in lexicon:
        return lexicon[norm[:-2]]
    if norm[0] == "0":
        return "CD"
    if word[0].isupper():
        return "NNP"
    for suffix, tag in (("ing", "VBG"), ("ed", "VBD"), ("ly", "RB"), ("s", "NNS")):
        if norm.endswith(suffix):
            return tag
    return "NN"


def tenor_folds():
    """`tenor train`'s folds: FNV-1a (namespace byte 0) of the sentence id, mod 5."""
    folds = []
    for row in json.load(open(DATA)):
        h = 0xCBF29CE484222325
        for b in b"\x00" + str(row["sentence_id"]).encode():
            h = ((h ^ b) * 0x100000001B3) % 2**64
        folds.append(h % 5)
    folds = np.array(folds)
    return [(np.where(folds != k)[0], np.where(folds == k)[0]) for k in range(5)]


def splits(y, which):
    """Fold splits: `tenor` (tenor train's own) or a seed of a stratified shuffle."""
    for name in which:
        if name == "tenor":
            yield name, tenor_folds()
        else:
            yield f"seed {name}", list(StratifiedKFold(5, shuffle=True, random_state=int(name)).split(np.zeros(len(y)), y))


def learner(name, c):
    """A fresh linear model of the kind `--learner` names, with inverse L2 strength `c`."""
    if name == "lr":
        return LogisticRegression(C=c, max_iter=3000, solver="liblinear")
    if name == "lr-balanced":
        return LogisticRegression(C=c, max_iter=3000, solver="liblinear", class_weight="balanced")
    if name == "linear-svm":
        return LinearSVC(C=c)
    if name == "complement-nb":
        return ComplementNB(alpha=0.5)
    raise ValueError(f"unknown learner {name}")


def decision_values(model, x):
    """Decision values with 0 as the default threshold (log-odds for models that only give probabilities)."""
    if hasattr(model, "decision_function"):
        return model.decision_function(x)
    p = model.predict_proba(x)[:, 1]
    return np.log(p + 1e-9) - np.log(1 - p + 1e-9)


def cross_validate(label, y, build, cs, nb=False, which=("0",), best_threshold=False, kind="lr"):
    for c in cs:
        results = []
        for split, folds in splits(y, which):
            scores = out_of_fold_scores(y, build, c, nb, folds, kind)
            results.append(f1_score(y, scores > 0))
            line = f"{label}\tC={c}\t{split}\tclaim F1 {results[-1]:.4f}"
            if best_threshold:
                # An upper bound, not a fair figure: the threshold is chosen on the very scores it is judged on.
                best, at = max((f1_score(y, scores > t), t) for t in np.arange(-2.0, 1.0, 0.1))
                line += f"\tbest threshold {at:+.1f}: {best:.4f}"
            print(line, flush=True)
        if len(results) > 1:
            print(f"{label}\tC={c}\tmean of {len(results)} splits\tclaim F1 {np.mean(results):.4f}", flush=True)


def out_of_fold_scores(y, build, c, nb, folds, kind="lr"):
    """Every sentence's decision value from the model of the folds it was held out of."""
    scores = np.zeros(len(y))
    for train, test in folds:
        a, b = build(train, test)
        if nb:
            p = 1 + a[y[train] == 1].sum(0)
            q = 1 + a[y[train] == 0].sum(0)
            r = sp.diags(np.asarray(np.log((p / p.sum()) / (q / q.sum()))).ravel())
            a, b = a @ r, b @ r
        model = learner(kind, c).fit(a, y[train])
        scores[test] = decision_values(model, b)
    return scores


def text_mode(args):
    rows = json.load(open(DATA))
    texts = [r["text"] for r in rows]
    y = np.array([r["label"] for r in rows])
    lexicon = {}
    for line in open(WORD_CLASSES):
        word, tag, _ = line.rstrip("\n").split("\t")
        lexicon[word] = tag
    classes = [" ".join(word_class(w, lexicon).replace("$", "S") for w in TOKEN.findall(t)) for t in texts]
    word = (texts, dict(ngram_range=(1, 2), min_df=2))
    char = (texts, dict(analyzer="char_wb", ngram_range=(2, 5), min_df=2))
    tags = (classes, dict(ngram_range=(1, 3), min_df=2, lowercase=False, token_pattern=r"\S+"))
    families = [word, char] + ([tags] if args.experiment in ("pos", "pos_nb", "subj") else [])
    extra = None
    if args.experiment == "subj":
        with open("models/data/newssd_eng/train.csv", newline="") as f:
            subj_rows = list(csv.DictReader(f))
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        subj = LogisticRegression(C=3, max_iter=2000).fit(
            vec.fit_transform([r["Sentence"] for r in subj_rows]), [r["Label"] == "SUBJ" for r in subj_rows]
        )
        extra = subj.decision_function(vec.transform(texts))[:, None]

    def build(train, test):
        a, b = [], []
        for source, options in families:
            v = TfidfVectorizer(**options)
            a.append(v.fit_transform([source[i] for i in train]))
            b.append(v.transform([source[i] for i in test]))
        if extra is not None:
            a.append(sp.csr_matrix(extra[train]))
            b.append(sp.csr_matrix(extra[test]))
        return sp.hstack(a).tocsr(), sp.hstack(b).tocsr()

    cross_validate(args.experiment, y, build, args.C, nb=args.experiment.endswith("nb"))


def tenor_mode(args):
    x, y = load_svmlight_file(args.experiment, n_features=(1 << 20) + 1)
    x, y, n = x.tocsc(), y.astype(int), x.shape[0]
    # Tenor's column selection: buckets in >= 2 examples, the most frequent `columns` of them; IDF weights.
    df = np.diff(x.indptr)
    keep = np.where(df >= 2)[0]
    keep = np.sort(keep[np.argsort(-df[keep], kind="stable")][: args.columns])
    idf = np.log((1 + n) / (1 + df[keep])) + 1
    x = (x[:, keep] @ sp.diags(idf)).tocsr()
    build = lambda tr, te: (x[tr], x[te])  # noqa: E731
    label = f"{args.experiment} columns={args.columns} {args.learner}"
    cross_validate(
        label, y, build, args.C, which=args.splits, best_threshold=args.best_threshold, kind=args.learner
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["text", "tenor"])
    parser.add_argument("experiment")
    parser.add_argument("--C", type=lambda s: [float(c) for c in s.split(",")], default=[10, 30, 100])
    parser.add_argument("--columns", type=int, default=5000)
    parser.add_argument("--best-threshold", action="store_true", help="tenor mode: also the best F1 over thresholds")
    parser.add_argument("--learner", choices=["lr", "lr-balanced", "linear-svm", "complement-nb"], default="lr")
    parser.add_argument("--splits", type=lambda s: s.split(","), default=["0"], help="tenor mode: e.g. tenor,1,2,3")
    args = parser.parse_args()
    text_mode(args) if args.mode == "text" else tenor_mode(args)


if __name__ == "__main__":
    main()
