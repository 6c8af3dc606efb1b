"""The per-step lap table: each step of a request timed alone and in context."""
