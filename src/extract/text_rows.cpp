#include "text_rows.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <utility>

#include "invoices/core/decimal.h"

namespace invoices::extract::internal {
namespace {

// The union of the boxes of `line`'s words (not empty).
core::BBox WordsBox(const OcrLine& line) {
  core::BBox b = line.words.front().box;
  for (const OcrWord& w : line.words) b = Union(b, w.box);
  return b;
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Length of the UTF-8 sequence led by `c` (1 for stray bytes).
size_t Utf8Length(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

bool IsNumberSign(std::string_view cp) {
  return cp == "#" || cp == "\xC2\xB0" || cp == "\xC2\xBA" ||
         cp == "\xE2\x84\x96";
}

// Folded letters or digits of one code point; empty for punctuation, white
// space, signs and symbols.
std::string FoldedAlnum(std::string_view cp) {
  const auto c = static_cast<unsigned char>(cp[0]);
  if (c < 0x80) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return {cp.data(), 1};
    if (c >= 'A' && c <= 'Z') return std::string(1, static_cast<char>(c + 32));
    return {};
  }
  // C2 leads Latin-1 punctuation and signs (but the micro sign, read for
  // Greek "μ"), E2 general punctuation, currency signs and arrows; both are
  // separators.
  if ((c == 0xC2 && cp != "\xC2\xB5") || c == 0xE2) return {};
  return FoldText(cp);
}

std::vector<RowToken> Tokenize(const Row& row) {
  std::vector<RowToken> out;
  RowToken current;
  bool open = false;
  auto close = [&] {
    if (!open) return;
    const auto letters =
        std::count_if(current.text.begin(), current.text.end(),
                      [](char ch) { return ch >= 'a' && ch <= 'z'; });
    if (letters >= 2) {
      std::replace(current.text.begin(), current.text.end(), '0', 'o');
    }
    out.push_back(std::move(current));
    current = {};
    open = false;
  };
  size_t i = 0;
  while (i < row.text.size()) {
    const size_t n = std::min(Utf8Length(row.text[i]), row.text.size() - i);
    const std::string_view cp(row.text.data() + i, n);
    if (IsNumberSign(cp)) {
      close();
      out.push_back({"#", row.WordAt(i), i, i + n});
    } else if (std::string folded = FoldedAlnum(cp); !folded.empty()) {
      // A rate glued to its label ("Descuento20%", "MwSt19%") is a token
      // of its own.
      if (open && IsAsciiDigit(folded[0]) && !current.text.empty() &&
          !IsAsciiDigit(current.text.back())) {
        size_t j = i;
        while (j < row.text.size() && IsAsciiDigit(row.text[j])) ++j;
        if (j < row.text.size() && row.text[j] == '%') close();
      }
      if (!open) {
        current.word = row.WordAt(i);
        current.begin = i;
        open = true;
      }
      current.text += folded;
      current.end = i + n;
    } else {
      close();
    }
    i += n;
  }
  close();
  return out;
}

Row MakeRow(std::vector<OcrWord> words, const AmountOptions& amount_options) {
  std::sort(words.begin(), words.end(), [](const OcrWord& a, const OcrWord& b) {
    return a.box.x0 < b.box.x0;
  });
  Row row;
  row.words = std::move(words);
  int h = 0;
  for (const OcrWord& w : row.words) h = std::max(h, w.box.y1 - w.box.y0);
  for (size_t i = 0; i < row.words.size(); ++i) {
    const OcrWord& w = row.words[i];
    if (i > 0) {
      const int gap = w.box.x0 - row.words[i - 1].box.x1;
      row.text += gap > 1.2 * std::max(1, h) ? "  " : " ";
    }
    row.word_begin.push_back(row.text.size());
    row.text += w.text;
    row.box = i == 0 ? w.box : Union(row.box, w.box);
    row.confidence += w.confidence;
  }
  row.confidence /= std::max<size_t>(1, row.words.size());
  row.height = std::max(1, row.box.y1 - row.box.y0);
  row.tokens = Tokenize(row);
  row.amounts = FindAmounts(row.text, amount_options);
  for (const RowToken& t : row.tokens) {
    if (t.text == "#") continue;
    for (const char ch : row.text.substr(t.begin, t.end - t.begin)) {
      if (ch >= '0' && ch <= '9') {
        ++row.digits;
      } else {
        ++row.letters;  // multi-byte letters count once per byte: a bound
      }
    }
  }
  return row;
}

}  // namespace

bool Row::GapAfter(size_t w) const {
  if (w + 1 >= words.size()) return false;
  const size_t end = word_begin[w] + words[w].text.size();
  return text.compare(end, 2, "  ") == 0;
}

size_t Row::WordAt(size_t b) const {
  for (size_t w = 0; w < words.size(); ++w) {
    if (b < word_begin[w] + words[w].text.size()) return w;
  }
  return words.size();
}

std::vector<Row> BuildRows(const OcrPage& page, double min_overlap) {
  struct Group {
    core::BBox box;
    std::vector<OcrWord> words;
  };
  std::vector<const OcrLine*> lines;
  for (const OcrLine& line : page.lines) {
    const bool blank =
        std::all_of(line.words.begin(), line.words.end(), [](const OcrWord& w) {
          return w.text.find_first_not_of(" \t") == std::string::npos;
        });
    if (!blank) lines.push_back(&line);
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [&](const OcrLine* a, const OcrLine* b) {
                     const core::BBox ba = WordsBox(*a), bb = WordsBox(*b);
                     return ba.y0 + ba.y1 < bb.y0 + bb.y1;
                   });
  std::vector<std::string> texts;
  for (const OcrLine* line : lines) texts.push_back(line->Text());
  AmountOptions amount_options;
  amount_options.whole_space_groups = PrintsWholeSpaceGroups(texts);
  std::vector<Group> groups;
  for (const OcrLine* line : lines) {
    std::vector<OcrWord> words;
    for (const OcrWord& w : line->words) {
      if (w.text.find_first_not_of(" \t") != std::string::npos) {
        words.push_back(w);
      }
    }
    const core::BBox box = WordsBox(*line);
    // A line beside one already placed, at the same height and not over
    // its words, is the same row read as another block.
    Group* into = nullptr;
    for (size_t g = groups.size(); g-- > 0 && g + 4 >= groups.size();) {
      Group& group = groups[g];
      if (VerticalOverlap(group.box, box) < min_overlap) continue;
      const bool clear = std::none_of(
          group.words.begin(), group.words.end(), [&](const OcrWord& w) {
            return std::any_of(words.begin(), words.end(),
                               [&](const OcrWord& v) {
                                 return HorizontalOverlap(w.box, v.box) > 0.2;
                               });
          });
      if (clear) {
        into = &group;
        break;
      }
    }
    if (into) {
      into->box = Union(into->box, box);
      into->words.insert(into->words.end(), words.begin(), words.end());
    } else {
      groups.push_back({box, std::move(words)});
    }
  }
  std::vector<Row> rows;
  rows.reserve(groups.size());
  for (Group& g : groups) {
    rows.push_back(MakeRow(std::move(g.words), amount_options));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.box.y0 + a.box.y1 < b.box.y0 + b.box.y1;
  });
  return rows;
}

OcrPage RowsAsPage(const OcrPage& page, double min_overlap) {
  OcrPage out;
  out.width = page.width;
  out.height = page.height;
  for (Row& row : BuildRows(page, min_overlap)) {
    OcrLine line;
    line.box = row.box;
    line.words = std::move(row.words);
    out.lines.push_back(std::move(line));
  }
  return out;
}

OcrPage ColumnsAsPage(const OcrPage& page) {
  struct Piece {
    OcrLine line;
    int height = 1;  // the median height of its words
  };
  std::vector<Piece> pieces;  // rows top to bottom, left to right in each
  std::vector<size_t> row_of;
  std::vector<Row> rows = BuildRows(page, 0.5);
  for (size_t r = 0; r < rows.size(); ++r) {
    OcrLine whole;
    whole.words = std::move(rows[r].words);
    const int height = whole.WordHeight();
    Piece piece;
    auto close = [&] {
      piece.height = piece.line.WordHeight();
      pieces.push_back(std::move(piece));
      row_of.push_back(r);
      piece = {};
    };
    for (OcrWord& w : whole.words) {
      const core::BBox& box = piece.line.box;
      if (!piece.line.words.empty() && IsColumnGap(w.box.x0 - box.x1, height)) {
        close();
      }
      piece.line.box = piece.line.words.empty() ? w.box : Union(box, w.box);
      piece.line.words.push_back(std::move(w));
    }
    close();
  }
  struct Block {
    std::vector<size_t> pieces;
    size_t last_row = 0;
  };
  std::vector<Block> blocks;
  for (size_t p = 0; p < pieces.size(); ++p) {
    const Piece& piece = pieces[p];
    Block* into = nullptr;
    double best = 0;
    for (Block& b : blocks) {
      const Piece& last = pieces[b.pieces.back()];
      if (b.last_row == row_of[p]) continue;  // beside it, not above
      // Below it (lines of a tight print may overlap), and not further
      // than one and a half lines' height.
      const core::BBox &below = piece.line.box, &above = last.line.box;
      const int gap = below.y0 - above.y1;
      if (gap > 1.5 * std::max(piece.height, last.height) ||
          below.y0 + below.y1 <= above.y0 + above.y1) {
        continue;
      }
      const double overlap = HorizontalOverlap(below, above);
      if (overlap >= 0.3 && overlap > best) {
        best = overlap;
        into = &b;
      }
    }
    if (!into) {
      blocks.push_back({});
      into = &blocks.back();
    }
    into->pieces.push_back(p);
    into->last_row = row_of[p];
  }
  std::stable_sort(blocks.begin(), blocks.end(),
                   [&](const Block& a, const Block& b) {
                     const core::BBox& x = pieces[a.pieces.front()].line.box;
                     const core::BBox& y = pieces[b.pieces.front()].line.box;
                     return x.y0 != y.y0 ? x.y0 < y.y0 : x.x0 < y.x0;
                   });
  OcrPage out;
  out.width = page.width;
  out.height = page.height;
  for (size_t b = 0; b < blocks.size(); ++b) {
    for (size_t p : blocks[b].pieces) {
      OcrLine line = std::move(pieces[p].line);
      for (OcrWord& w : line.words) {
        w.block = int(b);
        w.line = int(out.lines.size());
      }
      out.lines.push_back(std::move(line));
    }
  }
  return out;
}

namespace {

// Whether `text` is a day and month with the separator before a year that
// is not there ("18-06-", "18.06.", "06/18/").
bool IsDateWithoutYear(std::string_view text) {
  size_t i = 0;
  for (int part = 0; part < 2; ++part) {
    const size_t digits = i;
    while (i < text.size() && IsAsciiDigit(text[i])) ++i;
    if (i - digits < 1 || i - digits > 2) return false;
    if (i >= text.size() ||
        (text[i] != '-' && text[i] != '.' && text[i] != '/')) {
      return false;
    }
    if (part == 1 && text[i] != text[digits - 1]) return false;
    ++i;
  }
  return i == text.size();
}

bool IsDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsAsciiDigit);
}

// Whether `text` is a year of four digits (1900 to 2099).
bool IsYear(std::string_view text) {
  return text.size() == 4 && IsDigits(text) &&
         (text.starts_with("19") || text.starts_with("20"));
}

// What a word may have broken off before the rest of its cell's value.
enum class Broken {
  kNo,
  kBeforeYear,   // "18-06-": the year follows
  kAfterMonth,   // "MAR" of "18 MAR": the year follows, under the day
  kAfterHyphen,  // "INV-2020-": digits follow
};

// Whether word `i` of `line` broke off a value.
Broken BrokenOff(const OcrLine& line, size_t i) {
  const std::string& text = line.words[i].text;
  if (IsDateWithoutYear(text)) return Broken::kBeforeYear;
  if (i > 0 && MonthFromName(text) > 0 && line.words[i - 1].text.size() <= 3 &&
      IsAsciiDigit(line.words[i - 1].text[0])) {
    return Broken::kAfterMonth;
  }
  if (text.size() >= 3 && text.ends_with('-') &&
      std::any_of(text.begin(), text.end(), IsAsciiDigit)) {
    return Broken::kAfterHyphen;
  }
  return Broken::kNo;
}

int Height(const core::BBox& b) { return std::max(1, b.y1 - b.y0); }
int CentreY2(const core::BBox& b) { return b.y0 + b.y1; }  // twice the centre

}  // namespace

OcrPage JoinWrappedCells(const OcrPage& page) {
  OcrPage out = page;
  bool joined = false;
  // Drops the words emptied by joining, and lines left empty.
  auto tidy = [&] {
    if (!joined) return;
    std::vector<OcrLine> lines;
    for (OcrLine& line : out.lines) {
      std::erase_if(line.words,
                    [](const OcrWord& w) { return w.text.empty(); });
      if (line.words.empty()) continue;
      line.box = WordsBox(line);
      lines.push_back(std::move(line));
    }
    out.lines = std::move(lines);
  };
  // Whether `lower` starts right under `upper`, left-aligned with it.
  auto right_under = [](const core::BBox& upper, const core::BBox& lower) {
    const int h = Height(upper);
    return lower.y0 >= upper.y1 - h / 2 && lower.y0 - upper.y1 <= h &&
           std::abs(lower.x0 - upper.x0) <= h;
  };
  // Values broken after a separator, and dates after the month's name
  // ("18 MAR" over "2019", the year under the day).
  for (OcrLine& line : out.lines) {
    for (size_t i = 0; i < line.words.size(); ++i) {
      const Broken broken = BrokenOff(line, i);
      if (broken == Broken::kNo) continue;
      OcrWord& w = line.words[i];
      const bool after_month = broken == Broken::kAfterMonth;
      const core::BBox& start = after_month ? line.words[i - 1].box : w.box;
      OcrWord* rest = nullptr;
      for (OcrLine& other : out.lines) {
        for (OcrWord& v : other.words) {
          // "18-09-" over "18" too: a date's year may have two digits.
          const bool fits =
              broken == Broken::kAfterHyphen ? IsDigits(v.text)
              : broken == Broken::kBeforeYear
                  ? IsYear(v.text) || (v.text.size() == 2 && IsDigits(v.text))
                  : IsYear(v.text);
          if (&v == &w || !right_under(start, v.box) || !fits) {
            continue;
          }
          if (!rest || v.box.y0 < rest->box.y0) rest = &v;
        }
      }
      if (!rest) continue;
      if (after_month) w.text += ' ';
      w.text += rest->text;
      w.box = Union(w.box, rest->box);
      w.confidence = std::min(w.confidence, rest->confidence);
      rest->text.clear();
      joined = true;
    }
  }
  tidy();
  // Labels on two lines beside a value centred between them (or itself on
  // both lines, or joined from both above): a label is the words a line
  // opens with that hold letters and no digit, at most three; the first
  // line's goes on ("Tanggal Jatuh"), the second's ends the label
  // ("Tempo:").
  auto label_words = [](const OcrLine& l) -> size_t {
    auto label_word = [](const std::string& t) {
      return std::none_of(t.begin(), t.end(), IsAsciiDigit) &&
             std::any_of(t.begin(), t.end(), [](unsigned char c) {
               return std::isalpha(c) || c >= 0x80;
             });
    };
    size_t n = 0;
    while (n < l.words.size() && label_word(l.words[n].text)) ++n;
    return n <= 3 ? n : 0;
  };
  auto box_of = [](const OcrLine& l, size_t n) {
    core::BBox box = l.words.front().box;
    for (size_t i = 1; i < n; ++i) box = Union(box, l.words[i].box);
    return box;
  };
  // Whether the label of `n` words has a value of its own right after it,
  // no column apart ("Tel. 082 158677" over "USt-IdNr.: DE465807724" are
  // two labels with their values, whatever stands centred beside them).
  auto own_value = [](const OcrLine& l, size_t n) {
    if (n >= l.words.size()) return false;
    const OcrWord& label = l.words[n - 1];
    const OcrWord& next = l.words[n];
    return std::any_of(next.text.begin(), next.text.end(), IsAsciiDigit) &&
           !IsColumnGap(next.box.x0 - label.box.x1, Height(label.box));
  };
  for (OcrLine& a : out.lines) {
    const size_t na = label_words(a);
    if (na == 0 || a.words[na - 1].text.ends_with(':') || own_value(a, na)) {
      continue;
    }
    const core::BBox ab = box_of(a, na);
    for (OcrLine& b : out.lines) {
      if (&b == &a) continue;
      const size_t nb = label_words(b);
      if (nb == 0 || nb > 2 || !b.words[nb - 1].text.ends_with(':') ||
          own_value(b, nb)) {
        continue;
      }
      const core::BBox bb = box_of(b, nb);
      if (!right_under(ab, bb)) continue;
      // Nothing of another line stands between the two in the labels'
      // column ("Cloud 9 plus 22g", "1 WALK 0.50", "*Total Qty:" are three
      // lines of a table, not one label).
      const int label_x0 = std::min(ab.x0, bb.x0);
      const int label_x1 = std::max(ab.x1, bb.x1);
      const bool between = std::any_of(
          out.lines.begin(), out.lines.end(), [&](const OcrLine& l) {
            return &l != &a && &l != &b &&
                   std::any_of(
                       l.words.begin(), l.words.end(), [&](const OcrWord& w) {
                         return !w.text.empty() && w.box.x0 < label_x1 &&
                                w.box.x1 > label_x0 &&
                                CentreY2(w.box) > CentreY2(ab) &&
                                CentreY2(w.box) < CentreY2(bb);
                       });
          });
      if (between) continue;
      const bool centred_value = std::any_of(
          out.lines.begin(), out.lines.end(), [&](const OcrLine& l) {
            return std::any_of(
                l.words.begin(), l.words.end(), [&](const OcrWord& v) {
                  return !v.text.empty() && v.box.x0 > std::max(ab.x1, bb.x1) &&
                         CentreY2(v.box) > CentreY2(ab) &&
                         CentreY2(v.box) < CentreY2(bb) &&
                         (VerticalOverlap(v.box, ab) < 0.5) ==
                             (VerticalOverlap(v.box, bb) < 0.5);
                });
          });
      if (!centred_value) continue;
      OcrWord& label = a.words.front();
      for (size_t i = 1; i < na; ++i) {
        label.text += ' ' + a.words[i].text;
        a.words[i].text.clear();
      }
      for (size_t i = 0; i < nb; ++i) {
        label.text += ' ' + b.words[i].text;
        label.confidence = std::min(label.confidence, b.words[i].confidence);
        b.words[i].text.clear();
      }
      label.box = Union(ab, bb);
      joined = true;
      break;
    }
  }
  tidy();
  return out;
}

double MedianHeight(const std::vector<Row>& rows) {
  if (rows.empty()) return 1;
  std::vector<int> h;
  for (const Row& r : rows) h.push_back(r.height);
  std::nth_element(h.begin(), h.begin() + h.size() / 2, h.end());
  return std::max(1, h[h.size() / 2]);
}

Span WordRange(const Row& row, size_t first, size_t last) {
  Span out;
  int n = 0;
  for (size_t w = first; w < last && w < row.words.size(); ++w) {
    const OcrWord& word = row.words[w];
    out.box = out.empty ? word.box : Union(out.box, word.box);
    if (!out.text.empty()) out.text += ' ';
    out.text += word.text;
    out.confidence += word.confidence;
    out.empty = false;
    ++n;
  }
  if (n > 0) out.confidence /= n;
  return out;
}

Span WordsIn(const Row& row, size_t begin, size_t end) {
  size_t first = row.words.size(), last = 0;
  for (size_t w = 0; w < row.words.size(); ++w) {
    const size_t wb = row.word_begin[w];
    const size_t we = wb + row.words[w].text.size();
    if (wb >= end || we <= begin) continue;
    first = std::min(first, w);
    last = w + 1;
  }
  if (first >= last) return {};
  return WordRange(row, first, last);
}

Span Join(const Span& a, const Span& b) {
  if (a.empty) return b;
  if (b.empty) return a;
  Span out;
  out.box = Union(a.box, b.box);
  out.text = a.text + ' ' + b.text;
  out.confidence = (a.confidence + b.confidence) / 2;
  out.empty = false;
  return out;
}

core::BBox Union(const core::BBox& a, const core::BBox& b) {
  return {std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1),
          std::max(a.y1, b.y1)};
}

double VerticalOverlap(const core::BBox& a, const core::BBox& b) {
  const int overlap = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
  const int h = std::max(1, std::min(a.y1 - a.y0, b.y1 - b.y0));
  return static_cast<double>(overlap) / h;
}

double HorizontalOverlap(const core::BBox& a, const core::BBox& b) {
  const int overlap = std::min(a.x1, b.x1) - std::max(a.x0, b.x0);
  const int w = std::max(1, std::min(a.x1 - a.x0, b.x1 - b.x0));
  return static_cast<double>(overlap) / w;
}

namespace {

// Whether sequences `a` and `b` differ by at most one insertion, deletion
// or substitution.
template <typename Seq>
bool OneEditApart(const Seq& x, const Seq& y) {
  const Seq& a = x.size() <= y.size() ? x : y;
  const Seq& b = x.size() <= y.size() ? y : x;
  if (b.size() - a.size() > 1) return false;
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (i == b.size()) return true;  // the same
  const size_t skip_a = a.size() == b.size() ? 1 : 0;
  return std::equal(a.begin() + std::min(a.size(), i + skip_a), a.end(),
                    b.begin() + i + 1, b.end());
}

// The code points of UTF-8 `s`, each as its bytes.
std::vector<std::string_view> CodePoints(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = std::min(Utf8Length(s[i]), s.size() - i);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace

bool WithinOneEdit(std::string_view a, std::string_view b) {
  auto ascii = [](std::string_view t) {
    return std::all_of(t.begin(), t.end(),
                       [](unsigned char c) { return c < 0x80; });
  };
  if (ascii(a) && ascii(b)) return OneEditApart(a, b);
  return OneEditApart(CodePoints(a), CodePoints(b));
}

bool LeadingDigitsLost(int64_t whole, int64_t part) {
  if (whole <= part || part <= 0) return false;
  const std::string x = std::to_string(whole), y = std::to_string(part);
  return y.size() >= 4 && x.ends_with(y);
}

std::string CollapseSpaces(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

int CountLetters(std::string_view s) {
  int n = 0;
  for (unsigned char c : s) {
    n += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= 0xC3 && c <= 0xDF) || (c >= 0xE3 && c <= 0xED);
  }
  return n;
}

int CountDigits(std::string_view s) {
  return static_cast<int>(std::count_if(s.begin(), s.end(), IsAsciiDigit));
}

size_t CountCodePoints(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}

bool WithinRows(const OcrLine& line, const core::BBox& box) {
  const int overlap =
      std::min(line.box.y1, box.y1) - std::max(line.box.y0, box.y0);
  return overlap * 2 >= line.box.y1 - line.box.y0;
}

const core::BBox* BoxOfLine(const OcrLine& line,
                            const std::vector<core::BBox>& boxes) {
  for (const core::BBox& b : boxes) {
    if (WithinRows(line, b) && line.box.x0 < b.x1 && b.x0 < line.box.x1) {
      return &b;
    }
  }
  return nullptr;
}

// ------------------------------------------------------------------- labels

PhraseTable::PhraseTable(std::vector<Phrase> phrases)
    : phrases_(std::move(phrases)) {
  std::stable_sort(phrases_.begin(), phrases_.end(),
                   [](const Phrase& a, const Phrase& b) {
                     return a.tokens.size() > b.tokens.size();
                   });
  for (size_t i = 0; i < phrases_.size(); ++i) {
    by_first_[phrases_[i].tokens.front()].push_back(i);
    words_.insert(words_.end(), phrases_[i].tokens.begin(),
                  phrases_[i].tokens.end());
  }
  std::sort(words_.begin(), words_.end());
  words_.erase(std::unique(words_.begin(), words_.end()), words_.end());
}

bool PhraseTable::Knows(std::string_view token) const {
  return std::binary_search(words_.begin(), words_.end(), token);
}

std::vector<LabelHit> PhraseTable::Match(const Row& row) const {
  std::vector<LabelHit> out;
  const auto& t = row.tokens;
  size_t p = 0;
  while (p < t.size()) {
    const Phrase* found = nullptr;
    bool fuzzy = false;
    // One long word misread by one letter, or with a "ü" read as "ii"
    // ("Miisteri:" for "Müşteri:"): token k of `ph` against the row's
    // token p + k.
    auto near = [&](const Phrase& ph, size_t k) {
      const std::string& got = t[p + k].text;
      if (ph.tokens[k].size() < 6 || got.size() < 6 || Knows(got)) {
        return false;
      }
      if (WithinOneEdit(ph.tokens[k], got)) return true;
      const size_t ii = got.find("ii");
      return ii != std::string::npos &&
             WithinOneEdit(ph.tokens[k],
                           got.substr(0, ii) + "u" + got.substr(ii + 2));
    };
    // How the words of `ph` after its first are read: 0 as printed, 1 with
    // one misread, 2 otherwise (or past the row's end).
    auto rest_misread = [&](const Phrase& ph) {
      if (p + ph.tokens.size() > t.size()) return 2;
      int misread = 0;
      for (size_t k = 1; misread < 2 && k < ph.tokens.size(); ++k) {
        if (ph.tokens[k] != t[p + k].text) misread += near(ph, k) ? 1 : 2;
      }
      return std::min(misread, 2);
    };
    // The longest phrase whose first word is read as printed and the others
    // too, or all but one misread ("termin ptatnosci": not "termin" alone).
    if (auto it = by_first_.find(t[p].text); it != by_first_.end()) {
      for (size_t i : it->second) {
        const int misread = rest_misread(phrases_[i]);
        if (misread < 2) {
          found = &phrases_[i];
          fuzzy = misread == 1;
          break;  // longest first
        }
      }
    }
    // Else one whose first word is misread, the others not ("condicees de
    // pagamento").
    if (!found && t[p].text.size() >= 6 && !Knows(t[p].text)) {
      for (const Phrase& ph : phrases_) {
        if (near(ph, 0) && rest_misread(ph) == 0) {
          found = &ph;
          fuzzy = true;
          break;
        }
      }
    }
    // Or whose first word is a capital "I" read as a small "l", the others
    // read as printed ("l alt" for "I alt").
    if (!found && t[p].text == "l") {
      if (auto it = by_first_.find("i"); it != by_first_.end()) {
        for (size_t i : it->second) {
          if (phrases_[i].tokens.size() >= 2 &&
              rest_misread(phrases_[i]) == 0) {
            found = &phrases_[i];
            fuzzy = true;
            break;
          }
        }
      }
    }
    if (!found) {
      ++p;
      continue;
    }
    out.push_back({found, p, p + found->tokens.size() - 1, fuzzy});
    p += found->tokens.size();
  }
  return out;
}

// --------------------------------------------------------------- confidence

double Round3(double x) { return std::round(x * 1000) / 1000; }

double Confidence(double ocr, double evidence) {
  return Round3(std::clamp(ocr, 0.0, 1.0) *
                std::clamp(0.25 + 0.7 * std::min(1.0, evidence), 0.05, 0.97));
}

core::Field MakeField(std::string value, double confidence, int page,
                      const Span& span) {
  core::Field f;
  f.value = std::move(value);
  f.confidence = confidence;
  f.page = page;
  if (!span.empty) {
    f.bbox = span.box;
    f.text = span.text;
  }
  return f;
}

bool SetField(core::Extraction& out, const std::string& name,
              core::Field field) {
  if (field.value.empty()) return false;
  auto it = out.fields.find(name);
  if (it != out.fields.end() && it->second.confidence >= field.confidence) {
    return false;
  }
  out.fields[name] = std::move(field);
  return true;
}

int MinorDigitsOf(const core::Extraction& out) {
  auto it = out.fields.find("currency");
  return core::MinorDigits(it == out.fields.end() ? "" : it->second.value);
}

}  // namespace invoices::extract::internal
