//! Sentence boundary evaluation: precision, recall and F1 of a splitter's sentence ends against gold ends.
//!
//! **Definition.** A *boundary* is a place between two non-whitespace characters where one sentence ends and
//! the next begins. It is identified by the byte offset just after the last non-whitespace character of the
//! sentence that ends there, so a predicted end that includes trailing white space and a gold end that does
//! not name the same boundary. The end of the document is not a boundary (every splitter gets it right), nor
//! is offset 0. Predicted boundaries come from the splitter's sentence ends; gold boundaries from the
//! corpus's sentence ends. A predicted boundary is correct when the same offset is a gold boundary.
//! Precision = correct / predicted, recall = correct / gold, F1 their harmonic mean; a corpus's figures are
//! micro-averaged (counts summed over its documents).
//!
//! Boundaries at a paragraph break (the white space after them holds a blank line) are easy for any splitter
//! that respects paragraphs; [`BoundaryScore::within_paragraphs`] counts only the others.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::conllu::Document;

/// Boundary counts, summable over documents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BoundaryCounts {
    pub predicted: usize,
    pub gold: usize,
    pub correct: usize,
}

impl BoundaryCounts {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    pub fn add(&mut self, other: BoundaryCounts) {
        self.predicted += other.predicted;
        self.gold += other.gold;
        self.correct += other.correct;
    }
}

/// An empty set scores 1.0: a splitter that predicts nothing where there is nothing to find is right.
fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

/// All boundaries, and those not at a paragraph break.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BoundaryScore {
    pub all: BoundaryCounts,
    pub within_paragraphs: BoundaryCounts,
}

impl BoundaryScore {
    pub fn add(&mut self, other: BoundaryScore) {
        self.all.add(other.all);
        self.within_paragraphs.add(other.within_paragraphs);
    }
}

/// The boundaries named by sentence `ends` in `text`: each end moved back over white space, without the
/// document end and offset 0.
pub fn boundaries(text: &str, ends: impl IntoIterator<Item = usize>) -> BTreeSet<usize> {
    let document_end = text.trim_end().len();
    ends.into_iter()
        .filter_map(|end| text.get(..end.min(text.len())))
        .map(|head| head.trim_end().len())
        .filter(|&b| b > 0 && b < document_end)
        .collect()
}

/// Whether the white space after boundary `b` holds a blank line.
fn at_paragraph_break(text: &str, b: usize) -> bool {
    let rest = &text[b..];
    let gap = &rest[..rest.len() - rest.trim_start().len()];
    gap.matches('\n').count() >= 2
}

/// Scores predicted sentence ends against gold sentence ends in one text.
pub fn score_text(text: &str, gold_ends: &[usize], predicted_ends: &[usize]) -> BoundaryScore {
    let gold = boundaries(text, gold_ends.iter().copied());
    let predicted = boundaries(text, predicted_ends.iter().copied());
    let mut score = BoundaryScore::default();
    for (set, is_gold) in [(&gold, true), (&predicted, false)] {
        for &b in set {
            let within = !at_paragraph_break(text, b);
            let counts = [Some(&mut score.all), within.then_some(&mut score.within_paragraphs)];
            for c in counts.into_iter().flatten() {
                if is_gold {
                    c.gold += 1;
                } else {
                    c.predicted += 1;
                    if gold.contains(&b) {
                        c.correct += 1;
                    }
                }
            }
        }
    }
    score
}

/// Scores a splitter (a function from text to sentence end offsets) over documents, micro-averaged.
pub fn score_documents<F>(documents: &[Document], mut sentence_ends: F) -> BoundaryScore
where
    F: FnMut(&str) -> Vec<usize>,
{
    let mut total = BoundaryScore::default();
    for doc in documents {
        let predicted = sentence_ends(&doc.text);
        total.add(score_text(&doc.text, &doc.sentence_ends(), &predicted));
    }
    total
}

/// One scored document as the comparison script under `lab/split_compare/` reads it (`tenor eval-split
/// --dump-documents`, one JSON object a line): the rebuilt text, the gold sentence ends and Tenor's, as byte
/// offsets into `text`, so that other splitters are scored on exactly the same text and boundaries.
#[derive(Debug, Clone, Serialize)]
pub struct DumpedDocument<'a> {
    pub corpus: &'a str,
    pub id: Option<&'a str>,
    pub text: &'a str,
    pub gold_ends: Vec<usize>,
    pub tenor_ends: Vec<usize>,
}

impl<'a> DumpedDocument<'a> {
    pub fn new(corpus: &'a str, doc: &'a Document, tenor_ends: Vec<usize>) -> DumpedDocument<'a> {
        DumpedDocument {
            corpus,
            id: doc.id.as_deref(),
            text: &doc.text,
            gold_ends: doc.sentence_ends(),
            tenor_ends,
        }
    }
}

/// Tenor's splitter as a function from text to sentence ends.
pub fn tenor_sentence_ends(splitter: &tenor_text::Splitter, text: &str) -> Vec<usize> {
    splitter.split(text).iter().map(|s| s.end).collect()
}

/// `sentencex` (English) alone, as a comparison: its sentence byte ranges' ends.
pub fn sentencex_sentence_ends(text: &str) -> Vec<usize> {
    sentencex::get_sentence_boundaries("en", text).iter().map(|b| b.end_byte).collect()
}

/// One pySBD golden rule (`models/data/sbd/english_golden_rules.jsonl`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct GoldenRule {
    pub id: u32,
    pub rule: String,
    pub text: String,
    pub sentences: Vec<String>,
}

/// Reads the golden rules, one JSON object per line.
pub fn parse_golden_rules(jsonl: &str) -> Result<Vec<GoldenRule>, serde_json::Error> {
    jsonl.lines().filter(|l| !l.trim().is_empty()).map(serde_json::from_str).collect()
}

/// The golden rules a splitter passes: its sentence texts (cut at its sentence ends, trimmed) must equal the
/// expected sentences exactly.
pub fn golden_rules_passed<F>(rules: &[GoldenRule], mut sentence_ends: F) -> Vec<&GoldenRule>
where
    F: FnMut(&str) -> Vec<usize>,
{
    rules
        .iter()
        .filter(|rule| {
            let mut start = 0;
            let mut got = Vec::new();
            for end in sentence_ends(&rule.text) {
                let end = end.min(rule.text.len()).max(start);
                let piece = rule.text.get(start..end).unwrap_or("").trim();
                if !piece.is_empty() {
                    got.push(piece);
                }
                start = end;
            }
            if let Some(rest) = rule.text.get(start..).map(str::trim).filter(|r| !r.is_empty()) {
                got.push(rest);
            }
            got == rule.sentences
        })
        .collect()
}

/// Document names listed under `## <split>` in GUM's `splits.md`.
pub fn gum_split_documents(splits_md: &str, split: &str) -> Vec<String> {
    let mut in_section = false;
    let mut names = Vec::new();
    for line in splits_md.lines() {
        let line = line.trim();
        if let Some(heading) = line.strip_prefix("## ") {
            in_section = heading.trim() == split;
        } else if in_section {
            if let Some(name) = line.strip_prefix("* ") {
                names.push(name.trim().to_owned());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_ignore_trailing_space_and_the_document_end() {
        let text = "One. Two.  \n\nThree.";
        assert_eq!(boundaries(text, [5, 11, 19]), BTreeSet::from([4, 9]));
    }

    #[test]
    fn scores_count_missed_and_spurious_boundaries() {
        // Gold: "Dr. Smith came." | "He left." | "Bye."  Predicted splits after "Dr." and misses "He left.".
        let text = "Dr. Smith came. He left. Bye.";
        let gold = [15, 24, 29];
        let predicted = [3, 15, 29];
        let score = score_text(text, &gold, &predicted);
        assert_eq!(score.all, BoundaryCounts { predicted: 2, gold: 2, correct: 1 });
        assert!((score.all.f1() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn paragraph_breaks_are_counted_apart() {
        let text = "Title\n\nOne. Two.";
        let score = score_text(text, &[5, 11, 16], &[5, 16]);
        assert_eq!(score.all, BoundaryCounts { predicted: 1, gold: 2, correct: 1 });
        assert_eq!(score.within_paragraphs, BoundaryCounts { predicted: 0, gold: 1, correct: 0 });
        assert_eq!(score.within_paragraphs.recall(), 0.0);
    }

    #[test]
    fn in_paragraph_counts_keep_spurious_and_correct_boundaries_apart() {
        // Gold: "A b." | "C d." | (blank line) "E f." Predicted: after "A", after "A b." and at the break.
        let text = "A b. C d.\n\nE f.";
        let score = score_text(text, &[4, 9, 15], &[1, 4, 9, 15]);
        assert_eq!(score.within_paragraphs, BoundaryCounts { predicted: 2, gold: 1, correct: 1 });
        assert_eq!(score.all, BoundaryCounts { predicted: 3, gold: 2, correct: 2 });
        assert!((score.within_paragraphs.precision() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn a_dumped_document_carries_gold_and_tenor_ends() {
        let docs = crate::conllu::parse("# newdoc id = d1\n# newpar\n# text = Hi.\n1\tHi\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n2\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n");
        let dumped = DumpedDocument::new("c", &docs[0], vec![3]);
        let json = serde_json::to_string(&dumped).unwrap();
        assert_eq!(json, r#"{"corpus":"c","id":"d1","text":"Hi.","gold_ends":[3],"tenor_ends":[3]}"#);
    }

    #[test]
    fn reads_gum_split_lists() {
        let md = "# Splits\n\n## dev\n\n  * GUM_a\n  * GUM_b\n\n## test\n\n  * GUM_c\n";
        assert_eq!(gum_split_documents(md, "dev"), vec!["GUM_a", "GUM_b"]);
        assert_eq!(gum_split_documents(md, "test"), vec!["GUM_c"]);
    }
}
