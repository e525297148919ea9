//! The context schema: every field a context may hold, with its type and its slot.

use std::collections::HashMap;

use crate::source::Span;
use crate::value::Type;

/// Fields every rule set has without declaring them (SPEC section 2).
fn reserved() -> [(&'static str, Type); 3] {
    [
        ("codes", Type::List(Box::new(Type::Text))),
        ("redeemed", Type::List(Box::new(Type::Text))),
        ("price", Type::Money),
    ]
}

pub const CODES: usize = 0;
pub const REDEEMED: usize = 1;
pub const PRICE: usize = 2;

#[derive(Clone, Debug)]
pub struct Field {
    pub path: String,
    pub ty: Type,
    /// Where it was first declared; `None` for the reserved fields.
    pub span: Option<Span>,
}

/// The fields in declaration order (the reserved ones first); a field's index is its slot in
/// a context.
#[derive(Clone, Debug)]
pub struct Schema {
    fields: Vec<Field>,
    index: HashMap<String, usize>,
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
            index: HashMap::new(),
        };
        for (path, ty) in reserved() {
            schema.index.insert(path.to_string(), schema.fields.len());
            schema.fields.push(Field {
                path: path.to_string(),
                ty,
                span: None,
            });
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
        self.index.insert(path.to_string(), self.fields.len());
        self.fields.push(Field {
            path: path.to_string(),
            ty,
            span: Some(span),
        });
        Ok(())
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

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// `inner` lies under `outer`: `customer.plan` under `customer`.
fn is_inside(inner: &str, outer: &str) -> bool {
    inner.len() > outer.len() && inner.starts_with(outer) && inner.as_bytes()[outer.len()] == b'.'
}
