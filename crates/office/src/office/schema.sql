-- The venue office's schema, version 1 (see docs/venue-network.md).
-- Everything lives in schema `badgegate`. Kiosks log in with their own
-- role (member of badgegate_kiosk): they may append their own records,
-- report their clock and lists, claim an entry for venue-wide
-- anti-passback, and read published lists. Publishers (member of
-- badgegate_publisher) may publish signed lists. Nobody but the owner may
-- change or delete anything.

CREATE SCHEMA badgegate;

CREATE TABLE badgegate.meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE badgegate.kiosks (
    kiosk_id        text PRIMARY KEY,
    login           text NOT NULL UNIQUE,
    -- The kiosk's Ed25519 public key (64 hex digits) when enrolled.
    key_pub         text CHECK (key_pub IS NULL OR key_pub ~ '^[0-9a-f]{64}$'),
    added_at        timestamptz NOT NULL DEFAULT now(),
    last_contact    timestamptz,
    -- Office clock minus kiosk clock at the last contact, ms.
    clock_offset_ms bigint,
    gate            text,
    lists_in_use    text,
    head_seq        bigint NOT NULL DEFAULT 0,
    head_hash       bytea,
    -- The kiosk's own latest record, as it last said (its backlog is the
    -- difference).
    kiosk_head      bigint,
    -- Records whose signature the office checked (status, export).
    verified_seq    bigint NOT NULL DEFAULT 0
);

-- Every kiosk's records, as in its journal (docs/journal-format.md), and
-- when the office received each.
CREATE TABLE badgegate.records (
    kiosk_id    text NOT NULL REFERENCES badgegate.kiosks (kiosk_id),
    seq         bigint NOT NULL CHECK (seq >= 1),
    at_ms       bigint NOT NULL,
    kind        text NOT NULL,
    gate        text NOT NULL,
    zone        text,
    direction   text NOT NULL CHECK (direction IN ('in', 'out')),
    serial      text,
    holder      text,
    org         text,
    category    text,
    key_id      text,
    decision    text NOT NULL CHECK (decision IN ('admit', 'deny', 'none')),
    reason      text NOT NULL,
    flagged     boolean NOT NULL,
    authentic   boolean NOT NULL,
    detail      text NOT NULL,
    note        text,
    input       text NOT NULL,
    list_seq    bigint,
    guard       text,
    format      smallint NOT NULL CHECK (format IN (1, 2)),
    signer      text,
    prev_hash   bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash        bytea NOT NULL CHECK (length(hash) = 32),
    sig         bytea CHECK (sig IS NULL OR length(sig) = 64),
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kiosk_id, seq)
);
CREATE INDEX records_received ON badgegate.records (received_at);

-- Signed lists as the desk published them; kiosks verify them.
CREATE TABLE badgegate.lists (
    kind         text NOT NULL CHECK (kind IN ('revocations', 'policy')),
    key_id       text NOT NULL,
    sequence     bigint NOT NULL CHECK (sequence >= 1),
    body         text NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by text NOT NULL DEFAULT session_user,
    PRIMARY KEY (kind, key_id, sequence)
);

-- Who is inside each zone, venue-wide: the last admit per badge and zone.
CREATE TABLE badgegate.presence (
    serial    text NOT NULL,
    zone      text NOT NULL,
    inside    boolean NOT NULL,
    kiosk_id  text NOT NULL,
    seq       bigint NOT NULL,
    gate      text NOT NULL,
    at_ms     bigint NOT NULL,
    holder    text,
    PRIMARY KEY (serial, zone)
);

CREATE TABLE badgegate.alarms (
    id       bigserial PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    kiosk_id text,
    kind     text NOT NULL,
    detail   text NOT NULL
);

-- The kiosk the session's login belongs to (NULL: not a kiosk).
CREATE FUNCTION badgegate.session_kiosk() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
    SELECT kiosk_id FROM badgegate.kiosks WHERE login = session_user
$$;

-- The record hash of docs/journal-format.md, in SQL.
CREATE FUNCTION badgegate.put_text(s text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN s IS NULL THEN '\xffffffff'::bytea
           ELSE int4send(octet_length(convert_to(s, 'UTF8'))) || convert_to(s, 'UTF8') END
$$;

CREATE FUNCTION badgegate.put_number(n bigint) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN n IS NULL THEN '\x00'::bytea ELSE '\x01'::bytea || int8send(n) END
$$;

CREATE FUNCTION badgegate.genesis_hash(kiosk text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(convert_to('badgegate/journal/v1/genesis', 'UTF8') || '\x00'::bytea
                  || convert_to(kiosk, 'UTF8'))
$$;

-- The record hash itself (`record_hash`) is in authority.sql.

-- What a record must be to be stored (`record_arrives`), what a kiosk
-- says (`hello`) and how it reserves an entry (`claim`) are in
-- authority.sql, which `office init` applies after this file to a new
-- database and to one of an earlier build alike.

CREATE FUNCTION badgegate.records_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the venue record is append-only';
END
$$;

CREATE TRIGGER records_no_update BEFORE UPDATE OR DELETE ON badgegate.records
    FOR EACH ROW EXECUTE FUNCTION badgegate.records_frozen();

CREATE FUNCTION badgegate.list_published() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('badgegate_lists', NEW.kind || ' ' || NEW.key_id || ' ' || NEW.sequence);
    RETURN NEW;
END
$$;

CREATE TRIGGER lists_published AFTER INSERT ON badgegate.lists
    FOR EACH ROW EXECUTE FUNCTION badgegate.list_published();
CREATE TRIGGER lists_no_update BEFORE UPDATE OR DELETE ON badgegate.lists
    FOR EACH ROW EXECUTE FUNCTION badgegate.records_frozen();

REVOKE ALL ON SCHEMA badgegate FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA badgegate FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA badgegate FROM PUBLIC;
GRANT USAGE ON SCHEMA badgegate TO badgegate_kiosk, badgegate_publisher;
GRANT SELECT ON badgegate.meta TO badgegate_kiosk, badgegate_publisher;
GRANT INSERT ON badgegate.records TO badgegate_kiosk;
GRANT SELECT ON badgegate.lists TO badgegate_kiosk, badgegate_publisher;
GRANT INSERT ON badgegate.lists TO badgegate_publisher;
GRANT EXECUTE ON FUNCTION badgegate.session_kiosk() TO badgegate_kiosk;
-- Row-level security: a kiosk's login inserts only its own records (the
-- trigger says so in words first).
ALTER TABLE badgegate.records ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_records ON badgegate.records FOR INSERT TO badgegate_kiosk
    WITH CHECK (kiosk_id = badgegate.session_kiosk());
