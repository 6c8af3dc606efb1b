"""The app of base.py, written once per framework; each runs in the server's own process."""
