#include "invoices/core/decimal.h"

#include <gtest/gtest.h>

namespace invoices::core {
namespace {

TEST(DecimalTest, ParsesCanonicalForms) {
  EXPECT_EQ(Decimal::Parse("1234.50")->ToString(), "1234.50");
  EXPECT_EQ(Decimal::Parse("-3")->ToString(), "-3");
  EXPECT_EQ(Decimal::Parse("0.5")->ToString(), "0.5");
  EXPECT_EQ(Decimal::Parse("0.05")->units(), 5);
}

TEST(DecimalTest, RefusesPrintedForms) {
  for (const char* bad :
       {"", "-", "+7.25", "1,234.50", "RM9.00", "1.2.3", "1.", ".", "abc",
        "12a", "1.2345678", "1234567890123456789"}) {
    auto d = Decimal::Parse(bad);
    ASSERT_FALSE(d) << bad;
    EXPECT_EQ(d.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(DecimalTest, ComparesAcrossScales) {
  EXPECT_EQ(*Decimal::Parse("9.00"), *Decimal::Parse("9.0"));
  EXPECT_EQ(*Decimal::Parse("9"), *Decimal::Parse("9.000"));
  EXPECT_LT(*Decimal::Parse("8.99"), *Decimal::Parse("9"));
  EXPECT_GT(*Decimal::Parse("-1"), *Decimal::Parse("-1.5"));
}

TEST(DecimalTest, AddsAndSubtractsExactly) {
  // 0.1 + 0.2 is exactly 0.3 in decimal, unlike binary floats.
  EXPECT_EQ((*Decimal::Parse("0.1") + *Decimal::Parse("0.2")).ToString(),
            "0.3");
  EXPECT_EQ((*Decimal::Parse("10") - *Decimal::Parse("0.01")).ToString(),
            "9.99");
}

TEST(DecimalTest, RescalesRoundingHalfAwayFromZero) {
  EXPECT_EQ(Decimal::Parse("9")->ToString(2), "9.00");
  EXPECT_EQ(Decimal::Parse("1.005")->ToString(2), "1.01");
  EXPECT_EQ(Decimal::Parse("-1.005")->ToString(2), "-1.01");
  EXPECT_EQ(Decimal::Parse("1.004")->ToString(2), "1.00");
  EXPECT_EQ(Decimal::Parse("1234.5")->ToString(0), "1235");
  EXPECT_EQ(Decimal::Parse("0.007")->ToString(3), "0.007");
}

TEST(DecimalTest, MinorDigitsFollowIso4217) {
  EXPECT_EQ(MinorDigits("MYR"), 2);
  EXPECT_EQ(MinorDigits("EUR"), 2);
  EXPECT_EQ(MinorDigits("JPY"), 0);
  EXPECT_EQ(MinorDigits("KWD"), 3);
  EXPECT_EQ(MinorDigits(""), 2);
}

}  // namespace
}  // namespace invoices::core
