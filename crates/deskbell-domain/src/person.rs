//! People and their roles; e-mail addresses parsed at the edge.

use std::fmt;
use std::str::FromStr;

use crate::string_enum;

string_enum! {
    /// DESIGN §1. Customer roles belong to an organisation; vendor roles do not.
    Role {
        CustomerUser = "customer_user",
        CustomerAdmin = "customer_admin",
        Agent = "agent",
        Supervisor = "supervisor",
        Admin = "admin",
    }
}

impl Role {
    /// Vendor-side people work tickets of every organisation.
    pub fn is_vendor(self) -> bool {
        matches!(self, Role::Agent | Role::Supervisor | Role::Admin)
    }

    pub fn is_customer(self) -> bool {
        !self.is_vendor()
    }
}

string_enum! {
    /// The language a person reads deskbell in; Polish by default.
    Language {
        Pl = "pl",
        En = "en",
    }
}

/// A syntactically plausible e-mail address, stored lower-cased so that lookups by address
/// (login, sender matching) do not depend on how a mail program capitalised it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an e-mail address")]
pub struct BadEmail(pub String);

impl EmailAddress {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

impl FromStr for EmailAddress {
    type Err = BadEmail;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let bad = || BadEmail(s.to_owned());
        let (local, domain) = t.rsplit_once('@').ok_or_else(bad)?;
        let ok_local = !local.is_empty()
            && local.len() <= 64
            && !local.chars().any(|c| c.is_whitespace() || c.is_control() || "<>(),;:\"[]\\@".contains(c));
        let ok_domain = domain.len() <= 253
            && domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if ok_local && ok_domain { Ok(EmailAddress(t.to_lowercase())) } else { Err(bad()) }
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for EmailAddress {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_lowercased_and_validated() {
        let a: EmailAddress = " Recepcja@Pod-Rozami.demo ".parse().unwrap();
        assert_eq!(a.as_str(), "recepcja@pod-rozami.demo");
        assert_eq!(a.domain(), "pod-rozami.demo");
        for bad in ["", "a", "a@b", "@x.pl", "a b@x.pl", "a@-x.pl", "a@x..pl", "<a@x.pl>", "a@x.pl\r\nBcc: y@z.pl"] {
            assert!(bad.parse::<EmailAddress>().is_err(), "{bad:?}");
        }
    }
}
