# install -> configure -> build -> run, each step's failure reported with its output. Two
# consumers of one install: the whole package, and the router component alone with CURL and
# simdjson hidden (a component needs only its own dependencies).
function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer: ${what} failed (${rc})\n${out}\n${err}")
  endif()
  message(STATUS "consumer: ${what}: ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

function(consumer name)
  set(dir ${WORK_DIR}/${name})
  step("${name}: configure" ${CMAKE_COMMAND} -S ${PROJECT_DIR} -B ${dir} -G ${GENERATOR}
       -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_BUILD_TYPE=Release
       ${ARGN})
  step("${name}: build" ${CMAKE_COMMAND} --build ${dir})
  step("${name}: run" ${dir}/lapwise_consumer)
  message(STATUS "${step_output}")
endfunction()

file(REMOVE_RECURSE ${PREFIX} ${WORK_DIR})
step("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX})
consumer(all)
consumer(router_only -DLAPWISE_COMPONENTS=router
         -DCMAKE_DISABLE_FIND_PACKAGE_CURL=ON -DCMAKE_DISABLE_FIND_PACKAGE_simdjson=ON)
