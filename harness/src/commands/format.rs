//! How a report is printed: a table for the terminal, GitHub markdown, or JSON.

/// Output formats of reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A table for the terminal.
    Table,
    /// GitHub-flavoured markdown.
    Markdown,
    /// JSON.
    Json,
}
