#include "invoices/extract/scanner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "pdf_testing.h"
#include "photo_testing.h"
#include "text_rows.h"

namespace invoices::extract {
namespace {

std::string DevReceipt(const std::string& name) {
  std::ifstream in(
      std::string(INVOICES_SHARED_DIR) + "/datasets/sroie-dev/images/" + name,
      std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::span<const uint8_t> Span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::unique_ptr<EnginePool> CannedPool(const std::string& text, size_t n = 1) {
  auto pool = EnginePool::Create(n, [&] {
    return core::Result<std::unique_ptr<OcrEngine>>(
        NewCannedEngine(PageFromText(text)));
  });
  EXPECT_TRUE(pool);
  return std::move(*pool);
}

TEST(ScannerTest, BoxesAreInPixelsOfTheUploadWhenOcrReadsLess) {
  // 4961 x 7016: decoded at half size and reduced for OCR; the canned page
  // spans the image OCR saw, so its last line must land at the bottom of the
  // full-size page.
  auto pool = CannedPool("SHOP\n\n\n\nTOTAL 12.50");
  ScannerOptions options;
  options.ocr_max_side = 2000;
  Scanner scanner(*pool, options);
  auto r = scanner.Scan(Span(DevReceipt("X51006414394.jpg")), "big.jpg", "");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->document.width, 4961);
  EXPECT_EQ(r->document.height, 7016);
  ASSERT_TRUE(r->fields.contains("total"));
  const core::BBox& box = *r->fields["total"].bbox;
  EXPECT_GT(box.y0, 7016 * 0.7);
  EXPECT_LE(box.y1, 7016);
  EXPECT_LE(box.x1, 4961);
}

TEST(ScannerTest, RecordsTimingsInStageOrder) {
  auto pool = CannedPool("TOTAL 1.00");
  Scanner scanner(*pool, {});
  auto r = scanner.Scan(Span(DevReceipt("X00016469612.jpg")), "r.jpg", "");
  ASSERT_TRUE(r);
  std::vector<std::string> stages;
  for (const auto& [stage, ms] : r->timings_ms) {
    stages.push_back(stage);
    EXPECT_GE(ms, 0);
  }
  EXPECT_EQ(stages,
            (std::vector<std::string>{"decode", "payment_qr", "preprocess",
                                      "ocr", "reread", "stacked", "dropped",
                                      "prices", "parts", "extract", "total"}));
  EXPECT_EQ(r->document.source, "ocr");
  EXPECT_EQ(r->document.language, "eng");
  EXPECT_EQ(r->text, "TOTAL 1.00");
}

// An engine that reads the page as `page` (words at `page_confidence`), any
// single line as `line` and any block as `block` (at 0.95), the block's
// lines spread evenly over the height of the image it is given.
class ScriptedEngine final : public OcrEngine {
 public:
  ScriptedEngine(std::string page, std::string line, std::string block)
      : page_(std::move(page)),
        line_(std::move(line)),
        block_(std::move(block)) {}
  using OcrEngine::Recognize;
  core::Result<OcrPage> Recognize(const GrayImage& image,
                                  const RecognizeOptions& options) override {
    if (options.layout == Layout::kLine) {
      return PageFromText(line_, line_confidence);
    }
    if (options.layout != Layout::kBlock) {
      const bool second = pages_read++ > 0 && !second_page.empty();
      OcrPage page =
          page_override
              ? *page_override
              : PageFromText(second ? second_page : page_,
                             second ? second_page_confidence : page_confidence);
      if (edge_words) {
        // The blank "words" Tesseract gives the paper's edges.
        for (int x : {0, image.width - 8}) {
          OcrLine blank;
          blank.box = {x, 0, x + 8, image.height};
          blank.words.push_back({.text = " ", .box = blank.box});
          page.lines.push_back(std::move(blank));
        }
      }
      return page;
    }
    ++blocks_read;
    OcrPage block = PageFromText(block_, block_confidence);
    const int n = int(block.lines.size());
    for (int i = 0; i < n; ++i) {
      OcrLine& l = block.lines[i];
      l.box.y0 = i * image.height / n;
      l.box.y1 = (i + 1) * image.height / n;
      for (OcrWord& w : l.words) {
        w.box.y0 = l.box.y0;
        w.box.y1 = l.box.y1;
      }
    }
    return block;
  }
  const std::string& language() const override { return language_; }
  int blocks_read = 0, pages_read = 0;
  float page_confidence = 0.6f, line_confidence = 0.95f,
        block_confidence = 0.95f;
  bool edge_words = false;  // blank words along the page's edges read
  std::optional<OcrPage> page_override;  // the page read, boxes and all
  std::string second_page;  // what pages read after the first read, if set
  float second_page_confidence = 0.6f;
  std::string language_ = "eng";

 private:
  std::string page_, line_, block_;
};

// Options that read no line, name or poorly covered page again: a test
// of the other readings sees those alone.
ScannerOptions WithoutRereads() {
  ScannerOptions options;
  options.reread_name = false;
  options.reread_lines = 0;
  options.reread_below_coverage = 0;
  return options;
}

// The receipt read as `page`, with its lines and blocks read again as
// ScriptedEngine says.
core::Result<core::Extraction> ScanScripted(
    const std::string& page, const std::string& line, const std::string& block,
    ScannerOptions options, int* blocks_read = nullptr,
    float line_confidence = 0.95f, float block_confidence = 0.95f,
    bool edge_words = false) {
  ScriptedEngine* engine = nullptr;
  auto pool = EnginePool::Create(1, [&] {
    auto e = std::make_unique<ScriptedEngine>(page, line, block);
    e->line_confidence = line_confidence;
    e->block_confidence = block_confidence;
    e->edge_words = edge_words;
    engine = e.get();
    return core::Result<std::unique_ptr<OcrEngine>>(std::move(e));
  });
  if (!pool) return std::unexpected(pool.error());
  // The scripted words stand nowhere near the receipt's ink, all of which
  // would look dropped by the layout and be read as `line`.
  options.dropped_lines = 0;
  Scanner scanner(**pool, options);
  auto r = scanner.Scan(Span(DevReceipt("X00016469612.jpg")), "r.jpg", "");
  if (blocks_read) *blocks_read = engine->blocks_read;
  return r;
}

core::Result<std::string> VendorReadWith(const std::string& block,
                                         double reread_name_below) {
  ScannerOptions options;
  options.reread_lines = 0;
  options.reread_name_below = reread_name_below;
  INVOICES_ASSIGN_OR_RETURN(
      core::Extraction r,
      ScanScripted("ACME TRAD1NG SDN BHD\nNO 5, JALAN BESAR\n"
                   "50450 KUALA LUMPUR\nTOTAL 9.00",
                   "", block, options));
  return r.fields["vendor_name"].value;
}

TEST(ScannerTest, ADoubtfulNameIsReadAgainWithTheLinesAroundIt) {
  EXPECT_EQ(VendorReadWith("ACME TRADING SDN BHD", 1.0),
            "ACME TRADING SDN BHD");
  // A name found surely is left as read.
  EXPECT_EQ(VendorReadWith("ACME TRADING SDN BHD", 0.0),
            "ACME TRAD1NG SDN BHD");
  // A reading that loses a word, or letters, is not taken however sure.
  EXPECT_EQ(VendorReadWith("ACME TRADING", 1.0), "ACME TRAD1NG SDN BHD");
  EXPECT_EQ(VendorReadWith("ACME TRAD SDN BHD", 1.0), "ACME TRAD1NG SDN BHD");
}

std::string FieldOf(const core::Result<core::Extraction>& r,
                    const std::string& name) {
  EXPECT_TRUE(r) << r.error().ToString();
  if (!r || !r->fields.contains(name)) return "";
  return r->fields.at(name).value;
}

TEST(ScannerTest, ADoubtfulCustomersNameIsReadAgainToo) {
  ScannerOptions options;
  options.reread_lines = 0;
  options.reread_name_below = 1.0;
  const std::string page =
      "ACME TRADING SDN BHD\nNO 5, JALAN BESAR\n50450 KUALA LUMPUR\n"
      "Bill to:\nGV pedethane Logistik\nJalan Sultan 12\nTOTAL 9.00";
  EXPECT_EQ(FieldOf(ScanScripted(page, "", "CV Sederhana Logistik", options),
                    "receiver_name"),
            "CV Sederhana Logistik");
  options.reread_name_below = 0.0;
  EXPECT_EQ(FieldOf(ScanScripted(page, "", "CV Sederhana Logistik", options),
                    "receiver_name"),
            "GV pedethane Logistik");
}

TEST(ScannerTest, ADateLineIsReadAgainWithTheLinesAroundIt) {
  // The page's line finder took a rule above the date into its line; read
  // as a block, the rule is a line of its own and the date reads.
  const std::string page =
      "ACME TRADING SDN BHD\nDate We M- a0TF 18: 45: a\nTOTAL 9.00";
  const std::string block =
      "INV No.: 854150\nDate : 12-11-2017 18:45:28\n-------------";
  ScannerOptions options;
  options.reread_name = false;
  EXPECT_EQ(
      FieldOf(ScanScripted(page, "We M- a0TF", block, options), "invoice_date"),
      "2017-11-12");
  // Without rereads there is no date.
  options.reread_lines = 0;
  EXPECT_EQ(FieldOf(ScanScripted(page, "", block, options), "invoice_date"),
            "");
}

TEST(ScannerTest, OnAPageWithoutADateTheTimeOfDayLineIsReadAgain) {
  ScannerOptions options;
  options.reread_name = false;
  EXPECT_EQ(FieldOf(ScanScripted("ACME TRADING SDN BHD\n"
                                 "ee 19:15 #1000000163\nTOTAL 3.70",
                                 "",
                                 "Tax Invoice\n20/04/2018 19:15 #1000000163\n"
                                 "Staff: ZUHAIRA",
                                 options),
                    "invoice_date"),
            "2018-04-20");
}

TEST(ScannerTest, ALineWhereNoDateWasReadIsReadAloneFirst) {
  ScannerOptions options;
  options.reread_name = false;
  options.reread_below_coverage = 0;  // block readings counted below
  int blocks = 0;
  // (No total on the page: every line is read alone as the date is.)
  const std::string page = "ACME TRADING SDN BHD\nBO Dec 17 18:40:57";
  EXPECT_EQ(FieldOf(ScanScripted(page, "30 Dec 17 18:40:57",
                                 "x\nBO Dec 17 18:40:57\ny", options, &blocks),
                    "invoice_date"),
            "2017-12-30");
  EXPECT_EQ(blocks, 0);
  // Alone it reads no better: the band is read.
  EXPECT_EQ(FieldOf(ScanScripted(page, "BO Dec 17", "x\n30 Dec 17 18:40:57\ny",
                                 options, &blocks),
                    "invoice_date"),
            "2017-12-30");
  EXPECT_EQ(blocks, 1);
}

TEST(ScannerTest, AValueReadAloneAsOneOrTwoDigitsIsNoBetterReading) {
  // "62,23" read alone as "6? 22": the digits left of a misread value are
  // no value, however surely read; the page's reading stays.
  ScannerOptions options;
  options.reread_name = false;
  options.reread_below_coverage = 0;
  const std::string page = "ACME TRADING SDN BHD\nSUMME 62,23 EUR";
  EXPECT_EQ(
      FieldOf(ScanScripted(page, "6? 22", "x\nSUMME 62,23 EUR\ny", options),
              "total"),
      "62.23");
  // A value read alone replaces a reading without one.
  EXPECT_EQ(FieldOf(ScanScripted("ACME TRADING SDN BHD\nSUMME 6? 22",
                                 "62,23 EUR", "x\nSUMME 6? 22\ny", options),
                    "total"),
            "62.23");
}

TEST(ScannerTest, TheSameDigitsReadAgainAsASmallerAmountAreNoBetterReading) {
  // "6 508,31" read again as "6 508.31": a space groups digits only before
  // a decimal comma, so the new reading makes 508.31 of the same digits.
  ScannerOptions options;
  options.reread_name = false;
  options.reread_below_coverage = 0;
  const std::string page = "ACME TRADING SDN BHD\nCelkem 6 508,31 Kc";
  EXPECT_EQ(FieldOf(ScanScripted(page, "Celkem 6 508.31 Kc",
                                 "x\nCelkem 6 508,31 Kc\ny", options),
                    "total"),
            "6508.31");
  // The same digits read again as a larger amount are: "111.788,100" (a
  // rupiah total, its last dot read as a comma) is 111788100.
  EXPECT_EQ(FieldOf(ScanScripted("ACME TRADING SDN BHD\nTOTAL Rp 111.788,100",
                                 "TOTAL Rp 111.788.100",
                                 "x\nTOTAL Rp 111.788,100\ny", options),
                    "total"),
            "111788100.00");
  // Other digits read again are taken as ever.
  EXPECT_EQ(FieldOf(ScanScripted("ACME TRADING SDN BHD\nCelkem 6 5O8,31 Kc",
                                 "Celkem 6 508,31 Kc",
                                 "x\nCelkem 6 5O8,31 Kc\ny", options),
                    "total"),
            "6508.31");
}

TEST(ScannerTest, APageWhoseWordsMissMostOfItsInkIsReadAgainAsABlock) {
  // The page reading has one short line: most of the receipt's ink lies
  // outside its words (a layout that dropped columns). Read as a block, it
  // holds more: that reading is kept.
  ScannerOptions options;
  options.reread_name = false;
  options.reread_lines = 0;
  const std::string block =
      "BOOK TA .K (TAMAN DAYA) SDN BHD\nNO.53 55,57 & 59, JALAN SAGU 18\n"
      "Date: 25/12/2018\nTOTAL 9.00";
  int blocks = 0;
  auto r = ScanScripted("TOTAL 1.00", "", block, options, &blocks);
  ASSERT_TRUE(r);
  EXPECT_EQ(blocks, 1);
  EXPECT_EQ(FieldOf(r, "total"), "9.00");
  EXPECT_EQ(FieldOf(r, "invoice_date"), "2018-12-25");
  // The blank words Tesseract gives the paper's edges cover no text: the
  // page is still read again.
  r = ScanScripted("TOTAL 1.00", "", block, options, &blocks, 0.95f, 0.95f,
                   /*edge_words=*/true);
  EXPECT_EQ(blocks, 1);
  EXPECT_EQ(FieldOf(r, "total"), "9.00");
  // Off, the page reading stands.
  options.reread_below_coverage = 0;
  r = ScanScripted("TOTAL 1.00", "", block, options, &blocks);
  EXPECT_EQ(blocks, 0);
  EXPECT_EQ(FieldOf(r, "total"), "1.00");
}

TEST(ScannerTest, PricesThatThePageLayoutDroppedAreReadAsABlock) {
  // The page's layout dropped the column of prices; read as a block, the
  // prices are there, read less surely than the page's words (0.5 against
  // 0.6) and with no more characters than the page: the prices decide.
  ScannerOptions options;
  options.reread_name = false;
  options.reread_lines = 0;
  const std::string page =
      "Bakery Thornbury\n152 High Street\nLondon W1U 6TQ\n"
      "Tea bags 80 and a note of thanks\nCrisps and more of the same\n"
      "Subtotal\nBALANCE DUE\nCash\nChange\nPlease call again";
  const std::string block =
      "Bakery Thornbury\n152 High Street\nTea bags 80 12.73\nCrisps 2.41\n"
      "Subtotal 15.14\nBALANCE DUE 15.14\nCash 20.00\nChange 4.86";
  auto r = ScanScripted(page, "", block, options, nullptr, 0.95f, 0.5f);
  EXPECT_EQ(FieldOf(r, "total"), "15.14");
  // A page that has its prices keeps its own, surer reading.
  r = ScanScripted("Bakery Thornbury\nTea bags 80 12.73\nTOTAL 12.73", "",
                   block, options, nullptr, 0.95f, 0.5f);
  EXPECT_EQ(FieldOf(r, "total"), "12.73");
}

// A price the page's layout dropped, read alone beside a mark (the paper's
// edge read "|") and with little confidence, is added: a price alone is no
// noise. A line of words read as unsurely is not.
TEST(ScannerTest, ADroppedPriceReadUnsurelyIsAddedAndUnsureWordsAreNot) {
  // Scripted words (10 px a character, lines 20 px apart, 16 px high) over
  // strokes of ink where they stand, and ink where none was read: the price
  // of the second line.
  const std::string page =
      "CAFE LUNA\n\nCoffee cups\n\nMuffin bran\n\nTOTAL CASH 9.00\n";
  GrayImage image{400, 200, std::vector<uint8_t>(400 * 200, 250)};
  auto ink = [&](int x0, int y0, int x1) {
    for (int x = x0; x < x1; x += 8) {
      for (int y = y0; y < y0 + 16; ++y) {
        for (int dx = 0; dx < 3 && x + dx < x1; ++dx) {
          image.pixels[size_t(y) * 400 + x + dx] = 20;
        }
      }
    }
  };
  const OcrPage scripted = PageFromText(page);
  for (const OcrLine& line : scripted.lines) {
    for (const OcrWord& w : line.words) {
      ink(w.box.x0 + 20, w.box.y0 + 20, w.box.x1 + 20);
    }
  }
  ink(300, 60, 350);  // "4.84", beside "Coffee cups"
  // (The scripted boxes, shifted by the margin the image gives them.)
  OcrPage shifted = scripted;
  for (OcrLine& line : shifted.lines) {
    for (OcrWord& w : line.words) {
      w.box = {w.box.x0 + 20, w.box.y0 + 20, w.box.x1 + 20, w.box.y1 + 20};
    }
  }
  auto scan = [&](const std::string& line, float confidence) {
    auto pool = EnginePool::Create(1, [&] {
      auto e = std::make_unique<ScriptedEngine>("", line, "");
      e->line_confidence = confidence;
      e->page_override = shifted;
      return core::Result<std::unique_ptr<OcrEngine>>(std::move(e));
    });
    EXPECT_TRUE(pool);
    ScannerOptions options = WithoutRereads();
    options.ocr_min_side = 0;
    options.crop_to_paper = false;
    options.straighten = false;
    options.reread_prices = 0;
    options.read_accents = false;
    const Scanner scanner(**pool, options);
    const std::vector<uint8_t> png = photo_testing::EncodePng(image);
    auto r = scanner.Scan(png, "page.png", "");
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? r->text : std::string();
  };
  EXPECT_NE(scan("4.84 |", 0.3f).find("4.84"), std::string::npos);
  EXPECT_EQ(scan("Tea bags |", 0.3f).find("Tea bags"), std::string::npos);
}

// An item's price the page misread ("LL36" among prices with decimals) is
// read again alone; the reading, a price, takes its place.
TEST(ScannerTest, AnItemsMisreadPriceIsReadAgainAlone) {
  const std::string page =
      "CAFE LUNA\nCafe          38,74\nTostada        LL36\n"
      "Agua           0,94\nTOTAL         51,04";
  ScannerOptions options = WithoutRereads();
  auto r = ScanScripted(page, "11,36", "", options);
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(r->line_items.size(), 3u) << r->text;
  EXPECT_EQ(r->line_items[1].description.value_or(""), "Tostada");
  EXPECT_EQ(r->line_items[1].amount.value_or(""), "11.36");
  // A reading that is no price leaves the page as it was.
  r = ScanScripted(page, "LL 36", "", options);
  ASSERT_TRUE(r);
  EXPECT_NE(r->text.find("Tostada LL36"), std::string::npos) << r->text;
  // Off, nothing is read again.
  options.reread_prices = 0;
  r = ScanScripted(page, "11,36", "", options);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->text.find("11,36"), std::string::npos) << r->text;
}

TEST(ScannerTest, AccentsOfAGermanReceiptAreReadWithTheGermanModel) {
  // Read in English, the name and the town lose their umlauts; the page's
  // words are German. The German engine reads each line of the name and
  // the address in its band: a reading that differs only in accents is
  // taken, any other left.
  std::string page =
      "Schafer Buchhandlung\nHauptstraBe 46\n50667 Koln\nSumme 9,00\n"
      "MwSt 7% 0,59\nVielen Dank";
  std::atomic<int> german_blocks = 0;
  auto scan = [&](const std::string& german_line, bool with_languages) {
    auto pool = EnginePool::Create(1, [&] {
      return core::Result<std::unique_ptr<OcrEngine>>(
          std::make_unique<ScriptedEngine>(page, "", "x\n" + page + "\ny"));
    });
    EXPECT_TRUE(pool);
    LanguagePools languages(
        **pool, {.installed = std::vector<std::string>{"eng", "deu"}},
        [&](const std::string&) {
          ++german_blocks;
          return core::Result<std::unique_ptr<OcrEngine>>(
              std::make_unique<ScriptedEngine>(page, "",
                                               "x\n" + german_line + "\ny"));
        });
    ScannerOptions options = WithoutRereads();
    Scanner scanner(**pool, options, with_languages ? &languages : nullptr);
    return scanner.Scan(Span(DevReceipt("X00016469612.jpg")), "r.jpg", "");
  };
  auto r = scan("Schäfer Buchhandlung", true);
  EXPECT_EQ(FieldOf(r, "vendor_name"), "Schäfer Buchhandlung");
  EXPECT_EQ(german_blocks, 1);  // one German engine, made on first use
  // A German reading that changes letters, not accents, is not taken.
  r = scan("Schaffer Buchhandlung", true);
  EXPECT_EQ(FieldOf(r, "vendor_name"), "Schafer Buchhandlung");
  // Without other languages, the English reading stands.
  r = scan("Schäfer Buchhandlung", false);
  EXPECT_EQ(FieldOf(r, "vendor_name"), "Schafer Buchhandlung");
  // A "ß" that English read as another letter is taken back too.
  r = scan("Hauptstraße 46", true);
  EXPECT_EQ(FieldOf(r, "vendor_address"), "Hauptstraße 46 50667 Koln");
  // The customer's name on an invoice too.
  page =
      "Schafer Buchhandlung\nHauptstraBe 46\n50667 Koln\n\n"
      "Rechnungsempfanger:\nMuller Druck GmbH\nMarktplatz 3\n\n"
      "Summe 9,00\nMwSt 7% 0,59\nVielen Dank";
  r = scan("Müller Druck GmbH", true);
  EXPECT_EQ(FieldOf(r, "receiver_name"), "Müller Druck GmbH");
}

// A German page read as `page` in English, each block read again by a
// German engine (made on first use) as `again`; `*german_blocks`: how many
// blocks it read.
core::Result<core::Extraction> ScanReadAgainInGerman(
    const std::string& page, const std::string& again,
    int* german_blocks = nullptr) {
  ScriptedEngine* german = nullptr;
  auto pool = EnginePool::Create(1, [&] {
    return core::Result<std::unique_ptr<OcrEngine>>(
        std::make_unique<ScriptedEngine>(page, "", page));
  });
  if (!pool) return std::unexpected(pool.error());
  LanguagePools languages(
      **pool, {.installed = std::vector<std::string>{"eng", "deu"}},
      [&](const std::string&) {
        auto e = std::make_unique<ScriptedEngine>(page, "", again);
        german = e.get();
        return core::Result<std::unique_ptr<OcrEngine>>(std::move(e));
      });
  Scanner scanner(**pool, WithoutRereads(), &languages);
  auto r = scanner.Scan(Span(DevReceipt("X00016469612.jpg")), "r.jpg", "");
  if (german_blocks) *german_blocks = german ? german->blocks_read : 0;
  return r;
}

TEST(ScannerTest, PaymentTermsAreReadAgainForAccentsWithTheirLabel) {
  // Read in English, the terms lose their umlaut. The German engine reads
  // the terms' line with its label (which a block from right before the
  // value would cut into, its last letters read as a word of the value).
  auto r = ScanReadAgainInGerman(
      "Schafer Buchhandlung\nHauptstr. 46\n50667 Koln\nRechnung Nr. 123\n"
      "Zahlungsbedingungen: sofort fallig\nSumme 35,00\nMwSt 19% 6,65\n"
      "Vielen Dank",
      "Zahlungsbedingungen: sofort fällig");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(FieldOf(r, "payment_terms"), "sofort fällig");
}

TEST(ScannerTest, ItemDescriptionsAreReadAgainForAccentsAsOneColumn) {
  // Read in English, the items lose their umlauts. The German engine reads
  // the items' rows once, as one block from the first to the last (four
  // lines); each row's reading in its own columns that differs only in
  // accents is taken (a word of two letters too: "Öl").
  int german_blocks = 0;
  auto r = ScanReadAgainInGerman(
      "Schafer Buchhandlung\nHauptstr. 46\n50667 Koln\nRechnung Nr. 123\n"
      "Gebuhr 10,00\nPrufung 20,00\nZubehor 5,00\nOl 3,00\nSumme 38,00\n"
      "MwSt 19% 7,22\nVielen Dank",
      "Gebühr 10,00\nPrüfung 20,00\nZubehör 5,00\nÖl 3,00", &german_blocks);
  ASSERT_TRUE(r) << r.error().message();
  std::vector<std::string> descriptions;
  for (const core::LineItem& item : r->line_items) {
    descriptions.push_back(item.description.value_or(""));
  }
  EXPECT_EQ(descriptions,
            (std::vector<std::string>{"Gebühr", "Prüfung", "Zubehör", "Öl"}));
  // One reading for the three rows, beside one for the vendor's name and
  // one for the two lines of its address.
  EXPECT_EQ(german_blocks, 3);
}

// A row the German model reads otherwise beside its words (a price's
// digit): its words that gain accents alone are taken, the price stays.
TEST(ScannerTest, AnItemsWordsGainAccentsWhereItsPriceReadsOtherwise) {
  auto r = ScanReadAgainInGerman(
      "Schafer Buchhandlung\nHauptstr. 46\n50667 Koln\nRechnung Nr. 123\n"
      "Gebuhr 10,00\nPrufung 20,00\nZubehor 5,00\nSumme 35,00\n"
      "MwSt 19% 6,65\nVielen Dank",
      "Gebühr 10,08\nPrüfung 20,00\nZubehör 5,0O", nullptr);
  ASSERT_TRUE(r) << r.error().message();
  std::vector<std::string> items;
  for (const core::LineItem& item : r->line_items) {
    items.push_back(item.description.value_or("") + " " +
                    item.amount.value_or(""));
  }
  EXPECT_EQ(items, (std::vector<std::string>{"Gebühr 10.00", "Prüfung 20.00",
                                             "Zubehör 5.00"}));
}

TEST(ScannerTest, APageInGreekLettersIsReadAgainInGreek) {
  // Read in English, the Greek page comes out as unsure Latin lookalikes.
  // Its unsure words read in Greek come out surely, with letters only Greek
  // has; read in Russian, unsurely: the page is read again in Greek and
  // English. There a word English read as it looks is Greek ("METPHTA"),
  // and a code keeps the Latin letters English read ("F2021166").
  const std::string english =
      "AKPONOAIZ ZAXAPONAAZTEIO\nATIOY NIKOAAOY 146\n54624 OEZZAAONIKH\n"
      "Ticket F2021166\nKovAoupt 23,36\nZYNOAO 23,36\nMETPHTA 30,00";
  const std::string greek =
      "ΑΚΡΟΠΟΛΙΣ ΖΑΧΑΡΟΠΛΑΣΤΕΙΟ\nΑΓΙΟΥ ΝΙΚΟΛΑΟΥ 146\n54624 ΘΕΣΣΑΛΟΝΙΚΗ\n"
      "Ticket Ε2021166\nΚουλούρι 23,36\nΣΥΝΟΛΟ 23,36\nMETPHTA 30,00";
  auto scan = [&](float english_confidence, float russian,
                  std::vector<std::string>& made) {
    auto pool = EnginePool::Create(1, [&] {
      auto e = std::make_unique<ScriptedEngine>(english, "", "");
      e->page_confidence = english_confidence;
      return core::Result<std::unique_ptr<OcrEngine>>(std::move(e));
    });
    EXPECT_TRUE(pool);
    LanguagePools languages(
        **pool, {.installed = std::vector<std::string>{"eng", "ell", "rus"}},
        [&](const std::string& set) {
          made.push_back(set);
          auto e = std::make_unique<ScriptedEngine>(
              greek, set == "rus" ? "АКРОПОЛ!5 ПЛАТЕЯ" : "ΑΚΡΟΠΟΛΙΣ ΠΛΑΤΕΙΑ",
              "");
          e->language_ = set;
          e->page_confidence = 0.9f;
          e->line_confidence = set == "rus" ? russian : 0.95f;
          return core::Result<std::unique_ptr<OcrEngine>>(std::move(e));
        });
    ScannerOptions options = WithoutRereads();
    Scanner scanner(**pool, options, &languages);
    return scanner.Scan(Span(DevReceipt("X00016469612.jpg")), "r.jpg", "");
  };
  std::vector<std::string> made;
  auto r = scan(0.3f, 0.2f, made);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->document.language, "ell+eng");
  EXPECT_EQ(made, (std::vector<std::string>{"ell", "rus", "ell+eng"}));
  EXPECT_EQ(FieldOf(r, "vendor_name"), "ΑΚΡΟΠΟΛΙΣ ΖΑΧΑΡΟΠΛΑΣΤΕΙΟ");
  EXPECT_EQ(FieldOf(r, "total"), "23.36");
  EXPECT_NE(r->text.find("ΜΕΤΡΗΤΑ 30,00"), std::string::npos) << r->text;
  EXPECT_NE(r->text.find("Ticket F2021166"), std::string::npos) << r->text;
  auto timed = [](const core::Extraction& e, const std::string& stage) {
    return std::any_of(e.timings_ms.begin(), e.timings_ms.end(),
                       [&](const auto& t) { return t.first == stage; });
  };
  EXPECT_TRUE(timed(*r, "script"));
  // Read as surely in Russian, the one read more surely wins; read as
  // unsurely as English read it, neither.
  made.clear();
  r = scan(0.3f, 0.99f, made);
  EXPECT_EQ(r->document.language, "rus+eng");
  made.clear();
  r = scan(0.3f, 0.3f, made);
  EXPECT_EQ(r->document.language, "ell+eng");
  // A page English read surely asks no other language.
  made.clear();
  r = scan(0.9f, 0.2f, made);
  EXPECT_EQ(r->document.language, "eng");
  EXPECT_TRUE(made.empty());
  EXPECT_FALSE(timed(*r, "script"));
}

TEST(ScannerTest, AUkrainianPageReadInRussianIsReadAgainInUkrainian) {
  // Russian's model reads the Cyrillic page surely but not its "і" and "ї";
  // its words are Ukrainian: Ukrainian's model reads it again, and the "№"
  // Russian read stays where Ukrainian's reads letters.
  const std::string english =
      "KHurapHsa Ka3ka\nByn. XpewaTuk 12\n01001 KuiB\nPaxyHok Ne 4521\n"
      "CyMa 92,00\nMAB 20% 15,33\nfoTiBka 100,00\nPewTa 8,00";
  const std::string russian =
      "Книгарня Казка\nвул. Хрещатик 12\n01001 Кит\nРахунок №4521\n"
      "СУМА 92,00\nПДВ 20% 15,33\nГотТвка 100,00\nРешта 8,00";
  const std::string ukrainian =
      "Книгарня Казка\nвул. Хрещатик 12\n01001 Київ\nРахунок Ne4521\n"
      "СУМА 92,00\nПДВ 20% 15,33\nГотівка 100,00\nРешта 8,00";
  auto pool = EnginePool::Create(1, [&] {
    auto e = std::make_unique<ScriptedEngine>(english, "", "");
    e->page_confidence = 0.55f;
    return core::Result<std::unique_ptr<OcrEngine>>(std::move(e));
  });
  ASSERT_TRUE(pool);
  std::vector<std::string> made;
  LanguagePools languages(
      **pool,
      {.installed = std::vector<std::string>{"eng", "ell", "rus", "ukr"}},
      [&](const std::string& set) {
        made.push_back(set);
        auto e = std::make_unique<ScriptedEngine>(
            set.starts_with("ukr") ? ukrainian : russian,
            set == "rus" ? "Книгарня Хрещатик" : "Βιβλιοπωλείο", "");
        e->language_ = set;
        e->page_confidence = 0.9f;
        e->line_confidence = set == "rus" ? 0.9f : 0.2f;
        return core::Result<std::unique_ptr<OcrEngine>>(std::move(e));
      });
  ScannerOptions options = WithoutRereads();
  Scanner scanner(**pool, options, &languages);
  auto r = scanner.Scan(Span(DevReceipt("X00016469612.jpg")), "r.jpg", "");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(made,
            (std::vector<std::string>{"ell", "rus", "rus+eng", "ukr+eng"}));
  EXPECT_EQ(r->document.language, "ukr+eng");
  EXPECT_EQ(FieldOf(r, "vendor_address"), "вул. Хрещатик 12 01001 Київ");
  EXPECT_NE(r->text.find("Рахунок №4521"), std::string::npos) << r->text;
}

TEST(ScriptProbeTest, TheNumeroSignReadBeforeStays) {
  OcrPage page = PageFromText("Фактура Ne 4521\nул. Витоша Ж18");
  KeepNumeroSigns(page, PageFromText("Фактура № 4521\nул. Витоша №18"));
  EXPECT_EQ(page.Text(), "Фактура № 4521\nул. Витоша №18");
}

TEST(ScriptProbeTest, UnsureWordsAndCapitalsAmongSmallLetters) {
  OcrPage page = PageFromText(
      "BaHuuka 3.40\nMnAKO 1.20\nKovAoupt GmbH 2.00\nCoffee 1.00\n"
      "--- ---- ----");
  // "GmbH" too: a German page has a few such words, not most.
  EXPECT_EQ(MixedCaseWords(page), (std::pair<size_t, double>{4, 0.8}));
  EXPECT_EQ(DoubtfulWordShare(page), 0);  // all at 0.9
  page.lines[0].words[0].confidence = 0.3f;
  page.lines[2].words[0].confidence = 0.5f;
  page.lines[4].words[1].confidence = 0.1f;  // no letters
  EXPECT_DOUBLE_EQ(DoubtfulWordShare(page), 2.0 / 5);
  // The longest unsure words; not rules or specks less than half as high
  // as most words ("MnAKO" here).
  page.lines[1].words[0].confidence = 0.2f;
  page.lines[1].words[0].box.y1 = page.lines[1].words[0].box.y0 + 4;
  // Those with capitals among small letters too, however sure.
  page.lines[3].words[0].confidence = 0.3f;
  const std::vector<const OcrWord*> words = SuspectWords(page, 6);
  ASSERT_EQ(words.size(), 4u);
  EXPECT_EQ(words[0]->text, "KovAoupt");
  EXPECT_EQ(words[1]->text, "BaHuuka");
  EXPECT_EQ(words[2]->text, "Coffee");
  EXPECT_EQ(words[3]->text, "GmbH");
  EXPECT_EQ(SuspectWords(page, 1).size(), 1u);
}

TEST(ScriptProbeTest, CodesKeepTheLatinLettersEnglishRead) {
  OcrPage greek = PageFromText(
      "Αριθμός Ε2021166\nΙΝΝ-2019-0042 Κ15\nΣύνολο 235218.\nΑθήνα 94624\n"
      "6575266 ΦΠΑ24%");
  // (Placed where the Greek words are: PageFromText spaces bytes.)
  const OcrPage english = PageFromText(
      "ApiOpoc        F2021166\nINV-2019-0042 K16\nXvvoAo       2.352,18\n"
      "A8nva      54624\nGS75266 ONA24%");
  KeepLatinCodes(greek, english);
  EXPECT_EQ(greek.Text(),
            "Αριθμός F2021166\nINV-2019-0042 Κ15\nΣύνολο 2.352,18\n"
            "Αθήνα 54624\nGS75266 ΦΠΑ24%");
}

// A column of quantities read as one line of words stacked top to bottom,
// unsurely: that line, and a tall thin column of words spanning others;
// not lines whose words stand side by side, nor a stack read surely, nor
// two words stacked in no tall column.
TEST(StackedLinesTest, WordsStackedInOneColumnAndReadUnsurely) {
  auto line = [](std::vector<std::pair<std::string, core::BBox>> words,
                 float confidence) {
    OcrLine l;
    for (auto& [text, box] : words) {
      l.words.push_back({.text = text, .box = box, .confidence = confidence});
      l.box = l.words.size() == 1 ? box : internal::Union(l.box, box);
    }
    return l;
  };
  OcrPage page;
  page.lines.push_back(line({{"Maintenance", {10, 100, 120, 116}},
                             {"plan", {130, 100, 170, 116}},
                             {"5", {300, 100, 308, 116}}},
                            0.3f));
  // Bottom to top, as Tesseract gives text turned on its side.
  page.lines.push_back(line({{"Pie", {340, 160, 352, 176}},
                             {"P|", {340, 140, 352, 156}},
                             {"wo)", {341, 120, 353, 137}}},
                            0.3f));
  page.lines.push_back(line({{"Pl", {340, 200, 352, 216}},
                             {"eB", {340, 220, 352, 236}},
                             {"ol", {340, 240, 352, 256}}},
                            0.9f));
  page.lines.push_back(
      line({{"hb", {340, 280, 352, 296}}, {"N", {340, 300, 352, 316}}}, 0.3f));
  // Overlapping a lot top to bottom: no stack.
  page.lines.push_back(line({{"a", {340, 400, 352, 420}},
                             {"b", {340, 410, 352, 430}},
                             {"c", {340, 420, 352, 440}}},
                            0.3f));
  // A long word beside others in a tall, thin column.
  page.lines.push_back(line({{"rP]P|wlolale|]rpl", {341, 500, 351, 690}},
                             {"re]", {340, 530, 352, 548}}},
                            0.1f));
  // Tall, but no column: words side by side.
  page.lines.push_back(
      line({{"|", {300, 700, 303, 800}}, {"xy", {310, 740, 340, 760}}}, 0.1f));
  EXPECT_EQ(StackedLines(page), (std::vector<size_t>{1, 5}));
}

TEST(UnsurePartsTest, PartsOfLinesAcrossColumnsReadUnsurely) {
  auto line =
      [](std::vector<std::tuple<std::string, core::BBox, float>> words) {
        OcrLine l;
        for (auto& [text, box, confidence] : words) {
          l.words.push_back(
              {.text = text, .box = box, .confidence = confidence});
          l.box = l.words.size() == 1 ? box : internal::Union(l.box, box);
        }
        return l;
      };
  OcrPage page;
  // A small label misread beside a large name: the label's part.
  page.lines.push_back(line({{"one:", {10, 100, 60, 120}, 0.29f},
                             {"Dvorak", {400, 95, 480, 130}, 0.93f},
                             {"Poradenstvi", {490, 95, 620, 130}, 0.92f}}));
  // Words read unsurely on a line of one column: not a part.
  page.lines.push_back(line({{"Kiszallasi", {10, 200, 120, 220}, 0.3f},
                             {"dij", {130, 200, 160, 220}, 0.3f}}));
  // Two parts, both unsure: nothing sure to set them against.
  page.lines.push_back(line(
      {{"ab", {10, 300, 40, 320}, 0.2f}, {"cd", {400, 300, 430, 320}, 0.3f}}));
  // An unsure part of one sign: nothing to read again.
  page.lines.push_back(line({{"|", {10, 400, 14, 420}, 0.1f},
                             {"Total", {400, 400, 460, 420}, 0.95f}}));
  // A sure line across columns, and an unsure part of a price.
  page.lines.push_back(line({{"Sa", {10, 500, 40, 520}, 0.16f},
                             {"Material", {400, 500, 480, 520}, 0.95f},
                             {"4", {560, 500, 570, 520}, 0.97f}}));
  const std::vector<LinePart> parts = UnsureParts(page, 4);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].line, 4u);  // the least sure first
  EXPECT_EQ(parts[0].first, 0u);
  EXPECT_EQ(parts[0].last, 1u);
  EXPECT_EQ(parts[1].line, 0u);
  EXPECT_EQ(parts[1].box.x1, 60);
  EXPECT_NEAR(parts[1].confidence, 0.29f, 1e-6);
  EXPECT_EQ(UnsureParts(page, 1).size(), 1u);
}

TEST(ScannerTest, ABandReadingThatLosesTheDateIsNotTaken) {
  ScannerOptions options;
  options.reread_name = false;
  int blocks = 0;
  // Read doubtfully (0.6), so read again; the block loses the date.
  const auto r = ScanScripted(
      "ACME TRADING SDN BHD\nDate: 12/11/2017\n"
      "TOTAL 3.70",
      "", "x\nDate: l2/ll/2OI7 ab\ny", options, &blocks);
  EXPECT_EQ(FieldOf(r, "invoice_date"), "2017-11-12");
  EXPECT_GE(blocks, 1);
}

TEST(ScannerTest, AnAmountTheLineReadingMissesIsReadInItsBand) {
  ScannerOptions options;
  options.reread_name = false;
  options.reread_below_coverage = 0;  // block readings counted below
  // "TOTAL : 00" for "TOTAL : 9.00", and alone "o.oo".
  const std::string page = "ACME TRADING SDN BHD\nTOTAL : 00";
  EXPECT_EQ(
      FieldOf(ScanScripted(page, "o.oo", "x\nTOTAL 3.70\ny", options), "total"),
      "3.70");
  // The line reading, when it holds the amount, is taken without a block.
  int blocks = 0;
  EXPECT_EQ(
      FieldOf(ScanScripted(page, "3.70", "x\nTOTAL 8.88\ny", options, &blocks),
              "total"),
      "3.70");
  EXPECT_EQ(blocks, 0);
}

TEST(ScannerTest, ATotalReadAgainAsItWasIsNotReadInItsBand) {
  ScannerOptions options;
  options.reread_name = false;
  options.reread_below_coverage = 0;  // block readings counted below
  const std::string page = "ACME TRADING SDN BHD\nTOTAL 9.00";
  // Read doubtfully (0.6), then alone as 9.00 again, less surely: agreed.
  int blocks = 0;
  EXPECT_EQ(FieldOf(ScanScripted(page, "9.00", "x\nTOTAL 9.50\ny", options,
                                 &blocks, 0.5f),
                    "total"),
            "9.00");
  EXPECT_EQ(blocks, 0);
  // Read alone as another amount: the band decides.
  EXPECT_EQ(FieldOf(ScanScripted(page, "8.00", "x\nTOTAL 9.50\ny", options,
                                 &blocks, 0.5f),
                    "total"),
            "9.50");
  EXPECT_EQ(blocks, 1);
}

// An engine that reads the page as a column of labels and, apart, a column
// of values on the same rows; any line read alone reads as `line`.
class ColumnsEngine final : public OcrEngine {
 public:
  explicit ColumnsEngine(std::string line) : line_(std::move(line)) {}
  using OcrEngine::Recognize;
  core::Result<OcrPage> Recognize(const GrayImage&,
                                  const RecognizeOptions& options) override {
    if (options.layout == Layout::kLine) return PageFromText(line_, 0.95f);
    OcrPage page = PageFromText(
        "ALPENBLICK BERATUNG AG\nBahnhofstrasse 12\n8001 Zurich\nTotal CHF",
        0.9f);
    const OcrPage values = PageFromText("\n\n\n16'134.84", 0.9f);
    for (OcrLine line : values.lines) {
      line.box.x0 += 600;
      line.box.x1 += 600;
      for (OcrWord& w : line.words) {
        w.box.x0 += 600;
        w.box.x1 += 600;
      }
      page.lines.push_back(std::move(line));
    }
    return page;
  }
  const std::string& language() const override { return language_; }

 private:
  std::string line_, language_ = "eng";
};

TEST(ScannerTest, ATotalReadAgainMustAgreeWithTheValueItsRowRead) {
  // "Total CHF" has its value in a column read apart ("16'134.84"); read
  // again alone across the row, the bold total came out "10 154.0% 1]": the
  // row's value says that reading is wrong, and the page keeps its own. A
  // reading that agrees with it is taken.
  for (const auto& [line, taken] : std::vector<std::pair<std::string, bool>>{
           {"Total CHF 10 154.0% 1]", false}, {"Total CHF 16'134.84", true}}) {
    auto pool = EnginePool::Create(1, [&] {
      return core::Result<std::unique_ptr<OcrEngine>>(
          std::make_unique<ColumnsEngine>(line));
    });
    ASSERT_TRUE(pool);
    ScannerOptions options;
    options.reread_name = false;
    options.reread_below_coverage = 0;
    options.dropped_lines = 0;
    const Scanner scanner(**pool, options);
    auto r = scanner.Scan(Span(DevReceipt("X00016469612.jpg")), "r.jpg", "");
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->text.find(line) != std::string::npos, taken) << r->text;
    EXPECT_EQ(FieldOf(r, "total"), "16134.84") << r->text;
  }
}

// Reads `page` with a ScriptedEngine whose second reading of a page is
// `second`; returns the total found and how many page readings were made.
std::pair<std::string, int> TotalReadTwice(const std::string& page,
                                           const std::string& second,
                                           float second_confidence = 0.6f) {
  ScriptedEngine* engine = nullptr;
  auto pool = EnginePool::Create(1, [&] {
    auto e = std::make_unique<ScriptedEngine>(page, "", "");
    e->second_page = second;
    e->second_page_confidence = second_confidence;
    engine = e.get();
    return core::Result<std::unique_ptr<OcrEngine>>(std::move(e));
  });
  EXPECT_TRUE(pool);
  if (!pool) return {};
  ScannerOptions options;
  options.reread_lines = 0;
  options.reread_name = false;
  Scanner scanner(**pool, options);
  auto r = scanner.Scan(Span(DevReceipt("X00016469612.jpg")), "r.jpg", "");
  EXPECT_TRUE(r);
  if (!r) return {};
  return {FieldOf(r, "total"), engine->pages_read};
}

TEST(ScannerTest, APageReadWithoutPricesIsReadAgainWithItsContrastStretched) {
  // Faint print: the first reading holds no amount with decimals.
  EXPECT_EQ(
      TotalReadTwice("ACME SDN BHD\nTatai &.OO", "ACME SDN BHD\nTOTAL 18.00"),
      std::make_pair(std::string("18.00"), 2));
  // A second reading without prices either is not taken.
  EXPECT_EQ(TotalReadTwice("ACME SDN BHD\nTOTAL 18", "ACME SDN BHD\nTatai"),
            std::make_pair(std::string("18.00"), 2));
  // A page with prices is read once.
  EXPECT_EQ(
      TotalReadTwice("ACME SDN BHD\nTOTAL 9.00", "ACME SDN BHD\nTOTAL 18.00"),
      std::make_pair(std::string("9.00"), 1));
  // A page of whole amounts (forints) read again into a price from junk
  // ("32:00,"): a reading that holds much less of the page, and less
  // surely, is not taken; as surely, it is (a faint slip read well).
  const std::string whole =
      "ACME KFT\nSUBTOTAL 3 056 000\nTAX 825 120\nTOTAL 3 881 120";
  EXPECT_EQ(TotalReadTwice(whole, "TOTAL 38.81", 0.5f),
            std::make_pair(std::string("3881120.00"), 2));
  EXPECT_EQ(TotalReadTwice(whole, "TOTAL 38.81", 0.95f),
            std::make_pair(std::string("38.81"), 2));
  // Amounts without decimals ("Rp 116.305.800") are no prices either: a
  // second reading of a few words, however sure, is not taken for a page.
  EXPECT_EQ(TotalReadTwice("PT Sumber Rejeki Konsultan\nJl. Malioboro No. 35\n"
                           "Dasar Pengenaan Pajak 104.780.000\n"
                           "PPN (11%) 11.525.800\n"
                           "Jumlah Tagihan Rp 116.305.800",
                           "ber Rejeki Konsultan.", 0.95f),
            std::make_pair(std::string("116305800.00"), 2));
}

TEST(ScannerTest, WarnsWhenTheDeclaredTypeIsWrong) {
  auto pool = CannedPool("TOTAL 1.00");
  Scanner scanner(*pool, {});
  auto r = scanner.Scan(Span(DevReceipt("X00016469612.jpg")), "r.png",
                        "image/png; charset=binary");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0],
            "declared type image/png but the content is image/jpeg");
}

TEST(ResizeTest, ShrinksByAveragingAndEnlargesSmoothly) {
  GrayImage img{4, 2, {0, 100, 200, 255, 0, 100, 200, 255}};
  GrayImage half = Resize(img, 2, 1);
  EXPECT_EQ(half.pixels, (std::vector<uint8_t>{50, 227}));
  GrayImage big = Resize(GrayImage{2, 1, {0, 200}}, 4, 1);
  EXPECT_EQ(big.pixels.front(), 0);
  EXPECT_EQ(big.pixels.back(), 200);
  EXPECT_LT(big.pixels[1], big.pixels[2]);
}

// Resize computes rows and columns once and reuses them; each pixel must be
// what its own formula gives: the box average when reducing, the bilinear
// blend of pixel centres when enlarging.
TEST(ResizeTest, EveryPixelIsItsFormulasValue) {
  GrayImage img;
  img.width = 37;
  img.height = 23;
  uint32_t state = 12345;
  for (int i = 0; i < img.width * img.height; ++i) {
    state = state * 1103515245u + 12345u;
    img.pixels.push_back(uint8_t(state >> 24));
  }
  for (auto [w, h] : {std::pair{11, 7}, std::pair{18, 23}, std::pair{37, 5}}) {
    const GrayImage out = Resize(img, w, h);
    const double sx = double(img.width) / w, sy = double(img.height) / h;
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const int x0 = int(x * sx), x1 = std::max(x0 + 1, int((x + 1) * sx));
        const int y0 = int(y * sy), y1 = std::max(y0 + 1, int((y + 1) * sy));
        int sum = 0;
        for (int yy = y0; yy < y1; ++yy) {
          for (int xx = x0; xx < x1; ++xx) sum += img.at(xx, yy);
        }
        ASSERT_EQ(out.at(x, y), sum / ((y1 - y0) * (x1 - x0)))
            << w << "x" << h << " at " << x << "," << y;
      }
    }
  }
  for (auto [w, h] : {std::pair{100, 61}, std::pair{80, 97}}) {
    const GrayImage out = Resize(img, w, h);
    const double sx = double(img.width) / w, sy = double(img.height) / h;
    for (int y = 0; y < h; ++y) {
      const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, img.height - 1.0);
      const int y0 = int(fy), y1 = std::min(y0 + 1, img.height - 1);
      for (int x = 0; x < w; ++x) {
        const double fx =
            std::clamp((x + 0.5) * sx - 0.5, 0.0, img.width - 1.0);
        const int x0 = int(fx), x1 = std::min(x0 + 1, img.width - 1);
        const double wx = fx - x0, wy = fy - y0;
        const double top = img.at(x0, y0) * (1 - wx) + img.at(x1, y0) * wx;
        const double bottom = img.at(x0, y1) * (1 - wx) + img.at(x1, y1) * wx;
        ASSERT_EQ(out.at(x, y), std::lround(top * (1 - wy) + bottom * wy))
            << w << "x" << h << " at " << x << "," << y;
      }
    }
  }
}

TEST(OtsuThresholdTest, ImageAndItsHistogramAgree) {
  GrayImage img;
  img.width = 101;  // not a multiple of the four counts filled in turn
  img.height = 3;
  std::array<double, 256> hist{};
  for (int i = 0; i < img.width * img.height; ++i) {
    const uint8_t v = i % 7 == 0 ? uint8_t(20 + i % 13) : uint8_t(200 + i % 5);
    img.pixels.push_back(v);
    hist[v] += 1;
  }
  EXPECT_EQ(OtsuThreshold(img), OtsuThreshold(hist));
  EXPECT_GE(OtsuThreshold(img), 32);
  EXPECT_LT(OtsuThreshold(img), 200);
}

TEST(EnginePoolTest, LazyPoolMakesEnginesOnlyWhenLeasesNeedThem) {
  std::atomic<int> made{0};
  auto pool = EnginePool::CreateLazy(
      2, [&]() -> core::Result<std::unique_ptr<OcrEngine>> {
        ++made;
        return NewCannedEngine(PageFromText("x"));
      });
  ASSERT_TRUE(pool.has_value());
  EXPECT_EQ(made, 0);
  {
    auto first = (*pool)->Acquire();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(made, 1);
  }
  {
    auto again = (*pool)->Acquire();  // the first engine, free again
    auto second = (*pool)->Acquire();
    ASSERT_TRUE(again.has_value() && second.has_value());
    EXPECT_EQ(made, 2);
  }
  EXPECT_EQ(made, 2);
}

TEST(EnginePoolTest, LazyPoolReportsAnEngineThatCannotBeMade) {
  int calls = 0;
  auto pool = EnginePool::CreateLazy(
      1, [&]() -> core::Result<std::unique_ptr<OcrEngine>> {
        if (++calls == 1) return core::Unavailable("no language data");
        return NewCannedEngine(PageFromText("x"));
      });
  ASSERT_TRUE(pool.has_value());
  auto failed = (*pool)->Acquire();
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_TRUE((*pool)->Acquire().has_value());  // tried again, made
}

TEST(EnginePoolTest, LendsEachEngineToOneThreadAtATime) {
  auto pool = CannedPool("x", 2);
  std::atomic<int> in_use{0}, most{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 50; ++i) {
          EnginePool::Lease lease = *pool->Acquire();
          const int now = ++in_use;
          int seen = most.load();
          while (now > seen && !most.compare_exchange_weak(seen, now)) {
          }
          std::this_thread::yield();
          --in_use;
        }
      });
    }
  }
  EXPECT_LE(most.load(), 2);
  EXPECT_GE(most.load(), 1);
}

TEST(EnginePoolTest, CreationFailsWithTheEnginesError) {
  auto pool = EnginePool::Create(2, [] {
    return core::Result<std::unique_ptr<OcrEngine>>(
        core::Unavailable("no language data"));
  });
  ASSERT_FALSE(pool);
  EXPECT_EQ(pool.error().code(), core::ErrorCode::kUnavailable);
}

// The real engine on a real receipt (integration: needs tesseract-ocr-eng).
TEST(TesseractEngineTest, ReadsADevReceiptWithBoxes) {
  auto engine = NewTesseractEngine({.language = "eng"});
  ASSERT_TRUE(engine) << engine.error().ToString();
  auto decoded = DecodeImage(Span(DevReceipt("X00016469612.jpg")));
  ASSERT_TRUE(decoded);
  auto page = (*engine)->Recognize(decoded->image);
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_GT(page->lines.size(), 10u);
  EXPECT_NE(page->Text().find("Total"), std::string::npos) << page->Text();
  for (const OcrLine& line : page->lines) {
    for (const OcrWord& w : line.words) {
      EXPECT_LT(w.box.x0, w.box.x1);
      EXPECT_LE(w.box.x1, 463);
      EXPECT_GE(w.confidence, 0);
      EXPECT_LE(w.confidence, 1);
    }
  }
  // The engine is reused: a second page reads the same.
  auto again = (*engine)->Recognize(decoded->image);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->Text(), page->Text());
}

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(INVOICES_SOURCE_DIR) + "/tests/fixtures/" + name,
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The layout fixture `name` read by the real English engine with `options`
// (integration), accents not read again: no other language is needed.
core::Result<core::Extraction> ScanLayoutFixture(const std::string& name,
                                                 ScannerOptions options) {
  auto pool = EnginePool::Create(
      1, [] { return NewTesseractEngine({.language = "eng"}); });
  if (!pool) return std::unexpected(pool.error());
  const std::string bytes = Fixture("layout/" + name);
  EXPECT_FALSE(bytes.empty()) << name;
  options.read_accents = false;
  const Scanner scanner(**pool, options);
  return scanner.Scan(Span(bytes), name, "");
}

// Receipts in Greek and in Cyrillic, read by the real engines (integration:
// needs tesseract-ocr-eng, -ell and -rus, as scripts/install-deps installs).
TEST(ScannerTest, ReceiptsInGreekAndCyrillicAreReadInTheirScriptByTesseract) {
  auto pool = EnginePool::Create(
      1, [] { return NewTesseractEngine({.language = "eng"}); });
  ASSERT_TRUE(pool) << pool.error().ToString();
  LanguagePools languages(**pool, {}, [](const std::string& set) {
    return NewTesseractEngine({.language = set});
  });
  const Scanner scanner(**pool, {}, &languages);
  const std::string greek = Fixture("scripts/greek-receipt.jpg");
  ASSERT_FALSE(greek.empty());
  auto r = scanner.Scan(Span(greek), "greek-receipt.jpg", "");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->document.language, "ell+eng");
  EXPECT_EQ(FieldOf(r, "vendor_name"), "ΑΚΡΟΠΟΛΙΣ ΖΑΧΑΡΟΠΛΑΣΤΕΙΟ") << r->text;
  EXPECT_EQ(FieldOf(r, "total"), "23.36");
  EXPECT_EQ(FieldOf(r, "currency"), "EUR");
  const std::string bulgarian = Fixture("scripts/bulgarian-receipt.jpg");
  r = scanner.Scan(Span(bulgarian), "bulgarian-receipt.jpg", "");
  ASSERT_TRUE(r) << r.error().ToString();
  // Bulgarian is read in Russian, whose model reads its letters.
  EXPECT_EQ(r->document.language, "rus+eng");
  EXPECT_EQ(FieldOf(r, "vendor_name"), "Иванов Аптека") << r->text;
  EXPECT_EQ(FieldOf(r, "invoice_date"), "2024-03-17");
  // Without other languages the English reading stands.
  const Scanner english(**pool, {});
  r = english.Scan(Span(greek), "greek-receipt.jpg", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->document.language, "eng");
}

// An invoice whose due date and a line of the customer's address the page
// layout drops, read by the real engine (integration).
TEST(ScannerTest, LinesThePageLayoutDroppedAreReadAlone) {
  auto pool = EnginePool::Create(
      1, [] { return NewTesseractEngine({.language = "eng"}); });
  ASSERT_TRUE(pool) << pool.error().ToString();
  const std::string invoice = Fixture("layout/dropped-line-invoice.jpg");
  ASSERT_FALSE(invoice.empty());
  ScannerOptions options;
  options.read_accents = false;  // no other language needed
  const Scanner scanner(**pool, options);
  auto r = scanner.Scan(Span(invoice), "dropped-line-invoice.jpg", "");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(FieldOf(r, "due_date"), "2017-12-18") << r->text;
  EXPECT_EQ(FieldOf(r, "invoice_date"), "2017-11-18");
  EXPECT_NE(FieldOf(r, "receiver_address").find("16010 Osmangazi/Bursa"),
            std::string::npos)
      << r->text;
  // What the page's layout reads alone (not read again as a block either):
  // no due date.
  options.dropped_lines = 0;
  options.reread_below_coverage = 0;
  const Scanner layout_only(**pool, options);
  r = layout_only.Scan(Span(invoice), "dropped-line-invoice.jpg", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(FieldOf(r, "due_date"), "") << r->text;
}

// An invoice whose customer's name and street, beside its dates, Tesseract
// reads as one garbled word ("ee", confidence 0.25, as wide as the name)
// on the dates' line (the real engine: integration): its ink is read again
// as dropped, and the word goes.
TEST(ScannerTest, AGarbledWordsInkIsReadAgain) {
  const std::string invoice = "garbled-customer-invoice.jpg";
  auto r = ScanLayoutFixture(invoice, {});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(FieldOf(r, "receiver_name"), "Svoboda Doprava a.s.") << r->text;
  EXPECT_TRUE(FieldOf(r, "receiver_address").ends_with("702 00 Ostrava"))
      << FieldOf(r, "receiver_address");
  EXPECT_EQ(r->text.find("ee Vystaveno"), std::string::npos) << r->text;
  EXPECT_EQ(FieldOf(r, "due_date"), "2018-11-01");
  // Without the dropped lines' stage the garbled word stands, no customer.
  ScannerOptions layout_only;
  layout_only.dropped_lines = 0;
  r = ScanLayoutFixture(invoice, layout_only);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(FieldOf(r, "receiver_name"), "") << r->text;
}

// An invoice whose customer's small bold label ("Odběratel:") Tesseract
// joins to the vendor's large name beside it and misreads ("one:") (the
// real engine: integration): the label's part of the line, read again
// alone, names the customer.
TEST(ScannerTest, AnUnsurePartOfALineAcrossColumnsIsReadAgain) {
  const std::string invoice = "unsure-label-invoice.jpg";
  auto r = ScanLayoutFixture(invoice, {});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_NE(r->text.find("Odb"), std::string::npos) << r->text;
  EXPECT_TRUE(FieldOf(r, "receiver_name").ends_with("Tisk s.r.o.")) << r->text;
  EXPECT_TRUE(FieldOf(r, "receiver_address").ends_with("110 00 Praha 1"))
      << FieldOf(r, "receiver_address");
  EXPECT_TRUE(FieldOf(r, "vendor_name").starts_with("Dvo"))
      << FieldOf(r, "vendor_name");
  ScannerOptions as_read;
  as_read.reread_parts = 0;
  r = ScanLayoutFixture(invoice, as_read);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(FieldOf(r, "receiver_name"), "") << r->text;
}

// An invoice's column of quantities that Tesseract's layout reads as words
// stacked on their side (the real engine: integration) is read again as a
// block: each count joins its row, and no row's description takes the
// stacked words.
TEST(ScannerTest, AColumnReadAsStackedWordsIsReadAgainAsABlock) {
  auto pool = EnginePool::Create(
      1, [] { return NewTesseractEngine({.language = "eng"}); });
  ASSERT_TRUE(pool) << pool.error().ToString();
  const std::string table = Fixture("layout/stacked-quantities-invoice.png");
  ASSERT_FALSE(table.empty());
  ScannerOptions options;
  options.read_accents = false;
  auto scan = [&](const ScannerOptions& o) {
    const Scanner scanner(**pool, o);
    auto r = scanner.Scan(Span(table), "stacked-quantities-invoice.png", "");
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? std::move(*r) : core::Extraction{};
  };
  // The descriptions printed.
  auto printed = [](const core::LineItem& item) {
    static const std::set<std::string> kPrinted = {
        "Maintenance plan", "Software license (annual)", "Freight, pallet",
        "Installation labor (hours)", "Consulting services"};
    return kPrinted.contains(item.description.value_or(""));
  };
  const core::Extraction read = scan(options);
  ASSERT_EQ(read.line_items.size(), 18u) << read.text;
  int counted = 0, plain = 0;
  for (const core::LineItem& item : read.line_items) {
    plain += printed(item);
    counted += item.quantity.has_value();
  }
  EXPECT_EQ(plain, 18) << read.text;
  EXPECT_EQ(counted, 18) << read.text;
  EXPECT_EQ(read.line_items[0].quantity.value_or(""), "5");
  EXPECT_EQ(read.line_items[0].unit_price.value_or(""), "954.52");
  EXPECT_EQ(read.line_items[13].quantity.value_or(""), "8");
  // Left as the layout read it: the stacked words join a description.
  options.stacked_columns = false;
  const core::Extraction layout_only = scan(options);
  plain = 0;
  for (const core::LineItem& item : layout_only.line_items) {
    plain += printed(item);
  }
  EXPECT_LT(plain, 18) << layout_only.text;
}

// An invoice scanned turned by about a degree, its customer's block and
// its dates in two columns side by side (the real engine: integration).
// Tesseract follows the turned lines, but joins the customer's name to the
// other column's date and reads both as junk ("aa KR. Kidllitas datuma");
// turned back first, it reads them, and the boxes come back in the upload's
// pixels.
TEST(ScannerTest, APageScannedTurnedIsTurnedBackBeforeItIsRead) {
  const std::string invoice = "turned-two-column-invoice.jpg";
  auto r = ScanLayoutFixture(invoice, {});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_TRUE(FieldOf(r, "receiver_name").ends_with("Kft.")) << r->text;
  EXPECT_TRUE(FieldOf(r, "receiver_address").starts_with("6720 Szeged"))
      << r->text;
  EXPECT_EQ(FieldOf(r, "invoice_date"), "2023-12-20");
  EXPECT_EQ(FieldOf(r, "total"), "19372580.00") << r->text;
  // The total's box, in the upload's pixels (1900 x 2500): right of
  // "Brutto osszesen", near (1490-1690, 1640-1690).
  const auto& box = r->fields["total"].bbox;
  ASSERT_TRUE(box);
  EXPECT_NEAR(box->x0, 1490, 40);
  EXPECT_NEAR(box->x1, 1690, 40);
  EXPECT_NEAR(box->y0, 1645, 30);
  EXPECT_NEAR(box->y1, 1685, 30);
  // Read as scanned: no customer.
  ScannerOptions as_scanned;
  as_scanned.deskew_min_degrees = 0;
  r = ScanLayoutFixture(invoice, as_scanned);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(FieldOf(r, "receiver_name"), "") << r->text;
}

// A customer's block found by its layout alone under the vendor's
// letterhead ("WAKASSAR FRESH MARKET SON BHD" under "GARDENIA BAKERIES"),
// read by the real engine (integration): read again, the customer's name
// reads whole with its legal form and would be taken for the vendor's; its
// old reading stays.
TEST(ScannerTest, ACustomersNameReadAgainDoesNotBecomeTheVendors) {
  auto pool = EnginePool::Create(
      1, [] { return NewTesseractEngine({.language = "eng"}); });
  ASSERT_TRUE(pool) << pool.error().ToString();
  ScannerOptions options;
  options.read_accents = false;
  const Scanner scanner(**pool, options);
  auto r = scanner.Scan(Span(DevReceipt("X51006556726.jpg")), "r.jpg", "");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_TRUE(FieldOf(r, "vendor_name").starts_with("GARDENIA BAKERIES"))
      << FieldOf(r, "vendor_name");
}

// A receipt photographed at an angle on a table, read by the real engine
// with and without straightening.
TEST(ScannerTest, StraighteningAReceiptPhotographedAtAnAngleReadsIt) {
  const GrayImage receipt = photo_testing::Receipt();
  const GrayImage photo =
      photo_testing::Photograph(receipt, photo_testing::kTilted, 1400, 1600);
  const std::vector<uint8_t> png = photo_testing::EncodePng(photo);
  auto pool = EnginePool::Create(
      1, [] { return NewTesseractEngine({.language = "eng"}); });
  ASSERT_TRUE(pool) << pool.error().ToString();
  // Words of the receipt, as OCR reads the flat scan.
  const std::vector<std::string> words = {
      "BOOK",     "TAMAN",  "DAYA",    "JOHOR",      "BAHRU",
      "Document", "Date",   "Cashier", "MANIS",      "Member",
      "CASH",     "BILL",   "PRICE",   "AMOUNT",     "MODELLING",
      "CLAY",     "KIDDY",  "FISH",    "Total",      "Adjustment",
      "Cash",     "CHANGE", "GOODS",   "RETURNABLE", "EXCHANGEABLE",
      "THANK",    "PLEASE", "AGAIN"};
  auto found = [&](const core::Extraction& e) {
    size_t n = 0;
    for (const std::string& w : words) n += e.text.find(w) != std::string::npos;
    return n;
  };
  ScannerOptions options;
  const Scanner straightening(**pool, options);
  auto straight = straightening.Scan({png.data(), png.size()}, "photo.png", "");
  ASSERT_TRUE(straight) << straight.error().ToString();
  options.straighten = false;
  const Scanner cropping(**pool, options);
  auto tilted = cropping.Scan({png.data(), png.size()}, "photo.png", "");
  ASSERT_TRUE(tilted) << tilted.error().ToString();
  const size_t with = found(*straight), without = found(*tilted);
  EXPECT_GE(with, words.size() * 8 / 10) << straight->text;
  std::printf("words read: straightened %zu, tilted %zu of %zu\n", with,
              without, words.size());
  EXPECT_GE(with, without + 5)
      << "straightened " << with << ", tilted " << without << ":\n"
      << tilted->text;
  ASSERT_TRUE(straight->fields.contains("total")) << straight->text;
  EXPECT_EQ(straight->fields["total"].value, "9.00");
  // Boxes come back in pixels of the photo: the total's box, taken back to
  // the flat receipt, holds the amount printed right of "Total" there
  // (x 400-445, y 640-725 in the scan).
  EXPECT_EQ(straight->document.width, 1400);
  const core::BBox& box = *straight->fields["total"].bbox;
  auto to_receipt = photo_testing::Invert(
      *RectangleToQuad(photo_testing::kTilted, receipt.width, receipt.height));
  const PointF a = to_receipt->Apply({double(box.x0), double(box.y0)});
  const PointF b = to_receipt->Apply({double(box.x1), double(box.y1)});
  EXPECT_GT(a.x, 330);
  EXPECT_LT(a.x, 420);
  EXPECT_GT(b.x, 430);
  EXPECT_LT(b.x, 470);
  EXPECT_GT(a.y, 620);
  EXPECT_LT(b.y, 745);
  EXPECT_LT(b.y - a.y, 60);
}

TEST(TesseractEngineTest, MissingLanguageIsUnavailable) {
  auto engine = NewTesseractEngine({.language = "xxx"});
  ASSERT_FALSE(engine);
  EXPECT_EQ(engine.error().code(), core::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace invoices::extract

namespace invoices::extract {
namespace {

// Records the size of the image OCR is given.
class RecordingEngine final : public OcrEngine {
 public:
  explicit RecordingEngine(int* width) : width_(width) {}
  using OcrEngine::Recognize;
  core::Result<OcrPage> Recognize(const GrayImage& image,
                                  const RecognizeOptions&) override {
    *width_ = image.width;
    OcrPage page = PageFromText("TOTAL 20.00");
    // One line across the whole image, at its bottom.
    page.lines[0].words[1].box = {image.width / 2, image.height - 40,
                                  image.width - 10, image.height - 10};
    page.width = image.width;
    page.height = image.height;
    return page;
  }
  const std::string& language() const override { return language_; }

 private:
  int* width_;
  std::string language_ = "eng";
};

TEST(ScannerTest, SmallPagesAreEnlargedForOcrAndBoxesMappedBack) {
  int ocr_width = 0;
  auto pool = EnginePool::Create(1, [&] {
    return core::Result<std::unique_ptr<OcrEngine>>(
        std::make_unique<RecordingEngine>(&ocr_width));
  });
  ASSERT_TRUE(pool);
  ScannerOptions options;
  options.ocr_min_side = 1594;  // twice the 797 px height
  Scanner scanner(**pool, options);
  auto r = scanner.Scan(Span(DevReceipt("X00016469676.jpg")), "r.jpg", "");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(ocr_width, 926);  // 463 x 2
  ASSERT_TRUE(r->fields.contains("total"));
  const core::BBox& box = *r->fields["total"].bbox;
  EXPECT_LE(box.x1, 463);
  EXPECT_LE(box.y1, 797);
  EXPECT_GE(box.y0, 797 - 21);

  // Off: OCR reads the page as decoded.
  options.ocr_min_side = 0;
  Scanner plain(**pool, options);
  ASSERT_TRUE(plain.Scan(Span(DevReceipt("X00016469676.jpg")), "r.jpg", ""));
  EXPECT_EQ(ocr_width, 463);
}

}  // namespace
}  // namespace invoices::extract

namespace invoices::extract {
namespace {

std::string SharedFile(const std::string& path) {
  std::ifstream in(std::string(INVOICES_SHARED_DIR) + "/" + path,
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// An engine that fails the test when it is asked to read anything: documents
// that carry their text must not cost an OCR run.
std::unique_ptr<EnginePool> NoOcrPool() {
  class Refusing final : public OcrEngine {
   public:
    using OcrEngine::Recognize;
    core::Result<OcrPage> Recognize(const GrayImage&,
                                    const RecognizeOptions&) override {
      ADD_FAILURE() << "OCR was run";
      return core::Internal("no OCR expected");
    }
    const std::string& language() const override { return language_; }

   private:
    std::string language_ = "eng";
  };
  auto pool = EnginePool::Create(1, [] {
    return core::Result<std::unique_ptr<OcrEngine>>(
        std::make_unique<Refusing>());
  });
  EXPECT_TRUE(pool);
  return std::move(*pool);
}

TEST(ScannerFormatsTest, AnEInvoiceIsReadExactlyWithoutOcr) {
  auto pool = NoOcrPool();
  Scanner scanner(*pool, {});
  const std::string xml =
      SharedFile("testdata/en16931/ubl/ubl-tc434-example1.xml");
  ASSERT_FALSE(xml.empty());
  auto r = scanner.Scan(Span(xml), "inv.xml", "application/xml");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->document.source, "e-invoice");
  EXPECT_EQ(r->fields["total"].value, "250.33");
  EXPECT_EQ(r->fields["total"].confidence, 1.0);
  EXPECT_EQ(r->fields["invoice_id"].value, "12115118");
  EXPECT_FALSE(r->line_items.empty());
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_EQ(r->timings_ms.back().first, "total");
}

TEST(ScannerFormatsTest, AZugferd1DocumentWithoutDeclarationIsAnEInvoice) {
  auto pool = NoOcrPool();
  Scanner scanner(*pool, {});
  const std::string xml =
      "<rsm:CrossIndustryDocument "
      "xmlns:rsm=\"urn:ferd:CrossIndustryDocument:invoice:1p0\" "
      "xmlns:ram=\"urn:un:unece:uncefact:data:standard:"
      "ReusableAggregateBusinessInformationEntity:12\">"
      "<rsm:HeaderExchangedDocument><ram:ID>RE-1</ram:ID>"
      "</rsm:HeaderExchangedDocument></rsm:CrossIndustryDocument>";
  EXPECT_EQ(DetectFormat(Span(xml)), Format::kXml);
  auto r = scanner.Scan(Span(xml), "ZUGFeRD-invoice.xml", "");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->document.source, "e-invoice");
  EXPECT_EQ(r->fields["invoice_id"].value, "RE-1");
}

TEST(ScannerFormatsTest, XmlThatIsNoInvoiceIsRefused) {
  auto pool = NoOcrPool();
  Scanner scanner(*pool, {});
  const std::string svg =
      "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>";
  auto r = scanner.Scan(Span(svg), "x.svg", "image/svg+xml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), core::ErrorCode::kUnsupportedMediaType);
}

TEST(ScannerFormatsTest, ATextPdfIsReadFromItsTextLayerOnEveryPage) {
  using pdf_testing::Text;
  auto pool = NoOcrPool();
  Scanner scanner(*pool, {});
  // Page 1: the seller and the items; page 2 (A4): the totals. The subtotal
  // and tax of page 2 add up to its total only when read with page 1's
  // labels far away, so this also checks that pages are read as one.
  const pdf_testing::Bytes pdf = pdf_testing::MakePdf(
      {{Text(72, 720, 16, "Northwind Supplies Ltd") +
        Text(72, 700, 10, "14 Harbour Road, Bristol BS1 5TY") +
        Text(72, 660, 10, "Invoice date: 05/03/2024") +
        Text(72, 600, 10, "Widget, blue") + Text(400, 600, 10, "40.00") +
        Text(72, 585, 10, "Widget, red") + Text(400, 585, 10, "60.00")},
       {Text(72, 760, 10, "Subtotal") + Text(400, 760, 10, "100.00") +
            Text(72, 745, 10, "VAT 20%") + Text(400, 745, 10, "20.00") +
            Text(72, 730, 12, "Total due GBP") + Text(400, 730, 12, "120.00"),
        "0 0 595 842"}});
  auto r = scanner.Scan({pdf.data(), pdf.size()}, "inv.pdf", "application/pdf");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->document.mime, "application/pdf");
  EXPECT_EQ(r->document.source, "pdf-text");
  EXPECT_EQ(r->document.pages, 2);
  EXPECT_EQ(r->document.width, 612);  // points, of the first page
  EXPECT_EQ(r->document.height, 792);
  EXPECT_EQ(r->fields["vendor_name"].value, "Northwind Supplies Ltd");
  EXPECT_EQ(r->fields["vendor_name"].page, 1);
  EXPECT_EQ(r->fields["invoice_date"].value, "2024-03-05");
  ASSERT_TRUE(r->fields.contains("total"));
  const core::Field& total = r->fields["total"];
  EXPECT_EQ(total.value, "120.00");
  EXPECT_EQ(total.page, 2);
  // On page 2, in points from its top: the baseline 730 of 842 is 112 down.
  ASSERT_TRUE(total.bbox);
  EXPECT_GT(total.bbox->y1, 100);
  EXPECT_LT(total.bbox->y0, 125);
  EXPECT_GE(total.bbox->x0, 398);
  EXPECT_EQ(r->fields["subtotal"].value, "100.00");
  EXPECT_EQ(r->fields["tax"].value, "20.00");
  EXPECT_NE(r->text.find('\f'), std::string::npos);  // pages apart
}

TEST(ScannerFormatsTest, ATextLayersLetterheadBesideTheCustomerIsItsOwnColumn) {
  using pdf_testing::Text;
  auto pool = NoOcrPool();
  Scanner scanner(*pool, {});
  // The customer's block and, 29 pt to the right of its label, the vendor's
  // letterhead in larger print: more than twice the height of the ink of its
  // words (not of the fonts' ascent and descent), two columns, as OCR reads
  // them. The label is 106.7 pt wide in Helvetica at 10 pt.
  const pdf_testing::Bytes pdf = pdf_testing::MakePdf(
      {{Text(72, 740, 10, "Rechnungsempfaenger:") +
        Text(208, 740, 15, "Becker Elektrotechnik GmbH") +
        Text(72, 727, 10, "Hoffmann Logistik AG") +
        Text(72, 714, 10, "Marktplatz 37") +
        Text(72, 701, 10, "20095 Hamburg") +
        Text(208, 722, 10, "Hauptstrasse 31") +
        Text(208, 709, 10, "70173 Stuttgart") +
        Text(72, 660, 10, "Invoice date: 05/03/2024") +
        Text(72, 600, 12, "Total due") + Text(400, 600, 12, "EUR 120.00")}});
  auto r = scanner.Scan({pdf.data(), pdf.size()}, "inv.pdf", "application/pdf");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->document.source, "pdf-text");
  EXPECT_EQ(r->fields["vendor_name"].value, "Becker Elektrotechnik GmbH");
  EXPECT_EQ(r->fields["vendor_address"].value,
            "Hauptstrasse 31 70173 Stuttgart");
  EXPECT_EQ(r->fields["receiver_name"].value, "Hoffmann Logistik AG");
}

TEST(ScannerFormatsTest, APdfWithoutTextIsRenderedAndRead) {
  // A page with only a drawn shape: rendered and given to OCR (canned here).
  auto pool = CannedPool("ACME TRADING\nTOTAL 9.99");
  Scanner scanner(*pool, {});
  const pdf_testing::Bytes pdf =
      pdf_testing::MakePdf({{"0 0 0 rg 100 500 200 100 re f\n"}});
  auto r = scanner.Scan({pdf.data(), pdf.size()}, "scan.pdf", "");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->document.source, "ocr");
  EXPECT_EQ(r->fields["total"].value, "9.99");
  bool rendered = false;
  for (const auto& [stage, ms] : r->timings_ms) rendered |= stage == "render";
  EXPECT_TRUE(rendered);
}

TEST(ScannerFormatsTest, DeclaredTypeThatDisagreesIsAWarning) {
  auto pool = NoOcrPool();
  Scanner scanner(*pool, {});
  const std::string xml = SharedFile("testdata/en16931/cii/CII_example1.xml");
  ASSERT_FALSE(xml.empty());
  auto r = scanner.Scan(Span(xml), "inv.jpg", "image/jpeg");
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_FALSE(r->warnings.empty());
  EXPECT_EQ(r->warnings.front(),
            "declared type image/jpeg but the content is application/xml");
}

}  // namespace
}  // namespace invoices::extract
