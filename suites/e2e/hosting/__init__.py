"""Hosted apps (Starlette, FastAPI, Flask) on lapwise and on the peer servers, under load."""
