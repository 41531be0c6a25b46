//! Readers for the labelled stance and claim corpora: NewsMTSC (JSONL) and ClaimBuster (JSON array).

use serde::Deserialize;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CorpusError {
    #[error("line {line}: {detail}")]
    Line { line: usize, detail: String },
    #[error("{0}")]
    Json(String),
}

/// One NewsMTSC target: a mention in a sentence with its polarity toward it.
#[derive(Debug, Clone, PartialEq)]
pub struct StanceExample {
    /// The sentence's `primary_gid`; targets of one sentence share it (folds keep them together).
    pub sentence_id: String,
    pub text: String,
    pub mention: String,
    /// Code-point offsets of the mention in `text`.
    pub from: usize,
    pub to: usize,
    /// 0 negative, 1 neutral, 2 positive.
    pub label: usize,
}

#[derive(Deserialize)]
struct MtscLine {
    primary_gid: String,
    sentence_normalized: String,
    targets: Vec<MtscTarget>,
}

#[derive(Deserialize)]
struct MtscTarget {
    from: usize,
    to: usize,
    mention: String,
    polarity: f64,
}

/// Reads NewsMTSC JSONL: one sentence per line, one example per target. Polarity 2/4/6 (also 2.0 etc.)
/// means negative/neutral/positive.
pub fn read_newsmtsc(text: &str) -> Result<Vec<StanceExample>, CorpusError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let err = |detail: String| CorpusError::Line { line: i + 1, detail };
        let parsed: MtscLine = serde_json::from_str(line).map_err(|e| err(e.to_string()))?;
        for t in parsed.targets {
            let label = match t.polarity as i64 {
                2 => 0,
                4 => 1,
                6 => 2,
                other => return Err(err(format!("polarity {other} is not 2, 4 or 6"))),
            };
            out.push(StanceExample {
                sentence_id: parsed.primary_gid.clone(),
                text: parsed.sentence_normalized.clone(),
                mention: t.mention,
                from: t.from,
                to: t.to,
                label,
            });
        }
    }
    Ok(out)
}

/// One ClaimBuster sentence: `label` 1 is a check-worthy factual claim.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ClaimExample {
    pub sentence_id: u64,
    pub label: u8,
    pub text: String,
}

/// Reads ClaimBuster's `train.json` (a JSON array of `{sentence_id, label, text}`).
pub fn read_claimbuster(text: &str) -> Result<Vec<ClaimExample>, CorpusError> {
    let out: Vec<ClaimExample> = serde_json::from_str(text).map_err(|e| CorpusError::Json(e.to_string()))?;
    if let Some(bad) = out.iter().find(|e| e.label > 1) {
        return Err(CorpusError::Json(format!(
            "sentence {} has label {}, not 0 or 1",
            bad.sentence_id, bad.label
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_formats() {
        let line = r#"{"primary_gid":"g1","sentence_normalized":"Trump won.","targets":[{"Input.gid":"x","from":0,"to":5,"mention":"Trump","polarity":6.0}]}"#;
        let ex = read_newsmtsc(line).unwrap();
        assert_eq!(ex.len(), 1);
        assert_eq!((ex[0].label, ex[0].from, ex[0].to, ex[0].sentence_id.as_str()), (2, 0, 5, "g1"));
        assert!(read_newsmtsc(&line.replace("6.0", "5.0")).is_err());
        let cb = read_claimbuster(r#"[{"sentence_id":1,"label":1,"text":"Taxes rose 5%."}]"#).unwrap();
        assert_eq!(cb[0].label, 1);
        assert!(read_claimbuster(r#"[{"sentence_id":1,"label":3,"text":"x"}]"#).is_err());
    }
}
