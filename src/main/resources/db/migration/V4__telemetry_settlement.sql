-- One telemetry store for every source (3.1 reports, 2.0b oadrUpdateReport, CSV meter data).
-- A reading is an interval value of a quantity (USAGE: kWh in the interval; DEMAND: kW; ...).
-- Meter data is measurement, not money: double precision. Sending the same value again changes
-- nothing; a different value for a stored interval replaces it (revision + 1) and the superseded
-- value moves to reading_revisions. No foreign key to resources: ingestion resolves every
-- resource before storing, a per-row key check would halve the ingest rate, and readings are
-- evidence for settlement that must outlive a deleted resource.
CREATE TABLE readings (
    resource_id     text NOT NULL,
    quantity        text NOT NULL CHECK (length(quantity) BETWEEN 1 AND 64),
    interval_start  timestamptz NOT NULL,
    duration_s      integer NOT NULL CHECK (duration_s > 0),
    value           double precision NOT NULL,
    source          text NOT NULL,
    revision        integer NOT NULL DEFAULT 0,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (resource_id, quantity, interval_start)
);

CREATE TABLE reading_revisions (
    resource_id     text NOT NULL,
    quantity        text NOT NULL,
    interval_start  timestamptz NOT NULL,
    duration_s      integer NOT NULL,
    value           double precision NOT NULL,
    source          text NOT NULL,
    revision        integer NOT NULL,
    recorded_at     timestamptz NOT NULL,
    superseded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reading_revisions_idx ON reading_revisions (resource_id, quantity, interval_start);

-- The superseded value is kept by the update itself, so storing new intervals costs nothing extra.
CREATE FUNCTION readings_keep_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reading_revisions (resource_id, quantity, interval_start, duration_s, value, source, revision, recorded_at)
    VALUES (OLD.resource_id, OLD.quantity, OLD.interval_start, OLD.duration_s, OLD.value, OLD.source, OLD.revision,
            OLD.recorded_at);
    RETURN NEW;
END $$;
CREATE TRIGGER readings_keep_revision BEFORE UPDATE ON readings FOR EACH ROW
    WHEN (OLD.value IS DISTINCT FROM NEW.value OR OLD.duration_s IS DISTINCT FROM NEW.duration_s)
    EXECUTE FUNCTION readings_keep_revision();

-- Cumulative register readings (kWh on the meter's register at a moment).
CREATE TABLE register_readings (
    resource_id  text NOT NULL,
    read_at      timestamptz NOT NULL,
    kwh          double precision NOT NULL,
    source       text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (resource_id, read_at)
);

-- OpenADR 3.1 reports as received (their readings are also in readings).
CREATE TABLE reports (
    id           text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,128}$'),
    client_id    text NOT NULL,
    event_id     text NOT NULL REFERENCES events (id),
    client_name  text NOT NULL,
    body         jsonb NOT NULL,
    readings     integer NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    modified_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_client_idx ON reports (client_id, created_at);
CREATE INDEX reports_event_idx ON reports (event_id);

-- Baselines and readings a utility supplies for EXTERNAL programs.
CREATE TABLE external_baselines (
    event_id         text NOT NULL REFERENCES events (id),
    ven_id           text NOT NULL REFERENCES vens (id) ON DELETE CASCADE,
    baseline_kw      numeric(14, 3) NOT NULL,
    actual_kw        numeric(14, 3) NOT NULL,
    meter_start_kwh  double precision,
    meter_end_kwh    double precision,
    submitted_by     text NOT NULL,
    submitted_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, ven_id)
);

-- A VEN's participation in an event, as verification decided it.
CREATE TABLE participations (
    event_id         text NOT NULL REFERENCES events (id),
    ven_id           text NOT NULL REFERENCES vens (id),
    ven_name         text NOT NULL,
    status           text NOT NULL CHECK (status IN ('PENDING', 'VERIFIED', 'REJECTED', 'REWARDED')),
    baseline_method  text NOT NULL,
    baseline_kw      numeric(14, 3),
    actual_kw        numeric(14, 3),
    reduction_kw     numeric(14, 3),
    reduction_kwh    numeric(14, 3),
    meter_start_kwh  double precision,
    meter_end_kwh    double precision,
    completeness     double precision,
    reasons          text[] NOT NULL DEFAULT '{}',
    reward           numeric(20, 7),
    evidence_digest  text,
    evidence         jsonb,
    zone             text,
    verified_at      timestamptz,
    PRIMARY KEY (event_id, ven_id)
);
CREATE INDEX participations_ven_idx ON participations (ven_id, event_id);
