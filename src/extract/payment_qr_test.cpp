#include "invoices/extract/payment_qr.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

// The writer renders the codes the detection tests read back.
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace invoices::extract {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---------------------------------------------------------------- payloads

// The EPC069-12 example of the standard's annex (a donation to Wikimedia).
const std::string kEpc =
    "BCD\n002\n1\nSCT\nBFSWDE33BER\nWikimedia Foerdergesellschaft\n"
    "DE33100205000001194700\nEUR123.45\n\n\nSpende fuer Wikipedia";

std::string Join(const std::vector<std::string>& lines,
                 const std::string& sep = "\n") {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += sep;
    out += lines[i];
  }
  return out;
}

// The 31 elements of a Swiss QR-bill: the example of the SIX implementation
// guidelines (QR-IBAN with a QR reference).
std::vector<std::string> SwissLines() {
  return {"SPC",
          "0200",
          "1",
          "CH4431999123000889012",
          "S",
          "Robert Schneider AG",
          "Rue du Lac",
          "1268",
          "2501",
          "Biel",
          "CH",
          "",
          "",
          "",
          "",
          "",
          "",
          "",  // ultimate creditor
          "1949.75",
          "CHF",
          "S",
          "Pia-Maria Rutschmann-Schnyder",
          "Grosse Marktgasse",
          "28",
          "9400",
          "Rorschach",
          "CH",
          "QRR",
          "210000000003139471430009017",
          "Auftrag vom 15.06.2020",
          "EPD"};
}

// Indices into SwissLines().
enum {
  kIban = 3,
  kAdrTp = 4,
  kPstCd = 8,
  kTwnNm = 9,
  kAmount = 18,
  kCurrency = 19,
  kRefType = 27,
  kRef = 28,
  kMessage = 29,
  kTrailer = 30
};

std::string Swiss(const std::vector<std::pair<int, std::string>>& changes) {
  std::vector<std::string> lines = SwissLines();
  for (const auto& [index, value] : changes) lines[index] = value;
  return Join(lines);
}

std::string ErrorOf(const core::Result<PaymentQr>& r) {
  if (r) return "(parsed)";
  EXPECT_EQ(r.error().code(), core::ErrorCode::kInvalidArgument);
  return r.error().message();
}

// -------------------------------------------------------------------- IBAN

TEST(PaymentQrIbanTest, AcceptsValidIbans) {
  for (const char* iban :
       {"DE89370400440532013000", "de89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432", "NL91ABNA0417164300", "CH9300762011623852957",
        "BE68539007547034", "FR1420041010050500013M02606", "NO9386011117947",
        "DE33100205000001194700", "CH4431999123000889012"}) {
    EXPECT_TRUE(IsValidIban(iban)) << iban;
  }
}

TEST(PaymentQrIbanTest, RefusesBadChecksumsLengthsAndCharacters) {
  for (const char* iban :
       {"DE89370400440532013001",  // one digit off
        "DE98370400440532013000",  // check digits swapped
        "DE8937040044053201300",   // 21 characters for DE's 22
        "NL91ABNA041716430",       // 17 for NL's 18
        "DE89-3704-0044-0532-0130", "", "DE", "1289370400440532013000",
        "DEXX370400440532013000"}) {
    EXPECT_FALSE(IsValidIban(iban)) << iban;
  }
}

// --------------------------------------------------------------------- EPC

TEST(PaymentQrEpcTest, ParsesTheStandardExample) {
  auto qr = ParseEpcQr(kEpc);
  ASSERT_TRUE(qr.has_value()) << qr.error().ToString();
  EXPECT_EQ(qr->kind, PaymentQrKind::kEpcGiroCode);
  EXPECT_EQ(qr->bic, "BFSWDE33BER");
  EXPECT_EQ(qr->creditor_name, "Wikimedia Foerdergesellschaft");
  EXPECT_EQ(qr->iban, "DE33100205000001194700");
  ASSERT_TRUE(qr->amount.has_value());
  EXPECT_EQ(qr->amount->ToString(), "123.45");
  EXPECT_EQ(qr->currency, "EUR");
  EXPECT_EQ(qr->reference, "");
  EXPECT_EQ(qr->message, "Spende fuer Wikipedia");
  EXPECT_FALSE(qr->bbox.has_value());
}

TEST(PaymentQrEpcTest, AcceptsVariantsTheStandardAllows) {
  // CR LF separators; a final line break.
  auto crlf =
      ParseEpcQr(Join({"BCD", "002", "1", "SCT", "BFSWDE33BER", "Wikimedia",
                       "DE33100205000001194700", "EUR5", "", "", "Danke"},
                      "\r\n") +
                 "\r\n");
  ASSERT_TRUE(crlf.has_value()) << crlf.error().ToString();
  EXPECT_EQ(crlf->amount->ToString(2), "5.00");
  EXPECT_EQ(crlf->message, "Danke");
  // Version 002 without BIC and amount, trailing elements left out.
  auto open = ParseEpcQr("BCD\n002\n1\nSCT\n\nJane Doe\nNL91ABNA0417164300");
  ASSERT_TRUE(open.has_value()) << open.error().ToString();
  EXPECT_EQ(open->bic, "");
  EXPECT_FALSE(open->amount.has_value());
  // A structured ISO 11649 reference, spaces removed.
  auto rf = ParseEpcQr(
      "BCD\n001\n1\nSCT\nABNANL2A\nShop BV\nNL91ABNA0417164300\nEUR1.5\nGDDS\n"
      "RF18 5390 0754 7034");
  ASSERT_TRUE(rf.has_value()) << rf.error().ToString();
  EXPECT_EQ(rf->reference_type, "RF");
  EXPECT_EQ(rf->reference, "RF18539007547034");
  EXPECT_EQ(rf->amount->ToString(), "1.5");
  // IBAN given with spaces and lower case is normalised.
  auto spaced =
      ParseEpcQr("BCD\n002\n1\nSCT\n\nJane\nnl91 abna 0417 1643 00\nEUR1");
  ASSERT_TRUE(spaced.has_value());
  EXPECT_EQ(spaced->iban, "NL91ABNA0417164300");
}

TEST(PaymentQrEpcTest, ConvertsTheDeclaredCharacterSet) {
  // 2 = ISO 8859-1: 0xFC is ü.
  auto latin1 =
      ParseEpcQr("BCD\n002\n2\nSCT\n\nM\xFCller GmbH\nDE89370400440532013000");
  ASSERT_TRUE(latin1.has_value()) << latin1.error().ToString();
  EXPECT_EQ(latin1->creditor_name, "M\xC3\xBCller GmbH");
  // 8 = ISO 8859-15: 0xA4 is the euro sign.
  auto latin9 = ParseEpcQr(
      "BCD\n002\n8\nSCT\n\nShop\nDE89370400440532013000\nEUR2\n\n\n5 \xA4 off");
  ASSERT_TRUE(latin9.has_value()) << latin9.error().ToString();
  EXPECT_EQ(latin9->message, "5 \xE2\x82\xAC off");
  // 1 = UTF-8 must be UTF-8.
  EXPECT_THAT(ErrorOf(ParseEpcQr(
                  "BCD\n002\n1\nSCT\n\nM\xFCller\nDE89370400440532013000")),
              HasSubstr("UTF-8"));
}

TEST(PaymentQrEpcTest, RefusesPayloadsThatBreakTheStandard) {
  const std::string base = "\nDE89370400440532013000\nEUR10.00";
  EXPECT_THAT(ErrorOf(ParseEpcQr("BCX\n002\n1\nSCT\n\nA" + base)),
              HasSubstr("BCD"));
  EXPECT_THAT(ErrorOf(ParseEpcQr("BCD\n003\n1\nSCT\n\nA" + base)),
              HasSubstr("version"));
  EXPECT_THAT(ErrorOf(ParseEpcQr("BCD\n002\n9\nSCT\n\nA" + base)),
              HasSubstr("character set"));
  EXPECT_THAT(ErrorOf(ParseEpcQr("BCD\n002\n1\nINST\n\nA" + base)),
              HasSubstr("SCT"));
  EXPECT_THAT(ErrorOf(ParseEpcQr("BCD\n001\n1\nSCT\n\nA" + base)),
              HasSubstr("needs a BIC"));
  EXPECT_THAT(ErrorOf(ParseEpcQr("BCD\n002\n1\nSCT\nBANK\nA" + base)),
              HasSubstr("BIC"));
  EXPECT_THAT(ErrorOf(ParseEpcQr("BCD\n002\n1\nSCT\n\n" + base)),
              HasSubstr("name is missing"));
  EXPECT_THAT(
      ErrorOf(ParseEpcQr("BCD\n002\n1\nSCT\n\n" + std::string(71, 'x') + base)),
      HasSubstr("longer than 70"));
  EXPECT_THAT(
      ErrorOf(ParseEpcQr("BCD\n002\n1\nSCT\n\nA\nDE89370400440532013001")),
      HasSubstr("IBAN"));
  for (const char* amount :
       {"EUR12,50", "USD12.50", "EUR0.00", "EUR0", "EUR1234567890.00",
        "EUR12.345", "EUR-5", "EUR", "EUR12."}) {
    EXPECT_FALSE(ParseEpcQr("BCD\n002\n1\nSCT\n\nA\nDE89370400440532013000\n" +
                            std::string(amount))
                     .has_value())
        << amount;
  }
  EXPECT_THAT(ErrorOf(ParseEpcQr("BCD\n002\n1\nSCT\n\nA" + base +
                                 "\n\nRF18539007547034\nand text")),
              HasSubstr("both"));
  EXPECT_THAT(ErrorOf(ParseEpcQr("BCD\n002\n1\nSCT\n\nA" + base +
                                 "\n\nRF19539007547034")),
              HasSubstr("creditor reference"));
  EXPECT_THAT(ErrorOf(ParseEpcQr("BCD\n002\n1\nSCT\n\nA" + base +
                                 "\n\n\ntext\ninfo\nextra")),
              HasSubstr("lines"));
  EXPECT_THAT(ErrorOf(ParseEpcQr("BCD\n002\n1\nSCT\n\nA")), HasSubstr("lines"));
  EXPECT_THAT(ErrorOf(ParseEpcQr("BCD\n002\n1\nSCT\n\nA" + base + "\n\n\n" +
                                 std::string(300, 'x'))),
              HasSubstr("331"));
}

// ------------------------------------------------------------------- Swiss

TEST(PaymentQrSwissTest, ParsesTheGuidelinesExample) {
  auto qr = ParseSwissQr(Join(SwissLines()));
  ASSERT_TRUE(qr.has_value()) << qr.error().ToString();
  EXPECT_EQ(qr->kind, PaymentQrKind::kSwissQrBill);
  EXPECT_EQ(qr->iban, "CH4431999123000889012");
  EXPECT_EQ(qr->creditor_name, "Robert Schneider AG");
  ASSERT_TRUE(qr->amount.has_value());
  EXPECT_EQ(qr->amount->ToString(), "1949.75");
  EXPECT_EQ(qr->currency, "CHF");
  EXPECT_EQ(qr->reference_type, "QRR");
  EXPECT_EQ(qr->reference, "210000000003139471430009017");
  EXPECT_EQ(qr->message, "Auftrag vom 15.06.2020");
  EXPECT_EQ(qr->bic, "");
}

TEST(PaymentQrSwissTest, ParsesScorNonAndOptionalParts) {
  auto scor = ParseSwissQr(Swiss({{kIban, "CH5800791123000889012"},
                                  {kRefType, "SCOR"},
                                  {kRef, "RF18539007547034"},
                                  {kCurrency, "EUR"}}));
  ASSERT_TRUE(scor.has_value()) << scor.error().ToString();
  EXPECT_EQ(scor->reference_type, "SCOR");
  EXPECT_EQ(scor->currency, "EUR");
  // NON, no amount, combined address (K), CR LF, billing information and an
  // alternative procedure after EPD.
  std::vector<std::string> lines = SwissLines();
  lines[kIban] = "CH9300762011623852957";
  lines[kAdrTp] = "K";
  lines[6] = "Rue du Lac 1268";
  lines[7] = "2501 Biel";
  lines[kPstCd] = "";
  lines[kTwnNm] = "";
  lines[kAmount] = "";
  lines[kRefType] = "NON";
  lines[kRef] = "";
  lines.push_back("//S1/10/10201409/11/200701");
  lines.push_back("eBill/B/41010560425610173");
  auto non = ParseSwissQr(Join(lines, "\r\n"));
  ASSERT_TRUE(non.has_value()) << non.error().ToString();
  EXPECT_FALSE(non->amount.has_value());
  EXPECT_EQ(non->reference_type, "NON");
  // A final line break; UTF-8 names.
  auto umlaut = ParseSwissQr(Swiss({{5,
                                     "B\xC3\xA4"
                                     "ckerei M\xC3\xBCller"},
                                    {kAmount, "0.00"}}) +
                             "\n");
  ASSERT_TRUE(umlaut.has_value()) << umlaut.error().ToString();
  EXPECT_EQ(umlaut->creditor_name,
            "B\xC3\xA4"
            "ckerei M\xC3\xBCller");
  EXPECT_EQ(umlaut->amount->ToString(2), "0.00");
}

TEST(PaymentQrSwissTest, RefusesPayloadsThatBreakTheGuidelines) {
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{0, "SPX"}}))), HasSubstr("SPC"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{1, "0100"}}))),
              HasSubstr("version"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{2, "2"}}))),
              HasSubstr("coding type"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{kTrailer, "END"}}))),
              HasSubstr("EPD"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{kIban, "CH4431999123000889013"}}))),
              HasSubstr("IBAN"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{kIban, "DE89370400440532013000"}}))),
              HasSubstr("CH or LI"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{kAdrTp, "X"}}))),
              HasSubstr("address type"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{kAdrTp, "K"}}))),
              HasSubstr("combined address"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{kTwnNm, ""}}))),
              HasSubstr("town is missing"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{10, "Schweiz"}}))),
              HasSubstr("country"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{kAmount, "1'949.75"}}))),
              HasSubstr("amount"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{kCurrency, "USD"}}))),
              HasSubstr("currency"));
  // QRR: check digit, and only with a QR-IBAN.
  EXPECT_THAT(
      ErrorOf(ParseSwissQr(Swiss({{kRef, "210000000003139471430009018"}}))),
      HasSubstr("reference"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{kIban, "CH9300762011623852957"}}))),
              HasSubstr("QR-IBAN"));
  // SCOR: never with a QR-IBAN; valid RF.
  EXPECT_THAT(ErrorOf(ParseSwissQr(
                  Swiss({{kRefType, "SCOR"}, {kRef, "RF18539007547034"}}))),
              HasSubstr("QR-IBAN"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{kIban, "CH9300762011623852957"},
                                          {kRefType, "SCOR"},
                                          {kRef, "RF18539007547035"}}))),
              HasSubstr("creditor reference"));
  // NON: no reference.
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss(
                  {{kIban, "CH9300762011623852957"}, {kRefType, "NON"}}))),
              HasSubstr("has a reference"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{kRefType, "IPI"}}))),
              HasSubstr("QRR, SCOR or NON"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{kMessage, std::string(141, 'x')}}))),
              HasSubstr("longer than 140"));
  // Too few elements (the ultimate debtor left out).
  std::vector<std::string> short_lines = SwissLines();
  short_lines.erase(short_lines.begin() + 20, short_lines.begin() + 27);
  EXPECT_THAT(ErrorOf(ParseSwissQr(Join(short_lines))), HasSubstr("lines"));
  EXPECT_THAT(ErrorOf(ParseSwissQr(Swiss({{5, "M\xFCller"}}))),
              HasSubstr("UTF-8"));
}

TEST(PaymentQrParseTest, DispatchesOnTheHeader) {
  auto epc = ParsePaymentQr(kEpc);
  ASSERT_TRUE(epc.has_value());
  EXPECT_EQ(epc->kind, PaymentQrKind::kEpcGiroCode);
  auto swiss = ParsePaymentQr(Join(SwissLines()));
  ASSERT_TRUE(swiss.has_value());
  EXPECT_EQ(swiss->kind, PaymentQrKind::kSwissQrBill);
  EXPECT_THAT(ErrorOf(ParsePaymentQr("https://example.com/pay")),
              HasSubstr("not a payment QR code"));
  EXPECT_FALSE(ParsePaymentQr("").has_value());
  EXPECT_FALSE(ParsePaymentQr("BCD").has_value());
  EXPECT_EQ(KindName(PaymentQrKind::kSwissQrBill), "swiss");
}

// --------------------------------------------------------------- detection

// A white page with some gray texture, like a scan.
GrayImage Page(int width, int height) {
  GrayImage page{width, height, std::vector<uint8_t>(size_t(width) * height)};
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> noise(235, 255);
  for (uint8_t& p : page.pixels) p = static_cast<uint8_t>(noise(rng));
  // Some "text" lines.
  for (int y = 80; y + 12 < height; y += 60) {
    for (int yy = y; yy < y + 12; ++yy) {
      for (int x = 80; x < width / 2; ++x) {
        if ((x / 7) % 3 != 0) page.pixels[size_t(yy) * width + x] = 40;
      }
    }
  }
  return page;
}

// Draws `payload` as a QR code with `module` pixels a module, its top left
// corner (quiet zone of 4 modules included) at (x, y), all white first.
void DrawQr(GrayImage& page, const std::string& payload, int x, int y,
            int module,
            ZXing::CharacterSet charset = ZXing::CharacterSet::UTF8) {
  const ZXing::BitMatrix m =
      ZXing::MultiFormatWriter(ZXing::BarcodeFormat::QRCode)
          .setEncoding(charset)
          .setMargin(4)
          .encode(payload, 0, 0);
  for (int my = 0; my < m.height() * module; ++my) {
    for (int mx = 0; mx < m.width() * module; ++mx) {
      const int px = x + mx, py = y + my;
      if (px < 0 || py < 0 || px >= page.width || py >= page.height) continue;
      page.pixels[size_t(py) * page.width + px] =
          m.get(mx / module, my / module) ? 20 : 250;
    }
  }
}

TEST(PaymentQrFindTest, FindsAnEpcCodeOnAPage) {
  GrayImage page = Page(1240, 1754);  // A4 at 150 dpi
  DrawQr(page, kEpc, 900, 1300, 5);
  const std::vector<PaymentQr> found = FindPaymentQrCodes(page);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, PaymentQrKind::kEpcGiroCode);
  EXPECT_EQ(found[0].iban, "DE33100205000001194700");
  EXPECT_EQ(found[0].amount->ToString(), "123.45");
  EXPECT_EQ(found[0].creditor_name, "Wikimedia Foerdergesellschaft");
  // The box is inside the drawn square (quiet zone of 20 px excluded).
  ASSERT_TRUE(found[0].bbox.has_value());
  EXPECT_GE(found[0].bbox->x0, 900);
  EXPECT_GE(found[0].bbox->y0, 1300);
  EXPECT_LE(found[0].bbox->x0, 930);
  EXPECT_LE(found[0].bbox->y0, 1330);
  EXPECT_GT(found[0].bbox->x1, found[0].bbox->x0 + 150);
}

TEST(PaymentQrFindTest, FindsPaymentCodesAmongOthers) {
  GrayImage page = Page(1240, 1754);
  DrawQr(page, "https://example.com/invoice/42", 100, 1300, 5);
  DrawQr(page, Join(SwissLines()), 400, 1250, 4);
  // An EPC code in ISO 8859-1 (charset 2), written with that encoding.
  DrawQr(page,
         "BCD\n002\n2\nSCT\n\nM\xC3\xBCller GmbH\nDE89370400440532013000\n"
         "EUR9.90",
         850, 1300, 5, ZXing::CharacterSet::ISO8859_1);
  std::vector<PaymentQr> found = FindPaymentQrCodes(page);
  ASSERT_EQ(found.size(), 2u);
  std::sort(found.begin(), found.end(),
            [](const PaymentQr& a, const PaymentQr& b) {
              return a.bbox->x0 < b.bbox->x0;
            });
  EXPECT_EQ(found[0].kind, PaymentQrKind::kSwissQrBill);
  EXPECT_EQ(found[0].reference, "210000000003139471430009017");
  EXPECT_EQ(found[0].amount->ToString(), "1949.75");
  EXPECT_EQ(found[1].kind, PaymentQrKind::kEpcGiroCode);
  EXPECT_EQ(found[1].creditor_name, "M\xC3\xBCller GmbH");
  EXPECT_EQ(found[1].amount->ToString(2), "9.90");
}

TEST(PaymentQrFindTest, FindsACodeOnATurnedPage) {
  GrayImage page = Page(800, 600);
  DrawQr(page, kEpc, 450, 150, 4);
  // Turned a quarter clockwise.
  GrayImage turned{page.height, page.width,
                   std::vector<uint8_t>(page.pixels.size())};
  for (int y = 0; y < page.height; ++y) {
    for (int x = 0; x < page.width; ++x) {
      turned.pixels[size_t(x) * turned.width + (page.height - 1 - y)] =
          page.at(x, y);
    }
  }
  const std::vector<PaymentQr> found = FindPaymentQrCodes(turned);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].iban, "DE33100205000001194700");
}

TEST(PaymentQrFindTest, FindsNothingWithoutAPaymentCode) {
  EXPECT_THAT(FindPaymentQrCodes(Page(1240, 1754)), IsEmpty());
  GrayImage url = Page(600, 600);
  DrawQr(url, "https://example.com", 100, 100, 5);
  EXPECT_THAT(FindPaymentQrCodes(url), IsEmpty());
  // A payment code that breaks its standard (bad IBAN check digits).
  GrayImage bad = Page(600, 600);
  DrawQr(bad, "BCD\n002\n1\nSCT\n\nA\nDE89370400440532013001\nEUR1", 100, 100,
         5);
  EXPECT_THAT(FindPaymentQrCodes(bad), IsEmpty());
  EXPECT_THAT(FindPaymentQrCodes(GrayImage{}), IsEmpty());
  // Pixels missing for the size claimed.
  EXPECT_THAT(FindPaymentQrCodes(GrayImage{100, 100, {}}), IsEmpty());
  // The same code twice is one payment.
  GrayImage twice = Page(1000, 500);
  DrawQr(twice, kEpc, 50, 50, 4);
  DrawQr(twice, kEpc, 550, 50, 4);
  EXPECT_EQ(FindPaymentQrCodes(twice).size(), 1u);
}

// ------------------------------------------------------------------- merge

core::Field OcrField(std::string value, double confidence = 0.8) {
  core::Field f;
  f.value = std::move(value);
  f.confidence = confidence;
  f.page = 1;
  f.bbox = core::BBox{1, 2, 3, 4};
  return f;
}

PaymentQr EpcQr() {
  PaymentQr qr = *ParseEpcQr(kEpc);
  qr.page = 2;
  qr.bbox = core::BBox{900, 1300, 1100, 1500};
  return qr;
}

TEST(PaymentQrApplyTest, FillsAnEmptyExtraction) {
  core::Extraction e;
  ApplyPaymentQr(EpcQr(), e);
  EXPECT_EQ(e.fields["total"].value, "123.45");
  EXPECT_EQ(e.fields["total"].confidence, 1.0);
  EXPECT_EQ(e.fields["total"].page, 2);
  EXPECT_EQ(e.fields["total"].bbox, (core::BBox{900, 1300, 1100, 1500}));
  EXPECT_EQ(e.fields["amount_due"].value, "123.45");
  EXPECT_EQ(e.fields["currency"].value, "EUR");
  EXPECT_EQ(e.fields["vendor_name"].value, "Wikimedia Foerdergesellschaft");
  EXPECT_EQ(e.fields["vendor_name"].confidence, 0.9);
  EXPECT_THAT(e.warnings, IsEmpty());
  EXPECT_EQ(e.text,
            "Payment QR (epc): IBAN DE33100205000001194700, BIC BFSWDE33BER, "
            "creditor Wikimedia Foerdergesellschaft, amount EUR 123.45, "
            "message Spende fuer Wikipedia\n");
  // Still a valid SCHEMA.md extraction.
  EXPECT_TRUE(core::ExtractionFromJson(core::ToJson(e)).has_value());
}

TEST(PaymentQrApplyTest, OverridesOcrAndWarnsWhenItDiffered) {
  core::Extraction e;
  e.fields["total"] = OcrField("128.45");
  e.fields["currency"] = OcrField("EUR");
  e.fields["vendor_name"] = OcrField("WIKIMEDIA");
  e.text = "WIKIMEDIA\nTOTAL 128.45";
  ApplyPaymentQr(EpcQr(), e);
  EXPECT_EQ(e.fields["total"].value, "123.45");
  EXPECT_EQ(e.fields["total"].confidence, 1.0);
  EXPECT_EQ(e.fields["amount_due"].value, "123.45");
  EXPECT_EQ(e.fields["currency"].confidence, 1.0);
  EXPECT_EQ(e.fields["vendor_name"].value, "WIKIMEDIA");  // kept
  EXPECT_THAT(e.warnings,
              ElementsAre("payment QR code: total 128.45 replaced by 123.45"));
  EXPECT_THAT(e.text, HasSubstr("TOTAL 128.45\nPayment QR (epc): IBAN"));
}

TEST(PaymentQrApplyTest, NoWarningWhenOcrAgreed) {
  core::Extraction e;
  e.fields["total"] = OcrField("123.450");
  ApplyPaymentQr(EpcQr(), e);
  EXPECT_EQ(e.fields["total"].value, "123.45");
  EXPECT_THAT(e.warnings, IsEmpty());
}

TEST(PaymentQrApplyTest, KeepsTheTotalAfterAPrepayment) {
  core::Extraction e;
  e.fields["total"] = OcrField("246.90");
  e.fields["amount_due"] = OcrField("123.45");
  ApplyPaymentQr(EpcQr(), e);
  EXPECT_EQ(e.fields["total"].value, "246.90");
  EXPECT_EQ(e.fields["total"].confidence, 0.8);
  EXPECT_EQ(e.fields["amount_due"].confidence, 1.0);
  EXPECT_THAT(e.warnings, IsEmpty());
}

TEST(PaymentQrApplyTest, AnOpenOrZeroAmountSetsNoAmount) {
  core::Extraction e;
  e.fields["total"] = OcrField("10.00");
  e.fields["currency"] = OcrField("USD");
  PaymentQr open = *ParseEpcQr("BCD\n002\n1\nSCT\n\nJane\nNL91ABNA0417164300");
  ApplyPaymentQr(open, e);
  EXPECT_EQ(e.fields["total"].value, "10.00");
  EXPECT_EQ(e.fields["currency"].value, "USD");
  EXPECT_FALSE(e.fields.contains("amount_due"));
  EXPECT_EQ(e.fields["vendor_name"].value, "Jane");
  PaymentQr zero = *ParseSwissQr(Swiss({{kAmount, "0.00"}}));
  ApplyPaymentQr(zero, e);
  EXPECT_EQ(e.fields["total"].value, "10.00");
  EXPECT_THAT(e.warnings, IsEmpty());
  EXPECT_THAT(e.text, HasSubstr("reference 210000000003139471430009017"));
}

TEST(PaymentQrApplyTest, SwissCurrencyReplacesAWrongOne) {
  core::Extraction e;
  e.fields["currency"] = OcrField("EUR");
  ApplyPaymentQr(*ParseSwissQr(Join(SwissLines())), e);
  EXPECT_EQ(e.fields["currency"].value, "CHF");
  EXPECT_EQ(e.fields["total"].value, "1949.75");
  EXPECT_THAT(e.warnings,
              Contains("payment QR code: currency EUR replaced by CHF"));
}

}  // namespace
}  // namespace invoices::extract
