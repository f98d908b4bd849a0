-- A calendar edit may be scheduled: a version in force from a later instant. `applied_at` is
-- when its calendar_change events were written to the open clocks (the SLA watch claims a
-- due version by setting it, exactly once across instances). Versions before this migration
-- were applied when they were saved.
ALTER TABLE calendar_versions ADD COLUMN applied_at INTEGER;
UPDATE calendar_versions SET applied_at = created_at;
CREATE INDEX calendar_versions_pending ON calendar_versions(effective_from) WHERE applied_at IS NULL;

-- Who is on call when: a critical ticket's SLA alerts outside the support department's
-- business hours also go to the people on call then (DESIGN §3). A shift without a team
-- covers every team.
CREATE TABLE on_call_shifts (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    team_id INTEGER REFERENCES teams(id),
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES people(id),
    created_at INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX on_call_shifts_time ON on_call_shifts(starts_at, ends_at);
