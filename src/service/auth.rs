//! Tokens bound to channels (`--tokens FILE`, lines `<channel|*> <token>`): every request
//! needs `Authorization: Bearer <token>`, and a channel's token decides and redeems on that
//! channel only. Tokens are compared as SHA-256 digests in constant time, so the time a
//! refusal takes says nothing about how close a guess was.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::path::Path;
use subtle::{ConditionallySelectable, ConstantTimeEq};

use super::AppState;
use super::error::ApiError;
use crate::engine::ruleset::RuleSet;
use crate::language::diagnostic::did_you_mean;

/// Shortest token accepted: shorter ones are guessable.
pub const MIN_TOKEN_CHARS: usize = 16;

/// Who is calling: any channel (a `*` token, or no tokens configured) or one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    Any,
    Channel(String),
}

impl Caller {
    /// Refuses a channel token asking about another channel; `None` is every channel.
    pub fn may_use(&self, channel: Option<&str>) -> Result<(), ApiError> {
        match (self, channel) {
            (Caller::Any, _) => Ok(()),
            (Caller::Channel(mine), Some(asked)) if mine == asked => Ok(()),
            (Caller::Channel(mine), asked) => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "wrong_channel",
                format!(
                    "this token is for the channel `{mine}` only; it cannot act on {}",
                    asked.map_or(String::from("every channel (`all`)"), |c| format!(
                        "the channel `{c}`"
                    ))
                ),
            )),
        }
    }
}

/// The tokens of `--tokens FILE`.
pub struct Tokens {
    /// `(digest of the token, the channel or None for *)`.
    entries: Vec<([u8; 32], Option<String>)>,
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Tokens {
    /// Reads the tokens file, checking each channel against the rule set.
    pub fn read(path: &Path, rules: &RuleSet) -> Result<Tokens, String> {
        let shown = path.display();
        let text = crate::files::read_text(path, crate::files::MAX_TOKENS)
            .map_err(|e| format!("cannot read the tokens file `{shown}`: {e}"))?;
        Tokens::parse(&text, rules).map_err(|e| format!("{shown}:{e}"))
    }

    pub fn parse(text: &str, rules: &RuleSet) -> Result<Tokens, String> {
        let mut entries: Vec<([u8; 32], Option<String>)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let n = n + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [channel, token] = parts[..] else {
                return Err(format!(
                    "{n}: a line holds a channel (or `*`) and a token, like `store 8f3c…`; this one has {} words",
                    parts.len()
                ));
            };
            if token.chars().count() < MIN_TOKEN_CHARS {
                return Err(format!(
                    "{n}: the token for `{channel}` is too short; use at least {MIN_TOKEN_CHARS} random characters"
                ));
            }
            let channel = match channel {
                "*" => None,
                name => {
                    if !rules.model.channels.iter().any(|c| c == name) {
                        let mut message = format!(
                            "{n}: unknown channel `{name}`; this rule set's channels are {} (or `*` for all)",
                            rules.model.channels.join(", ")
                        );
                        if let Some(close) =
                            did_you_mean(name, rules.model.channels.iter().map(String::as_str))
                        {
                            message.push_str(&format!(" (did you mean `{close}`?)"));
                        }
                        return Err(message);
                    }
                    Some(name.to_string())
                }
            };
            let hash = digest(token);
            if entries.iter().any(|(h, _)| *h == hash) {
                return Err(format!(
                    "{n}: this token is already listed; give each channel its own"
                ));
            }
            entries.push((hash, channel));
        }
        if entries.is_empty() {
            return Err(String::from(
                " the tokens file lists no token; write lines like `store 8f3c…` or `* 8f3c…`",
            ));
        }
        Ok(Tokens { entries })
    }

    /// The caller a token belongs to; every entry is compared, whatever matches.
    pub fn caller(&self, token: &str) -> Option<Caller> {
        let given = digest(token);
        let mut found = subtle::Choice::from(0);
        let mut index = 0u32;
        for (i, (hash, _)) in self.entries.iter().enumerate() {
            let same = hash.ct_eq(&given);
            index.conditional_assign(&(i as u32), same);
            found |= same;
        }
        if !bool::from(found) {
            return None;
        }
        let (_, channel) = &self.entries[index as usize];
        Some(channel.clone().map_or(Caller::Any, Caller::Channel))
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn unauthorized(code: &'static str, message: &str) -> Response {
    let mut response = ApiError::new(StatusCode::UNAUTHORIZED, code, message).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    response
}

/// Finds the caller of each request; without a valid token (when tokens are required) the
/// request ends here with 401. The agent console's files (the page at `/`, its style sheet
/// and script) hold no data and load without one: a browser cannot send a token to open
/// them; the page then sends the agent's token with each API request.
pub async fn require(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let caller = match &state.tokens {
        None => Caller::Any,
        Some(_) if super::console::is_console_file(req.uri().path()) => Caller::Any,
        Some(tokens) => match bearer(req.headers()) {
            None => {
                return unauthorized(
                    "missing_token",
                    "this service needs a token: send `Authorization: Bearer <token>`",
                );
            }
            Some(token) => match tokens.caller(token) {
                Some(caller) => caller,
                None => return unauthorized("bad_token", "this token is not valid here"),
            },
        },
    };
    req.extensions_mut().insert(caller);
    next.run(req).await
}
