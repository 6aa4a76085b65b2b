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
