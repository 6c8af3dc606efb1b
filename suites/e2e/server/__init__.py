"""Server fault tests: slow clients, bad input, limits and shutdown against lapwise.App."""
