"""Query-string adapters: ``parse(qs) -> [(key, value), ...]`` with parse_qsl semantics."""
