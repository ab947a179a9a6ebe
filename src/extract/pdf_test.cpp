// PDF reading on documents written by a small PDF writer in this test:
// objects, a cross-reference table with exact offsets, Helvetica text (whose
// metrics poppler knows without a font file), drawn rectangles, embedded
// files.
#include "invoices/extract/pdf.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>

#include "pdf_testing.h"

namespace invoices::extract {
namespace {

using namespace pdf_testing;  // NOLINT: test helpers

// A born-digital invoice: a title with its customer block to the right, a
// date under the title, a total whose amount is close by.
const std::string kInvoicePage =
    Text(72, 720, 12, "Invoice No. 123") +
    Text(72, 704, 10, "Date: 2024-03-01") + Text(400, 720, 10, "Customer Ltd") +
    Text(400, 706, 10, "1 Main Street") + Text(72, 600, 10, "Total") +
    Text(110, 600, 10, "45.60");

core::Result<PdfDocument> Open(const Bytes& pdf, const PdfLimits& limits = {}) {
  return OpenPdf(Span(pdf), limits);
}

TEST(PdfTest, TextLayerWordsLinesAndBoxes) {
  const Bytes pdf = MakePdf({{kInvoicePage}});
  EXPECT_EQ(DetectFormat(Span(pdf)), Format::kPdf);
  auto doc = Open(pdf);
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_EQ(doc->page_count(), 1);
  EXPECT_TRUE(doc->warnings().empty());
  auto size = doc->PageSize(0);
  ASSERT_TRUE(size);
  EXPECT_DOUBLE_EQ(size->width, 612);
  EXPECT_DOUBLE_EQ(size->height, 792);

  auto page = doc->TextLayer(0, 300);
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_EQ(page->width, 2550);  // 8.5 in at 300 dpi
  EXPECT_EQ(page->height, 3300);
  // Reading order: the title's block (title, date), the customer block to
  // its right, then the total; the far-away customer is not on the title's
  // line, the nearby amount is on its label's.
  EXPECT_EQ(page->Text(),
            "Invoice No. 123\nDate: 2024-03-01\nCustomer Ltd\n1 Main Street\n"
            "Total 45.60");
  ASSERT_EQ(page->lines.size(), 5u);
  const OcrLine& title = page->lines[0];
  ASSERT_EQ(title.words.size(), 3u);
  EXPECT_EQ(title.words[0].text, "Invoice");
  EXPECT_EQ(title.words[2].text, "123");
  EXPECT_FLOAT_EQ(title.words[0].confidence, 1.0f);
  // "Invoice" at x = 72 pt, baseline 720 pt from the bottom (72 pt from the
  // top); Helvetica's "Invoice" is 3.168 em = 38 pt wide at 12 pt.
  const core::BBox& b = title.words[0].box;
  EXPECT_NEAR(b.x0, 300, 2);
  EXPECT_NEAR(b.x1, 300 + 38.016 * 300 / 72, 3);
  EXPECT_LT(b.y0, 300);  // the baseline (72 pt) is inside the box
  EXPECT_GT(b.y1, 300);
  // Of ink, as OCR's boxes are: capitals are 0.72 em high in Helvetica, not
  // the font's whole ascent and descent.
  EXPECT_NEAR(b.y1 - b.y0, 0.72 * 12 * 300 / 72.0, 6);
  // Word ids: blocks in order, lines page-unique.
  EXPECT_EQ(page->lines[1].words[0].block, 0);
  EXPECT_EQ(page->lines[2].words[0].block, 1);
  EXPECT_EQ(page->lines[4].words[0].block, 2);
  EXPECT_EQ(page->lines[4].words[1].line, 4);
  // The customer line shares the title's band but starts far right.
  EXPECT_GT(page->lines[2].box.x0, 400 * 300 / 72 - 3);
  EXPECT_LT(page->lines[2].box.y0, title.box.y1);

  // Boxes scale with the dpi.
  auto at72 = doc->TextLayer(0, 72);
  ASSERT_TRUE(at72);
  EXPECT_EQ(at72->width, 612);
  EXPECT_NEAR(at72->lines[0].words[0].box.x0, 72, 1);

  const TextLayerVerdict v = JudgeTextLayer(*page);
  EXPECT_TRUE(v.usable) << v.reason;
  EXPECT_EQ(v.characters, 60);
  EXPECT_EQ(v.garbage, 0);
}

TEST(PdfTest, RotatedPageBoxesFollowTheDisplay) {
  // /Rotate 90: the page is shown landscape, the text runs top to bottom on
  // the sheet but left to right as displayed.
  const Bytes pdf = MakePdf(
      {{Text(72, 720, 12, "Invoice No. 123") + Text(72, 700, 12, "Total 45.60"),
        "0 0 612 792", " /Rotate 90"}});
  auto doc = Open(pdf);
  ASSERT_TRUE(doc) << doc.error().ToString();
  auto size = doc->PageSize(0);
  ASSERT_TRUE(size);
  EXPECT_EQ(size->rotation, 90);
  EXPECT_DOUBLE_EQ(size->width, 792);
  auto page = doc->TextLayer(0, 72);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->width, 792);
  EXPECT_EQ(page->height, 612);
  auto rendered = doc->Render(0, 72);
  ASSERT_TRUE(rendered);
  EXPECT_EQ(rendered->image.width, 792);
  EXPECT_EQ(rendered->image.height, 612);
  // Every word lies inside the displayed page.
  for (const OcrLine& line : page->lines) {
    for (const OcrWord& w : line.words) {
      EXPECT_LE(w.box.x1, 792);
      EXPECT_LE(w.box.y1, 612);
    }
  }
}

TEST(PdfTest, TwoPages) {
  const Bytes pdf =
      MakePdf({{Text(72, 720, 11, "First page of the invoice")},
               {Text(72, 720, 11, "Second page: Total due 99.00 EUR")}});
  auto doc = Open(pdf);
  ASSERT_TRUE(doc) << doc.error().ToString();
  ASSERT_EQ(doc->page_count(), 2);
  auto first = doc->TextLayer(0);
  auto second = doc->TextLayer(1);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->Text(), "First page of the invoice");
  EXPECT_EQ(second->Text(), "Second page: Total due 99.00 EUR");
  auto third = doc->TextLayer(2);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_FALSE(doc->Render(-1));
}

TEST(PdfTest, PageWithoutTextIsNotUsableAndRendersItsDrawing) {
  // A black rectangle 200 x 100 pt at (100, 500) from the bottom left: at
  // 72 dpi, x 100..300 and y 792 - 600 = 192 .. 292 from the top.
  const Bytes pdf = MakePdf({{"0 0 0 rg 100 500 200 100 re f\n"}});
  auto doc = Open(pdf);
  ASSERT_TRUE(doc) << doc.error().ToString();
  auto text = doc->TextLayer(0);
  ASSERT_TRUE(text);
  EXPECT_TRUE(text->lines.empty());
  const TextLayerVerdict v = JudgeTextLayer(*text);
  EXPECT_FALSE(v.usable);
  EXPECT_EQ(v.reason, "no text layer");

  auto r72 = doc->Render(0, 72);
  ASSERT_TRUE(r72) << r72.error().ToString();
  EXPECT_DOUBLE_EQ(r72->dpi, 72);
  const GrayImage& img = r72->image;
  ASSERT_EQ(img.width, 612);
  ASSERT_EQ(img.height, 792);
  EXPECT_EQ(img.at(200, 242), 0);  // inside
  EXPECT_EQ(img.at(105, 197), 0);
  EXPECT_EQ(img.at(50, 50), 255);  // paper
  EXPECT_EQ(img.at(310, 242), 255);
  EXPECT_EQ(img.at(200, 300), 255);
  // At 300 dpi the same rectangle, 4.17 times larger.
  auto r300 = doc->Render(0, 300);
  ASSERT_TRUE(r300);
  EXPECT_EQ(r300->image.width, 2550);
  EXPECT_EQ(r300->image.height, 3300);
  EXPECT_EQ(r300->image.at(833, 1000), 0);
  EXPECT_EQ(r300->image.at(1300, 1000), 255);
}

TEST(PdfTest, RenderedTextIsInk) {
  auto doc = Open(MakePdf({{Text(72, 720, 24, "TOTAL 45.60")}}));
  ASSERT_TRUE(doc);
  auto r = doc->Render(0, 150);
  auto text = doc->TextLayer(0, 150);
  ASSERT_TRUE(r && text);
  // The text layer's box of "TOTAL" holds dark pixels in the rendering
  // (when a font could be found for Helvetica), and only paper around it.
  const core::BBox b = text->lines.at(0).words.at(0).box;
  int darkest = 255;
  for (int y = b.y0; y < b.y1; ++y) {
    for (int x = b.x0; x < b.x1; ++x)
      darkest = std::min<int>(darkest, r->image.at(x, y));
  }
  EXPECT_LT(darkest, 100);
  EXPECT_EQ(r->image.at(b.x0 / 2, b.y0 / 2), 255);
}

TEST(PdfTest, HugeMediaBoxRendersWithinThePixelLimit) {
  const Bytes pdf =
      MakePdf({{"0 0 0 rg 0 0 100000 100000 re f\n", "0 0 200000 200000"}});
  PdfLimits limits;
  limits.max_pixels = 4'000'000;
  auto doc = Open(pdf, limits);
  ASSERT_TRUE(doc) << doc.error().ToString();
  auto r = doc->Render(0, 300);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_LE(int64_t(r->image.width) * r->image.height, limits.max_pixels);
  EXPECT_GT(int64_t(r->image.width) * r->image.height,
            limits.max_pixels * 9 / 10);
  EXPECT_LT(r->dpi, 1);  // 2000 px over 2778 inches
  // The bottom-left quarter is black, the top-right paper.
  const GrayImage& img = r->image;
  EXPECT_EQ(img.at(img.width / 4, img.height * 3 / 4), 0);
  EXPECT_EQ(img.at(img.width * 3 / 4, img.height / 4), 255);
  // The text layer of the same page measures the same pixels.
  auto text = doc->TextLayer(0, r->dpi);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->width, img.width);
  EXPECT_EQ(text->height, img.height);
}

// Found by the pdf fuzz target (UBSan: 1.1e78 is outside the range of
// int64_t): a page box too large for any bitmap is measured without
// overflow, and refused when rendered.
TEST(PdfTest, AbsurdPageBoxIsMeasuredWithoutOverflow) {
  const Bytes pdf =
      MakePdf({{kInvoicePage, "0 0 612 1" + std::string(77, '1')}});
  auto doc = Open(pdf);
  ASSERT_TRUE(doc) << doc.error().ToString();
  auto text = doc->TextLayer(0, 72);
  ASSERT_TRUE(text) << text.error().ToString();
  EXPECT_EQ(text->width, 612);
  EXPECT_EQ(text->height, INT_MAX);
  auto page = doc->Render(0, 72);
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code(), core::ErrorCode::kTooLarge);
}

Bytes Deflate(const std::string& s) {
  uLongf size = compressBound(s.size());
  Bytes out(size);
  compress2(out.data(), &size, reinterpret_cast<const Bytef*>(s.data()),
            s.size(), 9);
  out.resize(size);
  return out;
}

// A document with three embedded files: Factur-X XML (declared size),
// a compressed XML copy and a text note (no declared size).
struct Attached {
  Bytes pdf;
  std::string xml;
};
Attached PdfWithAttachments() {
  Attached a;
  a.xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rsm:CrossIndustryInvoice "
      "xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:"
      "100\"><!-- \x01\xFF binary-safe --></rsm:CrossIndustryInvoice>\n";
  a.xml += std::string("\0\r\n\x80", 4);  // bytes that text handling breaks
  PdfWriter w;
  const int names = w.Reserve();
  const int xml = w.Add(PdfWriter::Stream(
      "/Type /EmbeddedFile /Subtype /text#2Fxml /Params << /Size " +
          std::to_string(a.xml.size()) + " >>",
      a.xml));
  const Bytes packed = Deflate("<Invoice>other</Invoice>");
  const int copy =
      w.Add(PdfWriter::Stream("/Type /EmbeddedFile /Filter /FlateDecode",
                              std::string(packed.begin(), packed.end())));
  const int note = w.Add(PdfWriter::Stream("/Type /EmbeddedFile", "a note"));
  auto spec = [&](const std::string& name, int stream,
                  const std::string& desc) {
    return w.Add("<< /Type /Filespec /F (" + name + ") /UF (" + name +
                 ") /Desc (" + desc + ") /EF << /F " + PdfWriter::Ref(stream) +
                 " >> /AFRelationship /Data >>");
  };
  const int s1 = spec("notes.txt", note, "Notes");
  const int s2 = spec("copy.xml", copy, "A copy");
  const int s3 = spec("factur-x.xml", xml, "Factur-X invoice");
  // The name tree's keys are sorted.
  w.Set(names, "<< /Names [(copy.xml) " + PdfWriter::Ref(s2) +
                   " (factur-x.xml) " + PdfWriter::Ref(s3) + " (notes.txt) " +
                   PdfWriter::Ref(s1) + "] >>");
  a.pdf =
      MakePdf({{kInvoicePage}},
              " /Names << /EmbeddedFiles " + PdfWriter::Ref(names) + " >>", &w);
  return a;
}

TEST(PdfTest, EmbeddedFilesAreListedAndReadByteForByte) {
  const Attached a = PdfWithAttachments();
  auto doc = Open(a.pdf);
  ASSERT_TRUE(doc) << doc.error().ToString();
  const std::vector<PdfAttachment>& files = doc->attachments();
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].name, "copy.xml");
  EXPECT_EQ(files[1].name, "factur-x.xml");
  EXPECT_EQ(files[1].mime, "text/xml");
  EXPECT_EQ(files[1].description, "Factur-X invoice");
  EXPECT_EQ(files[1].declared_size, int64_t(a.xml.size()));
  EXPECT_EQ(files[2].declared_size, -1);

  const int e = FindEInvoiceAttachment(files);
  ASSERT_EQ(e, 1);
  auto xml = doc->ReadAttachment(e);
  ASSERT_TRUE(xml) << xml.error().ToString();
  EXPECT_EQ(std::string(xml->begin(), xml->end()), a.xml);
  auto copy = doc->ReadAttachment(0);  // decompressed
  ASSERT_TRUE(copy) << copy.error().ToString();
  EXPECT_EQ(std::string(copy->begin(), copy->end()),
            "<Invoice>other</Invoice>");
  EXPECT_FALSE(doc->ReadAttachment(3));

  // Limits: refused from the declared size, and after reading without one.
  PdfLimits small;
  small.max_attachment_bytes = 10;
  auto limited = Open(a.pdf, small);
  ASSERT_TRUE(limited);
  auto declared = limited->ReadAttachment(1);
  ASSERT_FALSE(declared);
  EXPECT_EQ(declared.error().code(), core::ErrorCode::kTooLarge);
  auto undeclared = limited->ReadAttachment(0);
  ASSERT_FALSE(undeclared);
  EXPECT_EQ(undeclared.error().code(), core::ErrorCode::kTooLarge);
  EXPECT_TRUE(limited->ReadAttachment(2));  // "a note": 6 bytes
}

TEST(PdfTest, FindEInvoiceAttachmentByStandardNames) {
  auto named = [](std::vector<std::string> names) {
    std::vector<PdfAttachment> out;
    for (std::string& n : names) out.push_back(PdfAttachment{std::move(n)});
    return out;
  };
  EXPECT_EQ(FindEInvoiceAttachment({}), -1);
  EXPECT_EQ(FindEInvoiceAttachment(named({"logo.png", "terms.pdf"})), -1);
  EXPECT_EQ(FindEInvoiceAttachment(named({"a.xml", "ZUGFeRD-invoice.xml"})), 1);
  EXPECT_EQ(FindEInvoiceAttachment(named(
                {"xrechnung.xml", "zugferd-invoice.xml", "Factur-X.xml"})),
            2);
  EXPECT_EQ(FindEInvoiceAttachment(named({"logo.png", "invoice.XML"})), 1);
}

TEST(PdfTest, JudgesGarbageTextLayers) {
  auto verdict = [](const std::string& text) {
    return JudgeTextLayer(PageFromText(text, 1.0f));
  };
  EXPECT_TRUE(
      verdict("Rechnung Nr. 2024-001 vom 01.03.2024\nSumme 1.234,50 EUR")
          .usable);
  // Accented and non-Latin letters are letters.
  EXPECT_TRUE(verdict("Facture n° 42 — Montant TTC à régler : 1 234,50 €\n"
                      "Σύνολο πληρωμής 99,00")
                  .usable);
  const TextLayerVerdict cid = verdict(
      "(cid:12)(cid:34)(cid:56) (cid:78)(cid:90) Total 45.60 (cid:11)(cid:22)");
  EXPECT_FALSE(cid.usable);
  EXPECT_GT(cid.garbage, 0.5);
  std::string replacement;
  for (int i = 0; i < 20; ++i) replacement += "\xEF\xBF\xBD\xEF\xBF\xBD Ab ";
  EXPECT_FALSE(verdict(replacement).usable);
  EXPECT_FALSE(verdict("Scanned by X").usable);  // too little
  EXPECT_FALSE(
      verdict("........ ------ ******** ||||||| //////// ++++").usable);
  std::string pua;
  for (int i = 0; i < 40; ++i) pua += "\xEE\x80\x81";  // U+E001
  const TextLayerVerdict p = verdict(pua + " Invoice 123");
  EXPECT_FALSE(p.usable);
  EXPECT_NE(p.reason.find("unmapped"), std::string::npos);
}

TEST(PdfTest, GarbageAndTruncatedFilesAreInvalid) {
  const std::string junk = "this is not a PDF at all, just some text bytes";
  auto g =
      OpenPdf({reinterpret_cast<const uint8_t*>(junk.data()), junk.size()});
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_FALSE(OpenPdf({}));

  const Bytes pdf = MakePdf({{kInvoicePage}, {kInvoicePage}});
  // Cut inside the first page's objects: the page tree is there, the pages
  // are not.
  const Bytes cut(pdf.begin(), pdf.begin() + pdf.size() / 3);
  auto t = Open(cut);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code(), core::ErrorCode::kInvalidArgument);
  // A header and nothing else.
  const Bytes head(pdf.begin(), pdf.begin() + 20);
  auto h = Open(head);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().code(), core::ErrorCode::kInvalidArgument);
}

TEST(PdfTest, FileCutShortIsInvalid) {
  // A cut file loses its trailer, and poppler cannot rebuild the
  // cross-reference table without one, wherever the cut is.
  const Bytes pdf = MakePdf({{kInvoicePage}, {kInvoicePage}});
  const std::string s(pdf.begin(), pdf.end());
  for (size_t keep : {s.find("6 0 obj"), s.find("xref"), pdf.size() - 30}) {
    ASSERT_NE(keep, std::string::npos);
    auto doc = Open(Bytes(pdf.begin(), pdf.begin() + keep));
    ASSERT_FALSE(doc) << keep;
    EXPECT_EQ(doc.error().code(), core::ErrorCode::kInvalidArgument);
  }
}

TEST(PdfTest, MissingLaterPageIsLeftOutWithAWarning) {
  // The page tree lists a second page whose object is not in the file.
  PdfWriter w;
  const int catalog = w.Add("<< /Type /Catalog /Pages 2 0 R >>");
  const int tree = w.Reserve();
  const int font =
      w.Add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  const int content = w.Add(PdfWriter::Stream("", kInvoicePage));
  const int page = w.Add(
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
      "/Resources << /Font << /F1 " +
      PdfWriter::Ref(font) + " >> >> /Contents " + PdfWriter::Ref(content) +
      " >>");
  w.Set(tree, "<< /Type /Pages /Kids [" + PdfWriter::Ref(page) +
                  " 40 0 R] /Count 2 >>");
  auto doc = Open(w.Build(catalog));
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_EQ(doc->page_count(), 1);
  ASSERT_EQ(doc->warnings().size(), 1u);
  EXPECT_NE(doc->warnings()[0].find("declares 2 pages"), std::string::npos)
      << doc->warnings()[0];
  auto text = doc->TextLayer(0);
  ASSERT_TRUE(text);
  EXPECT_NE(text->Text().find("Total 45.60"), std::string::npos);
}

TEST(PdfTest, EncryptedWithAPasswordIsInvalid) {
  // Standard security handler, revision 2: poppler tries the empty user
  // password, whose key does not produce this /U.
  PdfWriter w;
  const int encrypt = w.Reserve();
  const std::string hex32(64, 'A');
  w.Set(encrypt, "<< /Filter /Standard /V 1 /R 2 /O <" + hex32 + "> /U <" +
                     hex32 + "> /P -44 >>");
  const Bytes plain = MakePdf({{kInvoicePage}}, "", &w);
  // MakePdf built with the catalog as object 2; rebuild the trailer.
  std::string s(plain.begin(), plain.end());
  const std::string root = "/Root 2 0 R";
  const size_t at = s.rfind(root);
  ASSERT_NE(at, std::string::npos);
  s.insert(at + root.size(),
           " /Encrypt 1 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> "
           "<0123456789ABCDEF0123456789ABCDEF>]");
  const Bytes pdf(s.begin(), s.end());
  auto doc = Open(pdf);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_NE(doc.error().message().find("password"), std::string::npos)
      << doc.error().message();
}

TEST(PdfTest, ManyPagesAreTooLargeBeforeAnyIsRead) {
  // 100000 real (empty) pages sharing one content stream: 7 MB.
  PdfWriter w;
  const int catalog = w.Add("<< /Type /Catalog /Pages 2 0 R >>");
  const int tree = w.Reserve();
  const int content = w.Add(PdfWriter::Stream("", "0 0 0 rg 0 0 10 10 re f"));
  std::string kids;
  kids.reserve(100000 * 10);
  for (int i = 0; i < 100000; ++i) {
    const int page = w.Add(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " +
        PdfWriter::Ref(content) + " >>");
    kids += PdfWriter::Ref(page) + " ";
  }
  w.Set(tree, "<< /Type /Pages /Kids [" + kids + "] /Count 100000 >>");
  const Bytes pdf = w.Build(catalog);
  const auto start = std::chrono::steady_clock::now();
  auto doc = Open(pdf);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code(), core::ErrorCode::kTooLarge);
  EXPECT_NE(doc.error().message().find("100000 pages"), std::string::npos)
      << doc.error().message();
  std::printf("[ info ] 100000-page PDF (%zu bytes) refused in %.0f ms\n",
              pdf.size(), seconds * 1000);
}

TEST(PdfTest, AnInflatedPageCountIsDamage) {
  // One page and a /Count of 100000: poppler will not believe a count
  // beyond the number of objects in the file and finds no pages; the file
  // is refused at once, without walking a page tree.
  PdfWriter w;
  const int catalog = w.Add("<< /Type /Catalog /Pages 2 0 R >>");
  const int tree = w.Reserve();
  const int content = w.Add(PdfWriter::Stream("", "0 0 10 10 re f"));
  const int page =
      w.Add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " +
            PdfWriter::Ref(content) + " >>");
  w.Set(tree, "<< /Type /Pages /Kids [" + PdfWriter::Ref(page) +
                  "] /Count 100000 >>");
  auto doc = Open(w.Build(catalog));
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_NE(doc.error().message().find("Page count (100000)"),
            std::string::npos)
      << doc.error().message();
}

TEST(PdfTest, BytesBeyondTheLimitAreTooLarge) {
  const Bytes pdf = MakePdf({{kInvoicePage}});
  PdfLimits limits;
  limits.max_bytes = 100;
  auto doc = Open(pdf, limits);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code(), core::ErrorCode::kTooLarge);
  EXPECT_FALSE(Open(MakePdf({{kInvoicePage}}))->Render(0, 0));  // bad dpi
}

// Quick figures for the notes, no assertions on time.
TEST(PdfTest, Timings) {
  std::string busy;
  for (int i = 0; i < 40; ++i) {
    busy += Text(72, 760 - 18 * i, 10,
                 "Item " + std::to_string(i) +
                     " Widget, blue, size M    2 x 10.00   20.00");
  }
  auto doc = Open(MakePdf({{busy}}));
  ASSERT_TRUE(doc);
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
  };
  auto t = Clock::now();
  auto text = doc->TextLayer(0, 300);
  const double text_ms = ms(t);
  t = Clock::now();
  auto r = doc->Render(0, 300);
  const double render_ms = ms(t);
  ASSERT_TRUE(text && r);
  EXPECT_EQ(text->lines.size(), 40u);
  std::printf(
      "[ info ] text layer of a 40-line page: %.1f ms; render at 300 dpi: %.1f "
      "ms\n",
      text_ms, render_ms);
}

}  // namespace
}  // namespace invoices::extract
