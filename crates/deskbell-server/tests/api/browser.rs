//! A person's browser for the page tests: keeps cookies, follows no redirect (the tests look
//! at them), logs in through the real login form and sends each form's CSRF token as the page
//! does.

use reqwest::StatusCode;
use reqwest::multipart::Form;

use crate::support::{PASSWORD, TestApp};

pub struct Page {
    pub status: StatusCode,
    pub body: String,
    pub location: Option<String>,
}

impl Page {
    pub fn has(&self, s: &str) -> bool {
        self.body.contains(s)
    }
}

/// The value of the first `<input name="…" value="…">` of a page.
pub fn field_value(body: &str, name: &str) -> Option<String> {
    let start = body.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    let end = body[start..].find('"')?;
    Some(body[start..start + end].to_owned())
}

/// The text of the element with this id (up to its first tag end), for "the message is next
/// to its field".
pub fn element_text(body: &str, id: &str) -> Option<String> {
    let at = body.find(&format!("id=\"{id}\""))?;
    let open = body[at..].find('>')? + at + 1;
    let close = body[open..].find('<')? + open;
    Some(body[open..close].trim().to_owned())
}

/// A person's browser: keeps cookies, follows no redirect, remembers the CSRF token of the
/// last page it saw.
pub struct Browser {
    pub base: String,
    pub http: reqwest::Client,
    /// The token of the last page seen (behind a lock so a browser can be shared by `&`).
    csrf: std::sync::Mutex<String>,
}

impl Browser {
    /// The CSRF token the last page's forms carried.
    pub fn csrf(&self) -> String {
        self.csrf.lock().expect("csrf").clone()
    }

    pub fn new(app: &TestApp) -> Browser {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Browser { base: app.base.clone(), http, csrf: std::sync::Mutex::new(String::new()) }
    }

    pub async fn page(&self, res: reqwest::Response) -> Page {
        let status = res.status();
        let location = res.headers().get("location").map(|v| v.to_str().expect("location").to_owned());
        let body = res.text().await.expect("body");
        if let Some(t) = field_value(&body, "_csrf") {
            *self.csrf.lock().expect("csrf") = t;
        }
        Page { status, body, location }
    }

    pub async fn get(&self, path: &str) -> Page {
        let res = self.http.get(format!("{}{path}", self.base)).send().await.expect("get");
        self.page(res).await
    }

    pub async fn get_bytes(&self, path: &str) -> (StatusCode, Vec<u8>) {
        let res = self.http.get(format!("{}{path}", self.base)).send().await.expect("get");
        (res.status(), res.bytes().await.expect("bytes").to_vec())
    }

    /// A URL-encoded form with the page's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf();
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// A URL-encoded form exactly as given.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let res = self.http.post(format!("{}{path}", self.base)).form(fields).send().await.expect("post");
        self.page(res).await
    }

    /// A multipart form, the CSRF token in the query as the page's form sends it.
    pub async fn upload(&self, path: &str, form: Form) -> Page {
        let url = format!("{}{path}?_csrf={}", self.base, self.csrf());
        let res = self.http.post(url).multipart(form).send().await.expect("post");
        self.page(res).await
    }

    /// A multipart form sent to `url` exactly as given (its token, if any, already in `url`).
    /// A refused upload is read to its end before the answer, so the answer always arrives.
    pub async fn upload_as_is(&self, url: &str, form: Form) -> Page {
        let res = self.http.post(format!("{}{url}", self.base)).multipart(form).send().await.expect("post");
        self.page(res).await
    }
}

/// Logs in through the login form, as a person does, and opens `first` (which gives the
/// session's CSRF token).
pub async fn log_in_to(app: &TestApp, email: &str, password: &str, first: &str) -> (Browser, Page) {
    let b = Browser::new(app);
    let p = b.get("/login").await;
    assert_eq!(p.status, StatusCode::OK);
    let cookie_token = b.csrf();
    assert!(!cookie_token.is_empty(), "the login form carries the CSRF token of its cookie");
    let p = b.post("/login", &[("email", email), ("password", password), ("next", "")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "login of {email}: {}", p.body);
    let home = p.location.clone().expect("where the login leads");
    let p = b.get(if first.is_empty() { &home } else { first }).await;
    assert_ne!(b.csrf(), cookie_token, "a session has its own token");
    (b, p)
}

impl Browser {
    /// Logs in with the seeded password and opens the person's start page.
    pub async fn login(app: &TestApp, email: &str) -> Browser {
        log_in_to(app, email, PASSWORD, "").await.0
    }
}
