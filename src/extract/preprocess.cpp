#include "invoices/extract/preprocess.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace invoices::extract {
namespace {

// Local background levels on a grid of cells: the 90th percentile of each
// cell's pixels, which is the paper wherever a cell holds any of it (ink
// covers far less than a tenth of a cell of text).
struct Grid {
  int cols = 0, rows = 0, cell = 0;
  std::vector<int> level;
  int& at(int c, int r) { return level[size_t(r) * cols + c]; }
  int at(int c, int r) const { return level[size_t(r) * cols + c]; }
};

Grid BackgroundGrid(const GrayImage& image, int cell) {
  Grid g;
  g.cell = std::max(4, cell);
  g.cols = std::max(1, (image.width + g.cell - 1) / g.cell);
  g.rows = std::max(1, (image.height + g.cell - 1) / g.cell);
  g.level.assign(size_t(g.cols) * g.rows, 255);
  std::array<int, 256> hist;
  for (int r = 0; r < g.rows; ++r) {
    const int y0 = r * g.cell, y1 = std::min(image.height, y0 + g.cell);
    for (int c = 0; c < g.cols; ++c) {
      const int x0 = c * g.cell, x1 = std::min(image.width, x0 + g.cell);
      hist.fill(0);
      for (int y = y0; y < y1; ++y) {
        const uint8_t* row = &image.pixels[size_t(y) * image.width];
        for (int x = x0; x < x1; ++x) ++hist[row[x]];
      }
      const int n = (y1 - y0) * (x1 - x0);
      int seen = 0, v = 255;
      for (; v > 0; --v) {
        seen += hist[v];
        if (seen * 10 >= n) break;
      }
      g.at(c, r) = v;
    }
  }
  return g;
}

// Each cell takes the maximum of its neighbours (cells filled by a logo or
// bold heading borrow the paper around them), then the mean of its
// neighbours (no steps at cell borders).
Grid Smooth(const Grid& in) {
  Grid dilated = in, out = in;
  for (int r = 0; r < in.rows; ++r) {
    for (int c = 0; c < in.cols; ++c) {
      int m = 0;
      for (int dr = -1; dr <= 1; ++dr) {
        for (int dc = -1; dc <= 1; ++dc) {
          const int rr = r + dr, cc = c + dc;
          if (rr >= 0 && rr < in.rows && cc >= 0 && cc < in.cols) {
            m = std::max(m, in.at(cc, rr));
          }
        }
      }
      dilated.at(c, r) = m;
    }
  }
  for (int r = 0; r < in.rows; ++r) {
    for (int c = 0; c < in.cols; ++c) {
      int sum = 0, n = 0;
      for (int dr = -1; dr <= 1; ++dr) {
        for (int dc = -1; dc <= 1; ++dc) {
          const int rr = r + dr, cc = c + dc;
          if (rr >= 0 && rr < in.rows && cc >= 0 && cc < in.cols) {
            sum += dilated.at(cc, rr);
            ++n;
          }
        }
      }
      out.at(c, r) = sum / n;
    }
  }
  return out;
}

// Otsu's threshold over a list of levels.
int OtsuThreshold(const std::vector<int>& levels) {
  std::array<double, 256> hist{};
  for (int v : levels) hist[std::clamp(v, 0, 255)] += 1;
  const double n = double(levels.size());
  double sum = 0;
  for (int i = 0; i < 256; ++i) sum += i * hist[i];
  double w0 = 0, sum0 = 0, best = -1;
  int threshold = 128;
  for (int t = 0; t < 256; ++t) {
    w0 += hist[t];
    if (w0 == 0) continue;
    const double w1 = n - w0;
    if (w1 == 0) break;
    sum0 += t * hist[t];
    const double m0 = sum0 / w0, m1 = (sum - sum0) / w1;
    const double between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}

}  // namespace

BackgroundStats MeasureBackground(const GrayImage& image) {
  BackgroundStats stats;
  if (image.width == 0 || image.height == 0) return stats;
  const Grid g = BackgroundGrid(image, 32);
  int dark = 0;
  for (int v : g.level) {
    stats.darkest = std::min(stats.darkest, v);
    stats.brightest = std::max(stats.brightest, v);
    dark += v < 128;
  }
  stats.dark_share = double(dark) / g.level.size();
  return stats;
}

GrayImage FlattenBackground(const GrayImage& image, int cell) {
  if (image.width == 0 || image.height == 0) return image;
  const Grid raw = BackgroundGrid(image, cell);
  const Grid g = Smooth(raw);
  // Cells far darker than the paper hold none of it (a table, a hand, the
  // scanner's lid): they become white, so that OCR does not look for text in
  // them (and their edges).
  std::vector<int> sorted = raw.level;
  std::sort(sorted.begin(), sorted.end());
  const int no_paper = sorted[sorted.size() * 9 / 10] / 2;
  GrayImage out;
  out.width = image.width;
  out.height = image.height;
  out.pixels.resize(image.pixels.size());
  // Background levels at cell centres, interpolated bilinearly.
  std::vector<float> row_level(size_t(g.cols));
  for (int y = 0; y < image.height; ++y) {
    const double fy =
        std::clamp((y + 0.5) / g.cell - 0.5, 0.0, double(g.rows - 1));
    const int r0 = int(fy), r1 = std::min(r0 + 1, g.rows - 1);
    const double wy = fy - r0;
    for (int c = 0; c < g.cols; ++c) {
      row_level[c] = float(g.at(c, r0) * (1 - wy) + g.at(c, r1) * wy);
    }
    const uint8_t* in = &image.pixels[size_t(y) * image.width];
    uint8_t* o = &out.pixels[size_t(y) * image.width];
    const int r = std::min(y / g.cell, g.rows - 1);
    for (int x = 0; x < image.width; ++x) {
      if (raw.at(std::min(x / g.cell, g.cols - 1), r) < no_paper) {
        o[x] = 255;
        continue;
      }
      const double fx =
          std::clamp((x + 0.5) / g.cell - 0.5, 0.0, double(g.cols - 1));
      const int c0 = int(fx), c1 = std::min(c0 + 1, g.cols - 1);
      const double wx = fx - c0;
      const double level = row_level[c0] * (1 - wx) + row_level[c1] * wx;
      o[x] = uint8_t(std::min(255.0, in[x] * 255.0 / level));
    }
  }
  return out;
}

std::optional<core::BBox> FindPaper(const GrayImage& image) {
  if (image.width == 0 || image.height == 0) return std::nullopt;
  const Grid g = BackgroundGrid(image, 32);
  // Paper is what is clearly brighter than the rest, and not far below the
  // brightest paper (a hand or a wooden table may pass Otsu's threshold).
  std::vector<int> sorted = g.level;
  std::sort(sorted.begin(), sorted.end());
  const int bright = sorted[sorted.size() * 9 / 10];
  const int threshold = std::max(OtsuThreshold(g.level), bright * 6 / 10);
  // Paper must stand out clearly from what surrounds it.
  int paper_sum = 0, paper_n = 0, other_sum = 0, other_n = 0;
  for (int v : g.level) {
    if (v > threshold) {
      paper_sum += v;
      ++paper_n;
    } else {
      other_sum += v;
      ++other_n;
    }
  }
  if (paper_n == 0 || other_n == 0) return std::nullopt;
  if (paper_sum / paper_n - other_sum / other_n < 60) return std::nullopt;

  // The largest 4-connected region of paper cells.
  std::vector<int> label(g.level.size(), -1);
  int best_size = 0;
  core::BBox best;
  std::vector<int> stack;
  for (int start = 0; start < int(g.level.size()); ++start) {
    if (label[start] >= 0 || g.level[start] <= threshold) continue;
    int size = 0;
    int c0 = g.cols, r0 = g.rows, c1 = -1, r1 = -1;
    stack.assign(1, start);
    label[start] = start;
    while (!stack.empty()) {
      const int i = stack.back();
      stack.pop_back();
      ++size;
      const int c = i % g.cols, r = i / g.cols;
      c0 = std::min(c0, c);
      c1 = std::max(c1, c);
      r0 = std::min(r0, r);
      r1 = std::max(r1, r);
      const int next[4][2] = {{c - 1, r}, {c + 1, r}, {c, r - 1}, {c, r + 1}};
      for (const auto& [nc, nr] : next) {
        if (nc < 0 || nc >= g.cols || nr < 0 || nr >= g.rows) continue;
        const int j = nr * g.cols + nc;
        if (label[j] >= 0 || g.level[j] <= threshold) continue;
        label[j] = start;
        stack.push_back(j);
      }
    }
    if (size > best_size) {
      best_size = size;
      // One cell of margin: the edge cells hold paper and table both.
      best = {std::max(0, (c0 - 1) * g.cell), std::max(0, (r0 - 1) * g.cell),
              std::min(image.width, (c1 + 2) * g.cell),
              std::min(image.height, (r1 + 2) * g.cell)};
    }
  }
  if (best_size == 0) return std::nullopt;
  const double area = double(best.x1 - best.x0) * (best.y1 - best.y0);
  if (area > 0.9 * image.width * image.height) return std::nullopt;
  // A speck of bright table is no receipt.
  if (area < 0.05 * image.width * image.height) return std::nullopt;
  return best;
}

GrayImage Crop(const GrayImage& image, const core::BBox& box) {
  const int x0 = std::clamp(box.x0, 0, image.width);
  const int x1 = std::clamp(box.x1, x0, image.width);
  const int y0 = std::clamp(box.y0, 0, image.height);
  const int y1 = std::clamp(box.y1, y0, image.height);
  GrayImage out;
  out.width = x1 - x0;
  out.height = y1 - y0;
  out.pixels.resize(size_t(out.width) * out.height);
  for (int y = y0; y < y1; ++y) {
    std::copy_n(&image.pixels[size_t(y) * image.width + x0], out.width,
                &out.pixels[size_t(y - y0) * out.width]);
  }
  return out;
}

}  // namespace invoices::extract
