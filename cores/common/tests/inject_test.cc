#include "lapwise/common/inject.h"

#include <gtest/gtest.h>

// In a normal build the macro must compile to nothing; in an injected build it must still run.
TEST(Inject, MacroIsUsableInExpressionPosition) {
  LAPWISE_INJECT_WORK(100);
  SUCCEED();
}

TEST(Inject, DefaultBuildInjectsNothing) {
#if LAPWISE_INJECT_SLOWDOWN_PCT == 0
  EXPECT_EQ(LAPWISE_INJECT_SLOWDOWN_PCT, 0);
#else
  GTEST_SKIP() << "built with LAPWISE_INJECT_SLOWDOWN_PCT=" << LAPWISE_INJECT_SLOWDOWN_PCT;
#endif
}
