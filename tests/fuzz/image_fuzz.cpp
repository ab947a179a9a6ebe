// extract::DecodeImage on arbitrary bytes: JPEG, PNG, TIFF, WebP and HEIC/HEIF
// (detected by content) up to the OCR boundary, with a 4-megapixel limit so
// that decompression bombs are refused from their headers, quickly. Never
// crashes; errors are invalid_argument, unsupported_media_type or too_large;
// a decoded page holds width x height pixels, within the limit, and its
// scale and page count are sane. A TIFF's second page is decoded too.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "invoices/extract/image.h"

namespace {

using namespace invoices;

void Check(const core::Result<extract::DecodedImage>& decoded,
           const extract::DecodeOptions& options) {
  if (!decoded) {
    const auto code = decoded.error().code();
    FUZZ_CHECK(code == core::ErrorCode::kInvalidArgument ||
               code == core::ErrorCode::kUnsupportedMediaType ||
               code == core::ErrorCode::kTooLarge);
    return;
  }
  const extract::GrayImage& image = decoded->image;
  FUZZ_CHECK(image.width > 0 && image.height > 0);
  FUZZ_CHECK(image.pixels.size() == size_t(image.width) * image.height);
  FUZZ_CHECK(int64_t(decoded->width) * decoded->height <= options.max_pixels);
  FUZZ_CHECK(decoded->scale > 0 && decoded->scale <= 1.0);
  FUZZ_CHECK(decoded->pages >= 1);
  FUZZ_CHECK(decoded->exif_orientation >= 1 && decoded->exif_orientation <= 8);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto bytes = fuzz::AsSpan(data, size);
  const extract::Format format = extract::DetectFormat(bytes);
  (void)extract::MimeType(format);
  const int orientation = extract::ReadExifOrientation(bytes);
  FUZZ_CHECK(orientation >= 1 && orientation <= 8);

  extract::DecodeOptions options;
  options.max_pixels = 4'000'000;
  auto decoded = extract::DecodeImage(bytes, options);
  Check(decoded, options);
  if (decoded && decoded->pages > 1) {
    options.page = 1;
    Check(extract::DecodeImage(bytes, options), options);
  }
  if (decoded && size % 2 == 0) {  // the reduced decode of large scans
    extract::DecodeOptions reduced;
    reduced.max_pixels = options.max_pixels;
    reduced.max_side = 256;
    Check(extract::DecodeImage(bytes, reduced), reduced);
  }
  return 0;
}
