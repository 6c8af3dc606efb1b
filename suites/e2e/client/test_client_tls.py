"""TLS end to end (label e2e): every client against a local nginx over HTTPS whose certificate a
throwaway CA signed. Verification is on by default, so without the CA every https request must
come back as FetchError(kind="tls"); with Policy.ca_file, or with verify_tls=False, every one succeeds.
https and plain-http requests are interleaved so that the results prove input order and that
nothing is dropped. libcurl's clients (native, pycurl) must speak HTTP/2 (nginx offers h2 by
ALPN), the others HTTP/1.1; each ClientResponse's http_version must agree with nginx's access log,
which says which protocol each request really came over, and plain http is "1.1" everywhere.
"""

from __future__ import annotations

import itertools

import pytest

from lapwise._client import Client as NativeFanout

from suites.adapters.client.base import ClientResponse, FetchError, Policy, Request, http_version_of
from suites.adapters.pytest_params import adapter_params
from suites.e2e.client.fixtures import nginx_fixture, tls_nginx_fixture  # noqa: F401 - the fixtures

N_HTTPS = 12
BODY = b"Hello, World!"
CLIENTS = adapter_params("client")
# Adapters that apply verify_tls but not ca_file; their ca_file case is skipped with this reason.
IGNORES_CA_FILE: dict[str, str] = {}
# Known misclassifications (strict: the test fails once the adapter is fixed, to drop the entry).
TLS_ERROR_KIND_BUG: dict[str, str] = {}
_tags = itertools.count()
# The protocol each client negotiates with nginx over TLS: libcurl offers h2 by ALPN.
H2_CLIENTS = frozenset({"native", "pycurl"})


def _requests(tls, nginx, tag: str) -> tuple[list[Request], list[bool]]:
    """N_HTTPS https requests tagged ``tag``, each followed by a plain-http one (the control);
    returns the requests and, per request, whether it is https."""
    reqs, is_https = [], []
    for i in range(N_HTTPS):
        reqs.append(Request.get(tls.url(f"/plaintext?t={tag}&i={i}")))
        reqs.append(Request.get(f"{nginx.url}/plaintext?i={i}"))
        is_https += [True, False]
    return reqs, is_https


def _policy(**kw) -> Policy:
    # Loopback only: never through a proxy from the environment. No retries, so a wrong error
    # kind cannot hide behind a later attempt.
    return Policy(concurrency=8, retries=0, use_proxy=False, **kw)


def _assert_all_ok(reqs: list[Request], results: list) -> None:
    assert len(results) == len(reqs)
    for req, res in zip(reqs, results):
        assert isinstance(res, ClientResponse), (req.url, res)
        assert (res.status, res.body) == (200, BODY), (req.url, res)
        assert res.url == req.url  # input order: each result belongs to its own request


def _assert_versions(is_https: list[bool], results: list, logged: list[str], https: str) -> None:
    """Every https ClientResponse says ``https`` and, request for request, what nginx logged (the
    log is in completion order, so compared as multisets); every plain-http one says "1.1"."""
    over_tls = sorted(r.http_version for r, tls in zip(results, is_https) if tls)
    assert over_tls == sorted(http_version_of(p) for p in logged), (over_tls, logged)
    assert set(over_tls) == {https}, over_tls
    plain = {r.http_version for r, tls in zip(results, is_https) if not tls}
    assert plain == {"1.1"}, plain


def _assert_https_refused(reqs: list[Request], is_https: list[bool], results: list) -> None:
    assert len(results) == len(reqs)
    for req, https, res in zip(reqs, is_https, results):
        if https:
            assert isinstance(res, FetchError) and res.kind == "tls", (req.url, res)
            assert res.attempts == 1, res
        else:
            assert isinstance(res, ClientResponse) and (res.status, res.body) == (200, BODY), (req.url, res)
            assert res.url == req.url


def _fetch(cls, reqs: list[Request], policy: Policy) -> list:
    if cls.name == "native":  # the public API itself, not only its adapter
        return NativeFanout(policy).fetch_many(reqs)
    return cls().fetch_many(reqs, policy)


@pytest.mark.parametrize("cls", CLIENTS)
def test_ca_file_verifies(cls, tls_nginx, nginx):
    if cls.name in IGNORES_CA_FILE:
        pytest.skip(IGNORES_CA_FILE[cls.name])
    tag = f"ca-{cls.name}-{next(_tags)}"
    reqs, is_https = _requests(tls_nginx, nginx, tag)
    results = _fetch(cls, reqs, _policy(ca_file=tls_nginx.ca_file))
    _assert_all_ok(reqs, results)
    protocols = tls_nginx.protocols(tag)
    assert len(protocols) == N_HTTPS, protocols  # every https request reached the server once
    if cls.name in H2_CLIENTS:
        assert set(protocols) == {"HTTP/2.0"}, protocols
    _assert_versions(is_https, results, protocols, "2" if cls.name in H2_CLIENTS else "1.1")


@pytest.mark.parametrize("cls", CLIENTS)
def test_unknown_ca_is_a_tls_error(cls, tls_nginx, nginx, request):
    if cls.name in TLS_ERROR_KIND_BUG:
        request.applymarker(pytest.mark.xfail(reason=TLS_ERROR_KIND_BUG[cls.name], strict=True))
    tag = f"noca-{cls.name}-{next(_tags)}"
    reqs, is_https = _requests(tls_nginx, nginx, tag)
    results = _fetch(cls, reqs, _policy())
    _assert_https_refused(reqs, is_https, results)
    assert tls_nginx.protocols(tag) == []  # refused in the handshake: no request was sent
    assert {r.http_version for r in results if isinstance(r, ClientResponse)} == {"1.1"}


@pytest.mark.filterwarnings("ignore:Unverified HTTPS request")  # requests says it; it is the point
@pytest.mark.parametrize("cls", CLIENTS)
def test_verify_off_accepts(cls, tls_nginx, nginx):
    tag = f"off-{cls.name}-{next(_tags)}"
    reqs, is_https = _requests(tls_nginx, nginx, tag)
    results = _fetch(cls, reqs, _policy(verify_tls=False))
    _assert_all_ok(reqs, results)
    protocols = tls_nginx.protocols(tag)
    assert len(protocols) == N_HTTPS, protocols
    if cls.name in H2_CLIENTS:
        assert set(protocols) == {"HTTP/2.0"}, protocols
    _assert_versions(is_https, results, protocols, "2" if cls.name in H2_CLIENTS else "1.1")


def test_native_default_policy_verifies(tls_nginx):
    """lapwise.Client() with no policy at all verifies (the default is on)."""
    results = NativeFanout().fetch_many([Request.get(tls_nginx.url("/plaintext?t=default"))])
    assert len(results) == 1 and isinstance(results[0], FetchError) and results[0].kind == "tls", results
