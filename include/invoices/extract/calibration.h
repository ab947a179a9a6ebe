// Calibrated confidences: what a field's confidence means. The extractor's
// own score ("raw", from OCR word confidences and the evidence behind the
// field) orders fields well but is not a probability: on the dev receipts
// dates at a raw 0.45 were right 95% of the time and vendor names at 0.65
// one time in eight. A monotone map per field, fitted on labelled documents
// (scan_bench --fit-calibration), turns the raw score into the share of
// fields right at that score, so that a field at 0.9 is right about nine
// times in ten (docs/BENCHMARKS.md, "Confidence calibration").
// Thread safety: reentrant; the maps are constants.
#pragma once

#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "invoices/core/extraction.h"

namespace invoices::extract {

// One knot of a map: fields whose raw score is about `raw` were right this
// share of the time. Between knots the map is linear; below the first and
// above the last it is flat.
struct CalibrationKnot {
  double raw = 0, calibrated = 0;
};

// The fitted map of a field, empty for fields without one.
std::span<const CalibrationKnot> CalibrationOf(std::string_view field);

// `raw` through `knots` (unchanged when there are none), in 0..1.
double Calibrate(std::span<const CalibrationKnot> knots, double raw);

// Calibrates the confidence of each field of `result` that has a map.
// For fields read by OCR; exact sources (e-invoices, payment codes) keep
// their confidence.
void CalibrateConfidences(core::Extraction& result);

// Fits a map to (raw score, right) samples: pool-adjacent-violators
// regression over blocks of at least `min_block` samples (sorted by raw
// score), each block's accuracy smoothed as (right + 1) / (n + 2) so that a
// small block never claims certainty. One knot a block, at its mean score.
std::vector<CalibrationKnot> FitCalibration(
    std::vector<std::pair<double, bool>> samples, size_t min_block = 10);

}  // namespace invoices::extract
