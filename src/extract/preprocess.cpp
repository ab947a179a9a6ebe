#include "invoices/extract/preprocess.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
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
int OtsuOfLevels(const std::vector<int>& levels) {
  std::array<double, 256> hist{};
  for (int v : levels) hist[std::clamp(v, 0, 255)] += 1;
  return OtsuThreshold(hist);
}

double Cross(PointF o, PointF a, PointF b) {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

double Distance(PointF a, PointF b) { return std::hypot(a.x - b.x, a.y - b.y); }

// The convex hull (Andrew's monotone chain), counter-clockwise in x-right,
// y-up terms (clockwise on screen).
std::vector<PointF> ConvexHull(std::vector<PointF> points) {
  std::sort(points.begin(), points.end(), [](PointF a, PointF b) {
    return a.x < b.x || (a.x == b.x && a.y < b.y);
  });
  if (points.size() < 3) return points;
  std::vector<PointF> hull(2 * points.size());
  size_t k = 0;
  for (const PointF& p : points) {
    while (k >= 2 && Cross(hull[k - 2], hull[k - 1], p) <= 0) --k;
    hull[k++] = p;
  }
  for (size_t i = points.size() - 1, lower = k + 1; i-- > 0;) {
    while (k >= lower && Cross(hull[k - 2], hull[k - 1], points[i]) <= 0) --k;
    hull[k++] = points[i];
  }
  hull.resize(k - 1);
  return hull;
}

// A straight line through `points` by total least squares: a point on it
// and its unit direction.
struct Line {
  PointF point, direction;
};
Line FitLine(const std::vector<PointF>& points) {
  double mx = 0, my = 0;
  for (const PointF& p : points) {
    mx += p.x;
    my += p.y;
  }
  mx /= points.size();
  my /= points.size();
  double sxx = 0, sxy = 0, syy = 0;
  for (const PointF& p : points) {
    sxx += (p.x - mx) * (p.x - mx);
    sxy += (p.x - mx) * (p.y - my);
    syy += (p.y - my) * (p.y - my);
  }
  const double angle = 0.5 * std::atan2(2 * sxy, sxx - syy);
  return {{mx, my}, {std::cos(angle), std::sin(angle)}};
}

std::optional<PointF> Intersect(const Line& a, const Line& b) {
  const double det =
      a.direction.x * b.direction.y - a.direction.y * b.direction.x;
  if (std::abs(det) < 1e-9) return std::nullopt;
  const double t = ((b.point.x - a.point.x) * b.direction.y -
                    (b.point.y - a.point.y) * b.direction.x) /
                   det;
  return PointF{a.point.x + t * a.direction.x, a.point.y + t * a.direction.y};
}

// The distance from `p` to the segment a-b.
double SegmentDistance(PointF p, PointF a, PointF b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  const double t =
      len2 == 0
          ? 0
          : std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0);
  return std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

double PolygonArea(const std::array<PointF, 4>& c) {
  double area = 0;
  for (size_t i = 0; i < 4; ++i) {
    const PointF& a = c[i];
    const PointF& b = c[(i + 1) % 4];
    area += a.x * b.y - b.x * a.y;
  }
  return area / 2;  // positive: clockwise on screen
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

GrayImage StretchContrast(const GrayImage& image, double ink_share) {
  if (image.pixels.empty()) return image;
  std::array<size_t, 256> histogram{};
  for (uint8_t v : image.pixels) ++histogram[v];
  const size_t n = image.pixels.size();
  const size_t ink = std::max<size_t>(1, size_t(double(n) * ink_share));
  int black = -1, white = -1;
  size_t seen = 0;
  for (int v = 0; v < 256 && white < 0; ++v) {
    seen += histogram[v];
    if (black < 0 && seen >= ink) black = v;
    if (seen >= (n + 1) / 2) white = v;
  }
  if (white - black < 8) return image;  // a blank page: nothing to stretch
  GrayImage out = image;
  std::array<uint8_t, 256> map{};
  for (int v = 0; v < 256; ++v) {
    map[v] = uint8_t(std::clamp((v - black) * 255 / (white - black), 0, 255));
  }
  for (uint8_t& v : out.pixels) v = map[v];
  return out;
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
  // Background levels at cell centres, interpolated bilinearly. A column's
  // cells and weights are the same on every row.
  struct Column {
    int cell, c0, c1;
    double wx;
  };
  std::vector<Column> columns(size_t(image.width));
  for (int x = 0; x < image.width; ++x) {
    const double fx =
        std::clamp((x + 0.5) / g.cell - 0.5, 0.0, double(g.cols - 1));
    const int c0 = int(fx);
    columns[x] = {std::min(x / g.cell, g.cols - 1), c0,
                  std::min(c0 + 1, g.cols - 1), fx - c0};
  }
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
      const Column& k = columns[x];
      if (raw.at(k.cell, r) < no_paper) {
        o[x] = 255;
        continue;
      }
      const double level =
          row_level[k.c0] * (1 - k.wx) + row_level[k.c1] * k.wx;
      o[x] = uint8_t(std::min(255.0, in[x] * 255.0 / level));
    }
  }
  return out;
}

namespace {

// The background level above which a cell of `g` is paper, and the paper's
// and the surroundings' mean levels; nullopt unless paper stands out
// clearly from what surrounds it.
struct PaperSplit {
  int threshold = 0, paper = 0, other = 0;
};
std::optional<PaperSplit> SplitPaper(const Grid& g) {
  // Paper is what is clearly brighter than the rest, and not far below the
  // brightest paper (a hand or a wooden table may pass Otsu's threshold).
  std::vector<int> sorted = g.level;
  std::sort(sorted.begin(), sorted.end());
  const int bright = sorted[sorted.size() * 9 / 10];
  const int threshold = std::max(OtsuOfLevels(g.level), bright * 6 / 10);
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
  const PaperSplit split{threshold, paper_sum / paper_n, other_sum / other_n};
  if (split.paper - split.other < 60) return std::nullopt;
  return split;
}

}  // namespace

int ClearSurroundings(GrayImage& image) {
  if (image.width == 0 || image.height == 0) return 0;
  const std::optional<PaperSplit> split = SplitPaper(BackgroundGrid(image, 32));
  if (!split) return 0;
  // Halfway between the table and the paper: the table's pixels, and the
  // blur of the sheet's edge, are below it; the paper is above.
  const int below = (split->paper + split->other) / 2;
  const int w = image.width, h = image.height;
  std::vector<uint8_t> seen(size_t(w) * h, 0);
  std::vector<int> stack;
  auto push = [&](int x, int y) {
    const size_t i = size_t(y) * w + x;
    if (seen[i] || image.pixels[i] >= below) return;
    seen[i] = 1;
    stack.push_back(int(i));
  };
  for (int x = 0; x < w; ++x) {
    push(x, 0);
    push(x, h - 1);
  }
  for (int y = 0; y < h; ++y) {
    push(0, y);
    push(w - 1, y);
  }
  int painted = 0;
  const uint8_t paper = uint8_t(std::clamp(split->paper, 0, 255));
  while (!stack.empty()) {
    const int i = stack.back();
    stack.pop_back();
    image.pixels[i] = paper;
    ++painted;
    const int x = i % w, y = i / w;
    if (x > 0) push(x - 1, y);
    if (x + 1 < w) push(x + 1, y);
    if (y > 0) push(x, y - 1);
    if (y + 1 < h) push(x, y + 1);
  }
  return painted;
}

std::optional<core::BBox> FindPaper(const GrayImage& image) {
  if (image.width == 0 || image.height == 0) return std::nullopt;
  const Grid g = BackgroundGrid(image, 32);
  const std::optional<PaperSplit> split = SplitPaper(g);
  if (!split) return std::nullopt;
  const int threshold = split->threshold;

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

std::vector<core::BBox> FindUnreadText(const GrayImage& image,
                                       const std::vector<core::BBox>& read,
                                       int text_height, size_t max_bands) {
  const int w = image.width, h = image.height;
  if (w == 0 || h == 0 || text_height < 6 || max_bands == 0) return {};
  // A grid of cells a sixth of the text high: a line of text is about six
  // cells tall, and a cell is ink when enough of its pixels are. No more
  // than a million and a half cells (small print on a large scan), which
  // keeps the grids under 10 MB.
  int c = std::max(2, text_height / 6);
  while (int64_t(w / c) * (h / c) > 1'500'000) ++c;
  const int gw = (w + c - 1) / c, gh = (h + c - 1) / c;
  auto at = [gw](int x, int y) { return size_t(y) * gw + x; };
  std::vector<uint8_t> covered(size_t(gw) * gh, 0);
  const int m = text_height / 3;
  for (const core::BBox& b : read) {
    const int x0 = std::clamp((b.x0 - m) / c, 0, gw);
    const int x1 = std::clamp((b.x1 + m + c - 1) / c, 0, gw);
    const int y0 = std::clamp((b.y0 - m) / c, 0, gh);
    const int y1 = std::clamp((b.y1 + m + c - 1) / c, 0, gh);
    for (int y = y0; y < y1; ++y) {
      std::fill(covered.begin() + at(x0, y), covered.begin() + at(x1, y), 1);
    }
  }
  const int threshold = OtsuThreshold(image);
  std::vector<uint16_t> ink(size_t(gw) * gh, 0);
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = &image.pixels[size_t(y) * w];
    uint16_t* cells = &ink[at(0, y / c)];
    for (int gx = 0; gx < gw; ++gx) {
      const int x1 = std::min(w, (gx + 1) * c);
      int n = 0;
      for (int x = gx * c; x < x1; ++x) n += row[x] <= threshold;
      cells[gx] = uint16_t(std::min(65535, cells[gx] + n));
    }
  }
  const int min_ink = std::max(2, c * c / 16);
  std::vector<uint8_t> on(size_t(gw) * gh, 0);
  for (size_t i = 0; i < on.size(); ++i) {
    on[i] = !covered[i] && ink[i] >= min_ink;
  }
  // A vertical rule or the paper's edge is no text, and would join the
  // lines beside it into one band: ink no more than two cells wide that
  // runs down for more than 1.2 lines is left out (a slanted edge steps
  // from column to column, broken at times; a letter is wider or shorter).
  // Calls f(first, end) for each run [first, end) of set cells of `grid`
  // along row `k` (across) or column `k` (down).
  auto runs = [&](const std::vector<uint8_t>& grid, bool down, int k,
                  const auto& f) {
    const int n = down ? gh : gw;
    auto cell = [&](int i) { return down ? at(k, i) : at(i, k); };
    for (int i = 0; i < n;) {
      if (!grid[cell(i)]) {
        ++i;
        continue;
      }
      int end = i;
      while (end < n && grid[cell(end)]) ++end;
      f(i, end);
      i = end;
    }
  };
  std::vector<uint8_t> narrow(size_t(gw) * gh, 0);
  for (int y = 0; y < gh; ++y) {
    runs(on, false, y, [&](int x0, int x1) {
      if (x1 - x0 <= 2) std::fill_n(narrow.begin() + at(x0, y), x1 - x0, 1);
    });
  }
  const int tallest = (6 * text_height / 5 + c - 1) / c;
  for (int x = 0; x < gw; ++x) {
    runs(narrow, true, x, [&](int y0, int y1) {
      if (y1 - y0 <= tallest) return;
      for (int y = y0; y < y1; ++y) on[at(x, y)] = 0;
    });
  }
  // Letters and words of one line joined: gaps of up to 1.5 text heights
  // between ink cells of a row, over cells no word read covers.
  const int gap = (3 * text_height / 2 + c - 1) / c;
  std::vector<uint8_t> joined = on;
  for (int y = 0; y < gh; ++y) {
    int last = -1;
    for (int x = 0; x < gw; ++x) {
      if (covered[at(x, y)]) {
        last = -1;
      } else if (on[at(x, y)]) {
        if (last >= 0 && x - last - 1 <= gap) {
          std::fill(joined.begin() + at(last + 1, y), joined.begin() + at(x, y),
                    1);
        }
        last = x;
      }
    }
  }
  // Connected bands of joined cells (4-neighbours).
  struct Band {
    core::BBox cells;
    int64_t ink = 0;
    int area = 0;  // cells
  };
  std::vector<Band> bands;
  std::vector<uint8_t> seen(size_t(gw) * gh, 0);
  std::vector<std::pair<int, int>> stack;
  for (int y = 0; y < gh; ++y) {
    for (int x = 0; x < gw; ++x) {
      if (!joined[at(x, y)] || seen[at(x, y)]) continue;
      Band band{{x, y, x + 1, y + 1}};
      seen[at(x, y)] = 1;
      stack.push_back({x, y});
      while (!stack.empty()) {
        const auto [cx, cy] = stack.back();
        stack.pop_back();
        band.ink += ink[at(cx, cy)] * on[at(cx, cy)];
        ++band.area;
        band.cells = {std::min(band.cells.x0, cx), std::min(band.cells.y0, cy),
                      std::max(band.cells.x1, cx + 1),
                      std::max(band.cells.y1, cy + 1)};
        constexpr int kSteps[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        for (const auto& step : kSteps) {
          const int nx = cx + step[0], ny = cy + step[1];
          if (nx < 0 || ny < 0 || nx >= gw || ny >= gh) continue;
          if (!joined[at(nx, ny)] || seen[at(nx, ny)]) continue;
          seen[at(nx, ny)] = 1;
          stack.push_back({nx, ny});
        }
      }
      bands.push_back(band);
    }
  }
  std::vector<core::BBox> out;
  for (const Band& band : bands) {
    const core::BBox& g = band.cells;
    if (g.x0 == 0 || g.y0 == 0 || g.x1 == gw || g.y1 == gh) continue;
    const core::BBox box{g.x0 * c, g.y0 * c, std::min(w, g.x1 * c),
                         std::min(h, g.y1 * c)};
    const int bw = box.x1 - box.x0, bh = box.y1 - box.y0;
    if (bh < 0.6 * text_height || bh > 2.2 * text_height) continue;
    if (bw < 2 * text_height) continue;
    // Text is ink on a fifth to a third of its band, and letters fill most
    // of a line's cells; specks and dotted rules spread thinly over many.
    const double area = double(bw) * bh;
    if (band.ink > 0.5 * area || band.ink < 0.1 * area) continue;
    if (double(band.area) * c * c < 0.45 * area) continue;
    out.push_back(box);
  }
  auto area = [](const core::BBox& b) {
    return int64_t(b.x1 - b.x0) * (b.y1 - b.y0);
  };
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
    return area(a) > area(b);
  });
  if (out.size() > max_bands) out.resize(max_bands);
  return out;
}

// ---- perspective ----------------------------------------------------------

std::optional<Quad> FindPaperQuad(const GrayImage& image, int detect_side) {
  if (image.width < 16 || image.height < 16) return std::nullopt;
  const int longer = std::max(image.width, image.height);
  GrayImage small;
  if (longer > detect_side) {
    const double f = double(detect_side) / longer;
    small = Resize(image, std::max(16, int(std::lround(image.width * f))),
                   std::max(16, int(std::lround(image.height * f))));
  } else {
    small = image;
  }
  const int w = small.width, h = small.height;
  const size_t n = size_t(w) * h;

  // Paper: brighter than Otsu's threshold, and clearly so.
  const int threshold = OtsuThreshold(small);
  int64_t paper_sum = 0, paper_n = 0, other_sum = 0, other_n = 0;
  for (uint8_t v : small.pixels) {
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

  // The largest 4-connected region of paper.
  std::vector<int> label(n, -1);
  std::vector<size_t> stack;
  int best = -1;
  size_t best_size = 0;
  for (size_t start = 0; start < n; ++start) {
    if (label[start] >= 0 || small.pixels[start] <= threshold) continue;
    size_t size = 0;
    stack.assign(1, start);
    label[start] = int(start);
    while (!stack.empty()) {
      const size_t i = stack.back();
      stack.pop_back();
      ++size;
      const int x = int(i % w), y = int(i / w);
      const std::array<std::pair<int, int>, 4> next = {
          {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}}};
      for (const auto& [nx, ny] : next) {
        if (nx < 0 || nx >= w || ny < 0 || ny >= h) continue;
        const size_t j = size_t(ny) * w + nx;
        if (label[j] >= 0 || small.pixels[j] <= threshold) continue;
        label[j] = int(start);
        stack.push_back(j);
      }
    }
    if (size > best_size) {
      best_size = size;
      best = int(start);
    }
  }
  if (best < 0) return std::nullopt;
  // The sheet is the region with its holes (dark print, a logo) filled:
  // everything the outside cannot reach without crossing it.
  std::vector<uint8_t> outside(n, 0);
  stack.clear();
  auto seed = [&](int x, int y) {
    const size_t i = size_t(y) * w + x;
    if (label[i] != best && !outside[i]) {
      outside[i] = 1;
      stack.push_back(i);
    }
  };
  for (int x = 0; x < w; ++x) {
    seed(x, 0);
    seed(x, h - 1);
  }
  for (int y = 0; y < h; ++y) {
    seed(0, y);
    seed(w - 1, y);
  }
  while (!stack.empty()) {
    const size_t i = stack.back();
    stack.pop_back();
    const int x = int(i % w), y = int(i / w);
    if (x > 0) seed(x - 1, y);
    if (x + 1 < w) seed(x + 1, y);
    if (y > 0) seed(x, y - 1);
    if (y + 1 < h) seed(x, y + 1);
  }
  auto inside = [&](int x, int y) {
    return x >= 0 && x < w && y >= 0 && y < h && !outside[size_t(y) * w + x];
  };
  size_t area = 0, on_border = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      if (!inside(x, y)) continue;
      ++area;
      on_border += x == 0 || y == 0 || x == w - 1 || y == h - 1;
    }
  }
  if (area < 0.05 * n || area > 0.95 * n) return std::nullopt;
  // A sheet cut by the image's edge has an edge that is not its own.
  if (on_border > size_t(std::max(2, (w + h) / 100))) return std::nullopt;

  // The outline: midpoints of the pixel edges between sheet and outside.
  std::vector<PointF> outline;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      if (!inside(x, y)) continue;
      if (!inside(x - 1, y)) outline.push_back({double(x), y + 0.5});
      if (!inside(x + 1, y)) outline.push_back({x + 1.0, y + 0.5});
      if (!inside(x, y - 1)) outline.push_back({x + 0.5, double(y)});
      if (!inside(x, y + 1)) outline.push_back({x + 0.5, y + 1.0});
    }
  }
  // Four corners of the hull: drop the vertex that loses least area until
  // four are left, then fit each edge to the outline between them.
  std::vector<PointF> hull = ConvexHull(outline);
  if (hull.size() < 4) return std::nullopt;
  while (hull.size() > 4) {
    size_t drop = 0;
    double least = 1e300;
    for (size_t i = 0; i < hull.size(); ++i) {
      const PointF& prev = hull[(i + hull.size() - 1) % hull.size()];
      const PointF& next = hull[(i + 1) % hull.size()];
      const double loss = std::abs(Cross(prev, hull[i], next));
      if (loss < least) {
        least = loss;
        drop = i;
      }
    }
    hull.erase(hull.begin() + drop);
  }
  const double tolerance = std::max(1.5, 0.006 * std::max(w, h));
  std::array<Line, 4> edges;
  for (size_t i = 0; i < 4; ++i) {
    const PointF a = hull[i], b = hull[(i + 1) % 4];
    const double len = Distance(a, b);
    if (len < 8 * tolerance) return std::nullopt;
    const double ux = (b.x - a.x) / len, uy = (b.y - a.y) / len;
    std::vector<PointF> near;
    for (const PointF& p : outline) {
      const double t = ((p.x - a.x) * ux + (p.y - a.y) * uy) / len;
      const double d = std::abs((p.x - a.x) * uy - (p.y - a.y) * ux);
      // The middle of the edge: corners are rounded, torn or dog-eared.
      if (t > 0.1 && t < 0.9 && d < 2 * tolerance) near.push_back(p);
    }
    if (near.size() < 10) return std::nullopt;
    edges[i] = FitLine(near);
  }
  Quad quad;
  for (size_t i = 0; i < 4; ++i) {
    auto corner = Intersect(edges[(i + 3) % 4], edges[i]);
    if (!corner) return std::nullopt;
    quad.corners[i] = *corner;
  }
  // Confidence: the outline lies on the four edges, the sheet fills the
  // quadrilateral, and the corners are those of a sheet seen at an angle.
  size_t on_edges = 0;
  for (const PointF& p : outline) {
    double d = 1e300;
    for (size_t i = 0; i < 4; ++i) {
      d = std::min(
          d, SegmentDistance(p, quad.corners[i], quad.corners[(i + 1) % 4]));
    }
    on_edges += d <= tolerance;
  }
  if (on_edges < 0.9 * outline.size()) return std::nullopt;
  if (PolygonArea(quad.corners) < 0) {
    std::reverse(quad.corners.begin(), quad.corners.end());
  }
  const double quad_area = PolygonArea(quad.corners);
  if (quad_area <= 0 || area / quad_area < 0.95 || area / quad_area > 1.04) {
    return std::nullopt;
  }
  for (size_t i = 0; i < 4; ++i) {
    const PointF& prev = quad.corners[(i + 3) % 4];
    const PointF& c = quad.corners[i];
    const PointF& next = quad.corners[(i + 1) % 4];
    const double angle =
        std::acos(std::clamp(((prev.x - c.x) * (next.x - c.x) +
                              (prev.y - c.y) * (next.y - c.y)) /
                                 (Distance(prev, c) * Distance(next, c)),
                             -1.0, 1.0)) *
        180 / std::numbers::pi;
    if (angle < 50 || angle > 130) return std::nullopt;
  }
  // The top edge is the one pointing most nearly right.
  size_t top = 0;
  double straightest = 1e300;
  for (size_t i = 0; i < 4; ++i) {
    const PointF& a = quad.corners[i];
    const PointF& b = quad.corners[(i + 1) % 4];
    const double turn = std::abs(std::atan2(b.y - a.y, b.x - a.x));
    if (turn < straightest) {
      straightest = turn;
      top = i;
    }
  }
  std::rotate(quad.corners.begin(), quad.corners.begin() + top,
              quad.corners.end());
  const double sx = double(image.width) / w, sy = double(image.height) / h;
  for (PointF& c : quad.corners) c = {c.x * sx, c.y * sy};
  return quad;
}

double SkewDegrees(const Quad& quad) {
  const auto& c = quad.corners;
  auto degrees = [](double along, double across) {
    return std::abs(std::atan2(across, along)) * 180 / std::numbers::pi;
  };
  return std::max({degrees(c[1].x - c[0].x, c[1].y - c[0].y),
                   degrees(c[2].x - c[3].x, c[2].y - c[3].y),
                   degrees(c[3].y - c[0].y, c[3].x - c[0].x),
                   degrees(c[2].y - c[1].y, c[2].x - c[1].x)});
}

PointF Homography::Apply(PointF p) const {
  const double x = m[0] * p.x + m[1] * p.y + m[2];
  const double y = m[3] * p.x + m[4] * p.y + m[5];
  const double z = m[6] * p.x + m[7] * p.y + m[8];
  return {x / z, y / z};
}

std::optional<Homography> RectangleToQuad(const Quad& quad, double width,
                                          double height) {
  if (width <= 0 || height <= 0) return std::nullopt;
  const auto& c = quad.corners;
  // A convex quadrilateral, its corners in one turning direction.
  double sign = 0;
  for (size_t i = 0; i < 4; ++i) {
    const double turn = Cross(c[i], c[(i + 1) % 4], c[(i + 2) % 4]);
    if (std::abs(turn) < 1e-9 || (sign != 0 && (turn > 0) != (sign > 0))) {
      return std::nullopt;
    }
    sign = turn;
  }
  // The unit square onto the quad (Heckbert, "Fundamentals of Texture
  // Mapping and Image Warping", 1989), then the rectangle onto the square.
  const double dx1 = c[1].x - c[2].x, dx2 = c[3].x - c[2].x;
  const double dx3 = c[0].x - c[1].x + c[2].x - c[3].x;
  const double dy1 = c[1].y - c[2].y, dy2 = c[3].y - c[2].y;
  const double dy3 = c[0].y - c[1].y + c[2].y - c[3].y;
  const double det = dx1 * dy2 - dx2 * dy1;
  if (std::abs(det) < 1e-12) return std::nullopt;
  const double g = (dx3 * dy2 - dx2 * dy3) / det;
  const double k = (dx1 * dy3 - dx3 * dy1) / det;
  const double a = c[1].x - c[0].x + g * c[1].x;
  const double b = c[3].x - c[0].x + k * c[3].x;
  const double d = c[1].y - c[0].y + g * c[1].y;
  const double e = c[3].y - c[0].y + k * c[3].y;
  Homography hm;
  hm.m = {a / width, b / height, c[0].x,     d / width, e / height,
          c[0].y,    g / width,  k / height, 1};
  return hm;
}

std::pair<int, int> StraightenedSize(const Quad& quad) {
  const auto& c = quad.corners;
  const double width = std::max(Distance(c[0], c[1]), Distance(c[3], c[2]));
  const double height = std::max(Distance(c[0], c[3]), Distance(c[1], c[2]));
  return {std::max(1, int(std::lround(width))),
          std::max(1, int(std::lround(height)))};
}

GrayImage Warp(const GrayImage& image, const Homography& to_image, int width,
               int height) {
  GrayImage out;
  out.width = std::max(0, width);
  out.height = std::max(0, height);
  out.pixels.assign(size_t(out.width) * out.height, 255);
  if (image.width == 0 || image.height == 0) return out;
  const auto& m = to_image.m;
  const double max_x = image.width - 1, max_y = image.height - 1;
  for (int y = 0; y < out.height; ++y) {
    // Pixel centres; the numerators and the denominator grow linearly
    // along a row.
    const double v = y + 0.5;
    double px = m[0] * 0.5 + m[1] * v + m[2];
    double py = m[3] * 0.5 + m[4] * v + m[5];
    double pz = m[6] * 0.5 + m[7] * v + m[8];
    uint8_t* row = &out.pixels[size_t(y) * out.width];
    for (int x = 0; x < out.width; ++x, px += m[0], py += m[3], pz += m[6]) {
      if (pz <= 0) continue;
      const double inverse = 1 / pz;
      const double sx = px * inverse - 0.5, sy = py * inverse - 0.5;
      if (sx < -0.5 || sy < -0.5 || sx > max_x + 0.5 || sy > max_y + 0.5) {
        continue;
      }
      const double fx = std::clamp(sx, 0.0, max_x);
      const double fy = std::clamp(sy, 0.0, max_y);
      const int x0 = int(fx), y0 = int(fy);
      const int x1 = std::min(x0 + 1, image.width - 1);
      const int y1 = std::min(y0 + 1, image.height - 1);
      const double wx = fx - x0, wy = fy - y0;
      const double top = image.at(x0, y0) * (1 - wx) + image.at(x1, y0) * wx;
      const double bottom = image.at(x0, y1) * (1 - wx) + image.at(x1, y1) * wx;
      row[x] = uint8_t(top * (1 - wy) + bottom * wy + 0.5);
    }
  }
  return out;
}

GrayImage Resize(const GrayImage& in, int width, int height) {
  GrayImage out;
  out.width = width;
  out.height = height;
  out.pixels.resize(size_t(width) * height);
  const double sx = double(in.width) / width, sy = double(in.height) / height;
  if (sx >= 1 && sy >= 1) {
    // Box filter: the source rows of an output row are summed column by
    // column first, then each output pixel adds its columns.
    std::vector<int> x0s(width), x1s(width);
    for (int x = 0; x < width; ++x) {
      x0s[x] = int(x * sx);
      x1s[x] = std::max(x0s[x] + 1, int((x + 1) * sx));
    }
    std::vector<int> columns(size_t(in.width));
    for (int y = 0; y < height; ++y) {
      const int y0 = int(y * sy), y1 = std::max(y0 + 1, int((y + 1) * sy));
      std::fill(columns.begin(), columns.end(), 0);
      for (int yy = y0; yy < y1; ++yy) {
        const uint8_t* row = &in.pixels[size_t(yy) * in.width];
        for (int xx = 0; xx < in.width; ++xx) columns[xx] += row[xx];
      }
      uint8_t* out_row = &out.pixels[size_t(y) * width];
      for (int x = 0; x < width; ++x) {
        int sum = 0;
        for (int xx = x0s[x]; xx < x1s[x]; ++xx) sum += columns[xx];
        out_row[x] = uint8_t(sum / ((y1 - y0) * (x1s[x] - x0s[x])));
      }
    }
    return out;
  }
  // Bilinear. The columns' sources and weights are the same on every row.
  struct Column {
    int x0, x1;
    double wx;
  };
  std::vector<Column> columns(width);
  for (int x = 0; x < width; ++x) {
    const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, in.width - 1.0);
    const int x0 = int(fx);
    columns[x] = {x0, std::min(x0 + 1, in.width - 1), fx - x0};
  }
  // A source row interpolated across is shared by the output rows between
  // it and the next (five of them when enlarging five times): each is
  // computed once, when it is first needed.
  std::vector<double> top(width), bottom(width);
  int top_y = -1, bottom_y = -1;
  const auto across = [&](int source_y, std::vector<double>& out_row) {
    const uint8_t* r = &in.pixels[size_t(source_y) * in.width];
    for (int x = 0; x < width; ++x) {
      const Column& c = columns[x];
      out_row[x] = r[c.x0] * (1 - c.wx) + r[c.x1] * c.wx;
    }
  };
  for (int y = 0; y < height; ++y) {
    const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, in.height - 1.0);
    const int y0 = int(fy), y1 = std::min(y0 + 1, in.height - 1);
    const double wy = fy - y0;
    if (y0 != top_y) {
      if (y0 == bottom_y) {
        std::swap(top, bottom);
        std::swap(top_y, bottom_y);
      } else {
        across(y0, top);
        top_y = y0;
      }
    }
    if (y1 != bottom_y) {
      across(y1, bottom);
      bottom_y = y1;
    }
    uint8_t* row = &out.pixels[size_t(y) * width];
    for (int x = 0; x < width; ++x) {
      const double v = top[x] * (1 - wy) + bottom[x] * wy;
      // std::lround for v >= 0 (halves up), without its library call.
      const int whole = int(v);
      row[x] = uint8_t(whole + (v - whole >= 0.5));
    }
  }
  return out;
}

namespace {

// Dark pixels counted per row in vertical strips of a page: enough to
// turn the rows by shifting whole strips, which costs a pass over the
// counts, not over the pixels.
struct InkStrips {
  static constexpr int kWidth = 8;  // px; drifts under a pixel at 5 degrees
  int rows = 0, strips = 0;
  double centre = 0;        // x of the page's centre
  std::vector<int> counts;  // strip-major: counts[strip * rows + row]
  size_t ink = 0;
};

// Postl's sharpness of the rows of `ink` under a turn of `degrees`: the sum
// of squared differences between the counts of neighbouring rows, each
// strip's row being where its line would cross the centre's column.
double RowSharpness(const InkStrips& ink, double degrees, int margin,
                    std::vector<int>& rows) {
  rows.assign(size_t(ink.rows + 2 * margin + 1), 0);
  const double slope = std::tan(degrees * std::numbers::pi / 180);
  for (int s = 0; s < ink.strips; ++s) {
    const double x = s * InkStrips::kWidth + InkStrips::kWidth / 2.0;
    const int shift = std::clamp(
        int(std::lround((ink.centre - x) * slope)) + margin, 0, 2 * margin);
    const int* from = &ink.counts[size_t(s) * ink.rows];
    int* to = &rows[size_t(shift)];
    for (int y = 0; y < ink.rows; ++y) to[y] += from[y];
  }
  double sum = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    const double d = rows[i] - rows[i - 1];
    sum += d * d;
  }
  return sum;
}

}  // namespace

double EstimateSkew(const GrayImage& image, double max_degrees, int detect_side,
                    double min_gain) {
  const int longer = std::max(image.width, image.height);
  if (longer == 0) return 0;
  const double f = std::min(1.0, double(detect_side) / longer);
  const GrayImage small = f < 1
                              ? Resize(image, std::max(1, int(image.width * f)),
                                       std::max(1, int(image.height * f)))
                              : image;
  const int threshold = OtsuThreshold(small);
  InkStrips ink;
  ink.rows = small.height;
  ink.strips = (small.width + InkStrips::kWidth - 1) / InkStrips::kWidth;
  ink.centre = small.width / 2.0;
  ink.counts.assign(size_t(ink.strips) * ink.rows, 0);
  for (int y = 0; y < small.height; ++y) {
    for (int x = 0; x < small.width; ++x) {
      if (small.at(x, y) < threshold) {
        ++ink.counts[size_t(x / InkStrips::kWidth) * ink.rows + y];
        ++ink.ink;
      }
    }
  }
  // A page of a few words, or one mostly dark, tells no turn.
  const size_t pixels = size_t(small.width) * small.height;
  if (ink.ink < 200 || ink.ink > pixels / 2) return 0;
  const int margin =
      int(ink.centre * std::tan(max_degrees * std::numbers::pi / 180)) + 2;
  std::vector<int> rows;
  const double unturned = RowSharpness(ink, 0, margin, rows);
  double best = 0, best_sharpness = unturned;
  auto search = [&](double from, double to, double step) {
    for (double a = from; a <= to + 1e-9; a += step) {
      const double s = RowSharpness(ink, a, margin, rows);
      if (s > best_sharpness) {
        best_sharpness = s;
        best = a;
      }
    }
  };
  search(-max_degrees, max_degrees, 0.25);
  search(best - 0.2, best + 0.2, 0.05);
  if (best_sharpness < (1 + min_gain) * unturned) return 0;
  return best;
}

Deskewed Deskew(const GrayImage& image, double skew_degrees) {
  Deskewed out;
  if (image.width == 0 || image.height == 0) {
    out.image = image;
    return out;
  }
  // Each column moves up or down by whole pixels (a shear): the lines come
  // level and no pixel is resampled. (A bilinear rotation, tried first,
  // blurs every letter, took twice the time and read no more fields.)
  // Letters lean by the skew, which OCR reads as it reads a slant.
  const double t = std::tan(skew_degrees * std::numbers::pi / 180);
  std::vector<int> shift(size_t(image.width));
  for (int x = 0; x < image.width; ++x) shift[x] = int(std::lround(x * t));
  const int lowest = std::min(0, shift.back()),
            highest = std::max(0, shift.back());
  const int height = image.height + highest - lowest;
  // Pixel (u, v) comes from (u, v + shift(u) + lowest).
  out.to_image.m = {1, 0, 0, t, 1, double(lowest), 0, 0, 1};
  std::vector<uint8_t> border;
  for (int x = 0; x < image.width; ++x) {
    border.push_back(image.at(x, 0));
    border.push_back(image.at(x, image.height - 1));
  }
  for (int y = 0; y < image.height; ++y) {
    border.push_back(image.at(0, y));
    border.push_back(image.at(image.width - 1, y));
  }
  std::nth_element(border.begin(), border.begin() + border.size() / 2,
                   border.end());
  const uint8_t outside = border[border.size() / 2];
  out.image.width = image.width;
  out.image.height = height;
  out.image.pixels.assign(size_t(image.width) * height, outside);
  // Runs of columns that move alike, copied a row at a time.
  for (int u0 = 0; u0 < image.width;) {
    int u1 = u0 + 1;
    while (u1 < image.width && shift[u1] == shift[u0]) ++u1;
    const int from = shift[u0] + lowest;  // source row of the output's row 0
    for (int v = std::max(0, -from); v < height && v + from < image.height;
         ++v) {
      std::copy_n(&image.pixels[size_t(v + from) * image.width + u0], u1 - u0,
                  &out.image.pixels[size_t(v) * image.width + u0]);
    }
    u0 = u1;
  }
  return out;
}

}  // namespace invoices::extract
