"""The app spec (suites.adapters.server.base) on one lapwise.App, as a module attribute, for
``python -m lapwise serve suites.adapters.server.apps.spec_app:app --interface app``
(server/lapwise-app). The routes are native_py's; only the way the App is started differs."""

from __future__ import annotations

from lapwise.app import App

from .native_py import build

app = build(App(server_name="lapwise-app"))
