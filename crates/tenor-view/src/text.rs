//! Record text as the page may show it: clipped at a character boundary, control characters replaced.

/// The longest text the view keeps from any record field, in characters (one ellipsis added when cut).
pub const MAX_TEXT_CHARS: usize = 600;
/// The longest name (speaker, outlet, title) the view keeps, in characters.
pub const MAX_NAME_CHARS: usize = 160;
/// The longest id (article, cluster, tension) the view keeps, in characters.
pub const MAX_ID_CHARS: usize = 200;

/// `text` cut to at most `max` characters (plus `…` when cut), with control characters (C0, C1, DEL)
/// replaced by a space and explicit bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069)
/// dropped: an override would show a sentence backwards. Right-to-left text itself is kept as it is; the page
/// sets each text's direction from its own first strong character and isolates it from its neighbours.
pub fn clip(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4 + 3));
    for (n, c) in text.chars().filter(|c| !is_bidi_control(*c)).enumerate() {
        if n == max {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_at_a_character_boundary_and_marks_the_cut() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc…");
        // Multi-byte characters are never split.
        assert_eq!(clip("ééé", 2), "éé…");
        assert_eq!(clip("שלום עולם", 4), "שלום…");
        assert_eq!(clip("a\u{1b}[31mb\nc", 20), "a [31mb c");
        assert_eq!(clip("said \u{202e}שיחות\u{202c} and \u{2067}x\u{2069}", 20), "said שיחות and x");
    }
}
