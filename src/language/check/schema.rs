//! The context schema: every field a context may hold, with its type and its slot.

use crate::hash::FastMap;

use crate::language::source::Span;
use crate::value::Type;
use crate::value::money::Currency;

/// Fields every rule set has without declaring them (docs/language.md, "context: the schema").
fn reserved() -> [(&'static str, Type); 4] {
    [
        ("codes", Type::List(Box::new(Type::Text))),
        ("redeemed", Type::List(Box::new(Type::Text))),
        ("price", Type::Money),
        ("proofs", Type::List(Box::new(Type::Text))),
    ]
}

pub const CODES: usize = 0;
pub const REDEEMED: usize = 1;
pub const PRICE: usize = 2;
pub const PROOFS: usize = 3;

#[derive(Clone, Debug)]
pub struct Field {
    pub path: String,
    /// The path's parts: `customer`, `plan`.
    pub segments: Vec<String>,
    pub ty: Type,
    /// Where it was first declared; `None` for the reserved fields.
    pub span: Option<Span>,
}

impl Field {
    fn new(path: &str, ty: Type, span: Option<Span>) -> Field {
        Field {
            path: path.to_string(),
            segments: path.split('.').map(String::from).collect(),
            ty,
            span,
        }
    }
}

/// The fields in declaration order (the reserved ones first); a field's index is its slot in
/// a context.
#[derive(Clone, Debug)]
pub struct Schema {
    fields: Vec<Field>,
    /// The rule set's declared currency, which a context's `price` must be in.
    currency: Option<Currency>,
    index: FastMap<String, usize>,
    tree: Tree,
}

/// The field names as a tree (`customer` → `plan`), to read a document in one pass.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    pub children: FastMap<String, Branch>,
}

#[derive(Clone, Debug)]
pub enum Branch {
    Field(usize),
    /// A map of fields; `first` is one field below it, for messages.
    Map {
        tree: Tree,
        first: usize,
    },
}

pub enum Conflict {
    /// Declared before with another type.
    Type(Field),
    /// One path is a map that holds the other (`customer` and `customer.plan`).
    Nesting(Field),
}

impl Default for Schema {
    fn default() -> Schema {
        let mut schema = Schema {
            fields: Vec::new(),
            currency: None,
            index: FastMap::default(),
            tree: Tree::default(),
        };
        for (path, ty) in reserved() {
            schema.add(Field::new(path, ty, None));
        }
        schema
    }
}

impl Schema {
    pub fn declare(&mut self, path: &str, ty: Type, span: Span) -> Result<(), Conflict> {
        if let Some(&i) = self.index.get(path) {
            let field = &self.fields[i];
            return if field.ty == ty {
                Ok(())
            } else {
                Err(Conflict::Type(field.clone()))
            };
        }
        if let Some(other) = self
            .fields
            .iter()
            .find(|f| is_inside(&f.path, path) || is_inside(path, &f.path))
        {
            return Err(Conflict::Nesting(other.clone()));
        }
        self.add(Field::new(path, ty, Some(span)));
        Ok(())
    }

    /// Adds a field that conflicts with none.
    fn add(&mut self, field: Field) {
        let slot = self.fields.len();
        let mut tree = &mut self.tree;
        let (last, outer) = field.segments.split_last().unwrap_or((&field.path, &[]));
        for part in outer {
            let branch = tree
                .children
                .entry(part.clone())
                .or_insert_with(|| Branch::Map {
                    tree: Tree::default(),
                    first: slot,
                });
            match branch {
                Branch::Map { tree: inner, .. } => tree = inner,
                // Declaring a field inside another is a conflict, refused before this.
                Branch::Field(_) => return,
            }
        }
        tree.children.insert(last.clone(), Branch::Field(slot));
        self.index.insert(field.path.clone(), slot);
        self.fields.push(field);
    }

    pub fn set_currency(&mut self, currency: Option<Currency>) {
        self.currency = currency;
    }

    pub fn currency(&self) -> Option<Currency> {
        self.currency
    }

    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    pub fn slot(&self, path: &str) -> Option<usize> {
        self.index.get(path).copied()
    }

    pub fn field(&self, slot: usize) -> &Field {
        &self.fields[slot]
    }

    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }
}

/// `inner` lies under `outer`: `customer.plan` under `customer`.
fn is_inside(inner: &str, outer: &str) -> bool {
    inner.len() > outer.len() && inner.starts_with(outer) && inner.as_bytes()[outer.len()] == b'.'
}
