// Photos of a receipt on a table for the perspective tests: a real receipt
// (scanned flat) mapped by a known homography onto a dark, noisy table.
// Header-only; used by the preprocessing and scanner tests.
#pragma once

#include <gtest/gtest.h>
#include <png.h>

#include <cmath>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>

#include "invoices/extract/image.h"
#include "invoices/extract/preprocess.h"

namespace invoices::extract::photo_testing {

// A real receipt (a white thermal print, scanned flat): the text lines of the
// synthesized photos below.
inline GrayImage Receipt() {
  std::ifstream in(std::string(INVOICES_SHARED_DIR) +
                       "/datasets/sroie-dev/images/X00016469612.jpg",
                   std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  const std::string s = bytes.str();
  auto d = DecodeImage({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  EXPECT_TRUE(d) << d.error().ToString();
  return d ? d->image : GrayImage{};
}

inline std::optional<Homography> Invert(const Homography& h) {
  const auto& m = h.m;
  const double a = m[4] * m[8] - m[5] * m[7], b = m[5] * m[6] - m[3] * m[8],
               c = m[3] * m[7] - m[4] * m[6];
  const double det = m[0] * a + m[1] * b + m[2] * c;
  if (std::abs(det) < 1e-12) return std::nullopt;
  Homography inv;
  inv.m = {a / det,
           (m[2] * m[7] - m[1] * m[8]) / det,
           (m[1] * m[5] - m[2] * m[4]) / det,
           b / det,
           (m[0] * m[8] - m[2] * m[6]) / det,
           (m[2] * m[3] - m[0] * m[5]) / det,
           c / det,
           (m[1] * m[6] - m[0] * m[7]) / det,
           (m[0] * m[4] - m[1] * m[3]) / det};
  return inv;
}

// `paper` as photographed: mapped onto `where` (its corners from top left,
// clockwise) on a dark, slightly noisy table of w x h.
inline GrayImage Photograph(const GrayImage& paper, const Quad& where, int w,
                            int h) {
  auto to_photo = RectangleToQuad(where, paper.width, paper.height);
  EXPECT_TRUE(to_photo);
  auto to_paper = Invert(*to_photo);
  EXPECT_TRUE(to_paper);
  std::mt19937 noise(7);
  GrayImage photo{w, h, std::vector<uint8_t>(size_t(w) * h, 0)};
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const PointF p = to_paper->Apply({x + 0.5, y + 0.5});
      const double px = p.x - 0.5, py = p.y - 0.5;
      uint8_t v = uint8_t(45 + noise() % 20);  // the table
      if (px >= 0 && py >= 0 && px <= paper.width - 1 &&
          py <= paper.height - 1) {
        const int x0 = int(px), y0 = int(py);
        const int x1 = std::min(x0 + 1, paper.width - 1);
        const int y1 = std::min(y0 + 1, paper.height - 1);
        const double fx = px - x0, fy = py - y0;
        v = uint8_t(std::lround(
            (paper.at(x0, y0) * (1 - fx) + paper.at(x1, y0) * fx) * (1 - fy) +
            (paper.at(x0, y1) * (1 - fx) + paper.at(x1, y1) * fx) * fy));
      }
      photo.pixels[size_t(y) * w + x] = v;
    }
  }
  return photo;
}

// Seen from the bottom right and turned a little: the far (top) edge is
// shorter than the near one, and no edge is parallel to an image axis.
inline const Quad kTilted = {
    {{{430, 170}, {1010, 250}, {1150, 1480}, {250, 1390}}}};

// A grey PNG of `image`, as a phone app might upload it.
inline std::vector<uint8_t> EncodePng(const GrayImage& img) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = img.width;
  image.height = img.height;
  image.format = PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  png_image_write_to_memory(&image, nullptr, &size, 0, img.pixels.data(), 0,
                            nullptr);
  std::vector<uint8_t> out(size);
  EXPECT_TRUE(png_image_write_to_memory(&image, out.data(), &size, 0,
                                        img.pixels.data(), 0, nullptr));
  out.resize(size);
  return out;
}

}  // namespace invoices::extract::photo_testing
