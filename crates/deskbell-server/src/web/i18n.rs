//! The one message catalogue of the pages: every visible string in Polish and English.
//!
//! The catalogue is a struct with one field per message, so a template that names a message
//! that does not exist fails to compile, and a message missing in one language cannot exist.
//! Messages with values use `{name}` placeholders, filled by [`fill`].

use deskbell_domain::article::ArticleKind;
use deskbell_domain::person::{Language, Role};
use deskbell_domain::ticket::{Channel, Kind, Priority, Status};
use jiff::Timestamp;
use jiff::tz::TimeZone;

macro_rules! catalogue {
    ($($key:ident: $pl:literal, $en:literal;)*) => {
        /// All messages of one language.
        pub struct Catalogue { $(pub $key: &'static str,)* }
        pub static PL: Catalogue = Catalogue { $($key: $pl,)* };
        pub static EN: Catalogue = Catalogue { $($key: $en,)* };
        #[cfg(test)]
        pub const KEYS: &[(&str, &str, &str)] = &[$((stringify!($key), $pl, $en),)*];
    };
}

catalogue! {
    // ------------------------------------------------------------ layout and common
    app_name: "deskbell", "deskbell";
    skip_to_content: "Przejdź do treści", "Skip to content";
    nav_main: "Nawigacja główna", "Main navigation";
    nav_queues: "Kolejki", "Queues";
    nav_phone: "Zgłoszenie telefoniczne", "Phone ticket";
    nav_admin: "Administracja", "Administration";
    nav_help_home: "Moje zgłoszenia", "My tickets";
    nav_help_new: "Nowe zgłoszenie", "New ticket";
    nav_help_users: "Użytkownicy", "Users";
    nav_shortcuts: "Skróty klawiszowe", "Keyboard shortcuts";
    logged_in_as: "Zalogowano jako {name}", "Logged in as {name}";
    logout: "Wyloguj", "Log out";
    language: "Język", "Language";
    language_pl: "polski", "Polish";
    language_en: "angielski", "English";
    change_language: "Zmień", "Change";
    save: "Zapisz", "Save";
    cancel: "Anuluj", "Cancel";
    search: "Szukaj", "Search";
    filter: "Filtruj", "Filter";
    any: "dowolny", "any";
    none: "brak", "none";
    nobody: "nikt", "nobody";
    yes: "tak", "yes";
    no: "nie", "no";
    more: "Więcej", "More";
    required: "wymagane", "required";
    field_error: "Błąd", "Error";
    form_has_errors: "Popraw zaznaczone pola.", "Please correct the marked fields.";
    key_rows: "Poprzedni / następny wiersz listy (Enter otwiera)", "Previous / next row of a list (Enter opens)";
    key_reply: "Odpowiedz", "Reply";
    key_note: "Notatka wewnętrzna", "Internal note";
    key_call: "Zapisz rozmowę telefoniczną", "Log a phone call";
    key_status: "Zmień status", "Change status";
    key_assign_me: "Przypisz do mnie", "Assign to me";
    key_escape: "Opuść pole formularza", "Leave a form field";
    // ------------------------------------------------------------ errors
    err_not_found_title: "Nie znaleziono", "Not found";
    err_not_found: "Tej strony nie ma albo nie masz do niej dostępu.", "This page does not exist or you have no access to it.";
    err_forbidden_title: "Brak uprawnień", "Not allowed";
    err_forbidden: "Twoje konto nie ma uprawnień do tej czynności.", "Your account may not do this.";
    err_csrf: "Formularz wygasł. Odśwież stronę i spróbuj ponownie.", "The form has expired. Reload the page and try again.";
    err_conflict_title: "Konflikt", "Conflict";
    err_conflict: "Ktoś w międzyczasie zmienił ten rekord. Odśwież stronę i spróbuj ponownie.", "Someone else changed this record meanwhile. Reload the page and try again.";
    err_unavailable_title: "Chwilowa niedostępność", "Temporarily unavailable";
    err_unavailable: "Baza danych chwilowo nie odpowiada. Spróbuj za chwilę.", "The database is not answering right now. Try again shortly.";
    err_internal_title: "Błąd po naszej stronie", "Something went wrong on our side";
    err_internal: "Wystąpił błąd. Został zapisany w dzienniku.", "An error occurred. It has been logged.";
    err_bad_request_title: "Nieprawidłowe dane", "Invalid input";
    err_too_large: "Plik jest za duży. Limit to {limit}.", "The file is too large. The limit is {limit}.";
    err_back_home: "Wróć na stronę główną", "Back to the start page";
    // ------------------------------------------------------------ login
    login_title: "Logowanie", "Log in";
    login_email: "Adres e-mail", "E-mail address";
    login_password: "Hasło", "Password";
    login_submit: "Zaloguj", "Log in";
    login_wrong: "Nieprawidłowy adres e-mail lub hasło.", "Wrong e-mail address or password.";
    login_throttled: "Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za {minutes} min.", "Too many failed logins. Try again in {minutes} minutes.";
    login_expired: "Sesja wygasła. Zaloguj się ponownie, a wrócisz na poprzednią stronę.", "Your session has expired. Log in again to return to the page.";
    login_intro: "Serwis zgłoszeń dla hoteli, spa i uzdrowisk.", "Service desk for hotels, spas and health resorts.";
    login_track_hint: "Masz link do zgłoszenia z e-maila? Otwórz go bezpośrednio — konto nie jest potrzebne.", "Have a ticket link from an e-mail? Open it directly — no account needed.";
    // ------------------------------------------------------------ time
    time_min: "{n} min", "{n} min";
    time_h_min: "{h} h {m} min", "{h} h {m} min";
    time_d_h: "{d} d {h} h", "{d} d {h} h";
    clock_left: "zostało {time}", "{time} left";
    clock_over: "przekroczono o {time}", "{time} over";
    clock_paused_left: "wstrzymany, zostało {time}", "paused, {time} left";
    clock_met: "dotrzymany", "met";
    clock_missed: "przekroczony", "missed";
    clock_none: "bez umowy SLA", "no SLA contract";
    clock_due: "termin {at}", "due {at}";
    metric_first_response: "Pierwsza odpowiedź", "First response";
    metric_resolution: "Rozwiązanie", "Resolution";
    state_running: "trwa", "running";
    state_warning: "ostrzeżenie", "warning";
    state_breached: "przekroczony", "breached";
    state_paused: "wstrzymany", "paused";
    state_stopped: "zatrzymany", "stopped";
    // ------------------------------------------------------------ statuses, priorities, kinds, channels, roles
    status_new: "nowe", "new";
    status_open: "otwarte", "open";
    status_waiting_for_customer: "czeka na klienta", "waiting for customer";
    status_resolved: "rozwiązane", "resolved";
    status_closed: "zamknięte", "closed";
    priority_critical: "awaria", "critical";
    priority_fault: "usterka", "fault";
    priority_standard: "standardowe", "standard";
    priority_development_request: "propozycja rozwoju", "development request";
    kind_incident: "incydent", "incident";
    kind_question: "pytanie", "question";
    kind_service_request: "prośba o usługę", "service request";
    kind_development_request: "propozycja rozwoju", "development request";
    kind_training_request: "prośba o szkolenie", "training request";
    kind_out_of_scope: "poza zakresem", "out of scope";
    channel_email: "e-mail", "e-mail";
    channel_portal: "portal", "portal";
    channel_phone: "telefon", "phone";
    channel_api: "API", "API";
    channel_monitoring: "monitoring", "monitoring";
    role_customer_user: "użytkownik klienta", "customer user";
    role_customer_admin: "administrator klienta", "customer admin";
    role_agent: "konsultant", "agent";
    role_supervisor: "kierownik", "supervisor";
    role_admin: "administrator", "administrator";
    article_public: "odpowiedź", "reply";
    article_internal: "notatka wewnętrzna", "internal note";
    article_phone: "rozmowa telefoniczna", "phone call";
    article_system: "komunikat systemowy", "system notice";
}

pub fn catalogue(lang: Language) -> &'static Catalogue {
    match lang {
        Language::Pl => &PL,
        Language::En => &EN,
    }
}

/// Replaces `{name}` placeholders with their values.
pub fn fill(message: &str, values: &[(&str, &str)]) -> String {
    let mut out = message.to_owned();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

impl Catalogue {
    pub fn status(&self, s: Status) -> &'static str {
        match s {
            Status::New => self.status_new,
            Status::Open => self.status_open,
            Status::WaitingForCustomer => self.status_waiting_for_customer,
            Status::Resolved => self.status_resolved,
            Status::Closed => self.status_closed,
        }
    }

    pub fn priority(&self, p: Priority) -> &'static str {
        match p {
            Priority::Critical => self.priority_critical,
            Priority::Fault => self.priority_fault,
            Priority::Standard => self.priority_standard,
            Priority::DevelopmentRequest => self.priority_development_request,
        }
    }

    pub fn kind(&self, k: Kind) -> &'static str {
        match k {
            Kind::Incident => self.kind_incident,
            Kind::Question => self.kind_question,
            Kind::ServiceRequest => self.kind_service_request,
            Kind::DevelopmentRequest => self.kind_development_request,
            Kind::TrainingRequest => self.kind_training_request,
            Kind::OutOfScope => self.kind_out_of_scope,
        }
    }

    pub fn channel(&self, c: Channel) -> &'static str {
        match c {
            Channel::Email => self.channel_email,
            Channel::Portal => self.channel_portal,
            Channel::Phone => self.channel_phone,
            Channel::Api => self.channel_api,
            Channel::Monitoring => self.channel_monitoring,
        }
    }

    pub fn role(&self, r: Role) -> &'static str {
        match r {
            Role::CustomerUser => self.role_customer_user,
            Role::CustomerAdmin => self.role_customer_admin,
            Role::Agent => self.role_agent,
            Role::Supervisor => self.role_supervisor,
            Role::Admin => self.role_admin,
        }
    }

    pub fn article(&self, k: ArticleKind) -> &'static str {
        match k {
            ArticleKind::PublicReply => self.article_public,
            ArticleKind::InternalNote => self.article_internal,
            ArticleKind::PhoneCall => self.article_phone,
            ArticleKind::SystemNotice => self.article_system,
        }
    }

    /// A duration as people say it: `12 min`, `1 h 05 min`, `2 d 3 h`.
    pub fn duration(&self, secs: i64) -> String {
        let mins = secs.unsigned_abs().div_ceil(60);
        if mins < 60 {
            fill(self.time_min, &[("n", &mins.to_string())])
        } else if mins < 48 * 60 {
            fill(self.time_h_min, &[("h", &(mins / 60).to_string()), ("m", &format!("{:02}", mins % 60))])
        } else {
            let hours = mins / 60;
            fill(self.time_d_h, &[("d", &(hours / 24).to_string()), ("h", &(hours % 24).to_string())])
        }
    }
}

const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// An instant in a time zone, in the language's usual format: `04.12.2026 14:05` in Polish,
/// `4 Dec 2026, 14:05` in English.
pub fn datetime(lang: Language, at: Timestamp, tz: &TimeZone) -> String {
    let z = at.to_zoned(tz.clone());
    match lang {
        Language::Pl => format!("{:02}.{:02}.{} {:02}:{:02}", z.day(), z.month(), z.year(), z.hour(), z.minute()),
        Language::En => format!(
            "{} {} {}, {:02}:{:02}",
            z.day(),
            MONTHS_EN[(z.month() as usize).saturating_sub(1) % 12],
            z.year(),
            z.hour(),
            z.minute()
        ),
    }
}

/// The time zone of an organisation's stored name; Europe/Warsaw when it is unknown.
pub fn time_zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or_else(|_| TimeZone::get("Europe/Warsaw").unwrap_or(TimeZone::UTC))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_both_languages_with_the_same_placeholders() {
        let placeholders = |s: &str| {
            let mut v: Vec<String> =
                s.split('{').skip(1).filter_map(|p| p.split_once('}')).map(|(k, _)| k.to_owned()).collect();
            v.sort();
            v
        };
        for (key, pl, en) in KEYS {
            assert!(!pl.trim().is_empty() && !en.trim().is_empty(), "{key} is empty in one language");
            assert_eq!(placeholders(pl), placeholders(en), "{key} has different placeholders in pl and en");
        }
    }

    #[test]
    fn dates_follow_the_language_and_the_time_zone() {
        let at: Timestamp = "2026-03-13T18:30:00Z".parse().unwrap();
        let warsaw = time_zone("Europe/Warsaw");
        assert_eq!(datetime(Language::Pl, at, &warsaw), "13.03.2026 19:30");
        assert_eq!(datetime(Language::En, at, &warsaw), "13 Mar 2026, 19:30");
        assert_eq!(datetime(Language::Pl, at, &time_zone("America/New_York")), "13.03.2026 14:30");
        // Summer time: two hours ahead of UTC.
        let summer: Timestamp = "2026-07-01T06:05:00Z".parse().unwrap();
        assert_eq!(datetime(Language::Pl, summer, &warsaw), "01.07.2026 08:05");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(PL.duration(0), "0 min");
        assert_eq!(PL.duration(61), "2 min");
        assert_eq!(EN.duration(3600 + 5 * 60), "1 h 05 min");
        assert_eq!(EN.duration(-(3 * 86400 + 3 * 3600)), "3 d 3 h");
    }
}
