//! `tenor eval-split`: sentence boundary precision, recall and F1 on GUM and UD EWT.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use serde::Serialize;
use tenor_eval::conllu::{self, Document};
use tenor_eval::split_eval::{
    boundaries, golden_rules_passed, gum_split_documents, parse_golden_rules, score_text, sentencex_sentence_ends,
    tenor_sentence_ends, BoundaryCounts, BoundaryScore, DumpedDocument,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitterChoice {
    /// Tenor's splitter.
    Tenor,
    /// The `sentencex` crate alone (English rules), for comparison.
    Sentencex,
}

#[derive(Debug, Args)]
pub struct EvalSplitArgs {
    /// Directory of GUM's CoNLL-U files.
    #[arg(long, default_value = "models/data/gum/dep")]
    pub gum_dir: PathBuf,
    /// GUM's list of train/dev/test documents.
    #[arg(long, default_value = "models/data/gum/splits.md")]
    pub gum_splits: PathBuf,
    /// Which GUM split to score (develop rules on `train`; report `dev`).
    #[arg(long, default_value = "dev")]
    pub gum_split: String,
    /// GUM genres to score (the document name's second part).
    #[arg(long, value_delimiter = ',', default_value = "news,interview,speech")]
    pub gum_genres: Vec<String>,
    /// UD English Web Treebank file, split into documents by `# newdoc id`.
    #[arg(long, default_value = "models/data/ud_ewt/en_ewt-ud-dev.conllu")]
    pub ewt: PathBuf,
    /// pySBD's English golden rules (JSON lines with `text` and expected `sentences`).
    #[arg(long, default_value = "models/data/sbd/english_golden_rules.jsonl")]
    pub golden_rules: PathBuf,
    /// Which splitter to score.
    #[arg(long, value_enum, default_value_t = SplitterChoice::Tenor)]
    pub splitter: SplitterChoice,
    /// Print the results as one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Print up to this many missed and spurious boundaries per corpus, with context, to standard error.
    #[arg(long, default_value_t = 0)]
    pub show_errors: usize,
    /// Print every scored document (text, gold ends, this splitter's ends; byte offsets) as JSON lines instead
    /// of scores: the input of `lab/split_compare/compare.py`.
    #[arg(long, conflicts_with_all = ["json", "show_errors"])]
    pub dump_documents: bool,
}

#[derive(Debug, Serialize)]
struct CorpusResult {
    corpus: String,
    documents: usize,
    gold: usize,
    predicted: usize,
    correct: usize,
    precision: f64,
    recall: f64,
    f1: f64,
    /// F1 over boundaries not at a paragraph break.
    f1_within_paragraphs: f64,
    /// The counts, precision and recall behind `f1_within_paragraphs`.
    within_paragraphs: BoundaryCounts,
    precision_within_paragraphs: f64,
    recall_within_paragraphs: f64,
}

impl CorpusResult {
    fn new(corpus: &str, documents: usize, score: &BoundaryScore) -> CorpusResult {
        let BoundaryCounts { predicted, gold, correct } = score.all;
        CorpusResult {
            corpus: corpus.to_owned(),
            documents,
            gold,
            predicted,
            correct,
            precision: score.all.precision(),
            recall: score.all.recall(),
            f1: score.all.f1(),
            f1_within_paragraphs: score.within_paragraphs.f1(),
            within_paragraphs: score.within_paragraphs,
            precision_within_paragraphs: score.within_paragraphs.precision(),
            recall_within_paragraphs: score.within_paragraphs.recall(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Report {
    splitter: SplitterChoice,
    gum_split: String,
    corpora: Vec<CorpusResult>,
    golden_rules_passed: usize,
    golden_rules_total: usize,
}

pub fn run(args: EvalSplitArgs) -> anyhow::Result<ExitCode> {
    let splits = read(&args.gum_splits)?;
    let names: Vec<String> = gum_split_documents(&splits, &args.gum_split)
        .into_iter()
        .filter(|name| args.gum_genres.iter().any(|g| name.split('_').nth(1) == Some(g.as_str())))
        .collect();
    if names.is_empty() {
        bail!("no GUM documents of genres {:?} in split {:?}", args.gum_genres, args.gum_split);
    }
    let mut gum = Vec::new();
    for name in &names {
        gum.extend(conllu::parse(&read(&args.gum_dir.join(format!("{name}.conllu")))?));
    }
    let ewt = conllu::parse(&read(&args.ewt)?);

    let splitter = tenor_text::Splitter::new();
    let sentence_ends = |text: &str| match args.splitter {
        SplitterChoice::Tenor => tenor_sentence_ends(&splitter, text),
        SplitterChoice::Sentencex => sentencex_sentence_ends(text),
    };
    let gum_name = format!("GUM {} ({})", args.gum_split, args.gum_genres.join("+"));
    let ewt_name = format!("UD EWT ({})", args.ewt.file_name().and_then(|n| n.to_str()).unwrap_or("?"));
    if args.dump_documents {
        for (name, docs) in [(&gum_name, &gum), (&ewt_name, &ewt)] {
            for doc in docs.iter() {
                println!("{}", serde_json::to_string(&DumpedDocument::new(name, doc, sentence_ends(&doc.text)))?);
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut corpora = Vec::new();
    for (name, docs) in [(gum_name, &gum), (ewt_name, &ewt)] {
        let mut total = BoundaryScore::default();
        let mut errors_left = args.show_errors;
        for doc in docs {
            let predicted = sentence_ends(&doc.text);
            total.add(score_text(&doc.text, &doc.sentence_ends(), &predicted));
            if errors_left > 0 {
                errors_left = show_errors(doc, &predicted, errors_left);
            }
        }
        corpora.push(CorpusResult::new(&name, docs.len(), &total));
    }

    let rules = parse_golden_rules(&read(&args.golden_rules)?)
        .with_context(|| format!("cannot parse {}", args.golden_rules.display()))?;
    let passed = golden_rules_passed(&rules, sentence_ends).len();
    let report = Report {
        splitter: args.splitter,
        gum_split: args.gum_split.clone(),
        corpora,
        golden_rules_passed: passed,
        golden_rules_total: rules.len(),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("splitter: {:?}", args.splitter);
        println!("all boundaries (paragraph breaks included), and inside paragraphs only (in-par):");
        println!(
            "{:<44} {:>5} {:>6} {:>6} {:>7} {:>7} {:>7} | {:>6} {:>6} {:>7} {:>7} {:>7}",
            "corpus", "docs", "gold", "pred", "P", "R", "F1", "gold", "pred", "P", "R", "F1"
        );
        for c in &report.corpora {
            println!(
                "{:<44} {:>5} {:>6} {:>6} {:>7.2} {:>7.2} {:>7.2} | {:>6} {:>6} {:>7.2} {:>7.2} {:>7.2}",
                c.corpus,
                c.documents,
                c.gold,
                c.predicted,
                100.0 * c.precision,
                100.0 * c.recall,
                100.0 * c.f1,
                c.within_paragraphs.gold,
                c.within_paragraphs.predicted,
                100.0 * c.precision_within_paragraphs,
                100.0 * c.recall_within_paragraphs,
                100.0 * c.f1_within_paragraphs
            );
        }
    }
    if !args.json {
        println!("pySBD golden rules passed: {} / {}", report.golden_rules_passed, report.golden_rules_total);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints missed (`-`) and spurious (`+`) boundaries of one document; returns how many may still be printed.
fn show_errors(doc: &Document, predicted_ends: &[usize], mut left: usize) -> usize {
    let gold = boundaries(&doc.text, doc.sentence_ends());
    let predicted = boundaries(&doc.text, predicted_ends.iter().copied());
    for (mark, b) in
        gold.difference(&predicted).map(|b| ('-', *b)).chain(predicted.difference(&gold).map(|b| ('+', *b)))
    {
        if left == 0 {
            break;
        }
        left -= 1;
        let from = floor_char_boundary(&doc.text, b.saturating_sub(70));
        let to = floor_char_boundary(&doc.text, (b + 50).min(doc.text.len()));
        let context = format!("{}‖{}", &doc.text[from..b], &doc.text[b..to]).replace('\n', "⏎");
        eprintln!("{mark} {}: {context}", doc.id.as_deref().unwrap_or("?"));
    }
    left
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}
