# Helpers every core uses, so that targets, aliases, labels and outputs look the same everywhere.
#
#   lapwise_add_core(<kind> SOURCES ... [DEPS ...] [PACKAGES "<find_package args>" ...])
#       -> lapwise_<kind>, alias lapwise::<kind>, installed as the find_package component <kind>.
#       DEPS are linked publicly; PACKAGES are the find_package() calls a consumer needs to use
#       them (e.g. "simdjson CONFIG"), replayed by find_dependency() when the component is asked
#       for. Other cores among the DEPS (lapwise::<other>) are loaded with it.
#   lapwise_add_test(<name> SOURCES ... LIBS ... [LABELS ...])   gtest, labels default to unit
#   lapwise_add_bench(<name> SOURCES ... LIBS ... [ARGS ...])   Google Benchmark, smoke-run by ctest -L bench
#   lapwise_add_fuzz(<name> SOURCES ... LIBS ... [CORPUS dir] [SECONDS n])   libFuzzer, ctest -L fuzz
include_guard(GLOBAL)

set(LAPWISE_RESULTS_DIR "${CMAKE_BINARY_DIR}/results" CACHE PATH "Where suites write result JSON")
file(MAKE_DIRECTORY "${LAPWISE_RESULTS_DIR}/gbench")

function(lapwise_add_core kind)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PACKAGES" ${ARGN})
  set(target lapwise_${kind})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(lapwise::${kind} ALIAS ${target})
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON EXPORT_NAME ${kind}
                                             OUTPUT_NAME lapwise_${kind})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(${target} PUBLIC cxx_std_20)
  if(ARG_DEPS)
    target_link_libraries(${target} PUBLIC ${ARG_DEPS})
  endif()
  install(TARGETS ${target} EXPORT lapwise_${kind}Targets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  set(cores)
  foreach(dep IN LISTS ARG_DEPS)
    if(dep MATCHES "^lapwise::(.+)$")
      list(APPEND cores ${CMAKE_MATCH_1})
    endif()
  endforeach()
  lapwise_component(${kind} CORES ${cores} PACKAGES ${ARG_PACKAGES})
  set_property(GLOBAL APPEND PROPERTY LAPWISE_CORES ${kind})
endfunction()

# Records what the find_package component <kind> needs (lapwise_install.cmake writes it out).
function(lapwise_component kind)
  cmake_parse_arguments(ARG "" "" "CORES;PACKAGES" ${ARGN})
  set_property(GLOBAL APPEND PROPERTY LAPWISE_COMPONENTS ${kind})
  set_property(GLOBAL PROPERTY LAPWISE_COMPONENT_${kind}_CORES "${ARG_CORES}")
  # Each find_package argument string is one list element; keep them apart with '|'.
  list(JOIN ARG_PACKAGES "|" packages)
  set_property(GLOBAL PROPERTY LAPWISE_COMPONENT_${kind}_PACKAGES "${packages}")
endfunction()

function(lapwise_add_test name)
  if(NOT LAPWISE_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  find_package(GTest REQUIRED)
  include(GoogleTest)
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
                       PROPERTIES LABELS "${ARG_LABELS}"
                                  ENVIRONMENT "LAPWISE_DATASETS_DIR=${LAPWISE_DATASETS_DIR}")
endfunction()

# Benchmarks double as correctness checks: each verifies its answers before timing (a wrong
# answer is SkipWithError, which fails the smoke run), and ctest runs them with a tiny min-time.
function(lapwise_add_bench name)
  if(NOT LAPWISE_BUILD_BENCHES)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;ARGS" ${ARGN})
  find_package(benchmark REQUIRED)
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} benchmark::benchmark)
  add_test(NAME ${name}
           COMMAND ${CMAKE_COMMAND} -DBENCH=$<TARGET_FILE:${name}>
                   -DOUT=${LAPWISE_RESULTS_DIR}/gbench/${name}.smoke.json
                   "-DARGS=${ARG_ARGS}"
                   -P ${PROJECT_SOURCE_DIR}/cores/cmake/lapwise_run_bench.cmake)
  set_tests_properties(${name} PROPERTIES LABELS bench
                       ENVIRONMENT "LAPWISE_DATASETS_DIR=${LAPWISE_DATASETS_DIR}")
endfunction()

# With clang and LAPWISE_BUILD_FUZZERS, a real libFuzzer binary run for a bounded time over its
# seed corpus. Otherwise the same LLVMFuzzerTestOneInput is linked with a replay main that feeds
# it every corpus file, so the fuzz entry points are exercised in every build.
function(lapwise_add_fuzz name)
  cmake_parse_arguments(ARG "" "CORPUS;SECONDS" "SOURCES;LIBS" ${ARGN})
  if(NOT LAPWISE_BUILD_FUZZERS AND NOT LAPWISE_BUILD_TESTS)
    return()
  endif()
  if(NOT ARG_SECONDS)
    set(ARG_SECONDS 20)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  set(corpus_args)
  if(ARG_CORPUS)
    set(corpus_args ${ARG_CORPUS})
  endif()
  if(LAPWISE_BUILD_FUZZERS AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    set(work "${CMAKE_CURRENT_BINARY_DIR}/${name}.corpus")
    file(MAKE_DIRECTORY "${work}")
    add_test(NAME ${name}
             COMMAND ${name} -max_total_time=${ARG_SECONDS} -timeout=10 -rss_limit_mb=2048
                     -print_final_stats=1 ${work} ${corpus_args})
  else()
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/cores/common/src/fuzz_replay_main.cc)
    add_test(NAME ${name} COMMAND ${name} ${corpus_args})
  endif()
  set_tests_properties(${name} PROPERTIES LABELS fuzz)
endfunction()

# A core laid out by convention, so adding a file is all it takes:
#   src/*.cc -> lapwise_<kind>        tests/*_test.cc -> one gtest binary <kind>_test (label unit)
#   bench/*_bench.cc -> one binary each (label bench)
#   fuzz/<entry>_fuzz.cc -> one fuzzer each, seeds in fuzz/corpus/<entry>/ (label fuzz)
#   lapwise_core_dir(<kind> [DEPS ...] [PACKAGES ...] [TEST_LIBS ...] [BENCH_LIBS ...])
function(lapwise_core_dir kind)
  cmake_parse_arguments(ARG "" "" "DEPS;PACKAGES;TEST_LIBS;BENCH_LIBS" ${ARGN})
  set(dir ${CMAKE_CURRENT_SOURCE_DIR})
  file(GLOB srcs CONFIGURE_DEPENDS ${dir}/src/*.cc)
  lapwise_add_core(${kind} SOURCES ${srcs} DEPS lapwise::common ${ARG_DEPS}
                   PACKAGES ${ARG_PACKAGES})
  file(GLOB tests CONFIGURE_DEPENDS ${dir}/tests/*_test.cc)
  if(tests)
    lapwise_add_test(${kind}_test SOURCES ${tests} LIBS lapwise::${kind} lapwise::datasets ${ARG_TEST_LIBS})
  endif()
  file(GLOB benches CONFIGURE_DEPENDS ${dir}/bench/*_bench.cc)
  foreach(b IN LISTS benches)
    get_filename_component(stem ${b} NAME_WE)
    lapwise_add_bench(${stem} SOURCES ${b} LIBS lapwise::${kind} lapwise::datasets ${ARG_BENCH_LIBS})
  endforeach()
  file(GLOB fuzzers CONFIGURE_DEPENDS ${dir}/fuzz/*_fuzz.cc)
  foreach(f IN LISTS fuzzers)
    get_filename_component(stem ${f} NAME_WE)
    string(REGEX REPLACE "_fuzz$" "" entry ${stem})
    set(corpus)
    if(EXISTS ${dir}/fuzz/corpus/${entry})
      set(corpus CORPUS ${dir}/fuzz/corpus/${entry})
    endif()
    lapwise_add_fuzz(${kind}_${stem} SOURCES ${f} LIBS lapwise::${kind} ${corpus})
  endforeach()
endfunction()
