"""Result schema v2: one tidy record per adapter x scenario x metric, with samples, the machine
it ran on and how busy that machine was. Every suite writes it; reports and notebooks read only
it (and read v1 files too)."""

from .schema import (DIRECTIONS, LOAD_KEYS, READABLE, SCHEMA, Record, ResultFile,  # noqa: F401
                     SchemaError, default_direction, load, new_file, stamp_load, write)
