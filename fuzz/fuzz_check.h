#pragma once
// CHECK(condition) for the fuzz targets: an invariant the input broke aborts
// with the line and the condition, which libFuzzer reports as a crash and
// keeps the input. (assert() would vanish under NDEBUG.)

#include <cstdio>
#include <cstdlib>

#define CHECK(condition)                                                           \
  do {                                                                             \
    if (!(condition)) {                                                            \
      std::fprintf(stderr, "CHECK failed at line %d: %s\n", __LINE__, #condition); \
      std::abort();                                                                \
    }                                                                              \
  } while (false)
