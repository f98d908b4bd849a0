//! Form handling shared by the pages: errors shown next to their field with the input kept,
//! and the messages of the service's errors in the caller's language.

use crate::error::ApiError;

/// The errors of one submitted form: field name → message. `_form` is the whole form.
#[derive(Debug, Default, Clone)]
pub struct Errors(Vec<(String, String)>);

impl Errors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field.to_owned(), message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A service error as a form error: on its field when it names one the form has,
    /// otherwise on the whole form.
    pub fn from_api(e: &ApiError, fields: &[&str]) -> Errors {
        let mut errors = Errors::default();
        let field = e.field.as_deref().filter(|f| fields.contains(f)).unwrap_or("_form");
        errors.add(field, e.message.clone());
        errors
    }
}

/// A text field: trimmed, `None` when empty.
pub fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// An id field of a `<select>`: empty means none; anything else must be a number.
pub fn opt_id(field: &str, s: &Option<String>, errors: &mut Errors, message: &str) -> Option<i64> {
    let v = opt(s)?;
    match v.parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            errors.add(field, message);
            None
        }
    }
}

/// Sizes as people read them: `25 MB`, `512 kB`.
pub fn bytes(n: usize) -> String {
    if n >= 1024 * 1024 { format!("{} MB", n / (1024 * 1024)) } else { format!("{} kB", n.div_ceil(1024)) }
}
