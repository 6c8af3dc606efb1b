"""The static benchmark names its cases as the hosting suites do: ``SERVER@APP``, the server by
a registered server adapter's name (so its records are ``server/<name>``, the id the rest of the
harness uses) and the app as a separate axis (the scenario ``e2e.static.<app>``)."""

from __future__ import annotations

from suites.adapters import registry
from suites.e2e.static_files.static_bench import BASE, CASES
from suites.results.renamed import current_ids


def test_every_case_runs_on_a_registered_server():
    servers = {e.adapter_id for e in registry.entries("server", "")}
    assert {f"server/{c.server}" for c in CASES} <= servers


def test_case_names_are_unique_and_the_base_is_one_of_them():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)) and BASE in names
    assert all(c.app == c.app.lower() and "@" not in c.app for c in CASES)


def test_a_lapwise_case_is_served_by_the_interface_its_server_names():
    for c in CASES:
        if c.server.startswith("lapwise-"):
            assert c.argv[-2:] == ("--interface", c.server.removeprefix("lapwise-")), c.name


def test_the_old_labels_read_as_a_case():
    names = {c.name for c in CASES}
    old = {"nginx", "lapwise-wsgi-file_wrapper", "lapwise-app-static", "lapwise-asgi-pathsend",
           "lapwise-starlette-FileResponse", "lapwise-starlette-lapwise.FileResponse",
           "lapwise-starlette-FileResponse+pathsend", "uvicorn-starlette-FileResponse"}
    now = {current_ids(f"server/static-{o}", "e2e.static.download") for o in old}
    assert {f"{a.removeprefix('server/')}@{s.removeprefix('e2e.static.')}" for a, s in now} == names
