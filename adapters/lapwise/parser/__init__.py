"""HTTP/1.1 request parsers behind one interface (see ``base``); one module per adapter."""

from .base import PARTIAL, Error, Limits, Parsed, ParsedResult, Parser, Partial

__all__ = ["PARTIAL", "Error", "Limits", "Parsed", "ParsedResult", "Parser", "Partial"]
