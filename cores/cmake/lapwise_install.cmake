# cmake --install gives find_package(lapwise [COMPONENTS ...]) with one lapwise::<kind> target per
# core. Each component is its own export set (lapwise_<kind>Targets.cmake) next to a small
# lapwise_<kind>.cmake that finds what that component needs (other components first, then its
# packages) and then loads its targets, so asking for the router never needs CURL or simdjson.
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

set(_lapwise_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/lapwise)
get_property(LAPWISE_COMPONENTS GLOBAL PROPERTY LAPWISE_COMPONENTS)
foreach(comp IN LISTS LAPWISE_COMPONENTS)
  install(EXPORT lapwise_${comp}Targets NAMESPACE lapwise:: DESTINATION ${_lapwise_cmake_dir})
  get_property(cores GLOBAL PROPERTY LAPWISE_COMPONENT_${comp}_CORES)
  get_property(packages GLOBAL PROPERTY LAPWISE_COMPONENT_${comp}_PACKAGES)
  if(NOT comp STREQUAL "common")
    list(PREPEND cores common)
    list(REMOVE_DUPLICATES cores)
  endif()
  set(body "# The lapwise component '${comp}': what it needs, then its targets (generated).\n")
  foreach(core IN LISTS cores)
    string(APPEND body "_lapwise_load_component(${core})\n"
                       "if(NOT TARGET lapwise::${core})\n  return()\nendif()\n")
  endforeach()
  string(REPLACE "|" ";" packages "${packages}")
  foreach(pkg IN LISTS packages)
    string(APPEND body "find_dependency(${pkg})\n")
  endforeach()
  string(APPEND body "include(\"\${CMAKE_CURRENT_LIST_DIR}/lapwise_${comp}Targets.cmake\")\n")
  file(WRITE ${PROJECT_BINARY_DIR}/lapwise_package/lapwise_${comp}.cmake "${body}")
  install(FILES ${PROJECT_BINARY_DIR}/lapwise_package/lapwise_${comp}.cmake
          DESTINATION ${_lapwise_cmake_dir})
endforeach()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cores/cmake/lapwiseConfig.cmake.in
  ${PROJECT_BINARY_DIR}/lapwiseConfig.cmake INSTALL_DESTINATION ${_lapwise_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/lapwiseConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/lapwiseConfig.cmake ${PROJECT_BINARY_DIR}/lapwiseConfigVersion.cmake
        DESTINATION ${_lapwise_cmake_dir})
