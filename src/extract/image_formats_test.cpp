// TIFF, WebP, HEIC/HEIF and AVIF through DecodeImage, on files the libraries'
// own encoders write in the test.
#include <gtest/gtest.h>
#include <libheif/heif.h>
#include <sys/resource.h>
#include <tiffio.h>
#include <unistd.h>
#include <webp/encode.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "invoices/extract/image.h"
#include "invoices/extract/scanner.h"

namespace invoices::extract {
namespace {

using Bytes = std::vector<uint8_t>;

std::span<const uint8_t> Span(const Bytes& b) { return {b.data(), b.size()}; }

// A light page with a black square in its top-left quarter, so that
// orientation shows by where the square ends up; `shade` tells pages apart.
GrayImage Marked(int w, int h, uint8_t shade = 230) {
  GrayImage img{w, h, std::vector<uint8_t>(size_t(w) * h)};
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      img.pixels[size_t(y) * w + x] = (x < w / 4 && y < h / 4) ? 0 : shade;
    }
  }
  return img;
}

// Every value 0..255 somewhere, so that a lossless round trip is checked on
// more than two levels.
GrayImage Ramp(int w, int h) {
  GrayImage img{w, h, std::vector<uint8_t>(size_t(w) * h)};
  for (size_t i = 0; i < img.pixels.size(); ++i) {
    img.pixels[i] = uint8_t((i * 7 + i / w) & 0xFF);
  }
  return img;
}

double MeanIn(const GrayImage& img, int x0, int y0, int x1, int y1) {
  double sum = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) sum += img.at(x, y);
  }
  return sum / (double(x1 - x0) * (y1 - y0));
}

// Where the black square is: the mean of each quadrant's inner half.
struct Quadrants {
  double tl, tr, bl, br;
};
Quadrants QuadrantMeans(const GrayImage& img) {
  const int w = img.width, h = img.height;
  auto inner = [&](int qx, int qy) {
    // The middle of the outer quarter cell in each corner.
    const int cx = qx == 0 ? w / 8 : w - w / 8,
              cy = qy == 0 ? h / 8 : h - h / 8;
    return MeanIn(img, cx - w / 16, cy - h / 16, cx + w / 16, cy + h / 16);
  };
  return {inner(0, 0), inner(1, 0), inner(0, 1), inner(1, 1)};
}

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  const std::string s = out.str();
  return Bytes(s.begin(), s.end());
}

// Caps this process's address space at what it uses now plus `headroom`,
// so that a decoder that did allocate a bomb's pixels would fail loudly
// (bad_alloc) instead of going unnoticed or taking the machine's memory.
class AddressSpaceCap {
 public:
  explicit AddressSpaceCap(int64_t headroom) {
    getrlimit(RLIMIT_AS, &saved_);
    std::ifstream statm("/proc/self/statm");
    int64_t pages = 0;
    statm >> pages;
    rlimit cap = saved_;
    cap.rlim_cur = rlim_t(pages * 4096 + headroom);
    setrlimit(RLIMIT_AS, &cap);
  }
  ~AddressSpaceCap() { setrlimit(RLIMIT_AS, &saved_); }

 private:
  rlimit saved_;
};

// ---- TIFF ----------------------------------------------------------------

enum class TiffKind {
  kGray8,      // 8-bit gray, LZW, strips: the row-by-row path
  kBilevelG4,  // 1-bit min-is-white, CCITT G4: a fax
  kRgbTiled,   // 8-bit RGB in 16 x 16 tiles: libtiff's RGBA path
  kPalette,    // 8-bit palette: the RGBA path
  kGrayRaw,    // 8-bit gray, uncompressed, 4 rows a strip (for truncation)
};

struct TiffPage {
  GrayImage image;
  TiffKind kind = TiffKind::kGray8;
  uint16_t orientation = ORIENTATION_TOPLEFT;
  bool thumbnail = false;  // a reduced-resolution copy, not a page
};

void WriteTiffPage(TIFF* tif, const TiffPage& page) {
  const GrayImage& img = page.image;
  const int w = img.width, h = img.height;
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, uint32_t(w));
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, uint32_t(h));
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_ORIENTATION, page.orientation);
  if (page.thumbnail) {
    TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_REDUCEDIMAGE);
  }
  switch (page.kind) {
    case TiffKind::kGray8:
    case TiffKind::kGrayRaw: {
      const bool raw = page.kind == TiffKind::kGrayRaw;
      TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
      TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
      TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
      TIFFSetField(tif, TIFFTAG_COMPRESSION,
                   raw ? COMPRESSION_NONE : COMPRESSION_LZW);
      TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, raw ? 4 : 16);
      for (int y = 0; y < h; ++y) {
        TIFFWriteScanline(tif, const_cast<uint8_t*>(&img.pixels[size_t(y) * w]),
                          y, 0);
      }
      break;
    }
    case TiffKind::kBilevelG4: {
      TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 1);
      TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
      TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
      TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
      TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, uint32_t(h));
      std::vector<uint8_t> row((w + 7) / 8);
      for (int y = 0; y < h; ++y) {
        std::fill(row.begin(), row.end(), 0);
        for (int x = 0; x < w; ++x) {
          if (img.at(x, y) < 128) row[x >> 3] |= 0x80 >> (x & 7);  // 1 = ink
        }
        TIFFWriteScanline(tif, row.data(), y, 0);
      }
      break;
    }
    case TiffKind::kRgbTiled: {
      TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
      TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 3);
      TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
      TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
      TIFFSetField(tif, TIFFTAG_TILEWIDTH, 16);
      TIFFSetField(tif, TIFFTAG_TILELENGTH, 16);
      std::vector<uint8_t> tile(16 * 16 * 3);
      for (int ty = 0; ty < h; ty += 16) {
        for (int tx = 0; tx < w; tx += 16) {
          for (int y = 0; y < 16; ++y) {
            for (int x = 0; x < 16; ++x) {
              const uint8_t v = (tx + x < w && ty + y < h)
                                    ? img.at(tx + x, ty + y)
                                    : uint8_t(255);
              uint8_t* p = &tile[(y * 16 + x) * 3];
              p[0] = p[1] = p[2] = v;
            }
          }
          TIFFWriteTile(tif, tile.data(), tx, ty, 0, 0);
        }
      }
      break;
    }
    case TiffKind::kPalette: {
      TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
      TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
      TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_PALETTE);
      TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_PACKBITS);
      TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 8);
      // Index i is gray 255 - i: the indices are not the gray levels, so a
      // decoder that skipped the palette would read an inverted page.
      std::vector<uint16_t> map(256);
      for (int i = 0; i < 256; ++i) map[i] = uint16_t((255 - i) * 257);
      TIFFSetField(tif, TIFFTAG_COLORMAP, map.data(), map.data(), map.data());
      std::vector<uint8_t> row(w);
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) row[x] = uint8_t(255 - img.at(x, y));
        TIFFWriteScanline(tif, row.data(), y, 0);
      }
      break;
    }
  }
  TIFFWriteDirectory(tif);
}

Bytes EncodeTiff(const std::vector<TiffPage>& pages) {
  // One file per process: ctest runs the tests of this file in parallel.
  const std::string path = ::testing::TempDir() + "image_formats_test." +
                           std::to_string(::getpid()) + ".tif";
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  EXPECT_NE(tif, nullptr);
  for (const TiffPage& page : pages) WriteTiffPage(tif, page);
  TIFFClose(tif);
  Bytes bytes = ReadFile(path);
  std::remove(path.c_str());
  return bytes;
}

Bytes EncodeTiff(const GrayImage& img, TiffKind kind) {
  return EncodeTiff({TiffPage{img, kind}});
}

TEST(ImageFormatTiffTest, Gray8RoundTripsExactly) {
  const GrayImage img = Ramp(67, 45);
  const Bytes tiff = EncodeTiff(img, TiffKind::kGray8);
  EXPECT_EQ(DetectFormat(Span(tiff)), Format::kTiff);
  auto d = DecodeImage(Span(tiff));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->format, Format::kTiff);
  EXPECT_EQ(d->pages, 1);
  EXPECT_EQ(d->width, 67);
  EXPECT_EQ(d->height, 45);
  EXPECT_EQ(d->image.pixels, img.pixels);
  EXPECT_TRUE(d->warnings.empty());
}

TEST(ImageFormatTiffTest, G4FaxDecodesToBlackAndWhite) {
  const GrayImage img = Marked(203, 97, 255);  // an odd width: padding bits
  auto d = DecodeImage(Span(EncodeTiff(img, TiffKind::kBilevelG4)));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->image.pixels, img.pixels);
}

TEST(ImageFormatTiffTest, TiledRgbAndPaletteGoThroughRgba) {
  const GrayImage img = Ramp(50, 37);  // partial tiles at the edges
  for (TiffKind kind : {TiffKind::kRgbTiled, TiffKind::kPalette}) {
    auto d = DecodeImage(Span(EncodeTiff(img, kind)));
    ASSERT_TRUE(d) << d.error().ToString();
    ASSERT_EQ(d->image.width, 50);
    ASSERT_EQ(d->image.height, 37);
    // Gray in, gray out: r = g = b, and the weights sum to one.
    EXPECT_EQ(d->image.pixels, img.pixels) << int(kind);
  }
}

TEST(ImageFormatTiffTest, PagesAreCountedAndDecodedOneAtATime) {
  // Two pages told apart by their shade, with a thumbnail between them that
  // is no page.
  const Bytes tiff =
      EncodeTiff({TiffPage{Marked(80, 60, 200)},
                  TiffPage{Marked(20, 15, 90), TiffKind::kGray8,
                           ORIENTATION_TOPLEFT, true},
                  TiffPage{Marked(64, 64, 150), TiffKind::kBilevelG4}});
  auto first = DecodeImage(Span(tiff));
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->pages, 2);
  EXPECT_EQ(first->image.width, 80);
  EXPECT_EQ(first->image.at(79, 59), 200);

  DecodeOptions second_page;
  second_page.page = 1;
  auto second = DecodeImage(Span(tiff), second_page);
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->pages, 2);
  EXPECT_EQ(second->image.width, 64);
  // G4 of a 150 gray page: the light part is paper (white), the square ink.
  EXPECT_EQ(second->image.at(63, 63), 255);
  EXPECT_EQ(second->image.at(0, 0), 0);

  DecodeOptions third_page;
  third_page.page = 2;
  auto third = DecodeImage(Span(tiff), third_page);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_NE(third.error().message().find("2 page"), std::string::npos)
      << third.error().message();
}

TEST(ImageFormatTiffTest, OrientationTagIsApplied) {
  // Stored sideways with orientation 6 (rotate 90 clockwise to view): the
  // square stored top-left is top-right on the upright page.
  for (TiffKind kind : {TiffKind::kGray8, TiffKind::kRgbTiled}) {
    const Bytes tiff =
        EncodeTiff({TiffPage{Marked(80, 40), kind, ORIENTATION_RIGHTTOP}});
    auto d = DecodeImage(Span(tiff));
    ASSERT_TRUE(d) << d.error().ToString();
    EXPECT_EQ(d->exif_orientation, 6);
    EXPECT_EQ(d->width, 40);
    EXPECT_EQ(d->height, 80);
    ASSERT_EQ(d->image.width, 40);
    const Quadrants q = QuadrantMeans(d->image);
    EXPECT_LT(q.tr, 10) << int(kind);
    EXPECT_GT(q.tl, 200) << int(kind);
    EXPECT_GT(q.bl, 200) << int(kind);
  }
}

TEST(ImageFormatTiffTest, MaxSideReducesAfterDecoding) {
  DecodeOptions options;
  options.max_side = 100;
  auto d = DecodeImage(Span(EncodeTiff(Marked(400, 200), TiffKind::kGray8)),
                       options);
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->image.width, 100);
  EXPECT_EQ(d->image.height, 50);
  EXPECT_EQ(d->width, 400);
  EXPECT_DOUBLE_EQ(d->scale, 0.25);
}

// A TIFF whose one directory declares 100000 x 100000 8-bit gray pixels
// (10 GB; or `w` x `h`) in one uncompressed strip, with eight bytes of data.
Bytes TiffBomb(uint32_t w = 100000, uint32_t h = 100000) {
  Bytes b = {'I', 'I', 42, 0, 8, 0, 0, 0};
  struct Entry {
    uint16_t tag, type;
    uint32_t count, value;
  };
  const std::vector<Entry> entries = {
      {256, 4, 1, w},       // ImageWidth
      {257, 4, 1, h},       // ImageLength
      {258, 3, 1, 8},       // BitsPerSample
      {259, 3, 1, 1},       // Compression: none
      {262, 3, 1, 1},       // Photometric: min-is-black
      {273, 4, 1, 0},       // StripOffsets (patched below)
      {277, 3, 1, 1},       // SamplesPerPixel
      {278, 4, 1, 100000},  // RowsPerStrip
      {279, 4, 1, 8},       // StripByteCounts
  };
  auto put16 = [&](uint16_t v) {
    b.push_back(v & 0xFF);
    b.push_back(v >> 8);
  };
  auto put32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back((v >> (8 * i)) & 0xFF);
  };
  put16(uint16_t(entries.size()));
  const uint32_t data = uint32_t(8 + 2 + entries.size() * 12 + 4);
  for (const Entry& e : entries) {
    put16(e.tag);
    put16(e.type);
    put32(e.count);
    put32(e.tag == 273 ? data : e.value);
  }
  put32(0);  // no next directory
  for (int i = 0; i < 8; ++i) b.push_back(0x80);
  return b;
}

TEST(ImageFormatTiffTest, BombIsRefusedFromItsHeaderWithoutAllocating) {
  const Bytes bomb = TiffBomb();
  AddressSpaceCap cap(int64_t(1) << 30);  // 10 GB of pixels cannot happen
  auto d = DecodeImage(Span(bomb));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code(), core::ErrorCode::kTooLarge);
  EXPECT_NE(d.error().message().find("100000 x 100000"), std::string::npos)
      << d.error().message();
}

// The product of two 32-bit sides can overflow 64 bits: the check must not
// (found by tests/fuzz/image_fuzz.cpp in the PNG header check; TIFF's sides
// are 32-bit too).
TEST(ImageFormatTiffTest, BombBeyond64BitsIsRefusedFromItsHeader) {
  const Bytes bomb = TiffBomb(0xF0000000u, 0xF0000000u);
  AddressSpaceCap cap(int64_t(1) << 30);
  auto d = DecodeImage(Span(bomb));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code(), core::ErrorCode::kTooLarge)
      << d.error().ToString();
}

TEST(ImageFormatTiffTest, TruncatedFileIsReadWithAWarningOrRefused) {
  const GrayImage img = Marked(100, 200);
  const Bytes tiff = EncodeTiff(img, TiffKind::kGrayRaw);
  // libtiff writes the strips before the directory, so cutting the file
  // would take the directory; a file whose last strips lie beyond its end
  // is what an upload cut short looks like when the directory comes first.
  auto patched = [&](int missing_strips) {
    Bytes b = tiff;
    // Find StripOffsets (tag 273, type LONG) in the directory.
    const uint32_t ifd = b[4] | b[5] << 8 | b[6] << 16 | uint32_t(b[7]) << 24;
    const int n = b[ifd] | b[ifd + 1] << 8;
    for (int i = 0; i < n; ++i) {
      const size_t e = ifd + 2 + size_t(i) * 12;
      if ((b[e] | b[e + 1] << 8) != 273) continue;
      const uint32_t count = b[e + 4] | b[e + 5] << 8 | b[e + 6] << 16;
      const uint32_t at = b[e + 8] | b[e + 9] << 8 | b[e + 10] << 16;
      for (uint32_t s = count - missing_strips; s < count; ++s) {
        const size_t p = at + s * 4;
        const uint32_t beyond = uint32_t(b.size() + 1000);
        for (int k = 0; k < 4; ++k) b[p + k] = (beyond >> (8 * k)) & 0xFF;
      }
    }
    return b;
  };
  // 200 rows in 50 strips of 4: 2 strips missing = 4% of the page.
  auto most = DecodeImage(Span(patched(2)));
  ASSERT_TRUE(most) << most.error().ToString();
  ASSERT_EQ(most->warnings.size(), 1u);
  EXPECT_NE(most->warnings[0].find("truncated TIFF"), std::string::npos);
  EXPECT_EQ(most->image.at(0, 0), 0);       // the square is there
  EXPECT_EQ(most->image.at(50, 195), 255);  // the missing rows are paper
  EXPECT_EQ(most->image.at(50, 191), 230);  // the last row present
  // 25 strips missing: half the page.
  auto half = DecodeImage(Span(patched(25)));
  ASSERT_FALSE(half);
  EXPECT_EQ(half.error().code(), core::ErrorCode::kInvalidArgument);
  // A file cut inside its header.
  Bytes head(tiff.begin(), tiff.begin() + 6);
  auto h = DecodeImage(Span(head));
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().code(), core::ErrorCode::kInvalidArgument);
}

TEST(ImageFormatTiffTest, DamagedTiffIsInvalid) {
  Bytes junk = {'I', 'I', 42, 0, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3, 4};
  auto d = DecodeImage(Span(junk));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code(), core::ErrorCode::kInvalidArgument);
}

// ---- WebP ----------------------------------------------------------------

std::vector<uint8_t> ToRgb(const GrayImage& img) {
  std::vector<uint8_t> rgb(img.pixels.size() * 3);
  for (size_t i = 0; i < img.pixels.size(); ++i) {
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = img.pixels[i];
  }
  return rgb;
}

Bytes EncodeWebp(const GrayImage& img, bool lossless) {
  const std::vector<uint8_t> rgb = ToRgb(img);
  uint8_t* out = nullptr;
  const size_t size =
      lossless ? WebPEncodeLosslessRGB(rgb.data(), img.width, img.height,
                                       img.width * 3, &out)
               : WebPEncodeRGB(rgb.data(), img.width, img.height, img.width * 3,
                               90, &out);
  EXPECT_GT(size, 0u);
  Bytes bytes(out, out + size);
  WebPFree(out);
  return bytes;
}

TEST(ImageFormatWebpTest, LosslessRoundTripsExactly) {
  const GrayImage img = Ramp(73, 41);
  const Bytes webp = EncodeWebp(img, true);
  EXPECT_EQ(DetectFormat(Span(webp)), Format::kWebp);
  auto d = DecodeImage(Span(webp));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->format, Format::kWebp);
  EXPECT_EQ(d->width, 73);
  EXPECT_EQ(d->height, 41);
  EXPECT_EQ(d->image.pixels, img.pixels);
}

TEST(ImageFormatWebpTest, LossyDecodesCloseToTheOriginal) {
  const GrayImage img = Marked(160, 120);
  auto d = DecodeImage(Span(EncodeWebp(img, false)));
  ASSERT_TRUE(d) << d.error().ToString();
  ASSERT_EQ(d->image.width, 160);
  double diff = 0;
  for (size_t i = 0; i < img.pixels.size(); ++i) {
    diff += std::abs(int(d->image.pixels[i]) - int(img.pixels[i]));
  }
  EXPECT_LT(diff / img.pixels.size(), 3.0);
  const Quadrants q = QuadrantMeans(d->image);
  EXPECT_LT(q.tl, 10);
  EXPECT_NEAR(q.br, 230, 5);
}

TEST(ImageFormatWebpTest, AlphaIsCompositedOnWhite) {
  // 2 x 1: an opaque black pixel and a fully transparent black one.
  const uint8_t rgba[] = {0, 0, 0, 255, 0, 0, 0, 0};
  uint8_t* out = nullptr;
  const size_t size = WebPEncodeLosslessRGBA(rgba, 2, 1, 8, &out);
  ASSERT_GT(size, 0u);
  const Bytes webp(out, out + size);
  WebPFree(out);
  auto d = DecodeImage(Span(webp));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->image.at(0, 0), 0);
  EXPECT_EQ(d->image.at(1, 0), 255);
}

TEST(ImageFormatWebpTest, MaxSideScalesWhileDecoding) {
  DecodeOptions options;
  options.max_side = 200;
  auto d = DecodeImage(Span(EncodeWebp(Marked(800, 600), true)), options);
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->image.width, 200);
  EXPECT_EQ(d->image.height, 150);
  EXPECT_EQ(d->width, 800);
  EXPECT_DOUBLE_EQ(d->scale, 0.25);
  EXPECT_LT(QuadrantMeans(d->image).tl, 10);
}

TEST(ImageFormatWebpTest, BombIsRefusedFromItsHeaderWithoutAllocating) {
  // A real lossless WebP whose VP8L header is patched to 16384 x 16384
  // (268 megapixels, 1 GB as RGBA).
  Bytes webp = EncodeWebp(Marked(8, 8), true);
  ASSERT_EQ(std::string(webp.begin() + 12, webp.begin() + 16), "VP8L");
  ASSERT_EQ(webp[20], 0x2F);
  uint32_t bits =
      webp[21] | webp[22] << 8 | webp[23] << 16 | uint32_t(webp[24]) << 24;
  bits = (bits & ~((1u << 28) - 1)) | 16383u | 16383u << 14;
  for (int k = 0; k < 4; ++k) webp[21 + k] = (bits >> (8 * k)) & 0xFF;
  AddressSpaceCap cap(int64_t(512) << 20);
  auto d = DecodeImage(Span(webp));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code(), core::ErrorCode::kTooLarge);
  EXPECT_NE(d.error().message().find("16384 x 16384"), std::string::npos)
      << d.error().message();
}

TEST(ImageFormatWebpTest, TruncatedFileIsReadWithAWarningOrRefused) {
  // Noise compresses poorly, so that the pixel data is most of the file.
  GrayImage img{120, 200, std::vector<uint8_t>(120 * 200)};
  uint32_t seed = 1;
  for (uint8_t& p : img.pixels) {
    seed = seed * 1103515245 + 12345;
    p = uint8_t(seed >> 24);
  }
  for (bool lossless : {true, false}) {
    const Bytes webp = EncodeWebp(img, lossless);
    const Bytes half(webp.begin(), webp.begin() + webp.size() / 2);
    auto h = DecodeImage(Span(half));
    ASSERT_FALSE(h) << lossless;
    EXPECT_EQ(h.error().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_NE(h.error().message().find("truncated WebP"), std::string::npos)
        << h.error().message();
    // The last 2% of the bytes: the last rows are missing, a warning.
    const Bytes most(webp.begin(), webp.end() - webp.size() / 50);
    auto m = DecodeImage(Span(most));
    ASSERT_TRUE(m) << m.error().ToString();
    ASSERT_EQ(m->warnings.size(), 1u) << lossless;
    EXPECT_NE(m->warnings[0].find("truncated WebP"), std::string::npos);
    EXPECT_EQ(m->image.height, 200);
    EXPECT_EQ(m->image.at(60, 199), 255);  // missing rows read as paper
  }
}

// ---- HEIC ----------------------------------------------------------------

heif_error WriteToBytes(heif_context*, const void* data, size_t size,
                        void* user) {
  auto* out = static_cast<Bytes*>(user);
  const auto* p = static_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + size);
  return {heif_error_Ok, heif_suberror_Unspecified, "ok"};
}

// HEIF of a gray image, HEVC (x265: HEIC) or AV1 (libaom: AVIF) inside,
// rotated for display by `orientation` through the irot/imir boxes libheif
// writes. Empty when this libheif has no encoder for the compression.
Bytes EncodeHeif(const GrayImage& img, heif_compression_format compression,
                 heif_orientation orientation = heif_orientation_normal) {
  if (!heif_have_encoder_for_format(compression)) return {};
  heif_context* ctx = heif_context_alloc();
  heif_encoder* encoder = nullptr;
  heif_context_get_encoder_for_format(ctx, compression, &encoder);
  heif_encoder_set_lossy_quality(encoder, 90);
  heif_image* image = nullptr;
  heif_image_create(img.width, img.height, heif_colorspace_RGB,
                    heif_chroma_interleaved_RGB, &image);
  heif_image_add_plane(image, heif_channel_interleaved, img.width, img.height,
                       8);
  int stride = 0;
  uint8_t* plane =
      heif_image_get_plane(image, heif_channel_interleaved, &stride);
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      uint8_t* p = plane + size_t(y) * stride + x * 3;
      p[0] = p[1] = p[2] = img.at(x, y);
    }
  }
  heif_encoding_options* options = heif_encoding_options_alloc();
  options->image_orientation = orientation;
  heif_error err =
      heif_context_encode_image(ctx, image, encoder, options, nullptr);
  EXPECT_EQ(err.code, heif_error_Ok) << err.message;
  Bytes out;
  heif_writer writer{1, WriteToBytes};
  heif_context_write(ctx, &writer, &out);
  heif_encoding_options_free(options);
  heif_image_release(image);
  heif_encoder_release(encoder);
  heif_context_free(ctx);
  return out;
}

Bytes EncodeHeic(const GrayImage& img,
                 heif_orientation orientation = heif_orientation_normal) {
  return EncodeHeif(img, heif_compression_HEVC, orientation);
}

TEST(ImageFormatHeifTest, HeicDecodesCloseToTheOriginal) {
  const GrayImage img = Marked(128, 96);
  const Bytes heic = EncodeHeic(img);
  if (heic.empty()) GTEST_SKIP() << "this libheif has no HEVC encoder";
  EXPECT_EQ(DetectFormat(Span(heic)), Format::kHeif);
  auto d = DecodeImage(Span(heic));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->format, Format::kHeif);
  ASSERT_EQ(d->image.width, 128);
  ASSERT_EQ(d->image.height, 96);
  double diff = 0;
  for (size_t i = 0; i < img.pixels.size(); ++i) {
    diff += std::abs(int(d->image.pixels[i]) - int(img.pixels[i]));
  }
  EXPECT_LT(diff / img.pixels.size(), 4.0);
  const Quadrants q = QuadrantMeans(d->image);
  EXPECT_LT(q.tl, 12);
  EXPECT_NEAR(q.br, 230, 6);
}

TEST(ImageFormatHeifTest, RotationBoxesAreApplied) {
  const Bytes heic = EncodeHeic(Marked(128, 64), heif_orientation_rotate_90_cw);
  if (heic.empty()) GTEST_SKIP() << "this libheif has no HEVC encoder";
  auto d = DecodeImage(Span(heic));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->exif_orientation, 1);  // nothing left for DecodeImage to do
  EXPECT_EQ(d->width, 64);
  EXPECT_EQ(d->height, 128);
  ASSERT_EQ(d->image.width, 64);
  const Quadrants q = QuadrantMeans(d->image);
  EXPECT_LT(q.tr, 12);
  EXPECT_GT(q.tl, 200);
  EXPECT_GT(q.br, 200);
}

TEST(ImageFormatHeifTest, BombIsRefusedFromItsHeaderWithoutAllocating) {
  const Bytes heic = EncodeHeic(Marked(64, 64));
  if (heic.empty()) GTEST_SKIP() << "this libheif has no HEVC encoder";
  // The ispe box (size, "ispe", version and flags, width, height) declares
  // the size. 20000 x 20000 passes libheif's own limit (32768 a side) and
  // meets max_pixels; 100000 x 100000 meets libheif's limit first.
  const std::string_view s(reinterpret_cast<const char*>(heic.data()),
                           heic.size());
  const size_t at = s.find("ispe");
  ASSERT_NE(at, std::string_view::npos);
  for (uint32_t side : {20000u, 100000u}) {
    Bytes bomb = heic;
    for (size_t field : {at + 8, at + 12}) {
      for (int k = 0; k < 4; ++k) {
        bomb[field + k] = (side >> (8 * (3 - k))) & 0xFF;
      }
    }
    AddressSpaceCap cap(int64_t(1) << 30);
    auto d = DecodeImage(Span(bomb));
    ASSERT_FALSE(d) << side;
    EXPECT_EQ(d.error().code(), core::ErrorCode::kTooLarge)
        << d.error().message();
    EXPECT_NE(d.error().message().find(side == 20000 ? "20000 x 20000"
                                                     : "100000x100000"),
              std::string::npos)
        << d.error().message();
  }
}

TEST(ImageFormatHeifTest, TruncatedOrDamagedHeicIsInvalid) {
  const Bytes heic = EncodeHeic(Marked(64, 64));
  if (heic.empty()) GTEST_SKIP() << "this libheif has no HEVC encoder";
  for (size_t keep : {heic.size() / 2, heic.size() - 10, size_t(40)}) {
    const Bytes cut(heic.begin(), heic.begin() + keep);
    auto d = DecodeImage(Span(cut));
    ASSERT_FALSE(d) << keep;
    EXPECT_EQ(d.error().code(), core::ErrorCode::kInvalidArgument)
        << d.error().message();
  }
}

// ---- AVIF ----------------------------------------------------------------

Bytes EncodeAvif(const GrayImage& img,
                 heif_orientation orientation = heif_orientation_normal) {
  return EncodeHeif(img, heif_compression_AV1, orientation);
}

// An ISO base media file's leading ftyp box: major brand, minor version 0,
// compatible brands.
Bytes Ftyp(std::string_view major, std::vector<std::string_view> compatible) {
  const size_t size = 16 + 4 * compatible.size();
  Bytes b = {0, 0, 0, uint8_t(size), 'f', 't', 'y', 'p'};
  b.insert(b.end(), major.begin(), major.end());
  b.insert(b.end(), 4, 0);
  for (std::string_view c : compatible) b.insert(b.end(), c.begin(), c.end());
  b.resize(b.size() + 64, 0);  // what follows: a meta box
  return b;
}

TEST(ImageFormatAvifTest, DetectedByItsBrands) {
  EXPECT_EQ(DetectFormat(Span(Ftyp("avif", {"mif1", "miaf"}))), Format::kAvif);
  EXPECT_EQ(DetectFormat(Span(Ftyp("avis", {"msf1"}))), Format::kAvif);
  // The generic image brand: the codec brand among the compatible ones.
  EXPECT_EQ(DetectFormat(Span(Ftyp("mif1", {"mif1", "miaf", "avif"}))),
            Format::kAvif);
  EXPECT_EQ(DetectFormat(Span(Ftyp("mif1", {"avif", "heic"}))), Format::kHeif);
  EXPECT_EQ(DetectFormat(Span(Ftyp("mif1", {"miaf"}))), Format::kHeif);
  EXPECT_EQ(DetectFormat(Span(Ftyp("heic", {"mif1", "heic"}))), Format::kHeif);
  // An MP4 video is no image, whatever it lists.
  EXPECT_EQ(DetectFormat(Span(Ftyp("isom", {"avif", "mp41"}))),
            Format::kUnknown);
  EXPECT_EQ(MimeType(Format::kAvif), "image/avif");
}

TEST(ImageFormatAvifTest, AvifDecodesCloseToTheOriginal) {
  const GrayImage img = Marked(128, 96);
  const Bytes avif = EncodeAvif(img);
  if (avif.empty()) GTEST_SKIP() << "this libheif has no AV1 encoder";
  EXPECT_EQ(DetectFormat(Span(avif)), Format::kAvif);
  ASSERT_TRUE(heif_have_decoder_for_format(heif_compression_AV1))
      << "Debian's libheif decodes AV1 with dav1d and libaom";
  auto d = DecodeImage(Span(avif));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->format, Format::kAvif);
  ASSERT_EQ(d->image.width, 128);
  ASSERT_EQ(d->image.height, 96);
  double diff = 0;
  for (size_t i = 0; i < img.pixels.size(); ++i) {
    diff += std::abs(int(d->image.pixels[i]) - int(img.pixels[i]));
  }
  EXPECT_LT(diff / img.pixels.size(), 4.0);
  const Quadrants q = QuadrantMeans(d->image);
  EXPECT_LT(q.tl, 12);
  EXPECT_NEAR(q.br, 230, 6);
}

TEST(ImageFormatAvifTest, RotationBoxesAreApplied) {
  const Bytes avif = EncodeAvif(Marked(128, 64), heif_orientation_rotate_90_cw);
  if (avif.empty()) GTEST_SKIP() << "this libheif has no AV1 encoder";
  auto d = DecodeImage(Span(avif));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->width, 64);
  EXPECT_EQ(d->height, 128);
  const Quadrants q = QuadrantMeans(d->image);
  EXPECT_LT(q.tr, 12);
  EXPECT_GT(q.tl, 200);
}

TEST(ImageFormatAvifTest, TruncatedOrDamagedAvifIsInvalid) {
  const Bytes avif = EncodeAvif(Marked(64, 64));
  if (avif.empty()) GTEST_SKIP() << "this libheif has no AV1 encoder";
  for (size_t keep : {avif.size() / 2, avif.size() - 10, size_t(40)}) {
    const Bytes cut(avif.begin(), avif.begin() + keep);
    auto d = DecodeImage(Span(cut));
    ASSERT_FALSE(d) << keep;
    EXPECT_EQ(d.error().code(), core::ErrorCode::kInvalidArgument)
        << d.error().message();
    EXPECT_NE(d.error().message().find("AVIF"), std::string::npos)
        << d.error().message();
  }
}

// A receipt photographed on an Android phone, saved as AVIF, read by the
// real engine.
TEST(ImageFormatAvifTest, AnAvifReceiptIsRead) {
  std::ifstream in(std::string(INVOICES_SHARED_DIR) +
                       "/datasets/sroie-dev/images/X00016469612.jpg",
                   std::ios::binary);
  std::ostringstream jpeg;
  jpeg << in.rdbuf();
  const std::string j = jpeg.str();
  auto receipt =
      DecodeImage({reinterpret_cast<const uint8_t*>(j.data()), j.size()});
  ASSERT_TRUE(receipt);
  const Bytes avif = EncodeAvif(receipt->image);
  if (avif.empty()) GTEST_SKIP() << "this libheif has no AV1 encoder";
  auto pool = EnginePool::Create(
      1, [] { return NewTesseractEngine({.language = "eng"}); });
  ASSERT_TRUE(pool) << pool.error().ToString();
  const Scanner scanner(**pool, {});
  auto r = scanner.Scan(Span(avif), "receipt.avif", "image/avif");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->document.mime, "image/avif");
  EXPECT_EQ(r->document.width, 463);
  EXPECT_TRUE(r->warnings.empty()) << r->warnings.front();
  EXPECT_EQ(r->fields["total"].value, "9.00") << r->text;
  EXPECT_EQ(r->fields["invoice_date"].value, "2018-12-25") << r->text;
}

TEST(ImageFormatTest, OnlyTiffHasMorePages) {
  DecodeOptions options;
  options.page = 1;
  auto d = DecodeImage(Span(EncodeWebp(Marked(8, 8), true)), options);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code(), core::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace invoices::extract
