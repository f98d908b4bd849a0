//! Polish demo data: the support department of a vendor of a hotel property-management system
//! (PremiumHotel) and of a spa / health-resort system (Kuracjusz), its customers — hotels,
//! spas, a health resort, a chain with two properties — and a few hundred tickets with their
//! conversations over the last 60 days; and a knowledge base, trainings and release notes
//! (`demo/knowledge.rs`).
//!
//! Organisations, people, teams, products and installations go through the store's
//! repositories; every ticket goes through the ticket service (the one write path), with the
//! simulated time of each step, so history events, first responses and status times are real.
//! Everything is deterministic relative to `now`: a small LCG with a fixed seed picks who,
//! what and when.
//!
//! Every organisation with installations has a service contract for its products, in force
//! since before the first ticket, so the tickets run real SLA clocks: 24/7/365 for Hotel Pod
//! Różami, Uzdrowisko Zdrój and the Bałtyk chain's properties (standard problems still on
//! business days), Mon–Fri 08:00–20:00 with Polish public holidays for the others.

mod knowledge;

use std::collections::HashMap;

use deskbell_domain::article::{ArticleKind, CallDirection};
use deskbell_domain::person::{EmailAddress, Language, Role};
use deskbell_domain::sla::penalty::OverrunBasis;
use deskbell_domain::sla::{BUILTIN_24X7, BUILTIN_PL_BUSINESS};
use deskbell_domain::ticket::{Channel, Kind, Priority, Status};
use deskbell_store::orgs::{self, Installation, OrganisationInput};
use deskbell_store::people::{self, PersonInput};
use deskbell_store::sla::{self, ContractInput};
use deskbell_store::tickets::Call;
use deskbell_store::{Store, StoreError, Tx, settings};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::auth::{Actor, Via, hash_password};
use crate::error::ApiError;
use crate::patch::Patch;
use crate::tickets::service::{self, Limits, LocalItChecks, NewArticle, NewTicket, StatusChange, TicketChanges};

/// The `settings` key written once the demo data is in.
pub const MARKER: &str = "demo.loaded";
/// The password of every demo person.
pub const PASSWORD: &str = "demo";
/// The demo administrator; its presence also means the demo was (being) loaded.
pub const ADMIN_EMAIL: &str = "admin@deskbell.demo";

const SEED: u64 = 0x6465_736b_6265_6c6c; // "deskbell"
/// Ordinary tickets; a major incident (4 tickets) and monitoring alerts come on top.
const TICKETS: usize = 320;
const MONITORING_TICKETS: usize = 8;
/// Tickets per transaction.
const BATCH: usize = 50;
/// Tickets are spread over this many days before `now`.
const DAYS: i64 = 60;
const TIME_ZONE: &str = "Europe/Warsaw";

/// Loads the demo data once; returns whether anything was loaded.
///
/// Idempotent: when the marker setting or the demo administrator exists, nothing is changed.
/// People and organisations go in one transaction, tickets in transactions of 50, and
/// the marker last; a load that fails half-way leaves the people in place, so it is not
/// repeated on top of itself (start from an empty database instead).
pub fn load(store: &Store, now: Timestamp) -> Result<bool, StoreError> {
    // Argon2 is slow on purpose: hash once, every demo person shares the hash.
    let hash = hash_password(PASSWORD).map_err(api_error)?;
    let world = match store.write(|tx| {
        if settings::get(tx, MARKER)?.is_some() || people::by_email(tx, &email(ADMIN_EMAIL)?)?.is_some() {
            return Ok(None);
        }
        world(tx, &hash, now).map(Some)
    }) {
        Ok(Some(w)) => w,
        Ok(None) => return Ok(false),
        // Another instance loading at the same moment won the race for the same e-mails.
        Err(StoreError::Unique { .. }) => return Ok(false),
        Err(e) => return Err(e),
    };

    // The history is replayed as the people of the time handled it, step by step: routing
    // and the scope rules stay out of it, and are switched on afterwards.
    store
        .write(|tx| {
            let off = crate::automation::RoutingSettings { enabled: false, ..Default::default() };
            let scope_off = crate::automation::ScopeSettings {
                out_of_scope: false,
                written_confirmation: false,
                training_catalogue: false,
                ..Default::default()
            };
            crate::automation::store(tx, crate::automation::ROUTING_KEY, &off)?;
            crate::automation::store(tx, crate::automation::SCOPE_KEY, &scope_off)
        })
        .map_err(api_error)?;
    let plans = plans(&world, now);
    let config = crate::config::Config::default();
    let limits = Limits { attachment_max_bytes: config.attachment_max_bytes, reopen_days: config.reopen_days };
    let mut numbers: Vec<i64> = Vec::with_capacity(plans.len());
    let mut rest = plans.into_iter();
    loop {
        let batch: Vec<Plan> = rest.by_ref().take(BATCH).collect();
        if batch.is_empty() {
            break;
        }
        store.write(|tx| {
            for plan in batch {
                let number = run(tx, &world, plan, &numbers, limits).map_err(api_error)?;
                numbers.push(number);
            }
            Ok::<_, StoreError>(())
        })?;
    }
    // The history's warnings and breaches, at their own instants rather than all at once
    // when the watch first looks.
    crate::sla::watch::fire_history(store, now)?;
    store.write(|tx| automation(tx, &world, limits, now)).map_err(api_error)?;
    store.write(|tx| knowledge::load(tx, &world, now))?;
    store.write(|tx| settings::set(tx, MARKER, &now.to_string()))?;
    Ok(true)
}

/// Routing and the scope rules on (their defaults), two rules and canned responses an admin
/// would start with, and today's tickets that show them at work.
fn automation(tx: &mut Tx<'_>, w: &World, limits: Limits, now: Timestamp) -> Result<(), ApiError> {
    use crate::automation::api::{ResponseBody, RuleBody, save_response, save_rule};
    use deskbell_domain::automation::RuleDef;
    crate::automation::store(tx, crate::automation::ROUTING_KEY, &crate::automation::RoutingSettings::default())?;
    crate::automation::store(tx, crate::automation::SCOPE_KEY, &crate::automation::ScopeSettings::default())?;
    let admin = w.staff.iter().find(|a| a.role() == Role::Admin).unwrap_or(&w.staff[w.supervisor]);
    for (title, body) in [
        (
            "Prośba o zrzut ekranu",
            "Dzień dobry {{person}},\n\naby szybciej znaleźć przyczynę, prosimy o zrzut ekranu z komunikatem błędu \
             oraz godzinę, o której wystąpił (zgłoszenie {{ticket}}).\n\nPozdrawiamy,\n{{agent}}",
        ),
        (
            "Restart usługi drukowania fiskalnego",
            "Dzień dobry {{person}},\n\nprosimy zamknąć {{product}} na stanowisku recepcji, wyłączyć i włączyć drukarkę \
             fiskalną, a następnie uruchomić program ponownie. Jeśli paragon nadal się nie drukuje, wystarczy odpisać.\n\n{{agent}}",
        ),
    ] {
        let body =
            ResponseBody { title: title.into(), body_pl: body.into(), body_en: String::new(), active: Some(true) };
        save_response(tx, admin, None, body, now)?;
    }
    let rules = [
        (
            "Faktury i paragony poza godzinami: awaria, dyżur",
            serde_json::json!({"on": ["created"],
                "conditions": [{"field": "text", "contains": ["faktur", "paragon", "fiskal"]},
                               {"field": "business_hours", "inside": false}],
                "actions": [{"action": "set_priority", "priority": "critical"}, {"action": "add_tag", "tag": "fiskalne"},
                            {"action": "notify", "to": "on_call"}]}),
        ),
        (
            "Odpowiedź klienta: powiadom przypisanego",
            serde_json::json!({"on": ["customer_replied"], "actions": [{"action": "notify", "to": "assignee"}]}),
        ),
    ];
    for (name, def) in rules {
        let definition: RuleDef = serde_json::from_value(def).map_err(ApiError::internal)?;
        save_rule(
            tx,
            admin,
            None,
            RuleBody { name: name.into(), position: None, active: Some(true), definition },
            now,
        )?;
    }
    // Today: a request the scope rules send to the local IT, and a training request.
    let Some(org) = w.orgs.iter().find(|o| !o.hq && !o.people.is_empty()) else { return Ok(()) };
    let Some(customer) = w.customers.get(&org.people[0]) else { return Ok(()) };
    for (subject, body, kind) in [
        (
            "Prośba o instalację drukarki w recepcji",
            "Dzień dobry, kupiliśmy nową drukarkę do recepcji — prosimy o jej zainstalowanie na komputerze.",
            Kind::Incident,
        ),
        (
            "Szkolenie dla nowych recepcjonistek",
            "Od przyszłego tygodnia pracują u nas dwie nowe osoby. Czy możemy je przeszkolić z obsługi rezerwacji?",
            Kind::TrainingRequest,
        ),
    ] {
        let input = NewTicket {
            subject: subject.into(),
            body: body.into(),
            organisation_id: None,
            requester_id: None,
            cc: Vec::new(),
            channel: None,
            kind,
            priority: Priority::Standard,
            product_id: Some(w.products[0]),
            module: None,
            installation_id: None,
            assignee_id: None,
            team_id: None,
            tags: Vec::new(),
            local_it_checks: None,
            attachments: Vec::new(),
            call: None,
        };
        service::create(tx, customer, input, limits, now)?;
    }
    Ok(())
}

fn api_error(e: ApiError) -> StoreError {
    StoreError::Db(format!("demo data: {} ({})", e.message, e.code))
}

fn email(s: &str) -> Result<EmailAddress, StoreError> {
    s.parse().map_err(|e| StoreError::Db(format!("demo data: {e}")))
}

// ------------------------------------------------------------------ deterministic randomness

/// A 64-bit linear congruential generator (Knuth's MMIX constants); the high bits are used.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo { lo } else { lo + (self.next() % (hi - lo + 1) as u64) as i64 }
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// An index into `weights`, each as likely as its weight.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut x = self.next() % total.max(1);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        0
    }
}

// ------------------------------------------------------------------ the world

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prod {
    PremiumHotel,
    Kuracjusz,
}

impl Prod {
    const BOTH: [Prod; 2] = [Prod::PremiumHotel, Prod::Kuracjusz];

    fn i(self) -> usize {
        self as usize
    }

    fn name(self) -> &'static str {
        match self {
            Prod::PremiumHotel => "PremiumHotel",
            Prod::Kuracjusz => "Kuracjusz",
        }
    }

    fn code(self) -> &'static str {
        match self {
            Prod::PremiumHotel => "premiumhotel",
            Prod::Kuracjusz => "kuracjusz",
        }
    }

    fn team(self) -> &'static str {
        match self {
            Prod::PremiumHotel => "Zespół PremiumHotel",
            Prod::Kuracjusz => "Zespół Kuracjusz",
        }
    }
}

struct StaffDef {
    email: &'static str,
    name: &'static str,
    role: Role,
    phone: &'static str,
    teams: &'static [Prod],
}

const STAFF: &[StaffDef] = &[
    StaffDef { email: ADMIN_EMAIL, name: "Ewa Nowakowska", role: Role::Admin, phone: "+48123004001", teams: &[] },
    StaffDef {
        email: "kierownik@deskbell.demo",
        name: "Jan Kaczmarek",
        role: Role::Supervisor,
        phone: "+48123004002",
        teams: &[],
    },
    StaffDef {
        email: "agent@deskbell.demo",
        name: "Anna Kowalska",
        role: Role::Agent,
        phone: "+48123004010",
        teams: &[Prod::PremiumHotel],
    },
    StaffDef {
        email: "piotr.nowak@deskbell.demo",
        name: "Piotr Nowak",
        role: Role::Agent,
        phone: "+48123004011",
        teams: &[Prod::PremiumHotel],
    },
    StaffDef {
        email: "katarzyna.wisniewska@deskbell.demo",
        name: "Katarzyna Wiśniewska",
        role: Role::Agent,
        phone: "+48123004012",
        teams: &[Prod::PremiumHotel],
    },
    StaffDef {
        email: "tomasz.wojcik@deskbell.demo",
        name: "Tomasz Wójcik",
        role: Role::Agent,
        phone: "+48123004013",
        teams: &[Prod::PremiumHotel, Prod::Kuracjusz],
    },
    StaffDef {
        email: "magdalena.kaminska@deskbell.demo",
        name: "Magdalena Kamińska",
        role: Role::Agent,
        phone: "+48123004020",
        teams: &[Prod::Kuracjusz],
    },
    StaffDef {
        email: "michal.lewandowski@deskbell.demo",
        name: "Michał Lewandowski",
        role: Role::Agent,
        phone: "+48123004021",
        teams: &[Prod::Kuracjusz],
    },
    StaffDef {
        email: "agnieszka.zielinska@deskbell.demo",
        name: "Agnieszka Zielińska",
        role: Role::Agent,
        phone: "+48123004022",
        teams: &[Prod::Kuracjusz],
    },
];

struct OrgDef {
    name: &'static str,
    parent: Option<&'static str>,
    notes: &'static str,
    phones: &'static [&'static str],
    domains: &'static [&'static str],
    installs: &'static [(Prod, &'static str)],
    /// E-mails of the specialists who installed it and know it.
    account_team: &'static [&'static str],
    /// E-mail, name, role, phone; the first is the organisation's main contact.
    people: &'static [(&'static str, &'static str, Role, &'static str)],
    /// How often it reports problems, relatively.
    weight: u64,
}

const CHAIN: &str = "Grupa Hoteli Bałtyk";

/// Parents come before their properties.
const ORGS: &[OrgDef] = &[
    OrgDef {
        name: "Hotel Pod Różami",
        parent: None,
        notes: "Hotel 4* w Krakowie, 86 pokoi, restauracja i Różana Strefa SPA. Serwer w hotelu, zdalny dostęp przez VPN.",
        phones: &["+48124220100", "+48124220101"],
        domains: &["pod-rozami.demo"],
        installs: &[(Prod::PremiumHotel, "2025.3.2"), (Prod::Kuracjusz, "2025.3.0")],
        account_team: &["agent@deskbell.demo", "magdalena.kaminska@deskbell.demo"],
        people: &[
            ("recepcja@pod-rozami.demo", "Joanna Mazur", Role::CustomerUser, "+48601220301"),
            ("it@pod-rozami.demo", "Krzysztof Dąbrowski", Role::CustomerAdmin, "+48601220302"),
            ("spa@pod-rozami.demo", "Monika Pawlak", Role::CustomerUser, "+48601220303"),
            ("ksiegowosc@pod-rozami.demo", "Elżbieta Grabowska", Role::CustomerUser, "+48601220304"),
        ],
        weight: 6,
    },
    OrgDef {
        name: "Uzdrowisko Zdrój",
        parent: None,
        notes: "Uzdrowisko w Krynicy-Zdroju: sanatorium, zakład przyrodoleczniczy, pijalnia. Umowa z NFZ.",
        phones: &["+48184710300", "+48184710301"],
        domains: &["zdroj.demo"],
        installs: &[(Prod::Kuracjusz, "2025.3.0"), (Prod::PremiumHotel, "2025.2.4")],
        account_team: &["michal.lewandowski@deskbell.demo", "tomasz.wojcik@deskbell.demo"],
        people: &[
            ("recepcja@zdroj.demo", "Beata Sikora", Role::CustomerUser, "+48602470301"),
            ("it@zdroj.demo", "Marek Baran", Role::CustomerAdmin, "+48602470302"),
            ("zabiegi@zdroj.demo", "Dorota Wróbel", Role::CustomerUser, "+48602470303"),
            ("lekarz@zdroj.demo", "Tadeusz Kubiak", Role::CustomerUser, "+48602470304"),
        ],
        weight: 6,
    },
    OrgDef {
        name: CHAIN,
        parent: None,
        notes: "Sieć hoteli nad Bałtykiem, centrala w Gdańsku. Centralny dział IT dla obu obiektów.",
        phones: &["+48583001000"],
        domains: &["baltyk.demo"],
        installs: &[],
        account_team: &["piotr.nowak@deskbell.demo", "agnieszka.zielinska@deskbell.demo"],
        people: &[
            ("it@baltyk.demo", "Paweł Zając", Role::CustomerAdmin, "+48603001001"),
            ("dyrektor@baltyk.demo", "Grzegorz Król", Role::CustomerUser, "+48603001002"),
        ],
        weight: 1,
    },
    OrgDef {
        name: "Hotel Bałtyk Sopot",
        parent: Some(CHAIN),
        notes: "Obiekt sieci Bałtyk, 140 pokoi, centrum konferencyjne i strefa wellness.",
        phones: &["+48585501100", "+48585501101"],
        domains: &["sopot.baltyk.demo"],
        installs: &[(Prod::PremiumHotel, "2025.3.2"), (Prod::Kuracjusz, "2025.2.1")],
        account_team: &["piotr.nowak@deskbell.demo", "agnieszka.zielinska@deskbell.demo"],
        people: &[
            ("recepcja@sopot.baltyk.demo", "Aleksandra Wieczorek", Role::CustomerUser, "+48603550101"),
            ("spa@sopot.baltyk.demo", "Natalia Jabłońska", Role::CustomerUser, "+48603550102"),
        ],
        weight: 4,
    },
    OrgDef {
        name: "Hotel Bałtyk Kołobrzeg",
        parent: Some(CHAIN),
        notes: "Obiekt sieci Bałtyk, 98 pokoi, restauracja, basen i gabinety zabiegowe.",
        phones: &["+48943502200"],
        domains: &["kolobrzeg.baltyk.demo"],
        installs: &[(Prod::PremiumHotel, "2025.3.2"), (Prod::Kuracjusz, "2025.2.1")],
        account_team: &["katarzyna.wisniewska@deskbell.demo", "agnieszka.zielinska@deskbell.demo"],
        people: &[
            ("recepcja@kolobrzeg.baltyk.demo", "Karolina Nowicka", Role::CustomerUser, "+48603350201"),
            ("restauracja@kolobrzeg.baltyk.demo", "Rafał Majewski", Role::CustomerUser, "+48603350202"),
            ("spa@kolobrzeg.baltyk.demo", "Sylwia Pietrzak", Role::CustomerUser, "+48603350203"),
        ],
        weight: 4,
    },
    OrgDef {
        name: "Pensjonat Pod Jodłami",
        parent: None,
        notes: "Pensjonat rodzinny w Zakopanem, 24 pokoje. Jeden komputer na recepcji, brak lokalnego IT.",
        phones: &["+48182012345"],
        domains: &["jodly.demo"],
        installs: &[(Prod::PremiumHotel, "2024.4.7")],
        account_team: &["katarzyna.wisniewska@deskbell.demo"],
        people: &[
            ("recepcja@jodly.demo", "Halina Gąsienica", Role::CustomerUser, "+48604201201"),
            ("wlasciciel@jodly.demo", "Stanisław Gąsienica", Role::CustomerAdmin, "+48604201202"),
        ],
        weight: 2,
    },
    OrgDef {
        name: "Wisła Resort & SPA",
        parent: None,
        notes: "Resort w Wiśle, 120 pokoi, aquapark i SPA. Sprzedaż karnetów także dla gości z zewnątrz.",
        phones: &["+48338554400", "+48338554401"],
        domains: &["wisla-resort.demo"],
        installs: &[(Prod::PremiumHotel, "2025.3.1"), (Prod::Kuracjusz, "2025.3.0")],
        account_team: &["tomasz.wojcik@deskbell.demo", "magdalena.kaminska@deskbell.demo"],
        people: &[
            ("recepcja@wisla-resort.demo", "Ewelina Stępień", Role::CustomerUser, "+48605554401"),
            ("spa@wisla-resort.demo", "Iwona Malinowska", Role::CustomerUser, "+48605554402"),
            ("it@wisla-resort.demo", "Łukasz Górski", Role::CustomerAdmin, "+48605554403"),
        ],
        weight: 4,
    },
    OrgDef {
        name: "Sanatorium Słoneczne",
        parent: None,
        notes: "Sanatorium w Ciechocinku, 210 miejsc, turnusy NFZ i pełnopłatne.",
        phones: &["+48542833300"],
        domains: &["sloneczne.demo"],
        installs: &[(Prod::Kuracjusz, "2025.1.3")],
        account_team: &["michal.lewandowski@deskbell.demo", "magdalena.kaminska@deskbell.demo"],
        people: &[
            ("rejestracja@sloneczne.demo", "Teresa Witkowska", Role::CustomerUser, "+48606283301"),
            ("kasa@sloneczne.demo", "Renata Michalska", Role::CustomerUser, "+48606283302"),
            ("it@sloneczne.demo", "Adam Walczak", Role::CustomerAdmin, "+48606283303"),
        ],
        weight: 4,
    },
];

struct OrgW {
    id: i64,
    name: String,
    /// Per product: installation id and name.
    installs: [Option<(i64, String)>; 2],
    /// Customer people, the main contact first.
    people: Vec<i64>,
    admin: Option<i64>,
    /// A chain's head office: no installation of its own.
    hq: bool,
    weight: u64,
}

struct World {
    staff: Vec<Actor>,
    /// Per product: indices into `staff` of the team's members.
    team_agents: [Vec<usize>; 2],
    teams: [i64; 2],
    products: [i64; 2],
    supervisor: usize,
    orgs: Vec<OrgW>,
    /// Customer people, by id, as portal users.
    customers: HashMap<i64, Actor>,
}

fn session() -> Via {
    Via::Session { token_hash: String::new(), csrf_token: String::new() }
}

fn world(tx: &mut Tx<'_>, hash: &str, now: Timestamp) -> Result<World, StoreError> {
    // The vendor's staff and teams.
    let mut staff_people = Vec::new();
    for s in STAFF {
        let input = PersonInput {
            email: email(s.email)?,
            name: s.name.into(),
            role: s.role,
            organisation_id: None,
            phone: Some(s.phone.into()),
            language: Language::Pl,
            active: true,
        };
        staff_people.push(people::create(tx, &input, Some(hash), now)?);
    }
    let mut team_agents: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for (i, s) in STAFF.iter().enumerate() {
        for p in s.teams {
            team_agents[p.i()].push(i);
        }
    }
    let mut teams = [0; 2];
    let mut products = [0; 2];
    for p in Prod::BOTH {
        let members: Vec<i64> = team_agents[p.i()].iter().map(|i| staff_people[*i].id).collect();
        teams[p.i()] = orgs::save_team(tx, None, p.team(), &members, now)?.id;
        products[p.i()] = orgs::save_product(tx, None, p.code(), p.name(), Some(teams[p.i()]), now)?.id;
    }
    let staff_id = |e: &str| staff_people.iter().find(|p| p.email.as_str() == e).map(|p| p.id);

    // Customers: organisations, installations and their people.
    let mut org_ws: Vec<OrgW> = Vec::new();
    for o in ORGS {
        let parent_id = o.parent.and_then(|p| org_ws.iter().find(|w| w.name == p)).map(|w| w.id);
        let input = OrganisationInput {
            name: o.name.into(),
            parent_id,
            time_zone: TIME_ZONE.into(),
            notes: o.notes.into(),
            active: true,
            phones: o.phones.iter().map(|p| (*p).to_owned()).collect(),
            mail_domains: o.domains.iter().map(|d| (*d).to_owned()).collect(),
            account_team: o.account_team.iter().filter_map(|e| staff_id(e)).collect(),
        };
        let org = orgs::create(tx, &input, now)?;
        let mut installs: [Option<(i64, String)>; 2] = [None, None];
        for (p, version) in o.installs {
            let name = format!("{} — {}", p.name(), o.name);
            let inst = Installation {
                id: 0,
                organisation_id: org.id,
                product_id: products[p.i()],
                name: name.clone(),
                version: Some((*version).into()),
            };
            installs[p.i()] = Some((orgs::save_installation(tx, None, &inst, now)?.id, name));
        }
        let mut ids = Vec::new();
        let mut admin = None;
        for (e, name, role, phone) in o.people {
            let input = PersonInput {
                email: email(e)?,
                name: (*name).into(),
                role: *role,
                organisation_id: Some(org.id),
                phone: Some((*phone).into()),
                language: Language::Pl,
                active: true,
            };
            let p = people::create(tx, &input, Some(hash), now)?;
            if *role == Role::CustomerAdmin {
                admin = Some(p.id);
            }
            ids.push(p.id);
        }
        let covered: Vec<i64> = o.installs.iter().map(|(p, _)| products[p.i()]).collect();
        if !covered.is_empty() {
            contract(tx, org.id, o, covered, now)?;
        }
        org_ws.push(OrgW {
            id: org.id,
            name: o.name.into(),
            installs,
            people: ids,
            admin,
            hq: o.installs.is_empty(),
            weight: o.weight,
        });
    }

    // Actors, now that every organisation (and so every customer admin's scope) exists.
    let mut staff = Vec::new();
    for p in staff_people {
        staff.push(Actor::load(tx, p, session())?);
    }
    let mut customers = HashMap::new();
    for id in org_ws.iter().flat_map(|o| o.people.iter()) {
        let person = people::get(tx, *id)?;
        customers.insert(*id, Actor::load(tx, person, session())?);
    }
    let supervisor = STAFF.iter().position(|s| s.role == Role::Supervisor).unwrap_or(0);
    Ok(World { staff, team_agents, teams, products, supervisor, orgs: org_ws, customers })
}

/// Organisations whose contract counts around the clock.
const AROUND_THE_CLOCK: &[&str] = &["Hotel Pod Różami", "Uzdrowisko Zdrój", "Grupa Hoteli Bałtyk"];

fn contract(tx: &mut Tx<'_>, org: i64, o: &OrgDef, product_ids: Vec<i64>, now: Timestamp) -> Result<(), StoreError> {
    let around_the_clock =
        AROUND_THE_CLOCK.contains(&o.name) || o.parent.is_some_and(|p| AROUND_THE_CLOCK.contains(&p));
    let std = sla::calendar_by_name(tx, BUILTIN_PL_BUSINESS)?.id;
    let calendar = if around_the_clock { sla::calendar_by_name(tx, BUILTIN_24X7)?.id } else { std };
    // In force since a year before the demo's tickets begin.
    let since = now.to_zoned(jiff::tz::TimeZone::UTC).date().saturating_sub(jiff::Span::new().days(365));
    let input = ContractInput {
        organisation_id: org,
        name: if around_the_clock { "Serwis 24/7/365".into() } else { "Serwis pn–pt 8–20".into() },
        valid_from: since.to_string(),
        valid_to: None,
        product_ids,
        calendar_id: calendar,
        warning_percent: 80,
        monthly_fee_minor: if around_the_clock { 450_000 } else { 180_000 },
        penalty_basis: OverrunBasis::Business,
        penalty_cap_minor: Some(if around_the_clock { 90_000 } else { 36_000 }),
        targets: crate::sla::default_targets(std),
    };
    sla::create_contract(tx, &input, now).map(|_| ())
}

// ------------------------------------------------------------------ what the tickets are about

struct Topic {
    product: Prod,
    module: &'static str,
    kind: Kind,
    priority: Priority,
    tags: &'static [&'static str],
    /// Alternatives separated by `|`.
    subject: &'static str,
    /// The customer's report.
    body: &'static str,
    /// The support's first answer: what it needs to know.
    question: &'static str,
    /// The customer's answer to it.
    answer: &'static str,
    /// The support's solution.
    solution: &'static str,
    /// An internal note, when there is a specific one.
    note: &'static str,
}

const LOCAL_IT: &str = "Instalacja sprzętu, aktualizacje systemu operacyjnego, nadawanie uprawnień użytkownikom \
    systemu Windows i sieć lokalna nie wchodzą w zakres wsparcia oprogramowania — prosimy o kontakt z Państwa \
    lokalnym administratorem IT.";

const TOPICS: &[Topic] = &[
    // ---------------------------------------------------------------- PremiumHotel
    Topic {
        product: Prod::PremiumHotel,
        module: "Fakturowanie",
        kind: Kind::Incident,
        priority: Priority::Critical,
        tags: &["faktury", "wymeldowanie"],
        subject: "Nie można wystawić faktury przy wymeldowaniu|Błąd przy wystawianiu faktury dla pokoju {room}|Faktury się nie zapisują — kolejka na recepcji",
        body: "Od rana przy wymeldowaniu gościa z pokoju {room} program pokazuje błąd „Nie można zapisać dokumentu” i faktura się nie wystawia. To samo dzieje się na drugim stanowisku recepcji. Goście czekają przy ladzie, a część wyjeżdża bez dokumentu.",
        question: "Prosimy o pełną treść komunikatu błędu (najlepiej zrzut ekranu) oraz informację, czy wczorajsze zamknięcie doby zakończyło się poprawnie.",
        answer: "Treść błędu: „Numeracja dokumentów FV/{year} jest zablokowana przez innego użytkownika”. Zamknięcie doby wczoraj się zawiesiło i nocny recepcjonista zrestartował komputer.",
        solution: "Blokada numeracji faktur pozostała po przerwanym zamknięciu doby. Zwolniliśmy ją zdalnie i dokończyliśmy zamknięcie doby — faktury wystawiają się poprawnie. Prosimy wystawić zaległe dokumenty dla gości, którzy wyjechali bez faktury (lista: Raporty → Wymeldowania bez dokumentu).",
        note: "Blokada numeracji po przerwanym zamknięciu doby — kolejny taki przypadek w tym kwartale. Zgłoszone do zespołu rozwoju.",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Recepcja",
        kind: Kind::Incident,
        priority: Priority::Critical,
        tags: &["meldowanie", "grupy"],
        subject: "Meldowanie grupy zawiesza program|Nie da się zameldować gości z rezerwacji grupowej {n}",
        body: "Przy meldowaniu grupy z rezerwacji {n} program zawiesza się na ekranie karty meldunkowej i trzeba go zamykać z menedżera zadań. Przyjechał autokar, ponad 40 osób czeka w lobby.",
        question: "Czy problem dotyczy tylko tej rezerwacji grupowej, czy również pojedynczych gości? Prosimy o nazwę stanowiska, na którym to występuje.",
        answer: "Pojedynczych gości meldujemy bez problemu, zawiesza się tylko przy tej grupie. Stanowiska REC-1 i REC-2.",
        solution: "W rezerwacji grupowej jeden z uczestników miał w numerze dokumentu znak spoza dozwolonego zakresu (skopiowany z listy od organizatora), przez co walidacja karty meldunkowej się zapętlała. Poprawiliśmy dane uczestnika i grupa została zameldowana. Poprawka walidacji będzie w najbliższej wersji.",
        note: "Obejście: poprawić dane uczestnika w rezerwacji. Błąd walidacji zgłoszony do rozwoju.",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Channel manager",
        kind: Kind::Incident,
        priority: Priority::Critical,
        tags: &["channel-manager", "booking", "rezerwacje"],
        subject: "Rezerwacje z Booking.com nie wpadają do systemu|Brak nowych rezerwacji z kanałów OTA od rana",
        body: "Od około {hour}:00 żadna nowa rezerwacja z Booking.com nie pojawiła się w grafiku, a w extranecie widzimy kilka nowych. Boimy się overbookingu na weekend — mamy prawie pełne obłożenie.",
        question: "Czy w ostatnich dniach zmieniane było hasło do extranetu Booking.com albo mapowanie typów pokoi w channel managerze?",
        answer: "Tak, wczoraj kierownik zmienił hasło do extranetu Booking.com.",
        solution: "Po zmianie hasła połączenie channel managera z Booking.com było odrzucane. Zaktualizowaliśmy dane dostępowe i pobraliśmy zaległe rezerwacje — prosimy sprawdzić grafik na weekend. Przy kolejnej zmianie hasła prosimy od razu wpisać je w Ustawienia → Kanały sprzedaży.",
        note: "Kolejka rezerwacji OTA pobrana ręcznie, 6 rezerwacji, bez konfliktów.",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Gastronomia",
        kind: Kind::Incident,
        priority: Priority::Critical,
        tags: &["drukarka-fiskalna", "paragony"],
        subject: "Drukarka fiskalna w restauracji nie drukuje paragonów|Brak paragonów na barze — błąd komunikacji z drukarką",
        body: "Drukarka fiskalna przy barze w restauracji zgłasza „Błąd komunikacji z drukarką” i nie drukuje paragonów. Nie możemy przyjmować płatności, goście mogą tylko obciążać rachunkiem pokój.",
        question: "Prosimy sprawdzić, czy drukarka jest włączona i podłączona, i podać komunikat wyświetlany na samej drukarce.",
        answer: "Na wyświetlaczu drukarki jest komunikat „Wymagany raport dobowy”.",
        solution: "Drukarka blokowała sprzedaż do czasu wykonania zaległego raportu dobowego. Wykonaliśmy raport z poziomu programu i sprzedaż działa. Przypominamy o raporcie dobowym na koniec każdej zmiany — program może o nim przypominać (Ustawienia → Gastronomia → Przypomnienie o raporcie).",
        note: "Brak raportu dobowego z poprzedniego dnia — drukarka sama blokuje sprzedaż.",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Raporty",
        kind: Kind::Incident,
        priority: Priority::Fault,
        tags: &["raporty", "obłożenie"],
        subject: "Raport obłożenia pokazuje ponad 100%|Błędne dane w raporcie obłożenia za {day}",
        body: "Raport obłożenia za ostatni miesiąc pokazuje 112% obłożenia w dniu {day}, co jest niemożliwe. Zarząd czeka na raport do piątku.",
        question: "Czy w tym dniu były przeprowadzane zmiany pokoi w trakcie pobytu (przeniesienia gości)? Prosimy o eksport raportu do pliku.",
        answer: "Tak, tego dnia przenosiliśmy kilku gości z powodu awarii klimatyzacji na trzecim piętrze. Eksport wysłaliśmy mailem.",
        solution: "Raport liczył podwójnie noclegi gości przeniesionych do innego pokoju w trakcie doby. Przeliczyliśmy statystyki za ten miesiąc — raport pokazuje teraz poprawne 87%. Poprawka raportu wejdzie w kolejnej wersji; do tego czasu po przeniesieniach prosimy uruchamiać Raporty → Przelicz statystyki.",
        note: "Błąd znany, poprawka zaplanowana w wersji 2025.4.",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Fakturowanie",
        kind: Kind::Incident,
        priority: Priority::Fault,
        tags: &["faktury", "ksef"],
        subject: "Korekta faktury nie wysyła się do KSeF|Faktura FV/{n}/{year} wisi ze statusem „Oczekuje na wysyłkę”",
        body: "Korekta faktury FV/{n}/{year} od wczoraj ma status „Oczekuje na wysyłkę” do KSeF. Oryginalna faktura poszła bez problemu. Kontrahent dopytuje o numer KSeF korekty.",
        question: "Czy inne dokumenty wystawione od wczoraj zostały wysłane do KSeF? Prosimy sprawdzić datę ważności tokena w Ustawienia → KSeF.",
        answer: "Inne też czekają na wysyłkę. Token według ustawień był ważny do wczoraj.",
        solution: "Wygasł token autoryzacyjny KSeF, więc wysyłka dokumentów została wstrzymana. Po wygenerowaniu nowego tokena i wpisaniu go w ustawieniach kolejka została wysłana, korekta ma już numer KSeF. Prosimy ustawić sobie przypomnienie o odnowieniu tokena.",
        note: "Token KSeF wygasł. Warto dodać ostrzeżenie o wygasającym tokenie — propozycja do rozwoju.",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Recepcja",
        kind: Kind::Incident,
        priority: Priority::Fault,
        tags: &["meldowanie", "wydruki"],
        subject: "Nie drukują się karty meldunkowe|Karta meldunkowa nie wychodzi z drukarki",
        body: "Po kliknięciu „Drukuj kartę meldunkową” nic się nie dzieje. Faktury i potwierdzenia rezerwacji drukują się normalnie na tej samej drukarce. Meldujemy gości, ale karty wypisujemy ręcznie.",
        question: "Czy na stanowisku była ostatnio zmieniana drukarka domyślna lub sterownik? Prosimy o nazwę drukarki widoczną w Ustawienia → Wydruki.",
        answer: "Informatyk w piątek wymienił sterownik drukarki na nowszy.",
        solution: "Po zmianie sterownika drukarka zmieniła nazwę w systemie Windows, a szablon karty meldunkowej był przypisany do starej nazwy. Przypisaliśmy szablon do nowej drukarki — karty drukują się poprawnie.",
        note: "Szablony wydruków są przypięte do nazw drukarek — po wymianie sterownika zawsze to sprawdzić.",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Housekeeping",
        kind: Kind::Incident,
        priority: Priority::Fault,
        tags: &["housekeeping", "tablety"],
        subject: "Statusy pokoi z tabletów nie docierają na recepcję|Housekeeping: posprzątane pokoje nadal jako brudne",
        body: "Pokojowe oznaczają pokoje jako posprzątane na tabletach, ale na recepcji nadal widnieją jako brudne. Musimy dzwonić na piętra, żeby sprawdzić, czy pokój {room} jest gotowy dla gościa.",
        question: "Czy tablety są podłączone do hotelowej sieci Wi-Fi i jaką datę ostatniej synchronizacji pokazuje aplikacja housekeeping?",
        answer: "Tablety mają Wi-Fi, ostatnia synchronizacja pokazuje wczorajszą datę.",
        solution: "Usługa synchronizacji aplikacji housekeeping zatrzymała się po wygaśnięciu certyfikatu na serwerze. Odnowiliśmy certyfikat i zrestartowaliśmy usługę — statusy pokoi synchronizują się na bieżąco.",
        note: "Certyfikat serwera synchronizacji wygasł — dodać do kalendarza odnowień.",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Rezerwacje",
        kind: Kind::Incident,
        priority: Priority::Fault,
        tags: &["rezerwacje", "cennik"],
        subject: "Cena w rezerwacji inna niż w cenniku|Błędna cena pobytu w rezerwacji {n}",
        body: "Rezerwacja {n} na pokój dwuosobowy pokazuje 390 zł za dobę, a w cenniku na ten termin mamy 450 zł ze śniadaniem. Boimy się, że inne rezerwacje też mają złe ceny.",
        question: "Czy rezerwacja była zakładana z pakietu lub kodu rabatowego? Prosimy o nazwę planu cenowego widoczną w rezerwacji.",
        answer: "W rezerwacji jest plan „Weekend we dwoje”, ale gość rezerwował zwykły pokój.",
        solution: "Plan cenowy „Weekend we dwoje” miał ustawioną zbyt szeroką datę obowiązywania i był podpowiadany jako domyślny. Poprawiliśmy zakres dat planu i przeliczyliśmy ceny w 4 rezerwacjach, których to dotyczyło.",
        note: "Konfiguracja cennika po stronie klienta, bez błędu programu.",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Rezerwacje",
        kind: Kind::Incident,
        priority: Priority::Fault,
        tags: &["płatności", "rezerwacje"],
        subject: "Przedpłaty online nie księgują się w rezerwacjach|Rezerwacja {n} opłacona, a w systemie „Brak przedpłaty”",
        body: "Gość zapłacił online za rezerwację {n} przez bramkę płatniczą, w panelu bramki płatność jest widoczna, ale w rezerwacji nadal widnieje „Brak przedpłaty”. Dotyczy kilku rezerwacji od wczoraj.",
        question: "Czy zmieniali Państwo ostatnio klucze API lub adres powiadomień w panelu bramki płatności?",
        answer: "Księgowość zmieniała konto bankowe w panelu bramki, może przy okazji coś jeszcze.",
        solution: "Po zmianie w panelu bramki usunięty został adres powiadomień o płatnościach. Przywróciliśmy go i zaksięgowaliśmy zaległe płatności w 5 rezerwacjach.",
        note: "",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Recepcja",
        kind: Kind::Incident,
        priority: Priority::Standard,
        tags: &["wydajność"],
        subject: "Wolne działanie grafiku rezerwacji|Grafik otwiera się prawie minutę",
        body: "Od kilku dni otwieranie grafiku na 30 dni trwa prawie minutę, wcześniej kilka sekund. Dotyczy wszystkich stanowisk na recepcji.",
        question: "Czy w ostatnim czasie była aktualizacja programu antywirusowego lub przeniesienie bazy danych na inny serwer? Prosimy o zgodę na połączenie zdalne w godzinach 14–15.",
        answer: "Antywirus aktualizuje się sam, serwera nie zmienialiśmy. Zgoda na połączenie jest.",
        solution: "Indeksy bazy danych były mocno pofragmentowane, a zadanie nocnej konserwacji bazy było wyłączone. Przebudowaliśmy indeksy i włączyliśmy konserwację z powrotem — grafik otwiera się w 3 sekundy.",
        note: "Zadanie konserwacji bazy wyłączone — prawdopodobnie przy migracji serwera w zeszłym roku.",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Rezerwacje",
        kind: Kind::Incident,
        priority: Priority::Standard,
        tags: &["wydruki", "tłumaczenia"],
        subject: "Literówka na niemieckim potwierdzeniu rezerwacji|Błąd w tłumaczeniu potwierdzenia rezerwacji",
        body: "Na potwierdzeniu rezerwacji w języku niemieckim jest „Anreisse” zamiast „Anreise”. Goście z Niemiec zwracają nam uwagę.",
        question: "Czy korzystają Państwo ze standardowego szablonu potwierdzenia, czy z własnego?",
        answer: "Szablon jest standardowy, nic w nim nie zmienialiśmy.",
        solution: "Poprawiliśmy tłumaczenie w standardowym szablonie — poprawka jest już u Państwa i trafi do wszystkich klientów w najbliższej wersji.",
        note: "",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Fakturowanie",
        kind: Kind::Question,
        priority: Priority::Standard,
        tags: &["faktury", "zaliczki"],
        subject: "Jak wystawić fakturę zaliczkową do rezerwacji?|Faktura zaliczkowa do rezerwacji {n}",
        body: "Gość wpłacił zadatek 500 zł na rezerwację {n} i prosi o fakturę zaliczkową. Jak to zrobić, żeby przy wymeldowaniu faktura końcowa rozliczyła zaliczkę?",
        question: "Czy zadatek został już zaksięgowany w rezerwacji jako wpłata (zakładka Płatności)?",
        answer: "Tak, wpłata jest widoczna w zakładce Płatności.",
        solution: "W rezerwacji: zakładka Płatności → zaznacz wpłatę → „Wystaw fakturę zaliczkową”. Przy wymeldowaniu faktura końcowa sama pomniejszy kwotę o zaliczkę i pokaże ją w rozliczeniu. Instrukcja krok po kroku jest w bazie wiedzy: „Zaliczki i faktury końcowe”.",
        note: "",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Raporty",
        kind: Kind::Question,
        priority: Priority::Standard,
        tags: &["raporty", "gus"],
        subject: "Sprawozdanie KT-1 do GUS — skąd wziąć dane?|Jak przygotować raport do GUS (KT-1)?",
        body: "Zbliża się termin sprawozdania KT-1 do GUS. Czy program przygotowuje dane do tego formularza i gdzie je znaleźć?",
        question: "Czy w danych gości uzupełniany jest kraj zamieszkania? Od tego zależy podział na turystów krajowych i zagranicznych.",
        answer: "Kraj uzupełniamy przy meldowaniu, chyba że rezerwacja przyszła z portalu.",
        solution: "Raport znajduje się w Raporty → Urzędowe → GUS KT-1. Wystarczy wybrać miesiąc i kliknąć „Przelicz” — raport pokaże liczbę korzystających i udzielonych noclegów z podziałem na kraje. Gości bez kraju raport wypisze osobno, warto ich uzupełnić przed wysłaniem.",
        note: "",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Fakturowanie",
        kind: Kind::Question,
        priority: Priority::Standard,
        tags: &["faktury", "paragony"],
        subject: "Faktura do paragonu po wyjeździe gościa|Gość prosi o fakturę na firmę do paragonu",
        body: "Gość po wyjeździe poprosił o fakturę na firmę, a przy wymeldowaniu dostał paragon. Czy możemy wystawić fakturę do tego paragonu i jak to zrobić?",
        question: "Czy na paragonie był wydrukowany NIP nabywcy? Prosimy o numer paragonu.",
        answer: "Paragon nr {n}, NIP nie był podany.",
        solution: "Fakturę do paragonu wystawia się w Dokumenty → Paragony → wybierz paragon → „Wystaw fakturę do paragonu”. Uwaga: firmie można wystawić fakturę do paragonu tylko wtedy, gdy paragon zawiera NIP nabywcy — bez NIP-u możliwa jest wyłącznie faktura imienna. Warto przy wymeldowaniu pytać gości o NIP.",
        note: "",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Gastronomia",
        kind: Kind::Question,
        priority: Priority::Standard,
        tags: &["gastronomia", "rachunki"],
        subject: "Jak obciążyć pokój rachunkiem z restauracji?|Przeniesienie rachunku ze stolika na pokój",
        body: "Nowy kelner pyta, jak przenieść rachunek ze stolika na pokój gościa. Czy da się to zrobić w programie gastronomicznym bez chodzenia na recepcję?",
        question: "Czy kelner ma w programie uprawnienie „Obciążanie pokoi”?",
        answer: "Nie wiemy, gdzie to sprawdzić.",
        solution: "W programie gastronomicznym: otwórz rachunek stolika → „Płatność” → „Na pokój” → wybierz numer pokoju i nazwisko gościa. Rachunek pojawi się w rozliczeniu pobytu na recepcji. Opcja wymaga uprawnienia „Obciążanie pokoi”, które nadaje kierownik restauracji w Ustawienia → Użytkownicy.",
        note: "",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Rezerwacje",
        kind: Kind::DevelopmentRequest,
        priority: Priority::DevelopmentRequest,
        tags: &["rozwój", "sms"],
        subject: "Propozycja: SMS z przypomnieniem o przyjeździe|Prośba o automatyczne SMS-y do gości przed przyjazdem",
        body: "Chcielibyśmy, żeby system dzień przed przyjazdem wysyłał gościom SMS z godziną zameldowania i linkiem do meldunku online. Teraz recepcja dzwoni do gości ręcznie.",
        question: "Z jakiej bramki SMS korzystają Państwo obecnie? Czy treść ma być w kilku językach?",
        answer: "Mamy konto w SMSAPI. Treść po polsku, angielsku i niemiecku.",
        solution: "Dziękujemy za propozycję. Funkcja przypomnień SMS została przyjęta do planu rozwoju — integracja z SMSAPI i szablony w kilku językach. Uzgodniony termin jest w zgłoszeniu; poinformujemy, w której wersji funkcja będzie dostępna.",
        note: "Podobna prośba od kilku innych hoteli — przekazane product ownerowi.",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Raporty",
        kind: Kind::DevelopmentRequest,
        priority: Priority::DevelopmentRequest,
        tags: &["rozwój", "raporty"],
        subject: "Propozycja: raport przychodów według kanałów sprzedaży|Prośba o raport porównawczy kanałów OTA",
        body: "Prosimy o raport przychodów z podziałem na kanały sprzedaży (Booking.com, Expedia, strona www, telefon) z porównaniem do poprzedniego roku. Teraz zestawiamy to ręcznie w Excelu.",
        question: "Czy raport ma uwzględniać prowizje kanałów, czy wyłącznie przychód brutto?",
        answer: "Najlepiej jedno i drugie — przychód i przychód po prowizji.",
        solution: "Propozycja przyjęta do planu rozwoju: raport przychodów według kanałów, z prowizjami i porównaniem rok do roku. Termin uzgodniony w zgłoszeniu; do tego czasu można użyć eksportu rezerwacji do Excela z kolumną „Kanał”.",
        note: "",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Fakturowanie",
        kind: Kind::DevelopmentRequest,
        priority: Priority::DevelopmentRequest,
        tags: &["rozwój", "faktury"],
        subject: "Propozycja: zbiorcza wysyłka faktur e-mailem do biur podróży|Prośba o masową wysyłkę faktur",
        body: "Co miesiąc wystawiamy kilkadziesiąt faktur dla biur podróży i każdą wysyłamy osobno. Czy mogłaby powstać funkcja zbiorczej wysyłki faktur e-mailem z jednego miejsca?",
        question: "Czy faktury mają trafiać na adres z kartoteki kontrahenta, czy na osobny adres do faktur?",
        answer: "Na osobny adres do faktur — biura mają zwykle osobną skrzynkę księgowości.",
        solution: "Propozycja przyjęta do planu rozwoju: zbiorcza wysyłka faktur na adres do faktur z kartoteki kontrahenta, z potwierdzeniem wysyłki. Termin uzgodniony w zgłoszeniu.",
        note: "",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Recepcja",
        kind: Kind::TrainingRequest,
        priority: Priority::Standard,
        tags: &["szkolenia"],
        subject: "Szkolenie dla nowych pracowników recepcji|Prośba o szkolenie z PremiumHotel",
        body: "Od przyszłego miesiąca zatrudniamy dwie nowe osoby na recepcji. Czy możemy umówić szkolenie z obsługi programu — meldowanie, rezerwacje, fakturowanie?",
        question: "Ile osób weźmie udział i czy szkolenie ma być zdalne, czy w hotelu?",
        answer: "Dwie osoby, najlepiej zdalnie, przed południem.",
        solution: "Dziękujemy za zgłoszenie. Szkoleń nie prowadzimy w ramach zgłoszeń serwisowych — zapraszamy do katalogu szkoleń: „Recepcja — podstawy” (4 h), „Fakturowanie i KSeF” (2 h), „Raporty dla kierownika” (2 h), zdalnie lub w hotelu. Termin można zarezerwować przez formularz szkoleń w portalu lub u opiekuna handlowego.",
        note: "",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Recepcja",
        kind: Kind::OutOfScope,
        priority: Priority::Standard,
        tags: &["poza-zakresem", "sprzęt"],
        subject: "Prośba o instalację nowej drukarki na recepcji|Nowa drukarka — prosimy o podłączenie",
        body: "Kupiliśmy nową drukarkę laserową na recepcję. Czy możecie ją zainstalować na komputerze i ustawić jako domyślną?",
        question: "Czy drukarka jest już zainstalowana w systemie Windows, a chodzi tylko o wybranie jej w programie?",
        answer: "Nie, jeszcze nie jest zainstalowana.",
        solution: "{local_it} Gdy drukarka będzie zainstalowana w systemie Windows, chętnie pomożemy ustawić ją w programie (Ustawienia → Wydruki).",
        note: "",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Recepcja",
        kind: Kind::OutOfScope,
        priority: Priority::Standard,
        tags: &["poza-zakresem", "sieć"],
        subject: "Po aktualizacji Windows komputer na recepcji nie ma sieci|Komputer recepcji stracił połączenie z siecią",
        body: "Po nocnej aktualizacji Windows komputer na recepcji nie łączy się z siecią, więc program nie działa na tym stanowisku. Na drugim komputerze wszystko jest w porządku.",
        question: "Czy na tym komputerze działają inne programy korzystające z sieci, np. przeglądarka?",
        answer: "Nie, przeglądarka też nie łączy się z internetem.",
        solution: "{local_it} Gdy komputer odzyska połączenie z siecią, program zadziała bez dodatkowych zmian; na czas naprawy można pracować na drugim stanowisku.",
        note: "",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Rezerwacje",
        kind: Kind::ServiceRequest,
        priority: Priority::Standard,
        tags: &["konfiguracja", "pokoje"],
        subject: "Dodanie nowego typu pokoju — apartament rodzinny|Prośba o konfigurację nowego typu pokoju",
        body: "Po remoncie mamy dwa nowe apartamenty rodzinne (pokoje 501 i 502). Prosimy o dodanie typu pokoju „Apartament rodzinny” z cennikiem i podpięcie go do channel managera.",
        question: "Prosimy o ceny w sezonie i poza sezonem oraz maksymalne obłożenie (dorośli/dzieci).",
        answer: "Sezon 890 zł, poza sezonem 690 zł, maksymalnie 2 dorosłych i 3 dzieci.",
        solution: "Dodaliśmy typ pokoju „Apartament rodzinny”, pokoje 501 i 502, cennik sezonowy i pozasezonowy oraz mapowanie w channel managerze. Prosimy sprawdzić, czy apartamenty są widoczne w Booking.com (aktualizacja może potrwać do godziny).",
        note: "",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Recepcja",
        kind: Kind::ServiceRequest,
        priority: Priority::Standard,
        tags: &["aktualizacja"],
        subject: "Aktualizacja PremiumHotel do najnowszej wersji|Prośba o termin aktualizacji programu",
        body: "Prosimy o aktualizację PremiumHotel do najnowszej wersji. Najlepszy termin to noc z wtorku na środę, kiedy mamy najmniejsze obłożenie.",
        question: "Czy noc z wtorku na środę od 23:00 odpowiada? Prosimy o potwierdzenie, że nocna zmiana może przez ok. 30 minut nie korzystać z programu.",
        answer: "Tak, pasuje. Nocna zmiana jest uprzedzona.",
        solution: "Aktualizacja do najnowszej wersji zakończona o 23:40, program działa na wszystkich stanowiskach. Lista zmian jest w portalu w sekcji „Nowości w wersji”.",
        note: "",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Fakturowanie",
        kind: Kind::ServiceRequest,
        priority: Priority::Standard,
        tags: &["opłata-miejscowa", "konfiguracja"],
        subject: "Zmiana stawki opłaty miejscowej od 1 stycznia|Nowa stawka opłaty miejscowej",
        body: "Rada gminy podniosła stawkę opłaty miejscowej do 3,20 zł za dobę od 1 stycznia. Prosimy o zmianę w programie, żeby rezerwacje na przyszły rok naliczały nową stawkę.",
        question: "Czy nowa stawka ma obowiązywać również dla rezerwacji już założonych na pobyty od 1 stycznia?",
        answer: "Tak, dla wszystkich pobytów od 1 stycznia.",
        solution: "Dodaliśmy nową stawkę opłaty miejscowej od 1 stycznia i przeliczyliśmy 37 rezerwacji na pobyty w przyszłym roku. Wcześniejsze pobyty naliczają dotychczasową stawkę.",
        note: "",
    },
    // ---------------------------------------------------------------- Kuracjusz
    Topic {
        product: Prod::Kuracjusz,
        module: "Kasa SPA",
        kind: Kind::Incident,
        priority: Priority::Critical,
        tags: &["karnety", "sprzedaż"],
        subject: "Nie można sprzedać karnetu — błąd zapisu transakcji|Kasa SPA: sprzedaż karnetów nie działa",
        body: "Przy sprzedaży karnetu na 10 wejść na basen kasa pokazuje „Błąd zapisu transakcji” i paragon się nie drukuje. Kolejka do kasy, goście odchodzą. Pojedyncze wejścia sprzedają się normalnie.",
        question: "Czy błąd dotyczy wszystkich rodzajów karnetów, czy tylko karnetu basenowego? Czy cennik karnetów był ostatnio zmieniany?",
        answer: "Tylko basenowy. Wczoraj zmienialiśmy cenę tego karnetu od nowego miesiąca.",
        solution: "Nowa pozycja cennika karnetu basenowego nie miała przypisanej stawki VAT, przez co transakcji nie dało się zapisać i zafiskalizować. Uzupełniliśmy stawkę VAT (8%) — karnety sprzedają się poprawnie.",
        note: "Cennik powinien wymagać stawki VAT — zgłosić do rozwoju.",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Drukarka fiskalna",
        kind: Kind::Incident,
        priority: Priority::Critical,
        tags: &["drukarka-fiskalna", "paragony"],
        subject: "Drukarka fiskalna w recepcji SPA nie drukuje|Brak paragonów w SPA — drukarka fiskalna niedostępna",
        body: "Drukarka fiskalna w recepcji SPA od rana jest niewidoczna dla programu — komunikat „Urządzenie fiskalne niedostępne”. Nie możemy wydawać paragonów za zabiegi.",
        question: "Czy drukarka jest podłączona przez sieć (LAN), czy przez USB? Czy zmieniało się ostatnio coś w sieci lub w routerze?",
        answer: "Przez sieć. Wczoraj firma od internetu wymieniała router.",
        solution: "Po wymianie routera drukarka fiskalna dostała inny adres IP. Lokalny informatyk ustawił jej stały adres, a my wpisaliśmy go w Ustawienia → Urządzenia fiskalne — paragony drukują się poprawnie.",
        note: "Przyczyna po stronie sieci lokalnej klienta; pomogliśmy w konfiguracji programu.",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Karnety i vouchery",
        kind: Kind::Incident,
        priority: Priority::Critical,
        tags: &["vouchery", "sklep-internetowy"],
        subject: "Vouchery kupione online są nieaktywne|Nie da się zrealizować vouchera {n}",
        body: "Goście przychodzą z voucherami kupionymi w sklepie internetowym (np. nr {n}), a kasa pokazuje „Voucher nieaktywny”, choć są opłacone. Mamy dziś kilkanaście wizyt na vouchery.",
        question: "Czy w sklepie internetowym vouchery mają status „Opłacony”? Od kiedy występuje problem?",
        answer: "W sklepie są opłacone. Problem jest od wczorajszego popołudnia.",
        solution: "Import voucherów ze sklepu internetowego zatrzymał się na jednym voucherze z nieprawidłową datą ważności. Pominęliśmy błędny rekord i zaimportowaliśmy zaległe vouchery — można je realizować. Błędny voucher poprawimy ręcznie po kontakcie ze sklepem.",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Serwer",
        kind: Kind::Incident,
        priority: Priority::Critical,
        tags: &["serwer", "baza-danych"],
        subject: "Kuracjusz nie uruchamia się po restarcie serwera|Brak połączenia z bazą danych na wszystkich stanowiskach",
        body: "Po nocnym restarcie serwera program Kuracjusz nie startuje na żadnym stanowisku — komunikat „Brak połączenia z bazą danych”. Recepcja zabiegowa nie może rejestrować kuracjuszy.",
        question: "Prosimy lokalnego administratora o sprawdzenie, czy serwer działa i czy usługa bazy danych jest uruchomiona.",
        answer: "Informatyk sprawdził — serwer działa, ale usługa bazy danych nie wystartowała.",
        solution: "Po aktualizacji systemu serwera usługa bazy danych została przestawiona na uruchamianie ręczne. Ustawiliśmy start automatyczny i uruchomiliśmy usługę — program działa na wszystkich stanowiskach. Prosimy lokalne IT o sprawdzanie tego ustawienia po każdej aktualizacji serwera.",
        note: "Przyczyna: aktualizacja systemu operacyjnego serwera po stronie klienta.",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Kasa SPA",
        kind: Kind::Incident,
        priority: Priority::Critical,
        tags: &["płatności", "terminal"],
        subject: "Płatności kartą w SPA nie przechodzą|Terminal płatniczy nie łączy się z kasą",
        body: "Terminal płatniczy w SPA nie odbiera kwot z kasy — po wybraniu płatności kartą kasa czeka i po minucie pokazuje „Brak odpowiedzi terminala”. Przyjmujemy tylko gotówkę.",
        question: "Czy terminal działa samodzielnie (kwota wpisana ręcznie na terminalu)? Czy był ostatnio aktualizowany przez operatora?",
        answer: "Samodzielnie działa. Operator w nocy zaktualizował terminal.",
        solution: "Po aktualizacji terminal zmienił port komunikacji. Wpisaliśmy nowy port w Ustawienia → Terminale płatnicze — płatności kartą przechodzą.",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Grafik zabiegów",
        kind: Kind::Incident,
        priority: Priority::Fault,
        tags: &["grafik", "zabiegi"],
        subject: "Zabiegi nakładają się w grafiku fizjoterapeuty|Podwójne rezerwacje zabiegów w grafiku",
        body: "W grafiku fizjoterapeuty na {day} program pozwolił zapisać dwóch kuracjuszy na tę samą godzinę (masaż klasyczny 10:00). Wcześniej pokazywał konflikt.",
        question: "Czy zabiegi były zapisywane z dwóch stanowisk w tym samym czasie, czy jeden z nich przyszedł z rezerwacji online?",
        answer: "Jeden zapisany na recepcji, drugi przez rezerwację online.",
        solution: "Rezerwacja online nie sprawdzała blokady gabinetu przy zabiegach dłuższych niż 45 minut. Wgraliśmy poprawkę — konflikty są wykrywane również dla rezerwacji online. Nakładające się terminy na {day} prosimy przesunąć ręcznie.",
        note: "Poprawka 2025.3.4 wgrana u klienta.",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Rezerwacje online",
        kind: Kind::Incident,
        priority: Priority::Fault,
        tags: &["rezerwacje-online", "grafik"],
        subject: "Rezerwacja online pokazuje zajęte terminy jako wolne|Strona rezerwacji zabiegów nie widzi zajętych godzin",
        body: "Na stronie rezerwacji online zabiegów goście widzą wolne terminy, które w grafiku są dawno zajęte. Dzisiaj dwie osoby przyszły na ten sam zabieg.",
        question: "Czy grafik był zmieniany ręcznie (przesuwanie zabiegów) przed pojawieniem się problemu?",
        answer: "Tak, w poniedziałek przesuwaliśmy cały grafik o godzinę z powodu szkolenia personelu.",
        solution: "Przesunięcia grafiku nie zostały przesłane do modułu rezerwacji online (kolejka synchronizacji zatrzymała się na jednym błędnym wpisie). Wyczyściliśmy kolejkę i zsynchronizowaliśmy grafik — strona pokazuje aktualne terminy.",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Karnety i vouchery",
        kind: Kind::Incident,
        priority: Priority::Fault,
        tags: &["karnety", "bramki"],
        subject: "Karnet nie nalicza wejść na siłownię|Wejścia z karnetu {n} nie są odejmowane",
        body: "Karnet na siłownię nr {n} nie odlicza wejść — gość był 6 razy, a karnet nadal pokazuje 10 wejść do wykorzystania.",
        question: "Czy wejście jest rejestrowane czytnikiem przy bramce, czy ręcznie w kasie?",
        answer: "Czytnikiem przy bramce.",
        solution: "Czytnik przy bramce siłowni był przypisany do strefy „Basen”, więc wejścia na siłownię nie odejmowały się z karnetu. Przypisaliśmy czytnik do właściwej strefy i poprawiliśmy saldo karnetu {n}.",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Raporty",
        kind: Kind::Incident,
        priority: Priority::Fault,
        tags: &["raporty", "drukarka-fiskalna"],
        subject: "Raport dzienny nie zgadza się z raportem fiskalnym|Różnica między raportem kasowym a dobowym za {day}",
        body: "Raport dzienny z kasy SPA za {day} pokazuje 8 420 zł, a raport dobowy z drukarki fiskalnej 8 180 zł. Różnica to 240 zł, księgowość prosi o wyjaśnienie.",
        question: "Czy tego dnia sprzedawane były vouchery opłacone przelewem lub w sklepie internetowym?",
        answer: "Tak, sprzedaliśmy dwa vouchery po 120 zł opłacone przelewem.",
        solution: "Różnica to dwa vouchery opłacone przelewem — nie są fiskalizowane na drukarce, ale raport dzienny wlicza je do obrotu. Raport dzienny ma filtr „Tylko sprzedaż fiskalna”: po jego włączeniu kwoty są zgodne. To nie jest błąd programu.",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Rozliczenia NFZ",
        kind: Kind::Incident,
        priority: Priority::Fault,
        tags: &["nfz", "eksport"],
        subject: "Błąd eksportu świadczeń do NFZ|Plik rozliczenia z NFZ odrzucony przez walidację",
        body: "Przy eksporcie rozliczenia świadczeń uzdrowiskowych za poprzedni miesiąc pojawia się błąd walidacji pliku XML: „Niepoprawny kod świadczenia w pozycji 214”. Termin wysyłki mija pojutrze.",
        question: "Prosimy o numer skierowania kuracjusza z pozycji 214 (widoczny w podglądzie eksportu).",
        answer: "Skierowanie nr {n}.",
        solution: "W skierowaniu był wpisany kod zabiegu ze starego słownika NFZ. Zaktualizowaliśmy słownik świadczeń do bieżącej wersji i poprawiliśmy kod w skierowaniu — plik eksportu przechodzi walidację.",
        note: "Słownik NFZ był nieaktualny — sprawdzić u pozostałych uzdrowisk.",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Karta kuracjusza",
        kind: Kind::Incident,
        priority: Priority::Fault,
        tags: &["karta-kuracjusza"],
        subject: "Nie zapisują się zalecenia lekarskie w karcie kuracjusza|Zalecenia lekarza znikają po zapisaniu",
        body: "Lekarz uzdrowiskowy wpisuje zalecenia w karcie kuracjusza, ale po zapisaniu pole jest puste. Musimy wpisywać zalecenia na papierze.",
        question: "Czy dotyczy to wszystkich kuracjuszy, czy tylko niektórych? Czy zalecenia są dłuższe niż jedna strona?",
        answer: "Chyba tylko dłuższych zaleceń — krótkie się zapisują.",
        solution: "Pole zaleceń miało limit 2000 znaków i dłuższy tekst był odrzucany bez komunikatu. Zwiększyliśmy limit i dodaliśmy komunikat o przekroczeniu długości — zalecenia zapisują się poprawnie. Prosimy o ponowne wpisanie zaleceń z ostatnich dni.",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Kasa SPA",
        kind: Kind::Incident,
        priority: Priority::Standard,
        tags: &["wydajność"],
        subject: "Powolne wyszukiwanie gości w kasie SPA|Wyszukiwanie kuracjusza trwa kilkanaście sekund",
        body: "Wyszukiwanie kuracjusza po nazwisku w kasie SPA trwa po kilkanaście sekund. Przy większym ruchu robi się kolejka.",
        question: "Czy problem występuje na wszystkich stanowiskach i o każdej porze, czy np. tylko rano?",
        answer: "Na wszystkich, najgorzej rano.",
        solution: "W bazie było ponad 200 tys. archiwalnych wizyt bez indeksu po nazwisku (po migracji danych ze starego systemu). Dodaliśmy brakujący indeks — wyszukiwanie trwa poniżej sekundy.",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Karnety i vouchery",
        kind: Kind::Incident,
        priority: Priority::Standard,
        tags: &["wydruki", "vouchery"],
        subject: "Krzaczki zamiast polskich znaków na voucherze|Niepoprawne polskie znaki na wydruku vouchera",
        body: "Na wydrukowanych voucherach zamiast „ż”, „ś” i „ą” są dziwne znaki, np. „Masa┼╝ relaksacyjny”.",
        question: "Czy voucher drukowany jest na drukarce termicznej, czy zwykłej? Prosimy o zdjęcie wydruku.",
        answer: "Na termicznej w recepcji SPA, zdjęcie wysłaliśmy mailem.",
        solution: "Drukarka termiczna miała ustawioną stronę kodową bez polskich znaków. Zmieniliśmy w ustawieniach wydruku kodowanie na Windows-1250 — vouchery drukują się poprawnie.",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Karnety i vouchery",
        kind: Kind::Question,
        priority: Priority::Standard,
        tags: &["karnety"],
        subject: "Jak przenieść wejścia z karnetu na inną osobę?|Przepisanie karnetu {n} na członka rodziny",
        body: "Kuracjuszka kupiła karnet na 10 zabiegów, wykorzystała 4 i chce przekazać resztę mężowi. Czy program pozwala przenieść niewykorzystane wejścia?",
        question: "Czy karnet jest imienny, czy na okaziciela?",
        answer: "Imienny.",
        solution: "Tak: Karnety → wyszukaj karnet → „Przenieś saldo” → wybierz osobę docelową. Operacja wymaga uprawnienia kierownika SPA i zostaje zapisana w historii karnetu; karnet źródłowy zostanie zamknięty.",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Cenniki",
        kind: Kind::Question,
        priority: Priority::Standard,
        tags: &["cennik"],
        subject: "Jak ustawić cennik zabiegów na sezon letni?|Cennik sezonowy zabiegów",
        body: "Od czerwca do września chcemy mieć wyższe ceny części zabiegów. Czy można przygotować cennik sezonowy z wyprzedzeniem, tak żeby przełączył się sam?",
        question: "Czy zmiana dotyczy również pakietów pobytowych, czy tylko pojedynczych zabiegów?",
        answer: "Tylko pojedynczych zabiegów.",
        solution: "Tak: Cenniki → „Nowy cennik” → daty obowiązywania 1.06–30.09 → „Kopiuj pozycje z cennika podstawowego”, a następnie zmiana cen wybranych zabiegów. Program sam przełączy cennik w dniu rozpoczęcia; rezerwacje założone wcześniej zachowają ceny z chwili rezerwacji.",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Kasa SPA",
        kind: Kind::DevelopmentRequest,
        priority: Priority::DevelopmentRequest,
        tags: &["rozwój", "aplikacja-mobilna"],
        subject: "Propozycja: sprzedaż karnetów w aplikacji mobilnej|Prośba o zakup karnetów przez aplikację",
        body: "Goście pytają, czy mogą kupić lub przedłużyć karnet na basen w aplikacji na telefonie, bez podchodzenia do kasy. Czy planujecie taką funkcję?",
        question: "Czy płatność ma iść przez tę samą bramkę, z której korzysta sklep z voucherami?",
        answer: "Tak, przez tę samą.",
        solution: "Propozycja przyjęta do planu rozwoju: zakup i przedłużanie karnetów w aplikacji mobilnej z płatnością przez obecną bramkę. Uzgodniony termin jest w zgłoszeniu.",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Grafik zabiegów",
        kind: Kind::DevelopmentRequest,
        priority: Priority::DevelopmentRequest,
        tags: &["rozwój", "sms"],
        subject: "Propozycja: SMS z przypomnieniem o zabiegu|Automatyczne przypomnienia o zabiegach",
        body: "Kuracjusze często zapominają o zabiegach popołudniowych. Czy program mógłby wysyłać SMS godzinę przed zabiegiem?",
        question: "Czy przypomnienie ma iść dla wszystkich zabiegów, czy tylko dla wybranych gabinetów?",
        answer: "Dla wszystkich, z możliwością wyłączenia dla kuracjusza.",
        solution: "Propozycja przyjęta do planu rozwoju: przypomnienia SMS przed zabiegiem z możliwością rezygnacji przez kuracjusza. Termin uzgodniony w zgłoszeniu.",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Grafik zabiegów",
        kind: Kind::TrainingRequest,
        priority: Priority::Standard,
        tags: &["szkolenia"],
        subject: "Szkolenie z grafiku zabiegów dla nowych terapeutów|Prośba o szkolenie z programu Kuracjusz",
        body: "Zatrudniliśmy czterech nowych terapeutów. Prosimy o szkolenie z obsługi grafiku zabiegów i kart kuracjusza.",
        question: "Czy szkolenie ma objąć również rozliczenia NFZ, czy tylko grafik i karty?",
        answer: "Tylko grafik i karty kuracjusza.",
        solution: "Dziękujemy za zgłoszenie. Szkoleń nie prowadzimy w ramach zgłoszeń serwisowych — zapraszamy do katalogu szkoleń: „Grafik zabiegów” (2 h), „Karta kuracjusza” (2 h), „Kasa SPA i karnety” (3 h), zdalnie lub na miejscu. Termin można zarezerwować przez formularz szkoleń w portalu.",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Kasa SPA",
        kind: Kind::OutOfScope,
        priority: Priority::Standard,
        tags: &["poza-zakresem", "uprawnienia"],
        subject: "Nadanie uprawnień do folderu sieciowego dla kasy|Kasa nie ma dostępu do folderu z cennikami",
        body: "Nowa pracownica kasy nie ma dostępu do folderu sieciowego z cennikami na serwerze. Czy możecie nadać jej uprawnienia?",
        question: "Czy chodzi o folder w systemie Windows na serwerze, czy o uprawnienia w programie Kuracjusz?",
        answer: "O folder na serwerze.",
        solution: "{local_it} Uprawnienia w samym programie Kuracjusz nadaje kierownik w Ustawienia → Użytkownicy.",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Cenniki",
        kind: Kind::ServiceRequest,
        priority: Priority::Standard,
        tags: &["cennik", "import"],
        subject: "Import nowego cennika zabiegów|Prośba o wczytanie cennika zabiegów z pliku Excel",
        body: "Przesyłamy cennik zabiegów na nowy rok w pliku Excel (ok. 120 pozycji). Prosimy o import do programu z datą obowiązywania od 1 stycznia.",
        question: "Czy w pliku są kody zabiegów zgodne z obecnymi, czy część zabiegów jest nowa?",
        answer: "Kilkanaście zabiegów jest nowych, reszta ma stare kody.",
        solution: "Zaimportowaliśmy cennik: 108 pozycji zaktualizowanych, 14 nowych zabiegów dodanych do słownika. Cennik obowiązuje od 1 stycznia; prosimy sprawdzić nowe zabiegi w grafiku (czas trwania i gabinet).",
        note: "",
    },
    Topic {
        product: Prod::Kuracjusz,
        module: "Kasa SPA",
        kind: Kind::ServiceRequest,
        priority: Priority::Standard,
        tags: &["konfiguracja", "stanowiska"],
        subject: "Dodanie nowego stanowiska kasowego w SPA|Prośba o konfigurację drugiej kasy",
        body: "Otwieramy drugie stanowisko kasowe w strefie basenów. Komputer i drukarka fiskalna są już podłączone przez naszego informatyka. Prosimy o konfigurację programu na nowym stanowisku.",
        question: "Prosimy o nazwę komputera i numer unikatowy drukarki fiskalnej.",
        answer: "Komputer KASA-BASEN, drukarka o numerze unikatowym ABC{n}.",
        solution: "Skonfigurowaliśmy stanowisko KASA-BASEN: licencja, drukarka fiskalna, strefa „Basen”. Prosimy o próbną sprzedaż i raport dobowy na koniec dnia.",
        note: "",
    },
];

/// A major incident: several hotels report it within an hour; one ticket is the parent.
const MAJOR_INCIDENT: Topic = Topic {
    product: Prod::PremiumHotel,
    module: "Channel manager",
    kind: Kind::Incident,
    priority: Priority::Critical,
    tags: &["channel-manager", "awaria-globalna"],
    subject: "Channel manager nie aktualizuje dostępności w kanałach OTA|Brak synchronizacji cen i dostępności z Booking.com",
    body: "Od około {hour}:00 zmiany dostępności i cen nie przechodzą do Booking.com i Expedii. W extranecie widzimy stare ceny, a sprzedaliśmy już ostatni pokój na sobotę.",
    question: "Potwierdzamy problem po stronie serwera channel managera — dotyczy kilku hoteli. Pracujemy nad przywróceniem synchronizacji; prosimy na razie nie zmieniać ręcznie dostępności w extranetach.",
    answer: "Rozumiemy, czekamy na informację.",
    solution: "Synchronizacja z kanałami OTA została przywrócona — przyczyną była awaria u pośrednika połączeń z kanałami (odrzucał połączenia po zmianie certyfikatu). Zaległe zmiany dostępności i cen zostały wysłane; prosimy sprawdzić, czy w kanałach nie ma nadsprzedaży na najbliższy weekend.",
    note: "Awaria globalna — zgłoszenia pozostałych hoteli podpięte jako podrzędne do zgłoszenia głównego.",
};
const MAJOR_INCIDENT_HOTELS: &[&str] =
    &["Hotel Pod Różami", "Hotel Bałtyk Sopot", "Hotel Bałtyk Kołobrzeg", "Wisła Resort & SPA"];

/// Opened by monitoring; the product comes from the installation.
const MONITORING: &[Topic] = &[
    Topic {
        product: Prod::PremiumHotel,
        module: "Serwer",
        kind: Kind::Incident,
        priority: Priority::Critical,
        tags: &["monitoring", "heartbeat"],
        subject: "Monitoring: brak sygnału z instalacji {inst}",
        body: "Instalacja „{inst}” nie wysłała sygnału życia (heartbeat) od 10 minut. Ostatni sygnał: {time}.",
        question: "Serwer aplikacji nie odpowiada; lokalny informatyk sprawdza zasilanie i połączenie w serwerowni.",
        answer: "Był zanik zasilania w serwerowni i UPS nie wytrzymał. Serwer już działa.",
        solution: "Sygnał z instalacji wrócił, program działa na wszystkich stanowiskach. Po nagłym wyłączeniu sprawdziliśmy spójność bazy danych — bez błędów. Zalecamy przegląd UPS w serwerowni.",
        note: "Alert z monitoringu, klient sam nie zgłaszał — nocna zmiana pracowała na wydrukach.",
    },
    Topic {
        product: Prod::PremiumHotel,
        module: "Serwer",
        kind: Kind::Incident,
        priority: Priority::Fault,
        tags: &["monitoring", "dysk"],
        subject: "Monitoring: kończy się miejsce na dysku serwera ({inst})",
        body: "Alert monitoringu: na dysku z bazą danych instalacji „{inst}” zostało 4% wolnego miejsca.",
        question: "Czy możemy usunąć z dysku serwera kopie zapasowe starsze niż 30 dni? Kopie są też na serwerze zapasowym.",
        answer: "Tak, zgadzamy się.",
        solution: "Usunęliśmy stare lokalne kopie zapasowe i logi — wolne miejsce to teraz 38%. Ustawiliśmy automatyczne czyszczenie kopii starszych niż 30 dni.",
        note: "",
    },
];

const NOTES: &[&str] = &[
    "Sprawdzone w logach serwera aplikacji — brak błędów po stronie usługi, problem występuje lokalnie u klienta.",
    "Podobne zgłoszenie było w zeszłym miesiącu, to samo obejście zadziałało.",
    "Połączenie zdalne umówione na 14:00, dane dostępowe VPN u opiekuna klienta.",
    "Skonsultowane z zespołem rozwoju — to nie jest znany błąd, zbieramy logi.",
    "Klient pracuje całą dobę — pilnować czasu reakcji.",
];
const FOLLOW_UPS: &[&str] = &[
    "Dodam, że problem występuje też na drugim stanowisku.",
    "Czy ktoś już się tym zajmuje? Bardzo prosimy o kontakt.",
    "Uzupełniam: restart komputera i programu nie pomógł.",
];
const THANKS: &[&str] = &[
    "Dziękujemy za szybką odpowiedź, czekamy na dalsze informacje.",
    "Dziękujemy, informacja przekazana kierownikowi zmiany.",
];
const CONFIRMATIONS: &[&str] =
    &["Potwierdzam, działa. Dziękujemy!", "Wszystko w porządku, dziękujemy za pomoc.", "Działa, można zamknąć."];
const REOPEN: &str = "Niestety problem wrócił — dziś rano ten sam objaw. Prosimy o ponowne sprawdzenie.";
const REOPEN_FIX: &str = "Sprawdziliśmy ponownie: poprzednia poprawka nie objęła wszystkich stanowisk. Poprawiliśmy \
    konfigurację na pozostałych komputerach — teraz powinno działać wszędzie.";
const AUTO_CLOSE: &str = "Zamknięte automatycznie: brak odpowiedzi klienta przez 7 dni od rozwiązania.";

// ------------------------------------------------------------------ planning

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Customer,
    Agent,
    Supervisor,
}

enum Step {
    /// Assignment, tags, priority confirmation, agreed date, parent: the support's triage.
    Triage(TicketChanges),
    Article {
        who: Who,
        kind: ArticleKind,
        body: String,
        call: Option<Call>,
    },
    Status {
        who: Who,
        to: Status,
        reason: Option<String>,
    },
}

/// One ticket to write: who opens it, how, and what happens to it afterwards.
struct Plan {
    at: Timestamp,
    /// Opened by the requester (portal or API) or by the agent (phone, e-mail, monitoring).
    by_customer: bool,
    via_api: bool,
    requester: i64,
    agent: usize,
    ticket: NewTicket,
    steps: Vec<(Timestamp, Step)>,
    /// Index of the parent ticket's plan (a major incident).
    parent: Option<usize>,
}

/// What one ticket is: before its texts and steps are written out.
struct Spec<'a> {
    at: Timestamp,
    topic: &'a Topic,
    org: usize,
    product: Prod,
    requester: i64,
    agent: usize,
    channel: Channel,
    target: Status,
    major: bool,
}

/// Values filled into a topic's texts.
struct Vars {
    n: String,
    room: String,
    day: String,
    year: String,
    hour: String,
    time: String,
    inst: String,
}

impl Vars {
    fn fill(&self, s: &str) -> String {
        s.replace("{local_it}", LOCAL_IT)
            .replace("{n}", &self.n)
            .replace("{room}", &self.room)
            .replace("{day}", &self.day)
            .replace("{year}", &self.year)
            .replace("{hour}", &self.hour)
            .replace("{time}", &self.time)
            .replace("{inst}", &self.inst)
    }
}

fn tz() -> TimeZone {
    TimeZone::get(TIME_ZONE).unwrap_or(TimeZone::UTC)
}

fn plus(t: Timestamp, secs: i64) -> Timestamp {
    t.checked_add(SignedDuration::from_secs(secs)).unwrap_or(t)
}

/// A local time `days_ago` days before `now`'s local date.
fn local(now: Timestamp, days_ago: i64, hour: i8, minute: i8, second: i8) -> Timestamp {
    let tz = tz();
    now.to_zoned(tz.clone())
        .date()
        .checked_sub(days_ago.days())
        .and_then(|d| d.at(hour, minute, second, 0).to_zoned(tz))
        .map(|z| z.timestamp())
        .unwrap_or_else(|_| plus(now, -days_ago * 86_400))
}

/// How the hotels' day goes: most reports in the morning and afternoon, few at night.
const HOUR_WEIGHTS: [u64; 24] = [1, 1, 1, 1, 1, 2, 3, 6, 8, 9, 9, 8, 7, 7, 7, 6, 6, 6, 5, 4, 3, 3, 2, 1];

fn created_at(rng: &mut Lcg, now: Timestamp) -> Timestamp {
    let day = rng.between(0, DAYS - 1);
    let hour = rng.weighted(&HOUR_WEIGHTS) as i8;
    let at = local(now, day, hour, rng.between(0, 59) as i8, rng.between(0, 59) as i8);
    // Nothing in the future, nor in the last 20 minutes (a ticket needs time to have happened).
    if at > plus(now, -20 * 60) { plus(at, -86_400) } else { at }
}

/// The status a ticket of this age most plausibly has.
fn target(rng: &mut Lcg, at: Timestamp, now: Timestamp, priority: Priority) -> Status {
    use Status::*;
    let hours = now.duration_since(at).as_hours();
    let (statuses, weights): (&[Status], &[u64]) = if hours < 3 {
        (&[New, Open], &[60, 40])
    } else if hours < 48 {
        (&[New, Open, WaitingForCustomer, Resolved], &[30, 35, 20, 15])
    } else if hours < 7 * 24 {
        (&[New, Open, WaitingForCustomer, Resolved, Closed], &[5, 20, 15, 35, 25])
    } else {
        (&[Open, WaitingForCustomer, Closed], &[4, 5, 91])
    };
    match statuses.get(rng.weighted(weights)).copied().unwrap_or(Closed) {
        // Nobody leaves a stopped hotel waiting for an answer.
        New if priority == Priority::Critical && hours >= 1 => Open,
        s => s,
    }
}

fn channel(rng: &mut Lcg, t: &Topic) -> Channel {
    use Channel::*;
    if matches!(t.kind, Kind::DevelopmentRequest | Kind::TrainingRequest) {
        // Development proposals are accepted in writing only.
        return *rng.pick(&[Email, Portal]);
    }
    let weights: &[u64] = if t.priority == Priority::Critical { &[15, 25, 55, 5] } else { &[35, 40, 20, 5] };
    [Email, Portal, Phone, Api].get(rng.weighted(weights)).copied().unwrap_or(Portal)
}

fn requester(rng: &mut Lcg, org: &OrgW) -> i64 {
    // The main contact reports most.
    let weights: Vec<u64> = (0..org.people.len()).map(|i| if i == 0 { 3 } else { 1 }).collect();
    org.people.get(rng.weighted(&weights)).copied().unwrap_or_default()
}

fn agent(rng: &mut Lcg, w: &World, p: Prod) -> usize {
    w.team_agents[p.i()].get(rng.below(w.team_agents[p.i()].len())).copied().unwrap_or(0)
}

fn specs(rng: &mut Lcg, w: &World, now: Timestamp) -> Vec<Spec<'static>> {
    let mut specs = Vec::new();
    for _ in 0..TICKETS {
        let topic = rng.pick(TOPICS);
        let p = topic.product;
        // A chain's head office asks about reports and proposes functions, for its properties.
        let candidates: Vec<usize> = (0..w.orgs.len())
            .filter(|i| {
                let o = &w.orgs[*i];
                o.installs[p.i()].is_some()
                    || (o.hq
                        && p == Prod::PremiumHotel
                        && (topic.module == "Raporty" || topic.kind == Kind::DevelopmentRequest))
            })
            .collect();
        let weights: Vec<u64> = candidates.iter().map(|i| w.orgs[*i].weight).collect();
        let org = candidates.get(rng.weighted(&weights)).copied().unwrap_or(0);
        let at = created_at(rng, now);
        specs.push(Spec {
            at,
            topic,
            org,
            product: p,
            requester: requester(rng, &w.orgs[org]),
            agent: agent(rng, w, p),
            channel: channel(rng, topic),
            target: target(rng, at, now, topic.priority),
            major: false,
        });
    }
    // The major incident, twelve days ago in the evening, reported by four hotels within 40 minutes.
    let start = local(now, 12, 18, 5, 0);
    for (i, name) in MAJOR_INCIDENT_HOTELS.iter().enumerate() {
        let Some(org) = w.orgs.iter().position(|o| o.name == *name) else { continue };
        let channel = if i == 0 { Channel::Phone } else { *rng.pick(&[Channel::Portal, Channel::Email]) };
        specs.push(Spec {
            at: plus(start, [0, 7 * 60, 15 * 60, 38 * 60].get(i).copied().unwrap_or(0)),
            topic: &MAJOR_INCIDENT,
            org,
            product: Prod::PremiumHotel,
            requester: requester(rng, &w.orgs[org]),
            agent: w.team_agents[Prod::PremiumHotel.i()].first().copied().unwrap_or(0),
            channel,
            target: Status::Closed,
            major: true,
        });
    }
    // Monitoring alerts of installations.
    let installed: Vec<(usize, Prod)> = (0..w.orgs.len())
        .flat_map(|o| Prod::BOTH.into_iter().filter(move |p| w.orgs[o].installs[p.i()].is_some()).map(move |p| (o, p)))
        .collect();
    for i in 0..MONITORING_TICKETS {
        let (org, p) = *rng.pick(&installed);
        let at = local(now, rng.between(1, DAYS - 1), rng.between(0, 23) as i8, rng.between(0, 59) as i8, 0);
        let o = &w.orgs[org];
        specs.push(Spec {
            at,
            topic: &MONITORING[i % MONITORING.len()],
            org,
            product: p,
            requester: o.admin.or_else(|| o.people.first().copied()).unwrap_or_default(),
            agent: agent(rng, w, p),
            channel: Channel::Monitoring,
            target: target(rng, at, now, MONITORING[i % MONITORING.len()].priority),
            major: false,
        });
    }
    specs.sort_by_key(|s| s.at);
    // Whatever the dice said, the demo shows every status: the most recent tickets are still
    // being worked on, the oldest one is long closed.
    use Status::*;
    let mut forced = 0;
    for status in [New, Open, WaitingForCustomer, New, Resolved, New, Open] {
        let fits = |s: &Spec<'_>| !s.major && (status != New || s.topic.priority != Priority::Critical);
        let Some(i) = specs.iter().enumerate().rev().skip(forced).find(|(_, s)| fits(s)).map(|(i, _)| i) else {
            break;
        };
        specs[i].target = status;
        forced = specs.len() - i;
    }
    if let Some(s) = specs.iter_mut().find(|s| !s.major) {
        s.target = Status::Closed;
    }
    specs
}

fn plans(w: &World, now: Timestamp) -> Vec<Plan> {
    let mut rng = Lcg(SEED);
    let specs = specs(&mut rng, w, now);
    let parent = specs.iter().position(|s| s.major);
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let parent = parent.filter(|p| s.major && *p != i);
            plan(&mut rng, w, s, parent, now)
        })
        .collect()
}

fn agent_says(agent: &str, text: &str) -> String {
    format!("Dzień dobry,\n\n{text}\n\nPozdrawiam\n{agent}\nDział Wsparcia Technicznego")
}

fn customer_says(name: &str, org: &str, text: &str) -> String {
    format!("Dzień dobry,\n\n{text}\n\nPozdrawiam\n{name}\n{org}")
}

fn priority_reason(from: Priority, to: Priority) -> &'static str {
    match (from, to) {
        (Priority::Critical, _) => {
            "Podstawowa praca jest możliwa (jest obejście), problem dotyczy części funkcji — to usterka, nie awaria."
        }
        (_, Priority::Critical) => "Sprzedaż stoi na wszystkich stanowiskach — to awaria.",
        _ => "Problem nie blokuje pracy recepcji — priorytet standardowy.",
    }
}

fn plan(rng: &mut Lcg, w: &World, s: &Spec<'_>, parent: Option<usize>, now: Timestamp) -> Plan {
    use Status::*;
    let t = s.topic;
    let org = &w.orgs[s.org];
    let customer = w.customers.get(&s.requester);
    let customer_name = customer.map_or("", |c| c.person.name.as_str());
    let customer_phone = customer.and_then(|c| c.person.phone.clone());
    let agent_name = w.staff.get(s.agent).map_or("", |a| a.person.name.as_str());
    let zoned = s.at.to_zoned(tz());
    let before = |mins: i64| plus(s.at, -mins * 60).to_zoned(tz());
    let vars = Vars {
        n: rng.between(1200, 9800).to_string(),
        room: format!("{}{:02}", rng.between(1, 4), rng.between(1, 24)),
        day: before(rng.between(1, 5) * 1440).strftime("%d.%m.%Y").to_string(),
        year: zoned.year().to_string(),
        hour: before(60).hour().to_string(),
        time: before(12).strftime("%H:%M").to_string(),
        inst: org.installs[s.product.i()].as_ref().map_or_else(|| org.name.clone(), |(_, n)| n.clone()),
    };
    let subjects: Vec<&str> = t.subject.split('|').collect();
    let subject = vars.fill(subjects.get(rng.below(subjects.len())).copied().unwrap_or(t.subject));
    let by_customer = matches!(s.channel, Channel::Portal | Channel::Api);

    // The customer proposes a priority, now and then too high (or too low); the agent corrects it.
    let mut proposed = t.priority;
    if by_customer && t.priority == Priority::Fault && rng.chance(20) {
        proposed = Priority::Critical;
    } else if by_customer && t.priority == Priority::Standard && t.kind == Kind::Incident && rng.chance(15) {
        proposed = Priority::Fault;
    }
    let body = match s.channel {
        Channel::Phone => {
            format!("Zgłoszenie telefoniczne — dzwoni {customer_name} ({}).\n\n{}", org.name, vars.fill(t.body))
        }
        Channel::Monitoring => format!("{}\n\nŹródło: monitoring instalacji.", vars.fill(t.body)),
        _ => customer_says(customer_name, &org.name, &vars.fill(t.body)),
    };
    let local_it_checks =
        (by_customer && matches!(proposed, Priority::Critical | Priority::Fault)).then(|| LocalItChecks {
            other_systems_work: true,
            recent_changes: rng.chance(30),
            network_and_servers_work: t.module != "Serwer",
            notes: rng.chance(40).then(|| "Restart komputera i programu nie pomógł.".to_owned()),
        });
    let cc = if s.channel == Channel::Email && rng.chance(25) {
        org.people
            .iter()
            .filter(|p| **p != s.requester)
            .filter_map(|p| w.customers.get(p))
            .map(|a| a.person.email.as_str().to_owned())
            .take(1)
            .collect()
    } else {
        Vec::new()
    };
    let tags: Vec<String> = t.tags.iter().map(|t| (*t).to_owned()).collect();
    let ticket = NewTicket {
        subject,
        body,
        organisation_id: Some(org.id),
        requester_id: Some(s.requester),
        cc,
        channel: (!by_customer).then_some(s.channel),
        kind: t.kind,
        priority: proposed,
        product_id: Some(w.products[s.product.i()]),
        module: Some(t.module.to_owned()),
        installation_id: org.installs[s.product.i()].as_ref().map(|(id, _)| *id),
        // The support assigns; a customer cannot.
        assignee_id: (!by_customer).then(|| w.staff.get(s.agent).map(|a| a.id())).flatten(),
        team_id: (!by_customer).then_some(w.teams[s.product.i()]),
        tags: if by_customer { Vec::new() } else { tags.clone() },
        local_it_checks,
        attachments: Vec::new(),
        call: None,
    };

    // The steps, as delays in seconds after the previous one.
    let (reply_lo, reply_hi) = match t.priority {
        Priority::Critical => (3 * 60, 14 * 60),
        Priority::Fault => (10 * 60, 50 * 60),
        Priority::Standard => (30 * 60, 5 * 3600),
        Priority::DevelopmentRequest => (3 * 3600, 26 * 3600),
    };
    let (work_lo, work_hi) = match t.priority {
        Priority::Critical => (20 * 60, 100 * 60),
        Priority::Fault => (3600, 7 * 3600),
        Priority::Standard => (3 * 3600, 2 * 86_400),
        Priority::DevelopmentRequest => (2 * 86_400, 9 * 86_400),
    };
    let agent_reply = |text: String| Step::Article {
        who: Who::Agent,
        kind: ArticleKind::PublicReply,
        body: agent_says(agent_name, &text),
        call: None,
    };
    let customer_reply = |text: String| Step::Article {
        who: Who::Customer,
        kind: ArticleKind::PublicReply,
        body: customer_says(customer_name, &org.name, &text),
        call: None,
    };
    let note = |text: &str| Step::Article {
        who: Who::Agent,
        kind: ArticleKind::InternalNote,
        body: text.to_owned(),
        call: None,
    };
    let status =
        |who: Who, to: Status, reason: Option<&str>| Step::Status { who, to, reason: reason.map(str::to_owned) };
    let specific_note =
        |rng: &mut Lcg| if t.note.is_empty() { (*rng.pick(NOTES)).to_owned() } else { t.note.to_owned() };

    let mut steps: Vec<(i64, Step)> = Vec::new();
    let mut auto_close = false;
    'life: {
        if by_customer && rng.chance(12) {
            steps.push((rng.between(120, 900), customer_reply((*rng.pick(FOLLOW_UPS)).to_owned())));
        }
        if s.target == New {
            if rng.chance(20) {
                steps.push((rng.between(60, 600), note(&specific_note(rng))));
            }
            break 'life;
        }
        if by_customer || parent.is_some() || t.kind == Kind::DevelopmentRequest {
            let mut c = TicketChanges::default();
            if by_customer {
                c.assignee_id = w.staff.get(s.agent).map_or(Patch::Keep, |a| Patch::Set(a.id()));
                c.team_id = Patch::Set(w.teams[s.product.i()]);
                c.tags = Some(tags);
            }
            if proposed != t.priority {
                c.priority = Some(t.priority);
                c.priority_reason = Some(priority_reason(proposed, t.priority).to_owned());
            }
            if t.kind == Kind::DevelopmentRequest {
                // An agreed date instead of a clock target.
                let due = zoned.date().checked_add(rng.between(30, 120).days()).unwrap_or(zoned.date());
                c.due_date = Patch::Set(due.to_string());
            }
            steps.push((rng.between(reply_lo / 3, reply_hi / 2), Step::Triage(c)));
        }
        let direct = matches!(s.target, Resolved | Closed)
            && (matches!(t.kind, Kind::OutOfScope | Kind::TrainingRequest)
                || (t.kind == Kind::Question && rng.chance(60)));
        if direct {
            steps.push((rng.between(reply_lo, reply_hi), agent_reply(vars.fill(t.solution))));
            let reason = match t.kind {
                Kind::OutOfScope => Some("Poza zakresem wsparcia — przekierowane do lokalnego IT (redirected)."),
                Kind::TrainingRequest => Some("Odpowiedź: katalog szkoleń."),
                _ => None,
            };
            steps.push((rng.between(60, 300), status(Who::Agent, Resolved, reason)));
        } else {
            let by_phone = s.channel == Channel::Monitoring
                || (t.priority == Priority::Critical && rng.chance(50))
                || (s.channel == Channel::Phone && rng.chance(40));
            let question = vars.fill(t.question);
            let first = if by_phone {
                Step::Article {
                    who: Who::Agent,
                    kind: ArticleKind::PhoneCall,
                    body: format!(
                        "Telefon do klienta — rozmowa z: {customer_name}, {}.\n\nUstalenia: {question}",
                        org.name
                    ),
                    call: Some(Call {
                        direction: CallDirection::Outbound,
                        number: customer_phone,
                        duration_secs: Some(rng.between(60, 720)),
                    }),
                }
            } else {
                agent_reply(question)
            };
            steps.push((rng.between(reply_lo, reply_hi), first));
            if rng.chance(30) {
                steps.push((rng.between(120, 1200), note(&specific_note(rng))));
            }
            if s.target == Open {
                if rng.chance(50) {
                    let text = if rng.chance(60) { vars.fill(t.answer) } else { (*rng.pick(THANKS)).to_owned() };
                    steps.push((rng.between(10 * 60, 4 * 3600), customer_reply(text)));
                }
                break 'life;
            }
            let waiting = s.target == WaitingForCustomer || rng.chance(45);
            if waiting {
                steps.push((
                    rng.between(30, 300),
                    status(Who::Agent, WaitingForCustomer, Some("Czekamy na informacje od klienta.")),
                ));
                if s.target == WaitingForCustomer {
                    break 'life;
                }
            }
            if waiting || rng.chance(50) {
                steps.push((rng.between(10 * 60, 20 * 3600), customer_reply(vars.fill(t.answer))));
            }
            if rng.chance(25) {
                steps.push((rng.between(300, 3600), note(&specific_note(rng))));
            }
            let solution = format!(
                "{}\n\nProsimy o potwierdzenie, że wszystko działa. Jeśli problem wróci, wystarczy odpowiedzieć na to zgłoszenie w ciągu 7 dni.",
                vars.fill(t.solution)
            );
            steps.push((rng.between(work_lo, work_hi), agent_reply(solution)));
            steps.push((rng.between(60, 600), status(Who::Agent, Resolved, None)));
        }
        if s.target == Resolved {
            break 'life;
        }
        if rng.chance(8) {
            // The customer answers a resolved ticket: it reopens.
            steps.push((rng.between(2 * 3600, 2 * 86_400), customer_reply(REOPEN.to_owned())));
            steps.push((rng.between(work_lo, work_hi), agent_reply(REOPEN_FIX.to_owned())));
            steps.push((rng.between(60, 600), status(Who::Agent, Resolved, None)));
        }
        if rng.chance(55) {
            let reason = *rng.pick(CONFIRMATIONS);
            steps.push((rng.between(20 * 60, 2 * 86_400), status(Who::Customer, Closed, Some(reason))));
        } else {
            auto_close = true;
            steps.push((7 * 86_400, status(Who::Supervisor, Closed, Some(AUTO_CLOSE))));
        }
    }

    // Fit the story into the time between the ticket's creation and now.
    let available = now.duration_since(s.at).as_secs() - 120;
    let total = |steps: &[(i64, Step)]| steps.iter().map(|(d, _)| *d).sum::<i64>();
    if auto_close && total(&steps) > available {
        // Not old enough to have closed by itself: the customer confirmed instead.
        if let Some(last) = steps.last_mut() {
            *last = (rng.between(20 * 60, 6 * 3600), status(Who::Customer, Closed, Some(CONFIRMATIONS[0])));
        }
    }
    let sum = total(&steps);
    let mut at = s.at;
    let steps = steps
        .into_iter()
        .map(|(d, step)| {
            let d = if sum > available { (d * available.max(0) / sum.max(1)).max(1) } else { d };
            at = plus(at, d);
            (at, step)
        })
        .collect();
    Plan {
        at: s.at,
        by_customer,
        via_api: s.channel == Channel::Api,
        requester: s.requester,
        agent: s.agent,
        ticket,
        steps,
        parent,
    }
}

// ------------------------------------------------------------------ writing

/// Writes one ticket and its life through the ticket service; returns its number.
fn run(tx: &mut Tx<'_>, w: &World, plan: Plan, numbers: &[i64], limits: Limits) -> Result<i64, ApiError> {
    let missing = || ApiError::internal("demo data refers to an unknown person");
    let agent = w.staff.get(plan.agent).ok_or_else(missing)?;
    let supervisor = w.staff.get(w.supervisor).ok_or_else(missing)?;
    let customer = w.customers.get(&plan.requester).ok_or_else(missing)?;
    let creator = match (plan.by_customer, plan.via_api) {
        (true, true) => Actor { via: Via::Token { scopes: vec!["read".into(), "write".into()] }, ..customer.clone() },
        (true, false) => customer.clone(),
        (false, _) => agent.clone(),
    };
    let (ticket, _) = service::create(tx, &creator, plan.ticket, limits, plan.at)?;
    let number = ticket.number;
    let mut version = ticket.version;
    for (at, step) in plan.steps {
        let actor = |who: Who| match who {
            Who::Customer => customer,
            Who::Agent => agent,
            Who::Supervisor => supervisor,
        };
        version = match step {
            Step::Triage(mut changes) => {
                if let Some(parent) = plan.parent.and_then(|p| numbers.get(p)) {
                    changes.parent_number = Patch::Set(*parent);
                }
                service::update(tx, agent, number, version, changes, at)?.version
            }
            Step::Article { who, kind, body, call } => {
                let article = NewArticle { kind, body, call, mail: None, attachments: Vec::new() };
                service::add_article(tx, actor(who), number, article, limits, at)?.0.version
            }
            Step::Status { who, to, reason } => {
                let change = StatusChange { to, version: Some(version), reason };
                service::transition(tx, actor(who), number, change, limits, at)?.version
            }
        };
    }
    Ok(number)
}
