#include "invoices/extract/preprocess.h"

#include <gtest/gtest.h>

namespace invoices::extract {
namespace {

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

}  // namespace
}  // namespace invoices::extract
