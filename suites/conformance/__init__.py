"""Conformance: every adapter x every case, agreement before any timing (label per_adapter)."""
