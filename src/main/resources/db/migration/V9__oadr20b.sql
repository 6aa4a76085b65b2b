-- OpenADR 2.0b: the certificate a VEN is provisioned with, its 2.0b registration, the event set
-- last sent to it, and the durable queue of messages the VTN sends it. Every change is announced
-- on channel vtn_oadr20b with the VEN it concerns, so each VTN instance keeps these in memory and
-- a VEN polling with nothing new costs no query.

-- The OpenADR 2.0b fingerprint of the VEN's TLS client certificate (the last 10 bytes of its
-- SHA-256, colon-separated upper-case hex), taken from the OADR_CERT_FINGERPRINT attribute a
-- utility provisions through /vens. A certificate identifies at most one VEN.
ALTER TABLE vens ADD COLUMN oadr_fingerprint text
    CONSTRAINT vens_oadr_fingerprint_check CHECK (oadr_fingerprint ~ '^([0-9A-F]{2}:){9}[0-9A-F]{2}$');

WITH provisioned AS (
    SELECT v.id, upper(a -> 'values' ->> 0) AS fp
      FROM vens v, jsonb_array_elements(v.attributes) a
     WHERE a ->> 'type' = 'OADR_CERT_FINGERPRINT'
)
UPDATE vens v SET oadr_fingerprint = p.fp
  FROM provisioned p
 WHERE v.id = p.id AND p.fp ~ '^([0-9A-F]{2}:){9}[0-9A-F]{2}$'
   AND (SELECT count(*) FROM provisioned q WHERE q.fp = p.fp) = 1;

CREATE UNIQUE INDEX vens_oadr_fingerprint_key ON vens (oadr_fingerprint);

CREATE FUNCTION vens_oadr_fingerprint() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.oadr_fingerprint := (SELECT upper(a -> 'values' ->> 0) FROM jsonb_array_elements(NEW.attributes) a
                              WHERE a ->> 'type' = 'OADR_CERT_FINGERPRINT' LIMIT 1);
    RETURN NEW;
END $$;
CREATE TRIGGER vens_oadr_fingerprint BEFORE INSERT OR UPDATE OF attributes ON vens
    FOR EACH ROW EXECUTE FUNCTION vens_oadr_fingerprint();

-- A VEN's 2.0b registration (oadrCreatePartyRegistration); cancelling it removes the row.
CREATE TABLE oadr20b_registrations (
    ven_id             text PRIMARY KEY REFERENCES vens (id) ON DELETE CASCADE,
    registration_id    text NOT NULL CONSTRAINT oadr20b_registrations_registration_id_key UNIQUE,
    ven_name           text NOT NULL,
    http_pull          boolean NOT NULL,
    transport_address  text,
    xml_signature      boolean NOT NULL,
    report_only        boolean NOT NULL,
    registered_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT oadr20b_registrations_push_address CHECK (http_pull OR transport_address IS NOT NULL)
);

-- The event set (ids, modification numbers, statuses, targeted resources; a 64-bit digest of it)
-- last sent to each VEN in an oadrDistributeEvent: a poll sends the VEN's events again only when
-- its set differs from this.
CREATE TABLE oadr20b_event_state (
    ven_id   text PRIMARY KEY REFERENCES oadr20b_registrations (ven_id) ON DELETE CASCADE,
    digest   bigint NOT NULL,
    sent_at  timestamptz NOT NULL DEFAULT now()
);

-- Messages the VTN sends a VEN (oadrRequestReregistration; later report requests, registration
-- cancellations, ...), in order. A pull VEN gets the oldest undelivered one on its next poll;
-- the push worker will post them. The XML is built when sent, from message_type and payload.
CREATE TABLE oadr20b_queue (
    id               bigserial PRIMARY KEY,
    ven_id           text NOT NULL REFERENCES vens (id) ON DELETE CASCADE,
    message_type     text NOT NULL CHECK (message_type ~ '^oadr[A-Za-z]{1,64}$'),
    payload          jsonb NOT NULL DEFAULT '{}',
    created_by       text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    last_error       text
);
CREATE INDEX oadr20b_queue_pending_idx ON oadr20b_queue (ven_id, id) WHERE delivered_at IS NULL;

-- Announcements, one per VEN and statement (payloads stay far below NOTIFY's 8000-byte limit):
--   reg:<venID>             its registration was made, changed or cancelled (reload it)
--   sent:<venID>=<digest>,... event sets sent (up to 40 VENs a message; applied as they are)
--   queue:<venID>:<id>      messages queued for it (or pending again), the newest id
--   done:<venID>:<id>       its messages up to id were delivered
CREATE FUNCTION oadr20b_registrations_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('vtn_oadr20b', 'reg:' || v) FROM (SELECT DISTINCT ven_id AS v FROM new_rows) s;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM pg_notify('vtn_oadr20b', 'reg:' || v) FROM (SELECT DISTINCT ven_id AS v FROM old_rows) s;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER oadr20b_registrations_insert AFTER INSERT ON oadr20b_registrations REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION oadr20b_registrations_announce();
CREATE TRIGGER oadr20b_registrations_update AFTER UPDATE ON oadr20b_registrations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION oadr20b_registrations_announce();
CREATE TRIGGER oadr20b_registrations_delete AFTER DELETE ON oadr20b_registrations REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION oadr20b_registrations_announce();

CREATE FUNCTION oadr20b_event_state_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vtn_oadr20b', 'sent:' || string_agg(ven_id || '=' || digest, ','))
       FROM (SELECT ven_id, digest, (row_number() OVER () - 1) / 40 AS chunk FROM new_rows) s
      GROUP BY chunk;
    RETURN NULL;
END $$;
CREATE TRIGGER oadr20b_event_state_insert AFTER INSERT ON oadr20b_event_state REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION oadr20b_event_state_announce();
CREATE TRIGGER oadr20b_event_state_update AFTER UPDATE ON oadr20b_event_state REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION oadr20b_event_state_announce();

CREATE FUNCTION oadr20b_queue_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pg_notify('vtn_oadr20b', 'queue:' || ven_id || ':' || max(id)) FROM new_rows GROUP BY ven_id;
    ELSE
        PERFORM pg_notify('vtn_oadr20b', 'done:' || ven_id || ':' || max(id))
           FROM new_rows WHERE delivered_at IS NOT NULL GROUP BY ven_id;
        -- Handed back (an answer that could not be written) or retried: pending again.
        PERFORM pg_notify('vtn_oadr20b', 'queue:' || ven_id || ':' || max(id))
           FROM new_rows WHERE delivered_at IS NULL GROUP BY ven_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER oadr20b_queue_insert AFTER INSERT ON oadr20b_queue REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION oadr20b_queue_announce();
CREATE TRIGGER oadr20b_queue_update AFTER UPDATE ON oadr20b_queue REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION oadr20b_queue_announce();
