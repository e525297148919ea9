-- One row per redemption, kept forever: a reversal marks the row, it never deletes it.
CREATE TABLE redemptions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    redemption_key TEXT NOT NULL UNIQUE CHECK (length(redemption_key) BETWEEN 1 AND 200),
    customer TEXT NOT NULL,
    offer TEXT NOT NULL,
    channel TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    rules TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    reversed_at TEXT
);

-- A customer's redemptions, in the order they were recorded.
CREATE INDEX redemptions_by_customer ON redemptions (customer, seq);

-- Budgets count the unreversed redemptions of one offer.
CREATE INDEX redemptions_live_by_offer ON redemptions (offer) WHERE reversed_at IS NULL;
