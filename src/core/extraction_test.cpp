#include "invoices/core/extraction.h"

#include <gtest/gtest.h>

namespace invoices::core {
namespace {

Extraction Sample() {
  Extraction e;
  e.file = "receipt.jpg";
  e.document = {"image/jpeg", 1, 463, 1013, 0, "ocr", "eng"};
  e.fields["total"] = {"9.00", 0.95, 1, BBox{380, 700, 440, 718}, "9.00"};
  e.fields["vendor_name"] = {"BOOK TA .K", 0.93, 1, BBox{12, 40, 450, 62},
                             "BOOK TA .K"};
  e.fields["currency"] = {"MYR", 0.8, 0, std::nullopt, std::nullopt};
  e.line_items.push_back({"KF MODELLING CLAY", "1", "9.00", "9.00", 0.88, 1,
                          BBox{12, 420, 450, 440}});
  e.warnings = {"subtotal + tax != total"};
  e.text = "BOOK TA .K\nTOTAL 9.00";
  e.timings_ms = {{"decode", 4.1}, {"ocr", 190.2}, {"total", 206.1}};
  return e;
}

TEST(ExtractionTest, JsonFollowsSchemaOrderAndShape) {
  Json j = ToJson(Sample());
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"file", "document", "fields",
                                            "line_items", "warnings", "text",
                                            "timings_ms"}));
  // Fields come out in schema order whatever the map order.
  std::vector<std::string> fields;
  for (const auto& [k, v] : j["fields"].items()) fields.push_back(k);
  EXPECT_EQ(fields,
            (std::vector<std::string>{"vendor_name", "currency", "total"}));
  EXPECT_EQ(j["fields"]["total"]["bbox"], Json::array({380, 700, 440, 718}));
  EXPECT_EQ(j["fields"]["total"]["value"], "9.00");
  // A field not read from a page has no page, bbox or text.
  EXPECT_FALSE(j["fields"]["currency"].contains("page"));
  EXPECT_FALSE(j["fields"]["currency"].contains("bbox"));
  EXPECT_EQ(j["document"]["width"], 463);
  EXPECT_EQ(j["line_items"][0]["unit_price"], "9.00");
}

TEST(ExtractionTest, RoundTrips) {
  Json j = ToJson(Sample());
  auto back = ExtractionFromJson(j);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(ToJson(*back), j);
}

TEST(ExtractionTest, RefusesInvalidValues) {
  Json j = ToJson(Sample());
  j["fields"]["total"]["value"] = "nine";
  auto bad = ExtractionFromJson(j);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("total"), std::string::npos);

  j = ToJson(Sample());
  j["fields"]["invoice_date"] = {{"value", "25/12/2018"}, {"confidence", 1}};
  EXPECT_FALSE(ExtractionFromJson(j));

  j = ToJson(Sample());
  j["fields"]["colour"] = {{"value", "red"}, {"confidence", 1}};
  EXPECT_FALSE(ExtractionFromJson(j));

  j = ToJson(Sample());
  j["fields"]["total"]["confidence"] = 1.5;
  EXPECT_FALSE(ExtractionFromJson(j));
}

TEST(ExtractionTest, ValidatesFieldKinds) {
  EXPECT_TRUE(ValidateFieldValue("total", "-12.50"));
  EXPECT_FALSE(ValidateFieldValue("total", "12,50"));
  EXPECT_TRUE(ValidateFieldValue("currency", "EUR"));
  EXPECT_FALSE(ValidateFieldValue("currency", "eur"));
  EXPECT_FALSE(ValidateFieldValue("vendor_name", "  "));
  EXPECT_TRUE(ValidateFieldValue("due_date", "2024-02-29"));
}

TEST(ExtractionTest, ErrorShape) {
  Json j = ErrorToJson("x.pdf", Error(ErrorCode::kUnsupportedMediaType, "no"));
  EXPECT_EQ(j["error"]["code"], "unsupported_media_type");
  EXPECT_EQ(j["file"], "x.pdf");
}

TEST(ErrorTest, MapsToStatusesAndExitCodes) {
  EXPECT_EQ(HttpStatus(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatus(ErrorCode::kTooLarge), 413);
  EXPECT_EQ(HttpStatus(ErrorCode::kUnsupportedMediaType), 415);
  EXPECT_EQ(HttpStatus(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(CodeFromName("too_large"), ErrorCode::kTooLarge);
  EXPECT_NE(ExitCode(ErrorCode::kInternal), 0);
}

}  // namespace
}  // namespace invoices::core
