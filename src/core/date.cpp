#include "invoices/core/date.h"

#include <cstdio>

namespace invoices::core {

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

Result<Date> Date::FromYmd(int year, int month, int day) {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    return InvalidArgument("not a calendar date: " + std::to_string(year) +
                           "-" + std::to_string(month) + "-" +
                           std::to_string(day));
  }
  return Date(year, month, day);
}

Result<Date> Date::ParseIso(std::string_view text) {
  auto digits = [&](size_t pos, size_t n, int& out) {
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) {
    return InvalidArgument("not an ISO 8601 date (YYYY-MM-DD): \"" +
                           std::string(text) + "\"");
  }
  return FromYmd(y, m, d);
}

std::string Date::ToIso() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year_, month_, day_);
  return buf;
}

int64_t Date::DaysSinceEpoch() const {
  // Howard Hinnant's days_from_civil.
  const int y = month_ <= 2 ? year_ - 1 : year_;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy =
      (153 * (month_ + (month_ > 2 ? -3 : 9)) + 2) / 5 + day_ - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) -
         719468;
}

}  // namespace invoices::core
