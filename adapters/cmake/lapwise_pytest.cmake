# A pytest run under ctest with the source package and the built _native on the path. Defined by
# the Python package's layer, so the product's own tests and everything above it (suites,
# reports) register pytest runs the same way, and nothing below depends on the harness.
#   lapwise_add_pytest(<name> PATHS dir-or-file... LABELS ... [ARGS ...] [TIMEOUT s] [ENV K=V...])
include_guard(GLOBAL)

function(lapwise_add_pytest name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "PATHS;LABELS;ARGS;ENV" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 900)
  endif()
  add_test(NAME ${name}
           COMMAND ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider ${ARG_ARGS} ${ARG_PATHS}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "PYTHONPATH=${LAPWISE_PYTHONPATH};LAPWISE_DATASETS_DIR=${LAPWISE_DATASETS_DIR};LAPWISE_RESULTS_DIR=${LAPWISE_RESULTS_DIR};LAPWISE_BUILD_DIR=${CMAKE_BINARY_DIR};${ARG_ENV}")
endfunction()
