"""The client fan-out suite and its local servers (fault server, nginx, TLS nginx)."""
