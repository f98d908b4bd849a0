//! SLA calendars and clocks (being written).
