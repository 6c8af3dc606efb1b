"""Hand-written router cases: every router adapter runs every case (test_router_cases.py).

A case adds ``routes`` in order, then checks each request's answer with ``==``. With ``error``
set, the last route must raise RouteError whose message contains ``error`` (the phrases are the
native core's; the Python routers use the same words), and the requests then check that the
failed add() changed nothing.

``needs``: the lapwise features (``suites.adapters.router.base``) the case exercises. A router without
one of them is expected to fail the case (strict xfail: if it passes, it should declare the
feature). ``differs``: adapter id -> why that peer answers differently by design; the test
asserts that it still does differ, so a difference that goes away is noticed and the entry is
removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from suites.adapters.router.base import (BACKTRACKING, INT, METHOD_405, PATH, PRIORITY,
                                         REJECTS_CONFLICTS, Match, NoMatch)

NF = NoMatch(404)


def NA(*allowed: str) -> NoMatch:  # noqa: N802 - reads like the constructor it stands for
    return NoMatch(405, allowed)


@dataclass(frozen=True)
class Case:
    id: str
    routes: tuple[tuple[str, str, int], ...]
    requests: tuple[tuple[str, str, Match | NoMatch], ...] = ()
    error: str | None = None
    needs: frozenset[str] = frozenset()
    differs: Mapping[str, str] = field(default_factory=dict)


_HEAD = "a GET route also answers HEAD"
_INT_TEXT = "{id:int} values come back converted to int and re-printed"
_ALLOWED_UNION = "the 405 lists the methods of every route whose pattern matches the path"

CASES: tuple[Case, ...] = (
    Case("root",
         routes=(("GET", "/", 1),),
         requests=(("GET", "/", Match(1)), ("GET", "", NF), ("GET", "/x", NF))),
    Case("static",
         routes=(("GET", "/users", 1), ("GET", "/users/new", 2), ("GET", "/user", 3)),
         requests=(("GET", "/users", Match(1)), ("GET", "/users/new", Match(2)),
                   ("GET", "/user", Match(3)), ("GET", "/use", NF), ("GET", "/usersx", NF),
                   ("GET", "/users/new/x", NF))),
    Case("params",
         routes=(("GET", "/users/{id}", 1), ("GET", "/repos/{owner}/{repo}/pulls", 2)),
         requests=(("GET", "/users/42", Match(1, {"id": "42"})),
                   ("GET", "/users/:id", Match(1, {"id": ":id"})),
                   ("GET", "/users/", NF), ("GET", "/users", NF), ("GET", "/users/42/", NF),
                   ("GET", "/repos/julien/router/pulls",
                    Match(2, {"owner": "julien", "repo": "router"})),
                   ("GET", "/repos/julien/router", NF))),
    Case("priority_static_over_param", needs=frozenset({PRIORITY}),
         routes=(("GET", "/users/{id}", 1), ("GET", "/users/new", 2)),
         requests=(("GET", "/users/new", Match(2)), ("GET", "/users/old", Match(1, {"id": "old"})))),
    Case("priority_param_over_catch_all", needs=frozenset({PRIORITY, PATH}),
         routes=(("GET", "/files/{rest:path}", 1), ("GET", "/files/{name}", 2)),
         requests=(("GET", "/files/a", Match(2, {"name": "a"})),
                   ("GET", "/files/a/b", Match(1, {"rest": "a/b"})))),
    Case("backtracking_to_param", needs=frozenset({BACKTRACKING}),
         routes=(("GET", "/a/b/c", 1), ("GET", "/a/{x}/d", 2)),
         requests=(("GET", "/a/b/c", Match(1)), ("GET", "/a/b/d", Match(2, {"x": "b"})),
                   ("GET", "/a/b/e", NF))),
    Case("backtracking_to_catch_all", needs=frozenset({BACKTRACKING, PATH}),
         routes=(("GET", "/a/b/c", 1), ("GET", "/a/{x}/c", 2), ("GET", "/a/{rest:path}", 3)),
         requests=(("GET", "/a/b/c", Match(1)), ("GET", "/a/z/c", Match(2, {"x": "z"})),
                   ("GET", "/a/b/x", Match(3, {"rest": "b/x"})),
                   ("GET", "/a/b/c/d", Match(3, {"rest": "b/c/d"})))),
    Case("int", needs=frozenset({INT}),
         routes=(("GET", "/u/{id:int}", 1),),
         requests=(("GET", "/u/42", Match(1, {"id": "42"})), ("GET", "/u/abc", NF),
                   ("GET", "/u/-1", NF), ("GET", "/u/4.2", NF), ("GET", "/u/+4", NF),
                   ("GET", "/u/", NF), ("GET", "/u/42/", NF))),
    Case("int_keeps_text", needs=frozenset({INT}),
         routes=(("GET", "/u/{id:int}", 1),),
         requests=(("GET", "/u/007", Match(1, {"id": "007"})),),
         differs={"router/starlette": _INT_TEXT, "router/werkzeug": _INT_TEXT}),
    Case("int_ascii_digits_only", needs=frozenset({INT}),
         routes=(("GET", "/u/{id:int}", 1),),
         requests=(("GET", "/u/\u0663", NF), ("GET", "/u/\u00b2", NF), ("GET", "/u/\uff11", NF)),
         differs={"router/werkzeug": "its int converter is \\d+, which takes any Unicode digit"}),
    Case("int_falls_back_to_catch_all", needs=frozenset({INT, PATH, BACKTRACKING}),
         routes=(("GET", "/u/{id:int}", 1), ("GET", "/u/{rest:path}", 2)),
         requests=(("GET", "/u/42", Match(1, {"id": "42"})),
                   ("GET", "/u/abc", Match(2, {"rest": "abc"})))),
    Case("catch_all", needs=frozenset({PATH}),
         routes=(("GET", "/static/css/app.css", 1), ("GET", "/static/{p:path}", 2)),
         requests=(("GET", "/static/css/app.css", Match(1)),
                   ("GET", "/static/css/x.css", Match(2, {"p": "css/x.css"})),
                   ("GET", "/static/a/b/c/", Match(2, {"p": "a/b/c/"})),
                   ("GET", "/stat", NF))),
    Case("catch_all_empty", needs=frozenset({PATH}),
         routes=(("GET", "/static/{p:path}", 1),),
         requests=(("GET", "/static/", Match(1, {"p": ""})), ("GET", "/static", NF),
                   ("GET", "/static//x", Match(1, {"p": "/x"}))),
         differs={"router/werkzeug": "its path converter needs one or more characters, "
                                     "not starting with '/'"}),
    Case("catch_all_at_root", needs=frozenset({PATH}),
         routes=(("GET", "/", 1), ("GET", "/{p:path}", 2)),
         requests=(("GET", "/", Match(1)), ("GET", "/x", Match(2, {"p": "x"})),
                   ("GET", "/x/y/", Match(2, {"p": "x/y/"})))),
    Case("method_405", needs=frozenset({METHOD_405}),
         routes=(("POST", "/items", 1), ("GET", "/items", 2), ("DELETE", "/items/{id}", 3)),
         requests=(("GET", "/items", Match(2)), ("POST", "/items", Match(1)),
                   ("PUT", "/items", NA("POST", "GET")), ("GET", "/items/1", NA("DELETE")),
                   ("GET", "/nothing", NF))),
    Case("method_picks_the_route_that_has_it", needs=frozenset({METHOD_405}),
         routes=(("GET", "/u/new", 1), ("POST", "/u/{id}", 2)),
         requests=(("GET", "/u/new", Match(1)), ("POST", "/u/new", Match(2, {"id": "new"})),
                   ("GET", "/u/7", NA("POST")))),
    Case("method_405_lists_the_best_route", needs=frozenset({METHOD_405, PRIORITY}),
         routes=(("GET", "/u/new", 1), ("POST", "/u/{id}", 2), ("PUT", "/u/{id}", 3)),
         requests=(("DELETE", "/u/new", NA("GET")), ("DELETE", "/u/7", NA("POST", "PUT"))),
         differs={"router/py-regex": _ALLOWED_UNION, "router/starlette": _ALLOWED_UNION,
                  "router/werkzeug": _ALLOWED_UNION}),
    Case("methods_are_case_sensitive", needs=frozenset({METHOD_405}),
         routes=(("GET", "/a", 1),),
         requests=(("get", "/a", NA("GET")),),
         differs={"router/werkzeug": "it upper-cases the request method"}),
    Case("head_is_not_get", needs=frozenset({METHOD_405}),
         routes=(("GET", "/a", 1),),
         requests=(("HEAD", "/a", NA("GET")),),
         differs={"router/starlette": _HEAD, "router/werkzeug": _HEAD}),
    Case("trailing_slash",
         routes=(("GET", "/users", 1), ("GET", "/posts/", 2)),
         requests=(("GET", "/users", Match(1)), ("GET", "/users/", NF),
                   ("GET", "/posts/", Match(2)), ("GET", "/posts", NF))),
    Case("percent_encoded_is_literal",
         routes=(("GET", "/a%20b", 1), ("GET", "/files/{name}", 2)),
         requests=(("GET", "/a%20b", Match(1)), ("GET", "/a b", NF),
                   ("GET", "/files/a%2Fb", Match(2, {"name": "a%2Fb"})),
                   ("GET", "/files/a/b", NF))),
    Case("non_ascii",
         routes=(("GET", "/caf\u00e9", 1), ("GET", "/users/{name}", 2)),
         requests=(("GET", "/caf\u00e9", Match(1)), ("GET", "/cafe", NF),
                   ("GET", "/users/zo\u00eb", Match(2, {"name": "zo\u00eb"})),
                   ("GET", "/users/\u65e5\u672c", Match(2, {"name": "\u65e5\u672c"})),
                   ("GET", "/users/\U0001f600", Match(2, {"name": "\U0001f600"})))),
    Case("lone_surrogate_is_text",
         routes=(("GET", "/users/{name}", 1),),
         requests=(("GET", "/users/\udcff", Match(1, {"name": "\udcff"})),)),
    Case("empty_segments",
         routes=(("GET", "/a/{x}/b", 1), ("GET", "/c//d", 2)),
         requests=(("GET", "/a//b", NF), ("GET", "/a/x/b", Match(1, {"x": "x"})),
                   ("GET", "/c//d", Match(2)), ("GET", "/c/d", NF))),
    Case("leading_double_slash",
         routes=(("GET", "/a", 1),),
         requests=(("GET", "//a", NF),),
         differs={"router/werkzeug": "it strips leading slashes from the path"}),
    Case("newline_is_a_byte",
         routes=(("GET", "/users", 1),),
         requests=(("GET", "/users\n", NF),),
         differs={"router/starlette": "its regexes end in '$', which matches before a final "
                                      "newline"}),
    Case("duplicate", needs=frozenset({REJECTS_CONFLICTS}),
         routes=(("GET", "/a", 1), ("POST", "/a", 2), ("GET", "/a", 3)),
         error='duplicate: "GET /a" vs existing "GET /a"',
         requests=(("GET", "/a", Match(1)), ("POST", "/a", Match(2)))),
    Case("conflict_param_names", needs=frozenset({REJECTS_CONFLICTS}),
         routes=(("GET", "/u/{id}", 1), ("GET", "/u/{name}", 2)),
         error='conflict: "GET /u/{name}" vs existing "GET /u/{id}"',
         requests=(("GET", "/u/7", Match(1, {"id": "7"})),)),
    Case("conflict_int_and_param_across_methods", needs=frozenset({REJECTS_CONFLICTS}),
         routes=(("GET", "/u/{id}", 1), ("POST", "/u/{id:int}", 2)),
         error='conflict: "POST /u/{id:int}" vs existing "GET /u/{id}"',
         requests=(("POST", "/u/7", NA("GET")),)),
    Case("conflict_catch_all_names", needs=frozenset({REJECTS_CONFLICTS}),
         routes=(("GET", "/s/{a:path}", 1), ("GET", "/s/{b:path}", 2)),
         error='conflict: "GET /s/{b:path}" vs existing "GET /s/{a:path}"'),
    Case("syntax_no_leading_slash", routes=(("GET", "users", 1),), error="starts with '/'"),
    Case("syntax_partial_segment", routes=(("GET", "/a{id}", 1),),
         error="must fill a whole segment"),
    Case("syntax_suffix_after_param", routes=(("GET", "/{id}.json", 1),),
         error="must fill a whole segment"),
    Case("syntax_unknown_converter", routes=(("GET", "/u/{id:uuid}", 1),),
         error="unknown converter"),
    Case("syntax_unbalanced", routes=(("GET", "/u/{id", 1),), error="unbalanced '{'"),
    Case("syntax_catch_all_not_last", routes=(("GET", "/s/{p:path}/x", 1),),
         error="must be the last part"),
    Case("syntax_name_used_twice", routes=(("GET", "/a/{x}/{x}", 1),), error="used twice"),
    Case("syntax_too_many_params",
         routes=(("GET", "".join(f"/{{p{i}}}" for i in range(17)), 1),),
         error="too many parameters"),
    Case("syntax_method_not_a_token", routes=(("GE T", "/a", 1),), error="not an HTTP token"),
)
