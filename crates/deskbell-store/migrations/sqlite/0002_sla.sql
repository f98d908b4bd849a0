-- SLA: versioned calendars, contracts with per-priority targets and penalty terms, and per
-- ticket clocks with their append-only event log. Instants are INTEGER microseconds (UTC).

CREATE TABLE calendars (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- Built-in calendars are defined by the code and cannot be edited.
    builtin INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

-- Every edit of a calendar is a new version, in force from `effective_from`. Clock events name
-- the version they counted by, so a breach can be replayed with the calendar of the day.
CREATE TABLE calendar_versions (
    id INTEGER PRIMARY KEY,
    calendar_id INTEGER NOT NULL REFERENCES calendars(id),
    spec TEXT NOT NULL,
    effective_from INTEGER NOT NULL,
    created_by INTEGER REFERENCES people(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX calendar_versions_calendar ON calendar_versions(calendar_id, effective_from);

INSERT INTO calendars (id, name, builtin, created_at) VALUES (1, 'pl-business-08-20', 1, 0), (2, '24x7', 1, 0);
INSERT INTO calendar_versions (id, calendar_id, spec, effective_from, created_at) VALUES
    (1, 1, '{"time_zone":"Europe/Warsaw","holidays":"pl","intervals":[{"days":["mon","tue","wed","thu","fri"],"start":"08:00","end":"20:00"}]}', 0, 0),
    (2, 2, '{"time_zone":"Europe/Warsaw","always_open":true}', 0, 0);

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    -- Local dates, inclusive; `valid_to` NULL = open-ended.
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    calendar_id INTEGER NOT NULL REFERENCES calendars(id),
    warning_percent INTEGER NOT NULL DEFAULT 80,
    monthly_fee_minor INTEGER NOT NULL DEFAULT 0,
    -- 'business' or 'clock' hours of overrun.
    penalty_basis TEXT NOT NULL DEFAULT 'business',
    penalty_cap_minor INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX contracts_organisation ON contracts(organisation_id);

CREATE TABLE contract_products (
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    product_id INTEGER NOT NULL REFERENCES products(id),
    PRIMARY KEY (contract_id, product_id)
);

-- Per priority: targets in counted seconds (NULL = no clock for that metric), an optional
-- calendar of its own (NULL = the contract's), and the penalty rate as JSON (NULL = none).
CREATE TABLE contract_targets (
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    priority TEXT NOT NULL,
    first_response_secs INTEGER,
    resolution_secs INTEGER,
    calendar_id INTEGER REFERENCES calendars(id),
    penalty TEXT,
    PRIMARY KEY (contract_id, priority)
);

-- One row per ticket and metric: the clock folded up to its last event (so recomputing costs
-- the same with 10 or 10,000 events), and the next instants the SLA watch must act on, in
-- indexed columns.
CREATE TABLE ticket_clocks (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    metric TEXT NOT NULL,
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    calendar_id INTEGER NOT NULL REFERENCES calendars(id),
    summary TEXT NOT NULL,
    state TEXT NOT NULL,
    deadline_at INTEGER,
    warning_at INTEGER,
    breach_at INTEGER,
    warning_fired_at INTEGER,
    breach_fired_at INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, metric)
);
CREATE INDEX ticket_clocks_warning_due ON ticket_clocks(warning_at) WHERE warning_fired_at IS NULL AND warning_at IS NOT NULL;
CREATE INDEX ticket_clocks_breach_due ON ticket_clocks(breach_at) WHERE breach_fired_at IS NULL AND breach_at IS NOT NULL;
CREATE INDEX ticket_clocks_deadline ON ticket_clocks(deadline_at) WHERE state = 'running';

CREATE TABLE clock_events (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    metric TEXT NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor_id INTEGER REFERENCES people(id),
    calendar_version INTEGER NOT NULL REFERENCES calendar_versions(id),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX clock_events_ticket ON clock_events(ticket_id, metric, id);

-- What a person should look at: SLA warnings and breaches of their tickets (mail delivery of
-- these arrives with the mail channel). Written in the transaction that fires the alert.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER
);
CREATE INDEX notifications_person ON notifications(person_id, id);

-- A supervisor's waiver of a ticket's SLA penalty, with the reason; the statement shows it.
CREATE TABLE sla_waivers (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL UNIQUE REFERENCES tickets(id),
    reason TEXT NOT NULL,
    actor_id INTEGER NOT NULL REFERENCES people(id),
    created_at INTEGER NOT NULL
);
