"""Micro benchmarks through the adapters (pytest-benchmark; the Google Benchmark ones live with the cores)."""
