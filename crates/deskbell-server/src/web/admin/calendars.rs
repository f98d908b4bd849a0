//! SLA calendars: the list, a calendar's versions (weekly intervals, time zone, holidays,
//! closed dates, when each took effect) and the forms for a new calendar and a new version.
//!
//! The intervals are typed as lines (`mon-fri 08:00-20:00`); the page turns them into the
//! API's `CalendarSpec`, and the calendar rules (times, overlaps, holidays) are checked by
//! the API's own function.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use deskbell_domain::sla::{CalendarSpec, DayName, HolidayRule, IntervalSpec, parse_instant};
use deskbell_store::sla::{self as store_sla, CalendarRecord};
use jiff::tz::TimeZone;

use super::{Fields, ListQuery, lines, path_id, save, saved};
use crate::error::ApiError;
use crate::sla::admin::{self as api, CalendarCreate, CalendarVersionCreate};
use crate::state::AppState;
use crate::web::ctx::{Ctx, PageResult, html, html_status, see_other};
use crate::web::forms::Errors;
use crate::web::i18n::{self, fill};

const LIST: &str = "/admin/calendars";
const FIELDS: &[&str] = &["name", "spec", "time_zone", "intervals", "closed_dates", "effective_from"];

const DAYS: [(DayName, &str); 7] = [
    (DayName::Mon, "mon"),
    (DayName::Tue, "tue"),
    (DayName::Wed, "wed"),
    (DayName::Thu, "thu"),
    (DayName::Fri, "fri"),
    (DayName::Sat, "sat"),
    (DayName::Sun, "sun"),
];

fn day_index(name: &str) -> Option<usize> {
    DAYS.iter().position(|(_, n)| *n == name)
}

fn day_name(d: DayName) -> &'static str {
    DAYS.iter().find(|(x, _)| *x == d).map_or("", |(_, n)| n)
}

/// One typed line as an interval: days (`mon`, `mon,wed`, `mon-fri`, `fri-mon`), then
/// `HH:MM-HH:MM`. The times are the API's to check.
fn parse_interval(line: &str) -> Option<IntervalSpec> {
    let line = line.to_lowercase();
    let at = line.find(|c: char| c.is_ascii_digit())?;
    let (days, times) = line.split_at(at);
    let (start, end) = times.split_once(['-', '\u{2013}'])?;
    let mut out = Vec::new();
    for part in days.split(',').map(|p| p.split_whitespace().collect::<String>()) {
        match part.split_once(['-', '\u{2013}']) {
            Some((a, b)) => {
                let (a, b) = (day_index(a)?, day_index(b)?);
                let len = (b + 7 - a) % 7 + 1;
                out.extend((0..len).map(|i| DAYS[(a + i) % 7].0));
            }
            None => out.push(DAYS[day_index(&part)?].0),
        }
    }
    let (start, end) = (start.trim(), end.trim());
    let hhmm = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == ':');
    (!out.is_empty() && hhmm(start) && hhmm(end)).then(|| IntervalSpec {
        days: out,
        start: start.to_owned(),
        end: end.to_owned(),
    })
}

/// An interval as a line to read and type again: consecutive days as a range.
fn interval_line(i: &IntervalSpec) -> String {
    let idx: Vec<usize> = i.days.iter().filter_map(|d| day_index(day_name(*d))).collect();
    let mut parts: Vec<String> = Vec::new();
    let mut k = 0;
    while k < idx.len() {
        let mut j = k;
        while j + 1 < idx.len() && idx[j + 1] == idx[j] + 1 {
            j += 1;
        }
        parts.push(match j - k {
            0 => DAYS[idx[k]].1.to_owned(),
            1 => format!("{},{}", DAYS[idx[k]].1, DAYS[idx[j]].1),
            _ => format!("{}-{}", DAYS[idx[k]].1, DAYS[idx[j]].1),
        });
        k = j + 1;
    }
    format!("{} {}-{}", parts.join(","), i.start, i.end)
}

/// The calendar fields of a form, as typed.
#[derive(Default)]
struct SpecForm {
    time_zone: String,
    holidays: bool,
    always_open: bool,
    intervals: String,
    closed_dates: String,
}

impl SpecForm {
    fn of(s: &CalendarSpec) -> SpecForm {
        SpecForm {
            time_zone: s.time_zone.clone(),
            holidays: s.holidays == Some(HolidayRule::Poland),
            always_open: s.always_open,
            intervals: s.intervals.iter().map(interval_line).collect::<Vec<_>>().join("\n"),
            closed_dates: s.closed_dates.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
        }
    }

    fn sent(f: &Fields) -> SpecForm {
        SpecForm {
            time_zone: f.text("time_zone"),
            holidays: f.ticked("holidays"),
            always_open: f.ticked("always_open"),
            intervals: f.raw("intervals").to_owned(),
            closed_dates: f.raw("closed_dates").to_owned(),
        }
    }

    /// The API's spec; what cannot be read is an error on its field.
    fn spec(&self, c: &Ctx, errors: &mut Errors) -> CalendarSpec {
        let mut intervals = Vec::new();
        for (n, line) in self.intervals.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match parse_interval(line) {
                Some(i) => intervals.push(i),
                None => errors.add(
                    "intervals",
                    fill(c.t.adm_bad_interval, &[("line", &(n + 1).to_string()), ("text", line.trim())]),
                ),
            }
        }
        let mut closed_dates = Vec::new();
        for d in lines(&self.closed_dates) {
            match d.parse::<jiff::civil::Date>() {
                Ok(date) => closed_dates.push(date),
                Err(_) => errors.add("closed_dates", fill(c.t.adm_bad_date, &[("value", &d)])),
            }
        }
        CalendarSpec {
            time_zone: self.time_zone.clone(),
            holidays: Some(if self.holidays { HolidayRule::Poland } else { HolidayRule::None }),
            always_open: self.always_open,
            closed_dates,
            intervals,
        }
    }
}

/// A calendar's version as shown.
struct VersionRow {
    id: i64,
    title: String,
    from: String,
    state: &'static str,
    time_zone: String,
    holidays: &'static str,
    always_open: bool,
    intervals: Vec<String>,
    closed_dates: Vec<String>,
}

fn versions(c: &Ctx, cal: &CalendarRecord) -> Vec<VersionRow> {
    let current = cal.version_at(c.now).map(|v| v.id);
    cal.versions
        .iter()
        .map(|v| {
            let tz = i18n::time_zone(&v.spec.time_zone);
            let state = if Some(v.id) == current {
                c.t.adm_in_force
            } else if v.effective_from > c.now {
                c.t.adm_scheduled
            } else {
                c.t.adm_superseded
            };
            VersionRow {
                id: v.id,
                title: fill(c.t.adm_version_n, &[("id", &v.id.to_string())]),
                from: i18n::datetime(c.lang, v.effective_from, &tz),
                state,
                time_zone: v.spec.time_zone.clone(),
                holidays: if v.spec.holidays == Some(HolidayRule::Poland) {
                    c.t.adm_holidays_on
                } else {
                    c.t.adm_holidays_off
                },
                always_open: v.spec.always_open,
                intervals: v.spec.intervals.iter().map(interval_line).collect(),
                closed_dates: v.spec.closed_dates.iter().map(ToString::to_string).collect(),
            }
        })
        .collect()
}

// ---------------------------------------------------------------- the list

struct Row {
    id: i64,
    name: String,
    builtin: bool,
    time_zone: String,
    hours: String,
    versions: usize,
}

#[derive(Template)]
#[template(path = "admin/calendars.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    rows: Vec<Row>,
}

pub async fn list(State(state): State<AppState>, c: Ctx) -> PageResult {
    c.admin()?;
    let all = state.read(|tx| Ok(store_sla::calendars(tx)?)).await?;
    let rows = all
        .iter()
        .map(|cal| {
            let spec = cal.version_at(c.now).map(|v| &v.spec);
            Row {
                id: cal.id,
                name: cal.name.clone(),
                builtin: cal.builtin,
                time_zone: spec.map(|s| s.time_zone.clone()).unwrap_or_default(),
                hours: spec.map_or_else(String::new, |s| {
                    if s.always_open {
                        c.t.adm_always.to_owned()
                    } else {
                        s.intervals.iter().map(interval_line).collect::<Vec<_>>().join("; ")
                    }
                }),
                versions: cal.versions.len(),
            }
        })
        .collect();
    html(&ListPage { c: &c, section: "admin", tab: "calendars", rows })
}

// ---------------------------------------------------------------- one calendar and a new version

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    title: String,
    id: i64,
    builtin: bool,
    versions: Vec<VersionRow>,
    spec: SpecForm,
    effective_from: String,
    errors: Errors,
    saved: bool,
}

async fn stored(state: &AppState, id: i64) -> Result<CalendarRecord, ApiError> {
    super::find(state, id, "calendar", store_sla::calendar).await
}

fn calendar_page<'a>(
    c: &'a Ctx,
    cal: &CalendarRecord,
    spec: SpecForm,
    effective_from: String,
    errors: Errors,
    saved: bool,
) -> CalendarPage<'a> {
    CalendarPage {
        c,
        section: "admin",
        tab: "calendars",
        title: fill(c.t.adm_calendar_title, &[("name", &cal.name)]),
        id: cal.id,
        builtin: cal.builtin,
        versions: versions(c, cal),
        spec,
        effective_from,
        errors,
        saved,
    }
}

pub async fn show(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    c.admin()?;
    let cal = stored(&state, path_id(&raw)?).await?;
    // The form starts from the newest version: an edit usually changes one thing.
    let spec = cal.versions.last().map(|v| SpecForm::of(&v.spec)).unwrap_or_default();
    html(&calendar_page(&c, &cal, spec, String::new(), Errors::default(), q.saved.is_some()))
}

pub async fn add_version(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    let actor = c.admin()?.clone();
    let id = path_id(&raw)?;
    let cal = stored(&state, id).await?;
    let fields = Fields::new(f);
    let form = SpecForm::sent(&fields);
    let effective_from = fields.text("effective_from");
    let mut errors = Errors::default();
    let spec = form.spec(&c, &mut errors);
    // A local date and time is read in the calendar's time zone: the new version's, or the
    // one in force when that is not a zone.
    let zone = TimeZone::get(&spec.time_zone).ok().map(|_| spec.time_zone.clone()).unwrap_or_else(|| {
        cal.version_at(c.now).map_or_else(|| "Europe/Warsaw".to_owned(), |v| v.spec.time_zone.clone())
    });
    let from = match effective_from.as_str() {
        "" => None,
        typed => match parse_instant(&typed.replacen(' ', "T", 1), &i18n::time_zone(&zone)) {
            Ok(at) => Some(at.to_string()),
            Err(_) => {
                errors.add("effective_from", fill(c.t.adm_bad_datetime, &[("value", typed), ("zone", &zone)]));
                None
            }
        },
    };
    let req = CalendarVersionCreate { spec, effective_from: from };
    let now = c.now;
    let write = |req| state.write(move |tx| api::new_calendar_version(tx, &actor, id, req, now));
    match save(errors, Some(req), FIELDS, &[], write).await? {
        Ok(_) => Ok(see_other(&c, &saved(&format!("{LIST}/{id}")))),
        Err((status, errors)) => html_status(status, &calendar_page(&c, &cal, form, effective_from, errors, false)),
    }
}

// ---------------------------------------------------------------- a new calendar

#[derive(Template)]
#[template(path = "admin/calendar_new.html")]
struct NewPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    /// What the form frame (`admin/form.html`) shows and posts to.
    title: &'a str,
    action: &'a str,
    calendar_name: String,
    spec: SpecForm,
    errors: Errors,
}

fn new_page(c: &Ctx, calendar_name: String, spec: SpecForm, errors: Errors) -> NewPage<'_> {
    let (title, action) = (c.t.adm_calendar_new, "/admin/calendars/new");
    NewPage { c, section: "admin", tab: "calendars", title, action, calendar_name, spec, errors }
}

pub async fn new_form(c: Ctx) -> PageResult {
    c.admin()?;
    let spec =
        CalendarSpec::builtin(deskbell_domain::sla::BUILTIN_PL_BUSINESS).map(|s| SpecForm::of(&s)).unwrap_or_default();
    html(&new_page(&c, String::new(), spec, Errors::default()))
}

pub async fn create(State(state): State<AppState>, c: Ctx, Form(f): Form<Vec<(String, String)>>) -> PageResult {
    let actor = c.admin()?.clone();
    let fields = Fields::new(f);
    let form = SpecForm::sent(&fields);
    let name = fields.text("name");
    let mut errors = Errors::default();
    let spec = form.spec(&c, &mut errors);
    let req = CalendarCreate { name: name.clone(), spec };
    let now = c.now;
    let write = |req| state.write(move |tx| api::new_calendar(tx, &actor, req, now));
    match save(errors, Some(req), FIELDS, &[], write).await? {
        Ok(cal) => Ok(see_other(&c, &saved(&format!("{LIST}/{}", cal.id)))),
        Err((status, errors)) => html_status(status, &new_page(&c, name, form, errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_lines_read_days_and_ranges() {
        let i = parse_interval("Mon-Fri 08:00-20:00").unwrap();
        assert_eq!(i.days, [DayName::Mon, DayName::Tue, DayName::Wed, DayName::Thu, DayName::Fri]);
        assert_eq!((i.start.as_str(), i.end.as_str()), ("08:00", "20:00"));
        let i = parse_interval("sat, sun 10:00 - 14:00").unwrap();
        assert_eq!(i.days, [DayName::Sat, DayName::Sun]);
        assert_eq!(i.end, "14:00");
        let i = parse_interval("fri-mon 22:00-06:00").unwrap();
        assert_eq!(i.days, [DayName::Fri, DayName::Sat, DayName::Sun, DayName::Mon]);
        for bad in ["08:00-20:00", "mon", "mon 08:00", "xyz 08:00-10:00", "mon-xyz 08:00-10:00", "mon 8h-10h"] {
            assert!(parse_interval(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn intervals_are_written_back_as_they_are_read() {
        for line in ["mon-fri 08:00-20:00", "mon,wed 08:00-12:00", "sat 10:00-14:00", "mon-wed,fri 07:00-15:00"] {
            assert_eq!(interval_line(&parse_interval(line).unwrap()), line);
        }
    }
}
