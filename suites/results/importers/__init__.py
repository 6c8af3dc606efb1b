"""Importers from other tools' JSON into result schema v1."""
