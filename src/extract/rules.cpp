#include "invoices/extract/rules.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace invoices::extract {
RuleStats RemoveRules(GrayImage& image, const RuleOptions& options) {
  RuleStats stats;
  const int w = image.width, h = image.height;
  if (w <= 0 || h <= 0) return stats;
  stats.threshold = OtsuThreshold(image);
  const size_t n = size_t(w) * h;
  // Thin ink: dark pixels whose vertical run of ink is short. A letter's
  // stem is as tall as the letter and is never thin.
  // Row by row (a column at a time would leave the cache on every pixel):
  // each column's run of ink open since `start[x]` is marked when it ends.
  std::vector<uint8_t> thin(n, 0);
  std::vector<int> start(size_t(w), -1);
  const auto close_run = [&](int x, int end) {
    if (end - start[x] <= options.max_thickness_px) {
      for (int r = start[x]; r < end; ++r) thin[size_t(r) * w + x] = 1;
    }
    start[x] = -1;
  };
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = &image.pixels[size_t(y) * w];
    for (int x = 0; x < w; ++x) {
      if (row[x] <= stats.threshold) {
        if (start[x] < 0) start[x] = y;
      } else if (start[x] >= 0) {
        close_run(x, y);
      }
    }
  }
  for (int x = 0; x < w; ++x) {
    if (start[x] >= 0) close_run(x, h);
  }
  const int min_length =
      std::max(options.min_length_px, int(options.min_length_share * w));
  std::vector<uint8_t> band(size_t(w), 0);
  // Runs to erase, found on the mask as it was, then painted.
  struct Run {
    int y, x0, x1;
  };
  std::vector<Run> runs;
  for (int y = 0; y < h; ++y) {
    // Whether thin ink lies within `slant_rows` of row y, column by column:
    // a slanted rule steps a row at a time.
    const uint8_t* own = &thin[size_t(y) * w];
    if (std::find(own, own + w, uint8_t(1)) == own + w) continue;
    const int r0 = std::max(0, y - options.slant_rows);
    const int r1 = std::min(h - 1, y + options.slant_rows);
    std::fill(band.begin(), band.end(), uint8_t(0));
    for (int r = r0; r <= r1; ++r) {
      const uint8_t* other = &thin[size_t(r) * w];
      for (int x = 0; x < w; ++x) band[x] |= other[x];
    }
    int x = 0;
    while (x < w) {
      if (!band[x]) {
        ++x;
        continue;
      }
      // A rule goes on across short gaps (dashes, a faint spot). It stops
      // at a letter's stroke: going on through strokes would join the bars
      // and tops of a line of capitals into a rule.
      int end = x + 1, last = x;
      for (; end < w && end - last <= options.max_gap_px + 1; ++end) {
        if (band[end]) last = end;
      }
      if (last + 1 - x >= min_length) runs.push_back({y, x, last + 1});
      x = last + 1;
    }
  }
  int previous_y = -2;
  for (const Run& run : runs) {
    bool erased_any = false;
    for (int x = run.x0; x < run.x1; ++x) {
      const size_t i = size_t(run.y) * w + x;
      if (thin[i]) {
        image.pixels[i] = 255;
        ++stats.erased;
        erased_any = true;
      }
    }
    // Rows of one rule (its thickness, its slant) count once.
    if (erased_any && run.y > previous_y + 1) ++stats.rules;
    if (erased_any) previous_y = run.y;
  }
  return stats;
}

}  // namespace invoices::extract
