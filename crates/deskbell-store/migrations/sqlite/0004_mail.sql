-- The e-mail channel (issue 4): mailboxes, every message accepted exactly once, quarantined
-- messages with their raw bytes, IMAP checkpoints committed with the tickets they produced,
-- and the outbox the sender job delivers from.

CREATE TABLE mailboxes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- The support address: From and Reply-To of every outgoing message.
    address TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    imap_host TEXT,
    imap_port INTEGER,
    imap_security TEXT NOT NULL DEFAULT 'tls',
    imap_user TEXT,
    -- Never returned by the API nor logged.
    imap_password TEXT,
    imap_folder TEXT NOT NULL DEFAULT 'INBOX',
    poll_secs INTEGER NOT NULL DEFAULT 60,
    smtp_host TEXT,
    smtp_port INTEGER,
    smtp_security TEXT NOT NULL DEFAULT 'starttls',
    smtp_user TEXT,
    smtp_password TEXT,
    -- What a message from an address deskbell does not know becomes: `customer` (a new
    -- customer user in the organisation its mail domain names) or `queue` (a ticket of the
    -- unknown-senders organisation for an agent to sort).
    unknown_senders TEXT NOT NULL DEFAULT 'customer',
    max_message_bytes INTEGER NOT NULL DEFAULT 26214400,
    active INTEGER NOT NULL DEFAULT 1,
    last_poll_at INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- One row per message a mailbox accepted, whatever became of it. The unique key is what
-- makes intake exactly-once: a second fetch, a retry after a crash, or a second instance
-- polling the same mailbox finds the key taken. `dedup_key` is `mid:` + the Message-ID, or
-- `sha256:` + the hash of the raw bytes when the message has none.
CREATE TABLE mail_messages (
    id INTEGER PRIMARY KEY,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id),
    dedup_key TEXT NOT NULL,
    message_id TEXT,
    -- `ticket` (opened one), `reply` (added to one), `auto` (automatic mail, dropped),
    -- `bounce` (a delivery report), `quarantined`.
    outcome TEXT NOT NULL,
    ticket_id INTEGER REFERENCES tickets(id),
    article_id INTEGER REFERENCES articles(id),
    sender TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    note TEXT,
    received_at INTEGER NOT NULL,
    UNIQUE (mailbox_id, dedup_key)
);
CREATE INDEX mail_messages_ticket ON mail_messages(ticket_id);

-- Messages that could not be read or stored: kept byte for byte, with the reason, until an
-- admin retries or dismisses them. They never block the rest of their mailbox.
CREATE TABLE mail_quarantine (
    id INTEGER PRIMARY KEY,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id),
    dedup_key TEXT NOT NULL,
    raw BLOB NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    -- Set when a retry stored it or an admin dismissed it.
    resolved_at INTEGER,
    resolution TEXT,
    UNIQUE (mailbox_id, dedup_key)
);

-- The last IMAP UID whose message is stored, per mailbox, written in the transaction that
-- stored it. A new UIDVALIDITY means the server renumbered the folder: start again, and the
-- unique key above keeps what was stored from being stored twice.
CREATE TABLE imap_checkpoints (
    mailbox_id INTEGER PRIMARY KEY REFERENCES mailboxes(id),
    uid_validity INTEGER NOT NULL,
    last_uid INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Outgoing mail, written in the transaction of the change that causes it and delivered by
-- the sender job. The write path stores what to say (`template`, `params`, `language`) and
-- the Message-ID; the sender composes `raw` at its first attempt and keeps it, so every retry
-- sends the same bytes.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id),
    ticket_id INTEGER REFERENCES tickets(id),
    article_id INTEGER REFERENCES articles(id),
    template TEXT NOT NULL,
    envelope_from TEXT NOT NULL,
    recipients TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    template_params TEXT NOT NULL,
    language TEXT NOT NULL,
    raw BLOB,
    -- `pending`, `sending` (claimed by a sender until `claimed_until`), `sent`, `failed`.
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until INTEGER,
    last_error TEXT,
    sent_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_ticket ON outbox(ticket_id);

-- "Still waiting for your answer" reminders: one per ticket and quiet stretch (`since` is the
-- ticket's last change). The primary key is the claim across instances.
CREATE TABLE mail_reminders (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    since INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, since)
);

-- Automatic answers sent, per address, for the rate limit that stops mail loops.
CREATE TABLE auto_replies (
    address TEXT NOT NULL,
    sent_at INTEGER NOT NULL
);
CREATE INDEX auto_replies_address ON auto_replies(address, sent_at);

ALTER TABLE articles ADD COLUMN body_html TEXT;
-- Byte offset in `body` where the quoted history of a mail starts (folded away on display).
ALTER TABLE articles ADD COLUMN quote_start INTEGER;
-- A delivery report said mail to this person fails.
ALTER TABLE people ADD COLUMN bounced_at INTEGER;
ALTER TABLE people ADD COLUMN bounce_reason TEXT;
-- The secret of the tracking link sent with "ticket received" (only its hash is stored).
ALTER TABLE tickets ADD COLUMN tracking_hash TEXT;
CREATE UNIQUE INDEX tickets_tracking_hash ON tickets(tracking_hash) WHERE tracking_hash IS NOT NULL;
-- The Content-ID of a mail's inline image: what `cid:` references in its HTML point to.
ALTER TABLE attachments ADD COLUMN content_id TEXT;
