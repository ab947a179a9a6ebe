// The readers of OCR text (extract/text_parse.h) on arbitrary bytes: a line
// of OCR output can hold anything, invalid UTF-8 included. The first byte
// picks the options (decimal separator, date order), the rest is the line.
// Never crashes; every span lies inside the line, in order; each date is a
// real calendar date and its own first candidate; a token found in a line
// reads back the same value on its own.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "invoices/core/date.h"
#include "invoices/extract/text_parse.h"

namespace {

using namespace invoices;

bool ValidDate(const core::Date& d) {
  auto again = core::Date::FromYmd(d.year(), d.month(), d.day());
  return again && *again == d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view line = fuzz::AsView(data + 1, size - 1);
  extract::AmountOptions amount_options;
  amount_options.decimal_separator = "\0.,"[data[0] % 3];
  const auto order = (data[0] & 4) != 0 ? extract::DateOrder::kMonthFirst
                                        : extract::DateOrder::kDayFirst;

  size_t last_end = 0;
  for (const auto& a : extract::FindAmounts(line, amount_options)) {
    FUZZ_CHECK(a.begin <= a.end && a.end <= line.size());
    FUZZ_CHECK(a.begin >= last_end);
    FUZZ_CHECK(a.begin <= a.number_begin && a.number_begin < a.number_end &&
               a.number_end <= a.end);
    if (a.currency) {
      FUZZ_CHECK(a.currency->begin <= a.currency->end &&
                 a.currency->end <= line.size());
      FUZZ_CHECK(a.currency->code.size() == 3);
    }
    last_end = a.end;
  }

  last_end = 0;
  for (const auto& d : extract::FindDates(line, order)) {
    FUZZ_CHECK(d.begin < d.end && d.end <= line.size());
    FUZZ_CHECK(d.begin >= last_end);
    FUZZ_CHECK(!d.candidates.empty() && d.candidates.front() == d.date);
    FUZZ_CHECK(d.ambiguous == (d.candidates.size() > 1));
    for (const auto& c : d.candidates) FUZZ_CHECK(ValidDate(c));
    FUZZ_CHECK(d.date.year() >= 1990 && d.date.year() <= 2100);
    last_end = d.end;
  }

  last_end = 0;
  for (const auto& c : extract::FindCurrencyMarks(line)) {
    FUZZ_CHECK(c.begin < c.end && c.end <= line.size());
    FUZZ_CHECK(c.begin >= last_end);
    FUZZ_CHECK(c.code.size() == 3);
    last_end = c.end;
  }

  if (auto d = extract::ParseDate(line, order)) {
    FUZZ_CHECK(!d->candidates.empty() && d->candidates.front() == d->date);
    for (const auto& c : d->candidates) FUZZ_CHECK(ValidDate(c));
  }
  if (auto a = extract::ParseAmount(line, amount_options)) {
    FUZZ_CHECK(a->number_begin < a->number_end && a->end <= line.size());
    auto text = a->value.ToString();
    auto back = core::Decimal::Parse(text);
    FUZZ_CHECK(back && *back == a->value);
  }
  if (auto c = extract::ParseCurrency(line)) FUZZ_CHECK(c->code.size() == 3);
  const int month = extract::MonthFromName(line);
  FUZZ_CHECK(month >= 0 && month <= 12);
  (void)extract::FoldText(line);
  return 0;
}
