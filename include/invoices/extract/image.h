// Decoded pages: 8-bit grayscale pixels (what OCR reads), and the decoder that
// turns uploaded bytes into them: JPEG, PNG, TIFF (one page at a time), WebP,
// HEIC/HEIF and AVIF. PDF is read by pdf.h. Formats are detected by content,
// never by name. Thread safety: DecodeImage is reentrant; images are plain
// values.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "invoices/core/error.h"

namespace invoices::extract {

struct GrayImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // row-major, stride == width
  uint8_t at(int x, int y) const { return pixels[size_t(y) * width + x]; }
};

// The formats the system recognises by their leading bytes.
enum class Format {
  kUnknown,
  kJpeg,
  kPng,
  kGif,
  kTiff,
  kWebp,
  kHeif,  // HEIC: HEIF with HEVC (iPhone photos)
  kAvif,  // HEIF with AV1 (Android, browsers' screenshots)
  kPdf,
  kXml
};

// The format of `bytes` by magic number.
Format DetectFormat(std::span<const uint8_t> bytes);
// "image/jpeg", "application/pdf", ... ("application/octet-stream" if unknown).
std::string_view MimeType(Format format);

struct DecodeOptions {
  // Refuse images with more pixels than this (too_large), checked from the
  // header before any pixel memory is allocated. 64 MP takes a 4961 x 7016
  // A4 scan at 600 dpi and refuses decompression bombs.
  int64_t max_pixels = 64'000'000;
  // Decode at a reduced size when the image is larger than this many pixels on
  // its longer side, by 1/2, 1/4 or 1/8 (JPEG and WebP reduce while decoding,
  // the other formats after); 0 = full size.
  int max_side = 0;
  // The page to decode, from 0. Only a TIFF has more than one (fax and scanner
  // output); DecodedImage::pages says how many. A page beyond the last is
  // invalid_argument.
  int page = 0;
};

struct DecodedImage {
  GrayImage image;  // upright (EXIF orientation applied)
  Format format = Format::kUnknown;
  int width = 0, height = 0;  // of the upright page as uploaded, full size
  double scale = 1.0;         // image.width / width
  // 1..8 as found in the file (JPEG EXIF, TIFF Orientation tag); HEIF is
  // turned upright by its own irot/imir boxes and reports 1.
  int exif_orientation = 1;
  int pages = 1;  // pages in the file: TIFF images that are not thumbnails
  std::vector<std::string> warnings;  // e.g. a truncated file read in part
};

// Decodes page `options.page` of a JPEG, PNG, TIFF, WebP, HEIC/HEIF or AVIF
// image (HEIF and AVIF: the primary image). Colour and alpha become gray on
// white. Errors: invalid_argument for bytes that are no image or are damaged
// beyond reading (a JPEG, TIFF or WebP cut short that still holds 90% of its
// rows is read, the rest white or gray, with a warning), or a page that does
// not exist; unsupported_media_type for a recognised format or variant this
// build does not decode (GIF, PDF, animated WebP, AVIF where libheif has no AV1
// decoder); too_large beyond max_pixels, checked
// before pixel memory is allocated, or a TIFF of more than 10000 images.
core::Result<DecodedImage> DecodeImage(std::span<const uint8_t> bytes,
                                       const DecodeOptions& options = {});

// The EXIF orientation (1..8) stored in a JPEG's APP1 segment, 1 when absent
// or unreadable.
int ReadExifOrientation(std::span<const uint8_t> jpeg);

// Applies an EXIF orientation (1..8) so that the image is upright.
GrayImage ApplyOrientation(const GrayImage& image, int orientation);

// Otsu's threshold of a histogram of grey levels: the level that best splits
// it into two classes (ink at or below it, paper above). 128 when empty.
int OtsuThreshold(const std::array<double, 256>& histogram);
// The same over the grey levels of `image`.
int OtsuThreshold(const GrayImage& image);

}  // namespace invoices::extract
