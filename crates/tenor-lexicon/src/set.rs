//! The list types: [`List`] (entries in file order), [`WordSet`] (membership) and [`WeightedList`]
//! (`entry<TAB>weight`).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// 64-bit FNV-1a: deterministic and fast on the short keys of word lists.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type FnvBuild = BuildHasherDefault<Fnv>;

/// The entries of a list file: trimmed lines, without blank lines and `#` comment lines, in file order.
pub(crate) fn entries(data: &'static str) -> impl Iterator<Item = &'static str> + Clone {
    data.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// A list read in file order (for lists whose order or line structure matters to their user).
#[derive(Clone, Copy)]
pub struct List {
    file: &'static str,
    data: &'static str,
}

impl List {
    /// A list over the text of a list file (`file` names it in messages).
    pub const fn new(file: &'static str, data: &'static str) -> List {
        List { file, data }
    }

    /// The entries, in file order.
    pub fn entries(&self) -> impl Iterator<Item = &'static str> + Clone {
        entries(self.data)
    }

    /// The file name under `models/data/lexicons/`.
    pub fn file(&self) -> &'static str {
        self.file
    }
}

impl fmt::Debug for List {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("List").field("file", &self.file).finish_non_exhaustive()
    }
}

/// A set of words or phrases with exact look-up, built from its file on first use.
pub struct WordSet {
    list: List,
    set: OnceLock<HashSet<&'static str, FnvBuild>>,
}

impl WordSet {
    pub const fn new(file: &'static str, data: &'static str) -> WordSet {
        WordSet { list: List::new(file, data), set: OnceLock::new() }
    }

    fn set(&self) -> &HashSet<&'static str, FnvBuild> {
        self.set.get_or_init(|| self.list.entries().collect())
    }

    /// Whether `word` is an entry (exact match).
    #[inline]
    pub fn contains(&self, word: &str) -> bool {
        self.set().contains(word)
    }

    /// The entries, in file order (duplicates included, as written).
    pub fn entries(&self) -> impl Iterator<Item = &'static str> + Clone {
        self.list.entries()
    }

    /// Number of distinct entries.
    pub fn len(&self) -> usize {
        self.set().len()
    }

    pub fn is_empty(&self) -> bool {
        self.set().is_empty()
    }

    pub fn file(&self) -> &'static str {
        self.list.file
    }
}

impl fmt::Debug for WordSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WordSet").field("file", &self.list.file).finish_non_exhaustive()
    }
}

/// A list of `entry<TAB>weight` lines (the entry may hold spaces), with look-up by entry.
pub struct WeightedList {
    list: List,
    map: OnceLock<HashMap<&'static str, f64, FnvBuild>>,
}

impl WeightedList {
    pub const fn new(file: &'static str, data: &'static str) -> WeightedList {
        WeightedList { list: List::new(file, data), map: OnceLock::new() }
    }

    /// The entries and their weights, in file order.
    ///
    /// # Panics
    /// On a line without a tab and a number after it: the files are compiled in and checked by this crate's
    /// tests, so that is a build defect, not an input error.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, f64)> + Clone {
        let file = self.list.file;
        self.list.entries().map(move |line| {
            let (entry, weight) = line.rsplit_once('\t').unwrap_or_else(|| panic!("{file}: no tab in {line:?}"));
            let weight = weight.trim().parse().unwrap_or_else(|_| panic!("{file}: bad weight in {line:?}"));
            (entry.trim(), weight)
        })
    }

    /// The weight of `entry` (the first one in file order if it is listed twice).
    pub fn get(&self, entry: &str) -> Option<f64> {
        self.map
            .get_or_init(|| {
                let mut map = HashMap::default();
                for (e, w) in self.entries() {
                    map.entry(e).or_insert(w);
                }
                map
            })
            .get(entry)
            .copied()
    }

    pub fn file(&self) -> &'static str {
        self.list.file
    }
}

impl fmt::Debug for WeightedList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeightedList").field("file", &self.list.file).finish_non_exhaustive()
    }
}

/// Asserts that `set` holds every word of `members` and none of `non_members` (the lists' tests).
#[cfg(test)]
#[track_caller]
pub(crate) fn assert_members(set: &WordSet, members: &[&str], non_members: &[&str]) {
    for word in members {
        assert!(set.contains(word), "{}: {word:?} missing", set.file());
    }
    for word in non_members {
        assert!(!set.contains(word), "{}: {word:?} listed", set.file());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static WORDS: WordSet = WordSet::new("test", "# header\n\n  said \nn’t\nsaid\nkind of\n");
    static WEIGHTS: WeightedList = WeightedList::new("test", "# w\nmay\t0.3\nkind of\t0.1\nmay\t0.9\n");

    #[test]
    fn word_set_skips_comments_and_blanks_and_matches_exactly() {
        assert_members(&WORDS, &["said", "n’t", "kind of"], &["Said", " said", "# header", ""]);
        assert_eq!(WORDS.len(), 3);
        assert_eq!(WORDS.entries().collect::<Vec<_>>(), ["said", "n’t", "said", "kind of"]);
    }

    #[test]
    fn weighted_list_keeps_order_and_the_first_weight() {
        assert_eq!(WEIGHTS.entries().collect::<Vec<_>>(), [("may", 0.3), ("kind of", 0.1), ("may", 0.9)]);
        assert_eq!(WEIGHTS.get("may"), Some(0.3));
        assert_eq!(WEIGHTS.get("kind of"), Some(0.1));
        assert_eq!(WEIGHTS.get("kind"), None);
    }
}
