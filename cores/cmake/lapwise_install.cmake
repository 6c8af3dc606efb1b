# cmake --install gives find_package(lapwise) with one lapwise::<kind> target per core.
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

install(EXPORT lapwiseTargets NAMESPACE lapwise:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/lapwise)
get_property(LAPWISE_CORES GLOBAL PROPERTY LAPWISE_CORES)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cores/cmake/lapwiseConfig.cmake.in
  ${PROJECT_BINARY_DIR}/lapwiseConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/lapwise)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/lapwiseConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/lapwiseConfig.cmake ${PROJECT_BINARY_DIR}/lapwiseConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/lapwise)
