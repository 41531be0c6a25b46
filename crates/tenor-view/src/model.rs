//! The bounded state: records in, one at a time.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use chrono::DateTime;
use serde_json::Value;

use crate::text::{clip, MAX_ID_CHARS, MAX_NAME_CHARS, MAX_TEXT_CHARS};

/// How much the view keeps. Each list drops its oldest entries past its cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// Articles (with their claim sentences), by arrival.
    pub articles: usize,
    /// Claim sentences kept per article (the first ones by sentence index win).
    pub claims_per_article: usize,
    /// Attributed claims kept for the speakers' stance mix.
    pub speaker_claims: usize,
    /// Claim clusters (the least recently updated go first).
    pub clusters: usize,
    /// Tensions.
    pub tensions: usize,
    /// Hedge cues, outlets or speakers kept per entry.
    pub per_entry: usize,
}

impl Default for Caps {
    fn default() -> Caps {
        Caps {
            articles: 300,
            claims_per_article: 60,
            speaker_claims: 20_000,
            clusters: 1_000,
            tensions: 300,
            per_entry: 12,
        }
    }
}

/// What [`View::ingest_line`] did with a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    /// A record the view keeps (or updates).
    Kept,
    /// A record of a type the view does not show (dead letters, windows, sentences without a claim, ...).
    Ignored,
    /// Not a JSON object with a `schema` the view knows how to read.
    Invalid,
}

#[derive(Debug, Clone)]
pub(crate) struct ClaimSentence {
    pub index: usize,
    pub text: String,
    pub speaker: Option<String>,
    pub cue: Option<String>,
    pub stance: Option<String>,
    pub confidence: Option<f64>,
    pub hedges: Vec<String>,
    pub kind: Option<String>,
    pub cluster: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Article {
    pub id: String,
    pub seq: u64,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub time_ms: i64,
    pub time: String,
    pub sentences: Option<u64>,
    pub summarised: bool,
    pub claims: BTreeMap<usize, ClaimSentence>,
}

/// One attributed claim, for the speakers panel.
#[derive(Debug, Clone)]
pub(crate) struct SpeakerClaim {
    pub key: (String, usize),
    pub speaker: String,
    pub outlet: Option<String>,
    pub time_ms: i64,
    /// 0 negative, 1 neutral, 2 positive; `None` when unscored.
    pub stance: Option<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub article_id: String,
    pub sentence_index: usize,
    pub text: String,
    pub outlet: Option<String>,
    pub time_ms: i64,
    pub time: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Cluster {
    pub id: String,
    pub seq: u64,
    pub canonical: Member,
    pub first_seen: Member,
    pub latest: Member,
    pub members: u64,
    pub outlets: Vec<String>,
    pub outlet_count: u64,
    pub speakers: Vec<String>,
    pub mix: [u64; 3],
}

#[derive(Debug, Clone)]
pub(crate) struct Side {
    pub member: Member,
    pub speaker: Option<String>,
    pub stance: Option<String>,
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone)]
pub(crate) struct Tension {
    pub id: String,
    pub scope: Option<String>,
    pub subject: String,
    pub score: Option<f64>,
    pub time_ms: i64,
    pub sides: [Side; 2],
}

/// The live page's model. See the crate documentation.
#[derive(Debug, Default)]
pub struct View {
    pub(crate) caps: Caps,
    seq: u64,
    pub(crate) articles: HashMap<String, Article>,
    article_order: VecDeque<(u64, String)>,
    pub(crate) speaker_claims: VecDeque<SpeakerClaim>,
    speaker_claim_keys: HashSet<(String, usize)>,
    pub(crate) clusters: HashMap<String, Cluster>,
    pub(crate) tensions: VecDeque<Tension>,
    tension_ids: HashSet<String>,
    pub(crate) records: u64,
    pub(crate) invalid: u64,
}

impl View {
    pub fn new(caps: Caps) -> View {
        View { caps, ..View::default() }
    }

    /// One line of JSON (a record as `tenor run` writes it or a Kafka message's value).
    pub fn ingest_line(&mut self, line: &[u8]) -> IngestOutcome {
        match serde_json::from_slice::<Value>(line) {
            Ok(value) => self.ingest(&value),
            Err(_) => {
                self.invalid += 1;
                IngestOutcome::Invalid
            }
        }
    }

    /// One record as a JSON value; dispatches on its `schema`.
    pub fn ingest(&mut self, record: &Value) -> IngestOutcome {
        let outcome = match record.get("schema").and_then(Value::as_str) {
            Some("tenor.sentence/1") => self.sentence(record),
            Some("tenor.article/1") => self.article(record),
            Some("tenor.claim/1") => self.claim(record),
            Some("tenor.tension/1") => self.tension(record),
            Some(_) => Some(IngestOutcome::Ignored),
            None => None,
        };
        match outcome {
            Some(IngestOutcome::Invalid) | None => {
                self.invalid += 1;
                IngestOutcome::Invalid
            }
            Some(outcome) => {
                self.records += 1;
                outcome
            }
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// The article entry for `id`, created (and the oldest evicted) when new.
    fn article_entry(&mut self, id: &str, record: &Value) -> &mut Article {
        if !self.articles.contains_key(id) {
            let seq = self.next_seq();
            let (time_ms, time) = event_time(record);
            self.articles.insert(
                id.to_owned(),
                Article {
                    id: id.to_owned(),
                    seq,
                    title: None,
                    outlet: name(record, "article_source"),
                    url: None,
                    time_ms,
                    time,
                    sentences: None,
                    summarised: false,
                    claims: BTreeMap::new(),
                },
            );
            self.article_order.push_back((seq, id.to_owned()));
            while self.article_order.len() > self.caps.articles {
                if let Some((_, old)) = self.article_order.pop_front() {
                    self.articles.remove(&old);
                }
            }
        }
        self.articles.get_mut(id).expect("inserted above")
    }

    fn sentence(&mut self, record: &Value) -> Option<IngestOutcome> {
        let article_id = clip(record.get("article_id")?.as_str()?, MAX_ID_CHARS);
        let index = usize::try_from(record.get("sentence_index")?.as_u64()?).ok()?;
        let is_claim = record.pointer("/claim/is_claim").and_then(Value::as_bool).unwrap_or(false);
        if !is_claim {
            return Some(IngestOutcome::Ignored);
        }
        let per_entry = self.caps.per_entry;
        let attribution = record.get("attribution").filter(|a| a.is_object());
        let speaker = attribution.and_then(|a| {
            a.pointer("/speaker/resolved")
                .and_then(Value::as_str)
                .or_else(|| a.pointer("/speaker/text").and_then(Value::as_str))
                .map(|s| clip(s, MAX_NAME_CHARS))
        });
        let stance = record.pointer("/stance/label").and_then(Value::as_str).map(|s| clip(s, 16));
        let claim = ClaimSentence {
            index,
            text: clip(record.get("text").and_then(Value::as_str).unwrap_or(""), MAX_TEXT_CHARS),
            speaker: speaker.clone(),
            cue: attribution.and_then(|a| a.pointer("/cue/text")).and_then(Value::as_str).map(|s| clip(s, 60)),
            stance: stance.clone(),
            confidence: record.pointer("/stance/confidence").and_then(Value::as_f64),
            hedges: record
                .pointer("/hedge/cues")
                .and_then(Value::as_array)
                .map(|cues| {
                    cues.iter()
                        .filter_map(|c| c.get("text").and_then(Value::as_str))
                        .take(per_entry)
                        .map(|c| clip(c, 60))
                        .collect()
                })
                .unwrap_or_default(),
            kind: record.pointer("/claim/kind").and_then(Value::as_str).map(|s| clip(s, 30)),
            cluster: record.get("claim_cluster").and_then(Value::as_str).map(|s| clip(s, MAX_ID_CHARS)),
        };
        let cap = self.caps.claims_per_article;
        let article = self.article_entry(&article_id, record);
        let (time_ms, outlet) =
            (article.time_ms, article.outlet.clone().or_else(|| name(record, "article_source")));
        if article.claims.len() < cap || article.claims.contains_key(&index) {
            article.claims.insert(index, claim);
        } else if article.claims.keys().next_back().is_some_and(|&last| index < last) {
            article.claims.pop_last();
            article.claims.insert(index, claim);
        }
        if let Some(speaker) = speaker {
            let key = (article_id, index);
            if self.speaker_claim_keys.insert(key.clone()) {
                let stance = match stance.as_deref() {
                    Some("negative") => Some(0),
                    Some("neutral") => Some(1),
                    Some("positive") => Some(2),
                    _ => None,
                };
                self.speaker_claims.push_back(SpeakerClaim { key, speaker, outlet, time_ms, stance });
                while self.speaker_claims.len() > self.caps.speaker_claims {
                    if let Some(old) = self.speaker_claims.pop_front() {
                        self.speaker_claim_keys.remove(&old.key);
                    }
                }
            }
        }
        Some(IngestOutcome::Kept)
    }

    fn article(&mut self, record: &Value) -> Option<IngestOutcome> {
        let article_id = clip(record.get("article_id")?.as_str()?, MAX_ID_CHARS);
        let (time_ms, time) = event_time(record);
        let article = self.article_entry(&article_id, record);
        article.title = name(record, "title");
        article.outlet = name(record, "article_source").or(article.outlet.take());
        article.url = record
            .get("url")
            .and_then(Value::as_str)
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .map(|u| clip(u, MAX_TEXT_CHARS));
        article.time_ms = time_ms;
        article.time = time;
        article.sentences = record.pointer("/counts/sentences").and_then(Value::as_u64);
        article.summarised = true;
        Some(IngestOutcome::Kept)
    }

    fn claim(&mut self, record: &Value) -> Option<IngestOutcome> {
        let id = clip(record.get("cluster_id")?.as_str()?, MAX_ID_CHARS);
        let per_entry = self.caps.per_entry;
        let strings = |key: &str, field: Option<&str>| -> Vec<String> {
            record
                .get(key)
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|v| match field {
                            Some(f) => v.get(f).and_then(Value::as_str),
                            None => v.as_str(),
                        })
                        .take(per_entry)
                        .map(|s| clip(s, MAX_NAME_CHARS))
                        .collect()
                })
                .unwrap_or_default()
        };
        let outlets = strings("outlets", None);
        let speakers = strings("speakers", Some("name"));
        let count = |label: &str| record.pointer(&format!("/stance/{label}")).and_then(Value::as_u64).unwrap_or(0);
        let seq = self.next_seq();
        let cluster = Cluster {
            id: id.clone(),
            seq,
            canonical: member(record.get("canonical")?)?,
            first_seen: member(record.get("first_seen")?)?,
            latest: member(record.get("latest")?)?,
            members: record.get("members").and_then(Value::as_u64).unwrap_or(1),
            outlet_count: record.get("outlet_count").and_then(Value::as_u64).unwrap_or(outlets.len() as u64),
            outlets,
            speakers,
            mix: [count("negative"), count("neutral"), count("positive")],
        };
        self.clusters.insert(id, cluster);
        if self.clusters.len() > self.caps.clusters {
            // Least recently updated first; a linear scan only when the cap is passed.
            if let Some(oldest) = self.clusters.values().min_by_key(|c| c.seq).map(|c| c.id.clone()) {
                self.clusters.remove(&oldest);
            }
        }
        Some(IngestOutcome::Kept)
    }

    fn tension(&mut self, record: &Value) -> Option<IngestOutcome> {
        let id = clip(record.get("tension_id")?.as_str()?, MAX_ID_CHARS);
        let sides = record.get("sides")?.as_array()?;
        let side = |v: &Value| -> Option<Side> {
            Some(Side {
                member: member(v)?,
                speaker: name(v, "speaker"),
                stance: v.get("stance").and_then(Value::as_str).map(|s| clip(s, 16)),
                confidence: v.get("confidence").and_then(Value::as_f64),
            })
        };
        let sides = [side(sides.first()?)?, side(sides.get(1)?)?];
        if !self.tension_ids.insert(id.clone()) {
            return Some(IngestOutcome::Ignored);
        }
        let time_ms = sides[0].member.time_ms.max(sides[1].member.time_ms);
        self.tensions.push_front(Tension {
            id,
            scope: record.get("scope").and_then(Value::as_str).map(|s| clip(s, 16)),
            subject: clip(record.pointer("/subject/text").and_then(Value::as_str).unwrap_or(""), MAX_NAME_CHARS),
            score: record.get("score").and_then(Value::as_f64),
            time_ms,
            sides,
        });
        while self.tensions.len() > self.caps.tensions {
            if let Some(old) = self.tensions.pop_back() {
                self.tension_ids.remove(&old.id);
            }
        }
        Some(IngestOutcome::Kept)
    }
}

fn name(record: &Value, key: &str) -> Option<String> {
    record.get(key).and_then(Value::as_str).filter(|s| !s.trim().is_empty()).map(|s| clip(s, MAX_NAME_CHARS))
}

/// A claim member or tension side: `{article_id, sentence_index, text, outlet, time}`.
fn member(v: &Value) -> Option<Member> {
    let time = v.get("time").and_then(Value::as_str).unwrap_or("");
    Some(Member {
        article_id: clip(v.get("article_id")?.as_str()?, MAX_ID_CHARS),
        sentence_index: usize::try_from(v.get("sentence_index")?.as_u64()?).ok()?,
        text: clip(v.get("text").and_then(Value::as_str).unwrap_or(""), MAX_TEXT_CHARS),
        outlet: name(v, "outlet"),
        time_ms: millis(time).unwrap_or(0),
        time: clip(time, 40),
    })
}

fn millis(time: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(time).ok().map(|t| t.timestamp_millis())
}

/// A record's event time: `published_at`, else `processed_at` (ms, and the text as given); 0 when neither
/// reads.
fn event_time(record: &Value) -> (i64, String) {
    for key in ["published_at", "processed_at"] {
        if let Some(text) = record.get(key).and_then(Value::as_str) {
            if let Some(ms) = millis(text) {
                return (ms, clip(text, 40));
            }
        }
    }
    (0, String::new())
}
