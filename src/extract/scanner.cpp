#include "invoices/extract/scanner.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "invoices/core/strings.h"
#include "invoices/extract/fields.h"
#include "invoices/extract/preprocess.h"

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

// The media type part of a Content-Type header, lower case.
std::string BaseMime(std::string_view content_type) {
  std::string out =
      core::AsciiLower(content_type.substr(0, content_type.find(';')));
  std::erase_if(out, [](unsigned char c) { return std::isspace(c); });
  return out;
}

}  // namespace

GrayImage Resize(const GrayImage& in, int width, int height) {
  GrayImage out;
  out.width = width;
  out.height = height;
  out.pixels.resize(size_t(width) * height);
  const double sx = double(in.width) / width, sy = double(in.height) / height;
  if (sx >= 1 && sy >= 1) {
    for (int y = 0; y < height; ++y) {
      const int y0 = int(y * sy), y1 = std::max(y0 + 1, int((y + 1) * sy));
      for (int x = 0; x < width; ++x) {
        const int x0 = int(x * sx), x1 = std::max(x0 + 1, int((x + 1) * sx));
        int sum = 0;
        for (int yy = y0; yy < y1; ++yy) {
          const uint8_t* row = &in.pixels[size_t(yy) * in.width];
          for (int xx = x0; xx < x1; ++xx) sum += row[xx];
        }
        out.pixels[size_t(y) * width + x] =
            uint8_t(sum / ((y1 - y0) * (x1 - x0)));
      }
    }
    return out;
  }
  for (int y = 0; y < height; ++y) {
    const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, in.height - 1.0);
    const int y0 = int(fy), y1 = std::min(y0 + 1, in.height - 1);
    const double wy = fy - y0;
    for (int x = 0; x < width; ++x) {
      const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, in.width - 1.0);
      const int x0 = int(fx), x1 = std::min(x0 + 1, in.width - 1);
      const double wx = fx - x0;
      const double top = in.at(x0, y0) * (1 - wx) + in.at(x1, y0) * wx;
      const double bottom = in.at(x0, y1) * (1 - wx) + in.at(x1, y1) * wx;
      out.pixels[size_t(y) * width + x] =
          uint8_t(std::lround(top * (1 - wy) + bottom * wy));
    }
  }
  return out;
}

Scanner::Scanner(EnginePool& engines, ScannerOptions options)
    : engines_(engines), options_(std::move(options)) {
  if (options_.decode.max_side == 0) {
    options_.decode.max_side = options_.ocr_max_side;
  }
  options_.ocr_min_side =
      std::min(options_.ocr_min_side, options_.ocr_max_side);
}

core::Result<core::Extraction> Scanner::Scan(
    std::span<const uint8_t> bytes, std::string_view file,
    std::string_view declared_mime) const {
  const auto start = Clock::now();
  core::Extraction result;
  result.file = std::string(file);

  auto t = Clock::now();
  INVOICES_ASSIGN_OR_RETURN(DecodedImage decoded,
                            DecodeImage(bytes, options_.decode));
  result.timings_ms.emplace_back("decode", MsSince(t));

  const std::string detected(MimeType(decoded.format));
  const std::string declared = BaseMime(declared_mime);
  if (!declared.empty() && declared != detected &&
      declared != "application/octet-stream" &&
      !declared.starts_with("multipart/")) {
    result.warnings.push_back("declared type " + declared +
                              " but the content is " + detected);
  }
  result.warnings.insert(result.warnings.end(), decoded.warnings.begin(),
                         decoded.warnings.end());

  t = Clock::now();
  GrayImage image = std::move(decoded.image);
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
  const double to_upload = double(decoded.width) / image.width;
  core::BBox crop{0, 0, image.width, image.height};
  if (options_.crop_to_paper) {
    if (auto paper = FindPaper(image)) {
      crop = *paper;
      image = Crop(image, crop);
    }
  }
  bool flatten = options_.flatten == "always";
  if (options_.flatten == "auto") {
    const BackgroundStats bg = MeasureBackground(image);
    flatten = bg.brightest - bg.darkest > 60;
  }
  if (flatten) image = FlattenBackground(image);
  result.timings_ms.emplace_back("preprocess", MsSince(t));

  t = Clock::now();
  core::Result<OcrPage> page = [&]() -> core::Result<OcrPage> {
    INVOICES_ASSIGN_OR_RETURN(EnginePool::Lease engine, engines_.Acquire());
    result.document.language = engine->language();
    INVOICES_ASSIGN_OR_RETURN(
        OcrPage first, engine->Recognize(image, {.layout = options_.layout}));
    if (options_.layout != Layout::kAuto ||
        first.Quality() >= options_.reread_below_quality) {
      return first;
    }
    INVOICES_ASSIGN_OR_RETURN(
        OcrPage second, engine->Recognize(image, {.layout = Layout::kBlock}));
    return second.Quality() > first.Quality() ? second : first;
  }();
  if (!page) return std::unexpected(page.error());
  result.timings_ms.emplace_back("ocr", MsSince(t));

  t = Clock::now();
  MapToUpload(*page, crop.x0, crop.y0, to_upload, decoded.width,
              decoded.height);
  result.document.mime = detected;
  result.document.pages = 1;
  result.document.width = decoded.width;
  result.document.height = decoded.height;
  result.document.rotation = 0;
  result.document.source = "ocr";
  result.text = page->Text();
  ExtractFields(*page, 1, result);
  result.timings_ms.emplace_back("extract", MsSince(t));
  result.timings_ms.emplace_back("total", MsSince(start));
  return result;
}

}  // namespace invoices::extract
