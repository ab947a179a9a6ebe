#include "invoices/core/date.h"

#include <gtest/gtest.h>

namespace invoices::core {
namespace {

TEST(DateTest, ValidatesCalendar) {
  EXPECT_TRUE(Date::FromYmd(2020, 2, 29));
  EXPECT_FALSE(Date::FromYmd(2019, 2, 29));
  EXPECT_FALSE(Date::FromYmd(1900, 2, 29));
  EXPECT_TRUE(Date::FromYmd(2000, 2, 29));
  EXPECT_FALSE(Date::FromYmd(2018, 13, 1));
  EXPECT_FALSE(Date::FromYmd(2018, 4, 31));
  EXPECT_FALSE(Date::FromYmd(2018, 1, 0));
  EXPECT_FALSE(Date::FromYmd(99, 1, 1));
}

TEST(DateTest, IsoRoundTrip) {
  auto d = Date::ParseIso("2018-12-25");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->year(), 2018);
  EXPECT_EQ(d->month(), 12);
  EXPECT_EQ(d->day(), 25);
  EXPECT_EQ(d->ToIso(), "2018-12-25");
  EXPECT_EQ(Date::FromYmd(2018, 3, 9)->ToIso(), "2018-03-09");
}

TEST(DateTest, RefusesNonIso) {
  for (const char* bad : {"25/12/2018", "2018-1-5", "2018-02-30", "",
                          "2018-12-25T00:00", "20181225", "2018/12/25"}) {
    EXPECT_FALSE(Date::ParseIso(bad)) << bad;
  }
}

TEST(DateTest, OrdersAndCountsDays) {
  EXPECT_LT(*Date::ParseIso("2018-12-25"), *Date::ParseIso("2019-01-01"));
  EXPECT_EQ(Date::ParseIso("1970-01-01")->DaysSinceEpoch(), 0);
  EXPECT_EQ(Date::ParseIso("2000-03-01")->DaysSinceEpoch(), 11017);
}

}  // namespace
}  // namespace invoices::core
