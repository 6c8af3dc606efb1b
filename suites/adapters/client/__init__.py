"""Client adapters: every implementation of ``fetch_many(requests, policy)`` (see base.py)."""
