//! `cargo run --release -p tenor-features --example gum_word_classes`: writes
//! `models/data/lexicons/gum_word_classes.tsv`, the word-class lexicon of `FeatureConfig::word_classes`.
//!
//! For every word (lower-cased, digits as `0`, as the featurizer normalises it) of the GUM documents listed
//! under `## train` in `models/data/gum/splits.md` (only train documents: dev and test stay unseen), its
//! most frequent Penn Treebank tag (XPOS column of `models/data/gum/dep/*.conllu`; ties go to the tag that
//! sorts first). Lines: `word<TAB>tag<TAB>count`, sorted by word. GUM annotations are CC BY 4.0.
use std::collections::BTreeMap;

fn main() {
    let splits = std::fs::read_to_string("models/data/gum/splits.md").expect("models/data/gum/splits.md");
    let mut train = Vec::new();
    let mut in_train = false;
    for line in splits.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            in_train = heading.trim() == "train";
        } else if in_train {
            if let Some(doc) = line.trim().strip_prefix("* ") {
                train.push(doc.trim().to_owned());
            }
        }
    }
    let mut counts: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut documents = 0;
    for doc in &train {
        let Ok(text) = std::fs::read_to_string(format!("models/data/gum/dep/{doc}.conllu")) else { continue };
        documents += 1;
        for line in text.lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            // Word lines only: skip comments, multi-word token ranges ("3-4") and empty nodes ("3.1").
            if fields.len() != 10 || !fields[0].bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let word: String = fields[1]
                .chars()
                .flat_map(char::to_lowercase)
                .map(|c| if c.is_numeric() { '0' } else { c })
                .map(|c| if c == '’' { '\'' } else { c })
                .collect();
            // Only words the featurizer can see as one token (letters, digits, inner apostrophes).
            if !word.chars().all(|c| c.is_alphanumeric() || c == '\'') || !word.chars().any(char::is_alphanumeric)
            {
                continue;
            }
            *counts.entry(word).or_default().entry(fields[4].to_owned()).or_default() += 1;
        }
    }
    let mut out = String::new();
    for (word, tags) in &counts {
        let (tag, n) = tags.iter().fold(("", 0), |best, (t, &n)| if n > best.1 { (t.as_str(), n) } else { best });
        out.push_str(&format!("{word}\t{tag}\t{n}\n"));
    }
    let path = "models/data/lexicons/gum_word_classes.tsv";
    std::fs::write(path, out).expect("write the lexicon");
    eprintln!("{path}: {} words from {documents} of {} GUM train documents", counts.len(), train.len());
}
