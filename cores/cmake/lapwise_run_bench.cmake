# Runs one Google Benchmark binary as a smoke test: tiny min-time, JSON out. Google Benchmark
# 1.7 takes a plain double for --benchmark_min_time (no "s" suffix).
separate_arguments(extra UNIX_COMMAND "${ARGS}")
execute_process(COMMAND ${BENCH} --benchmark_min_time=0.01 --benchmark_out=${OUT}
                        --benchmark_out_format=json ${extra}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${BENCH} failed (exit ${rc})")
endif()
file(READ "${OUT}" json)
string(JSON n LENGTH "${json}" benchmarks)
foreach(i RANGE 0 ${n})
  if(i EQUAL n)
    break()
  endif()
  string(JSON err ERROR_VARIABLE none GET "${json}" benchmarks ${i} error_message)
  if(NOT none AND err)
    string(JSON bname GET "${json}" benchmarks ${i} name)
    message(FATAL_ERROR "${bname}: ${err}")
  endif()
endforeach()
