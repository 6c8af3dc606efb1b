# The harness's C++ measuring tools (lapwise-load, native_laps) land in one folder of the build
# tree, <build>/bin, whatever source folder builds them: the Python suites find them there.
#   lapwise_add_tool(<name> SOURCES ... [LIBS ...])
include_guard(GLOBAL)

set(LAPWISE_TOOLS_DIR "${CMAKE_BINARY_DIR}/bin" CACHE INTERNAL "Where the harness's C++ tools go")

function(lapwise_add_tool name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${LAPWISE_TOOLS_DIR})
  if(ARG_LIBS)
    target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  endif()
endfunction()
