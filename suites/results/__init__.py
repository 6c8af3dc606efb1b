"""Result schema v1: one tidy record per adapter x scenario x metric, with samples and the
machine it ran on. Every suite writes it; reports and notebooks read only it."""

from .schema import (DIRECTIONS, SCHEMA, Record, ResultFile, SchemaError,  # noqa: F401
                     default_direction, load, new_file, write)
