# Global compile options that follow from the LAPWISE_* cache variables.
include_guard(GLOBAL)

if(LAPWISE_SANITIZE)
  list(JOIN LAPWISE_SANITIZE "," _lapwise_san)
  add_compile_options(-fsanitize=${_lapwise_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_lapwise_san})
endif()

if(LAPWISE_BUILD_FUZZERS)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # Coverage instrumentation for everything (the cores the fuzzers link included), so that
    # libFuzzer is guided by the code under test, not only by the fuzz entry point.
    add_compile_options(-fsanitize=fuzzer-no-link)
  else()
    message(STATUS "lapwise: ${CMAKE_CXX_COMPILER_ID} has no libFuzzer; fuzz targets build as corpus replayers")
  endif()
endif()

# The injected slowdown exists only so that the performance gates can prove they fail.
if(NOT LAPWISE_INJECT_SLOWDOWN_PCT MATCHES "^[0-9]+$")
  message(FATAL_ERROR "LAPWISE_INJECT_SLOWDOWN_PCT must be a whole number, got '${LAPWISE_INJECT_SLOWDOWN_PCT}'")
endif()
add_compile_definitions(LAPWISE_INJECT_SLOWDOWN_PCT=${LAPWISE_INJECT_SLOWDOWN_PCT})

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  add_compile_options(-Wall -Wextra -Wpedantic)
endif()
