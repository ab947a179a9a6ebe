// PDF documents (poppler): each page's text layer as words with boxes, a
// judgement whether that text can be trusted (born-digital invoices need no
// OCR), pages rendered to gray pixels for OCR when it cannot, and the files
// embedded in the document (the XML of a Factur-X, ZUGFeRD or XRechnung
// invoice). The scanner reads a PDF so:
//
//   INVOICES_ASSIGN_OR_RETURN(PdfDocument pdf, OpenPdf(bytes, limits));
//   // pdf.warnings() go to the extraction's warnings
//   for (int i = 0; i < pdf.page_count(); ++i) {
//     auto text = pdf.TextLayer(i, 300);
//     if (text && JudgeTextLayer(*text).usable) { /* fields from *text */ }
//     else { auto page = pdf.Render(i, 300); /* OCR page->image */ }
//   }
//   int xml = FindEInvoiceAttachment(pdf.attachments());
//   if (xml >= 0) { auto bytes = pdf.ReadAttachment(xml); /* einvoice.h */ }
//
// Page indexes are from 0 (SCHEMA.md pages are from 1). Boxes are in pixels
// of the page rendered at the dpi given, origin top-left, after the page's
// /Rotate: the same pixels Render(i, dpi) returns.
//
// poppler's messages never reach stderr: OpenPdf routes them, process-wide,
// into the error message of the call that caused them.
//
// Thread safety: a PdfDocument is used by one thread at a time (poppler
// documents are not thread-safe); different documents may be used on
// different threads at once. The free functions are reentrant.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "invoices/core/error.h"
#include "invoices/extract/image.h"
#include "invoices/extract/ocr_engine.h"

namespace invoices::extract {

struct PdfLimits {
  // Larger files are too_large before poppler parses anything.
  int64_t max_bytes = int64_t{50} * 1024 * 1024;
  // Documents with more pages are too_large: an invoice has a few, and a page
  // without a text layer costs an OCR run.
  int max_pages = 50;
  // A rendered page holds at most this many pixels: Render lowers the dpi of
  // pages too large for the dpi asked (a 200000 pt MediaBox is legal PDF).
  int64_t max_pixels = 64'000'000;
  // ReadAttachment refuses larger embedded files (too_large).
  int64_t max_attachment_bytes = int64_t{20} * 1024 * 1024;
};

// A page's size in points (1/72 inch) as displayed: its crop box, sides
// swapped when /Rotate turns it by 90 or 270 degrees.
struct PdfPageSize {
  double width = 0, height = 0;
  int rotation = 0;  // the page's /Rotate: 0, 90, 180 or 270
};

struct RenderedPage {
  GrayImage image;
  // The resolution used: the one asked, or lower when the page at that
  // resolution would exceed PdfLimits::max_pixels. Boxes of TextLayer(i, dpi)
  // match these pixels.
  double dpi = 0;
};

// A file embedded in the document (the /EmbeddedFiles name tree).
struct PdfAttachment {
  std::string name;  // the file name it was embedded under: "factur-x.xml"
  std::string mime;  // its declared /Subtype ("text/xml"); may be empty
  std::string description;
  int64_t declared_size = -1;  // /Params /Size; -1 when not declared
};

// Whether a text layer is worth reading instead of OCR.
struct TextLayerVerdict {
  bool usable = false;
  int characters = 0;  // not counting white space
  // Share of characters that are no text: U+FFFD, private use, control
  // characters, "(cid:N)" placeholders (what fonts without a Unicode map
  // extract to).
  double garbage = 0;
  // Share of characters that are letters or digits (any script).
  double alphanumeric = 0;
  std::string reason;  // why not usable; empty when usable
};

class PdfDocument {
 public:
  PdfDocument(PdfDocument&&) noexcept;
  PdfDocument& operator=(PdfDocument&&) noexcept;
  ~PdfDocument();

  // The pages that can be read: between 1 and PdfLimits::max_pages.
  int page_count() const;

  // What OpenPdf repaired or left out, for the extraction's warnings: "the
  // PDF declares 3 pages; only the first 2 could be read".
  const std::vector<std::string>& warnings() const;

  // invalid_argument for an index out of range.
  core::Result<PdfPageSize> PageSize(int index) const;

  // The page's text as words with boxes in pixels at `dpi`, confidence 1,
  // grouped into lines in reading order. A line is a run of words on one
  // baseline (vertical overlap) with no gap wider than a few text heights:
  // a wider gap separates columns, which OCR also reads as separate lines,
  // so that two address blocks side by side are not read as one. Lines of
  // a column (a block) follow each other; blocks go top to bottom, then left
  // to right. Each word's `block` and `paragraph` are its block, `line` its
  // line, page-unique. `width` and `height` are the page's pixels at `dpi`.
  // A page without text gives a page without lines. Errors: invalid_argument
  // for an index out of range or a dpi outside (0, 2400].
  core::Result<OcrPage> TextLayer(int index, double dpi = 300) const;

  // Renders the page (anti-aliased, on white) to 8-bit gray at `dpi`, lower
  // when needed to stay within PdfLimits::max_pixels. Errors:
  // invalid_argument for an index out of range, a dpi outside (0, 2400], a
  // page without area or one poppler cannot render.
  core::Result<RenderedPage> Render(int index, double dpi = 300) const;

  // The embedded files, in the order of the document's name tree.
  const std::vector<PdfAttachment>& attachments() const;

  // The bytes of attachments()[index], decompressed. too_large beyond
  // PdfLimits::max_attachment_bytes: from the declared size before reading
  // when there is one, else after (poppler decompresses without a bound, so
  // read only the attachments you need). invalid_argument for an index out
  // of range or a stream that cannot be read.
  core::Result<std::vector<uint8_t>> ReadAttachment(int index) const;

 private:
  struct Impl;
  explicit PdfDocument(std::unique_ptr<Impl> impl);
  friend core::Result<PdfDocument> OpenPdf(std::span<const uint8_t> bytes,
                                           const PdfLimits& limits);
  std::unique_ptr<Impl> impl_;
};

// Opens a PDF held in memory (the bytes are copied). Errors: too_large
// beyond limits.max_bytes or limits.max_pages (from the page tree's count,
// before any page is read; poppler lowers a count beyond the number of
// objects in the file); invalid_argument for bytes that are no PDF, a
// document damaged beyond repair (poppler rebuilds a broken cross-reference
// table) or whose first page does not load, or one encrypted with a password
// (one readable without a password opens). When a later page does not load
// (a file cut short), the pages before it are read, with a warning.
core::Result<PdfDocument> OpenPdf(std::span<const uint8_t> bytes,
                                  const PdfLimits& limits = {});

// Judges a text layer (TextLayer's result): usable when it holds at least
// 32 characters, at most 5% garbage and at least half letters or digits.
// Below that, the text is a scanner's stamp, a page number or a font without
// a Unicode map, and the page is better rendered and OCRed. The judgement is
// of one page: the last page of a born-digital invoice may hold only its
// total ("Amount Due (USD) $7,711.20" is 23 characters), so a caller whose
// other pages are usable may accept a short page without garbage.
TextLayerVerdict JudgeTextLayer(const OcrPage& page);

// The index in `attachments` of an EN 16931 e-invoice by the file names the
// standards give it ("factur-x.xml", "zugferd-invoice.xml" and ZUGFeRD 1's
// "ZUGFeRD-invoice.xml", "xrechnung.xml", in this order, any case), else of
// the first attachment named *.xml; -1 when there is none. A name proves
// nothing: check the bytes (einvoice.h LooksLikeEInvoice).
int FindEInvoiceAttachment(const std::vector<PdfAttachment>& attachments);

}  // namespace invoices::extract
