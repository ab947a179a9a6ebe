#include "invoices/extract/calibration.h"

#include <gtest/gtest.h>

namespace invoices::extract {
namespace {

std::vector<std::pair<double, bool>> Samples(double raw, int right, int n) {
  std::vector<std::pair<double, bool>> s;
  for (int i = 0; i < n; ++i) s.emplace_back(raw, i < right);
  return s;
}

void Append(std::vector<std::pair<double, bool>>& to,
            const std::vector<std::pair<double, bool>>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

TEST(CalibrationTest, FitGivesTheSmoothedShareRightPerBlock) {
  std::vector<std::pair<double, bool>> s;
  Append(s, Samples(0.2, 2, 10));   // 20% right
  Append(s, Samples(0.5, 6, 10));   // 60%
  Append(s, Samples(0.8, 10, 10));  // all right: never claimed certain
  const auto knots = FitCalibration(s, 10);
  ASSERT_EQ(knots.size(), 3u);
  EXPECT_DOUBLE_EQ(knots[0].raw, 0.2);
  EXPECT_NEAR(knots[0].calibrated, 3.0 / 12, 1e-3);
  EXPECT_NEAR(knots[1].calibrated, 7.0 / 12, 1e-3);
  EXPECT_NEAR(knots[2].calibrated, 11.0 / 12, 1e-3);
}

TEST(CalibrationTest, BlocksWhoseAccuracyFallsArePooled) {
  // Higher raw scores that are right less often: one pooled block, the map
  // never falls as the score rises.
  std::vector<std::pair<double, bool>> s;
  Append(s, Samples(0.3, 9, 10));
  Append(s, Samples(0.6, 5, 10));
  Append(s, Samples(0.9, 10, 10));
  const auto knots = FitCalibration(s, 10);
  ASSERT_EQ(knots.size(), 2u);
  EXPECT_NEAR(knots[0].raw, 0.45, 1e-3);
  EXPECT_NEAR(knots[0].calibrated, 15.0 / 22, 1e-3);
  EXPECT_GT(knots[1].calibrated, knots[0].calibrated);
}

TEST(CalibrationTest, AShortLastBlockJoinsTheOneBefore) {
  std::vector<std::pair<double, bool>> s;
  Append(s, Samples(0.2, 0, 10));
  Append(s, Samples(0.9, 3, 3));
  const auto knots = FitCalibration(s, 10);
  ASSERT_EQ(knots.size(), 1u);
  EXPECT_NEAR(knots[0].calibrated, 4.0 / 15, 1e-3);
  EXPECT_TRUE(FitCalibration({}, 10).empty());
}

TEST(CalibrationTest, MapIsLinearBetweenKnotsAndFlatOutside) {
  const CalibrationKnot knots[] = {{0.4, 0.5}, {0.8, 0.9}};
  EXPECT_DOUBLE_EQ(Calibrate(knots, 0.1), 0.5);
  EXPECT_DOUBLE_EQ(Calibrate(knots, 0.4), 0.5);
  EXPECT_NEAR(Calibrate(knots, 0.6), 0.7, 1e-9);
  EXPECT_DOUBLE_EQ(Calibrate(knots, 0.95), 0.9);
  EXPECT_DOUBLE_EQ(Calibrate({}, 0.37), 0.37);
}

TEST(CalibrationTest, OnlyFieldsWithAMapChange) {
  ASSERT_FALSE(CalibrationOf("total").empty());
  ASSERT_TRUE(CalibrationOf("iban").empty());
  core::Extraction e;
  e.fields["total"].value = "9.00";
  e.fields["total"].confidence = 0.5;
  e.fields["iban"].value = "DE89370400440532013000";
  e.fields["iban"].confidence = 0.5;
  CalibrateConfidences(e);
  EXPECT_DOUBLE_EQ(e.fields["iban"].confidence, 0.5);
  EXPECT_NEAR(e.fields["total"].confidence,
              Calibrate(CalibrationOf("total"), 0.5), 1e-3);
  EXPECT_GE(e.fields["total"].confidence, 0);
  EXPECT_LE(e.fields["total"].confidence, 1);
}

}  // namespace
}  // namespace invoices::extract
