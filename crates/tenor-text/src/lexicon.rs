//! Word lists and character classes the sentence splitter decides with.
//!
//! The abbreviation, sentence-starter, function-word and date tables here are splitter-internal; the
//! reporting verbs and credit labels come from Tenor's one lexicon home (`tenor_lexicon::splitter`).
//!
//! The abbreviation and sentence-starter lists start from those of `sentencex` (MIT) and pySBD, with the
//! common English words they contain removed (`me`, `may`, `ill`, `art`, ...): in news text those end
//! sentences far more often than they abbreviate anything. US state and weekday abbreviations that are also
//! words (`Mass.`, `Wash.`, `Sun.`) only count when capitalized.

/// How a known abbreviation behaves before a capitalized word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbbreviationClass {
    /// A title or a word that always has a complement after it (`Dr.`, `Mt.`, `vs.`, `e.g.`): never ends a
    /// sentence.
    Prepositive,
    /// May end a sentence (`Inc.`, `Jan.`, `etc.`, `Co.`): does so only before a typical sentence opener.
    Ordinary,
    /// `a.m.` / `p.m.`: ends a sentence before a capitalized word, unless the sentence is only a fronted
    /// time phrase (`At 5 a.m. Mr. Smith went ...`).
    Time,
}

/// Sorted, lowercase.
const PREPOSITIVE: &[&str] = &[
    "adm", "approx", "brig", "capt", "cf", "cmdr", "col", "cpl", "dr", "drs", "e.g", "fr", "gen", "gov", "hon",
    "i.e", "insp", "lt", "maj", "messrs", "mlle", "mme", "mr", "mrs", "ms", "msgr", "mssrs", "mt", "pres", "prof",
    "pvt", "rep", "reps", "rev", "sen", "sens", "sgt", "supt", "v", "viz", "vs",
];

/// Sorted, lowercase; these match in any case.
const ORDINARY: &[&str] = &[
    "al", "assn", "ave", "blvd", "bros", "ch", "co", "corp", "dept", "dist", "div", "ed", "eds", "esq", "est",
    "etc", "expy", "ext", "feb", "fig", "figs", "ft", "fwy", "govt", "hrs", "hwy", "inc", "intl", "jr", "kg",
    "km", "lb", "lbs", "llc", "ltd", "misc", "natl", "no", "nos", "nov", "n\u{b0}", "n\u{ba}", "oct", "oz", "p",
    "pg", "plc", "pp", "rd", "ref", "sep", "sept", "sq", "sr", "st", "tel", "univ", "vol", "vols", "yrs",
];

/// Sorted, exact case: abbreviations that are also ordinary words when not capitalized.
const ORDINARY_CAPITALIZED: &[&str] = &[
    "Ala", "Alta", "Apr", "Ariz", "Ark", "Aug", "Calif", "Colo", "Conn", "Dec", "Del", "Fla", "Fri", "Ga", "Ill",
    "Ind", "Jan", "Jul", "Jun", "Kan", "Kans", "Ky", "La", "Mar", "Mass", "Md", "Mex", "Mich", "Minn", "Miss",
    "Mo", "Mon", "Mont", "Neb", "Nebr", "Nev", "Okla", "Ont", "Ore", "Pa", "Penn", "Que", "Sask", "Sat", "Sun",
    "Tenn", "Tex", "Thu", "Thur", "Thurs", "Tue", "Tues", "Va", "Vt", "Wash", "Wed", "Wis", "Wisc", "Wyo",
];

const TIME: &[&str] = &["a.m", "am", "p.m", "pm"];

/// Sorted, exact case: capitalized words that usually open a sentence (from sentencex, without `New`,
/// `Great` and other words that often start names).
const SENTENCE_STARTERS: &[&str] = &[
    "About",
    "According",
    "Accordingly",
    "Actually",
    "Additionally",
    "After",
    "Again",
    "All",
    "Also",
    "Although",
    "Always",
    "Among",
    "An",
    "And",
    "Another",
    "Any",
    "Anyway",
    "Apparently",
    "Are",
    "As",
    "At",
    "Because",
    "Before",
    "Besides",
    "Both",
    "But",
    "By",
    "Can",
    "Cannot",
    "Clearly",
    "Consequently",
    "Conversely",
    "Could",
    "Despite",
    "Did",
    "Do",
    "Does",
    "Don't",
    "During",
    "Each",
    "Even",
    "Eventually",
    "Every",
    "Everybody",
    "Everyone",
    "Finally",
    "First",
    "For",
    "From",
    "Further",
    "Furthermore",
    "Generally",
    "Given",
    "Had",
    "Has",
    "Have",
    "Having",
    "He",
    "Hence",
    "Her",
    "Here",
    "His",
    "How",
    "However",
    "I",
    "If",
    "In",
    "Indeed",
    "Initially",
    "Instead",
    "Is",
    "It",
    "It's",
    "Its",
    "Just",
    "Later",
    "Let",
    "Many",
    "Maybe",
    "Meanwhile",
    "Might",
    "More",
    "Moreover",
    "Most",
    "Much",
    "Must",
    "My",
    "Neither",
    "Never",
    "Nevertheless",
    "Next",
    "No",
    "None",
    "Nonetheless",
    "Nor",
    "Not",
    "Nothing",
    "Now",
    "Obviously",
    "Of",
    "Often",
    "On",
    "Once",
    "Only",
    "Or",
    "Other",
    "Others",
    "Otherwise",
    "Our",
    "Perhaps",
    "Please",
    "Rather",
    "Recently",
    "Second",
    "Several",
    "Shall",
    "She",
    "Should",
    "Similarly",
    "Since",
    "So",
    "Some",
    "Sometimes",
    "Soon",
    "Still",
    "Subsequently",
    "Such",
    "Suddenly",
    "That",
    "The",
    "Their",
    "Then",
    "There",
    "Therefore",
    "These",
    "They",
    "This",
    "Those",
    "Though",
    "Thus",
    "To",
    "Today",
    "Tomorrow",
    "Tonight",
    "Under",
    "Unfortunately",
    "Unlike",
    "Until",
    "Upon",
    "Usually",
    "Was",
    "We",
    "Were",
    "What",
    "Whatever",
    "When",
    "Whenever",
    "Where",
    "Whereas",
    "Whether",
    "Which",
    "While",
    "Who",
    "Whose",
    "Why",
    "Will",
    "With",
    "Within",
    "Without",
    "Would",
    "Yes",
    "Yesterday",
    "Yet",
    "You",
    "Your",
];

/// Words a heading does not end with.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "nor", "of", "on", "or", "that", "the", "to",
    "with",
];

/// Lowercases an ASCII-or-not token into `buf` when short enough; abbreviations are short.
fn lowercase<'b>(token: &str, buf: &'b mut [u8; 24]) -> Option<&'b str> {
    if token.len() > 12 {
        return None;
    }
    let mut n = 0;
    for c in token.chars() {
        for l in c.to_lowercase() {
            let len = l.len_utf8();
            if n + len > buf.len() {
                return None;
            }
            l.encode_utf8(&mut buf[n..n + len]);
            n += len;
        }
    }
    std::str::from_utf8(&buf[..n]).ok()
}

/// Classifies `token` (the word before a period, without that period) as a known abbreviation.
pub fn classify_abbreviation(token: &str) -> Option<AbbreviationClass> {
    let mut buf = [0u8; 24];
    let lower = lowercase(token, &mut buf)?;
    if TIME.contains(&lower) {
        return Some(AbbreviationClass::Time);
    }
    if PREPOSITIVE.binary_search(&lower).is_ok() {
        return Some(AbbreviationClass::Prepositive);
    }
    if ORDINARY.binary_search(&lower).is_ok() || ORDINARY_CAPITALIZED.binary_search(&token).is_ok() {
        return Some(AbbreviationClass::Ordinary);
    }
    None
}

pub fn is_sentence_starter(word: &str) -> bool {
    SENTENCE_STARTERS.binary_search(&word).is_ok()
        || (word.contains('\u{2019}')
            && SENTENCE_STARTERS.binary_search(&word.replace('\u{2019}', "'").as_str()).is_ok())
}

/// Verbs that close a quotation (`"We will win." Smith said.`): `tenor_lexicon::splitter::REPORTING_VERBS`,
/// exact case.
pub fn is_reporting_verb(word: &str) -> bool {
    tenor_lexicon::splitter::REPORTING_VERBS.contains(word)
}

pub fn is_function_word(word: &str) -> bool {
    let mut buf = [0u8; 24];
    lowercase(word, &mut buf).is_some_and(|w| FUNCTION_WORDS.contains(&w))
}

pub fn is_weekday(word: &str) -> bool {
    matches!(word, "Monday" | "Tuesday" | "Wednesday" | "Thursday" | "Friday" | "Saturday" | "Sunday")
}

pub fn is_month(word: &str) -> bool {
    matches!(
        word,
        "January"
            | "February"
            | "March"
            | "April"
            | "May"
            | "June"
            | "July"
            | "August"
            | "September"
            | "October"
            | "November"
            | "December"
    )
}

/// Words that put a date inside a sentence (`on Tuesday, ...`, `said Tuesday, ...`).
pub fn is_date_preposition(word: &str) -> bool {
    let mut buf = [0u8; 24];
    lowercase(word, &mut buf).is_some_and(|w| {
        matches!(
            w,
            "on" | "since"
                | "until"
                | "till"
                | "before"
                | "after"
                | "last"
                | "next"
                | "this"
                | "by"
                | "from"
                | "said"
                | "says"
                | "announced"
                | "told"
                | "added"
                | "reported"
        )
    })
}

/// Lower-case words that open a sentence in web text (`i`, `thanks`, `it's`):
/// `tenor_lexicon::splitter::LOWERCASE_OPENERS`, exact case; a curly apostrophe counts as a straight one.
pub fn is_lowercase_opener(word: &str) -> bool {
    let openers = &tenor_lexicon::splitter::LOWERCASE_OPENERS;
    openers.contains(word) || (word.contains('\u{2019}') && openers.contains(&word.replace('\u{2019}', "'")))
}

/// Emoticons that end a sentence (`:)`, `;-)`, `<3`): `tenor_lexicon::splitter::EMOTICONS`, exact tokens.
pub fn is_emoticon(token: &str) -> bool {
    token.len() <= 4 && tenor_lexicon::splitter::EMOTICONS.contains(token)
}

/// Capitalized words that open a sentence run on without punctuation (`They`, `Thanks`):
/// `tenor_lexicon::splitter::RUN_ON_OPENERS`, exact case.
pub fn is_run_on_opener(word: &str) -> bool {
    tenor_lexicon::splitter::RUN_ON_OPENERS.contains(word)
}

/// HTML element names whose tags separate sentences (`p`, `br`, `li`): `tenor_lexicon::splitter::BLOCK_TAGS`;
/// `name` in any case.
pub fn is_block_tag(name: &str) -> bool {
    let mut buf = [0u8; 24];
    lowercase(name, &mut buf).is_some_and(|n| tenor_lexicon::splitter::BLOCK_TAGS.contains(n))
}

/// Labels of a picture credit (`Image: NASA`): `tenor_lexicon::splitter::CREDIT_LABELS`, exact case.
pub fn is_credit_label(word: &str) -> bool {
    tenor_lexicon::splitter::CREDIT_LABELS.contains(word)
}

/// Marks that end a sentence.
pub fn is_terminal(c: char) -> bool {
    matches!(
        c,
        '.' | '!'
            | '?'
            | '\u{2026}'
            | '\u{3002}'
            | '\u{ff01}'
            | '\u{ff1f}'
            | '\u{203c}'
            | '\u{2047}'
            | '\u{2048}'
            | '\u{2049}'
    )
}

/// Quotes that may close a quotation (straight quotes are both opening and closing).
pub fn is_closing_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '\u{201d}' | '\u{2019}' | '\u{bb}' | '\u{203a}')
}

/// Punctuation that may open a sentence before its first word.
pub fn is_opening_punct(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '('
            | '['
            | '{'
            | '\u{201c}'
            | '\u{2018}'
            | '\u{201e}'
            | '\u{ab}'
            | '\u{2039}'
            | '\u{bf}'
            | '\u{a1}'
    )
}

/// List bullets.
pub fn is_bullet(c: char) -> bool {
    matches!(
        c,
        '\u{2022}'
            | '\u{2023}'
            | '\u{2043}'
            | '\u{25e6}'
            | '\u{25aa}'
            | '\u{25cf}'
            | '\u{25a0}'
            | '\u{25ba}'
            | '\u{25b8}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        for list in [PREPOSITIVE, ORDINARY, ORDINARY_CAPITALIZED, SENTENCE_STARTERS] {
            assert!(
                list.windows(2).all(|w| w[0] < w[1]),
                "unsorted or duplicated: {:?}",
                list.windows(2).find(|w| w[0] >= w[1])
            );
        }
    }

    #[test]
    fn abbreviations_are_classified_by_case() {
        assert_eq!(classify_abbreviation("Dr"), Some(AbbreviationClass::Prepositive));
        assert_eq!(classify_abbreviation("Inc"), Some(AbbreviationClass::Ordinary));
        assert_eq!(classify_abbreviation("Mass"), Some(AbbreviationClass::Ordinary));
        assert_eq!(classify_abbreviation("mass"), None);
        assert_eq!(classify_abbreviation("P.M"), Some(AbbreviationClass::Time));
        assert_eq!(classify_abbreviation("house"), None);
    }
}
