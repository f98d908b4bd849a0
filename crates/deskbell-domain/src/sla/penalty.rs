//! Contract penalties (DESIGN §3): per contract and priority, an amount or a share of the
//! monthly fee for every *started* hour of overrun, the overrun counted in business hours (the
//! clock's counted time past the target) or in clock hours (wall time past the deadline), with
//! a cap per month across the organisation's statement.
//!
//! Money is integer minor units (grosze); shares are basis points (1/100 of a percent), so no
//! amount is ever a float.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// What one started hour of overrun costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PenaltyRate {
    /// A fixed amount in minor units per started hour.
    Amount {
        /// Minor units (grosze) per started hour.
        minor_per_hour: i64,
    },
    /// A share of the contract's monthly fee per started hour.
    FeeShare {
        /// Basis points of the monthly fee per started hour (100 = 1 %).
        basis_points_per_hour: i64,
    },
}

/// How the overrun is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverrunBasis {
    /// Counted (business) time beyond the target.
    Business,
    /// Wall-clock time from the deadline to the stop (or to now).
    Clock,
}

impl OverrunBasis {
    /// `business` or `clock`, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            OverrunBasis::Business => "business",
            OverrunBasis::Clock => "clock",
        }
    }

    /// The basis named by [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<OverrunBasis> {
        match s {
            "business" => Some(OverrunBasis::Business),
            "clock" => Some(OverrunBasis::Clock),
            _ => None,
        }
    }
}

/// The penalty terms of one contract priority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyTerms {
    /// Cost per started hour.
    pub rate: PenaltyRate,
    /// How the overrun is measured.
    pub basis: OverrunBasis,
}

/// Why penalty terms were refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PenaltyError {
    /// Negative amounts or shares would pay the customer's penalty to the vendor.
    #[error("a penalty rate must not be negative")]
    NegativeRate,
    /// A share above 100 % of the monthly fee per hour is a typing error.
    #[error("a share of the monthly fee per hour is at most 10000 basis points (100 %)")]
    ShareTooLarge,
}

impl PenaltyTerms {
    /// Checks the terms an admin typed.
    pub fn validate(&self) -> Result<(), PenaltyError> {
        match self.rate {
            PenaltyRate::Amount { minor_per_hour } if minor_per_hour < 0 => Err(PenaltyError::NegativeRate),
            PenaltyRate::FeeShare { basis_points_per_hour } if basis_points_per_hour < 0 => {
                Err(PenaltyError::NegativeRate)
            }
            PenaltyRate::FeeShare { basis_points_per_hour } if basis_points_per_hour > 10_000 => {
                Err(PenaltyError::ShareTooLarge)
            }
            _ => Ok(()),
        }
    }

    /// The overrun of one clock in seconds under these terms: business time beyond the target,
    /// or wall time from the deadline to `end` (the stop, or the statement's cut-off).
    pub fn overrun_secs(
        &self,
        counted_secs: i64,
        target_secs: i64,
        deadline: Option<Timestamp>,
        end: Timestamp,
    ) -> i64 {
        // DESIGN §3: no breach, no overrun — reaching the target exactly is on time.
        if counted_secs <= target_secs {
            return 0;
        }
        match self.basis {
            OverrunBasis::Business => counted_secs - target_secs,
            OverrunBasis::Clock => deadline.map_or(0, |d| end.as_second().saturating_sub(d.as_second()).max(0)),
        }
    }

    /// The penalty for `overrun_secs`, in minor units: started hours × rate.
    pub fn penalty(&self, overrun_secs: i64, monthly_fee_minor: i64) -> i64 {
        let hours = started_hours(overrun_secs);
        match self.rate {
            PenaltyRate::Amount { minor_per_hour } => hours.saturating_mul(minor_per_hour),
            // Rounded down to whole minor units, never in the vendor's disfavour by more than 1.
            PenaltyRate::FeeShare { basis_points_per_hour } => {
                (i128::from(hours) * i128::from(basis_points_per_hour) * i128::from(monthly_fee_minor) / 10_000)
                    .try_into()
                    .unwrap_or(i64::MAX)
            }
        }
    }
}

/// Every hour begun counts: 1 s of overrun is one hour, 3600 s is one, 3601 s is two.
pub fn started_hours(overrun_secs: i64) -> i64 {
    if overrun_secs <= 0 { 0 } else { (overrun_secs - 1) / 3600 + 1 }
}

/// A month's total: the sum of the ticket penalties (waived ones excluded by the caller), and
/// the amount due after the monthly cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyTotal {
    /// Sum of the ticket penalties.
    pub sum_minor: i64,
    /// What is due: the sum, or the cap when the sum exceeds it.
    pub due_minor: i64,
    /// Whether the cap applied.
    pub capped: bool,
}

/// Sums ticket penalties under an optional monthly cap.
pub fn monthly_total(penalties: impl IntoIterator<Item = i64>, cap_minor: Option<i64>) -> MonthlyTotal {
    let sum_minor = penalties.into_iter().fold(0i64, i64::saturating_add);
    match cap_minor {
        Some(cap) if sum_minor > cap => MonthlyTotal { sum_minor, due_minor: cap, capped: true },
        _ => MonthlyTotal { sum_minor, due_minor: sum_minor, capped: false },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AMOUNT: PenaltyTerms =
        PenaltyTerms { rate: PenaltyRate::Amount { minor_per_hour: 50_000 }, basis: OverrunBasis::Business };

    #[test]
    fn every_started_hour_counts() {
        assert_eq!([0, 1, 3599, 3600, 3601, 7200, -5].map(started_hours), [0, 1, 1, 1, 2, 2, 0]);
    }

    #[test]
    fn reaching_the_target_exactly_costs_nothing() {
        let end: Timestamp = "2026-03-13T19:00:00Z".parse().unwrap();
        assert_eq!(AMOUNT.overrun_secs(7200, 7200, Some(end), end), 0);
        assert_eq!(AMOUNT.overrun_secs(7201, 7200, Some(end), end), 1);
        assert_eq!(AMOUNT.penalty(1, 0), 50_000);
    }

    #[test]
    fn clock_hours_measure_wall_time_past_the_deadline() {
        // Fri 20:00 deadline, fixed Mon 09:30 on a business calendar: business overrun 1.5 h,
        // clock overrun 61.5 h.
        let terms = PenaltyTerms { basis: OverrunBasis::Clock, ..AMOUNT };
        let deadline: Timestamp = "2026-03-13T19:00:00Z".parse().unwrap();
        let fixed: Timestamp = "2026-03-16T08:30:00Z".parse().unwrap();
        let overrun = terms.overrun_secs(7200 + 5400, 7200, Some(deadline), fixed);
        assert_eq!(overrun, 61 * 3600 + 1800);
        assert_eq!(terms.penalty(overrun, 0), 62 * 50_000);
        assert_eq!(AMOUNT.overrun_secs(7200 + 5400, 7200, Some(deadline), fixed), 5400);
    }

    #[test]
    fn a_share_of_the_monthly_fee_is_paid_per_started_hour() {
        // 2 % of a 4 000,00 zł fee per hour, 2 h 10 min over: 3 started hours = 240,00 zł.
        let terms =
            PenaltyTerms { rate: PenaltyRate::FeeShare { basis_points_per_hour: 200 }, basis: OverrunBasis::Business };
        assert_eq!(terms.penalty(2 * 3600 + 600, 400_000), 24_000);
    }

    #[test]
    fn the_monthly_cap_limits_what_is_due() {
        assert_eq!(monthly_total([100, 200], Some(250)), MonthlyTotal { sum_minor: 300, due_minor: 250, capped: true });
        assert_eq!(monthly_total([100, 200], None), MonthlyTotal { sum_minor: 300, due_minor: 300, capped: false });
        assert_eq!(monthly_total([], Some(250)).due_minor, 0);
    }

    #[test]
    fn nonsensical_terms_are_refused() {
        let neg = PenaltyTerms { rate: PenaltyRate::Amount { minor_per_hour: -1 }, ..AMOUNT };
        assert_eq!(neg.validate(), Err(PenaltyError::NegativeRate));
        let big = PenaltyTerms { rate: PenaltyRate::FeeShare { basis_points_per_hour: 10_001 }, ..AMOUNT };
        assert_eq!(big.validate(), Err(PenaltyError::ShareTooLarge));
        assert_eq!(AMOUNT.validate(), Ok(()));
    }
}
