//! GUM `.rsd` discourse files: the attribution units, mapped onto the document text rebuilt from CoNLL-U,
//! and the speaker / cue scores Tenor reports on them.
//!
//! An `.rsd` row is one elementary discourse unit (EDU): column 2 is its tokens, column 8 its relation, column
//! 10 its signals. Rows whose relation starts with `attribution` (`attribution-positive_r`,
//! `attribution-negative_r`) are the gold units; their `semantic-attribution_source-<ids>` signal gives the
//! speaker tokens and `lexical-indicative_word-<ids>` the cue tokens. Token ids count from 1 over the whole
//! document (`Document::document_tokens`), as lists (`3,7`) of single ids or ranges (`31-41`).
//!
//! Scoring. Gold speaker and cue token sets are cut into runs of consecutive tokens (GUM may list the
//! source as several mentions, "George Bush ... James Baker", or two cue words, "report ... say"). A
//! predicted span matches a gold unit *exactly* when it covers exactly the tokens of one of its runs, and by
//! *overlap* when it shares at least one token with one of them. Matching is one-to-one, in document order.
//! Precision = matched predictions / predictions; recall = matched units / units that have that annotation.
//! A predicted cue inside a gold attribution EDU whose cue GUM leaves unannotated (e.g. "according to") is
//! neither a hit nor a false positive: it is counted as `unscored`.

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;

use crate::conllu::Document;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RsdError {
    #[error("line {line}: expected at least 10 tab-separated columns")]
    Columns { line: usize },
    #[error("line {line}: bad token id list {spec:?}")]
    TokenIds { line: usize, spec: String },
    #[error("line {line}: token id {id} is beyond the document's {tokens} tokens")]
    TokenOutOfRange { line: usize, id: usize, tokens: usize },
    #[error("the EDUs hold {edus} tokens but the document has {tokens}")]
    TokenCount { edus: usize, tokens: usize },
}

/// One gold attribution unit, in byte ranges of [`Document::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributionUnit {
    /// The EDU that carries the relation.
    pub edu: Range<usize>,
    /// Runs of consecutive speaker tokens, each as a byte range; empty when not annotated.
    pub speaker: Vec<Range<usize>>,
    /// Runs of consecutive cue tokens; empty when not annotated.
    pub cue: Vec<Range<usize>>,
    /// `attribution-negative_r` ("did not say", "don't know").
    pub negative: bool,
}

/// Splits of GUM (`splits.md`): document name to split name (`train`, `dev`, `test`, `test2`).
pub fn parse_splits(markdown: &str) -> HashMap<String, String> {
    let mut current = String::new();
    let mut out = HashMap::new();
    for line in markdown.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix("## ") {
            current = name.trim().to_owned();
        } else if let Some(doc) = line.strip_prefix("* ") {
            if !current.is_empty() {
                out.insert(doc.trim().to_owned(), current.clone());
            }
        }
    }
    out
}

fn parse_ids(spec: &str, line: usize) -> Result<Vec<usize>, RsdError> {
    let bad = || RsdError::TokenIds { line, spec: spec.to_owned() };
    let mut ids = Vec::new();
    for part in spec.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
                if a == 0 || b < a || b - a > 10_000 {
                    return Err(bad());
                }
                ids.extend(a..=b);
            }
            None => ids.push(part.parse().map_err(|_| bad())?),
        }
    }
    Ok(ids)
}

/// The id list of a signal such as `semantic-attribution_source-31-41-_` (prefix `semantic-attribution_source-`).
fn signal_ids(signals: &str, prefix: &str, line: usize) -> Result<Vec<usize>, RsdError> {
    let mut ids = Vec::new();
    for signal in signals.split(';') {
        if let Some(rest) = signal.strip_prefix(prefix) {
            // The id list is followed by `-<status>` (`_` or `gold`).
            let spec = rest.rsplit_once('-').map_or(rest, |(spec, _)| spec);
            ids.extend(parse_ids(spec, line)?);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Byte ranges of the runs of consecutive token ids (1-based) in `tokens` (byte ranges by token index).
fn runs(ids: &[usize], tokens: &[Range<usize>], line: usize) -> Result<Vec<Range<usize>>, RsdError> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut previous: Option<usize> = None;
    for &id in ids {
        let token =
            tokens.get(id.wrapping_sub(1)).ok_or(RsdError::TokenOutOfRange { line, id, tokens: tokens.len() })?;
        match (previous, out.last_mut()) {
            (Some(p), Some(run)) if p + 1 == id => run.end = token.end,
            _ => out.push(token.clone()),
        }
        previous = Some(id);
    }
    Ok(out)
}

/// The attribution units of one `.rsd` file, mapped onto `document` (its CoNLL-U twin).
pub fn attribution_units(rsd: &str, document: &Document) -> Result<Vec<AttributionUnit>, RsdError> {
    let tokens: Vec<Range<usize>> = document.document_tokens().map(|t| t.range.clone()).collect();
    let mut units = Vec::new();
    let mut next_token = 0;
    for (index, row) in rsd.lines().enumerate() {
        let line = index + 1;
        if row.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() < 10 {
            return Err(RsdError::Columns { line });
        }
        let edu_tokens = cols[1].split_whitespace().count();
        let first = next_token;
        next_token += edu_tokens;
        if next_token > tokens.len() {
            return Err(RsdError::TokenCount { edus: next_token, tokens: tokens.len() });
        }
        if !cols[7].starts_with("attribution") {
            continue;
        }
        let edu = tokens[first].start..tokens[next_token - 1].end;
        let speaker = runs(&signal_ids(cols[9], "semantic-attribution_source-", line)?, &tokens, line)?;
        let cue = runs(&signal_ids(cols[9], "lexical-indicative_word-", line)?, &tokens, line)?;
        units.push(AttributionUnit { edu, speaker, cue, negative: cols[7].starts_with("attribution-negative") });
    }
    if next_token != tokens.len() {
        return Err(RsdError::TokenCount { edus: next_token, tokens: tokens.len() });
    }
    Ok(units)
}

/// One predicted attribution, in byte ranges of [`Document::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictedAttribution {
    pub speaker: Range<usize>,
    /// `None` for a source named without a cue (a photo credit): scored as a speaker only.
    pub cue: Option<Range<usize>>,
}

/// Precision, recall and F1 with the counts behind them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Matched predictions.
    pub true_positives: usize,
    pub predicted: usize,
    /// Gold units with this annotation.
    pub gold: usize,
}

impl Prf {
    fn new(true_positives: usize, predicted: usize, gold: usize) -> Prf {
        let precision = if predicted == 0 { 0.0 } else { true_positives as f64 / predicted as f64 };
        let recall = if gold == 0 { 0.0 } else { true_positives as f64 / gold as f64 };
        let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
        Prf { precision, recall, f1, true_positives, predicted, gold }
    }
}

/// Speaker and cue scores over a set of documents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct AttributionScores {
    pub documents: usize,
    pub units: usize,
    pub speaker_exact: Prf,
    pub speaker_overlap: Prf,
    pub cue_exact: Prf,
    pub cue_overlap: Prf,
    /// Predicted cues inside gold attribution EDUs whose cue GUM does not annotate (left out of cue scores).
    pub cue_unscored: usize,
}

/// Counts accumulated over documents before the ratios are taken.
#[derive(Debug, Clone, Copy, Default)]
pub struct AttributionTally {
    documents: usize,
    units: usize,
    /// (true positives, predicted, gold) for speaker exact, speaker overlap, cue exact, cue overlap.
    counts: [(usize, usize, usize); 4],
    cue_unscored: usize,
    /// Score a second cue word of one unit as a false positive (the strict reading; see [`AttributionTally::add`]).
    one_cue_per_unit: bool,
}

fn token_indexes(document_tokens: &[Range<usize>], span: &Range<usize>) -> Range<usize> {
    let first = document_tokens.partition_point(|t| t.end <= span.start);
    let last = document_tokens.partition_point(|t| t.start < span.end);
    first..last.max(first)
}

/// `span` widened to the whole tokens it touches, so exactness is judged on tokens, not stray bytes (a span
/// that touches no token stays as it is).
fn snap_to_tokens(document_tokens: &[Range<usize>], span: &Range<usize>) -> Range<usize> {
    let idx = token_indexes(document_tokens, span);
    if idx.is_empty() {
        span.clone()
    } else {
        document_tokens[idx.start].start..document_tokens[idx.end - 1].end
    }
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// The largest one-to-one matching between predictions and gold units (a maximum bipartite matching, by
/// augmenting paths): a greedy pass in document order can pair a prediction with a unit another prediction
/// needed, and undercount. Returns the number of matches.
fn match_count(
    predictions: &[Range<usize>],
    gold: &[&[Range<usize>]],
    matches: impl Fn(&Range<usize>, &Range<usize>) -> bool,
) -> usize {
    matching(predictions, gold, matches).iter().filter(|o| o.is_some()).count()
}

/// The maximum matching itself: for each gold unit, the prediction matched to it.
fn matching(
    predictions: &[Range<usize>],
    gold: &[&[Range<usize>]],
    matches: impl Fn(&Range<usize>, &Range<usize>) -> bool,
) -> Vec<Option<usize>> {
    let edges: Vec<Vec<usize>> = predictions
        .iter()
        .map(|p| (0..gold.len()).filter(|&g| gold[g].iter().any(|run| matches(p, run))).collect())
        .collect();
    // owner[g]: the prediction currently matched to gold unit g.
    let mut owner: Vec<Option<usize>> = vec![None; gold.len()];
    fn augment(p: usize, edges: &[Vec<usize>], owner: &mut [Option<usize>], seen: &mut [bool]) -> bool {
        for &g in &edges[p] {
            if !seen[g] {
                seen[g] = true;
                if owner[g].is_none_or(|q| augment(q, edges, owner, seen)) {
                    owner[g] = Some(p);
                    return true;
                }
            }
        }
        false
    }
    for p in 0..predictions.len() {
        augment(p, &edges, &mut owner, &mut vec![false; gold.len()]);
    }
    owner
}

impl AttributionTally {
    /// A tally that scores a second predicted cue on another indicative word of an already matched unit as a
    /// false positive, as the figures before this convention was documented did.
    pub fn one_cue_per_unit() -> AttributionTally {
        AttributionTally { one_cue_per_unit: true, ..AttributionTally::default() }
    }

    /// Adds one document's gold units and predictions.
    ///
    /// GUM sometimes gives one attribution unit two indicative words ("Zuckerberg **tweeted** to Mohamed and
    /// **said**", "the **figures** … **show**") where Tenor reports one attribution per cue word. A predicted cue
    /// that is exactly another cue word of a unit already matched by a different prediction is therefore not a
    /// false positive: like a cue in a unit without a gold cue, it is left out and counted as `unscored` (unless
    /// the tally was made with [`AttributionTally::one_cue_per_unit`]). Recall is unchanged: a unit still
    /// counts once.
    pub fn add(&mut self, document: &Document, units: &[AttributionUnit], predictions: &[PredictedAttribution]) {
        let tokens: Vec<Range<usize>> = document.document_tokens().map(|t| t.range.clone()).collect();
        let snap = |span: &Range<usize>| snap_to_tokens(&tokens, span);
        let exact = |p: &Range<usize>, g: &Range<usize>| snap(p) == *g;
        let overlap = |p: &Range<usize>, g: &Range<usize>| overlaps(&snap(p), g);

        let speakers: Vec<Range<usize>> = predictions.iter().map(|p| p.speaker.clone()).collect();
        let gold_speakers: Vec<&[Range<usize>]> =
            units.iter().filter(|u| !u.speaker.is_empty()).map(|u| u.speaker.as_slice()).collect();
        let cueless: Vec<&Range<usize>> = units.iter().filter(|u| u.cue.is_empty()).map(|u| &u.edu).collect();
        let gold_cues: Vec<&[Range<usize>]> =
            units.iter().filter(|u| !u.cue.is_empty()).map(|u| u.cue.as_slice()).collect();
        let mut cues = Vec::new();
        for p in predictions {
            let Some(cue) = &p.cue else { continue };
            let in_cueless = cueless.iter().any(|edu| edu.start <= cue.start && cue.end <= edu.end);
            let matches_gold = gold_cues.iter().any(|runs| runs.iter().any(|run| overlap(cue, run)));
            if in_cueless && !matches_gold {
                self.cue_unscored += 1;
            } else {
                cues.push(cue.clone());
            }
        }
        if !self.one_cue_per_unit {
            let owner = matching(&cues, &gold_cues, exact);
            let matched: Vec<usize> = owner.iter().flatten().copied().collect();
            let second_word = |p: usize| {
                !matched.contains(&p)
                    && gold_cues.iter().zip(&owner).any(|(runs, o)| {
                        runs.len() > 1 && o.is_some_and(|q| q != p) && runs.iter().any(|run| exact(&cues[p], run))
                    })
            };
            let before = cues.len();
            let keep: Vec<bool> = (0..cues.len()).map(|p| !second_word(p)).collect();
            let mut k = keep.iter();
            cues.retain(|_| *k.next().expect("one flag per cue"));
            self.cue_unscored += before - cues.len();
        }
        let results = [
            (match_count(&speakers, &gold_speakers, exact), speakers.len(), gold_speakers.len()),
            (match_count(&speakers, &gold_speakers, overlap), speakers.len(), gold_speakers.len()),
            (match_count(&cues, &gold_cues, exact), cues.len(), gold_cues.len()),
            (match_count(&cues, &gold_cues, overlap), cues.len(), gold_cues.len()),
        ];
        for (total, r) in self.counts.iter_mut().zip(results) {
            total.0 += r.0;
            total.1 += r.1;
            total.2 += r.2;
        }
        self.documents += 1;
        self.units += units.len();
    }

    /// Adds another tally's counts (pooling cross-validation folds).
    pub fn merge(&mut self, other: &AttributionTally) {
        for (total, r) in self.counts.iter_mut().zip(other.counts) {
            total.0 += r.0;
            total.1 += r.1;
            total.2 += r.2;
        }
        self.documents += other.documents;
        self.units += other.units;
        self.cue_unscored += other.cue_unscored;
    }

    pub fn scores(&self) -> AttributionScores {
        let prf = |i: usize| Prf::new(self.counts[i].0, self.counts[i].1, self.counts[i].2);
        AttributionScores {
            documents: self.documents,
            units: self.units,
            speaker_exact: prf(0),
            speaker_overlap: prf(1),
            cue_exact: prf(2),
            cue_overlap: prf(3),
            cue_unscored: self.cue_unscored,
        }
    }
}

/// Leave-documents-out folds: fold `i % k` for the `i`-th name in sorted order. Whole documents go to one fold
/// (sentences of one document share speakers and style, so splitting a document would leak); sorting first
/// makes the folds reproducible, and GUM's names start with the genre, so round-robin spreads each genre over
/// the folds. `k` is at least 1.
pub fn grouped_folds(names: &[String], k: usize) -> HashMap<String, usize> {
    let k = k.max(1);
    let mut sorted: Vec<&String> = names.iter().collect();
    sorted.sort();
    sorted.dedup();
    sorted.into_iter().enumerate().map(|(i, name)| (name.clone(), i % k)).collect()
}

/// How a gold cue or a predicted cue failed the exact cue match, for an error breakdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CueError {
    /// A gold cue no prediction touches (the gold words, lower-cased).
    Missed { gold: String },
    /// A predicted cue that touches no gold cue and lies outside every cue-less gold unit.
    False { predicted: String },
    /// A prediction overlaps a gold cue but covers different tokens ("according to" against "according").
    Boundary { gold: String, predicted: String },
}

/// The cue errors of one document (each gold run and each prediction judged on its own, not one-to-one, so the
/// counts are a breakdown, not the score).
pub fn cue_errors(
    document: &Document,
    units: &[AttributionUnit],
    predictions: &[PredictedAttribution],
) -> Vec<CueError> {
    let tokens: Vec<Range<usize>> = document.document_tokens().map(|t| t.range.clone()).collect();
    let snap = |span: &Range<usize>| snap_to_tokens(&tokens, span);
    let words = |r: &Range<usize>| document.text[r.clone()].to_lowercase();
    let cues: Vec<Range<usize>> = predictions.iter().filter_map(|p| p.cue.as_ref()).map(&snap).collect();
    let gold_runs: Vec<&Range<usize>> = units.iter().flat_map(|u| u.cue.iter()).collect();
    let mut out = Vec::new();
    for unit in units.iter().filter(|u| !u.cue.is_empty()) {
        if unit.cue.iter().any(|run| cues.contains(run)) {
            continue;
        }
        let gold = unit.cue.iter().map(words).collect::<Vec<_>>().join(" … ");
        match cues.iter().find(|c| unit.cue.iter().any(|run| overlaps(c, run))) {
            Some(c) => out.push(CueError::Boundary { gold, predicted: words(c) }),
            None => out.push(CueError::Missed { gold }),
        }
    }
    for c in &cues {
        let touches_gold = gold_runs.iter().any(|run| overlaps(c, run));
        let in_cueless = units.iter().any(|u| u.cue.is_empty() && u.edu.start <= c.start && c.end <= u.edu.end);
        if !touches_gold && !in_cueless {
            out.push(CueError::False { predicted: words(c) });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conllu;

    fn token_line(id: usize, form: &str) -> String {
        format!("{id}\t{form}\t_\tX\tX\t_\t0\tx\t_\t_\n")
    }

    /// The byte range of the first `needle` in the document's text.
    fn span_of(doc: &Document, needle: &str) -> Range<usize> {
        let i = doc.text.find(needle).unwrap();
        i..i + needle.len()
    }

    fn document() -> Document {
        let mut text = String::from("# newdoc id = d\n");
        for (i, w) in ["Prices", "rose", ",", "the", "minister", "said", "."].iter().enumerate() {
            text.push_str(&token_line(i + 1, w));
        }
        conllu::parse(&text).remove(0)
    }

    const RSD: &str = "1\tPrices rose ,\t0\t_\t_\t_\t0\tROOT\t_\t_\n\
2\tthe minister said .\t0\t_\t_\t_\t1\tattribution-positive_r\t_\tsemantic-attribution_source-4-5-_;lexical-indicative_word-6-_\n";

    #[test]
    fn reads_units_and_maps_token_ids_to_text() {
        let doc = document();
        let units = attribution_units(RSD, &doc).unwrap();
        assert_eq!(units.len(), 1);
        assert_eq!(&doc.text[units[0].speaker[0].clone()], "the minister");
        assert_eq!(&doc.text[units[0].cue[0].clone()], "said");
        assert_eq!(&doc.text[units[0].edu.clone()], "the minister said .");
        assert!(!units[0].negative);
    }

    #[test]
    fn matching_finds_the_largest_pairing_not_the_first_one() {
        // Prediction 0 overlaps both gold units, prediction 1 only the first: greedy in order would pair 0 with
        // the first unit and leave 1 unmatched.
        let predictions = [0..10, 0..3];
        let (a, b) = (0..4, 6..10);
        let gold: [&[Range<usize>]; 2] = [std::slice::from_ref(&a), std::slice::from_ref(&b)];
        assert_eq!(match_count(&predictions, &gold, overlaps), 2);
        assert_eq!(match_count(&predictions[..1], &gold, overlaps), 1);
        assert_eq!(match_count(&predictions, &gold, |p, g| p == g), 0);
    }

    #[test]
    fn scores_exact_and_overlap_matches() {
        let doc = document();
        let units = attribution_units(RSD, &doc).unwrap();
        let find = |s: &str| span_of(&doc, s);
        let mut tally = AttributionTally::default();
        tally.add(&doc, &units, &[PredictedAttribution { speaker: find("minister"), cue: Some(find("said")) }]);
        let s = tally.scores();
        assert_eq!(s.speaker_exact.true_positives, 0);
        assert_eq!(s.speaker_overlap.true_positives, 1);
        assert_eq!(s.cue_exact.f1, 1.0);
        let mut tally = AttributionTally::default();
        tally.add(&doc, &units, &[PredictedAttribution { speaker: find("Prices"), cue: Some(find("rose")) }]);
        assert_eq!(tally.scores().cue_overlap.precision, 0.0);
        assert_eq!(tally.scores().speaker_overlap.recall, 0.0);
    }

    #[test]
    fn bad_rows_are_errors_not_panics() {
        let doc = document();
        assert!(matches!(attribution_units("1\tPrices\n", &doc), Err(RsdError::Columns { .. })));
        let far = RSD.replace("6-_", "99-_");
        assert!(matches!(attribution_units(&far, &doc), Err(RsdError::TokenOutOfRange { .. })));
        let short = "1\tPrices rose\t0\t_\t_\t_\t0\tROOT\t_\t_\n";
        assert!(matches!(attribution_units(short, &doc), Err(RsdError::TokenCount { .. })));
    }

    #[test]
    fn splits_are_read_from_markdown() {
        let splits = parse_splits("# Splits\n## dev\n\n  * GUM_news_iodine\n## train\n  * GUM_news_afghan\n");
        assert_eq!(splits["GUM_news_iodine"], "dev");
        assert_eq!(splits["GUM_news_afghan"], "train");
    }
    #[test]
    fn folds_keep_documents_whole_and_are_reproducible() {
        let names: Vec<String> = ["c", "a", "b", "d", "e"].iter().map(|s| s.to_string()).collect();
        let folds = grouped_folds(&names, 2);
        assert_eq!(folds.len(), 5);
        assert_eq!((folds["a"], folds["b"], folds["c"], folds["d"], folds["e"]), (0, 1, 0, 1, 0));
        let mut reversed = names.clone();
        reversed.reverse();
        assert_eq!(grouped_folds(&reversed, 2), folds);
    }

    #[test]
    fn cue_errors_tell_missed_false_and_boundary_apart() {
        let doc = document();
        let units = attribution_units(RSD, &doc).unwrap();
        let find = |s: &str| span_of(&doc, s);
        let speaker = find("minister");
        let none = cue_errors(&doc, &units, &[]);
        assert_eq!(none, vec![CueError::Missed { gold: "said".into() }]);
        let wide = cue_errors(
            &doc,
            &units,
            &[PredictedAttribution { speaker: speaker.clone(), cue: Some(find("minister said")) }],
        );
        assert_eq!(wide, vec![CueError::Boundary { gold: "said".into(), predicted: "minister said".into() }]);
        let wrong = cue_errors(
            &doc,
            &units,
            &[PredictedAttribution { speaker: speaker.clone(), cue: Some(find("rose")) }],
        );
        assert_eq!(
            wrong,
            vec![CueError::Missed { gold: "said".into() }, CueError::False { predicted: "rose".into() }]
        );
        let right = cue_errors(&doc, &units, &[PredictedAttribution { speaker, cue: Some(find("said")) }]);
        assert!(right.is_empty());
    }
    #[test]
    fn a_second_cue_word_of_a_matched_unit_is_unscored_unless_strict() {
        let mut text = String::from("# newdoc id = d\n");
        for (i, w) in ["He", "tweeted", "and", "said", "yes", "."].iter().enumerate() {
            text.push_str(&token_line(i + 1, w));
        }
        let doc = conllu::parse(&text).remove(0);
        let rsd = "1\tHe tweeted and said\t0\t_\t_\t_\t2\tattribution-positive_r\t_\tsemantic-attribution_source-1-_;lexical-indicative_word-2,4-_\n\
2\tyes .\t0\t_\t_\t_\t0\tROOT\t_\t_\n";
        let units = attribution_units(rsd, &doc).unwrap();
        let find = |s: &str| span_of(&doc, s);
        let he = find("He");
        let predictions = [
            PredictedAttribution { speaker: he.clone(), cue: Some(find("tweeted")) },
            PredictedAttribution { speaker: he.clone(), cue: Some(find("said")) },
        ];
        let mut tally = AttributionTally::default();
        tally.add(&doc, &units, &predictions);
        let s = tally.scores();
        assert_eq!(
            (s.cue_exact.true_positives, s.cue_exact.predicted, s.cue_exact.gold, s.cue_unscored),
            (1, 1, 1, 1)
        );
        let mut strict = AttributionTally::one_cue_per_unit();
        strict.add(&doc, &units, &predictions);
        let s = strict.scores();
        assert_eq!((s.cue_exact.true_positives, s.cue_exact.predicted, s.cue_unscored), (1, 2, 0));
        // A wrong word beside a matched unit stays a false positive.
        let mut tally = AttributionTally::default();
        tally.add(
            &doc,
            &units,
            &[predictions[0].clone(), PredictedAttribution { speaker: he, cue: Some(find("yes")) }],
        );
        assert_eq!(tally.scores().cue_exact.predicted, 2);
    }
}
