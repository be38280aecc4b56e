-- The office dashboard's tables (`badgegate office serve`), added to a
-- venue schema of version 1 by `badgegate office init`. Additive only:
-- kiosks and desks of earlier builds never read them, so the venue schema
-- version stays 1 and meta says `dashboard_version` 1.

-- Security office users of the dashboard. Not database logins: a kiosk's
-- or desk's login cannot sign in. Passwords as Argon2id PHC strings.
CREATE TABLE IF NOT EXISTS badgegate.office_users (
    name          text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9._-]{1,40}$'),
    password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    added_at      timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz
);

-- Who acknowledged which alarm, and when. An alarm is named by its
-- subject: `alarm:ID` (a row of badgegate.alarms) or `record:KIOSK:SEQ`
-- (a record that is an alarm: a revoked badge presented, an override …).
-- Append-only, like the records.
CREATE TABLE IF NOT EXISTS badgegate.acks (
    subject text PRIMARY KEY,
    by_user text NOT NULL REFERENCES badgegate.office_users (name),
    at      timestamptz NOT NULL DEFAULT now(),
    note    text
);
DROP TRIGGER IF EXISTS acks_no_update ON badgegate.acks;
CREATE TRIGGER acks_no_update BEFORE UPDATE OR DELETE ON badgegate.acks
    FOR EACH ROW EXECUTE FUNCTION badgegate.records_frozen();
REVOKE ALL ON badgegate.office_users, badgegate.acks FROM PUBLIC;

-- A badge's story (every record of a serial), found without reading the
-- whole venue record. The records that are alarms have their own partial
-- index, over badgegate.alarming (written by office init from the core's
-- alarm rule, and rebuilt when that rule changes).
CREATE INDEX IF NOT EXISTS records_serial ON badgegate.records (lower(serial), at_ms);
INSERT INTO badgegate.meta (key, value) VALUES ('dashboard_version', '1')
    ON CONFLICT (key) DO NOTHING;
