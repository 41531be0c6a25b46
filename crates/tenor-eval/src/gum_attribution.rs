//! Tenor's attribution rules scored on a GUM folder (`dep/*.conllu`, `rsd/*.rsd`, `splits.md`): the driver of
//! `tenor eval attribution`.
//!
//! Each document is rebuilt from its CoNLL-U file, analysed with GUM's own sentence boundaries (so splitting
//! errors do not blur the attribution figures), and every predicted speaker and cue is matched against the
//! `.rsd` attribution units ([`crate::gum_rsd`]).
//!
//! Guarantees: documents are read and tallied in sorted name order; with cross-validation only train
//! documents are read (dev never is), each whole document in one fold ([`grouped_folds`]), and the pooled
//! tally (`cv-pooled`) is the sum of the held-out folds' counts. Genres are the second `_`-separated part of
//! a GUM name (`GUM_news_x` → `news`). Unlike the rest of this crate, [`read_gum`] reads files: it takes the
//! folder's path.

use std::collections::BTreeMap;
use std::path::Path;

use tenor_attribution::{ArticleAnalysis, Attributor};

use crate::conllu::{self, Document};
use crate::gum_rsd::{
    attribution_units, cue_errors, grouped_folds, parse_splits, AttributionTally, AttributionUnit, CueError,
    PredictedAttribution, RsdError,
};

/// Why a GUM folder could not be scored.
#[derive(Debug, thiserror::Error)]
pub enum GumError {
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} holds no document")]
    NoDocument { path: String },
    #[error("in {path}")]
    Rsd {
        path: String,
        #[source]
        source: RsdError,
    },
    #[error("--cv folds the train documents; dev is never used for cross-validation")]
    CrossValidationOnDev,
    #[error("no GUM documents of the requested split under {dir}")]
    Empty { dir: String },
}

/// Which GUM split(s) to score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitChoice {
    Train,
    Dev,
    /// Train and dev, reported separately.
    All,
}

/// One GUM document with its gold attribution units.
#[derive(Debug, Clone, PartialEq)]
pub struct GumDocument {
    pub name: String,
    pub split: String,
    pub document: Document,
    pub units: Vec<AttributionUnit>,
}

impl GumDocument {
    /// The genre in the document's name (`GUM_interview_x` → `interview`).
    pub fn genre(&self) -> &str {
        self.name.split('_').nth(1).unwrap_or("?")
    }
}

/// The documents of `splits` under `dir`, in sorted name order.
pub fn read_gum(dir: &Path, splits: &[&str]) -> Result<Vec<GumDocument>, GumError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|source| GumError::Read { path: path.display().to_string(), source })
    };
    let split_of = parse_splits(&read(&dir.join("splits.md"))?);
    let rsd_dir = dir.join("rsd");
    let mut names: Vec<String> = std::fs::read_dir(&rsd_dir)
        .map_err(|source| GumError::Read { path: rsd_dir.display().to_string(), source })?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| entry.file_name().to_str().and_then(|n| n.strip_suffix(".rsd")).map(str::to_owned))
        .collect();
    names.sort();
    let mut documents = Vec::new();
    for name in names {
        let Some(split) = split_of.get(&name) else { continue };
        if !splits.contains(&split.as_str()) {
            continue;
        }
        let conllu_path = dir.join("dep").join(format!("{name}.conllu"));
        let Some(document) = conllu::parse(&read(&conllu_path)?).into_iter().next() else {
            return Err(GumError::NoDocument { path: conllu_path.display().to_string() });
        };
        let rsd_path = rsd_dir.join(format!("{name}.rsd"));
        let units = attribution_units(&read(&rsd_path)?, &document)
            .map_err(|source| GumError::Rsd { path: rsd_path.display().to_string(), source })?;
        documents.push(GumDocument { name, split: split.clone(), document, units });
    }
    Ok(documents)
}

/// What is predicted and how it is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributionOptions {
    pub split: SplitChoice,
    /// Grouped cross-validation over the train documents with this many folds.
    pub cv: Option<usize>,
    /// Only each sentence's primary attribution (the one its record carries).
    pub primary_only: bool,
    /// Leave out source credits (speakers without a cue).
    pub no_credits: bool,
    /// Score a second cue word of a unit already matched as a false positive ([`AttributionTally::one_cue_per_unit`]).
    pub one_cue_per_unit: bool,
    /// Also tally by genre and collect the cue errors.
    pub breakdown: bool,
}

impl AttributionOptions {
    /// The GUM splits these options read.
    pub fn splits(&self) -> Result<&'static [&'static str], GumError> {
        match (self.cv, self.split) {
            (Some(_), SplitChoice::Dev) => Err(GumError::CrossValidationOnDev),
            (Some(_), _) | (None, SplitChoice::Train) => Ok(&["train"]),
            (None, SplitChoice::Dev) => Ok(&["dev"]),
            (None, SplitChoice::All) => Ok(&["train", "dev"]),
        }
    }

    fn new_tally(&self) -> AttributionTally {
        if self.one_cue_per_unit {
            AttributionTally::one_cue_per_unit()
        } else {
            AttributionTally::default()
        }
    }

    /// The attributions of `analysis` that are scored: every cue-based attribution not inherited from a quote
    /// (only primary ones with `primary_only`), then the source credits (unless `primary_only` or
    /// `no_credits`).
    pub fn predictions(&self, analysis: &ArticleAnalysis) -> Vec<PredictedAttribution> {
        analysis
            .sentences
            .iter()
            .flat_map(|s| {
                s.attribution.iter().filter(|a| !a.inherited).chain(s.others.iter().filter(|_| !self.primary_only))
            })
            .map(|a| PredictedAttribution { speaker: a.speaker.clone(), cue: Some(a.cue_word.clone()) })
            .chain(
                analysis
                    .sentences
                    .iter()
                    .filter(|_| !self.primary_only && !self.no_credits)
                    .filter_map(|s| s.credit.clone())
                    .map(|speaker| PredictedAttribution { speaker, cue: None }),
            )
            .collect()
    }
}

/// A scored document: the document and what the rules predicted on it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredDocument {
    pub gum: GumDocument,
    pub predictions: Vec<PredictedAttribution>,
}

/// The tallies of one evaluation run.
#[derive(Debug, Clone, Default)]
pub struct AttributionEvaluation {
    /// By split (`train`, `dev`), or by fold (`fold0` …) and `cv-pooled` with cross-validation.
    pub tallies: BTreeMap<String, AttributionTally>,
    /// By `split/genre`, with `breakdown`.
    pub genres: BTreeMap<String, AttributionTally>,
    /// Cue errors by split, with `breakdown`.
    pub errors: BTreeMap<String, Vec<CueError>>,
    pub documents: Vec<ScoredDocument>,
}

/// Reads the GUM folder `dir`, runs `attributor` on every document of the chosen splits and tallies the scores.
pub fn evaluate_gum(
    dir: &Path,
    attributor: &Attributor,
    options: AttributionOptions,
) -> Result<AttributionEvaluation, GumError> {
    let documents = read_gum(dir, options.splits()?)?;
    let scored: Vec<ScoredDocument> = documents
        .into_iter()
        .map(|gum| {
            let sentences: Vec<_> = gum.document.sentences.iter().map(|s| s.range.clone()).collect();
            let analysis = attributor.analyze_article(&gum.document.text, &sentences);
            ScoredDocument { predictions: options.predictions(&analysis), gum }
        })
        .collect();
    let evaluation = tally(scored, options);
    if evaluation.tallies.is_empty() {
        return Err(GumError::Empty { dir: dir.display().to_string() });
    }
    Ok(evaluation)
}

/// Tallies scored documents by split (or fold), and by genre and cue error with `breakdown`.
pub fn tally(documents: Vec<ScoredDocument>, options: AttributionOptions) -> AttributionEvaluation {
    let folds = options.cv.map(|k| {
        let train: Vec<String> =
            documents.iter().filter(|d| d.gum.split == "train").map(|d| d.gum.name.clone()).collect();
        grouped_folds(&train, k)
    });
    let mut evaluation = AttributionEvaluation::default();
    for d in &documents {
        let (gum, predictions) = (&d.gum, &d.predictions);
        let key = match &folds {
            Some(folds) => format!("fold{}", folds[&gum.name]),
            None => gum.split.clone(),
        };
        evaluation.tallies.entry(key).or_insert_with(|| options.new_tally()).add(
            &gum.document,
            &gum.units,
            predictions,
        );
        if options.breakdown {
            evaluation
                .genres
                .entry(format!("{}/{}", gum.split, gum.genre()))
                .or_insert_with(|| options.new_tally())
                .add(&gum.document, &gum.units, predictions);
            evaluation.errors.entry(gum.split.clone()).or_default().extend(cue_errors(
                &gum.document,
                &gum.units,
                predictions,
            ));
        }
    }
    if folds.is_some() {
        // The folds pooled: counts summed over held-out folds, ratios taken once.
        let pooled = evaluation.tallies.values().fold(options.new_tally(), |mut all, t| {
            all.merge(t);
            all
        });
        evaluation.tallies.insert("cv-pooled".to_owned(), pooled);
    }
    evaluation.documents = documents;
    evaluation
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> AttributionOptions {
        AttributionOptions {
            split: SplitChoice::All,
            cv: None,
            primary_only: false,
            no_credits: false,
            one_cue_per_unit: false,
            breakdown: true,
        }
    }

    fn scored(name: &str, split: &str) -> ScoredDocument {
        let text = "x";
        let document = conllu::parse(&format!("# text = {text}\n1\tx\tx\tX\tX\t_\t0\troot\t_\t_\n\n"))
            .into_iter()
            .next()
            .expect("a document");
        ScoredDocument {
            gum: GumDocument { name: name.into(), split: split.into(), document, units: Vec::new() },
            predictions: Vec::new(),
        }
    }

    #[test]
    fn splits_follow_the_choice_and_cross_validation_never_reads_dev() {
        let mut o = options();
        assert_eq!(o.splits().unwrap(), ["train", "dev"]);
        o.cv = Some(5);
        assert_eq!(o.splits().unwrap(), ["train"]);
        o.split = SplitChoice::Dev;
        assert!(matches!(o.splits(), Err(GumError::CrossValidationOnDev)));
    }

    #[test]
    fn tallies_go_by_split_or_fold_and_genre() {
        let docs =
            vec![scored("GUM_news_a", "train"), scored("GUM_interview_b", "train"), scored("GUM_news_c", "dev")];
        let evaluation = tally(docs.clone(), options());
        assert_eq!(evaluation.tallies.keys().collect::<Vec<_>>(), ["dev", "train"]);
        assert_eq!(evaluation.genres.keys().collect::<Vec<_>>(), ["dev/news", "train/interview", "train/news"]);
        assert_eq!(evaluation.tallies["train"].scores().documents, 2);
        let cv = AttributionOptions { cv: Some(2), split: SplitChoice::Train, breakdown: false, ..options() };
        let train: Vec<ScoredDocument> = docs.into_iter().filter(|d| d.gum.split == "train").collect();
        let evaluation = tally(train, cv);
        assert_eq!(evaluation.tallies.keys().collect::<Vec<_>>(), ["cv-pooled", "fold0", "fold1"]);
        assert_eq!(evaluation.tallies["cv-pooled"].scores().documents, 2);
        assert!(evaluation.genres.is_empty());
    }
}
