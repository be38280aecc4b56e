-- Only signed content is authority (docs/threat-model.md). Added to a venue
-- schema of version 1 by `badgegate office init`, to a new database and to
-- one of an earlier build alike; every statement may run again. Kiosks and
-- desks of earlier builds keep working against it. meta says
-- `authority_version` 1.
--
-- What it adds:
-- - a list row is refused unless its columns are what its signed body says
--   (kind, key id, sequence), and who published it and when come from the
--   session, never from the publisher;
-- - alarms that a flood would repeat (a kiosk's chain refused, a record
--   quarantined, a journal cut back) are one open alarm per kiosk and kind,
--   with a count;
-- - a record whose kind or reason is not in the vocabulary
--   (`badgegate.known_record`, written by init from the Rust vocabulary)
--   is quarantined: not stored, one alarm;
-- - a kiosk whose journal is behind what the office holds is named at
--   once, with the missing range;
-- - a kiosk may raise an alarm about what the office served it (a list row
--   whose columns lie, a chain that differs from its journal);
-- - presence is a function of committed records (never of a claim), taken
--   in the office's order, not the kiosks' clocks; a claim is a short
--   reservation tied to the kiosk's next record and its own zone.

ALTER TABLE badgegate.alarms ADD COLUMN IF NOT EXISTS first_detail text;
ALTER TABLE badgegate.alarms ADD COLUMN IF NOT EXISTS count bigint NOT NULL DEFAULT 1;

-- The record hash of docs/journal-format.md, in SQL: as schema.sql wrote
-- it, in PL/pgSQL so that its plan is kept between calls (as a SQL
-- function it was planned again for every record: three times the cost).
CREATE OR REPLACE FUNCTION badgegate.record_hash(r badgegate.records) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN sha256(
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
    );
END
$$;

-- Raises an alarm. Kinds a flood repeats are grouped: while one of the same
-- kiosk and kind is open (not acknowledged), it counts up and its detail
-- says how often and the latest case.
-- What the office holds of the kiosk whose login asks: its id and the
-- public key its records must be signed with (hex; NULL: none enrolled),
-- so `doctor` can tell a gate PC holding another gate's key.
CREATE OR REPLACE FUNCTION badgegate.my_enrolment() RETURNS TABLE (kiosk_id text, key_pub text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
    SELECT k.kiosk_id, k.key_pub FROM badgegate.kiosks k WHERE k.login = session_user
$$;
REVOKE ALL ON FUNCTION badgegate.my_enrolment() FROM PUBLIC;

-- A moment in an alarm's words: RFC 3339 in UTC to the millisecond
-- (`2026-12-06T04:06:50.326Z`), exact for anyone reading the table; every
-- view shows it in the venue's time (`clock::VenueTime::restamp`).
CREATE OR REPLACE FUNCTION badgegate.utc_stamp(ms bigint) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT to_char(to_timestamp(ms / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

CREATE OR REPLACE FUNCTION badgegate.raise_alarm(p_kiosk text, p_kind text, p_detail text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
DECLARE
    a badgegate.alarms;
    said text := left(p_detail, 1000);
BEGIN
    IF p_kind IN ('gap', 'chain', 'hash', 'fork', 'quarantine', 'cut_back', 'list', 'signature') THEN
        SELECT * INTO a FROM badgegate.alarms x
            WHERE x.kiosk_id IS NOT DISTINCT FROM p_kiosk AND x.kind = p_kind
              AND NOT EXISTS (SELECT 1 FROM badgegate.acks k WHERE k.subject = 'alarm:' || x.id)
            ORDER BY x.id DESC LIMIT 1 FOR UPDATE;
        IF FOUND THEN
            UPDATE badgegate.alarms SET count = a.count + 1,
                first_detail = COALESCE(a.first_detail, a.detail),
                detail = format('%s (%s times; the latest at %s UTC: %s)',
                                COALESCE(a.first_detail, a.detail), a.count + 1,
                                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), said)
                WHERE id = a.id;
            RETURN;
        END IF;
    END IF;
    INSERT INTO badgegate.alarms (kiosk_id, kind, detail, first_detail) VALUES (p_kiosk, p_kind, said, said);
END
$$;

-- What a kiosk may say about what the office served it: a list row that
-- does not match its signed body, or a chain that differs from its
-- journal. Grouped like every repeated alarm.
CREATE OR REPLACE FUNCTION badgegate.kiosk_alarm(p_kind text, p_detail text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
DECLARE
    me text := badgegate.session_kiosk();
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'this login is not a kiosk''s' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_kind NOT IN ('list', 'fork') THEN
        RAISE EXCEPTION 'a kiosk raises only list and fork alarms' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM badgegate.raise_alarm(me, p_kind, format('kiosk %s says: %s', me, left(p_detail, 500)));
END
$$;

-- A list row is what its signed body says it is. The body is checked
-- against its columns here (the signature is checked by every kiosk: the
-- office holds no trusted key); the publisher and the time are the
-- session's.
CREATE OR REPLACE FUNCTION badgegate.list_arrives() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
DECLARE
    lines text[] := string_to_array(left(NEW.body, 200), E'\n');
    -- Written by `office init` from the Rust vocabulary (`ListKind`).
    header text := badgegate.list_header(NEW.kind);
BEGIN
    IF header IS NULL THEN
        RAISE EXCEPTION 'refused: % is no kind of signed list (revocations, policy, keys)', NEW.kind
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.published_by := session_user;
    NEW.published_at := now();
    IF octet_length(NEW.body) > 16 * 1024 * 1024 THEN
        RAISE EXCEPTION 'a % list larger than 16 MiB is refused', NEW.kind USING ERRCODE = 'check_violation';
    END IF;
    IF array_length(lines, 1) IS NULL OR array_length(lines, 1) < 4
       OR lines[1] IS DISTINCT FROM header
       OR lines[2] IS DISTINCT FROM 'key-id: ' || NEW.key_id
       OR lines[3] IS DISTINCT FROM 'sequence: ' || NEW.sequence THEN
        RAISE EXCEPTION 'refused: this row says % key % sequence %, but its body is not a % list of that key and sequence (a list''s identity is its signed content)',
            NEW.kind, NEW.key_id, NEW.sequence, NEW.kind USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

-- The kinds a list row may be are the vocabulary's (`list_arrives`
-- refuses any other); the first build's fixed CHECK knew two.
ALTER TABLE badgegate.lists DROP CONSTRAINT IF EXISTS lists_kind_check;

DROP TRIGGER IF EXISTS lists_arrive ON badgegate.lists;
CREATE TRIGGER lists_arrive BEFORE INSERT ON badgegate.lists
    FOR EACH ROW EXECUTE FUNCTION badgegate.list_arrives();

-- Who is inside, venue-wide, is a function of the committed records, by
-- the core's definition (`muster::Muster`, which a test runs row for row
-- against this function): each record the core's rule moves (an authentic
-- admit by a decision, an override or a guard's confirmation) in a zone
-- sets the badge inside it, each exit clears it. Records are taken in the
-- order the office commits them (each kiosk's in its sequence), never by
-- the kiosks' clocks: an exit is always applied, and one that the clocks
-- put before the entry it clears is raised, never dropped. An entry
-- admitted flagged leaves a check pending. A gate refusing the genuine
-- badge as revoked marks its serial (`revoked_seen`); the first such
-- refusal while its holder is inside is one alarm, `revoked_inside`.
-- `alarms` false: rebuilding, say nothing.
ALTER TABLE badgegate.presence ADD COLUMN IF NOT EXISTS org text;
ALTER TABLE badgegate.presence ADD COLUMN IF NOT EXISTS category text;
ALTER TABLE badgegate.presence ADD COLUMN IF NOT EXISTS check_pending boolean NOT NULL DEFAULT false;
CREATE TABLE IF NOT EXISTS badgegate.revoked_seen (
    serial   text PRIMARY KEY,
    kiosk_id text NOT NULL,
    seq      bigint NOT NULL,
    gate     text NOT NULL,
    at_ms    bigint NOT NULL,
    -- The one revoked_inside alarm for this sighting was raised (or would
    -- have been, while rebuilding).
    alarmed  boolean NOT NULL DEFAULT false
);
ALTER TABLE badgegate.revoked_seen ADD COLUMN IF NOT EXISTS alarmed boolean NOT NULL DEFAULT false;
REVOKE ALL ON badgegate.revoked_seen FROM PUBLIC;

-- Each movement's time on the office's clock (`office_ms`): an entry the
-- office reserved is at the moment of its claim (the office's own clock:
-- the admit came after it, so every exit of that stay is later); any
-- other movement is at its kiosk's time plus the offset the office
-- measured when it arrived (never earlier than the truth: a hello's
-- travel only adds), and never later than its arrival.
ALTER TABLE badgegate.presence ADD COLUMN IF NOT EXISTS office_ms bigint;
-- When the row's movement reached the office (Unix ms, its clock).
ALTER TABLE badgegate.presence ADD COLUMN IF NOT EXISTS arrived_ms bigint;
-- A presence row's time on the office's clock: as stored, or (rows from
-- a build before `office_ms`) its kiosk's time plus that kiosk's offset.
CREATE OR REPLACE FUNCTION badgegate.presence_office_ms(p badgegate.presence) RETURNS bigint
LANGUAGE sql STABLE SET search_path = badgegate, pg_catalog AS $$
    SELECT COALESCE(p.office_ms, p.at_ms
        + COALESCE((SELECT k.clock_offset_ms FROM badgegate.kiosks k WHERE k.kiosk_id = p.kiosk_id), 0))
$$;
DROP FUNCTION IF EXISTS badgegate.presence_take(badgegate.records, boolean);
CREATE OR REPLACE FUNCTION badgegate.presence_take(r badgegate.records, alarms boolean, claimed_ms bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
DECLARE
    zone_key text := COALESCE(r.zone, '*');
    -- When this movement reached the office (its clock), and when it
    -- happened there.
    arrived bigint := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
    moved_ms bigint := LEAST(COALESCE(claimed_ms, r.at_ms
        + COALESCE((SELECT k.clock_offset_ms FROM badgegate.kiosks k WHERE k.kiosk_id = r.kiosk_id), 0)),
        arrived);
    p badgegate.presence;
    had boolean;
    v badgegate.revoked_seen;
    whereabouts text;
    who text;
BEGIN
    IF r.serial IS NULL THEN
        RETURN;
    END IF;
    -- The rules are the core's (`rules::shows_revocation`,
    -- `rules::clears_revocation`, `rules::moves_presence`), written by
    -- `office init`. Records may arrive out of their time order (a gate
    -- that was offline): an admit clears only a refusal made before it.
    IF badgegate.shows_revocation(r.kind, r.reason, r.authentic) THEN
        INSERT INTO badgegate.revoked_seen (serial, kiosk_id, seq, gate, at_ms)
            VALUES (r.serial, r.kiosk_id, r.seq, r.gate, r.at_ms) ON CONFLICT (serial) DO NOTHING;
    ELSIF badgegate.clears_revocation(r.kind, r.decision, r.authentic) THEN
        DELETE FROM badgegate.revoked_seen WHERE serial = r.serial AND at_ms < r.at_ms;
    END IF;
    IF badgegate.moves_presence(r.kind, r.decision, r.authentic) AND r.direction = 'in' THEN
        SELECT * INTO p FROM badgegate.presence WHERE serial = r.serial AND zone = zone_key FOR UPDATE;
        had := FOUND;
        IF alarms AND had AND p.inside AND p.kiosk_id <> r.kiosk_id THEN
            INSERT INTO badgegate.alarms (kiosk_id, kind, detail) VALUES (r.kiosk_id, 'passback',
                format('badge %s admitted into zone %s at gate %s (kiosk %s record %s, kiosk time %s) while the office had it inside by gate %s (kiosk %s record %s, kiosk time %s): two entries, or an exit not yet reported',
                       r.serial, zone_key, r.gate, r.kiosk_id, r.seq, badgegate.utc_stamp(r.at_ms),
                       p.gate, p.kiosk_id, p.seq, badgegate.utc_stamp(p.at_ms)));
        END IF;
        -- An entry that reaches the office after a later movement of the
        -- same badge in the same zone (on the office's clock: a gate that
        -- was offline pushing its backlog) is history: the later one stands.
        -- For an entry the office reserved, arrival order decides first: the
        -- claim was granted only with the badge outside, so an exit that
        -- arrived after the claim (and is not older than it by more than
        -- the clocks' error: a backlog) is this stay's exit, however close
        -- the two times.
        -- The same rule decides against the row as committed when the
        -- insert meets one: a movement of this badge arriving at the same
        -- moment from another gate (not yet committed when `had` was read)
        -- is waited for and weighed, never overwritten.
        INSERT INTO badgegate.presence AS q (serial, zone, inside, kiosk_id, seq, gate, at_ms, holder,
                                             org, category, check_pending, office_ms, arrived_ms)
            VALUES (r.serial, zone_key, true, r.kiosk_id, r.seq, r.gate, r.at_ms, r.holder, r.org,
                    r.category, r.flagged, moved_ms, arrived)
            ON CONFLICT (serial, zone) DO UPDATE SET inside = true, kiosk_id = EXCLUDED.kiosk_id,
                seq = EXCLUDED.seq, gate = EXCLUDED.gate, at_ms = EXCLUDED.at_ms, holder = EXCLUDED.holder,
                org = EXCLUDED.org, category = EXCLUDED.category, check_pending = EXCLUDED.check_pending,
                office_ms = EXCLUDED.office_ms, arrived_ms = EXCLUDED.arrived_ms
            WHERE CASE WHEN claimed_ms IS NOT NULL AND NOT q.inside AND q.arrived_ms IS NOT NULL
                       THEN NOT (q.arrived_ms > claimed_ms
                                 AND badgegate.presence_office_ms(q) >= claimed_ms - 2000)
                       ELSE badgegate.presence_office_ms(q) <= moved_ms END;
    ELSIF badgegate.moves_presence(r.kind, r.decision, r.authentic) THEN
        -- An exit: from its zone, or from every zone at a gate of none.
        -- Its time and the entry's are compared on the office's clock
        -- (each kiosk's time plus its measured offset) only to say so when
        -- they disagree.
        FOR p IN SELECT * FROM badgegate.presence
                 WHERE serial = r.serial AND (zone = zone_key OR zone_key = '*') AND inside FOR UPDATE LOOP
            IF alarms AND p.kiosk_id <> r.kiosk_id AND badgegate.presence_office_ms(p) > moved_ms THEN
                INSERT INTO badgegate.alarms (kiosk_id, kind, detail) VALUES (r.kiosk_id, 'presence',
                    format('badge %s: exit at gate %s (kiosk %s record %s, kiosk time %s) reached the office after an entry at gate %s (kiosk %s record %s, kiosk time %s) that the kiosks'' clocks, as the office measured them, put later: the exit is applied; check whether the holder is inside',
                           r.serial, r.gate, r.kiosk_id, r.seq, badgegate.utc_stamp(r.at_ms),
                           p.gate, p.kiosk_id, p.seq, badgegate.utc_stamp(p.at_ms)));
            END IF;
        END LOOP;
        UPDATE badgegate.presence SET inside = false, kiosk_id = r.kiosk_id, seq = r.seq, gate = r.gate,
            at_ms = r.at_ms, check_pending = false, office_ms = moved_ms, arrived_ms = arrived
            WHERE serial = r.serial AND (zone = zone_key OR zone_key = '*');
        IF NOT FOUND AND zone_key <> '*' THEN
            -- An entry arriving at the same moment may have made the row
            -- since: the exit still stands.
            INSERT INTO badgegate.presence (serial, zone, inside, kiosk_id, seq, gate, at_ms, holder, org, category,
                                            office_ms, arrived_ms)
                VALUES (r.serial, zone_key, false, r.kiosk_id, r.seq, r.gate, r.at_ms, r.holder, r.org, r.category,
                        moved_ms, arrived)
                ON CONFLICT (serial, zone) DO UPDATE SET inside = false, kiosk_id = EXCLUDED.kiosk_id,
                    seq = EXCLUDED.seq, gate = EXCLUDED.gate, at_ms = EXCLUDED.at_ms, check_pending = false,
                    office_ms = EXCLUDED.office_ms, arrived_ms = EXCLUDED.arrived_ms;
        END IF;
    END IF;
    -- Someone inside whose badge is marked revoked, not yet raised: one
    -- alarm, whichever of the refusal and the entry arrived first.
    SELECT * INTO v FROM badgegate.revoked_seen WHERE serial = r.serial AND NOT alarmed FOR UPDATE;
    IF FOUND THEN
        SELECT string_agg(format('zone %s since %s (gate %s)', x.zone,
                                 badgegate.utc_stamp(x.at_ms),
                                 x.gate), '; ' ORDER BY x.zone),
               max(concat_ws(', ', x.holder, x.org))
            INTO whereabouts, who
            FROM badgegate.presence x WHERE x.serial = r.serial AND x.inside;
        IF whereabouts IS NOT NULL THEN
            UPDATE badgegate.revoked_seen SET alarmed = true WHERE serial = r.serial;
            IF alarms THEN
                PERFORM badgegate.raise_alarm(v.kiosk_id, 'revoked_inside', format(
                    'revoked badge holder inside: %s %s, %s; gate %s refused the badge as revoked (kiosk %s record %s): find them',
                    r.serial, COALESCE(who, ''), whereabouts, v.gate, v.kiosk_id, v.seq));
            END IF;
        END IF;
    END IF;
END
$$;

-- A short reservation, not a fact: an entry a gate is about to admit,
-- made last (after every local check), named by the kiosk's own next
-- record and its own zone. It holds the badge for other gates until that
-- record arrives (an admit then makes the presence; anything else
-- releases it) or until it expires (30 s; 150 s while the guard checks an
-- ID). A kiosk login touches only its own reservations.
CREATE TABLE IF NOT EXISTS badgegate.reservations (
    serial     text NOT NULL,
    zone       text NOT NULL,
    kiosk_id   text NOT NULL REFERENCES badgegate.kiosks (kiosk_id),
    seq        bigint NOT NULL,
    gate       text NOT NULL,
    at_ms      bigint NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (serial, zone)
);
REVOKE ALL ON badgegate.reservations FROM PUBLIC;
-- When the office granted it, on its own clock: the entry's time for
-- presence (`office_ms`).
ALTER TABLE badgegate.reservations ADD COLUMN IF NOT EXISTS claimed_at timestamptz NOT NULL DEFAULT clock_timestamp();

-- Venue-wide anti-passback: 'ok' and a reservation, or 'inside GATE AT_MS'
-- when the records say the badge is inside the zone or another gate holds
-- a reservation for it. Exits are never claimed: only an exit record
-- clears presence.
CREATE OR REPLACE FUNCTION badgegate.claim(p_serial text, p_zone text, p_direction text, p_seq bigint,
                                p_gate text, p_at_ms bigint, p_holder text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
DECLARE
    me   text := badgegate.session_kiosk();
    head bigint;
    own_zone text;
    p    badgegate.presence;
    r    badgegate.reservations;
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'this login is not a kiosk''s' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_direction IS DISTINCT FROM 'in' THEN
        RETURN 'ok';
    END IF;
    -- The kiosk's own lock, as its records take it: a record arriving at
    -- the same moment either comes first (and this claim names a record
    -- already held: refused) or finds this reservation and settles it.
    PERFORM pg_advisory_xact_lock(hashtext('badgegate.kiosk:' || me));
    SELECT max(x.seq) INTO head FROM badgegate.records x WHERE x.kiosk_id = me;
    IF p_seq IS NULL OR p_seq <= COALESCE(head, 0) THEN
        RAISE EXCEPTION 'kiosk % may reserve only for its next record, after %', me, COALESCE(head, 0)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT COALESCE(x.zone, '*') INTO own_zone FROM badgegate.records x
        WHERE x.kiosk_id = me AND x.kind = 'start' ORDER BY x.seq DESC LIMIT 1;
    IF FOUND AND own_zone IS DISTINCT FROM p_zone THEN
        RAISE EXCEPTION 'kiosk % opens zone %, not %', me, own_zone, p_zone
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('badgegate.badge:' || p_serial || '/' || p_zone));
    SELECT * INTO p FROM badgegate.presence x WHERE x.serial = p_serial AND x.zone = p_zone;
    IF FOUND AND p.inside THEN
        RETURN 'inside ' || p.gate || ' ' || p.at_ms;
    END IF;
    DELETE FROM badgegate.reservations x WHERE x.serial = p_serial AND x.zone = p_zone AND x.expires_at < now();
    SELECT * INTO r FROM badgegate.reservations x WHERE x.serial = p_serial AND x.zone = p_zone;
    -- Another gate's reservation holds the badge; so does this gate's own
    -- for an earlier record not yet here (the card handed back over the
    -- barrier before that admit's record arrived).
    IF FOUND AND (r.kiosk_id <> me OR r.seq < p_seq) THEN
        RETURN 'inside ' || r.gate || ' ' || r.at_ms;
    END IF;
    INSERT INTO badgegate.reservations AS x (serial, zone, kiosk_id, seq, gate, at_ms, expires_at, claimed_at)
        VALUES (p_serial, p_zone, me, p_seq, left(p_gate, 100), p_at_ms, now() + interval '30 seconds',
                clock_timestamp())
        ON CONFLICT (serial, zone) DO UPDATE SET seq = EXCLUDED.seq, gate = EXCLUDED.gate,
            at_ms = EXCLUDED.at_ms, expires_at = EXCLUDED.expires_at, claimed_at = EXCLUDED.claimed_at;
    RETURN 'ok';
END
$$;

-- Presence as the records say, for a venue upgraded from claims written
-- as facts or from a build without presence's marks (`presence_version`
-- 2: checks pending, revocations seen) or where a late entry could undo a
-- later exit (3): recomputed from every record held, in the office's order.
DO $$
DECLARE
    r badgegate.records;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM badgegate.meta WHERE key = 'presence_version' AND value = '3') THEN
        DELETE FROM badgegate.presence;
        DELETE FROM badgegate.revoked_seen;
        FOR r IN SELECT * FROM badgegate.records ORDER BY received_at, kiosk_id, seq LOOP
            PERFORM badgegate.presence_take(r, false, NULL);
        END LOOP;
    END IF;
END
$$;

-- Every record arriving: it must be the next of its kiosk's chain (its
-- sequence, its link and its own hash), sent by that kiosk's own login, and
-- of a kind and reason the vocabulary knows. A record already held is
-- skipped; one that does not fit is skipped and raised as an alarm, never
-- stored. Admits update the venue's presence.
CREATE OR REPLACE FUNCTION badgegate.record_arrives() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
DECLARE
    k        badgegate.kiosks;
    sender   text := badgegate.session_kiosk();
    held     bytea;
    expected bytea;
    zone_key text;
    p        badgegate.presence;
    claimed_ms bigint;
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
            PERFORM badgegate.raise_alarm(NEW.kiosk_id, 'fork',
                format('record %s differs from the record %s the office holds: two chains for one kiosk', NEW.seq, NEW.seq));
        END IF;
        RETURN NULL;
    END IF;
    expected := COALESCE(k.head_hash, badgegate.genesis_hash(NEW.kiosk_id));
    IF NEW.seq <> k.head_seq + 1 THEN
        PERFORM badgegate.raise_alarm(NEW.kiosk_id, 'gap',
            format('record %s sent after record %s: records missing', NEW.seq, k.head_seq));
        RETURN NULL;
    END IF;
    IF NEW.prev_hash <> expected THEN
        PERFORM badgegate.raise_alarm(NEW.kiosk_id, 'chain',
            format('record %s does not link to record %s (inserted, reordered or from another chain)', NEW.seq, k.head_seq));
        RETURN NULL;
    END IF;
    IF badgegate.record_hash(NEW) <> NEW.hash THEN
        PERFORM badgegate.raise_alarm(NEW.kiosk_id, 'hash',
            format('record %s: content does not match its hash (edited)', NEW.seq));
        RETURN NULL;
    END IF;
    IF NOT badgegate.known_record(NEW.kind, NEW.reason)
       OR octet_length(concat(NEW.gate, NEW.zone, NEW.serial, NEW.holder, NEW.org, NEW.category,
                              NEW.key_id, NEW.detail, NEW.note, NEW.input, NEW.guard, NEW.signer)) > 65536 THEN
        PERFORM badgegate.raise_alarm(NEW.kiosk_id, 'quarantine',
            format('record %s (kind %s, reason %s) is not one this office knows: quarantined, not stored; the records after it wait at the kiosk (a forged record from its login, or a kiosk newer than the office: run office init with the kiosks'' build)',
                   NEW.seq, left(NEW.kind, 40), left(NEW.reason, 40)));
        RETURN NULL;
    END IF;
    -- A reservation this record settles: the decision it was made for, or
    -- whatever record took its number (a kiosk killed between its claim
    -- and its record). A decision waiting for the guard's ID check keeps
    -- it until the guard answers.
    -- An entry the office reserved happened after its claim (the office's
    -- clock): that is its time for presence.
    IF NEW.kind IN ('decision', 'confirm') AND NEW.serial IS NOT NULL THEN
        SELECT floor(extract(epoch FROM x.claimed_at) * 1000)::bigint INTO claimed_ms FROM badgegate.reservations x
            WHERE x.kiosk_id = NEW.kiosk_id AND x.serial = NEW.serial AND x.zone = COALESCE(NEW.zone, '*');
    END IF;
    IF NEW.decision = 'none' AND NEW.kind = 'decision' THEN
        UPDATE badgegate.reservations SET expires_at = now() + interval '150 seconds'
            WHERE kiosk_id = NEW.kiosk_id AND seq = NEW.seq;
    ELSIF NEW.kind IN ('decision', 'override', 'confirm', 'start') THEN
        DELETE FROM badgegate.reservations WHERE kiosk_id = NEW.kiosk_id
            AND (seq = NEW.seq OR (NEW.serial IS NOT NULL AND serial = NEW.serial
                                   AND NEW.kind <> 'start'));
    END IF;
    -- The venue's presence: from committed records (admits move it; a
    -- revoked refusal marks it).
    IF NEW.serial IS NOT NULL THEN
        PERFORM badgegate.presence_take(NEW, true, claimed_ms);
    END IF;
    -- A wake-up for `office watch`: one a transaction (same payload).
    PERFORM pg_notify('badgegate_records', 'records');
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS records_arrive ON badgegate.records;
CREATE TRIGGER records_arrive BEFORE INSERT ON badgegate.records
    FOR EACH ROW EXECUTE FUNCTION badgegate.record_arrives();

-- A kiosk says it is there: its clock and the lists it holds. Returns the
-- office's head of its chain, where pushing resumes. A kiosk whose journal
-- ends before the office's head (a lost or replaced disk, a cut journal)
-- is an alarm at once, naming the missing records.
-- The office's own servers (a Patroni cluster, docs/venue-ha.md), as the
-- server in charge sees them: itself (address, timeline) and each standby
-- streaming from it. One row with no standby on a lone server.
CREATE OR REPLACE FUNCTION badgegate.cluster_state(OUT server text, OUT timeline integer,
                                                   OUT standby text, OUT state text,
                                                   OUT sync_state text, OUT replay_lag_ms bigint)
RETURNS SETOF record
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
    SELECT COALESCE(host(inet_server_addr()) || ':' || inet_server_port(), 'local socket'),
           ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::integer,
           s.application_name || ' (' || COALESCE(host(s.client_addr), 'local') || ')',
           s.state, s.sync_state,
           (extract(epoch FROM s.replay_lag) * 1000)::bigint
    -- Standbys only: the logical replication of a games' centre and
    -- venues (docs/multi-venue.md) is not a copy of this office.
    FROM (SELECT 1) one LEFT JOIN pg_stat_replication s
        ON NOT EXISTS (SELECT 1 FROM pg_replication_slots r
                       WHERE r.active_pid = s.pid AND r.slot_type = 'logical')
    ORDER BY s.application_name
$$;
REVOKE ALL ON FUNCTION badgegate.cluster_state() FROM PUBLIC;

-- Looked at with the kiosks' hellos, every 5 s at most: the office's
-- database now served by another server (a failover or switchover: a new
-- timeline) is one `failover` alarm; an office that had a standby and now
-- has none streaming is one `no_standby` alarm until acknowledged (a
-- record committed meanwhile is on one server only).
CREATE OR REPLACE FUNCTION badgegate.cluster_watch() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
DECLARE
    now_tl integer;
    was_tl integer;
    streaming integer;
    here text;
BEGIN
    IF pg_is_in_recovery() OR NOT pg_try_advisory_xact_lock(hashtext('badgegate.cluster_watch')) THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM badgegate.meta WHERE key = 'cluster_checked_at'
                  AND value::timestamptz > now() - interval '5 seconds') THEN
        RETURN;
    END IF;
    INSERT INTO badgegate.meta (key, value) VALUES ('cluster_checked_at', now()::text)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
    SELECT c.timeline, c.server INTO now_tl, here FROM badgegate.cluster_state() c LIMIT 1;
    SELECT value::integer INTO was_tl FROM badgegate.meta WHERE key = 'timeline';
    INSERT INTO badgegate.meta (key, value) VALUES ('timeline', now_tl::text)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
    IF was_tl IS NOT NULL AND was_tl <> now_tl THEN
        INSERT INTO badgegate.meta (key, value) VALUES ('failover_at', now()::text)
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
        PERFORM badgegate.raise_alarm(NULL, 'failover', format(
            'the office''s database is now served by %s (timeline %s, was %s): a failover or switchover; records, lists and presence carried over (check `patronictl list`)',
            here, now_tl, was_tl));
    END IF;
    SELECT count(*) INTO streaming FROM pg_stat_replication s WHERE state = 'streaming'
        AND NOT EXISTS (SELECT 1 FROM pg_replication_slots r
                        WHERE r.active_pid = s.pid AND r.slot_type = 'logical');
    IF streaming > 0 THEN
        INSERT INTO badgegate.meta (key, value) VALUES ('replicated', 'yes')
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
    ELSIF EXISTS (SELECT 1 FROM badgegate.meta WHERE key = 'replicated' AND value = 'yes')
          AND NOT EXISTS (SELECT 1 FROM badgegate.alarms a WHERE a.kind = 'no_standby'
                             AND NOT EXISTS (SELECT 1 FROM badgegate.acks k WHERE k.subject = 'alarm:' || a.id)) THEN
        PERFORM badgegate.raise_alarm(NULL, 'no_standby', format(
            'the office runs on %s without a standby: a record committed now is on that server only until a standby streams again (start the other server''s Patroni; `patronictl list`)',
            here));
    END IF;
END
$$;
REVOKE ALL ON FUNCTION badgegate.cluster_watch() FROM PUBLIC;

ALTER TABLE badgegate.kiosks ADD COLUMN IF NOT EXISTS offset_low_ms bigint;
ALTER TABLE badgegate.kiosks ADD COLUMN IF NOT EXISTS offset_prev_ms bigint;
ALTER TABLE badgegate.kiosks ADD COLUMN IF NOT EXISTS offset_window_at timestamptz;
CREATE OR REPLACE FUNCTION badgegate.hello(kiosk_now_ms bigint, lists text, local_head bigint,
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
    IF local_head IS NOT NULL AND local_head < head_seq AND NOT EXISTS (
           SELECT 1 FROM badgegate.alarms x WHERE x.kiosk_id = me AND x.kind = 'cut_back'
              AND NOT EXISTS (SELECT 1 FROM badgegate.acks a WHERE a.subject = 'alarm:' || x.id)) THEN
        PERFORM badgegate.raise_alarm(me, 'cut_back',
            format('kiosk %s''s journal ends at record %s, but the office holds its records up to %s: records %s to %s are gone from the gate PC (a lost or replaced disk, or a cut journal); the kiosk pushes nothing more until it is re-enrolled under a new id (docs/venue-network.md)',
                   me, local_head, head_seq, local_head + 1, head_seq));
    END IF;
    UPDATE badgegate.kiosks k SET last_contact = now(),
        -- The kiosk's clock as the office measures it: each hello's sample
        -- is the true offset plus the time the hello took to arrive (never
        -- less), so the lowest sample of the last 30 to 60 s stands: a slow
        -- hello cannot make a gate's records look later than they were. A
        -- clock stepped forward shows at once, one stepped back within a
        -- minute.
        offset_low_ms = CASE WHEN k.offset_window_at > now() - interval '30 seconds'
                             THEN LEAST(k.offset_low_ms, sample.ms) ELSE sample.ms END,
        offset_prev_ms = CASE WHEN k.offset_window_at > now() - interval '30 seconds' THEN k.offset_prev_ms
                              WHEN k.offset_window_at > now() - interval '60 seconds' THEN k.offset_low_ms END,
        offset_window_at = CASE WHEN k.offset_window_at > now() - interval '30 seconds'
                                THEN k.offset_window_at ELSE now() END,
        clock_offset_ms = LEAST(sample.ms,
            CASE WHEN k.offset_window_at > now() - interval '30 seconds' THEN LEAST(k.offset_low_ms, k.offset_prev_ms) END,
            CASE WHEN k.offset_window_at > now() - interval '60 seconds'
                  AND k.offset_window_at <= now() - interval '30 seconds' THEN k.offset_low_ms END),
        lists_in_use = left(lists, 2000), kiosk_head = local_head, head_seq = hello.head_seq,
        head_hash = hello.head_hash, gate = COALESCE(last_gate, k.gate),
        -- A kiosk that said goodbye is running again once its journal has
        -- grown past the head it said goodbye at (every start writes a
        -- record); a last hello of the stopping run does not undo it.
        stopped_at = CASE WHEN local_head IS NOT NULL AND local_head <= k.stopped_head THEN k.stopped_at END
        FROM (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint - kiosk_now_ms AS ms) sample
        WHERE k.kiosk_id = me;
    PERFORM badgegate.cluster_watch();
END
$$;

-- A kiosk stopping on purpose says goodbye with its last record: the
-- office shows it STOPPED, not OFFLINE, and raises no outage for it.
ALTER TABLE badgegate.kiosks ADD COLUMN IF NOT EXISTS stopped_at timestamptz;
ALTER TABLE badgegate.kiosks ADD COLUMN IF NOT EXISTS stopped_head bigint;
CREATE OR REPLACE FUNCTION badgegate.goodbye(p_head bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
DECLARE
    me text := badgegate.session_kiosk();
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'this login is not a kiosk''s' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE badgegate.kiosks SET stopped_at = now(), stopped_head = p_head, last_contact = now(),
        kiosk_head = p_head
        WHERE kiosk_id = me;
END
$$;
REVOKE ALL ON FUNCTION badgegate.goodbye(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION badgegate.goodbye(bigint) TO badgegate_kiosk;
GRANT EXECUTE ON FUNCTION badgegate.my_enrolment() TO badgegate_kiosk;

REVOKE ALL ON FUNCTION badgegate.record_arrives() FROM PUBLIC;
REVOKE ALL ON FUNCTION badgegate.hello(bigint, text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION badgegate.claim(text, text, text, bigint, text, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION badgegate.hello(bigint, text, bigint) TO badgegate_kiosk;
GRANT EXECUTE ON FUNCTION badgegate.claim(text, text, text, bigint, text, bigint, text) TO badgegate_kiosk;
REVOKE ALL ON FUNCTION badgegate.raise_alarm(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION badgegate.kiosk_alarm(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION badgegate.list_arrives() FROM PUBLIC;
REVOKE ALL ON FUNCTION badgegate.presence_take(badgegate.records, boolean, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION badgegate.presence_office_ms(badgegate.presence) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION badgegate.kiosk_alarm(text, text) TO badgegate_kiosk;

INSERT INTO badgegate.meta (key, value) VALUES ('authority_version', '1')
    ON CONFLICT (key) DO NOTHING;
INSERT INTO badgegate.meta (key, value) VALUES ('presence_version', '3')
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;

-- Many venues (docs/multi-venue.md): the venue a kiosk belongs to, set by
-- `office init --venue` as this column's default, and carried with the
-- kiosk's row to the centre by replication.
ALTER TABLE badgegate.kiosks ADD COLUMN IF NOT EXISTS venue text;

-- Holders' photos, published once (at the centre of a games, or at the
-- venue) and fetched by every gate into its photo folder. A photo is
-- named by its serial and by the digest the signed badge carries: a row
-- whose bytes are not that digest is refused here, and again by each
-- gate; a gate shows a photo only when the badge's own digest matches.
CREATE TABLE IF NOT EXISTS badgegate.photos (
    serial       text NOT NULL CHECK (serial ~ '^[A-Za-z0-9._-]{1,24}$'),
    digest       text NOT NULL CHECK (digest ~ '^[0-9a-f]{32}$'),
    -- The venues whose gates get it (`*`: every venue).
    venues       text[] NOT NULL DEFAULT ARRAY['*'],
    photo        bytea NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by text NOT NULL DEFAULT session_user,
    PRIMARY KEY (serial, digest)
);
CREATE INDEX IF NOT EXISTS photos_published ON badgegate.photos (published_at);

CREATE OR REPLACE FUNCTION badgegate.photo_arrives() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = badgegate, pg_catalog AS $$
BEGIN
    IF octet_length(NEW.photo) > 4 * 1024 * 1024 THEN
        RAISE EXCEPTION 'a photo larger than 4 MiB is refused' USING ERRCODE = 'check_violation';
    END IF;
    IF left(encode(sha256(NEW.photo), 'hex'), 32) IS DISTINCT FROM NEW.digest THEN
        RAISE EXCEPTION 'refused: the photo for % is not the photo of digest % (a photo is named by its content)',
            NEW.serial, NEW.digest USING ERRCODE = 'check_violation';
    END IF;
    NEW.published_by := session_user;
    NEW.published_at := clock_timestamp();
    PERFORM pg_notify('badgegate_lists', 'photo ' || NEW.serial);
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION badgegate.photo_arrives() FROM PUBLIC;
DROP TRIGGER IF EXISTS photos_arrive ON badgegate.photos;
CREATE TRIGGER photos_arrive BEFORE INSERT ON badgegate.photos
    FOR EACH ROW EXECUTE FUNCTION badgegate.photo_arrives();
DROP TRIGGER IF EXISTS photos_no_update ON badgegate.photos;
CREATE TRIGGER photos_no_update BEFORE UPDATE OR DELETE ON badgegate.photos
    FOR EACH ROW EXECUTE FUNCTION badgegate.records_frozen();
REVOKE ALL ON badgegate.photos FROM PUBLIC;
GRANT SELECT ON badgegate.photos TO badgegate_kiosk, badgegate_publisher;
GRANT INSERT ON badgegate.photos TO badgegate_publisher;

-- Patrol phones (`office serve --patrol-trust`): each is a kiosk of its
-- own (gate `patrol`, its key made on the phone) enrolled by an office
-- user; the phone fetches lists and photos and sends its records with a
-- token kept here only as its SHA-256. Retiring a phone ends its token.
CREATE TABLE IF NOT EXISTS badgegate.patrol_phones (
    kiosk_id    text PRIMARY KEY REFERENCES badgegate.kiosks (kiosk_id),
    token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    enrolled_by text NOT NULL REFERENCES badgegate.office_users (name),
    enrolled_at timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz,
    retired_at  timestamptz
);
REVOKE ALL ON badgegate.patrol_phones FROM PUBLIC;
