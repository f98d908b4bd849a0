//! Automation's admin pages: rules (a definition in JSON, checked by the same function as
//! the API), canned responses, and the routing and scope settings.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use deskbell_domain::automation::RuleDef;
use deskbell_store::automation::{self as store, Response, Rule};

use super::{Fields, Frame, ListQuery, RecordForm, Saving, opt_int, path_id, saved};
use crate::automation::api::{self, ResponseBody, RuleBody};
use crate::automation::{ROUTING_KEY, RoutingSettings, SCOPE_KEY, ScopeSettings};
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::ctx::{Ctx, PageResult, html, html_status, see_other};
use crate::web::forms::Errors;
use crate::web::i18n::fill;

// ---------------------------------------------------------------- rules

const RULES: &str = "/admin/rules";

struct RuleRow {
    id: i64,
    name: String,
    position: i64,
    active: bool,
    on: String,
    fired: i64,
}

#[derive(Template)]
#[template(path = "admin/rules.html")]
struct RulesPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    rows: Vec<RuleRow>,
    saved: bool,
}

pub async fn rules(State(state): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    c.admin()?;
    let list = state.read(|tx| Ok(store::rules(tx)?)).await?;
    let rows = list
        .into_iter()
        .map(|r| {
            let on = serde_json::from_str::<RuleDef>(&r.definition)
                .map(|d| d.on.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            RuleRow { id: r.id, name: r.name, position: r.position, active: r.active, on, fired: r.fired }
        })
        .collect();
    html(&RulesPage { c: &c, section: "admin", tab: "rules", rows, saved: q.saved.is_some() })
}

pub(super) struct RuleForm {
    name: String,
    position: String,
    active: bool,
    definition: String,
}

#[derive(Template)]
#[template(path = "admin/rule_form.html")]
struct RuleFormPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    title: String,
    action: String,
    id: Option<i64>,
    form: RuleForm,
    errors: Errors,
}

const EXAMPLE: &str = r#"{
  "on": ["created"],
  "conditions": [
    {"field": "text", "contains": ["faktur", "paragon"]},
    {"field": "business_hours", "inside": false}
  ],
  "actions": [
    {"action": "set_priority", "priority": "critical"},
    {"action": "add_tag", "tag": "fakturowanie"},
    {"action": "notify", "to": "on_call"}
  ]
}"#;

impl RecordForm for RuleForm {
    type Stored = Rule;
    type Input = RuleBody;
    const LIST: &'static str = RULES;
    const FIELDS: &'static [&'static str] = &["name", "position", "definition"];

    async fn load(state: &AppState, id: i64) -> Result<Rule, ApiError> {
        super::find(state, id, "rule", store::rule).await
    }

    fn new_title(c: &Ctx) -> String {
        c.t.adm_rule_new.to_owned()
    }

    fn edit_title(c: &Ctx, r: &Rule) -> String {
        fill(c.t.adm_rule_edit, &[("name", &r.name)])
    }

    async fn blank(_: &AppState, _: &Ctx) -> Result<RuleForm, ApiError> {
        Ok(RuleForm { name: String::new(), position: String::new(), active: true, definition: EXAMPLE.into() })
    }

    fn of(_: &Ctx, r: Rule) -> RuleForm {
        // Shown indented, as an admin would write it.
        let definition = serde_json::from_str::<serde_json::Value>(&r.definition)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or(r.definition);
        RuleForm { name: r.name, position: r.position.to_string(), active: r.active, definition }
    }

    fn sent(_: &Ctx, f: &Fields, _: Option<&Rule>) -> RuleForm {
        RuleForm {
            name: f.text("name"),
            position: f.text("position"),
            active: f.ticked("active"),
            definition: f.raw("definition").to_owned(),
        }
    }

    fn input(&self, c: &Ctx, _: &Fields, errors: &mut Errors) -> Option<RuleBody> {
        let position = opt_int(c, errors, "position", &self.position);
        // The API's own reader, so a page and a JSON client get the same precise message.
        match crate::json::parse::<RuleDef>(self.definition.as_bytes()) {
            Ok(definition) => {
                Some(RuleBody { name: self.name.clone(), position, active: Some(self.active), definition })
            }
            Err(e) => {
                let at = e.field.as_deref().filter(|f| !f.is_empty()).map(|f| format!("{f}: ")).unwrap_or_default();
                errors.add("definition", fill(c.t.adm_rule_err_json, &[("error", &format!("{at}{}", e.message))]));
                None
            }
        }
    }

    async fn write(&self, saving: Saving<'_>, body: RuleBody) -> Result<String, ApiError> {
        let Saving { state, c, actor, id } = saving;
        let now = c.now;
        state
            .write(move |tx| api::save_rule(tx, &actor, id, body, now))
            .await
            // A refused definition is shown at the definition, naming the part.
            .map_err(|mut e| {
                if let Some(f) = e.field.as_deref().filter(|f| f.starts_with("definition.")) {
                    e.message = format!("{}: {}", &f["definition.".len()..], e.message);
                    e.field = Some("definition".into());
                }
                e
            })?;
        Ok(saved(RULES))
    }

    async fn show(self, _: &AppState, c: &Ctx, frame: Frame) -> PageResult {
        let Frame { id, title, action, errors, status } = frame;
        html_status(status, &RuleFormPage { c, section: "admin", tab: "rules", title, action, id, form: self, errors })
    }
}

pub async fn delete_rule(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    let actor = c.admin()?.clone();
    let id = path_id(&raw)?;
    state
        .write(move |tx| {
            actor.require_admin()?;
            store::delete_rule(tx, id).map_err(ApiError::or_not_found("rule"))
        })
        .await?;
    Ok(see_other(&c, &saved(RULES)))
}

// ---------------------------------------------------------------- canned responses

const RESPONSES: &str = "/admin/responses";

#[derive(Template)]
#[template(path = "admin/responses.html")]
struct ResponsesPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    rows: Vec<Response>,
    saved: bool,
}

pub async fn responses(State(state): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    c.admin()?;
    let now = c.now;
    let rows = state
        .write(move |tx| {
            // The scope rules' answers can be edited before their first use.
            crate::automation::responses::keyed(tx, crate::automation::responses::LOCAL_IT, now)?;
            crate::automation::responses::keyed(tx, crate::automation::responses::TRAINING_CATALOGUE, now)?;
            Ok(store::responses(tx)?)
        })
        .await?;
    html(&ResponsesPage { c: &c, section: "admin", tab: "responses", rows, saved: q.saved.is_some() })
}

#[derive(Default)]
pub(super) struct ResponseForm {
    title: String,
    body_pl: String,
    body_en: String,
    active: bool,
    key: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/response_form.html")]
struct ResponseFormPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    title: String,
    action: String,
    form: ResponseForm,
    errors: Errors,
}

impl RecordForm for ResponseForm {
    type Stored = Response;
    type Input = ResponseBody;
    const LIST: &'static str = RESPONSES;
    const FIELDS: &'static [&'static str] = &["title", "body_pl", "body_en"];

    async fn load(state: &AppState, id: i64) -> Result<Response, ApiError> {
        super::find(state, id, "canned response", store::response).await
    }

    fn new_title(c: &Ctx) -> String {
        c.t.adm_response_new.to_owned()
    }

    fn edit_title(c: &Ctx, r: &Response) -> String {
        fill(c.t.adm_response_edit, &[("name", &r.title)])
    }

    async fn blank(_: &AppState, _: &Ctx) -> Result<ResponseForm, ApiError> {
        Ok(ResponseForm { active: true, ..Default::default() })
    }

    fn of(_: &Ctx, r: Response) -> ResponseForm {
        ResponseForm { title: r.title, body_pl: r.body_pl, body_en: r.body_en, active: r.active, key: r.key }
    }

    fn sent(_: &Ctx, f: &Fields, stored: Option<&Response>) -> ResponseForm {
        ResponseForm {
            title: f.text("title"),
            body_pl: f.raw("body_pl").to_owned(),
            body_en: f.raw("body_en").to_owned(),
            active: f.ticked("active"),
            key: stored.and_then(|r| r.key.clone()),
        }
    }

    fn input(&self, _: &Ctx, _: &Fields, _: &mut Errors) -> Option<ResponseBody> {
        Some(ResponseBody {
            title: self.title.clone(),
            body_pl: self.body_pl.clone(),
            body_en: self.body_en.clone(),
            active: Some(self.active),
        })
    }

    async fn write(&self, saving: Saving<'_>, body: ResponseBody) -> Result<String, ApiError> {
        let Saving { state, c, actor, id } = saving;
        let now = c.now;
        state.write(move |tx| api::save_response(tx, &actor, id, body, now)).await?;
        Ok(saved(RESPONSES))
    }

    async fn show(self, _: &AppState, c: &Ctx, frame: Frame) -> PageResult {
        let Frame { title, action, errors, status, .. } = frame;
        html_status(
            status,
            &ResponseFormPage { c, section: "admin", tab: "responses", title, action, form: self, errors },
        )
    }
}

// ---------------------------------------------------------------- routing and scope settings

const SETTINGS: &str = "/admin/automation";

#[derive(Template)]
#[template(path = "admin/automation.html")]
struct SettingsPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    tab: &'a str,
    routing: RoutingSettings,
    scope: ScopeSettings,
    phrases: String,
    errors: Errors,
    saved: bool,
}

pub async fn settings(State(state): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    c.admin()?;
    let (routing, scope): (RoutingSettings, ScopeSettings) = state
        .read(|tx| Ok((crate::automation::load(tx, ROUTING_KEY)?, crate::automation::load(tx, SCOPE_KEY)?)))
        .await?;
    let phrases = scope.out_of_scope_phrases.join("\n");
    let page = SettingsPage {
        c: &c,
        section: "admin",
        tab: "automation",
        routing,
        scope,
        phrases,
        errors: Errors::default(),
        saved: q.saved.is_some(),
    };
    html(&page)
}

pub async fn save_settings(State(state): State<AppState>, c: Ctx, Form(f): Form<Vec<(String, String)>>) -> PageResult {
    let actor = c.admin()?.clone();
    let f = Fields::new(f);
    let routing = RoutingSettings {
        enabled: f.ticked("enabled"),
        round_robin: f.ticked("round_robin"),
        respect_working_hours: f.ticked("respect_working_hours"),
        respect_absences: f.ticked("respect_absences"),
        notify_team_on_critical: f.ticked("notify_team_on_critical"),
    };
    let phrases = f.raw("phrases").to_owned();
    let scope = ScopeSettings {
        out_of_scope: f.ticked("out_of_scope"),
        out_of_scope_phrases: super::lines(&phrases),
        written_confirmation: f.ticked("written_confirmation"),
        training_catalogue: f.ticked("training_catalogue"),
    };
    let (r, s) = (routing.clone(), scope.clone());
    let written = state
        .write(move |tx| {
            actor.require_admin()?;
            crate::automation::store(tx, ROUTING_KEY, &r)?;
            api::save_scope(tx, &actor, s)
        })
        .await;
    match written {
        Ok(_) => Ok(see_other(&c, &saved(SETTINGS))),
        Err(e) if e.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
            let mut errors = Errors::default();
            errors.add("phrases", e.message.clone());
            let page = SettingsPage {
                c: &c,
                section: "admin",
                tab: "automation",
                routing,
                scope,
                phrases,
                errors,
                saved: false,
            };
            html_status(e.status, &page)
        }
        Err(e) => Err(e.into()),
    }
}
