"""Self-tests of the gate runner (config, stats, ratio, head/base, report)."""
