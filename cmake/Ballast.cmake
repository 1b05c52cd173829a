# One helper per kind of target, so every library and test is built the same way.

set(BALLAST_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual -Wimplicit-fallthrough
    -Wno-missing-field-initializers
    # g++ 12 misreports coroutine frames (operator new/delete of the promise) here.
    -Wno-mismatched-new-delete
    # g++ 12 misreports std::string concatenation at -O2 (GCC bug 105329), more
    # often still once headers are precompiled.
    -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread)

# The heavy third-party and standard headers nearly every file includes are
# compiled twice in all — once for the libraries, once (with GoogleTest, at
# the tests' -O0) for the tests — and every target reuses one of the two.
option(BALLAST_PCH "Precompile the common headers" ON)
set(BALLAST_PCH_HEADERS <string> <string_view> <vector> <map> <unordered_map> <memory> <functional>
    <chrono> <optional> <expected> <mutex> <atomic> <nlohmann/json.hpp> <fmt/format.h>)

# ballast_precompile(TARGET library|test): TARGET reuses that kind's header.
function(ballast_precompile target kind)
  if(NOT BALLAST_PCH)
    return()
  endif()
  set(host ballast_pch_${kind})
  if(NOT TARGET ${host})
    add_library(${host} STATIC ${PROJECT_SOURCE_DIR}/cmake/pch_anchor.cpp)
    target_link_libraries(${host} PRIVATE nlohmann_json::nlohmann_json)
    ballast_apply_warnings(${host})
    if(kind STREQUAL "test")
      target_link_libraries(${host} PRIVATE GTest::gtest)
      target_compile_options(${host} PRIVATE -O0)
      target_precompile_headers(${host} PRIVATE ${BALLAST_PCH_HEADERS} <gtest/gtest.h>)
    else()
      target_precompile_headers(${host} PRIVATE ${BALLAST_PCH_HEADERS})
    endif()
  endif()
  target_precompile_headers(${target} REUSE_FROM ${host})
endfunction()

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
  ballast_precompile(ballast_${name} library)
endfunction()

# ballast_test(NAME SOURCES ... DEPS ...)
# A GoogleTest executable registered with ctest, one ctest entry per test case.
function(ballast_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  ballast_apply_warnings(${name})
  # Test code gains nothing from -O2 but compile time; several test files are
  # compiled as one (unity build) so that GoogleTest's and nlohmann's
  # templates are instantiated once per batch instead of once per file.
  # (-Wsubobject-linkage would flag every fixture in an anonymous namespace
  # once its file is no longer the main file.) A file whose local helpers clash
  # with another's is marked SKIP_UNITY_BUILD_INCLUSION in its folder.
  target_compile_options(${name} PRIVATE -O0 -Wno-subobject-linkage)
  set_target_properties(${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 6)
  ballast_precompile(${name} test)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES LABELS unit)
endfunction()

# ballast_benchmark(NAME SOURCES ... DEPS ...)
function(ballast_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  ballast_apply_warnings(${name})
endfunction()
