//! Where the service records redemptions: `--ledger sqlite:FILE`, `postgres://…` or `none`.

use std::fmt;

/// The ledger named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerUrl {
    None,
    /// A SQLite file, created with its tables when absent.
    Sqlite(String),
    /// A PostgreSQL connection URL (`postgres://user@host/db`).
    Postgres(String),
}

pub const DEFAULT_LEDGER: &str = "sqlite:honor-ledger.db";

impl LedgerUrl {
    pub fn parse(text: &str) -> Result<LedgerUrl, String> {
        let text = text.trim();
        if text == "none" {
            return Ok(LedgerUrl::None);
        }
        if let Some(file) = text.strip_prefix("sqlite:") {
            let file = file.strip_prefix("//").unwrap_or(file);
            if file.is_empty() {
                return Err(format!(
                    "--ledger `{text}` names no file; write it like sqlite:honor-ledger.db"
                ));
            }
            return Ok(LedgerUrl::Sqlite(file.to_string()));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(LedgerUrl::Postgres(text.to_string()));
        }
        Err(format!(
            "--ledger `{text}` is not a ledger; write sqlite:FILE, postgres://user@host/db or none"
        ))
    }
}

/// Shown without a PostgreSQL password.
impl fmt::Display for LedgerUrl {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            LedgerUrl::None => f.write_str("none"),
            LedgerUrl::Sqlite(file) => write!(f, "sqlite:{file}"),
            LedgerUrl::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if url[scheme + 3..at].contains(':') => {
                    let user_end = scheme + 3 + url[scheme + 3..at].find(':').unwrap_or(0);
                    write!(f, "{}:***{}", &url[..user_end], &url[at..])
                }
                _ => f.write_str(url),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ledger_urls() {
        assert_eq!(LedgerUrl::parse("none"), Ok(LedgerUrl::None));
        assert_eq!(
            LedgerUrl::parse(DEFAULT_LEDGER),
            Ok(LedgerUrl::Sqlite("honor-ledger.db".into()))
        );
        assert_eq!(
            LedgerUrl::parse("postgres://postgres@127.0.0.1:5432/test"),
            Ok(LedgerUrl::Postgres(
                "postgres://postgres@127.0.0.1:5432/test".into()
            ))
        );
        assert!(LedgerUrl::parse("sqlite:").is_err());
        assert!(LedgerUrl::parse("mysql://x").is_err());
        let secret = LedgerUrl::parse("postgres://me:hunter2@db/ledger").unwrap();
        assert_eq!(secret.to_string(), "postgres://me:***@db/ledger");
    }
}
