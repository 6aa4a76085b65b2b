-- OpenADR 3.1 programs. The settlement rules the VTN applies are read from the program's attributes
-- into columns; body keeps the rest of the 3.1 object (intervalPeriod, descriptions, descriptors).
CREATE TABLE programs (
    id                          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,128}$'),
    program_name                text NOT NULL CHECK (length(program_name) BETWEEN 1 AND 128),
    targets                     text[] NOT NULL DEFAULT '{}',
    attributes                  jsonb NOT NULL DEFAULT '[]',
    body                        jsonb NOT NULL DEFAULT '{}',
    baseline_method             text CHECK (baseline_method IN ('CAISO_10_OF_10', 'HIGH_5_OF_10', 'SAME_DAY',
                                                                'METER_BEFORE_AFTER', 'EXTERNAL')),
    reward_per_kw               numeric(20, 7) CHECK (reward_per_kw >= 0),
    reward_asset                text,
    min_reduction_kw            numeric(14, 3) CHECK (min_reduction_kw >= 0),
    max_reward_per_participant  numeric(20, 7) CHECK (max_reward_per_participant >= 0),
    max_reward_per_event        numeric(20, 7) CHECK (max_reward_per_event >= 0),
    created_by                  text NOT NULL,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    modified_at                 timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT programs_program_name_key UNIQUE (program_name)
);

-- OpenADR 3.1 events. body is the validated 3.1 event (intervalPeriod, intervals, descriptors,
-- duration); the window, target and reward are derived from it once, for queries and dispatch.
-- An event is never removed: DELETE cancels it (cancelled_at) and it stays for settlement and
-- baselines. historical: recorded with a window already over (never dispatched to VENs).
CREATE TABLE events (
    id                   text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,128}$'),
    program_id           text NOT NULL REFERENCES programs (id),
    event_name           text,
    priority             integer CHECK (priority >= 0),
    targets              text[] NOT NULL DEFAULT '{}',
    body                 jsonb NOT NULL,
    starts_at            timestamptz,
    ends_at              timestamptz,
    target_reduction_kw  numeric(14, 3) CHECK (target_reduction_kw >= 0),
    reward_per_kw        numeric(20, 7) CHECK (reward_per_kw >= 0),
    historical           boolean NOT NULL DEFAULT false,
    cancelled_at         timestamptz,
    modification_number  integer NOT NULL DEFAULT 0,
    achieved_reduction_kw numeric(14, 3),
    created_by           text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    modified_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_program_idx ON events (program_id, created_at);
CREATE INDEX events_window_idx ON events (ends_at, starts_at);
CREATE INDEX events_created_idx ON events (created_at, id);

-- Opt-ins and opt-outs per VEN per event, from either protocol (latest wins).
CREATE TABLE event_opts (
    event_id    text NOT NULL REFERENCES events (id),
    ven_id      text NOT NULL REFERENCES vens (id) ON DELETE CASCADE,
    opt         text NOT NULL CHECK (opt IN ('optIn', 'optOut')),
    source      text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, ven_id)
);

-- Subscriptions (3.1): who wants which object operations at which callback.
CREATE TABLE subscriptions (
    id                 text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,128}$'),
    client_id          text NOT NULL,
    client_name        text NOT NULL CHECK (length(client_name) BETWEEN 1 AND 128),
    program_id         text REFERENCES programs (id) ON DELETE CASCADE,
    object_operations  jsonb NOT NULL,
    targets            text[] NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL DEFAULT now(),
    modified_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_client_idx ON subscriptions (client_id);

-- Notifications are fanned out to matching subscriptions once (dispatched_at), by whichever
-- instance claims them first.
ALTER TABLE notifications ADD COLUMN dispatched_at timestamptz;
CREATE INDEX notifications_pending_idx ON notifications (id) WHERE dispatched_at IS NULL;

-- The webhook outbox: one row per (subscription, notification, callback). Delivered in order per
-- subscription: only the oldest pending row of a subscription is ever in flight. A worker takes a
-- row by leasing it (lease_until); a crashed worker's lease runs out and another instance retries.
CREATE TABLE webhook_deliveries (
    id               bigserial PRIMARY KEY,
    subscription_id  text NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    notification_id  bigint NOT NULL REFERENCES notifications (id),
    callback_url     text NOT NULL,
    bearer_token     text,
    body             jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'DEAD')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz
);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (subscription_id, id) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_dead_idx ON webhook_deliveries (subscription_id, id) WHERE status = 'DEAD';

CREATE FUNCTION webhook_deliveries_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vtn_deliveries', '');
    RETURN NULL;
END $$;
CREATE TRIGGER webhook_deliveries_announce AFTER INSERT ON webhook_deliveries
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_announce();

-- Cache invalidation for every VTN instance: which client's VEN view, which event or program
-- changed. One notification per distinct key per statement (PostgreSQL folds duplicates).
CREATE FUNCTION cache_announce_clients() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('vtn_cache', 'client:' || c) FROM (SELECT DISTINCT client_id AS c FROM new_rows) s;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM pg_notify('vtn_cache', 'client:' || c) FROM (SELECT DISTINCT client_id AS c FROM old_rows) s;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER vens_cache_insert AFTER INSERT ON vens REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_clients();
CREATE TRIGGER vens_cache_update AFTER UPDATE ON vens REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_clients();
CREATE TRIGGER vens_cache_delete AFTER DELETE ON vens REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_clients();
CREATE TRIGGER resources_cache_insert AFTER INSERT ON resources REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_clients();
CREATE TRIGGER resources_cache_update AFTER UPDATE ON resources REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_clients();
CREATE TRIGGER resources_cache_delete AFTER DELETE ON resources REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_clients();

CREATE FUNCTION cache_announce_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vtn_cache', 'event:' || id) FROM new_rows;
    RETURN NULL;
END $$;
CREATE TRIGGER events_cache_insert AFTER INSERT ON events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_events();
CREATE TRIGGER events_cache_update AFTER UPDATE ON events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_events();

CREATE FUNCTION cache_announce_programs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('vtn_cache', 'program:' || id) FROM old_rows;
    ELSE
        PERFORM pg_notify('vtn_cache', 'program:' || id) FROM new_rows;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER programs_cache_insert AFTER INSERT ON programs REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_programs();
CREATE TRIGGER programs_cache_update AFTER UPDATE ON programs REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_programs();
CREATE TRIGGER programs_cache_delete AFTER DELETE ON programs REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_programs();
