// TIFF (libtiff), WebP (libwebp) and HEIC/HEIF (libheif) decoding to 8-bit
// gray. Every library reads from the caller's bytes without a copy, and its
// errors are caught per call (libtiff's per-handle handlers, libwebp and
// libheif status values): nothing is printed, and nothing is shared between
// threads.
#include "image_formats.h"

#include <libheif/heif.h>
#include <tiffio.h>
#include <webp/decode.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

namespace invoices::extract::internal {

std::string PixelLimitMessage(int64_t w, int64_t h, int64_t max) {
  return "image of " + std::to_string(w) + " x " + std::to_string(h) + " = " +
         std::to_string(int64_t(static_cast<__int128>(w) * h / 1'000'000)) +
         " megapixels is beyond the limit of " +
         std::to_string(max / 1'000'000) + " megapixels";
}

int ReductionFactor(int width, int height, int max_side) {
  int factor = 1;
  const int longer = std::max(width, height);
  while (max_side > 0 && factor < 8 && longer / (factor * 2) >= max_side) {
    factor *= 2;
  }
  return factor;
}

namespace {

// A page whose file ends early keeps its missing rows white (the paper). As
// for JPEG, a little missing costs a margin and is read with a warning; more
// would lose the totals at the bottom, and the user is better told to upload
// the file again.
core::Status AcceptPartial(std::string_view format, int rows, int height,
                           std::vector<std::string>& warnings) {
  if (rows >= height) return {};
  const double present = height == 0 ? 0.0 : double(rows) / height;
  if (present < 0.9) {
    return core::InvalidArgument("truncated " + std::string(format) +
                                 ": the file ends before the image does (" +
                                 std::to_string(int(present * 100)) +
                                 "% of the rows are present)");
  }
  warnings.push_back("truncated " + std::string(format) + ": the bottom " +
                     std::to_string(int((1 - present) * 100 + 0.5)) +
                     "% of the image is missing");
  return {};
}

// ---- TIFF ----------------------------------------------------------------

// More directories than this is no document but a file built to make the
// page count slow; libtiff itself stops at loops.
constexpr int kMaxTiffDirectories = 10'000;

// libtiff's client I/O over a byte span. Mapping hands libtiff the bytes
// themselves, so strips are read in place.
struct TiffSource {
  std::span<const uint8_t> bytes;
  uint64_t pos = 0;
  std::string error;  // the first error libtiff reported
};

tmsize_t TiffRead(thandle_t handle, void* buf, tmsize_t n) {
  auto* s = static_cast<TiffSource*>(handle);
  if (n <= 0 || s->pos >= s->bytes.size()) return 0;
  const size_t count =
      std::min<uint64_t>(uint64_t(n), s->bytes.size() - s->pos);
  std::memcpy(buf, s->bytes.data() + s->pos, count);
  s->pos += count;
  return tmsize_t(count);
}

tmsize_t TiffWrite(thandle_t, void*, tmsize_t) { return 0; }

toff_t TiffSeek(thandle_t handle, toff_t offset, int whence) {
  auto* s = static_cast<TiffSource*>(handle);
  const uint64_t base = whence == SEEK_CUR   ? s->pos
                        : whence == SEEK_END ? s->bytes.size()
                                             : 0;
  s->pos = base + offset;  // negative offsets arrive wrapped; so does the sum
  return s->pos;
}

int TiffClose(thandle_t) { return 0; }

toff_t TiffSize(thandle_t handle) {
  return static_cast<TiffSource*>(handle)->bytes.size();
}

int TiffMap(thandle_t handle, void** base, toff_t* size) {
  auto* s = static_cast<TiffSource*>(handle);
  // Opened read-only: libtiff never writes through the mapping.
  *base = const_cast<uint8_t*>(s->bytes.data());
  *size = s->bytes.size();
  return 1;
}

void TiffUnmap(thandle_t, void*, toff_t) {}

int TiffError(TIFF*, void* user, const char* module, const char* fmt,
              va_list ap) {
  auto* s = static_cast<TiffSource*>(user);
  if (s->error.empty()) {
    char buf[256];
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    s->error = std::string(module ? module : "libtiff") + ": " + buf;
  }
  return 1;  // handled: the process-wide handler would print to stderr
}

int TiffWarning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

using TiffPtr = std::unique_ptr<TIFF, decltype(&TIFFClose)>;

// The common scans, read a row at a time without an RGBA copy: bilevel
// (fax, 1 bit) and 8-bit gray, and 8-bit RGB, in strips. Returns the rows
// read before an error.
int ReadScanlines(TIFF* tif, uint16_t photometric, uint16_t bps, uint16_t spp,
                  GrayImage& out) {
  std::vector<uint8_t> line(
      size_t(std::max<tmsize_t>(TIFFScanlineSize(tif), 1)));
  const bool rgb = photometric == PHOTOMETRIC_RGB;
  const bool min_is_white = photometric == PHOTOMETRIC_MINISWHITE;
  const int w = out.width;
  if (size_t(rgb ? w * spp : bps == 1 ? (w + 7) / 8 : w) > line.size()) {
    return 0;
  }
  for (int y = 0; y < out.height; ++y) {
    if (TIFFReadScanline(tif, line.data(), uint32_t(y), 0) < 0) return y;
    uint8_t* dst = &out.pixels[size_t(y) * w];
    if (rgb) {
      for (int x = 0; x < w; ++x) {
        const uint8_t* p = &line[size_t(x) * spp];
        dst[x] = Luma(p[0], p[1], p[2]);
      }
    } else if (bps == 8) {
      for (int x = 0; x < w; ++x) {
        dst[x] = min_is_white ? uint8_t(255 - line[x]) : line[x];
      }
    } else {
      for (int x = 0; x < w; ++x) {
        const bool bit = (line[x >> 3] >> (7 - (x & 7))) & 1;
        dst[x] = bit != min_is_white ? 255 : 0;
      }
    }
  }
  return out.height;
}

// Everything else libtiff reads (palette, 16-bit, CMYK, YCbCr/JPEG, tiles,
// separate planes, alpha) through its RGBA interface, a band of strips or
// tiles at a time. Returns the rows read; fails only when the variant is
// not readable at all.
core::Result<int> ReadRgba(TIFF* tif, int orientation, GrayImage& out) {
  char message[1024] = {0};
  if (!TIFFRGBAImageOK(tif, message)) {
    return core::UnsupportedMediaType(
        std::string("a TIFF variant this system does not read: ") + message);
  }
  TIFFRGBAImage img;
  if (!TIFFRGBAImageBegin(&img, tif, 0, message)) {
    return core::InvalidArgument(std::string("unreadable TIFF: ") + message);
  }
  // Ask for the rows as stored: libtiff flips (never transposes) towards the
  // requested orientation and files 5..8 count as 1..4, so requesting the
  // file's own orientation means no flip, and DecodeImage applies all eight
  // orientations the same way for every format.
  img.req_orientation =
      uint16_t(orientation >= 5 ? orientation - 4 : orientation);
  const int w = out.width, h = out.height;
  uint32_t unit = 0;
  if (TIFFIsTiled(tif)) {
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &unit);
  } else {
    TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &unit);
  }
  // Bands of whole strips or tiles (none decoded twice) of about 4 MP.
  const int band_unit = std::clamp<int64_t>(unit, 1, h);
  const int band = std::min<int64_t>(
      h,
      int64_t(band_unit) * std::max<int64_t>(1, (4'000'000 / w) / band_unit));
  std::vector<uint32_t> raster(size_t(w) * band);
  int rows = 0;
  for (int y = 0; y < h; y += band) {
    const int n = std::min(band, h - y);
    img.row_offset = y;
    img.col_offset = 0;
    if (!TIFFRGBAImageGet(&img, raster.data(), uint32_t(w), uint32_t(n))) {
      break;
    }
    for (size_t i = 0; i < size_t(w) * n; ++i) {
      const uint32_t p = raster[i];
      // Premultiplied (libtiff premultiplies straight alpha): adding what
      // alpha leaves uncovered composites on white.
      out.pixels[size_t(y) * w + i] =
          uint8_t(std::min(255, Luma(TIFFGetR(p), TIFFGetG(p), TIFFGetB(p)) +
                                    255 - int(TIFFGetA(p))));
    }
    rows = y + n;
  }
  TIFFRGBAImageEnd(&img);
  return rows;
}

}  // namespace

core::Result<DecodedImage> DecodeTiff(std::span<const uint8_t> bytes,
                                      const DecodeOptions& options) {
  TiffSource source{bytes};
  TIFFOpenOptions* open_options = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(open_options, TiffError, &source);
  TIFFOpenOptionsSetWarningHandlerExtR(open_options, TiffWarning, &source);
  // libtiff's own ceiling on one allocation, behind the pixel check: the
  // strip or tile buffers of a damaged file may claim more than the image.
  TIFFOpenOptionsSetMaxSingleMemAlloc(
      open_options,
      tmsize_t(std::min<int64_t>(options.max_pixels, int64_t(1) << 40) * 4 +
               (1 << 20)));
  TIFF* raw =
      TIFFClientOpenExt("upload", "r", &source, TiffRead, TiffWrite, TiffSeek,
                        TiffClose, TiffSize, TiffMap, TiffUnmap, open_options);
  TIFFOpenOptionsFree(open_options);
  if (raw == nullptr) {
    return core::InvalidArgument("unreadable TIFF: " + source.error);
  }
  TiffPtr tif(raw, TIFFClose);

  // Pages are the directories that are not reduced-resolution copies
  // (scanners store thumbnails as extra directories).
  std::vector<tdir_t> pages;
  int directories = 0;
  do {
    if (++directories > kMaxTiffDirectories) {
      return core::TooLarge("TIFF with more than " +
                            std::to_string(kMaxTiffDirectories) + " images");
    }
    uint32_t subfile = 0;
    TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SUBFILETYPE, &subfile);
    if (!(subfile & FILETYPE_REDUCEDIMAGE)) {
      pages.push_back(TIFFCurrentDirectory(tif.get()));
    }
  } while (TIFFReadDirectory(tif.get()));
  // A damaged directory after the first ends the page list; it is not the
  // page asked for, so its error is not this call's.
  source.error.clear();
  if (pages.empty()) return core::InvalidArgument("TIFF without a page");
  if (options.page < 0 || size_t(options.page) >= pages.size()) {
    return core::InvalidArgument("page " + std::to_string(options.page + 1) +
                                 " asked of a TIFF with " +
                                 std::to_string(pages.size()) + " page(s)");
  }
  if (!TIFFSetDirectory(tif.get(), pages[options.page])) {
    return core::InvalidArgument("unreadable TIFF page " +
                                 std::to_string(options.page + 1) + ": " +
                                 source.error);
  }

  uint32_t w = 0, h = 0;
  TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &h);
  if (w == 0 || h == 0) {
    return core::InvalidArgument("TIFF page without a width or height");
  }
  if (ExceedsPixels(w, h, options.max_pixels)) {
    return core::TooLarge(PixelLimitMessage(w, h, options.max_pixels));
  }
  uint16_t bps = 1, spp = 1, planar = PLANARCONFIG_CONTIG, photometric = 0;
  uint16_t orientation = ORIENTATION_TOPLEFT;
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_BITSPERSAMPLE, &bps);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SAMPLESPERPIXEL, &spp);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_ORIENTATION, &orientation);
  if (orientation < 1 || orientation > 8) orientation = ORIENTATION_TOPLEFT;
  const bool has_photometric =
      TIFFGetField(tif.get(), TIFFTAG_PHOTOMETRIC, &photometric);

  DecodedImage result;
  result.format = Format::kTiff;
  result.width = int(w);
  result.height = int(h);
  result.pages = int(pages.size());
  result.exif_orientation = orientation;
  GrayImage& img = result.image;
  img.width = int(w);
  img.height = int(h);
  img.pixels.assign(size_t(w) * h, 255);

  const bool gray = spp == 1 && (bps == 1 || bps == 8) &&
                    (photometric == PHOTOMETRIC_MINISBLACK ||
                     photometric == PHOTOMETRIC_MINISWHITE);
  const bool rgb = photometric == PHOTOMETRIC_RGB && bps == 8 && spp == 3 &&
                   planar == PLANARCONFIG_CONTIG;
  int rows = 0;
  if (has_photometric && (gray || rgb) && !TIFFIsTiled(tif.get())) {
    rows = ReadScanlines(tif.get(), photometric, bps, spp, img);
  } else {
    INVOICES_ASSIGN_OR_RETURN(rows, ReadRgba(tif.get(), orientation, img));
  }
  if (rows == 0) {
    return core::InvalidArgument("unreadable TIFF: " +
                                 (source.error.empty()
                                      ? std::string("no row could be decoded")
                                      : source.error));
  }
  INVOICES_RETURN_IF_ERROR(
      AcceptPartial("TIFF", rows, img.height, result.warnings));
  return result;
}

// ---- WebP ----------------------------------------------------------------

namespace {

std::string WebpStatusText(VP8StatusCode status) {
  switch (status) {
    case VP8_STATUS_OUT_OF_MEMORY:
      return "out of memory";
    case VP8_STATUS_INVALID_PARAM:
      return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR:
      return "bitstream error";
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      return "unsupported feature";
    case VP8_STATUS_NOT_ENOUGH_DATA:
      return "the file ends early";
    default:
      return "status " + std::to_string(int(status));
  }
}

}  // namespace

core::Result<DecodedImage> DecodeWebp(std::span<const uint8_t> bytes,
                                      const DecodeOptions& options) {
  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) {
    return core::Internal(
        "libwebp does not match the headers it was built "
        "with");
  }
  const VP8StatusCode header =
      WebPGetFeatures(bytes.data(), bytes.size(), &config.input);
  if (header != VP8_STATUS_OK) {
    return core::InvalidArgument("unreadable WebP: " + WebpStatusText(header));
  }
  const WebPBitstreamFeatures& features = config.input;
  if (features.has_animation) {
    return core::UnsupportedMediaType(
        "animated WebP is not supported; upload a still image");
  }
  const int w = features.width, h = features.height;
  if (ExceedsPixels(w, h, options.max_pixels)) {
    return core::TooLarge(PixelLimitMessage(w, h, options.max_pixels));
  }
  // libwebp scales while decoding, so a reduced page never exists at full
  // size in memory.
  const int factor = ReductionFactor(w, h, options.max_side);
  const int ow = std::max(1, w / factor), oh = std::max(1, h / factor);
  if (factor > 1) {
    config.options.use_scaling = 1;
    config.options.scaled_width = ow;
    config.options.scaled_height = oh;
  }
  const int channels = features.has_alpha ? 4 : 3;
  // White and opaque where a truncated file leaves rows undecoded.
  std::vector<uint8_t> rgb(size_t(ow) * oh * channels, 255);
  config.output.colorspace = features.has_alpha ? MODE_RGBA : MODE_RGB;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = rgb.data();
  config.output.u.RGBA.stride = ow * channels;
  config.output.u.RGBA.size = rgb.size();
  // The incremental decoder, fed the whole file, tells how many rows a
  // truncated file held.
  WebPIDecoder* decoder = WebPIDecode(nullptr, 0, &config);
  if (decoder == nullptr) {
    return core::Internal("the WebP decoder could not be created");
  }
  const VP8StatusCode status = WebPIUpdate(decoder, bytes.data(), bytes.size());
  int last_y = 0;
  if (WebPIDecGetRGB(decoder, &last_y, nullptr, nullptr, nullptr) == nullptr) {
    last_y = 0;
  }
  WebPIDelete(decoder);
  if (status != VP8_STATUS_OK && status != VP8_STATUS_SUSPENDED) {
    return core::InvalidArgument("unreadable WebP: " + WebpStatusText(status));
  }
  DecodedImage result;
  result.format = Format::kWebp;
  result.width = w;
  result.height = h;
  const int rows = status == VP8_STATUS_OK ? oh : std::clamp(last_y, 0, oh);
  if (rows == 0) {
    return core::InvalidArgument(
        "truncated WebP: the file ends before the first row");
  }
  INVOICES_RETURN_IF_ERROR(AcceptPartial("WebP", rows, oh, result.warnings));
  GrayImage& img = result.image;
  img.width = ow;
  img.height = oh;
  img.pixels.resize(size_t(ow) * oh);
  for (size_t i = 0; i < img.pixels.size(); ++i) {
    const uint8_t* p = &rgb[i * channels];
    img.pixels[i] = channels == 4 ? LumaOnWhite(p[0], p[1], p[2], p[3])
                                  : Luma(p[0], p[1], p[2]);
  }
  return result;
}

// ---- HEIC / HEIF ---------------------------------------------------------

namespace {

// heif_init is reference counted and registers the built-in codecs; it is
// called once for the process and never undone (no deinit at exit while
// another thread may still decode).
void HeifInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { (void)heif_init(nullptr); });
}

core::Status HeifStatus(const heif_error& error, std::string_view format,
                        std::string_view what) {
  if (error.code == heif_error_Ok) return {};
  std::string message =
      std::string(format) + " " + std::string(what) + ": " + error.message;
  switch (error.code) {
    case heif_error_Unsupported_filetype:
    case heif_error_Unsupported_feature:
      return core::UnsupportedMediaType(std::move(message));
    case heif_error_Memory_allocation_error:
      return core::TooLarge(std::move(message));
    default:
      return core::InvalidArgument(std::move(message));
  }
}

}  // namespace

core::Result<DecodedImage> DecodeHeif(std::span<const uint8_t> bytes,
                                      const DecodeOptions& options,
                                      Format format) {
  HeifInitOnce();
  const std::string_view name = format == Format::kAvif ? "AVIF" : "HEIF";
  // Debian's libheif decodes AV1 with dav1d or libaom; a build without
  // either would fail on every AVIF, so say why once, clearly.
  if (format == Format::kAvif &&
      !heif_have_decoder_for_format(heif_compression_AV1)) {
    return core::UnsupportedMediaType(
        "AVIF images are not read here: this build's libheif has no AV1 "
        "decoder (dav1d or libaom); upload JPEG, PNG or HEIC");
  }
  std::unique_ptr<heif_context, decltype(&heif_context_free)> context(
      heif_context_alloc(), heif_context_free);
  if (!context) return core::Internal("libheif: no context");
  INVOICES_RETURN_IF_ERROR(
      HeifStatus(heif_context_read_from_memory_without_copy(
                     context.get(), bytes.data(), bytes.size(), nullptr),
                 name, "unreadable"));
  heif_image_handle* raw_handle = nullptr;
  INVOICES_RETURN_IF_ERROR(HeifStatus(
      heif_context_get_primary_image_handle(context.get(), &raw_handle), name,
      "without a primary image"));
  std::unique_ptr<heif_image_handle, decltype(&heif_image_handle_release)>
      handle(raw_handle, heif_image_handle_release);
  // The size after the image's rotation and crop, from the ispe and irot
  // boxes: known before anything is decoded.
  const int w = heif_image_handle_get_width(handle.get());
  const int h = heif_image_handle_get_height(handle.get());
  if (w <= 0 || h <= 0) {
    return core::InvalidArgument(std::string(name) +
                                 " image without a width or height");
  }
  if (ExceedsPixels(w, h, options.max_pixels)) {
    return core::TooLarge(PixelLimitMessage(w, h, options.max_pixels));
  }
  std::unique_ptr<heif_decoding_options, decltype(&heif_decoding_options_free)>
      decoding(heif_decoding_options_alloc(), heif_decoding_options_free);
  // Transformations (irot, imir, clap) stay on: phone photos store the
  // sensor's orientation and the rotation that makes them upright.
  decoding->convert_hdr_to_8bit = 1;
  const bool alpha = heif_image_handle_has_alpha_channel(handle.get());
  heif_image* raw_image = nullptr;
  INVOICES_RETURN_IF_ERROR(HeifStatus(
      heif_decode_image(
          handle.get(), &raw_image, heif_colorspace_RGB,
          alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB,
          decoding.get()),
      name, "damaged"));
  std::unique_ptr<heif_image, decltype(&heif_image_release)> image(
      raw_image, heif_image_release);
  int stride = 0;
  const uint8_t* plane = heif_image_get_plane_readonly(
      image.get(), heif_channel_interleaved, &stride);
  const int iw = heif_image_get_width(image.get(), heif_channel_interleaved);
  const int ih = heif_image_get_height(image.get(), heif_channel_interleaved);
  if (plane == nullptr || iw <= 0 || ih <= 0) {
    return core::InvalidArgument(std::string(name) +
                                 " image decoded to nothing");
  }

  DecodedImage result;
  result.format = format;
  result.width = iw;
  result.height = ih;
  heif_error warning;
  if (heif_image_get_decoding_warnings(image.get(), 0, &warning, 1) > 0) {
    result.warnings.push_back(std::string(name) +
                              " decoded with a warning: " + warning.message);
  }
  GrayImage& img = result.image;
  img.width = iw;
  img.height = ih;
  img.pixels.resize(size_t(iw) * ih);
  const int channels = alpha ? 4 : 3;
  for (int y = 0; y < ih; ++y) {
    const uint8_t* row = plane + size_t(y) * stride;
    uint8_t* dst = &img.pixels[size_t(y) * iw];
    for (int x = 0; x < iw; ++x) {
      const uint8_t* p = row + size_t(x) * channels;
      dst[x] =
          alpha ? LumaOnWhite(p[0], p[1], p[2], p[3]) : Luma(p[0], p[1], p[2]);
    }
  }
  return result;
}

}  // namespace invoices::extract::internal
