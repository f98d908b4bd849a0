//! Organisations, people, teams, products and installations: admins write, others read
//! what their scope allows.

pub mod api;

use deskbell_domain::person::{EmailAddress, Language, Role};
use deskbell_store::orgs::{Installation, Organisation, Product, Team};
use deskbell_store::people::Person;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub id: i64,
    #[schema(value_type = String, format = Email)]
    pub email: EmailAddress,
    pub name: String,
    #[schema(schema_with = crate::schema::role)]
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub phone: Option<String>,
    #[schema(schema_with = crate::schema::language)]
    pub language: Language,
    pub active: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<Person> for PersonView {
    fn from(p: Person) -> Self {
        PersonView {
            id: p.id,
            email: p.email,
            name: p.name,
            role: p.role,
            organisation_id: p.organisation_id,
            phone: p.phone,
            language: p.language,
            active: p.active,
            created_at: p.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    #[schema(example = "Europe/Warsaw")]
    pub time_zone: String,
    pub notes: String,
    pub active: bool,
    pub phones: Vec<String>,
    pub mail_domains: Vec<String>,
    /// People ids of the specialists who know this customer.
    pub account_team: Vec<i64>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl OrganisationView {
    /// Customers see their organisation without the vendor's internal notes.
    pub fn new(o: Organisation, vendor: bool) -> Self {
        OrganisationView {
            id: o.id,
            name: o.name,
            parent_id: o.parent_id,
            time_zone: o.time_zone,
            notes: if vendor { o.notes } else { String::new() },
            active: o.active,
            phones: o.phones,
            mail_domains: o.mail_domains,
            account_team: o.account_team,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamView {
    pub id: i64,
    pub name: String,
    pub members: Vec<i64>,
}

impl From<Team> for TeamView {
    fn from(t: Team) -> Self {
        TeamView { id: t.id, name: t.name, members: t.members }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductView {
    pub id: i64,
    #[schema(example = "premiumhotel")]
    pub code: String,
    #[schema(example = "PremiumHotel")]
    pub name: String,
    pub team_id: Option<i64>,
}

impl From<Product> for ProductView {
    fn from(p: Product) -> Self {
        ProductView { id: p.id, code: p.code, name: p.name, team_id: p.team_id }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InstallationView {
    pub id: i64,
    pub organisation_id: i64,
    pub product_id: i64,
    pub name: String,
    pub version: Option<String>,
}

impl From<Installation> for InstallationView {
    fn from(i: Installation) -> Self {
        InstallationView {
            id: i.id,
            organisation_id: i.organisation_id,
            product_id: i.product_id,
            name: i.name,
            version: i.version,
        }
    }
}
