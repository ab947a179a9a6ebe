#include "invoices/core/decimal.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace invoices::core {
namespace {

constexpr std::array<int64_t, Decimal::kMaxScale + 1> kPow10 = {
    1, 10, 100, 1000, 10000, 100000, 1000000};

// Amounts on documents are far below int64_t's range at scale 6 (about
// 9.2e12), but parsed text reaches it (18 digits at scale 0), and a signed
// overflow is undefined: results are computed in 128 bits, and saturated
// where they must fit in units. -kMaxUnits, not INT64_MIN, so that negating
// a result is defined.
constexpr int64_t kMaxUnits = std::numeric_limits<int64_t>::max();

int64_t Saturated(__int128 units) {
  if (units > kMaxUnits) return kMaxUnits;
  if (units < -kMaxUnits) return -kMaxUnits;
  return int64_t(units);
}

// Both values at the larger scale, exactly (|units| < 2^63 times 10^6 fits).
std::pair<__int128, __int128> Aligned(const Decimal& a, const Decimal& b) {
  const int scale = std::max(a.scale(), b.scale());
  return {__int128{a.units()} * kPow10[scale - a.scale()],
          __int128{b.units()} * kPow10[scale - b.scale()]};
}

}  // namespace

Decimal::Decimal(int64_t units, int scale)
    : units_(units), scale_(std::clamp(scale, 0, kMaxScale)) {}

Result<Decimal> Decimal::Parse(std::string_view text) {
  const std::string_view original = text;
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (text.empty()) return InvalidArgument("not a decimal amount: \"\"");
  int64_t units = 0;
  int scale = -1;
  int digits = 0;
  for (char c : text) {
    if (c == '.') {
      if (scale >= 0) break;
      scale = 0;
      continue;
    }
    if (c < '0' || c > '9') {
      scale = -2;
      break;
    }
    if (scale >= 0) ++scale;
    if (++digits > 18 || scale > kMaxScale) {
      return InvalidArgument("decimal amount out of range: \"" +
                             std::string(original) + "\"");
    }
    units = units * 10 + (c - '0');
  }
  const bool trailing_dot = !text.empty() && text.back() == '.';
  if (scale == -2 || digits == 0 || trailing_dot ||
      std::count(text.begin(), text.end(), '.') > 1) {
    return InvalidArgument("not a decimal amount: \"" + std::string(original) +
                           "\"");
  }
  return Decimal(negative ? -units : units, std::max(scale, 0));
}

Decimal Decimal::Rescaled(int scale) const {
  scale = std::clamp(scale, 0, kMaxScale);
  if (scale >= scale_) {
    return Decimal(Saturated(__int128{units_} * kPow10[scale - scale_]), scale);
  }
  const int64_t divisor = kPow10[scale_ - scale];
  int64_t quotient = units_ / divisor;
  const int64_t remainder = units_ % divisor;
  if (std::llabs(remainder) * 2 >= divisor) quotient += units_ < 0 ? -1 : 1;
  return Decimal(quotient, scale);
}

double Decimal::ToDouble() const {
  return static_cast<double>(units_) / std::pow(10.0, scale_);
}

std::string Decimal::ToString() const {
  const bool negative = units_ < 0;
  // In unsigned arithmetic: -INT64_MIN is undefined.
  const uint64_t magnitude = negative ? 0 - uint64_t(units_) : uint64_t(units_);
  std::string digits = std::to_string(magnitude);
  if (scale_ > 0) {
    if (static_cast<int>(digits.size()) <= scale_) {
      digits.insert(0, scale_ + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - scale_, 1, '.');
  }
  return negative ? "-" + digits : digits;
}

std::string Decimal::ToString(int digits) const {
  digits = std::clamp(digits, 0, kMaxScale);
  if (digits < scale_) return Rescaled(digits).ToString();
  // Padding with zeros is exact whatever the magnitude; Rescaled would
  // saturate an 18-digit amount.
  std::string text = ToString();
  if (digits > scale_) {
    if (scale_ == 0) text += '.';
    text.append(digits - scale_, '0');
  }
  return text;
}

Decimal operator+(const Decimal& a, const Decimal& b) {
  auto [x, y] = Aligned(a, b);
  return Decimal(Saturated(x + y), std::max(a.scale(), b.scale()));
}

Decimal operator-(const Decimal& a, const Decimal& b) {
  auto [x, y] = Aligned(a, b);
  return Decimal(Saturated(x - y), std::max(a.scale(), b.scale()));
}

std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) {
  auto [x, y] = Aligned(a, b);
  return x <=> y;
}

int MinorDigits(std::string_view currency) {
  // ISO 4217 currencies whose minor unit is not 2 digits.
  static constexpr std::array<std::string_view, 16> kZero = {
      "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
      "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF"};
  static constexpr std::array<std::string_view, 7> kThree = {
      "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
  if (std::find(kZero.begin(), kZero.end(), currency) != kZero.end()) return 0;
  if (std::find(kThree.begin(), kThree.end(), currency) != kThree.end()) {
    return 3;
  }
  return 2;
}

}  // namespace invoices::core
