"""ci/bench's Python side: job discovery (jobs.py) and the orchestrator (main.py)."""
