//! Knowledge base, trainings and release notes: who may read an article, the states of an
//! article and of a training registration, and the order of product versions.

use std::cmp::Ordering;

crate::string_enum! {
    /// Who reads an article (DESIGN §1: customers read public knowledge; internal knowledge
    /// is the vendor's).
    Visibility {
        /// Everyone, also without logging in.
        Public = "public",
        /// Logged-in customers (and the vendor's staff).
        Customers = "customers",
        /// The vendor's staff only.
        Internal = "internal",
    }
}

crate::string_enum! {
    ArticleStatus {
        Draft = "draft",
        Published = "published",
    }
}

crate::string_enum! {
    RegistrationStatus {
        Registered = "registered",
        Waiting = "waiting",
        Cancelled = "cancelled",
    }
}

/// Who is reading the knowledge base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Anonymous,
    Customer,
    Vendor,
}

impl Reader {
    /// The visibilities this reader may see.
    pub fn visibilities(self) -> &'static [Visibility] {
        match self {
            Reader::Anonymous => &[Visibility::Public],
            Reader::Customer => &[Visibility::Public, Visibility::Customers],
            Reader::Vendor => Visibility::ALL,
        }
    }

    /// Whether this reader may read an article of `visibility` in `status`: outside the
    /// vendor only published articles exist.
    pub fn may_read(self, visibility: Visibility, status: ArticleStatus) -> bool {
        self.visibilities().contains(&visibility) && (self == Reader::Vendor || status == ArticleStatus::Published)
    }
}

/// Compares product versions as people read them: `2.10` is newer than `2.9`, `2.3.1` newer
/// than `2.3`; parts that are not numbers compare as text (`2.4-rc1` before `2.4-rc2`).
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let parts = |s: &str| -> Vec<String> {
        s.trim().trim_start_matches(['v', 'V']).split(['.', '-', '_', ' ']).map(str::to_owned).collect()
    };
    let (pa, pb) = (parts(a), parts(b));
    for i in 0..pa.len().max(pb.len()) {
        let (x, y) = (pa.get(i).map_or("0", String::as_str), pb.get(i).map_or("0", String::as_str));
        let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(m), Ok(n)) => m.cmp(&n),
            // A pre-release tag sorts before the release it precedes: 2.4-rc1 < 2.4.
            (Ok(_), Err(_)) => Ordering::Greater,
            (Err(_), Ok(_)) => Ordering::Less,
            (Err(_), Err(_)) => x.cmp(y),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// A URL-safe identifier of an article made from its title: folded, letters and digits
/// joined by `-` (`Jak wystawić fakturę?` → `jak-wystawic-fakture`), at most 80 characters.
pub fn slug(title: &str) -> String {
    let folded = crate::text::fold(title);
    let words: Vec<&str> = folded.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let mut out = String::new();
    for w in words {
        if out.len() + w.len() + 1 > 80 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_see_only_their_visibilities_and_customers_only_published_articles() {
        use ArticleStatus::*;
        use Visibility::*;
        assert!(Reader::Anonymous.may_read(Public, Published));
        assert!(!Reader::Anonymous.may_read(Customers, Published));
        assert!(Reader::Customer.may_read(Customers, Published));
        assert!(!Reader::Customer.may_read(Internal, Published));
        assert!(!Reader::Customer.may_read(Public, Draft));
        assert!(Reader::Vendor.may_read(Internal, Draft));
    }

    #[test]
    fn versions_compare_as_numbers() {
        assert_eq!(compare_versions("2.10", "2.9"), Ordering::Greater);
        assert_eq!(compare_versions("2.3.1", "2.3"), Ordering::Greater);
        assert_eq!(compare_versions("2.3.0", "2.3"), Ordering::Equal);
        assert_eq!(compare_versions("v3.0", "2.99"), Ordering::Greater);
        assert_eq!(compare_versions("2.4-rc1", "2.4"), Ordering::Less);
        assert_eq!(compare_versions("2.4-rc1", "2.4-rc2"), Ordering::Less);
    }

    #[test]
    fn slugs_are_folded_words() {
        assert_eq!(slug("Jak wystawić fakturę?"), "jak-wystawic-fakture");
        assert_eq!(slug("  Łódź — <script> "), "lodz-script");
        assert_eq!(slug("!!!"), "");
    }
}
