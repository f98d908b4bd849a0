//! PATCH bodies tell "leave as is" (field absent) from "clear" (`null`) and "set" (a value).

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Default, PartialEq)]
pub enum Patch<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Keep => current,
            Patch::Clear => None,
            Patch::Set(v) => Some(v),
        }
    }

    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }
}

/// Use with `#[serde(default, deserialize_with = "double_option")]`: an absent field stays
/// `Keep` through `default`, `null` becomes `Clear`.
pub fn double_option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Patch<T>, D::Error> {
    Ok(match Option::<T>::deserialize(d)? {
        None => Patch::Clear,
        Some(v) => Patch::Set(v),
    })
}
