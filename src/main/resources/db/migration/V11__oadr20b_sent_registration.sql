-- An event set sent under one registration must not be taken for what a newer registration of
-- the same VEN was sent. Each sent state now names the registration it was sent under (its
-- registered_at): sessions load only a state of their own registration, an older registration's
-- write never replaces a newer one's, and announcements carry it (epoch microseconds) so
-- instances apply one only to a session of that registration:
--   sent:<venID>=<digest>@<registered_at micros>,...
ALTER TABLE oadr20b_event_state ADD COLUMN registered_at timestamptz;

CREATE OR REPLACE FUNCTION oadr20b_event_state_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vtn_oadr20b', 'sent:' || string_agg(ven_id || '=' || digest || at, ','))
       FROM (SELECT ven_id, digest,
                    CASE WHEN registered_at IS NULL THEN ''
                         ELSE '@' || (extract(epoch FROM registered_at) * 1000000)::bigint END AS at,
                    (row_number() OVER () - 1) / 40 AS chunk
               FROM new_rows) s
      GROUP BY chunk;
    RETURN NULL;
END $$;
