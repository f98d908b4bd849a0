#!/usr/bin/env bash
# Runs every check and test of deskbell: formatting, clippy, and the whole suite on SQLite
# and on throwaway databases of the local PostgreSQL, with the mail tests against real
# Dovecot and Postfix instances started here (scripts/mail-servers.sh installs them), then
# the pages in headless Chromium (scripts/browser-tests.sh installs it).
#
#   ./scripts/test.sh            # everything
#   ./scripts/test.sh -p deskbell-store   # extra arguments go to `cargo test`
#
# PostgreSQL is found at DESKBELL_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test);
# each test creates and drops a database of its own there. When it is down, this script tries
# to start the local cluster. With CI=true a missing PostgreSQL fails the run instead of
# skipping the PostgreSQL half of the suite.
set -euo pipefail
cd "$(dirname "$0")/.."

export DESKBELL_TEST_PG_URL="${DESKBELL_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
export RUST_BACKTRACE="${RUST_BACKTRACE:-1}"
step() { printf '\n==> %s\n' "$*"; }

pg_up() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -d "$DESKBELL_TEST_PG_URL" >/dev/null 2>&1
  else
    (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
  fi
}

step "PostgreSQL at ${DESKBELL_TEST_PG_URL}"
if ! pg_up; then
  # A local cluster that stopped (Debian's layout) is started again; nothing else is assumed.
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for v in /etc/postgresql/*; do
      pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start 2>/dev/null || true
    done
    for _ in $(seq 1 30); do pg_up && break; sleep 0.5; done
  fi
fi
if pg_up; then
  echo "reachable"
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true and PostgreSQL is unreachable: the PostgreSQL half of the suite cannot be skipped" >&2
  exit 1
else
  echo "WARNING: PostgreSQL is unreachable; its tests will be SKIPPED (loudly). Set CI=true to fail instead." >&2
fi

step "the domain crate stays pure"
if cargo tree -p deskbell-domain -e normal --prefix none | grep -E '^(tokio|axum|hyper|rusqlite|postgres|r2d2|reqwest) '; then
  echo "deskbell-domain must not depend on I/O crates (above)" >&2
  exit 1
fi
echo "no I/O crates"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "mail servers (Dovecot and Postfix on loopback, throwaway configuration)"
# The mail tests talk to real IMAP and SMTP servers. One pair serves the whole run; each
# test makes its own accounts. Without them (and CI=true) those tests fail, never skip.
if [ -z "${DESKBELL_TEST_MAIL_DIR:-}" ]; then
  mail_dir="$(mktemp -d /tmp/deskbell-mail.XXXXXX)"
  if ./scripts/mail-servers.sh start "$mail_dir"; then
    export DESKBELL_TEST_MAIL_DIR="$mail_dir"
    trap './scripts/mail-servers.sh stop "$mail_dir" >/dev/null 2>&1; rm -rf "$mail_dir"' EXIT
  elif [ "${CI:-}" = "true" ]; then
    echo "CI=true and the mail servers could not be started" >&2
    exit 1
  else
    echo "WARNING: no mail servers; the mail tests will be SKIPPED (loudly)" >&2
  fi
fi

step "cargo test (SQLite and PostgreSQL)"
cargo test --workspace --locked "$@"

step "browser tests (headless Chromium)"
# The pages in a real browser: scripts/browser-tests.sh installs Chromium and playwright-core
# when missing, starts target/debug/deskbell on a throwaway database and runs
# tests/browser/run.mjs; screenshots land in target/browser-tests/. Without a browser it skips
# loudly, and with CI=true it fails instead. The full `cargo test` above has just built the
# binary; a run narrowed by arguments may not have, so it is built here then.
if [ $# -gt 0 ]; then
  cargo build --locked -p deskbell-server
fi
./scripts/browser-tests.sh

step "all checks passed"
