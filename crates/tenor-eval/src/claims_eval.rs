//! The claim clusterer's measured quality (`tenor eval claims`, docs/CLAIMS.md): Perspectrum's perspective
//! clusters scored by pairwise and B-cubed F1, and exact-reprint recall on a stream of deterministic re-edits.
//!
//! Pure: the caller reads the files and runs the encoder; embeddings come in as vectors, one per text.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use tenor_claims::cluster::{normalize, text_hash, ClaimIndex, ClusterConfig};
use tenor_core::{Claim, ClaimKind, Origin, SentenceKind, SentenceRecord, Span};

use crate::metrics::{cluster_scores, ClusterScores};
use crate::perspectrum::ClusterTask;

/// The time every item of a Perspectrum run gets (one window).
pub fn epoch() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").expect("constant").with_timezone(&Utc)
}

/// A minimal claim sentence record: `is_claim` true, kind `sentence`, `processed_at` = `at`, no publication
/// time, the outlet as `article_source`.
pub fn claim_sentence(
    article_id: &str,
    index: usize,
    text: &str,
    outlet: Option<&str>,
    at: DateTime<Utc>,
) -> SentenceRecord {
    let mut record = SentenceRecord::unanalysed(
        article_id.to_owned(),
        index,
        text.to_owned(),
        Span::new(0, text.chars().count()),
        SentenceKind::Sentence,
        Origin::File { file: "-".into(), line: 1 },
        at,
    );
    record.article_source = outlet.map(str::to_owned);
    record.claim = Some(Claim { is_claim: true, score: 1.0, kind: ClaimKind::Assertion });
    record
}

/// Every record through one fresh index, in order; the cluster id of each.
pub fn cluster_ids(
    records: &[SentenceRecord],
    embeddings: Option<&[Vec<f32>]>,
    config: &ClusterConfig,
) -> Vec<String> {
    let mut index = ClaimIndex::new(config.clone());
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let embedding = embeddings.map(|e| e[i].as_slice());
            index.assign(r, embedding).map(|a| a.cluster_id).unwrap_or_default()
        })
        .collect()
}

/// The clusterings reported for one Perspectrum split, each scored against the gold clusters.
#[derive(Debug, Clone, Serialize)]
pub struct PerspectrumReport {
    pub split: String,
    /// Every perspective its own cluster.
    pub singletons: ClusterScores,
    /// Equal normalised text only (the clusterer's exact step alone).
    pub exact: ClusterScores,
    /// The clusterer without embeddings.
    pub lexical: ClusterScores,
    /// The clusterer with embeddings; absent when none were given.
    pub embedding: Option<ClusterScores>,
}

/// The perspectives of a task as claim sentences (article `p<id>`, in ascending id order, one time).
pub fn task_records(task: &ClusterTask) -> Vec<SentenceRecord> {
    task.ids
        .iter()
        .zip(&task.texts)
        .map(|(id, text)| claim_sentence(&format!("p{id}"), 0, text, None, epoch()))
        .collect()
}

/// Scores the clusterer (lexical-only, and with `embeddings` when given: one per perspective) and the two
/// baselines on a task.
pub fn evaluate_perspectrum(
    split: &str,
    task: &ClusterTask,
    embeddings: Option<&[Vec<f32>]>,
    config: &ClusterConfig,
) -> PerspectrumReport {
    let records = task_records(task);
    let singletons: Vec<usize> = (0..task.ids.len()).collect();
    let exact: Vec<u64> = task.texts.iter().map(|t| text_hash(&normalize(t, config.max_text_bytes))).collect();
    let lexical = cluster_ids(&records, None, &config.clone().lexical_only());
    PerspectrumReport {
        split: split.to_owned(),
        singletons: cluster_scores(&task.gold, &singletons),
        exact: cluster_scores(&task.gold, &exact),
        lexical: cluster_scores(&task.gold, &lexical),
        embedding: embeddings.map(|e| cluster_scores(&task.gold, &cluster_ids(&records, Some(e), config))),
    }
}

/// The re-edits of the reprint stream, in the order each original gets them.
pub const EDITS: [&str; 8] =
    ["quotes", "punctuation", "case", "white_space", "said_swap", "clause_cut", "dateline", "combined"];

/// One sentence of the reprint stream.
#[derive(Debug, Clone)]
pub struct ReprintItem {
    pub record: SentenceRecord,
    /// Index of the original among the originals.
    pub original: usize,
    /// `None` for the original itself, else the edit (one of [`EDITS`]).
    pub edit: Option<&'static str>,
}

/// One re-edit of a sentence, as another outlet would print it. Deterministic.
pub fn re_edit(text: &str, edit: &str) -> String {
    let text = text.trim();
    match edit {
        "quotes" => {
            let mut open = true;
            text.chars()
                .map(|c| match c {
                    '"' => {
                        open = !open;
                        if open {
                            '\u{201d}'
                        } else {
                            '\u{201c}'
                        }
                    }
                    '\u{201c}' | '\u{201d}' => '"',
                    '\'' => '\u{2019}',
                    '\u{2019}' => '\'',
                    other => other,
                })
                .collect()
        }
        "punctuation" => {
            let mut out: String = text.chars().filter(|c| !matches!(c, ',' | ';')).collect();
            match out.pop() {
                Some('.') => out.push('!'),
                Some(c) => {
                    out.push(c);
                    out.push('.');
                }
                None => {}
            }
            out.replace(" - ", " \u{2014} ")
        }
        "case" => text.to_uppercase(),
        "white_space" => {
            let words: Vec<&str> = text.split_whitespace().collect();
            let mid = words.len() / 2;
            let mut out = String::from("  ");
            for (i, w) in words.iter().enumerate() {
                out.push_str(w);
                out.push_str(if i + 1 == mid { "\n\t" } else { "  " });
            }
            out
        }
        "said_swap" => {
            if let Some(at) = text.find(" said") {
                format!("{} told reporters{}", &text[..at], &text[at + 5..])
            } else if let Some(at) = text.find(" told reporters") {
                format!("{} said{}", &text[..at], &text[at + 15..])
            } else {
                let body = text.trim_end_matches(['.', '!', '?']);
                format!("{body}, officials told reporters.")
            }
        }
        "clause_cut" => {
            // Cut at the last comma in the second half; else drop the last quarter of the words.
            let half = text.len() / 2;
            match text.rfind(", ").filter(|&at| at > half) {
                Some(at) => format!("{}.", &text[..at]),
                None => {
                    let words: Vec<&str> = text.split_whitespace().collect();
                    let keep = (words.len() * 3).div_ceil(4).min(words.len());
                    format!("{}.", words[..keep].join(" ").trim_end_matches(['.', ',', '!', '?']))
                }
            }
        }
        "dateline" => format!("WASHINGTON (Tenor Wire) \u{2014} {text}"),
        "combined" => re_edit(&re_edit(&re_edit(text, "said_swap"), "quotes"), "dateline"),
        _ => text.to_owned(),
    }
}

/// The reprint stream: the originals, and outlet by outlet every original re-edited with one edit (outlet `k`
/// applies `EDITS[k]`, `k + 1` hours after the original), all in event-time order.
pub fn reprint_stream(originals: &[SentenceRecord]) -> Vec<ReprintItem> {
    let mut items: Vec<ReprintItem> = originals
        .iter()
        .enumerate()
        .map(|(i, r)| ReprintItem { record: r.clone(), original: i, edit: None })
        .collect();
    for (k, edit) in EDITS.iter().enumerate() {
        let outlet = format!("Reprint outlet {k}");
        for (i, original) in originals.iter().enumerate() {
            let at = original.published_at.map_or(original.processed_at, |t| t.with_timezone(&Utc))
                + Duration::hours(k as i64 + 1);
            let mut record = claim_sentence(
                &format!("reprint-{k}-{}", original.article_id),
                original.sentence_index,
                &re_edit(&original.text, edit),
                Some(&outlet),
                at,
            );
            record.attribution = original.attribution.clone();
            record.stance = original.stance.clone();
            items.push(ReprintItem { record, original: i, edit: Some(edit) });
        }
    }
    // In event-time order (stable: originals before their re-edits at equal times), as a live stream would
    // bring them; otherwise the window, whose clock is the newest time seen, would drop an old article's
    // cluster before its re-edits arrive.
    let time = |r: &SentenceRecord| r.published_at.map_or(r.processed_at, |t| t.with_timezone(&Utc));
    items.sort_by_key(|item| time(&item.record));
    items
}

/// Reprint recall for one clustering of the stream.
#[derive(Debug, Clone, Serialize)]
pub struct ReprintScores {
    pub originals: usize,
    /// Originals with distinct normalised text.
    pub distinct_originals: usize,
    pub re_edits: usize,
    /// Share of re-edits placed in their original's cluster.
    pub recall: f64,
    /// The same by edit, in [`EDITS`] order.
    pub recall_by_edit: BTreeMap<String, f64>,
    /// Share of distinct originals that share a cluster with another distinct original.
    pub wrongly_merged: f64,
}

/// Scores the cluster ids `ids[i]` of `stream[i]`.
pub fn reprint_scores(stream: &[ReprintItem], ids: &[String]) -> ReprintScores {
    let mut original_id: BTreeMap<usize, &str> = BTreeMap::new();
    let mut texts_in_cluster: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut original_texts: BTreeMap<u64, &str> = BTreeMap::new();
    for (item, id) in stream.iter().zip(ids) {
        if item.edit.is_none() {
            original_id.insert(item.original, id);
            let h = text_hash(&normalize(&item.record.text, 1 << 20));
            texts_in_cluster.entry(id).or_default().push(h);
            original_texts.insert(h, id);
        }
    }
    let mut by_edit: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (item, id) in stream.iter().zip(ids) {
        if let Some(edit) = item.edit {
            let entry = by_edit.entry(edit).or_default();
            entry.1 += 1;
            if original_id.get(&item.original).is_some_and(|o| *o == id) {
                entry.0 += 1;
            }
        }
    }
    let merged =
        original_texts.iter().filter(|(h, id)| texts_in_cluster[**id].iter().any(|other| other != *h)).count();
    let (hits, total) = by_edit.values().fold((0, 0), |(h, t), (a, b)| (h + a, t + b));
    ReprintScores {
        originals: original_id.len(),
        distinct_originals: original_texts.len(),
        re_edits: total,
        recall: hits as f64 / total.max(1) as f64,
        recall_by_edit: by_edit
            .iter()
            .map(|(e, (h, t))| ((*e).to_owned(), *h as f64 / (*t).max(1) as f64))
            .collect(),
        wrongly_merged: merged as f64 / original_texts.len().max(1) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn re_edits_are_deterministic_and_change_the_text() {
        let text = "\"We will not raise taxes,\" the minister said on Tuesday, adding that spending would fall.";
        for edit in EDITS {
            let edited = re_edit(text, edit);
            assert_ne!(edited, text, "{edit}");
            assert_eq!(edited, re_edit(text, edit));
        }
        assert_eq!(re_edit(text, "said_swap"), text.replace(" said", " told reporters"));
        assert_eq!(re_edit(text, "clause_cut"), "\"We will not raise taxes,\" the minister said on Tuesday.");
        assert!(re_edit(text, "quotes").starts_with('\u{201c}'));
        assert_eq!(re_edit("Rain fell.", "said_swap"), "Rain fell, officials told reporters.");
        assert_eq!(re_edit("", "clause_cut"), ".");
    }

    #[test]
    fn reprints_of_distinct_claims_are_found_and_kept_apart() {
        let originals: Vec<SentenceRecord> = [
            "\"We will not raise taxes this year,\" the finance minister said on Tuesday, adding that spending would fall.",
            "Flooding along the river forced 2,000 residents from their homes, the regional governor said.",
            "The company reported a record quarterly profit of 4 billion dollars, driven by strong cloud sales.",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| claim_sentence(&format!("a{i}"), i, t, Some("Wire"), epoch()))
        .collect();
        let stream = reprint_stream(&originals);
        assert_eq!(stream.len(), 3 * (1 + EDITS.len()));
        let records: Vec<SentenceRecord> = stream.iter().map(|i| i.record.clone()).collect();
        let ids = cluster_ids(&records, None, &ClusterConfig::default().lexical_only());
        let scores = reprint_scores(&stream, &ids);
        assert_eq!((scores.originals, scores.distinct_originals, scores.re_edits), (3, 3, 24));
        assert_eq!(scores.wrongly_merged, 0.0);
        assert!(scores.recall >= 0.9, "{scores:?}");
        // Everything in one cluster: recall 1, every original wrongly merged.
        let one = vec!["c".to_owned(); stream.len()];
        let scores = reprint_scores(&stream, &one);
        assert_eq!((scores.recall, scores.wrongly_merged), (1.0, 1.0));
    }
}
