"""JSON adapters: ``dumps(obj) -> bytes`` and ``loads(data) -> object``."""
