"""Flask: ``GET /json`` through ``jsonify`` and ``GET /plaintext`` (the readiness probe)."""

from __future__ import annotations

from flask import Flask, jsonify

app = Flask(__name__)
app.json.compact = True  # type: ignore[attr-defined]
app.json.sort_keys = False  # type: ignore[attr-defined]


@app.get("/plaintext")
def plaintext():  # type: ignore[no-untyped-def]
    return "Hello, World!", 200, {"Content-Type": "text/plain"}


@app.get("/json")
def json_route():  # type: ignore[no-untyped-def]
    return jsonify(message="Hello, World!")
