-- The agent workspace's queue pages and the phone-ticket form.

-- The at-risk filter finds running clocks already warned (`warning_at <= now`) here, and those
-- due soon on ticket_clocks_deadline; walking every running clock instead took a third of a
-- second at 50,000 of them when few were at risk.
CREATE INDEX ticket_clocks_running_warning ON ticket_clocks(warning_at) WHERE state = 'running';

-- What orgs::find / people::find match: the name (and e-mail) folded, phone numbers as digits,
-- newline-separated (see src/find.rs). Filled for existing rows by the migration runner.
ALTER TABLE organisations ADD COLUMN find_key TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN find_key TEXT NOT NULL DEFAULT '';
