// Per-page times of the phone-photo steps for docs/BENCHMARKS.md (issue 8):
// decoding an A4 page at 300 dpi as HEIC and as AVIF (both written here by
// libheif, quality 90), and straightening a receipt photographed at an
// angle (FindPaper, FindPaperQuad, Warp) at the sizes OCR reads.
//
//   photo_bench [--rounds N] SCAN.jpg RECEIPT.jpg
//
// SCAN is any large scan (reduced to 2479 x 3508); RECEIPT a flat receipt
// scan, mapped onto a dark table in perspective as the unit tests do
// (PerspectiveTest). Prints the median of N rounds (default 7) per step.
#include <libheif/heif.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "invoices/extract/image.h"
#include "invoices/extract/preprocess.h"
#include "invoices/extract/rules.h"
#include "invoices/extract/scanner.h"

namespace {

using invoices::extract::GrayImage;
using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;

heif_error Append(heif_context*, const void* data, size_t size, void* user) {
  auto* out = static_cast<Bytes*>(user);
  const auto* p = static_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + size);
  return {heif_error_Ok, heif_suberror_Unspecified, "ok"};
}

// `img` as HEIF with `compression` inside; empty without an encoder.
Bytes EncodeHeif(const GrayImage& img, heif_compression_format compression) {
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
  heif_context_encode_image(ctx, image, encoder, nullptr, nullptr);
  Bytes out;
  heif_writer writer{1, Append};
  heif_context_write(ctx, &writer, &out);
  heif_image_release(image);
  heif_encoder_release(encoder);
  heif_context_free(ctx);
  return out;
}

template <class F>
double MedianMs(int rounds, F&& f) {
  std::vector<double> ms;
  for (int i = 0; i < rounds; ++i) {
    const auto start = Clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

GrayImage Load(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  const std::string s = bytes.str();
  auto d = invoices::extract::DecodeImage(
      {reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  if (!d) {
    std::fprintf(stderr, "photo_bench: %s: %s\n", path,
                 d.error().ToString().c_str());
    std::exit(1);
  }
  return d->image;
}

// `paper` mapped onto `where` on a dark table of w x h (nearest pixel: the
// photo is what is timed, not its making).
GrayImage Photograph(const GrayImage& paper,
                     const invoices::extract::Quad& where, int w, int h) {
  using invoices::extract::PointF;
  const auto to_photo =
      *invoices::extract::RectangleToQuad(where, paper.width, paper.height);
  const auto& m = to_photo.m;
  const double a = m[4] * m[8] - m[5] * m[7], b = m[5] * m[6] - m[3] * m[8],
               c = m[3] * m[7] - m[4] * m[6];
  const double det = m[0] * a + m[1] * b + m[2] * c;
  invoices::extract::Homography to_paper;
  to_paper.m = {a / det,
                (m[2] * m[7] - m[1] * m[8]) / det,
                (m[1] * m[5] - m[2] * m[4]) / det,
                b / det,
                (m[0] * m[8] - m[2] * m[6]) / det,
                (m[2] * m[3] - m[0] * m[5]) / det,
                c / det,
                (m[1] * m[6] - m[0] * m[7]) / det,
                (m[0] * m[4] - m[1] * m[3]) / det};
  GrayImage photo{w, h, std::vector<uint8_t>(size_t(w) * h, 50)};
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const PointF p = to_paper.Apply({x + 0.5, y + 0.5});
      if (p.x >= 0 && p.y >= 0 && p.x < paper.width && p.y < paper.height) {
        photo.pixels[size_t(y) * w + x] = paper.at(int(p.x), int(p.y));
      }
    }
  }
  return photo;
}

}  // namespace

int main(int argc, char** argv) {
  namespace ex = invoices::extract;
  int rounds = 7;
  std::vector<const char*> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else {
      files.push_back(argv[i]);
    }
  }
  if (files.size() != 2) {
    std::fprintf(stderr,
                 "usage: photo_bench [--rounds N] SCAN.jpg RECEIPT.jpg\n");
    return 2;
  }
  heif_init(nullptr);

  const GrayImage a4 = ex::Resize(Load(files[0]), 2479, 3508);
  std::printf("| step | image | median ms |\n| --- | --- | --- |\n");
  for (const auto& [name, compression] :
       {std::pair{"HEIC decode", heif_compression_HEVC},
        std::pair{"AVIF decode", heif_compression_AV1}}) {
    const Bytes file = EncodeHeif(a4, compression);
    if (file.empty()) {
      std::printf("| %s | no encoder in this libheif | - |\n", name);
      continue;
    }
    const double ms = MedianMs(rounds, [&] {
      if (!ex::DecodeImage({file.data(), file.size()})) std::exit(1);
    });
    std::printf("| %s | 2479 x 3508, %zu kB | %.1f |\n", name,
                file.size() / 1024, ms);
  }

  // A small receipt scan enlarged to the size OCR reads (the scanner's
  // bilinear Resize), and a large scan reduced (its box filter).
  {
    const GrayImage receipt = Load(files[1]);
    const double f = 2200.0 / std::min(receipt.width, receipt.height);
    const int w = int(receipt.width * f), h = int(receipt.height * f);
    const double up =
        MedianMs(rounds, [&] { (void)ex::Resize(receipt, w, h); });
    std::printf("| Resize (enlarge) | %d x %d to %d x %d | %.1f |\n",
                receipt.width, receipt.height, w, h, up);
    const double down = MedianMs(
        rounds, [&] { (void)ex::Resize(a4, a4.width / 2, a4.height / 2); });
    std::printf("| Resize (reduce) | %d x %d to %d x %d | %.1f |\n", a4.width,
                a4.height, a4.width / 2, a4.height / 2, down);
  }

  // Per-page passes over every pixel before OCR: Otsu's threshold (its
  // histogram), the ruled lines erased and the background flattened, on the
  // A4 scan.
  {
    const double otsu = MedianMs(rounds, [&] { (void)ex::OtsuThreshold(a4); });
    std::printf("| OtsuThreshold | %d x %d | %.1f |\n", a4.width, a4.height,
                otsu);
    const double rules = MedianMs(rounds, [&] {
      GrayImage copy = a4;
      (void)ex::RemoveRules(copy, {});
    });
    std::printf("| RemoveRules (with a copy of the page) | %d x %d | %.1f |\n",
                a4.width, a4.height, rules);
    const double flat =
        MedianMs(rounds, [&] { (void)ex::FlattenBackground(a4); });
    std::printf("| FlattenBackground | %d x %d | %.1f |\n", a4.width, a4.height,
                flat);
  }

  const ex::Quad tilted = {
      {{{430, 170}, {1010, 250}, {1150, 1480}, {250, 1390}}}};
  const GrayImage photo = Photograph(Load(files[1]), tilted, 1400, 1600);
  for (int longer : {2200, 3500}) {
    const double f = double(longer) / std::max(photo.width, photo.height);
    const GrayImage img =
        ex::Resize(photo, int(photo.width * f), int(photo.height * f));
    const double paper = MedianMs(rounds, [&] { (void)ex::FindPaper(img); });
    std::optional<ex::Quad> quad;
    const double detect =
        MedianMs(rounds, [&] { quad = ex::FindPaperQuad(img); });
    if (!quad) {
      std::printf("| FindPaperQuad | %d x %d | no sheet found |\n", img.width,
                  img.height);
      continue;
    }
    const auto [w, h] = ex::StraightenedSize(*quad);
    const auto to_image = *ex::RectangleToQuad(*quad, w, h);
    const double warp =
        MedianMs(rounds, [&] { (void)ex::Warp(img, to_image, w, h); });
    std::printf("| FindPaper | %d x %d | %.1f |\n", img.width, img.height,
                paper);
    std::printf("| FindPaperQuad | %d x %d | %.1f |\n", img.width, img.height,
                detect);
    std::printf("| Warp | %d x %d to %d x %d | %.1f |\n", img.width, img.height,
                w, h, warp);
  }
  return 0;
}
