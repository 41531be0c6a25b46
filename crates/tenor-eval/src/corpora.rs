//! Readers for the labelled stance and claim corpora: NewsMTSC (JSONL), ClaimBuster (JSON array), and
//! VADER's sentence-tone ground truth (tab-separated ratings).

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

/// One rated sentence of VADER's ground truth (Hutto & Gilbert 2014): the mean of 20 raters' sentiment
/// ratings of the sentence itself, from -4 (extremely negative) to +4 (extremely positive).
#[derive(Debug, Clone, PartialEq)]
pub struct ToneExample {
    pub id: String,
    pub rating: f64,
    pub text: String,
}

/// Half-width of the neutral band of [`ToneExample::label`], in rating points.
pub const TONE_NEUTRAL_BAND: f64 = 0.5;

/// [`ToneExample::clear_label`]: a mean within this distance of 0 is clearly neutral ...
pub const TONE_CLEAR_NEUTRAL: f64 = 0.25;
/// ... and one at least this far from 0 clearly negative or positive (a full point on the raters' scale).
pub const TONE_CLEAR_POLAR: f64 = 1.0;

impl ToneExample {
    /// The rating as a stance class (0 negative, 1 neutral, 2 positive): a mean that rounds to 0 on the
    /// raters' integer scale (|mean| < 0.5) is neutral, otherwise its sign decides.
    pub fn label(&self) -> usize {
        if self.rating <= -TONE_NEUTRAL_BAND {
            0
        } else if self.rating >= TONE_NEUTRAL_BAND {
            2
        } else {
            1
        }
    }

    /// The class of a clearly rated sentence, `None` for one the raters left in between (0.25 < |mean| < 1):
    /// such means mix "slightly" ratings with neutral ones, so their 3-class label is mostly noise (training
    /// on every row with [`ToneExample::label`] cost the sentence model 2.9 macro-F1 points on NewsMTSC dev;
    /// docs/MODELS.md, "Sentence tone from VADER's NYT ratings").
    pub fn clear_label(&self) -> Option<usize> {
        let magnitude = self.rating.abs();
        if magnitude <= TONE_CLEAR_NEUTRAL {
            Some(1)
        } else if magnitude >= TONE_CLEAR_POLAR {
            Some(self.label())
        } else {
            None
        }
    }
}

/// Reads a VADER `*_GroundTruth.txt` file: `id<TAB>mean rating<TAB>sentence` per line (CRLF or LF).
pub fn read_vader_ground_truth(text: &str) -> Result<Vec<ToneExample>, CorpusError> {
    let mut out = Vec::new();
    // `lines` drops the CR of CRLF line ends; the fields are trimmed below.
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |detail: String| CorpusError::Line { line: i + 1, detail };
        let mut fields = line.splitn(3, '\t');
        let (Some(id), Some(rating), Some(sentence)) = (fields.next(), fields.next(), fields.next()) else {
            return Err(bad("expected id<TAB>rating<TAB>sentence".into()));
        };
        let rating: f64 = rating.trim().parse().map_err(|_| bad(format!("rating {rating:?} is not a number")))?;
        if !(-4.0..=4.0).contains(&rating) {
            return Err(bad(format!("rating {rating} is outside -4..4")));
        }
        if sentence.trim().is_empty() {
            return Err(bad("empty sentence".into()));
        }
        out.push(ToneExample { id: id.trim().to_owned(), rating, text: sentence.trim().to_owned() });
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

    #[test]
    fn reads_vader_ratings_and_maps_them_to_three_classes() {
        let text = "1_1\t0.4\tEvents include sprinting.\r\n1_2\t-1.15\tSanta was no picture of health.\r\n\
                    1_3\t0.5\tToys go to homeless kids.\r\n1_4\t-0.45\tBut the games convey a message.\r\n";
        let rows = read_vader_ground_truth(text).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!((rows[1].id.as_str(), rows[1].text.as_str()), ("1_2", "Santa was no picture of health."));
        let labels: Vec<usize> = rows.iter().map(ToneExample::label).collect();
        assert_eq!(labels, [1, 0, 2, 1]);
        // Clear labels drop the in-between means (0.4, 0.5, -0.45) and keep -1.15.
        let clear: Vec<Option<usize>> = rows.iter().map(ToneExample::clear_label).collect();
        assert_eq!(clear, [None, Some(0), None, None]);
        let neutral = ToneExample { id: "x".into(), rating: -0.2, text: "x".into() };
        assert_eq!(neutral.clear_label(), Some(1));
        let positive = ToneExample { id: "x".into(), rating: 1.0, text: "x".into() };
        assert_eq!(positive.clear_label(), Some(2));
        for bad in ["1_1\tx\tText", "1_1\t4.5\tText", "1_1\t0.3", "1_1\t0.3\t  "] {
            let err = read_vader_ground_truth(bad).unwrap_err().to_string();
            assert!(err.starts_with("line 1:"), "{err}");
        }
    }
}
