"""Hosting performance: what a framework costs on its own (floors), what each server adds
(hosting_bench), and a long run that watches errors and memory (million)."""
