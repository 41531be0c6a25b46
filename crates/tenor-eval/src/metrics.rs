//! Classification metrics: confusion matrix, accuracy, per-class and macro P/R/F1, ECE and Brier score.

use serde::Serialize;

/// Per-class precision, recall, F1 and support.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassScores {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// Everything Tenor reports for one classifier on one split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub n: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_class: Vec<ClassScores>,
    /// `confusion[gold][predicted]`, classes in `labels` order.
    pub confusion: Vec<Vec<usize>>,
    pub labels: Vec<String>,
    /// Expected calibration error of the top-label confidence, 15 equal-width bins.
    pub ece: f64,
    /// The bins behind `ece` (empty bins included): what a reliability diagram draws.
    pub reliability: Vec<ReliabilityBin>,
    /// Multi-class Brier score: mean over examples of the squared distance between probabilities and one-hot
    /// gold (0 is perfect, 2 is worst).
    pub brier: f64,
}

/// One confidence bin: examples whose top-label confidence falls in `[lower, upper)` (the last bin includes 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityBin {
    pub lower: f64,
    pub upper: f64,
    pub count: usize,
    /// Mean top-label confidence in the bin (0 when empty).
    pub mean_confidence: f64,
    /// Fraction of the bin's examples whose top label is right (0 when empty).
    pub accuracy: f64,
}

/// Number of confidence bins for ECE.
pub const ECE_BINS: usize = 15;

/// Scores predicted class probabilities `probs[i]` (one row per example, classes in `labels` order) against
/// `gold[i]` (a class index). The predicted class is the arg-max (first on ties).
///
/// # Panics
/// When lengths differ or a row has the wrong width: a caller bug, not an input problem.
pub fn evaluate(labels: &[&str], gold: &[usize], probs: &[Vec<f64>]) -> Report {
    assert_eq!(gold.len(), probs.len(), "one probability row per gold label");
    let k = labels.len();
    let mut confusion = vec![vec![0usize; k]; k];
    let mut bins = [(0usize, 0f64, 0f64); ECE_BINS]; // (count, sum confidence, sum correct)
    let mut brier = 0.0;
    for (&g, row) in gold.iter().zip(probs) {
        assert_eq!(row.len(), k, "probability row width");
        let (pred, conf) = argmax(row);
        confusion[g][pred] += 1;
        let bin = ((conf * ECE_BINS as f64) as usize).min(ECE_BINS - 1);
        bins[bin].0 += 1;
        bins[bin].1 += conf;
        bins[bin].2 += f64::from(u8::from(pred == g));
        brier += row.iter().enumerate().map(|(c, p)| (p - f64::from(u8::from(c == g))).powi(2)).sum::<f64>();
    }
    let n = gold.len();
    let per_class: Vec<ClassScores> = (0..k)
        .map(|c| {
            let tp = confusion[c][c] as f64;
            let predicted: usize = (0..k).map(|g| confusion[g][c]).sum();
            let support: usize = confusion[c].iter().sum();
            let precision = if predicted == 0 { 0.0 } else { tp / predicted as f64 };
            let recall = if support == 0 { 0.0 } else { tp / support as f64 };
            let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
            ClassScores { label: labels[c].to_owned(), precision, recall, f1, support }
        })
        .collect();
    let correct: usize = (0..k).map(|c| confusion[c][c]).sum();
    let nf = n.max(1) as f64;
    Report {
        n,
        accuracy: correct as f64 / nf,
        macro_f1: per_class.iter().map(|c| c.f1).sum::<f64>() / k as f64,
        per_class,
        confusion,
        labels: labels.iter().map(|l| (*l).to_owned()).collect(),
        ece: bins.iter().map(|(_, conf, correct)| (conf - correct).abs()).sum::<f64>() / nf,
        reliability: bins
            .iter()
            .enumerate()
            .map(|(i, &(count, conf, correct))| ReliabilityBin {
                lower: i as f64 / ECE_BINS as f64,
                upper: (i + 1) as f64 / ECE_BINS as f64,
                count,
                mean_confidence: if count == 0 { 0.0 } else { conf / count as f64 },
                accuracy: if count == 0 { 0.0 } else { correct / count as f64 },
            })
            .collect(),
        brier: brier / nf,
    }
}

fn argmax(row: &[f64]) -> (usize, f64) {
    row.iter().enumerate().fold((0, f64::NEG_INFINITY), |best, (i, &p)| if p > best.1 { (i, p) } else { best })
}

impl Report {
    /// The report as a plain-text table.
    pub fn table(&self, title: &str) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(out, "{title}  (n = {})", self.n);
        let _ = writeln!(
            out,
            "  accuracy {:.4}   macro-F1 {:.4}   ECE(15) {:.4}   Brier {:.4}",
            self.accuracy, self.macro_f1, self.ece, self.brier
        );
        let _ = writeln!(out, "  {:<10} {:>9} {:>9} {:>9} {:>8}", "class", "precision", "recall", "F1", "support");
        for c in &self.per_class {
            let _ = writeln!(
                out,
                "  {:<10} {:>9.4} {:>9.4} {:>9.4} {:>8}",
                c.label, c.precision, c.recall, c.f1, c.support
            );
        }
        let _ = write!(out, "  confusion (rows gold, columns predicted):\n  {:<10}", "");
        for l in &self.labels {
            let _ = write!(out, " {l:>9}");
        }
        out.push('\n');
        for (l, row) in self.labels.iter().zip(&self.confusion) {
            let _ = write!(out, "  {l:<10}");
            for v in row {
                let _ = write!(out, " {v:>9}");
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_known_cases() {
        let labels = ["neg", "pos"];
        let r = evaluate(&labels, &[0, 1], &[vec![1.0, 0.0], vec![0.0, 1.0]]);
        assert_eq!((r.accuracy, r.macro_f1, r.ece, r.brier), (1.0, 1.0, 0.0, 0.0));

        // gold: 0,0,1,1; predicted: 0,1,1,1 -> class 0: P=1 R=.5 F1=2/3; class 1: P=2/3 R=1 F1=.8
        let probs = vec![vec![0.9, 0.1], vec![0.4, 0.6], vec![0.2, 0.8], vec![0.3, 0.7]];
        let r = evaluate(&labels, &[0, 0, 1, 1], &probs);
        assert_eq!(r.confusion, vec![vec![1, 1], vec![0, 2]]);
        assert!((r.per_class[0].f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.per_class[1].f1 - 0.8).abs() < 1e-12);
        assert!((r.accuracy - 0.75).abs() < 1e-12);
        // Bins: 0.9 (correct), 0.6 (wrong), 0.8 (correct), 0.7 (correct): |0.9-1|+|0.6-0|+|0.8-1|+|0.7-1| = 1.2
        assert!((r.ece - 1.2 / 4.0).abs() < 1e-12, "{}", r.ece);
        assert_eq!(r.reliability.len(), ECE_BINS);
        assert_eq!(r.reliability.iter().map(|b| b.count).sum::<usize>(), 4);
        let top = &r.reliability[13]; // 0.9 falls in [13/15, 14/15)
        assert_eq!((top.count, top.accuracy), (1, 1.0));
        assert!((top.mean_confidence - 0.9).abs() < 1e-12);
        let brier = (0.02 + 0.72 + 0.08 + 0.18) / 4.0;
        assert!((r.brier - brier).abs() < 1e-12);
        assert!(r.table("t").contains("macro-F1 0.7333"));
    }
}

/// Precision, recall and F1 of one clustering measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn new(precision: f64, recall: f64) -> Prf {
        let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
        Prf { precision, recall, f1 }
    }
}

/// A predicted clustering scored against a gold one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClusterScores {
    pub items: usize,
    pub gold_clusters: usize,
    pub predicted_clusters: usize,
    /// Over pairs of items: a pair is predicted when both items share a predicted cluster, right when they
    /// also share a gold one. With no predicted pair, precision is 1 (nothing was wrongly joined).
    pub pairwise: Prf,
    /// B-cubed (Bagga & Baldwin 1998): per item, the share of its predicted cluster in its gold cluster
    /// (precision) and of its gold cluster in its predicted cluster (recall), averaged over items.
    pub bcubed: Prf,
}

/// Scores `predicted[i]` against `gold[i]` (cluster labels per item; only equality matters).
///
/// # Panics
/// When the lengths differ (a caller bug).
pub fn cluster_scores<G: Ord, P: Ord>(gold: &[G], predicted: &[P]) -> ClusterScores {
    use std::collections::BTreeMap;
    assert_eq!(gold.len(), predicted.len(), "one predicted label per gold label");
    let mut joint: BTreeMap<(&G, &P), usize> = BTreeMap::new();
    let mut gold_sizes: BTreeMap<&G, usize> = BTreeMap::new();
    let mut predicted_sizes: BTreeMap<&P, usize> = BTreeMap::new();
    for (g, p) in gold.iter().zip(predicted) {
        *joint.entry((g, p)).or_default() += 1;
        *gold_sizes.entry(g).or_default() += 1;
        *predicted_sizes.entry(p).or_default() += 1;
    }
    let pairs = |n: usize| (n * n.saturating_sub(1) / 2) as f64;
    let right: f64 = joint.values().map(|&n| pairs(n)).sum();
    let predicted_pairs: f64 = predicted_sizes.values().map(|&n| pairs(n)).sum();
    let gold_pairs: f64 = gold_sizes.values().map(|&n| pairs(n)).sum();
    let pairwise = Prf::new(
        if predicted_pairs == 0.0 { 1.0 } else { right / predicted_pairs },
        if gold_pairs == 0.0 { 1.0 } else { right / gold_pairs },
    );
    let n = gold.len().max(1) as f64;
    let (mut precision, mut recall) = (0.0, 0.0);
    for (&(g, p), &count) in &joint {
        let count = count as f64;
        precision += count * count / predicted_sizes[p] as f64;
        recall += count * count / gold_sizes[g] as f64;
    }
    ClusterScores {
        items: gold.len(),
        gold_clusters: gold_sizes.len(),
        predicted_clusters: predicted_sizes.len(),
        pairwise,
        bcubed: Prf::new(precision / n, recall / n),
    }
}

#[cfg(test)]
mod cluster_tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn cluster_scores_on_hand_examples() {
        // Gold {a,b,c} {d,e}; predicted {a,b} {c,d,e}.
        let s = cluster_scores(&[1, 1, 1, 2, 2], &["x", "x", "y", "y", "y"]);
        // Pairs: gold ab ac bc de (4); predicted ab cd ce de (4); right ab de (2).
        close(s.pairwise.precision, 0.5);
        close(s.pairwise.recall, 0.5);
        close(s.pairwise.f1, 0.5);
        // B-cubed precision: a,b 2/2; c 1/3; d,e 2/3 -> (1+1+1/3+2/3+2/3)/5 = 11/15.
        close(s.bcubed.precision, 11.0 / 15.0);
        // Recall: a,b 2/3; c 1/3; d,e 2/2 -> (2/3+2/3+1/3+1+1)/5 = 11/15.
        close(s.bcubed.recall, 11.0 / 15.0);
        assert_eq!((s.items, s.gold_clusters, s.predicted_clusters), (5, 2, 2));

        // Every item alone: no predicted pair (precision 1 by convention), pairwise recall 0.
        let s = cluster_scores(&[1, 1, 2], &[1, 2, 3]);
        assert_eq!((s.pairwise.precision, s.pairwise.recall, s.pairwise.f1), (1.0, 0.0, 0.0));
        close(s.bcubed.precision, 1.0);
        close(s.bcubed.recall, (0.5 + 0.5 + 1.0) / 3.0);
        // Perfect.
        let s = cluster_scores(&[3, 3, 4], &[7, 7, 9]);
        assert_eq!((s.pairwise.f1, s.bcubed.f1), (1.0, 1.0));
        // All in one: B-cubed recall 1, precision the gold cluster shares.
        let s = cluster_scores(&[1, 1, 2, 2], &[0, 0, 0, 0]);
        close(s.bcubed.recall, 1.0);
        close(s.bcubed.precision, 0.5);
        close(s.pairwise.precision, 2.0 / 6.0);
    }
}
