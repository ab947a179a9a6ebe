#include "invoices/extract/preprocess.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include "photo_testing.h"

namespace invoices::extract {
namespace {

using photo_testing::kTilted;
using photo_testing::Photograph;
using photo_testing::Receipt;

GrayImage Filled(int w, int h, uint8_t v) {
  return {w, h, std::vector<uint8_t>(size_t(w) * h, v)};
}

void FillRect(GrayImage& img, int x0, int y0, int x1, int y1, uint8_t v) {
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) img.pixels[size_t(y) * img.width + x] = v;
  }
}

// Paper whose light falls from 240 on the left to 120 on the right, with
// thin dark strokes (text) every 16 pixels that are 60 below the paper.
GrayImage UnevenPage() {
  GrayImage img = Filled(640, 480, 0);
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      const int paper = 240 - 120 * x / img.width;
      const bool ink = (y % 16 < 2) && (x % 40 < 30);
      img.pixels[size_t(y) * img.width + x] = uint8_t(ink ? paper - 60 : paper);
    }
  }
  return img;
}

TEST(PreprocessTest, FlattenMakesUnevenPaperWhiteAndKeepsInkDark) {
  const GrayImage page = UnevenPage();
  const GrayImage flat = FlattenBackground(page);
  ASSERT_EQ(flat.width, page.width);
  ASSERT_EQ(flat.height, page.height);
  // Paper on the bright and on the dark side alike comes out near white.
  EXPECT_GE(flat.at(20, 8), 245);
  EXPECT_GE(flat.at(600, 8), 230);
  // Ink stays clearly darker than paper on both sides: a global threshold
  // now separates them, which it could not before (ink on the bright side,
  // 180, is lighter than paper on the dark side, 120).
  EXPECT_LE(flat.at(20, 0), 200);
  EXPECT_LE(flat.at(600, 0), 150);
  EXPECT_GT(page.at(20, 0), page.at(600, 8));
}

TEST(PreprocessTest, MeasureBackgroundSeesTheSpreadOfLight) {
  const BackgroundStats even = MeasureBackground(Filled(256, 256, 230));
  EXPECT_EQ(even.darkest, 230);
  EXPECT_EQ(even.brightest, 230);
  EXPECT_EQ(even.dark_share, 0);
  const BackgroundStats uneven = MeasureBackground(UnevenPage());
  EXPECT_GT(uneven.brightest - uneven.darkest, 90);
}

TEST(PreprocessTest, FindPaperCropsAReceiptOnADarkTable) {
  GrayImage photo = Filled(800, 1000, 40);   // the table
  FillRect(photo, 200, 100, 560, 900, 225);  // the receipt
  FillRect(photo, 240, 200, 500, 204, 30);   // a line of its text
  const auto paper = FindPaper(photo);
  ASSERT_TRUE(paper.has_value());
  // The box holds all the paper, with at most two cells of margin.
  EXPECT_LE(paper->x0, 200);
  EXPECT_LE(paper->y0, 100);
  EXPECT_GE(paper->x1, 560);
  EXPECT_GE(paper->y1, 900);
  EXPECT_GE(paper->x0, 200 - 64);
  EXPECT_LE(paper->x1, 560 + 64);
  const GrayImage crop = Crop(photo, *paper);
  EXPECT_EQ(crop.width, paper->x1 - paper->x0);
  EXPECT_EQ(crop.height, paper->y1 - paper->y0);
  EXPECT_EQ(crop.at(200 - paper->x0 + 10, 150 - paper->y0), 225);
}

TEST(PreprocessTest, ClearSurroundingsPaintsTheTableAroundATiltedSheet) {
  // A grey table, a sheet turned a little (its rows step right one pixel
  // every ten), text on the sheet, one word touching its left edge.
  GrayImage photo = Filled(600, 600, 140);
  for (int y = 50; y < 550; ++y) {
    const int shift = (y - 50) / 10;
    FillRect(photo, 60 + shift, y, 500 + shift, y + 1, 236);
  }
  FillRect(photo, 120, 200, 300, 210, 30);  // text
  FillRect(photo, 89, 300, 110, 310, 30);   // text 4 px from the edge
  const int painted = ClearSurroundings(photo);
  EXPECT_GT(painted, 0);
  // The table, wedges included, is paper now; the text stays.
  EXPECT_GE(photo.at(5, 5), 230);
  EXPECT_GE(photo.at(590, 40), 230);
  EXPECT_GE(photo.at(62, 540), 230);  // the wedge left by the turn
  EXPECT_EQ(photo.at(150, 205), 30);
  EXPECT_EQ(photo.at(95, 305), 30);
  EXPECT_EQ(photo.at(300, 300), 236);
  // A scan that is all paper is left alone.
  GrayImage scan = Filled(400, 400, 235);
  FillRect(scan, 0, 100, 400, 104, 20);  // a rule from edge to edge
  EXPECT_EQ(ClearSurroundings(scan), 0);
  EXPECT_EQ(scan.at(10, 102), 20);
}

TEST(PreprocessTest, FindPaperLeavesAScanThatIsAllPaper) {
  GrayImage scan = Filled(800, 1000, 235);
  FillRect(scan, 100, 100, 700, 110, 20);
  EXPECT_FALSE(FindPaper(scan).has_value());
  EXPECT_FALSE(FindPaper(Filled(300, 300, 40)).has_value());  // no paper
}

TEST(PreprocessTest, FlattenWhitensWhatIsNoPaper) {
  GrayImage photo = Filled(640, 640, 20);
  FillRect(photo, 160, 0, 480, 640, 220);
  const GrayImage flat = FlattenBackground(photo);
  EXPECT_EQ(flat.at(10, 320), 255);   // the dark table
  EXPECT_GE(flat.at(320, 320), 250);  // the paper
}

TEST(PreprocessTest, CropClampsToTheImage) {
  const GrayImage img = Filled(10, 10, 7);
  const GrayImage crop = Crop(img, {-5, 5, 50, 8});
  EXPECT_EQ(crop.width, 10);
  EXPECT_EQ(crop.height, 3);
  EXPECT_EQ(Crop(img, {8, 8, 2, 2}).pixels.size(), 0u);
}

// A line of "letters" 30 px high from (x, y): strokes 4 px wide, 8 px
// apart, in words of five letters with a 20 px space; its box.
core::BBox TextLine(GrayImage& img, int x, int y, int letters) {
  int at = x, end = x;
  for (int i = 0; i < letters; ++i) {
    FillRect(img, at, y, at + 4, y + 30, 20);
    FillRect(img, at, y + 13, at + 8, y + 17, 20);
    end = at + 8;
    at += 12 + (i % 5 == 4 ? 20 : 0);
  }
  return {x, y, end, y + 30};
}

TEST(UnreadTextTest, FindsALineNoWordCoversAndNothingElse) {
  GrayImage page = Filled(1200, 900, 245);
  std::vector<core::BBox> read;
  for (int row = 0; row < 8; ++row) {
    read.push_back(TextLine(page, 100, 100 + 60 * row, 30));
  }
  // Dropped by the layout: a line in another column, between two read rows.
  const core::BBox dropped = TextLine(page, 700, 220, 20);
  // Not text: a solid stamp, a faint hatch, strokes going down a stair
  // (most of their band blank), a shadow at the edge, a single speck.
  FillRect(page, 700, 500, 900, 530, 20);
  for (int x = 700; x < 1000; x += 14) FillRect(page, x, 580, x + 1, 610, 20);
  for (int i = 0; i < 5; ++i) {
    FillRect(page, 700 + 60 * i, 640 + 8 * i, 760 + 60 * i, 648 + 8 * i, 20);
  }
  FillRect(page, 0, 700, 300, 730, 20);
  FillRect(page, 1000, 100, 1006, 106, 20);
  const std::vector<core::BBox> found = FindUnreadText(page, read, 30);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_LE(std::abs(found[0].x0 - dropped.x0), 10);
  EXPECT_LE(std::abs(found[0].y0 - dropped.y0), 10);
  EXPECT_LE(std::abs(found[0].x1 - dropped.x1), 10);
  EXPECT_LE(std::abs(found[0].y1 - dropped.y1), 10);
  // Once read, nothing is left; nor is anything with no height to go by.
  read.push_back(dropped);
  EXPECT_TRUE(FindUnreadText(page, read, 30).empty());
  EXPECT_TRUE(FindUnreadText(page, {}, 0).empty());
  // The largest bands first, no more than asked for.
  const core::BBox second = TextLine(page, 700, 400, 10);
  read.pop_back();
  const std::vector<core::BBox> two = FindUnreadText(page, read, 30);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_LE(std::abs(two[1].x1 - second.x1), 10);
  EXPECT_EQ(FindUnreadText(page, read, 30, 1).size(), 1u);
}

// The paper's edge or a vertical rule beside a dropped column of prices,
// slanted and broken as a photo's is, is no text and joins nothing: each
// price is found alone, as high as its line.
TEST(UnreadTextTest, AnEdgeBesideDroppedPricesJoinsNoLines) {
  GrayImage page = Filled(1200, 900, 245);
  std::vector<core::BBox> read;
  for (int row = 0; row < 8; ++row) {
    read.push_back(TextLine(page, 100, 100 + 45 * row, 20));
  }
  std::vector<core::BBox> prices;
  for (int row = 0; row < 4; ++row) {
    prices.push_back(TextLine(page, 800, 100 + 45 * row, 5));
  }
  // Pieces 60 px long (two lines), stepping right by 2 px each.
  for (int i = 0; i < 8; ++i) {
    FillRect(page, 900 + 2 * i, 60 + 66 * i, 903 + 2 * i, 120 + 66 * i, 20);
  }
  std::vector<core::BBox> found = FindUnreadText(page, read, 30);
  ASSERT_EQ(found.size(), prices.size());
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.y0 < b.y0; });
  for (size_t i = 0; i < prices.size(); ++i) {
    EXPECT_LE(std::abs(found[i].y0 - prices[i].y0), 10) << i;
    EXPECT_LE(std::abs(found[i].y1 - prices[i].y1), 10) << i;
  }
}

// ---- perspective -----------------------------------------------------------

// Rows of a straightened receipt with no ink at all: the gaps between text
// lines, which only an axis-aligned page has many of.
int BlankRows(const GrayImage& img, int x0, int x1) {
  int blank = 0;
  for (int y = 0; y < img.height; ++y) {
    bool ink = false;
    for (int x = x0; x < x1 && !ink; ++x) ink = img.at(x, y) < 128;
    blank += !ink;
  }
  return blank;
}

TEST(PerspectiveTest, RectangleToQuadMapsTheCornersAndRefusesDegenerateQuads) {
  auto h = RectangleToQuad(kTilted, 463, 1013);
  ASSERT_TRUE(h);
  const PointF rect[4] = {{0, 0}, {463, 0}, {463, 1013}, {0, 1013}};
  for (int i = 0; i < 4; ++i) {
    const PointF p = h->Apply(rect[i]);
    EXPECT_NEAR(p.x, kTilted.corners[i].x, 1e-6);
    EXPECT_NEAR(p.y, kTilted.corners[i].y, 1e-6);
  }
  // Three corners on a line, and a crossed ("bow tie") quad.
  EXPECT_FALSE(
      RectangleToQuad({{{{0, 0}, {50, 0}, {100, 0}, {0, 100}}}}, 10, 10));
  EXPECT_FALSE(
      RectangleToQuad({{{{0, 0}, {100, 100}, {100, 0}, {0, 100}}}}, 10, 10));
  EXPECT_FALSE(RectangleToQuad(kTilted, 0, 10));
}

TEST(PerspectiveTest, SkewDegreesIsZeroForAnUprightRectangle) {
  EXPECT_NEAR(SkewDegrees({{{{10, 10}, {200, 10}, {200, 300}, {10, 300}}}}), 0,
              1e-9);
  // Turned by 5 degrees about its top left corner.
  const double a = 5 * std::numbers::pi / 180;
  const Quad turned = {{{{0, 0},
                         {100 * std::cos(a), 100 * std::sin(a)},
                         {100 * std::cos(a) - 200 * std::sin(a),
                          100 * std::sin(a) + 200 * std::cos(a)},
                         {-200 * std::sin(a), 200 * std::cos(a)}}}};
  EXPECT_NEAR(SkewDegrees(turned), 5, 1e-9);
  EXPECT_GT(SkewDegrees(kTilted), 5);
}

TEST(PerspectiveTest, FindsTheCornersOfAReceiptPhotographedAtAnAngle) {
  const GrayImage receipt = Receipt();
  ASSERT_EQ(receipt.width, 463);
  const GrayImage photo = Photograph(receipt, kTilted, 1400, 1600);
  const auto quad = FindPaperQuad(photo);
  ASSERT_TRUE(quad);
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(quad->corners[i].x, kTilted.corners[i].x, 4) << "corner " << i;
    EXPECT_NEAR(quad->corners[i].y, kTilted.corners[i].y, 4) << "corner " << i;
  }
  // The same sheet turned by 90 degrees keeps the edge nearest to pointing
  // right as its top: the corners start elsewhere, and text orientation is
  // OCR's business.
  const Quad turned = {{{{1390, 250}, {1480, 1150}, {170, 1010}, {250, 430}}}};
  const GrayImage sideways = Photograph(receipt, turned, 1700, 1500);
  const auto found = FindPaperQuad(sideways);
  ASSERT_TRUE(found);
  EXPECT_NEAR(found->corners[0].x, 250, 4);
  EXPECT_NEAR(found->corners[0].y, 430, 4);
}

TEST(PerspectiveTest, StraightenedReceiptIsAxisAlignedWithHorizontalRows) {
  const GrayImage receipt = Receipt();
  const GrayImage photo = Photograph(receipt, kTilted, 1400, 1600);
  const auto quad = FindPaperQuad(photo);
  ASSERT_TRUE(quad);
  auto to_photo = RectangleToQuad(*quad, receipt.width, receipt.height);
  ASSERT_TRUE(to_photo);
  const GrayImage straight =
      Warp(photo, *to_photo, receipt.width, receipt.height);
  // Pixel for pixel close to the receipt as scanned (both resampled once).
  double diff = 0;
  for (size_t i = 0; i < straight.pixels.size(); ++i) {
    diff += std::abs(int(straight.pixels[i]) - int(receipt.pixels[i]));
  }
  diff /= straight.pixels.size();
  EXPECT_LT(diff, 12) << "mean grey-level difference";
  // Its text rows are horizontal: about as many ink-free rows between them
  // as the scan has, where the photo's tilted rows leave almost none.
  const int scanned = BlankRows(receipt, 40, receipt.width - 40);
  const int straightened = BlankRows(straight, 40, straight.width - 40);
  const GrayImage tilted = Crop(photo, {430, 250, 1010, 1390});
  const int photographed =
      BlankRows(tilted, 40, tilted.width - 40) * receipt.height / tilted.height;
  EXPECT_GT(scanned, 300);
  EXPECT_GT(straightened, scanned * 8 / 10)
      << straightened << " of " << scanned;
  // Only the wide gaps between sections stay blank in the photo.
  EXPECT_LT(photographed, scanned / 2) << photographed << " of " << scanned;
}

TEST(PerspectiveTest, NoQuadWhenTheSheetIsNotFoundConfidently) {
  const GrayImage receipt = Receipt();
  // A scan that is all paper; a table with no paper.
  EXPECT_FALSE(FindPaperQuad(receipt));
  EXPECT_FALSE(FindPaperQuad(Filled(800, 800, 50)));
  // The sheet runs off the image at the top.
  const Quad cut = {{{{430, -200}, {1010, -120}, {1150, 1100}, {250, 1010}}}};
  EXPECT_FALSE(FindPaperQuad(Photograph(receipt, cut, 1400, 1300)));
  // A round plate is no sheet; nor are two sheets overlapping in an L.
  GrayImage plate = Filled(800, 800, 40);
  for (int y = 0; y < 800; ++y) {
    for (int x = 0; x < 800; ++x) {
      if (std::hypot(x - 400, y - 400) < 250) plate.pixels[y * 800 + x] = 230;
    }
  }
  EXPECT_FALSE(FindPaperQuad(plate));
  GrayImage two = Filled(1000, 1000, 40);
  FillRect(two, 100, 100, 400, 900, 230);
  FillRect(two, 100, 600, 900, 900, 230);
  EXPECT_FALSE(FindPaperQuad(two));
  // Paper barely lighter than the table.
  GrayImage faint = Filled(800, 1000, 150);
  FillRect(faint, 200, 100, 560, 900, 190);
  EXPECT_FALSE(FindPaperQuad(faint));
}

TEST(PerspectiveTest, AnUprightSheetIsFoundWithNoSkew) {
  GrayImage photo = Filled(800, 1000, 40);
  FillRect(photo, 200, 100, 560, 900, 225);
  FillRect(photo, 240, 200, 500, 204, 30);
  const auto quad = FindPaperQuad(photo);
  ASSERT_TRUE(quad);
  EXPECT_NEAR(quad->corners[0].x, 200, 2);
  EXPECT_NEAR(quad->corners[0].y, 100, 2);
  EXPECT_NEAR(quad->corners[2].x, 560, 2);
  EXPECT_NEAR(quad->corners[2].y, 900, 2);
  EXPECT_LT(SkewDegrees(*quad), 0.5);
}

TEST(PerspectiveTest, WarpIsWhiteOutsideTheImage) {
  GrayImage img = Filled(10, 10, 0);
  Homography shift;
  shift.m = {1, 0, 5, 0, 1, 0, 0, 0, 1};  // x + 5
  const GrayImage out = Warp(img, shift, 10, 10);
  EXPECT_EQ(out.at(0, 0), 0);
  EXPECT_EQ(out.at(9, 9), 255);
}

TEST(StretchContrastTest, FaintInkBecomesBlackAndPaperWhite) {
  // Paper at 240, a faint stroke at 200 on 5% of the page.
  GrayImage img{20, 20, std::vector<uint8_t>(400, 240)};
  for (int i = 0; i < 20; ++i) img.pixels[size_t(i) * 20 + 7] = 200;
  const GrayImage out = StretchContrast(img);
  EXPECT_EQ(out.pixels[7], 0);
  EXPECT_EQ(out.pixels[0], 255);
  // A blank page stays as it is.
  const GrayImage blank{4, 4, std::vector<uint8_t>(16, 250)};
  EXPECT_EQ(StretchContrast(blank).pixels, blank.pixels);
}

// `image` turned by `degrees` about its centre (its lines fall to the right
// when positive), on a white canvas that keeps every pixel: as scanned
// turned.
GrayImage Turn(const GrayImage& image, double degrees) {
  const double a = degrees * std::numbers::pi / 180;
  const double c = std::cos(a), s = std::sin(a);
  const int w = int(std::ceil(image.width * c + image.height * std::abs(s)));
  const int h = int(std::ceil(image.height * c + image.width * std::abs(s)));
  // A canvas point comes from the image's point turned back by `a`.
  Homography to_image;
  to_image.m = {c,  s, image.width / 2.0 - c * w / 2.0 - s * h / 2.0,
                -s, c, image.height / 2.0 + s * w / 2.0 - c * h / 2.0,
                0,  0, 1};
  return Warp(image, to_image, w, h);
}

TEST(SkewTest, EstimateSkewFindsHowFarAReceiptWasTurned) {
  const GrayImage receipt = Receipt();
  // The scan's own slant, too small to count (not 5% sharper than none)
  // unless asked for, is the origin of the turns below.
  EXPECT_EQ(EstimateSkew(receipt), 0);
  const double own = EstimateSkew(receipt, 5, 1000, /*min_gain=*/0);
  EXPECT_LT(std::abs(own), 0.5);
  for (const double turn : {-3.0, -1.2, 0.6, 2.0, 4.0}) {
    // Within a pixel's drift over the receipt's 460 px lines (0.12 degrees)
    // and a step of the search.
    EXPECT_NEAR(EstimateSkew(Turn(receipt, turn)), own + turn, 0.2) << turn;
  }
  // Nothing to tell by: blank paper, a uniform grey, a page of noise.
  EXPECT_EQ(EstimateSkew(Filled(600, 800, 255)), 0);
  EXPECT_EQ(EstimateSkew(Filled(600, 800, 90)), 0);
  GrayImage noise = Filled(600, 800, 255);
  std::mt19937 random(3);
  for (uint8_t& v : noise.pixels) v = random() % 20 == 0 ? 0 : 255;
  EXPECT_EQ(EstimateSkew(noise), 0);
}

TEST(SkewTest, DeskewedReceiptHasLevelRowsAndMapsBack) {
  const GrayImage receipt = Receipt();
  const double own = EstimateSkew(receipt, 5, 1000, 0);
  const GrayImage turned = Turn(receipt, 4);
  const Deskewed back = Deskew(turned, EstimateSkew(turned) - own);
  // Columns move, none is lost: the page grows by the drift.
  EXPECT_EQ(back.image.width, turned.width);
  EXPECT_GT(back.image.height, turned.height);
  // Rows between the lines are blank again, as in the scan.
  const int scanned = BlankRows(receipt, 40, receipt.width - 40);
  const int tilted = BlankRows(turned, 60, turned.width - 60);
  const int level = BlankRows(back.image, 60, back.image.width - 60);
  EXPECT_LT(tilted, scanned * 3 / 4) << tilted << " of " << scanned;
  EXPECT_GT(level, scanned * 8 / 10) << level << " of " << scanned;
  // No pixel is resampled: the page holds the turned image's grey levels,
  // each at the point the map takes it back to.
  int same = 0, dark = 0;
  for (int y = 0; y < back.image.height; y += 3) {
    for (int x = 0; x < back.image.width; x += 3) {
      if (back.image.at(x, y) >= 64) continue;
      const PointF p = back.to_image.Apply({x + 0.5, y + 0.5});
      const int tx = int(std::floor(p.x)), ty = int(std::floor(p.y));
      ASSERT_GE(tx, 0);
      ASSERT_GE(ty, 0);
      ASSERT_LT(tx, turned.width);
      ASSERT_LT(ty, turned.height);
      ++dark;
      // (The map is the shear's straight line; a column's move is rounded.)
      const int above = turned.at(tx, std::max(0, ty - 1));
      const int below = turned.at(tx, std::min(turned.height - 1, ty + 1));
      same += turned.at(tx, ty) == back.image.at(x, y) ||
              above == back.image.at(x, y) || below == back.image.at(x, y);
    }
  }
  EXPECT_GT(dark, 100);
  EXPECT_EQ(same, dark);
}

TEST(SkewTest, DeskewFillsTheCornersItAddsWithTheBordersLevel) {
  // A sheet on a grey table: the added corners are table, not white.
  GrayImage photo = Filled(400, 500, 120);
  FillRect(photo, 50, 50, 350, 450, 230);
  const Deskewed d = Deskew(photo, 3);
  EXPECT_EQ(d.image.at(0, 0), 120);
  EXPECT_EQ(d.image.at(d.image.width - 1, d.image.height - 1), 120);
  // On a scan that is all paper they are paper.
  const Deskewed scan = Deskew(Filled(400, 500, 245), -3);
  EXPECT_EQ(scan.image.at(0, 0), 245);
}

}  // namespace
}  // namespace invoices::extract
