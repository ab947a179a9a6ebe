#include "invoices/core/ids.h"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace invoices::core {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr uint64_t kMaxMs = (uint64_t{1} << 48) - 1;
constexpr uint64_t kHiMask = 0xffff;

int DigitValue(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  const size_t pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// 128 bits (ms:48 | hi:16 | lo:64) as 26 base32 digits, most significant
// first; the first digit carries only 3 bits.
std::string Encode(uint64_t ms, uint64_t hi, uint64_t lo) {
  // The 128-bit number is top = ms << 16 | hi (64 bits) and lo (64 bits).
  const uint64_t top = (ms << 16) | (hi & kHiMask);
  std::string out(kIdLength, '0');
  for (int i = 0; i < static_cast<int>(kIdLength); ++i) {
    // Digit i covers bits [125 - 5i, 130 - 5i) of the 130-bit padded value.
    const int shift = 125 - 5 * i;  // bit position of the digit's low bit
    uint64_t v = 0;
    for (int b = 0; b < 5; ++b) {
      const int bit = shift + b;
      uint64_t set = 0;
      if (bit < 64) {
        set = (lo >> bit) & 1;
      } else if (bit < 128) {
        set = (top >> (bit - 64)) & 1;
      }
      v |= set << b;
    }
    out[i] = kAlphabet[v];
  }
  return out;
}

}  // namespace

void RandomBytes(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      break;  // ENOSYS on a very old kernel: fall back below
    }
  }
  if (done < out.size()) {
    std::ifstream urandom("/dev/urandom", std::ios::binary);
    urandom.read(reinterpret_cast<char*>(out.data() + done),
                 static_cast<std::streamsize>(out.size() - done));
  }
}

std::string IdGenerator::Next(std::chrono::system_clock::time_point now) {
  const auto since = std::chrono::duration_cast<std::chrono::milliseconds>(
                         now.time_since_epoch())
                         .count();
  uint64_t ms = since < 0 ? 0 : std::min<uint64_t>(since, kMaxMs);
  std::array<uint8_t, 14> random;
  RandomBytes(random);
  uint64_t hi = (uint64_t{random[0]} << 8) | random[1];
  uint64_t lo = 0;
  for (int i = 2; i < 10; ++i) lo = (lo << 8) | random[i];
  uint64_t step = 1;
  for (int i = 10; i < 14; ++i) step = (step << 8) | random[i];
  step = (step & 0xffffffff) + 1;

  std::lock_guard lock(mu_);
  if (has_last_ && ms <= last_ms_) {
    // Same millisecond (or the clock went back): stay above the last id.
    ms = last_ms_;
    lo = last_lo_ + step;
    hi = last_hi_ + (lo < last_lo_ ? 1 : 0);
    if (hi > kHiMask) {  // the random part overflowed: move time on by 1 ms
      ms = std::min(ms + 1, kMaxMs);
      hi &= kHiMask;
    }
  }
  last_ms_ = ms;
  last_hi_ = hi;
  last_lo_ = lo;
  has_last_ = true;
  return Encode(ms, hi, lo);
}

std::string NewId(std::chrono::system_clock::time_point now) {
  static IdGenerator* generator = new IdGenerator();
  return generator->Next(now);
}

bool IsValidId(std::string_view id) {
  if (id.size() != kIdLength || id[0] < '0' || id[0] > '7') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return kAlphabet.find(c) != std::string_view::npos;
  });
}

Result<std::string> ParseId(std::string_view text) {
  if (text.size() != kIdLength) {
    return InvalidArgument("an invoice id has 26 characters");
  }
  std::string id(text);
  for (char& c : id) {
    if (DigitValue(c) < 0) {
      return InvalidArgument("an invoice id is Crockford base32 text");
    }
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  if (!IsValidId(id)) return InvalidArgument("not a valid invoice id");
  return id;
}

uint64_t IdTimestampMs(std::string_view id) {
  uint64_t ms = 0;
  // The first 10 digits hold the 48-bit time (their 2 top bits are 0).
  for (size_t i = 0; i < 10 && i < id.size(); ++i) {
    ms = (ms << 5) | static_cast<uint64_t>(std::max(DigitValue(id[i]), 0));
  }
  return ms;
}

}  // namespace invoices::core
