#!/usr/bin/env bash
# Throwaway mail servers for deskbell's integration tests: a real IMAP server (Dovecot) and a
# real MTA (Postfix) that delivers into Dovecot's mailboxes over LMTP, both on loopback only.
#
#   scripts/mail-servers.sh start DIR             # install if missing, configure, start, write DIR/env
#   scripts/mail-servers.sh stop DIR              # stop both; never fails if already stopped
#   scripts/mail-servers.sh add-user DIR ADDRESS [PASSWORD]   # one more mailbox (while running too)
#   scripts/mail-servers.sh status DIR            # exit 0 when both are running
#
# Everything an instance owns (configuration, mail, queue, sockets, logs, pid files) lives under
# DIR, a directory the caller chooses (normally a fresh `mktemp -d`), so any number of instances
# can run side by side and none of them reads or changes /etc/dovecot, /etc/postfix or the
# system's own (default) Dovecot/Postfix instances.
#
# Environment read by `start` (all optional):
#   MAIL_IMAP_PORT, MAIL_SMTP_PORT  fixed ports; default: free ports picked at start
#   MAIL_PASSWORD                   the accounts' shared password; default deskbell-mail-test
#                                   (letters, digits and . _ + - only: DIR/env is not quoted)
#   MAIL_MAX_MESSAGE_SIZE           bytes the MTA accepts in one message; default 100 MiB
#
# DIR/env, written once both servers accept connections, holds KEY=value lines (no quoting,
# no spaces) that a shell can `source` and a test can parse by splitting at the first '='.
#
# Accounts: support@deskbell.test, support2@deskbell.test, customer@hotel.test,
# colleague@hotel.test and other@spa.test. Mail to a known address at deskbell.test, hotel.test
# or spa.test is delivered locally; an unknown local part is refused at RCPT time (550); any
# other domain is refused at RCPT time too (554 relay access denied): nothing leaves the machine.
set -euo pipefail

readonly DOMAINS=(deskbell.test hotel.test spa.test)
readonly ACCOUNTS=(support@deskbell.test support2@deskbell.test customer@hotel.test
  colleague@hotel.test other@spa.test)
readonly PACKAGES=(dovecot-core dovecot-imapd dovecot-lmtpd postfix)
# Mail is stored under one unprivileged system account shared by all instances: Dovecot will
# not run mail processes as root, and a dedicated account keeps them away from real users.
readonly VMAIL_USER=deskbell-mail
# Tests send a 50 MB message to exercise the receiving side's own limit, so the MTA must take
# well more than that, base64 included (50 MB of attachment is ~68 MB on the wire; Postfix's
# default limit is 10 MB). Postfix also wants 1.5 times this much free space in DIR to accept.
readonly MAX_MESSAGE_SIZE=${MAIL_MAX_MESSAGE_SIZE:-$((100 * 1024 * 1024))}
# Serialises installs and account creation between instances started at the same moment.
readonly INSTALL_LOCK=/var/lock/deskbell-mail-servers.lock

me=$(basename "$0")
die() {
  printf '%s: error: %s\n' "$me" "$*" >&2
  exit 1
}
note() { printf '%s: %s\n' "$me" "$*" >&2; }

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------
# Installation

pkg_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    pkg_installed "$p" || printf '%s\n' "$p"
  done
}

# The packages' own default instances are not ours to run: on a machine whose init starts them
# on install (systemd without a blocking policy-rc.d) they would sit on ports 25/143 and in
# /run/dovecot. Ours never use those, but a test machine is quieter and more predictable
# without them, so they are stopped and disabled right after *we* installed them (and only
# then: a system instance someone set up on purpose is left alone).
stop_system_instances() {
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now dovecot.service dovecot.socket postfix.service >/dev/null 2>&1 || true
  elif command -v update-rc.d >/dev/null 2>&1; then
    update-rc.d dovecot disable >/dev/null 2>&1 || true
    update-rc.d postfix disable >/dev/null 2>&1 || true
  fi
  # Without systemd (containers), an init script may still have started them.
  local pid
  if pid=$(pid_from /run/dovecot/master.pid dovecot); then kill -TERM "$pid" || true; fi
  if pid=$(pid_from /var/spool/postfix/pid/master.pid master); then kill -TERM "$pid" || true; fi
}

install_if_missing() {
  local log=$1
  local missing
  missing=$(missing_packages)
  if [ -z "$missing" ] && getent passwd "$VMAIL_USER" >/dev/null; then
    return 0 # the common case: stay quiet
  fi

  # Two instances starting together on a fresh machine must not race apt/dpkg or useradd.
  exec 9>"$INSTALL_LOCK"
  flock -w 900 9 || die "timed out waiting for another install ($INSTALL_LOCK)"
  missing=$(missing_packages)
  if [ -n "$missing" ]; then
    note "installing ${missing//$'\n'/ } (first run on this machine; log: $log)"
    # Postfix asks what kind of mail system this is; "No configuration" leaves /etc/postfix
    # without a main.cf, so the system instance cannot start and nothing of ours depends on it.
    printf '%s\n' \
      'postfix postfix/main_mailer_type select No configuration' \
      'postfix postfix/mailname string deskbell.test' | debconf-set-selections
    # shellcheck disable=SC2086 # one package name a line, no globbing characters
    if ! {
      apt-get update -q -o DPkg::Lock::Timeout=600 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
          -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef \
          -o Dpkg::Options::=--force-confold $missing
    } >"$log" 2>&1; then
      tail -n 30 "$log" >&2
      die "package installation failed (full log: $log)"
    fi
    stop_system_instances
  fi
  if ! getent passwd "$VMAIL_USER" >/dev/null; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin --comment 'deskbell test mail storage' "$VMAIL_USER"
  fi
  flock -u 9
  exec 9>&-
}

# ---------------------------------------------------------------------------------------------
# Helpers

# Ports below Linux's ephemeral range (32768+) so an outgoing connection cannot be holding the
# one we pick between the check and the bind; the remaining race with another instance picking
# the same port is handled by retrying start with fresh ports.
pick_port() {
  local p _ avoid=${1:-0}
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    [ "$p" = "$avoid" ] && continue
    if ! port_listening "$p"; then
      printf '%s\n' "$p"
      return 0
    fi
  done
  die "no free port found"
}

port_listening() {
  if command -v ss >/dev/null 2>&1; then
    [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# Reads a server's greeting so "up" means "speaks the protocol", not merely "port bound".
greets() { # PORT EXPECTED-PREFIX GOODBYE
  local line
  # shellcheck disable=SC2016 # expanded by the inner bash, from its arguments
  line=$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    IFS= read -r l <&3 || exit 1
    printf "%s\r\n" "$2" >&3
    printf "%s" "$l"' _ "$1" "$3" 2>/dev/null) || return 1
  [[ $line == "$2"* ]]
}

pid_from() { # PIDFILE -> pid, if that process is alive and is COMM
  local pidfile=$1 comm=$2 pid
  [ -r "$pidfile" ] || return 1
  pid=$(tr -dc '0-9' <"$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # A stale pid file may name an unrelated process that reused the number.
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 1
  printf '%s\n' "$pid"
}

dovecot_pid() { pid_from "$DIR/run/dovecot/master.pid" dovecot; }
postfix_pid() { pid_from "$DIR/postfix-queue/pid/master.pid" master; }

# Both masters pass SIGTERM on to their children and exit once those are gone (Dovecot takes
# about 3 s, Postfix about 1 s), so all are signalled first and then waited for together.
stop_pids() { # PID...
  local pid _ alive
  kill -TERM "$@" 2>/dev/null || true
  for _ in $(seq 1 150); do
    alive=()
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    [ "${#alive[@]}" -gt 0 ] || return 0
    sleep 0.1
  done
  note "pid ${alive[*]} ignored SIGTERM for 15 s; killing"
  kill -KILL "${alive[@]}" 2>/dev/null || true
}

set_dir() {
  [ -n "${1:-}" ] || usage
  [ -d "$1" ] || die "$1: no such directory (create it first, e.g. with mktemp -d)"
  DIR=$(cd "$1" && pwd -P)
  # Unix socket paths are limited to 108 bytes and ours add up to ~35 to DIR
  # (postfix-queue/private/proxywrite, run/dovecot/login/...).
  [ "${#DIR}" -le 60 ] || die "$DIR: path too long for unix sockets (keep it under 60 characters)"
  case $DIR in *[!A-Za-z0-9/._-]*) die "$DIR: only letters, digits and / . _ - please" ;; esac
}

valid_address() {
  [[ $1 =~ ^[a-z0-9][a-z0-9._+-]*@[a-z0-9.-]+$ ]]
}

valid_password() {
  [[ $1 =~ ^[A-Za-z0-9._+-]+$ ]]
}

is_local_domain() {
  local d
  for d in "${DOMAINS[@]}"; do [ "$d" = "$1" ] && return 0; done
  return 1
}

# One account = one line in Dovecot's passwd-file (passdb and userdb) and one key in Postfix's
# recipient map; both are rewritten so that a repeated add is harmless.
add_account() { # ADDRESS PASSWORD
  local addr=$1 pass=$2 users=$DIR/dovecot-users vmbox=$DIR/postfix/vmailbox
  touch "$users" "$vmbox"
  {
    awk -F: -v a="$addr" '$1 != a' "$users"
    printf '%s:{PLAIN}%s::::::\n' "$addr" "$pass"
  } >"$users.new"
  {
    awk -v a="$addr" '$1 != a' "$vmbox"
    printf '%s ok\n' "$addr"
  } >"$vmbox.new"
  # The auth process reads the passwd-file as the dovecot user; it holds passwords.
  chown root:dovecot "$users.new"
  chmod 0640 "$users.new"
  chmod 0644 "$vmbox.new"
  mv -f "$users.new" "$users"
  mv -f "$vmbox.new" "$vmbox"
}

accounts_csv() {
  cut -d: -f1 "$DIR/dovecot-users" | paste -sd, -
}

write_env() {
  local tmp=$DIR/env.new
  {
    echo "MAIL_IMAP_HOST=127.0.0.1"
    echo "MAIL_IMAP_PORT=$IMAP_PORT"
    echo "MAIL_SMTP_HOST=127.0.0.1"
    echo "MAIL_SMTP_PORT=$SMTP_PORT"
    echo "MAIL_PASSWORD=$PASSWORD"
    echo "MAIL_SUPPORT=support@deskbell.test"
    echo "MAIL_SUPPORT2=support2@deskbell.test"
    echo "MAIL_CUSTOMER=customer@hotel.test"
    echo "MAIL_COLLEAGUE=colleague@hotel.test"
    echo "MAIL_OTHER=other@spa.test"
    echo "MAIL_ACCOUNTS=$(accounts_csv)"
    echo "MAIL_DOMAINS=$(
      IFS=,
      echo "${DOMAINS[*]}"
    )"
    echo "MAIL_MAX_MESSAGE_SIZE=$MAX_MESSAGE_SIZE"
    echo "MAIL_DIR=$DIR"
  } >"$tmp"
  # Renamed into place so a test polling for DIR/env never reads half a file.
  mv -f "$tmp" "$DIR/env"
}

# ---------------------------------------------------------------------------------------------
# Configuration

write_dovecot_conf() {
  local uid gid
  uid=$(id -u "$VMAIL_USER")
  gid=$(id -g "$VMAIL_USER")
  cat >"$DIR/dovecot.conf" <<EOF
# Generated by scripts/mail-servers.sh; rewritten at every start. Stand-alone on purpose: it
# includes nothing from /etc/dovecot, so the system's configuration cannot leak in.

# Own sockets, state and name: several instances and the system one can run at once.
base_dir = $DIR/run/dovecot
state_dir = $DIR/state
instance_name = $INSTANCE
log_path = $DIR/log/dovecot.log
info_log_path = $DIR/log/dovecot.log

protocols = imap lmtp
listen = 127.0.0.1
hostname = mail.deskbell.test
postmaster_address = postmaster@deskbell.test

# Loopback test server: passwords in clear text over plain TCP are the point.
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests try wrong passwords on purpose; don't make them wait for it (a failure is still
# answered after ~0.5 s: Dovecot flushes failures on a timer).
auth_failure_delay = 0

# Every mailbox belongs to the one unprivileged storage account.
mail_uid = $uid
mail_gid = $gid
first_valid_uid = $uid
last_valid_uid = $uid
first_valid_gid = $gid
last_valid_gid = $gid
mail_home = $DIR/mail/%d/%n
mail_location = maildir:~/Maildir

# The usual special-use folders exist from the first login, as on a real provider.
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}

# Full addresses are the user names; the same file answers "password?" and "does this
# mailbox exist?" (LMTP), and Dovecot rereads it when it changes (add-user).
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu $DIR/dovecot-users
}
userdb {
  driver = passwd-file
  args = username_format=%Lu $DIR/dovecot-users
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}

# Postfix's lmtp client (user postfix) delivers through this socket.
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}

# Postfix asks Dovecot to check SMTP AUTH, for clients that insist on authenticating.
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}

# Dovecot also delays each further failed login from one IP by 2, 4, 8 then 15 s, and every
# test client is 127.0.0.1: a socket nobody may connect to switches that penalty off (the auth
# process logs one "net_connect_unix(anvil-auth-penalty) failed" error at start; expected).
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

protocol imap {
  # Tests open many connections for one account from one address (the default is 10).
  mail_max_userip_connections = 200
}
EOF
}

write_postfix_conf() {
  local pf=$DIR/postfix
  mkdir -p "$pf"
  cat >"$pf/main.cf" <<EOF
# Generated by scripts/mail-servers.sh; rewritten at every start. Used only through
# \`postfix -c $pf\`; /etc/postfix/main.cf is neither read nor needed.
compatibility_level = 3.6
config_directory = $pf
queue_directory = $DIR/postfix-queue
data_directory = $DIR/postfix-data
syslog_name = $INSTANCE
# There is no syslog daemon to rely on on a test machine: postlogd writes our own file.
maillog_file = $DIR/log/postfix.log
maillog_file_prefixes = $DIR/log

myhostname = mail.deskbell.test
mydomain = deskbell.test
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP deskbell test MTA

# All three test domains are virtual mailbox domains handed to Dovecot over LMTP; nothing is
# delivered by Postfix's own local(8) and nothing is relayed: other domains are refused at RCPT
# time (reject_unauth_destination with no permit_* before it, so even loopback and
# authenticated clients cannot relay), and anything that still got queued for elsewhere, such as
# a bounce to a foreign sender, fails instead of leaving the machine.
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
virtual_mailbox_domains = ${DOMAINS[*]}
virtual_mailbox_maps = texthash:$pf/vmailbox
virtual_transport = lmtp:unix:$DIR/run/dovecot/lmtp
local_transport = error:5.1.1 local delivery is disabled on this test MTA
default_transport = error:5.7.1 this test MTA delivers nowhere but its own domains
relay_transport = \$default_transport
relayhost =

# Loopback clients may submit without authentication; AUTH (PLAIN/LOGIN, checked by Dovecot,
# same passwords) is offered too, without TLS, for clients that always authenticate.
smtpd_client_restrictions = permit_mynetworks, reject
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DIR/run/dovecot/auth-postfix
smtpd_sasl_security_options = noanonymous
smtpd_tls_security_level = none
smtpd_tls_auth_only = no
smtputf8_enable = yes

message_size_limit = $MAX_MESSAGE_SIZE
mailbox_size_limit = 0
virtual_mailbox_limit = 0

# Test-friendly timing: no sleeping after rejected commands, and a delivery deferred while
# Dovecot was (re)starting is retried within seconds rather than minutes.
smtpd_error_sleep_time = 0
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 10s
biff = no
append_dot_mydomain = no
EOF

  # Only the services this setup uses, none chrooted (the chroot would need copies of the
  # sockets and files that live under DIR). Column 1 of smtpd is the listening address.
  cat >"$pf/master.cf" <<EOF
# service            type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$SMTP_PORT inet  n       -       n       -       -       smtpd
pickup               unix  n       -       n       60      1       pickup
cleanup              unix  n       -       n       -       0       cleanup
qmgr                 unix  n       -       n       300     1       qmgr
rewrite              unix  -       -       n       -       -       trivial-rewrite
bounce               unix  -       -       n       -       0       bounce
defer                unix  -       -       n       -       0       bounce
trace                unix  -       -       n       -       0       bounce
verify               unix  -       -       n       -       1       verify
flush                unix  n       -       n       1000?   0       flush
proxymap             unix  -       -       n       -       -       proxymap
proxywrite           unix  -       -       n       -       1       proxymap
showq                unix  n       -       n       -       -       showq
error                unix  -       -       n       -       -       error
retry                unix  -       -       n       -       -       error
discard              unix  -       -       n       -       -       discard
lmtp                 unix  -       -       n       -       -       lmtp
anvil                unix  -       -       n       -       1       anvil
scache               unix  -       -       n       -       1       scache
postlog              unix-dgram n  -       n       -       1       postlogd
EOF
}

# ---------------------------------------------------------------------------------------------
# Commands

start_dovecot() {
  # dovecot binds its listeners before it detaches, so a taken port fails right here. Its
  # output goes to a file, not $(...): the daemon keeps the inherited descriptors open.
  dovecot -c "$DIR/dovecot.conf" </dev/null >>"$DIR/log/dovecot.log" 2>&1
}

start_postfix() {
  # `postfix start` waits (master -w) until master has bound its listeners, or fails. Its
  # errors go to postfix.log (postlogd), not to a stderr that is no terminal.
  postfix -c "$DIR/postfix" start </dev/null >>"$DIR/log/postfix-start.log" 2>&1
}

wait_until_up() { # PORT PREFIX GOODBYE
  local _
  for _ in $(seq 1 100); do
    greets "$1" "$2" "$3" && return 0
    sleep 0.2
  done
  return 1
}

log_size() { stat -c %s "$1" 2>/dev/null || echo 0; }
log_since() { tail -c +"$(($2 + 1))" "$1" 2>/dev/null || true; }

fail_with_log() { # MESSAGE LOGFILE...
  local msg=$1 f
  shift
  for f in "$@"; do
    [ -s "$f" ] || continue
    printf '\n--- last lines of %s ---\n' "$f" >&2
    tail -n 25 "$f" >&2
  done
  cmd_stop "$DIR" >/dev/null 2>&1 || true
  die "$msg"
}

cmd_start() {
  set_dir "${1:-}"
  # Files are handed to the postfix, dovecot and storage users, and both masters must start as
  # root to bind, chroot their login processes and switch users.
  [ "$(id -u)" = 0 ] || die "start must run as root"
  mkdir -p "$DIR/log"
  if dovecot_pid >/dev/null || postfix_pid >/dev/null; then
    die "an instance is already running in $DIR (run: $me stop $DIR)"
  fi
  install_if_missing "$DIR/log/apt.log"
  if ! command -v dovecot >/dev/null || ! command -v postfix >/dev/null; then
    die "dovecot/postfix not found in PATH after installation"
  fi

  PASSWORD=${MAIL_PASSWORD:-deskbell-mail-test}
  valid_password "$PASSWORD" || die "MAIL_PASSWORD: use only letters, digits and . _ + -"
  [[ $MAX_MESSAGE_SIZE =~ ^[1-9][0-9]*$ ]] || die "MAIL_MAX_MESSAGE_SIZE: a number of bytes"
  INSTANCE=deskbell-mail-$(basename "$DIR" | tr -c 'A-Za-z0-9\n' '-')

  # The postfix user and Dovecot's storage/auth users must reach into DIR (mktemp makes it
  # 0700); traversal is enough, nothing in DIR becomes listable.
  chmod 0711 "$DIR"
  mkdir -p "$DIR/run" "$DIR/state" "$DIR/postfix-queue" "$DIR/postfix-data" "$DIR/postfix"
  install -d -o "$VMAIL_USER" -g "$VMAIL_USER" -m 0700 "$DIR/mail"
  chown postfix "$DIR/postfix-data"
  chmod 0700 "$DIR/postfix-data"
  printf '%s\n' "$PASSWORD" >"$DIR/password"
  chmod 0600 "$DIR/password"
  # Accounts added earlier with add-user survive a stop/start in the same DIR.
  local a
  for a in "${ACCOUNTS[@]}"; do
    add_account "$a" "$PASSWORD"
  done

  local fixed_ports=0 attempt failed pid dlog_at plog_at
  if [ -n "${MAIL_IMAP_PORT:-}" ] || [ -n "${MAIL_SMTP_PORT:-}" ]; then fixed_ports=1; fi
  for attempt in 1 2 3 4 5; do
    IMAP_PORT=${MAIL_IMAP_PORT:-$(pick_port)}
    SMTP_PORT=${MAIL_SMTP_PORT:-$(pick_port "$IMAP_PORT")}
    [ "$IMAP_PORT" != "$SMTP_PORT" ] || die "MAIL_IMAP_PORT and MAIL_SMTP_PORT are the same"
    write_dovecot_conf
    write_postfix_conf
    dlog_at=$(log_size "$DIR/log/dovecot.log")
    plog_at=$(log_size "$DIR/log/postfix.log")
    failed=
    if ! start_dovecot; then
      failed=Dovecot
    elif ! start_postfix; then
      failed=Postfix
      # Don't leave this attempt's Dovecot behind.
      if pid=$(dovecot_pid); then stop_pids "$pid"; fi
    fi
    [ -n "$failed" ] || break
    # Only a port someone else took since we picked it is worth another try, with new ports.
    if [ "$fixed_ports" = 0 ] && [ "$attempt" -lt 5 ] && {
      log_since "$DIR/log/dovecot.log" "$dlog_at"
      log_since "$DIR/log/postfix.log" "$plog_at"
    } | grep -q 'Address already in use'; then
      note "port $IMAP_PORT or $SMTP_PORT was taken meanwhile; retrying with others"
      continue
    fi
    fail_with_log "$failed failed to start (IMAP port $IMAP_PORT, SMTP port $SMTP_PORT)" \
      "$DIR/log/dovecot.log" "$DIR/log/postfix-start.log" "$DIR/log/postfix.log"
  done

  wait_until_up "$IMAP_PORT" '* OK' 'a LOGOUT' ||
    fail_with_log "Dovecot does not answer on 127.0.0.1:$IMAP_PORT" "$DIR/log/dovecot.log"
  wait_until_up "$SMTP_PORT" '220' 'QUIT' ||
    fail_with_log "Postfix does not answer on 127.0.0.1:$SMTP_PORT" \
      "$DIR/log/postfix-start.log" "$DIR/log/postfix.log"
  [ -S "$DIR/run/dovecot/lmtp" ] ||
    fail_with_log "Dovecot's LMTP socket is missing" "$DIR/log/dovecot.log"

  write_env
  note "IMAP 127.0.0.1:$IMAP_PORT, SMTP 127.0.0.1:$SMTP_PORT; settings in $DIR/env"
}

cmd_stop() {
  set_dir_lenient "${1:-}" || return 0
  local pid pids=()
  # Postfix is signalled first, so it does not start deliveries to a Dovecot that is going away.
  if pid=$(postfix_pid); then pids+=("$pid"); fi
  if pid=$(dovecot_pid); then pids+=("$pid"); fi
  rm -f "$DIR/env"
  [ "${#pids[@]}" -eq 0 ] || stop_pids "${pids[@]}"
}

# stop must succeed on a directory that is gone or was never started.
set_dir_lenient() {
  [ -n "${1:-}" ] || usage
  [ -d "$1" ] || return 1
  DIR=$(cd "$1" && pwd -P)
}

cmd_status() {
  set_dir "${1:-}"
  local ok=0 pid
  if pid=$(dovecot_pid); then echo "dovecot: running (pid $pid)"; else
    echo "dovecot: stopped"
    ok=1
  fi
  if pid=$(postfix_pid); then echo "postfix: running (pid $pid)"; else
    echo "postfix: stopped"
    ok=1
  fi
  return "$ok"
}

cmd_add_user() {
  set_dir "${1:-}"
  local addr=${2:-} pass=${3:-}
  [ -n "$addr" ] || usage
  addr=$(printf '%s' "$addr" | tr '[:upper:]' '[:lower:]')
  valid_address "$addr" || die "$addr: not an address this script can handle"
  is_local_domain "${addr#*@}" ||
    die "$addr: only ${DOMAINS[*]} are delivered locally"
  [ -f "$DIR/dovecot.conf" ] || die "$DIR: not a mail-servers directory (run start first)"
  [ -n "$pass" ] || pass=$(cat "$DIR/password")
  valid_password "$pass" || die "password: use only letters, digits and . _ + -"
  # The account files are rewritten by read-then-write: two test processes adding accounts at
  # once would lose one. The lock lives in DIR, so separate server pairs do not wait on it.
  exec 9>"$DIR/add-user.lock"
  flock 9
  add_account "$addr" "$pass"
  if postfix_pid >/dev/null; then
    # Dovecot rereads its passwd-file by itself; Postfix's daemons load texthash maps when they
    # start, so they are restarted. SIGHUP is asynchronous: give idle smtpd processes a moment
    # to go, so the next connection already knows the new recipient.
    postfix -c "$DIR/postfix" reload >>"$DIR/log/postfix-start.log" 2>&1 ||
      die "postfix reload failed (see $DIR/log/postfix-start.log)"
    sleep 1
  fi
  if [ -f "$DIR/env" ]; then
    sed -i "s/^MAIL_ACCOUNTS=.*/MAIL_ACCOUNTS=$(accounts_csv)/" "$DIR/env"
  fi
}

case ${1:-} in
start) cmd_start "${@:2}" ;;
stop) cmd_stop "${@:2}" ;;
status) cmd_status "${@:2}" ;;
add-user) cmd_add_user "${@:2}" ;;
*) usage ;;
esac
