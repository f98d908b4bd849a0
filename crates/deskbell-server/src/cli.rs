//! The `deskbell` command and its subcommands.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use deskbell_domain::person::{EmailAddress, Language, Role};
use deskbell_store::people::{self, PersonInput};
use deskbell_store::{Store, StoreOptions, auth as store_auth, orgs};

use crate::auth::{hash_password, random_token, token_hash, validate_password};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::state::AppState;

#[derive(Parser, Debug)]
#[command(name = "deskbell", version, about = "Service desk for vendors whose customers work around the clock")]
pub struct Cli {
    /// Configuration file (default: ./deskbell.toml when present).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the service (migrates the database first).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free one).
        #[arg(long)]
        listen: Option<String>,
        /// Load the Polish demo data first (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Load the Polish demo data (idempotent; never done implicitly).
    Demo,
    /// Manage people.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Check SLA arithmetic from the outside, with the code the service uses.
    Sla {
        #[command(subcommand)]
        command: SlaCommand,
    },
    /// The mail channel.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Ask a running deskbell whether it is ready; exit status 0 when it is.
    Healthcheck {
        /// Address of the instance (default: the configured listen address).
        #[arg(long)]
        addr: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a person; the password is read from DESKBELL_NEW_PASSWORD or --password.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// customer_user, customer_admin, agent, supervisor or admin.
        #[arg(long)]
        role: String,
        /// Organisation id or exact name (customer roles).
        #[arg(long)]
        organisation: Option<String>,
        #[arg(long, env = "DESKBELL_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[arg(long, default_value = "pl")]
        language: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SlaCommand {
    /// Print the deadline: the earliest instant at which the counted time equals the target.
    Deadline {
        /// A built-in calendar (pl-business-08-20, 24x7) or a calendar file (.toml).
        #[arg(long)]
        calendar: String,
        /// RFC 3339 with an offset, or a local time (2026-03-13T19:30) in the calendar's zone.
        #[arg(long)]
        start: String,
        /// Counted time to reach, like 2h, 90m, 1h30m, 45s.
        #[arg(long)]
        target: String,
        /// A pause START/END (or START/ for one not yet ended); may be repeated.
        #[arg(long = "pause")]
        pauses: Vec<String>,
    },
    /// Print the time counted between two instants as HH:MM:SS.
    Counted {
        #[arg(long)]
        calendar: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long = "pause")]
        pauses: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum MailCommand {
    /// Take one RFC 5322 message on stdin, as a mail server's pipe delivery does. Prints what
    /// became of it. Exit status 0 when the message is stored, recognised as a duplicate or
    /// automatic mail, or quarantined; 75 (EX_TEMPFAIL, "try again later") when the database
    /// cannot take it, so the mail server keeps it and retries.
    Ingest {
        /// The mailbox it was addressed to (needed when there are several).
        #[arg(long)]
        mailbox: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for a person and print it (shown once; only its hash is stored).
    Create {
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Space-separated scopes: read, write, admin.
        #[arg(long, default_value = "read write")]
        scopes: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("database: {0}")]
    Store(#[from] deskbell_store::StoreError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The work could not be done now and should be retried (exit status 75).
    #[error("{0}")]
    TempFail(String),
}

impl CliError {
    /// The exit status: 75 (EX_TEMPFAIL) asks a mail server to retry a pipe delivery.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::TempFail(_) => 75,
            _ => 1,
        }
    }
}

pub fn open_store(config: &Config) -> Result<Store, CliError> {
    let store = Store::open(config.database_url.expose(), &StoreOptions { pool_size: config.pool_size })?;
    let applied = store.migrate()?;
    for m in applied {
        tracing::info!(migration = %m, "applied migration");
    }
    Ok(store)
}

pub fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    // Logs go to stderr so that what a command prints (a token, "ready") can be captured
    // alone; colours only on a terminal.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

pub async fn run(cli: Cli) -> Result<(), CliError> {
    // Pure arithmetic: no configuration, database or logging involved.
    if let Command::Sla { command } = &cli.command {
        println!("{}", sla_command(command).map_err(CliError::Usage)?);
        return Ok(());
    }
    let mut config = Config::load(cli.config.as_deref())?;
    init_logging(&config.log);
    let env: Vec<(String, String)> = std::env::vars().collect();
    for name in Config::unknown_env(&env) {
        tracing::warn!(variable = %name, "unknown DESKBELL_ variable ignored");
    }
    match cli.command {
        Command::Serve { listen, demo } => {
            if let Some(l) = listen {
                config.listen = l;
            }
            serve(config, demo).await
        }
        Command::Migrate => {
            let store = blocking(move || open_store(&config)).await?;
            drop(store);
            println!("migrations applied");
            Ok(())
        }
        Command::Demo => {
            blocking(move || {
                let store = open_store(&config)?;
                let loaded = crate::demo::load(&store, SystemClock.now())?;
                println!("{}", if loaded { "demo data loaded" } else { "demo data already present" });
                Ok(())
            })
            .await
        }
        Command::User { command: UserCommand::Add { email, name, role, organisation, password, language } } => {
            blocking(move || {
                user_add(&config, &email, &name, &role, organisation.as_deref(), password.as_deref(), &language)
            })
            .await
        }
        Command::Token { command: TokenCommand::Create { user, name, scopes } } => {
            blocking(move || token_create(&config, &user, &name, &scopes)).await
        }
        Command::Mail { command: MailCommand::Ingest { mailbox } } => {
            blocking(move || mail_ingest(&config, mailbox)).await
        }
        Command::Healthcheck { addr } => healthcheck(&addr.unwrap_or(config.listen)).await,
        Command::Sla { .. } => Ok(()),
    }
}

fn mail_ingest(config: &Config, mailbox: Option<String>) -> Result<(), CliError> {
    use crate::mail::intake::{self, Outcome, Source};
    use std::io::Read;
    let store = open_store(config).map_err(|e| CliError::TempFail(e.to_string()))?;
    let mb = match mailbox {
        Some(name) => store.read(|tx| deskbell_store::mail::mailbox_by_name(tx, &name)).map_err(|e| match e {
            deskbell_store::StoreError::NotFound => CliError::Usage(format!("no mailbox named `{name}`")),
            e => CliError::TempFail(e.to_string()),
        })?,
        None => {
            let all = store.read(deskbell_store::mail::mailboxes).map_err(|e| CliError::TempFail(e.to_string()))?;
            match <[_; 1]>::try_from(all) {
                Ok([one]) => one,
                Err(all) if all.is_empty() => return Err(CliError::Usage("no mailbox is configured".into())),
                Err(_) => return Err(CliError::Usage("there are several mailboxes; name one with --mailbox".into())),
            }
        }
    };
    let mut raw = Vec::new();
    std::io::stdin().read_to_end(&mut raw)?;
    let limits = crate::tickets::service::Limits {
        attachment_max_bytes: config.attachment_max_bytes,
        reopen_days: config.reopen_days,
    };
    let outcome = intake::ingest(&store, &mb, &raw, &Source::pipe(), limits, SystemClock.now())
        .map_err(|e| CliError::TempFail(format!("the message was not stored, try again: {e}")))?;
    println!(
        "{}",
        match outcome {
            Outcome::Ticket { number } => format!("ticket {number} opened"),
            Outcome::Reply { number } => format!("reply added to ticket {number}"),
            Outcome::Automatic => "automatic mail recorded; no ticket".to_owned(),
            Outcome::Bounce { addresses } => format!("delivery report; bouncing: {}", addresses.join(", ")),
            Outcome::Duplicate => "already stored; nothing done".to_owned(),
            Outcome::Quarantined { id, reason } => format!("quarantined as #{id}: {reason}"),
        }
    );
    Ok(())
}

fn sla_command(command: &SlaCommand) -> Result<String, String> {
    match command {
        SlaCommand::Deadline { calendar, start, target, pauses } => {
            crate::sla::deadline_line(&crate::sla::calendar_from_arg(calendar)?, start, target, pauses)
        }
        SlaCommand::Counted { calendar, from, to, pauses } => {
            crate::sla::counted_line(&crate::sla::calendar_from_arg(calendar)?, from, to, pauses)
        }
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, CliError> + Send + 'static) -> Result<T, CliError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| CliError::Usage(e.to_string()))?
}

async fn serve(config: Config, demo: bool) -> Result<(), CliError> {
    tracing::info!(database = %config.database_url_for_logs(), "opening database");
    let store = {
        let config = config.clone();
        blocking(move || {
            let store = open_store(&config)?;
            if demo && crate::demo::load(&store, SystemClock.now())? {
                tracing::info!("demo data loaded");
            }
            Ok(store)
        })
        .await?
    };
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| CliError::Usage(format!("cannot listen on {}: {e}", config.listen)))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "deskbell listening on http://{addr}");
    let state = AppState::new(store, config, Arc::new(SystemClock));
    if let Err(e) = state.record_base_url().await {
        tracing::warn!(error = %e.message, "cannot record the public address for automatic answers");
    }
    // Shutdown order: stop taking requests (the server finishes those in flight), then stop
    // the jobs, then the store closes with the last handle.
    let (stop_jobs, jobs_stopped) = tokio::sync::watch::channel(false);
    let watch = tokio::spawn(crate::sla::watch::run(state.clone(), jobs_stopped.clone()));
    let maintenance = tokio::spawn(crate::jobs::maintenance(state.clone(), jobs_stopped.clone()));
    let poller = tokio::spawn(crate::mail::poller::run(state.clone(), jobs_stopped.clone()));
    let sender = tokio::spawn(crate::mail::sender::run(state.clone(), jobs_stopped));
    crate::app::serve(listener, state, shutdown_signal()).await?;
    let _ = stop_jobs.send(true);
    let _ = watch.await;
    let _ = maintenance.await;
    let _ = poller.await;
    let _ = sender.await;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, finish requests in flight, then close the pool.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

fn user_add(
    config: &Config,
    email: &str,
    name: &str,
    role: &str,
    organisation: Option<&str>,
    password: Option<&str>,
    language: &str,
) -> Result<(), CliError> {
    let email: EmailAddress = email.parse().map_err(|e| CliError::Usage(format!("{e}")))?;
    let role: Role = role.parse().map_err(|e| CliError::Usage(format!("{e}")))?;
    let language: Language = language.parse().map_err(|e| CliError::Usage(format!("{e}")))?;
    if let Some(p) = password {
        validate_password(p).map_err(|e| CliError::Usage(e.message))?;
    }
    let hash = password.map(hash_password).transpose().map_err(|e| CliError::Usage(e.message))?;
    let store = open_store(config)?;
    let now = SystemClock.now();
    let person = store.write(|tx| {
        let organisation_id = match organisation {
            None => None,
            Some(o) => match o.parse::<i64>() {
                Ok(id) => Some(orgs::get(tx, id).map_err(|_| CliError::Usage(format!("no organisation {id}")))?.id),
                Err(_) => Some(
                    orgs::list(tx, None)?
                        .into_iter()
                        .find(|org| org.name == o)
                        .ok_or_else(|| CliError::Usage(format!("no organisation named `{o}`")))?
                        .id,
                ),
            },
        };
        if role.is_customer() != organisation_id.is_some() {
            return Err(CliError::Usage("customer roles need --organisation; the vendor's staff have none".into()));
        }
        let input = PersonInput {
            email: email.clone(),
            name: name.to_owned(),
            role,
            organisation_id,
            phone: None,
            language,
            active: true,
        };
        people::create(tx, &input, hash.as_deref(), now).map_err(|e| match e {
            deskbell_store::StoreError::Unique { .. } => CliError::Usage(format!("{email} already exists")),
            e => e.into(),
        })
    })?;
    println!("added {} ({}) as person {}", person.email, person.role, person.id);
    Ok(())
}

fn token_create(config: &Config, user: &str, name: &str, scopes: &str) -> Result<(), CliError> {
    let email: EmailAddress = user.parse().map_err(|e| CliError::Usage(format!("{e}")))?;
    let scopes: Vec<String> = scopes.split_whitespace().map(str::to_owned).collect();
    if let Some(bad) = scopes.iter().find(|s| !["read", "write", "admin"].contains(&s.as_str())) {
        return Err(CliError::Usage(format!("unknown scope `{bad}`; use read, write, admin")));
    }
    let store = open_store(config)?;
    let token = format!("dsk_{}", random_token());
    let now = SystemClock.now();
    store.write(|tx| {
        let person = people::by_email(tx, &email)?.ok_or_else(|| CliError::Usage(format!("no person {email}")))?;
        store_auth::create_token(tx, person.id, name, &token_hash(&token), &scopes, now)?;
        Ok::<_, CliError>(())
    })?;
    println!("{token}");
    Ok(())
}

async fn healthcheck(addr: &str) -> Result<(), CliError> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let unhealthy = |m: String| CliError::Usage(format!("not ready: {m}"));
    let mut s = tokio::time::timeout(std::time::Duration::from_secs(5), tokio::net::TcpStream::connect(addr))
        .await
        .map_err(|_| unhealthy("timed out".into()))?
        .map_err(|e| unhealthy(e.to_string()))?;
    s.write_all(format!("GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).await?;
    let mut buf = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(5), s.read_to_end(&mut buf))
        .await
        .map_err(|_| unhealthy("timed out".into()))??;
    let head = String::from_utf8_lossy(&buf);
    if head.starts_with("HTTP/1.1 200") {
        println!("ready");
        Ok(())
    } else {
        Err(unhealthy(head.lines().next().unwrap_or_default().to_owned()))
    }
}
