-- Clients of the VTN (operators, aggregators, VENs) and their roles. Secrets are stored only as
-- salted PBKDF2 hashes. Tokens carry the client's token_generation: disabling a client bumps it, so
-- its tokens stay dead even after it is enabled again. Every change is announced on channel
-- vtn_client_changed so all VTN instances stop honouring those tokens at once.
CREATE TABLE clients (
    client_id          text PRIMARY KEY CHECK (client_id ~ '^[A-Za-z0-9._~-]{3,128}$'),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role               text NOT NULL CHECK (role IN ('admin', 'utility', 'aggregator', 'ven')),
    secret_hash        text NOT NULL,
    enabled            boolean NOT NULL DEFAULT true,
    token_generation   integer NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    created_by         text,
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clients_role_idx ON clients (role, created_at);

CREATE FUNCTION clients_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vtn_client_changed', json_build_object(
        'clientId', NEW.client_id,
        'enabled', NEW.enabled,
        'tokenGeneration', NEW.token_generation)::text);
    RETURN NEW;
END $$;
CREATE TRIGGER clients_notify AFTER INSERT OR UPDATE ON clients
    FOR EACH ROW EXECUTE FUNCTION clients_notify();

-- Token-signing keys. The newest row signs; every row verifies (room for rotation).
CREATE TABLE signing_keys (
    kid              text PRIMARY KEY,
    algorithm        text NOT NULL,
    private_key_pem  text NOT NULL,
    public_key_pem   text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- Append-only record of every change that matters to money or to a grid operator, written in the
-- same transaction as the change itself.
CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor        text NOT NULL,
    actor_role   text,
    action       text NOT NULL,
    object_type  text NOT NULL,
    object_id    text NOT NULL,
    before       jsonb,
    after        jsonb,
    request_id   text
);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
