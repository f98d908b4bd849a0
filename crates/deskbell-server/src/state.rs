//! Shared state of the running service and the bridge from async handlers to the blocking
//! store.

use std::sync::{Arc, Mutex, OnceLock, mpsc};

use deskbell_store::{Store, Tx};
use jiff::Timestamp;

use crate::clock::Clock;
use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::ops::Metrics;

type PasswordJob = Box<dyn FnOnce() + Send>;

/// The queue of the password thread, started on first use and shared by every `AppState`
/// of the process.
fn password_thread() -> &'static Mutex<mpsc::Sender<PasswordJob>> {
    static QUEUE: OnceLock<Mutex<mpsc::Sender<PasswordJob>>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<PasswordJob>();
        let spawned = std::thread::Builder::new().name("deskbell-passwords".into()).spawn(move || {
            for job in rx {
                job();
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the password thread");
        }
        Mutex::new(tx)
    })
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
    /// The OpenAPI document, rendered once when the router is built.
    pub openapi: Arc<OnceLock<String>>,
}

impl AppState {
    pub fn new(store: Store, config: Config, clock: Arc<dyn Clock>) -> Self {
        AppState {
            store,
            config: Arc::new(config),
            clock,
            metrics: Arc::new(Metrics::default()),
            openapi: Arc::new(OnceLock::new()),
        }
    }

    /// Automatic answers are written inside the ticket service's transactions, which know
    /// nothing of the configuration: the help centre's address they link is kept in the
    /// database. Called once when serving starts.
    pub async fn record_base_url(&self) -> Result<(), crate::error::ApiError> {
        let base = self.config.base_url.clone();
        self.write(move |tx| Ok(deskbell_store::settings::set(tx, crate::automation::BASE_URL_KEY, &base)?)).await
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Runs `f` in a write transaction on a blocking thread; an `Err` rolls everything back.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.write(f)).await?
    }

    /// Runs `f` in a read-only transaction on a blocking thread.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.read(f)).await?
    }

    /// [`Store::lookup`] off the async threads: for the lookup every request makes.
    pub async fn lookup<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.lookup(f)).await?
    }

    /// Password hashing and verification, on the one thread that does nothing else.
    ///
    /// Argon2 fills a 19 MiB buffer per call. On tokio's blocking pool every thread that ever
    /// hashed would keep such a buffer in its malloc arena (glibc does not return it), which
    /// grew an idle server from 12 MB to over 100 MB after a few logins; one thread keeps one.
    /// Logins are rate-limited anyway, so serialising them costs nothing users notice.
    pub async fn hashing<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: PasswordJob = Box::new(move || {
            let _ = tx.send(f());
        });
        password_thread()
            .lock()
            .map_err(|_| ApiError::internal("the password thread's queue was poisoned"))?
            .send(job)
            .map_err(|_| ApiError::internal("the password thread stopped"))?;
        rx.await.map_err(|_| ApiError::internal("the password thread dropped a job"))
    }
}
