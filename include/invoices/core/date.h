// Calendar dates (proleptic Gregorian) and their ISO 8601 text form.
// Thread safety: plain value.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "invoices/core/error.h"

namespace invoices::core {

class Date {
 public:
  // A valid date, or invalid_argument (month 13, 30 February, year 0, ...).
  // Years are limited to 1000..9999 so that the ISO form is always 10 chars.
  static Result<Date> FromYmd(int year, int month, int day);
  // Exactly "YYYY-MM-DD".
  static Result<Date> ParseIso(std::string_view text);

  int year() const { return year_; }
  int month() const { return month_; }
  int day() const { return day_; }

  std::string ToIso() const;
  // Days since 1970-01-01 (negative before).
  int64_t DaysSinceEpoch() const;

  friend auto operator<=>(const Date&, const Date&) = default;

 private:
  Date(int y, int m, int d) : year_(y), month_(m), day_(d) {}
  int year_ = 1970, month_ = 1, day_ = 1;
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);

}  // namespace invoices::core
