//! Speaker resolution inside one article, and the per-speaker claim counts of the article summary.
//!
//! A pronoun speaker (he, she, they, it) or a description ("the envoy", "the spokeswoman") is linked to the
//! most recent earlier *named* speaker it is compatible with: by gender when a title or role word gives one
//! (Mr, Ms, spokeswoman), by organisation versus person, and a description prefers a named speaker whose text
//! holds the same role word. A short name ("Eastman") is linked to an earlier full name ending with it.
//! First- and second-person pronouns are not resolved (in interviews they refer to the interviewee, who is
//! rarely named as a speaker).

use crate::SentenceAnalysis;

/// A speaker and the number of attributions to them that are not negated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakerCount {
    pub name: String,
    pub claims: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gender {
    Male,
    Female,
    Unknown,
}

#[derive(Debug)]
struct Named {
    name: String,
    gender: Gender,
    organisation: bool,
}

fn title_gender(word: &str) -> Option<Gender> {
    match word.trim_end_matches('.') {
        "Mr" | "Mister" | "Sir" | "Lord" | "King" | "Prince" | "Father" | "Brother" | "spokesman" | "chairman"
        | "businessman" | "congressman" | "actor" | "he" | "him" => Some(Gender::Male),
        "Ms" | "Mrs" | "Miss" | "Madam" | "Lady" | "Queen" | "Princess" | "Dame" | "Sister" | "spokeswoman"
        | "chairwoman" | "businesswoman" | "congresswoman" | "actress" | "she" | "her" => Some(Gender::Female),
        _ => None,
    }
}

fn is_organisation_word(word: &str) -> bool {
    matches!(
        word.trim_end_matches('.'),
        "Ministry"
            | "Department"
            | "Government"
            | "Police"
            | "Party"
            | "Council"
            | "Company"
            | "Corp"
            | "Inc"
            | "Ltd"
            | "Agency"
            | "Bank"
            | "University"
            | "Commission"
            | "Committee"
            | "Court"
            | "Office"
            | "Association"
            | "Organisation"
            | "Organization"
            | "Institute"
            | "Board"
            | "Service"
            | "Army"
            | "Kremlin"
            | "Pentagon"
            | "House"
            | "Reuters"
            | "Times"
            | "Herald"
            | "Post"
            | "News"
            | "Crown"
            | "Union"
            | "Group"
            | "Foundation"
            | "Authority"
            | "Federation"
            | "Senate"
            | "Parliament"
            | "Congress"
            | "Cabinet"
            | "NATO"
            | "WHO"
            | "UN"
            | "EU"
            | "Press"
            | "Journal"
            | "Study"
            | "Centre"
            | "Center"
            | "Fund"
            | "Bureau"
            | "Administration"
            | "Assembly"
            | "Network"
            | "Corporation"
            | "Agency's"
            | "Institution"
            | "Tribunal"
            | "Ministry's"
            | "Guardian"
            | "Telegraph"
            | "Independent"
            | "Standard"
            | "Paper"
            | "Press's"
            | "Forces"
            | "Navy"
            | "Coalition"
            | "Alliance"
            | "Embassy"
            | "Secretariat"
            | "Directorate"
            | "Regulator"
            | "Index"
            | "Organisation's"
    )
}

fn is_person_pronoun(w: &str) -> Option<Gender> {
    match w {
        "he" | "him" => Some(Gender::Male),
        "she" | "her" => Some(Gender::Female),
        _ => None,
    }
}

/// Nouns of roles held by people, which a description speaker ("the envoy") must end in to be resolved to a
/// named person ("the ministry" is an organisation, not a person).
pub(crate) fn is_person_role(noun: &str) -> bool {
    matches!(
        noun,
        "envoy"
            | "minister"
            | "president"
            | "spokesman"
            | "spokeswoman"
            | "spokesperson"
            | "secretary"
            | "ambassador"
            | "senator"
            | "governor"
            | "mayor"
            | "chancellor"
            | "premier"
            | "leader"
            | "chief"
            | "director"
            | "chairman"
            | "chairwoman"
            | "chair"
            | "ceo"
            | "executive"
            | "prosecutor"
            | "judge"
            | "lawyer"
            | "attorney"
            | "general"
            | "commander"
            | "diplomat"
            | "negotiator"
            | "coach"
            | "actor"
            | "actress"
            | "singer"
            | "author"
            | "professor"
            | "researcher"
            | "scientist"
            | "economist"
            | "analyst"
            | "doctor"
            | "officer"
            | "king"
            | "queen"
            | "prince"
            | "princess"
            | "pope"
            | "candidate"
            | "founder"
            | "head"
            | "manager"
            | "owner"
            | "witness"
            | "official"
            | "lawmaker"
            | "legislator"
            | "congressman"
            | "congresswoman"
            | "politician"
            | "activist"
            | "writer"
            | "poet"
            | "player"
            | "striker"
            | "captain"
            | "businessman"
            | "businesswoman"
            | "father"
            | "mother"
            | "man"
            | "woman"
            | "boy"
            | "girl"
            | "spokesmen"
            | "aide"
            | "adviser"
            | "advisor"
            | "strategist"
            | "pastor"
            | "bishop"
            | "priest"
            | "cleric"
            | "imam"
            | "rabbi"
            | "physician"
            | "surgeon"
            | "nurse"
            | "teacher"
            | "student"
            | "dean"
            | "rector"
            | "emperor"
            | "prime"
            | "deputy"
            | "colonel"
            | "sergeant"
            | "chairperson"
    )
}

/// A determiner-led description of a role: "the envoy", "the former minister", "the spokeswoman".
fn description_role(text: &str) -> Option<&str> {
    let mut words = text.split_whitespace();
    let first = words.next()?;
    if !first.eq_ignore_ascii_case("the") {
        return None;
    }
    let rest: Vec<&str> = words.collect();
    if rest.is_empty() || rest.len() > 4 || rest.iter().any(|w| w.chars().next().is_some_and(char::is_uppercase)) {
        return None;
    }
    rest.last().copied().filter(|role| is_person_role(&role.to_lowercase()))
}

/// Whether the speaker text names someone: a capitalised word that is not just its first word's capital
/// ("The authors") and not a pronoun.
fn is_named(text: &str) -> bool {
    text.split_whitespace().enumerate().any(|(i, w)| {
        let capital = w.chars().next().is_some_and(char::is_uppercase);
        capital
            && !(i == 0
                && matches!(
                    w,
                    "The"
                        | "A"
                        | "An"
                        | "This"
                        | "These"
                        | "Those"
                        | "Some"
                        | "Many"
                        | "Most"
                        | "I"
                        | "We"
                        | "You"
                        | "He"
                        | "She"
                        | "They"
                        | "It"
                        | "Our"
                        | "My"
                        | "His"
                        | "Her"
                        | "Their"
                        | "Its"
                        | "Other"
                        | "Several"
                        | "Both"
                        | "All"
                ))
            || (capital && i > 0 && w != "I")
    })
}

pub(crate) fn resolve(body: &str, sentences: &mut [SentenceAnalysis]) -> Vec<SpeakerCount> {
    let mut history: Vec<Named> = Vec::new();
    let mut counts: Vec<SpeakerCount> = Vec::new();
    for sentence in sentences.iter_mut() {
        let Some(attribution) = &sentence.attribution else { continue };
        let text = body[attribution.speaker.clone()].trim();
        let lower = text.to_lowercase();
        let resolved: Option<String> = if let Some(gender) = is_person_pronoun(&lower) {
            history.iter().rev().find(|n| !n.organisation && n.gender != opposite(gender)).map(|n| n.name.clone())
        } else if matches!(lower.as_str(), "they" | "it") {
            history.iter().rev().find(|n| n.organisation).map(|n| n.name.clone())
        } else if let Some(role) = description_role(text) {
            let role_lower = role.to_lowercase();
            history
                .iter()
                .rev()
                .find(|n| n.name.to_lowercase().split_whitespace().any(|w| w == role_lower))
                .or_else(|| {
                    let gender = title_gender(role).unwrap_or(Gender::Unknown);
                    history
                        .iter()
                        .rev()
                        .find(|n| !n.organisation && (gender == Gender::Unknown || n.gender != opposite(gender)))
                })
                .map(|n| n.name.clone())
        } else if is_named(text) {
            // A short form of an earlier full name: "Eastman", "Professor Eastman", "Mr. Tedeschi".
            let last = text.split_whitespace().last().unwrap_or(text);
            let earlier = history
                .iter()
                .rev()
                .find(|n| {
                    n.name != text && n.name.split_whitespace().last() == Some(last) && n.name.len() > text.len()
                })
                .map(|n| n.name.clone());
            if earlier.is_none() {
                let words: Vec<&str> = text.split_whitespace().collect();
                let gender = words.iter().find_map(|w| title_gender(w)).unwrap_or(Gender::Unknown);
                let organisation = words.iter().any(|w| is_organisation_word(w))
                    || words.iter().all(|w| w.chars().all(|c| c.is_uppercase() || !c.is_alphabetic()));
                history.retain(|n| n.name != text);
                history.push(Named { name: text.to_owned(), gender, organisation });
            }
            earlier
        } else {
            None
        };
        // Description and pronoun speakers teach the gender of their referent ("…, the spokeswoman said").
        if let (Some(name), Some(gender)) =
            (&resolved, title_gender(&lower).or_else(|| description_role(text).and_then(title_gender)))
        {
            if let Some(named) = history.iter_mut().find(|n| &n.name == name) {
                if named.gender == Gender::Unknown {
                    named.gender = gender;
                }
            }
        }
        let negated = attribution.negated;
        sentence.resolved = resolved.clone();
        // Inherited attributions (the rest of one quote) are not new claims.
        if negated || attribution.inherited {
            continue;
        }
        let is_pronoun = matches!(lower.as_str(), "i" | "we" | "you" | "he" | "she" | "they" | "it" | "me" | "us");
        let name = match resolved {
            Some(name) => name,
            // An unresolved pronoun names nobody; an unresolved description ("the mayor") is kept as written.
            None if is_pronoun => continue,
            None => text.to_owned(),
        };
        match counts.iter_mut().find(|c| c.name == name) {
            Some(count) => count.claims += 1,
            None => counts.push(SpeakerCount { name, claims: 1 }),
        }
    }
    counts
}

fn opposite(gender: Gender) -> Gender {
    match gender {
        Gender::Male => Gender::Female,
        Gender::Female => Gender::Male,
        Gender::Unknown => Gender::Unknown,
    }
}
