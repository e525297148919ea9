-- One row per redemption, kept forever: a reversal marks the row, it never deletes it.
CREATE TABLE redemptions (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    redemption_key TEXT NOT NULL UNIQUE CHECK (char_length(redemption_key) BETWEEN 1 AND 200),
    customer TEXT NOT NULL,
    offer TEXT NOT NULL,
    channel TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    rules TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    reversed_at TIMESTAMPTZ
);

-- A customer's redemptions, in the order they were recorded.
CREATE INDEX redemptions_by_customer ON redemptions (customer, seq);

-- Budgets count the unreversed redemptions of one offer.
CREATE INDEX redemptions_live_by_offer ON redemptions (offer) WHERE reversed_at IS NULL;
