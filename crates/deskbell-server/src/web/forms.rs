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
        let mut errors = Errors::default();
        let field = e.field.as_deref().filter(|f| fields.contains(f)).unwrap_or("_form");
        errors.add(field, e.message.clone());
        errors
    }
}

/// A text field: trimmed, `None` when empty.
pub fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// An id field of a `<select>`: empty means none; anything else must be a number.
pub fn opt_id(field: &str, s: &Option<String>, errors: &mut Errors, message: &str) -> Option<i64> {
    let v = opt(s)?;
    match v.parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            errors.add(field, message);
            None
        }
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
/// and whether the body went over the size limit (what was read before stays, so the form
/// can be shown again with the typed text and the error on the file field).
#[derive(Debug, Default)]
pub struct FormData {
    pub fields: Vec<(String, String)>,
    pub files: Vec<crate::tickets::service::Upload>,
    pub too_large: bool,
}

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The trimmed value, `None` when missing or empty.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormData {
    type Rejection = crate::web::PageError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
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
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(e.status(), "malformed_form", e.body_text()))?;
        let mut out = FormData::default();
        loop {
            let field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    out.too_large = true;
                    break;
                }
                Err(e) => return Err(ApiError::new(StatusCode::BAD_REQUEST, "malformed_form", e.body_text()).into()),
            };
            let name = field.name().unwrap_or_default().to_owned();
            let filename = field.file_name().map(str::to_owned);
            let content_type = field.content_type().unwrap_or("application/octet-stream").to_owned();
            let bytes = match field.bytes().await {
                Ok(b) => b,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    out.too_large = true;
                    break;
                }
                Err(e) => return Err(ApiError::new(StatusCode::BAD_REQUEST, "malformed_form", e.body_text()).into()),
            };
            match filename {
                // A file input left empty sends a part without a name and without bytes.
                Some(f) if f.is_empty() && bytes.is_empty() => {}
                Some(filename) => out.files.push(crate::tickets::service::Upload {
                    filename,
                    content_type,
                    data: bytes.to_vec(),
                    content_id: None,
                }),
                None => out.fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
            }
        }
        Ok(out)
    }
}
