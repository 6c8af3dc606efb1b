"""End-to-end suites: server load (server_bench), client fan-out (client), server faults (server)."""
