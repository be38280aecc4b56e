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

CREATE FUNCTION badgegate.record_hash(r badgegate.records) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(
        CASE WHEN r.format = 1 THEN convert_to('badgegate/journal/v1', 'UTF8')
             ELSE convert_to('badgegate/journal/v2', 'UTF8') END
        || '\x00'::bytea
        || r.prev_hash
        || badgegate.put_text(r.kiosk_id)
        || int8send(r.seq)
        || int8send(r.at_ms)
        || badgegate.put_text(r.kind)
        || badgegate.put_text(r.gate)
        || badgegate.put_text(r.zone)
        || badgegate.put_text(r.direction)
        || badgegate.put_text(r.serial)
        || badgegate.put_text(r.holder)
        || badgegate.put_text(r.org)
        || badgegate.put_text(r.category)
        || badgegate.put_text(r.key_id)
        || badgegate.put_text(r.decision)
        || badgegate.put_text(r.reason)
        || set_byte(set_byte('\x0000'::bytea, 0, r.flagged::int), 1, r.authentic::int)
        || badgegate.put_text(r.detail)
        || badgegate.put_text(r.note)
        || badgegate.put_text(r.input)
        || CASE WHEN r.format = 1 THEN ''::bytea
                ELSE badgegate.put_number(r.list_seq) || badgegate.put_text(r.guard)
                     || badgegate.put_text(r.signer) END
    )
$$;

-- Every record arriving: it must be the next of its kiosk's chain (its
-- sequence, its link and its own hash), sent by that kiosk's own login.
-- A record already held is skipped; one that does not fit is skipped and
-- raised as an alarm, never stored. Admits update the venue's presence.
CREATE FUNCTION badgegate.record_arrives() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
DECLARE
    k        badgegate.kiosks;
    sender   text := badgegate.session_kiosk();
    held     bytea;
    expected bytea;
    zone_key text;
    p        badgegate.presence;
BEGIN
    IF sender IS NOT NULL AND sender <> NEW.kiosk_id THEN
        RAISE EXCEPTION 'kiosk % may send only its own records, not kiosk %''s', sender, NEW.kiosk_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- One writer a kiosk at a time (a lock, not a row update: the chain's
    -- head is read from the records themselves).
    PERFORM pg_advisory_xact_lock(hashtext('badgegate.kiosk:' || NEW.kiosk_id));
    SELECT * INTO k FROM badgegate.kiosks WHERE kiosk_id = NEW.kiosk_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'kiosk % is not enrolled at this office (badgegate office add-kiosk)', NEW.kiosk_id;
    END IF;
    SELECT r.seq, r.hash INTO k.head_seq, k.head_hash FROM badgegate.records r
        WHERE r.kiosk_id = NEW.kiosk_id ORDER BY r.seq DESC LIMIT 1;
    k.head_seq := COALESCE(k.head_seq, 0);
    NEW.received_at := now();
    IF NEW.seq <= k.head_seq THEN
        SELECT hash INTO held FROM badgegate.records WHERE kiosk_id = NEW.kiosk_id AND seq = NEW.seq;
        IF held IS DISTINCT FROM NEW.hash THEN
            INSERT INTO badgegate.alarms (kiosk_id, kind, detail) VALUES (NEW.kiosk_id, 'fork',
                format('record %s differs from the record %s the office holds: two chains for one kiosk', NEW.seq, NEW.seq));
        END IF;
        RETURN NULL;
    END IF;
    expected := COALESCE(k.head_hash, badgegate.genesis_hash(NEW.kiosk_id));
    IF NEW.seq <> k.head_seq + 1 THEN
        INSERT INTO badgegate.alarms (kiosk_id, kind, detail) VALUES (NEW.kiosk_id, 'gap',
            format('record %s sent after record %s: records missing', NEW.seq, k.head_seq));
        RETURN NULL;
    END IF;
    IF NEW.prev_hash <> expected THEN
        INSERT INTO badgegate.alarms (kiosk_id, kind, detail) VALUES (NEW.kiosk_id, 'chain',
            format('record %s does not link to record %s (inserted, reordered or from another chain)', NEW.seq, k.head_seq));
        RETURN NULL;
    END IF;
    IF badgegate.record_hash(NEW) <> NEW.hash THEN
        INSERT INTO badgegate.alarms (kiosk_id, kind, detail) VALUES (NEW.kiosk_id, 'hash',
            format('record %s: content does not match its hash (edited)', NEW.seq));
        RETURN NULL;
    END IF;
    -- The venue's presence, from admits decided while the office could not
    -- be asked (or not asked): a conflict is an alarm, never rewritten.
    IF NEW.decision = 'admit' AND NEW.serial IS NOT NULL AND NEW.authentic
       AND NEW.kind IN ('decision', 'override', 'confirm') THEN
        zone_key := COALESCE(NEW.zone, '*');
        SELECT * INTO p FROM badgegate.presence WHERE serial = NEW.serial AND zone = zone_key FOR UPDATE;
        IF FOUND AND p.kiosk_id = NEW.kiosk_id AND p.seq = NEW.seq THEN
            NULL; -- claimed online before it was decided
        ELSIF NEW.direction = 'in' AND FOUND AND p.inside AND p.kiosk_id <> NEW.kiosk_id THEN
            INSERT INTO badgegate.alarms (kiosk_id, kind, detail) VALUES (NEW.kiosk_id, 'passback',
                format('badge %s admitted into zone %s at gate %s (kiosk %s record %s, kiosk time %s) while the office had it inside by gate %s (kiosk %s record %s, kiosk time %s): two entries, or an exit not yet reported',
                       NEW.serial, zone_key, NEW.gate, NEW.kiosk_id, NEW.seq, to_timestamp(NEW.at_ms / 1000.0),
                       p.gate, p.kiosk_id, p.seq, to_timestamp(p.at_ms / 1000.0)));
        ELSIF NOT FOUND OR p.at_ms <= NEW.at_ms THEN
            INSERT INTO badgegate.presence AS q (serial, zone, inside, kiosk_id, seq, gate, at_ms, holder)
                VALUES (NEW.serial, zone_key, NEW.direction = 'in', NEW.kiosk_id, NEW.seq, NEW.gate, NEW.at_ms, NEW.holder)
                ON CONFLICT (serial, zone) DO UPDATE SET inside = EXCLUDED.inside, kiosk_id = EXCLUDED.kiosk_id,
                    seq = EXCLUDED.seq, gate = EXCLUDED.gate, at_ms = EXCLUDED.at_ms, holder = EXCLUDED.holder;
        END IF;
    END IF;
    -- A wake-up for `office watch`: one a transaction (same payload).
    PERFORM pg_notify('badgegate_records', 'records');
    RETURN NEW;
END
$$;

CREATE TRIGGER records_arrive BEFORE INSERT ON badgegate.records
    FOR EACH ROW EXECUTE FUNCTION badgegate.record_arrives();

CREATE FUNCTION badgegate.records_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the venue record is append-only';
END
$$;

CREATE TRIGGER records_no_update BEFORE UPDATE OR DELETE ON badgegate.records
    FOR EACH ROW EXECUTE FUNCTION badgegate.records_frozen();

-- A kiosk says it is there: its clock and the lists it holds. Returns the
-- office's head of its chain, where pushing resumes.
CREATE FUNCTION badgegate.hello(kiosk_now_ms bigint, lists text, local_head bigint,
                                OUT head_seq bigint, OUT head_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
DECLARE
    me text := badgegate.session_kiosk();
    last_gate text;
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'this login is not a kiosk''s' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT r.seq, r.hash, r.gate INTO head_seq, head_hash, last_gate FROM badgegate.records r
        WHERE r.kiosk_id = me ORDER BY r.seq DESC LIMIT 1;
    head_seq := COALESCE(head_seq, 0);
    UPDATE badgegate.kiosks k SET last_contact = now(),
        clock_offset_ms = (extract(epoch FROM clock_timestamp()) * 1000)::bigint - kiosk_now_ms,
        lists_in_use = lists, kiosk_head = local_head, head_seq = hello.head_seq,
        head_hash = hello.head_hash, gate = COALESCE(last_gate, k.gate)
        WHERE k.kiosk_id = me;
END
$$;

-- Venue-wide anti-passback, decided here and atomically: an entry is
-- claimed only if the badge is not inside that zone by another gate's
-- admit; an exit clears it. Returns 'ok', or 'inside GATE AT_MS'.
CREATE FUNCTION badgegate.claim(p_serial text, p_zone text, p_direction text, p_seq bigint,
                                p_gate text, p_at_ms bigint, p_holder text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
DECLARE
    me text := badgegate.session_kiosk();
    p  badgegate.presence;
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'this login is not a kiosk''s' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_direction = 'out' THEN
        UPDATE badgegate.presence q SET inside = false, kiosk_id = me, seq = p_seq, gate = p_gate,
            at_ms = p_at_ms
            WHERE q.serial = p_serial AND (p_zone = '*' OR q.zone = p_zone);
        RETURN 'ok';
    END IF;
    INSERT INTO badgegate.presence AS q (serial, zone, inside, kiosk_id, seq, gate, at_ms, holder)
        VALUES (p_serial, p_zone, true, me, p_seq, p_gate, p_at_ms, p_holder)
        ON CONFLICT ON CONSTRAINT presence_pkey DO UPDATE SET inside = true, kiosk_id = me,
            seq = EXCLUDED.seq, gate = EXCLUDED.gate, at_ms = EXCLUDED.at_ms, holder = EXCLUDED.holder
            WHERE NOT q.inside OR (q.kiosk_id = me AND q.seq = EXCLUDED.seq)
        RETURNING * INTO p;
    IF FOUND THEN
        RETURN 'ok';
    END IF;
    SELECT * INTO p FROM badgegate.presence q WHERE q.serial = p_serial AND q.zone = p_zone;
    RETURN 'inside ' || p.gate || ' ' || p.at_ms;
END
$$;

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
GRANT EXECUTE ON FUNCTION badgegate.hello(bigint, text, bigint) TO badgegate_kiosk;
GRANT EXECUTE ON FUNCTION badgegate.claim(text, text, text, bigint, text, bigint, text) TO badgegate_kiosk;
GRANT EXECUTE ON FUNCTION badgegate.session_kiosk() TO badgegate_kiosk;
-- Row-level security: a kiosk's login inserts only its own records (the
-- trigger says so in words first).
ALTER TABLE badgegate.records ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_records ON badgegate.records FOR INSERT TO badgegate_kiosk
    WITH CHECK (kiosk_id = badgegate.session_kiosk());
