#include "invoices/extract/calibration.h"

#include <algorithm>
#include <cmath>

namespace invoices::extract {
namespace {

// Fitted on the 100 dev receipts (shared/datasets/sroie-dev) with
// `scan_bench --dataset ../shared/datasets/sroie-dev --fit-calibration`:
// paste its output here when the extractor's scores change.
constexpr CalibrationKnot kTotal[] = {
    {0.308, 0.667}, {0.624, 0.857}, {0.846, 0.909}, {0.904, 0.966}};
constexpr CalibrationKnot kDate[] = {
    {0.180, 0.667}, {0.457, 0.906}, {0.732, 0.959}};
constexpr CalibrationKnot kVendor[] = {
    {0.478, 0.083}, {0.657, 0.250}, {0.717, 0.333}, {0.791, 0.636},
    {0.841, 0.667}, {0.878, 0.773}, {0.904, 0.909}};
constexpr CalibrationKnot kAddress[] = {
    {0.535, 0.095}, {0.695, 0.167}, {0.724, 0.409}, {0.757, 0.769}};

}  // namespace

std::span<const CalibrationKnot> CalibrationOf(std::string_view field) {
  if (field == "total") return kTotal;
  if (field == "invoice_date") return kDate;
  if (field == "vendor_name") return kVendor;
  if (field == "vendor_address") return kAddress;
  return {};
}

double Calibrate(std::span<const CalibrationKnot> knots, double raw) {
  if (knots.empty()) return raw;
  if (raw <= knots.front().raw) return knots.front().calibrated;
  if (raw >= knots.back().raw) return knots.back().calibrated;
  for (size_t i = 1; i < knots.size(); ++i) {
    const CalibrationKnot& a = knots[i - 1];
    const CalibrationKnot& b = knots[i];
    if (raw > b.raw) continue;
    if (b.raw - a.raw < 1e-9) return b.calibrated;
    const double t = (raw - a.raw) / (b.raw - a.raw);
    return a.calibrated + t * (b.calibrated - a.calibrated);
  }
  return knots.back().calibrated;
}

void CalibrateConfidences(core::Extraction& result) {
  for (auto& [name, field] : result.fields) {
    const auto knots = CalibrationOf(name);
    if (knots.empty()) continue;
    field.confidence =
        std::round(Calibrate(knots, field.confidence) * 1000) / 1000;
  }
}

std::vector<CalibrationKnot> FitCalibration(
    std::vector<std::pair<double, bool>> samples, size_t min_block) {
  std::vector<CalibrationKnot> knots;
  if (samples.empty()) return knots;
  std::sort(samples.begin(), samples.end());
  min_block = std::max<size_t>(1, min_block);
  struct Block {
    double n = 0, right = 0, raw = 0;
    double Accuracy() const { return (right + 1) / (n + 2); }
  };
  std::vector<Block> blocks;
  for (size_t i = 0; i < samples.size(); i += min_block) {
    // A short last block joins the one before it.
    const bool last_short = i + min_block > samples.size() && !blocks.empty();
    Block b;
    for (size_t j = i; j < std::min(samples.size(), i + min_block); ++j) {
      b.n += 1;
      b.right += samples[j].second;
      b.raw += samples[j].first;
    }
    if (last_short) {
      blocks.back().n += b.n;
      blocks.back().right += b.right;
      blocks.back().raw += b.raw;
    } else {
      blocks.push_back(b);
    }
    // Pool adjacent violators: accuracy must not fall as the score rises.
    while (blocks.size() >= 2 &&
           blocks[blocks.size() - 2].Accuracy() >= blocks.back().Accuracy()) {
      Block top = blocks.back();
      blocks.pop_back();
      blocks.back().n += top.n;
      blocks.back().right += top.right;
      blocks.back().raw += top.raw;
    }
  }
  for (const Block& b : blocks) {
    knots.push_back({std::round(b.raw / b.n * 1000) / 1000,
                     std::round(b.Accuracy() * 1000) / 1000});
  }
  return knots;
}

}  // namespace invoices::extract
