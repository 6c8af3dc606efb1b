"""Tests of the report builder."""
