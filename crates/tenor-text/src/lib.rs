//! Text in, sentences out: Tenor's sentence splitter for news and web text, with exact offsets; and
//! [`words`], the word scanner the featurizer's and the attribution rules' tokenizers share.
//!
//! All offsets this crate returns are **byte** offsets into the input `&str` (cheap to slice in Rust);
//! [`CharOffsets`] and [`OffsetTable`] convert them to the code-point offsets that records carry (the one
//! byte/code-point conversion of the workspace; `tenor-pipeline` uses it where it builds records).
//!
//! Architecture invariant: pure functions over `&str`; no I/O, no async, no allocation per character.

mod lexicon;
mod offsets;
mod split;
pub mod words;

pub use offsets::{CharOffsets, OffsetTable};
pub use split::{split, SentenceSpan, Splitter};
