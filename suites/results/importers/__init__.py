"""Importers from other tools' JSON into the result schema (v2)."""
