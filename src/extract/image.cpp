// Format detection, and JPEG (libjpeg-turbo) and PNG (libpng) decoding to
// 8-bit gray, with limits checked from the header before pixel memory is
// allocated; TIFF, WebP and HEIF are in image_formats.cpp. The C libraries
// report fatal errors by longjmp; every jmp_buf is set in a function that owns
// no C++ objects with destructors between setjmp and the jump.
#include "invoices/extract/image.h"

#include <jerror.h>
#include <jpeglib.h>
#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstring>

#include "image_formats.h"

namespace invoices::extract {
namespace {

using internal::PixelLimitMessage;

bool StartsWith(std::span<const uint8_t> b, std::string_view magic,
                size_t offset = 0) {
  return b.size() >= offset + magic.size() &&
         std::memcmp(b.data() + offset, magic.data(), magic.size()) == 0;
}

// ---- JPEG ----------------------------------------------------------------

struct JpegErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool truncated = false;
  JDIMENSION rows_at_truncation = 0;
};

void JpegErrorExit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void JpegEmitMessage(j_common_ptr cinfo, int level) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF && !err->truncated) {
    err->truncated = true;
    err->rows_at_truncation =
        reinterpret_cast<j_decompress_ptr>(cinfo)->output_scanline;
  }
}

struct JpegHeader {
  int width = 0, height = 0;
};

// Decodes into `out` (gray). Returns false with err.message set on a fatal
// error. No C++ objects live across the setjmp in this function.
bool DecodeJpegRaw(std::span<const uint8_t> bytes, int64_t max_pixels,
                   int max_side, JpegErrorManager& err, JpegHeader& header,
                   GrayImage& out, bool& too_large) {
  jpeg_decompress_struct cinfo;
  cinfo.err = jpeg_std_error(&err.base);
  err.base.error_exit = JpegErrorExit;
  err.base.emit_message = JpegEmitMessage;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, bytes.data(), bytes.size());
  jpeg_read_header(&cinfo, TRUE);
  header.width = cinfo.image_width;
  header.height = cinfo.image_height;
  if (internal::ExceedsPixels(cinfo.image_width, cinfo.image_height,
                              max_pixels)) {
    too_large = true;
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  cinfo.out_color_space = JCS_GRAYSCALE;
  cinfo.dct_method = JDCT_ISLOW;
  const int longer = std::max(header.width, header.height);
  unsigned denom = 1;
  while (max_side > 0 && denom < 8 && longer / int(denom * 2) >= max_side) {
    denom *= 2;
  }
  cinfo.scale_num = 1;
  cinfo.scale_denom = denom;
  jpeg_start_decompress(&cinfo);
  out.width = cinfo.output_width;
  out.height = cinfo.output_height;
  out.pixels.resize(size_t(out.width) * out.height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row =
        out.pixels.data() + size_t(cinfo.output_scanline) * out.width;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

core::Result<DecodedImage> DecodeJpeg(std::span<const uint8_t> bytes,
                                      const DecodeOptions& options) {
  JpegErrorManager err;
  JpegHeader header;
  DecodedImage result;
  result.format = Format::kJpeg;
  bool too_large = false;
  if (!DecodeJpegRaw(bytes, options.max_pixels, options.max_side, err, header,
                     result.image, too_large)) {
    if (too_large) {
      return core::TooLarge(
          PixelLimitMessage(header.width, header.height, options.max_pixels));
    }
    return core::InvalidArgument(std::string("unreadable JPEG: ") +
                                 err.message);
  }
  if (err.truncated) {
    // A file cut short decodes with the missing rows filled in gray. A little
    // missing costs a margin; more costs the totals at the bottom, and the
    // user is better told to upload it again.
    const double present =
        result.image.height == 0
            ? 0.0
            : double(err.rows_at_truncation) / result.image.height;
    if (present < 0.9) {
      return core::InvalidArgument(
          "truncated JPEG: the file ends before the image does (" +
          std::to_string(int(present * 100)) + "% of the rows are present)");
    }
    result.warnings.push_back("truncated JPEG: the bottom " +
                              std::to_string(int((1 - present) * 100 + 0.5)) +
                              "% of the image is missing");
  }
  result.width = header.width;
  result.height = header.height;
  result.exif_orientation = ReadExifOrientation(bytes);
  return result;
}

// ---- PNG -----------------------------------------------------------------

uint32_t Read32BE(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         p[3];
}

struct PngReader {
  std::span<const uint8_t> bytes;
  size_t pos = 0;
  char message[256] = {0};
};

void PngRead(png_structp png, png_bytep out, png_size_t n) {
  auto* r = static_cast<PngReader*>(png_get_io_ptr(png));
  if (r->pos + n > r->bytes.size()) {
    png_error(png, "the file ends before the image does (truncated PNG)");
  }
  std::memcpy(out, r->bytes.data() + r->pos, n);
  r->pos += n;
}

void PngError(png_structp png, png_const_charp msg) {
  auto* r = static_cast<PngReader*>(png_get_error_ptr(png));
  std::snprintf(r->message, sizeof r->message, "%s", msg);
  png_longjmp(png, 1);
}

void PngWarning(png_structp, png_const_charp) {}

// Decodes into `out` as gray + alpha (2 bytes a pixel) or gray (1 byte).
// `rows` and `pointers` belong to the caller: a longjmp out of libpng must
// not skip a destructor here.
bool DecodePngRaw(PngReader& reader, int64_t max_pixels, GrayImage& out,
                  std::vector<uint8_t>& rows, std::vector<png_bytep>& pointers,
                  int& channels, int& width, int& height, bool& too_large) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader,
                                           PngError, PngWarning);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, &reader, PngRead);
  // libpng's own ceiling, a second guard behind the pixel check below.
  png_set_user_limits(png, 100000, 100000);
  png_set_chunk_malloc_max(png, 8 * 1024 * 1024);
  png_read_info(png, info);
  width = png_get_image_width(png, info);
  height = png_get_image_height(png, info);
  if (internal::ExceedsPixels(width, height, max_pixels)) {
    too_large = true;
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  const int color = png_get_color_type(png, info);
  png_set_strip_16(png);
  png_set_packing(png);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (color & PNG_COLOR_MASK_COLOR || color == PNG_COLOR_TYPE_PALETTE) {
    png_set_rgb_to_gray_fixed(png, 1, -1, -1);
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  channels = png_get_channels(png, info);
  const size_t stride = png_get_rowbytes(png, info);
  rows.resize(stride * height);
  pointers.resize(height);
  for (int y = 0; y < height; ++y) pointers[y] = rows.data() + stride * y;
  png_read_image(png, pointers.data());
  png_destroy_read_struct(&png, &info, nullptr);
  out.width = width;
  out.height = height;
  return true;
}

core::Result<DecodedImage> DecodePng(std::span<const uint8_t> bytes,
                                     const DecodeOptions& options) {
  // The IHDR chunk comes first: check the declared size before libpng, whose
  // own sanity limits would report a bomb as a malformed file.
  if (bytes.size() >= 24 && std::memcmp(bytes.data() + 12, "IHDR", 4) == 0) {
    const int64_t w = Read32BE(bytes.data() + 16);
    const int64_t h = Read32BE(bytes.data() + 20);
    if (internal::ExceedsPixels(w, h, options.max_pixels)) {
      return core::TooLarge(PixelLimitMessage(w, h, options.max_pixels));
    }
  }
  PngReader reader{bytes};
  DecodedImage result;
  result.format = Format::kPng;
  std::vector<uint8_t> rows;
  std::vector<png_bytep> pointers;
  int channels = 0, width = 0, height = 0;
  bool too_large = false;
  if (!DecodePngRaw(reader, options.max_pixels, result.image, rows, pointers,
                    channels, width, height, too_large)) {
    if (too_large) {
      return core::TooLarge(
          PixelLimitMessage(width, height, options.max_pixels));
    }
    return core::InvalidArgument(std::string("unreadable PNG: ") +
                                 reader.message);
  }
  result.width = width;
  result.height = height;
  GrayImage& img = result.image;
  img.pixels.resize(size_t(width) * height);
  for (size_t i = 0; i < img.pixels.size(); ++i) {
    if (channels == 2) {
      // Composite on white: transparent screenshots read as dark on light.
      const int g = rows[2 * i], a = rows[2 * i + 1];
      img.pixels[i] = uint8_t((g * a + 255 * (255 - a)) / 255);
    } else {
      img.pixels[i] = rows[i];
    }
  }
  return result;
}

// Box-filter downscale by an integer factor (for formats without DCT scaling).
// A side shorter than the factor (a strip 4 pixels wide and 12000 tall)
// keeps one pixel, the mean of the part of the box inside the image: a page
// never becomes empty.
GrayImage Shrink(const GrayImage& in, int factor) {
  GrayImage out;
  out.width = std::max(1, in.width / factor);
  out.height = std::max(1, in.height / factor);
  out.pixels.resize(size_t(out.width) * out.height);
  for (int y = 0; y < out.height; ++y) {
    const int y1 = std::min(in.height, (y + 1) * factor);
    for (int x = 0; x < out.width; ++x) {
      const int x1 = std::min(in.width, (x + 1) * factor);
      int sum = 0, n = 0;
      for (int sy = y * factor; sy < y1; ++sy) {
        const uint8_t* row = &in.pixels[size_t(sy) * in.width];
        for (int sx = x * factor; sx < x1; ++sx, ++n) sum += row[sx];
      }
      out.pixels[size_t(y) * out.width + x] = uint8_t(sum / n);
    }
  }
  return out;
}

// ---- EXIF ----------------------------------------------------------------

uint16_t Read16(const uint8_t* p, bool little) {
  return little ? uint16_t(p[0] | p[1] << 8) : uint16_t(p[0] << 8 | p[1]);
}
uint32_t Read32(const uint8_t* p, bool little) {
  return little
             ? uint32_t(p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24)
             : uint32_t(uint32_t(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3]);
}

int OrientationFromTiff(const uint8_t* tiff, size_t size) {
  if (size < 8) return 1;
  bool little;
  if (tiff[0] == 'I' && tiff[1] == 'I') {
    little = true;
  } else if (tiff[0] == 'M' && tiff[1] == 'M') {
    little = false;
  } else {
    return 1;
  }
  // In size_t: an offset near 2^32 must not wrap around past the check.
  const size_t ifd = Read32(tiff + 4, little);
  if (ifd < 8 || ifd + 2 > size) return 1;
  const uint16_t entries = Read16(tiff + ifd, little);
  for (uint16_t i = 0; i < entries; ++i) {
    const size_t entry = ifd + 2 + size_t(i) * 12;
    if (entry + 12 > size) return 1;
    if (Read16(tiff + entry, little) == 0x0112) {  // Orientation
      const uint16_t v = Read16(tiff + entry + 8, little);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

// HEIF or AVIF from an ISO base media file's ftyp box: its major brand, or
// for the generic image brands (mif1, msf1) the codec brand among its
// compatible ones. kUnknown for other ISO files (MP4 video, ...).
Format IsoBrandFormat(std::span<const uint8_t> b) {
  auto is_any = [&](size_t at, std::span<const std::string_view> brands) {
    for (std::string_view brand : brands) {
      if (StartsWith(b, brand, at)) return true;
    }
    return false;
  };
  static constexpr std::string_view kHevc[] = {
      "heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "heif"};
  static constexpr std::string_view kAv1[] = {"avif", "avis"};
  static constexpr std::string_view kImage[] = {"mif1", "msf1"};
  if (is_any(8, kAv1)) return Format::kAvif;
  if (is_any(8, kHevc)) return Format::kHeif;
  if (!is_any(8, kImage)) return Format::kUnknown;
  // Compatible brands follow the minor version, up to the box's size.
  const size_t size = b.size() >= 4 ? size_t(b[0]) << 24 | size_t(b[1]) << 16 |
                                          size_t(b[2]) << 8 | size_t(b[3])
                                    : 0;
  const size_t end = std::min({size, b.size(), size_t(256)});
  bool av1 = false;
  for (size_t at = 16; at + 4 <= end; at += 4) {
    if (is_any(at, kHevc)) return Format::kHeif;
    av1 = av1 || is_any(at, kAv1);
  }
  return av1 ? Format::kAvif : Format::kHeif;
}

}  // namespace

Format DetectFormat(std::span<const uint8_t> b) {
  if (StartsWith(b, "\xFF\xD8\xFF")) return Format::kJpeg;
  if (StartsWith(b, "\x89PNG\r\n\x1A\n")) return Format::kPng;
  if (StartsWith(b, "GIF87a") || StartsWith(b, "GIF89a")) return Format::kGif;
  if (StartsWith(b, std::string_view("II*\0", 4)) ||
      StartsWith(b, std::string_view("MM\0*", 4))) {
    return Format::kTiff;
  }
  if (StartsWith(b, "RIFF") && StartsWith(b, "WEBP", 8)) return Format::kWebp;
  if (StartsWith(b, "ftyp", 4)) {
    if (const Format f = IsoBrandFormat(b); f != Format::kUnknown) return f;
  }
  // PDF allows up to 1024 bytes of junk before the header.
  const size_t window = std::min<size_t>(b.size(), 1024);
  const std::string_view head(reinterpret_cast<const char*>(b.data()), window);
  if (head.find("%PDF-") != std::string_view::npos) return Format::kPdf;
  size_t i = 0;
  if (StartsWith(b, "\xEF\xBB\xBF")) i = 3;
  while (i < window && std::isspace(b[i])) ++i;
  if (StartsWith(b, "<?xml", i) || StartsWith(b, "<", i)) {
    if (head.find("<?xml") != std::string_view::npos ||
        head.find("Invoice") != std::string_view::npos ||
        head.find("CrossIndustryDocument") != std::string_view::npos) {
      return Format::kXml;
    }
  }
  return Format::kUnknown;
}

std::string_view MimeType(Format f) {
  switch (f) {
    case Format::kJpeg:
      return "image/jpeg";
    case Format::kPng:
      return "image/png";
    case Format::kGif:
      return "image/gif";
    case Format::kTiff:
      return "image/tiff";
    case Format::kWebp:
      return "image/webp";
    case Format::kHeif:
      return "image/heic";
    case Format::kAvif:
      return "image/avif";
    case Format::kPdf:
      return "application/pdf";
    case Format::kXml:
      return "application/xml";
    case Format::kUnknown:
      break;
  }
  return "application/octet-stream";
}

int ReadExifOrientation(std::span<const uint8_t> jpeg) {
  // Walk the markers before the image data; APP1 "Exif\0\0" holds a TIFF.
  size_t pos = 2;
  while (pos + 4 <= jpeg.size() && jpeg[pos] == 0xFF) {
    const uint8_t marker = jpeg[pos + 1];
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
      pos += 2;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) break;  // start of scan / end
    const size_t len = size_t(jpeg[pos + 2]) << 8 | jpeg[pos + 3];
    if (len < 2 || pos + 2 + len > jpeg.size()) break;
    if (marker == 0xE1 && len >= 8 &&
        std::memcmp(jpeg.data() + pos + 4, "Exif\0\0", 6) == 0) {
      return OrientationFromTiff(jpeg.data() + pos + 10, len - 8);
    }
    pos += 2 + len;
  }
  return 1;
}

GrayImage ApplyOrientation(const GrayImage& in, int orientation) {
  if (orientation < 2 || orientation > 8) return in;
  const bool swap = orientation >= 5;
  GrayImage out;
  out.width = swap ? in.height : in.width;
  out.height = swap ? in.width : in.height;
  out.pixels.resize(in.pixels.size());
  const int w = in.width, h = in.height;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      int ox = x, oy = y;
      switch (orientation) {
        case 2:
          ox = w - 1 - x;
          break;  // mirror
        case 3:
          ox = w - 1 - x;
          oy = h - 1 - y;
          break;  // 180
        case 4:
          oy = h - 1 - y;
          break;  // flip
        case 5:
          ox = y;
          oy = x;
          break;  // transpose
        case 6:
          ox = h - 1 - y;
          oy = x;
          break;  // 90 cw
        case 7:
          ox = h - 1 - y;
          oy = w - 1 - x;
          break;  // transverse
        case 8:
          ox = y;
          oy = w - 1 - x;
          break;  // 90 ccw
      }
      out.pixels[size_t(oy) * out.width + ox] = in.pixels[size_t(y) * w + x];
    }
  }
  return out;
}

core::Result<DecodedImage> DecodeImage(std::span<const uint8_t> bytes,
                                       const DecodeOptions& options) {
  if (bytes.empty()) return core::InvalidArgument("the document is empty");
  const Format format = DetectFormat(bytes);
  if (options.page != 0 && format != Format::kTiff &&
      format != Format::kUnknown) {
    return core::InvalidArgument("page " + std::to_string(options.page + 1) +
                                 " asked of a one-page image");
  }
  core::Result<DecodedImage> decoded = core::InvalidArgument("");
  // Whether the decoder left the max_side reduction to this function (JPEG
  // and WebP reduce while decoding).
  bool reduce = true;
  switch (format) {
    case Format::kJpeg:
      decoded = DecodeJpeg(bytes, options);
      reduce = false;
      break;
    case Format::kPng:
      decoded = DecodePng(bytes, options);
      break;
    case Format::kTiff:
      decoded = internal::DecodeTiff(bytes, options);
      break;
    case Format::kWebp:
      decoded = internal::DecodeWebp(bytes, options);
      reduce = false;
      break;
    case Format::kHeif:
    case Format::kAvif:
      decoded = internal::DecodeHeif(bytes, options, format);
      break;
    case Format::kUnknown:
      return core::InvalidArgument(
          "the document is not an image this system recognises (expected "
          "JPEG, PNG, TIFF, WebP, HEIC, AVIF or PDF)");
    default:
      return core::UnsupportedMediaType(
          std::string(MimeType(format)) +
          " is not decoded as an image; upload JPEG, PNG, TIFF, WebP, HEIC "
          "or AVIF");
  }
  if (decoded && reduce && options.max_side > 0) {
    const int factor = internal::ReductionFactor(
        decoded->image.width, decoded->image.height, options.max_side);
    if (factor > 1) decoded->image = Shrink(decoded->image, factor);
  }
  if (!decoded) return decoded;
  DecodedImage& d = *decoded;
  d.scale = d.width > 0 ? double(d.image.width) / d.width : 1.0;
  if (d.exif_orientation >= 2) {
    d.image = ApplyOrientation(d.image, d.exif_orientation);
    if (d.exif_orientation >= 5) std::swap(d.width, d.height);
  }
  return decoded;
}

int OtsuThreshold(const GrayImage& image) {
  // Four counts per level, filled in turn: runs of one grey level (paper)
  // would otherwise wait on the previous add to the same count.
  std::array<std::array<uint32_t, 256>, 4> counts{};
  const uint8_t* p = image.pixels.data();
  const size_t n = image.pixels.size();
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    ++counts[0][p[i]];
    ++counts[1][p[i + 1]];
    ++counts[2][p[i + 2]];
    ++counts[3][p[i + 3]];
  }
  for (; i < n; ++i) ++counts[0][p[i]];
  std::array<double, 256> hist{};
  for (int v = 0; v < 256; ++v) {
    hist[v] = double(counts[0][v]) + counts[1][v] + counts[2][v] + counts[3][v];
  }
  return OtsuThreshold(hist);
}

int OtsuThreshold(const std::array<double, 256>& hist) {
  double n = 0, sum = 0;
  for (int i = 0; i < 256; ++i) {
    n += hist[i];
    sum += i * hist[i];
  }
  double w0 = 0, sum0 = 0, best = -1;
  int threshold = 128;
  for (int t = 0; t < 256; ++t) {
    w0 += hist[t];
    if (w0 == 0) continue;
    const double w1 = n - w0;
    if (w1 == 0) break;
    sum0 += t * hist[t];
    const double m0 = sum0 / w0, m1 = (sum - sum0) / w1;
    const double between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}

}  // namespace invoices::extract
