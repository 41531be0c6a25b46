//! `tenor eval attribution`: Tenor's attribution rules against GUM's attribution units.
//!
//! Each GUM document (news, interview and speech; train and dev splits) is rebuilt from its CoNLL-U file,
//! analysed with GUM's own sentence boundaries (so that splitting errors do not blur the attribution figures),
//! and every predicted speaker and cue is matched against the `.rsd` attribution units. The rules were
//! developed on train; dev is the reported figure.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use serde::Serialize;
use tenor_attribution::Attributor;
use tenor_eval::conllu;
use tenor_eval::gum_rsd::{
    attribution_units, cue_errors, grouped_folds, parse_splits, AttributionScores, AttributionTally, CueError,
    PredictedAttribution,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SplitChoice {
    Train,
    Dev,
    /// Train and dev, reported separately.
    All,
}

#[derive(Debug, Args)]
pub struct EvalAttributionArgs {
    /// GUM folder holding `dep/`, `rsd/` and `splits.md`.
    #[arg(long, default_value = "models/data/gum")]
    pub data: PathBuf,
    /// Which split(s) to score.
    #[arg(long, value_enum, default_value_t = SplitChoice::All)]
    pub split: SplitChoice,
    /// Print the scores as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also list every gold unit and prediction that did not match (speaker overlap, cue exact) on stderr.
    #[arg(long)]
    pub show_errors: bool,
    /// Score only each sentence's primary attribution (the one its record carries), not the further ones.
    #[arg(long)]
    pub primary_only: bool,
    /// Leave out source credits (`Image: Nick Moreau.`, `THE PRESIDENT:`): score only cue-based attributions.
    #[arg(long)]
    pub no_credits: bool,
    /// Also report the scores by genre (news, interview, speech) and a breakdown of the cue errors (missed gold
    /// cues, false cues, boundary mismatches, by word) on stderr.
    #[arg(long)]
    pub breakdown: bool,
    /// Grouped cross-validation over the TRAIN documents with this many folds (leave documents out; fold =
    /// position in sorted name order modulo K): reports each held-out fold and the folds pooled. Dev is not
    /// read. The rules are fixed, so each fold scores them on documents it did not pick them on only if the
    /// rules were not developed there; the figure is what a learned part must beat held out.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u16).range(2..=46))]
    pub cv: Option<u16>,
    /// Score a predicted cue on a second indicative word of a GUM unit already matched by another prediction
    /// ("tweeted … and said") as a false positive, as figures before commit d93b3b9 did; by default it is
    /// left out of the cue scores (unscored).
    #[arg(long)]
    pub one_cue_per_unit: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    data: String,
    sentence_boundaries: &'static str,
    splits: BTreeMap<String, AttributionScores>,
}

pub fn run(args: EvalAttributionArgs) -> anyhow::Result<ExitCode> {
    let splits_path = args.data.join("splits.md");
    let splits = parse_splits(
        &std::fs::read_to_string(&splits_path)
            .with_context(|| format!("cannot read {}", splits_path.display()))?,
    );
    if args.cv.is_some() && args.split == SplitChoice::Dev {
        bail!("--cv folds the train documents; dev is never used for cross-validation");
    }
    let wanted: &[&str] = match (args.cv, args.split) {
        (Some(_), _) | (None, SplitChoice::Train) => &["train"],
        (None, SplitChoice::Dev) => &["dev"],
        (None, SplitChoice::All) => &["train", "dev"],
    };
    let rsd_dir = args.data.join("rsd");
    let mut names: Vec<String> = std::fs::read_dir(&rsd_dir)
        .with_context(|| format!("cannot list {}", rsd_dir.display()))?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| entry.file_name().to_str().and_then(|n| n.strip_suffix(".rsd")).map(str::to_owned))
        .collect();
    names.sort();
    let attributor = Attributor::new();
    let mut tallies: BTreeMap<String, AttributionTally> = BTreeMap::new();
    let mut genre_tallies: BTreeMap<String, AttributionTally> = BTreeMap::new();
    let mut errors: BTreeMap<String, Vec<CueError>> = BTreeMap::new();
    let new_tally =
        || if args.one_cue_per_unit { AttributionTally::one_cue_per_unit() } else { AttributionTally::default() };
    let folds = args.cv.map(|k| {
        let train: Vec<String> =
            names.iter().filter(|n| splits.get(*n).is_some_and(|s| s == "train")).cloned().collect();
        grouped_folds(&train, usize::from(k))
    });
    let stderr = std::io::stderr();
    for name in &names {
        let Some(split) = splits.get(name) else { continue };
        if !wanted.contains(&split.as_str()) {
            continue;
        }
        let conllu_path = args.data.join("dep").join(format!("{name}.conllu"));
        let text = std::fs::read_to_string(&conllu_path)
            .with_context(|| format!("cannot read {}", conllu_path.display()))?;
        let Some(document) = conllu::parse(&text).into_iter().next() else {
            bail!("{} holds no document", conllu_path.display());
        };
        let rsd_path = rsd_dir.join(format!("{name}.rsd"));
        let rsd =
            std::fs::read_to_string(&rsd_path).with_context(|| format!("cannot read {}", rsd_path.display()))?;
        let units = attribution_units(&rsd, &document).with_context(|| format!("in {}", rsd_path.display()))?;
        let sentences: Vec<_> = document.sentences.iter().map(|s| s.range.clone()).collect();
        let analysis = attributor.analyze_article(&document.text, &sentences);
        let predictions: Vec<PredictedAttribution> = analysis
            .sentences
            .iter()
            .flat_map(|s| {
                s.attribution.iter().filter(|a| !a.inherited).chain(s.others.iter().filter(|_| !args.primary_only))
            })
            .map(|a| PredictedAttribution { speaker: a.speaker.clone(), cue: Some(a.cue_word.clone()) })
            .chain(
                analysis
                    .sentences
                    .iter()
                    .filter(|_| !args.primary_only && !args.no_credits)
                    .filter_map(|s| s.credit.clone())
                    .map(|speaker| PredictedAttribution { speaker, cue: None }),
            )
            .collect();
        if args.show_errors {
            let mut err = stderr.lock();
            show_errors(&mut err, name, &document, &units, &predictions)?;
        }
        let key = match &folds {
            Some(folds) => format!("fold{}", folds[name]),
            None => split.clone(),
        };
        tallies.entry(key.clone()).or_insert_with(new_tally).add(&document, &units, &predictions);
        if args.breakdown {
            let genre = name.split('_').nth(1).unwrap_or("?");
            genre_tallies.entry(format!("{split}/{genre}")).or_insert_with(new_tally).add(
                &document,
                &units,
                &predictions,
            );
            errors.entry(split.clone()).or_default().extend(cue_errors(&document, &units, &predictions));
        }
    }
    if folds.is_some() {
        // The folds pooled: counts summed over held-out folds, ratios taken once.
        let pooled = tallies.values().fold(new_tally(), |mut all, t| {
            all.merge(t);
            all
        });
        tallies.insert("cv-pooled".to_owned(), pooled);
    }
    if args.breakdown {
        let mut err = stderr.lock();
        print_breakdown(&mut err, &genre_tallies, &errors)?;
    }
    if tallies.is_empty() {
        bail!("no GUM documents of the requested split under {}", args.data.display());
    }
    let report = Report {
        data: args.data.display().to_string(),
        sentence_boundaries: "gold (CoNLL-U)",
        splits: tallies.iter().map(|(k, v)| (k.clone(), v.scores())).collect(),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        print_table(&mut out, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    writeln!(out, "GUM attribution units ({}), sentence boundaries: {}", report.data, report.sentence_boundaries)?;
    writeln!(
        out,
        "{:<6} {:>5} {:>6}  {:<16} {:>9} {:>7} {:>6}  {:>4} {:>5} {:>5}",
        "split", "docs", "units", "metric", "precision", "recall", "F1", "tp", "pred", "gold"
    )?;
    for (split, s) in &report.splits {
        for (metric, prf) in [
            ("speaker exact", s.speaker_exact),
            ("speaker overlap", s.speaker_overlap),
            ("cue exact", s.cue_exact),
            ("cue overlap", s.cue_overlap),
        ] {
            writeln!(
                out,
                "{:<6} {:>5} {:>6}  {:<16} {:>9.3} {:>7.3} {:>6.3}  {:>4} {:>5} {:>5}",
                split,
                s.documents,
                s.units,
                metric,
                prf.precision,
                prf.recall,
                prf.f1,
                prf.true_positives,
                prf.predicted,
                prf.gold
            )?;
        }
        writeln!(out, "{split:<6} predicted cues left unscored (in a unit without a gold cue, or a second cue word of a matched unit): {}", s.cue_unscored)?;
    }
    Ok(())
}

fn print_breakdown(
    out: &mut impl Write,
    genres: &BTreeMap<String, AttributionTally>,
    errors: &BTreeMap<String, Vec<CueError>>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<18} {:>5} {:>6}  {:>12} {:>12}  cue tp/pred/gold",
        "split/genre", "docs", "units", "speaker ovl", "cue exact"
    )?;
    for (key, tally) in genres {
        let s = tally.scores();
        writeln!(
            out,
            "{key:<18} {:>5} {:>6}  {:>12.3} {:>12.3}  {}/{}/{}",
            s.documents,
            s.units,
            s.speaker_overlap.f1,
            s.cue_exact.f1,
            s.cue_exact.true_positives,
            s.cue_exact.predicted,
            s.cue_exact.gold
        )?;
    }
    for (split, errs) in errors {
        let mut missed: BTreeMap<String, usize> = BTreeMap::new();
        let mut false_cues: BTreeMap<String, usize> = BTreeMap::new();
        let mut boundary: BTreeMap<String, usize> = BTreeMap::new();
        for e in errs {
            let (map, key) = match e {
                CueError::Missed { gold } => (&mut missed, gold.clone()),
                CueError::False { predicted } => (&mut false_cues, predicted.clone()),
                CueError::Boundary { gold, predicted } => (&mut boundary, format!("{gold} ≠ {predicted}")),
            };
            *map.entry(key).or_default() += 1;
        }
        for (what, map) in [
            ("missed gold cues", missed),
            ("false cues", false_cues),
            ("boundary mismatches (gold ≠ predicted)", boundary),
        ] {
            let mut counts: Vec<(String, usize)> = map.into_iter().collect();
            counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let total: usize = counts.iter().map(|c| c.1).sum();
            let list: Vec<String> = counts.iter().map(|(w, n)| format!("{w} {n}")).collect();
            writeln!(out, "{split}: {what} {total}: {}", list.join(", "))?;
        }
    }
    Ok(())
}

fn show_errors(
    out: &mut impl Write,
    name: &str,
    document: &conllu::Document,
    units: &[tenor_eval::gum_rsd::AttributionUnit],
    predictions: &[PredictedAttribution],
) -> std::io::Result<()> {
    let text = document.text.as_str();
    let overlaps = |a: &std::ops::Range<usize>, b: &std::ops::Range<usize>| a.start < b.end && b.start < a.end;
    let sentence_of = |r: &std::ops::Range<usize>| {
        document.sentences.iter().find(|s| overlaps(&s.range, r)).map_or("", |s| &text[s.range.clone()])
    };
    for u in units {
        let found = predictions.iter().any(|p| u.speaker.iter().any(|r| overlaps(r, &p.speaker)));
        let cue_found =
            u.cue.is_empty() || predictions.iter().any(|p| p.cue.as_ref().is_some_and(|c| u.cue.contains(c)));
        if !found || !cue_found {
            let speaker: Vec<&str> = u.speaker.iter().map(|r| &text[r.clone()]).collect();
            let cue: Vec<&str> = u.cue.iter().map(|r| &text[r.clone()]).collect();
            writeln!(
                out,
                "MISS {name}\tspeaker={speaker:?}\tcue={cue:?}\t{}\t|| {}",
                &text[u.edu.clone()],
                sentence_of(&u.edu)
            )?;
        }
    }
    for p in predictions {
        let hit = units.iter().any(|u| u.speaker.iter().any(|r| overlaps(r, &p.speaker)));
        // A cue inside a unit whose cue GUM leaves unannotated is not scored (see `gum_rsd`).
        // A credit (no cue) is judged by its speaker alone.
        let cue_hit = p.cue.as_ref().is_none_or(|c| {
            units
                .iter()
                .any(|u| u.cue.contains(c) || (u.cue.is_empty() && u.edu.start <= c.start && c.end <= u.edu.end))
        });
        if !hit || !cue_hit {
            let anchor = p.cue.clone().unwrap_or_else(|| p.speaker.clone());
            let line_start = text[..anchor.start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[anchor.end..].find('\n').map_or(text.len(), |i| anchor.end + i);
            let mut from = line_start.max(anchor.start.saturating_sub(120));
            while !text.is_char_boundary(from) {
                from += 1;
            }
            let mut to = line_end.min(anchor.end + 120);
            while !text.is_char_boundary(to) {
                to -= 1;
            }
            let context = &text[from..to];
            writeln!(
                out,
                "FALSE {name}\tspeaker={:?}{}\tcue={:?}{}\t{}",
                &text[p.speaker.clone()],
                if hit { "" } else { "(x)" },
                p.cue.as_ref().map_or("", |c| &text[c.clone()]),
                if cue_hit { "" } else { "(x)" },
                context
            )?;
        }
    }
    Ok(())
}
