// The Tesseract engine: one TessBaseAPI, initialised once with the LSTM model
// and reused for every page (initialisation costs far more than a small page).
#include <dlfcn.h>
#include <leptonica/allheaders.h>
#include <omp.h>
#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "invoices/extract/ocr_engine.h"

namespace invoices::extract {
namespace {

// Set while this thread runs Tesseract's recognition, and the line images
// handed to its LSTM by reference meanwhile (see pixWriteMem below).
thread_local bool recognizing = false;
thread_local std::vector<PIX*> lines_handed;

// Marks this thread as recognising for its lifetime, and then releases the
// line images handed out, also when recognition throws (std::bad_alloc).
class RecognizingScope {
 public:
  RecognizingScope() { recognizing = true; }
  ~RecognizingScope() {
    recognizing = false;
    for (PIX* pix : lines_handed) pixDestroy(&pix);
    lines_handed.clear();
  }
  RecognizingScope(const RecognizingScope&) = delete;
  RecognizingScope& operator=(const RecognizingScope&) = delete;
};

class TesseractEngine final : public OcrEngine {
 public:
  explicit TesseractEngine(std::string language)
      : language_(std::move(language)) {}
  ~TesseractEngine() override { api_.End(); }

  core::Status Init(const OcrOptions& options) {
    const char* data_path =
        options.data_path.empty() ? nullptr : options.data_path.c_str();
    // Settings go to Init as well as to SetVariable below: some (which
    // dictionaries to load) only take effect while the model loads.
    std::vector<std::string> names, values;
    for (const auto& [name, value] : options.settings) {
      names.push_back(name);
      values.push_back(value);
    }
    if (api_.Init(data_path, language_.c_str(), tesseract::OEM_LSTM_ONLY,
                  nullptr, 0, &names, &values, false) != 0) {
      return core::Unavailable("cannot load the OCR language data for \"" +
                               language_ + "\" (install tesseract-ocr-" +
                               language_ + " or set --lang)");
    }
    // Tesseract's and Leptonica's chatter ("Estimating resolution...", "Error
    // in boxClipToRectangle") is not ours to print: failures come back as
    // results. Leptonica's setting is process-wide and idempotent.
    api_.SetVariable("debug_file", "/dev/null");
    setMsgSeverity(L_SEVERITY_NONE);
    // Tesseract reads each line of low confidence a second time inverted,
    // looking for white text on a dark band. Receipts and invoices print
    // their values dark on light; on the 100 dev receipts turning it off
    // read the same fields with 7% less OCR time (docs/BENCHMARKS.md).
    // A setting below (--ocr-setting) may turn it on again.
    api_.SetVariable("tessedit_do_invert", "0");
    for (const auto& [name, value] : options.settings) {
      if (!api_.SetVariable(name.c_str(), value.c_str())) {
        return core::InvalidArgument("unknown OCR setting \"" + name + "\"");
      }
    }
    return {};
  }

  using OcrEngine::Recognize;
  core::Result<OcrPage> Recognize(const GrayImage& image,
                                  const RecognizeOptions& options) override {
    if (image.width <= 0 || image.height <= 0) {
      return core::InvalidArgument("empty image");
    }
    switch (options.layout) {
      case Layout::kAuto:
        api_.SetPageSegMode(tesseract::PSM_AUTO);
        break;
      case Layout::kBlock:
        api_.SetPageSegMode(tesseract::PSM_SINGLE_BLOCK);
        break;
      case Layout::kSparse:
        api_.SetPageSegMode(tesseract::PSM_SPARSE_TEXT);
        break;
      case Layout::kLine:
        api_.SetPageSegMode(tesseract::PSM_SINGLE_LINE);
        break;
    }
    // Set for every call: an empty list allows every character again.
    api_.SetVariable("tessedit_char_whitelist", options.allowed_chars.c_str());
    // Parallelism is one document per worker, each with its own engine.
    // Tesseract's OpenMP teams inside a page fight the other workers for the
    // cores and spin while they wait: measured on a 2-core machine, 2.0 s of
    // OCR for a small receipt with teams against 0.19 s without. Some of its
    // loops name their own thread count, which omp_set_num_threads does not
    // override; no active parallel levels does. The setting is per thread,
    // so it is made on the thread that recognises. (The regions Debian's
    // build opens do not even reach libgomp: see GOMP_parallel below; this
    // covers a build that opens others.)
    omp_set_max_active_levels(0);
    api_.SetImage(image.pixels.data(), image.width, image.height, 1,
                  image.width);
    // No source resolution is set: Tesseract estimates it from the text
    // height, which suits photos and scans alike. Measured on the 100 dev
    // receipts, a fixed 300 or 70 dpi read no more totals and slightly fewer
    // dates and addresses (docs/BENCHMARKS.md).
    const int failed = [&] {
      RecognizingScope scope;
      return api_.Recognize(nullptr);
    }();
    if (failed != 0) {
      api_.Clear();
      return core::Internal("OCR failed on the page");
    }
    OcrPage page;
    page.width = image.width;
    page.height = image.height;
    std::unique_ptr<tesseract::ResultIterator> it(api_.GetIterator());
    int block = 0, paragraph = 0, line = 0;
    if (it != nullptr) {
      do {
        if (it->Empty(tesseract::RIL_WORD)) continue;
        if (it->IsAtBeginningOf(tesseract::RIL_BLOCK)) ++block;
        if (it->IsAtBeginningOf(tesseract::RIL_PARA)) ++paragraph;
        if (it->IsAtBeginningOf(tesseract::RIL_TEXTLINE) ||
            page.lines.empty()) {
          ++line;
          page.lines.emplace_back();
          int x0, y0, x1, y1;
          if (it->BoundingBox(tesseract::RIL_TEXTLINE, &x0, &y0, &x1, &y1)) {
            page.lines.back().box = {x0, y0, x1, y1};
          }
        }
        std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
        if (!text || text[0] == '\0') continue;
        OcrWord word;
        word.text = text.get();
        int x0, y0, x1, y1;
        it->BoundingBox(tesseract::RIL_WORD, &x0, &y0, &x1, &y1);
        word.box = {x0, y0, x1, y1};
        word.confidence = it->Confidence(tesseract::RIL_WORD) / 100.0f;
        word.block = block;
        word.paragraph = paragraph;
        word.line = line;
        page.lines.back().words.push_back(std::move(word));
      } while (it->Next(tesseract::RIL_WORD));
    }
    api_.Clear();
    std::erase_if(page.lines, [](const OcrLine& l) { return l.words.empty(); });
    return page;
  }

  const std::string& language() const override { return language_; }

  std::vector<std::string> InstalledLanguages() const override {
    std::vector<std::string> out;
    // Lists the data directory Init found; no model is loaded.
    api_.GetAvailableLanguagesAsVector(&out);
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::string language_;
  tesseract::TessBaseAPI api_;
};

}  // namespace

core::Result<std::unique_ptr<OcrEngine>> NewTesseractEngine(
    const OcrOptions& options) {
  auto engine = std::make_unique<TesseractEngine>(options.language);
  INVOICES_RETURN_IF_ERROR(engine->Init(options));
  return std::unique_ptr<OcrEngine>(std::move(engine));
}

}  // namespace invoices::extract

// Costs of Debian's Tesseract build that are not recognition, removed by
// defining here functions the Tesseract library calls: the dynamic linker
// takes an executable's definition before a library's (docs/BENCHMARKS.md
// has the measurements). A Tesseract whose functions differ in name or
// signature calls its own again: nothing breaks, the time comes back.
namespace {
// The library's own definition of `name`, for the calls passed through.
template <typename Fn>
Fn Next(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}
}  // namespace

// 1. Tesseract hands every text line to its LSTM as an image encoded to PNG
//    (pixWriteMem) and decodes it again right away (pixReadMem): zlib and
//    libpng were 9% of the time, 4% with the PNG stored uncompressed. During
//    recognition the image goes by reference instead: pixWriteMem returns a
//    small token naming a clone of it, and pixReadMem of that token the
//    clone; Recognize releases the clones when the page is read. Any other
//    bytes, and every call outside recognition, go to Leptonica.
namespace {
struct LineToken {
  char magic[8];
  PIX* pix;
};
constexpr char kLineTokenMagic[8] = {'\x89', 'I', 'N', 'V', 'L', 'I', 'N', 'E'};
}  // namespace

extern "C" l_ok pixWriteMem(l_uint8** data, size_t* size, PIX* pix,
                            l_int32 format) {
  static const auto real =
      Next<l_ok (*)(l_uint8**, size_t*, PIX*, l_int32)>("pixWriteMem");
  if (format != IFF_PNG || !invoices::extract::recognizing || pix == nullptr ||
      data == nullptr || size == nullptr) {
    return real(data, size, pix, format);
  }
  // Freed by the caller with lept_free, which is free.
  auto* token = static_cast<LineToken*>(std::malloc(sizeof(LineToken)));
  if (token == nullptr) return real(data, size, pix, format);
  std::memcpy(token->magic, kLineTokenMagic, sizeof token->magic);
  token->pix = pixClone(pix);
  invoices::extract::lines_handed.push_back(token->pix);
  *data = reinterpret_cast<l_uint8*>(token);
  *size = sizeof(LineToken);
  return 0;
}

extern "C" PIX* pixReadMem(const l_uint8* data, size_t size) {
  static const auto real = Next<PIX* (*)(const l_uint8*, size_t)>("pixReadMem");
  if (invoices::extract::recognizing && data != nullptr &&
      size == sizeof(LineToken) &&
      std::memcmp(data, kLineTokenMagic, sizeof kLineTokenMagic) == 0) {
    LineToken token;
    std::memcpy(&token, data, sizeof token);
    const auto& handed = invoices::extract::lines_handed;
    if (std::find(handed.begin(), handed.end(), token.pix) != handed.end()) {
      return pixClone(token.pix);
    }
  }
  return real(data, size);
}

// 2. Loading a model sorts the legacy engine's "universal ambiguities" (which
//    letter groups the old classifier confuses) into lists one insertion at a
//    time: half of the 80 ms an engine took to start. The LSTM engine, the
//    only one used here (OEM_LSTM_ONLY), never consults them; recognition
//    reads the dev receipts byte for byte the same without them.
namespace tesseract {
class UnicharAmbigs {
 public:
  void LoadUniversal(const UNICHARSET& encoder_set, UNICHARSET* unicharset);
};
}  // namespace tesseract

namespace invoices::extract::internal {
std::atomic<int> universal_ambigs_skipped{0};
}  // namespace invoices::extract::internal

void tesseract::UnicharAmbigs::LoadUniversal(const UNICHARSET&, UNICHARSET*) {
  ++invoices::extract::internal::universal_ambigs_skipped;
}

// 3. Tesseract's LSTM opens an OpenMP parallel region ("parallel sections",
//    one section a gate) for every time step of every line. Parallelism here
//    is one document per worker, so the regions run on one thread
//    (omp_set_max_active_levels in Recognize), yet each still builds a team and
//    wakes its barrier with a futex system call: 10% of the time. A region is
//    run here on the calling thread, its sections one after the other, as a
//    team of one runs them, by libgomp's documented ABI: the compiler's
//    outlined region asks GOMP_sections_next for section numbers 1..count
//    until it gets 0, then calls GOMP_sections_end_nowait.
namespace {
struct SerialSections {
  bool active = false;
  unsigned next = 0, count = 0;
};
thread_local SerialSections serial_sections;
}  // namespace

extern "C" void GOMP_parallel(void (*fn)(void*), void* data,
                              unsigned /*num_threads*/, unsigned /*flags*/) {
  // A region inside a section is no part of that section's numbering.
  const SerialSections outer = serial_sections;
  serial_sections = {};
  fn(data);
  serial_sections = outer;
}

extern "C" void GOMP_parallel_sections(void (*fn)(void*), void* data,
                                       unsigned /*num_threads*/, unsigned count,
                                       unsigned /*flags*/) {
  const SerialSections outer = serial_sections;
  serial_sections = {true, 0, count};
  fn(data);
  serial_sections = outer;
}

extern "C" unsigned GOMP_sections_next() {
  if (serial_sections.active) {
    return serial_sections.next < serial_sections.count ? ++serial_sections.next
                                                        : 0;
  }
  static const auto real = Next<unsigned (*)()>("GOMP_sections_next");
  return real();
}

extern "C" void GOMP_sections_end_nowait() {
  if (serial_sections.active) return;
  static const auto real = Next<void (*)()>("GOMP_sections_end_nowait");
  real();
}
