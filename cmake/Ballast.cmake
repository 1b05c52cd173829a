# One helper per kind of target, so every library and test is built the same way.

set(BALLAST_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual -Wimplicit-fallthrough
    -Wno-missing-field-initializers
    # g++ 12 misreports coroutine frames (operator new/delete of the promise) here.
    -Wno-mismatched-new-delete)

function(ballast_apply_warnings target)
  target_compile_options(${target} PRIVATE ${BALLAST_WARNINGS})
  if(BALLAST_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# ballast_library(NAME SOURCES ... DEPS ...)
# A static library `ballast_<NAME>` for the folder src/<NAME>; headers are
# included as "<name>/file.h" from src/, public API as <ballast/...>.
function(ballast_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(ballast_${name} STATIC ${ARG_SOURCES})
  target_include_directories(ballast_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src
                                                    ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(ballast_${name} PUBLIC ${ARG_DEPS})
  ballast_apply_warnings(ballast_${name})
endfunction()

# ballast_test(NAME SOURCES ... DEPS ...)
# A GoogleTest executable registered with ctest, one ctest entry per test case.
function(ballast_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  ballast_apply_warnings(${name})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES LABELS unit)
endfunction()

# ballast_benchmark(NAME SOURCES ... DEPS ...)
function(ballast_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  ballast_apply_warnings(${name})
endfunction()
