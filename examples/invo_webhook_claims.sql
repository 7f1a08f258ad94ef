CREATE TABLE invo_webhook_claims (
    key        text PRIMARY KEY,
    claimed_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
