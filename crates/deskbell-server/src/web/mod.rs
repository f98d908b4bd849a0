//! The pages: the agent workspace, the customers' help centre and the admin pages. Rendered
//! on the server with auto-escaping askama templates; htmx (vendored, no JavaScript build)
//! refreshes parts of pages. Every page request goes through [`ctx::pages`].

mod admin;
mod agent;
pub mod assets;
pub mod ctx;
pub mod forms;
mod help;
pub mod i18n;
mod login;
pub mod thread;

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};

use crate::state::AppState;

pub use ctx::{Ctx, PageError, PageResult};

async fn not_found() -> PageError {
    PageError(crate::error::ApiError::not_found("page"))
}

pub fn routes(state: AppState) -> Router<AppState> {
    let pages = Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::login_form).post(login::login))
        .route("/logout", post(login::logout))
        .route("/language", post(login::switch_language))
        .merge(agent::routes())
        .merge(help::routes())
        .merge(admin::routes())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state, ctx::pages));
    Router::new().route("/assets/{name}", get(assets::serve)).merge(pages)
}
