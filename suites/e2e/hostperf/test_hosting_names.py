"""One name per server across the harness: the hosting conformance suite, the hosting
benchmark, the peer CPU table, the hosted lap family and the differences table all call a
server by its adapter's name (``server/<name>`` in the registry and in result files)."""

from __future__ import annotations

from suites.adapters import registry
from suites.conformance import hosting_differences, hosting_hosts
from suites.e2e.hostperf import hosting_servers


def test_both_server_tables_use_the_adapter_names():
    for table in (hosting_hosts.SERVERS, hosting_servers.SERVERS):
        assert {name: cls.name for name, cls in table.items()} == {name: name for name in table}


def test_the_same_server_has_the_same_name_in_both_tables():
    conformance = {cls: name for name, cls in hosting_hosts.SERVERS.items()}
    bench = {cls: name for name, cls in hosting_servers.SERVERS.items()}
    shared = conformance.keys() & bench.keys()
    assert shared, "the two tables share no server"
    assert {conformance[c] for c in shared} == {bench[c] for c in shared}
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
