"""Tests of the result schema, its importers and the statistics."""
