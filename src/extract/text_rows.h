// Internal to the extract module: a page as visual rows for the extractors
// that read labelled values and tables (identifiers.cpp, line_items.cpp).
//
// OCR lines that share a baseline are merged into one row even when layout
// analysis put them in different blocks (a label in one column, its value in
// the next; a table's descriptions and prices), words ordered left to right.
// Each row carries its folded label tokens with their byte spans, so that a
// caller can match labels in several languages and map a value back to the
// words, boxes and confidences it came from.
//
// Also here: the confidence formula and the field-setting rule of fields.cpp
// (a field is replaced only by a value read with higher confidence), so that
// every extractor weighs evidence the same way.
//
// Thread safety: pure functions over their arguments; label tables are
// immutable after first use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "invoices/core/extraction.h"
#include "invoices/extract/ocr_engine.h"
#include "invoices/extract/text_parse.h"

namespace invoices::extract::internal {

// One word-like run of a row: letters and digits, folded (lower case,
// accents stripped, "0" read as "o" in words of two letters or more), or "#"
// for the number signs '#', '°', 'º' and '№'.
struct RowToken {
  std::string text;
  size_t word = 0;            // index into Row::words
  size_t begin = 0, end = 0;  // bytes in Row::text
};

struct Row {
  std::vector<OcrWord> words;      // left to right
  std::string text;                // words joined by ' ', by "  " at a gap
  std::vector<size_t> word_begin;  // byte offset of each word in `text`
  std::vector<RowToken> tokens;
  std::vector<AmountToken> amounts;  // FindAmounts(text)
  core::BBox box;
  int height = 1;         // of the row's box
  double confidence = 0;  // mean word confidence
  int letters = 0, digits = 0;
  // Whether a column gap (wider than the text is high) follows word `w`.
  bool GapAfter(size_t w) const;
  // The index of the word holding byte `b` of `text`, or the first word
  // starting after it; words.size() when none.
  size_t WordAt(size_t b) const;
};

// The rows of `page`, top to bottom. Empty lines are dropped. Lines beside
// each other whose boxes overlap vertically by `min_overlap` of the smaller
// one are one row.
std::vector<Row> BuildRows(const OcrPage& page, double min_overlap = 0.5);

// `page` with a line per row of BuildRows, its words left to right.
OcrPage RowsAsPage(const OcrPage& page, double min_overlap);

// Whether a gap between words of one row, `gap` px wide, parts two columns
// (blocks side by side) rather than two words: wider than twice the words'
// height `word_height`.
inline bool IsColumnGap(int gap, int word_height) {
  return gap > 2 * word_height;
}

// `page` read column by column, as a person reads a letterhead: each row of
// BuildRows split at column gaps (IsColumnGap: two
// blocks side by side, "Bill to" beside the vendor, a title beside the
// name), and the pieces gathered into blocks, a piece going under the piece
// right above it that it overlaps horizontally. Blocks come top to bottom
// (by their first line), left to right; their lines in order, each line's
// words numbered with its block (`OcrWord::block`).
OcrPage ColumnsAsPage(const OcrPage& page);

// `page` with table cells that wrapped in a narrow column read as one word
// each, where OCR and text layers read a line apart:
// - a value broken after a separator ("18-06-" over "2021", "INV-2020-" over
//   "4606"): the rest is the word right under it, left-aligned with it;
// - a label on two lines ("Fecha de" over "vencimiento:", a colon ending
//   only the second) beside a value centred between the two lines, as
//   tables centre their cells: one word on both lines, so that the value's
//   row is the label's.
// Lines keep their order; a line left empty goes.
OcrPage JoinWrappedCells(const OcrPage& page);

// The median row height (at least 1).
double MedianHeight(const std::vector<Row>& rows);

// Words of a row with their union box, joined text and mean confidence.
struct Span {
  core::BBox box;
  std::string text;
  double confidence = 0;
  bool empty = true;
};

// The words overlapping bytes [begin, end) of `row.text`.
Span WordsIn(const Row& row, size_t begin, size_t end);
// Words [first, last) of `row`.
Span WordRange(const Row& row, size_t first, size_t last);
// Two spans as one.
Span Join(const Span& a, const Span& b);

core::BBox Union(const core::BBox& a, const core::BBox& b);
// Overlap of the two boxes along y (x), as a share of the smaller one.
double VerticalOverlap(const core::BBox& a, const core::BBox& b);
double HorizontalOverlap(const core::BBox& a, const core::BBox& b);

// Whether `a` and `b` differ by at most one insertion, deletion or
// substitution of a code point ("πληρφωτεο" and "πληρωτεο").
bool WithinOneEdit(std::string_view a, std::string_view b);

// Whether `part` is `whole` with its leading digits lost, as OCR drops the
// first group of a large bold total ("5 697,12" read "| 697,12", "3 119,00"
// read "З 119,00"): four digits or more, the last of whole's (both in minor
// units).
bool LeadingDigitsLost(int64_t whole, int64_t part);

// White space runs as single spaces, trimmed.
std::string CollapseSpaces(std::string_view s);

// Letters in `s`: ASCII letters, and the lead bytes of UTF-8 letters
// (Latin, Greek, Cyrillic, CJK...; not the punctuation and signs led by
// C2 and E2, such as "—" and "€").
int CountLetters(std::string_view s);
// ASCII digits in `s`.
int CountDigits(std::string_view s);
// Characters (code points) in UTF-8 `s`: its bytes but continuation bytes.
size_t CountCodePoints(std::string_view s);

// Whether at least half of `line`'s height lies within the rows of `box`.
bool WithinRows(const OcrLine& line, const core::BBox& box);

// The first of `boxes` whose rows `line` lies in and whose columns it reaches
// into, or nullptr: a customer's name and the vendor's may share rows in two
// columns.
const core::BBox* BoxOfLine(const OcrLine& line,
                            const std::vector<core::BBox>& boxes);

// Whether `text` is a company's legal form alone ("AG", "GmbH & Co. KG",
// "Sdn. Bhd."), perhaps with a registration number after it: the end of a
// name that wrapped onto a line of its own. (fields.cpp's legal forms.)
bool IsLegalForm(std::string_view text);

// `page` with the OCR confusions that general evidence can tell undone
// (fields.cpp's: "SON BHD" for "SDN BHD", "D.1.Y." for "D.I.Y.", "Sp. z 0.0."
// for "Sp. z o.o."), boxes unchanged: the page the vendor's and the
// receiver's names are read from.
OcrPage UndoConfusions(const OcrPage& page);

// A company's name with a trade word or its legal form misread by a letter
// that OCR confuses spelt again ("INTERNATIGNAL", "S.r.I."): fields.cpp's
// respelling of the vendor's name, for the receiver's.
std::string RespellCompanyName(std::string_view name);

// Labels after which another party's block follows, the receiver's ("Bill
// to", "Rechnung an") or where goods go ("Ship to"), in folded form; those
// that are labels only before a colon ("An:") left out, unless
// `with_colon_only`, which gives only those. (identifiers.cpp's party
// labels, which read the receiver's name and address after them.)
std::vector<std::string> PartyLabels(bool with_colon_only = false);

// ------------------------------------------------------------------- labels

// A label phrase in folded tokens ("invoice no" is {"invoice", "no"}).
struct Phrase {
  std::vector<std::string> tokens;
  int kind = 0;         // the caller's meaning
  double strength = 1;  // how surely the phrase is this label, 0..1
  uint32_t flags = 0;   // the caller's flags
};

// A phrase found in a row.
struct LabelHit {
  const Phrase* phrase = nullptr;
  size_t first = 0, last = 0;  // token indices, inclusive
  bool fuzzy = false;          // a long word matched within one edit
};

// A table of phrases, longest first, indexed by first token.
class PhraseTable {
 public:
  explicit PhraseTable(std::vector<Phrase> phrases);
  // Phrases of `row` from left to right, longest first at each token and
  // without overlaps. Else, as fuzzy: a phrase with one word of six letters
  // or more read within one edit as a token that is no word of the table
  // ("condicees de pagamento" for "condicoes de pagamento").
  std::vector<LabelHit> Match(const Row& row) const;
  // Whether `token` is a word of any phrase.
  bool Knows(std::string_view token) const;
  const std::vector<Phrase>& phrases() const { return phrases_; }

 private:
  std::vector<Phrase> phrases_;
  // Phrases by their first word, longest first.
  std::unordered_map<std::string, std::vector<size_t>> by_first_;
  std::vector<std::string> words_;  // sorted, unique
};

// --------------------------------------------------------------- confidence

double Round3(double x);
// Confidence of a value from the OCR confidence of its words and the
// strength of the evidence for it (0..1): the formula of fields.cpp.
double Confidence(double ocr, double evidence);

// A field read from `span` on page `page`.
core::Field MakeField(std::string value, double confidence, int page,
                      const Span& span);
// Sets `out.fields[name]` unless it holds a value with the same or higher
// confidence (the rule of fields.cpp), or `field.value` is empty. Returns
// whether it was set.
bool SetField(core::Extraction& out, const std::string& name,
              core::Field field);

// The minor digits of the currency already read into `out` (2 when none).
int MinorDigitsOf(const core::Extraction& out);

// Whether `row` is the header of an item table ("Description Qty Price
// Amount"; line_items.cpp): a customer's address ends above it.
bool IsItemsHeader(const Row& row);

}  // namespace invoices::extract::internal
