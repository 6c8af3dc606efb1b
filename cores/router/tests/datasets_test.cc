// The shared route sets (../shared/datasets/routes) through to_canonical(httprouter) into both
// routers: every route requested literally (GithubAll style: the path is the pattern text, so
// ":id" is the value of {id}) and with realistic values, each returning its own value.
#include "lapwise_datasets/datasets.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "../bench/route_gen.h"
#include "lapwise/router/linear_router.h"
#include "lapwise/router/radix_router.h"

namespace lapwise::router {
namespace {

const char* const kSets[] = {"static", "github", "gplus", "parse", "node_router_benchmark"};

template <class Router>
class DatasetTest : public ::testing::Test {};

using Routers = ::testing::Types<radix_router, linear_router>;
TYPED_TEST_SUITE(DatasetTest, Routers);

void expect_match(const match_result& m, std::uint32_t value, const bench::param_list& params,
                  const std::string& request) {
  ASSERT_TRUE(m.found()) << request;
  EXPECT_EQ(m.value, value) << request;
  ASSERT_EQ(m.param_count, params.size()) << request;
  for (std::size_t i = 0; i < params.size(); ++i) {
    EXPECT_EQ(m.params[i].name, params[i].first) << request;
    EXPECT_EQ(m.params[i].value, params[i].second) << request;
  }
}

TYPED_TEST(DatasetTest, EveryRouteFindsItself) {
  for (const char* set : kSets) {
    SCOPED_TRACE(set);
    std::vector<datasets::route_line> lines;
    try {
      lines = datasets::routes(set);
    } catch (const std::exception& e) {
      GTEST_SKIP() << e.what();
    }
    ASSERT_FALSE(lines.empty());
    TypeParam router;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::string error;
      auto canonical = to_canonical(lines[i].pattern, syntax::httprouter, &error);
      ASSERT_TRUE(canonical) << lines[i].pattern << ": " << error;
      auto err = router.add(lines[i].method, *canonical, static_cast<std::uint32_t>(i));
      ASSERT_FALSE(err) << err->message;
    }
    EXPECT_EQ(router.size(), lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const auto& l = lines[i];
      const std::string& literal = l.pattern;
      expect_match(router.match(l.method, literal), static_cast<std::uint32_t>(i),
                   bench::expected_params(l.pattern, literal), l.method + " " + literal);
      std::string real = bench::realistic_path(l.pattern);
      expect_match(router.match(l.method, real), static_cast<std::uint32_t>(i),
                   bench::expected_params(l.pattern, real), l.method + " " + real);
    }
    // A method no route uses gives a 405 on every known path.
    EXPECT_EQ(router.match("BREW", lines[0].pattern).kind, status::method_not_allowed);
  }
}

TYPED_TEST(DatasetTest, GrowthTablesResolve) {
  for (std::size_t n : {10u, 100u, 1000u}) {
    SCOPED_TRACE(n);
    bench::route_table t = bench::make_growth_table(n);
    TypeParam router;
    for (const auto& r : t.routes) {
      auto err = router.add(r.method, r.pattern, r.value);
      ASSERT_FALSE(err) << err->message;
    }
    ASSERT_EQ(t.lookups.size(), 64u);
    for (const auto& l : t.lookups) {
      expect_match(router.match(l.method, l.path), l.value, l.params, l.method + " " + l.path);
    }
  }
}

}  // namespace
}  // namespace lapwise::router
