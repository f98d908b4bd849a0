//! Form handling shared by the pages: errors shown next to their field with the input kept,
//! and the messages of the service's errors in the caller's language.

use crate::error::ApiError;

/// The errors of one submitted form: field name → message. `_form` is the whole form.
#[derive(Debug, Default, Clone)]
pub struct Errors(Vec<(String, String)>);

impl Errors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field.to_owned(), message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A service error as a form error: on its field when it names one the form has,
    /// otherwise on the whole form.
    pub fn from_api(e: &ApiError, fields: &[&str]) -> Errors {
        Errors::refusal(e, fields, "_form", e.message.clone())
    }

    /// A refusal with `message` (e.g. in the caller's language) on the field `e` names when
    /// the form has it, else on `fallback`.
    pub fn refusal(e: &ApiError, fields: &[&str], fallback: &str, message: String) -> Errors {
        let mut errors = Errors::default();
        let field = e.field.as_deref().filter(|f| fields.contains(f)).unwrap_or(fallback);
        errors.add(field, message);
        errors
    }
}

/// Percent-encoding of everything but RFC 3986's unreserved characters: for query values
/// and RFC 5987 `filename*`.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Sizes as people read them: `25 MB`, `512 kB`.
pub fn bytes(n: usize) -> String {
    if n >= 1024 * 1024 { format!("{} MB", n / (1024 * 1024)) } else { format!("{} kB", n.div_ceil(1024)) }
}

/// A submitted form, URL-encoded or multipart (with files): the fields in order, the files,
/// the names of files over the attachment limit (not held in memory) and whether the body
/// broke off (over the request limit, or malformed). What was read before stays, so the form
/// can be shown again with the typed text and the error on the file field.
#[derive(Debug, Default)]
pub struct FormData {
    pub fields: Vec<(String, String)>,
    pub files: Vec<crate::tickets::service::Upload>,
    pub too_large: Vec<String>,
    pub broken: bool,
}

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The value as sent, empty when missing.
    pub fn value(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_owned()
    }

    /// The trimmed value, `None` when missing or empty.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
    }

    /// A file was refused or the body broke off: the upload did not arrive whole.
    pub fn upload_failed(&self) -> bool {
        !self.too_large.is_empty() || self.broken
    }
}

/// Reads a multipart form, keeping what it could read when the body breaks off. Files come
/// only from parts named `attachments`; one over `max` bytes is not held in memory: its name
/// is noted and the rest of it skipped.
pub async fn read_multipart(mut mp: axum::extract::Multipart, max: usize) -> FormData {
    let mut sent = FormData::default();
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                sent.broken = true;
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let Some(filename) = field.file_name().map(str::to_owned) else {
            match field.text().await {
                Ok(v) => sent.fields.push((name, v)),
                Err(_) => {
                    sent.broken = true;
                    break;
                }
            }
            continue;
        };
        let content_type = field.content_type().unwrap_or("application/octet-stream").to_owned();
        let mut data = Vec::new();
        let mut over = false;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if !over && data.len() + chunk.len() > max {
                        over = true;
                        data = Vec::new();
                    }
                    if !over {
                        data.extend_from_slice(&chunk);
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    sent.broken = true;
                    return sent;
                }
            }
        }
        // A file input left empty still sends a part, with no name and no content.
        if (filename.is_empty() && data.is_empty() && !over) || name != "attachments" {
            continue;
        }
        if over {
            sent.too_large.push(filename);
        } else {
            sent.files.push(crate::tickets::service::Upload { filename, content_type, data, content_id: None });
        }
    }
    sent
}

impl axum::extract::FromRequest<crate::state::AppState> for FormData {
    type Rejection = crate::web::PageError;

    async fn from_request(
        req: axum::extract::Request,
        state: &crate::state::AppState,
    ) -> Result<Self, Self::Rejection> {
        use axum::extract::Multipart;
        use axum::http::{StatusCode, header};
        let content_type =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        if !content_type.starts_with("multipart/form-data") {
            let bytes = axum::body::Bytes::from_request(req, state)
                .await
                .map_err(|e| ApiError::new(e.status(), "malformed_form", e.body_text()))?;
            let fields = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "malformed_form", e.to_string()))?;
            return Ok(FormData { fields, ..FormData::default() });
        }
        let mp = Multipart::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(e.status(), "malformed_form", e.body_text()))?;
        Ok(read_multipart(mp, state.config.attachment_max_bytes).await)
    }
}
