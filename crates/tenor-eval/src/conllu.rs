//! CoNLL-U reader (GUM, UD EWT) that rebuilds each document as running text with exact offsets.
//!
//! A document is rebuilt the way Tenor's evaluation defines it: paragraphs (from `# newpar`) separated by a
//! blank line, tokens joined by a space unless their MISC column says `SpaceAfter=No`. Every token and every
//! gold sentence keeps its byte range in that text, so a splitter's boundaries can be compared exactly and
//! GUM's token ids can be mapped to spans.

use std::ops::Range;

/// One word token of a sentence (multi-word token ranges and empty nodes are skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The CoNLL-U id within its sentence (1-based).
    pub id: usize,
    pub form: String,
    /// Byte range of `form` in [`Document::text`].
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// `# sent_id`, when present.
    pub id: Option<String>,
    pub tokens: Vec<Token>,
    /// Byte range from the first token's start to the last token's end.
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    /// `# newdoc id`, when present.
    pub id: Option<String>,
    /// `# meta::key = value` lines (GUM).
    pub meta: Vec<(String, String)>,
    pub text: String,
    pub sentences: Vec<Sentence>,
}

impl Document {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Byte offsets where gold sentences end (the end of each sentence's last token).
    pub fn sentence_ends(&self) -> Vec<usize> {
        self.sentences.iter().map(|s| s.range.end).collect()
    }

    /// All tokens of the document in order, numbered from 1 across sentences (GUM RSD token ids).
    pub fn document_tokens(&self) -> impl Iterator<Item = &Token> {
        self.sentences.iter().flat_map(|s| s.tokens.iter())
    }
}

/// Reads every document of a CoNLL-U file. A file without `# newdoc` lines is one document; so is
/// UD EWT, whose documents are split by `# newdoc id` lines.
pub fn parse(input: &str) -> Vec<Document> {
    let mut builder = Builder::default();
    for line in input.lines() {
        let line = line.trim_end_matches('\r');
        if let Some(comment) = line.strip_prefix('#') {
            let comment = comment.trim();
            if let Some(id) = comment.strip_prefix("newdoc id =") {
                builder.new_document(Some(id.trim().to_owned()));
            } else if comment == "newdoc" {
                builder.new_document(None);
            } else if comment.starts_with("newpar") && !comment.starts_with("newpar_block") {
                builder.new_paragraph();
            } else if let Some(id) = comment.strip_prefix("sent_id =") {
                builder.sentence_id = Some(id.trim().to_owned());
            } else if let Some(meta) = comment.strip_prefix("meta::") {
                if let Some((k, v)) = meta.split_once(" = ") {
                    builder.doc.meta.push((k.trim().to_owned(), v.trim().to_owned()));
                }
            }
        } else if line.trim().is_empty() {
            builder.end_sentence();
        } else {
            builder.token_line(line);
        }
    }
    builder.finish()
}

#[derive(Default)]
struct Builder {
    done: Vec<Document>,
    doc: Document,
    sentence_id: Option<String>,
    tokens: Vec<Token>,
    /// Whether the last token asked for a space after it.
    space_pending: bool,
    paragraph_pending: bool,
}

impl Builder {
    fn new_document(&mut self, id: Option<String>) {
        self.end_sentence();
        if !self.doc.sentences.is_empty() {
            self.done.push(std::mem::take(&mut self.doc));
        } else {
            self.doc = Document::default();
        }
        self.doc.id = id;
        self.space_pending = false;
        self.paragraph_pending = false;
    }

    fn new_paragraph(&mut self) {
        self.end_sentence();
        self.paragraph_pending = !self.doc.text.is_empty();
    }

    fn token_line(&mut self, line: &str) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 10 || cols[0].contains('-') || cols[0].contains('.') {
            return;
        }
        let Ok(id) = cols[0].parse::<usize>() else { return };
        if self.paragraph_pending {
            self.doc.text.push_str("\n\n");
        } else if self.space_pending {
            self.doc.text.push(' ');
        }
        self.paragraph_pending = false;
        let start = self.doc.text.len();
        self.doc.text.push_str(cols[1]);
        self.tokens.push(Token { id, form: cols[1].to_owned(), range: start..self.doc.text.len() });
        self.space_pending = !cols[9].split('|').any(|m| m == "SpaceAfter=No");
    }

    fn end_sentence(&mut self) {
        if self.tokens.is_empty() {
            return;
        }
        let tokens = std::mem::take(&mut self.tokens);
        let range = tokens[0].range.start..tokens[tokens.len() - 1].range.end;
        self.doc.sentences.push(Sentence { id: self.sentence_id.take(), tokens, range });
    }

    fn finish(mut self) -> Vec<Document> {
        self.end_sentence();
        if !self.doc.sentences.is_empty() {
            self.done.push(self.doc);
        }
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# newdoc id = d1\n# meta::title = T\n# newpar\n# sent_id = s1\n\
1\tHello\thello\tX\tX\t_\t0\troot\t_\tSpaceAfter=No\n2\t,\t,\tX\tX\t_\t1\tpunct\t_\t_\n\
3\tworld\tworld\tX\tX\t_\t1\tx\t_\tSpaceAfter=No\n4\t.\t.\tX\tX\t_\t1\tpunct\t_\t_\n\n\
# sent_id = s2\n1-2\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n1\tdo\tdo\tX\tX\t_\t0\troot\t_\t_\n2\tn't\tnot\tX\tX\t_\t1\tx\t_\t_\n\n\
# newpar\n# sent_id = s3\n1\tNext\tnext\tX\tX\t_\t0\troot\t_\t_\n\n\
# newdoc id = d2\n1\tOther\tother\tX\tX\t_\t0\troot\t_\t_\n\n";

    #[test]
    fn rebuilds_running_text_with_paragraphs_and_space_after() {
        let docs = parse(SAMPLE);
        assert_eq!(docs.len(), 2);
        let d = &docs[0];
        assert_eq!(d.id.as_deref(), Some("d1"));
        assert_eq!(d.meta("title"), Some("T"));
        assert_eq!(d.text, "Hello, world. do n't\n\nNext");
        assert_eq!(d.sentences.len(), 3);
        assert_eq!(&d.text[d.sentences[0].range.clone()], "Hello, world.");
        assert_eq!(&d.text[d.sentences[1].range.clone()], "do n't");
        assert_eq!(d.sentence_ends(), vec![13, 20, 26]);
        assert_eq!(docs[1].text, "Other");
        let tok = &d.sentences[0].tokens[2];
        assert_eq!((tok.id, &d.text[tok.range.clone()]), (3, "world"));
    }
}
