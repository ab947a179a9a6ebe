// Private to the extract module: the decoders DecodeImage (image.h) hands
// TIFF, WebP, HEIC/HEIF and AVIF to. Each checks the declared size against
// options.max_pixels before allocating pixel memory, and returns the page at
// full size (WebP: already reduced for options.max_side) with `format`,
// `width`, `height`, `pages` and `exif_orientation` set; DecodeImage then
// reduces for max_side and applies the orientation.
// Thread safety: reentrant; library errors are collected per call, never
// through the libraries' process-wide handlers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>

#include "invoices/core/error.h"
#include "invoices/extract/image.h"

namespace invoices::extract::internal {

core::Result<DecodedImage> DecodeTiff(std::span<const uint8_t> bytes,
                                      const DecodeOptions& options);
core::Result<DecodedImage> DecodeWebp(std::span<const uint8_t> bytes,
                                      const DecodeOptions& options);
// HEIC/HEIF (`format` kHeif) or AVIF (kAvif): the same container, HEVC or
// AV1 inside; AVIF is unsupported_media_type when libheif has no AV1
// decoder (dav1d or libaom).
core::Result<DecodedImage> DecodeHeif(std::span<const uint8_t> bytes,
                                      const DecodeOptions& options,
                                      Format format = Format::kHeif);

// Gray from 8-bit sRGB with the Rec. 709 weights libpng's rgb_to_gray uses,
// so that a page reads the same whatever format it came in.
inline uint8_t Luma(int r, int g, int b) {
  return uint8_t((6968 * r + 23434 * g + 2366 * b + 16384) >> 15);
}

// Gray of a pixel with (straight, not premultiplied) alpha composited on
// white, as PNG does: transparent screenshots read as dark on light.
inline uint8_t LumaOnWhite(int r, int g, int b, int a) {
  return uint8_t((Luma(r, g, b) * a + 255 * (255 - a)) / 255);
}

// Whether a w x h image has more than `max` pixels. The sides come from file
// headers (up to 2^32 - 1 each in PNG and TIFF), so their product is taken in
// 128 bits: in 64 it can overflow, undefined behaviour that lets a bomb by.
inline bool ExceedsPixels(int64_t w, int64_t h, int64_t max) {
  return static_cast<__int128>(w) * h > max;
}

// "image of W x H = N megapixels is beyond the limit of M megapixels"
std::string PixelLimitMessage(int64_t w, int64_t h, int64_t max);

// The power of two (1, 2, 4 or 8) to divide a side by so that the longer side
// comes near max_side (the same steps as JPEG's DCT scaling).
int ReductionFactor(int width, int height, int max_side);

}  // namespace invoices::extract::internal
