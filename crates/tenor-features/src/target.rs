//! A target mention as a validated byte range of its sentence ([`TargetRange`]), converted from the code-point
//! offsets of the record contract and NewsMTSC.
//!
//! Guarantees: a `TargetRange` built by [`TargetRange::from_code_points`] is non-empty, inside the text, and
//! starts and ends on the boundary of a user-perceived character (never before a combining mark, joiner,
//! variation selector or skin-tone modifier).

use std::ops::Range;

use crate::FeatureError;

/// A target mention as a byte range of the sentence, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRange(pub Range<usize>);

impl TargetRange {
    /// Converts NewsMTSC-style code-point offsets `[from, to)` into a byte range of `text`.
    ///
    /// Errors when the range is empty or reversed, ends past the text, or starts or ends inside a
    /// user-perceived character (before a combining mark, zero-width joiner, variation selector or emoji skin
    /// tone modifier, which belong to the character before them).
    pub fn from_code_points(text: &str, from: usize, to: usize) -> Result<TargetRange, FeatureError> {
        let invalid = |detail: String| FeatureError::InvalidTarget { from, to, detail };
        if from >= to {
            return Err(invalid("`from` must be smaller than `to`".into()));
        }
        let mut start = None;
        let mut end = None;
        let mut count = 0;
        for (i, (byte, c)) in text.char_indices().enumerate() {
            if i == from || i == to {
                if is_extending(c) {
                    return Err(invalid(format!(
                        "offset {i} splits a character (U+{:04X} extends the one before)",
                        c as u32
                    )));
                }
                if i == from {
                    start = Some(byte);
                } else {
                    end = Some(byte);
                    break;
                }
            }
            count = i + 1;
        }
        if to == count && end.is_none() {
            end = Some(text.len());
        }
        match (start, end) {
            (Some(start), Some(end)) => Ok(TargetRange(start..end)),
            _ => Err(invalid(format!("the text has only {} code points", text.chars().count()))),
        }
    }
}

fn is_extending(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
        | 0xFE00..=0xFE0F | 0x200C..=0x200D | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F | 0xE0100..=0xE01EF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_offsets_are_checked() {
        let text = "Café e\u{301} 👍🏽 ok";
        assert_eq!(TargetRange::from_code_points(text, 0, 4).unwrap().0, 0..5);
        assert_eq!(TargetRange::from_code_points(text, 11, 13).unwrap().0, text.len() - 2..text.len());
        assert!(TargetRange::from_code_points(text, 3, 3).is_err());
        assert!(TargetRange::from_code_points(text, 12, 15).is_err(), "past the end");
        assert!(TargetRange::from_code_points(text, 5, 6).is_err(), "splits e + combining accent");
        assert!(TargetRange::from_code_points(text, 8, 9).is_err(), "splits the emoji from its skin tone");
    }
}
