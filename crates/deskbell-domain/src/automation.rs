//! Automation: the admin's rules (conditions → actions), the seed's scope keywords, and the
//! placeholders of canned responses. Pure: the ticket service gathers the [`Facts`] of a
//! ticket, asks which rules match, and applies their actions in its own transaction.
//!
//! A rule can never set off an endless chain: rules run in one pass per change made by a
//! person or a channel, in their order, each at most once; what the rules themselves change
//! is seen by the later rules of the same pass but never starts another pass.

use serde::{Deserialize, Serialize};

use crate::string_enum;
use crate::text::fold;
use crate::ticket::{Channel, Kind, Priority, Status};

string_enum! {
    /// When a rule is considered.
    Trigger {
        /// A ticket was opened, by any channel.
        Created = "created",
        /// The vendor side changed fields or the status.
        Updated = "updated",
        /// The customer wrote (portal, mail or API).
        CustomerReplied = "customer_replied",
    }
}

string_enum! {
    /// Who a `notify` action tells.
    Recipient {
        Assignee = "assignee",
        Team = "team",
        AccountTeam = "account_team",
        OnCall = "on_call",
    }
}

/// One condition; every condition of a rule must hold, and a list inside a condition
/// matches when any of its values does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "field", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    Channel {
        #[serde(rename = "in")]
        any_of: Vec<Channel>,
    },
    Kind {
        #[serde(rename = "in")]
        any_of: Vec<Kind>,
    },
    Priority {
        #[serde(rename = "in")]
        any_of: Vec<Priority>,
    },
    Status {
        #[serde(rename = "in")]
        any_of: Vec<Status>,
    },
    /// The ticket's organisation or one of its parents (a rule for a hotel chain covers
    /// its properties).
    Organisation {
        #[serde(rename = "in")]
        any_of: Vec<i64>,
    },
    Product {
        #[serde(rename = "in")]
        any_of: Vec<i64>,
    },
    /// The subject or the newest article contains one of the phrases; case and Polish
    /// diacritics do not matter (`faktur` finds `Fakturę`).
    Text { contains: Vec<String> },
    /// The requester's address: `jan@hotel.pl`, or `@hotel.pl` / `hotel.pl` for a domain
    /// (subdomains included).
    Sender { matches: Vec<String> },
    /// Inside or outside the support department's business hours.
    BusinessHours { inside: bool },
    Tag {
        #[serde(rename = "any")]
        any_of: Vec<String>,
    },
}

/// One action, applied in the order written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    SetPriority {
        priority: Priority,
    },
    SetKind {
        kind: Kind,
    },
    SetStatus {
        status: Status,
    },
    SetProduct {
        product_id: i64,
    },
    SetTeam {
        team_id: i64,
    },
    Assign {
        person_id: i64,
    },
    Unassign,
    AddTag {
        tag: String,
    },
    RemoveTag {
        tag: String,
    },
    /// A public answer from a canned response, mailed to the requester as an automatic reply.
    SendTemplate {
        response_id: i64,
    },
    AddNote {
        body: String,
    },
    Notify {
        to: Recipient,
    },
    NotifyPerson {
        person_id: i64,
    },
}

/// What an admin saves: when, if what, do what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub on: Vec<Trigger>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
    /// No later rule runs in this pass once this one fired.
    #[serde(default)]
    pub stop: bool,
}

/// Why a rule cannot be saved; `at` names the part (`actions[2]`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct RuleError {
    pub at: String,
    pub message: String,
}

fn err(at: impl Into<String>, message: impl Into<String>) -> RuleError {
    RuleError { at: at.into(), message: message.into() }
}

pub const TAG_MAX: usize = 50;
pub const NOTE_MAX: usize = 10_000;
pub const PHRASE_MAX: usize = 200;

impl Condition {
    pub fn field(&self) -> &'static str {
        match self {
            Condition::Channel { .. } => "channel",
            Condition::Kind { .. } => "kind",
            Condition::Priority { .. } => "priority",
            Condition::Status { .. } => "status",
            Condition::Organisation { .. } => "organisation",
            Condition::Product { .. } => "product",
            Condition::Text { .. } => "text",
            Condition::Sender { .. } => "sender",
            Condition::BusinessHours { .. } => "business_hours",
            Condition::Tag { .. } => "tag",
        }
    }

    /// The values of a list condition whose values are compared for equality, as text.
    fn exact_values(&self) -> Option<Vec<String>> {
        fn strs<T: ToString>(v: &[T]) -> Option<Vec<String>> {
            Some(v.iter().map(ToString::to_string).collect())
        }
        match self {
            Condition::Channel { any_of } => strs(any_of),
            Condition::Kind { any_of } => strs(any_of),
            Condition::Priority { any_of } => strs(any_of),
            Condition::Status { any_of } => strs(any_of),
            Condition::Organisation { any_of } | Condition::Product { any_of } => strs(any_of),
            Condition::BusinessHours { inside } => strs(&[inside]),
            Condition::Text { .. } | Condition::Sender { .. } | Condition::Tag { .. } => None,
        }
    }

    fn list_len(&self) -> Option<usize> {
        match self {
            Condition::Channel { any_of } => Some(any_of.len()),
            Condition::Kind { any_of } => Some(any_of.len()),
            Condition::Priority { any_of } => Some(any_of.len()),
            Condition::Status { any_of } => Some(any_of.len()),
            Condition::Organisation { any_of } | Condition::Product { any_of } => Some(any_of.len()),
            Condition::Text { contains } => Some(contains.len()),
            Condition::Sender { matches } => Some(matches.len()),
            Condition::Tag { any_of } => Some(any_of.len()),
            Condition::BusinessHours { .. } => None,
        }
    }

    pub fn holds(&self, f: &Facts<'_>) -> bool {
        match self {
            Condition::Channel { any_of } => any_of.contains(&f.channel),
            Condition::Kind { any_of } => any_of.contains(&f.kind),
            Condition::Priority { any_of } => any_of.contains(&f.priority),
            Condition::Status { any_of } => any_of.contains(&f.status),
            Condition::Organisation { any_of } => f.organisations.iter().any(|o| any_of.contains(o)),
            Condition::Product { any_of } => f.product_id.is_some_and(|p| any_of.contains(&p)),
            Condition::Text { contains } => contains.iter().any(|p| f.folded_text.contains(&fold(p.trim()))),
            Condition::Sender { matches } => f.sender.is_some_and(|s| matches.iter().any(|m| sender_matches(m, s))),
            Condition::BusinessHours { inside } => *inside == f.inside_business_hours,
            Condition::Tag { any_of } => any_of.iter().any(|t| f.tags.iter().any(|x| x.eq_ignore_ascii_case(t.trim()))),
        }
    }
}

fn sender_matches(pattern: &str, address: &str) -> bool {
    let p = pattern.trim().to_ascii_lowercase();
    let a = address.to_ascii_lowercase();
    if let Some(domain) = p.strip_prefix('@').or((!p.contains('@')).then_some(p.as_str())) {
        let Some((_, host)) = a.rsplit_once('@') else { return false };
        host == domain || host.ends_with(&format!(".{domain}"))
    } else {
        a == p
    }
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::SetPriority { .. } => "set_priority",
            Action::SetKind { .. } => "set_kind",
            Action::SetStatus { .. } => "set_status",
            Action::SetProduct { .. } => "set_product",
            Action::SetTeam { .. } => "set_team",
            Action::Assign { .. } => "assign",
            Action::Unassign => "unassign",
            Action::AddTag { .. } => "add_tag",
            Action::RemoveTag { .. } => "remove_tag",
            Action::SendTemplate { .. } => "send_template",
            Action::AddNote { .. } => "add_note",
            Action::Notify { .. } => "notify",
            Action::NotifyPerson { .. } => "notify_person",
        }
    }

    /// The ticket field an action sets and the value it sets it to, for finding actions
    /// that contradict each other.
    fn sets(&self) -> Option<(&'static str, String)> {
        match self {
            Action::SetPriority { priority } => Some(("priority", priority.to_string())),
            Action::SetKind { kind } => Some(("kind", kind.to_string())),
            Action::SetStatus { status } => Some(("status", status.to_string())),
            Action::SetProduct { product_id } => Some(("product", product_id.to_string())),
            Action::SetTeam { team_id } => Some(("team", team_id.to_string())),
            Action::Assign { person_id } => Some(("assignee", person_id.to_string())),
            Action::Unassign => Some(("assignee", "nobody".into())),
            _ => None,
        }
    }
}

impl RuleDef {
    /// Refuses a rule that could never fire, that contradicts itself, or whose values are
    /// out of bounds. What the ids refer to is checked by the caller against the store.
    pub fn check(&self) -> Result<(), RuleError> {
        if self.on.is_empty() {
            return Err(err("on", "say when the rule runs: created, updated and/or customer_replied"));
        }
        for (i, t) in self.on.iter().enumerate() {
            if self.on[..i].contains(t) {
                return Err(err(format!("on[{i}]"), format!("`{t}` is listed twice")));
            }
        }
        if self.actions.is_empty() {
            return Err(err("actions", "a rule needs at least one action"));
        }
        for (i, c) in self.conditions.iter().enumerate() {
            let at = format!("conditions[{i}]");
            if c.list_len() == Some(0) {
                return Err(err(at, format!("the `{}` condition lists no values: it could never hold", c.field())));
            }
            let phrases: &[String] = match c {
                Condition::Text { contains } => contains,
                Condition::Sender { matches } => matches,
                Condition::Tag { any_of } => any_of,
                _ => &[],
            };
            for p in phrases {
                let p = p.trim();
                if p.is_empty() || p.chars().count() > PHRASE_MAX || p.chars().any(char::is_control) {
                    return Err(err(
                        at,
                        format!(
                            "each value of `{}` must be 1 to {PHRASE_MAX} characters without control characters",
                            c.field()
                        ),
                    ));
                }
                if let Condition::Sender { .. } = c
                    && (p.contains(char::is_whitespace) || p.matches('@').count() > 1 || p.ends_with('@'))
                {
                    return Err(err(at, format!("`{p}` is neither an e-mail address nor a domain")));
                }
            }
            // Two conditions on the same field with no value in common can never both hold.
            if let Some(mine) = c.exact_values() {
                for (j, other) in self.conditions[..i].iter().enumerate() {
                    if other.field() == c.field()
                        && let Some(theirs) = other.exact_values()
                        && !mine.iter().any(|v| theirs.contains(v))
                    {
                        return Err(err(
                            at,
                            format!(
                                "this `{}` condition and conditions[{j}] have no value in common: the rule could never fire",
                                c.field()
                            ),
                        ));
                    }
                }
            }
        }
        for (i, a) in self.actions.iter().enumerate() {
            let at = format!("actions[{i}]");
            match a {
                Action::SetStatus { status: Status::New } => {
                    return Err(err(at, "a ticket never goes back to `new`"));
                }
                Action::SetStatus { status: Status::Closed } => {
                    return Err(err(
                        at,
                        "`closed` is the customer's confirmation or the automatic close; set `resolved` instead",
                    ));
                }
                Action::AddTag { tag } | Action::RemoveTag { tag } => {
                    let t = tag.trim();
                    if t.is_empty() || t.chars().count() > TAG_MAX || t.chars().any(char::is_control) {
                        return Err(err(at, format!("a tag is 1 to {TAG_MAX} characters without control characters")));
                    }
                }
                Action::AddNote { body } if body.trim().is_empty() || body.chars().count() > NOTE_MAX => {
                    return Err(err(at, format!("a note is 1 to {NOTE_MAX} characters")));
                }
                _ => {}
            }
            for (j, earlier) in self.actions[..i].iter().enumerate() {
                if a == earlier {
                    return Err(err(at, format!("the same `{}` action as actions[{j}]", a.name())));
                }
                if let (Some((field, v)), Some((field2, v2))) = (a.sets(), earlier.sets())
                    && field == field2
                    && v != v2
                {
                    return Err(err(
                        at,
                        format!(
                            "sets the {field} to `{v}` while actions[{j}] sets it to `{v2}`: the actions contradict each other"
                        ),
                    ));
                }
                let tag_pair = match (a, earlier) {
                    (Action::AddTag { tag: x }, Action::RemoveTag { tag: y })
                    | (Action::RemoveTag { tag: x }, Action::AddTag { tag: y }) => {
                        x.trim().eq_ignore_ascii_case(y.trim())
                    }
                    _ => false,
                };
                if tag_pair {
                    return Err(err(at, format!("adds and removes the same tag as actions[{j}]")));
                }
            }
        }
        Ok(())
    }

    pub fn runs_on(&self, trigger: Trigger) -> bool {
        self.on.contains(&trigger)
    }

    pub fn matches(&self, trigger: Trigger, facts: &Facts<'_>) -> bool {
        self.runs_on(trigger) && self.conditions.iter().all(|c| c.holds(facts))
    }
}

/// What conditions are tested against.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub channel: Channel,
    pub kind: Kind,
    pub priority: Priority,
    pub status: Status,
    /// The ticket's organisation first, then its parents.
    pub organisations: &'a [i64],
    pub product_id: Option<i64>,
    /// The subject and the newest article, folded with [`fold`].
    pub folded_text: &'a str,
    pub sender: Option<&'a str>,
    pub inside_business_hours: bool,
    pub tags: &'a [String],
}

/// The seed's out-of-scope subjects (DESIGN §2): hardware installation, operating-system
/// updates, user permissions, the local network, in Polish and English. Each word of a
/// phrase matches the beginning of a word of the text, in sequence, folded: stems such as
/// `instalac drukark` catch the Polish endings (`instalację drukarki`, `instalacji drukarek`).
/// An admin may replace the list.
pub const OUT_OF_SCOPE_PHRASES: &[&str] = &[
    // Hardware installation.
    "instalac drukark",
    "zainstal drukark",
    "podlacz drukark",
    "podlaczen drukark",
    "instalac sprzet",
    "montaz sprzet",
    "podlacz sprzet",
    "podlaczen sprzet",
    "install printer",
    "install the printer",
    "install a printer",
    "printer installation",
    "hardware installation",
    "install hardware",
    "install new hardware",
    // Operating-system updates.
    "aktualizac windows",
    "aktualizac systemu operacyjn",
    "windows update",
    "operating system update",
    "update the operating system",
    "update windows",
    // User permissions.
    "nada uprawnien",
    "nadan uprawnien",
    "uprawnien w windows",
    "uprawnien w domenie",
    "kont w domenie",
    "grant permission",
    "user permissions",
    "access rights",
    "domain account",
    // Local network.
    "siec lokaln",
    "sieci lokaln",
    "konfigurac router",
    "konfigurac sieci",
    "konfigurac wifi",
    "local network",
    "router configuration",
    "configure the router",
    "network configuration",
    "wifi configuration",
];

/// The first phrase of `phrases` found in `text` (see [`OUT_OF_SCOPE_PHRASES`]), if any.
pub fn find_phrase<'p>(phrases: &'p [String], text: &str) -> Option<&'p str> {
    let words = words_of(text);
    phrases.iter().map(String::as_str).find(|p| {
        let needle = words_of(p);
        !needle.is_empty()
            && words
                .windows(needle.len())
                .any(|w| w.iter().zip(&needle).all(|(word, stem)| word.starts_with(stem.as_str())))
    })
}

fn words_of(s: &str) -> Vec<String> {
    fold(s).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// The placeholders a canned response may use.
pub const PLACEHOLDERS: &[&str] = &["person", "ticket", "organisation", "product", "agent", "help_centre"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceholderError {
    #[error("unknown placeholder `{{{{{0}}}}}`; expected one of: {list}", list = PLACEHOLDERS.iter().map(|p| format!("{{{{{p}}}}}")).collect::<Vec<_>>().join(", "))]
    Unknown(String),
    #[error("a placeholder opened with `{{{{` is not closed with `}}}}`")]
    Unclosed,
}

/// Splits a text into literal parts and placeholder names.
fn pieces(text: &str) -> Result<Vec<(bool, &str)>, PlaceholderError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push((false, &rest[..open]));
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or(PlaceholderError::Unclosed)?;
        let name = after[..close].trim();
        if !PLACEHOLDERS.contains(&name) {
            return Err(PlaceholderError::Unknown(name.to_owned()));
        }
        out.push((true, name));
        rest = &after[close + 2..];
    }
    out.push((false, rest));
    Ok(out)
}

/// Checks a canned response's placeholders when it is saved.
pub fn check_placeholders(text: &str) -> Result<(), PlaceholderError> {
    pieces(text).map(|_| ())
}

/// Fills the placeholders; one without a value (no product) becomes empty. A text that
/// does not check is returned unchanged.
pub fn fill(text: &str, value: impl Fn(&str) -> Option<String>) -> String {
    match pieces(text) {
        Ok(parts) => parts
            .into_iter()
            .map(|(is_name, s)| if is_name { value(s).unwrap_or_default() } else { s.to_owned() })
            .collect(),
        Err(_) => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: &str) -> Result<RuleDef, String> {
        let r: RuleDef = serde_json::from_str(json).map_err(|e| e.to_string())?;
        r.check().map_err(|e| e.to_string())?;
        Ok(r)
    }

    fn facts<'a>(text: &'a str, orgs: &'a [i64], tags: &'a [String]) -> Facts<'a> {
        Facts {
            channel: Channel::Email,
            kind: Kind::Incident,
            priority: Priority::Fault,
            status: Status::New,
            organisations: orgs,
            product_id: Some(2),
            folded_text: text,
            sender: Some("Recepcja@Spa.Hotel-Mazury.pl"),
            inside_business_hours: false,
            tags,
        }
    }

    #[test]
    fn a_rule_matches_when_every_condition_holds() {
        let r = rule(
            r#"{"on":["created"],"conditions":[
                {"field":"channel","in":["email","portal"]},
                {"field":"priority","in":["fault","critical"]},
                {"field":"organisation","in":[7]},
                {"field":"product","in":[2]},
                {"field":"text","contains":["FAKTURĘ", "paragon"]},
                {"field":"sender","matches":["@hotel-mazury.pl"]},
                {"field":"business_hours","inside":false}],
              "actions":[{"action":"set_priority","priority":"critical"}]}"#,
        )
        .unwrap();
        let text = fold("Nie możemy wystawić: fakturę odrzuca");
        // The chain (7) is a parent of the ticket's property (12).
        assert!(r.matches(Trigger::Created, &facts(&text, &[12, 7], &[])));
        assert!(!r.matches(Trigger::Updated, &facts(&text, &[12, 7], &[])), "wrong trigger");
        assert!(!r.matches(Trigger::Created, &facts(&text, &[12], &[])), "another organisation");
        assert!(!r.matches(Trigger::Created, &facts("nic tu nie ma", &[7], &[])), "no phrase");
        let mut f = facts(&text, &[7], &[]);
        f.inside_business_hours = true;
        assert!(!r.matches(Trigger::Created, &f));
        f.inside_business_hours = false;
        f.sender = Some("jan@mazury.pl");
        assert!(!r.matches(Trigger::Created, &f), "another domain");
    }

    #[test]
    fn sender_patterns() {
        assert!(sender_matches("jan@hotel.pl", "JAN@hotel.pl"));
        assert!(!sender_matches("jan@hotel.pl", "ewa@hotel.pl"));
        assert!(sender_matches("hotel.pl", "ewa@spa.hotel.pl"));
        assert!(sender_matches("@hotel.pl", "ewa@hotel.pl"));
        assert!(!sender_matches("@hotel.pl", "ewa@myhotel.pl"));
    }

    #[test]
    fn tags_conditions_ignore_case() {
        let r = rule(r#"{"on":["updated"],"conditions":[{"field":"tag","any":["VIP"]}],"actions":[{"action":"notify","to":"team"}]}"#)
            .unwrap();
        let tags = vec!["vip".to_owned()];
        assert!(r.matches(Trigger::Updated, &facts("", &[1], &tags)));
        assert!(!r.matches(Trigger::Updated, &facts("", &[1], &[])));
    }

    #[test]
    fn unknown_fields_and_values_are_named() {
        let e = rule(
            r#"{"on":["created"],"conditions":[{"field":"colour","in":["red"]}],"actions":[{"action":"unassign"}]}"#,
        )
        .unwrap_err();
        assert!(e.contains("unknown variant `colour`"), "{e}");
        let e = rule(r#"{"on":["created"],"actions":[{"action":"set_priority","priority":"urgent"}]}"#).unwrap_err();
        assert!(e.contains("unknown Priority `urgent`"), "{e}");
        let e =
            rule(r#"{"on":["created"],"actions":[{"action":"set_priority","priority":"fault","why":1}]}"#).unwrap_err();
        assert!(e.contains("unknown field `why`"), "{e}");
        let e = rule(r#"{"on":["sometimes"],"actions":[{"action":"unassign"}]}"#).unwrap_err();
        assert!(e.contains("unknown Trigger `sometimes`"), "{e}");
        let e = rule(r#"{"on":["created"],"actions":[{"action":"explode"}]}"#).unwrap_err();
        assert!(e.contains("unknown variant `explode`"), "{e}");
    }

    #[test]
    fn contradictions_and_rules_that_never_fire_are_refused() {
        let cases = [
            (r#"{"on":[],"actions":[{"action":"unassign"}]}"#, "on: say when"),
            (r#"{"on":["created"],"actions":[]}"#, "actions: a rule needs at least one action"),
            (r#"{"on":["created","created"],"actions":[{"action":"unassign"}]}"#, "on[1]: `created` is listed twice"),
            (
                r#"{"on":["created"],"conditions":[{"field":"kind","in":[]}],"actions":[{"action":"unassign"}]}"#,
                "conditions[0]: the `kind` condition lists no values",
            ),
            (
                r#"{"on":["created"],"conditions":[{"field":"priority","in":["critical"]},{"field":"priority","in":["fault"]}],"actions":[{"action":"unassign"}]}"#,
                "conditions[1]: this `priority` condition and conditions[0] have no value in common",
            ),
            (
                r#"{"on":["created"],"actions":[{"action":"set_priority","priority":"critical"},{"action":"set_priority","priority":"standard"}]}"#,
                "actions[1]: sets the priority to `standard` while actions[0] sets it to `critical`",
            ),
            (
                r#"{"on":["created"],"actions":[{"action":"assign","person_id":3},{"action":"unassign"}]}"#,
                "actions[1]: sets the assignee to `nobody` while actions[0] sets it to `3`",
            ),
            (
                r#"{"on":["created"],"actions":[{"action":"add_tag","tag":"vip"},{"action":"remove_tag","tag":"VIP"}]}"#,
                "actions[1]: adds and removes the same tag",
            ),
            (
                r#"{"on":["created"],"actions":[{"action":"notify","to":"team"},{"action":"notify","to":"team"}]}"#,
                "actions[1]: the same `notify` action",
            ),
            (r#"{"on":["created"],"actions":[{"action":"set_status","status":"new"}]}"#, "never goes back to `new`"),
            (r#"{"on":["created"],"actions":[{"action":"set_status","status":"closed"}]}"#, "set `resolved` instead"),
            (r#"{"on":["created"],"actions":[{"action":"add_note","body":"  "}]}"#, "a note is 1 to"),
            (
                r#"{"on":["created"],"conditions":[{"field":"sender","matches":["a b@c"]}],"actions":[{"action":"unassign"}]}"#,
                "neither an e-mail address nor a domain",
            ),
        ];
        for (json, expected) in cases {
            let e = rule(json).unwrap_err();
            assert!(e.contains(expected), "{json}\n→ {e}\nexpected {expected}");
        }
        // Setting the same field to the same value twice is a duplicate, not a contradiction;
        // different fields are fine.
        assert!(
            rule(r#"{"on":["created"],"actions":[{"action":"set_priority","priority":"critical"},{"action":"set_kind","kind":"incident"}]}"#)
                .is_ok()
        );
    }

    #[test]
    fn the_seed_s_out_of_scope_phrases_are_found_in_either_language() {
        let phrases: Vec<String> = OUT_OF_SCOPE_PHRASES.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(find_phrase(&phrases, "Prośba o INSTALACJĘ drukarki w recepcji"), Some("instalac drukark"));
        assert_eq!(
            find_phrase(&phrases, "Proszę o nadanie uprawnień dla nowej recepcjonistki"),
            Some("nada uprawnien")
        );
        assert_eq!(find_phrase(&phrases, "Please install the printer at the spa desk"), Some("install the printer"));
        assert_eq!(find_phrase(&phrases, "Nie działa sieć lokalna w SPA"), Some("siec lokaln"));
        assert_eq!(
            find_phrase(&phrases, "Prosimy o aktualizację Windowsa na komputerze w recepcji"),
            Some("aktualizac windows")
        );
        assert_eq!(find_phrase(&phrases, "Faktura nie drukuje się na drukarce fiskalnej"), None);
        assert_eq!(find_phrase(&phrases, "Rezerwacje nie synchronizują się z siecią hoteli"), None);
        // Words start where the stems do, in sequence.
        assert_eq!(find_phrase(&phrases, "supersiec lokalna"), None);
        assert_eq!(find_phrase(&phrases, "lokalna siec"), None);
    }

    #[test]
    fn placeholders_are_checked_and_filled() {
        let t = "Dzień dobry {{person}}, zgłoszenie {{ ticket }} ({{organisation}}, {{product}}).";
        assert_eq!(check_placeholders(t), Ok(()));
        let filled = fill(t, |n| match n {
            "person" => Some("Anna".into()),
            "ticket" => Some("#12".into()),
            "organisation" => Some("Hotel Mazury".into()),
            _ => None,
        });
        assert_eq!(filled, "Dzień dobry Anna, zgłoszenie #12 (Hotel Mazury, ).");
        assert_eq!(check_placeholders("{{ customer }}"), Err(PlaceholderError::Unknown("customer".into())));
        assert!(
            PlaceholderError::Unknown("x".into())
                .to_string()
                .starts_with("unknown placeholder `{{x}}`; expected one of: {{person}}")
        );
        assert_eq!(check_placeholders("{{person"), Err(PlaceholderError::Unclosed));
        assert_eq!(check_placeholders("no placeholders { at all }"), Ok(()));
    }
}
