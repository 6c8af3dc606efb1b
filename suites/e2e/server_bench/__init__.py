"""The server load suite: scenarios, lapwise-load and wrk runs, cold start, soak."""
