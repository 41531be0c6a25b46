//! Tenor's word lists, in one home.
//!
//! Every list is a data file under `models/data/lexicons/` (Tenor's own lists in `tenor/`, Apache-2.0; the
//! third-party lists beside their licences), compiled into the binary with `include_str!` so that `tenor`
//! works from any directory. A list file holds one word or phrase per line; lines starting with `#` are
//! comments (each file opens with a header saying what the list is for and who uses it); blank lines are
//! skipped and entries are trimmed.
//!
//! Guarantees:
//! - each list is parsed at most once per process, on first use ([`WordSet`] and [`WeightedList`] hold a
//!   `OnceLock`), and then answers a look-up with one hash of the word;
//! - [`List::entries`] (and the same method of the other types) yields the entries in file order, so callers
//!   whose result depends on order (first entry wins) keep it;
//! - look-ups are exact: no case folding, no trimming of the word asked about (callers lower-case first where
//!   the list is lower case).
//!
//! Architecture invariant: pure data and look-ups; no I/O at run time, no dependencies.

/// Declares list statics, each over its file under `models/data/lexicons/` compiled in: every item is its doc
/// comment, then `NAME: Type = "file";` with `Type` one of [`List`], [`WordSet`], [`WeightedList`] (in scope
/// where the macro is used). The doc gains a last line naming the file.
macro_rules! lists {
    ($($(#[$attr:meta])* $name:ident: $ty:ident = $file:literal;)+) => {$(
        $(#[$attr])*
        #[doc = concat!("(`", $file, "`)")]
        pub static $name: $ty =
            $ty::new($file, include_str!(concat!("../../../models/data/lexicons/", $file)));
    )+};
}

mod set;

pub mod attribution;
pub mod claims;
pub mod splitter;
pub mod tension;
pub mod third_party;

pub use set::{List, WeightedList, WordSet};
