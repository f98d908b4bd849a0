-- Routing, rules, canned responses and the seed's scope rules (issue 7).

-- An admin's rule: when (`on`), if (conditions), do (actions), as JSON checked by the domain
-- crate when saved. Rules run in `position` order, ties by id.
CREATE TABLE rules (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    definition TEXT NOT NULL,
    fired INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES people(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Canned responses in Polish and English. `key` marks the answers the scope rules send
-- (`local_it`, `written_confirmation`, `training_catalogue`); admins may edit their text.
CREATE TABLE responses (
    id INTEGER PRIMARY KEY,
    key TEXT UNIQUE,
    title TEXT NOT NULL,
    body_pl TEXT NOT NULL,
    body_en TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- An agent away (leave, sickness, training): routing skips them meanwhile.
CREATE TABLE absences (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    reason TEXT,
    created_by INTEGER REFERENCES people(id),
    created_at INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX absences_person ON absences(person_id, ends_at);

-- An agent's working hours as a calendar; without one an agent counts as always on shift.
CREATE TABLE agent_hours (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    calendar_id INTEGER NOT NULL REFERENCES calendars(id)
);

-- Round robin: who of a pool (an organisation's account team, a team) got a ticket last.
-- The pool's row in routing_pools is locked first, so concurrent tickets take turns.
CREATE TABLE routing_pools (
    pool TEXT PRIMARY KEY,
    turns INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE routing_turns (
    pool TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    last_at INTEGER NOT NULL,
    turn INTEGER NOT NULL,
    PRIMARY KEY (pool, person_id)
);

-- How a ticket ended or waits apart from its status: `redirected` (out of scope, sent to the
-- local IT), `awaiting_written_confirmation` (a development proposal taken by phone),
-- `training_catalogue` (answered with the training catalogue).
ALTER TABLE tickets ADD COLUMN disposition TEXT;
