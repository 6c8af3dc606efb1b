"""Tests of the adapters: registry, route patterns, the native adapters, the client policy."""
