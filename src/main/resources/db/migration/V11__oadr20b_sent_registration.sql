-- An event set sent under one registration must not be taken for what a newer registration of
-- the same VEN was sent: announcements of sent event sets now name the registration (its
-- registered_at, in epoch microseconds) they were sent under, and instances apply one only to
-- a session of that registration.
--   sent:<venID>=<digest>@<registered_at micros>,...
CREATE OR REPLACE FUNCTION oadr20b_event_state_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vtn_oadr20b', 'sent:' || string_agg(ven_id || '=' || digest || '@' || micros, ','))
       FROM (SELECT n.ven_id, n.digest,
                    (extract(epoch FROM g.registered_at) * 1000000)::bigint AS micros,
                    (row_number() OVER () - 1) / 40 AS chunk
               FROM new_rows n JOIN oadr20b_registrations g ON g.ven_id = n.ven_id) s
      GROUP BY chunk;
    RETURN NULL;
END $$;
