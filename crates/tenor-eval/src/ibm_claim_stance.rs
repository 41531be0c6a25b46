//! IBM Debater Claim Stance (Bar-Haim et al., EACL 2017; `models/data/ibm_claim_stance/`): 2,393 claims on 55
//! debate topics, each PRO or CON the topic, in a train and a test split. Read as
//! [`crate::opposition::Context`]s (one per topic, its claims the statements, PRO = side 0, CON = side 1) for
//! the opposition task of `tenor eval tension`.

use crate::corpora::CorpusError;
use crate::opposition::{Context, Statement};

/// The topics of one split (`train` or `test`), in order of first appearance, with their claims
/// (`claims.claimCorrectedText`) in file order. A row with too few fields, an unknown stance or an unclosed
/// quote is an error naming its line.
pub fn read_claim_stance(csv: &str, split: &str) -> Result<Vec<Context>, CorpusError> {
    let rows = parse_csv(csv)?;
    let Some((header, rows)) = rows.split_first() else {
        return Err(CorpusError::Line { line: 1, detail: "empty file".into() });
    };
    let column = |name: &str| {
        header
            .1
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| CorpusError::Line { line: 1, detail: format!("no column {name:?}") })
    };
    let (topic, split_col, topic_text, claim_id, stance, text) = (
        column("topicId")?,
        column("split")?,
        column("topicText")?,
        column("claims.claimId")?,
        column("claims.stance")?,
        column("claims.claimCorrectedText")?,
    );
    let width = header.1.len();
    let mut contexts: Vec<Context> = Vec::new();
    for (line, fields) in rows {
        if fields.len() == 1 && fields[0].is_empty() {
            continue;
        }
        if fields.len() != width {
            return Err(CorpusError::Line {
                line: *line,
                detail: format!("{} fields, the header has {width}", fields.len()),
            });
        }
        if fields[split_col] != split {
            continue;
        }
        let side = match fields[stance].as_str() {
            "PRO" => 0,
            "CON" => 1,
            other => return Err(CorpusError::Line { line: *line, detail: format!("stance {other:?}") }),
        };
        let statement = Statement { id: fields[claim_id].clone(), text: fields[text].clone(), side };
        match contexts.iter_mut().find(|c| c.id == fields[topic]) {
            Some(context) => context.statements.push(statement),
            None => contexts.push(Context {
                id: fields[topic].clone(),
                text: fields[topic_text].clone(),
                statements: vec![statement],
            }),
        }
    }
    Ok(contexts)
}

/// RFC 4180 CSV: fields separated by commas, quoted fields may hold commas, line breaks and doubled quotes.
/// Returns each record with the line it starts on (from 1).
fn parse_csv(text: &str) -> Result<Vec<(usize, Vec<String>)>, CorpusError> {
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let (mut line, mut start) = (1, 1);
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => fields.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                records.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err(CorpusError::Line { line: start, detail: "unclosed quote".into() });
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        records.push((start, fields));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "topicId,split,topicText,claims.claimId,claims.stance,claims.claimCorrectedText\n\
        1,train,Ban it,10,PRO,\"It harms, \"\"badly\"\"\"\n\
        1,train,Ban it,11,CON,It helps\n\
        2,test,Allow it,12,CON,\"Two\nlines\"\n\
        1,train,Ban it,13,PRO,Also bad\n";

    #[test]
    fn reads_topics_with_their_claims() {
        let train = read_claim_stance(CSV, "train").unwrap();
        assert_eq!(train.len(), 1);
        assert_eq!(train[0].text, "Ban it");
        let got: Vec<(&str, usize)> = train[0].statements.iter().map(|s| (s.text.as_str(), s.side)).collect();
        assert_eq!(got, [("It harms, \"badly\"", 0), ("It helps", 1), ("Also bad", 0)]);
        let test = read_claim_stance(CSV, "test").unwrap();
        assert_eq!(test[0].statements[0].text, "Two\nlines");
    }

    #[test]
    fn bad_rows_name_their_line() {
        let bad = format!("{CSV}1,train,Ban it,14,MAYBE,x\n");
        assert_eq!(read_claim_stance(&bad, "train").unwrap_err().to_string(), "line 7: stance \"MAYBE\"");
        let short = "topicId,split,topicText,claims.claimId,claims.stance,claims.claimCorrectedText\n1,train\n";
        assert!(read_claim_stance(short, "train").unwrap_err().to_string().starts_with("line 2:"));
        assert!(read_claim_stance("a\n\"open", "train").is_err());
    }

    #[test]
    fn the_shipped_file_holds_what_its_source_says() {
        // Read at run time, not compiled in: the container build has no training or evaluation data.
        let path =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/data/ibm_claim_stance/claim_stance_dataset_v1.csv");
        let csv = &std::fs::read_to_string(path).unwrap();
        let count =
            |split| read_claim_stance(csv, split).unwrap().iter().map(|c| c.statements.len()).sum::<usize>();
        assert_eq!((count("train"), count("test")), (1038, 1355));
        assert_eq!(
            read_claim_stance(csv, "train").unwrap().len() + read_claim_stance(csv, "test").unwrap().len(),
            55
        );
    }
}
