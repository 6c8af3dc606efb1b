// Compiles the code between LAPWISE_HTML_TARGET_BEGIN and LAPWISE_HTML_TARGET_END for an
// instruction set the baseline lacks (GCC and Clang spell it differently). Include every header
// the region uses before BEGIN, so that nothing shared with other files gets the wider target.
#pragma once

#define LAPWISE_HTML_PRAGMA(x) _Pragma(#x)
#if defined(__clang__)
#define LAPWISE_HTML_TARGET_BEGIN(isa) \
  LAPWISE_HTML_PRAGMA(clang attribute push(__attribute__((target(isa))), apply_to = function))
#define LAPWISE_HTML_TARGET_END LAPWISE_HTML_PRAGMA(clang attribute pop)
#else
#define LAPWISE_HTML_TARGET_BEGIN(isa) \
  LAPWISE_HTML_PRAGMA(GCC push_options) LAPWISE_HTML_PRAGMA(GCC target(isa))
#define LAPWISE_HTML_TARGET_END LAPWISE_HTML_PRAGMA(GCC pop_options)
#endif
