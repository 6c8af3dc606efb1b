"""Result schema v1: one tidy record per adapter x scenario x metric, with samples and the
machine it ran on. Every suite writes it; reports and notebooks read only it."""

from .schema import SCHEMA, Record, ResultFile, SchemaError, load, new_file, write  # noqa: F401
