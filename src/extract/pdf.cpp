// PDF through poppler's C++ interface (poppler-cpp): text layers with word
// boxes, rendering with Splash, embedded files. poppler-cpp returns null or
// empty values rather than throwing; its diagnostics go through one
// process-wide callback, which this file points at the calling thread's
// collector (poppler reports synchronously, on the thread that called it).
#include "invoices/extract/pdf.h"

#include <poppler-document.h>
#include <poppler-embedded-file.h>
#include <poppler-global.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstring>
#include <mutex>
#include <new>

#include "invoices/core/strings.h"

namespace invoices::extract {
namespace {

// ---- poppler's messages --------------------------------------------------

thread_local std::vector<std::string>* t_messages = nullptr;

void CollectMessage(const std::string& message, void*) {
  // Damaged files make poppler report every object it repairs; the first
  // few say what is wrong.
  if (t_messages != nullptr && t_messages->size() < 4) {
    std::string m = message;
    while (!m.empty() && std::isspace(static_cast<unsigned char>(m.back()))) {
      m.pop_back();
    }
    if (t_messages->empty() || t_messages->back() != m) {
      t_messages->push_back(std::move(m));
    }
  }
}

// Collects poppler's messages on this thread while alive; without a
// collector they are dropped.
class PopplerMessages {
 public:
  PopplerMessages() : previous_(t_messages) {
    static std::once_flag once;
    std::call_once(once, [] {
      poppler::set_debug_error_function(CollectMessage, nullptr);
    });
    t_messages = &messages_;
  }
  ~PopplerMessages() { t_messages = previous_; }
  PopplerMessages(const PopplerMessages&) = delete;
  PopplerMessages& operator=(const PopplerMessages&) = delete;

  // ": first message; second message", or "" when poppler said nothing.
  std::string Suffix() const {
    std::string out;
    for (const std::string& m : messages_)
      out += (out.empty() ? ": " : "; ") + m;
    return out;
  }

 private:
  std::vector<std::string> messages_;
  std::vector<std::string>* previous_;
};

std::string Utf8(const poppler::ustring& s) {
  const poppler::byte_array bytes = s.to_utf8();
  return std::string(bytes.data(), bytes.size());
}

std::string Megabytes(int64_t bytes) {
  return std::to_string((bytes + 512 * 1024) / (1024 * 1024)) + " MB";
}

// ---- lines from words ----------------------------------------------------

// A gap between two words wider than this many text heights separates
// columns (two address blocks side by side, a label far from its value).
// OCR reads those as separate lines, and the field extractor expects that:
// it looks for a value's label on the line to its left.
constexpr double kColumnGap = 4.0;

int Height(const core::BBox& b) { return std::max(1, b.y1 - b.y0); }

core::BBox Union(const core::BBox& a, const core::BBox& b) {
  return {std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1),
          std::max(a.y1, b.y1)};
}

// Vertical overlap as a share of the lower of the two heights.
double VerticalOverlap(const core::BBox& a, const core::BBox& b) {
  const int overlap = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
  return double(overlap) / std::min(Height(a), Height(b));
}

struct Segment {
  OcrLine line;
  int row = 0;
};

// Groups horizontal words into lines (rows by vertical overlap, split at
// column gaps), the lines into blocks (lines stacked with overlapping
// extents, each close below the one before), and orders blocks top to
// bottom, then left to right.
std::vector<OcrLine> GroupIntoLines(std::vector<OcrWord> words) {
  std::sort(words.begin(), words.end(), [](const OcrWord& a, const OcrWord& b) {
    const int ca = a.box.y0 + a.box.y1, cb = b.box.y0 + b.box.y1;
    return ca != cb ? ca < cb : a.box.x0 < b.box.x0;
  });
  // Rows. Each keeps the vertical band of its first word, so that a row
  // does not creep downwards word by word.
  struct Row {
    core::BBox band;
    std::vector<OcrWord> words;
  };
  std::vector<Row> rows;
  for (OcrWord& w : words) {
    Row* best = nullptr;
    double best_overlap = 0.5;
    // Sorted by centre: only the last rows can still hold this word.
    for (size_t i = rows.size(); i-- > 0 && rows.size() - i <= 8;) {
      const double overlap = VerticalOverlap(rows[i].band, w.box);
      if (overlap >= best_overlap) {
        best_overlap = overlap;
        best = &rows[i];
      }
    }
    if (best == nullptr) {
      rows.push_back(Row{w.box, {}});
      best = &rows.back();
    }
    best->words.push_back(std::move(w));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.band.y0 + a.band.y1 < b.band.y0 + b.band.y1;
  });

  std::vector<Segment> segments;
  for (size_t r = 0; r < rows.size(); ++r) {
    std::vector<OcrWord>& ws = rows[r].words;
    std::sort(ws.begin(), ws.end(), [](const OcrWord& a, const OcrWord& b) {
      return a.box.x0 < b.box.x0;
    });
    std::vector<int> heights;
    for (const OcrWord& w : ws) heights.push_back(Height(w.box));
    std::nth_element(heights.begin(), heights.begin() + heights.size() / 2,
                     heights.end());
    const double gap_limit = kColumnGap * heights[heights.size() / 2];
    for (size_t i = 0; i < ws.size(); ++i) {
      if (i == 0 || ws[i].box.x0 - ws[i - 1].box.x1 > gap_limit) {
        segments.push_back(Segment{OcrLine{{}, ws[i].box}, int(r)});
      }
      OcrLine& line = segments.back().line;
      line.box = Union(line.box, ws[i].box);
      line.words.push_back(std::move(ws[i]));
    }
  }

  // Blocks: a segment continues the block whose last line lies just above
  // it (within a text height) and overlaps it horizontally.
  std::vector<std::vector<size_t>> blocks;
  std::vector<int> block_row;  // the row of each block's last line
  for (size_t s = 0; s < segments.size(); ++s) {
    const Segment& seg = segments[s];
    int best = -1, best_overlap = 0;
    for (size_t b = 0; b < blocks.size(); ++b) {
      if (block_row[b] >= seg.row) continue;  // one line per row and block
      const core::BBox& last = segments[blocks[b].back()].line.box;
      const int gap = seg.line.box.y0 - last.y1;
      if (gap > std::max(Height(last), Height(seg.line.box))) continue;
      const int overlap = std::min(last.x1, seg.line.box.x1) -
                          std::max(last.x0, seg.line.box.x0);
      if (overlap > best_overlap) {
        best_overlap = overlap;
        best = int(b);
      }
    }
    if (best < 0) {
      blocks.push_back({});
      block_row.push_back(-1);
      best = int(blocks.size()) - 1;
    }
    blocks[best].push_back(s);
    block_row[best] = seg.row;
  }
  std::stable_sort(
      blocks.begin(), blocks.end(),
      [&](const std::vector<size_t>& a, const std::vector<size_t>& b) {
        const Segment& sa = segments[a.front()];
        const Segment& sb = segments[b.front()];
        if (sa.row != sb.row) return sa.row < sb.row;
        return sa.line.box.x0 < sb.line.box.x0;
      });
  std::vector<OcrLine> lines;
  for (size_t b = 0; b < blocks.size(); ++b) {
    for (size_t s : blocks[b]) {
      OcrLine& line = segments[s].line;
      for (OcrWord& w : line.words) {
        w.block = w.paragraph = int(b);
        w.line = int(lines.size());
      }
      lines.push_back(std::move(line));
    }
  }
  return lines;
}

// ---- text layer judgement ------------------------------------------------

// Decodes one UTF-8 sequence at s[i], advancing i; U+FFFD when invalid.
char32_t NextCodePoint(std::string_view s, size_t& i) {
  const auto c = static_cast<unsigned char>(s[i++]);
  if (c < 0x80) return c;
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
  if (extra < 0) return 0xFFFD;
  char32_t cp = c & (0x3F >> extra);
  for (; extra > 0; --extra) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      return 0xFFFD;
    }
    cp = cp << 6 | (static_cast<unsigned char>(s[i++]) & 0x3F);
  }
  return cp;
}

bool IsGarbage(char32_t cp) {
  return cp == 0xFFFD || cp < 0x20 || (cp >= 0x7F && cp < 0xA0) ||
         (cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000;
}

bool IsAlphanumeric(char32_t cp) {
  if (cp < 0x80) return std::isalnum(int(cp)) != 0;
  // Letters of any script; not the symbol and punctuation blocks.
  return cp >= 0xC0 && cp != 0xD7 && cp != 0xF7 &&
         !(cp >= 0x2000 && cp <= 0x2BFF) && !(cp >= 0x3000 && cp <= 0x303F) &&
         !IsGarbage(cp);
}

}  // namespace

TextLayerVerdict JudgeTextLayer(const OcrPage& page) {
  // Fewer characters than this is a stamp ("Scanned by ..."), a page
  // number or a header over a scanned page: OCR reads more.
  constexpr int kMinCharacters = 32;
  constexpr double kMaxGarbage = 0.05;
  constexpr double kMinAlphanumeric = 0.5;
  int characters = 0, garbage = 0, alphanumeric = 0;
  for (const OcrLine& line : page.lines) {
    for (const OcrWord& word : line.words) {
      const std::string_view text = word.text;
      size_t i = 0;
      while (i < text.size()) {
        // "(cid:123)": a glyph id where a font had no Unicode map.
        if (text.compare(i, 5, "(cid:") == 0) {
          const size_t end = text.find(')', i);
          const size_t n =
              (end == std::string_view::npos ? text.size() : end + 1) - i;
          characters += int(n);
          garbage += int(n);
          i += n;
          continue;
        }
        const char32_t cp = NextCodePoint(text, i);
        if (cp == ' ' || cp == 0xA0) continue;
        ++characters;
        if (IsGarbage(cp)) {
          ++garbage;
        } else if (IsAlphanumeric(cp)) {
          ++alphanumeric;
        }
      }
    }
  }
  TextLayerVerdict v;
  v.characters = characters;
  v.garbage = characters ? double(garbage) / characters : 0;
  v.alphanumeric = characters ? double(alphanumeric) / characters : 0;
  if (characters < kMinCharacters) {
    v.reason =
        characters == 0
            ? "no text layer"
            : "too little text (" + std::to_string(characters) + " characters)";
  } else if (v.garbage > kMaxGarbage) {
    v.reason = std::to_string(int(v.garbage * 100 + 0.5)) +
               "% of the text is unmapped glyphs or control characters";
  } else if (v.alphanumeric < kMinAlphanumeric) {
    v.reason = "the text is mostly symbols (" +
               std::to_string(int(v.alphanumeric * 100 + 0.5)) +
               "% letters or digits)";
  }
  v.usable = v.reason.empty();
  return v;
}

int FindEInvoiceAttachment(const std::vector<PdfAttachment>& attachments) {
  // Factur-X 1.0 and ZUGFeRD 2.1+; ZUGFeRD 2.0; ZUGFeRD 1.0 (same name
  // folded); XRechnung in ZUGFeRD's XRECHNUNG profile.
  static constexpr std::string_view kNames[] = {
      "factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"};
  for (std::string_view name : kNames) {
    for (size_t i = 0; i < attachments.size(); ++i) {
      if (core::AsciiLower(attachments[i].name) == name) return int(i);
    }
  }
  for (size_t i = 0; i < attachments.size(); ++i) {
    if (core::AsciiLower(attachments[i].name).ends_with(".xml")) return int(i);
  }
  return -1;
}

// ---- the document --------------------------------------------------------

struct PdfDocument::Impl {
  std::unique_ptr<poppler::document> doc;
  std::vector<std::unique_ptr<poppler::page>> pages;
  std::vector<poppler::embedded_file*> files;  // owned by doc
  std::vector<PdfAttachment> attachments;
  std::vector<std::string> warnings;
  PdfLimits limits;

  core::Result<const poppler::page*> Page(int index) const {
    if (index < 0 || size_t(index) >= pages.size()) {
      return core::InvalidArgument("page index " + std::to_string(index) +
                                   " asked of a PDF with " +
                                   std::to_string(pages.size()) + " page(s)");
    }
    return pages[index].get();
  }
};

PdfDocument::PdfDocument(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PdfDocument::PdfDocument(PdfDocument&&) noexcept = default;
PdfDocument& PdfDocument::operator=(PdfDocument&&) noexcept = default;
PdfDocument::~PdfDocument() = default;

int PdfDocument::page_count() const { return int(impl_->pages.size()); }

const std::vector<std::string>& PdfDocument::warnings() const {
  return impl_->warnings;
}

const std::vector<PdfAttachment>& PdfDocument::attachments() const {
  return impl_->attachments;
}

core::Result<PdfPageSize> PdfDocument::PageSize(int index) const {
  INVOICES_ASSIGN_OR_RETURN(const poppler::page* page, impl_->Page(index));
  const poppler::rectf box = page->page_rect(poppler::crop_box);
  PdfPageSize size;
  size.width = std::abs(box.width());
  size.height = std::abs(box.height());
  switch (page->orientation()) {
    case poppler::page::landscape:
      size.rotation = 90;
      break;
    case poppler::page::upside_down:
      size.rotation = 180;
      break;
    case poppler::page::seascape:
      size.rotation = 270;
      break;
    case poppler::page::portrait:
      break;
  }
  if (size.rotation == 90 || size.rotation == 270) {
    std::swap(size.width, size.height);
  }
  return size;
}

namespace {

core::Status CheckDpi(double dpi) {
  // Above 0, not 1: Render lowers the dpi of a huge page below 1, and its
  // text layer is asked at that dpi.
  if (!(dpi > 0 && dpi <= 2400)) {
    return core::InvalidArgument("dpi " + std::to_string(dpi) +
                                 " is outside (0, 2400]");
  }
  return {};
}

// Pixels of `points` at `dpi`, as Splash sizes its bitmap (rounded up).
// Saturates at 2^31 (more than any int side): a page box of 1e78 points
// parses, and converting its pixels to an integer would be undefined; the
// product of two results cannot overflow.
int64_t PixelsOf(double points, double dpi) {
  constexpr int64_t kMax = int64_t{1} << 31;
  const double pixels = std::ceil(points * dpi / 72.0 - 1e-9);
  return pixels < double(kMax) ? int64_t(pixels) : kMax;  // NaN: kMax
}

}  // namespace

core::Result<OcrPage> PdfDocument::TextLayer(int index, double dpi) const {
  INVOICES_RETURN_IF_ERROR(CheckDpi(dpi));
  INVOICES_ASSIGN_OR_RETURN(const poppler::page* page, impl_->Page(index));
  INVOICES_ASSIGN_OR_RETURN(const PdfPageSize size, PageSize(index));
  PopplerMessages messages;
  const double scale = dpi / 72.0;
  OcrPage out;
  out.width = int(std::min<int64_t>(PixelsOf(size.width, dpi), INT_MAX));
  out.height = int(std::min<int64_t>(PixelsOf(size.height, dpi), INT_MAX));
  std::vector<OcrWord> horizontal, vertical;
  for (const poppler::text_box& box : page->text_list()) {
    OcrWord word;
    word.text = Utf8(box.text());
    // poppler splits at spaces; trim what a font's own space glyphs leave.
    const size_t first = word.text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) continue;
    word.text = word.text.substr(
        first, word.text.find_last_not_of(" \t\r\n") - first + 1);
    const poppler::rectf r = box.bbox();
    auto px = [&](double v, int limit, bool up) {
      const double p = up ? std::ceil(v * scale) : std::floor(v * scale);
      return int(std::clamp(p, 0.0, double(limit)));
    };
    word.box = {px(r.left(), out.width, false), px(r.top(), out.height, false),
                px(r.right(), out.width, true),
                px(r.bottom(), out.height, true)};
    word.confidence = 1.0f;
    (box.rotation() % 2 == 0 ? horizontal : vertical)
        .push_back(std::move(word));
  }
  out.lines = GroupIntoLines(std::move(horizontal));
  // poppler's boxes span the font's ascent to its descent (about 1.17 em);
  // OCR's boxes, and the distances the extraction measures in word heights
  // (a column gap is twice a word's height), are of ink: capitals and
  // ascenders, about 0.75 em. Once the lines are found, each box keeps its
  // centre at two thirds of its height.
  for (OcrLine& line : out.lines) {
    for (OcrWord& w : line.words) {
      const int inset = (w.box.y1 - w.box.y0) / 6;
      w.box.y0 += inset;
      w.box.y1 -= inset;
    }
    line.box = line.words.front().box;
    for (const OcrWord& w : line.words) line.box = Union(line.box, w.box);
  }
  // Text running up or down a margin (a legal note): a line per word, after
  // the page's other lines.
  std::sort(
      vertical.begin(), vertical.end(), [](const OcrWord& a, const OcrWord& b) {
        return a.box.x0 != b.box.x0 ? a.box.x0 < b.box.x0 : a.box.y0 < b.box.y0;
      });
  const int blocks =
      out.lines.empty() ? 0 : out.lines.back().words[0].block + 1;
  for (OcrWord& w : vertical) {
    w.block = w.paragraph = blocks;
    w.line = int(out.lines.size());
    OcrLine line{{}, w.box};
    line.words.push_back(std::move(w));
    out.lines.push_back(std::move(line));
  }
  return out;
}

core::Result<RenderedPage> PdfDocument::Render(int index, double dpi) const {
  INVOICES_RETURN_IF_ERROR(CheckDpi(dpi));
  INVOICES_ASSIGN_OR_RETURN(const poppler::page* page, impl_->Page(index));
  INVOICES_ASSIGN_OR_RETURN(const PdfPageSize size, PageSize(index));
  if (size.width < 1 || size.height < 1) {
    return core::InvalidArgument("page " + std::to_string(index + 1) +
                                 " of the PDF has no area");
  }
  // The largest resolution up to `dpi` whose bitmap stays within the pixel
  // limit; a step down for each rounding that still overshoots.
  const int64_t max_pixels = impl_->limits.max_pixels;
  double used = dpi;
  const double area = size.width * size.height / (72.0 * 72.0);  // inch²
  if (area * used * used > double(max_pixels)) {
    used = std::sqrt(double(max_pixels) / area);
  }
  while (used > 0.01 &&
         PixelsOf(size.width, used) * PixelsOf(size.height, used) >
             max_pixels) {
    used *= 0.995;
  }
  if (used <= 0.01) {
    return core::TooLarge("page " + std::to_string(index + 1) +
                          " of the PDF is too large to render");
  }
  PopplerMessages messages;
  poppler::page_renderer renderer;
  renderer.set_render_hints(poppler::page_renderer::antialiasing |
                            poppler::page_renderer::text_antialiasing);
  renderer.set_image_format(poppler::image::format_gray8);
  poppler::image rendered;
  try {
    rendered = renderer.render_page(page, used, used);
  } catch (const std::bad_alloc&) {
    return core::ResourceExhausted("out of memory rendering page " +
                                   std::to_string(index + 1) + " of the PDF");
  }
  if (!rendered.is_valid() || rendered.width() <= 0 || rendered.height() <= 0) {
    return core::InvalidArgument("page " + std::to_string(index + 1) +
                                 " of the PDF could not be rendered" +
                                 messages.Suffix());
  }
  RenderedPage out;
  out.dpi = used;
  GrayImage& img = out.image;
  img.width = rendered.width();
  img.height = rendered.height();
  img.pixels.resize(size_t(img.width) * img.height);
  const char* data = rendered.const_data();
  const int stride = rendered.bytes_per_row();
  for (int y = 0; y < img.height; ++y) {
    std::memcpy(&img.pixels[size_t(y) * img.width], data + size_t(y) * stride,
                size_t(img.width));
  }
  return out;
}

core::Result<std::vector<uint8_t>> PdfDocument::ReadAttachment(
    int index) const {
  if (index < 0 || size_t(index) >= impl_->files.size()) {
    return core::InvalidArgument("attachment index " + std::to_string(index) +
                                 " asked of a PDF with " +
                                 std::to_string(impl_->files.size()));
  }
  const int64_t max = impl_->limits.max_attachment_bytes;
  const PdfAttachment& a = impl_->attachments[index];
  if (a.declared_size > max) {
    return core::TooLarge("attachment " + a.name + " of " +
                          Megabytes(a.declared_size) +
                          " is beyond the limit of " + Megabytes(max));
  }
  PopplerMessages messages;
  const poppler::byte_array data = impl_->files[index]->data();
  if (int64_t(data.size()) > max) {
    return core::TooLarge("attachment " + a.name + " of " +
                          Megabytes(int64_t(data.size())) +
                          " is beyond the limit of " + Megabytes(max));
  }
  if (data.empty() && a.declared_size > 0) {
    return core::InvalidArgument("attachment " + a.name + " could not be read" +
                                 messages.Suffix());
  }
  return std::vector<uint8_t>(data.begin(), data.end());
}

core::Result<PdfDocument> OpenPdf(std::span<const uint8_t> bytes,
                                  const PdfLimits& limits) {
  if (bytes.empty()) return core::InvalidArgument("the document is empty");
  if (int64_t(bytes.size()) > std::min<int64_t>(limits.max_bytes, INT_MAX)) {
    return core::TooLarge("PDF of " + Megabytes(int64_t(bytes.size())) +
                          " is beyond the limit of " +
                          Megabytes(limits.max_bytes));
  }
  PopplerMessages messages;
  auto impl = std::make_unique<PdfDocument::Impl>();
  impl->limits = limits;
  // load_from_data takes the vector's contents: the document owns its copy.
  poppler::byte_array data(bytes.begin(), bytes.end());
  impl->doc.reset(poppler::document::load_from_data(&data));
  if (!impl->doc) {
    return core::InvalidArgument("unreadable PDF" + messages.Suffix());
  }
  if (impl->doc->is_locked()) {
    return core::InvalidArgument(
        "the PDF is encrypted with a password; upload a copy without one");
  }
  // The count the page tree declares, read before any page is.
  const int pages = impl->doc->pages();
  if (pages <= 0) {
    return core::InvalidArgument("PDF without pages" + messages.Suffix());
  }
  if (pages > limits.max_pages) {
    return core::TooLarge("PDF of " + std::to_string(pages) +
                          " pages is beyond the limit of " +
                          std::to_string(limits.max_pages) + " pages");
  }
  for (int i = 0; i < pages; ++i) {
    std::unique_ptr<poppler::page> page(impl->doc->create_page(i));
    if (!page) break;
    impl->pages.push_back(std::move(page));
  }
  if (impl->pages.empty()) {
    return core::InvalidArgument("the first page of the PDF is damaged" +
                                 messages.Suffix());
  }
  if (int(impl->pages.size()) < pages) {
    impl->warnings.push_back("the PDF declares " + std::to_string(pages) +
                             " pages; only the first " +
                             std::to_string(impl->pages.size()) +
                             " could be read");
  }
  if (impl->doc->has_embedded_files()) {
    for (poppler::embedded_file* file : impl->doc->embedded_files()) {
      if (file == nullptr || !file->is_valid()) continue;
      PdfAttachment a;
      a.name = file->name();
      a.mime = file->mime_type();
      a.description = Utf8(file->description());
      a.declared_size = file->size() >= 0 ? file->size() : -1;
      impl->files.push_back(file);
      impl->attachments.push_back(std::move(a));
    }
  }
  return PdfDocument(std::move(impl));
}

}  // namespace invoices::extract
