//! JSON shapes of tickets, articles, attachments and history events.

use deskbell_domain::article::{ArticleKind, CallDirection};
use deskbell_domain::ticket::{Channel, Kind, Priority, Status};
use deskbell_store::attachments::Attachment;
use deskbell_store::events::Event;
use deskbell_store::tickets::{Article, Ticket};
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use super::service::LocalItChecks;

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    pub id: i64,
    pub number: i64,
    /// The number as people write it: `#1234`.
    pub reference: String,
    pub subject: String,
    #[schema(schema_with = crate::schema::status)]
    pub status: Status,
    #[schema(schema_with = crate::schema::priority)]
    pub priority: Priority,
    /// What the customer proposed, when a customer opened the ticket.
    #[schema(schema_with = crate::schema::priority)]
    pub proposed_priority: Option<Priority>,
    #[schema(schema_with = crate::schema::kind)]
    pub kind: Kind,
    #[schema(schema_with = crate::schema::channel)]
    pub channel: Channel,
    pub organisation_id: i64,
    pub requester_id: i64,
    pub cc: Vec<String>,
    pub product_id: Option<i64>,
    pub module: Option<String>,
    pub installation_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub tags: Vec<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<String>,
    pub parent_id: Option<i64>,
    pub local_it_checks: Option<LocalItChecks>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_response_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolved_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
    /// Send it back with a change: a stale version is refused with 409.
    pub version: i64,
    /// How the ticket ended or waits apart from its status: `redirected` (out of scope, sent
    /// to the local IT), `awaiting_written_confirmation` (a development proposal taken by
    /// phone), `training_catalogue` (answered with the training catalogue).
    pub disposition: Option<String>,
}

impl From<Ticket> for TicketView {
    fn from(t: Ticket) -> Self {
        TicketView {
            id: t.id,
            number: t.number,
            reference: format!("#{}", t.number),
            subject: t.subject,
            status: t.status,
            priority: t.priority,
            proposed_priority: t.proposed_priority,
            kind: t.kind,
            channel: t.channel,
            organisation_id: t.organisation_id,
            requester_id: t.requester_id,
            cc: t.cc,
            product_id: t.product_id,
            module: t.module,
            installation_id: t.installation_id,
            assignee_id: t.assignee_id,
            team_id: t.team_id,
            tags: t.tags,
            due_date: t.due_date,
            parent_id: t.parent_id,
            local_it_checks: t.local_it_checks.and_then(|c| serde_json::from_str(&c).ok()),
            created_at: t.created_at,
            updated_at: t.updated_at,
            first_response_at: t.first_response_at,
            resolved_at: t.resolved_at,
            closed_at: t.closed_at,
            version: t.version,
            disposition: t.disposition,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<TicketView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// Where to download it (authorised like the ticket).
    pub url: String,
}

impl From<Attachment> for AttachmentView {
    fn from(a: Attachment) -> Self {
        AttachmentView {
            url: format!("/api/v1/attachments/{}", a.id),
            id: a.id,
            filename: a.filename,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallView {
    #[schema(schema_with = crate::schema::call_direction)]
    pub direction: CallDirection,
    pub number: Option<String>,
    pub duration_secs: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MailView {
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub cc: Option<String>,
    /// The mail's HTML body, sanitised (no scripts, no remote images); its inline images point
    /// at the article's attachments.
    pub html: Option<String>,
    /// Byte offset in `body` where the quoted history starts: show the text before it and
    /// fold the rest away.
    pub quote_start: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleView {
    pub id: i64,
    #[schema(schema_with = crate::schema::article_kind)]
    pub kind: ArticleKind,
    pub author_id: Option<i64>,
    pub body: String,
    pub call: Option<CallView>,
    pub mail: Option<MailView>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub attachments: Vec<AttachmentView>,
}

/// Points the `cid:` images of a mail's HTML at the article's attachments, so they show
/// (through the authorised download) instead of as broken images.
fn link_inline_images(html: String, files: &[Attachment]) -> String {
    files.iter().fold(html, |h, f| match &f.content_id {
        Some(cid) => h.replace(&format!("cid:{cid}"), &format!("/api/v1/attachments/{}", f.id)),
        None => h,
    })
}

impl From<Article> for ArticleView {
    fn from(a: Article) -> Self {
        ArticleView {
            id: a.id,
            kind: a.kind,
            author_id: a.author_id,
            body: a.body,
            call: a.call.map(|c| CallView { direction: c.direction, number: c.number, duration_secs: c.duration_secs }),
            mail: a.mail.map(|m| MailView {
                message_id: m.message_id,
                in_reply_to: m.in_reply_to,
                references: m.references,
                from: m.from,
                to: m.to,
                cc: m.cc,
                html: m.html.map(|h| link_inline_images(h, &a.attachments)),
                quote_start: m.quote_start,
            }),
            created_at: a.created_at,
            attachments: a.attachments.into_iter().map(AttachmentView::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    pub actor_id: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// `created`, `field_changed`, `assigned`, `status_changed`, `article_added`, …
    pub kind: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
}

impl From<Event> for EventView {
    fn from(e: Event) -> Self {
        EventView {
            id: e.id,
            actor_id: e.actor_id,
            at: e.at,
            kind: e.kind,
            field: e.field,
            old_value: e.old_value,
            new_value: e.new_value,
            reason: e.reason,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTicket {
    pub ticket: TicketView,
    pub article: ArticleView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedArticle {
    pub ticket: TicketView,
    pub article: ArticleView,
}
