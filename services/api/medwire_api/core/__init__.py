"""Pure helpers of the API (no I/O)."""
