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
    // ------------------------------------------------------------ fields (shared)
    field_number: "Numer", "Number";
    field_subject: "Temat", "Subject";
    field_organisation: "Organizacja", "Organisation";
    field_requester: "Zgłaszający", "Requester";
    field_priority: "Priorytet", "Priority";
    field_status: "Status", "Status";
    field_product: "Produkt", "Product";
    field_channel: "Kanał", "Channel";
    field_kind: "Rodzaj", "Kind";
    field_assignee: "Przypisane do", "Assignee";
    field_team: "Zespół", "Team";
    field_sla: "SLA", "SLA";
    field_updated: "Zmienione", "Updated";
    field_created: "Utworzone", "Created";
    field_sort: "Sortowanie", "Sort";
    field_description: "Opis", "Description";
    field_attachments: "Załączniki", "Attachments";
    // ------------------------------------------------------------ agent: queues
    queue_mine: "Moje", "Mine";
    queue_team: "Mój zespół", "My team";
    queue_unassigned: "Nieprzypisane", "Unassigned";
    queue_open: "Wszystkie otwarte", "All open";
    queue_at_risk: "Zagrożone SLA", "At risk";
    queue_waiting: "Czekają na klienta", "Waiting for customer";
    queue_empty: "Brak zgłoszeń w tej kolejce.", "No tickets in this queue.";
    search_placeholder: "numer, temat, treść…", "number, subject, text…";
    sort_deadline: "najbliższy termin SLA", "nearest SLA deadline";
    sort_updated: "ostatnio zmienione", "recently changed";
    sort_created: "najnowsze", "newest";
    sort_number: "numer malejąco", "number, descending";
    // ------------------------------------------------------------ agent: the ticket page
    field_cc: "Do wiadomości", "Cc";
    field_tags: "Tagi", "Tags";
    field_due_date: "Uzgodniony termin", "Agreed due date";
    field_module: "Moduł", "Module";
    field_parent: "Zgłoszenie nadrzędne", "Parent ticket";
    author_system: "deskbell", "deskbell";
    side_vendor: "wsparcie", "support";
    mail_from: "Od", "From";
    mail_to: "Do", "To";
    side_customer: "klient", "customer";
    conversation: "Rozmowa", "Conversation";
    quoted_history: "Cytowana wcześniejsza korespondencja", "Quoted earlier messages";
    compose_title: "Odpowiedź, notatka lub rozmowa", "Reply, note or call";
    compose_kind: "Co dodajesz?", "What are you adding?";
    compose_body: "Treść", "Text";
    internal_hint: "(widzi tylko zespół wsparcia)", "(only the support team sees it)";
    call_direction: "Kierunek rozmowy", "Call direction";
    call_inbound: "przychodząca", "incoming";
    call_outbound: "wychodząca", "outgoing";
    call_number: "Numer telefonu", "Phone number";
    call_duration: "Czas trwania (min)", "Duration (min)";
    upload_limit: "do", "up to";
    upload_too_large: "Za duży plik (nic nie zostało wysłane):", "File too large (nothing was sent):";
    then_status: "Następnie zmień status", "Then change the status";
    then_status_keep: "bez zmiany", "keep as is";
    send: "Wyślij", "Send";
    deadline: "Termin", "Deadline";
    target: "Cel", "Target";
    details: "Szczegóły", "Details";
    proposed_priority: "Priorytet zaproponowany przez klienta", "Priority proposed by the customer";
    change_status_to: "Nowy status", "New status";
    reason_optional: "Powód (opcjonalnie)", "Reason (optional)";
    classification: "Klasyfikacja i przypisanie", "Classification and assignment";
    priority_reason: "Powód zmiany priorytetu", "Reason for a priority change";
    priority_reason_hint: "wymagany, gdy zmieniasz priorytet", "required when you change the priority";
    history: "Historia", "History";
    checks_title: "Sprawdzenia lokalnego IT", "Local IT checks";
    ev_created: "utworzył(a) zgłoszenie", "opened the ticket";
    ev_article_added: "dodał(a): {kind}", "added: {kind}";
    ev_first_response: "udzielił(a) pierwszej odpowiedzi", "gave the first response";
    ev_field_changed: "{field}: {old} → {new}", "{field}: {old} → {new}";
    ev_sla_waived: "odstąpił(a) od kary SLA", "waived the SLA penalty";
    err_choose_kind: "Wybierz, co dodajesz.", "Choose what you are adding.";
    err_body_empty: "Wpisz treść.", "Enter the text.";
    err_duration: "Podaj czas w minutach (0–1440).", "Enter the duration in minutes (0–1440).";
    err_unknown_status: "Wybierz status z listy.", "Choose a status from the list.";
    err_choose_value: "Wybierz wartość z listy.", "Choose a value from the list.";
    err_ticket_closed: "To zgłoszenie jest zamknięte i nie można go już zmieniać.", "This ticket is closed and can no longer be changed.";
    err_transition: "Takiej zmiany statusu nie można teraz wykonać.", "This status change is not possible now.";
    err_priority_reason: "Podaj powód zmiany priorytetu — zostanie zapisany w historii.", "Say why the priority changes — it is kept in the history.";
    err_assignee: "Przypisać można tylko aktywnego członka zespołu wsparcia.", "Only an active member of the support staff can be assigned.";
    err_product: "Ten produkt nie pasuje do organizacji zgłoszenia.", "This product does not fit the ticket's organisation.";
    err_requester: "Zgłaszający musi być osobą tej organizacji.", "The requester must be a person of this organisation.";
    // ------------------------------------------------------------ agent: the phone form
    phone_who: "Kto dzwoni?", "Who is calling?";
    phone_who_hint: "numer telefonu, nazwa hotelu lub nazwisko", "phone number, hotel name or person's name";
    phone_no_match: "Nic nie znaleziono. Sprawdź numer albo wpisz nazwę.", "Nothing found. Check the number or type a name.";
    phone_choose: "Wybierz", "Choose";
    phone_contacts: "Osoby", "Contacts";
    phone_no_contract: "brak aktywnej umowy SLA", "no SLA contract in force";
    phone_inside_hours: "teraz w godzinach obsługi", "inside hours now";
    phone_outside_hours: "teraz poza godzinami obsługi", "outside hours now";
    phone_open_incidents: "Otwarte incydenty", "Open incidents";
    phone_no_incidents: "brak otwartych incydentów", "no open incidents";
    phone_other_caller: "Inny rozmówca", "Another caller";
    phone_notes: "Notatka z rozmowy", "Call notes";
    phone_create: "Utwórz zgłoszenie", "Create the ticket";
    phone_choose_org: "Najpierw wybierz organizację dzwoniącego.", "First choose the caller's organisation.";
    phone_choose_contact: "Wybierz osobę, która dzwoni.", "Choose the person who is calling.";
    err_subject_empty: "Wpisz temat.", "Enter a subject.";
    form_in_progress: "Ten formularz jest już wysyłany. Poczekaj chwilę i odśwież stronę.", "This form is already being sent. Wait a moment and reload the page.";
    inactive: "nieaktywna", "inactive";
    // ---- admin
    adm_title: "Administracja", "Administration";
    adm_sections: "Sekcje administracji", "Administration sections";
    adm_overview: "Przegląd", "Overview";
    adm_overview_intro: "Konfiguracja serwisu: klienci, osoby, zespoły, produkty, umowy SLA, kalendarze i skrzynki pocztowe.", "Configuration of the service desk: customers, people, teams, products, SLA contracts, calendars and mailboxes.";
    adm_count: "Liczba", "Count";
    adm_organisations: "Organizacje", "Organisations";
    adm_people: "Osoby", "People";
    adm_teams: "Zespoły", "Teams";
    adm_products: "Produkty", "Products";
    adm_installations: "Instalacje", "Installations";
    adm_calendars: "Kalendarze", "Calendars";
    adm_contracts: "Umowy", "Contracts";
    adm_mailboxes: "Skrzynki pocztowe", "Mailboxes";
    adm_quarantine: "Kwarantanna poczty", "Mail quarantine";
    adm_saved: "Zapisano.", "Saved.";
    adm_empty: "Brak pozycji.", "Nothing here yet.";
    adm_actions: "Działania", "Actions";
    adm_name: "Nazwa", "Name";
    adm_state: "Stan", "State";
    adm_active: "Aktywna", "Active";
    adm_inactive: "nieaktywna", "inactive";
    adm_all: "wszystkie", "all";
    adm_choose: "Wybierz pozycję z listy.", "Choose an entry from the list.";
    adm_select: "— wybierz —", "— choose —";
    adm_bad_choice: "Tej pozycji nie ma na liście.", "This is not one of the choices.";
    adm_bad_number: "Podaj liczbę całkowitą.", "Enter a whole number.";
    adm_bad_amount: "Podaj kwotę z najwyżej dwoma miejscami po przecinku, np. 4000 lub 4000,50.", "Enter an amount with at most two decimals, e.g. 4000 or 4000.50.";
    adm_org_new: "Nowa organizacja", "New organisation";
    adm_org_edit: "Organizacja: {name}", "Organisation: {name}";
    adm_org_parent: "Organizacja nadrzędna (sieć)", "Parent organisation (chain)";
    adm_org_parent_hint: "Sieć hoteli, do której należy ten obiekt. Dozwolony jest jeden poziom.", "The hotel chain this property belongs to. Only one level is allowed.";
    adm_org_property_of: "obiekt sieci {name}", "property of {name}";
    adm_time_zone: "Strefa czasowa", "Time zone";
    adm_time_zone_hint: "Nazwa IANA, np. Europe/Warsaw.", "An IANA name, e.g. Europe/Warsaw.";
    adm_notes: "Notatki wewnętrzne", "Internal notes";
    adm_notes_hint: "Widzą je tylko pracownicy dostawcy.", "Only the vendor's staff see these.";
    adm_phones: "Numery telefonów", "Phone numbers";
    adm_phones_hint: "Jeden numer w wierszu; po nich rozpoznajemy dzwoniącego.", "One number per line; callers are recognised by them.";
    adm_domains: "Domeny e-mail", "E-mail domains";
    adm_domains_hint: "Jedna domena w wierszu, np. hotel.pl; poczta z tych domen należy do tej organizacji.", "One domain per line, e.g. hotel.example; mail from these domains belongs to this organisation.";
    adm_account_team: "Opiekunowie klienta", "Account team";
    adm_account_team_hint: "Specjaliści, którzy wdrażali system u tego klienta i go znają.", "The specialists who installed the system at this customer and know it.";
    adm_no_staff: "Nie ma jeszcze pracowników dostawcy.", "There are no vendor staff yet.";
    adm_person_new: "Nowa osoba", "New person";
    adm_person_edit: "Osoba: {name}", "Person: {name}";
    adm_person_name: "Imię i nazwisko", "Name";
    adm_email: "Adres e-mail", "E-mail address";
    adm_bad_email: "To nie jest adres e-mail.", "This is not an e-mail address.";
    adm_role: "Rola", "Role";
    adm_organisation: "Organizacja", "Organisation";
    adm_organisation_hint: "Wymagana dla ról klienta; pracownicy dostawcy nie należą do żadnej organizacji.", "Required for customer roles; the vendor's staff belong to none.";
    adm_vendor: "dostawca", "vendor";
    adm_phone: "Telefon", "Phone";
    adm_password: "Hasło", "Password";
    adm_password_new_hint: "Od 4 znaków. Bez hasła osoba nie może się jeszcze logować.", "At least 4 characters. Without a password the person cannot log in yet.";
    adm_password_set: "Nowe hasło", "New password";
    adm_password_set_hint: "Puste pole zostawia obecne hasło.", "Leave empty to keep the current password.";
    adm_team_new: "Nowy zespół", "New team";
    adm_team_edit: "Zespół: {name}", "Team: {name}";
    adm_members: "Członkowie", "Members";
    adm_members_hint: "Pracownicy dostawcy należący do zespołu.", "The vendor's staff in this team.";
    adm_product_new: "Nowy produkt", "New product";
    adm_product_edit: "Produkt: {name}", "Product: {name}";
    adm_product: "Produkt", "Product";
    adm_code: "Kod", "Code";
    adm_code_hint: "Litery, cyfry, - i _, np. premiumhotel.", "Letters, digits, - and _, e.g. premiumhotel.";
    adm_product_team: "Zespół domyślny", "Default team";
    adm_product_team_hint: "Zespół, który domyślnie obsługuje zgłoszenia dotyczące produktu.", "The team that handles the product's tickets by default.";
    adm_installation_new: "Nowa instalacja", "New installation";
    adm_installation_edit: "Instalacja: {name}", "Installation: {name}";
    adm_installation_name_hint: "Np. serwer recepcji albo stanowisko w spa.", "E.g. the front-desk server or the spa workstation.";
    adm_version: "Wersja", "Version";
    adm_calendar_new: "Nowy kalendarz", "New calendar";
    adm_calendar_title: "Kalendarz: {name}", "Calendar: {name}";
    adm_calendar_name_hint: "Litery, cyfry, spacje, -, _ i kropka.", "Letters, digits, spaces, -, _ and full stops.";
    adm_builtin: "wbudowany", "built-in";
    adm_builtin_note: "Kalendarze wbudowane są zdefiniowane przez deskbell i nie można ich zmieniać. Aby zmienić godziny, utwórz własny kalendarz.", "Built-in calendars are defined by deskbell and cannot be changed. To change the hours, create a calendar of your own.";
    adm_versions: "Wersje", "Versions";
    adm_version_n: "Wersja {id}", "Version {id}";
    adm_in_force: "obowiązuje", "in force";
    adm_scheduled: "zaplanowana", "scheduled";
    adm_superseded: "zastąpiona", "superseded";
    adm_effective_from: "Obowiązuje od", "In force from";
    adm_effective_from_hint: "Data i godzina w strefie czasowej kalendarza; puste pole: od teraz. Nigdy w przeszłości.", "Date and time in the calendar's time zone; empty: from now. Never in the past.";
    adm_bad_datetime: "„{value}” nie jest datą i godziną w strefie {zone} (RRRR-MM-DDTGG:MM).", "“{value}” is not a date and time in {zone} (YYYY-MM-DDTHH:MM).";
    adm_spec: "Godziny obsługi", "Hours of service";
    adm_always_open: "Całą dobę, przez cały rok (24/7/365)", "Around the clock, all year (24/7/365)";
    adm_always_open_hint: "Wtedy bez przedziałów, świąt i dni zamkniętych.", "Then without intervals, holidays or closed dates.";
    adm_holidays: "Święta", "Holidays";
    adm_holidays_pl: "Polskie święta ustawowe zamykają kalendarz", "Polish public holidays close the calendar";
    adm_holidays_on: "polskie święta ustawowe", "Polish public holidays";
    adm_holidays_off: "bez świąt", "no holidays";
    adm_intervals: "Przedziały tygodniowe", "Weekly intervals";
    adm_intervals_hint: "Jeden przedział w wierszu: dni i godziny, np. „mon-fri 08:00-20:00” albo „sat,sun 10:00-14:00”. Dni: mon tue wed thu fri sat sun. Koniec o tej samej lub wcześniejszej godzinie niż początek oznacza następny dzień (zmiana nocna).", "One interval per line: days and hours, e.g. “mon-fri 08:00-20:00” or “sat,sun 10:00-14:00”. Days: mon tue wed thu fri sat sun. An end at or before the start means the next day (a night shift).";
    adm_bad_interval: "Wiersz {line}: „{text}” — oczekiwano dni i godzin, np. „mon-fri 08:00-20:00”.", "Line {line}: “{text}” — expected days and hours, e.g. “mon-fri 08:00-20:00”.";
    adm_closed_dates: "Dni zamknięte", "Closed dates";
    adm_closed_dates_hint: "Jedna data w wierszu (RRRR-MM-DD), np. dzień inwentaryzacji.", "One date per line (YYYY-MM-DD), e.g. a stock-taking day.";
    adm_bad_date: "„{value}” nie jest datą RRRR-MM-DD.", "“{value}” is not a date YYYY-MM-DD.";
    adm_always: "cała doba", "around the clock";
    adm_add_version: "Dodaj wersję", "Add a version";
    adm_add_version_intro: "Zmiana kalendarza to nowa wersja: czas już policzony się nie zmienia, a otwarte zegary liczą według nowej wersji od chwili jej wejścia w życie.", "A change to a calendar is a new version: time already counted never changes, and open clocks count by the new version from the moment it takes effect.";
    adm_contract_new: "Nowa umowa", "New contract";
    adm_contract_edit: "Umowa: {name}", "Contract: {name}";
    adm_contract_edit_note: "Otwarte zgłoszenia zachowują cele, z którymi się zaczęły; nowe dostają nowe warunki.", "Open tickets keep the targets they started with; new tickets get the new terms.";
    adm_valid_from: "Obowiązuje od", "Valid from";
    adm_valid_to: "Obowiązuje do (włącznie)", "Valid to (inclusive)";
    adm_valid_to_hint: "Puste pole: bezterminowo.", "Empty: open-ended.";
    adm_validity: "Okres", "Validity";
    adm_open_ended: "bezterminowo", "open-ended";
    adm_products_covered: "Objęte produkty", "Products covered";
    adm_calendar: "Kalendarz", "Calendar";
    adm_contract_calendar_hint: "Godziny, w których liczy się czas SLA, gdy priorytet nie ma własnego kalendarza.", "The hours in which SLA time counts, unless a priority has a calendar of its own.";
    adm_warning_percent: "Ostrzeżenie przy (% celu)", "Warning at (% of the target)";
    adm_monthly_fee: "Opłata miesięczna (zł)", "Monthly fee (PLN)";
    adm_fee: "{amount} zł", "PLN {amount}";
    adm_penalty_terms: "Kary umowne", "Penalty terms";
    adm_penalty_basis: "Godziny przekroczenia liczone jako", "Overrun hours counted as";
    adm_basis_business: "godziny kalendarza (robocze)", "calendar (business) hours";
    adm_basis_clock: "godziny zegarowe", "clock hours";
    adm_penalty_cap: "Limit kar w miesiącu (zł)", "Penalty cap per month (PLN)";
    adm_penalty_cap_hint: "Puste pole: bez limitu.", "Empty: no cap.";
    adm_targets: "Cele według priorytetu", "Targets per priority";
    adm_targets_hint: "Czas liczony w kalendarzu, w minutach; puste pole: bez zegara. Wiersz bez żadnej wartości pomija priorytet.", "Counted time on the calendar, in minutes; empty: no clock. A row left entirely empty leaves the priority out.";
    adm_priority: "Priorytet", "Priority";
    adm_first_response_min: "Pierwsza odpowiedź (min)", "First response (min)";
    adm_resolution_min: "Rozwiązanie (min)", "Resolution (min)";
    adm_contract_calendar: "kalendarz umowy", "the contract's calendar";
    adm_penalty: "Kara za każdą rozpoczętą godzinę", "Penalty per started hour";
    adm_penalty_amount: "kwota (zł)", "amount (PLN)";
    adm_penalty_share: "% opłaty miesięcznej", "% of the monthly fee";
    adm_penalty_value: "Wartość kary", "Penalty value";
    adm_penalty_value_missing: "Podaj wartość kary albo wybierz „brak”.", "Enter the penalty's value or choose “none”.";
    adm_mailbox_new: "Nowa skrzynka", "New mailbox";
    adm_mailbox_edit: "Skrzynka: {name}", "Mailbox: {name}";
    adm_mailbox: "Skrzynka", "Mailbox";
    adm_address: "Adres zgłoszeń", "Support address";
    adm_address_hint: "Nadawca i adres odpowiedzi wysyłanej poczty.", "The sender and reply-to address of outgoing mail.";
    adm_display_name: "Nazwa nadawcy", "Sender name";
    adm_imap: "Odbiór poczty (IMAP)", "Incoming mail (IMAP)";
    adm_smtp: "Wysyłka poczty (SMTP)", "Outgoing mail (SMTP)";
    adm_endpoint_hint: "Puste pole serwera: bez tego połączenia.", "Leave the server empty for no such connection.";
    adm_host: "Serwer", "Server";
    adm_port: "Port", "Port";
    adm_security: "Szyfrowanie", "Security";
    adm_security_tls: "TLS", "TLS";
    adm_security_starttls: "STARTTLS", "STARTTLS";
    adm_security_plain: "bez szyfrowania (tylko serwer na tym komputerze)", "none (only a server on this machine)";
    adm_user: "Użytkownik", "User name";
    adm_password_stored_hint: "Hasło jest zapisane i nie jest pokazywane; puste pole je zachowuje.", "A password is stored and never shown; leave empty to keep it.";
    adm_password_none_hint: "Nie zapisano hasła.", "No password is stored.";
    adm_folder: "Folder", "Folder";
    adm_poll_secs: "Sprawdzaj co (s)", "Poll every (s)";
    adm_poll_secs_hint: "Gdy serwer nie obsługuje IDLE; od 5 do 3600 sekund.", "When the server has no IDLE; 5 to 3600 seconds.";
    adm_unknown_senders: "Nieznani nadawcy", "Unknown senders";
    adm_unknown_customer: "do organizacji z domeną nadawcy (jeśli jest)", "to the organisation of the sender's domain (if any)";
    adm_unknown_queue: "zawsze do kolejki nieznanych nadawców", "always to the queue of unknown senders";
    adm_max_message: "Największa wiadomość (MB)", "Largest message (MB)";
    adm_max_message_hint: "Większe trafiają do kwarantanny.", "Larger ones are quarantined.";
    adm_last_poll: "Ostatnie sprawdzenie", "Last poll";
    adm_never: "nigdy", "never";
    adm_off: "wyłączone", "off";
    adm_quarantine_open: "Kwarantanna: {n}", "Quarantine: {n}";
    adm_org_links: "Tej organizacji:", "Of this organisation:";
    adm_quarantine_intro: "Wiadomości, których nie udało się zapisać. Usuń przyczynę (np. dodaj nadawcę jako osobę) i ponów, albo odrzuć — odrzucona zostaje w archiwum.", "Messages that could not be stored. Fix the cause (e.g. add the sender as a person) and retry, or dismiss — a dismissed one stays on record.";
    adm_quarantine_empty: "Kwarantanna jest pusta.", "The quarantine is empty.";
    adm_show_resolved: "Pokaż także rozpatrzone", "Show resolved ones too";
    adm_show_open: "Pokaż tylko oczekujące", "Show waiting ones only";
    adm_received: "Otrzymano", "Received";
    adm_reason: "Przyczyna", "Reason";
    adm_source: "Źródło", "Source";
    adm_attempts: "Próby", "Attempts";
    adm_size: "Rozmiar", "Size";
    adm_headers: "Nagłówki", "Headers";
    adm_retry: "Ponów", "Retry";
    adm_dismiss: "Odrzuć", "Dismiss";
    adm_resolved: "rozpatrzona {at}: {how}", "resolved {at}: {how}";
    adm_retried_ticket: "Utworzono zgłoszenie #{n}.", "Ticket #{n} was created.";
    adm_retried_reply: "Dodano do zgłoszenia #{n}.", "Added to ticket #{n}.";
    adm_retried_other: "Wiadomość przetworzona: {outcome}.", "Message processed: {outcome}.";
    adm_retried_again: "Nadal w kwarantannie: {reason}", "Still quarantined: {reason}";
    adm_dismissed: "Wiadomość odrzucona.", "Message dismissed.";
    adm_outcome_automatic: "automatyczna wiadomość, pominięta", "an automatic message, left aside";
    adm_outcome_bounce: "zwrot niedoręczonej poczty", "a bounce of undelivered mail";
    adm_outcome_duplicate: "duplikat już zapisanej wiadomości", "a duplicate of a message already stored";
    // ---- automation: rules, canned responses, routing and scope settings
    adm_rules: "Reguły", "Rules";
    adm_rule_new: "Nowa reguła", "New rule";
    adm_rule_edit: "Reguła: {name}", "Rule: {name}";
    adm_rule_position: "Kolejność", "Order";
    adm_rule_position_hint: "Reguły działają od najniższej liczby; puste: na końcu.", "Rules run from the lowest number; empty: last.";
    adm_rule_active: "Włączona", "Active";
    adm_rule_on: "Kiedy", "When";
    adm_rule_fired: "Zadziałała", "Fired";
    adm_rule_definition: "Definicja (JSON)", "Definition (JSON)";
    adm_rule_definition_hint: "on: created, updated, customer_replied. Warunki (wszystkie muszą być spełnione): channel, kind, priority, status, organisation, product (in: […]), text (contains: […]), sender (matches: […]), business_hours (inside: true/false), tag (any: […]). Akcje po kolei: set_priority, set_kind, set_status, set_product, set_team, assign, unassign, add_tag, remove_tag, send_template, add_note, notify (to: assignee, team, account_team, on_call), notify_person. stop: true kończy przebieg.", "on: created, updated, customer_replied. Conditions (all must hold): channel, kind, priority, status, organisation, product (in: […]), text (contains: […]), sender (matches: […]), business_hours (inside: true/false), tag (any: […]). Actions in order: set_priority, set_kind, set_status, set_product, set_team, assign, unassign, add_tag, remove_tag, send_template, add_note, notify (to: assignee, team, account_team, on_call), notify_person. stop: true ends the pass.";
    adm_rule_loops: "Reguła nie uruchamia innych reguł: zmiany reguł widzą tylko kolejne reguły tego samego przebiegu, więc żaden łańcuch nie trwa w nieskończoność.", "A rule never sets off other rules: what rules change is seen only by the later rules of the same pass, so no chain can go on for ever.";
    adm_rule_delete: "Usuń regułę", "Delete the rule";
    adm_rule_err_json: "To nie jest poprawna reguła: {error}", "This is not a valid rule: {error}";
    adm_responses: "Gotowe odpowiedzi", "Canned responses";
    adm_response_new: "Nowa gotowa odpowiedź", "New canned response";
    adm_response_edit: "Gotowa odpowiedź: {name}", "Canned response: {name}";
    adm_response_title: "Tytuł", "Title";
    adm_response_pl: "Treść po polsku", "Text in Polish";
    adm_response_en: "Treść po angielsku", "Text in English";
    adm_response_hint: "Wstawki: {{person}}, {{ticket}}, {{organisation}}, {{product}}, {{agent}}, {{help_centre}}.", "Placeholders: {{person}}, {{ticket}}, {{organisation}}, {{product}}, {{agent}}, {{help_centre}}.";
    adm_response_en_hint: "Puste: klienci anglojęzyczni dostaną tekst polski.", "Empty: English speakers get the Polish text.";
    adm_response_key: "Używana przez reguły zakresu", "Used by the scope rules";
    adm_automation: "Przydział i zakres", "Routing and scope";
    adm_routing: "Przydział nowych zgłoszeń", "Routing of new tickets";
    adm_routing_intro: "Nowe zgłoszenie trafia do opiekunów organizacji, a gdy żaden nie jest dostępny — do zespołu produktu; w zespole po kolei.", "A new ticket goes to the organisation's account team, else to the product's team; within it in turn.";
    adm_routing_enabled: "Przydzielaj nowe zgłoszenia", "Route new tickets";
    adm_routing_round_robin: "Przypisuj osobę po kolei (inaczej tylko zespół)", "Assign a person in turn (otherwise only the team)";
    adm_routing_hours: "Pomijaj osoby poza godzinami pracy (dyżur się liczy)", "Skip people outside their working hours (on call counts)";
    adm_routing_absences: "Pomijaj nieobecnych", "Skip people who are away";
    adm_routing_critical: "Awaria powiadamia cały zespół od razu", "A critical ticket notifies the whole team at once";
    adm_scope: "Reguły zakresu wsparcia", "Scope rules";
    adm_scope_out: "Sprawy poza zakresem (sprzęt, system operacyjny, uprawnienia, sieć lokalna) dostają odpowiedź „lokalne IT” i kończą się jako przekierowane", "Out-of-scope requests (hardware, operating system, permissions, local network) get the \"local IT\" answer and end redirected";
    adm_scope_phrases: "Frazy spraw poza zakresem", "Out-of-scope phrases";
    adm_scope_phrases_hint: "Jedna fraza w wierszu; każde słowo pasuje do początku słowa (np. „instalac drukark”). Puste: lista wbudowana.", "One phrase per line; each word matches the beginning of a word (e.g. \"install printer\"). Empty: the built-in list.";
    adm_scope_written: "Propozycja rozwoju przyjęta telefonicznie czeka na potwierdzenie na piśmie", "A development proposal taken by phone waits for the written request";
    adm_scope_training: "Prośba o szkolenie dostaje katalog szkoleń", "A training request is answered with the training catalogue";
    // ---- automation on the agent's ticket page
    disposition_redirected: "przekierowane do lokalnego IT", "redirected to local IT";
    disposition_awaiting_written_confirmation: "czeka na potwierdzenie na piśmie", "awaiting written confirmation";
    disposition_training_catalogue: "odpowiedziano katalogiem szkoleń", "answered with the training catalogue";
    agent_canned: "Wstaw gotową odpowiedź", "Insert a canned response";
    agent_canned_choose: "— wybierz —", "— choose —";
    agent_canned_insert: "Wstaw", "Insert";
    agent_redirect: "Przekieruj do lokalnego IT", "Redirect to local IT";
    agent_redirect_hint: "Wysyła odpowiedź „lokalne IT” i oznacza zgłoszenie jako rozwiązane poza zakresem (poza rozliczeniem SLA).", "Sends the \"local IT\" answer and resolves the ticket as out of scope (left out of SLA compliance).";
    agent_redirected: "Przekierowano do lokalnego IT.", "Redirected to local IT.";
    field_disposition: "Zakończenie", "Outcome";
    ev_rule_fired: "zadziałała reguła „{name}”", "rule \"{name}\" fired";
    ev_rule_action_skipped: "pominięto akcję reguły {action}: {why}", "a rule's action {action} was skipped: {why}";
    ev_routing_unassigned: "nie przydzielono nikogo", "left unassigned";
    // ---- the tracking page: a development proposal in writing
    track_written_title: "Opisz propozycję na piśmie", "Describe your proposal in writing";
    track_written_intro: "Propozycje rozwoju przyjmujemy na piśmie. Opisz, co ma działać inaczej i dlaczego — zajmiemy się nią od chwili otrzymania opisu.", "We accept development proposals in writing. Describe what should work differently and why — we take it up as soon as the description arrives.";
    track_written_body: "Opis propozycji", "Your proposal";
    track_written_submit: "Wyślij propozycję", "Send the proposal";
    track_written_sent: "Dziękujemy — propozycja dotarła.", "Thank you — your proposal has arrived.";
    // ---- help centre
    help_list_title: "Moje zgłoszenia", "My tickets";
    help_list_all_title: "Zgłoszenia organizacji", "The organisation's tickets";
    help_list_switch: "Pokaż zgłoszenia", "Show tickets";
    help_list_mine: "Moje", "Mine";
    help_list_all: "Wszystkie w organizacji", "All of the organisation";
    help_list_empty: "Nie ma jeszcze żadnych zgłoszeń.", "There are no tickets yet.";
    help_list_no_more: "Nie ma więcej zgłoszeń.", "There are no more tickets.";
    help_list_first_page: "Wróć na początek listy", "Back to the start of the list";
    help_new_button: "Zgłoś problem", "Report a problem";
    help_col_number: "Numer", "Number";
    help_col_subject: "Temat", "Subject";
    help_col_status: "Status", "Status";
    help_col_priority: "Priorytet", "Priority";
    help_col_requester: "Zgłaszający", "Requester";
    help_col_created: "Zgłoszone", "Reported";
    help_col_updated: "Ostatnia zmiana", "Last change";
    help_organisation: "Obiekt", "Property";
    help_new_title: "Nowe zgłoszenie", "New ticket";
    help_new_intro: "Opisz, co się dzieje. Odpowiemy w tym serwisie i e-mailem.", "Tell us what is happening. We answer here and by e-mail.";
    help_new_submit: "Wyślij zgłoszenie", "Send the ticket";
    help_field_subject: "Temat", "Subject";
    help_field_subject_hint: "jednym zdaniem, np. „Nie drukują się paragony na recepcji”", "in one sentence, e.g. \"Receipts do not print at the reception\"";
    help_field_product: "Program", "Software";
    help_field_product_choose: "— wybierz —", "— choose —";
    help_field_kind: "Rodzaj sprawy", "Kind of request";
    help_field_priority: "Jak pilne to jest?", "How urgent is it?";
    help_field_priority_hint: "Wybierz, co najlepiej opisuje sytuację. Konsultant potwierdzi priorytet albo go zmieni.", "Choose what describes the situation best. A specialist confirms or changes the priority.";
    help_field_body: "Opis", "Description";
    help_field_body_hint: "co się stało, od kiedy, na którym stanowisku, jaki komunikat się pojawia", "what happened, since when, at which workstation, which message appears";
    help_field_attachments: "Załączniki", "Attachments";
    help_attachments_hint: "zrzuty ekranu, dokumenty; każdy plik do {limit}", "screenshots, documents; each file up to {limit}";
    help_files_again: "Pliki nie zostały jeszcze wysłane — wybierz je ponownie.", "The files have not been sent yet — please choose them again.";
    help_kind_incident_hint: "coś nie działa tak, jak powinno", "something does not work as it should";
    help_kind_question_hint: "jak coś zrobić w programie", "how to do something in the software";
    help_kind_service_request_hint: "prośba o wykonanie czynności, np. zmiany konfiguracji", "a request to do something, e.g. change a configuration";
    help_kind_development_request_hint: "pomysł na nową funkcję lub zmianę w programie", "an idea for a new function or a change to the software";
    help_kind_training_request_hint: "szkolenie dla personelu — odpowiemy ofertą szkoleń i materiałów", "training for staff — we answer with our trainings and materials";
    help_priority_critical_hint: "Praca stoi: nie można wystawiać rachunków, faktur ani paragonów, przyjmować rezerwacji, sprzedawać biletów, karnetów i voucherów ani meldować gości.", "Core work has stopped: you cannot issue bills, invoices or receipts, take bookings, sell tickets, passes or vouchers, or check guests in.";
    help_priority_fault_hint: "Niektóre funkcje działają nieprawidłowo i utrudniają pracę, ale podstawowe czynności (rachunki, rezerwacje, sprzedaż, meldunek) są możliwe.", "Some functions misbehave and get in the way, but core work (bills, bookings, sales, check-in) is still possible.";
    help_priority_standard_hint: "Drobny problem, który nie przeszkadza istotnie w pracy, np. spowolnienie albo niewielki błąd wyglądu.", "A minor problem that does not really get in the way, e.g. slowness or a small visual glitch.";
    help_priority_development_request_hint: "Propozycja nowej funkcji. Termin realizacji uzgodnimy z Tobą.", "A proposal for a new function. We agree a date with you.";
    help_checks_title: "Najpierw sprawdź z lokalnym IT", "First check with your local IT";
    help_checks_intro: "Najczęstsze przyczyny nagłych problemów to zmiany w sprzęcie lub sieci hotelu, wirusy i awarie sprzętu. Odpowiedz na trzy pytania — pomogą nam szybciej znaleźć przyczynę.", "The most common causes of sudden problems are changes to the hotel's hardware or network, viruses and hardware failures. Answer three questions — they help us find the cause sooner.";
    help_check_other_systems: "Czy inne programy i urządzenia w hotelu działają prawidłowo?", "Do other applications and devices in the hotel work properly?";
    help_check_recent_changes: "Czy ostatnio była aktualizacja, zmiana konfiguracji albo podłączenie nowego urządzenia?", "Was there a recent update, configuration change or a new device connected?";
    help_check_network: "Czy internet, sieć i serwery działają poprawnie?", "Do the internet connection, the network and the servers work properly?";
    help_checks_notes: "Uwagi do odpowiedzi", "Notes on the answers";
    help_checks_notes_hint: "opcjonalnie, np. co sprawdził administrator", "optional, e.g. what the administrator checked";
    help_err_subject: "Wpisz temat zgłoszenia.", "Enter the subject of the ticket.";
    help_err_body: "Opisz problem.", "Describe the problem.";
    help_err_reply: "Wpisz treść odpowiedzi.", "Enter your answer.";
    help_err_too_long: "Tekst jest za długi (najwyżej {max} znaków).", "The text is too long (at most {max} characters).";
    help_err_product: "Wybierz program, którego dotyczy zgłoszenie.", "Choose the software the ticket is about.";
    help_err_kind: "Wybierz rodzaj sprawy z listy.", "Choose a kind of request from the list.";
    help_err_priority: "Wybierz, jak pilna jest sprawa.", "Choose how urgent it is.";
    help_err_check: "Przy awarii i usterce odpowiedz na to pytanie (tak lub nie).", "For a critical problem or a fault, answer this question (yes or no).";
    help_err_filename: "Załącznik musi mieć zwykłą nazwę pliku (bez folderów).", "An attachment needs a plain file name (no folders).";
    help_err_upload_broken: "Nie udało się odebrać plików. Wyślij mniej naraz (każdy do {limit}).", "The files could not be received. Send fewer at once (each up to {limit}).";
    help_err_in_progress: "To zgłoszenie jest już wysyłane. Poczekaj chwilę i sprawdź listę swoich zgłoszeń.", "This ticket is already being submitted. Wait a moment and check your tickets.";
    help_err_reopen_window: "Rozwiązanie można odrzucić w ciągu {days} dni. Ten termin minął — załóż nowe zgłoszenie.", "A solution can be reopened within {days} days. That time has passed — please open a new ticket.";
    help_err_ticket_closed: "To zgłoszenie jest zamknięte. Załóż nowe zgłoszenie.", "This ticket is closed. Please open a new ticket.";
    help_err_transition: "Tego nie można teraz zrobić: stan zgłoszenia właśnie się zmienił. Odśwież stronę.", "This cannot be done now: the ticket's state has just changed. Reload the page.";
    help_done_created: "Zgłoszenie zostało przyjęte. Nasza odpowiedź pojawi się tutaj.", "Your ticket has been received. Our answer will appear here.";
    help_done_replied: "Odpowiedź została dodana.", "Your answer has been added.";
    help_done_closed: "Dziękujemy za potwierdzenie. Zgłoszenie jest zamknięte.", "Thank you for confirming. The ticket is closed.";
    help_done_reopened: "Zgłoszenie zostało ponownie otwarte. Wrócimy do niego jak najszybciej.", "The ticket has been reopened. We will get back to it as soon as possible.";
    help_back_to_list: "← Moje zgłoszenia", "← My tickets";
    help_track_label: "Podgląd zgłoszenia", "Ticket status";
    help_track_hint: "Aby coś dopisać, odpowiedz na naszą wiadomość e-mail albo zaloguj się.", "To add something, reply to our e-mail or log in.";
    help_track_resolved_hint: "Jeśli wszystko działa, nic nie musisz robić — zgłoszenie zamknie się samo. Jeśli problem nie ustąpił, odpowiedz na naszą wiadomość e-mail albo zaloguj się, a zgłoszenie zostanie ponownie otwarte.", "If everything works, there is nothing to do — the ticket closes by itself. If the problem persists, reply to our e-mail or log in, and the ticket is reopened.";
    help_state_new: "Zgłoszenie czeka na konsultanta. Odpowiemy najszybciej, jak to możliwe.", "The ticket is waiting for a specialist. We will answer as soon as possible.";
    help_state_open: "Pracujemy nad zgłoszeniem.", "We are working on the ticket.";
    help_state_waiting: "Czekamy na Twoją odpowiedź — bez niej nie możemy kontynuować.", "We are waiting for your answer — we cannot continue without it.";
    help_state_resolved: "Uznaliśmy zgłoszenie za rozwiązane. Potwierdź, że wszystko działa, albo otwórz je ponownie.", "We consider the ticket resolved. Confirm that everything works, or reopen it.";
    help_state_closed: "Zgłoszenie jest zamknięte.", "The ticket is closed.";
    help_reopen_until: "Ponowne otwarcie jest możliwe do {date}.", "It can be reopened until {date}.";
    help_resolution_title: "Czy problem został rozwiązany?", "Is the problem solved?";
    help_confirm_hint: "Jeśli wszystko działa, potwierdź — zgłoszenie zostanie zamknięte.", "If everything works, confirm — the ticket is closed.";
    help_confirm: "Potwierdzam rozwiązanie", "Confirm the solution";
    help_reopen: "Problem nadal występuje — otwórz ponownie", "The problem persists — reopen";
    help_reopen_comment: "Co nadal nie działa?", "What still does not work?";
    help_reopen_comment_hint: "opcjonalnie; pomoże konsultantowi", "optional; it helps the specialist";
    help_reopen_passed: "Termin ponownego otwarcia minął. Jeśli problem wrócił, załóż nowe zgłoszenie.", "The time to reopen has passed. If the problem is back, please open a new ticket.";
    help_thread_title: "Przebieg", "Conversation";
    help_author_support: "wsparcie", "support";
    help_author_system: "deskbell", "deskbell";
    help_quoted: "Cytowana wcześniejsza korespondencja", "Quoted earlier messages";
    help_closed_hint: "Zgłoszenie jest zamknięte i nie można już na nie odpowiadać.", "The ticket is closed and can no longer be answered.";
    help_reply_title: "Odpowiedz", "Reply";
    help_reply_label: "Twoja odpowiedź", "Your answer";
    help_reply_submit: "Wyślij odpowiedź", "Send the answer";
    help_reply_reopens: "Odpowiedź otworzy zgłoszenie ponownie.", "Answering reopens the ticket.";
    help_facts_title: "Szczegóły", "Details";
    help_proposed: "zaproponowano: {priority}", "proposed: {priority}";
    help_users_title: "Użytkownicy", "Users";
    help_users_intro: "Osoby z Twojej organizacji, które mogą zgłaszać problemy.", "The people of your organisation who may report problems.";
    help_users_name: "Imię i nazwisko", "Name";
    help_users_email: "Adres e-mail", "E-mail address";
    help_users_role: "Rola", "Role";
    help_users_language: "Język wiadomości", "Language of messages";
    help_users_state: "Stan", "State";
    help_users_actions: "Czynności", "Actions";
    help_users_you: "to Ty", "you";
    help_users_active: "aktywny", "active";
    help_users_inactive: "nieaktywny", "deactivated";
    help_users_pending: "zaproszony", "invited";
    help_users_deactivate: "Dezaktywuj", "Deactivate";
    help_users_reactivate: "Przywróć", "Reactivate";
    help_users_deactivate_label: "Dezaktywuj: {name}", "Deactivate {name}";
    help_users_reactivate_label: "Przywróć: {name}", "Reactivate {name}";
    help_users_invite_again: "Wyślij zaproszenie ponownie", "Send the invitation again";
    help_users_invite_title: "Zaproś współpracownika", "Invite a colleague";
    help_users_invite_intro: "Zaproszenie przyjdzie e-mailem; link jest ważny 7 dni i pozwala ustawić hasło.", "The invitation comes by e-mail; its link is valid for 7 days and lets them choose a password.";
    help_users_invite_submit: "Wyślij zaproszenie", "Send the invitation";
    help_users_role_hint: "Administrator widzi wszystkie zgłoszenia organizacji i zarządza użytkownikami.", "An administrator sees every ticket of the organisation and manages its users.";
    help_users_link: "Nie udało się wysłać e-maila. Przekaż ten link osobiście:", "No e-mail could be sent. Pass on this link yourself:";
    help_users_done_invited: "Wysłaliśmy zaproszenie do: {name}.", "An invitation has been sent to {name}.";
    help_users_done_not_mailed: "Konto dla: {name} zostało utworzone.", "The account of {name} has been created.";
    help_users_done_deactivated: "{name} nie może się już logować.", "{name} can no longer log in.";
    help_users_done_reactivated: "{name} znów może się logować.", "{name} can log in again.";
    help_users_err_name: "Wpisz imię i nazwisko.", "Enter the name.";
    help_users_err_email: "Wpisz poprawny adres e-mail.", "Enter a valid e-mail address.";
    help_users_err_language: "Wybierz język z listy.", "Choose a language from the list.";
    help_users_err_role: "Wybierz rolę z listy.", "Choose a role from the list.";
    help_users_err_organisation: "Wybierz obiekt z listy.", "Choose a property from the list.";
    help_users_err_exists_here: "Ta osoba ma już konto — jest na liście powyżej.", "This person already has an account — see the list above.";
    help_users_err_exists: "Nie można zaprosić tego adresu. Skontaktuj się z naszym wsparciem.", "This address cannot be invited. Please contact our support.";
    help_users_err_self: "Nie możesz dezaktywować własnego konta.", "You cannot deactivate your own account.";
    help_users_err_not_pending: "Ta osoba już ustawiła hasło.", "This person has already chosen a password.";
    help_invite_title: "Ustaw hasło", "Choose a password";
    help_invite_welcome: "Witaj, {name}! Zaproszono Cię do serwisu zgłoszeń ({organisation}). Ustaw hasło, aby się zalogować.", "Welcome, {name}! You have been invited to the service desk ({organisation}). Choose a password to log in.";
    help_invite_password: "Hasło", "Password";
    help_invite_password_hint: "co najmniej 4 znaki; najlepiej kilka słów", "at least 4 characters; a few words are best";
    help_invite_password2: "Powtórz hasło", "Repeat the password";
    help_invite_submit: "Ustaw hasło i zaloguj", "Choose the password and log in";
    help_invite_invalid: "Ten link z zaproszeniem jest nieważny, wygasł albo został już użyty. Poproś administratora o nowe zaproszenie.", "This invitation link is not valid, has expired or has already been used. Ask your administrator for a new invitation.";
    help_invite_err_password: "Hasło musi mieć od 4 do 1024 znaków.", "A password has 4 to 1024 characters.";
    help_invite_err_mismatch: "Hasła się różnią.", "The passwords differ.";
    // ------------------------------------------------------------ merged and linked tickets, major incidents
    rel_title: "Powiązania", "Related tickets";
    rel_merged_from: "Dołączone zgłoszenia", "Merged into this ticket";
    rel_parent: "Zgłoszenie nadrzędne (awaria główna)", "Parent ticket (major incident)";
    rel_links: "Powiązane zgłoszenia", "Linked tickets";
    rel_links_none: "Brak powiązanych zgłoszeń.", "No linked tickets.";
    rel_link_to: "Powiąż ze zgłoszeniem nr", "Link to ticket no.";
    rel_link_submit: "Powiąż", "Link";
    rel_link_remove: "Usuń powiązanie", "Remove link";
    rel_merge_title: "Połącz z innym zgłoszeniem", "Merge into…";
    rel_merge_into: "Numer zgłoszenia, które zostaje", "Number of the ticket that goes on";
    rel_merge_reason: "Powód (opcjonalnie)", "Reason (optional)";
    rel_merge_hint: "To zgłoszenie zostanie zamknięte, a jego wiadomości, pliki i historia przejdą do wskazanego zgłoszenia tej samej organizacji. Zgłaszający dostaną wiadomość.", "This ticket is closed; its messages, files and history move to the ticket you name, of the same organisation. The requesters are told by mail.";
    rel_merge_submit: "Połącz", "Merge";
    rel_merge_confirm: "Połączyć to zgłoszenie z podanym? Tego nie można cofnąć.", "Merge this ticket into the one named? This cannot be undone.";
    rel_broadcast_confirm: "Wysłać tę odpowiedź do wszystkich zgłaszających?", "Send this reply to every requester?";
    rel_children_title: "Zgłoszenia organizacji objętych awarią", "Linked organisations' tickets";
    rel_broadcast_title: "Aktualizacja dla wszystkich zgłaszających", "An update to every requester";
    rel_broadcast_body: "Treść (publiczna odpowiedź w każdym otwartym zgłoszeniu)", "Text (a public reply on every open ticket)";
    rel_broadcast_resolve: "Oznacz wszystkie jako rozwiązane", "Resolve them all";
    rel_broadcast_submit: "Wyślij", "Send";
    rel_err_number: "Wpisz numer zgłoszenia.", "Enter a ticket number.";
    rel_err_cycle: "Zgłoszenie nie może podlegać własnemu zgłoszeniu podrzędnemu.", "A ticket cannot hang under one of its own children.";
    rel_parent_to: "Część awarii głównej nr", "Part of major incident no.";
    rel_parent_submit: "Dołącz", "Attach";
    rel_parent_clear: "Odłącz od awarii głównej", "Detach from the major incident";
    rel_err_across: "Zgłoszeń różnych organizacji nie można połączyć. Powiąż je zamiast tego.", "Tickets of different organisations cannot be merged. Link them instead.";
    rel_err_no_children: "To zgłoszenie nie ma otwartych zgłoszeń podrzędnych.", "This ticket has no open child tickets.";
    ev_merged: "dołączono zgłoszenie nr {n}", "ticket #{n} merged into this one";
    ev_merged_into: "połączono ze zgłoszeniem nr {n}", "merged into #{n}";
    ev_linked: "powiązano ze zgłoszeniem nr {n}", "linked to #{n}";
    ev_unlinked: "usunięto powiązanie ze zgłoszeniem nr {n}", "link to #{n} removed";
    ev_broadcast: "wysłano aktualizację do zgłoszeń: {n}", "update sent to {n} tickets";
    // ------------------------------------------------------------ knowledge base, trainings, release notes (issue 6)
    training_when: "Termin: {when} ({zone}), czas trwania {length}", "When: {when} ({zone}), length {length}";
    training_link: "Link do spotkania: {url}", "Meeting link: {url}";
    nav_kb: "Baza wiedzy", "Knowledge base";
    nav_trainings: "Szkolenia", "Trainings";
    nav_releases: "Nowości", "What's new";
    kb_title: "Baza wiedzy", "Knowledge base";
    kb_search_label: "Czego szukasz?", "What are you looking for?";
    kb_search_placeholder: "np. faktura zaliczkowa", "e.g. advance invoice";
    kb_category: "Kategoria", "Category";
    kb_categories: "Kategorie", "Categories";
    kb_product: "Produkt", "Product";
    kb_results: "Wyniki", "Results";
    kb_popular: "Artykuły", "Articles";
    kb_no_results: "Nie znaleźliśmy artykułu. Spróbuj innych słów albo zgłoś problem.", "No article found. Try other words or report the problem.";
    kb_updated: "zaktualizowano", "updated";
    kb_files: "Załączniki", "Attachments";
    kb_other_language: "Ten artykuł nie ma jeszcze wersji w Twoim języku; pokazujemy wersję, która jest.", "This article has no version in your language yet; here is the one it has.";
    kb_helpful_question: "Czy ten artykuł był pomocny?", "Was this article helpful?";
    kb_helpful_thanks: "Dziękujemy za opinię.", "Thank you for your feedback.";
    kb_helpful_counts: "Pomocny / niepomocny", "Helpful / not helpful";
    kb_still_need_help: "Nadal potrzebujesz pomocy? Zgłoś problem.", "Still need help? Report the problem.";
    kb_deflected: "Cieszymy się, że problem jest rozwiązany. Nie utworzyliśmy zgłoszenia.", "We are glad the problem is solved. No ticket was opened.";
    kb_suggestions_title: "Te artykuły mogą pomóc:", "These articles may help:";
    kb_suggestions_hint: "Jeśli któryś rozwiązuje problem, nie trzeba wysyłać zgłoszenia.", "If one of them solves the problem, there is no need to send a ticket.";
    kb_solved: "To rozwiązało mój problem", "This solved my problem";
    kb_visibility_public: "publiczny", "public";
    kb_visibility_customers: "dla klientów", "customers only";
    kb_visibility_internal: "wewnętrzny", "internal";
    training_title: "Szkolenia i webinary", "Trainings and webinars";
    training_intro: "Szkolenia online z naszych programów. Zapisz się, a link do spotkania dostaniesz w potwierdzeniu.", "Online trainings on our software. Register and the meeting link comes with your confirmation.";
    training_upcoming: "Najbliższe terminy", "Upcoming";
    training_past: "Nagrania i materiały", "Recordings and materials";
    training_none: "Nie ma zaplanowanych szkoleń.", "No trainings are planned.";
    training_places: "wolne miejsca: {n} z {of}", "places left: {n} of {of}";
    training_full: "brak wolnych miejsc", "no places left";
    training_full_waiting: "brak wolnych miejsc — lista rezerwowa: {n}", "no places left — waiting list: {n}";
    training_register: "Zapisz się", "Register";
    training_join_waiting: "Zapisz na listę rezerwową", "Join the waiting list";
    training_cancel: "Zrezygnuj", "Cancel my registration";
    training_you_registered: "Jesteś zapisany(-a)", "You are registered";
    training_you_waiting: "Jesteś na liście rezerwowej", "You are on the waiting list";
    training_link_label: "Link do spotkania", "Meeting link";
    training_recording: "Nagranie", "Recording";
    training_materials: "Materiały", "Materials";
    training_login_to_register: "Aby się zapisać, zaloguj się.", "Log in to register.";
    training_done_registered: "Zapisaliśmy Cię. Potwierdzenie wysłaliśmy e-mailem.", "You are registered. We have sent a confirmation by e-mail.";
    training_done_waiting: "Wszystkie miejsca są zajęte — jesteś na liście rezerwowej. Napiszemy, gdy zwolni się miejsce.", "Every place is taken — you are on the waiting list. We will write when a place becomes free.";
    training_done_cancelled: "Twoja rezygnacja została zapisana.", "Your cancellation has been recorded.";
    training_err_started: "To szkolenie już się rozpoczęło — zapisy są zamknięte.", "This training has already started — registration is closed.";
    training_err_full: "Wszystkie miejsca są zajęte, a to szkolenie nie ma listy rezerwowej.", "Every place is taken and this training has no waiting list.";
    training_err_already: "Jesteś już zapisany(-a) na to szkolenie.", "You are already registered for this training.";
    training_err_over: "To szkolenie już się zakończyło.", "This training is over.";
    training_err_not_registered: "Nie jesteś zapisany(-a) na to szkolenie.", "You are not registered for this training.";
    releases_title: "Nowości w programach", "What's new";
    releases_intro: "Wersje nowsze od tych, których używasz, i co się w nich zmieniło.", "Versions newer than the ones you use, and what changed in each.";
    releases_no_installations: "Nie mamy zapisanych Twoich instalacji. Zapytaj nas o aktualną wersję.", "We have no installations of yours on record. Ask us about the current version.";
    releases_your_version: "Twoja wersja", "Your version";
    releases_version_unknown: "nieznana", "unknown";
    releases_up_to_date: "Masz najnowszą wersję.", "You have the latest version.";
    releases_version: "Wersja", "Version";
    kb_status_draft: "szkic", "draft";
    kb_status_published: "opublikowany", "published";
    kb_new_article: "Nowy artykuł", "New article";
    kb_edit_article: "Edycja artykułu", "Edit article";
    kb_view_help_centre: "Zobacz w centrum pomocy", "View in the help centre";
    kb_field_title: "Tytuł", "Title";
    kb_field_body: "Treść", "Body";
    kb_field_visibility: "Widoczność", "Visibility";
    kb_field_status: "Stan", "Status";
    kb_field_slug: "Adres (slug)", "Address (slug)";
    kb_slug_hint: "Litery a–z, cyfry i „-”; puste — z tytułu.", "Letters a–z, digits and “-”; empty — made from the title.";
    kb_markdown_hint: "Markdown: **pogrubienie**, listy, [link](https://…), ![obraz](adres pliku).", "Markdown: **bold**, lists, [link](https://…), ![image](file address).";
    kb_new_category: "Nowa kategoria", "New category";
    kb_category_name_pl: "Nazwa po polsku", "Polish name";
    kb_category_name_en: "Nazwa po angielsku", "English name";
    kb_saved: "Zapisano.", "Saved.";
    kb_add_files: "Obrazy i załączniki", "Images and attachments";
    kb_upload: "Dodaj", "Upload";
    kb_revisions: "Historia zmian", "Revision history";
    kb_err_slug_taken: "Inny artykuł ma już ten adres.", "Another article already has this address.";
    kb_err_upload: "Nie udało się dodać plików: wybierz plik o zwykłej nazwie, mniejszy od limitu.", "The files could not be added: choose a file with a plain name, below the size limit.";
    kb_panel_open: "Szukaj w bazie wiedzy", "Search the knowledge base";
    kb_panel_suggested: "Pasujące do tematu zgłoszenia:", "Matching the ticket's subject:";
    kb_panel_used: "Wstawione do odpowiedzi:", "Linked in replies:";
    kb_insert_link: "Wstaw link do odpowiedzi", "Insert link into reply";
    kb_insert_again: "Wstaw ponownie", "Insert again";
    kb_tab_articles: "Artykuły", "Articles";
    kb_tab_releases: "Wersje i zmiany", "Releases";
    training_cancelled: "zrezygnował(a)", "cancelled";
    training_new: "Nowe szkolenie", "New training";
    training_edit: "Edycja szkolenia", "Edit training";
    training_roster: "Zapisani i lista rezerwowa", "Registered and waiting";
    training_col_places: "Zajęte miejsca", "Places taken";
    training_col_waiting: "Lista rezerwowa", "Waiting list";
    training_field_title: "Tytuł", "Title";
    training_field_starts: "Początek (czas lokalny)", "Start (local time)";
    training_field_zone: "Strefa czasowa", "Time zone";
    training_field_minutes: "Czas trwania (minuty)", "Length (minutes)";
    training_field_capacity: "Liczba miejsc", "Places";
    training_field_waiting_list: "Lista rezerwowa, gdy brak miejsc", "Waiting list when full";
    training_field_description: "Opis", "Description";
    releases_new: "Nowa wersja", "New version";
    releases_edit: "Edycja wersji", "Edit version";
    releases_field_released_on: "Data wydania", "Released on";
    releases_field_notes: "Co się zmieniło", "What changed";
    releases_field_published: "Opublikuj w centrum pomocy", "Publish in the help centre";
    releases_err_product: "Wybierz produkt.", "Choose a product.";
    kb_deflected_30d: "Rozwiązane bez zgłoszenia (30 dni)", "Solved without a ticket (30 days)";
    kb_ticket_articles: "Artykuły, które mogą pomóc", "Articles that may help";
}

pub fn catalogue(lang: Language) -> &'static Catalogue {
    match lang {
        Language::Pl => &PL,
        Language::En => &EN,
    }
}

/// Replaces `{name}` placeholders with their values.
impl Catalogue {
    /// How a ticket ended or waits apart from its status (see the scope rules).
    pub fn disposition(&self, d: &str) -> String {
        match d {
            "redirected" => self.disposition_redirected,
            "awaiting_written_confirmation" => self.disposition_awaiting_written_confirmation,
            "training_catalogue" => self.disposition_training_catalogue,
            other => return other.to_owned(),
        }
        .to_owned()
    }
}

pub fn fill(message: &str, values: &[(&str, &str)]) -> String {
    let mut out = message.to_owned();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// A value or a reference to it: templates hand fields over by reference.
pub trait Val<T> {
    fn val(&self) -> T;
}

impl<T: Copy> Val<T> for T {
    fn val(&self) -> T {
        *self
    }
}

impl<T: Copy> Val<T> for &T {
    fn val(&self) -> T {
        **self
    }
}

impl<T: Copy> Val<T> for &&T {
    fn val(&self) -> T {
        ***self
    }
}

impl Catalogue {
    pub fn status(&self, s: impl Val<Status>) -> &'static str {
        match s.val() {
            Status::New => self.status_new,
            Status::Open => self.status_open,
            Status::WaitingForCustomer => self.status_waiting_for_customer,
            Status::Resolved => self.status_resolved,
            Status::Closed => self.status_closed,
        }
    }

    pub fn priority(&self, p: impl Val<Priority>) -> &'static str {
        match p.val() {
            Priority::Critical => self.priority_critical,
            Priority::Fault => self.priority_fault,
            Priority::Standard => self.priority_standard,
            Priority::DevelopmentRequest => self.priority_development_request,
        }
    }

    pub fn kind(&self, k: impl Val<Kind>) -> &'static str {
        match k.val() {
            Kind::Incident => self.kind_incident,
            Kind::Question => self.kind_question,
            Kind::ServiceRequest => self.kind_service_request,
            Kind::DevelopmentRequest => self.kind_development_request,
            Kind::TrainingRequest => self.kind_training_request,
            Kind::OutOfScope => self.kind_out_of_scope,
        }
    }

    pub fn channel(&self, c: impl Val<Channel>) -> &'static str {
        match c.val() {
            Channel::Email => self.channel_email,
            Channel::Portal => self.channel_portal,
            Channel::Phone => self.channel_phone,
            Channel::Api => self.channel_api,
            Channel::Monitoring => self.channel_monitoring,
        }
    }

    pub fn role(&self, r: impl Val<Role>) -> &'static str {
        match r.val() {
            Role::CustomerUser => self.role_customer_user,
            Role::CustomerAdmin => self.role_customer_admin,
            Role::Agent => self.role_agent,
            Role::Supervisor => self.role_supervisor,
            Role::Admin => self.role_admin,
        }
    }

    pub fn article(&self, k: impl Val<ArticleKind>) -> &'static str {
        match k.val() {
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
