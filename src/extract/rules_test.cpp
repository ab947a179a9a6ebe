#include "invoices/extract/rules.h"

#include <gtest/gtest.h>

namespace invoices::extract {
namespace {

constexpr uint8_t kPaper = 230, kInk = 20;

GrayImage Page(int w = 600, int h = 200) {
  return {w, h, std::vector<uint8_t>(size_t(w) * h, kPaper)};
}

void FillRect(GrayImage& img, int x0, int y0, int x1, int y1) {
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) img.pixels[size_t(y) * img.width + x] = kInk;
  }
}

int InkIn(const GrayImage& img, int x0, int y0, int x1, int y1) {
  int n = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) n += img.at(x, y) < 128;
  }
  return n;
}

TEST(RemoveRulesTest, ASolidRuleIsErased) {
  GrayImage img = Page();
  FillRect(img, 50, 100, 550, 103);
  const RuleStats stats = RemoveRules(img);
  EXPECT_EQ(InkIn(img, 0, 0, img.width, img.height), 0);
  EXPECT_EQ(stats.rules, 1);
  EXPECT_EQ(stats.erased, 500 * 3);
}

TEST(RemoveRulesTest, ASlantedRuleIsErased) {
  // Photographed at a small angle: one row down every 25 pixels.
  GrayImage img = Page();
  for (int x = 50; x < 550; ++x) {
    const int y = 60 + (x - 50) / 25;
    FillRect(img, x, y, x + 1, y + 2);
  }
  RemoveRules(img);
  EXPECT_EQ(InkIn(img, 0, 0, img.width, img.height), 0);
}

TEST(RemoveRulesTest, ADashedRuleIsErased) {
  GrayImage img = Page();
  for (int x = 50; x < 550; x += 9) FillRect(img, x, 100, x + 6, 102);
  RemoveRules(img);
  EXPECT_EQ(InkIn(img, 0, 0, img.width, img.height), 0);
}

TEST(RemoveRulesTest, StrokesTheRuleCrossesStayWhole) {
  // Letter stems (30 px tall, 4 wide) standing on the rule: above, below
  // and where they cross it, their ink stays.
  GrayImage img = Page();
  FillRect(img, 50, 100, 550, 103);
  for (int x = 100; x < 500; x += 80) FillRect(img, x, 80, x + 4, 110);
  RemoveRules(img);
  for (int x = 100; x < 500; x += 80) {
    EXPECT_EQ(InkIn(img, x, 80, x + 4, 110), 4 * 30) << x;
  }
  // The rule between the stems is gone.
  EXPECT_EQ(InkIn(img, 110, 100, 170, 103), 0);
}

TEST(RemoveRulesTest, TheTopsOfALineOfCapitalsStay) {
  // "EEEE...": each letter a stem with three bars; the top bar and the stem
  // of the next letter are 4 px apart. No run of bars is a rule.
  GrayImage img = Page();
  for (int x = 50; x < 550; x += 24) {
    FillRect(img, x, 60, x + 4, 90);   // stem
    FillRect(img, x, 60, x + 20, 63);  // top bar
    FillRect(img, x, 74, x + 16, 77);  // middle bar
    FillRect(img, x, 87, x + 20, 90);  // bottom bar
  }
  const GrayImage before = img;
  EXPECT_EQ(RemoveRules(img).erased, 0);
  EXPECT_EQ(img.pixels, before.pixels);
}

TEST(RemoveRulesTest, TextShortStrokesAndBlocksStay) {
  GrayImage img = Page();
  // The bars of capitals ("T", "E"): short and thin.
  for (int x = 50; x < 550; x += 30) FillRect(img, x, 40, x + 20, 43);
  // A heading printed white on a black band: too thick to be a rule.
  FillRect(img, 50, 120, 550, 160);
  const GrayImage before = img;
  const RuleStats stats = RemoveRules(img);
  EXPECT_EQ(stats.erased, 0);
  EXPECT_EQ(img.pixels, before.pixels);
}

TEST(RemoveRulesTest, ShortRulesAreTheirPageWidthShare) {
  // 40 px is a rule on a narrow page and a dash on a wide one.
  GrayImage narrow = Page(300, 50);
  FillRect(narrow, 10, 20, 60, 22);
  RemoveRules(narrow);
  EXPECT_EQ(InkIn(narrow, 0, 0, 300, 50), 0);

  GrayImage wide = Page(2000, 50);
  FillRect(wide, 10, 20, 60, 22);
  RemoveRules(wide);
  EXPECT_EQ(InkIn(wide, 0, 0, 2000, 50), 50 * 2);
}

TEST(RemoveRulesTest, EmptyAndBlankPagesAreLeftAlone) {
  GrayImage empty;
  EXPECT_EQ(RemoveRules(empty).erased, 0);
  GrayImage blank = Page();
  EXPECT_EQ(RemoveRules(blank).erased, 0);
}

}  // namespace
}  // namespace invoices::extract
