"""`Idempotency-Key` for API writes (security baseline REL-2); see docs/decisions/0004-idempotency.md."""
