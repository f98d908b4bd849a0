-- The pages' forms.

-- A form that creates something carries a random key; the first submission claims it in the
-- transaction that creates the ticket, a repeated one (a double click, a resent POST) finds
-- the ticket it made instead of making a second.
CREATE TABLE form_submissions (
    key TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people(id),
    ticket_id BIGINT REFERENCES tickets(id),
    created_at TIMESTAMPTZ NOT NULL
);

-- A customer admin's invitation of a colleague: a one-time link to choose a password. Only the
-- hash of the link's secret is stored.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people(id),
    invited_by BIGINT NOT NULL REFERENCES people(id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX invitations_person ON invitations(person_id);

-- Every tracking link a ticket's mails handed out keeps working: the "resolved" mail's new
-- link no longer replaces the one in the "received" mail. Only hashes are stored.
CREATE TABLE tracking_keys (
    hash TEXT PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id)
);
CREATE INDEX tracking_keys_ticket ON tracking_keys(ticket_id);
INSERT INTO tracking_keys (hash, ticket_id) SELECT tracking_hash, id FROM tickets WHERE tracking_hash IS NOT NULL;
