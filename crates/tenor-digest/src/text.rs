//! Terminal-safe text: every piece of record text is escaped (control characters and bidi overrides become
//! visible `\u{..}` escapes, so hostile input cannot move the cursor, change colours or reorder what follows)
//! and a line is clipped to a width in display columns (CJK and emoji count two) with an ellipsis.

use anstyle::Style;
use unicode_width::UnicodeWidthChar;

/// Whether `c` would change how the terminal shows what follows it if printed as is: C0 and C1 controls
/// and DEL (`char::is_control`: ESC, CSI, BEL, backspace, ...) and the bidirectional formatting characters
/// (embeddings, overrides, isolates and marks, the "Trojan Source" characters).
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// White space that would break the line: shown as one space.
fn is_line_break(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// One character as the terminal should get it: itself, a space for a line break, or an escape.
fn escape_char(c: char, out: &mut String) {
    if is_line_break(c) {
        out.push(' ');
    } else if is_unsafe(c) {
        out.push_str(&format!("\\u{{{:x}}}", c as u32));
    } else {
        out.push(c);
    }
}

/// `text` with every unsafe character escaped and line breaks turned into spaces (no clipping).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        escape_char(c, &mut out);
    }
    out
}

/// Display width of escaped text, in terminal columns.
pub fn width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Whether the digest paints with colour; without it, styles are dropped and the text is plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Palette {
    pub color: bool,
}

impl Palette {
    /// `text` (already safe) in `style`, or plain.
    pub fn paint(self, style: Style, text: &str) -> String {
        if self.color && style != Style::new() && !text.is_empty() {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }
}

/// One character cell group of a line: its escaped text, display width and style.
#[derive(Debug)]
struct Atom {
    text: String,
    width: usize,
    style: Style,
}

/// A line of the digest built from styled pieces of text, escaped as they come in and clipped to a width
/// when rendered: one terminal line, whatever the input held.
#[derive(Debug)]
pub(crate) struct Line {
    atoms: Vec<Atom>,
}

impl Line {
    pub fn new() -> Line {
        Line { atoms: Vec::new() }
    }

    /// Appends `text` (record text or a literal), escaped, in `style`.
    pub fn push(&mut self, text: &str, style: Style) -> &mut Line {
        for c in text.chars() {
            let mut escaped = String::new();
            escape_char(c, &mut escaped);
            let width = width(&escaped);
            match self.atoms.last_mut() {
                // A zero-width character (a combining mark) stays with the character it modifies.
                Some(last) if width == 0 && last.style == style => last.text.push_str(&escaped),
                _ => self.atoms.push(Atom { text: escaped, width, style }),
            }
        }
        self
    }

    /// Appends `text` with the characters whose index (counted in chars of `text`) falls in one of `marked`
    /// drawn in `mark` instead of `style`.
    pub fn push_marked(
        &mut self,
        text: &str,
        style: Style,
        marked: &[std::ops::Range<usize>],
        mark: Style,
    ) -> &mut Line {
        let mut buf = [0u8; 4];
        for (i, c) in text.chars().enumerate() {
            let style = if marked.iter().any(|r| r.contains(&i)) { mark } else { style };
            self.push(c.encode_utf8(&mut buf), style);
        }
        self
    }

    pub fn width(&self) -> usize {
        self.atoms.iter().map(|a| a.width).sum()
    }

    /// The line, at most `max_width` columns wide (clipped with `…` when longer), painted with `palette`,
    /// without a line break.
    pub fn render(&self, max_width: usize, palette: Palette) -> String {
        let fits = self.width() <= max_width;
        let budget = if fits { max_width } else { max_width.saturating_sub(1) };
        let mut out = String::new();
        let mut used = 0;
        let mut run = String::new();
        let mut run_style = Style::new();
        for atom in &self.atoms {
            if used + atom.width > budget {
                break;
            }
            used += atom.width;
            if atom.style != run_style {
                out.push_str(&palette.paint(run_style, &run));
                run.clear();
                run_style = atom.style;
            }
            run.push_str(&atom.text);
        }
        out.push_str(&palette.paint(run_style, &run));
        if !fits && max_width > 0 {
            out.push('…');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Palette = Palette { color: false };

    #[test]
    fn control_characters_and_bidi_overrides_are_escaped() {
        let hostile = "a\u{1b}[2Jb\u{9b}31mc\u{7}\u{8}d\u{202e}evil\u{2066}x\u{200f}";
        let out = escape(hostile);
        assert_eq!(out, "a\\u{1b}[2Jb\\u{9b}31mc\\u{7}\\u{8}d\\u{202e}evil\\u{2066}x\\u{200f}");
        assert!(out.chars().all(|c| !is_unsafe(c)));
    }

    #[test]
    fn line_breaks_become_spaces() {
        assert_eq!(escape("one\ntwo\r\nthree\u{2028}four\tfive"), "one two  three four five");
    }

    #[test]
    fn a_long_line_is_clipped_to_the_width_with_an_ellipsis() {
        let mut line = Line::new();
        line.push("0123456789", Style::new());
        assert_eq!(line.render(10, PLAIN), "0123456789");
        assert_eq!(line.render(6, PLAIN), "01234…");
        assert_eq!(width(&line.render(6, PLAIN)), 6);
    }

    #[test]
    fn wide_characters_count_two_columns_and_are_never_cut_in_half() {
        let mut line = Line::new();
        line.push("日本語のニュース", Style::new());
        assert_eq!(line.width(), 16);
        let out = line.render(8, PLAIN);
        assert_eq!(out, "日本語…");
        assert!(width(&out) <= 8);
    }

    #[test]
    fn an_escape_is_clipped_whole_and_never_leaves_a_raw_control_character_behind() {
        let mut line = Line::new();
        line.push("ab\u{1b}[31mcdef", Style::new());
        assert_eq!(line.render(6, PLAIN), "ab…", "the six columns of the escape do not fit in five");
        assert_eq!(line.render(9, PLAIN), "ab\\u{1b}…");
        assert!(!line.render(100, PLAIN).contains('\u{1b}'));
    }

    #[test]
    fn styles_are_painted_only_with_colour_on() {
        let red = anstyle::AnsiColor::Red.on_default();
        let mut line = Line::new();
        line.push("calm ", Style::new()).push("angry", red);
        assert_eq!(line.render(80, PLAIN), "calm angry");
        let coloured = line.render(80, Palette { color: true });
        assert_eq!(coloured, format!("calm {red}angry{red:#}"));
    }

    #[test]
    fn marked_characters_take_the_mark_style() {
        let yellow = anstyle::AnsiColor::Yellow.on_default();
        let mut line = Line::new();
        line.push_marked("it may rain", Style::new(), &[0..2, 7..11], yellow);
        assert_eq!(
            line.render(80, Palette { color: true }),
            format!("{yellow}it{yellow:#} may {yellow}rain{yellow:#}")
        );
    }
}
