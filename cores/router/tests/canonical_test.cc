// to_canonical(): the three syntaxes and their errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lapwise/router/router.h"

namespace lapwise::router {
namespace {

struct canonical_case {
  syntax from;
  std::string_view input;
  std::string_view output;  // empty: an error whose message contains `error_part`
  std::string_view error_part = {};
};

const std::vector<canonical_case>& cases() {
  static const std::vector<canonical_case> c = {
      {syntax::httprouter, "/authorizations/:id", "/authorizations/{id}"},
      {syntax::httprouter, "/applications/:client_id/tokens/:access_token",
       "/applications/{client_id}/tokens/{access_token}"},
      {syntax::httprouter, "/static/*filepath", "/static/{filepath:path}"},
      {syntax::httprouter, "/static/*", "/static/{wildcard:path}"},
      {syntax::httprouter, "/*", "/{wildcard:path}"},
      {syntax::httprouter, "/", "/"},
      {syntax::httprouter, "/user_list", "/user_list"},
      {syntax::httprouter, "/user_:name", "", "wildcard ':' at position 6 must start a segment"},
      {syntax::httprouter, "/src/*filepath/x", "", "catch-all at position 5 must be the last part"},
      {syntax::httprouter, "/a/:/b", "", "empty parameter name at position 3"},
      {syntax::httprouter, "/a/{x}", "", "literal '{' at position 3 cannot be expressed"},
      {syntax::httprouter, "/a/:1x", "", "invalid parameter name \"1x\""},
      {syntax::httprouter, "/a/:x/:x", "", "parameter name \"x\" used twice"},
      {syntax::httprouter, "a/:x", "", "a pattern starts with '/'"},
      {syntax::werkzeug, "/users/<id>", "/users/{id}"},
      {syntax::werkzeug, "/users/<string:name>", "/users/{name}"},
      {syntax::werkzeug, "/users/<default:name>", "/users/{name}"},
      {syntax::werkzeug, "/posts/<int:post_id>/edit", "/posts/{post_id:int}/edit"},
      {syntax::werkzeug, "/files/<path:p>", "/files/{p:path}"},
      {syntax::werkzeug, "/", "/"},
      {syntax::werkzeug, "/x/<float:v>", "", "unsupported converter \"float\" at position 3"},
      {syntax::werkzeug, "/x/<uuid:v>", "", "unsupported converter \"uuid\""},
      {syntax::werkzeug, "/x/<string(length=2):v>", "",
       "unsupported converter \"string(length=2)\""},
      {syntax::werkzeug, "/page<int:n>", "",
       "variable \"int:n\" at position 5 must fill a whole segment"},
      {syntax::werkzeug, "/<path:p>/edit", "",
       "catch-all {p:path} at position 1 must be the last part"},
      {syntax::werkzeug, "/x/<v", "", "unbalanced '<' at position 3"},
      {syntax::werkzeug, "/x/v>", "", "unbalanced '>' at position 4"},
      {syntax::werkzeug, "/x/<>", "", "empty parameter name"},
      {syntax::werkzeug, "/x/{v}", "", "literal '{' at position 3"},
      {syntax::canonical, "/u/{id}/{n:int}/{rest:path}", "/u/{id}/{n:int}/{rest:path}"},
      {syntax::canonical, "/a/:id", "/a/:id"},  // ':' is literal in canonical syntax
      {syntax::canonical, "/u/{id", "", "unbalanced '{' at position 3"},
      {syntax::canonical, "/u/{id:uuid}", "", "unknown converter \"uuid\""},
  };
  return c;
}

TEST(ToCanonical, Table) {
  for (const canonical_case& c : cases()) {
    SCOPED_TRACE(std::string(c.input));
    std::string error;
    auto out = to_canonical(c.input, c.from, &error);
    if (c.output.empty()) {
      EXPECT_FALSE(out) << *out;
      EXPECT_NE(error.find(c.error_part), std::string::npos) << error;
      EXPECT_EQ(to_canonical(c.input, c.from), std::nullopt);  // no error sink needed
    } else {
      ASSERT_TRUE(out) << error;
      EXPECT_EQ(*out, c.output);
      // Idempotent: canonical output is valid canonical input and stays as is.
      EXPECT_EQ(to_canonical(*out, syntax::canonical), *out);
    }
  }
}

TEST(ToCanonical, ImportedErrorsNameTheInput) {
  std::string error;
  EXPECT_FALSE(to_canonical("/a/:1x", syntax::httprouter, &error));
  EXPECT_NE(error.find("(imported from \"/a/:1x\")"), std::string::npos) << error;
}

TEST(ToCanonical, TooLong) {
  std::string error;
  std::string p = "/" + std::string(max_pattern_length, 'a');
  EXPECT_FALSE(to_canonical(p, syntax::httprouter, &error));
  EXPECT_EQ(error, "too long: pattern of 4097 bytes (max 4096)");
  // Expansion past the limit is caught by the canonical check.
  std::string q = "/" + std::string(max_pattern_length - 4, 'a') + "/:x";
  EXPECT_FALSE(to_canonical(q, syntax::httprouter, &error));
  EXPECT_NE(error.find("too long"), std::string::npos) << error;
}

}  // namespace
}  // namespace lapwise::router
