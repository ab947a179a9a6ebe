#include "invoices/extract/image.h"

#include <gtest/gtest.h>
#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include <fstream>
#include <sstream>

namespace invoices::extract {
namespace {

using Bytes = std::vector<uint8_t>;

std::span<const uint8_t> Span(const Bytes& b) { return {b.data(), b.size()}; }

Bytes ReadDevReceipt(const std::string& name) {
  std::ifstream in(
      std::string(INVOICES_SHARED_DIR) + "/datasets/sroie-dev/images/" + name,
      std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  const std::string s = out.str();
  return Bytes(s.begin(), s.end());
}

// A gray gradient with a black square at the top-left corner, so that
// orientation can be checked by where the square ends up.
GrayImage Marked(int w, int h) {
  GrayImage img{w, h, std::vector<uint8_t>(size_t(w) * h)};
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      img.pixels[size_t(y) * w + x] = (x < w / 4 && y < h / 4) ? 0 : 230;
    }
  }
  return img;
}

Bytes EncodeJpeg(const GrayImage& img) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  unsigned char* out = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &out, &size);
  cinfo.image_width = img.width;
  cinfo.image_height = img.height;
  cinfo.input_components = 1;
  cinfo.in_color_space = JCS_GRAYSCALE;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 95, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(
        &img.pixels[size_t(cinfo.next_scanline) * img.width]);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  Bytes bytes(out, out + size);
  free(out);
  return bytes;
}

Bytes EncodePng(const std::vector<uint8_t>& pixels, int w, int h,
                png_uint_32 format) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = w;
  image.height = h;
  image.format = format;
  png_alloc_size_t size = 0;
  png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0,
                            nullptr);
  Bytes out(size);
  EXPECT_TRUE(png_image_write_to_memory(&image, out.data(), &size, 0,
                                        pixels.data(), 0, nullptr));
  out.resize(size);
  return out;
}

// Inserts an APP1 Exif segment with the given orientation after SOI.
Bytes WithExifOrientation(const Bytes& jpeg, uint16_t orientation) {
  const uint8_t tiff[] = {'M',
                          'M',
                          0,
                          42,
                          0,
                          0,
                          0,
                          8,  // header, IFD at 8
                          0,
                          1,  // one entry
                          0x01,
                          0x12,
                          0,
                          3,
                          0,
                          0,
                          0,
                          1,  // Orientation SHORT 1
                          uint8_t(orientation >> 8),
                          uint8_t(orientation),
                          0,
                          0,
                          0,
                          0,
                          0,
                          0};  // next IFD: none
  Bytes segment = {0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
  segment.insert(segment.end(), std::begin(tiff), std::end(tiff));
  const size_t len = segment.size() - 2;
  segment[2] = uint8_t(len >> 8);
  segment[3] = uint8_t(len);
  Bytes out(jpeg.begin(), jpeg.begin() + 2);
  out.insert(out.end(), segment.begin(), segment.end());
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

TEST(DetectFormatTest, ByContentNotName) {
  EXPECT_EQ(DetectFormat(Span(EncodeJpeg(Marked(8, 8)))), Format::kJpeg);
  const std::string png = "\x89PNG\r\n\x1A\n....";
  EXPECT_EQ(
      DetectFormat({reinterpret_cast<const uint8_t*>(png.data()), png.size()}),
      Format::kPng);
  auto detect = [](std::string s) {
    return DetectFormat({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  };
  EXPECT_EQ(detect("%PDF-1.7\n"), Format::kPdf);
  EXPECT_EQ(detect("GIF89a...."), Format::kGif);
  EXPECT_EQ(detect(std::string("II*\0", 4) + "...."), Format::kTiff);
  EXPECT_EQ(detect(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), Format::kWebp);
  EXPECT_EQ(detect(std::string("\0\0\0\x18", 4) + "ftypheic...."),
            Format::kHeif);
  EXPECT_EQ(detect("<?xml version=\"1.0\"?><Invoice/>"), Format::kXml);
  EXPECT_EQ(detect("hello, world"), Format::kUnknown);
}

TEST(DecodeImageTest, DecodesDevReceiptAtFullSize) {
  const Bytes jpeg = ReadDevReceipt("X00016469612.jpg");
  ASSERT_FALSE(jpeg.empty());
  auto d = DecodeImage(Span(jpeg));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->format, Format::kJpeg);
  EXPECT_EQ(d->width, 463);
  EXPECT_EQ(d->height, 1013);
  EXPECT_EQ(d->image.width, 463);
  EXPECT_DOUBLE_EQ(d->scale, 1.0);
  EXPECT_TRUE(d->warnings.empty());
}

TEST(DecodeImageTest, ReducesLargeScansWhileDecoding) {
  const Bytes jpeg = ReadDevReceipt("X51006414394.jpg");  // 4961 x 7016
  ASSERT_FALSE(jpeg.empty());
  DecodeOptions options;
  options.max_side = 3000;
  auto d = DecodeImage(Span(jpeg), options);
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->width, 4961);
  EXPECT_EQ(d->height, 7016);
  EXPECT_EQ(d->image.height, 3508);  // decoded at 1/2
  EXPECT_NEAR(d->scale, 0.5, 0.001);
}

TEST(DecodeImageTest, RefusesBeyondPixelLimitBeforeDecoding) {
  const Bytes jpeg = ReadDevReceipt("X51006414394.jpg");  // 34.8 MP
  DecodeOptions options;
  options.max_pixels = 10'000'000;
  auto d = DecodeImage(Span(jpeg), options);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code(), core::ErrorCode::kTooLarge);
  EXPECT_NE(d.error().message().find("4961 x 7016"), std::string::npos);
}

TEST(DecodeImageTest, RefusesJpegDeclaringHugeDimensions) {
  Bytes jpeg = EncodeJpeg(Marked(16, 16));
  // Patch the SOF0 frame header to declare 10000 x 10000.
  for (size_t i = 2; i + 9 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {
      jpeg[i + 5] = 10000 >> 8;
      jpeg[i + 6] = 10000 & 0xFF;
      jpeg[i + 7] = 10000 >> 8;
      jpeg[i + 8] = 10000 & 0xFF;
      break;
    }
  }
  auto d = DecodeImage(Span(jpeg));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code(), core::ErrorCode::kTooLarge);
}

TEST(DecodeImageTest, PngBombIsRefusedFromItsHeader) {
  // A valid PNG signature and IHDR declaring 100000 x 100000 pixels.
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  Bytes ihdr = {'I', 'H',  'D',  'R', 0, 1, 0x86, 0xA0, 0,
                1,   0x86, 0xA0, 8,   0, 0, 0,    0};
  const uint32_t crc = crc32(0, ihdr.data(), ihdr.size());
  png.insert(png.end(), {0, 0, 0, 13});
  png.insert(png.end(), ihdr.begin(), ihdr.end());
  png.insert(png.end(), {uint8_t(crc >> 24), uint8_t(crc >> 16),
                         uint8_t(crc >> 8), uint8_t(crc)});
  auto d = DecodeImage(Span(png));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code(), core::ErrorCode::kTooLarge);
}

// Found by tests/fuzz/image_fuzz.cpp: sides whose product overflows 64 bits
// (0xEFBBBF30 x 0xD66D3701 in the fuzzer's input) made the header check
// undefined behaviour; wrapped negative, the bomb passed it. Refused as
// too_large, with the sides and megapixels in the message.
TEST(DecodeImageTest, PngBombBeyond64BitsIsRefusedFromItsHeader) {
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  Bytes ihdr = {'I',  'H',  'D',  'R', 0xEF, 0xBB, 0xBF, 0x30, 0xD6,
                0x6D, 0x37, 0x01, 8,   0,    0,    0,    0};
  const uint32_t crc = crc32(0, ihdr.data(), ihdr.size());
  png.insert(png.end(), {0, 0, 0, 13});
  png.insert(png.end(), ihdr.begin(), ihdr.end());
  png.insert(png.end(), {uint8_t(crc >> 24), uint8_t(crc >> 16),
                         uint8_t(crc >> 8), uint8_t(crc)});
  auto d = DecodeImage(Span(png));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code(), core::ErrorCode::kTooLarge);
  EXPECT_NE(d.error().message().find("4022058800 x 3597481729"),
            std::string::npos)
      << d.error().message();
}

// Found by tests/fuzz/image_fuzz.cpp: an EXIF IFD offset near 2^32 wrapped
// around the bounds check (uint32_t arithmetic), and the orientation was read
// 4 GB past the file: a crafted upload crashed the server.
TEST(DecodeImageTest, ExifOffsetBeyondTheSegmentIsIgnored) {
  const Bytes jpeg = EncodeJpeg(Marked(16, 16));
  for (uint32_t offset : {0xFFFFFFFFu, 0xFFFFFFFEu, 0x80000000u, 27u}) {
    const uint8_t tiff[] = {'M',
                            'M',
                            0,
                            42,
                            uint8_t(offset >> 24),
                            uint8_t(offset >> 16),
                            uint8_t(offset >> 8),
                            uint8_t(offset),
                            0,
                            1,
                            0x01,
                            0x12,
                            0,
                            3,
                            0,
                            0,
                            0,
                            1,
                            0,
                            6,
                            0,
                            0};
    Bytes segment = {0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
    segment.insert(segment.end(), std::begin(tiff), std::end(tiff));
    segment[3] = uint8_t(segment.size() - 2);
    Bytes bytes(jpeg.begin(), jpeg.begin() + 2);
    bytes.insert(bytes.end(), segment.begin(), segment.end());
    bytes.insert(bytes.end(), jpeg.begin() + 2, jpeg.end());
    EXPECT_EQ(ReadExifOrientation(Span(bytes)), 1) << offset;
    auto d = DecodeImage(Span(bytes));
    ASSERT_TRUE(d) << d.error().ToString();
    EXPECT_EQ(d->exif_orientation, 1);
  }
}

// Found by tests/fuzz/image_fuzz.cpp (a TIFF 4 x 12940): reduced for
// max_side, a side shorter than the factor became 0, an empty page handed to
// OCR. It keeps one pixel.
TEST(DecodeImageTest, ThinStripReducedKeepsAPixelAcross) {
  const int w = 4, h = 4000;
  std::vector<uint8_t> pixels(size_t(w) * h, 200);
  for (int y = 0; y < h; ++y) pixels[size_t(y) * w] = 0;  // a dark edge
  const Bytes png = EncodePng(pixels, w, h, PNG_FORMAT_GRAY);
  DecodeOptions options;
  options.max_side = 256;  // factor 8
  auto d = DecodeImage(Span(png), options);
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->image.width, 1);
  EXPECT_EQ(d->image.height, h / 8);
  ASSERT_EQ(d->image.pixels.size(), size_t(h / 8));
  EXPECT_EQ(d->image.at(0, 0), 150);  // (0 + 3 * 200) / 4
}

TEST(DecodeImageTest, TruncatedJpeg) {
  const Bytes jpeg = ReadDevReceipt("X00016469612.jpg");
  // Cut in the middle of the image data: refused with a clear message.
  Bytes half(jpeg.begin(), jpeg.begin() + jpeg.size() / 2);
  auto d = DecodeImage(Span(half));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_NE(d.error().message().find("truncated"), std::string::npos);
  // Cut in the header: refused too.
  Bytes header(jpeg.begin(), jpeg.begin() + 100);
  EXPECT_FALSE(DecodeImage(Span(header)));
  // Only the last rows missing: read, with a warning.
  Bytes most(jpeg.begin(), jpeg.end() - 1500);
  auto m = DecodeImage(Span(most));
  ASSERT_TRUE(m) << m.error().ToString();
  ASSERT_EQ(m->warnings.size(), 1u);
  EXPECT_NE(m->warnings[0].find("truncated"), std::string::npos);
}

TEST(DecodeImageTest, RefusesWhatIsNotAnImage) {
  EXPECT_EQ(DecodeImage({}).error().code(), core::ErrorCode::kInvalidArgument);
  const std::string text = "this is not an image";
  auto d =
      DecodeImage({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code(), core::ErrorCode::kInvalidArgument);
  const std::string gif = "GIF89a\x01\0\x01\0\0\0\0";
  auto g =
      DecodeImage({reinterpret_cast<const uint8_t*>(gif.data()), gif.size()});
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), core::ErrorCode::kUnsupportedMediaType);
  // A JPEG signature followed by garbage.
  Bytes junk = {0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(DecodeImage(Span(junk)).error().code(),
            core::ErrorCode::kInvalidArgument);
}

TEST(DecodeImageTest, PngGrayAlphaIsCompositedOnWhite) {
  // 2 x 1: an opaque black pixel and a fully transparent black pixel.
  const std::vector<uint8_t> ga = {0, 255, 0, 0};
  auto d = DecodeImage(Span(EncodePng(ga, 2, 1, PNG_FORMAT_GA)));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->format, Format::kPng);
  EXPECT_EQ(d->image.at(0, 0), 0);
  EXPECT_EQ(d->image.at(1, 0), 255);
  // RGB converts to gray.
  const std::vector<uint8_t> rgb = {255, 255, 255, 0, 0, 0};
  auto c = DecodeImage(Span(EncodePng(rgb, 2, 1, PNG_FORMAT_RGB)));
  ASSERT_TRUE(c);
  EXPECT_GT(c->image.at(0, 0), 250);
  EXPECT_LT(c->image.at(1, 0), 5);
}

TEST(DecodeImageTest, TruncatedPngIsRefused) {
  GrayImage img = Marked(64, 64);
  Bytes png = EncodePng(img.pixels, 64, 64, PNG_FORMAT_GRAY);
  png.resize(png.size() / 2);
  auto d = DecodeImage(Span(png));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code(), core::ErrorCode::kInvalidArgument);
}

TEST(ExifTest, OrientationIsReadAndApplied) {
  const Bytes plain = EncodeJpeg(Marked(40, 20));
  EXPECT_EQ(ReadExifOrientation(Span(plain)), 1);
  const Bytes rotated = WithExifOrientation(plain, 6);
  EXPECT_EQ(ReadExifOrientation(Span(rotated)), 6);
  auto d = DecodeImage(Span(rotated));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->exif_orientation, 6);
  // Orientation 6: the camera was turned; the upright page is 20 x 40 and the
  // marked top-left corner moves to the top-right.
  EXPECT_EQ(d->width, 20);
  EXPECT_EQ(d->height, 40);
  EXPECT_EQ(d->image.width, 20);
  EXPECT_LT(d->image.at(18, 2), 60);
  EXPECT_GT(d->image.at(1, 2), 180);
}

TEST(ExifTest, AllEightOrientations) {
  // 3 x 2 image with distinct pixels: 0 1 2 / 3 4 5.
  GrayImage img{3, 2, {0, 1, 2, 3, 4, 5}};
  EXPECT_EQ(ApplyOrientation(img, 1).pixels, img.pixels);
  EXPECT_EQ(ApplyOrientation(img, 2).pixels,
            (std::vector<uint8_t>{2, 1, 0, 5, 4, 3}));
  EXPECT_EQ(ApplyOrientation(img, 3).pixels,
            (std::vector<uint8_t>{5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(ApplyOrientation(img, 4).pixels,
            (std::vector<uint8_t>{3, 4, 5, 0, 1, 2}));
  EXPECT_EQ(ApplyOrientation(img, 5).pixels,
            (std::vector<uint8_t>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(ApplyOrientation(img, 6).pixels,
            (std::vector<uint8_t>{3, 0, 4, 1, 5, 2}));
  EXPECT_EQ(ApplyOrientation(img, 7).pixels,
            (std::vector<uint8_t>{5, 2, 4, 1, 3, 0}));
  EXPECT_EQ(ApplyOrientation(img, 8).pixels,
            (std::vector<uint8_t>{2, 5, 1, 4, 0, 3}));
  EXPECT_EQ(ApplyOrientation(img, 6).width, 2);
}

TEST(ExifTest, MalformedExifIsIgnored) {
  Bytes jpeg = EncodeJpeg(Marked(8, 8));
  Bytes bad = {0xFF, 0xD8, 0xFF, 0xE1, 0, 10,  'E',
               'x',  'i',  'f',  0,    0, 'X', 'X'};
  bad.insert(bad.end(), jpeg.begin() + 2, jpeg.end());
  EXPECT_EQ(ReadExifOrientation(Span(bad)), 1);
}

}  // namespace
}  // namespace invoices::extract
