//! `tenor eval <task>`: measure one part of Tenor against labelled data, with the figures published in docs/.

use std::process::ExitCode;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Speaker and cue precision / recall / F1 on GUM's attribution units (train and dev documents).
    Attribution(super::eval_attribution::EvalAttributionArgs),
}

pub fn run(command: EvalCommand) -> anyhow::Result<ExitCode> {
    match command {
        EvalCommand::Attribution(args) => super::eval_attribution::run(args),
    }
}
