//! What the page gets: the view filtered by a [`Query`], newest first, each list cut to what a page shows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::model::{Article, Member, Side, View};
use crate::query::Query;

/// Articles, clusters, tensions and speakers a snapshot shows at most.
pub const SHOWN_ARTICLES: usize = 40;
pub const SHOWN_CLUSTERS: usize = 30;
pub const SHOWN_TENSIONS: usize = 30;
pub const SHOWN_SPEAKERS: usize = 40;
/// The most time buckets of the speakers' stance mix.
pub const MAX_BUCKETS: i64 = 24;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Mix {
    pub negative: u64,
    pub neutral: u64,
    pub positive: u64,
}

impl Mix {
    fn add(&mut self, stance: Option<usize>) {
        match stance {
            Some(0) => self.negative += 1,
            Some(1) => self.neutral += 1,
            Some(2) => self.positive += 1,
            _ => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimOut {
    pub index: usize,
    /// The page's anchor of this sentence: `article-<id>-s<index>` (the page turns it into a safe element id).
    pub anchor: String,
    pub text: String,
    pub speaker: Option<String>,
    pub cue: Option<String>,
    pub stance: Option<String>,
    pub confidence: Option<f64>,
    pub hedges: Vec<String>,
    pub kind: Option<String>,
    pub cluster: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleOut {
    pub id: String,
    pub anchor: String,
    pub title: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub time: String,
    pub time_ms: i64,
    pub sentences: Option<u64>,
    pub claims: Vec<ClaimOut>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeakerOut {
    pub name: String,
    pub claims: u64,
    pub mix: Mix,
    /// One mix per bucket of [`Snapshot::buckets`].
    pub series: Vec<Mix>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Buckets {
    pub start_ms: i64,
    pub width_ms: i64,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberOut {
    pub article_id: String,
    pub sentence_index: usize,
    pub anchor: String,
    pub text: String,
    pub source: Option<String>,
    pub time: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterOut {
    pub id: String,
    pub canonical: MemberOut,
    pub first_seen: MemberOut,
    pub latest: MemberOut,
    pub members: u64,
    pub outlets: Vec<String>,
    pub outlet_count: u64,
    pub speakers: Vec<String>,
    pub mix: Mix,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SideOut {
    #[serde(flatten)]
    pub member: MemberOut,
    pub speaker: Option<String>,
    pub stance: Option<String>,
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TensionOut {
    pub id: String,
    pub scope: Option<String>,
    pub subject: String,
    pub score: Option<f64>,
    pub sides: [SideOut; 2],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub records: u64,
    pub invalid: u64,
    pub articles: usize,
    pub clusters: usize,
    pub tensions: usize,
}

/// One answer to the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    pub articles: Vec<ArticleOut>,
    pub speakers: Vec<SpeakerOut>,
    pub buckets: Buckets,
    pub clusters: Vec<ClusterOut>,
    pub tensions: Vec<TensionOut>,
    /// Every outlet and speaker the view holds (unfiltered), for the filter menus.
    pub all_sources: Vec<String>,
    pub all_speakers: Vec<String>,
    pub totals: Totals,
}

pub(crate) fn anchor(article_id: &str, index: Option<usize>) -> String {
    match index {
        Some(i) => format!("article-{article_id}-s{i}"),
        None => format!("article-{article_id}"),
    }
}

fn member_out(m: &Member) -> MemberOut {
    MemberOut {
        article_id: m.article_id.clone(),
        sentence_index: m.sentence_index,
        anchor: anchor(&m.article_id, Some(m.sentence_index)),
        text: m.text.clone(),
        source: m.outlet.clone(),
        time: m.time.clone(),
    }
}

fn side_out(s: &Side) -> SideOut {
    SideOut {
        member: member_out(&s.member),
        speaker: s.speaker.clone(),
        stance: s.stance.clone(),
        confidence: s.confidence,
    }
}

fn article_out(a: &Article, query: &Query) -> Option<ArticleOut> {
    let claims: Vec<ClaimOut> = a
        .claims
        .values()
        .filter(|c| query.speaker_is(c.speaker.as_deref()))
        .map(|c| ClaimOut {
            index: c.index,
            anchor: anchor(&a.id, Some(c.index)),
            text: c.text.clone(),
            speaker: c.speaker.clone(),
            cue: c.cue.clone(),
            stance: c.stance.clone(),
            confidence: c.confidence,
            hedges: c.hedges.clone(),
            kind: c.kind.clone(),
            cluster: c.cluster.clone(),
        })
        .collect();
    if query.speaker.is_some() && claims.is_empty() {
        return None;
    }
    Some(ArticleOut {
        id: a.id.clone(),
        anchor: anchor(&a.id, None),
        title: a.title.clone(),
        source: a.outlet.clone(),
        url: a.url.clone(),
        time: a.time.clone(),
        time_ms: a.time_ms,
        sentences: a.sentences,
        claims,
    })
}

/// A bucket width from a fixed ladder (a minute to a week) so that `span` fits in [`MAX_BUCKETS`].
fn bucket_width(span_ms: i64) -> i64 {
    const LADDER: [i64; 9] = [60, 300, 900, 3_600, 3 * 3_600, 6 * 3_600, 86_400, 2 * 86_400, 7 * 86_400];
    LADDER
        .iter()
        .map(|s| s * 1000)
        .find(|w| span_ms / w < MAX_BUCKETS)
        .unwrap_or_else(|| (span_ms / MAX_BUCKETS) + 1)
}

impl View {
    /// The view as the page shows it under `query`.
    pub fn snapshot(&self, query: &Query) -> Snapshot {
        let mut articles: Vec<&Article> = self
            .articles
            .values()
            .filter(|a| query.source_is(a.outlet.as_deref()) && query.in_range(a.time_ms))
            .collect();
        articles.sort_by(|a, b| b.time_ms.cmp(&a.time_ms).then(b.seq.cmp(&a.seq)));
        let articles: Vec<ArticleOut> =
            articles.into_iter().filter_map(|a| article_out(a, query)).take(SHOWN_ARTICLES).collect();

        // Speakers: over the kept claims that pass the filters.
        let claims: Vec<_> = self
            .speaker_claims
            .iter()
            .filter(|c| {
                query.source_is(c.outlet.as_deref())
                    && query.speaker_is(Some(&c.speaker))
                    && query.in_range(c.time_ms)
            })
            .collect();
        let (min, max) =
            claims.iter().fold((i64::MAX, i64::MIN), |(lo, hi), c| (lo.min(c.time_ms), hi.max(c.time_ms)));
        let buckets = if claims.is_empty() {
            Buckets { start_ms: 0, width_ms: 60_000, count: 0 }
        } else {
            let width = bucket_width(max - min);
            let start = min.div_euclid(width) * width;
            Buckets { start_ms: start, width_ms: width, count: ((max - start) / width + 1) as usize }
        };
        let mut by_speaker: HashMap<&str, (Mix, Vec<Mix>, BTreeSet<&str>)> = HashMap::new();
        for c in &claims {
            let entry = by_speaker
                .entry(c.speaker.as_str())
                .or_insert_with(|| (Mix::default(), vec![Mix::default(); buckets.count], BTreeSet::new()));
            entry.0.add(c.stance);
            let bucket = ((c.time_ms - buckets.start_ms) / buckets.width_ms) as usize;
            if let Some(slot) = entry.1.get_mut(bucket) {
                slot.add(c.stance);
            }
            if let Some(outlet) = &c.outlet {
                if entry.2.len() < self.caps.per_entry {
                    entry.2.insert(outlet.as_str());
                }
            }
        }
        let mut speakers: Vec<SpeakerOut> = by_speaker
            .into_iter()
            .map(|(name, (mix, series, sources))| SpeakerOut {
                name: name.to_owned(),
                claims: mix.negative + mix.neutral + mix.positive,
                mix,
                series,
                sources: sources.into_iter().map(str::to_owned).collect(),
            })
            .collect();
        speakers.sort_by(|a, b| b.claims.cmp(&a.claims).then_with(|| a.name.cmp(&b.name)));
        speakers.truncate(SHOWN_SPEAKERS);

        // Claims spreading: most outlets, then most members, then the most recent.
        let mut clusters: Vec<_> = self
            .clusters
            .values()
            .filter(|c| {
                query.source.as_deref().is_none_or(|s| c.outlets.iter().any(|o| o == s))
                    && query.speaker.as_deref().is_none_or(|s| c.speakers.iter().any(|o| o == s))
                    && query.to_ms.is_none_or(|to| c.first_seen.time_ms <= to)
                    && query.from_ms.is_none_or(|from| c.latest.time_ms >= from)
            })
            .collect();
        clusters.sort_by(|a, b| {
            b.outlet_count
                .cmp(&a.outlet_count)
                .then(b.members.cmp(&a.members))
                .then(b.latest.time_ms.cmp(&a.latest.time_ms))
                .then(a.id.cmp(&b.id))
        });
        let clusters = clusters
            .into_iter()
            .take(SHOWN_CLUSTERS)
            .map(|c| ClusterOut {
                id: c.id.clone(),
                canonical: member_out(&c.canonical),
                first_seen: member_out(&c.first_seen),
                latest: member_out(&c.latest),
                members: c.members,
                outlets: c.outlets.clone(),
                outlet_count: c.outlet_count,
                speakers: c.speakers.clone(),
                mix: Mix { negative: c.mix[0], neutral: c.mix[1], positive: c.mix[2] },
            })
            .collect();

        // Tensions: newest first (by arrival), either side matching.
        let tensions = self
            .tensions
            .iter()
            .filter(|t| {
                t.sides.iter().any(|s| query.source_is(s.member.outlet.as_deref()))
                    && t.sides.iter().any(|s| query.speaker_is(s.speaker.as_deref()))
                    && query.in_range(t.time_ms)
            })
            .take(SHOWN_TENSIONS)
            .map(|t| TensionOut {
                id: t.id.clone(),
                scope: t.scope.clone(),
                subject: t.subject.clone(),
                score: t.score,
                sides: [side_out(&t.sides[0]), side_out(&t.sides[1])],
            })
            .collect();

        let mut all_sources: BTreeSet<&str> = self.articles.values().filter_map(|a| a.outlet.as_deref()).collect();
        all_sources.extend(self.clusters.values().flat_map(|c| c.outlets.iter().map(String::as_str)));
        let mut speaker_counts: BTreeMap<&str, u64> = BTreeMap::new();
        for c in &self.speaker_claims {
            *speaker_counts.entry(c.speaker.as_str()).or_default() += 1;
        }
        let mut all_speakers: Vec<(&str, u64)> = speaker_counts.into_iter().collect();
        all_speakers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        Snapshot {
            articles,
            speakers,
            buckets,
            clusters,
            tensions,
            all_sources: all_sources.into_iter().take(500).map(str::to_owned).collect(),
            all_speakers: all_speakers.into_iter().take(500).map(|(s, _)| s.to_owned()).collect(),
            totals: Totals {
                records: self.records,
                invalid: self.invalid,
                articles: self.articles.len(),
                clusters: self.clusters.len(),
                tensions: self.tensions.len(),
            },
        }
    }
}
