// The OCR seam: an engine turns a grayscale page into words with boxes and
// confidences. The real engine is Tesseract (NewTesseractEngine); a canned
// engine (NewCannedEngine) returns a fixed page for tests. Engines are
// expensive to create (they load language models) and are not thread-safe:
// one engine serves one thread at a time, see EnginePool.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "invoices/core/error.h"
#include "invoices/core/extraction.h"
#include "invoices/extract/image.h"

namespace invoices::extract {

// One recognised word. Boxes are in pixels of the image given to the engine;
// the pipeline maps them back to the page as uploaded.
struct OcrWord {
  std::string text;  // UTF-8
  core::BBox box;
  float confidence = 0;                    // 0..1
  int block = 0, paragraph = 0, line = 0;  // reading-order ids, page-unique
};

// One line of text: words in reading order, left to right.
struct OcrLine {
  std::vector<OcrWord> words;
  core::BBox box;
  std::string Text() const;  // words joined by single spaces
  float MeanConfidence() const;
  // The median height of its words, at least 1 (the line's box may take in
  // a rule or a stain above or below, or grow with a slant).
  int WordHeight() const;
};

struct OcrPage {
  int width = 0, height = 0;   // of the image the boxes refer to
  std::vector<OcrLine> lines;  // in reading order
  std::string Text() const;    // lines joined by '\n'
  // How well the page was read: the mean word confidence weighted by the
  // letters and digits of each word (0 for a page with none).
  double Quality() const;
  // The letters and digits recognised.
  size_t Characters() const;
};

// How the engine splits an image into blocks and lines.
enum class Layout {
  kAuto,    // finds columns, blocks and pictures (documents, invoices)
  kBlock,   // one column of lines (a receipt; a page that kAuto misreads)
  kSparse,  // as much text as it finds, in no particular order
  kLine,    // one line of text (a crop around a value, read again)
};

// "auto", "block", "sparse", "line"; nullopt for any other name.
std::optional<Layout> LayoutFromName(std::string_view name);

struct OcrOptions {
  std::string language = "eng";  // Tesseract style: "eng+deu"
  // Directory holding the traineddata files; empty for the system default.
  std::string data_path;
  // Further engine settings by name (Tesseract parameters), for experiments.
  std::vector<std::pair<std::string, std::string>> settings;
};

// What one recognition call asks for.
struct RecognizeOptions {
  Layout layout = Layout::kAuto;
  // When not empty, only these characters are recognised ("0123456789.,"
  // to read an amount again).
  std::string allowed_chars;
};

class OcrEngine {
 public:
  virtual ~OcrEngine() = default;
  // Recognises `image` (8-bit gray). Fails with unavailable when the engine
  // cannot run, internal on an engine failure.
  virtual core::Result<OcrPage> Recognize(const GrayImage& image,
                                          const RecognizeOptions& options) = 0;
  core::Result<OcrPage> Recognize(const GrayImage& image) {
    return Recognize(image, RecognizeOptions{});
  }
  // The language(s) this engine reads, Tesseract style.
  virtual const std::string& language() const = 0;
  // The languages an engine could be made for where this one found its
  // data (Tesseract: the traineddata files of its data directory, "osd"
  // included), sorted; empty when the engine cannot tell.
  virtual std::vector<std::string> InstalledLanguages() const { return {}; }
};

// A Tesseract engine with the LSTM model for `options.language`. Fails with
// unavailable when the language data is missing.
core::Result<std::unique_ptr<OcrEngine>> NewTesseractEngine(
    const OcrOptions& options);

// An engine that returns `page` for any image (boxes scaled to the image's
// size when `page` has a size), for tests of everything above OCR.
std::unique_ptr<OcrEngine> NewCannedEngine(OcrPage page,
                                           std::string language = "eng");

// Builds an OcrPage from plain text, one OcrLine per text line, with
// synthetic boxes (each line 20 px high, each character 10 px wide) and the
// given confidence. For tests and for text layers that carry no geometry.
OcrPage PageFromText(const std::string& text, float confidence = 0.9f);

}  // namespace invoices::extract
