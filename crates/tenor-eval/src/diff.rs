//! What changes between two runs over the same stream (two model versions): the shadow run a user does
//! before switching models. `tenor diff` drives it.
//!
//! Sentence records are matched by (`article_id`, `sentence_index`). A record *changed* when its stance label
//! or its `claim.is_claim` differs; confidence moves are summarised separately (they move for every record
//! when the model changes). Groups: by `article_source` and by speaker (run A's speaker, else run B's).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;
use tenor_core::SentenceRecord;

use crate::gold::{evaluate_against_gold, predicted_speaker, Gold, GoldEvaluation};
use crate::metrics::Report;

/// What one run's records say about a sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    pub stance: Option<String>,
    pub confidence: Option<f64>,
    pub is_claim: Option<bool>,
    pub claim_score: Option<f64>,
}

impl Side {
    fn of(record: &SentenceRecord) -> Side {
        Side {
            stance: record.stance.as_ref().map(|s| s.label.as_str().to_owned()),
            confidence: record.stance.as_ref().map(|s| s.confidence),
            is_claim: record.claim.as_ref().map(|c| c.is_claim),
            claim_score: record.claim.as_ref().map(|c| c.score),
        }
    }
}

/// One changed sentence, with enough context to read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub article_id: String,
    pub sentence_index: usize,
    pub text: String,
    pub article_source: Option<String>,
    pub speaker: Option<String>,
    pub stance_flipped: bool,
    pub claim_flipped: bool,
    pub a: Side,
    pub b: Side,
}

/// Confidence of the stance label, A against B, over the sentences both runs scored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ConfidenceShift {
    pub sentences: usize,
    pub mean_a: f64,
    pub mean_b: f64,
    /// Mean of B − A.
    pub mean_delta: f64,
    pub mean_abs_delta: f64,
    /// Sentences whose confidence moved at all (more than 1e-9).
    pub moved: usize,
}

/// Changes within one source or speaker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupDelta {
    pub name: String,
    pub sentences: usize,
    pub stance_flips: usize,
    pub claim_flips: usize,
    /// Mean of B − A stance confidence in the group.
    pub mean_confidence_delta: f64,
}

/// Per-class F1 (and accuracy, macro-F1) of both runs against gold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricDelta {
    pub task: String,
    pub a: Report,
    pub b: Report,
    pub accuracy_delta: f64,
    pub macro_f1_delta: f64,
    /// `(label, F1 of B − F1 of A)`.
    pub f1_delta: Vec<(String, f64)>,
    pub ece_delta: f64,
    pub brier_delta: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoldDelta {
    pub a: GoldEvaluation,
    pub b: GoldEvaluation,
    pub tasks: Vec<MetricDelta>,
}

/// Which run a side is: its run ids and model hashes, as its records say.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunInfo {
    pub sentences: usize,
    pub run_ids: Vec<String>,
    /// `role → sha256` of the models named in the records (several if the run changed models midway).
    pub models: BTreeMap<String, Vec<String>>,
    /// Records seen again under a key already seen (at-least-once duplicates); the first copy is used.
    pub duplicates: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffReport {
    pub a: RunInfo,
    pub b: RunInfo,
    /// Sentences present in both runs with the same text.
    pub compared: usize,
    /// Keys present in one run only (the runs did not cover the same stream).
    pub only_in_a: Vec<(String, usize)>,
    pub only_in_b: Vec<(String, usize)>,
    /// Keys whose sentence text differs (different splitters or inputs); not compared.
    pub text_mismatches: Vec<(String, usize)>,
    pub stance_flips: usize,
    pub claim_flips: usize,
    /// `"neutral -> positive"` → count.
    pub stance_transitions: BTreeMap<String, usize>,
    pub confidence: ConfidenceShift,
    /// Every changed sentence, in (article, index) order.
    pub changes: Vec<Change>,
    pub by_source: Vec<GroupDelta>,
    pub by_speaker: Vec<GroupDelta>,
    pub gold: Option<GoldDelta>,
}

impl DiffReport {
    /// True when the runs agree on every sentence: nothing flipped, no confidence moved, same coverage.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
            && self.only_in_a.is_empty()
            && self.only_in_b.is_empty()
            && self.text_mismatches.is_empty()
            && self.confidence.moved == 0
    }
}

fn index(records: &[SentenceRecord]) -> (BTreeMap<(String, usize), &SentenceRecord>, RunInfo) {
    let mut by_key = BTreeMap::new();
    let mut info = RunInfo::default();
    for record in records {
        if let Some(run_id) = &record.run_id {
            if !info.run_ids.contains(run_id) {
                info.run_ids.push(run_id.clone());
            }
        }
        for (role, model) in &record.model {
            let hashes = info.models.entry(role.clone()).or_default();
            if !hashes.contains(&model.sha256) {
                hashes.push(model.sha256.clone());
            }
        }
        if by_key.insert((record.article_id.clone(), record.sentence_index), record).is_some() {
            info.duplicates += 1;
        }
    }
    // The first copy of a duplicated key wins: re-insert in reverse so earlier records overwrite later ones.
    if info.duplicates > 0 {
        for record in records.iter().rev() {
            by_key.insert((record.article_id.clone(), record.sentence_index), record);
        }
    }
    info.sentences = by_key.len();
    (by_key, info)
}

#[derive(Default)]
struct GroupAcc {
    sentences: usize,
    stance_flips: usize,
    claim_flips: usize,
    confidence_delta: f64,
    with_confidence: usize,
}

fn groups(acc: HashMap<String, GroupAcc>) -> Vec<GroupDelta> {
    let mut out: Vec<GroupDelta> = acc
        .into_iter()
        .map(|(name, g)| GroupDelta {
            name,
            sentences: g.sentences,
            stance_flips: g.stance_flips,
            claim_flips: g.claim_flips,
            mean_confidence_delta: if g.with_confidence == 0 {
                0.0
            } else {
                g.confidence_delta / g.with_confidence as f64
            },
        })
        .collect();
    // Most changed first, then by name for a stable order.
    out.sort_by(|x, y| {
        (y.stance_flips + y.claim_flips).cmp(&(x.stance_flips + x.claim_flips)).then_with(|| x.name.cmp(&y.name))
    });
    out
}

fn metric_delta(task: &str, a: &Option<Report>, b: &Option<Report>) -> Option<MetricDelta> {
    let (a, b) = (a.as_ref()?, b.as_ref()?);
    Some(MetricDelta {
        task: task.to_owned(),
        accuracy_delta: b.accuracy - a.accuracy,
        macro_f1_delta: b.macro_f1 - a.macro_f1,
        f1_delta: a.per_class.iter().zip(&b.per_class).map(|(x, y)| (x.label.clone(), y.f1 - x.f1)).collect(),
        ece_delta: b.ece - a.ece,
        brier_delta: b.brier - a.brier,
        a: a.clone(),
        b: b.clone(),
    })
}

/// Compares run A with run B (their sentence records), and both with `gold` when given.
pub fn diff(a: &[SentenceRecord], b: &[SentenceRecord], gold: Option<&Gold>) -> DiffReport {
    let (a_index, a_info) = index(a);
    let (b_index, b_info) = index(b);
    let mut report = DiffReport {
        a: a_info,
        b: b_info,
        compared: 0,
        only_in_a: a_index.keys().filter(|k| !b_index.contains_key(*k)).cloned().collect(),
        only_in_b: b_index.keys().filter(|k| !a_index.contains_key(*k)).cloned().collect(),
        text_mismatches: Vec::new(),
        stance_flips: 0,
        claim_flips: 0,
        stance_transitions: BTreeMap::new(),
        confidence: ConfidenceShift::default(),
        changes: Vec::new(),
        by_source: Vec::new(),
        by_speaker: Vec::new(),
        gold: None,
    };
    let mut by_source: HashMap<String, GroupAcc> = HashMap::new();
    let mut by_speaker: HashMap<String, GroupAcc> = HashMap::new();
    let (mut sum_a, mut sum_b, mut sum_abs) = (0.0, 0.0, 0.0);
    for (key, ra) in &a_index {
        let Some(rb) = b_index.get(key) else { continue };
        if ra.text != rb.text {
            report.text_mismatches.push(key.clone());
            continue;
        }
        report.compared += 1;
        let (sa, sb) = (Side::of(ra), Side::of(rb));
        let stance_flipped = sa.stance != sb.stance;
        let claim_flipped = sa.is_claim != sb.is_claim;
        let delta = match (sa.confidence, sb.confidence) {
            (Some(x), Some(y)) => {
                report.confidence.sentences += 1;
                sum_a += x;
                sum_b += y;
                sum_abs += (y - x).abs();
                if (y - x).abs() > 1e-9 {
                    report.confidence.moved += 1;
                }
                Some(y - x)
            }
            _ => None,
        };
        if stance_flipped {
            report.stance_flips += 1;
            let name = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".into());
            *report
                .stance_transitions
                .entry(format!("{} -> {}", name(&sa.stance), name(&sb.stance)))
                .or_default() += 1;
        }
        report.claim_flips += usize::from(claim_flipped);
        let speaker = predicted_speaker(ra).or_else(|| predicted_speaker(rb)).map(str::to_owned);
        let source = ra.article_source.clone();
        for (map, name) in [(&mut by_source, source.clone()), (&mut by_speaker, speaker.clone())] {
            let Some(name) = name else { continue };
            let g = map.entry(name).or_default();
            g.sentences += 1;
            g.stance_flips += usize::from(stance_flipped);
            g.claim_flips += usize::from(claim_flipped);
            if let Some(d) = delta {
                g.confidence_delta += d;
                g.with_confidence += 1;
            }
        }
        if stance_flipped || claim_flipped {
            report.changes.push(Change {
                article_id: key.0.clone(),
                sentence_index: key.1,
                text: ra.text.clone(),
                article_source: source,
                speaker,
                stance_flipped,
                claim_flipped,
                a: sa,
                b: sb,
            });
        }
    }
    let n = report.confidence.sentences.max(1) as f64;
    report.confidence.mean_a = sum_a / n;
    report.confidence.mean_b = sum_b / n;
    report.confidence.mean_delta = (sum_b - sum_a) / n;
    report.confidence.mean_abs_delta = sum_abs / n;
    report.by_source = groups(by_source);
    report.by_speaker = groups(by_speaker);
    if let Some(gold) = gold {
        let (ga, gb) = (
            evaluate_against_gold(a_index.values().copied(), gold),
            evaluate_against_gold(b_index.values().copied(), gold),
        );
        let tasks = [metric_delta("stance", &ga.stance, &gb.stance), metric_delta("claim", &ga.claim, &gb.claim)];
        report.gold = Some(GoldDelta { tasks: tasks.into_iter().flatten().collect(), a: ga, b: gb });
    }
    report
}

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

impl DiffReport {
    /// The report as Markdown: summary, transitions, groups, gold deltas, and up to `examples` changed
    /// sentences (the JSON form lists them all).
    pub fn markdown(&self, name_a: &str, name_b: &str, examples: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# Diff: `{name_a}` (A) → `{name_b}` (B)\n");
        for (side, info) in [("A", &self.a), ("B", &self.b)] {
            let models: Vec<String> = info
                .models
                .iter()
                .map(|(role, h)| {
                    format!("{role} {}", h.iter().map(|x| &x[..x.len().min(12)]).collect::<Vec<_>>().join("/"))
                })
                .collect();
            let _ = writeln!(
                out,
                "- **{side}**: {} sentences, run id {}, models {}{}",
                info.sentences,
                if info.run_ids.is_empty() { "(none)".to_owned() } else { info.run_ids.join(", ") },
                if models.is_empty() { "(none)".to_owned() } else { models.join(", ") },
                if info.duplicates > 0 {
                    format!(", {} duplicate records ignored", info.duplicates)
                } else {
                    String::new()
                }
            );
        }
        let _ = writeln!(
            out,
            "\nCompared **{}** sentences: **{}** stance flips ({:.2}%), **{}** claim flips; {} only in A, {} only in B, {} with different text.\n",
            self.compared,
            self.stance_flips,
            100.0 * self.stance_flips as f64 / self.compared.max(1) as f64,
            self.claim_flips,
            self.only_in_a.len(),
            self.only_in_b.len(),
            self.text_mismatches.len()
        );
        let c = &self.confidence;
        let _ = writeln!(
            out,
            "Stance confidence: mean {:.4} → {:.4} (Δ {:+.4}, mean |Δ| {:.4}); {} of {} sentences moved.\n",
            c.mean_a, c.mean_b, c.mean_delta, c.mean_abs_delta, c.moved, c.sentences
        );
        if !self.stance_transitions.is_empty() {
            out.push_str("## Stance transitions\n\n| A → B | sentences |\n|---|---:|\n");
            for (t, n) in &self.stance_transitions {
                let _ = writeln!(out, "| {t} | {n} |");
            }
            out.push('\n');
        }
        if let Some(gold) = &self.gold {
            let _ = writeln!(
                out,
                "## Against gold ({} of {} gold lines matched)\n",
                gold.a.matched, gold.a.gold_lines
            );
            for t in &gold.tasks {
                let _ = writeln!(out, "### {}\n\n| metric | A | B | Δ |\n|---|---:|---:|---:|", t.task);
                let _ = writeln!(
                    out,
                    "| accuracy | {:.4} | {:.4} | {:+.4} |",
                    t.a.accuracy, t.b.accuracy, t.accuracy_delta
                );
                let _ = writeln!(
                    out,
                    "| macro-F1 | {:.4} | {:.4} | {:+.4} |",
                    t.a.macro_f1, t.b.macro_f1, t.macro_f1_delta
                );
                for ((label, d), (ca, cb)) in t.f1_delta.iter().zip(t.a.per_class.iter().zip(&t.b.per_class)) {
                    let _ = writeln!(out, "| F1 {label} | {:.4} | {:.4} | {d:+.4} |", ca.f1, cb.f1);
                }
                let _ = writeln!(out, "| ECE | {:.4} | {:.4} | {:+.4} |", t.a.ece, t.b.ece, t.ece_delta);
                let _ = writeln!(out, "| Brier | {:.4} | {:.4} | {:+.4} |\n", t.a.brier, t.b.brier, t.brier_delta);
            }
        }
        for (title, groups) in [("By source", &self.by_source), ("By speaker", &self.by_speaker)] {
            if groups.is_empty() {
                continue;
            }
            let _ = writeln!(out, "## {title}\n\n| name | sentences | stance flips | claim flips | mean Δ confidence |\n|---|---:|---:|---:|---:|");
            for g in groups.iter().take(25) {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {:+.4} |",
                    cell(&g.name),
                    g.sentences,
                    g.stance_flips,
                    g.claim_flips,
                    g.mean_confidence_delta
                );
            }
            if groups.len() > 25 {
                let _ = writeln!(out, "\n({} more in the JSON report)", groups.len() - 25);
            }
            out.push('\n');
        }
        if !self.changes.is_empty() {
            let _ = writeln!(
                out,
                "## Changed sentences (first {} of {})\n\n| article | # | A | B | sentence |\n|---|---:|---|---|---|",
                examples.min(self.changes.len()),
                self.changes.len()
            );
            let side = |s: &Side| {
                format!(
                    "{} {} / {}",
                    s.stance.as_deref().unwrap_or("-"),
                    s.confidence.map_or("-".into(), |c| format!("{c:.2}")),
                    match s.is_claim {
                        Some(true) => "claim",
                        Some(false) => "no claim",
                        None => "-",
                    }
                )
            };
            for change in self.changes.iter().take(examples) {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    cell(&change.article_id),
                    change.sentence_index,
                    side(&change.a),
                    side(&change.b),
                    cell(&change.text)
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gold::tests::record;

    #[test]
    fn a_run_against_itself_is_empty_and_flips_are_listed_exactly() {
        let a = vec![
            record("x", 0, "One.", [0.1, 0.8, 0.1], 0.2, Some("Ann")),
            record("x", 1, "Two.", [0.6, 0.3, 0.1], 0.7, None),
            record("y", 0, "Three.", [0.1, 0.3, 0.6], 0.4, None),
        ];
        let same = diff(&a, &a, None);
        assert!(same.is_empty(), "{same:#?}");
        assert_eq!(same.compared, 3);

        let mut b = a.clone();
        b[0] = record("x", 0, "One.", [0.1, 0.4, 0.5], 0.2, Some("Ann"));
        b[2] = record("y", 0, "Three.", [0.1, 0.3, 0.6], 0.6, None);
        b[1] = record("x", 1, "Two.", [0.55, 0.35, 0.1], 0.7, None);
        let d = diff(&a, &b, None);
        assert!(!d.is_empty());
        let keys: Vec<_> = d.changes.iter().map(|c| (c.article_id.as_str(), c.sentence_index)).collect();
        assert_eq!(keys, [("x", 0), ("y", 0)]);
        assert_eq!((d.stance_flips, d.claim_flips), (1, 1));
        assert_eq!(d.stance_transitions["neutral -> positive"], 1);
        assert_eq!(d.confidence.moved, 2);
        assert_eq!(d.by_speaker[0].name, "Ann");
        assert_eq!(d.by_speaker[0].stance_flips, 1);
        let md = d.markdown("a.jsonl", "b.jsonl", 10);
        assert!(md.contains("**1** stance flips") && md.contains("| neutral -> positive | 1 |"), "{md}");

        let gold = Gold::parse(r#"{"article_id":"x","sentence_index":0,"stance":"positive"}"#).unwrap();
        let with_gold = diff(&a, &b, Some(&gold));
        let stance = &with_gold.gold.unwrap().tasks[0];
        assert!((stance.accuracy_delta - 1.0).abs() < 1e-12);

        let shorter = &a[..2];
        let d = diff(&a, shorter, None);
        assert_eq!(d.only_in_a, vec![("y".to_owned(), 0)]);
    }
}
