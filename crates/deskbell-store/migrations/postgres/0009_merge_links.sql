-- Merged and linked tickets, and the children of a major incident.

-- A duplicate merged into another ticket: its articles, files and history moved to the target,
-- it stays closed under its own number, and that number still finds the target. A target
-- merged on later takes its sources along (the rows are re-pointed), so one hop always suffices.
CREATE TABLE ticket_merges (
    source_id BIGINT PRIMARY KEY REFERENCES tickets(id),
    target_id BIGINT NOT NULL REFERENCES tickets(id),
    merged_by BIGINT REFERENCES people(id),
    merged_at TIMESTAMPTZ NOT NULL,
    reason TEXT,
    CHECK (source_id <> target_id)
);
CREATE INDEX ticket_merges_target ON ticket_merges(target_id);

-- Related tickets: an unordered pair, stored once with the smaller id first.
CREATE TABLE ticket_links (
    ticket_a BIGINT NOT NULL REFERENCES tickets(id),
    ticket_b BIGINT NOT NULL REFERENCES tickets(id),
    created_by BIGINT REFERENCES people(id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (ticket_a, ticket_b),
    CHECK (ticket_a < ticket_b)
);
CREATE INDEX ticket_links_b ON ticket_links(ticket_b);

-- The children of a major incident, listed from the parent.
CREATE INDEX tickets_parent ON tickets(parent_id) WHERE parent_id IS NOT NULL;
