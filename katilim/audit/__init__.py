"""The audit log: who did what to what, when, from where. Append-only."""
