-- Foundation: organisations, people, teams, products, tickets, articles, attachments,
-- history, sessions, tokens, search.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A sequence hands out ticket numbers to every instance without locking a row.
CREATE SEQUENCE ticket_number_seq;

CREATE TABLE teams (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE organisations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    parent_id BIGINT REFERENCES organisations(id),
    time_zone TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX organisations_parent ON organisations(parent_id);

CREATE TABLE organisation_phones (
    phone TEXT PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id)
);
CREATE TABLE organisation_domains (
    domain TEXT PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id)
);

CREATE TABLE people (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation_id BIGINT REFERENCES organisations(id),
    phone TEXT,
    language TEXT NOT NULL DEFAULT 'pl',
    password_hash TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX people_organisation ON people(organisation_id);

CREATE TABLE organisation_account_team (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    PRIMARY KEY (organisation_id, person_id)
);

CREATE TABLE team_members (
    team_id BIGINT NOT NULL REFERENCES teams(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    PRIMARY KEY (team_id, person_id)
);

CREATE TABLE products (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    team_id BIGINT REFERENCES teams(id),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE installations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    product_id BIGINT NOT NULL REFERENCES products(id),
    name TEXT NOT NULL,
    version TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX installations_organisation ON installations(organisation_id);

CREATE TABLE tickets (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number BIGINT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    requester_id BIGINT NOT NULL REFERENCES people(id),
    cc TEXT NOT NULL DEFAULT '[]',
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    priority TEXT NOT NULL,
    proposed_priority TEXT,
    status TEXT NOT NULL,
    product_id BIGINT REFERENCES products(id),
    module TEXT,
    installation_id BIGINT REFERENCES installations(id),
    assignee_id BIGINT REFERENCES people(id),
    team_id BIGINT REFERENCES teams(id),
    tags TEXT NOT NULL DEFAULT '[]',
    due_date TEXT,
    parent_id BIGINT REFERENCES tickets(id),
    local_it_checks TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    first_response_at TIMESTAMPTZ,
    resolved_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX tickets_updated ON tickets(updated_at, id);
CREATE INDEX tickets_created ON tickets(created_at, id);
CREATE INDEX tickets_status_updated ON tickets(status, updated_at, id);
CREATE INDEX tickets_org_updated ON tickets(organisation_id, updated_at, id);
CREATE INDEX tickets_requester_updated ON tickets(requester_id, updated_at, id);
CREATE INDEX tickets_assignee_updated ON tickets(assignee_id, updated_at, id);
CREATE INDEX tickets_team_updated ON tickets(team_id, updated_at, id);
CREATE INDEX tickets_priority_updated ON tickets(priority, updated_at, id);

CREATE TABLE articles (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL,
    author_id BIGINT REFERENCES people(id),
    body TEXT NOT NULL,
    call_direction TEXT,
    call_number TEXT,
    call_duration_secs BIGINT,
    message_id TEXT,
    in_reply_to TEXT,
    mail_references TEXT,
    mail_from TEXT,
    mail_to TEXT,
    mail_cc TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX articles_ticket ON articles(ticket_id, id);
CREATE INDEX articles_message_id ON articles(message_id) WHERE message_id IS NOT NULL;

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL
);

CREATE TABLE attachments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    article_id BIGINT NOT NULL REFERENCES articles(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX attachments_article ON attachments(article_id);
CREATE INDEX attachments_ticket ON attachments(ticket_id);

CREATE TABLE ticket_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    actor_id BIGINT REFERENCES people(id),
    at TIMESTAMPTZ NOT NULL,
    kind TEXT NOT NULL,
    field TEXT,
    old_value TEXT,
    new_value TEXT,
    reason TEXT
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people(id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_person ON sessions(person_id);

CREATE TABLE api_tokens (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE login_attempts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    success BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts(email, at);

-- Full-text index over folded text (see deskbell_domain::text::fold). `tsv` holds the words
-- deskbell cut (see search.rs) as lexemes, with no parser or dictionary: no stemming, the
-- folding already made the words comparable, and both backends index the same words.
-- doc_key = -ticket id for the subject, the article id for an article.
CREATE TABLE search_docs (
    doc_key BIGINT PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    public BOOLEAN NOT NULL,
    tsv TSVECTOR NOT NULL
);
CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);
CREATE INDEX search_docs_ticket ON search_docs(ticket_id);
