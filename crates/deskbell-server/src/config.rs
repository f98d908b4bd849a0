//! Configuration: defaults ← `deskbell.toml` ← `DESKBELL_*` environment (and `DATABASE_URL`).
//! Unknown keys in the file are an error that names them: a typo in a security setting must
//! not be silently ignored.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// A value that must never be printed (it may hold a password).
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (logged at start).
    pub listen: String,
    /// `sqlite://path` (default) or `postgres://user@host/db`.
    pub database_url: Secret,
    /// Public address of this service, used in links sent by mail.
    pub base_url: String,
    /// Database connections (PostgreSQL) or reader connections (SQLite).
    pub pool_size: u32,
    /// Largest attachment accepted, in bytes.
    pub attachment_max_bytes: usize,
    /// Largest request body, in bytes; must leave room for the attachments of one request.
    pub request_max_bytes: usize,
    pub session_ttl_hours: u32,
    /// Send the session cookie only over HTTPS; turn on behind TLS.
    pub cookie_secure: bool,
    /// Failed logins for one address within `login_window_minutes` before it is locked.
    pub login_max_failures: u32,
    pub login_window_minutes: u32,
    /// Days during which a customer may reopen a resolved ticket.
    pub reopen_days: u32,
    /// Days a ticket waits for the customer's answer before they get a reminder by mail
    /// (one per quiet stretch; 0 turns reminders off).
    pub waiting_reminder_days: u32,
    /// Log filter, e.g. `info` or `deskbell_server=debug,info`.
    pub log: String,
}

/// `DESKBELL_*` variables that commands read themselves (lower-cased, without the prefix).
const COMMAND_ENV: &[&str] = &["new_password"];

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            database_url: Secret::new("sqlite://./data/deskbell.db"),
            base_url: "http://127.0.0.1:8080".into(),
            pool_size: 8,
            attachment_max_bytes: 25 * 1024 * 1024,
            request_max_bytes: 60 * 1024 * 1024,
            session_ttl_hours: 24 * 14,
            cookie_secure: false,
            login_max_failures: 5,
            login_window_minutes: 15,
            reopen_days: 7,
            waiting_reminder_days: 3,
            log: "info".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
}

impl Config {
    /// Loads the configuration. `file` is read when given (an error if missing), else
    /// `./deskbell.toml` when it exists.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        let (path, text) = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|source| ConfigError::Read { path: p.display().to_string(), source })?;
                (p.display().to_string(), text)
            }
            None if Path::new("deskbell.toml").exists() => {
                let text = std::fs::read_to_string("deskbell.toml")
                    .map_err(|source| ConfigError::Read { path: "deskbell.toml".into(), source })?;
                ("deskbell.toml".into(), text)
            }
            None => (String::new(), String::new()),
        };
        Self::from_parts(&path, &text, &env)
    }

    /// Merges a file's text and environment variables over the defaults.
    pub fn from_parts(path: &str, text: &str, env: &[(String, String)]) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid { path: path.to_owned(), message };
        let mut table: toml::Table = toml::from_str(text).map_err(|e| invalid(e.message().to_owned()))?;
        let defaults = toml::Table::try_from(Config::default()).map_err(|e| invalid(e.to_string()))?;
        for key in table.keys() {
            if !defaults.contains_key(key) {
                return Err(invalid(format!(
                    "unknown key `{key}`; known keys: {}",
                    defaults.keys().cloned().collect::<Vec<_>>().join(", ")
                )));
            }
        }
        for (name, value) in env {
            let key = if name == "DATABASE_URL" {
                "database_url".to_owned()
            } else if let Some(k) = name.strip_prefix("DESKBELL_") {
                k.to_lowercase()
            } else {
                continue;
            };
            let Some(default) = defaults.get(&key) else {
                // Other tools share the prefix (test harnesses); an unknown variable is
                // reported at start by `unknown_env`, not refused.
                continue;
            };
            let parsed = match default {
                toml::Value::Integer(_) => value.parse::<i64>().map(toml::Value::Integer).map_err(|e| e.to_string()),
                toml::Value::Boolean(_) => value.parse::<bool>().map(toml::Value::Boolean).map_err(|e| e.to_string()),
                _ => Ok(toml::Value::String(value.clone())),
            }
            .map_err(|message| ConfigError::Env { name: name.clone(), message })?;
            table.insert(key, parsed);
        }
        let config: Config = table.try_into().map_err(|e: toml::de::Error| invalid(e.message().to_owned()))?;
        config.validate().map_err(invalid)?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        if self.attachment_max_bytes == 0 {
            return Err("attachment_max_bytes must be positive".into());
        }
        if self.request_max_bytes < self.attachment_max_bytes {
            return Err("request_max_bytes must be at least attachment_max_bytes".into());
        }
        if self.session_ttl_hours == 0 || self.pool_size == 0 || self.login_max_failures == 0 {
            return Err("session_ttl_hours, pool_size and login_max_failures must be positive".into());
        }
        Ok(())
    }

    /// `DESKBELL_*` variables that match no key, to warn about at start (those a command
    /// reads itself, [`COMMAND_ENV`], are not settings but expected).
    pub fn unknown_env(env: &[(String, String)]) -> Vec<String> {
        let Ok(defaults) = toml::Table::try_from(Config::default()) else { return Vec::new() };
        env.iter()
            .filter_map(|(n, _)| n.strip_prefix("DESKBELL_").map(|k| (n, k.to_lowercase())))
            // Besides the settings: the test suite's variables and the CLI's own inputs.
            .filter(|(_, k)| !defaults.contains_key(k) && !k.starts_with("test_") && !COMMAND_ENV.contains(&k.as_str()))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// The database URL without its password, for logs.
    pub fn database_url_for_logs(&self) -> String {
        let url = self.database_url.expose();
        match (url.find("://"), url.rfind('@')) {
            (Some(s), Some(at)) if at > s => {
                let creds = &url[s + 3..at];
                let user = creds.split(':').next().unwrap_or_default();
                format!("{}{}{}", &url[..s + 3], user, &url[at..])
            }
            _ => url.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn environment_overrides_file_which_overrides_defaults() {
        let c = Config::from_parts(
            "deskbell.toml",
            "listen = \"0.0.0.0:9000\"\npool_size = 3\n",
            &env(&[("DESKBELL_POOL_SIZE", "5"), ("DATABASE_URL", "postgres://u:pw@db/x")]),
        )
        .unwrap();
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(c.pool_size, 5);
        assert_eq!(c.database_url.expose(), "postgres://u:pw@db/x");
        assert_eq!(c.reopen_days, 7);
    }

    #[test]
    fn unknown_keys_are_reported_by_name() {
        let err = Config::from_parts("deskbell.toml", "lisen = \"x\"\n", &[]).unwrap_err();
        assert!(err.to_string().contains("unknown key `lisen`"), "{err}");
    }

    #[test]
    fn secrets_never_appear_in_debug_output_or_logs() {
        let c = Config::from_parts("", "", &env(&[("DATABASE_URL", "postgres://u:hunter2@db/x")])).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(c.database_url_for_logs(), "postgres://u@db/x");
    }

    #[test]
    fn the_example_file_documents_every_key_with_its_default() {
        let text = include_str!("../../../deskbell.example.toml");
        let example: toml::Table = toml::from_str(text).unwrap();
        let defaults = toml::Table::try_from(Config::default()).unwrap();
        assert_eq!(example, defaults, "deskbell.example.toml and Config::default() differ");
        Config::from_parts("deskbell.example.toml", text, &[]).unwrap();
    }

    #[test]
    fn a_bad_number_in_the_environment_names_the_variable() {
        let err = Config::from_parts("", "", &env(&[("DESKBELL_POOL_SIZE", "many")])).unwrap_err();
        assert!(err.to_string().starts_with("environment variable DESKBELL_POOL_SIZE"), "{err}");
    }
}
