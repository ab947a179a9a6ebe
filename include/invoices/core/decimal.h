// Decimal amounts for money: an integer number of units at a decimal scale, so
// that 1234.50 is exactly 123450 x 10^-2. No binary floating point touches an
// amount. Thread safety: plain value.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "invoices/core/error.h"

namespace invoices::core {

class Decimal {
 public:
  static constexpr int kMaxScale = 6;

  Decimal() = default;
  // units x 10^-scale; scale in [0, kMaxScale].
  Decimal(int64_t units, int scale);

  // Parses the canonical form: optional '-', digits, optional '.' and up to
  // kMaxScale digits ("1234.50", "-3", "0.5"). Anything else, including
  // grouping separators or currency signs, is invalid_argument; reading amounts
  // as printed on documents is the extractor's job.
  static Result<Decimal> Parse(std::string_view text);

  int64_t units() const { return units_; }
  int scale() const { return scale_; }
  // The value as a double, for tolerance checks only (never for amounts
  // kept or shown).
  double ToDouble() const;
  bool is_negative() const { return units_ < 0; }

  // The value with exactly `scale` fractional digits, rounding half away from
  // zero when digits are dropped. Saturates (below).
  Decimal Rescaled(int scale) const;

  // "1234.50" at the value's own scale.
  std::string ToString() const;
  // "1234.50" with exactly `digits` fractional digits (rounded as Rescaled;
  // exact when digits are added, at any magnitude).
  std::string ToString(int digits) const;

  // Comparisons are exact for any two values. +, - and Rescaled are exact
  // while the result fits in int64_t units (amounts below about 9.2e12 at
  // scale 6 always do); beyond, they saturate at +-(2^63 - 1) units rather
  // than overflow.

  friend Decimal operator+(const Decimal& a, const Decimal& b);
  friend Decimal operator-(const Decimal& a, const Decimal& b);
  friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b);
  friend bool operator==(const Decimal& a, const Decimal& b) {
    return (a <=> b) == std::strong_ordering::equal;
  }

 private:
  int64_t units_ = 0;
  int scale_ = 0;
};

// The number of minor-unit digits of an ISO 4217 currency (2 for MYR and EUR,
// 0 for JPY, 3 for KWD); 2 when the code is unknown or empty.
int MinorDigits(std::string_view currency);

}  // namespace invoices::core
