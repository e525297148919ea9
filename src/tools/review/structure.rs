//! The structural part of a review: offers added, removed and changed, clause by clause in
//! the canonical text `honor fmt` prints. Canonical forms are compared, never bytes, so a
//! change of comments, layout or order is no change in meaning.

use serde::Serialize;
use std::collections::BTreeMap;

use crate::language::ast::{self, CLAUSE_KEYWORDS, ClauseKind, Declaration};
use crate::language::format::{canonical_order, clause_text};
use crate::language::parse::parse_file;

/// One offer as a review names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OfferName {
    pub id: String,
    pub title: String,
}

/// A clause (or rule-set setting) that changed: `old` absent when it was added, `new`
/// absent when it was removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClauseChange {
    pub clause: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangedOffer {
    pub id: String,
    pub title: String,
    pub clauses: Vec<ClauseChange>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Structure {
    /// Timezone, channels and context fields that changed.
    pub settings: Vec<ClauseChange>,
    pub added: Vec<OfferName>,
    pub removed: Vec<OfferName>,
    pub changed: Vec<ChangedOffer>,
    /// The files differ in their bytes (comments, layout, order) but not in meaning.
    pub text_only: bool,
}

impl Structure {
    pub fn changes_meaning(&self) -> bool {
        !(self.settings.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty())
    }
}

/// What a side holds, read from its files' syntax trees.
struct Side {
    timezone: Option<String>,
    currency: Option<String>,
    channels: Option<Vec<String>>,
    fields: BTreeMap<String, String>,
    offers: Vec<ast::Offer>,
}

fn side(files: &[(String, String, String)]) -> Side {
    let mut s = Side {
        timezone: None,
        currency: None,
        channels: None,
        fields: BTreeMap::new(),
        offers: Vec::new(),
    };
    for (_, _, text) in files {
        // both sides have loaded, so every file parses
        let (file, _) = parse_file(text, 0);
        for declaration in file.declarations {
            match declaration {
                Declaration::Timezone { name, .. } => s.timezone = Some(name.value),
                Declaration::Currency { code, .. } => s.currency = Some(code.code().to_string()),
                Declaration::Channels { names, .. } => {
                    s.channels = Some(names.into_iter().map(|n| n.text).collect())
                }
                Declaration::Context { fields, .. } => {
                    for f in fields {
                        s.fields.insert(f.path.text, f.ty.to_string());
                    }
                }
                Declaration::Offer(o) => s.offers.push(o),
            }
        }
    }
    s
}

/// Compares the rule files of two sides (both of which load).
pub fn compare(base: &[(String, String, String)], head: &[(String, String, String)]) -> Structure {
    let (old, new) = (side(base), side(head));
    let mut structure = Structure::default();
    let zone = |z: &Option<String>| z.clone().unwrap_or_else(|| String::from("UTC"));
    if zone(&old.timezone) != zone(&new.timezone) {
        structure.settings.push(ClauseChange {
            clause: String::from("timezone"),
            old: Some(zone(&old.timezone)),
            new: Some(zone(&new.timezone)),
        });
    }
    if old.currency != new.currency {
        structure.settings.push(ClauseChange {
            clause: String::from("currency"),
            old: old.currency.clone(),
            new: new.currency.clone(),
        });
    }
    let channels = |c: &Option<Vec<String>>| {
        c.clone()
            .unwrap_or_else(|| vec!["web".into(), "store".into(), "phone".into()])
            .join(", ")
    };
    if channels(&old.channels) != channels(&new.channels) {
        structure.settings.push(ClauseChange {
            clause: String::from("channels"),
            old: Some(channels(&old.channels)),
            new: Some(channels(&new.channels)),
        });
    }
    let paths: std::collections::BTreeSet<&String> =
        old.fields.keys().chain(new.fields.keys()).collect();
    for path in paths {
        let (o, n) = (old.fields.get(path), new.fields.get(path));
        if o != n {
            structure.settings.push(ClauseChange {
                clause: format!("context {path}"),
                old: o.cloned(),
                new: n.cloned(),
            });
        }
    }
    let all_old = channels(&old.channels);
    let all_new = channels(&new.channels);
    let old_by_id: BTreeMap<&str, &ast::Offer> =
        old.offers.iter().map(|o| (o.id.text.as_str(), o)).collect();
    let new_ids: std::collections::HashSet<&str> =
        new.offers.iter().map(|o| o.id.text.as_str()).collect();
    for offer in &old.offers {
        if !new_ids.contains(offer.id.text.as_str()) {
            structure.removed.push(name(offer));
        }
    }
    for offer in &new.offers {
        match old_by_id.get(offer.id.text.as_str()) {
            None => structure.added.push(name(offer)),
            Some(before) => {
                let clauses = clause_changes(before, &all_old, offer, &all_new);
                if !clauses.is_empty() {
                    structure.changed.push(ChangedOffer {
                        id: offer.id.text.clone(),
                        title: name(offer).title,
                        clauses,
                    });
                }
            }
        }
    }
    structure.text_only = !structure.changes_meaning()
        && base
            .iter()
            .map(|f| (&f.1, &f.2))
            .ne(head.iter().map(|f| (&f.1, &f.2)));
    structure
}

fn name(offer: &ast::Offer) -> OfferName {
    let title = offer
        .clauses
        .iter()
        .find_map(|c| match &c.kind {
            ClauseKind::Title(t) => Some(t.value.clone()),
            _ => None,
        })
        .unwrap_or_default();
    OfferName {
        id: offer.id.text.clone(),
        title,
    }
}

/// The clauses of an offer grouped for comparison: one group per keyword (`on` per channel),
/// each the canonical texts in canonical order, with the key that decides their meaning.
fn groups(offer: &ast::Offer, all_channels: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut groups: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for clause in canonical_order(&offer.clauses) {
        let text = clause_text(&clause.kind);
        let (group, key) = match &clause.kind {
            ClauseKind::On { channel, .. } => (format!("on {}", channel.text), text.clone()),
            // channel and media lists are sets: `honor store, web` is `honor web, store`,
            // and naming every channel is `honor all`
            ClauseKind::Honor(names) => {
                let key = match names {
                    None => String::from("all"),
                    Some(names) => {
                        let key = sorted_names(names);
                        let every = sorted(all_channels.split(", ").map(String::from).collect());
                        if key == every {
                            String::from("all")
                        } else {
                            key
                        }
                    }
                };
                (String::from("honor"), key)
            }
            ClauseKind::Announce(names) => (String::from("announce"), sorted_names(names)),
            kind => (kind.keyword().to_string(), text.clone()),
        };
        groups.entry(group).or_default().push((key, text));
    }
    groups
}

fn sorted(mut names: Vec<String>) -> String {
    names.sort();
    names.dedup();
    names.join(", ")
}

fn sorted_names(names: &[ast::Name]) -> String {
    sorted(names.iter().map(|n| n.text.clone()).collect())
}

/// Order of the groups in a report: the canonical clause order.
fn group_rank(group: &str) -> usize {
    let keyword = group.split(' ').next().unwrap_or(group);
    CLAUSE_KEYWORDS
        .iter()
        .position(|k| *k == keyword)
        .unwrap_or(CLAUSE_KEYWORDS.len())
}

fn clause_changes(
    old: &ast::Offer,
    old_channels: &str,
    new: &ast::Offer,
    new_channels: &str,
) -> Vec<ClauseChange> {
    let (before, after) = (groups(old, old_channels), groups(new, new_channels));
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort_by_key(|g| (group_rank(g), g.to_string()));
    names.dedup();
    let mut changes = Vec::new();
    let empty = Vec::new();
    for group in names {
        let (b, a) = (
            before.get(group).unwrap_or(&empty),
            after.get(group).unwrap_or(&empty),
        );
        // `when`s all have to hold: their order does not matter, their multiset does
        let mut removed: Vec<&(String, String)> = b.iter().collect();
        let mut added: Vec<&(String, String)> = Vec::new();
        for item in a {
            match removed.iter().position(|r| r.0 == item.0) {
                Some(i) => {
                    removed.remove(i);
                }
                None => added.push(item),
            }
        }
        let keyword = group.split(' ').next().unwrap_or(group).to_string();
        let pairs = removed.len().max(added.len());
        for i in 0..pairs {
            changes.push(ClauseChange {
                clause: keyword.clone(),
                old: removed.get(i).map(|r| r.1.clone()),
                new: added.get(i).map(|r| r.1.clone()),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(text: &str) -> Vec<(String, String, String)> {
        vec![("a.offer".into(), "a.offer".into(), text.into())]
    }

    #[test]
    fn layout_and_clause_order_are_no_change() {
        let a = files("offer a { title \"A\" when x.n >= 1 when x.m < 2 }");
        let b = files("offer a {\n  # why\n  when x.m < 2\n  title \"A\"\n  when   x.n>=1\n}\n");
        let s = compare(&a, &b);
        assert!(!s.changes_meaning());
        assert!(s.text_only);
    }

    #[test]
    fn a_threshold_change_pairs_old_and_new() {
        let a = files("offer a { title \"A\" when x.n >= 12 honor web, store }");
        let b = files("offer a { title \"A\" when x.n >= 6 honor store, web }");
        let s = compare(&a, &b);
        assert_eq!(s.changed.len(), 1);
        assert_eq!(
            s.changed[0].clauses,
            vec![ClauseChange {
                clause: "when".into(),
                old: Some("when      x.n >= 12".into()),
                new: Some("when      x.n >= 6".into()),
            }]
        );
    }
}
