"""One name per server and per app across the harness: the hosting conformance suite, the
hosting benchmark, the peer CPU table, the hosted lap family and the differences table all call
a server by its adapter's name (``server/<name>`` in the registry and in result files), and the
hosting suite's apps by one name (``starlette-app``), which a benchmark workload on one of them
extends with its route (``starlette-app-json``)."""

from __future__ import annotations

from suites.adapters import registry
from suites.conformance import hosting_differences, hosting_hosts
from suites.e2e.hostperf import hosted_apps, hosting_servers


def test_both_server_tables_use_the_adapter_names():
    for table in (hosting_hosts.SERVERS, hosting_servers.SERVERS):
        assert {name: cls.name for name, cls in table.items()} == {name: name for name in table}


def test_the_same_server_has_the_same_name_in_both_tables():
    conformance = {cls: name for name, cls in hosting_hosts.SERVERS.items()}
    bench = {cls: name for name, cls in hosting_servers.SERVERS.items()}
    shared = conformance.keys() & bench.keys()
    assert shared, "the two tables share no server"
    assert all(conformance[c] == bench[c] for c in shared)


def test_every_hosting_server_is_a_registry_adapter():
    ids = {e.adapter_id for e in registry.entries("server", "")}
    names = hosting_hosts.SERVERS.keys() | hosting_servers.SERVERS.keys()
    assert {f"server/{n}" for n in names} <= ids


def test_the_differences_and_the_lap_family_name_known_servers():
    from suites.laps import hosted_family

    known = hosting_hosts.SERVERS.keys()
    peers = {*hosting_differences.ASGI_PEERS, *hosting_differences.WSGI_PEERS, *hosting_differences.H11_BASED}
    assert peers <= known
    assert {server for _, server, _ in hosting_differences.DIFFERENCES} <= known
    assert set(hosted_family.HOSTS) <= hosting_servers.SERVERS.keys()


def test_a_workload_on_a_hosting_suite_app_is_named_after_the_app():
    by_spec = {spec: name for name, spec in hosting_hosts.APPS.items()}
    on_suite_apps = {w.name: by_spec[w.app] for w in hosted_apps.APPS.values() if w.app in by_spec}
    assert set(on_suite_apps.values()) == set(hosting_hosts.APPS)  # every suite app is timed
    for workload, app in on_suite_apps.items():
        assert workload.startswith(f"{app}-"), (workload, app)
    # and no other workload takes a suite app's name as its prefix
    others = [w for w in hosted_apps.APPS if w not in on_suite_apps]
    assert not [w for w in others for app in hosting_hosts.APPS if w.startswith(f"{app}-")]
