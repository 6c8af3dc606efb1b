// Lookup and insert-error tables, run against both routers (typed test): they share one
// contract (router.h), so every row must hold for each.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lapwise/router/linear_router.h"
#include "lapwise/router/radix_router.h"

namespace lapwise::router {
namespace {

using namespace std::string_view_literals;

struct route {
  std::string_view method;
  std::string_view pattern;
  std::uint32_t value;
};

using params = std::vector<std::pair<std::string_view, std::string_view>>;

struct lookup_case {
  const char* name;
  std::vector<route> routes;
  std::string_view method;
  std::string_view path;
  status expect;
  std::uint32_t value = 0;        // when found
  params expect_params = {};      // when found
  std::string_view allowed = {};  // when method_not_allowed
};

const std::vector<lookup_case>& lookup_cases() {
  static const std::vector<lookup_case> cases = {
      // Priority: static > param > catch-all, with backtracking.
      {"static beats param",
       {{"GET", "/u/new", 1}, {"GET", "/u/{id}", 2}},
       "GET",
       "/u/new",
       status::found,
       1},
      {"param when static differs",
       {{"GET", "/u/new", 1}, {"GET", "/u/{id}", 2}},
       "GET",
       "/u/bob",
       status::found,
       2,
       {{"id", "bob"}}},
      {"static prefix but longer segment",
       {{"GET", "/u/new", 1}, {"GET", "/u/{id}", 2}},
       "GET",
       "/u/newer",
       status::found,
       2,
       {{"id", "newer"}}},
      {"static prefix of segment",
       {{"GET", "/u/new", 1}, {"GET", "/u/{id}", 2}},
       "GET",
       "/u/ne",
       status::found,
       2,
       {{"id", "ne"}}},
      {"backtrack from static to param",
       {{"GET", "/a/b/c", 1}, {"GET", "/a/{x}/d", 2}},
       "GET",
       "/a/b/d",
       status::found,
       2,
       {{"x", "b"}}},
      {"backtrack from static to catch-all",
       {{"GET", "/a/b/c", 1}, {"GET", "/a/{x:path}", 2}},
       "GET",
       "/a/b/z",
       status::found,
       2,
       {{"x", "b/z"}}},
      {"backtrack from param to catch-all",
       {{"GET", "/a/{x}/c", 1}, {"GET", "/a/{rest:path}", 2}},
       "GET",
       "/a/q/d",
       status::found,
       2,
       {{"rest", "q/d"}}},
      {"param before catch-all",
       {{"GET", "/a/{x}/c", 1}, {"GET", "/a/{rest:path}", 2}},
       "GET",
       "/a/q/c",
       status::found,
       1,
       {{"x", "q"}}},
      {"backtrack two levels",
       {{"GET", "/{a}/{b}/c", 1}, {"GET", "/x/y/{z}", 2}, {"GET", "/x/{q}/d", 3}},
       "GET",
       "/x/w/c",
       status::found,
       1,
       {{"a", "x"}, {"b", "w"}}},
      {"deepest static wins",
       {{"GET", "/{a}/{b}/c", 1}, {"GET", "/x/y/{z}", 2}, {"GET", "/x/{q}/d", 3}},
       "GET",
       "/x/y/c",
       status::found,
       2,
       {{"z", "c"}}},
      {"split edge",
       {{"GET", "/users", 1}, {"GET", "/user/{id}", 2}, {"GET", "/use", 3}},
       "GET",
       "/user/5",
       status::found,
       2,
       {{"id", "5"}}},
      {"split edge, shorter static",
       {{"GET", "/users", 1}, {"GET", "/user/{id}", 2}},
       "GET",
       "/use",
       status::not_found},
      {"root", {{"GET", "/", 1}, {"GET", "/{x}", 2}}, "GET", "/", status::found, 1},
      {"root param",
       {{"GET", "/", 1}, {"GET", "/{x}", 2}},
       "GET",
       "/a",
       status::found,
       2,
       {{"x", "a"}}},
      // Methods: the route registered for the method wins, even at lower priority.
      {"method-aware backtracking",
       {{"GET", "/u/new", 1}, {"POST", "/u/{id}", 2}},
       "POST",
       "/u/new",
       status::found,
       2,
       {{"id", "new"}}},
      {"405 names the highest-priority path match",
       {{"GET", "/u/new", 1}, {"POST", "/u/{id}", 2}},
       "PUT",
       "/u/new",
       status::method_not_allowed,
       0,
       {},
       "GET"},
      {"405 lists methods in insertion order",
       {{"GET", "/a", 1}, {"POST", "/a", 2}, {"DELETE", "/a", 3}},
       "PUT",
       "/a",
       status::method_not_allowed,
       0,
       {},
       "GET, POST, DELETE"},
      {"405 on a parameter route",
       {{"GET", "/u/{id}", 1}, {"PATCH", "/u/{id}", 2}},
       "PUT",
       "/u/7",
       status::method_not_allowed,
       0,
       {},
       "GET, PATCH"},
      {"405 on a catch-all",
       {{"GET", "/s/{p:path}", 1}},
       "POST",
       "/s/a/b",
       status::method_not_allowed,
       0,
       {},
       "GET"},
      {"method per pattern", {{"GET", "/a", 1}, {"POST", "/a", 2}}, "POST", "/a", status::found, 2},
      {"HEAD is not GET",
       {{"GET", "/a", 1}},
       "HEAD",
       "/a",
       status::method_not_allowed,
       0,
       {},
       "GET"},
      {"long methods are compared in full",
       {{"PROPFIND", "/a", 1}, {"GET", "/a", 2}},
       "MKCALENDAR",
       "/a",
       status::method_not_allowed,
       0,
       {},
       "PROPFIND, GET"},
      {"long method found",
       {{"PROPFIND", "/a", 1}, {"MKCALENDAR", "/a", 2}},
       "MKCALENDAR",
       "/a",
       status::found,
       2},
      {"a method is not its prefix",
       {{"GETX", "/a", 1}},
       "GET",
       "/a",
       status::method_not_allowed,
       0,
       {},
       "GETX"},
      {"NUL in a method",
       {{"GET", "/a", 1}},
       "GET\0"sv,
       "/a",
       status::method_not_allowed,
       0,
       {},
       "GET"},
      {"methods are case-sensitive",
       {{"GET", "/a", 1}},
       "get",
       "/a",
       status::method_not_allowed,
       0,
       {},
       "GET"},
      {"404 beats nothing", {{"GET", "/a", 1}}, "GET", "/b", status::not_found},
      {"empty table", {}, "GET", "/", status::not_found},
      // Parameters.
      {"several params",
       {{"GET", "/repos/{owner}/{repo}/issues/{number:int}", 1}},
       "GET",
       "/repos/octocat/hello/issues/42",
       status::found,
       1,
       {{"owner", "octocat"}, {"repo", "hello"}, {"number", "42"}}},
      {"param is one segment", {{"GET", "/u/{id}", 1}}, "GET", "/u/a/b", status::not_found},
      {"int digits",
       {{"GET", "/n/{id:int}", 1}},
       "GET",
       "/n/123",
       status::found,
       1,
       {{"id", "123"}}},
      {"int leading zeros and any length",
       {{"GET", "/n/{id:int}", 1}},
       "GET",
       "/n/000123456789012345678901234567890",
       status::found,
       1,
       {{"id", "000123456789012345678901234567890"}}},
      {"int rejects letters", {{"GET", "/n/{id:int}", 1}}, "GET", "/n/12a", status::not_found},
      {"int rejects sign", {{"GET", "/n/{id:int}", 1}}, "GET", "/n/-1", status::not_found},
      {"int rejects empty", {{"GET", "/n/{id:int}", 1}}, "GET", "/n/", status::not_found},
      {"int rejects non-ASCII digits",
       {{"GET", "/n/{id:int}", 1}},
       "GET",
       "/n/\xd9\xa3",
       status::not_found},
      {"int falls back to catch-all",
       {{"GET", "/n/{id:int}", 1}, {"GET", "/n/{rest:path}", 2}},
       "GET",
       "/n/abc",
       status::found,
       2,
       {{"rest", "abc"}}},
      {"static beats int",
       {{"GET", "/n/{id:int}", 1}, {"GET", "/n/42", 2}},
       "GET",
       "/n/42",
       status::found,
       2},
      // Catch-all.
      {"catch-all may be empty",
       {{"GET", "/static/{p:path}", 1}},
       "GET",
       "/static/",
       status::found,
       1,
       {{"p", ""}}},
      {"catch-all needs its slash",
       {{"GET", "/static/{p:path}", 1}},
       "GET",
       "/static",
       status::not_found},
      {"catch-all spans segments",
       {{"GET", "/static/{p:path}", 1}},
       "GET",
       "/static/a/b.css",
       status::found,
       1,
       {{"p", "a/b.css"}}},
      {"catch-all keeps empty segments",
       {{"GET", "/static/{p:path}", 1}},
       "GET",
       "/static//x/",
       status::found,
       1,
       {{"p", "/x/"}}},
      {"nested catch-all",
       {{"GET", "/s/{a}/files/{p:path}", 1}},
       "GET",
       "/s/x/files/a/b",
       status::found,
       1,
       {{"a", "x"}, {"p", "a/b"}}},
      {"root catch-all", {{"GET", "/{p:path}", 1}}, "GET", "/", status::found, 1, {{"p", ""}}},
      {"static end beats empty catch-all",
       {{"GET", "/s/", 1}, {"GET", "/s/{p:path}", 2}},
       "GET",
       "/s/",
       status::found,
       1},
      {"catch-all after static end",
       {{"GET", "/s/", 1}, {"GET", "/s/{p:path}", 2}},
       "GET",
       "/s/x",
       status::found,
       2,
       {{"p", "x"}}},
      // Trailing slashes and empty segments are significant.
      {"no trailing slash redirect", {{"GET", "/users", 1}}, "GET", "/users/", status::not_found},
      {"trailing slash route", {{"GET", "/users/", 1}}, "GET", "/users", status::not_found},
      {"param then trailing slash", {{"GET", "/u/{id}", 1}}, "GET", "/u/5/", status::not_found},
      {"empty segment is not a param", {{"GET", "/a/{x}/b", 1}}, "GET", "/a//b", status::not_found},
      {"empty segment as literal", {{"GET", "/a//b", 1}}, "GET", "/a//b", status::found, 1},
      // Bytes are bytes: no percent-decoding, UTF-8 is opaque, NUL is a byte.
      {"percent-encoded slash stays in the segment",
       {{"GET", "/files/{name}", 1}},
       "GET",
       "/files/a%2Fb",
       status::found,
       1,
       {{"name", "a%2Fb"}}},
      {"encoded route does not match decoded path",
       {{"GET", "/caf%C3%A9", 1}},
       "GET",
       "/caf\xc3\xa9",
       status::not_found},
      {"encoded route matches itself",
       {{"GET", "/caf%C3%A9", 1}},
       "GET",
       "/caf%C3%A9",
       status::found,
       1},
      {"UTF-8 param value",
       {{"GET", "/wiki/{title}", 1}},
       "GET",
       "/wiki/Stra\xc3\x9f"
       "e",
       status::found,
       1,
       {{"title",
         "Stra\xc3\x9f"
         "e"}}},
      {"UTF-8 static route",
       {{"GET",
         "/\xc3\xbcnic\xc3\xb6"
         "de",
         1},
        {"GET", "/{x}", 2}},
       "GET",
       "/\xc3\xbcnic\xc3\xb6"
       "de",
       status::found,
       1},
      {"UTF-8 shared lead byte",
       {{"GET", "/\xc3\xbc", 1}, {"GET", "/\xc3\xb6", 2}},
       "GET",
       "/\xc3\xb6",
       status::found,
       2},
      {"NUL byte in a value",
       {{"GET", "/f/{x}", 1}},
       "GET",
       "/f/a\0b"sv,
       status::found,
       1,
       {{"x", "a\0b"sv}}},
      {"colon and star are literal",
       {{"GET", "/a/:id", 1}, {"GET", "/b/*", 2}},
       "GET",
       "/b/*",
       status::found,
       2},
      // Odd requests.
      {"empty path", {{"GET", "/", 1}}, "GET", "", status::not_found},
      {"no leading slash", {{"GET", "/u/{id}", 1}}, "GET", "u/1", status::not_found},
      {"path longer than any pattern", {{"GET", "/a", 1}}, "GET", "/ab", status::not_found},
  };
  return cases;
}

struct error_case {
  const char* name;
  std::vector<route> existing;
  route added;
  insert_error_code code;
  std::string_view message;  // exact
};

const std::vector<error_case>& error_cases() {
  static const std::vector<error_case> cases = {
      {"conflicting names",
       {{"GET", "/u/{id}", 1}},
       {"GET", "/u/{name}", 2},
       insert_error_code::conflict,
       R"(conflict: "GET /u/{name}" vs existing "GET /u/{id}": parameter {name} at position 3 conflicts with {id})"},
      {"conflict across methods",
       {{"GET", "/u/{id}", 1}},
       {"POST", "/u/{name}/x", 2},
       insert_error_code::conflict,
       R"(conflict: "POST /u/{name}/x" vs existing "GET /u/{id}": parameter {name} at position 3 conflicts with {id})"},
      {"conflicting converter",
       {{"GET", "/u/{id}", 1}},
       {"GET", "/u/{id:int}", 2},
       insert_error_code::conflict,
       R"(conflict: "GET /u/{id:int}" vs existing "GET /u/{id}": parameter {id:int} at position 3 conflicts with {id})"},
      {"conflicting catch-alls",
       {{"GET", "/s/{a:path}", 1}},
       {"PUT", "/s/{b:path}", 2},
       insert_error_code::conflict,
       R"(conflict: "PUT /s/{b:path}" vs existing "GET /s/{a:path}": parameter {b:path} at position 3 conflicts with {a:path})"},
      {"conflict names the first route there",
       {{"GET", "/u/{id}/x", 1}, {"POST", "/u/{id}/y", 2}},
       {"GET", "/u/{uid}/z", 3},
       insert_error_code::conflict,
       R"(conflict: "GET /u/{uid}/z" vs existing "GET /u/{id}/x": parameter {uid} at position 3 conflicts with {id})"},
      {"deeper conflict",
       {{"GET", "/a", 1}, {"GET", "/a/{x}/b/{y}", 2}},
       {"GET", "/a/{x}/b/{z}/c", 3},
       insert_error_code::conflict,
       R"(conflict: "GET /a/{x}/b/{z}/c" vs existing "GET /a/{x}/b/{y}": parameter {z} at position 9 conflicts with {y})"},
      {"different names only",
       {{"GET", "/{a}/{b}", 1}},
       {"GET", "/{a}/{c}", 2},
       insert_error_code::conflict,
       R"(conflict: "GET /{a}/{c}" vs existing "GET /{a}/{b}": parameter {c} at position 5 conflicts with {b})"},
      {"duplicate static",
       {{"GET", "/a", 1}},
       {"GET", "/a", 2},
       insert_error_code::duplicate,
       R"(duplicate: "GET /a" vs existing "GET /a" (value 1))"},
      {"duplicate param route",
       {{"POST", "/u/{id}", 1}, {"GET", "/u/{id}", 7}},
       {"GET", "/u/{id}", 2},
       insert_error_code::duplicate,
       R"(duplicate: "GET /u/{id}" vs existing "GET /u/{id}" (value 7))"},
      {"duplicate catch-all",
       {{"GET", "/s/{p:path}", 4}},
       {"GET", "/s/{p:path}", 2},
       insert_error_code::duplicate,
       R"(duplicate: "GET /s/{p:path}" vs existing "GET /s/{p:path}" (value 4))"},
      {"unbalanced open",
       {},
       {"GET", "/u/{id", 1},
       insert_error_code::syntax,
       R"(syntax: "GET /u/{id": unbalanced '{' at position 3)"},
      {"brace across segments",
       {},
       {"GET", "/u/{a/b}", 1},
       insert_error_code::syntax,
       R"(syntax: "GET /u/{a/b}": unbalanced '{' at position 3)"},
      {"nested brace",
       {},
       {"GET", "/u/{{a}}", 1},
       insert_error_code::syntax,
       R"(syntax: "GET /u/{{a}}": unbalanced '{' at position 3)"},
      {"unbalanced close",
       {},
       {"GET", "/u/id}", 1},
       insert_error_code::syntax,
       R"(syntax: "GET /u/id}": unbalanced '}' at position 5)"},
      {"empty name",
       {},
       {"GET", "/u/{}", 1},
       insert_error_code::syntax,
       R"(syntax: "GET /u/{}": empty parameter name at position 3)"},
      {"empty name with converter",
       {},
       {"GET", "/u/{:int}", 1},
       insert_error_code::syntax,
       R"(syntax: "GET /u/{:int}": empty parameter name at position 3)"},
      {"unknown converter",
       {},
       {"GET", "/u/{id:float}", 1},
       insert_error_code::syntax,
       R"(syntax: "GET /u/{id:float}": unknown converter "float" at position 3 (use {name}, {name:int} or {name:path}))"},
      {"str is not a converter here",
       {},
       {"GET", "/u/{id:str}", 1},
       insert_error_code::syntax,
       R"(syntax: "GET /u/{id:str}": unknown converter "str" at position 3 (use {name}, {name:int} or {name:path}))"},
      {"invalid name",
       {},
       {"GET", "/u/{1d}", 1},
       insert_error_code::syntax,
       R"(syntax: "GET /u/{1d}": invalid parameter name "1d" at position 3 (letters, digits and '_', not starting with a digit))"},
      {"catch-all not last",
       {},
       {"GET", "/s/{p:path}/x", 1},
       insert_error_code::syntax,
       R"(syntax: "GET /s/{p:path}/x": catch-all {p:path} at position 3 must be the last part)"},
      {"param inside a segment",
       {},
       {"GET", "/u/a{id}", 1},
       insert_error_code::syntax,
       R"(syntax: "GET /u/a{id}": parameter {id} at position 4 must fill a whole segment)"},
      {"param with a suffix",
       {},
       {"GET", "/u/{id}.json", 1},
       insert_error_code::syntax,
       R"(syntax: "GET /u/{id}.json": parameter {id} at position 3 must fill a whole segment)"},
      {"repeated name",
       {},
       {"GET", "/{a}/x/{a}", 1},
       insert_error_code::syntax,
       R"(syntax: "GET /{a}/x/{a}": parameter name "a" used twice)"},
      {"no leading slash",
       {},
       {"GET", "u/{id}", 1},
       insert_error_code::syntax,
       R"(syntax: "GET u/{id}": a pattern starts with '/')"},
      {"empty pattern",
       {},
       {"GET", "", 1},
       insert_error_code::syntax,
       R"(syntax: "GET ": a pattern starts with '/')"},
      {"empty method",
       {},
       {"", "/a", 1},
       insert_error_code::syntax,
       R"(syntax: " /a": empty method)"},
      {"method with a space",
       {},
       {"GE T", "/a", 1},
       insert_error_code::syntax,
       R"(syntax: "GE T /a": method is not an HTTP token)"},
      {"method too long",
       {},
       {"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG", "/a", 1},
       insert_error_code::too_long,
       "too long: method of 33 bytes (max 32)"},
  };
  return cases;
}

std::string describe(const match_result& r) {
  std::string s;
  if (r.kind == status::found) {
    s.append("found ").append(std::to_string(r.value));
  } else if (r.kind == status::not_found) {
    s.append("404");
  } else {
    s.append("405 [").append(r.allowed).append("]");
  }
  for (std::size_t i = 0; i < r.param_count; ++i) {
    s.append(" ").append(r.params[i].name).append("=").append(r.params[i].value);
  }
  return s;
}

template <class Router>
class RouterTest : public ::testing::Test {};

using Routers = ::testing::Types<radix_router, linear_router>;
TYPED_TEST_SUITE(RouterTest, Routers);

// Runs one row with `prefix` in front of every pattern and of the path: the answer must not
// change (a long prefix moves the lookup off the padded-copy fast path, see radix_router.cc).
template <class Router>
void run_lookup(const lookup_case& c, const std::string& prefix) {
  std::string trace = c.name;
  if (!prefix.empty()) trace.append(" (long prefix)");
  SCOPED_TRACE(trace);
  Router router;
  std::vector<std::string> patterns;
  for (const route& r : c.routes) {
    patterns.push_back(prefix + std::string(r.pattern));
    auto err = router.add(r.method, patterns.back(), r.value);
    ASSERT_FALSE(err) << err->message;
  }
  EXPECT_EQ(router.size(), c.routes.size());
  const std::string path = prefix + std::string(c.path);
  match_result m = router.match(c.method, path);
  match_result want;
  want.kind = c.expect;
  want.value = c.value;
  want.allowed = c.allowed;
  want.param_count = c.expect_params.size();
  for (std::size_t i = 0; i < c.expect_params.size(); ++i) {
    want.params[i] = {c.expect_params[i].first, c.expect_params[i].second};
  }
  EXPECT_EQ(describe(m), describe(want));
  // Parameter values are views into the request path, not copies.
  for (std::size_t i = 0; i < m.param_count; ++i) {
    const char* v = m.params[i].value.data();
    EXPECT_TRUE(v >= path.data() && v + m.params[i].value.size() <= path.data() + path.size());
  }
  // match_into() into a used result gives the same answer.
  match_result reused = router.match("GET", "/some/other/path");
  reused.param_count = max_params;
  router.match_into(c.method, path, reused);
  EXPECT_EQ(describe(reused), describe(m));
}

TYPED_TEST(RouterTest, Lookups) {
  std::string long_prefix(301, 'p');
  long_prefix[0] = '/';
  for (const lookup_case& c : lookup_cases()) {
    run_lookup<TypeParam>(c, "");
    run_lookup<TypeParam>(c, long_prefix);
  }
}

TYPED_TEST(RouterTest, InsertErrors) {
  for (const error_case& c : error_cases()) {
    SCOPED_TRACE(c.name);
    TypeParam router;
    for (const route& r : c.existing) {
      auto err = router.add(r.method, r.pattern, r.value);
      ASSERT_FALSE(err) << err->message;
    }
    auto err = router.add(c.added.method, c.added.pattern, c.added.value);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code, c.code);
    EXPECT_EQ(err->message, c.message);
    // On error nothing changes.
    EXPECT_EQ(router.size(), c.existing.size());
    for (const route& r : c.existing) {
      match_result m = router.match(r.method, r.pattern);
      EXPECT_TRUE(m.found() && m.value == r.value) << r.pattern << ": " << describe(m);
    }
  }
}

TYPED_TEST(RouterTest, FailedAddLeavesNoTrace) {
  TypeParam router;
  ASSERT_FALSE(router.add("GET", "/u/{id}", 1));
  ASSERT_TRUE(router.add("GET", "/u/{name}/posts", 2));  // conflict
  ASSERT_TRUE(router.add("GET", "/v/x/{a}/{a}", 3));     // syntax, after a valid prefix
  EXPECT_EQ(router.size(), 1u);
  EXPECT_EQ(router.match("GET", "/u/5/posts").kind, status::not_found);
  EXPECT_EQ(router.match("GET", "/v/x/1/2").kind, status::not_found);
  EXPECT_EQ(router.match("GET", "/u/5").value, 1u);
}

TYPED_TEST(RouterTest, ParamAndCatchAllMayShareAPosition) {
  TypeParam router;
  EXPECT_FALSE(router.add("GET", "/a/{id}", 1));
  EXPECT_FALSE(router.add("GET", "/a/{rest:path}", 2));
  EXPECT_FALSE(router.add("GET", "/b/{id:int}", 3));
  EXPECT_FALSE(router.add("GET", "/b/{rest:path}", 4));
  EXPECT_FALSE(router.add("GET", "/b/new", 5));
  EXPECT_EQ(router.size(), 5u);
}

TYPED_TEST(RouterTest, Limits) {
  TypeParam router;
  std::string pattern, path;
  for (std::size_t i = 0; i < max_params; ++i) {
    pattern += "/{p" + std::to_string(i) + "}";
    path += "/v" + std::to_string(i);
  }
  ASSERT_FALSE(router.add("GET", pattern, 1));
  match_result m = router.match("GET", path);
  ASSERT_TRUE(m.found());
  ASSERT_EQ(m.param_count, max_params);
  EXPECT_EQ(m.params[max_params - 1].name, "p" + std::to_string(max_params - 1));
  EXPECT_EQ(m.params[max_params - 1].value, "v" + std::to_string(max_params - 1));

  auto err = router.add("GET", "/x" + pattern + "/{one_more}", 2);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, insert_error_code::too_many_params);
  EXPECT_NE(err->message.find("has 17 (max 16)"), std::string::npos) << err->message;

  std::string longest = "/" + std::string(max_pattern_length - 1, 'a');
  EXPECT_FALSE(router.add("GET", longest, 3));
  EXPECT_EQ(router.match("GET", longest).value, 3u);
  err = router.add("GET", longest + "b", 4);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, insert_error_code::too_long);
  EXPECT_EQ(err->message, "too long: pattern of 4097 bytes (max 4096)");

  // Long requests are fine: no limit applies to paths, values are views.
  ASSERT_FALSE(router.add("GET", "/files/{p:path}", 5));
  std::string huge = "/files/" + std::string(1 << 20, 'x');
  m = router.match("GET", huge);
  ASSERT_TRUE(m.found());
  EXPECT_EQ(m.params[0].value.size(), std::size_t{1} << 20);
  EXPECT_EQ(router.match("GET", std::string(1 << 20, '/')).kind, status::not_found);
}

TYPED_TEST(RouterTest, ManyBacktrackingLevels) {
  // Each level offers a static branch that fails late and a parameter that succeeds.
  TypeParam router;
  std::string deep, path;
  for (int i = 0; i < 200; ++i) {
    std::string prefix = deep;
    deep += "/s";
    path += "/s";
    ASSERT_FALSE(router.add("GET", prefix + "/{p}/end" + std::to_string(i), i)) << i;
  }
  match_result m = router.match("GET", "/s/s/s/x/end3");
  ASSERT_TRUE(m.found());
  EXPECT_EQ(m.value, 3u);
  EXPECT_EQ(router.match("GET", path + "/end0").kind, status::not_found);
}

TYPED_TEST(RouterTest, MoveKeepsRoutes) {
  TypeParam a;
  ASSERT_FALSE(a.add("GET", "/u/{id}", 9));
  TypeParam b(std::move(a));
  EXPECT_EQ(b.match("GET", "/u/1").value, 9u);
  EXPECT_EQ(a.match("GET", "/u/1").kind, status::not_found);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(a.size(), 0u);
  EXPECT_FALSE(a.add("GET", "/again", 1));  // a moved-from router is reusable
  EXPECT_EQ(a.match("GET", "/again").value, 1u);
  a = std::move(b);
  EXPECT_EQ(a.match("GET", "/u/2").value, 9u);
}

}  // namespace
}  // namespace lapwise::router
