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

// Found by the einvoice fuzz target (UBSan: signed integer overflow in
// Rescaled): an 18-digit amount with a currency's 2 minor digits.
TEST(DecimalTest, EighteenDigitAmountsPrintExactlyAndNeverOverflow) {
  const Decimal big = *Decimal::Parse("850000000227759835");
  EXPECT_EQ(big.ToString(2), "850000000227759835.00");
  EXPECT_EQ(Decimal::Parse("-85000000022775983.5")->ToString(3),
            "-85000000022775983.500");
  // Comparisons across scales stay exact beyond int64_t at the larger scale.
  EXPECT_GT(big, *Decimal::Parse("0.000001"));
  EXPECT_LT(Decimal(0, 0) - big, *Decimal::Parse("-0.000001"));
  EXPECT_EQ(*Decimal::Parse("999999999999999999"),
            *Decimal::Parse("999999999999999999"));
  // Results beyond int64_t units saturate instead of wrapping around.
  const Decimal max18 = *Decimal::Parse("999999999999999999");
  EXPECT_EQ((max18 + *Decimal::Parse("0.5")).units(), INT64_MAX);
  EXPECT_EQ((Decimal(0, 0) - max18 - *Decimal::Parse("0.5")).units(),
            -INT64_MAX);
  EXPECT_EQ(big.Rescaled(6).units(), INT64_MAX);
  EXPECT_EQ(Decimal(INT64_MIN, 0).ToString(), "-9223372036854775808");
}

TEST(DecimalTest, MinorDigitsFollowIso4217) {
  EXPECT_EQ(MinorDigits("MYR"), 2);
  EXPECT_EQ(MinorDigits("EUR"), 2);
  EXPECT_EQ(MinorDigits("JPY"), 0);
  EXPECT_EQ(MinorDigits("KWD"), 3);
  EXPECT_EQ(MinorDigits(""), 2);
}

TEST(DecimalTest, ToDoubleIsTheValueApproximately) {
  EXPECT_DOUBLE_EQ(Decimal(36109, 2).ToDouble(), 361.09);
  EXPECT_DOUBLE_EQ(Decimal(-5, 0).ToDouble(), -5.0);
  EXPECT_DOUBLE_EQ(Decimal(3333333, 6).ToDouble(), 3.333333);
}

}  // namespace
}  // namespace invoices::core
