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
--   whose columns lie, a chain that differs from its journal).

ALTER TABLE badgegate.alarms ADD COLUMN IF NOT EXISTS first_detail text;
ALTER TABLE badgegate.alarms ADD COLUMN IF NOT EXISTS count bigint NOT NULL DEFAULT 1;

-- Raises an alarm. Kinds a flood repeats are grouped: while one of the same
-- kiosk and kind is open (not acknowledged), it counts up and its detail
-- says how often and the latest case.
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
    header text := CASE NEW.kind WHEN 'revocations' THEN 'badgegate-revocations v1'
                                 WHEN 'policy' THEN 'badgegate-policy v1' END;
BEGIN
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

DROP TRIGGER IF EXISTS lists_arrive ON badgegate.lists;
CREATE TRIGGER lists_arrive BEFORE INSERT ON badgegate.lists
    FOR EACH ROW EXECUTE FUNCTION badgegate.list_arrives();

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

-- A kiosk says it is there: its clock and the lists it holds. Returns the
-- office's head of its chain, where pushing resumes. A kiosk whose journal
-- ends before the office's head (a lost or replaced disk, a cut journal)
-- is an alarm at once, naming the missing records.
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
        clock_offset_ms = (extract(epoch FROM clock_timestamp()) * 1000)::bigint - kiosk_now_ms,
        lists_in_use = left(lists, 2000), kiosk_head = local_head, head_seq = hello.head_seq,
        head_hash = hello.head_hash, gate = COALESCE(last_gate, k.gate)
        WHERE k.kiosk_id = me;
END
$$;

REVOKE ALL ON FUNCTION badgegate.raise_alarm(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION badgegate.kiosk_alarm(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION badgegate.list_arrives() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION badgegate.kiosk_alarm(text, text) TO badgegate_kiosk;

INSERT INTO badgegate.meta (key, value) VALUES ('authority_version', '1')
    ON CONFLICT (key) DO NOTHING;
