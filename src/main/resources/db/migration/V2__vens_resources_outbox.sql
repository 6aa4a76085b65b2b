-- OpenADR 3.1 VEN objects. client_id is the VEN's own OAuth client (the 3.1 clientID);
-- registered_by is the client that created the object: an aggregator sees what it registered.
CREATE TABLE vens (
    id               text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,128}$'),
    ven_name         text NOT NULL CHECK (length(ven_name) BETWEEN 1 AND 128),
    client_id        text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 128),
    registered_by    text NOT NULL,
    targets          text[] NOT NULL DEFAULT '{}',
    attributes       jsonb NOT NULL DEFAULT '[]',
    stellar_account  text CHECK (stellar_account ~ '^G[A-Z2-7]{55}$'),
    created_at       timestamptz NOT NULL DEFAULT now(),
    modified_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vens_ven_name_key UNIQUE (ven_name)
);
CREATE INDEX vens_client_idx ON vens (client_id);
CREATE INDEX vens_registered_by_idx ON vens (registered_by);
CREATE INDEX vens_targets_idx ON vens USING gin (targets);

-- Resources: a DER or a metered load behind a VEN. The DER attributes the VTN reasons about are
-- columns (validated on the way in); other attributes are kept as sent in extra_attributes.
-- client_id and owner (the VEN's registered_by) are copied from the VEN for cheap visibility filters.
CREATE TABLE resources (
    id                   text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,128}$'),
    ven_id               text NOT NULL REFERENCES vens (id) ON DELETE CASCADE,
    resource_name        text NOT NULL CHECK (length(resource_name) BETWEEN 1 AND 128),
    client_id            text NOT NULL,
    owner                text NOT NULL,
    targets              text[] NOT NULL DEFAULT '{}',
    der_type             text CHECK (der_type IN ('SOLAR', 'WIND', 'BATTERY', 'HYDRO', 'GEOTHERMAL', 'FUEL_CELL',
                                                  'LOAD', 'EV_CHARGER', 'HEAT_PUMP')),
    capacity_kw          numeric(14, 3) CHECK (capacity_kw > 0),
    energy_capacity_kwh  numeric(14, 3) CHECK (energy_capacity_kwh > 0),
    state_of_charge      numeric(6, 3) CHECK (state_of_charge BETWEEN 0 AND 100),
    latitude             double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude            double precision CHECK (longitude BETWEEN -180 AND 180),
    zone                 text,
    feeder               text,
    bid_price_per_kw     numeric(20, 7) CHECK (bid_price_per_kw >= 0),
    status               text NOT NULL DEFAULT 'ONLINE'
                         CHECK (status IN ('ONLINE', 'OFFLINE', 'MAINTENANCE', 'EMERGENCY', 'OPTIMIZED')),
    status_since         timestamptz NOT NULL DEFAULT now(),
    extra_attributes     jsonb NOT NULL DEFAULT '[]',
    created_at           timestamptz NOT NULL DEFAULT now(),
    modified_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT resources_ven_name_key UNIQUE (ven_id, resource_name)
);
CREATE INDEX resources_type_status_idx ON resources (der_type, status, created_at, id);
CREATE INDEX resources_status_idx ON resources (status, created_at, id);
CREATE INDEX resources_created_idx ON resources (created_at, id);
CREATE INDEX resources_client_idx ON resources (client_id);
CREATE INDEX resources_owner_idx ON resources (owner, created_at, id);
CREATE INDEX resources_zone_idx ON resources (zone, status);

-- Every status a resource has been in, for availability and utilization figures. Kept after the
-- resource is deleted (no foreign key): the history of a fleet outlives its members.
CREATE TABLE resource_status_history (
    id           bigserial PRIMARY KEY,
    resource_id  text NOT NULL,
    status       text NOT NULL,
    since        timestamptz NOT NULL,
    until        timestamptz,
    changed_by   text NOT NULL,
    reason       text
);
CREATE INDEX resource_status_history_resource_idx ON resource_status_history (resource_id, since);
CREATE INDEX resource_status_history_open_idx ON resource_status_history (until) WHERE until IS NULL;

-- The durable notification queue: what happened to which object, written in the same transaction
-- as the change. Delivery to subscribers (webhooks, 2.0b push) claims rows from here.
CREATE TABLE notifications (
    id           bigserial PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now(),
    event        text NOT NULL,
    object_type  text NOT NULL CHECK (object_type IN ('PROGRAM', 'EVENT', 'REPORT', 'SUBSCRIPTION', 'VEN', 'RESOURCE')),
    operation    text NOT NULL CHECK (operation IN ('CREATE', 'UPDATE', 'DELETE')),
    object_id    text NOT NULL,
    ven_id       text,
    payload      jsonb NOT NULL
);
CREATE INDEX notifications_object_idx ON notifications (object_type, object_id);

CREATE FUNCTION notifications_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vtn_notifications', '');
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_announce AFTER INSERT ON notifications
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_announce();

-- A deleted resource's open history interval ends when it goes (also when its VEN is deleted).
CREATE FUNCTION resources_close_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE resource_status_history SET until = now() WHERE resource_id = OLD.id AND until IS NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER resources_close_history AFTER DELETE ON resources
    FOR EACH ROW EXECUTE FUNCTION resources_close_history();
