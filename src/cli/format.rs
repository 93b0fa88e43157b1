//! `--format`: what a command prints on stdout, shared by `run`, `replay`,
//! `sweep` and `merge`.

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable summary table.
    Table,
    /// The summary as one JSON object.
    Json,
}
