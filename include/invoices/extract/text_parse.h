// Reading values as they are printed on receipts and invoices: amounts with
// their currency signs and national separators ("RM9.00", "1.234,50 EUR",
// "(5.00)", "1 234,50"), calendar dates in numeric and written forms
// ("25/12/2018", "10-Mar-18", "MAR 10, 2018", "10. März 2018"), and the
// currency codes or signs printed next to amounts. The Find* functions locate
// every value in one line of OCR text and give its byte span, so that a caller
// can map a match back to the OCR words it came from.
//
// These are readers, not judges: they say what a piece of text can mean
// (with flags for ambiguity), and leave deciding which value is the total or
// the invoice date to the field extractor (fields.h).
//
// Thread safety: pure functions over their arguments; safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "invoices/core/date.h"
#include "invoices/core/decimal.h"

namespace invoices::extract {

// Lower-case, accent-free form of `text` for matching words: ASCII letters
// lower-cased, Latin letters of U+00C0..U+017F lower-cased and stripped of
// their accents ("MÄRZ" -> "marz", "Échéance" -> "echeance", "ß" -> "ss"),
// Greek and Cyrillic letters lower-cased without accents ("ΣΎΝΟΛΟ" ->
// "συνολο", final "ς" -> "σ", "Ё" -> "е"), and Latin letters that look like
// Greek or Cyrillic ones read as those in a word of that script ("CУMA" ->
// "сума"); other characters unchanged. Byte offsets are not preserved.
std::string FoldText(std::string_view text);

// Whether byte `k` of folded text (FoldText) belongs to a word: ASCII
// letters and digits and the bytes of letters of other scripts, not
// punctuation or currency signs.
bool IsFoldedWordByte(std::string_view folded, size_t k);

// `word` in Greek (`greek`) or Cyrillic capitals when it has three letters
// or more and every one is a Latin capital that looks like one of that
// script ("METPHTA" -> "ΜΕΤΡΗΤΑ", "CYMA" -> "СУМА"), as a model that reads
// both scripts reads some words of one in the other; else nullopt. A word
// `beside_own` words of that script may have small letters too and two
// letters only ("Ap. Τιμολογίου" -> "Αρ.").
std::optional<std::string> FromLatinLookalikes(std::string_view word,
                                               bool greek,
                                               bool beside_own = false);

// An identifier (`id`: letters with digits) in Latin letters when a model
// of another script read its Latin print as that script's lookalikes
// ("РО-2021-5101" in Cyrillic -> "PO-2021-5101"): every Greek or Cyrillic
// letter in it must look like a Latin one, else `id` as it is.
std::string ToLatinLookalikes(std::string_view id);

// Greek `text` in the monotonic spelling of today's receipts: letters with
// breathings or the polytonic accents that OCR models sometimes read ("ῖ",
// "Ὑ") as the plain letter or the letter with the tonos ("ί", "Υ"), and
// the micro sign read for "μ" as "μ".
std::string MonotonicGreek(std::string_view text);

// How many letters of `text` are of each script; `distinct`: how many of
// the Greek and Cyrillic ones have capitals unlike any Latin letter ("Π",
// "Ж"; not "Α", "К"), which a model of that script does not read Latin
// print as.
struct ScriptLetters {
  size_t latin = 0, greek = 0, cyrillic = 0, other = 0;
  size_t distinct = 0;
  size_t all() const { return latin + greek + cyrillic + other; }
};
ScriptLetters CountScripts(std::string_view text);

// ---------------------------------------------------------------- currency

// A currency sign or code as printed.
struct CurrencyMark {
  std::string code;           // ISO 4217: "MYR", "EUR", "USD"
  bool ambiguous = false;     // a sign several currencies print: "$" (read as
                              // USD), "¥" (JPY), "Rs" (INR)
  size_t begin = 0, end = 0;  // byte span in the searched text
};

// The currency `text` (trimmed) stands for as a whole: "RM" -> MYR, "€" ->
// EUR, "EUR" / "Euro" -> EUR, "£" -> GBP, "S$" -> SGD, "$" -> USD (ambiguous).
// Three-letter ISO codes are recognised in upper case only, so that words like
// "eur" in running text or English words that happen to be codes are not
// taken for money. nullopt when `text` is no currency.
std::optional<CurrencyMark> ParseCurrency(std::string_view text);

// Every currency sign or code in `line`, in order, as whole words ("RM" in
// "RM9.00" and "TOTAL (RM)", not in "FORMAT"). "BHD" counts only right next
// to a number: elsewhere it is "Berhad", a Malaysian legal form.
std::vector<CurrencyMark> FindCurrencyMarks(std::string_view line);

// ----------------------------------------------------------------- amounts

struct AmountOptions {
  // The document's decimal separator when the caller knows it ('.' or ','),
  // or 0 to decide per token from its digit groups.
  char decimal_separator = 0;
  // The page prints whole amounts grouped by ordinary spaces (a currency
  // without cents: "20 840 Ft"), so that "3 400" is 3400 and not 3 and 400
  // (an ordinary space otherwise groups only before a decimal comma).
  bool whole_space_groups = false;
};

// One amount as printed.
struct AmountToken {
  core::Decimal value;        // signed, at the printed scale ("12.5" -> 12.5)
  size_t begin = 0, end = 0;  // bytes of the whole token: sign, currency,
                              // number, closing parenthesis
  size_t number_begin = 0, number_end = 0;  // bytes of the digits only
  std::optional<CurrencyMark> currency;     // sign or code next to it
  bool has_fraction = false;  // printed with decimals ("9.00", not "9")
  bool grouped = false;       // printed with thousands separators
  // A single separator followed by exactly three digits ("1,234", "1.234")
  // was read as grouping (1234); it might have been a decimal point.
  bool separator_ambiguous = false;
};

// Whether the lines of a page print whole amounts grouped by ordinary spaces,
// a currency without cents ("20 840 Ft"): a currency beside such a number,
// or three lines ending in one, and at most one amount with decimals on the
// page. Such a page's amounts are read with `whole_space_groups`.
bool PrintsWholeSpaceGroups(const std::vector<std::string>& lines);

// Reads `text` (trimmed) as one amount: "9.00", "RM 9.00", "RM9.00",
// "1,234.50", "1.234,50", "9,00 EUR", "$12.5", "€ 3,20", "-5.00", "5.00-",
// "(5.00)", "1 234,50", "1'234.50", "12,34,567.00" (Indian grouping).
//
// The decimal separator is decided from the digit groups: when both '.' and
// ',' occur the last one is the decimal separator; a separator that occurs
// more than once is grouping; a single separator followed by other than three
// digits is decimal; a single separator followed by exactly three digits is
// grouping (flagged separator_ambiguous) unless the integer part is "0" or the
// currency has three minor digits (KWD, BHD, ...). Grouping must be regular
// (groups of three after the first, or Indian 2-2-3). nullopt for anything
// else: dates, times, percentages, phone numbers, more than 15 digits.
std::optional<AmountToken> ParseAmount(std::string_view text,
                                       const AmountOptions& options = {});

// Every amount in a line of text, in order, with the rules of ParseAmount.
// Numbers that are part of something else are skipped: dates ("25/12/2018",
// "25.12.2018"), times ("14:32"), percentages ("6%"), phone numbers and ids
// ("03-7865 2323", "NO.53", "A4"), quantities glued to units ("1PC", "2x").
// Letters may follow an amount only when it has decimals or they are a
// currency code ("9.00SR", "9EUR"). Integers are returned too (has_fraction
// false): a caller decides whether "25" can be money. Spaces group digits only
// when the number ends in a decimal comma ("1 234,50") or the space is a
// no-break or thin space, because "2 100.00" on a receipt is usually a
// quantity and a price. One space right after a decimal separator, a common
// OCR error, is read through ("29. 70" is 29.70) unless another separator
// follows, as in "10. 03. 2018".
std::vector<AmountToken> FindAmounts(std::string_view line,
                                     const AmountOptions& options = {});

// Whether `folded` (FoldText) is a word for days in a language of the
// project's documents ("days", "tage", "gg", "dni", "ημερεσ", "днів"): a
// number before it is a period, not money ("30 dagen", "Net 30 days").
bool IsDaysWord(std::string_view folded);

// Whether `a` is printed as money of some currency may be: three decimals at
// most ("6.66797" is no sum of money but a total's separators misread; a unit
// price per litre or kWh may have four, a total not).
bool HasMoneyDecimals(const AmountToken& a);

// ------------------------------------------------------------------- dates

// How to read a numeric date whose first two numbers can both be a month;
// kYearFirst reads day-first but a hyphenated date of three two-digit numbers
// year first ("22-09-12" is 2022-09-12, as Sweden writes it).
enum class DateOrder { kDayFirst, kMonthFirst, kYearFirst };

struct DateToken {
  core::Date date;                     // the preferred reading
  std::vector<core::Date> candidates;  // every valid reading, preferred first
  bool ambiguous = false;              // candidates.size() > 1
  // The order a numeric day/month date proved by itself ("25/12/2018" is
  // day-first, "12/28/2017" month-first); nullopt for dates that prove
  // nothing ("03/10/18", "2018-03-10", "10 MAR 2018").
  std::optional<DateOrder> evident_order;
  bool has_time = false;      // a time of day is printed right next to it
  size_t begin = 0, end = 0;  // bytes of the date (without the time)
  // Read with a separator OCR lost put back ("3003/2018": LostSeparatorDate).
  bool separator_restored = false;
};

// Month number (1..12) of a month name or abbreviation, case- and
// accent-insensitive, with or without a final '.': English, German, French,
// Spanish, Italian, Dutch, Malay and Indonesian ("MAR", "March", "MÄR",
// "März", "janv.", "févr", "MEI", "OGOS", "DIS", "dic"); 0 otherwise.
int MonthFromName(std::string_view word);

// A date of `word` whose first or second separator OCR lost, put back:
// four digits, a separator and two or four ("3003/2018" is 30/03/2018), or
// two, a separator and four or six ("30/032018"), when that makes a date
// in `order` (ParseDate) with a four-digit year or a two-digit one; its
// span is the word's and `separator_restored` is set. nullopt otherwise.
std::optional<DateToken> LostSeparatorDate(std::string_view word,
                                           DateOrder order);

// Reads `text` (trimmed) as one date, optionally with a time of day before or
// after it ("25/12/2018 14:32", "25/12/2018 8:13:39 PM"). Forms:
//   numeric day-month-year with '/', '-' or '.' ("25/12/2018", "25.12.18"),
//   month-day-year when the day-first reading is impossible ("12/28/2017"),
//   year-month-day ("2018-03-10", "2018/03/10"),
//   day month year ("10 MAR 2018", "10-Mar-18", "10MAR2018", "10. März 2018",
//   "10th of March 2018", "10 de marzo de 2018"),
//   month day year ("MAR 10, 2018", "March 10 2018", "Mar 10th, 18"),
//   year month day ("2018-Mar-10", "2018年3月10日").
// Two-digit years are 20xx. Years outside 1990..2100 and impossible dates
// (31/04, 29/02 in a common year) give nullopt.
// A numeric date with both first numbers <= 12 and '/' or '-' is ambiguous:
// `order` decides the preferred reading, and both readings are in
// `candidates`. Dotted dates ("03.10.2018") are a day-first convention and
// read day-first unless that is impossible. With kYearFirst, "22-09-12" is
// first of all 2022-09-12 (the day-first readings follow as candidates).
std::optional<DateToken> ParseDate(std::string_view text,
                                   DateOrder order = DateOrder::kDayFirst);

// Every date in a line of text, in order, with the rules of ParseDate.
std::vector<DateToken> FindDates(std::string_view line,
                                 DateOrder order = DateOrder::kDayFirst);

// Whether `line` holds a time of day, one or two digits of hours and two of
// minutes ("17:39", "8:13", and "18: 45" as OCR spaces it).
bool HasTimeOfDay(std::string_view line);

// The language of a receipt's words other than English, as a Tesseract
// language code ("deu", "fra", "spa", "ita", "nld", "por", "pol", "swe",
// "dan", "nor", "fin", "ces", "tur", "hun", "ron", "ell", "bul", "rus",
// "ukr"), when at least
// two words that only that language's receipts print ("MwSt", "Rückgeld";
// "TTC", "Espèces"; "Efectivo", "Gracias"...) outnumber any other's by two;
// else "". Read from text OCR'd with an English model (accents lost).
std::string GuessLanguage(std::string_view text);

// Whether `other` (a line read again with that language's model) is
// `english` (the English model's reading, which drops most accents or
// reads them as other characters) with accents it had not: the same letters
// and digits once folded, spaces aside, except that an accented letter of
// `other` may stand for any one or two characters of `english`
// ("HauptstraBe", "Miinchen", "Espafia", "Constituci6n"); at least one
// letter accented or accented otherwise ("Lefévre" -> "Lefèvre"), and no
// accent of `english` dropped ("Café Schafer" is not "Cafe Schäfer").
bool AddsAccents(std::string_view english, std::string_view other);

// Romanian text with its "ș" and "ț" written with the comma below, as the
// language writes them, where OCR read the cedilla forms of Turkish ("ş",
// "ţ"; the Romanian model reads them so): "Mioriţa" -> "Miorița".
std::string WithCommaBelow(std::string_view text);

// Whether a word of `line` is shaped like a numeric date that OCR misread
// (and FindDates therefore misses): with letters OCR takes for digits read
// as digits (O 0, S 5, I l | 1, B 8, Z 2) and '~' as '-', it is two or three
// groups of one to four digits apart by '/', '-' or '.', and has two
// separators or a year of four digits ("3003/2018", "OS~0S-17"). Phone
// numbers, invoice numbers and amounts are not.
bool HasDateShape(std::string_view line);

}  // namespace invoices::extract
