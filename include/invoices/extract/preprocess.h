// Page preprocessing before OCR: what a photo or scan needs so that the
// engine's own global threshold separates ink from paper. Each step is a pure
// function of an image; the scanner decides which ones a page gets.
// Thread safety: reentrant; images are plain values.
#pragma once

#include <optional>

#include "invoices/core/extraction.h"
#include "invoices/extract/image.h"

namespace invoices::extract {

// How the paper's brightness varies over the page, measured on a coarse grid
// of local background levels (the brightest pixels of each cell).
struct BackgroundStats {
  int darkest = 255, brightest = 0;  // of the cells' background levels
  double dark_share = 0;  // share of cells whose background is below 128
};
BackgroundStats MeasureBackground(const GrayImage& image);

// Divides each pixel by the paper's local brightness, so that shadows, uneven
// light and a dark table around a photographed receipt become white and the
// ink stays dark. The local brightness is the maximum over cells of about
// `cell` pixels (text strokes are thinner than a cell), smoothed and
// interpolated. Cost is linear in the pixels.
GrayImage FlattenBackground(const GrayImage& image, int cell = 32);

// The box of the paper in a photo: the bounding box of the cells brighter
// than the surroundings (a receipt on a darker table), or nullopt when the
// paper fills the image or none stands out.
std::optional<core::BBox> FindPaper(const GrayImage& image);

// The pixels inside `box` (clamped to the image).
GrayImage Crop(const GrayImage& image, const core::BBox& box);

}  // namespace invoices::extract
