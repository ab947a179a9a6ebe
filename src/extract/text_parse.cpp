#include "invoices/extract/text_parse.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <utility>

#include "invoices/core/strings.h"

namespace invoices::extract {
namespace {

// ------------------------------------------------------------------ UTF-8

// One code point and the bytes it occupies. Invalid bytes decode one by one
// to U+FFFD so that spans always stay inside the text.
struct Cp {
  char32_t c;
  size_t begin, end;
};

std::vector<Cp> Decode(std::string_view s) {
  std::vector<Cp> out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    char32_t c = 0;
    size_t n = 1;
    if (b < 0x80) {
      c = b;
    } else if ((b >> 5) == 0x6) {
      c = b & 0x1F;
      n = 2;
    } else if ((b >> 4) == 0xE) {
      c = b & 0x0F;
      n = 3;
    } else if ((b >> 3) == 0x1E) {
      c = b & 0x07;
      n = 4;
    } else {
      n = 0;
    }
    bool valid = n > 0 && i + n <= s.size();
    for (size_t k = 1; valid && k < n; ++k) {
      const auto cont = static_cast<unsigned char>(s[i + k]);
      if ((cont & 0xC0) != 0x80) valid = false;
      c = (c << 6) | (cont & 0x3F);
    }
    if (!valid) {
      c = 0xFFFD;
      n = 1;
    }
    out.push_back({c, i, i + n});
    i += n;
  }
  return out;
}

bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }

bool IsLetter(char32_t c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  if (c >= 0xC0 && c <= 0x24F) return c != 0xD7 && c != 0xF7;
  return c == 0xB5 ||                     // the micro sign, read for "μ"
         (c >= 0x370 && c <= 0x52F) ||    // Greek, Cyrillic
         (c >= 0x1F00 && c <= 0x1FFF) ||  // Greek with breathings
         (c >= 0x3040 && c <= 0x30FF) ||  // kana
         (c >= 0x3400 && c <= 0x9FFF) ||  // CJK ideographs
         (c >= 0xAC00 && c <= 0xD7AF);    // Hangul
}

bool IsAlnum(char32_t c) { return IsDigit(c) || IsLetter(c); }

// Spaces that separate words or digit groups: space, tab, no-break space,
// figure space, thin space, narrow no-break space.
bool IsSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == 0xA0 || c == 0x2007 || c == 0x2009 ||
         c == 0x202F;
}

bool IsMinus(char32_t c) { return c == '-' || c == 0x2212; }

// The accent-free lower-case letters of U+00C0..U+017F; nullptr when the code
// point is not a letter of that range.
const char* FoldLatin(char32_t c) {
  static constexpr std::array<const char*, 64> kLatin1 = {
      "a",     "a",     "a", "a", "a", "a",  "ae", "c",  "e",  "e",  "e",
      "e",     "i",     "i", "i", "i", "d",  "n",  "o",  "o",  "o",  "o",
      "o",     nullptr, "o", "u", "u", "u",  "u",  "y",  "th", "ss", "a",
      "a",     "a",     "a", "a", "a", "ae", "c",  "e",  "e",  "e",  "e",
      "i",     "i",     "i", "i", "d", "n",  "o",  "o",  "o",  "o",  "o",
      nullptr, "o",     "u", "u", "u", "u",  "y",  "th", "y"};
  if (c >= 0xC0 && c <= 0xFF) return kLatin1[c - 0xC0];
  // Romanian's letters with a comma below (Latin Extended-B).
  if (c >= 0x218 && c <= 0x21B) return c <= 0x219 ? "s" : "t";
  if (c < 0x100 || c > 0x17F) return nullptr;
  // Latin Extended-A: ranges of upper/lower pairs sharing a base letter.
  struct Range {
    char32_t last;
    const char* base;
  };
  static constexpr std::array<Range, 22> kExtA = {{
      {0x105, "a"}, {0x10D, "c"}, {0x111, "d"},  {0x11B, "e"},  {0x123, "g"},
      {0x127, "h"}, {0x131, "i"}, {0x133, "ij"}, {0x135, "j"},  {0x138, "k"},
      {0x142, "l"}, {0x14B, "n"}, {0x151, "o"},  {0x153, "oe"}, {0x159, "r"},
      {0x161, "s"}, {0x167, "t"}, {0x173, "u"},  {0x175, "w"},  {0x178, "y"},
      {0x17E, "z"}, {0x17F, "s"},
  }};
  for (const Range& r : kExtA) {
    if (c <= r.last) return r.base;
  }
  return nullptr;
}

bool IsGreek(char32_t c) {
  return (c >= 0x386 && c <= 0x3CE) || (c >= 0x1F00 && c <= 0x1FFC);
}
bool IsCyrillic(char32_t c) { return c >= 0x400 && c <= 0x4FF; }

// The lower-case Greek or Cyrillic letter `c` stands for, without accents
// or breathings (the polytonic forms OCR models sometimes read), final
// sigma as sigma, "ё" as "е", the micro sign OCR reads for "μ" as "μ"; 0
// when `c` is no Greek or Cyrillic letter.
char32_t FoldGreekCyrillic(char32_t c) {
  if (c == 0xB5) return 0x3BC;
  if (c >= 0x391 && c <= 0x3A9) return c + 0x20;  // capitals
  if (c >= 0x3B1 && c <= 0x3C9) return c == 0x3C2 ? 0x3C3 : c;
  if (c >= 0x386 && c <= 0x3CE) {
    // Ά Έ Ή Ί Ό Ύ Ώ, ΐ ΰ, Ϊ Ϋ, ά έ ή ί, ϊ ϋ ό ύ ώ.
    switch (c) {
      case 0x386:
      case 0x3AC:
        return 0x3B1;
      case 0x388:
      case 0x3AD:
        return 0x3B5;
      case 0x389:
      case 0x3AE:
        return 0x3B7;
      case 0x38A:
      case 0x390:
      case 0x3AA:
      case 0x3AF:
      case 0x3CA:
        return 0x3B9;
      case 0x38C:
      case 0x3CC:
        return 0x3BF;
      case 0x38E:
      case 0x3B0:
      case 0x3AB:
      case 0x3CB:
      case 0x3CD:
        return 0x3C5;
      case 0x38F:
      case 0x3CE:
        return 0x3C9;
      default:
        return 0;
    }
  }
  if (c >= 0x1F00 && c <= 0x1FFC) {
    // Greek Extended: rows of one vowel with breathings and accents.
    static constexpr char32_t kRows[] = {0x3B1, 0x3B5, 0x3B7, 0x3B9,
                                         0x3BF, 0x3C5, 0x3C9};
    if (c < 0x1F70) return kRows[(c - 0x1F00) >> 4];
    if (c < 0x1F7E) {
      static constexpr char32_t kPairs[] = {0x3B1, 0x3B5, 0x3B7, 0x3B9,
                                            0x3BF, 0x3C5, 0x3C9};
      return kPairs[(c - 0x1F70) >> 1];
    }
    if (c < 0x1F90) return 0x3B1;
    if (c < 0x1FA0) return 0x3B7;
    if (c < 0x1FB0) return 0x3C9;
    if (c < 0x1FBD) return 0x3B1;
    if (c >= 0x1FC2 && c <= 0x1FCC)
      return c == 0x1FC8 || c == 0x1FC9 ? 0x3B5 : 0x3B7;
    if (c >= 0x1FD0 && c <= 0x1FDB) return 0x3B9;
    if (c >= 0x1FE0 && c <= 0x1FEC) {
      return c == 0x1FE4 || c == 0x1FE5 || c == 0x1FEC ? 0x3C1 : 0x3C5;
    }
    if (c >= 0x1FF2 && c <= 0x1FFC)
      return c == 0x1FF8 || c == 0x1FF9 ? 0x3BF : 0x3C9;
    return 0;
  }
  if (c == 0x401 || c == 0x451) return 0x435;     // Ё ё -> е
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;  // А..Я
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;  // Ѐ..Џ (Ukrainian Є І Ї)
  if (c >= 0x430 && c <= 0x45F) return c;
  if (c == 0x490 || c == 0x491) return 0x491;  // Ґ ґ
  return 0;
}

// Latin letters and the Cyrillic and Greek letters they look like, in
// pairs ("S" for "Σ", as models that read both scripts read it).
constexpr std::string_view kLatinC = "ABCEHIKMOPTXYacekiopxyr";
constexpr char32_t kCyrillic[] = {0x410, 0x412, 0x421, 0x415, 0x41D, 0x406,
                                  0x41A, 0x41C, 0x41E, 0x420, 0x422, 0x425,
                                  0x423, 0x430, 0x441, 0x435, 0x43A, 0x456,
                                  0x43E, 0x440, 0x445, 0x443, 0x433};
constexpr std::string_view kLatinG = "ABEHIKMNOPSTXYZaikopuvx";
constexpr char32_t kGreek[] = {0x391, 0x392, 0x395, 0x397, 0x399, 0x39A,
                               0x39C, 0x39D, 0x39F, 0x3A1, 0x3A3, 0x3A4,
                               0x3A7, 0x3A5, 0x396, 0x3B1, 0x3B9, 0x3BA,
                               0x3BF, 0x3C1, 0x3C5, 0x3BD, 0x3C7};

// The Greek (`greek`) or Cyrillic letter a Latin letter looks like, a
// capital for a capital; 0 when it looks like none.
char32_t LookalikeIn(bool greek, char32_t c) {
  if (c >= 0x80) return 0;
  const std::string_view from = greek ? kLatinG : kLatinC;
  const size_t i = from.find(static_cast<char>(c));
  if (i == std::string_view::npos) return 0;
  return greek ? kGreek[i] : kCyrillic[i];
}

// The Latin letter a Greek or Cyrillic letter looks like; 0 when none.
char LatinLookalikeOf(char32_t c) {
  for (size_t i = 0; i < kLatinC.size(); ++i) {
    if (kCyrillic[i] == c) return kLatinC[i];
  }
  for (size_t i = 0; i < kLatinG.size(); ++i) {
    if (kGreek[i] == c) return kLatinG[i];
  }
  return 0;
}

// ---------------------------------------------------------------- currency

struct CurrencyInfo {
  std::string_view code;
  bool ambiguous;
};

std::optional<CurrencyInfo> SymbolCurrency(char32_t c) {
  switch (c) {
    case U'€':
      return CurrencyInfo{"EUR", false};
    case U'£':
      return CurrencyInfo{"GBP", false};
    case U'$':
      return CurrencyInfo{"USD", true};
    case U'¥':
    case 0xFFE5:  // full-width yen
      return CurrencyInfo{"JPY", true};
    case U'₹':
      return CurrencyInfo{"INR", false};
    case U'₩':
      return CurrencyInfo{"KRW", false};
    case U'฿':
      return CurrencyInfo{"THB", false};
    case U'₱':
      return CurrencyInfo{"PHP", false};
    case U'₫':
      return CurrencyInfo{"VND", false};
    case U'₺':
      return CurrencyInfo{"TRY", false};
    case U'₽':
      return CurrencyInfo{"RUB", false};
    case U'₪':
      return CurrencyInfo{"ILS", false};
    case U'₦':
      return CurrencyInfo{"NGN", false};
    case U'₴':
      return CurrencyInfo{"UAH", false};
    default:
      return std::nullopt;
  }
}

// Letters printed right before '$'.
std::optional<CurrencyInfo> DollarPrefix(std::string_view letters) {
  static const std::unordered_map<std::string_view, std::string_view> kMap = {
      {"US", "USD"}, {"S", "SGD"},  {"SG", "SGD"}, {"A", "AUD"},
      {"AU", "AUD"}, {"C", "CAD"},  {"CA", "CAD"}, {"CAN", "CAD"},
      {"NZ", "NZD"}, {"HK", "HKD"}, {"R", "BRL"},  {"MX", "MXN"},
      {"NT", "TWD"}, {"B", "BND"},  {"RD", "DOP"}};
  auto it = kMap.find(letters);
  if (it == kMap.end()) return std::nullopt;
  return CurrencyInfo{it->second, false};
}

// Whole words that name a currency. ISO codes that are also common words
// (ALL, TOP, CUP, PEN, MAD, TRY, GEL, BOB, MOP) are left out on purpose.
std::optional<CurrencyInfo> WordCurrency(std::string_view word) {
  static const std::unordered_map<std::string_view, CurrencyInfo> kWords = {
      {"RM", {"MYR", false}},
      {"Rp", {"IDR", false}},
      {"Rs", {"INR", true}},
      {"Euro", {"EUR", false}},
      {"EURO", {"EUR", false}},
      {"euro", {"EUR", false}},
      {"Eur", {"EUR", false}},
      {"RMB", {"CNY", false}},
      {"zł", {"PLN", false}},
      {"Kč", {"CZK", false}},
      {"KČ", {"CZK", false}},
      {"Kc", {"CZK", false}},
      {"TL", {"TRY", false}},
      {"Ft", {"HUF", false}},
      {"FT", {"HUF", false}},
      {"lei", {"RON", false}},
      {"Lei", {"RON", false}},
      {"LEI", {"RON", false}},
      {"лв", {"BGN", false}},
      {"Лв", {"BGN", false}},
      {"ЛВ", {"BGN", false}},
      {"руб", {"RUB", false}},
      {"Руб", {"RUB", false}},
      {"РУБ", {"RUB", false}},
      {"грн", {"UAH", false}},
      {"Грн", {"UAH", false}},
      {"ГРН", {"UAH", false}},
      // The crown of Sweden, Denmark and Norway: ChooseCurrency tells
      // which by the page's language.
      {"kr", {"SEK", true}},
      {"Kr", {"SEK", true}},
      {"KR", {"SEK", true}},
  };
  if (auto it = kWords.find(word); it != kWords.end()) return it->second;
  static constexpr std::array<std::string_view, 59> kIso = {
      "AED", "ARS", "AUD", "BDT", "BGN", "BHD", "BND", "BRL", "CAD", "CHF",
      "CLP", "CNY", "COP", "CZK", "DKK", "EGP", "EUR", "GBP", "HKD", "HRK",
      "HUF", "IDR", "ILS", "INR", "ISK", "JOD", "JPY", "KES", "KHR", "KRW",
      "KWD", "KZT", "LKR", "MMK", "MXN", "MYR", "NGN", "NOK", "NZD", "OMR",
      "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SEK", "SGD",
      "THB", "TND", "TWD", "UAH", "USD", "VND", "XAF", "XOF", "ZAR"};
  if (word.size() == 3 &&
      std::find(kIso.begin(), kIso.end(), word) != kIso.end()) {
    return CurrencyInfo{word, false};
  }
  return std::nullopt;
}

// A currency mark with its span in code point indices [b, e).
struct MarkCp {
  CurrencyMark mark;
  size_t b, e;
};

std::vector<MarkCp> FindMarksCp(std::string_view text,
                                const std::vector<Cp>& cps) {
  std::vector<MarkCp> out;
  const size_t n = cps.size();
  auto add = [&](const CurrencyInfo& info, size_t b, size_t e) {
    out.push_back({CurrencyMark{std::string(info.code), info.ambiguous,
                                cps[b].begin, cps[e - 1].end},
                   b, e});
  };
  size_t k = 0;
  while (k < n) {
    if (IsLetter(cps[k].c)) {
      size_t r = k;
      while (r < n && IsLetter(cps[r].c)) ++r;
      const std::string_view word =
          text.substr(cps[k].begin, cps[r - 1].end - cps[k].begin);
      if (r < n && cps[r].c == '$') {
        if (auto info = DollarPrefix(word)) {
          add(*info, k, r + 1);
          k = r + 1;
          continue;
        }
      }
      if (auto info = WordCurrency(word)) {
        // "Rs." and "kr." keep their abbreviation dot, "Rs" also where OCR
        // put a space before it ("Rs .2,937.62").
        const bool dot =
            (word == "Rs" || word == "kr") && r < n && cps[r].c == '.';
        const bool spaced_dot = word == "Rs" && r + 2 < n &&
                                IsSpace(cps[r].c) && cps[r + 1].c == '.' &&
                                IsDigit(cps[r + 2].c);
        // "BHD" is the Bahraini dinar next to a number, and "Berhad" (a
        // Malaysian legal form) anywhere else; "CAD" the Canadian dollar,
        // and "Cad." (a Turkish street) anywhere else; "Ft" the forint, and
        // feet anywhere else.
        auto digit_near = [&] {
          const bool before =
              (k >= 1 && IsDigit(cps[k - 1].c)) ||
              (k >= 2 && IsSpace(cps[k - 1].c) && IsDigit(cps[k - 2].c));
          const bool after =
              (r < n && IsDigit(cps[r].c)) ||
              (r + 1 < n && IsSpace(cps[r].c) && IsDigit(cps[r + 1].c));
          return before || after;
        };
        if ((word != "BHD" && word != "CAD" && word != "Ft" && word != "FT") ||
            digit_near()) {
          add(*info, k, dot ? r + 1 : spaced_dot ? r + 2 : r);
        }
      }
      k = r;
      continue;
    }
    if (auto info = SymbolCurrency(cps[k].c)) add(*info, k, k + 1);
    ++k;
  }
  return out;
}

// ----------------------------------------------------------------- amounts

struct Number {
  int64_t units = 0;
  int scale = 0;
  bool fraction = false, grouped = false, ambiguous = false;
};

bool IsPoint(char32_t c) { return c == '.' || c == ','; }

// Separators that may sit between digit groups inside one word.
bool IsInWordSeparator(char32_t c) {
  return IsPoint(c) || c == '\'' || c == 0x2019 || c == 0xA0 || c == 0x2009 ||
         c == 0x202F;
}

// Decides what the separators of a digit run mean; see ParseAmount.
std::optional<Number> Interpret(const std::vector<std::string>& groups,
                                const std::vector<char32_t>& seps, char hint,
                                int minor_digits) {
  Number num;
  int dec = -1;  // index into seps of the decimal separator
  if (!seps.empty() && IsPoint(seps.back())) {
    const char32_t last = seps.back();
    const auto count = std::count(seps.begin(), seps.end(), last);
    const size_t after = groups.back().size();
    const int last_index = static_cast<int>(seps.size()) - 1;
    if (hint != 0) {
      if (last == static_cast<char32_t>(hint) && count == 1) dec = last_index;
    } else if (count > 1) {
      // "1,234,567": every separator groups.
    } else if (after != 3 || seps.size() > 1 || groups.front() == "0" ||
               minor_digits == 3) {
      dec = last_index;
    } else {
      num.ambiguous = true;  // "1,234" / "1.234": read as grouping
    }
  }
  const size_t int_groups = dec >= 0 ? groups.size() - 1 : groups.size();
  const size_t group_seps = int_groups - 1;
  for (size_t i = 0; i < group_seps; ++i) {
    if (seps[i] != seps[0]) return std::nullopt;
  }
  if (group_seps > 0) {
    if (dec >= 0 && seps[0] == seps[dec]) return std::nullopt;
    if (hint != 0 && seps[0] == static_cast<char32_t>(hint)) {
      return std::nullopt;
    }
    const std::string& first = groups.front();
    if (first.empty() || first.size() > 3 || first[0] == '0') {
      return std::nullopt;
    }
    bool western = true, indian = seps[0] == ',';
    for (size_t i = 1; i < int_groups; ++i) {
      const size_t len = groups[i].size();
      if (len != 3) western = false;
      if (i + 1 == int_groups ? len != 3 : len != 2) indian = false;
    }
    if (!western && !indian) return std::nullopt;
    num.grouped = true;
  } else {
    const std::string& whole = groups.front();
    if (whole.size() > 12 || (whole.size() > 1 && whole[0] == '0')) {
      return std::nullopt;
    }
  }
  std::string digits;
  for (size_t i = 0; i < int_groups; ++i) digits += groups[i];
  if (dec >= 0) {
    const std::string& fraction = groups.back();
    if (fraction.size() > static_cast<size_t>(core::Decimal::kMaxScale)) {
      return std::nullopt;
    }
    digits += fraction;
    num.scale = static_cast<int>(fraction.size());
    num.fraction = true;
  }
  if (digits.size() > 15) return std::nullopt;
  for (char c : digits) num.units = num.units * 10 + (c - '0');
  return num;
}

std::vector<AmountToken> FindAmountsIn(const std::vector<Cp>& cps,
                                       const std::vector<MarkCp>& marks,
                                       const AmountOptions& options) {
  std::vector<AmountToken> out;
  const size_t n = cps.size();
  auto at = [&](size_t k) -> char32_t { return k < n ? cps[k].c : 0; };
  auto mark_ending_at = [&](size_t k) -> const MarkCp* {
    for (const MarkCp& m : marks) {
      if (m.e == k) return &m;
    }
    return nullptr;
  };
  auto mark_beginning_at = [&](size_t k) -> const MarkCp* {
    for (const MarkCp& m : marks) {
      if (m.b == k) return &m;
    }
    return nullptr;
  };
  // Code points before `taken` belong to amounts already found: a mark
  // between two numbers ("10SGD0") goes to the first, never to both.
  size_t taken = 0;
  auto free_mark_ending_at = [&](size_t k) -> const MarkCp* {
    const MarkCp* m = mark_ending_at(k);
    return m != nullptr && m->b >= taken ? m : nullptr;
  };
  // Whether a number may start at `k`: not glued to a word, an id, a date or
  // a time, unless what precedes it is a currency mark.
  auto valid_start = [&](size_t k) {
    if (k == 0 || free_mark_ending_at(k)) return true;
    const char32_t prev = cps[k - 1].c;
    if (IsLetter(prev)) return false;
    if (IsPoint(prev) || prev == '/' || prev == ':' || prev == '#' ||
        prev == '_' || prev == '\\' || prev == '\'' || prev == 0x2019 ||
        prev == 0xB0 || prev == 0xFFFD) {
      return false;
    }
    if (IsMinus(prev) && k >= 2) {
      const char32_t pp = cps[k - 2].c;
      if (IsDigit(pp)) return false;
      if (IsLetter(pp) && !mark_ending_at(k - 1)) return false;
    }
    return true;
  };

  size_t k = 0;
  while (k < n) {
    if (!IsDigit(cps[k].c)) {
      ++k;
      continue;
    }
    const size_t start = k;
    std::vector<std::string> groups;
    std::vector<char32_t> seps;
    std::vector<size_t> sep_at;
    auto read_digits = [&] {
      std::string g;
      while (k < n && IsDigit(cps[k].c)) g += static_cast<char>(cps[k++].c);
      return g;
    };
    auto digit_run = [&](size_t from) {
      size_t len = 0;
      while (IsDigit(at(from + len))) ++len;
      return len;
    };
    groups.push_back(read_digits());
    // On a page of whole amounts grouped by spaces, four to six digits, a
    // space and three more are one number whose first space OCR lost
    // ("1565 910" for "1 565 910").
    if (options.whole_space_groups && groups[0].size() >= 4 &&
        groups[0].size() <= 6 && at(k) == ' ' && digit_run(k + 1) == 3 &&
        !IsPoint(at(k + 4)) && !(at(k + 4) == ' ' && IsDigit(at(k + 5)))) {
      ++k;
      groups[0] += read_digits();
    }
    while (k < n) {
      const char32_t c = cps[k].c;
      const bool in_word = IsInWordSeparator(c) && IsDigit(at(k + 1));
      // An ordinary space groups only "1 234": up to three digits before it
      // and exactly three after it.
      const bool space_group =
          c == ' ' && groups.back().size() <= 3 && digit_run(k + 1) == 3 &&
          (groups.size() == 1 || groups.back().size() == 3);
      // OCR doubles a decimal point before the cents ("14,.51"): the
      // second one is the point.
      if (IsPoint(c) && IsPoint(at(k + 1)) && digit_run(k + 2) == 2 &&
          !IsPoint(at(k + 4)) && !IsDigit(at(k + 4))) {
        seps.push_back(at(k + 1));
        sep_at.push_back(k + 1);
        k += 2;
        groups.push_back(read_digits());
        break;
      }
      if (!in_word && !space_group) break;
      seps.push_back(c);
      sep_at.push_back(k);
      ++k;
      groups.push_back(read_digits());
    }
    // Ordinary spaces stay grouping only before a decimal comma ("1 234,50"),
    // or with no point at all where the page prints whole amounts so.
    if (auto it = std::find(seps.begin(), seps.end(), U' '); it != seps.end()) {
      const bool comma_decimal =
          seps.back() == ',' && groups.back().size() <= 2 &&
          std::count(seps.begin(), seps.end(), U',') == 1;
      const bool whole = options.whole_space_groups &&
                         std::count(seps.begin(), seps.end(), U' ') ==
                             static_cast<std::ptrdiff_t>(seps.size());
      if (!comma_decimal && !whole) {
        const size_t first = static_cast<size_t>(it - seps.begin());
        k = sep_at[first];
        groups.resize(first + 1);
        seps.resize(first);
      } else if (whole && groups.size() > 3) {
        // Up to 999 999 999: more groups are numbers of columns side by
        // side ("1 804 000 804 000": a quantity, a price and an amount).
        k = sep_at[2];
        groups.resize(3);
        seps.resize(2);
      }
    }
    // OCR often puts a space after a decimal separator ("29. 70", "9, 60")
    // or before it ("295 .00"). Not when another separator follows, as in a
    // date ("10. 03. 2018").
    if (seps.empty() && groups[0].size() <= 6) {
      const bool after_point =
          IsPoint(at(k)) && at(k + 1) == ' ' && digit_run(k + 2) == 2;
      const bool before_point =
          at(k) == ' ' && IsPoint(at(k + 1)) && digit_run(k + 2) == 2;
      const char32_t after = at(k + 4);
      if ((after_point || before_point) && !IsPoint(after) && after != '/' &&
          after != ':' && !IsMinus(after)) {
        const size_t point = after_point ? k : k + 1;
        seps.push_back(at(point));
        sep_at.push_back(point);
        k += 2;
        groups.push_back(read_digits());
      }
    }
    // Or after a thousands comma, before three digits and the decimals
    // ("10, 584.42").
    if (seps.empty() && groups[0].size() <= 3 && at(k) == ',' &&
        at(k + 1) == ' ' && digit_run(k + 2) == 3 && at(k + 5) == '.' &&
        digit_run(k + 6) == 2) {
      seps.push_back(',');
      sep_at.push_back(k);
      k += 2;
      groups.push_back(read_digits());
      seps.push_back('.');
      sep_at.push_back(k);
      ++k;
      groups.push_back(read_digits());
    }
    const size_t end = k;  // one past the last digit
    if (!valid_start(start)) continue;

    // What follows must not make the number part of a date, time, range,
    // percentage or phone number.
    const char32_t next = at(end);
    if (next == '%' || (IsSpace(next) && at(end + 1) == '%')) continue;
    if ((next == '/' || next == ':' || IsMinus(next)) && IsDigit(at(end + 1))) {
      continue;
    }
    if (next == 0xB0) continue;  // degrees

    // Sign and currency before the number.
    size_t q = start;
    bool negative = false;
    const MarkCp* prefix = nullptr;
    if (q > taken && IsMinus(at(q - 1))) {
      negative = true;
      --q;
    }
    if (const MarkCp* m = free_mark_ending_at(q)) {
      prefix = m;
    } else if (q > taken && IsSpace(at(q - 1)) && free_mark_ending_at(q - 1)) {
      prefix = free_mark_ending_at(q - 1);
    }
    if (prefix) {
      q = prefix->b;
      if (!negative && q > taken && IsMinus(at(q - 1)) &&
          (q < 2 || !IsAlnum(at(q - 2)))) {
        negative = true;
        --q;
      }
    }
    const bool paren = q > taken && at(q - 1) == '(';

    // Currency and sign after the number.
    size_t e = end;
    const MarkCp* suffix = nullptr;
    if (!prefix) {
      if (const MarkCp* m = mark_beginning_at(e)) {
        suffix = m;
      } else if (IsSpace(at(e)) && mark_beginning_at(e + 1)) {
        suffix = mark_beginning_at(e + 1);
      }
    }
    const MarkCp* mark = prefix ? prefix : suffix;
    const int minor = mark ? core::MinorDigits(mark->mark.code) : 2;
    auto num = Interpret(groups, seps, options.decimal_separator, minor);
    if (!num) continue;
    // Letters glued to a number: a tax code after a price ("9.00SR") is
    // fine, a unit after a count ("1PC", "2x") or a month ("10MAR") is not.
    if (IsLetter(next) && !num->fraction && !mark_beginning_at(end)) continue;
    if (suffix) e = suffix->e;
    if (!negative && IsMinus(at(end)) && !IsAlnum(at(end + 1)) && !suffix) {
      negative = true;  // "5.00-"
      e = end + 1;
    }
    if (paren && at(e) == ')') {
      negative = true;
      --q;
      ++e;
    }

    AmountToken token;
    token.value =
        core::Decimal(negative ? -num->units : num->units, num->scale);
    token.begin = cps[q].begin;
    token.end = cps[e - 1].end;
    token.number_begin = cps[start].begin;
    token.number_end = cps[end - 1].end;
    if (mark) token.currency = mark->mark;
    token.has_fraction = num->fraction;
    token.grouped = num->grouped;
    token.separator_ambiguous = num->ambiguous;
    out.push_back(std::move(token));
    k = std::max(e, end);
    taken = k;
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// ------------------------------------------------------------------- dates

struct Tok {
  enum Kind { kNum, kAlpha, kSpace, kPunct } kind;
  size_t b, e;       // bytes
  std::string text;  // as printed
  char32_t c = 0;    // the character of a kPunct token
};

std::vector<Tok> Lex(std::string_view text, const std::vector<Cp>& cps) {
  std::vector<Tok> out;
  size_t k = 0;
  while (k < cps.size()) {
    const char32_t c = cps[k].c;
    Tok::Kind kind = IsDigit(c)    ? Tok::kNum
                     : IsLetter(c) ? Tok::kAlpha
                     : IsSpace(c)  ? Tok::kSpace
                                   : Tok::kPunct;
    size_t r = k + 1;
    if (kind != Tok::kPunct) {
      while (r < cps.size()) {
        const char32_t d = cps[r].c;
        const bool same = kind == Tok::kNum     ? IsDigit(d)
                          : kind == Tok::kAlpha ? IsLetter(d)
                                                : IsSpace(d);
        if (!same) break;
        ++r;
      }
    }
    const size_t b = cps[k].begin, e = cps[r - 1].end;
    out.push_back({kind, b, e, std::string(text.substr(b, e - b)),
                   kind == Tok::kPunct ? c : 0});
    k = r;
  }
  return out;
}

int MonthFromFolded(std::string word) {
  if (word.size() > 24) return 0;  // bytes: Greek and Cyrillic take two
  if (!word.empty() && word.back() == '.') word.pop_back();
  static const std::unordered_map<std::string, int> kMonths = [] {
    const std::vector<std::pair<int, std::vector<const char*>>> names = {
        {1,
         {"jan", "january", "januar", "janvier", "janv", "enero", "ene",
          "januari", "janner", "jaen", "gennaio", "gen", "jan"}},
        {2,
         {"feb", "february", "februar", "fevrier", "fevr", "fev", "febrero",
          "februari", "febbraio", "febr"}},
        {3,
         {"mar", "march", "marz", "maerz", "mars", "marzo", "mac", "maret",
          "maart", "mrt"}},
        {4, {"apr", "april", "avril", "avr", "abril", "abr", "aprile"}},
        {5, {"may", "mai", "mayo", "mei", "maggio", "mag"}},
        {6, {"jun", "june", "juni", "juin", "junio", "giugno", "giu"}},
        {7,
         {"jul", "july", "juli", "juillet", "juil", "julio", "luglio", "lug"}},
        {8,
         {"aug", "august", "aout", "agosto", "ago", "ogos", "ogo", "agustus",
          "augustus"}},
        {9,
         {"sep", "sept", "september", "septembre", "septiembre", "setiembre",
          "set", "settembre"}},
        {10,
         {"oct", "october", "oktober", "okt", "octobre", "octubre", "ottobre",
          "ott"}},
        {11, {"nov", "november", "novembre", "noviembre"}},
        {12,
         {"dec", "december", "dezember", "dez", "decembre", "diciembre", "dic",
          "dis", "disember", "dicembre", "desember"}},
        // Greek (genitive and nominative), Russian (genitive, nominative),
        // Bulgarian and Ukrainian (genitive), folded.
        {1,
         {"ιαν", "ιανουαριου", "ιανουαριοσ", "янв", "января", "январь",
          "януари", "січня"}},
        {2,
         {"φεβ", "φεβρουαριου", "φεβρουαριοσ", "фев", "февраля", "февраль",
          "февруари", "лютого"}},
        {3, {"μαρ", "μαρτιου", "μαρτιοσ", "мар", "марта", "март", "березня"}},
        {4,
         {"απρ", "απριλιου", "απριλιοσ", "апр", "апреля", "апрель", "април",
          "квітня"}},
        {5, {"μαι", "μαιου", "μαιοσ", "мая", "май", "травня"}},
        {6,
         {"ιουν", "ιουνιου", "ιουνιοσ", "июн", "июня", "июнь", "юни",
          "червня"}},
        {7,
         {"ιουλ", "ιουλιου", "ιουλιοσ", "июл", "июля", "июль", "юли", "липня"}},
        {8,
         {"αυγ", "αυγουστου", "αυγουστοσ", "авг", "августа", "август",
          "серпня"}},
        {9,
         {"σεπ", "σεπτ", "σεπτεμβριου", "σεπτεμβριοσ", "сен", "сент",
          "сентября", "сентябрь", "септември", "вересня"}},
        {10,
         {"οκτ", "οκτωβριου", "οκτωβριοσ", "окт", "октября", "октябрь",
          "октомври", "жовтня"}},
        {11,
         {"νοε", "νοεμβριου", "νοεμβριοσ", "ноя", "ноября", "ноябрь", "ноември",
          "листопада"}},
        {12,
         {"δεκ", "δεκεμβριου", "δεκεμβριοσ", "дек", "декабря", "декабрь",
          "декември", "грудня"}},
    };
    std::unordered_map<std::string, int> map;
    for (const auto& [month, words] : names) {
      for (const char* w : words) map.emplace(w, month);
    }
    return map;
  }();
  auto it = kMonths.find(word);
  return it == kMonths.end() ? 0 : it->second;
}

bool ValidYear(int year) { return year >= 1990 && year <= 2100; }

int FullYear(const Tok& t) {
  const int v = std::stoi(t.text);
  return t.text.size() == 2 ? 2000 + v : v;
}

std::optional<core::Date> MakeDate(int y, int m, int d) {
  if (!ValidYear(y)) return std::nullopt;
  auto date = core::Date::FromYmd(y, m, d);
  if (!date) return std::nullopt;
  return *date;
}

// A candidate date found in the token stream.
struct Match {
  size_t first, last;  // token indices, inclusive
  std::vector<core::Date> candidates;
  bool ambiguous = false;
  std::optional<DateOrder> evident;
};

class DateMatcher {
 public:
  DateMatcher(const std::vector<Tok>& toks, DateOrder order)
      : t_(toks), order_(order) {}

  std::optional<Match> At(size_t i) const {
    if (t_[i].kind == Tok::kNum) {
      // A year-first date may follow an id ("001-2016-07-31"); others must
      // not continue a longer number ("1.25/12/2018").
      if (Num(i, 4, 4) && NumericBoundaryBefore(i, /*year_first=*/true)) {
        for (auto fn : {&DateMatcher::Ymd, &DateMatcher::Cjk,
                        &DateMatcher::YearMonthDay}) {
          if (auto m = (this->*fn)(i); m && BoundaryAfter(m->last)) return m;
        }
      }
      if (!NumericBoundaryBefore(i, /*year_first=*/false)) return std::nullopt;
      for (auto fn : {&DateMatcher::Dmy, &DateMatcher::DayMonthYear}) {
        if (auto m = (this->*fn)(i); m && BoundaryAfter(m->last)) return m;
      }
      return std::nullopt;
    }
    if (t_[i].kind == Tok::kAlpha) {
      if (auto m = MonthDayYear(i); m && BoundaryAfter(m->last)) return m;
    }
    return std::nullopt;
  }

  bool TimeNear(const Match& m) const {
    // After: [space|,|-] hh:mm
    size_t k = m.last + 1;
    while (k < t_.size() &&
           (t_[k].kind == Tok::kSpace || IsPunct(k, ',') || IsPunct(k, '-'))) {
      ++k;
    }
    if (Num(k, 1, 2) && IsPunct(k + 1, ':') && Num(k + 2, 2, 2)) return true;
    // Before: hh:mm[:ss] [am|pm] space
    if (m.first >= 2 && t_[m.first - 1].kind == Tok::kSpace) {
      size_t j = m.first - 2;
      if (t_[j].kind == Tok::kAlpha && j >= 2 &&
          t_[j - 1].kind == Tok::kSpace) {
        j -= 2;
      }
      if (j >= 2 && Num(j, 2, 2) && IsPunct(j - 1, ':') && Num(j - 2, 1, 2))
        return true;
    }
    return false;
  }

 private:
  bool Num(size_t k, size_t min_len, size_t max_len) const {
    return k < t_.size() && t_[k].kind == Tok::kNum &&
           t_[k].text.size() >= min_len && t_[k].text.size() <= max_len;
  }
  bool IsPunct(size_t k, char32_t c) const {
    return k < t_.size() && t_[k].kind == Tok::kPunct && t_[k].c == c;
  }
  bool IsSpaceTok(size_t k) const {
    return k < t_.size() && t_[k].kind == Tok::kSpace;
  }
  int Month(size_t k) const {
    if (k >= t_.size() || t_[k].kind != Tok::kAlpha) return 0;
    return MonthFromFolded(FoldText(t_[k].text));
  }
  bool Word(size_t k, std::initializer_list<std::string_view> words) const {
    if (k >= t_.size() || t_[k].kind != Tok::kAlpha) return false;
    const std::string folded = FoldText(t_[k].text);
    return std::find(words.begin(), words.end(), folded) != words.end();
  }

  // Not the continuation of a longer number ("1.25/12/2018").
  bool NumericBoundaryBefore(size_t i, bool year_first) const {
    if (i == 0) return true;
    const Tok& p = t_[i - 1];
    if (p.kind == Tok::kNum) return false;
    if (p.kind == Tok::kPunct &&
        (IsPoint(p.c) || p.c == '/' || p.c == '-' || p.c == ':')) {
      if (year_first && (p.c == '-' || p.c == '/')) return true;
      return i < 2 || t_[i - 2].kind != Tok::kNum;
    }
    return true;
  }
  bool BoundaryAfter(size_t last) const {
    const size_t k = last + 1;
    if (k >= t_.size()) return true;
    const Tok& n = t_[k];
    if (n.kind == Tok::kNum) return false;
    if (n.kind == Tok::kPunct &&
        (IsPoint(n.c) || n.c == '/' || n.c == '-' || n.c == ':')) {
      return !Num(k + 1, 1, 100);
    }
    return true;
  }

  // Spaces around one separator from `seps`; the index after it, or 0.
  size_t Sep(size_t k, std::u32string_view seps, char32_t* which) const {
    if (IsSpaceTok(k)) ++k;
    if (k >= t_.size() || t_[k].kind != Tok::kPunct ||
        seps.find(t_[k].c) == std::u32string_view::npos) {
      return 0;
    }
    *which = t_[k].c;
    ++k;
    if (IsSpaceTok(k)) ++k;
    return k;
  }
  // Any run of up to three spaces or '-', '/', '.', ',' between written
  // parts; counts commas.
  size_t Flex(size_t k, bool* comma = nullptr) const {
    for (int n = 0; n < 3 && k < t_.size(); ++n, ++k) {
      const Tok& t = t_[k];
      if (t.kind == Tok::kSpace) continue;
      if (t.kind == Tok::kPunct && (IsPoint(t.c) || t.c == '-' || t.c == '/' ||
                                    t.c == '\'' || t.c == 0x2019)) {
        if (t.c == ',' && comma) *comma = true;
        continue;
      }
      break;
    }
    return k;
  }
  // An ordinal suffix glued to a day number ("10th", "1er").
  size_t Ordinal(size_t k) const {
    if (k < t_.size() && t_[k].kind == Tok::kAlpha && k > 0 &&
        t_[k].b == t_[k - 1].e &&
        Word(k, {"st", "nd", "rd", "th", "er", "e", "eme"})) {
      return k + 1;
    }
    return k;
  }
  // A filler word between parts ("10 de marzo de 2018", "10th of March").
  size_t Filler(size_t k) const {
    if (Word(k, {"de", "of", "del"})) return Flex(k + 1);
    return k;
  }

  static std::optional<Match> Single(size_t first, size_t last,
                                     std::optional<core::Date> date) {
    if (!date) return std::nullopt;
    return Match{first, last, {*date}, false, std::nullopt};
  }

  // 2018-03-10, 2018/03/10, 2018.03.10
  std::optional<Match> Ymd(size_t i) const {
    if (!Num(i, 4, 4)) return std::nullopt;
    char32_t s1 = 0, s2 = 0;
    const size_t m = Sep(i + 1, U"/-.", &s1);
    if (!m || !Num(m, 1, 2)) return std::nullopt;
    const size_t d = Sep(m + 1, U"/-.", &s2);
    if (!d || s1 != s2 || !Num(d, 1, 2)) return std::nullopt;
    return Single(i, d,
                  MakeDate(std::stoi(t_[i].text), std::stoi(t_[m].text),
                           std::stoi(t_[d].text)));
  }

  // 2018年3月10日
  std::optional<Match> Cjk(size_t i) const {
    if (!Num(i, 4, 4) || !Word(i + 1, {"年"}) || !Num(i + 2, 1, 2) ||
        !Word(i + 3, {"月"}) || !Num(i + 4, 1, 2)) {
      return std::nullopt;
    }
    const size_t last = Word(i + 5, {"日"}) ? i + 5 : i + 4;
    return Single(i, last,
                  MakeDate(std::stoi(t_[i].text), std::stoi(t_[i + 2].text),
                           std::stoi(t_[i + 4].text)));
  }

  // 2018-Mar-10
  std::optional<Match> YearMonthDay(size_t i) const {
    if (!Num(i, 4, 4)) return std::nullopt;
    const size_t m = Flex(i + 1);
    const int month = Month(m);
    if (!month) return std::nullopt;
    const size_t d = Flex(m + 1);
    if (!Num(d, 1, 2)) return std::nullopt;
    return Single(
        i, d, MakeDate(std::stoi(t_[i].text), month, std::stoi(t_[d].text)));
  }

  // 25/12/2018, 12/28/2017, 03/10/18, 25.12.2018
  std::optional<Match> Dmy(size_t i) const {
    if (!Num(i, 1, 2)) return std::nullopt;
    char32_t s1 = 0, s2 = 0;
    const size_t b = Sep(i + 1, U"/-.", &s1);
    if (!b || !Num(b, 1, 2)) return std::nullopt;
    const size_t y = Sep(b + 1, U"/-.", &s2);
    if (!y || s1 != s2 || !(Num(y, 2, 2) || Num(y, 4, 4))) return std::nullopt;
    const int first = std::stoi(t_[i].text), second = std::stoi(t_[b].text);
    const int year = FullYear(t_[y]);
    const auto day_first = MakeDate(year, second, first);
    const auto month_first = MakeDate(year, first, second);
    Match m{i, y, {}, false, std::nullopt};
    // "22-09-12" on a page of a year-first country.
    if (order_ == DateOrder::kYearFirst && s1 == '-' && Num(i, 2, 2) &&
        Num(b, 2, 2) && Num(y, 2, 2)) {
      const auto year_first =
          MakeDate(2000 + first, second, std::stoi(t_[y].text));
      if (year_first) {
        m.candidates.push_back(*year_first);
        for (const auto& other : {day_first, month_first}) {
          if (other && *other != *year_first) m.candidates.push_back(*other);
        }
        m.ambiguous = m.candidates.size() > 1;
        return m;
      }
    }
    if (first > 12) {
      if (day_first) m.candidates.push_back(*day_first);
      m.evident = DateOrder::kDayFirst;
    } else if (second > 12) {
      if (month_first) m.candidates.push_back(*month_first);
      m.evident = DateOrder::kMonthFirst;
    } else if (first == second) {
      if (day_first) m.candidates.push_back(*day_first);
    } else if (s1 == '.') {
      // Dotted dates are a day-first convention (German, Czech, Russian...);
      // month-first writers use '/'.
      if (day_first) m.candidates.push_back(*day_first);
    } else {
      const bool prefer_day = order_ != DateOrder::kMonthFirst;
      const auto& a = prefer_day ? day_first : month_first;
      const auto& c = prefer_day ? month_first : day_first;
      if (a) m.candidates.push_back(*a);
      if (c) m.candidates.push_back(*c);
      m.ambiguous = m.candidates.size() > 1;
    }
    if (m.candidates.empty()) return std::nullopt;
    return m;
  }

  // 10 MAR 2018, 10-Mar-18, 10MAR2018, 10. März 2018, 10th of March 2018
  std::optional<Match> DayMonthYear(size_t i) const {
    if (!Num(i, 1, 2)) return std::nullopt;
    size_t k = Ordinal(i + 1);
    k = Filler(Flex(k));
    const int month = Month(k);
    if (!month) return std::nullopt;
    const size_t y = Filler(Flex(k + 1));
    if (!(Num(y, 2, 2) || Num(y, 4, 4))) return std::nullopt;
    return Single(i, y,
                  MakeDate(FullYear(t_[y]), month, std::stoi(t_[i].text)));
  }

  // MAR 10, 2018; March 10 2018; Mar 10th, 18
  std::optional<Match> MonthDayYear(size_t i) const {
    const int month = Month(i);
    if (!month) return std::nullopt;
    const size_t d = Flex(i + 1);
    if (!Num(d, 1, 2)) return std::nullopt;
    bool comma = false;
    const size_t y = Flex(Ordinal(d + 1), &comma);
    if (!(Num(y, 4, 4) || (comma && Num(y, 2, 2)))) return std::nullopt;
    return Single(i, y,
                  MakeDate(FullYear(t_[y]), month, std::stoi(t_[d].text)));
  }

  const std::vector<Tok>& t_;
  DateOrder order_;
};

// "14:32", "8:13:39 PM", "10:17 a.m."
bool IsTimeText(std::string_view s) {
  s = Trim(s);
  size_t i = 0;
  auto digits = [&](size_t min, size_t max) {
    size_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++n;
    return n >= min && n <= max;
  };
  if (!digits(1, 2) || i >= s.size() || s[i++] != ':' || !digits(2, 2)) {
    return false;
  }
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!digits(2, 2)) return false;
  }
  std::string rest = FoldText(Trim(s.substr(i)));
  std::erase(rest, '.');
  return rest.empty() || rest == "am" || rest == "pm";
}

}  // namespace

std::string FoldText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const std::vector<Cp> cps = Decode(text);
  // Per word, whether it is Greek or Cyrillic with Latin lookalikes in it.
  enum class Mixed { kNo, kGreek, kCyrillic } mixed = Mixed::kNo;
  for (size_t k = 0; k < cps.size(); ++k) {
    const char32_t c = cps[k].c;
    if (k == 0 || !IsLetter(cps[k - 1].c)) {
      size_t greek = 0, cyrillic = 0, latin = 0;
      for (size_t e = k; e < cps.size() && IsLetter(cps[e].c); ++e) {
        greek += IsGreek(cps[e].c);
        cyrillic += IsCyrillic(cps[e].c);
        latin += cps[e].c < 0x80;
      }
      mixed = latin == 0 || greek + cyrillic == 0 ? Mixed::kNo
              : greek > cyrillic                  ? Mixed::kGreek
                                                  : Mixed::kCyrillic;
    }
    if (mixed != Mixed::kNo && c < 0x80) {
      if (const char32_t g = LookalikeIn(mixed == Mixed::kGreek, c)) {
        core::AppendUtf8(out, FoldGreekCyrillic(g));
        continue;
      }
    }
    if (c < 0x80) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    } else if (const char* folded = FoldLatin(c)) {
      out += folded;
    } else if (const char32_t g = FoldGreekCyrillic(c)) {
      core::AppendUtf8(out, g);
    } else {
      out.append(text.substr(cps[k].begin, cps[k].end - cps[k].begin));
    }
  }
  return out;
}

bool IsFoldedWordByte(std::string_view folded, size_t k) {
  const auto c = static_cast<unsigned char>(folded[k]);
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  // Non-ASCII: letters of other scripts; C2 xx is Latin-1 punctuation and
  // E2 xx general punctuation and currency signs (a micro sign is folded to
  // "μ" before).
  if (c < 0x80) return false;
  size_t lead = k;
  while (lead > 0 &&
         (static_cast<unsigned char>(folded[lead]) & 0xC0) == 0x80) {
    --lead;
  }
  const auto l = static_cast<unsigned char>(folded[lead]);
  return l != 0xC2 && l != 0xE2;
}

std::optional<std::string> FromLatinLookalikes(std::string_view word,
                                               bool greek, bool beside_own) {
  std::string out;
  size_t letters = 0;
  for (const Cp& cp : Decode(word)) {
    const bool capital = cp.c >= 'A' && cp.c <= 'Z';
    if (capital || (beside_own && cp.c >= 'a' && cp.c <= 'z')) {
      const char32_t g = LookalikeIn(greek, cp.c);
      if (g == 0) return std::nullopt;
      core::AppendUtf8(out, g);
      ++letters;
    } else if (IsLetter(cp.c)) {
      return std::nullopt;
    } else {
      out.append(word.substr(cp.begin, cp.end - cp.begin));
    }
  }
  if (letters < (beside_own ? 2 : 3)) return std::nullopt;
  return out;
}

std::string ToLatinLookalikes(std::string_view id) {
  std::string out;
  bool changed = false;
  for (const Cp& cp : Decode(id)) {
    if (IsGreek(cp.c) || IsCyrillic(cp.c)) {
      const char latin = LatinLookalikeOf(cp.c);
      if (latin == 0) return std::string(id);
      out += latin;
      changed = true;
    } else {
      out.append(id.substr(cp.begin, cp.end - cp.begin));
    }
  }
  return changed ? out : std::string(id);
}

std::string MonotonicGreek(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const Cp& cp : Decode(text)) {
    const char32_t c = cp.c;
    if (c == 0xB5) {
      core::AppendUtf8(out, 0x3BC);
      continue;
    }
    if (c < 0x1F00 || c > 0x1FFC) {
      out.append(text.substr(cp.begin, cp.end - cp.begin));
      continue;
    }
    const char32_t base = FoldGreekCyrillic(c);
    if (base == 0) {
      out.append(text.substr(cp.begin, cp.end - cp.begin));
      continue;
    }
    // Rows of eight: small letters then capitals; the first two of each
    // carry breathings only, the others an accent too. 1F70..1F7D are
    // small letters with an accent.
    const unsigned k = c & 0xF;
    const bool upper = c < 0x1F70 || (c >= 0x1F80 && c < 0x1FB0) ? (k & 8)
                       : c >= 0x1FB0                             ? k >= 8
                                                                 : false;
    const bool accent = c >= 0x1F70 && c < 0x1F7E ? true
                        : c >= 0x1FB0
                            ? (upper ? k == 0xA || k == 0xB : k >= 2 && k <= 7)
                            : (k & 7) >= 2;
    static constexpr std::pair<char32_t, std::pair<char32_t, char32_t>>
        kTonos[] = {{0x3B1, {0x3AC, 0x386}}, {0x3B5, {0x3AD, 0x388}},
                    {0x3B7, {0x3AE, 0x389}}, {0x3B9, {0x3AF, 0x38A}},
                    {0x3BF, {0x3CC, 0x38C}}, {0x3C5, {0x3CD, 0x38E}},
                    {0x3C9, {0x3CE, 0x38F}}};
    char32_t m = upper ? base - 0x20 : base;
    if (accent) {
      for (const auto& [plain, forms] : kTonos) {
        if (plain == base) m = upper ? forms.second : forms.first;
      }
    }
    core::AppendUtf8(out, m);
  }
  return out;
}

ScriptLetters CountScripts(std::string_view text) {
  // Small letters whose capitals look like no Latin one.
  static constexpr std::u32string_view kDistinct =
      U"γδθλξπσφψωбгджзийлпфцчшщъыьэюяєїґ";
  ScriptLetters n;
  for (const Cp& cp : Decode(text)) {
    if (!IsLetter(cp.c)) continue;
    if (IsGreek(cp.c) || IsCyrillic(cp.c)) {
      ++(IsGreek(cp.c) ? n.greek : n.cyrillic);
      const char32_t f = FoldGreekCyrillic(cp.c);
      n.distinct += f != 0 && kDistinct.find(f) != std::u32string_view::npos;
    } else if (cp.c <= 0x24F) {
      ++n.latin;
    } else {
      ++n.other;
    }
  }
  return n;
}

std::optional<CurrencyMark> ParseCurrency(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  const std::vector<Cp> cps = Decode(text);
  std::vector<MarkCp> marks = FindMarksCp(text, cps);
  if (marks.size() != 1 || marks[0].b != 0 || marks[0].e != cps.size()) {
    return std::nullopt;
  }
  return marks[0].mark;
}

std::vector<CurrencyMark> FindCurrencyMarks(std::string_view line) {
  std::vector<CurrencyMark> out;
  for (MarkCp& m : FindMarksCp(line, Decode(line))) {
    out.push_back(std::move(m.mark));
  }
  return out;
}

std::optional<AmountToken> ParseAmount(std::string_view text,
                                       const AmountOptions& options) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  std::vector<AmountToken> found = FindAmounts(text, options);
  if (found.size() != 1 || found[0].begin != 0 || found[0].end != text.size()) {
    return std::nullopt;
  }
  return std::move(found[0]);
}

bool HasMoneyDecimals(const AmountToken& a) { return a.value.scale() <= 3; }

bool IsDaysWord(std::string_view folded) {
  static constexpr std::string_view kDays[] = {
      "day",    "days",  "tag",    "tage",   "tagen", "jour",  "jours",
      "dia",    "dias",  "giorni", "gg",     "dag",   "dagen", "dagar",
      "dage",   "dager", "hari",   "paivaa", "pv",    "dni",   "dnu",
      "den",    "gun",   "zile",   "zi",     "nap",   "napon", "ημερεσ",
      "ημερων", "дни",   "дней",   "днів",   "дня"};
  return std::find(std::begin(kDays), std::end(kDays), folded) !=
         std::end(kDays);
}

std::vector<AmountToken> FindAmounts(std::string_view line,
                                     const AmountOptions& options) {
  const std::vector<Cp> cps = Decode(line);
  return FindAmountsIn(cps, FindMarksCp(line, cps), options);
}

bool PrintsWholeSpaceGroups(const std::vector<std::string>& texts) {
  AmountOptions whole;
  whole.whole_space_groups = true;
  int marked = 0, ends = 0, fractions = 0;
  for (const std::string& text : texts) {
    for (const AmountToken& a : FindAmounts(text, whole)) {
      if (a.has_fraction) {
        ++fractions;
        continue;
      }
      const std::string_view digits = std::string_view(text).substr(
          a.number_begin, a.number_end - a.number_begin);
      if (digits.find(' ') == std::string_view::npos) continue;
      if (a.currency) {
        ++marked;
      } else if (text.find_first_not_of(" \t", a.end) == std::string::npos) {
        ++ends;
      }
    }
  }
  return fractions <= 1 && (marked >= 1 || ends >= 3);
}

int MonthFromName(std::string_view word) {
  return MonthFromFolded(FoldText(Trim(word)));
}

std::optional<DateToken> LostSeparatorDate(std::string_view word,
                                           DateOrder order) {
  auto digits = [&](size_t b, size_t e) {
    return e <= word.size() &&
           std::all_of(word.begin() + b, word.begin() + e,
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  auto separator = [&](size_t k) {
    return k < word.size() &&
           (word[k] == '/' || word[k] == '.' || word[k] == '-');
  };
  std::string repaired;
  const size_t n = word.size();
  if (n >= 7 && separator(4) && digits(0, 4) && digits(5, n) &&
      (n == 7 || n == 9)) {
    repaired = std::string(word.substr(0, 2)) + word[4] +
               std::string(word.substr(2, 2)) + std::string(word.substr(4));
  } else if (n >= 7 && separator(2) && digits(0, 2) && digits(3, n) &&
             (n == 7 || n == 9)) {
    repaired =
        std::string(word.substr(0, 5)) + word[2] + std::string(word.substr(5));
  } else {
    return std::nullopt;
  }
  std::optional<DateToken> d = ParseDate(repaired, order);
  if (!d) return std::nullopt;
  d->begin = 0;
  d->end = word.size();
  d->separator_restored = true;
  return d;
}

std::optional<DateToken> ParseDate(std::string_view text, DateOrder order) {
  text = Trim(text);
  std::vector<DateToken> found = FindDates(text, order);
  if (found.size() != 1) return std::nullopt;
  auto rest_ok = [](std::string_view rest) {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == ',')) {
      rest.remove_prefix(1);
    }
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == ',')) {
      rest.remove_suffix(1);
    }
    return rest.empty() || IsTimeText(rest);
  };
  if (!rest_ok(text.substr(0, found[0].begin)) ||
      !rest_ok(text.substr(found[0].end))) {
    return std::nullopt;
  }
  return std::move(found[0]);
}

// A numeric date in out[b, e) stamped with a time ("87/12/2620 14:69",
// "28-68-2020", "2625-12-18") that is no date because zeros printed slashed
// or dotted were read as 6 or 8: the fewest such digits read back as 0 that
// make it a date (a day and a
// month in either order, a year of two digits or from 1990 to 2039), when
// exactly one choice does. A date that is valid is left as it is.
void RepairSlashedZeros(std::string& out, size_t b, size_t e) {
  std::vector<size_t> sixes;  // positions of 6 and 8
  std::vector<std::pair<size_t, size_t>> groups;
  size_t start = b;
  for (size_t k = b; k <= e; ++k) {
    if (k == e || out[k] == '/' || out[k] == '-' || out[k] == '.') {
      groups.emplace_back(start, k);
      start = k + 1;
    } else if (out[k] < '0' || out[k] > '9') {
      return;
    } else if (out[k] == '6' || out[k] == '8') {
      sixes.push_back(k);
    }
  }
  if (groups.size() != 3 || sixes.empty() || sixes.size() > 8) return;
  auto number = [&](const std::string& s, std::pair<size_t, size_t> g) {
    if (g.second <= g.first || g.second - g.first > 4) return -1;
    return std::atoi(s.substr(g.first, g.second - g.first).c_str());
  };
  auto len = [](std::pair<size_t, size_t> g) { return g.second - g.first; };
  auto valid = [&](const std::string& s) {
    const int a = number(s, groups[0]), m = number(s, groups[1]),
              c = number(s, groups[2]);
    if (a < 0 || m < 0 || c < 0) return false;
    if (len(groups[0]) == 4) {  // year first
      return a >= 1990 && a <= 2039 && m >= 1 && m <= 12 && c >= 1 && c <= 31;
    }
    const bool year = len(groups[2]) == 2 || (c >= 1990 && c <= 2039);
    const bool dm = a >= 1 && a <= 31 && m >= 1 && m <= 12;
    const bool md = a >= 1 && a <= 12 && m >= 1 && m <= 31;
    return len(groups[2]) >= 2 && year && (dm || md);
  };
  if (valid(out)) return;
  int best = 99, ties = 0;
  std::string fixed;
  for (unsigned mask = 1; mask < (1u << sixes.size()); ++mask) {
    std::string trial = out;
    int n = 0;
    for (size_t k = 0; k < sixes.size(); ++k) {
      if (mask & (1u << k)) {
        trial[sixes[k]] = '0';
        ++n;
      }
    }
    if (!valid(trial) || n > best) continue;
    if (n < best) {
      best = n;
      ties = 0;
      fixed = std::move(trial);
    }
    ++ties;
  }
  if (ties == 1) out = std::move(fixed);
}

// Undoes OCR's letter-for-digit confusions inside what can only be a numeric
// date, byte for byte so that offsets stay valid: "25-O1-16" is 25-01-16,
// "21-il-16" is 21-11-16.
// A four-digit year out of any receipt's range ("12-02-2618 11:34:45")
// is repaired when the date is stamped with a time of day and exactly one
// usual confusion (6/0, 8/0, 4/1, 7/1, 5/6, 3/8) brings it to 2000-2039;
// a date stamped so that is none at all, by RepairSlashedZeros.
std::string RepairDateDigits(std::string_view line) {
  std::string out(line);
  auto in_run = [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == 'O' ||
           c == 'o' || c == 'I' || c == 'i' || c == 'l' || c == '|' ||
           c == '/' || c == '-' || c == '.';
  };
  for (size_t i = 0; i < out.size();) {
    if (!in_run(out[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < out.size() && in_run(out[j])) ++j;
    const std::string_view run(out.data() + i, j - i);
    const auto digits = std::count_if(run.begin(), run.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c));
    });
    const auto separators = std::count_if(run.begin(), run.end(), [](char c) {
      return c == '/' || c == '-' || c == '.';
    });
    const bool letters_inside = std::any_of(run.begin(), run.end(), [](char c) {
      return std::isalpha(static_cast<unsigned char>(c)) || c == '|';
    });
    // Only runs shaped like a date, and not a word: letters must sit between
    // digits or separators.
    const bool word_edge =
        (i > 0 && std::isalpha(static_cast<unsigned char>(out[i - 1]))) ||
        (j < out.size() && std::isalpha(static_cast<unsigned char>(out[j])));
    if (digits >= 4 && separators == 2 && letters_inside && !word_edge) {
      for (size_t k = i; k < j; ++k) {
        if (out[k] == 'O' || out[k] == 'o') out[k] = '0';
        if (out[k] == 'I' || out[k] == 'i' || out[k] == 'l' || out[k] == '|') {
          out[k] = '1';
        }
      }
    }
    // A time of day right after: the evidence that a run is a date at all.
    size_t t = j;
    while (t < out.size() && out[t] == ' ') ++t;
    const bool timed = t + 4 < out.size() &&
                       std::isdigit(static_cast<unsigned char>(out[t])) &&
                       (out[t + 1] == ':' || out[t + 2] == ':');
    // dd-mm-yyyy with an implausible year.
    const size_t last_sep = run.find_last_of("/-.");
    if (separators == 2 && last_sep != std::string_view::npos &&
        run.size() - last_sep - 1 == 4) {
      const size_t y = i + last_sep + 1;
      const int year = std::atoi(out.substr(y, 4).c_str());
      if (timed && (year < 1990 || year > 2039)) {
        static constexpr std::pair<char, char> kConfusions[] = {
            {'6', '0'}, {'8', '0'}, {'4', '1'}, {'7', '1'},
            {'5', '6'}, {'3', '8'}, {'0', '8'}, {'1', '7'}};
        std::string fixed;
        int found = 0;
        for (size_t d = 0; d < 4; ++d) {
          for (const auto& [from, to] : kConfusions) {
            if (out[y + d] != from) continue;
            std::string trial = out.substr(y, 4);
            trial[d] = to;
            const int v = std::atoi(trial.c_str());
            if (v >= 2000 && v <= 2039 && trial != fixed) {
              fixed = trial;
              ++found;
            }
          }
        }
        if (found == 1) out.replace(y, 4, fixed);
      }
    }
    if (separators == 2 && timed) RepairSlashedZeros(out, i, j);
    i = j;
  }
  return out;
}

std::vector<DateToken> FindDates(std::string_view read, DateOrder order) {
  const std::string repaired = RepairDateDigits(read);
  const std::string_view line = repaired;
  const std::vector<Cp> cps = Decode(line);
  const std::vector<Tok> toks = Lex(line, cps);
  const DateMatcher matcher(toks, order);
  std::vector<DateToken> out;
  size_t i = 0;
  while (i < toks.size()) {
    std::optional<Match> m = matcher.At(i);
    if (!m) {
      ++i;
      continue;
    }
    DateToken token{m->candidates.front(), m->candidates};
    token.ambiguous = m->ambiguous;
    token.evident_order = m->evident;
    token.has_time = matcher.TimeNear(*m);
    token.begin = toks[m->first].b;
    token.end = toks[m->last].e;
    out.push_back(std::move(token));
    i = m->last + 1;
  }
  return out;
}

bool HasTimeOfDay(std::string_view line) {
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != ':') continue;
    size_t b = i;
    while (b > 0 && is_digit(line[b - 1])) --b;
    size_t a = i + 1;
    if (a < line.size() && line[a] == ' ') ++a;
    size_t e = a;
    while (e < line.size() && is_digit(line[e])) ++e;
    const size_t hours = i - b, minutes = e - a;
    if (hours >= 1 && hours <= 2 && minutes == 2) return true;
  }
  return false;
}

bool HasDateShape(std::string_view line) {
  auto as_digit = [](char c) -> char {
    if (c >= '0' && c <= '9') return c;
    switch (c) {
      case 'O':
      case 'o':
      case 'D':
      case 'Q':
        return '0';
      case 'S':
      case 's':
        return '5';
      case 'I':
      case 'i':
      case 'l':
      case '|':
        return '1';
      case 'B':
        return '8';
      case 'Z':
      case 'z':
        return '2';
      default:
        return 0;
    }
  };
  for (size_t at = 0; at < line.size();) {
    const size_t space = std::min(line.find(' ', at), line.size());
    std::string_view word = line.substr(at, space - at);
    at = space + 1;
    // Brackets and a closing mark around the word are no part of it.
    while (!word.empty() && std::string_view("([{\"'").find(word.front()) !=
                                std::string_view::npos) {
      word.remove_prefix(1);
    }
    while (!word.empty() && std::string_view(")]},;:\"'").find(word.back()) !=
                                std::string_view::npos) {
      word.remove_suffix(1);
    }
    std::vector<std::string> groups(1);
    bool shaped = !word.empty();
    for (char c : word) {
      if (c == '/' || c == '-' || c == '.' || c == '~') {
        groups.emplace_back();
      } else if (const char d = as_digit(c)) {
        groups.back() += d;
      } else {
        shaped = false;
        break;
      }
    }
    if (!shaped || groups.size() < 2 || groups.size() > 3) continue;
    int digits = 0;
    bool year = false;
    for (const std::string& g : groups) {
      if (g.empty() || g.size() > 4) shaped = false;
      digits += int(g.size());
      year |= g.size() == 4 && (g.starts_with("19") || g.starts_with("20"));
    }
    // Every letter read as a digit: a word of letters is no date.
    const bool has_digit = std::any_of(
        word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (shaped && has_digit && digits >= 4 && (groups.size() == 3 || year)) {
      return true;
    }
  }
  return false;
}

std::string GuessLanguage(std::string_view text) {
  // Folded words that receipts of one language print and others do not.
  static const std::pair<std::string_view, std::vector<std::string_view>>
      kCues[] = {
          {"deu",
           {"summe",          "gesamt",      "gesamtbetrag", "zwischensumme",
            "mwst",           "ust",         "zahlen",       "gegeben",
            "ruckgeld",       "zuruck",      "vielen",       "dank",
            "einkauf",        "wiedersehen", "strasse",      "kartenzahlung",
            "girocard",       "beleg",       "enth",         "uhrzeit",
            "kasse",          "bezahlen",    "inkl",         "rechnung",
            "zwischentotal",  "danke",       "quittung",     "betrag",
            "mehrwertsteuer", "widerluege"}},
          {"fra",
           {"ttc", "tva", "ht", "merci", "especes", "rendu", "monnaie",
            "montant", "payer", "bancaire", "rue", "boulevard", "visite",
            "bientot", "dont", "facture", "caisse"}},
          // Not the words Spanish shares with Portuguese ("iva", "a pagar",
          // "avenida", "visita").
          {"spa",
           {"gracias", "efectivo", "cambio", "fecha", "importe", "tarjeta",
            "calle", "vuelva", "pronto", "factura", "imponible", "vencimiento",
            "emision"}},
          {"ita",
           {"totale", "contanti", "resto", "grazie", "arrivederci", "scontrino",
            "complessivo", "via", "corso", "piazza", "bancomat", "imponibile",
            "fattura", "scadenza", "bonifico", "pagare"}},
          {"nld",
           {"totaal", "btw", "contant", "bedankt", "wisselgeld", "terug",
            "betalen", "bezoek", "pinbetaling", "subtotaal", "afronding"}},
          {"por", {"obrigado",   "obrigada",    "troco",      "fatura",
                   "recibo",     "dinheiro",    "rua",        "contribuinte",
                   "pagamento",  "numerario",   "taxa",       "multibanco",
                   "volte",      "sempre",      "pela",       "nif",
                   "vencimento", "emissao",     "praca",      "lda",
                   "unipessoal", "preferencia", "tributavel", "exmo"}},
          // (Not "faktura": the Nordic languages' and Czech's word too.)
          {"pol",
           {"dziekujemy", "zapraszamy", "ponownie",  "paragon",  "fiskalny",
            "ptu",        "gotowka",    "reszta",    "zaplaty",  "nabywca",
            "odbiorca",   "razem",      "nip",       "sprzedaz", "opodatk",
            "wartosc",    "termin",     "platnosci", "platne",   "ul",
            "sp",         "kwota",      "wspolprace"}},
          // Not the words the Nordic languages share ("moms", "kontant").
          {"swe",
           {"summa",         "delsumma",     "vaxel",    "tillbaka",
            "besoket",       "valkommen",    "ater",     "varav",
            "att",           "kvitto",       "kund",     "fakturadatum",
            "forfallodatum", "forfallodag",  "dagar",    "betalningsvillkor",
            "och",           "tack",         "betala",   "swish",
            "sek",           "aktiebolag",   "bankgiro", "plusgiro",
            "belopp",        "fakturaadress"}},
          {"dan",
           {"alt",          "byttepenge", "retur",      "dankort",
            "mobilepay",    "tak",        "besoget",    "gensyn",
            "heraf",        "udgor",      "mellemsum",  "fakturadato",
            "forfaldsdato", "ekskl",      "cvr",        "betalingsbetingelser",
            "dage",         "handlen",    "faktureres", "dkk"}},
          {"nor",
           {"mva", "veksel", "tilbake", "bankaxept", "vipps", "takk",
            "handelen", "igjen", "herav", "varer", "delsum", "forfallsdato",
            "eks", "dager", "fakturamottaker", "betalingsfrist", "nok",
            "belop"}},
          {"fin",
           {"yhteensa",  "alv",        "kateinen",  "takaisin",   "vaihtoraha",
            "kortti",    "kiitos",     "kaynnista", "tervetuloa", "uudelleen",
            "valisumma", "maksettava", "pvm",       "paivays",    "lasku",
            "laskun",    "erapaiva",   "asiakas",   "veroton",    "maksuehto",
            "puh",       "oy"}},
          {"ces",
           {"celkem",   "dph",       "hotove",    "hotovost",   "vraceno",
            "dekujeme", "nakup",     "shledanou", "mezisoucet", "uhrade",
            "prodeje",  "cislo",     "vystaveni", "splatnosti", "odberatel",
            "zaklad",   "dane",      "ico",       "dic",        "sro",
            "kc",       "splatnost", "vystaveno", "dodavatel"}},
          {"tur", {"toplam",  "kdv",      "topkdv",   "nakit",  "kredi",
                   "karti",   "ustu",     "tesekkur", "ederiz", "bekleriz",
                   "tarih",   "tarihi",   "sayin",    "alici",  "musteri",
                   "genel",   "odenecek", "tutar",    "tutari", "vergi",
                   "dairesi", "vkn",      "cad",      "sok",    "sti"}},
          {"hun", {"osszesen",      "afa",        "keszpenz",   "visszajaro",
                   "koszonjuk",     "vasarlast",  "reszosszeg", "fizetendo",
                   "vegosszeg",     "bankkartya", "szamla",     "kelte",
                   "vevo",          "adoszam",    "fizetesi",   "hatarido",
                   "utca",          "kft",        "zrt",        "tartalom",
                   "sorszam",       "osszeg",     "kerekites",  "nyugta",
                   "viszontlatasra"}},
          // Not the words Romanian shares with French ("tva") or Spanish
          // and Portuguese ("factura").
          {"ron",
           {"numerar",    "rest",      "multumim",  "revedere", "cumparator",
            "furnizor",   "scadenta",  "scadentei", "bancar",   "va",
            "emiterii",   "plata",     "cif",       "cui",      "srl",
            "lei",        "fara",      "valoare",   "neta",     "beneficiar",
            "colaborare", "pentru",    "calea",     "judet",    "reducere",
            "chitanta",   "achitat",   "bonul",     "casier",   "seria",
            "facturii",   "descriere", "cantitate", "unitar",   "pret",
            "judetul"}},
          {"ell",
           {"συνολο", "φπα", "μετρητα", "ρεστα", "ευχαριστουμε", "τιμολογιο",
            "αποδειξη", "αφμ", "δου", "ημερομηνια", "πληρωτεο", "υποσυνολο",
            "καρτα", "τηλ", "ποσο", "αξια"}},
          {"bul",
           {"общо", "ддс", "брой", "ресто", "благодарим", "еик", "лв",
            "плащане", "издаване", "получател", "купувач", "междинна",
            "отстъпка", "заповядайте", "касов"}},
          {"rus",
           {"итого", "итог", "ндс", "наличными", "сдача", "спасибо", "инн",
            "руб", "кассир", "покупатель", "оплате", "сумма", "скидка",
            "кассовый"}},
          {"ukr",
           {"пдв", "готівка", "решта", "дякуємо", "рахунок", "єдрпоу", "грн",
            "покупець", "сплати", "всього", "знижка", "картка", "іпн", "вул",
            "гарного", "підсумок", "разом"}},
      };
  std::vector<std::string> words;
  const std::string folded = FoldText(text) + ' ';
  std::string word;
  for (size_t k = 0; k < folded.size(); ++k) {
    if (IsFoldedWordByte(folded, k)) {
      word += folded[k];
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  std::vector<std::pair<std::string_view, int>> hits;
  for (const auto& [code, cues] : kCues) {
    int n = 0;
    for (std::string_view cue : cues) {
      n += std::binary_search(words.begin(), words.end(), cue);
    }
    hits.emplace_back(code, n);
  }
  const auto best = std::max_element(
      hits.begin(), hits.end(),
      [](const auto& a, const auto& b) { return a.second < b.second; });
  if (best->second < 2) return "";
  // Two cues more than any other language; but Danish and Norwegian write
  // the same letters ("æ", "ø", "å"), either reading the other's accents:
  // one more decides between them.
  auto same_letters = [](std::string_view a, std::string_view b) {
    return (a == "dan" && b == "nor") || (a == "nor" && b == "dan");
  };
  for (auto it = hits.begin(); it != hits.end(); ++it) {
    if (it == best) continue;
    const int margin = same_letters(best->first, it->first) ? 1 : 2;
    if (best->second < it->second + margin) return "";
  }
  return std::string(best->first);
}

bool AddsAccents(std::string_view english, std::string_view other) {
  struct Char {
    char folded;
    bool accented;
    std::string_view printed;
  };
  // Folded characters without spaces, with the character each came from.
  auto chars = [](std::string_view text) {
    std::vector<Char> out;
    for (size_t i = 0; i < text.size();) {
      const auto c = static_cast<unsigned char>(text[i]);
      const size_t n = std::min(text.size() - i, size_t(c >= 0xF0   ? 4
                                                        : c >= 0xE0 ? 3
                                                        : c >= 0xC0 ? 2
                                                                    : 1));
      const std::string_view cp = text.substr(i, n);
      i += n;
      if (cp == "\u00df") {
        out.push_back({'\x01', true, cp});
        continue;
      }
      // Latin letters with diacritics lead with C3..C5 (U+00C0..U+017F),
      // Romanian's "ș" and "ț" with C8 (U+0218..U+021B).
      const bool accented =
          n == 2 && ((c >= 0xC3 && c <= 0xC5) ||
                     (c == 0xC8 && static_cast<unsigned char>(cp[1]) >= 0x98 &&
                      static_cast<unsigned char>(cp[1]) <= 0x9B));
      // (A ligature is one letter English read as one: "Mælk" read "Melk".)
      const std::string folded = FoldText(cp);
      for (const char f : folded) {
        if (f == ' ') continue;
        out.push_back({f, accented, cp});
        if (accented) break;
      }
    }
    return out;
  };
  const std::vector<Char> was = chars(english), now = chars(other);
  // The two aligned: a letter of `other` without an accent matches the same
  // letter of `english`, without one too; an accented one any character of
  // `english`, or two ("ü" read "ii", "ñ" "fi", "ó" "6"). reach[i][j]: 0
  // when the first i of `english` and j of `other` cannot be aligned, 1
  // when they can, 2 when they can with an accent gained.
  const size_t n = was.size(), k = now.size();
  std::vector<std::vector<char>> reach(n + 1, std::vector<char>(k + 1, 0));
  reach[0][0] = 1;
  auto mark = [&](size_t i, size_t j, bool gain) {
    reach[i][j] = std::max<char>(reach[i][j], gain ? 2 : 1);
  };
  for (size_t i = 0; i <= n; ++i) {
    for (size_t j = 0; j < k; ++j) {
      if (reach[i][j] == 0) continue;
      const bool gained = reach[i][j] == 2;
      if (!now[j].accented) {
        // (A zero of the English reading, no digit beside it, may be the
        // other's "o": "r.0.".)
        auto digit = [&](size_t at) {
          return at < n && was[at].folded >= '0' && was[at].folded <= '9';
        };
        const bool zero_for_o = i < n && was[i].folded == '0' &&
                                now[j].folded == 'o' &&
                                !(i > 0 && digit(i - 1)) && !digit(i + 1);
        // (And a comma English read for a full stop after a letter: "Co,
        // KG" read "Co. KG" with "Müller" before it; not in numbers, and
        // not the other way: "S.A." read "S.A," by the other model.)
        const bool stop_for_comma = i > 0 && i < n && was[i].folded == ',' &&
                                    now[j].folded == '.' && !digit(i - 1);
        if (i < n && !was[i].accented &&
            (was[i].folded == now[j].folded || zero_for_o || stop_for_comma)) {
          mark(i + 1, j + 1, gained);
        }
        continue;
      }
      if (i < n) mark(i + 1, j + 1, gained || now[j].printed != was[i].printed);
      // (Two letters, the second accented, only after one without: "ő"
      // read "6é", "ö" read "dé"; not "éé".)
      const bool misread_pair = i + 1 < n && !was[i].accented;
      if (misread_pair) mark(i + 2, j + 1, true);
    }
  }
  return reach[n][k] == 2;
}

std::string WithCommaBelow(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const Cp& cp : Decode(text)) {
    // U+015E/F Ş ş -> U+0218/9 Ș ș; U+0162/3 Ţ ţ -> U+021A/B Ț ț.
    const char32_t c = cp.c == 0x15E   ? 0x218
                       : cp.c == 0x15F ? 0x219
                       : cp.c == 0x162 ? 0x21A
                       : cp.c == 0x163 ? 0x21B
                                       : cp.c;
    if (c == cp.c) {
      out.append(text.substr(cp.begin, cp.end - cp.begin));
    } else {
      core::AppendUtf8(out, c);
    }
  }
  return out;
}

}  // namespace invoices::extract
