//! Canned responses: texts in Polish and English with placeholders, inserted into replies by
//! agents and sent by rules and the scope rules. The scope rules' answers are keyed
//! responses written with the texts below on first use; admins may edit them.

use deskbell_domain::automation::fill;
use deskbell_store::automation::{self, Response, ResponseInput};
use deskbell_store::tickets::Ticket;
use deskbell_store::{StoreError, Tx, orgs, people, settings};
use jiff::Timestamp;

pub const LOCAL_IT: &str = "local_it";
pub const TRAINING_CATALOGUE: &str = "training_catalogue";

fn default_for(key: &str) -> ResponseInput {
    match key {
        TRAINING_CATALOGUE => ResponseInput {
            title: "Katalog szkoleń".into(),
            body_pl: "Dzień dobry {{person}},\n\ndziękujemy za zainteresowanie szkoleniem z {{product}}. Szkolenia prowadzimy \
                      w formie webinarów i nagrań, na które można się zapisać w katalogu szkoleń:\n{{help_centre}}/trainings\n\n\
                      Jeśli żaden termin nie pasuje albo potrzebne jest szkolenie dedykowane, wystarczy odpowiedzieć na tę wiadomość \
                      (zgłoszenie {{ticket}})."
                .into(),
            body_en: "Hello {{person}},\n\nthank you for your interest in a training on {{product}}. We train with webinars \
                      and recordings; you can register in the training catalogue:\n{{help_centre}}/trainings\n\n\
                      If no date suits you or you need a dedicated training, just reply to this message (request {{ticket}})."
                .into(),
            active: true,
        },
        _ => ResponseInput {
            title: "Poza zakresem wsparcia — lokalne IT".into(),
            body_pl: "Dzień dobry {{person}},\n\nsprawa opisana w zgłoszeniu {{ticket}} dotyczy sprzętu, systemu operacyjnego, \
                      uprawnień użytkowników albo sieci lokalnej, za które odpowiada lokalny dział IT ({{organisation}}). \
                      Prosimy o kontakt z lokalnym informatykiem.\n\nJeśli okaże się, że przyczyna leży po stronie naszego \
                      oprogramowania, wystarczy odpowiedzieć na tę wiadomość — zgłoszenie wróci do nas."
                .into(),
            body_en: "Hello {{person}},\n\nwhat request {{ticket}} describes concerns hardware, the operating system, user \
                      permissions or the local network, which the local IT of {{organisation}} looks after. Please contact \
                      your local IT.\n\nShould the cause turn out to be our software, just reply to this message and the \
                      request comes back to us."
                .into(),
            active: true,
        },
    }
}

/// The keyed response `key` (written with its default text on first use).
pub fn keyed(tx: &mut Tx<'_>, key: &str, now: Timestamp) -> Result<Response, StoreError> {
    automation::keyed_response(tx, key, &default_for(key), now)
}

/// A response's text for a ticket, in its requester's language, with the placeholders
/// filled in. `agent` is who sends it (`None`: deskbell itself).
pub fn render(tx: &mut Tx<'_>, response: &Response, t: &Ticket, agent: Option<&str>) -> Result<String, StoreError> {
    let person = people::get(tx, t.requester_id)?;
    let language = person.language.as_str();
    let organisation = orgs::get(tx, t.organisation_id)?.name;
    let product = t.product_id.map(|p| orgs::product(tx, p)).transpose()?.map(|p| p.name);
    let base = settings::get(tx, super::BASE_URL_KEY)?.unwrap_or_else(|| "http://localhost:8080".into());
    let help_centre = format!("{}/help", base.trim_end_matches('/'));
    let team = if language == "en" { "The support team" } else { "Zespół wsparcia" };
    Ok(fill(response.body(language), |name| match name {
        "person" => Some(person.name.clone()),
        "ticket" => Some(format!("#{}", t.number)),
        "organisation" => Some(organisation.clone()),
        "product" => product
            .clone()
            .or_else(|| Some(if language == "en" { "our software" } else { "naszego oprogramowania" }.into())),
        "agent" => Some(agent.unwrap_or(team).to_owned()),
        "help_centre" => Some(help_centre.clone()),
        _ => None,
    }))
}
