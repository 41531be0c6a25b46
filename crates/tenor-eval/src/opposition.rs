//! Opposition of two statements about one claim or topic, the task `tenor eval tension` measures tension's
//! rule on (docs/CLAIMS.md, "Tension"): given a context (a claim, a topic) and two statements about it, do they
//! oppose each other?
//!
//! - Perspectrum ([`perspectrum_pairs`]): for each claim of a split, every pair of its gold perspective clusters,
//!   one perspective per cluster (the cluster's first pid); opposing = their `stance_label_3` differ
//!   (SUPPORT vs UNDERMINE).
//! - IBM Claim Stance (`crate::ibm_claim_stance`): pairs of claims of one topic, opposing = PRO vs CON.
//!
//! [`OppositionScores`] are accuracy and precision / recall / F1 of the class "opposing".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::corpora::CorpusError;

/// One statement about a context, with its gold side (0 or 1: SUPPORT/UNDERMINE, PRO/CON).
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Stable id (a Perspectrum pid, an IBM claim id).
    pub id: String,
    pub text: String,
    /// 0: supports the context (SUPPORT, PRO); 1: undermines it (UNDERMINE, CON).
    pub side: usize,
}

/// A context (claim or topic) with its statements, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// Stable id (a Perspectrum cId, an IBM topic id); the fold group of learned scorers.
    pub id: String,
    pub text: String,
    pub statements: Vec<Statement>,
}

/// Two statements of one context: indexes into `Context::statements`, and whether they oppose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub context: usize,
    pub a: usize,
    pub b: usize,
    pub opposing: bool,
}

/// Every pair of statements of each context (`a < b`), at most `cap` per context: when there are more, the
/// pairs with the smallest fixed hash of their two ids (64-bit FNV-1a), in that order, so the choice does not
/// depend on the process.
pub fn pairs(contexts: &[Context], cap: usize) -> Vec<Pair> {
    let mut out = Vec::new();
    for (c, context) in contexts.iter().enumerate() {
        let s = &context.statements;
        let mut all: Vec<(u64, Pair)> = Vec::new();
        for a in 0..s.len() {
            for b in a + 1..s.len() {
                let pair = Pair { context: c, a, b, opposing: s[a].side != s[b].side };
                all.push((fnv(&[s[a].id.as_bytes(), b"\0", s[b].id.as_bytes()]), pair));
            }
        }
        if all.len() > cap {
            all.sort_by_key(|(h, p)| (*h, p.a, p.b));
            all.truncate(cap);
            all.sort_by_key(|(_, p)| (p.a, p.b));
        }
        out.extend(all.into_iter().map(|(_, p)| p));
    }
    out
}

fn fnv(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.iter().flat_map(|p| p.iter()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[derive(Deserialize)]
struct PerspectrumClaim {
    #[serde(rename = "cId")]
    c_id: u64,
    text: String,
    perspectives: Vec<PerspectrumCluster>,
}

#[derive(Deserialize)]
struct PerspectrumCluster {
    pids: Vec<u64>,
    stance_label_3: String,
}

#[derive(Deserialize)]
struct PoolEntry {
    #[serde(rename = "pId")]
    p_id: u64,
    text: String,
}

/// The claims of one Perspectrum split (`train`, `dev`, `test`) as contexts, each gold perspective cluster
/// one statement (its first pid's text), from the texts of `perspectrum_with_answers_v1.0.json`,
/// `perspective_pool_v1.0.json` and `dataset_split_v1.0.json`.
pub fn perspectrum_contexts(
    answers: &str,
    pool: &str,
    splits: &str,
    split: &str,
) -> Result<Vec<Context>, CorpusError> {
    let json = |what: &str, e: serde_json::Error| CorpusError::Json(format!("{what}: {e}"));
    let claims: Vec<PerspectrumClaim> = serde_json::from_str(answers).map_err(|e| json("answers", e))?;
    let pool: Vec<PoolEntry> = serde_json::from_str(pool).map_err(|e| json("perspective pool", e))?;
    let splits: BTreeMap<String, String> = serde_json::from_str(splits).map_err(|e| json("split", e))?;
    let pool: BTreeMap<u64, String> = pool.into_iter().map(|p| (p.p_id, p.text)).collect();
    let mut out = Vec::new();
    for claim in claims {
        if splits.get(&claim.c_id.to_string()).map(String::as_str) != Some(split) {
            continue;
        }
        let mut statements = Vec::new();
        for cluster in &claim.perspectives {
            let Some(&pid) = cluster.pids.first() else { continue };
            let side = match cluster.stance_label_3.as_str() {
                "SUPPORT" => 0,
                "UNDERMINE" => 1,
                _ => continue,
            };
            let text = pool.get(&pid).ok_or_else(|| {
                CorpusError::Json(format!("claim {}: perspective {pid} not in the pool", claim.c_id))
            })?;
            statements.push(Statement { id: pid.to_string(), text: text.clone(), side });
        }
        out.push(Context { id: claim.c_id.to_string(), text: claim.text, statements });
    }
    Ok(out)
}

/// Accuracy and the "opposing" class's precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OppositionScores {
    pub pairs: usize,
    /// Gold opposing pairs.
    pub opposing: usize,
    /// Pairs predicted opposing.
    pub predicted: usize,
    pub accuracy: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl OppositionScores {
    pub fn of(gold: &[bool], predicted: &[bool]) -> OppositionScores {
        assert_eq!(gold.len(), predicted.len(), "one prediction per pair");
        let tp = gold.iter().zip(predicted).filter(|(g, p)| **g && **p).count();
        let right = gold.iter().zip(predicted).filter(|(g, p)| g == p).count();
        let opposing = gold.iter().filter(|g| **g).count();
        let n_predicted = predicted.iter().filter(|p| **p).count();
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let (precision, recall) = (ratio(tp, n_predicted), ratio(tp, opposing));
        let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
        OppositionScores {
            pairs: gold.len(),
            opposing,
            predicted: n_predicted,
            accuracy: ratio(right, gold.len()),
            precision,
            recall,
            f1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWERS: &str = r#"[{"cId": 7, "text": "C", "perspectives": [
        {"pids": [1, 9], "stance_label_3": "SUPPORT"}, {"pids": [2], "stance_label_3": "UNDERMINE"},
        {"pids": [3], "stance_label_3": "SUPPORT"}, {"pids": [], "stance_label_3": "SUPPORT"}]},
        {"cId": 8, "text": "D", "perspectives": [{"pids": [4], "stance_label_3": "SUPPORT"}]}]"#;
    const POOL: &str = r#"[{"pId": 1, "text": "one"}, {"pId": 2, "text": "two"}, {"pId": 3, "text": "three"},
        {"pId": 4, "text": "four"}, {"pId": 9, "text": "nine"}]"#;

    #[test]
    fn perspectrum_pairs_one_perspective_per_cluster() {
        let contexts = perspectrum_contexts(ANSWERS, POOL, r#"{"7": "dev", "8": "train"}"#, "dev").unwrap();
        assert_eq!(contexts.len(), 1);
        let texts: Vec<&str> = contexts[0].statements.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["one", "two", "three"]);
        let p = pairs(&contexts, 100);
        let got: Vec<(usize, usize, bool)> = p.iter().map(|p| (p.a, p.b, p.opposing)).collect();
        assert_eq!(got, [(0, 1, true), (0, 2, false), (1, 2, true)]);
        assert_eq!(pairs(&contexts, 2).len(), 2);
        assert_eq!(pairs(&contexts, 2), pairs(&contexts, 2));
        let bad = perspectrum_contexts(ANSWERS, r#"[{"pId": 1, "text": "one"}]"#, r#"{"7": "dev"}"#, "dev");
        assert!(bad.unwrap_err().to_string().contains("perspective 2"));
    }

    #[test]
    fn scores_count_the_opposing_class() {
        let s = OppositionScores::of(&[true, true, false, false], &[true, false, true, false]);
        assert_eq!((s.accuracy, s.precision, s.recall, s.f1), (0.5, 0.5, 0.5, 0.5));
        let none = OppositionScores::of(&[true, false], &[false, false]);
        assert_eq!((none.f1, none.accuracy), (0.0, 0.5));
    }
}
