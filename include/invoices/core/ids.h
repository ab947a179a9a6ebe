// Server-generated identifiers: 26 characters of Crockford base32 in the ULID
// layout, a 48-bit Unix time in milliseconds followed by 80 random bits
// ("01HZX3K6W8Q9T2V4B7N5M0C1DE"). Ids sort byte-wise in the order they were
// made (so "newest first" is "greatest id first"), are safe in URLs and store
// keys, and cannot be guessed: the random bits come from the kernel's CSPRNG.
//
// Thread safety: IdGenerator::Next may be called from any number of threads;
// the free functions are pure (RandomBytes reads the kernel's generator).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "invoices/core/error.h"

namespace invoices::core {

inline constexpr size_t kIdLength = 26;

// Makes ids that are strictly increasing within this generator, also when
// several are made in the same millisecond or the clock steps back: such an
// id reuses the last timestamp and adds a random amount (1 .. 2^32) to the
// last random part, so it stays unguessable from the previous one.
class IdGenerator {
 public:
  IdGenerator() = default;
  IdGenerator(const IdGenerator&) = delete;
  IdGenerator& operator=(const IdGenerator&) = delete;

  // A new id for the instant `now` (Unix time; instants before 1970 count as
  // 1970, after the year 10889 as that year).
  std::string Next(std::chrono::system_clock::time_point now);

 private:
  std::mutex mu_;
  uint64_t last_ms_ = 0;
  uint64_t last_hi_ = 0;  // the upper 16 of the 80 random bits
  uint64_t last_lo_ = 0;  // the lower 64
  bool has_last_ = false;
};

// A new id from a process-wide generator.
std::string NewId(std::chrono::system_clock::time_point now =
                      std::chrono::system_clock::now());

// True for exactly 26 upper-case Crockford base32 characters
// (0-9 A-Z without I L O U) whose first is 0-7 (so the time fits 48 bits).
bool IsValidId(std::string_view id);

// Accepts an id as a client may send it (Crockford base32 is case-blind) and
// returns its canonical upper-case form; invalid_argument otherwise.
Result<std::string> ParseId(std::string_view text);

// The millisecond timestamp of a valid id.
uint64_t IdTimestampMs(std::string_view id);

// Fills `out` from the kernel's cryptographically secure generator
// (getrandom(2)). Never fails on Linux >= 3.17 once the pool is seeded.
void RandomBytes(std::span<uint8_t> out);

}  // namespace invoices::core
