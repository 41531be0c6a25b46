//! Perspectrum (Chen et al., NAACL 2019; CC BY-SA 4.0, `models/data/perspectrum/`): debate claims, the
//! perspectives on them, and gold clusters of equivalent perspectives (each `pids` group of a claim).
//!
//! Read for the claim clusterer's evaluation: a split's perspectives are the items, its gold clusters the
//! `pids` groups. A perspective can be listed under several claims (similar claims share perspectives, and 1,463
//! perspective ids occur in more than one split); within a split, groups that share a perspective are merged
//! (union-find), so the gold is a partition of the split's distinct perspectives.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::corpora::CorpusError;

/// One claim with its gold perspective groups.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PerspectrumClaim {
    #[serde(rename = "cId")]
    pub id: u64,
    pub text: String,
    pub perspectives: Vec<PerspectiveGroup>,
}

/// One gold group: perspectives that state the same thing, with their stance toward the claim.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PerspectiveGroup {
    pub pids: Vec<u64>,
    pub stance_label_3: String,
}

#[derive(Deserialize)]
struct PoolEntry {
    #[serde(rename = "pId")]
    id: u64,
    text: String,
}

/// The three files, read.
#[derive(Debug, Clone, Default)]
pub struct Perspectrum {
    pub claims: Vec<PerspectrumClaim>,
    /// Perspective id → text.
    pub perspectives: BTreeMap<u64, String>,
    /// Claim id → `train`, `dev` or `test`.
    pub split: BTreeMap<u64, String>,
}

/// One split's clustering task: distinct perspectives (ascending id) and the gold cluster of each.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterTask {
    pub ids: Vec<u64>,
    pub texts: Vec<String>,
    /// Gold cluster index per perspective (clusters numbered by their smallest perspective id's position).
    pub gold: Vec<usize>,
}

impl Perspectrum {
    /// Parses `perspectrum_with_answers_v1.0.json`, `perspective_pool_v1.0.json` and `dataset_split_v1.0.json`.
    pub fn parse(with_answers: &str, pool: &str, split: &str) -> Result<Perspectrum, CorpusError> {
        let json = |what: &str, e: serde_json::Error| CorpusError::Json(format!("{what}: {e}"));
        let claims: Vec<PerspectrumClaim> =
            serde_json::from_str(with_answers).map_err(|e| json("perspectrum_with_answers", e))?;
        let pool: Vec<PoolEntry> = serde_json::from_str(pool).map_err(|e| json("perspective_pool", e))?;
        let raw: BTreeMap<String, String> = serde_json::from_str(split).map_err(|e| json("dataset_split", e))?;
        let mut splits = BTreeMap::new();
        for (id, name) in raw {
            let id = id
                .parse::<u64>()
                .map_err(|e| CorpusError::Json(format!("dataset_split: claim id {id:?}: {e}")))?;
            splits.insert(id, name);
        }
        Ok(Perspectrum { claims, perspectives: pool.into_iter().map(|p| (p.id, p.text)).collect(), split: splits })
    }

    /// The clustering task of one split (`train`, `dev` or `test`); an error names a perspective id missing
    /// from the pool.
    pub fn cluster_task(&self, split: &str) -> Result<ClusterTask, CorpusError> {
        let groups: Vec<&Vec<u64>> = self
            .claims
            .iter()
            .filter(|c| self.split.get(&c.id).map(String::as_str) == Some(split))
            .flat_map(|c| c.perspectives.iter().map(|g| &g.pids))
            .filter(|pids| !pids.is_empty())
            .collect();
        let ids: Vec<u64> =
            groups.iter().flat_map(|g| g.iter().copied()).collect::<BTreeSet<u64>>().into_iter().collect();
        let position = |id: u64| ids.binary_search(&id).expect("collected above");
        let mut parent: Vec<usize> = (0..ids.len()).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for group in &groups {
            let first = position(group[0]);
            for &id in &group[1..] {
                let (a, b) = (root(&mut parent, first), root(&mut parent, position(id)));
                // The smaller index is the root, so a cluster is named by its smallest perspective id.
                parent[a.max(b)] = a.min(b);
            }
        }
        let mut number = BTreeMap::new();
        let mut gold = Vec::with_capacity(ids.len());
        for i in 0..ids.len() {
            let r = root(&mut parent, i);
            let next = number.len();
            gold.push(*number.entry(r).or_insert(next));
        }
        let texts = ids
            .iter()
            .map(|id| {
                self.perspectives
                    .get(id)
                    .cloned()
                    .ok_or_else(|| CorpusError::Json(format!("perspective {id} is not in the pool")))
            })
            .collect::<Result<Vec<String>, CorpusError>>()?;
        Ok(ClusterTask { ids, texts, gold })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_sharing_a_perspective_merge_within_a_split() {
        let answers = r#"[
            {"cId": 1, "text": "c1", "source": "x", "perspectives": [
                {"pids": [10, 11], "stance_label_3": "SUPPORT"}, {"pids": [12], "stance_label_3": "UNDERMINE"}]},
            {"cId": 2, "text": "c2", "source": "x", "perspectives": [
                {"pids": [11, 13], "stance_label_3": "SUPPORT"}]},
            {"cId": 3, "text": "c3", "source": "x", "perspectives": [{"pids": [14], "stance_label_3": "SUPPORT"}]}
        ]"#;
        let pool = r#"[{"pId": 10, "text": "a"}, {"pId": 11, "text": "b"}, {"pId": 12, "text": "c"},
            {"pId": 13, "text": "d"}, {"pId": 14, "text": "e"}]"#;
        let split = r#"{"1": "dev", "2": "dev", "3": "test"}"#;
        let data = Perspectrum::parse(answers, pool, split).unwrap();
        let dev = data.cluster_task("dev").unwrap();
        assert_eq!(dev.ids, vec![10, 11, 12, 13]);
        assert_eq!(dev.texts, vec!["a", "b", "c", "d"]);
        assert_eq!(dev.gold, vec![0, 0, 1, 0]);
        assert_eq!(data.cluster_task("test").unwrap().gold, vec![0]);
        assert!(data.cluster_task("train").unwrap().ids.is_empty());
        let missing = Perspectrum::parse(answers, "[]", split).unwrap();
        assert!(missing.cluster_task("dev").unwrap_err().to_string().contains("perspective 10"));
        assert!(Perspectrum::parse("{", pool, split).is_err());
    }
}
