"""HTML adapters: ``parse(page) -> doc`` and ``extract(doc) -> {field: value}`` over one spec."""
