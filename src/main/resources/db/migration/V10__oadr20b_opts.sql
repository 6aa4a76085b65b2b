-- OpenADR 2.0b EiOpt: the opt schedules a VEN sent (oadrCreateOpt), by its optID. Their windows
-- are rows of availability (opt_id set) and an event-scoped opt is also the VEN's event_opts row;
-- oadrCancelOpt removes the schedule, its windows and that event opt.
CREATE TABLE oadr20b_opts (
    ven_id          text NOT NULL REFERENCES vens (id) ON DELETE CASCADE,
    opt_id          text NOT NULL CHECK (length(opt_id) BETWEEN 1 AND 256),
    opt             text NOT NULL CHECK (opt IN ('optIn', 'optOut')),
    event_id        text REFERENCES events (id) ON DELETE CASCADE,
    reason          text,
    market_context  text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ven_id, opt_id)
);
CREATE INDEX availability_opt_idx ON availability (ven_id, opt_id) WHERE opt_id IS NOT NULL;

-- OpenADR 2.0b EiReport: what each VEN registered it can report (oadrRegisterReport METADATA, one
-- row per rID), and the report requests the VTN made of it (oadrReportRequest); updates are
-- ingested into readings (USAGE kWh per interval from energy rIDs, DEMAND kW from power rIDs).
CREATE TABLE oadr20b_report_descriptions (
    ven_id               text NOT NULL REFERENCES vens (id) ON DELETE CASCADE,
    report_specifier_id  text NOT NULL,
    r_id                 text NOT NULL,
    resource_name        text,
    resource_id          text REFERENCES resources (id) ON DELETE SET NULL,
    report_name          text,
    report_type          text NOT NULL,
    reading_type         text,
    item                 text,
    unit                 text,
    scale                text,
    min_period_s         integer,
    max_period_s         integer,
    registered_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ven_id, report_specifier_id, r_id)
);

CREATE TABLE oadr20b_report_requests (
    ven_id               text NOT NULL REFERENCES vens (id) ON DELETE CASCADE,
    report_request_id    text NOT NULL,
    report_specifier_id  text NOT NULL,
    r_ids                text[] NOT NULL,
    granularity_s        integer NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    cancelled_at         timestamptz,
    PRIMARY KEY (ven_id, report_request_id)
);
