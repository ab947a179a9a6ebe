#include "invoices/extract/scanner.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <iterator>
#include <new>
#include <optional>
#include <utility>

#include "invoices/core/strings.h"
#include "invoices/extract/calibration.h"
#include "invoices/extract/einvoice.h"
#include "invoices/extract/fields.h"
#include "invoices/extract/identifiers.h"
#include "invoices/extract/line_items.h"
#include "invoices/extract/payment_qr.h"
#include "invoices/extract/pdf.h"
#include "invoices/extract/preprocess.h"
#include "invoices/extract/rules.h"
#include "invoices/extract/text_parse.h"
#include "text_rows.h"

namespace invoices::extract {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

void ScaleBox(core::BBox& b, double f, int w, int h) {
  b = {std::clamp(int(std::floor(b.x0 * f)), 0, w),
       std::clamp(int(std::floor(b.y0 * f)), 0, h),
       std::clamp(int(std::ceil(b.x1 * f)), 0, w),
       std::clamp(int(std::ceil(b.y1 * f)), 0, h)};
}

void ShiftBox(core::BBox& b, int dx, int dy) {
  b = {b.x0 + dx, b.y0 + dy, b.x1 + dx, b.y1 + dy};
}

// Maps boxes from the pixels OCR read (a crop at (dx, dy) of the image
// scaled by 1/factor) to the pixels of the page as uploaded.
void MapToUpload(OcrPage& page, int dx, int dy, double factor, int width,
                 int height) {
  for (OcrLine& line : page.lines) {
    ShiftBox(line.box, dx, dy);
    ScaleBox(line.box, factor, width, height);
    for (OcrWord& w : line.words) {
      ShiftBox(w.box, dx, dy);
      ScaleBox(w.box, factor, width, height);
    }
  }
  page.width = width;
  page.height = height;
}

// Maps boxes from a straightened page to the image it was straightened
// from: each box becomes the bounding box of its four corners mapped.
void MapThrough(OcrPage& page, const Homography& to_image) {
  auto map = [&](core::BBox& b) {
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (const PointF corner : {PointF{double(b.x0), double(b.y0)},
                                PointF{double(b.x1), double(b.y0)},
                                PointF{double(b.x1), double(b.y1)},
                                PointF{double(b.x0), double(b.y1)}}) {
      const PointF p = to_image.Apply(corner);
      x0 = std::min(x0, p.x);
      y0 = std::min(y0, p.y);
      x1 = std::max(x1, p.x);
      y1 = std::max(y1, p.y);
    }
    b = {int(std::floor(x0)), int(std::floor(y0)), int(std::ceil(x1)),
         int(std::ceil(y1))};
  };
  for (OcrLine& line : page.lines) {
    map(line.box);
    for (OcrWord& w : line.words) map(w.box);
  }
}

// Adds `ms` to the stage's time (pages add up), keeping the order in which
// stages first ran.
void AddTiming(core::Extraction& result, std::string_view stage, double ms) {
  for (auto& [name, total] : result.timings_ms) {
    if (name == stage) {
      total += ms;
      return;
    }
  }
  result.timings_ms.emplace_back(std::string(stage), ms);
}

// The media type part of a Content-Type header, lower case.
std::string BaseMime(std::string_view content_type) {
  std::string out =
      core::AsciiLower(content_type.substr(0, content_type.find(';')));
  std::erase_if(out, [](unsigned char c) { return std::isspace(c); });
  return out;
}

// The share of the page's ink (pixels at or below Otsu's threshold) inside
// the boxes of the words read, each widened by half its height: near 1 when
// OCR read all the text, lower when its page layout dropped a column, or the
// lines between two rules. The ink under a long thin blank "word" (what
// Tesseract gives the paper's edge or a rule) is no text and counts neither
// way, and such a word covers nothing around it (widened, the edge's word
// covered half the page). A blank block it took for a picture covers what
// it holds.
double InkCoverage(const GrayImage& image, const OcrPage& page) {
  const int w = image.width, h = image.height;
  if (w == 0 || h == 0) return 1;
  const int threshold = OtsuThreshold(image);
  enum : uint8_t { kOpen, kWord, kRule };
  std::vector<uint8_t> covered(size_t(w) * h, kOpen);
  for (const OcrLine& line : page.lines) {
    for (const OcrWord& word : line.words) {
      const bool blank =
          std::all_of(word.text.begin(), word.text.end(),
                      [](unsigned char c) { return std::isspace(c); });
      const int bw = word.box.x1 - word.box.x0, bh = word.box.y1 - word.box.y0;
      const bool rule = blank && std::min(bw, bh) * 8 <= std::max(bw, bh);
      const int m = rule ? 0 : bh / 2;
      const int x0 = std::clamp(word.box.x0 - m, 0, w);
      const int x1 = std::clamp(word.box.x1 + m, 0, w);
      const int y0 = std::clamp(word.box.y0 - m, 0, h);
      const int y1 = std::clamp(word.box.y1 + m, 0, h);
      for (int y = y0; y < y1; ++y) {
        for (size_t i = size_t(y) * w + x0; i < size_t(y) * w + x1; ++i) {
          // A word's box over a rule's: its ink is text.
          if (!rule || covered[i] == kOpen) covered[i] = rule ? kRule : kWord;
        }
      }
    }
  }
  int64_t ink = 0, inside = 0;
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    if (image.pixels[i] > threshold || covered[i] == kRule) continue;
    ++ink;
    inside += covered[i] == kWord;
  }
  return ink == 0 ? 1.0 : double(inside) / ink;
}

// The lines of `page` with a price on them (an amount with decimals).
int PricedLines(const OcrPage& page) {
  int n = 0;
  for (const OcrLine& line : page.lines) {
    const std::vector<AmountToken> amounts = FindAmounts(line.Text());
    n += std::any_of(amounts.begin(), amounts.end(),
                     [](const AmountToken& a) { return a.has_fraction; });
  }
  return n;
}

// Whether any amount with decimals was read on `page`: a receipt or an
// invoice without one was read poorly.
bool HasPrices(const OcrPage& page) { return PricedLines(page) > 0; }

// The turn of the page's lines of text (EstimateSkew), measured inside
// `paper` (or the image) clear of its edges: a scanner's dark frame or the
// table's wedges around a sheet would outweigh the lines.
double SkewOfText(const GrayImage& image,
                  const std::optional<core::BBox>& paper) {
  const core::BBox in =
      paper.value_or(core::BBox{0, 0, image.width, image.height});
  const int dx = (in.x1 - in.x0) / 16, dy = (in.y1 - in.y0) / 16;
  return EstimateSkew(
      Crop(image, {in.x0 + dx, in.y0 + dy, in.x1 - dx, in.y1 - dy}));
}

}  // namespace

std::optional<Homography> Scanner::Straighten(GrayImage& image) const {
  const std::optional<Quad> quad = FindPaperQuad(image);
  if (!quad || SkewDegrees(*quad) < options_.straighten_min_degrees) {
    return std::nullopt;
  }
  auto [w, h] = StraightenedSize(*quad);
  // No larger than the image it comes from: OCR's size is set already.
  const double f = std::min(
      1.0, double(std::max(image.width, image.height)) / std::max(w, h));
  w = std::max(1, int(w * f));
  h = std::max(1, int(h * f));
  std::optional<Homography> to_image = RectangleToQuad(*quad, w, h);
  if (to_image) image = Warp(image, *to_image, w, h);
  return to_image;
}

namespace {

// Letters of `text` (any script).
size_t Letters(std::string_view text) { return CountScripts(text).all(); }

bool Doubtful(const OcrWord& w) { return w.confidence < 0.6f; }

// Whether boxes `a` and `b` share at least `share` of the larger's area.
bool Overlap(const core::BBox& a, const core::BBox& b, double share) {
  auto area = [](const core::BBox& x) {
    return double(std::max(0, x.x1 - x.x0)) * std::max(0, x.y1 - x.y0);
  };
  const core::BBox i{std::max(a.x0, b.x0), std::max(a.y0, b.y0),
                     std::min(a.x1, b.x1), std::min(a.y1, b.y1)};
  return area(i) >= share * std::max(area(a), area(b));
}

}  // namespace

void KeepLatinCodes(OcrPage& page, const OcrPage& english) {
  auto digits = [](std::string_view t) {
    std::string out;
    for (char c : t) {
      if (c >= '0' && c <= '9') out += c;
    }
    return out;
  };
  for (OcrLine& line : page.lines) {
    for (OcrWord& w : line.words) {
      const ScriptLetters n = CountScripts(w.text);
      const std::string d = digits(w.text);
      const bool number = n.all() == 0;
      if (d.empty() || (!number && n.greek + n.cyrillic == 0)) continue;
      for (const OcrLine& el : english.lines) {
        for (const OcrWord& e : el.words) {
          if (!Overlap(w.box, e.box, 0.6)) continue;
          const ScriptLetters m = CountScripts(e.text);
          const bool latin = m.greek + m.cyrillic + m.other == 0;
          // A code whose letters all look Latin ("Ε2021166", not the
          // "ΦΠΑ24%" of a label glued to its rate) read the same; a
          // number read by English as one, or as a code ("6575266" for
          // "GS75266").
          const bool code =
              n.distinct == 0 && digits(e.text) == d && m.latin > 0 && latin;
          const bool same_number = number && latin && !digits(e.text).empty();
          if ((!number && code) || same_number) w.text = e.text;
        }
      }
    }
  }
}

void KeepNumeroSigns(OcrPage& page, const OcrPage& before) {
  static constexpr std::string_view kNumero = "\u2116";
  for (const OcrLine& bl : before.lines) {
    for (const OcrWord& b : bl.words) {
      if (b.text.find(kNumero) == std::string::npos) continue;
      for (OcrLine& line : page.lines) {
        for (OcrWord& w : line.words) {
          if (w.text.find(kNumero) == std::string::npos &&
              Overlap(w.box, b.box, 0.5)) {
            w.text = b.text;
          }
        }
      }
    }
  }
}

double DoubtfulWordShare(const OcrPage& page) {
  size_t words = 0, doubtful = 0;
  for (const OcrLine& line : page.lines) {
    for (const OcrWord& w : line.words) {
      if (Letters(w.text) < 3) continue;
      ++words;
      doubtful += Doubtful(w);
    }
  }
  return words == 0 ? 0 : double(doubtful) / words;
}

namespace {

// A capital right after a small letter ("BaHuuka").
bool MixedCase(std::string_view t) {
  for (size_t i = 1; i < t.size(); ++i) {
    if (std::islower(static_cast<unsigned char>(t[i - 1])) &&
        std::isupper(static_cast<unsigned char>(t[i]))) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::pair<size_t, double> MixedCaseWords(const OcrPage& page) {
  size_t words = 0, mixed = 0;
  for (const OcrLine& line : page.lines) {
    for (const OcrWord& w : line.words) {
      if (CountScripts(w.text).latin < 4) continue;
      ++words;
      mixed += MixedCase(w.text);
    }
  }
  return {mixed, words == 0 ? 0 : double(mixed) / words};
}

std::vector<const OcrWord*> SuspectWords(const OcrPage& page, size_t n) {
  // Not dashed rules and specks read as rows of "O" and "S": words at least
  // half as high as most.
  std::vector<int> heights;
  for (const OcrLine& line : page.lines) {
    for (const OcrWord& w : line.words) heights.push_back(w.box.y1 - w.box.y0);
  }
  if (heights.empty()) return {};
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2,
                   heights.end());
  const int median = heights[heights.size() / 2];
  std::vector<std::pair<size_t, const OcrWord*>> scored;
  for (const OcrLine& line : page.lines) {
    for (const OcrWord& w : line.words) {
      const size_t letters = Letters(w.text);
      if (letters >= 4 && (Doubtful(w) || MixedCase(w.text)) &&
          2 * (w.box.y1 - w.box.y0) >= median) {
        scored.emplace_back(letters, &w);
      }
    }
  }
  std::stable_sort(
      scored.begin(), scored.end(),
      [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<const OcrWord*> out;
  for (size_t i = 0; i < scored.size() && i < n; ++i) {
    out.push_back(scored[i].second);
  }
  return out;
}

Scanner::Scanner(EnginePool& engines, ScannerOptions options,
                 LanguagePools* languages)
    : engines_(engines), options_(std::move(options)), languages_(languages) {
  if (options_.decode.max_side == 0) {
    options_.decode.max_side = options_.ocr_max_side;
  }
  options_.ocr_min_side =
      std::min(options_.ocr_min_side, options_.ocr_max_side);
}

core::Result<OcrPage> Scanner::ReadImage(GrayImage image, int width, int height,
                                         bool rendered, EnginePool& engines,
                                         core::Extraction& result) const {
  auto t = Clock::now();
  const int longer = std::max(image.width, image.height);
  if (longer < options_.ocr_min_side) {
    // Small photos and low-resolution scans put text well below the height
    // Tesseract reads best; enlarging them reads more of it (see
    // ScannerOptions::ocr_min_side).
    const double f = double(options_.ocr_min_side) / longer;
    image = Resize(image, std::max(1, int(image.width * f)),
                   std::max(1, int(image.height * f)));
  } else if (longer > options_.ocr_max_side) {
    const double f = double(options_.ocr_max_side) / longer;
    image = Resize(image, std::max(1, int(image.width * f)),
                   std::max(1, int(image.height * f)));
  }
  const double to_page = double(width) / image.width;
  core::BBox crop{0, 0, image.width, image.height};
  // A photographed sheet on a darker table is cropped to, or, when it was
  // taken at an angle and its edges are certain, straightened: OCR then
  // reads the straightened sheet. Scans that are all paper pay only for
  // FindPaper, as before (a few milliseconds). A page turned by a degree or
  // two is levelled first (ScannerOptions::deskew_min_degrees), and its
  // paper found again.
  std::optional<Homography> straightened;
  std::optional<core::BBox> paper;
  if ((options_.crop_to_paper || options_.straighten) && !rendered) {
    paper = FindPaper(image);
    if (paper && options_.straighten) straightened = Straighten(image);
  }
  if (straightened) paper.reset();
  if (!straightened && options_.deskew_min_degrees > 0) {
    const double skew = SkewOfText(image, paper);
    if (std::abs(skew) >= options_.deskew_min_degrees) {
      Deskewed level = Deskew(image, skew);
      image = std::move(level.image);
      straightened = level.to_image;
      if (paper && options_.crop_to_paper) paper = FindPaper(image);
    }
  }
  if (paper && options_.crop_to_paper) {
    image = Crop(image, *paper);
    ClearSurroundings(image);
    if (straightened) {
      // The crop's offset goes into the map back to the image.
      auto& m = straightened->m;
      m[2] += m[0] * paper->x0 + m[1] * paper->y0;
      m[5] += m[3] * paper->x0 + m[4] * paper->y0;
      m[8] += m[6] * paper->x0 + m[7] * paper->y0;
    } else {
      crop = *paper;
    }
  }
  bool flatten = options_.flatten == "always";
  if (options_.flatten == "auto" && !rendered) {
    // Only pages lit very unevenly, or with dark surroundings left after
    // cropping, pay for it: on evenly lit scans it changes nothing that OCR
    // cannot threshold itself.
    const BackgroundStats bg = MeasureBackground(image);
    flatten = bg.dark_share > 0.05 || bg.brightest - bg.darkest > 100;
  }
  if (flatten) image = FlattenBackground(image);
  if (options_.remove_rules) RemoveRules(image);
  AddTiming(result, "preprocess", MsSince(t));

  t = Clock::now();
  INVOICES_ASSIGN_OR_RETURN(EnginePool::Lease lease, engines.Acquire());
  // Held while this page is read, given back before engines of another
  // language are asked for (ReadScript, ReadAccents), which may need one of
  // this pool.
  std::optional<EnginePool::Lease> held(std::move(lease));
  OcrEngine* engine = &**held;
  result.document.language = engine->language();
  INVOICES_ASSIGN_OR_RETURN(OcrPage page,
                            RecognizePage(*engine, image, flatten));
  AddTiming(result, "ocr", MsSince(t));
  // Only the default engines, and only English ones, lose the letters and
  // accents of other languages that the request did not ask for.
  const bool english = engine->language() == "eng";
  const bool guess = languages_ != nullptr && &engines == &engines_ && english;
  std::shared_ptr<EnginePool> script;
  // Whether the page may be in another script (ScannerOptions::scripts).
  auto other_script = [&] {
    if (DoubtfulWordShare(page) >= options_.script_probe_share) return true;
    const auto [mixed, share] = MixedCaseWords(page);
    return mixed >= 3 && share >= options_.script_probe_mixed;
  };
  if (guess && !options_.scripts.empty() && other_script()) {
    t = Clock::now();
    held.reset();
    INVOICES_ASSIGN_OR_RETURN(script, ReadScript(image, page));
    if (script) {
      const OcrPage in_english = std::move(page);
      std::string read_in;
      INVOICES_ASSIGN_OR_RETURN(page, RecognizeInScript(*script, image, flatten,
                                                        in_english, read_in));
      // Its words may name another language of the script than the one that
      // read it, with letters that one lacks (Russian read a Ukrainian page:
      // "ПДВ", "Решта"; its "і", "ї", "є" it cannot read): that one reads it
      // again when installed. (Bulgarian writes only letters Russian has,
      // and Russian's model reads it as well.)
      const std::string named = GuessLanguage(page.Text());
      if (named == "ukr" && read_in.starts_with("rus")) {
        core::Result<std::shared_ptr<EnginePool>> other =
            languages_->Get(named + "+eng");
        if (other) {
          script = std::move(*other);
          const OcrPage first = std::move(page);
          INVOICES_ASSIGN_OR_RETURN(
              page,
              RecognizeInScript(*script, image, flatten, in_english, read_in));
          KeepNumeroSigns(page, first);
        }
      }
      INVOICES_ASSIGN_OR_RETURN(EnginePool::Lease lease, script->Acquire());
      held.emplace(std::move(lease));
      engine = &**held;
      result.document.language = read_in;
    }
    AddTiming(result, "script", MsSince(t));
    if (!held) {
      INVOICES_ASSIGN_OR_RETURN(EnginePool::Lease again, engines.Acquire());
      held.emplace(std::move(again));
      engine = &**held;
    }
  }
  if (options_.reread_lines > 0 || options_.reread_name) {
    t = Clock::now();
    INVOICES_RETURN_IF_ERROR(RereadLines(*engine, image, page));
    AddTiming(result, "reread", MsSince(t));
  }
  // Before the dropped lines: the stacked words cover the column's ink.
  if (options_.stacked_columns) {
    t = Clock::now();
    INVOICES_RETURN_IF_ERROR(ReadStackedColumns(*engine, image, page));
    AddTiming(result, "stacked", MsSince(t));
  }
  // After the rereads, which go by the page as its layout read it.
  if (options_.dropped_lines > 0) {
    t = Clock::now();
    INVOICES_RETURN_IF_ERROR(ReadDroppedLines(*engine, image, page));
    AddTiming(result, "dropped", MsSince(t));
  }
  if (options_.reread_prices > 0) {
    t = Clock::now();
    INVOICES_RETURN_IF_ERROR(RereadPrices(*engine, image, page));
    AddTiming(result, "prices", MsSince(t));
  }
  if (options_.reread_parts > 0) {
    t = Clock::now();
    INVOICES_RETURN_IF_ERROR(RereadUnsureParts(*engine, image, page));
    AddTiming(result, "parts", MsSince(t));
  }
  held.reset();
  if (options_.read_accents && guess && !script) {
    t = Clock::now();
    INVOICES_RETURN_IF_ERROR(ReadAccents(image, page));
    AddTiming(result, "accents", MsSince(t));
  }
  if (straightened) MapThrough(page, *straightened);
  MapToUpload(page, crop.x0, crop.y0, to_page, width, height);
  return page;
}

core::Result<OcrPage> Scanner::RecognizeInScript(EnginePool& pool,
                                                 GrayImage& image, bool flatten,
                                                 const OcrPage& english,
                                                 std::string& language) const {
  INVOICES_ASSIGN_OR_RETURN(EnginePool::Lease engine, pool.Acquire());
  language = engine->language();
  INVOICES_ASSIGN_OR_RETURN(OcrPage page,
                            RecognizePage(*engine, image, flatten));
  KeepLatinCodes(page, english);
  // Words the English model took over though they are of the page's script
  // ("METPHTA" for "ΜΕΤΡΗΤΑ"); Greek as today's receipts spell it.
  const ScriptLetters n = CountScripts(page.Text());
  const bool greek = n.greek > n.cyrillic;
  for (OcrLine& line : page.lines) {
    const ScriptLetters in_line = CountScripts(line.Text());
    const bool beside_own = in_line.greek + in_line.cyrillic > 0;
    for (OcrWord& w : line.words) {
      if (auto own = FromLatinLookalikes(w.text, greek, beside_own)) {
        w.text = std::move(*own);
      }
      if (greek) w.text = MonotonicGreek(w.text);
    }
  }
  return page;
}

core::Result<OcrPage> Scanner::RecognizePage(OcrEngine& engine,
                                             GrayImage& image,
                                             bool flatten) const {
  INVOICES_ASSIGN_OR_RETURN(
      OcrPage page, engine.Recognize(image, {.layout = options_.layout}));
  if (options_.layout == Layout::kAuto &&
      page.Quality() < options_.reread_below_quality) {
    INVOICES_ASSIGN_OR_RETURN(
        OcrPage block, engine.Recognize(image, {.layout = Layout::kBlock}));
    if (block.Quality() > page.Quality()) page = std::move(block);
  }
  if (options_.layout == Layout::kAuto &&
      InkCoverage(image, page) < options_.reread_below_coverage) {
    INVOICES_ASSIGN_OR_RETURN(
        OcrPage block, engine.Recognize(image, {.layout = Layout::kBlock}));
    // The column of prices that the page's layout dropped, read as one
    // block with its labels: what the fields need most, even read a
    // little less surely.
    const int priced = PricedLines(block), had = PricedLines(page);
    const bool prices = priced >= 2 * had + 2 &&
                        (had == 0 || block.Quality() > page.Quality() - 0.1);
    if (prices || (block.Characters() > 1.15 * page.Characters() &&
                   block.Quality() > page.Quality() - 0.05)) {
      page = std::move(block);
    }
  }
  // Faint print that the page's thresholding lost (a page read poorly, or
  // with no price on it): the flattened page is read again with its
  // contrast stretched; that image, when it reads better, is the one values
  // are read again from.
  if (options_.layout == Layout::kAuto &&
      (page.Quality() < options_.reread_below_quality || !HasPrices(page))) {
    GrayImage faint =
        StretchContrast(flatten ? image : FlattenBackground(image));
    INVOICES_ASSIGN_OR_RETURN(
        OcrPage stretched,
        engine.Recognize(faint, {.layout = options_.layout}));
    // A page with no decimals to its amounts ("Rp 116.305.800") has no
    // price either way: the stretched reading must read as much, not just
    // a few words surely (a clean page stretched may lose all but a line).
    // Prices it alone found count when it read as much or more surely: a
    // page of whole forints stretched may read junk as one ("32:00,") in
    // half the letters.
    const bool priced = HasPrices(stretched), had = HasPrices(page);
    const bool as_much = stretched.Characters() >= 0.8 * page.Characters();
    const bool surer = stretched.Quality() > page.Quality();
    if ((priced && !had && (as_much || surer)) ||
        (priced == had && surer && as_much)) {
      page = std::move(stretched);
      image = std::move(faint);
    }
  }
  return page;
}

namespace {

// Reads `box` of `image` again with `layout`, its text `h` px high brought
// to a comfortable height: text between 20 and 60 px is read as it is,
// smaller is enlarged, larger (double-height print) reduced; or, with a
// `height` given, brought to that height. The lines come back in `image`
// pixels.
core::Result<OcrPage> ReadAgain(OcrEngine& engine, const GrayImage& image,
                                const core::BBox& box, int h, Layout layout,
                                double height = 0) {
  constexpr double kTextHeight = 32;
  GrayImage crop = Crop(image, box);
  const double f = height > 0 ? std::clamp(height / h, 0.3, 3.0)
                   : h < 20   ? std::min(3.0, kTextHeight / h)
                   : h > 60   ? std::max(0.3, kTextHeight / h)
                              : 1.0;
  if (f != 1.0) {
    crop = Resize(crop, std::max(1, int(crop.width * f)),
                  std::max(1, int(crop.height * f)));
  }
  INVOICES_ASSIGN_OR_RETURN(OcrPage again,
                            engine.Recognize(crop, {.layout = layout}));
  auto to_image = [&](core::BBox& b) {
    b = {int(b.x0 / f) + box.x0, int(b.y0 / f) + box.y0,
         int(std::ceil(b.x1 / f)) + box.x0, int(std::ceil(b.y1 / f)) + box.y0};
  };
  for (OcrLine& l : again.lines) {
    to_image(l.box);
    for (OcrWord& w : l.words) to_image(w.box);
  }
  return again;
}

// `b` with room around it to read it again alone: half a text height `h`
// either side, a quarter above and below, within `image`.
core::BBox Padded(const core::BBox& b, int h, const GrayImage& image) {
  return {std::max(0, b.x0 - h / 2), std::max(0, b.y0 - h / 4),
          std::min(image.width, b.x1 + h / 2),
          std::min(image.height, b.y1 + h / 4)};
}

// Reads `box` of `image` again as one line of text (ReadAgain): its words
// as one line.
core::Result<OcrLine> ReadLineAgain(OcrEngine& engine, const GrayImage& image,
                                    const core::BBox& box, int h,
                                    double height = 0) {
  INVOICES_ASSIGN_OR_RETURN(
      OcrPage again, ReadAgain(engine, image, box, h, Layout::kLine, height));
  OcrLine out;
  for (OcrLine& l : again.lines) {
    for (OcrWord& w : l.words) out.words.push_back(std::move(w));
  }
  return out;
}

// Drops from `line`, read alone, the marks beside its words: words of no
// letter or digit (the paper's edge or a rule read "|", "—" or "©").
void DropMarks(OcrLine& line) {
  std::erase_if(line.words, [](const OcrWord& w) {
    return Letters(w.text) + internal::CountDigits(w.text) == 0;
  });
}

// Whether `again` reads the value wanted (a date or an amount) better than
// `old`: it holds one where the old reading held none, or both do and it
// was read with more confidence; and it loses no date the old reading held,
// nor, reading an amount, an amount (a time of day or a clerk's number
// around a date may read as one).
bool IsBetterReading(const OcrLine& old, const OcrLine& again, bool date) {
  OcrPage old_reading, new_reading;
  old_reading.lines.push_back(old);
  new_reading.lines.push_back(again);
  const std::string old_text = old_reading.Text();
  const std::string new_text = new_reading.Text();
  const bool old_date = !FindDates(old_text).empty();
  const bool new_date = !FindDates(new_text).empty();
  // A new reading must hold a value: an amount with decimals, a currency,
  // or three digits or more; not one or two digits alone, which is what a
  // misread value leaves ("6? 22" for "62,23").
  auto has_value = [](const std::string& text) {
    for (const AmountToken& a : FindAmounts(text)) {
      const int digits = internal::CountDigits(std::string_view(text).substr(
          a.number_begin, a.number_end - a.number_begin));
      if (a.has_fraction || a.currency || digits >= 3) return true;
    }
    return false;
  };
  // The same digits with other separators ("6 508,31" read again as "6
  // 508.31") are a better reading only if they make no smaller amount of
  // them: the digits tell nothing new.
  auto digits = [](const std::string& text) {
    std::string d;
    for (char c : text) {
      if (c >= '0' && c <= '9') d += c;
    }
    return d;
  };
  auto largest = [](const std::string& text) {
    std::optional<core::Decimal> most;
    for (const AmountToken& a : FindAmounts(text)) {
      if (!most || a.value > *most) most = a.value;
    }
    return most;
  };
  if (!date && digits(old_text) == digits(new_text)) {
    const auto was = largest(old_text), now = largest(new_text);
    if (was && (!now || *now < *was)) return false;
  }
  const bool old_amount = !FindAmounts(old_text).empty();
  const bool new_amount = has_value(new_text);
  const bool had = date ? old_date : old_amount;
  const bool has = date ? new_date : new_amount;
  return has && (!had || new_reading.Quality() > old_reading.Quality()) &&
         !(old_date && !new_date) && (date || !old_amount || new_amount);
}

// Whether two readings agree on the amount they end with, printed with
// decimals, or both read no digit at all (a label with its value
// elsewhere: "GST Summary").
bool AgreeOnAmount(const OcrLine& a, const OcrLine& b) {
  auto no_digit = [](const OcrLine& line) {
    const std::string text = line.Text();
    return std::none_of(text.begin(), text.end(),
                        [](char c) { return c >= '0' && c <= '9'; });
  };
  if (no_digit(a) && no_digit(b)) return true;
  const std::vector<AmountToken> x = FindAmounts(a.Text());
  const std::vector<AmountToken> y = FindAmounts(b.Text());
  return !x.empty() && !y.empty() && x.back().has_fraction &&
         y.back().has_fraction && x.back().value == y.back().value;
}

// Puts `words` in `line` in place of the words `drop` picks, where the
// first of them stood, with the line's reading-order ids.
template <typename Drop>
void ReplaceWords(OcrLine& line, const Drop& drop, std::vector<OcrWord> words) {
  const OcrWord ids = line.words.empty() ? OcrWord{} : line.words.front();
  const size_t at = std::find_if(line.words.begin(), line.words.end(), drop) -
                    line.words.begin();
  std::erase_if(line.words, drop);
  for (OcrWord& w : words) {
    w.block = ids.block;
    w.paragraph = ids.paragraph;
    w.line = ids.line;
    line.box = internal::Union(line.box, w.box);
  }
  line.words.insert(line.words.begin() + at,
                    std::make_move_iterator(words.begin()),
                    std::make_move_iterator(words.end()));
}

// Whether word `w` stands between x0 and x1 (by its centre).
bool CentredBetween(const OcrWord& w, int x0, int x1) {
  const int c = (w.box.x0 + w.box.x1) / 2;
  return c >= x0 && c < x1;
}

// The words of `line` between x0 and x1 (CentredBetween).
OcrLine WordsBetween(const OcrLine& line, int x0, int x1) {
  OcrLine out;
  for (const OcrWord& w : line.words) {
    if (!CentredBetween(w, x0, x1)) continue;
    out.box = out.words.empty() ? w.box : internal::Union(out.box, w.box);
    out.words.push_back(w);
  }
  return out;
}

// Of `again`, a new reading around `line`, the line centred in it, with its
// words between x0 and x1, takes the place of the line's words there when
// `better(old, new)` accepts it (the words beside them kept).
// Whether one was taken.
template <typename Better>
bool TakeBetterReading(OcrLine& line, int x0, int x1, const OcrPage& again,
                       const Better& better) {
  const OcrLine old = WordsBetween(line, x0, x1);
  if (old.words.empty()) return false;
  for (const OcrLine& l : again.lines) {
    const int c = (l.box.y0 + l.box.y1) / 2;
    if (c < line.box.y0 || c > line.box.y1) continue;
    OcrLine now = WordsBetween(l, x0, x1);
    if (now.words.empty() || !better(old, now)) continue;
    ReplaceWords(
        line, [&](const OcrWord& w) { return CentredBetween(w, x0, x1); },
        std::move(now.words));
    return true;
  }
  return false;
}

// Word by word where the line's reading as a whole was not taken (a price
// or a mark beside the words read otherwise): each word of `line` between
// x0 and x1 takes the text of the word of `again`'s line centred in it that
// stands over most of it, when that text only adds accents to it
// (AddsAccents: "Arbejdsløn" for "Arbejdslan").
void TakeAccentedWords(OcrLine& line, int x0, int x1, const OcrPage& again) {
  for (OcrWord& w : line.words) {
    if (!CentredBetween(w, x0, x1)) continue;
    for (const OcrLine& l : again.lines) {
      const int c = (l.box.y0 + l.box.y1) / 2;
      if (c < line.box.y0 || c > line.box.y1) continue;
      for (const OcrWord& n : l.words) {
        const int overlap =
            std::min(w.box.x1, n.box.x1) - std::max(w.box.x0, n.box.x0);
        const int narrower = std::min(w.box.x1 - w.box.x0, n.box.x1 - n.box.x0);
        if (narrower > 0 && overlap * 5 >= narrower * 4 &&
            AddsAccents(w.text, n.text)) {
          w.text = n.text;
        }
      }
    }
  }
}

// Reads `line` of `image` again with the lines around it, as a block at a
// comfortable text height: a rule or a stain right above a line, which the
// page's line finder took into it, becomes a line of its own. The first
// line of the new reading centred in the old one (which may span two) that
// `better(old, new)` accepts replaces it.
//
// The band runs across the page: a value may stand far from its label. (A
// band cut to the line's width costs less and read no better on the dev
// receipts: -1 total, a digit lost at its edge.) With `columns` given, only
// the line's words in those columns are read again and compared (a name on
// a letterhead, with another block beside it on the same rows).
template <typename Better>
core::Status RereadInBand(OcrEngine& engine, const GrayImage& image,
                          OcrLine& line, const Better& better,
                          std::optional<std::pair<int, int>> columns = {}) {
  const int h = line.WordHeight();
  const int x0 = columns ? std::max(0, columns->first) : 0;
  const int x1 = columns ? std::min(image.width, columns->second) : image.width;
  const core::BBox band{x0, std::max(0, line.box.y0 - h), x1,
                        std::min(image.height, line.box.y1 + h)};
  if (band.y1 <= band.y0 || band.x1 <= band.x0) return {};
  INVOICES_ASSIGN_OR_RETURN(OcrPage again,
                            ReadAgain(engine, image, band, h, Layout::kBlock));
  TakeBetterReading(line, x0, x1, again, better);
  return {};
}

// Reads the lines `which` of `page` (the rows of a table's column, the
// lines of a name and address, top to bottom) again as one block, from the
// first to the last at their median text height, across `columns` or all
// the lines' columns: each line's reading in its own columns (and
// `columns`) that `better(old, new)` accepts takes its place
// (TakeBetterReading), or with `accents_by_word`, its words that gain
// accents (TakeAccentedWords). One reading of the lines, where
// RereadInBand would read each with the lines around it.
template <typename Better>
core::Status RereadAsBlock(OcrEngine& engine, const GrayImage& image,
                           OcrPage& page, const std::vector<size_t>& which,
                           const Better& better,
                           std::optional<std::pair<int, int>> columns = {},
                           bool accents_by_word = false) {
  if (which.empty()) return {};
  core::BBox all = page.lines[which.front()].box;
  std::vector<int> heights;
  for (size_t i : which) {
    all = internal::Union(all, page.lines[i].box);
    heights.push_back(page.lines[i].WordHeight());
  }
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2,
                   heights.end());
  const int h = heights[heights.size() / 2];
  const auto [x0, x1] = columns.value_or(std::pair{all.x0 - h, all.x1 + h});
  // A quarter of a line's height above and below: a table's header rule
  // right above its first row, taken into the block, is read into that row
  // ("Tanátsadás" for "Tanácsadás").
  const core::BBox band{std::max(0, x0), std::max(0, all.y0 - h / 4),
                        std::min(image.width, x1),
                        std::min(image.height, all.y1 + h / 4)};
  if (band.y1 <= band.y0 || band.x1 <= band.x0) return {};
  INVOICES_ASSIGN_OR_RETURN(OcrPage again,
                            ReadAgain(engine, image, band, h, Layout::kBlock));
  for (size_t i : which) {
    OcrLine& line = page.lines[i];
    const int lh = line.WordHeight();
    const int from = std::max(x0, line.box.x0 - lh);
    const int to = std::min(x1, line.box.x1 + lh);
    if (!TakeBetterReading(line, from, to, again, better) && accents_by_word) {
      TakeAccentedWords(line, from, to, again);
    }
  }
  return {};
}

}  // namespace

core::Status Scanner::RereadLines(OcrEngine& engine, const GrayImage& image,
                                  OcrPage& page) const {
  // Tesseract reads a value alone, at a comfortable text height, more surely
  // than inside its page: large print next to small (a double-height total
  // beside its "RM") and labels glued to values stop confusing the line
  // finder.
  for (const Reread& r : LinesToReread(page, options_.reread_lines)) {
    OcrLine& line = page.lines[r.line];
    const int h = line.WordHeight();
    const int y0 = std::max(0, line.box.y0 - h / 4);
    const int y1 = std::min(image.height, line.box.y1 + h / 4);
    const int x0 = std::clamp(r.x0 + h / 4, 0, image.width - 1);
    if (y1 <= y0 || image.width - x0 < h) continue;
    // The line from `from` to `to` read alone, its text `height` px high
    // (ReadAgain), takes the place of what it was read as there when it
    // reads the value better; `old_part` and `alone` are the two readings.
    OcrLine old_part, alone;
    // The words other lines of the page read on this row right of `from`
    // (a column of values read apart from its labels): a new reading of an
    // amount that the row's value contradicts misread it ("Total CHF 10
    // 154.0% 1]" beside "16'134.84").
    auto row_agrees = [&](int from, const OcrLine& again) {
      if (r.date) return true;
      OcrLine row;
      for (const OcrLine& other : page.lines) {
        if (&other == &line) continue;
        for (const OcrWord& w : other.words) {
          if (w.box.x0 >= from &&
              internal::VerticalOverlap(w.box, line.box) >= 0.5) {
            row.words.push_back(w);
          }
        }
      }
      const std::vector<AmountToken> values = FindAmounts(row.Text());
      const bool priced =
          std::any_of(values.begin(), values.end(),
                      [](const AmountToken& a) { return a.has_fraction; });
      return !priced || AgreeOnAmount(row, again);
    };
    auto read_alone = [&](int from, int to,
                          double height) -> core::Result<bool> {
      INVOICES_ASSIGN_OR_RETURN(
          alone, ReadLineAgain(engine, image, {from, y0, to, y1}, h, height));
      const int x0 = from - h / 4;
      auto right = [x0](const OcrWord& w) { return w.box.x0 >= x0; };
      old_part.words.clear();
      std::copy_if(line.words.begin(), line.words.end(),
                   std::back_inserter(old_part.words), right);
      if (!IsBetterReading(old_part, alone, r.date) || !row_agrees(x0, alone)) {
        return false;
      }
      ReplaceWords(line, right, std::move(alone.words));
      return true;
    };
    // Amounts are read again alone first, right of their label (a
    // double-height total beside small print); dates, and totals that
    // reading did not improve, with the lines around them (RereadInBand).
    if (r.date && FindDates(line.Text()).empty()) {
      // A line where a date was looked for and none was read ("BO Dec 17",
      // "Date : 05- 05% |") is read alone first too, from its label (or
      // its start) to its end, the text brought to 40 px: read so, the
      // dev receipts' misread dates read right (+2 dates; at 32 px +1,
      // as it was +0; amounts read so lose totals).
      const int from =
          r.x0 > line.box.x0 ? x0 : std::max(0, line.box.x0 - h / 2);
      INVOICES_ASSIGN_OR_RETURN(
          const bool taken,
          read_alone(from, std::min(image.width, line.box.x1 + h / 2), 40));
      if (taken) continue;
    }
    if (!r.date) {
      // To the right edge: a value may stand far from its label.
      INVOICES_ASSIGN_OR_RETURN(const bool taken,
                                read_alone(x0, image.width, 0));
      if (taken) continue;
      // A total read again alone as it was read in the page is confirmed;
      // one that the two readings disagree on is read in its band.
      if (!r.total || AgreeOnAmount(old_part, alone)) continue;
    }
    INVOICES_RETURN_IF_ERROR(RereadInBand(
        engine, image, line, [&](const OcrLine& old, const OcrLine& again) {
          return IsBetterReading(old, again, r.date) && row_agrees(0, again);
        }));
  }
  if (options_.reread_name) {
    // The name is printed large and bold at the top, where the page's line
    // finder often reads it worst. A name read doubtfully is read again
    // with the lines around it (RereadInBand); a reading replaces a line only
    // with more confidence, no fewer words and about as many letters and
    // digits, none fewer.
    // The customer's name too, in its own columns (the vendor's letterhead
    // may stand beside it on the same rows).
    core::Extraction probe;
    ExtractFields(page, 1, probe);
    ExtractIdentifiers(page, 1, probe);
    CalibrateConfidences(probe);
    auto better = [](const OcrLine& old, const OcrLine& again) {
      OcrPage old_reading, new_reading;
      old_reading.lines.push_back(old);
      new_reading.lines.push_back(again);
      const double was = double(old_reading.Characters());
      const double now = double(new_reading.Characters());
      return new_reading.Quality() > old_reading.Quality() && now >= was &&
             now <= 1.25 * was && again.words.size() >= old.words.size();
    };
    auto vendor_of = [&page] {
      core::Extraction e;
      ExtractFields(page, 1, e);
      auto it = e.fields.find("vendor_name");
      return it == e.fields.end() ? std::string() : it->second.value;
    };
    for (const char* field : {"vendor_name", "receiver_name"}) {
      auto it = probe.fields.find(field);
      if (it == probe.fields.end() || !it->second.bbox ||
          it->second.confidence >= options_.reread_name_below) {
        continue;
      }
      const core::BBox name = *it->second.bbox;
      const bool vendor = std::string_view(field) == "vendor_name";
      // A customer's name read better must not become the vendor's (a
      // customer's block found by its layout alone, its legal form now
      // read whole): then its old reading stays.
      std::vector<OcrLine> old_lines;
      std::string old_vendor;
      if (!vendor) {
        old_lines = page.lines;
        old_vendor = vendor_of();
      }
      for (OcrLine& line : page.lines) {
        if (line.words.empty() || !internal::WithinRows(line, name)) continue;
        const int h = line.WordHeight();
        std::optional<std::pair<int, int>> columns;
        if (!vendor) columns = std::pair{name.x0 - h, name.x1 + h};
        INVOICES_RETURN_IF_ERROR(
            RereadInBand(engine, image, line, better, columns));
      }
      if (!vendor && vendor_of() != old_vendor)
        page.lines = std::move(old_lines);
    }
  }
  return {};
}

namespace {

// Whether `text` is a value with no label: digits, and no more than three
// letters ("196,03 €", "RM 9.00").
bool ValueOnly(std::string_view text) {
  return Letters(text) <= 3 && internal::CountDigits(text) > 0;
}

// Sets the box of `line`, which has words, to the box of its words.
void FitBox(OcrLine& line) {
  line.box = line.words.front().box;
  for (const OcrWord& w : line.words) {
    line.box = internal::Union(line.box, w.box);
  }
}

// Puts `line`, read alone where the page's layout read nothing, into
// `page`. A label whose value was read on its row ("TOTAL" dropped,
// "196,03 €" read), or a value whose label was, joins that line, the words
// in the order they stand. Any other line comes after the nearest line
// above it in its column, in that line's block; with none above, before
// the first line below it, in a block of its own.
void AddDroppedLine(OcrPage& page, OcrLine line) {
  FitBox(line);
  auto set_ids = [&line](int block, int paragraph, int line_id) {
    for (OcrWord& w : line.words) {
      w.block = block;
      w.paragraph = paragraph;
      w.line = line_id;
    }
  };
  const bool value = ValueOnly(line.Text());
  auto gap = [&line](const core::BBox& b) {
    return std::max(b.x0 - line.box.x1, line.box.x0 - b.x1);
  };
  OcrLine* partner = nullptr;
  for (OcrLine& other : page.lines) {
    if (other.words.empty() ||
        internal::VerticalOverlap(other.box, line.box) < 0.5 ||
        internal::HorizontalOverlap(other.box, line.box) > 0) {
      continue;
    }
    const std::string t = other.Text();
    if (value ? Letters(t) < 3 : !ValueOnly(t)) continue;
    if (!partner || gap(other.box) < gap(partner->box)) partner = &other;
  }
  if (partner) {
    const OcrWord& ids = partner->words.front();
    set_ids(ids.block, ids.paragraph, ids.line);
    partner->box = internal::Union(partner->box, line.box);
    partner->words.insert(partner->words.end(),
                          std::make_move_iterator(line.words.begin()),
                          std::make_move_iterator(line.words.end()));
    std::stable_sort(
        partner->words.begin(), partner->words.end(),
        [](const OcrWord& a, const OcrWord& b) { return a.box.x0 < b.box.x0; });
    return;
  }
  int block = 0, paragraph = 0, line_id = 0;
  for (const OcrLine& l : page.lines) {
    for (const OcrWord& w : l.words) {
      block = std::max(block, w.block + 1);
      paragraph = std::max(paragraph, w.paragraph + 1);
      line_id = std::max(line_id, w.line + 1);
    }
  }
  const int centre = line.box.y0 + line.box.y1;  // twice the centre
  auto centre_of = [](const core::BBox& b) { return b.y0 + b.y1; };
  std::optional<size_t> above;
  for (size_t i = 0; i < page.lines.size(); ++i) {
    const OcrLine& l = page.lines[i];
    if (l.words.empty() || centre_of(l.box) >= centre ||
        internal::HorizontalOverlap(l.box, line.box) <= 0) {
      continue;
    }
    if (!above || l.box.y1 > page.lines[*above].box.y1) above = i;
  }
  size_t at = page.lines.size();
  if (above) {
    at = *above + 1;
    set_ids(page.lines[*above].words.front().block, paragraph, line_id);
  } else {
    for (size_t i = 0; i < page.lines.size(); ++i) {
      if (centre_of(page.lines[i].box) > centre) {
        at = i;
        break;
      }
    }
    set_ids(block, paragraph, line_id);
  }
  page.lines.insert(page.lines.begin() + at, std::move(line));
}

// The page's text height: the median of its words of two letters or
// digits; 0 for a page read hardly at all (fewer than five such words).
int TextHeight(const OcrPage& page) {
  std::vector<int> heights;
  for (const OcrLine& line : page.lines) {
    for (const OcrWord& w : line.words) {
      if (Letters(w.text) + internal::CountDigits(w.text) >= 2) {
        heights.push_back(w.box.y1 - w.box.y0);
      }
    }
  }
  if (heights.size() < 5) return 0;
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2,
                   heights.end());
  return heights[heights.size() / 2];
}

// Whether `w` is what Tesseract gives ink it could not split into letters:
// a word of letters read unsurely (under 0.5) that is far wider than they
// are (three text heights `h` a letter, counting two more), where a line of
// one column met the line of the next ("ee" over a customer's name and
// street beside "Vystaveno: 2.10.2018"). Not one with digits: a dotted
// leader read with the amount after it ("~—~~-—«2,").
bool Garbled(const OcrWord& w, int h) {
  const size_t letters = Letters(w.text);
  return w.confidence < 0.5f && letters > 0 &&
         internal::CountDigits(w.text) == 0 &&
         w.box.x1 - w.box.x0 > 3 * h * int(letters + 2);
}

}  // namespace

std::vector<size_t> StackedLines(const OcrPage& page) {
  std::vector<size_t> out;
  for (size_t i = 0; i < page.lines.size(); ++i) {
    const OcrLine& line = page.lines[i];
    if (line.words.size() < 2 || line.MeanConfidence() >= 0.6f) continue;
    // Its words in one column four times as high as wide (some of them
    // may span others: "rP]P|wlolale|]rpl" beside "re]" and "pia").
    const core::BBox& b = line.box;
    bool column = b.y1 - b.y0 >= 4 * (b.x1 - b.x0);
    for (const OcrWord& w : line.words) {
      column = column && internal::HorizontalOverlap(w.box, b) >= 0.5;
    }
    if (column) {
      out.push_back(i);
      continue;
    }
    if (line.words.size() < 3) continue;
    std::vector<core::BBox> boxes;
    for (const OcrWord& w : line.words) boxes.push_back(w.box);
    std::sort(
        boxes.begin(), boxes.end(),
        [](const core::BBox& a, const core::BBox& b) { return a.y0 < b.y0; });
    bool stacked = true;
    for (size_t k = 0; stacked && k + 1 < boxes.size(); ++k) {
      const core::BBox &a = boxes[k], &b = boxes[k + 1];
      const int touch = std::min(a.y1 - a.y0, b.y1 - b.y0) / 4;
      stacked =
          b.y0 >= a.y1 - touch && internal::HorizontalOverlap(a, b) >= 0.5;
    }
    if (stacked) out.push_back(i);
  }
  return out;
}

core::Status Scanner::ReadStackedColumns(OcrEngine& engine,
                                         const GrayImage& image,
                                         OcrPage& page) const {
  const std::vector<size_t> stacked = StackedLines(page);
  if (stacked.empty()) return {};
  const int h = TextHeight(page);
  if (h == 0) return {};
  std::vector<bool> gone(page.lines.size(), false);
  std::vector<core::BBox> columns;
  for (size_t i : stacked) {
    if (gone[i]) continue;
    gone[i] = true;
    core::BBox c = page.lines[i].box;
    // With the lines of a word or two read as unsurely right above or
    // below it in its column (the column's other numbers, read on their
    // side one by one: "hb", "N").
    for (bool grew = true; grew;) {
      grew = false;
      const core::BBox near{c.x0 - h / 2, c.y0 - 2 * h, c.x1 + h / 2,
                            c.y1 + 2 * h};
      for (size_t k = 0; k < page.lines.size(); ++k) {
        const OcrLine& l = page.lines[k];
        if (gone[k] || l.words.empty() || l.words.size() > 2 ||
            l.MeanConfidence() >= 0.6f || l.box.x0 < near.x0 ||
            l.box.x1 > near.x1 || l.box.y1 < near.y0 || l.box.y0 > near.y1) {
          continue;
        }
        gone[k] = grew = true;
        c = internal::Union(c, l.box);
      }
    }
    // Up to two text heights on either side, short of the words beside it
    // (a description, a price).
    int x0 = c.x0 - 2 * h, x1 = c.x1 + 2 * h;
    for (size_t k = 0; k < page.lines.size(); ++k) {
      if (gone[k]) continue;
      for (const OcrWord& w : page.lines[k].words) {
        if (internal::VerticalOverlap(w.box, c) <= 0) continue;
        if (w.box.x1 < c.x0 - h / 2) x0 = std::max(x0, w.box.x1 + 1);
        if (w.box.x0 > c.x1 + h / 2) x1 = std::min(x1, w.box.x0 - 1);
      }
    }
    columns.push_back({std::max(0, x0), std::max(0, c.y0 - h / 4),
                       std::min(image.width, x1),
                       std::min(image.height, c.y1 + h / 4)});
  }
  for (size_t k = page.lines.size(); k > 0; --k) {
    if (gone[k - 1]) {
      page.lines.erase(page.lines.begin() + static_cast<std::ptrdiff_t>(k - 1));
    }
  }
  for (const core::BBox& box : columns) {
    if (box.x1 <= box.x0 || box.y1 <= box.y0) continue;
    INVOICES_ASSIGN_OR_RETURN(OcrPage again,
                              ReadAgain(engine, image, box, h, Layout::kBlock));
    // A column of numbers: lines with a digit, or a word, read surely.
    for (OcrLine& line : again.lines) {
      DropMarks(line);
      const std::string text = line.Text();
      if (line.words.empty() || line.MeanConfidence() < 0.5f ||
          (internal::CountDigits(text) == 0 && Letters(text) < 2)) {
        continue;
      }
      AddDroppedLine(page, std::move(line));
    }
  }
  return {};
}

core::Status Scanner::ReadDroppedLines(OcrEngine& engine,
                                       const GrayImage& image,
                                       OcrPage& page) const {
  const int h = TextHeight(page);
  if (h == 0) return {};
  // What was read, but not the blank "word" Tesseract gives a block it
  // took for a picture (the whole page, at times), nor a garbled one: its
  // ink is read again as dropped, and the word goes when that reads.
  std::vector<core::BBox> read;
  for (const OcrLine& line : page.lines) {
    for (const OcrWord& w : line.words) {
      if (!Garbled(w, h) && w.box.y1 - w.box.y0 <= 4 * h &&
          std::any_of(w.text.begin(), w.text.end(),
                      [](unsigned char c) { return !std::isspace(c); })) {
        read.push_back(w.box);
      }
    }
  }
  std::vector<core::BBox> added;
  for (const core::BBox& band :
       FindUnreadText(image, read, h, options_.dropped_lines)) {
    const core::BBox box = Padded(band, h, image);
    INVOICES_ASSIGN_OR_RETURN(OcrLine line,
                              ReadLineAgain(engine, image, box, h));
    DropMarks(line);
    // Noise read as text ("~~ ' ."): a line is kept when it reads surely
    // and holds three letters or digits; a price alone ("13.66"), which
    // noise does not read as, at a quarter of that.
    const std::string text = line.Text();
    const std::optional<AmountToken> price = ParseAmount(text);
    const bool priced = price && price->has_fraction && Letters(text) == 0;
    if (line.words.empty() ||
        line.MeanConfidence() < (priced ? 0.75 / 4 : 0.75) ||
        Letters(text) + internal::CountDigits(text) < 3) {
      continue;
    }
    added.push_back(box);
    AddDroppedLine(page, std::move(line));
  }
  // A garbled word whose ink was read again goes.
  for (OcrLine& line : page.lines) {
    const size_t before = line.words.size();
    std::erase_if(line.words, [&](const OcrWord& w) {
      return Garbled(w, h) &&
             std::any_of(added.begin(), added.end(), [&](const core::BBox& b) {
               return internal::VerticalOverlap(w.box, b) > 0 &&
                      internal::HorizontalOverlap(w.box, b) > 0;
             });
    });
    if (line.words.size() != before && !line.words.empty()) FitBox(line);
  }
  std::erase_if(page.lines, [](const OcrLine& l) { return l.words.empty(); });
  return {};
}

core::Status Scanner::RereadPrices(OcrEngine& engine, const GrayImage& image,
                                   OcrPage& page) const {
  for (const PriceCell& cell :
       GarbledPriceCells(page, options_.reread_prices)) {
    OcrLine& line = page.lines[cell.line];
    const int h = line.WordHeight();
    const core::BBox box = Padded(cell.box, h, image);
    if (box.x1 <= box.x0 || box.y1 <= box.y0) continue;
    INVOICES_ASSIGN_OR_RETURN(OcrLine again,
                              ReadLineAgain(engine, image, box, h));
    // Taken when it reads as one price with decimals (a rule's edge read
    // as "|" beside it aside), surely enough.
    DropMarks(again);
    std::string text;
    for (const OcrWord& w : again.words) text += w.text;
    const std::optional<AmountToken> price = ParseAmount(text);
    if (again.words.empty() || !price || !price->has_fraction ||
        Letters(text) > 0 || again.MeanConfidence() < 0.6) {
      continue;
    }
    // (The cell's words, at the line's end, are those centred in it.)
    ReplaceWords(
        line,
        [&](const OcrWord& w) {
          return CentredBetween(w, cell.box.x0, cell.box.x1 + 1);
        },
        std::move(again.words));
  }
  return {};
}

std::vector<LinePart> UnsureParts(const OcrPage& page, size_t n) {
  std::vector<LinePart> out;
  for (size_t li = 0; li < page.lines.size(); ++li) {
    const OcrLine& line = page.lines[li];
    if (line.words.size() < 2) continue;
    const int gap = 2 * line.WordHeight();
    std::vector<LinePart> parts;
    size_t first = 0;
    for (size_t w = 1; w <= line.words.size(); ++w) {
      if (w < line.words.size() &&
          line.words[w].box.x0 - line.words[w - 1].box.x1 <= gap) {
        continue;
      }
      LinePart part{.line = li, .first = first, .last = w};
      part.box = line.words[first].box;
      double sum = 0;
      for (size_t k = first; k < w; ++k) {
        part.box = internal::Union(part.box, line.words[k].box);
        sum += line.words[k].confidence;
      }
      part.confidence = float(sum / double(w - first));
      parts.push_back(part);
      first = w;
    }
    if (parts.size() < 2) continue;
    for (const LinePart& part : parts) {
      size_t signs = 0;
      for (size_t k = part.first; k < part.last; ++k) {
        const std::string& t = line.words[k].text;
        signs += Letters(t) + internal::CountDigits(t);
      }
      const bool rest_sure =
          std::any_of(parts.begin(), parts.end(), [&](const LinePart& other) {
            return &other != &part && other.confidence >= 0.75f;
          });
      if (part.confidence < 0.5f && signs >= 2 && rest_sure) {
        out.push_back(part);
      }
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const LinePart& a, const LinePart& b) {
                     return a.confidence < b.confidence;
                   });
  if (out.size() > n) out.resize(n);
  return out;
}

core::Status Scanner::RereadUnsureParts(OcrEngine& engine,
                                        const GrayImage& image,
                                        OcrPage& page) const {
  for (const LinePart& part : UnsureParts(page, options_.reread_parts)) {
    OcrLine& line = page.lines[part.line];
    // The part's own print: the line's may be a larger one's beside it.
    const int h = part.box.y1 - part.box.y0;
    const core::BBox box = Padded(part.box, h, image);
    if (box.x1 <= box.x0 || box.y1 <= box.y0) continue;
    INVOICES_ASSIGN_OR_RETURN(OcrLine again,
                              ReadLineAgain(engine, image, box, h));
    // The marks of the part's edges go, not a label's sign ("Invoice #").
    std::erase_if(again.words, [](const OcrWord& w) {
      return Letters(w.text) + internal::CountDigits(w.text) == 0 &&
             w.text.find_first_of("#%") == std::string::npos &&
             w.text.find("№") == std::string::npos;
    });
    const std::string text = again.Text();
    if (again.words.empty() ||
        Letters(text) + internal::CountDigits(text) < 2 ||
        again.MeanConfidence() < 0.75) {
      continue;
    }
    const int x0 = part.box.x0, x1 = part.box.x1;
    ReplaceWords(
        line, [&](const OcrWord& w) { return CentredBetween(w, x0, x1 + 1); },
        std::move(again.words));
  }
  return {};
}

core::Status Scanner::ReadAccents(const GrayImage& image, OcrPage& page) const {
  if (languages_ == nullptr) return {};
  const std::string language = GuessLanguage(page.Text());
  if (language.empty()) return {};
  // A language that is not installed is no error of the document's.
  core::Result<std::shared_ptr<EnginePool>> pool = languages_->Get(language);
  if (!pool) return {};
  core::Extraction probe;
  ExtractFields(page, 1, probe);
  ExtractIdentifiers(page, 1, probe);
  ExtractLineItems(page, 1, probe);
  // (Terms with their label, in the same language, before them on their
  // lines: a column's edge right before the value cuts into the label, and
  // a label's last letters read as words of the value compare with none.)
  std::vector<core::BBox> boxes;
  std::vector<bool> with_label;
  for (const char* name : {"vendor_name", "vendor_address", "receiver_name",
                           "receiver_address", "payment_terms"}) {
    auto it = probe.fields.find(name);
    if (it != probe.fields.end() && it->second.bbox) {
      boxes.push_back(*it->second.bbox);
      with_label.push_back(std::string_view(name) == "payment_terms");
    }
  }
  // And the line items' descriptions ("Manutenção", "Práce").
  std::vector<core::BBox> items;
  for (const core::LineItem& item : probe.line_items) {
    if (item.bbox && item.description) items.push_back(*item.bbox);
  }
  if (boxes.empty() && items.empty()) return {};
  INVOICES_ASSIGN_OR_RETURN(EnginePool::Lease engine, (*pool)->Acquire());
  auto accents = [](const OcrLine& old, const OcrLine& again) {
    return AddsAccents(old.Text(), again.Text());
  };
  // Each field's lines, and the items' rows, read again as one block: a
  // field only in its columns (on a letterhead the customer's block or the
  // title may stand beside the name on the same rows), an item's row in its
  // own (a description's line may hold its numbers too).
  std::vector<std::vector<size_t>> of_field(boxes.size());
  std::vector<size_t> item_lines;
  for (size_t i = 0; i < page.lines.size(); ++i) {
    const OcrLine& line = page.lines[i];
    if (line.words.empty()) continue;
    if (const core::BBox* box = internal::BoxOfLine(line, boxes)) {
      of_field[box - boxes.data()].push_back(i);
    } else if (internal::BoxOfLine(line, items) &&
               internal::CountLetters(line.Text()) >= 2) {
      item_lines.push_back(i);
    }
  }
  std::vector<size_t> read = item_lines;
  for (size_t f = 0; f < boxes.size(); ++f) {
    if (of_field[f].empty()) continue;
    const int h = page.lines[of_field[f].front()].WordHeight();
    int x0 = boxes[f].x0 - h;
    for (size_t i : of_field[f]) {
      if (with_label[f]) x0 = std::min(x0, page.lines[i].box.x0 - h);
    }
    INVOICES_RETURN_IF_ERROR(RereadAsBlock(*engine, image, page, of_field[f],
                                           accents,
                                           std::pair{x0, boxes[f].x1 + h}));
    read.insert(read.end(), of_field[f].begin(), of_field[f].end());
  }
  INVOICES_RETURN_IF_ERROR(RereadAsBlock(*engine, image, page, item_lines,
                                         accents, std::nullopt,
                                         /*accents_by_word=*/true));
  if (language == "ron") {
    for (size_t i : read) {
      for (OcrWord& w : page.lines[i].words) w.text = WithCommaBelow(w.text);
    }
  }
  return {};
}

core::Result<std::shared_ptr<EnginePool>> Scanner::ReadScript(
    const GrayImage& image, const OcrPage& page) const {
  const std::vector<const OcrWord*> sample = SuspectWords(page, 6);
  if (sample.empty() || languages_ == nullptr) return nullptr;
  // The English reading of the sample: its confidence per letter.
  double weighted = 0;
  size_t letters = 0;
  for (const OcrWord* w : sample) {
    const size_t k = Letters(w->text);
    weighted += double(w->confidence) * k;
    letters += k;
  }
  double best = letters == 0 ? 0 : weighted / letters;
  best += options_.script_margin;
  std::string chosen;
  for (const std::string& language : options_.scripts) {
    // A language that is not installed is no error of the document's.
    core::Result<std::shared_ptr<EnginePool>> pool = languages_->Get(language);
    if (!pool) continue;
    INVOICES_ASSIGN_OR_RETURN(EnginePool::Lease engine, (*pool)->Acquire());
    // The words read in this language: how many letters of each script,
    // and how surely it read the letters only its script has (a Latin page
    // read in Cyrillic comes out as "ВАСКЕРЕ", lookalikes only, with the
    // odd unsure "Ч" or "З").
    double sure = 0;
    size_t all = 0, greek = 0, cyrillic = 0, distinct = 0;
    for (const OcrWord* word : sample) {
      // With a margin of half its height above and below: read tightly
      // cropped, accents and descenders cut, words read far less surely;
      // a fifth beside, short of the words next to it.
      const int h = word->box.y1 - word->box.y0;
      const core::BBox box{std::max(0, word->box.x0 - h / 5),
                           std::max(0, word->box.y0 - h / 2),
                           std::min(image.width, word->box.x1 + h / 5),
                           std::min(image.height, word->box.y1 + h / 2)};
      INVOICES_ASSIGN_OR_RETURN(OcrLine again,
                                ReadLineAgain(*engine, image, box, h));
      for (const OcrWord& w : again.words) {
        const ScriptLetters n = CountScripts(w.text);
        all += n.all();
        greek += n.greek;
        cyrillic += n.cyrillic;
        distinct += n.distinct;
        sure += w.confidence * double(n.distinct);
      }
    }
    const size_t own = std::max(greek, cyrillic);
    const double score = distinct == 0 ? 0 : sure / distinct;
    // Letters of a page in the script are read at 0.64 to 0.96 (the made-up
    // Greek and Bulgarian documents); a poor Latin scan read in it, more
    // surely than in English perhaps, still under half.
    if (own < 12 || 2 * own < all || 10 * distinct < own || score < 0.5) {
      continue;
    }
    if (score > best) {
      best = score;
      chosen = language;
    }
  }
  if (chosen.empty()) return nullptr;
  // With English, for the Latin words such pages print too ("VISA").
  core::Result<std::shared_ptr<EnginePool>> pool =
      languages_->Get(chosen + "+eng");
  if (!pool) pool = languages_->Get(chosen);
  if (!pool) return nullptr;
  return *pool;
}

void Scanner::ReadFields(const std::vector<OcrPage>& pages,
                         const std::vector<PaymentQr>& codes,
                         core::Extraction& result) const {
  const auto t = Clock::now();
  for (const OcrPage& page : pages) {
    if (!result.text.empty()) result.text += '\f';  // pages apart
    result.text += page.Text();
  }
  // Fields first: identifiers and line items use its currency and totals.
  auto extract = [&](const OcrPage& page) {
    ExtractFields(page, 1, result);
    ExtractIdentifiers(page, 1, result);
    ExtractLineItems(page, 1, result);
  };
  if (pages.size() == 1) {
    extract(pages.front());
  } else if (pages.size() > 1) {
    // The pages one under the other, read as one: labels and totals on the
    // last page meet the items and the subtotal of the pages before, and the
    // vendor is still at the top. Fields are then moved back to their page.
    std::vector<int> top;
    OcrPage all;
    for (const OcrPage& page : pages) {
      top.push_back(all.height);
      for (OcrLine line : page.lines) {
        ShiftBox(line.box, 0, top.back());
        for (OcrWord& w : line.words) ShiftBox(w.box, 0, top.back());
        all.lines.push_back(std::move(line));
      }
      all.width = std::max(all.width, page.width);
      all.height += page.height;
    }
    extract(all);
    auto place = [&](int& page_number, std::optional<core::BBox>& bbox) {
      if (!bbox) return;
      const size_t i =
          std::upper_bound(top.begin(), top.end(), bbox->y0) - top.begin() - 1;
      page_number = int(i) + 1;
      ShiftBox(*bbox, 0, -top[i]);
    };
    for (auto& [name, field] : result.fields) {
      if (field.page == 1) place(field.page, field.bbox);
    }
    for (core::LineItem& item : result.line_items) {
      if (item.page == 1) place(item.page, item.bbox);
    }
  }
  // Fields read from a text layer are calibrated too: what can go wrong
  // there (which amount is the total) is what goes wrong after OCR.
  if (options_.calibrate_confidence) CalibrateConfidences(result);
  for (const PaymentQr& qr : codes) ApplyPaymentQr(qr, result);
  AddTiming(result, "extract", MsSince(t));
}

void Scanner::ReadPaymentCodes(const GrayImage& image, int width, int height,
                               int page_number, core::Extraction& result,
                               std::vector<PaymentQr>& found) const {
  if (!options_.payment_qr) return;
  const auto t = Clock::now();
  // Payment codes are printed large enough to read at a modest resolution,
  // which keeps the search cheap on scans of several thousand pixels.
  constexpr int kQrSide = 1600;
  const int longer = std::max(image.width, image.height);
  std::vector<PaymentQr> codes;
  double to_page = double(width) / image.width;
  if (longer > kQrSide) {
    const double f = double(kQrSide) / longer;
    const GrayImage small = Resize(image, std::max(1, int(image.width * f)),
                                   std::max(1, int(image.height * f)));
    to_page = double(width) / small.width;
    codes = FindPaymentQrCodes(small);
  } else {
    codes = FindPaymentQrCodes(image);
  }
  for (PaymentQr& qr : codes) {
    qr.page = page_number;
    if (qr.bbox) ScaleBox(*qr.bbox, to_page, width, height);
    found.push_back(std::move(qr));
  }
  AddTiming(result, "payment_qr", MsSince(t));
}

core::Result<core::Extraction> Scanner::ScanImage(
    std::span<const uint8_t> bytes, core::Extraction result,
    EnginePool& engines) const {
  DecodeOptions decode = options_.decode;
  int pages = 1;
  std::vector<OcrPage> read;
  std::vector<PaymentQr> codes;
  for (int i = 0; i < pages; ++i) {
    auto t = Clock::now();
    decode.page = i;
    INVOICES_ASSIGN_OR_RETURN(DecodedImage decoded, DecodeImage(bytes, decode));
    AddTiming(result, "decode", MsSince(t));
    result.warnings.insert(result.warnings.end(), decoded.warnings.begin(),
                           decoded.warnings.end());
    if (i == 0) {
      pages = std::min(decoded.pages, options_.max_pages);
      if (decoded.pages > options_.max_pages) {
        result.warnings.push_back("read the first " +
                                  std::to_string(options_.max_pages) + " of " +
                                  std::to_string(decoded.pages) + " pages");
      }
      result.document.mime = std::string(MimeType(decoded.format));
      result.document.pages = pages;
      result.document.width = decoded.width;
      result.document.height = decoded.height;
      result.document.rotation = 0;
      result.document.source = "ocr";
    }
    ReadPaymentCodes(decoded.image, decoded.width, decoded.height, i + 1,
                     result, codes);
    INVOICES_ASSIGN_OR_RETURN(
        OcrPage page,
        ReadImage(std::move(decoded.image), decoded.width, decoded.height,
                  /*rendered=*/false, engines, result));
    read.push_back(std::move(page));
  }
  ReadFields(read, codes, result);
  return result;
}

core::Result<core::Extraction> Scanner::ScanPdf(std::span<const uint8_t> bytes,
                                                core::Extraction result,
                                                EnginePool& engines) const {
  auto t = Clock::now();
  INVOICES_ASSIGN_OR_RETURN(PdfDocument pdf, OpenPdf(bytes, options_.pdf));
  result.warnings.insert(result.warnings.end(), pdf.warnings().begin(),
                         pdf.warnings().end());
  // Factur-X, ZUGFeRD and XRechnung carry the invoice as data: read exactly,
  // nothing to guess.
  if (const int xml = FindEInvoiceAttachment(pdf.attachments()); xml >= 0) {
    auto data = pdf.ReadAttachment(xml);
    if (data) {
      auto einvoice = ReadEInvoice(*data, result.file);
      if (einvoice) {
        einvoice->document.mime = "application/pdf";
        einvoice->document.pages = pdf.page_count();
        einvoice->warnings.insert(einvoice->warnings.begin(),
                                  result.warnings.begin(),
                                  result.warnings.end());
        return std::move(*einvoice);
      }
      result.warnings.push_back(
          "the embedded e-invoice \"" + pdf.attachments()[xml].name +
          "\" could not be read (" + einvoice.error().message() +
          "); read the pages");
    } else {
      result.warnings.push_back("the embedded e-invoice could not be read (" +
                                data.error().message() + ")");
    }
  }
  AddTiming(result, "decode", MsSince(t));

  // Boxes of PDF pages are in points (1/72 inch) of the page as displayed.
  constexpr double kPoints = 72;
  const int pages = pdf.page_count();
  result.document.mime = "application/pdf";
  result.document.pages = pages;
  bool all_text = true;
  int text_pages = 0;
  std::vector<OcrPage> read;
  std::vector<PaymentQr> codes;
  for (int i = 0; i < pages; ++i) {
    INVOICES_ASSIGN_OR_RETURN(PdfPageSize size, pdf.PageSize(i));
    const int width = std::max(1, int(std::lround(size.width)));
    const int height = std::max(1, int(std::lround(size.height)));
    if (i == 0) {
      result.document.width = width;
      result.document.height = height;
      result.document.rotation = size.rotation;
    }
    t = Clock::now();
    auto text = pdf.TextLayer(i, kPoints);
    AddTiming(result, "text_layer", MsSince(t));
    if (text) {
      const TextLayerVerdict verdict = JudgeTextLayer(*text);
      // A short page of a born-digital document ("Amount due $7,711.20" on
      // the last page) is as sound as the pages before it.
      const bool short_but_clean = text_pages > 0 && verdict.characters > 0 &&
                                   verdict.garbage == 0 &&
                                   verdict.alphanumeric >= 0.5;
      if (verdict.usable || short_but_clean) {
        ++text_pages;
        read.push_back(std::move(*text));
        continue;
      }
    }
    all_text = false;
    t = Clock::now();
    INVOICES_ASSIGN_OR_RETURN(RenderedPage rendered,
                              pdf.Render(i, options_.pdf_dpi));
    AddTiming(result, "render", MsSince(t));
    ReadPaymentCodes(rendered.image, width, height, i + 1, result, codes);
    INVOICES_ASSIGN_OR_RETURN(
        OcrPage page, ReadImage(std::move(rendered.image), width, height,
                                /*rendered=*/true, engines, result));
    read.push_back(std::move(page));
  }
  ReadFields(read, codes, result);
  result.document.source = all_text ? "pdf-text" : "ocr";
  return result;
}

core::Result<core::Extraction> Scanner::Scan(std::span<const uint8_t> bytes,
                                             std::string_view file,
                                             std::string_view declared_mime,
                                             std::string_view languages) const {
  const auto start = Clock::now();
  core::Extraction result;
  result.file = std::string(file);

  // Chosen before anything is decoded: a wrong language is the request's
  // fault whatever the document. The pool is held until the scan ends, so
  // that dropping its set (LanguagePools) cannot free it under us.
  std::shared_ptr<EnginePool> pool(std::shared_ptr<void>(), &engines_);
  if (languages.find_first_not_of(" \t") != std::string_view::npos) {
    if (languages_ == nullptr) {
      return core::InvalidArgument(
          "this scanner reads with its configured OCR languages only; "
          "choosing them per document is not enabled");
    }
    INVOICES_ASSIGN_OR_RETURN(pool, languages_->Get(languages));
  }

  const Format format = DetectFormat(bytes);
  const std::string detected(MimeType(format));
  const std::string declared = BaseMime(declared_mime);
  if (!declared.empty() && declared != detected &&
      declared != "application/octet-stream" &&
      !declared.starts_with("multipart/") &&
      !(format == Format::kXml && declared == "text/xml")) {
    result.warnings.push_back("declared type " + declared +
                              " but the content is " + detected);
  }

  core::Result<core::Extraction> read =
      [&]() -> core::Result<core::Extraction> {
    // Memory running out while reading is this document's error, not the
    // process's end (every other document, and a server, go on).
    try {
      switch (format) {
        case Format::kXml: {
          INVOICES_ASSIGN_OR_RETURN(core::Extraction e,
                                    ReadEInvoice(bytes, result.file));
          e.warnings.insert(e.warnings.begin(), result.warnings.begin(),
                            result.warnings.end());
          return e;
        }
        case Format::kPdf:
          return ScanPdf(bytes, std::move(result), *pool);
        default:
          return ScanImage(bytes, std::move(result), *pool);
      }
    } catch (const std::bad_alloc&) {
      return core::TooLarge(
          "not enough memory to read this document; its pages or pictures "
          "are too large");
    }
  }();
  if (!read) return read;
  read->timings_ms.emplace_back("total", MsSince(start));
  return read;
}

}  // namespace invoices::extract
