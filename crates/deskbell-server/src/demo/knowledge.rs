//! Demo knowledge base, trainings and release notes: a few Polish and English articles (a
//! public one, one for customers only, an internal one, a draft), trainings ahead (one full,
//! with a waiting list) and one past with its recording, and release notes of two versions
//! newer than what most demo hotels run. Everything is written through the same functions
//! as the API, so the demo obeys the same rules.

use deskbell_domain::kb::{ArticleStatus, Visibility};
use deskbell_domain::person::{Language, Role};
use deskbell_store::{StoreError, Tx, kb};
use jiff::{SignedDuration, Timestamp};

use super::{World, api_error};
use crate::kb::articles::{self, ArticleCreate, CategoryInput, TextInput};
use crate::kb::releases::{self, ReleaseRequest};
use crate::kb::trainings::{self, TrainingCreate, TrainingUpdate};

fn text(language: Language, title: &str, body: &str) -> TextInput {
    TextInput { language, title: title.to_owned(), body: body.to_owned() }
}

/// The local date `days` from `now` at `hour`:00 in Warsaw, as `YYYY-MM-DDTHH:MM`.
fn local_start(now: Timestamp, days: i64, hour: i8) -> String {
    let z = (now + SignedDuration::from_hours(24 * days)).to_zoned(super::tz());
    format!("{}T{hour:02}:00", z.date())
}

pub(super) fn load(tx: &mut Tx<'_>, w: &World, now: Timestamp) -> Result<(), StoreError> {
    let Some(agent) = w.staff.iter().find(|a| a.role() == Role::Agent) else { return Ok(()) };
    let [premium, kuracjusz] = w.products;
    let category = |tx: &mut Tx<'_>, pl: &str, en: &str, position: i64| {
        let req = CategoryInput { name_pl: pl.into(), name_en: en.into(), slug: None, position };
        articles::save_category(tx, agent, None, req, now).map(|c| c.id).map_err(api_error)
    };
    let invoices = category(tx, "Faktury i paragony", "Invoices and receipts", 1)?;
    let bookings = category(tx, "Rezerwacje", "Bookings", 2)?;
    let spa = category(tx, "Spa i zabiegi", "Spa and treatments", 3)?;
    let article = |tx: &mut Tx<'_>, slug: &str, cat: i64, product: i64, module: &str, vis, status, texts| {
        let req = ArticleCreate {
            slug: Some(slug.into()),
            category_id: Some(cat),
            product_id: Some(product),
            module: Some(module.into()),
            visibility: vis,
            status: Some(status),
            texts,
        };
        articles::new_article(tx, agent, req, now).map_err(api_error)
    };
    let published = ArticleStatus::Published;
    let invoice = article(
        tx,
        "jak-wystawic-fakture",
        invoices,
        premium,
        "Kasa",
        Visibility::Public,
        published,
        vec![
            text(
                Language::Pl,
                "Jak wystawić fakturę",
                "Fakturę wystawisz z rachunku gościa w module **Kasa**.\n\n\
                 1. Otwórz rachunek pokoju (*Recepcja → Rachunki*).\n\
                 2. Wybierz **Wystaw fakturę** i uzupełnij NIP nabywcy — dane firmy pobiorą się z GUS.\n\
                 3. Sprawdź pozycje i zatwierdź. Fakturę można wysłać gościowi e-mailem od razu.\n\n\
                 > Fakturę do paragonu wystawiasz z listy paragonów: *Kasa → Paragony → Faktura do paragonu*.\n\n\
                 Faktura zaliczkowa: zobacz [zaliczki i przedpłaty](/help/kb/zaliczki-i-przedplaty).",
            ),
            text(
                Language::En,
                "How to issue an invoice",
                "You issue an invoice from the guest's bill in the **Till** module.\n\n\
                 1. Open the room's bill (*Reception → Bills*).\n\
                 2. Choose **Issue invoice** and enter the buyer's tax number — the company details are fetched automatically.\n\
                 3. Check the items and confirm. The invoice can be e-mailed to the guest straight away.",
            ),
        ],
    )?;
    article(
        tx,
        "zaliczki-i-przedplaty",
        invoices,
        premium,
        "Kasa",
        Visibility::Customers,
        published,
        vec![text(
            Language::Pl,
            "Zaliczki i przedpłaty — faktura zaliczkowa",
            "Przedpłatę za rezerwację księgujesz w karcie rezerwacji (**Wpłaty → Dodaj**). \
             Fakturę zaliczkową wystawisz z tej wpłaty, a przy wymeldowaniu program sam wystawi fakturę końcową \
             pomniejszoną o zaliczki.",
        )],
    )?;
    article(
        tx,
        "drukarka-fiskalna-nie-drukuje",
        invoices,
        premium,
        "Kasa",
        Visibility::Internal,
        published,
        vec![text(
            Language::Pl,
            "Drukarka fiskalna nie drukuje paragonów — procedura wsparcia",
            "Tylko dla wsparcia.\n\n1. Połącz się zdalnie z kasą recepcji.\n2. Sprawdź w *Ustawieniach urządzeń* port drukarki \
             (zwykle COM3) i zrestartuj usługę **PH Fiscal**.\n3. Jeśli drukarka zgłasza błąd pamięci fiskalnej — to sprawa \
             serwisu drukarki, nie nasza: przekaż klientowi kontakt do serwisanta.",
        )],
    )?;
    article(
        tx,
        "zmiana-terminu-rezerwacji",
        bookings,
        premium,
        "Recepcja",
        Visibility::Public,
        published,
        vec![
            text(
                Language::Pl,
                "Jak zmienić termin rezerwacji",
                "W grafiku pokoi przeciągnij rezerwację na nowy termin albo otwórz ją i zmień daty przyjazdu i wyjazdu. \
                 Cena przeliczy się według cennika; przedpłaty zostają przy rezerwacji.",
            ),
            text(
                Language::En,
                "How to change the dates of a booking",
                "Drag the booking to its new dates on the room chart, or open it and change the arrival and departure \
                 dates. The price is recalculated from the rate plan; prepayments stay with the booking.",
            ),
        ],
    )?;
    article(
        tx,
        "grafik-zabiegow",
        spa,
        kuracjusz,
        "Grafik",
        Visibility::Customers,
        ArticleStatus::Draft,
        vec![text(Language::Pl, "Grafik zabiegów na turnus", "Szkic: jak zaplanować zabiegi dla całego turnusu.")],
    )?;
    // A little history: a few readers found the invoice article helpful.
    for (i, helpful) in [true, true, true, false].into_iter().enumerate() {
        kb::vote(tx, invoice.id, &format!("demo:{i}"), helpful, now)?;
    }

    // Trainings: one soon with free places, one full with a waiting list, one past.
    let training = |tx: &mut Tx<'_>, title: &str, desc: &str, product, days, hour, minutes, capacity| {
        let req = TrainingCreate {
            title: title.into(),
            description: desc.into(),
            product_id: Some(product),
            starts_at: local_start(now, days, hour),
            time_zone: Some("Europe/Warsaw".into()),
            duration_minutes: minutes,
            online_url: Some("https://meet.deskbell.demo/szkolenie".into()),
            capacity,
            waiting_list: Some(true),
            recording_url: None,
            materials: String::new(),
        };
        trainings::new_training(tx, agent, req, now).map_err(api_error)
    };
    training(
        tx,
        "Nowości w PremiumHotel 2025.4",
        "Webinar o zmianach w wersji 2025.4: **nowy grafik pokoi**, KSeF, raport obłożenia.",
        premium,
        7,
        10,
        60,
        50,
    )?;
    let full = training(
        tx,
        "Kasa i fakturowanie od podstaw",
        "Szkolenie dla recepcji: rachunki, paragony, faktury, zaliczki. Małe grupy, pytania na żywo.",
        premium,
        14,
        9,
        120,
        2,
    )?;
    let past = training(tx, "Kuracjusz: grafik zabiegów", "Planowanie zabiegów na turnus.", kuracjusz, 1, 12, 90, 30)?;
    let mut customers: Vec<_> = w.customers.values().filter(|a| a.role() == Role::CustomerUser).collect();
    customers.sort_by_key(|a| a.id());
    for c in customers.iter().take(3) {
        trainings::register_person(tx, c, full.id, now).map_err(api_error)?;
    }
    // The past one: moved into the past, with its recording and materials.
    let update = TrainingUpdate {
        starts_at: Some((now - SignedDuration::from_hours(24 * 10)).to_string()),
        recording_url: crate::patch::Patch::Set("https://video.deskbell.demo/grafik-zabiegow".into()),
        materials: Some(
            "- [Prezentacja (PDF)](https://video.deskbell.demo/grafik-zabiegow.pdf)\n- Ćwiczenia do samodzielnej pracy"
                .into(),
        ),
        ..Default::default()
    };
    trainings::change_training(tx, agent, past.id, update, now).map_err(api_error)?;

    // Release notes: two PremiumHotel versions newer than most hotels run, one for Kuracjusz.
    let release = |tx: &mut Tx<'_>, product, version: &str, days_ago: i64, notes: &str| {
        let z = (now - SignedDuration::from_hours(24 * days_ago)).to_zoned(super::tz());
        let req = ReleaseRequest {
            product_id: product,
            version: version.into(),
            released_on: z.date().to_string(),
            notes: notes.into(),
            published: true,
        };
        releases::save(tx, agent, None, req, now).map_err(api_error)
    };
    release(
        tx,
        premium,
        "2025.3.3",
        20,
        "### Poprawki\n\n- Paragon z rabatem procentowym drukuje się z właściwą kwotą.\n- Raport obłożenia liczy się szybciej przy wielu pokojach.",
    )?;
    release(
        tx,
        premium,
        "2025.4.0",
        5,
        "### Nowości\n\n- **Nowy grafik pokoi**: przeciąganie rezerwacji, podgląd sprzątania.\n- Wysyłka faktur do **KSeF**.\n\n### Poprawki\n\n- Szybsze wymeldowanie grupy.",
    )?;
    release(
        tx,
        kuracjusz,
        "2025.3.1",
        12,
        "- Grafik zabiegów pokazuje przerwy terapeutów.\n- Poprawka wydruku karty zabiegów.",
    )?;
    Ok(())
}
