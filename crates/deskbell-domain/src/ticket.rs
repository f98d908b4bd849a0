//! Tickets: numbers, statuses and the status machine, priorities, kinds and channels.

use std::fmt;
use std::str::FromStr;

use crate::person::Role;
use crate::string_enum;

string_enum! {
    /// Where a ticket's life stands. `waiting_for_customer` pauses the SLA clocks,
    /// `resolved` stops them (DESIGN §2, §3).
    Status {
        New = "new",
        Open = "open",
        WaitingForCustomer = "waiting_for_customer",
        Resolved = "resolved",
        Closed = "closed",
    }
}

string_enum! {
    /// The seed's classification; targets per priority come from the contract.
    Priority {
        /// Awaria: core work stopped (invoices, receipts, bookings, sales, check-in).
        Critical = "critical",
        /// Usterka: some functions misbehave, core work still possible.
        Fault = "fault",
        /// Minor problem, slowness, cosmetic issue.
        Standard = "standard",
        /// A proposal for a new function: no clock target, an agreed date instead.
        DevelopmentRequest = "development_request",
    }
}

string_enum! {
    Kind {
        Incident = "incident",
        Question = "question",
        ServiceRequest = "service_request",
        DevelopmentRequest = "development_request",
        TrainingRequest = "training_request",
        OutOfScope = "out_of_scope",
    }
}

string_enum! {
    Channel {
        Email = "email",
        Portal = "portal",
        Phone = "phone",
        Api = "api",
        Monitoring = "monitoring",
    }
}

impl Priority {
    /// Sort rank: lower is more urgent.
    pub fn rank(self) -> i64 {
        match self {
            Priority::Critical => 0,
            Priority::Fault => 1,
            Priority::Standard => 2,
            Priority::DevelopmentRequest => 3,
        }
    }
}

/// A ticket's short number, shown as `#1234` and used as `[#1234]` in mail subjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct TicketNumber(i64);

impl TicketNumber {
    pub fn new(n: i64) -> Option<Self> {
        (n > 0).then_some(Self(n))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a ticket number; expected a positive number such as 1234 or #1234")]
pub struct BadTicketNumber(pub String);

impl FromStr for TicketNumber {
    type Err = BadTicketNumber;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.trim().trim_start_matches('#');
        digits
            .parse::<i64>()
            .ok()
            .and_then(TicketNumber::new)
            // A leading '+' or zeros would give two spellings of one number.
            .filter(|_| !digits.starts_with(['+', '0']))
            .ok_or_else(|| BadTicketNumber(s.to_owned()))
    }
}

/// Who asks for a status change: the vendor side may move a ticket along its whole life,
/// the customer side only confirms a solution or reopens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Vendor,
    Customer,
}

impl From<Role> for Side {
    fn from(role: Role) -> Self {
        if role.is_vendor() { Side::Vendor } else { Side::Customer }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a ticket cannot go from `{from}` to `{to}`")]
    NotAllowed { from: Status, to: Status },
    #[error("the ticket is already `{0}`")]
    Unchanged(Status),
    #[error("a customer may only confirm a resolved ticket (closed) or reopen it (open)")]
    CustomerNotAllowed { from: Status, to: Status },
}

/// The status machine of DESIGN §2: `new → open → waiting_for_customer ⇄ open → resolved →
/// closed`, with reopen from `resolved`. A new ticket may be answered and resolved at once,
/// or put on hold straight away, without a separate "open" step. `closed` is final.
pub fn check_transition(from: Status, to: Status, side: Side) -> Result<(), TransitionError> {
    use Status::*;
    if from == to {
        return Err(TransitionError::Unchanged(from));
    }
    let allowed = matches!(
        (from, to),
        (New, Open | WaitingForCustomer | Resolved)
            | (Open, WaitingForCustomer | Resolved)
            | (WaitingForCustomer, Open | Resolved)
            | (Resolved, Closed | Open)
    );
    if !allowed {
        return Err(TransitionError::NotAllowed { from, to });
    }
    if side == Side::Customer && !matches!((from, to), (Resolved, Closed | Open)) {
        return Err(TransitionError::CustomerNotAllowed { from, to });
    }
    Ok(())
}

impl Status {
    /// Open statuses are the ones work is still owed on.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_path_is_allowed_for_the_vendor() {
        use Status::*;
        for (from, to) in [
            (New, Open),
            (Open, WaitingForCustomer),
            (WaitingForCustomer, Open),
            (Open, Resolved),
            (Resolved, Closed),
            (Resolved, Open),
        ] {
            assert_eq!(check_transition(from, to, Side::Vendor), Ok(()), "{from} → {to}");
        }
    }

    #[test]
    fn closed_is_final_and_backwards_steps_are_refused() {
        use Status::*;
        for to in [New, Open, WaitingForCustomer, Resolved] {
            assert_eq!(
                check_transition(Closed, to, Side::Vendor),
                Err(TransitionError::NotAllowed { from: Closed, to })
            );
        }
        assert!(check_transition(Open, New, Side::Vendor).is_err());
        assert!(check_transition(New, Closed, Side::Vendor).is_err());
        assert_eq!(check_transition(Open, Open, Side::Vendor), Err(TransitionError::Unchanged(Open)));
    }

    #[test]
    fn a_customer_can_only_confirm_or_reopen() {
        use Status::*;
        assert_eq!(check_transition(Resolved, Closed, Side::Customer), Ok(()));
        assert_eq!(check_transition(Resolved, Open, Side::Customer), Ok(()));
        assert!(matches!(
            check_transition(Open, Resolved, Side::Customer),
            Err(TransitionError::CustomerNotAllowed { .. })
        ));
    }

    #[test]
    fn ticket_numbers_parse_with_or_without_hash() {
        assert_eq!("#1234".parse::<TicketNumber>().map(|n| n.get()), Ok(1234));
        assert_eq!("77".parse::<TicketNumber>().map(|n| n.get()), Ok(77));
        for bad in ["", "#", "0", "-3", "12a", "+5", "007", "#1 2"] {
            assert!(bad.parse::<TicketNumber>().is_err(), "{bad:?}");
        }
        assert_eq!(TicketNumber::new(1234).map(|n| n.to_string()), Some("#1234".into()));
    }

    #[test]
    fn unknown_enum_values_name_the_accepted_ones() {
        let err = "urgent".parse::<Priority>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown Priority `urgent`; expected one of: critical, fault, standard, development_request"
        );
    }
}
