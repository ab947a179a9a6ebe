#include "invoices/extract/line_items.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "invoices/core/decimal.h"
#include "invoices/extract/fields.h"
#include "invoices/extract/text_parse.h"
#include "text_rows.h"

namespace invoices::extract {
namespace {

using core::Decimal;
using internal::CountDigits;
using internal::CountLetters;
using internal::Phrase;
using internal::PhraseTable;
using internal::Row;
using internal::Span;

// ------------------------------------------------------------------ labels

// Column headers of an item table.
enum Column { kDesc = 1, kQty, kPrice, kAmount, kTaxCol, kDiscCol, kUom };

Phrase P(std::string_view text, int kind) {
  Phrase p;
  size_t i = 0;
  while (i < text.size()) {
    const size_t j = std::min(text.find(' ', i), text.size());
    if (j > i) p.tokens.emplace_back(text.substr(i, j - i));
    i = j + 1;
  }
  p.kind = kind;
  return p;
}

const PhraseTable& Headers() {
  static const PhraseTable kTable({
      P("description", kDesc),
      P("descriptions", kDesc),
      P("desc", kDesc),
      P("item", kDesc),
      P("items", kDesc),
      P("item description", kDesc),
      P("item name", kDesc),
      P("itemname", kDesc),
      P("article", kDesc),
      P("articles", kDesc),
      P("artikel", kDesc),
      P("bezeichnung", kDesc),
      P("beschreibung", kDesc),
      P("artikelbezeichnung", kDesc),
      P("leistung", kDesc),
      P("leistungen", kDesc),
      P("designation", kDesc),
      P("libelle", kDesc),
      P("produit", kDesc),
      P("descripcion", kDesc),
      P("concepto", kDesc),
      P("articulo", kDesc),
      P("producto", kDesc),
      P("descrizione", kDesc),
      P("articolo", kDesc),
      P("prodotto", kDesc),
      P("omschrijving", kDesc),
      P("product", kDesc),
      P("produkt", kDesc),
      P("products", kDesc),
      P("particulars", kDesc),
      P("details", kDesc),
      P("service", kDesc),
      P("services", kDesc),
      P("perkara", kDesc),
      P("keterangan", kDesc),
      P("barang", kDesc),
      P("nama barang", kDesc),
      P("code desc", kDesc),
      P("name", kDesc),
      P("menu", kDesc),
      P("qty", kQty),
      P("quantity", kQty),
      P("qnty", kQty),
      P("q ty", kQty),
      P("menge", kQty),
      P("anzahl", kQty),
      P("anz", kQty),
      P("qte", kQty),
      P("quantite", kQty),
      P("cantidad", kQty),
      P("cant", kQty),
      P("quantita", kQty),
      P("qta", kQty),
      P("aantal", kQty),
      P("kuantiti", kQty),
      P("kuantiti", kQty),
      P("units", kQty),
      P("pcs", kQty),
      P("stk", kQty),
      P("hrs", kQty),
      P("hours", kQty),
      P("std", kQty),
      P("uom", kUom),
      P("unit of measure", kUom),
      P("price", kPrice),
      P("unit price", kPrice),
      P("rate", kPrice),
      P("unit cost", kPrice),
      P("u price", kPrice),
      P("u p", kPrice),
      P("preis", kPrice),
      P("einzelpreis", kPrice),
      P("e preis", kPrice),
      P("ep", kPrice),
      P("stuckpreis", kPrice),
      P("prix", kPrice),
      P("prix unitaire", kPrice),
      P("pu", kPrice),
      P("p u", kPrice),
      P("precio", kPrice),
      P("precio unitario", kPrice),
      P("prezzo", kPrice),
      P("prezzo unitario", kPrice),
      P("prijs", kPrice),
      P("stukprijs", kPrice),
      P("harga", kPrice),
      P("harga seunit", kPrice),
      P("each", kPrice),
      P("unit", kPrice),
      P("amount", kAmount),
      P("amt", kAmount),
      P("total", kAmount),
      P("line total", kAmount),
      P("betrag", kAmount),
      P("gesamt", kAmount),
      P("gesamtpreis", kAmount),
      P("summe", kAmount),
      P("montant", kAmount),
      P("montant ht", kAmount),
      P("total ht", kAmount),
      P("importe", kAmount),
      P("importo", kAmount),
      P("bedrag", kAmount),
      P("jumlah", kAmount),
      P("value", kAmount),
      P("ext", kAmount),
      P("extension", kAmount),
      P("net", kAmount),
      P("netto", kAmount),
      P("total price", kAmount),
      P("totaal", kAmount),
      P("tax", kTaxCol),
      P("gst", kTaxCol),
      P("vat", kTaxCol),
      P("mwst", kTaxCol),
      P("ust", kTaxCol),
      P("tva", kTaxCol),
      P("iva", kTaxCol),
      P("btw", kTaxCol),
      P("tax code", kTaxCol),
      P("disc", kDiscCol),
      P("discount", kDiscCol),
      P("rabatt", kDiscCol),
      P("remise", kDiscCol),
      P("dto", kDiscCol),
      P("sconto", kDiscCol),
      P("korting", kDiscCol),
  });
  return kTable;
}

// What a row's label makes of it.
enum RowLabel { kStopLabel = 1, kPayLabel, kTaxLabel, kDiscLabel, kMetaLabel };

const PhraseTable& RowLabels() {
  static const PhraseTable kTable({
      // The end of the items.
      P("subtotal", kStopLabel),
      P("sub total", kStopLabel),
      P("tot", kStopLabel),
      P("tot qty", kStopLabel),
      P("gross", kStopLabel),
      P("gross amount", kStopLabel),
      P("gross total", kStopLabel),
      P("sub ttl", kStopLabel),
      P("subttl", kStopLabel),
      P("total", kStopLabel),
      P("totals", kStopLabel),
      P("nettotal", kStopLabel),
      P("grandtotal", kStopLabel),
      P("ttl", kStopLabel),
      P("grand total", kStopLabel),
      P("net total", kStopLabel),
      P("nett total", kStopLabel),
      P("total amount", kStopLabel),
      P("summe", kStopLabel),
      P("zwischensumme", kStopLabel),
      P("gesamt", kStopLabel),
      P("gesamtbetrag", kStopLabel),
      P("endsumme", kStopLabel),
      P("rechnungsbetrag", kStopLabel),
      P("nettobetrag", kStopLabel),
      P("netto", kStopLabel),
      P("jumlah", kStopLabel),
      P("jumlah kecil", kStopLabel),
      P("jumlah besar", kStopLabel),
      P("sous total", kStopLabel),
      P("total ht", kStopLabel),
      P("total ttc", kStopLabel),
      P("montant ht", kStopLabel),
      P("montant ttc", kStopLabel),
      P("net a payer", kStopLabel),
      P("subtotaal", kStopLabel),
      P("totaal", kStopLabel),
      P("totale", kStopLabel),
      P("subtotale", kStopLabel),
      P("imponibile", kStopLabel),
      P("base imponible", kStopLabel),
      P("amount due", kStopLabel),
      P("balance due", kStopLabel),
      P("balance", kStopLabel),
      P("rounding", kStopLabel),
      P("round", kStopLabel),
      P("total qty", kStopLabel),
      P("total items", kStopLabel),
      P("item count", kStopLabel),
      P("no of items", kStopLabel),
      P("tax summary", kStopLabel),
      P("gst summary", kStopLabel),
      P("vat summary", kStopLabel),
      P("zu zahlen", kStopLabel),
      P("a payer", kStopLabel),
      P("a pagar", kStopLabel),
      P("importe total", kStopLabel),
      P("osszesen", kStopLabel),
      P("reszosszeg", kStopLabel),
      P("fizetendo", kStopLabel),
      P("vegosszeg", kStopLabel),
      P("taxable value", kStopLabel),
      P("taxable amount", kStopLabel),
      P("base tributavel", kStopLabel),
      P("veroton hinta", kStopLabel),
      P("veroton", kStopLabel),
      P("mellemsum", kStopLabel),
      P("delsum", kStopLabel),
      P("delsumma", kStopLabel),
      P("razem netto", kStopLabel),
      P("wartosc netto", kStopLabel),
      P("zaklad dane", kStopLabel),
      P("ara toplam", kStopLabel),
      P("dasar pengenaan pajak", kStopLabel),
      // ... of receipts of more countries.
      P("sprzedaz opodatk", kStopLabel),  // Polish: the sales taxed at A
      P("suma", kStopLabel),
      P("do zaplaty", kStopLabel),
      P("celkem", kStopLabel),
      P("summa", kStopLabel),
      P("i alt", kStopLabel),
      P("yhteensa", kStopLabel),
      P("toplam", kStopLabel),
      P("συνολο", kStopLabel),
      P("υποσυνολο", kStopLabel),
      P("сума", kStopLabel),
      P("междинна сума", kStopLabel),
      P("общо", kStopLabel),
      P("итого", kStopLabel),
      P("итог", kStopLabel),
      P("подытог", kStopLabel),
      P("промежуточный итог", kStopLabel),
      P("всего", kStopLabel),
      P("всього", kStopLabel),
      P("разом", kStopLabel),
      // Payments.
      P("cash", kPayLabel),
      P("tunai", kPayLabel),
      P("change", kPayLabel),
      P("kembali", kPayLabel),
      P("baki", kPayLabel),
      P("tendered", kPayLabel),
      P("tender", kPayLabel),
      P("visa", kPayLabel),
      P("mastercard", kPayLabel),
      P("amex", kPayLabel),
      P("card", kPayLabel),
      P("credit", kPayLabel),
      P("debit", kPayLabel),
      P("eftpos", kPayLabel),
      P("paid", kPayLabel),
      P("payment", kPayLabel),
      P("bayar", kPayLabel),
      P("ruckgeld", kPayLabel),
      P("gegeben", kPayLabel),
      P("ec", kPayLabel),
      P("girocard", kPayLabel),
      P("especes", kPayLabel),
      P("cb", kPayLabel),
      P("carte", kPayLabel),
      P("efectivo", kPayLabel),
      P("cambio", kPayLabel),
      P("rendu", kPayLabel),
      P("contant", kPayLabel),
      P("keszpenz", kPayLabel),
      P("visszajaro", kPayLabel),
      P("gotowka", kPayLabel),
      P("reszta", kPayLabel),
      P("karta", kPayLabel),
      P("hotovost", kPayLabel),
      P("kontant", kPayLabel),
      P("vaxel", kPayLabel),
      P("byttepenge", kPayLabel),
      P("veksel", kPayLabel),
      P("kateinen", kPayLabel),
      P("vaihtoraha", kPayLabel),
      P("takaisin", kPayLabel),
      P("kortti", kPayLabel),
      P("nakit", kPayLabel),
      P("para ustu", kPayLabel),
      P("contanti", kPayLabel),
      P("resto", kPayLabel),
      P("numerario", kPayLabel),
      P("troco", kPayLabel),
      P("numerar", kPayLabel),
      P("μετρητα", kPayLabel),
      P("ρεστα", kPayLabel),
      P("в брой", kPayLabel),
      P("ресто", kPayLabel),
      P("наличные", kPayLabel),
      P("наличными", kPayLabel),
      P("безналичными", kPayLabel),
      P("сдача", kPayLabel),
      P("готівка", kPayLabel),
      P("решта", kPayLabel),
      // Taxes and charges.
      P("gst", kTaxLabel),
      P("sst", kTaxLabel),
      P("vat", kTaxLabel),
      P("tax", kTaxLabel),
      P("mwst", kTaxLabel),
      P("ust", kTaxLabel),
      P("tva", kTaxLabel),
      P("iva", kTaxLabel),
      P("btw", kTaxLabel),
      P("service charge", kTaxLabel),
      P("svc chg", kTaxLabel),
      P("service tax", kTaxLabel),
      P("sales tax", kTaxLabel),
      P("igst", kTaxLabel),
      P("cgst", kTaxLabel),
      P("sgst", kTaxLabel),
      P("moms", kTaxLabel),
      P("mva", kTaxLabel),
      P("alv", kTaxLabel),
      P("dph", kTaxLabel),
      P("kdv", kTaxLabel),
      P("ppn", kTaxLabel),
      P("afa", kTaxLabel),
      P("ptu", kTaxLabel),
      P("φπα", kTaxLabel),
      P("ддс", kTaxLabel),
      P("ндс", kTaxLabel),
      P("пдв", kTaxLabel),
      // Discounts.
      P("discount", kDiscLabel),
      P("disc", kDiscLabel),
      P("diskaun", kDiscLabel),
      P("rabatt", kDiscLabel),
      P("remise", kDiscLabel),
      P("descuento", kDiscLabel),
      P("sconto", kDiscLabel),
      P("korting", kDiscLabel),
      P("promo", kDiscLabel),
      P("coupon", kDiscLabel),
      P("voucher", kDiscLabel),
      P("savings", kDiscLabel),
      P("less", kDiscLabel),
      P("nachlass", kDiscLabel),
      // Header data, never an item.
      P("date", kMetaLabel),
      P("time", kMetaLabel),
      P("invoice", kMetaLabel),
      P("receipt", kMetaLabel),
      P("cashier", kMetaLabel),
      P("table", kMetaLabel),
      P("tel", kMetaLabel),
      P("phone", kMetaLabel),
      P("fax", kMetaLabel),
      P("datum", kMetaLabel),
      P("tarikh", kMetaLabel),
      P("pax", kMetaLabel),
      P("terminal", kMetaLabel),
      P("page", kMetaLabel),
  });
  return kTable;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The ASCII digits `s` starts with.
size_t LeadingDigits(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && IsDigit(s[n])) ++n;
  return n;
}

// Whether a row of text was read surely enough to continue a description
// (a description's first row is taken however it was read):
// its words' confidence weighted by their letters and digits at least half
// (a dashed rule read as letters, "SOOT TOES ESS SS", is not; "Appeltaart"
// beside a speck read "Ca" is).
bool ReadSurely(const Row& row) {
  double weighted = 0;
  int chars = 0;
  for (const OcrWord& w : row.words) {
    const int n = CountLetters(w.text) + CountDigits(w.text);
    weighted += w.confidence * n;
    chars += n;
  }
  return chars > 0 && weighted >= 0.5 * chars;
}

bool HasAlnum(std::string_view s) {
  return CountDigits(s) + CountLetters(s) > 0;
}

// The bytes of a multiplication sign at the start of `s`: "x", "X", "×",
// or the Cyrillic "х" and Greek "χ" an "x" is read as on pages read in
// those scripts; 0 when none.
size_t TimesSignAt(std::string_view s) {
  if (!s.empty() && (s[0] == 'x' || s[0] == 'X')) return 1;
  for (std::string_view sign :
       {"\xC3\x97", "\xD1\x85", "\xD0\xA5", "\xCF\x87"}) {
    if (s.substr(0, sign.size()) == sign) return sign.size();
  }
  return 0;
}

bool IsMarker(std::string_view w) {
  // (OCR reads a bold "x" as "xX" or "xx" now and then.)
  return (!w.empty() && TimesSignAt(w) == w.size()) || w == "@" || w == "*" ||
         w == "xX" || w == "xx" || w == "Xx";
}

// Whether `s` starts with a capital letter: Latin, Greek or Cyrillic.
bool StartsWithCapital(std::string_view s) {
  if (s.empty()) return false;
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 >= 'A' && b0 <= 'Z') return true;
  if (s.size() < 2 || (b0 >> 5) != 0x6) return false;  // two bytes
  const char32_t c =
      ((b0 & 0x1F) << 6) | (static_cast<unsigned char>(s[1]) & 0x3F);
  return (c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3A9) ||
         (c >= 0x400 && c <= 0x42F);
}

// Units printed between a quantity and a price ("1 PC", "2 pcs").
bool IsUnitWord(std::string_view w) {
  static constexpr std::string_view kUnits[] = {
      "pc", "pcs", "ea",  "kg",  "g",   "l",   "ml", "unit", "units", "stk",
      "st", "x",   "btl", "ctn", "box", "pkt", "m",  "h",    "hr",    "hrs"};
  const std::string f = FoldText(w);
  return std::find(std::begin(kUnits), std::end(kUnits), f) != std::end(kUnits);
}

// Units that count pieces ("2pc", "3 pcs"), not sizes ("1KG").
bool IsCountUnit(std::string_view w) {
  static constexpr std::string_view kUnits[] = {
      "pc", "pcs", "ea", "unit", "units", "stk", "btl", "ctn", "pkt", "x"};
  const std::string f = FoldText(w);
  return std::find(std::begin(kUnits), std::end(kUnits), f) != std::end(kUnits);
}

// A product code: a barcode or article number of six digits or more,
// mostly digits.
bool IsCode(std::string_view w) {
  const int d = CountDigits(w), l = CountLetters(w);
  return d >= 6 && l * 3 <= d;
}

// quantity x unit price == amount, allowing the unit price to be rounded
// to the printed cents.
bool Multiplies(const Decimal& q, const Decimal& u, const Decimal& a) {
  // (A credit note's amount is negative, its price and quantity not.)
  const double qd = q.ToDouble(), ud = u.ToDouble(),
               ad = std::abs(a.ToDouble());
  if (qd <= 0 || ud <= 0 || ad <= 0) return false;
  const double tolerance =
      0.5 * std::pow(10.0, -std::max(2, u.scale())) * std::max(1.0, qd);
  return std::abs(qd * ud - ad) <= tolerance + 1e-9;
}

// A quantity as printed, without trailing zeros ("2.00" -> "2").
std::string QuantityText(const Decimal& q) {
  std::string s = q.ToString();
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

bool QuantityLike(const Decimal& q) {
  return !q.is_negative() && q.units() != 0 && q.ToDouble() <= 10000;
}

// The whole quantity that `price` (printed with decimals, or on a page of
// whole amounts) makes `amount`, if any: 7295.31 / 810.59 is 9.
std::optional<Decimal> ImpliedQuantity(const Decimal& price,
                                       const Decimal& amount, bool price_like) {
  if (!price_like || price.is_negative() || price.units() == 0) {
    return std::nullopt;
  }
  const double q = std::round(std::abs(amount.ToDouble()) / price.ToDouble());
  if (q < 1 || q > 10000) return std::nullopt;
  const Decimal quantity(static_cast<int64_t>(q), 0);
  if (!Multiplies(quantity, price, amount)) return std::nullopt;
  return quantity;
}

// ------------------------------------------------------- misread prices

// A price: a word that is an amount with decimals and no letters.
bool IsPriceWord(const std::string& text) {
  const auto a = ParseAmount(text);
  return a && a->has_fraction && CountLetters(text) == 0;
}

// Whether an amount `value` printed and a misreading of it `read` share
// their digits: those of one are the other's with one or two more ("11.36"
// and "LL36", "1.52" and "1352"), two at least.
bool SameDigits(std::string_view value, std::string_view read) {
  std::string a, b;
  for (char c : value) {
    if (c >= '0' && c <= '9') a += c;
  }
  for (char c : read) {
    if (c >= '0' && c <= '9') b += c;
  }
  if (a.size() < b.size()) std::swap(a, b);
  if (b.size() < 2 || a.size() - b.size() > 2) return false;
  size_t k = 0;  // b a subsequence of a
  for (char c : a) {
    if (k < b.size() && b[k] == c) ++k;
  }
  return k == b.size();
}

// The quantity and unit price that a row of a count and a price OCR
// misread gives the item beside it whose amount is `amount`, when the
// arithmetic holds: "3% 22,25" and "2x 1775" (the "x" or the separator
// misread), "AX 12,79" (the count: "4x"), "2 xX §,75" (the price: its
// digits must be those read).
std::optional<std::pair<Decimal, Decimal>> CountRowFor(const Row& row,
                                                       const Decimal& amount,
                                                       int minor) {
  const size_t n = row.words.size();
  if (n < 2 || n > 3 || amount.is_negative() || amount.units() == 0) {
    return std::nullopt;
  }
  std::string count;
  for (size_t k = 0; k + 1 < n; ++k) count += row.words[k].text;
  const size_t digits = LeadingDigits(count);
  const std::string_view rest = std::string_view(count).substr(digits);
  // A count and a marker or one sign; or a character and an "x".
  const bool counted =
      digits >= 1 && digits <= 2 && count[0] != '0' && !rest.empty() &&
      (IsMarker(rest) ||
       (internal::CountCodePoints(rest) == 1 && !HasAlnum(rest)));
  const bool misread_count =
      digits == 0 && count.size() == 2 && (count[1] == 'x' || count[1] == 'X');
  if (!counted && !misread_count) return std::nullopt;
  std::optional<Decimal> stated;
  if (counted) stated = Decimal(std::stoll(count.substr(0, digits)), 0);
  const std::string& last = row.words[n - 1].text;
  std::optional<Decimal> price;
  if (IsPriceWord(last)) {
    price = ParseAmount(last)->value;
  } else if (minor > 0 && last.size() >= 3 && last.size() <= 6 &&
             CountDigits(last) == static_cast<int>(last.size())) {
    price = Decimal(std::stoll(last), minor);  // its separator lost
  }
  if (price) {
    const std::optional<Decimal> q = ImpliedQuantity(*price, amount, true);
    if (!q || q->ToDouble() > 99 || (stated && *q != *stated) ||
        (!stated && q->ToDouble() < 2)) {
      return std::nullopt;
    }
    return std::pair{*q, *price};
  }
  // A price misread into no number: the amount over the count printed.
  if (!stated) return std::nullopt;
  const int64_t units = std::abs(amount.Rescaled(minor).units());
  if (units % stated->units() != 0) return std::nullopt;
  const Decimal unit(units / stated->units(), minor);
  if (!SameDigits(unit.ToString(minor), last)) return std::nullopt;
  return std::pair{*stated, unit};
}

// Where a page's prices end: the right edge of three or more prices with
// decimals, the text's height, and the rows they span.
struct PriceColumn {
  int right = 0, h = 1, top = 0, bottom = 0;
};

std::optional<PriceColumn> FindPriceColumn(
    const std::vector<const std::vector<OcrWord>*>& lines) {
  std::vector<int> ends, heights;
  for (const auto* words : lines) {
    for (const OcrWord& w : *words) {
      if (!IsPriceWord(w.text)) continue;
      ends.push_back(w.box.x1);
      heights.push_back(w.box.y1 - w.box.y0);
    }
  }
  if (ends.size() < 3) return std::nullopt;
  PriceColumn c;
  std::nth_element(ends.begin(), ends.begin() + ends.size() / 2, ends.end());
  c.right = ends[ends.size() / 2];
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2,
                   heights.end());
  c.h = std::max(1, heights[heights.size() / 2]);
  int in_column = 0;
  c.top = INT32_MAX;
  for (const auto* words : lines) {
    for (const OcrWord& w : *words) {
      if (!IsPriceWord(w.text) || std::abs(w.box.x1 - c.right) > 3 * c.h / 2) {
        continue;
      }
      ++in_column;
      c.top = std::min(c.top, w.box.y0);
      c.bottom = std::max(c.bottom, w.box.y1);
    }
  }
  if (in_column < 3) return std::nullopt;
  return c;
}

// The first of the words that end `words` as a misread price in `column`
// (GarbledPriceCells), if they do.
std::optional<size_t> MisreadPriceAt(const std::vector<OcrWord>& words,
                                     const PriceColumn& column) {
  if (words.empty()) return std::nullopt;
  const int h = column.h;
  const OcrWord& last = words.back();
  if (std::abs(last.box.x1 - column.right) > 3 * h / 2) return std::nullopt;
  // Between the prices (a line or two above the first: it may be an
  // item's).
  const int mid = (last.box.y0 + last.box.y1) / 2;
  if (mid <= column.top - 3 * h || mid >= column.bottom) return std::nullopt;
  // The cell: the words at the end no wider apart than a letter or two,
  // after a gap of more than a line's height (or alone on their line).
  size_t first = words.size() - 1;
  while (first > 0 &&
         words[first].box.x0 - words[first - 1].box.x1 < 4 * h / 5) {
    --first;
  }
  if (first > 0 && words[first].box.x0 - words[first - 1].box.x1 < 6 * h / 5) {
    return std::nullopt;
  }
  std::string text, spaced;
  for (size_t k = first; k < words.size(); ++k) {
    text += words[k].text;
    spaced += words[k].text + ' ';
  }
  // A price read with marks no currency makes ("29,56 ¢€", "28,17 |") is
  // worth reading again alone; one with its currency ("33.35 лв.", "9,00
  // €") was read.
  const std::vector<AmountToken> amounts = FindAmounts(spaced);
  if (std::any_of(amounts.begin(), amounts.end(),
                  [](const AmountToken& a) { return a.has_fraction; })) {
    if (CountLetters(text) > 0 || IsPriceWord(text)) return std::nullopt;
    return first;
  }
  // Misread: no price, no longer than a price, a digit in it, and no date,
  // time of day ("14:05", where "3:35" may be a price) or rate.
  const bool time =
      text.size() == 5 && text[2] == ':' && CountDigits(text) == 4;
  // (Eight digits or more without a separator are a number: "90467421".)
  const bool number =
      CountDigits(text) >= 8 && text.find_first_of(".,") == std::string::npos;
  if (IsPriceWord(text) || text.size() > 10 || text.size() < 3 || number ||
      CountDigits(text) < 1 || CountLetters(text) > 3 ||
      !FindDates(text).empty() || time || text.find('%') != std::string::npos) {
    return std::nullopt;
  }
  return first;
}

// ------------------------------------------------------------- row model

struct Number {
  Decimal value;
  bool fraction = false;
  size_t first = 0, last = 0;  // words [first, last)
  core::BBox box;
  bool marker_before = false;  // "x" or "@" right before it
  bool apart = false;          // a column gap before it
};

enum Kind {
  kNone,     // nothing to read
  kItem,     // description and amount
  kNumbers,  // amount without description ("1 8.49 8.49 SR")
  kText,     // description without amount
  kCode,     // a product code alone
  kStop,     // totals
  kSkip,     // payment, tax, rounding
  kDiscount,
};

struct Parsed {
  Kind kind = kNone;
  size_t desc_first = 0, desc_last = 0;  // description words
  std::optional<Decimal> qty, unit, amount;
  bool verified = false;   // qty x unit == amount
  bool derived = false;    // amount computed from "2 x 3.50"
  bool code = false;       // a product code printed on the row
  bool counted = false;    // the row starts with a count ("2 Coffee")
  bool unit_only = false;  // only "@ 3.50": a unit price for the item above
  // The price was misread into no amount (MisreadPriceAt): `amount` is a
  // stand-in until the arithmetic gives it, `amount_span` the misreading.
  bool unread = false;
  bool filled = false;  // a misread price the arithmetic gave
  // A count or its sign glued to the description's first word: "2x" of
  // "2xMelk", "х" of "4 хБоза".
  std::string glued_count;
  Span amount_span;
  int meta = 0;  // header data labels on the row
};

struct HeaderColumn {
  int kind = 0;
  core::BBox box;
};

// The label of a row when it starts with one ("Total", "Cash", "SR @ 6%").
int LeadingLabel(const Row& row, size_t desc_first, size_t desc_last) {
  const auto hits = RowLabels().Match(row);
  int letter_tokens = 0;
  for (const auto& t : row.tokens) {
    if (t.word >= desc_first && t.word < desc_last &&
        CountLetters(t.text) > 0) {
      ++letter_tokens;
    }
  }
  for (const auto& hit : hits) {
    // Only a label at the start of the description, or one that is most of
    // it, says what the row is.
    int before = 0;
    for (size_t k = 0; k < hit.first; ++k) {
      const auto& t = row.tokens[k];
      if (t.word >= desc_first && CountLetters(t.text) > 0) ++before;
    }
    const int len = static_cast<int>(hit.last - hit.first + 1);
    const int kind = hit.phrase->kind;
    // A total label anywhere in a short row ("5 Item(s) Total(MYR):").
    if (kind == kStopLabel && letter_tokens <= 4) return kind;
    if (before == 0 || (before <= 1 && letter_tokens <= len + 3)) return kind;
  }
  // Totals glued to the next word: "TotalQty", "NetTotal", "SubTotalRM".
  int seen = 0;
  for (const auto& t : row.tokens) {
    if (t.word < desc_first || CountLetters(t.text) == 0) continue;
    if (++seen > 2) break;
    if (t.text.size() > 5 &&
        (t.text.starts_with("total") || t.text.starts_with("subtotal") ||
         t.text.ends_with("total"))) {
      return kStopLabel;
    }
  }
  return 0;
}

// `description` without an opening quote that nothing closes: the rule
// over a table's row read as "‘" or "“" before its first word ("‘Labour
// (hours)").
std::string WithoutStrayQuote(std::string description) {
  static constexpr std::pair<std::string_view, std::string_view> kQuotes[] = {
      {"\xE2\x80\x98", "\xE2\x80\x99"},  // ‘ ’
      {"\xE2\x80\x9C", "\xE2\x80\x9D"},  // “ ”
      {"'", "'"},
      {"\"", "\""},
  };
  for (const auto& [open, close] : kQuotes) {
    if (description.size() > open.size() && description.starts_with(open) &&
        description.find(close, open.size()) == std::string::npos) {
      description.erase(0, open.size());
      while (!description.empty() && description.front() == ' ') {
        description.erase(0, 1);
      }
      break;
    }
  }
  return description;
}

// The end of a description that runs from word `first` to `last` of `row`:
// a short last word (two characters at most) after a column gap is another
// cell, not description: the quantity ("Transporte  11") or what OCR made
// of it ("Materialen  af" for "1"). A count there goes to `count`.
size_t TrimCell(const Row& row, size_t first, size_t last,
                std::optional<Decimal>* count) {
  if (last < first + 2 || !row.GapAfter(last - 2)) return last;
  const std::string& t = row.words[last - 1].text;
  if (internal::CountCodePoints(t) > 2) return last;
  if (count && !t.empty() && std::all_of(t.begin(), t.end(), IsDigit) &&
      std::stoi(t) > 0) {
    *count = Decimal(std::stoi(t), 0);
  }
  return last - 1;
}

class TableReader {
 public:
  // `whole_amounts`: the page prints money without decimals (see
  // ExtractLineItems), so whole numbers can be amounts. `credit`: a credit
  // note, whose items are printed negative (not discounts).
  TableReader(const std::vector<Row>& rows, int minor, bool whole_amounts,
              bool credit)
      : rows_(rows), minor_(minor), whole_(whole_amounts), credit_(credit) {}

  void SetColumns(std::vector<HeaderColumn> columns) {
    columns_ = std::move(columns);
    desc_column_ = std::any_of(columns_.begin(), columns_.end(),
                               [](const auto& c) { return c.kind == kDesc; });
  }

  // Where the page's prices end, to find prices misread into no amount.
  void SetPriceColumn(std::optional<PriceColumn> column) {
    price_column_ = column;
  }

  Parsed Parse(size_t ri) const;

 private:
  int ColumnOf(const core::BBox& box, double h) const;
  // A number printed as a price is: with decimals, or on a page of whole
  // amounts in a column of its own (not the "1" of "Tej 1 l").
  bool PriceLike(const Number& n) const {
    return n.fraction || (whole_ && n.apart);
  }
  const std::vector<Row>& rows_;
  int minor_;
  bool whole_;
  bool credit_;
  bool desc_column_ = false;
  std::vector<HeaderColumn> columns_;
  std::optional<PriceColumn> price_column_;
};

int TableReader::ColumnOf(const core::BBox& box, double h) const {
  const int cx = (box.x0 + box.x1) / 2;
  int best = 0;
  double best_d = 1e18;
  for (const HeaderColumn& c : columns_) {
    if (cx < c.box.x0 - 2 * h || cx > c.box.x1 + 2 * h) continue;
    const double d = std::abs(cx - (c.box.x0 + c.box.x1) / 2.0);
    if (d < best_d) {
      best_d = d;
      best = c.kind;
    }
  }
  return best;
}

Parsed TableReader::Parse(size_t ri) const {
  const Row& row = rows_[ri];
  Parsed p;
  const size_t n = row.words.size();
  if (n == 0) return p;
  const double h = row.height;

  // The amount token covering each word, if any.
  std::vector<int> amount_at(n, -1);
  for (size_t a = 0; a < row.amounts.size(); ++a) {
    for (size_t w = 0; w < n; ++w) {
      const size_t wb = row.word_begin[w], we = wb + row.words[w].text.size();
      if (wb < row.amounts[a].end && we > row.amounts[a].begin &&
          amount_at[w] < 0) {
        amount_at[w] = static_cast<int>(a);
      }
    }
  }

  // The numbers at the right, read from the right: amounts, markers, tax
  // codes and units between them, up to the first word of description.
  std::vector<Number> tail;  // right to left
  bool marker_pending = false;
  size_t i = n;
  // Up to two short words after the amount are tax codes, marks and OCR
  // noise ("SR", "A", "*", "2RL", "»").
  for (size_t k = n, skipped = 0; k > 0; --k) {
    const int a = amount_at[k - 1];
    // A whole amount stands apart, in its column ("Tej 1 l   820"), not
    // after the words it ends ("SZECHENYI TER 117.").
    const bool apart = k == 1 || row.GapAfter(k - 2);
    if (a >= 0 && (row.amounts[a].has_fraction || (whole_ && apart))) {
      i = k;
      break;
    }
    const std::string& t = row.words[k - 1].text;
    const bool short_word =
        t.size() <= 4 && CountDigits(t) + CountLetters(t) <= 3;
    if (skipped == 2 || !(short_word || t.find('%') != std::string::npos)) {
      break;
    }
    ++skipped;
  }
  while (i > 0) {
    const size_t w = i - 1;
    const std::string& text = row.words[w].text;
    if (amount_at[w] >= 0) {
      const AmountToken& a = row.amounts[amount_at[w]];
      // Letters glued to the number: a tax code after a price ("9.00SR")
      // is fine, a size in a description ("1.5L", "330ML") is not.
      const size_t wb = row.word_begin[w];
      std::string rest = text.substr(0, a.begin > wb ? a.begin - wb : 0);
      if (a.end < wb + text.size()) rest += text.substr(a.end - wb);
      const int glued = CountLetters(rest);
      const bool code_after =
          glued <= 2 && a.has_fraction && a.value.scale() == 2;
      if (glued > 0 && !a.currency && !code_after) break;
      // A barcode is the start of the row, not a number of it (but a whole
      // amount grouped in thousands is none: "1.630.000").
      const std::string_view number(row.text.data() + a.number_begin,
                                    a.number_end - a.number_begin);
      if (!a.has_fraction && CountDigits(number) > 6 &&
          (!whole_ || number.find_first_of(".,' ") == std::string_view::npos)) {
        break;
      }
      size_t first = w;
      while (first > 0 && amount_at[first - 1] == amount_at[w]) --first;
      Number num;
      num.value = a.value;
      num.fraction = a.has_fraction;
      num.first = first;
      num.last = w + 1;
      num.box = internal::WordRange(row, first, w + 1).box;
      num.apart = first == 0 || row.GapAfter(first - 1);
      // A marker glued after a count: "3* 8,95".
      const bool marker_after =
          !a.has_fraction && a.end < wb + text.size() &&
          IsMarker(std::string_view(text).substr(a.end - wb));
      if ((marker_pending || marker_after) && !tail.empty()) {
        tail.back().marker_before = true;
      }
      marker_pending = false;
      // A marker glued to the number: "@17.90", "x3.50".
      const std::string_view before(text.data(),
                                    a.begin > wb ? a.begin - wb : 0);
      if (before == "@" || before == "x" || before == "X") {
        marker_pending = true;
      }
      tail.push_back(num);
      i = first;
      continue;
    }
    if (IsMarker(text)) {
      marker_pending = true;
      --i;
      continue;
    }
    // "2x", "2*" glued: a quantity and its marker.
    const size_t count_digits = LeadingDigits(text);
    if (count_digits >= 1 && count_digits <= 3 && count_digits < text.size() &&
        IsMarker(std::string_view(text).substr(count_digits)) &&
        !tail.empty()) {
      Number num;
      num.value = Decimal(std::stoll(text.substr(0, count_digits)), 0);
      num.first = w;
      num.last = w + 1;
      num.box = row.words[w].box;
      tail.back().marker_before = true;
      marker_pending = false;
      tail.push_back(num);
      --i;
      continue;
    }
    const bool percent =
        text.find('%') != std::string::npos && CountLetters(text) == 0;
    const bool junk = !HasAlnum(text);
    // A tax code before the numbers ("SR 9.00") stands apart from the
    // description; "AA" right after "Batteries" is the description's.
    const bool code =
        text.size() <= 2 &&
        CountLetters(text) == static_cast<int>(text.size()) &&
        std::all_of(text.begin(), text.end(),
                    [](char c) { return c >= 'A' && c <= 'Z'; }) &&
        (w == 0 || row.GapAfter(w - 1));
    const bool currency = ParseCurrency(text).has_value();
    const bool unit = IsUnitWord(text) && !tail.empty();
    if (percent || junk || currency || unit || (code && !tail.empty())) {
      --i;
      continue;
    }
    break;
  }
  const size_t tail_first = i;

  // The head: junk, a product code and a count before the description.
  size_t d = 0;
  std::optional<Decimal> head_qty;
  std::optional<Decimal> cell_qty;  // a count in a cell after the description
  auto skip_junk = [&] {
    while (d < tail_first && !HasAlnum(row.words[d].text)) ++d;
  };
  skip_junk();
  if (d < tail_first && IsCode(row.words[d].text)) {
    p.code = true;
    ++d;
    skip_junk();
  }
  // A menu or article code alone before the numbers ("BENO2 1 12.90",
  // "Set10 1 6.90"): a letter, then letters and digits; no description
  // (but "100PLUS" and "7UP" are names).
  if (d + 1 == tail_first) {
    const std::string& t = row.words[d].text;
    const bool letter_first =
        (t[0] >= 'A' && t[0] <= 'Z') || (t[0] >= 'a' && t[0] <= 'z');
    if (letter_first && t.size() >= 4 && t.size() <= 8 && CountDigits(t) >= 1 &&
        CountDigits(t) + CountLetters(t) == static_cast<int>(t.size())) {
      ++d;  // not a barcode: says nothing about where the item starts
    }
  }
  if (d + 1 < tail_first) {
    std::string t = row.words[d].text;
    if (t.size() >= 2 && t.back() == '.') t.pop_back();  // "3."
    // "Зх": a "3" the Cyrillic model read as its "З", before the sign.
    constexpr std::string_view kZe = "\xD0\x97";
    if (t.starts_with(kZe) && t.size() > kZe.size() &&
        TimesSignAt(std::string_view(t).substr(kZe.size())) ==
            t.size() - kZe.size()) {
      t.replace(0, kZe.size(), "3");
    }
    const bool count =
        !t.empty() && t.size() <= 3 && std::all_of(t.begin(), t.end(), IsDigit);
    // "2x", "2pc", "3pcs".
    const size_t digits = LeadingDigits(t);
    const bool glued =
        digits > 0 && digits <= 3 && digits < t.size() &&
        (IsMarker(t.substr(digits)) || IsCountUnit(t.substr(digits)));
    if ((count || glued) && std::stoi(t) > 0) {
      head_qty = Decimal(std::stoi(t), 0);
      p.counted = true;
      ++d;
      if (d < tail_first &&
          (IsMarker(row.words[d].text) || IsUnitWord(row.words[d].text))) {
        ++d;
      }
    }
  }
  // "2xMelk": a count and its "x" glued to the description's first word.
  if (!p.counted && d < tail_first) {
    const std::string& t = row.words[d].text;
    const size_t digits = LeadingDigits(t);
    const auto letter = [](unsigned char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0xC3;
    };
    const size_t sign =
        digits >= 1 && digits <= 2 ? TimesSignAt(t.substr(digits)) : 0;
    if (sign > 0 && t[0] != '0' && digits + sign + 1 < t.size() &&
        letter(t[digits + sign])) {
      head_qty = Decimal(std::stoi(t.substr(0, digits)), 0);
      p.counted = true;
      p.glued_count = t.substr(0, digits + sign);
    }
  } else if (p.counted && d < tail_first) {
    // "4 хБоза": the sign glued to the description, a capital after it.
    const std::string& t = row.words[d].text;
    const size_t sign = TimesSignAt(t);
    if (sign > 0 && t[0] != 'X' && sign < t.size() &&
        StartsWithCapital(std::string_view(t).substr(sign))) {
      p.glued_count = t.substr(0, sign);
    }
  }
  skip_junk();
  p.desc_first = d;
  p.desc_last = TrimCell(row, d, tail_first, &cell_qty);
  int desc_letters = 0;
  for (size_t w = p.desc_first; w < p.desc_last; ++w) {
    // In a table whose header has no description column (descriptions
    // on rows of their own), one word under a column of numbers or units
    // is no description ("1 EACH 1.60" under "QTY UOM PRICE").
    const bool one_word = p.desc_last == p.desc_first + 1;
    const int col =
        desc_column_ || !one_word ? 0 : ColumnOf(row.words[w].box, h / 2);
    if (!IsUnitWord(row.words[w].text) && col != kQty && col != kUom &&
        col != kPrice && col != kAmount) {
      desc_letters += CountLetters(row.words[w].text);
    }
  }
  const bool has_desc = desc_letters >= 2;

  const int label = LeadingLabel(row, p.desc_first, p.desc_last);
  if (label == kMetaLabel) p.meta = 1;

  // The amount: the rightmost number with decimals.
  size_t amount_index = tail.size();
  for (size_t k = 0; k < tail.size(); ++k) {
    if (tail[k].fraction || (whole_ && tail[k].apart)) {
      amount_index = k;
      break;
    }
  }
  const bool percent_row = row.text.find('%') != std::string::npos;
  // (Or a sum by the field extractor's labels: "Välisumma", "ДО
  // СПЛАТИ".)
  if (label == kStopLabel ||
      (label == 0 && p.desc_last > p.desc_first &&
       IsSumLabel({row.words.begin() + std::ptrdiff_t(p.desc_first),
                   row.words.begin() + std::ptrdiff_t(p.desc_last)}))) {
    p.kind = kStop;
    return p;
  }
  // Header data ("Tel.: +36 66 591 7825") is neither an item nor a total.
  if (label == kMetaLabel) return p;
  if (amount_index == tail.size()) {
    // A product code with at most a short label: "SKU 123456789",
    // "Art.-Nr. 4711-0815", "EAN: 4006381333931".
    bool any_code = false;
    int other_letters = 0;
    for (const OcrWord& w : row.words) {
      if (IsCode(w.text)) {
        any_code = true;
      } else {
        other_letters += CountLetters(w.text);
      }
    }
    if (label == kPayLabel || label == kTaxLabel || label == kDiscLabel) {
      p.kind = kSkip;
    } else if (any_code && other_letters <= 5) {
      p.kind = kCode;
    } else if (Headers().Match(row).size() >= 2) {
      // A misread header ("jtem ty SiPrice Amount Tax"), no description.
    } else if (has_desc) {
      // Without an amount, numbers at the end are the text's own ("MOTH
      // BALLS 150G", "PACK OF 12"), unless they are a price misread.
      p.kind = kText;
      p.desc_last = n;
      if (price_column_) {
        const auto cell = MisreadPriceAt(row.words, *price_column_);
        if (cell && *cell > p.desc_first) {
          p.kind = kItem;
          p.unread = true;
          p.amount = Decimal(0, minor_);
          p.amount_span = internal::WordRange(row, *cell, n);
          p.desc_last = *cell;
        }
      }
      while (p.desc_last > p.desc_first &&
             !HasAlnum(row.words[p.desc_last - 1].text)) {
        --p.desc_last;
      }
      p.desc_last = TrimCell(row, p.desc_first, p.desc_last, nullptr);
    } else if (p.code) {
      p.kind = kCode;
    }
    return p;
  }
  if (label == kPayLabel || label == kTaxLabel) {
    p.kind = kSkip;
    return p;
  }
  // A discount, labelled or printed as a negative amount (but on a credit
  // note).
  if (label == kDiscLabel ||
      (tail[amount_index].value.is_negative() && !credit_)) {
    p.kind = kDiscount;
    p.amount = tail[amount_index].value;
    return p;
  }
  // "SR @ 6% 8.49 0.51", "A 19% 10.00 1.90 11.90": a tax summary.
  if (percent_row && desc_letters <= 3) {
    p.kind = kSkip;
    return p;
  }
  // "Label: 191.22" is a summary line, whatever OCR made of the label
  // ("SubTatat:"). (But a "=" glued before the price is how Russian
  // registers print every amount: "Газета =91.00".)
  if (p.desc_last > p.desc_first) {
    const std::string& last = row.words[p.desc_last - 1].text;
    const std::string_view next =
        p.desc_last < n ? std::string_view(row.words[p.desc_last].text) : "";
    const bool sign_of_amount =
        next.size() > 1 && next[0] == '=' && IsDigit(next[1]);
    if (last.ends_with(':') || last.ends_with('=') || next.starts_with(':') ||
        (next.starts_with('=') && !sign_of_amount)) {
      p.kind = kStop;
      return p;
    }
  }
  // "@RM18.90" under "2 STIR RED CURRY 37.80": the unit price alone.
  if (tail.size() == 1 && marker_pending && !has_desc) {
    p.kind = kNumbers;
    p.unit_only = true;
    p.unit = p.amount = tail[0].value;
    return p;
  }
  // Left to right: the numbers before the amount.
  std::vector<Number> others(tail.begin() + amount_index + 1, tail.end());
  std::reverse(others.begin(), others.end());
  const Number& amount = tail[amount_index];
  p.amount = amount.value;
  p.amount_span = internal::WordRange(row, amount.first, amount.last);

  // Quantity and unit price. The header's columns first.
  if (!columns_.empty()) {
    for (const Number& o : others) {
      const int col = ColumnOf(o.box, h);
      if (col == kQty && !p.qty && QuantityLike(o.value)) p.qty = o.value;
      if (col == kPrice && !p.unit && PriceLike(o)) p.unit = o.value;
    }
  }
  // "2 x 3.50".
  if (!p.qty || !p.unit) {
    for (size_t k = 0; k + 1 < others.size(); ++k) {
      if (others[k + 1].marker_before && QuantityLike(others[k].value)) {
        p.qty = others[k].value;
        p.unit = others[k + 1].value;
      }
    }
    // "2 @ 3.50" with no amount of its own: the amount is their product.
    if (!others.empty() && amount.marker_before &&
        QuantityLike(others.back().value) && !p.qty) {
      const Decimal q = others.back().value;
      if (q.scale() + amount.value.scale() <= Decimal::kMaxScale) {
        p.qty = q;
        p.unit = amount.value;
        p.amount = Decimal(q.units() * amount.value.units(),
                           q.scale() + amount.value.scale())
                       .Rescaled(std::max(minor_, amount.value.scale()));
        p.derived = true;
      }
    }
  }
  if (p.qty && p.unit && Multiplies(*p.qty, *p.unit, *p.amount)) {
    p.verified = true;
  }
  // The pair whose product is the amount, quantity first.
  if (!p.verified) {
    for (size_t a = 0; a < others.size() && !p.verified; ++a) {
      for (size_t b = 0; b < others.size() && !p.verified; ++b) {
        if (a == b || !PriceLike(others[b]) || !QuantityLike(others[a].value)) {
          continue;
        }
        if (Multiplies(others[a].value, others[b].value, *p.amount)) {
          p.qty = others[a].value;
          p.unit = others[b].value;
          p.verified = true;
        }
      }
    }
  }
  // A count before the description or in a cell after it, and a price
  // among the numbers.
  for (const auto& count : {head_qty, cell_qty}) {
    if (p.verified || !count) continue;
    for (const Number& o : others) {
      if (o.fraction && Multiplies(*count, o.value, *p.amount)) {
        p.qty = count;
        p.unit = o.value;
        p.verified = true;
        break;
      }
    }
  }
  // No quantity read (a column of single digits is often lost, or "1" read
  // as "i"): a price before the amount that divides it a whole number of
  // times gives the quantity, the nearest the amount first.
  if (!p.verified && !p.qty) {
    for (auto o = others.rbegin(); o != others.rend(); ++o) {
      if (auto q = ImpliedQuantity(o->value, *p.amount, PriceLike(*o))) {
        p.qty = q;
        p.unit = o->value;
        p.verified = true;
        break;
      }
    }
  }
  if (!p.verified) {
    // Unchecked readings: a small whole number is the quantity, the one
    // non-zero price before the amount the unit price.
    if (!p.qty) {
      for (const Number& o : others) {
        if (!o.fraction && QuantityLike(o.value) && o.value.ToDouble() < 1000) {
          // A number right after the description, with no column gap, is
          // the description's ("Tea bags 80", "2 x Tea bags 80").
          if (o.first == p.desc_last && p.desc_last > 0 &&
              !row.GapAfter(p.desc_last - 1)) {
            p.desc_last = o.last;
            // With its unit ("Tej 1 l").
            while (p.desc_last < amount.first &&
                   !row.GapAfter(p.desc_last - 1) &&
                   IsUnitWord(row.words[p.desc_last].text)) {
              ++p.desc_last;
            }
            continue;
          }
          p.qty = o.value;
          break;
        }
      }
    }
    if (!p.qty && head_qty) p.qty = head_qty;
    // A unit price that does not multiply with the quantity is left out,
    // and so is one above the amount.
    if (p.unit && p.qty && !Multiplies(*p.qty, *p.unit, *p.amount)) {
      p.unit.reset();
    }
    const Decimal magnitude =
        p.amount->is_negative() ? Decimal(0, 0) - *p.amount : *p.amount;
    if (p.unit && *p.unit > magnitude) p.unit.reset();
    // A count and no price ("3 x Caffè 35.97"): the price of one is the
    // amount divided by the count, when that comes out in whole cents.
    if (p.qty && !p.unit && p.qty->scale() == 0 && p.qty->units() >= 2 &&
        p.amount->units() % p.qty->units() == 0) {
      p.unit = Decimal(std::abs(p.amount->units()) / p.qty->units(),
                       p.amount->scale());
    }
  }
  p.kind = has_desc ? kItem : kNumbers;
  return p;
}

// The header row of an item table: cells of two or more kinds among
// description, quantity, price and amount, and no amounts.
std::optional<std::vector<HeaderColumn>> HeaderOf(const Row& row) {
  for (const AmountToken& a : row.amounts) {
    if (a.has_fraction) return std::nullopt;
  }
  // Headers print no numbers of their own ("Item(s): 4 Qty(s): 4" is a
  // count), though a rate may stand in a column's name ("MwSt 19%").
  if (row.digits > 2) return std::nullopt;
  for (const OcrWord& w : row.words) {
    const std::string& t = w.text;
    if (CountDigits(t) > 0 && t.find('%') == std::string::npos) {
      return std::nullopt;
    }
  }
  std::vector<HeaderColumn> cols;
  uint32_t kinds = 0;
  int words = 0;
  for (const auto& t : row.tokens) words += CountLetters(t.text) > 0;
  int covered = 0;
  for (const auto& hit : Headers().Match(row)) {
    const Span s = internal::WordRange(row, row.tokens[hit.first].word,
                                       row.tokens[hit.last].word + 1);
    cols.push_back({hit.phrase->kind, s.box});
    kinds |= 1u << hit.phrase->kind;
    covered += static_cast<int>(hit.last - hit.first + 1);
  }
  const int main = ((kinds >> kDesc) & 1) + ((kinds >> kQty) & 1) +
                   ((kinds >> kPrice) & 1) + ((kinds >> kAmount) & 1);
  // Most of the row must be header words ("Qty Price Amount"), not a
  // sentence that happens to hold two of them; a third may be misread.
  if (main < 2 || covered * 3 < words) return std::nullopt;
  return cols;
}

// Rows that continue a header ("QTY RM RM" under "CODE/DESC PRICE AMOUNT").
bool ContinuesHeader(const Row& row) {
  if (!row.amounts.empty() || row.digits > 0) return false;
  const auto hits = Headers().Match(row);
  size_t covered = 0;
  for (const auto& hit : hits) covered += hit.last - hit.first + 1;
  size_t currency = 0;
  for (const auto& w : row.words) currency += ParseCurrency(w.text) ? 1 : 0;
  return !hits.empty() && 2 * (covered + currency) >= row.tokens.size();
}

struct Record {
  std::vector<size_t> rows;       // rows it was read from
  std::vector<Span> description;  // in order
  Parsed numbers;
  size_t amount_row = 0;
};

// Items that do not add up to `target` (less the discounts `off` or not)
// when one amount OCR misread by one digit ("3.51" for "3.31", "6.71" for
// "0.71"): the one amount whose one digit changed makes them add up, when
// exactly one such change does, is corrected, and the items add up. An
// amount its row's count and unit price agree with is no misreading (but is
// corrected to what they make). Returns whether a change was made.
bool CorrectOneDigit(std::vector<Record>& records, const Decimal& target,
                     const Decimal& off, int minor) {
  Decimal sum(0, minor);
  for (const Record& r : records) sum = sum + *r.numbers.amount;
  std::optional<std::pair<Record*, Decimal>> found;
  bool ambiguous = false;
  std::vector<Decimal> bases = {sum};
  if (off.units() != 0) bases.push_back(sum - off);
  for (const Decimal& base : bases) {
    const int64_t d = (target - base).Rescaled(minor).units();
    if (d == 0) continue;
    // One digit's change: d = k x 10^p, 1 <= |k| <= 9.
    int64_t place = 1, k = d;
    while (k % 10 == 0) {
      k /= 10;
      place *= 10;
    }
    if (k < -9 || k > 9) continue;
    for (Record& r : records) {
      const Parsed& p = r.numbers;
      const int64_t x = p.amount->Rescaled(minor).units();
      if (x <= 0 || p.filled) continue;
      const int64_t digit = (x / place) % 10;
      if (digit + k < 0 || digit + k > 9) continue;
      const int64_t fixed = x + k * place;
      // The leading digit does not become a zero.
      if (fixed / place == 0) continue;
      const Decimal value(fixed, minor);
      if (p.verified && !p.derived &&
          !(p.qty && p.unit && Multiplies(*p.qty, *p.unit, value))) {
        continue;
      }
      if (found && (found->first != &r || found->second != value)) {
        ambiguous = true;
      }
      found.emplace(&r, value);
    }
  }
  if (!found || ambiguous) return false;
  found->first->numbers.amount = found->second;
  found->first->numbers.filled = true;
  return true;
}

}  // namespace

bool internal::IsItemsHeader(const Row& row) {
  return HeaderOf(row).has_value();
}

void ExtractLineItems(const OcrPage& page, int page_number,
                      core::Extraction& out) {
  const std::vector<Row> rows = internal::BuildRows(page);
  if (rows.empty()) return;
  const double h = internal::MedianHeight(rows);
  const int minor = internal::MinorDigitsOf(out);
  // Amounts without decimals only where the page prints money so: a
  // currency is known and no amount on the page has decimals ("Rp
  // 25.000"), or a currency without minor units was read surely and few
  // amounts have decimals (not a stray "¥" on a page of cents).
  int with_fraction = 0;
  for (const Row& r : rows) {
    for (const AmountToken& a : r.amounts) with_fraction += a.has_fraction;
  }
  auto currency = out.fields.find("currency");
  const bool sure_whole = minor == 0 && currency != out.fields.end() &&
                          currency->second.confidence >= 0.6;
  const bool printed_currency = currency != out.fields.end();
  auto total = out.fields.find("total");
  const bool credit =
      total != out.fields.end() && total->second.value.starts_with('-');
  TableReader reader(rows, minor,
                     (sure_whole && with_fraction < 3) ||
                         (printed_currency && with_fraction == 0),
                     credit);
  {
    std::vector<const std::vector<OcrWord>*> words;
    for (const Row& r : rows) words.push_back(&r.words);
    reader.SetPriceColumn(FindPriceColumn(words));
  }

  // The header, and where the items start.
  size_t start = 0;
  bool header = false;
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    if (auto cols = HeaderOf(rows[ri])) {
      header = true;
      start = ri + 1;
      while (start < rows.size() && ContinuesHeader(rows[start]) &&
             rows[start].box.y0 - rows[start - 1].box.y1 < 1.2 * h) {
        for (const auto& hit : Headers().Match(rows[start])) {
          const Span s = internal::WordRange(
              rows[start], rows[start].tokens[hit.first].word,
              rows[start].tokens[hit.last].word + 1);
          cols->push_back({hit.phrase->kind, s.box});
        }
        ++start;
      }
      reader.SetColumns(*cols);
      break;
    }
  }
  std::vector<Parsed> parsed(rows.size());
  for (size_t ri = 0; ri < rows.size(); ++ri) parsed[ri] = reader.Parse(ri);
  if (!header) {
    // The first row that looks like an item, before any totals row: what
    // follows a total is payments and tax summaries.
    while (start < rows.size() &&
           !((parsed[start].kind == kItem || parsed[start].kind == kNumbers) &&
             parsed[start].meta == 0)) {
      if (parsed[start].kind == kStop &&
          std::any_of(rows[start].amounts.begin(), rows[start].amounts.end(),
                      [](const AmountToken& a) { return a.has_fraction; })) {
        return;
      }
      ++start;
    }
  }
  if (start >= rows.size()) return;
  // The header printed again (at the top of a second page) holds "Total" but
  // ends nothing: the items go on under it.
  for (size_t ri = start; ri < rows.size(); ++ri) {
    if (parsed[ri].kind == kStop && HeaderOf(rows[ri])) parsed[ri] = Parsed{};
  }

  // The rows of the subtotal and total already read end the items too:
  // when read surely, or when their row is no item (a total taken from an
  // item row is the field extractor's mistake, not the end of the items).
  int stop_y = INT32_MAX;
  for (const char* name : {"subtotal", "total"}) {
    auto it = out.fields.find(name);
    if (it == out.fields.end() || it->second.page != page_number ||
        !it->second.bbox || it->second.bbox->y0 <= rows[start].box.y0) {
      continue;
    }
    const core::BBox& b = *it->second.bbox;
    bool item_row = false;
    for (size_t ri = start; ri < rows.size(); ++ri) {
      if (internal::VerticalOverlap(rows[ri].box, b) >= 0.5) {
        item_row = parsed[ri].kind == kItem || parsed[ri].kind == kNumbers;
        break;
      }
    }
    // (On a credit note every amount is negative, the totals' too: their
    // rows look like items.)
    if (item_row && it->second.confidence < 0.75 && !credit) continue;
    stop_y = std::min(stop_y, b.y0 - static_cast<int>(h / 2));
  }
  size_t end = start;
  while (end < rows.size() && parsed[end].kind != kStop &&
         rows[end].box.y0 < stop_y) {
    ++end;
  }
  // The amounts of the totals rows right after the items ("Total Qty 2",
  // "Sub-total 43.00"), for the arithmetic below.
  std::vector<Decimal> printed_sums;
  for (size_t ri = end; ri < rows.size() && ri < end + 4; ++ri) {
    if (parsed[ri].kind != kStop) continue;
    const Row& r = rows[ri];
    for (auto it = r.amounts.rbegin(); it != r.amounts.rend(); ++it) {
      if (it->has_fraction) {
        printed_sums.push_back(it->value);
        break;
      }
    }
  }

  // Whether a numbers row's description is printed above it (a code and
  // name, then "1 8.49 8.49") or below it (code and numbers, then the
  // name): the row holding the product codes starts each item.
  // The first numbers row decides: right under the header, descriptions
  // follow their numbers; under a line of text, they precede them. Else the
  // rows with product codes, which start an item, vote.
  int above = 0, below = 0;
  for (size_t ri = start; ri < end; ++ri) {
    const Parsed& p = parsed[ri];
    if (p.kind == kNumbers && p.code) ++below;
    if (p.kind == kText && p.code) ++above;
  }
  // The description row right above row `ri`, past a product code or an
  // unreadable line, and not above row `floor`.
  auto text_above = [&](size_t ri, size_t floor) -> std::optional<size_t> {
    for (size_t k = ri; k > floor && k + 2 >= ri; --k) {
      const Parsed& q = parsed[k - 1];
      if (rows[ri].box.y0 - rows[k - 1].box.y1 > 2.5 * h) break;
      if (q.kind == kText && q.meta == 0) return k - 1;
      if (q.kind != kNone && q.kind != kCode) break;
    }
    return std::nullopt;
  };
  // The ends of the table: descriptions above their numbers put text
  // before the first numbers row and none after the last; below, the
  // other way round. A tie goes to the product codes.
  std::optional<size_t> first_numbers, last_numbers;
  for (size_t ri = start; ri < end; ++ri) {
    if (parsed[ri].kind != kNumbers) continue;
    if (!first_numbers) first_numbers = ri;
    last_numbers = ri;
  }
  bool desc_below = below > above;
  if (first_numbers) {
    int ends = 0;  // > 0: above
    if (*first_numbers == start && header) {
      ends -= 2;  // right under the header
    } else {
      ends += text_above(*first_numbers, header ? start : 0) ? 1 : -1;
    }
    size_t next = *last_numbers + 1;
    while (next < end &&
           (parsed[next].kind == kNone || parsed[next].kind == kCode)) {
      ++next;
    }
    const bool text_after =
        next < end && parsed[next].kind == kText && !parsed[next].meta &&
        rows[next].box.y0 - rows[*last_numbers].box.y1 < 1.5 * h;
    ends += text_after ? -1 : 1;
    if (ends != 0) desc_below = ends < 0;
  }

  std::vector<Record> records;
  std::vector<size_t> pending;  // text rows not yet placed
  std::vector<Decimal> discounts;
  // Without a header, the text row right above the first numbers row is its
  // description.
  if (!header && parsed[start].kind == kNumbers && !desc_below) {
    if (auto t = text_above(start, 0)) pending.push_back(*t);
  }
  auto text_span = [&](size_t ri) {
    const Parsed& p = parsed[ri];
    return internal::WordRange(rows[ri], p.desc_first, p.desc_last);
  };
  // Text rows under an item, close to it, continue its description.
  auto flush_pending = [&] {
    if (!records.empty()) {
      Record& last = records.back();
      int prev_y = rows[last.rows.back()].box.y1;
      for (size_t ri : pending) {
        // A row that starts with a count is a sub-item or modifier ("4
        // 1/4-H"), not the rest of a description; nor is a rule read as
        // letters ("SOOT TOES ESS SS"), read unsurely.
        if (rows[ri].box.y0 - prev_y > 0.9 * h || parsed[ri].counted ||
            (!last.description.empty() && !ReadSurely(rows[ri]))) {
          break;
        }
        last.description.push_back(text_span(ri));
        last.rows.push_back(ri);
        prev_y = rows[ri].box.y1;
      }
    }
    pending.clear();
  };
  bool open_below = false;      // the last record takes text rows under it
  std::optional<size_t> carry;  // a "2 x 3.50" row for the item below
  // A row of a count and a price OCR misread (CountRowFor), the quantity
  // and unit price of the item above or below it only when its amount is
  // their product.
  auto misread_count = [&](size_t ri) {
    const Parsed& p = parsed[ri];
    if (p.derived || p.verified || p.kind == kStop || p.kind == kDiscount) {
      return false;
    }
    if (!records.empty() && records.back().amount_row + 1 == ri &&
        !records.back().numbers.verified) {
      if (auto qu =
              CountRowFor(rows[ri], *records.back().numbers.amount, minor)) {
        flush_pending();
        Parsed& n = records.back().numbers;
        n.qty = qu->first;
        n.unit = qu->second;
        n.verified = true;
        records.back().rows.push_back(ri);
        return true;
      }
    }
    if (ri + 1 < end && parsed[ri + 1].kind == kItem &&
        !parsed[ri + 1].verified) {
      if (auto qu = CountRowFor(rows[ri], *parsed[ri + 1].amount, minor)) {
        parsed[ri].qty = qu->first;
        parsed[ri].unit = qu->second;
        carry = ri;
        return true;
      }
    }
    return false;
  };
  for (size_t ri = start; ri < end; ++ri) {
    const Parsed& p = parsed[ri];
    if (misread_count(ri)) continue;
    switch (p.kind) {
      case kItem: {
        flush_pending();
        Record r;
        r.rows = {ri};
        r.description = {text_span(ri)};
        r.numbers = p;
        r.amount_row = ri;
        if (carry && *carry + 1 == ri && !p.verified) {
          r.numbers.qty = parsed[*carry].qty;
          r.numbers.unit = parsed[*carry].unit;
          r.numbers.verified = true;
          r.rows.push_back(*carry);
        }
        carry.reset();
        records.push_back(std::move(r));
        open_below = false;
        break;
      }
      case kNumbers: {
        if (p.unit_only) {
          // Never an item: the unit price of the item above when it
          // multiplies with its quantity.
          flush_pending();
          if (!records.empty() && records.back().rows.back() + 1 >= ri &&
              records.back().numbers.qty && !records.back().numbers.verified &&
              Multiplies(*records.back().numbers.qty, *p.unit,
                         *records.back().numbers.amount)) {
            records.back().numbers.unit = p.unit;
            records.back().numbers.verified = true;
            records.back().rows.push_back(ri);
          }
          break;
        }
        // "2 x 3.50" on a row of its own gives the quantity of the item
        // above or below it whose amount is their product.
        if (p.derived) {
          if (!records.empty() && records.back().amount_row + 1 == ri &&
              !records.back().numbers.verified &&
              *records.back().numbers.amount == *p.amount) {
            Parsed& q = records.back().numbers;
            q.qty = p.qty;
            q.unit = p.unit;
            q.verified = true;
            records.back().rows.push_back(ri);
            break;
          }
          if (ri + 1 < end && parsed[ri + 1].kind == kItem &&
              *parsed[ri + 1].amount == *p.amount) {
            carry = ri;
            break;
          }
        }
        Record r;
        r.rows = {ri};
        r.numbers = p;
        r.amount_row = ri;
        if (desc_below) {
          flush_pending();
          open_below = true;
        } else {
          for (size_t t : pending) {
            r.description.push_back(text_span(t));
            r.rows.push_back(t);
          }
          pending.clear();
          open_below = false;
        }
        records.push_back(std::move(r));
        break;
      }
      case kText:
        if (p.meta) break;
        if (open_below && !records.empty()) {
          Record& last = records.back();
          if (rows[ri].box.y0 - rows[last.rows.back()].box.y1 <= 0.9 * h &&
              (last.description.empty() || ReadSurely(rows[ri]))) {
            last.description.push_back(text_span(ri));
            last.rows.push_back(ri);
          }
        } else {
          pending.push_back(ri);
        }
        break;
      case kDiscount:
        flush_pending();
        if (p.amount) discounts.push_back(*p.amount);
        open_below = false;
        break;
      case kCode:
        break;  // a product code under an item says nothing more
      default:
        flush_pending();
        open_below = false;
        break;
    }
  }
  flush_pending();

  // Items need a description, except in a table with a header.
  std::erase_if(records, [&](const Record& r) {
    return r.description.empty() && !header;
  });
  if (records.empty()) return;

  // Arithmetic over the items: their amounts (less discounts) add up to
  // the subtotal, the total or the total less tax.
  Decimal off(0, minor);
  for (const Decimal& d : discounts) {
    off = off + (d.is_negative() ? Decimal(0, 0) - d : d);
  }
  auto field = [&](const char* name) -> std::optional<Decimal> {
    auto it = out.fields.find(name);
    if (it == out.fields.end()) return std::nullopt;
    auto d = Decimal::Parse(it->second.value);
    if (!d) return std::nullopt;
    return *d;
  };
  std::vector<Decimal> targets;
  if (auto s = field("subtotal")) targets.push_back(*s);
  if (auto t = field("total")) {
    targets.push_back(*t);
    if (auto x = field("tax")) targets.push_back(*t - *x);
  }
  targets.insert(targets.end(), printed_sums.begin(), printed_sums.end());
  // A price misread into no amount, the only one: the amount that makes
  // the items add up, when its digits are those read ("LL36" for 11.36).
  // Any other is no item (nor is its description another item's).
  const size_t unread =
      std::count_if(records.begin(), records.end(),
                    [](const Record& r) { return r.numbers.unread; });
  if (unread == 1) {
    Decimal others(0, minor);
    Record* missing = nullptr;
    for (Record& r : records) {
      if (r.numbers.unread) {
        missing = &r;
      } else {
        others = others + *r.numbers.amount;
      }
    }
    for (const Decimal& t : targets) {
      const Decimal x = (t + off - others).Rescaled(minor);
      if (x.is_negative() || x.units() == 0 ||
          !SameDigits(x.ToString(minor), missing->numbers.amount_span.text)) {
        continue;
      }
      missing->numbers.amount = x;
      missing->numbers.unread = false;
      missing->numbers.filled = true;
      break;
    }
  }
  std::erase_if(records, [](const Record& r) { return r.numbers.unread; });
  if (records.empty()) return;
  Decimal sum(0, minor);
  for (const Record& r : records) sum = sum + *r.numbers.amount;
  bool adds_up = false;
  for (const Decimal& t : targets) {
    const int64_t want = t.Rescaled(minor).units();
    adds_up |=
        sum.Rescaled(minor).units() == want ||
        (off.units() != 0 && (sum - off).Rescaled(minor).units() == want);
  }
  // (The subtotal read agreeing with the total, less its tax or not: a
  // misread total would make the items say what it says.)
  const std::optional<Decimal> sub = field("subtotal"),
                               read_total = field("total"), tax = field("tax");
  const bool sure_sum =
      sub && read_total &&
      (sub->Rescaled(minor) == read_total->Rescaled(minor) ||
       (tax && sub->Rescaled(minor) == (*read_total - *tax).Rescaled(minor)));
  if (!adds_up && sure_sum && records.size() >= 2) {
    adds_up = CorrectOneDigit(records, *sub, off, minor);
  }
  // Without a header, one row that does not add up may be anything.
  if (!header && records.size() < 2 && !adds_up) return;

  for (const Record& r : records) {
    const Parsed& p = r.numbers;
    core::LineItem item;
    Span all = r.description.empty() ? Span{} : r.description.front();
    for (size_t k = 1; k < r.description.size(); ++k) {
      all = internal::Join(all, r.description[k]);
    }
    if (!all.empty) {
      std::string text = internal::CollapseSpaces(all.text);
      // ("2xMelk": the count is no part of the description.)
      if (!p.glued_count.empty() && text.size() > p.glued_count.size() &&
          text.compare(0, p.glued_count.size(), p.glued_count) == 0) {
        text.erase(0, p.glued_count.size());
      }
      item.description = WithoutStrayQuote(text);
    }
    if (p.qty) item.quantity = QuantityText(*p.qty);
    if (p.unit) {
      // The printed digits beyond the currency's, without trailing zeros
      // ("2.6500" is "2.65", "2.059" stays).
      int digits = p.unit->scale();
      while (digits > minor &&
             p.unit->Rescaled(digits - 1).Rescaled(digits) == *p.unit) {
        --digits;
      }
      item.unit_price = p.unit->ToString(std::max(minor, digits));
    }
    item.amount = p.amount->ToString(minor);
    double evidence = 0.45;
    if (header) evidence += 0.15;
    if (p.verified) evidence += p.derived ? 0.05 : 0.15;
    if (adds_up && !p.filled) evidence += 0.25;
    if (r.description.empty()) evidence -= 0.2;
    if (r.rows.size() > 1) evidence -= 0.05;  // joined from several rows
    const double ocr = all.empty
                           ? p.amount_span.confidence
                           : (all.confidence + p.amount_span.confidence) / 2;
    item.confidence = internal::Confidence(ocr, evidence);
    item.page = page_number;
    core::BBox box = rows[r.rows.front()].box;
    for (size_t ri : r.rows) box = internal::Union(box, rows[ri].box);
    item.bbox = box;
    out.line_items.push_back(std::move(item));
  }
}

std::vector<PriceCell> GarbledPriceCells(const OcrPage& page,
                                         size_t max_cells) {
  std::vector<const std::vector<OcrWord>*> lines;
  for (const OcrLine& line : page.lines) lines.push_back(&line.words);
  const std::optional<PriceColumn> column = FindPriceColumn(lines);
  if (!column) return {};
  std::vector<PriceCell> out;
  for (size_t li = 0; li < page.lines.size() && out.size() < max_cells; ++li) {
    const std::vector<OcrWord>& words = page.lines[li].words;
    if (auto first = MisreadPriceAt(words, *column)) {
      core::BBox box = words[*first].box;
      for (size_t k = *first; k < words.size(); ++k) {
        box = internal::Union(box, words[k].box);
      }
      out.push_back({li, *first, words.size(), box});
    }
  }
  return out;
}

}  // namespace invoices::extract
