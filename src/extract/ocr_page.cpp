#include <algorithm>
#include <cctype>
#include <sstream>

#include "invoices/extract/ocr_engine.h"

namespace invoices::extract {

std::string OcrLine::Text() const {
  std::string out;
  for (const OcrWord& w : words) {
    if (!out.empty()) out += ' ';
    out += w.text;
  }
  return out;
}

int OcrLine::WordHeight() const {
  std::vector<int> heights;
  for (const OcrWord& w : words) heights.push_back(w.box.y1 - w.box.y0);
  if (heights.empty()) return 1;
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2,
                   heights.end());
  return std::max(1, heights[heights.size() / 2]);
}

float OcrLine::MeanConfidence() const {
  if (words.empty()) return 0;
  float sum = 0;
  for (const OcrWord& w : words) sum += w.confidence;
  return sum / words.size();
}

std::string OcrPage::Text() const {
  std::string out;
  for (const OcrLine& line : lines) {
    if (!out.empty()) out += '\n';
    out += line.Text();
  }
  return out;
}

double OcrPage::Quality() const {
  double weighted = 0;
  size_t chars = 0;
  for (const OcrLine& line : lines) {
    for (const OcrWord& w : line.words) {
      const size_t n = std::count_if(
          w.text.begin(), w.text.end(),
          [](unsigned char c) { return std::isalnum(c) || c >= 0x80; });
      weighted += double(w.confidence) * n;
      chars += n;
    }
  }
  return chars == 0 ? 0 : weighted / chars;
}

size_t OcrPage::Characters() const {
  size_t chars = 0;
  for (const OcrLine& line : lines) {
    for (const OcrWord& w : line.words) {
      chars += std::count_if(w.text.begin(), w.text.end(), [](unsigned char c) {
        return std::isalnum(c) || c >= 0x80;
      });
    }
  }
  return chars;
}

std::optional<Layout> LayoutFromName(std::string_view name) {
  if (name == "auto") return Layout::kAuto;
  if (name == "block") return Layout::kBlock;
  if (name == "sparse") return Layout::kSparse;
  if (name == "line") return Layout::kLine;
  return std::nullopt;
}

OcrPage PageFromText(const std::string& text, float confidence) {
  constexpr int kLineHeight = 20, kCharWidth = 10;
  OcrPage page;
  std::istringstream in(text);
  std::string row;
  int y = 0, line_no = 0;
  while (std::getline(in, row)) {
    OcrLine line;
    int x = 0;
    size_t pos = 0;
    while (pos < row.size()) {
      const size_t start = row.find_first_not_of(' ', pos);
      if (start == std::string::npos) break;
      size_t end = row.find(' ', start);
      if (end == std::string::npos) end = row.size();
      x = static_cast<int>(start) * kCharWidth;
      OcrWord w;
      w.text = row.substr(start, end - start);
      w.box = {x, y, x + static_cast<int>(end - start) * kCharWidth,
               y + kLineHeight - 4};
      w.confidence = confidence;
      w.line = line_no;
      line.words.push_back(std::move(w));
      pos = end;
    }
    if (!line.words.empty()) {
      line.box = {line.words.front().box.x0, y, line.words.back().box.x1,
                  y + kLineHeight - 4};
      page.lines.push_back(std::move(line));
      page.width = std::max(page.width, page.lines.back().box.x1);
    }
    y += kLineHeight;
    ++line_no;
  }
  page.height = y;
  return page;
}

namespace {

class CannedEngine final : public OcrEngine {
 public:
  CannedEngine(OcrPage page, std::string language)
      : page_(std::move(page)), language_(std::move(language)) {}

  using OcrEngine::Recognize;
  core::Result<OcrPage> Recognize(const GrayImage& image,
                                  const RecognizeOptions&) override {
    OcrPage out = page_;
    if (page_.width > 0 && page_.height > 0 && image.width > 0) {
      const double sx = double(image.width) / page_.width;
      const double sy = double(image.height) / page_.height;
      auto scale = [&](core::BBox& b) {
        b = {int(b.x0 * sx), int(b.y0 * sy), int(b.x1 * sx), int(b.y1 * sy)};
      };
      for (OcrLine& line : out.lines) {
        scale(line.box);
        for (OcrWord& w : line.words) scale(w.box);
      }
      out.width = image.width;
      out.height = image.height;
    }
    return out;
  }
  const std::string& language() const override { return language_; }

 private:
  OcrPage page_;
  std::string language_;
};

}  // namespace

std::unique_ptr<OcrEngine> NewCannedEngine(OcrPage page, std::string language) {
  return std::make_unique<CannedEngine>(std::move(page), std::move(language));
}

}  // namespace invoices::extract
