// Page preprocessing before OCR: what a photo or scan needs so that the
// engine's own global threshold separates ink from paper. Each step is a pure
// function of an image; the scanner decides which ones a page gets.
// Thread safety: reentrant; images are plain values.
#pragma once

#include <array>
#include <optional>
#include <utility>
#include <vector>

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

// Faint print (a faded thermal receipt, ink at 200 on paper at 240) made
// dark: grey levels are stretched linearly so that the darkest `ink_share`
// of the pixels become black and the median (the paper) white. Meant for a
// flattened page (FlattenBackground), where no dark surroundings are left to
// count as ink.
GrayImage StretchContrast(const GrayImage& image, double ink_share = 0.03);

// The box of the paper in a photo: the bounding box of the cells brighter
// than the surroundings (a receipt on a darker table), or nullopt when the
// paper fills the image or none stands out.
std::optional<core::BBox> FindPaper(const GrayImage& image);

// Paints the surroundings of a sheet photographed on a darker table (what
// is darker than halfway between the two and reaches the image's edge
// through such pixels) as paper: a tilted sheet cropped to its box leaves
// wedges of table in the corners, and a grey frame makes Tesseract's page
// layout drop whole columns of text. Ink on the sheet is enclosed by paper
// and stays. Returns the pixels painted (0 when no sheet stands out). Cost
// is linear in the pixels.
int ClearSurroundings(GrayImage& image);

// Resamples to the given size with area averaging (shrinking) or bilinear
// interpolation (enlarging).
GrayImage Resize(const GrayImage& image, int width, int height);

// The pixels inside `box` (clamped to the image).
GrayImage Crop(const GrayImage& image, const core::BBox& box);

// Text that OCR's page layout dropped (a line between two tables, a label and
// its value beside a block read as a picture): bands of ink about as high as
// the text read (`text_height` px, 0.6 to 2.2 times it) and at least twice as
// wide, that no box of `read` (the words read, each widened by a third of
// the text height) touches. Ink apart by less than 1.5 text heights on a row
// is one band; bands touching the image's edge (a scanner's shadow) and
// bands mostly ink (a stamp, a bar) are none. At most `max_bands`, the
// largest first. Cost is linear in the pixels (a few milliseconds a page).
std::vector<core::BBox> FindUnreadText(const GrayImage& image,
                                       const std::vector<core::BBox>& read,
                                       int text_height, size_t max_bands = 8);

// ---- perspective: a receipt photographed at an angle on a table ----------

struct PointF {
  double x = 0, y = 0;
};

// A sheet's four corners in pixels of the image: top left, top right,
// bottom right, bottom left (clockwise on screen). "Top" is the side
// nearest to pointing right: a sheet turned by up to 45 degrees keeps its
// top; which way its text runs is left to OCR.
struct Quad {
  std::array<PointF, 4> corners;
};

// The paper as a quadrilateral: a sheet clearly brighter than what
// surrounds it (at least 60 grey levels), with four straight edges, all
// inside the image, covering 5% to 95% of it. nullopt unless the sheet is
// found confidently: its outline must lie within about 1% of the image on
// the four fitted edges (a hand, a fold or a second sheet break that), the
// sheet must fill the quadrilateral, and no corner may be sharper than 50
// or blunter than 130 degrees. Searched on a copy reduced to `detect_side`
// pixels on its longer side (edges fitted to sub-pixel there), so the cost
// is that of reducing the image, a few milliseconds.
std::optional<Quad> FindPaperQuad(const GrayImage& image,
                                  int detect_side = 512);

// The largest angle, in degrees, between a side of `quad` and the image axis
// it runs along: 0 for an axis-aligned rectangle. Small angles are left to
// OCR's own deskewing; perspective and larger turns are worth straightening.
double SkewDegrees(const Quad& quad);

// A projective map of the plane.
struct Homography {
  std::array<double, 9> m{1, 0, 0, 0, 1, 0, 0, 0, 1};  // row-major 3 x 3
  PointF Apply(PointF p) const;
};

// The homography that maps the corners of the rectangle (0, 0)-(width,
// height) onto `quad`'s corners in order; nullopt when `quad` is degenerate
// (three corners on a line, or crossed).
std::optional<Homography> RectangleToQuad(const Quad& quad, double width,
                                          double height);

// The size a quad straightens into: the longer of each pair of opposite
// sides, so that no part of the sheet loses resolution.
std::pair<int, int> StraightenedSize(const Quad& quad);

// The image `to_image` maps a width x height rectangle into, resampled as
// that rectangle (bilinear; points outside the image are white): with
// RectangleToQuad's map, the sheet straightened.
GrayImage Warp(const GrayImage& image, const Homography& to_image, int width,
               int height);

// ---- skew: a page scanned or photographed a little turned ---------------

// The angle, in degrees, by which the page's lines of text are turned
// (positive: they fall to the right, as a sheet turned clockwise on the
// scanner), between -max_degrees and max_degrees: the turn under which the
// rows of ink are sharpest (Postl's projection profile: the sum of squared
// differences between neighbouring rows' counts of dark pixels), searched in
// steps of a quarter degree, then a twentieth around the best. Measured on a
// copy reduced to `detect_side` pixels on its longer side; 0 when the page
// holds too little ink to tell, or no turn is sharper than none by at least
// `min_gain` (a share of the sharpness unturned). A few milliseconds a page.
double EstimateSkew(const GrayImage& image, double max_degrees = 5,
                    int detect_side = 1000, double min_gain = 0.05);

// A page levelled: its lines, turned by `skew_degrees` (EstimateSkew's
// angle), made horizontal by a shear, each column moved up or down by whole
// pixels so that no pixel is resampled (a rotation's interpolation blurs the
// letters; they lean by the skew instead, which OCR reads as a slant). The
// page grows in height by the drift; what it adds takes the median level of
// the image's border (a scan's paper, or the table around a photographed
// sheet: white wedges on a grey frame read as letters). With the map from
// its pixels back to the image's. Cost: a copy of the image.
struct Deskewed {
  GrayImage image;
  Homography to_image;
};
Deskewed Deskew(const GrayImage& image, double skew_degrees);

}  // namespace invoices::extract
