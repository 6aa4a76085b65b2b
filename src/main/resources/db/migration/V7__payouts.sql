-- Stellar payouts of verified rewards: one payout per (event, VEN), paid in batches of up to 100
-- payment operations, each batch one signed transaction whose hash and envelope are stored
-- before it is submitted.

ALTER TABLE programs ADD COLUMN reward_budget numeric(20, 7);

CREATE TABLE payout_batches (
    id              uuid PRIMARY KEY,
    source_account  text NOT NULL CHECK (source_account ~ '^G[A-Z2-7]{55}$'),
    sequence        bigint NOT NULL,
    -- Hash of the (inner) transaction: the key it is reconciled by, also after a fee bump.
    tx_hash         text NOT NULL UNIQUE CHECK (tx_hash ~ '^[0-9a-f]{64}$'),
    -- The signed envelope last submitted (the fee-bump envelope once bumped), base64 XDR.
    envelope        text NOT NULL,
    -- Fee of the envelope last submitted, in stroops (raised by fee bumps under surge pricing).
    fee_stroops     bigint NOT NULL,
    asset           text NOT NULL,
    -- SHA-256 over the payouts' evidence digests in operation order: the transaction's hash memo.
    memo_hash       text NOT NULL CHECK (memo_hash ~ '^[0-9a-f]{64}$'),
    -- The payouts the transaction pays, in operation order (kept after a failed batch is released).
    payout_ids      uuid[] NOT NULL,
    max_time        timestamptz NOT NULL,
    status          text NOT NULL CHECK (status IN ('SUBMITTED', 'APPLIED', 'FAILED', 'EXPIRED')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    result          text,
    ledger          bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz
);
CREATE INDEX payout_batches_open_idx ON payout_batches (source_account, next_attempt_at) WHERE status = 'SUBMITTED';

CREATE TABLE payouts (
    id              uuid PRIMARY KEY,
    event_id        text NOT NULL,
    ven_id          text NOT NULL,
    program_id      text NOT NULL REFERENCES programs (id),
    ven_name        text NOT NULL,
    reduction_kw    numeric(14, 3) NOT NULL,
    reward_per_kw   numeric(20, 7) NOT NULL,
    amount          numeric(20, 7) NOT NULL CHECK (amount > 0),
    asset           text NOT NULL,
    destination     text CHECK (destination ~ '^G[A-Z2-7]{55}$'),
    evidence_digest text NOT NULL,
    status          text NOT NULL CHECK (status IN ('PENDING', 'SUBMITTED', 'PAID', 'FAILED')),
    reason          text,
    not_before      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    batch_id        uuid REFERENCES payout_batches (id),
    tx_hash         text,
    ledger          bigint,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    paid_at         timestamptz,
    UNIQUE (event_id, ven_id),
    FOREIGN KEY (event_id, ven_id) REFERENCES participations (event_id, ven_id),
    CHECK ((status = 'PAID') = (tx_hash IS NOT NULL AND ledger IS NOT NULL AND paid_at IS NOT NULL)),
    CHECK (status <> 'SUBMITTED' OR batch_id IS NOT NULL)
);
CREATE INDEX payouts_queue_idx ON payouts (asset, not_before, created_at, id) WHERE status = 'PENDING';
CREATE INDEX payouts_batch_idx ON payouts (batch_id);
CREATE INDEX payouts_program_idx ON payouts (program_id);

-- One payout worker at a time per distribution account: transactions from one account are
-- ordered by its sequence number, so several senders would only invalidate each other's.
CREATE TABLE payout_leases (
    source_account text PRIMARY KEY,
    holder         text NOT NULL,
    expires_at     timestamptz NOT NULL
);

-- A paid payout is final: nothing may change its amount, destination or proof afterwards.
CREATE FUNCTION payouts_paid_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'PAID' THEN
        RAISE EXCEPTION 'payout % is paid and cannot change', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN coalesce(NEW, OLD);
END $$;
CREATE TRIGGER payouts_paid_is_final BEFORE UPDATE OR DELETE ON payouts
    FOR EACH ROW EXECUTE FUNCTION payouts_paid_is_final();
