-- Foundation: organisations, people, teams, products, tickets, articles, attachments,
-- history, sessions, tokens, search. Instants are INTEGER microseconds since the epoch (UTC).

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('ticket_number', 0);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    parent_id INTEGER REFERENCES organisations(id),
    time_zone TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX organisations_parent ON organisations(parent_id);

-- Caller-ID and sender-domain lookups: one owner per phone number and per domain.
CREATE TABLE organisation_phones (
    phone TEXT PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id)
);
CREATE TABLE organisation_domains (
    domain TEXT PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id)
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation_id INTEGER REFERENCES organisations(id),
    phone TEXT,
    language TEXT NOT NULL DEFAULT 'pl',
    password_hash TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX people_organisation ON people(organisation_id);

-- The specialists who installed an organisation's systems and know it.
CREATE TABLE organisation_account_team (
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (organisation_id, person_id)
);

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (team_id, person_id)
);

CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    team_id INTEGER REFERENCES teams(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE installations (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    product_id INTEGER NOT NULL REFERENCES products(id),
    name TEXT NOT NULL,
    version TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX installations_organisation ON installations(organisation_id);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    requester_id INTEGER NOT NULL REFERENCES people(id),
    cc TEXT NOT NULL DEFAULT '[]',
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    priority TEXT NOT NULL,
    proposed_priority TEXT,
    status TEXT NOT NULL,
    product_id INTEGER REFERENCES products(id),
    module TEXT,
    installation_id INTEGER REFERENCES installations(id),
    assignee_id INTEGER REFERENCES people(id),
    team_id INTEGER REFERENCES teams(id),
    tags TEXT NOT NULL DEFAULT '[]',
    due_date TEXT,
    parent_id INTEGER REFERENCES tickets(id),
    local_it_checks TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    first_response_at INTEGER,
    resolved_at INTEGER,
    closed_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1
);
-- Lists are keyset-paginated on (sort column, id) under each common filter.
CREATE INDEX tickets_updated ON tickets(updated_at, id);
CREATE INDEX tickets_created ON tickets(created_at, id);
CREATE INDEX tickets_status_updated ON tickets(status, updated_at, id);
CREATE INDEX tickets_org_updated ON tickets(organisation_id, updated_at, id);
CREATE INDEX tickets_requester_updated ON tickets(requester_id, updated_at, id);
CREATE INDEX tickets_assignee_updated ON tickets(assignee_id, updated_at, id);
CREATE INDEX tickets_team_updated ON tickets(team_id, updated_at, id);
CREATE INDEX tickets_priority_updated ON tickets(priority, updated_at, id);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL,
    author_id INTEGER REFERENCES people(id),
    body TEXT NOT NULL,
    call_direction TEXT,
    call_number TEXT,
    call_duration_secs INTEGER,
    message_id TEXT,
    in_reply_to TEXT,
    mail_references TEXT,
    mail_from TEXT,
    mail_to TEXT,
    mail_cc TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX articles_ticket ON articles(ticket_id, id);
CREATE INDEX articles_message_id ON articles(message_id) WHERE message_id IS NOT NULL;

-- Attachment content, addressed by its SHA-256 so one file sent twice is stored once.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    article_id INTEGER NOT NULL REFERENCES articles(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    created_at INTEGER NOT NULL
);
CREATE INDEX attachments_article ON attachments(article_id);
CREATE INDEX attachments_ticket ON attachments(ticket_id);

CREATE TABLE ticket_events (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    actor_id INTEGER REFERENCES people(id),
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    field TEXT,
    old_value TEXT,
    new_value TEXT,
    reason TEXT
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_person ON sessions(person_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    at INTEGER NOT NULL,
    success INTEGER NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts(email, at);

-- Full-text index over folded text (see deskbell_domain::text::fold). One row per ticket
-- subject and per article; the rowid is `ticket id << 32 | internal << 31 | article id`
-- (article id 0 for the subject; internal = 1 for text customers must never find), so a
-- search reads nothing but the index. `body` holds the distinct words deskbell cut (see
-- search.rs), separated by spaces; the `ascii` tokenizer splits them there and nowhere
-- else, so both backends index the same words. Word positions would be meaningless:
-- `detail = none`.
CREATE VIRTUAL TABLE search_fts USING fts5(body, tokenize = 'ascii', detail = none);

-- Documents indexed by the transaction in progress, moved into search_fts just before it
-- commits (see search.rs: FTS5 would write an index segment per savepoint). Always empty
-- between transactions.
CREATE TABLE search_pending (
    seq INTEGER PRIMARY KEY,
    doc INTEGER NOT NULL,
    body TEXT NOT NULL
);
