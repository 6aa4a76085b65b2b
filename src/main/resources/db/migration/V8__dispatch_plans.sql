-- Dispatch planning: the grid limits plans respect, VEN availability (EiOpt), plans with their
-- per-resource schedules, and emergency allocations.

-- Most net reduction (kW) the resources of a zone or feeder may deliver together.
CREATE TABLE grid_limits (
    kind       text NOT NULL CHECK (kind IN ('ZONE', 'FEEDER')),
    name       text NOT NULL,
    limit_kw   numeric(14, 3) NOT NULL CHECK (limit_kw >= 0),
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name)
);

-- Availability schedules (OpenADR 2.0b EiOpt): a VEN, or one of its resources, is (not) available
-- for dispatch in a window.
CREATE TABLE availability (
    id          uuid PRIMARY KEY,
    ven_id      text NOT NULL REFERENCES vens (id) ON DELETE CASCADE,
    resource_id text REFERENCES resources (id) ON DELETE CASCADE,
    opt_id      text,
    opt         text NOT NULL CHECK (opt IN ('optIn', 'optOut')),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX availability_window_idx ON availability (ends_at, starts_at);

CREATE TABLE dispatch_plans (
    id               uuid PRIMARY KEY,
    event_id         text NOT NULL REFERENCES events (id),
    status           text NOT NULL CHECK (status IN ('PROPOSED', 'ACCEPTED', 'SUPERSEDED', 'RELEASED')),
    -- Why it was made: REQUESTED by a utility, or a re-plan after an OPT_OUT or OFFLINE resource.
    cause            text NOT NULL,
    replaces         uuid REFERENCES dispatch_plans (id),
    starts_at        timestamptz NOT NULL,
    interval_seconds integer NOT NULL CHECK (interval_seconds > 0),
    intervals        integer NOT NULL CHECK (intervals > 0),
    -- From this interval on the plan is in force (a re-plan keeps what was already dispatched).
    first_interval   integer NOT NULL DEFAULT 0,
    target_kw        double precision[] NOT NULL,
    planned_kw       double precision[] NOT NULL,
    shortfall_kw     double precision[] NOT NULL,
    cost             numeric(24, 7) NOT NULL,
    lower_bound      numeric(24, 7) NOT NULL,
    solver           text NOT NULL,
    solve_ms         double precision NOT NULL,
    resources        integer NOT NULL,
    warnings         jsonb NOT NULL DEFAULT '[]',
    excluded         jsonb NOT NULL DEFAULT '[]',
    created_by       text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    accepted_at      timestamptz,
    released_at      timestamptz
);
CREATE INDEX dispatch_plans_event_idx ON dispatch_plans (event_id, created_at);
-- One plan in force per event.
CREATE UNIQUE INDEX dispatch_plans_accepted_idx ON dispatch_plans (event_id) WHERE status = 'ACCEPTED';

-- A plan's setpoints: one row per dispatched resource, its kW per interval of the plan (positive:
-- reduction delivered; negative: added consumption), with its priority and grid stability score.
CREATE TABLE dispatch_schedules (
    plan_id     uuid NOT NULL REFERENCES dispatch_plans (id) ON DELETE CASCADE,
    resource_id text NOT NULL,
    ven_id      text NOT NULL,
    power_kw    numeric(14, 3)[] NOT NULL,
    priority    smallint NOT NULL CHECK (priority BETWEEN 1 AND 10),
    stability   smallint NOT NULL CHECK (stability BETWEEN 1 AND 10),
    PRIMARY KEY (plan_id, resource_id)
);
CREATE INDEX dispatch_schedules_resource_idx ON dispatch_schedules (resource_id);
CREATE INDEX dispatch_schedules_ven_idx ON dispatch_schedules (ven_id);

-- The per-VEN signal events an accepted plan (or an emergency) published.
CREATE TABLE dispatch_signals (
    plan_id   uuid NOT NULL REFERENCES dispatch_plans (id),
    ven_id    text NOT NULL,
    event_id  text NOT NULL REFERENCES events (id),
    PRIMARY KEY (plan_id, ven_id)
);

CREATE TABLE emergencies (
    id           uuid PRIMARY KEY,
    resource_id  text,
    zone         text,
    power_kw     numeric(14, 3) NOT NULL,
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL CHECK (ends_at > starts_at),
    resources    text[] NOT NULL,
    events       text[] NOT NULL,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz,
    CHECK ((resource_id IS NULL) <> (zone IS NULL))
);
CREATE INDEX emergencies_open_idx ON emergencies (ends_at) WHERE ended_at IS NULL;
