// The scan pipeline: bytes of an upload in, the SCHEMA.md extraction out.
// The format is detected from the content:
//   - images (JPEG, PNG, TIFF pages, WebP, HEIC): decode -> preprocess ->
//     OCR (an engine from the pool) -> fields, page by page;
//   - PDF: the e-invoice embedded in it (Factur-X, ZUGFeRD, XRechnung) when
//     there is one; else each page's text layer when it is usable, and OCR of
//     the rendered page when not. Boxes are in points (1/72 inch);
//   - XML: an EN 16931 e-invoice (UBL or CII), read exactly.
// Payment QR codes (EPC, Swiss QR-bill) on image and rendered pages confirm
// or correct the amount and currency. This is what the scan function and
// `invoices scan` call.
// Thread safety: Scan may be called from many threads at once; each call
// borrows one engine from the pool for its OCR stage.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "invoices/core/extraction.h"
#include "invoices/extract/engine_pool.h"
#include "invoices/extract/image.h"
#include "invoices/extract/payment_qr.h"
#include "invoices/extract/pdf.h"
#include "invoices/extract/preprocess.h"

namespace invoices::extract {

struct ScannerOptions {
  DecodeOptions decode;  // pixel limit, decode-time reduction
  // The longer side OCR reads at most; larger pages are reduced first.
  int ocr_max_side = 3500;
  // The longer side OCR reads at least; smaller pages are enlarged first.
  // Measured on the 100 development receipts (docs/BENCHMARKS.md), enlarging
  // to 2200 px read 4 more totals and 6 more dates for 25% more time; 0
  // turns it off.
  int ocr_min_side = 2200;
  // Crop a photographed document to the paper (FindPaper).
  bool crop_to_paper = true;
  // Straighten a sheet photographed at an angle (FindPaperQuad, Warp) when
  // its four edges are found confidently and one of them is turned by at
  // least `straighten_min_degrees` from the image axes; smaller turns are
  // left to OCR's own deskewing. A straightened page is not cropped again.
  bool straighten = true;
  double straighten_min_degrees = 2.0;
  // A page whose lines of text are turned by at least this many degrees
  // (EstimateSkew, up to 5) and was not straightened is levelled before OCR
  // (Deskew): Tesseract follows a slightly turned line, but on a page of
  // two columns it joins the lines of one to the other's and reads both
  // wrong. Smaller turns are left to it: on the made-up sets, levelling
  // from 0.3 degrees changed about as many fields for the worse as for the
  // better (433 and 461), from 1 degree fewer and more of them for the
  // better (99 and 131; docs/BENCHMARKS.md); 0 turns it off.
  double deskew_min_degrees = 1.0;
  // How OCR splits the page (Layout): kAuto finds columns and blocks.
  Layout layout = Layout::kAuto;
  // When the page read with kAuto has a Quality() below this, it is read
  // again as one block and the better reading is kept (layout analysis
  // sometimes takes a receipt photo for a picture); 0 turns it off.
  double reread_below_quality = 0.5;
  // When the words read with kAuto cover less than this share of the page's
  // ink, the page is read again as one block, and that reading is kept when
  // it holds 15% more letters and digits and is about as sure: kAuto's
  // layout analysis drops whole columns of prices, or the lines between two
  // dashed rules, on some slips (a tenth of the made-up receipts of other
  // countries, fewer than 5 of the 100 dev receipts); 0 turns it off.
  double reread_below_coverage = 0.8;
  // Values labelled as a total, a payment or a date that are missing or
  // doubtful are read again, alone and at a comfortable text height
  // (LinesToReread); at most this many a page, 0 for none. A reading
  // replaces the old one only when it holds the value wanted and loses no
  // date or amount. On the 100 dev receipts 4 a page read 2 more totals and
  // lost nothing; 8 lost 2 totals again (docs/BENCHMARKS.md).
  size_t reread_lines = 4;
  // Lines the page's layout dropped (FindUnreadText: ink no word read
  // covers, as high as the text), at most this many a page, each read alone
  // and added to the page when read surely; 0 for none.
  size_t dropped_lines = 10;
  // A column of short numbers (an invoice's quantities: "1", "12", "1")
  // that Tesseract took for one line of text turned on its side, read as
  // junk words stacked top to bottom ("Pie Pl P| wo) PP)"; StackedLines),
  // is read again as a block of its own; its lines join the rows beside
  // them.
  bool stacked_columns = true;
  // Items' prices OCR misread into no amount (GarbledPriceCells: "Tostada
  // LL36" among prices with decimals), at most this many a page, each read
  // again alone; a reading that is a price takes the old one's place. 0 for
  // none.
  size_t reread_prices = 6;
  // Parts of a line across columns read unsurely (UnsureParts: "one:" for
  // a small bold "Odběratel:" joined to the vendor's large name beside
  // it), at most this many a page, each read again alone; a reading of
  // letters or digits read surely takes the old one's place. 0 for none.
  size_t reread_parts = 4;
  // The lines of a vendor's name (and of a customer's, in its columns) found
  // with a calibrated confidence under `reread_name_below` are read again,
  // each with the lines around it as a block at a comfortable text height;
  // a reading replaces a line when it is more confident and has about as
  // many letters and digits.
  bool reread_name = true;
  double reread_name_below = 0.6;
  // ReadAccents (needs LanguagePools): names and addresses of receipts in
  // another language read with its model, for the accents English drops.
  bool read_accents = true;
  // Pages in a script the default English engines cannot read (Greek,
  // Cyrillic), found without cost on pages that read well: when at least
  // `script_probe_share` of a page's words of three letters or more were
  // read unsurely (DoubtfulWordShare), or three words and at least
  // `script_probe_mixed` of them have capitals among small letters
  // (MixedCaseWords: German's "GmbH", "MwSt" keep under it), six of those
  // words (SuspectWords) are read again in each language of
  // `scripts` that is
  // installed (LanguagePools). When one reads them in its script more
  // surely than English did by `script_margin` (confidence per letter),
  // the page is read again in it and English ("ell+eng"): the language of
  // the document. Empty turns it off; `scripts` wants one language per
  // script, its most common.
  std::vector<std::string> scripts = {"ell", "rus"};
  double script_probe_share = 0.3;
  double script_probe_mixed = 0.2;
  double script_margin = 0.15;
  // Divide out uneven light (FlattenBackground): "auto" when the paper's
  // brightness varies over the page, "always" or "never".
  std::string flatten = "auto";
  // Erase long thin ruled lines before OCR (RemoveRules): a rule close to a
  // line of text makes the line finder misread both.
  bool remove_rules = true;
  // Map the confidences of fields read by OCR through their calibration
  // (calibration.h); off, they are the extractor's raw scores.
  bool calibrate_confidence = true;
  // Look for payment QR codes on pages that are images.
  bool payment_qr = true;
  // Pages of a multi-page TIFF read at most (the rest is left, with a
  // warning); PDFs have their own limits.
  int max_pages = 50;
  PdfLimits pdf;
  // The resolution PDF pages without a usable text layer are rendered at.
  double pdf_dpi = 300;
};

// The share of the words of three letters or more on `page` read with a
// confidence under 0.6: high on pages in a script the model does not know,
// and on poor scans.
double DoubtfulWordShare(const OcrPage& page);

// How many of the words of four Latin letters or more on `page` have a
// capital after a small letter ("BaHuuka", "KovAoupt": Cyrillic or Greek
// read by an English model, whose small letters look like its capitals),
// and their share of those words.
std::pair<size_t, double> MixedCaseWords(const OcrPage& page);

// Up to `n` words of four letters or more on `page` read unsurely or with
// capitals among small letters, the longest first; not words less than half
// as high as most (rules read as text).
std::vector<const OcrWord*> SuspectWords(const OcrPage& page, size_t n);

// The lines of `page` read as text turned on its side, unsurely (a mean
// confidence under 0.6): three words or more, each below the one before in
// one column; or two or more in a column four times as high as wide. On
// receipts and invoices such a line is a column of short numbers read as
// one ("Pie Pl P| wo) PP)" for a column of "1"s).
std::vector<size_t> StackedLines(const OcrPage& page);

// A run of a line's words between gaps wider than two of its text heights:
// the line crossed columns. The run is the line's words [first, last).
struct LinePart {
  size_t line = 0, first = 0, last = 0;
  core::BBox box;
  float confidence = 0;  // the run's mean
};

// Up to `n` parts of lines that cross columns whose words, two letters or
// digits or more, were read unsurely (a mean confidence under 0.5) while
// the rest of the line was not: Tesseract reads a column's line joined to
// one of larger print beside it poorly. The least sure first.
std::vector<LinePart> UnsureParts(const OcrPage& page, size_t n);

// Codes of Latin letters and digits ("INV-2019-0042", "F2021166") and
// numbers on a page read again in another script, where that script's
// model read their letters as its own ("ΙΝΝ-2019-0042", "Ε2021166") or
// its digits and separators less well than English ("235218." for
// "2.352,18", "94624" for "54624"): a word with digits and Greek or
// Cyrillic letters takes the English reading of the same place (`english`,
// boxes in the same pixels) when that holds the same digits and only Latin
// letters, and its own letters all look Latin (not "ΦΠΑ24%"); a word of
// digits without letters, when that is one too or a code ("GS75266" read
// "6575266").
void KeepLatinCodes(OcrPage& page, const OcrPage& english);

// The sign "№" where a page read before (`before`, boxes in the same pixels)
// had it and `page`, read again in a language whose model reads it as
// letters ("Ne", "Ж"; Ukrainian's), has a word without it:
// that word takes the one read before.
void KeepNumeroSigns(OcrPage& page, const OcrPage& before);

class Scanner {
 public:
  // `engines` read in the default languages; `languages`, when given, lends
  // the engines of the sets a Scan call names (both outlive the scanner).
  Scanner(EnginePool& engines, ScannerOptions options,
          LanguagePools* languages = nullptr);

  // Reads one document. `file` is echoed in the result; `declared_mime` (may be
  // empty) is compared with the detected format and a mismatch is a warning.
  // `languages` ("deu", "deu+eng"; empty for the default engines) chooses
  // the OCR languages of this document: invalid_argument when the set is
  // malformed or not installed (LanguagePools::Get), or when the scanner has
  // no LanguagePools. Errors as DecodeImage's, OpenPdf's and ReadEInvoice's,
  // and OCR engine failures.
  core::Result<core::Extraction> Scan(std::span<const uint8_t> bytes,
                                      std::string_view file,
                                      std::string_view declared_mime,
                                      std::string_view languages = {}) const;

  const ScannerOptions& options() const { return options_; }

 private:
  core::Result<core::Extraction> ScanImage(std::span<const uint8_t> bytes,
                                           core::Extraction result,
                                           EnginePool& engines) const;
  core::Result<core::Extraction> ScanPdf(std::span<const uint8_t> bytes,
                                         core::Extraction result,
                                         EnginePool& engines) const;
  // Preprocesses and reads one page image; boxes come back in a page of
  // `width` x `height` (the page as uploaded). A `rendered` page (PDF) is
  // neither cropped nor flattened.
  core::Result<OcrPage> ReadImage(GrayImage image, int width, int height,
                                  bool rendered, EnginePool& engines,
                                  core::Extraction& result) const;
  // Straightens `image` when it shows a sheet photographed at an angle
  // (ScannerOptions::straighten); the map from the straightened image to
  // the one given, or nullopt when it was left as it was.
  std::optional<Homography> Straighten(GrayImage& image) const;
  // Reads again the lines LinesToReread picks, each alone and enlarged, and
  // keeps the readings of higher quality. Boxes stay in `image` pixels.
  core::Status RereadLines(OcrEngine& engine, const GrayImage& image,
                           OcrPage& page) const;
  // Adds to `page` the lines its layout dropped
  // (ScannerOptions::dropped_lines), each read alone, in the reading order
  // after the line above them in their column.
  core::Status ReadDroppedLines(OcrEngine& engine, const GrayImage& image,
                                OcrPage& page) const;
  // Reads the columns OCR read as stacked words (StackedLines) again as
  // blocks (ScannerOptions::stacked_columns), their lines in the stacked
  // words' place.
  core::Status ReadStackedColumns(OcrEngine& engine, const GrayImage& image,
                                  OcrPage& page) const;
  // Reads again, alone, the items' prices of `page` OCR misread
  // (ScannerOptions::reread_prices); a reading that is a price replaces the
  // misread words.
  core::Status RereadPrices(OcrEngine& engine, const GrayImage& image,
                            OcrPage& page) const;
  // Reads again, alone, the parts of lines UnsureParts picks
  // (ScannerOptions::reread_parts); a sure reading of letters or digits
  // replaces the part's words.
  core::Status RereadUnsureParts(OcrEngine& engine, const GrayImage& image,
                                 OcrPage& page) const;
  // The languages' pool (with English) that reads `page`, read in English,
  // better (ScannerOptions::scripts); null when none does or none is
  // installed.
  core::Result<std::shared_ptr<EnginePool>> ReadScript(
      const GrayImage& image, const OcrPage& page) const;
  // `image` read by an engine of `pool` (RecognizePage), a language of
  // another script, whose languages it sets `language` to: codes and
  // numbers as `english` read them (KeepLatinCodes), Latin lookalikes of the
  // script as its letters, Greek monotonic.
  core::Result<OcrPage> RecognizeInScript(EnginePool& pool, GrayImage& image,
                                          bool flatten, const OcrPage& english,
                                          std::string& language) const;
  // Recognizes `image` with `engine` in the scanner's layout, and again as
  // one block or with its contrast stretched when that layout reads it
  // poorly (ScannerOptions::reread_below_quality, reread_below_coverage);
  // `image` becomes the stretched one when that reads better. `flatten`:
  // the image was flattened already.
  core::Result<OcrPage> RecognizePage(OcrEngine& engine, GrayImage& image,
                                      bool flatten) const;
  // On a page read with the default English engines whose words are of
  // another language (GuessLanguage), the lines of the vendor's name and
  // address are read again in that language (LanguagePools); a reading that
  // differs from the English one only in accents ("Schafer", "Schäfer")
  // replaces it. Nothing happens without LanguagePools or when the language
  // is not installed.
  core::Status ReadAccents(const GrayImage& image, OcrPage& page) const;
  // Adds the payment codes found on a page to `found` (boxes in the page
  // as uploaded).
  void ReadPaymentCodes(const GrayImage& image, int width, int height,
                        int page_number, core::Extraction& result,
                        std::vector<PaymentQr>& found) const;
  // The fields of the document from its pages, then what the payment codes
  // state.
  void ReadFields(const std::vector<OcrPage>& pages,
                  const std::vector<PaymentQr>& codes,
                  core::Extraction& result) const;

  EnginePool& engines_;
  ScannerOptions options_;
  LanguagePools* languages_;
};

}  // namespace invoices::extract
