// What the fuzz targets share: FUZZ_CHECK, an invariant that holds whatever
// the input (assert() is compiled out of the RelWithDebInfo fuzz build), and
// AsView / AsSpan to hand libFuzzer's bytes to the library. A failed check
// aborts, which libFuzzer reports as a crash and saves the input; so does an
// exception escaping the library, since no target catches any.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

#define FUZZ_CHECK(cond)                                              \
  do {                                                                \
    if (!(cond)) {                                                    \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
                   __LINE__, #cond);                                  \
      std::abort();                                                   \
    }                                                                 \
  } while (0)

namespace invoices::fuzz {

inline std::string_view AsView(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline std::span<const uint8_t> AsSpan(const uint8_t* data, size_t size) {
  return {data, size};
}

}  // namespace invoices::fuzz
