#include "invoices/extract/einvoice.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <initializer_list>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "invoices/core/date.h"
#include "invoices/core/decimal.h"

namespace invoices::extract {
namespace {

constexpr std::string_view kUblInvoiceNs =
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
constexpr std::string_view kUblCreditNoteNs =
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
constexpr std::string_view kCiiNs =
    "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
// ZUGFeRD 1.0 (2014): CII of an older draft (D13B era), its own root and
// namespace, still embedded in many German invoices' PDFs.
constexpr std::string_view kZugferd1Ns =
    "urn:ferd:CrossIndustryDocument:invoice:1p0";

// The sniff reads no further: the root of a real e-invoice follows at most a
// declaration and a licence comment.
constexpr size_t kSniffBytes = 64 * 1024;

enum class Syntax { kUblInvoice, kUblCreditNote, kCii, kZugferd1 };

std::string_view View(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

bool StartsWith(std::string_view s, size_t at, std::string_view prefix) {
  return s.size() >= at && s.substr(at).starts_with(prefix);
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The end (one past '>') of the tag that starts at `at`, skipping '>' inside
// quoted attribute values; npos when the document ends first.
size_t TagEnd(std::string_view s, size_t at) {
  char quote = 0;
  for (size_t i = at; i < s.size(); ++i) {
    const char c = s[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// The element name of a start tag "<name ...".
std::string_view TagName(std::string_view tag) {
  size_t end = 1;
  while (end < tag.size() && !IsSpace(tag[end]) && tag[end] != '>' &&
         tag[end] != '/') {
    ++end;
  }
  return tag.substr(1, end - 1);
}

std::string_view LocalPart(std::string_view qname) {
  const size_t colon = qname.rfind(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

std::string_view PrefixPart(std::string_view qname) {
  const size_t colon = qname.rfind(':');
  return colon == std::string_view::npos ? std::string_view()
                                         : qname.substr(0, colon);
}

// Which e-invoice a root element is, from its local name and the namespace
// its prefix is bound to; nullopt for anything else.
std::optional<Syntax> SyntaxOf(std::string_view local, std::string_view ns) {
  if (local == "Invoice" && ns == kUblInvoiceNs) return Syntax::kUblInvoice;
  if (local == "CreditNote" && ns == kUblCreditNoteNs) {
    return Syntax::kUblCreditNote;
  }
  if (local == "CrossIndustryInvoice" && ns == kCiiNs) return Syntax::kCii;
  if (local == "CrossIndustryDocument" && ns == kZugferd1Ns) {
    return Syntax::kZugferd1;
  }
  return std::nullopt;
}

// The value of attribute `name` in a raw start tag, or nullopt.
std::optional<std::string_view> RawAttribute(std::string_view tag,
                                             std::string_view name) {
  size_t i = 1 + TagName(tag).size();
  while (i < tag.size()) {
    while (i < tag.size() && IsSpace(tag[i])) ++i;
    const size_t name_start = i;
    while (i < tag.size() && tag[i] != '=' && !IsSpace(tag[i]) &&
           tag[i] != '>' && tag[i] != '/') {
      ++i;
    }
    const std::string_view attr = tag.substr(name_start, i - name_start);
    while (i < tag.size() && IsSpace(tag[i])) ++i;
    if (i >= tag.size() || tag[i] != '=') return std::nullopt;
    ++i;
    while (i < tag.size() && IsSpace(tag[i])) ++i;
    if (i >= tag.size() || (tag[i] != '"' && tag[i] != '\'')) {
      return std::nullopt;
    }
    const char quote = tag[i++];
    const size_t value_end = tag.find(quote, i);
    if (value_end == std::string_view::npos) return std::nullopt;
    if (attr == name) return tag.substr(i, value_end - i);
    i = value_end + 1;
  }
  return std::nullopt;
}

// What the pre-parse scan found wrong, if anything.
struct ScanFinding {
  core::ErrorCode code;
  std::string message;
};

// Walks the markup without building anything, before the parser sees the
// bytes: a DOCTYPE or any other markup declaration is refused (pugixml would
// not expand its entities, but no e-invoice has one, and refusing is the
// only answer that stays safe whatever parser reads the XML later), and so is
// nesting deeper than `max_depth`. Malformed markup is left to the parser to
// report.
std::optional<ScanFinding> ScanMarkup(std::string_view s, int max_depth) {
  int depth = 0;
  size_t i = 0;
  while ((i = s.find('<', i)) != std::string_view::npos) {
    if (StartsWith(s, i, "<!--")) {
      const size_t end = s.find("-->", i + 4);
      if (end == std::string_view::npos) return std::nullopt;
      i = end + 3;
    } else if (StartsWith(s, i, "<![CDATA[")) {
      const size_t end = s.find("]]>", i + 9);
      if (end == std::string_view::npos) return std::nullopt;
      i = end + 3;
    } else if (StartsWith(s, i, "<?")) {
      const size_t end = s.find("?>", i + 2);
      if (end == std::string_view::npos) return std::nullopt;
      i = end + 2;
    } else if (StartsWith(s, i, "<!")) {
      const std::string_view what = StartsWith(s, i, "<!DOCTYPE") ? "a DOCTYPE"
                                    : StartsWith(s, i, "<!ENTITY")
                                        ? "an ENTITY declaration"
                                        : "a markup declaration";
      return ScanFinding{
          core::ErrorCode::kInvalidArgument,
          "e-invoice XML with " + std::string(what) +
              " is refused (entity expansion and external entities are not "
              "allowed)"};
    } else if (StartsWith(s, i, "</")) {
      --depth;
      i += 2;
    } else {
      const size_t end = TagEnd(s, i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      if (s[end - 2] != '/' && ++depth > max_depth) {
        return ScanFinding{core::ErrorCode::kInvalidArgument,
                           "e-invoice XML nests elements deeper than " +
                               std::to_string(max_depth) + " levels"};
      }
      i = end;
    }
  }
  return std::nullopt;
}

// The first start tag of the document within the sniff window (skipping the
// XML declaration, comments, processing instructions and a DOCTYPE).
std::optional<std::string_view> RootStartTag(std::string_view s) {
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);
  s = s.substr(0, kSniffBytes);
  size_t i = 0;
  while ((i = s.find('<', i)) != std::string_view::npos) {
    if (StartsWith(s, i, "<!--")) {
      const size_t end = s.find("-->", i + 4);
      if (end == std::string_view::npos) return std::nullopt;
      i = end + 3;
    } else if (StartsWith(s, i, "<?")) {
      const size_t end = s.find("?>", i + 2);
      if (end == std::string_view::npos) return std::nullopt;
      i = end + 2;
    } else if (StartsWith(s, i, "<!")) {
      // A DOCTYPE, possibly with an internal subset in brackets.
      size_t end = s.find_first_of("[>", i);
      if (end != std::string_view::npos && s[end] == '[') {
        end = s.find(']', end);
        if (end != std::string_view::npos) end = s.find('>', end);
      }
      if (end == std::string_view::npos) return std::nullopt;
      i = end + 1;
    } else {
      const size_t end = TagEnd(s, i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      return s.substr(i, end - i);
    }
  }
  return std::nullopt;
}

// ------------------------------------------------------------- XML access

// Elements are matched by local name, whatever the prefix: producers bind
// the UBL and CII namespaces to prefixes of their choosing (cbc:, ns2:, none),
// and within one e-invoice the local names are unambiguous at each level.
bool Is(pugi::xml_node node, std::string_view local) {
  return node.type() == pugi::node_element && LocalPart(node.name()) == local;
}

pugi::xml_node Child(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_node c : node.children()) {
    if (Is(c, local)) return c;
  }
  return {};
}

std::vector<pugi::xml_node> Children(pugi::xml_node node,
                                     std::string_view local) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c : node.children()) {
    if (Is(c, local)) out.push_back(c);
  }
  return out;
}

pugi::xml_node Path(pugi::xml_node node,
                    std::initializer_list<std::string_view> path) {
  for (std::string_view step : path) {
    if (!node) break;
    node = Child(node, step);
  }
  return node;
}

// The text of an element (all its character data, CDATA included) with white
// space collapsed, as SCHEMA.md wants text fields.
std::string Text(pugi::xml_node node) {
  std::string raw;
  for (pugi::xml_node c : node.children()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      raw += c.value();
    }
  }
  std::string out;
  bool space = false;
  for (char c : raw) {
    if (IsSpace(c)) {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

std::string Text(pugi::xml_node node,
                 std::initializer_list<std::string_view> path) {
  return Text(Path(node, path));
}

// The first non-empty text among the alternatives, in order of preference.
std::string FirstText(
    pugi::xml_node node,
    std::initializer_list<std::initializer_list<std::string_view>>
        alternatives) {
  for (auto path : alternatives) {
    std::string t = Text(node, path);
    if (!t.empty()) return t;
  }
  return {};
}

// ------------------------------------------------------------ values

// An xs:decimal ("+1.50", " 800 ", ".5") as an exact Decimal: trailing
// fractional zeros dropped, and only digits beyond Decimal's 6 rounded.
core::Result<core::Decimal> ParseXmlDecimal(std::string_view raw) {
  while (!raw.empty() && IsSpace(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && IsSpace(raw.back())) raw.remove_suffix(1);
  std::string_view s = raw;
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  const size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac =
      dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  auto digits = [](std::string_view d) {
    return std::all_of(d.begin(), d.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  if ((whole.empty() && frac.empty()) || !digits(whole) || !digits(frac)) {
    return core::InvalidArgument("not a decimal: \"" + std::string(raw) + "\"");
  }
  while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  bool round_up = false;
  if (frac.size() > core::Decimal::kMaxScale) {
    round_up = frac[core::Decimal::kMaxScale] >= '5';
    frac = frac.substr(0, core::Decimal::kMaxScale);
  }
  std::string canonical = whole.empty() ? "0" : std::string(whole);
  if (!frac.empty()) canonical += "." + std::string(frac);
  INVOICES_ASSIGN_OR_RETURN(core::Decimal d, core::Decimal::Parse(canonical));
  if (round_up) d = d + core::Decimal(1, d.scale());
  return negative ? core::Decimal(-d.units(), d.scale()) : d;
}

// An amount at least at the currency's minor digits, never rounded.
std::string FormatAmount(const core::Decimal& d, std::string_view currency) {
  return d.ToString(std::max(d.scale(), core::MinorDigits(currency)));
}

// An xs:date ("2015-01-09", possibly with a time zone: "2015-01-09Z",
// "2015-01-09+01:00").
core::Result<core::Date> ParseXmlDate(std::string_view s) {
  if (s.size() > 10 &&
      (s[10] == 'Z' || s[10] == '+' || s[10] == '-' || s[10] == 'T')) {
    s = s.substr(0, 10);
  }
  return core::Date::ParseIso(s);
}

// A CII date: udt:DateTimeString with format 102 (CCYYMMDD), the only format
// EN 16931 allows for dates.
core::Result<core::Date> ParseCiiDate(pugi::xml_node date_time) {
  pugi::xml_node s = Child(date_time, "DateTimeString");
  if (!s) s = Child(date_time, "DateString");
  const std::string text = Text(s);
  const std::string_view format = s.attribute("format").value();
  if (text.size() == 8 && (format.empty() || format == "102") &&
      std::all_of(text.begin(), text.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    return core::Date::FromYmd(std::stoi(text.substr(0, 4)),
                               std::stoi(text.substr(4, 2)),
                               std::stoi(text.substr(6, 2)));
  }
  if (format.empty() && text.size() >= 10) return ParseXmlDate(text);
  return core::InvalidArgument("unsupported date \"" + text + "\" (format " +
                               std::string(format) + ")");
}

// EN 16931 document type codes (UNTDID 1001) that are credit notes.
bool IsCreditNoteCode(std::string_view code) {
  static constexpr std::string_view kCodes[] = {"81",  "83",  "261", "262",
                                                "296", "308", "381", "396",
                                                "420", "458", "532"};
  return std::find(std::begin(kCodes), std::end(kCodes), code) !=
         std::end(kCodes);
}

// ------------------------------------------------------------ the result

// Collects fields, checking each against the schema: a value the schema
// would refuse becomes a warning, never a field.
class Builder {
 public:
  explicit Builder(core::Extraction& out) : out_(out) {}

  void Text(std::string_view name, std::string value) {
    if (value.empty()) return;
    Put(name, std::move(value));
  }

  void Date(std::string_view name, const core::Result<core::Date>& date,
            std::string_view raw) {
    if (raw.empty()) return;
    if (!date) {
      out_.warnings.push_back(std::string(name) + ": " +
                              date.error().message());
      return;
    }
    Put(name, date->ToIso());
  }

  void Amount(std::string_view name, std::string_view raw,
              std::string_view currency) {
    if (raw.empty()) return;
    auto d = ParseXmlDecimal(raw);
    if (!d) {
      out_.warnings.push_back(std::string(name) + ": " + d.error().message());
      return;
    }
    Put(name, FormatAmount(*d, currency));
  }

 private:
  void Put(std::string_view name, std::string value) {
    if (auto ok = core::ValidateFieldValue(name, value); !ok) {
      out_.warnings.push_back(ok.error().message());
      return;
    }
    core::Field f;
    f.value = std::move(value);
    f.confidence = 1.0;
    out_.fields[std::string(name)] = std::move(f);
  }

  core::Extraction& out_;
};

// A line item value as an exact decimal string; nullopt (and a warning) when
// the XML holds something else.
std::optional<std::string> LineDecimal(std::string_view raw, bool amount,
                                       std::string_view currency,
                                       std::vector<std::string>& warnings) {
  if (raw.empty()) return std::nullopt;
  auto d = ParseXmlDecimal(raw);
  if (!d) {
    warnings.push_back("line item: " + d.error().message());
    return std::nullopt;
  }
  return amount ? FormatAmount(*d, currency) : d->ToString();
}

// The price of one unit when `price` is for `base` units (BT-146 for
// BT-149: "36109.00" for 100): exact where six decimals hold it, else
// rounded there; nullopt for a base that is no positive number.
std::optional<core::Decimal> PerUnit(const core::Decimal& price,
                                     const core::Decimal& base) {
  if (base.units() <= 0) return std::nullopt;
  auto pow10 = [](int n) {
    __int128 p = 1;
    while (n-- > 0) p *= 10;
    return p;
  };
  for (int scale = price.scale(); scale <= core::Decimal::kMaxScale; ++scale) {
    // price / base at `scale`: price.units * 10^(scale - price.scale +
    // base.scale) / base.units.
    const __int128 num =
        __int128(price.units()) * pow10(scale - price.scale() + base.scale());
    const bool last = scale == core::Decimal::kMaxScale;
    if (num % base.units() != 0 && !last) continue;
    __int128 q = num / base.units();
    const __int128 r = num % base.units();
    if (2 * (r < 0 ? -r : r) >= base.units()) q += num < 0 ? -1 : 1;
    if (q > INT64_MAX || q < INT64_MIN) return std::nullopt;
    return core::Decimal(int64_t(q), scale);
  }
  return std::nullopt;
}

// One line of the invoice; nullopt for a line with nothing to bill (no
// quantity, price or amount: a note between lines, as ZUGFeRD 1.0 allows).
// A price given for a base quantity other than one (`base`) is divided
// down to one unit's, unless the line's quantity times the price as written
// makes its amount more nearly (a base quantity written in error: 49 for
// 49 a month, 3 months billed 147).
std::optional<core::LineItem> MakeLineItem(
    std::string description, std::string_view quantity,
    std::string_view unit_price, std::string_view base, std::string_view amount,
    std::string_view currency, std::vector<std::string>& warnings) {
  if (quantity.empty() && unit_price.empty() && amount.empty()) {
    return std::nullopt;
  }
  core::LineItem li;
  if (!description.empty()) li.description = std::move(description);
  li.quantity = LineDecimal(quantity, false, currency, warnings);
  li.unit_price = LineDecimal(unit_price, true, currency, warnings);
  if (li.unit_price && !base.empty()) {
    auto price = ParseXmlDecimal(unit_price);
    auto per = ParseXmlDecimal(base);
    if (price && per && *per != core::Decimal(1, 0)) {
      auto q = ParseXmlDecimal(quantity);
      auto a = ParseXmlDecimal(amount);
      auto off = [&](const core::Decimal& p) {
        return std::abs(q->ToDouble() * p.ToDouble() - a->ToDouble());
      };
      const std::optional<core::Decimal> one = PerUnit(*price, *per);
      if (one && (!q || !a || off(*one) <= off(*price))) {
        li.unit_price = FormatAmount(*one, currency);
      }
    }
  }
  li.amount = LineDecimal(amount, true, currency, warnings);
  li.confidence = 1.0;
  return li;
}

// Address parts joined as one line: "street, street 2, postcode city,
// region, country".
std::string JoinAddress(std::vector<std::string> lines, std::string postcode,
                        std::string city, std::string region,
                        std::string country) {
  std::string town = postcode;
  if (!city.empty()) town += (town.empty() ? "" : " ") + city;
  lines.push_back(std::move(town));
  lines.push_back(std::move(region));
  lines.push_back(std::move(country));
  std::string out;
  for (std::string& part : lines) {
    if (part.empty()) continue;
    if (!out.empty()) out += ", ";
    out += part;
  }
  return out;
}

struct Party {
  std::string name, address, tax_id, phone;
};

struct Document {
  Syntax syntax;
  std::string type_code;
  std::string currency;
  Party seller, buyer;
};

// ------------------------------------------------------------------- UBL

Party ReadUblParty(pugi::xml_node party) {
  Party p;
  p.name = FirstText(
      party, {{"PartyLegalEntity", "RegistrationName"}, {"PartyName", "Name"}});
  pugi::xml_node a = Child(party, "PostalAddress");
  std::vector<std::string> lines = {Text(a, {"StreetName"}),
                                    Text(a, {"AdditionalStreetName"})};
  for (pugi::xml_node line : Children(a, "AddressLine")) {
    lines.push_back(Text(line, {"Line"}));
  }
  p.address = JoinAddress(std::move(lines), Text(a, {"PostalZone"}),
                          Text(a, {"CityName"}), Text(a, {"CountrySubentity"}),
                          Text(a, {"Country", "IdentificationCode"}));
  // The VAT identifier (BT-31) is the scheme "VAT"; another scheme is the
  // seller's tax registration (BT-32), used only when there is no VAT id.
  for (pugi::xml_node scheme : Children(party, "PartyTaxScheme")) {
    const std::string id = Text(scheme, {"CompanyID"});
    if (id.empty()) continue;
    if (Text(scheme, {"TaxScheme", "ID"}) == "VAT") {
      p.tax_id = id;
      break;
    }
    if (p.tax_id.empty()) p.tax_id = id;
  }
  p.phone = Text(party, {"Contact", "Telephone"});
  return p;
}

void ReadUbl(pugi::xml_node root, Document& doc, core::Extraction& out) {
  Builder b(out);
  const bool credit = doc.syntax == Syntax::kUblCreditNote;
  doc.type_code =
      Text(root, {credit ? "CreditNoteTypeCode" : "InvoiceTypeCode"});
  doc.currency = Text(root, {"DocumentCurrencyCode"});
  pugi::xml_node totals = Child(root, "LegalMonetaryTotal");
  if (doc.currency.empty()) {
    doc.currency =
        Path(totals, {"PayableAmount"}).attribute("currencyID").value();
  }

  b.Text("invoice_id", Text(root, {"ID"}));
  const std::string issue = Text(root, {"IssueDate"});
  b.Date("invoice_date", ParseXmlDate(issue), issue);
  // An Invoice has DueDate; a UBL 2.1 CreditNote has none, and EN 16931 puts
  // its due date (BT-9) in the payment means.
  std::string due = Text(root, {"DueDate"});
  for (pugi::xml_node means : Children(root, "PaymentMeans")) {
    if (!due.empty()) break;
    due = Text(means, {"PaymentDueDate"});
  }
  b.Date("due_date", ParseXmlDate(due), due);
  b.Text("currency", doc.currency);
  b.Text("purchase_order", Text(root, {"OrderReference", "ID"}));
  std::string terms;
  for (pugi::xml_node t : Children(root, "PaymentTerms")) {
    for (pugi::xml_node note : Children(t, "Note")) {
      const std::string n = Text(note);
      if (n.empty()) continue;
      terms += (terms.empty() ? "" : " ") + n;
    }
  }
  b.Text("payment_terms", std::move(terms));

  doc.seller = ReadUblParty(Path(root, {"AccountingSupplierParty", "Party"}));
  doc.buyer = ReadUblParty(Path(root, {"AccountingCustomerParty", "Party"}));

  // A second TaxTotal may give the VAT in the accounting currency (BT-111);
  // the tax of the invoice is the one in the invoice currency (BT-110).
  std::string tax;
  for (pugi::xml_node total : Children(root, "TaxTotal")) {
    pugi::xml_node amount = Child(total, "TaxAmount");
    const std::string_view cur = amount.attribute("currencyID").value();
    if (cur.empty() || cur == doc.currency) {
      tax = Text(amount);
      break;
    }
  }
  b.Amount("subtotal", Text(totals, {"TaxExclusiveAmount"}), doc.currency);
  b.Amount("tax", tax, doc.currency);
  b.Amount("discount", Text(totals, {"AllowanceTotalAmount"}), doc.currency);
  b.Amount("total", Text(totals, {"TaxInclusiveAmount"}), doc.currency);
  b.Amount("amount_due", Text(totals, {"PayableAmount"}), doc.currency);

  for (pugi::xml_node line :
       Children(root, credit ? "CreditNoteLine" : "InvoiceLine")) {
    auto item = MakeLineItem(
        FirstText(line, {{"Item", "Name"}, {"Item", "Description"}}),
        Text(line, {credit ? "CreditedQuantity" : "InvoicedQuantity"}),
        Text(line, {"Price", "PriceAmount"}),
        Text(line, {"Price", "BaseQuantity"}),
        Text(line, {"LineExtensionAmount"}), doc.currency, out.warnings);
    if (item) out.line_items.push_back(std::move(*item));
  }
}

// ------------------------------------------------------------------- CII

Party ReadCiiParty(pugi::xml_node party) {
  Party p;
  p.name = FirstText(
      party, {{"Name"}, {"SpecifiedLegalOrganization", "TradingBusinessName"}});
  pugi::xml_node a = Child(party, "PostalTradeAddress");
  p.address = JoinAddress(
      {Text(a, {"LineOne"}), Text(a, {"LineTwo"}), Text(a, {"LineThree"})},
      Text(a, {"PostcodeCode"}), Text(a, {"CityName"}),
      Text(a, {"CountrySubDivisionName"}), Text(a, {"CountryID"}));
  // schemeID VA is the VAT identifier (BT-31), FC the local tax
  // registration (BT-32), used only when there is no VAT id.
  for (pugi::xml_node reg : Children(party, "SpecifiedTaxRegistration")) {
    pugi::xml_node id = Child(reg, "ID");
    const std::string value = Text(id);
    if (value.empty()) continue;
    if (std::string_view(id.attribute("schemeID").value()) == "VA") {
      p.tax_id = value;
      break;
    }
    if (p.tax_id.empty()) p.tax_id = value;
  }
  p.phone = Text(party, {"DefinedTradeContact",
                         "TelephoneUniversalCommunication", "CompleteNumber"});
  return p;
}

// The element names where CII D16B (EN 16931, Factur-X, ZUGFeRD 2) and
// ZUGFeRD 1.0 differ; parties, dates, amounts, payment terms and the line's
// product are named alike in both.
struct CiiNames {
  std::string_view header, transaction, agreement, settlement, totals, order_id,
      line_delivery, line_agreement, line_settlement, line_totals;
};
constexpr CiiNames kCiiD16b = {
    "ExchangedDocument",
    "SupplyChainTradeTransaction",
    "ApplicableHeaderTradeAgreement",
    "ApplicableHeaderTradeSettlement",
    "SpecifiedTradeSettlementHeaderMonetarySummation",
    "IssuerAssignedID",
    "SpecifiedLineTradeDelivery",
    "SpecifiedLineTradeAgreement",
    "SpecifiedLineTradeSettlement",
    "SpecifiedTradeSettlementLineMonetarySummation"};
constexpr CiiNames kCiiZugferd1 = {"HeaderExchangedDocument",
                                   "SpecifiedSupplyChainTradeTransaction",
                                   "ApplicableSupplyChainTradeAgreement",
                                   "ApplicableSupplyChainTradeSettlement",
                                   "SpecifiedTradeSettlementMonetarySummation",
                                   "ID",
                                   "SpecifiedSupplyChainTradeDelivery",
                                   "SpecifiedSupplyChainTradeAgreement",
                                   "SpecifiedSupplyChainTradeSettlement",
                                   "SpecifiedTradeSettlementMonetarySummation"};

void ReadCii(pugi::xml_node root, const CiiNames& names, Document& doc,
             core::Extraction& out) {
  Builder b(out);
  pugi::xml_node header = Child(root, names.header);
  pugi::xml_node trade = Child(root, names.transaction);
  pugi::xml_node agreement = Child(trade, names.agreement);
  pugi::xml_node settlement = Child(trade, names.settlement);
  pugi::xml_node totals = Child(settlement, names.totals);

  doc.type_code = Text(header, {"TypeCode"});
  doc.currency = Text(settlement, {"InvoiceCurrencyCode"});
  b.Text("invoice_id", Text(header, {"ID"}));
  pugi::xml_node issue = Child(header, "IssueDateTime");
  b.Date("invoice_date", ParseCiiDate(issue), Text(issue, {"DateTimeString"}));
  b.Text("currency", doc.currency);
  b.Text("purchase_order",
         Text(agreement, {"BuyerOrderReferencedDocument", names.order_id}));

  std::string terms;
  pugi::xml_node due;
  for (pugi::xml_node t : Children(settlement, "SpecifiedTradePaymentTerms")) {
    const std::string d = Text(t, {"Description"});
    if (!d.empty()) terms += (terms.empty() ? "" : " ") + d;
    if (!due) due = Child(t, "DueDateDateTime");
  }
  b.Text("payment_terms", std::move(terms));
  b.Date("due_date", ParseCiiDate(due),
         FirstText(due, {{"DateTimeString"}, {"DateString"}}));

  doc.seller = ReadCiiParty(Child(agreement, "SellerTradeParty"));
  doc.buyer = ReadCiiParty(Child(agreement, "BuyerTradeParty"));

  // TaxTotalAmount appears a second time in the accounting currency
  // (BT-111) when that differs; BT-110 carries the invoice currency.
  std::string tax;
  for (pugi::xml_node t : Children(totals, "TaxTotalAmount")) {
    const std::string_view cur = t.attribute("currencyID").value();
    if (cur.empty() || cur == doc.currency) {
      tax = Text(t);
      break;
    }
  }
  b.Amount("subtotal", Text(totals, {"TaxBasisTotalAmount"}), doc.currency);
  b.Amount("tax", tax, doc.currency);
  b.Amount("discount", Text(totals, {"AllowanceTotalAmount"}), doc.currency);
  b.Amount("total", Text(totals, {"GrandTotalAmount"}), doc.currency);
  b.Amount("amount_due", Text(totals, {"DuePayableAmount"}), doc.currency);

  for (pugi::xml_node line :
       Children(trade, "IncludedSupplyChainTradeLineItem")) {
    auto item = MakeLineItem(
        FirstText(line, {{"SpecifiedTradeProduct", "Name"},
                         {"SpecifiedTradeProduct", "Description"}}),
        Text(line, {names.line_delivery, "BilledQuantity"}),
        Text(line, {names.line_agreement, "NetPriceProductTradePrice",
                    "ChargeAmount"}),
        Text(line, {names.line_agreement, "NetPriceProductTradePrice",
                    "BasisQuantity"}),
        Text(line,
             {names.line_settlement, names.line_totals, "LineTotalAmount"}),
        doc.currency, out.warnings);
    if (item) out.line_items.push_back(std::move(*item));
  }
}

void PutParty(Builder& b, std::string_view prefix, const Party& p,
              bool with_phone) {
  const std::string pre(prefix);
  b.Text(pre + "_name", p.name);
  b.Text(pre + "_address", p.address);
  b.Text(pre + "_tax_id", p.tax_id);
  // The schema has a phone for the vendor only.
  if (with_phone) b.Text(pre + "_phone", p.phone);
}

// A few lines of plain text for search and for a person reading the JSON.
std::string Summary(const Document& doc, const core::Extraction& e,
                    bool credit) {
  auto field = [&](const char* name) -> std::string {
    auto it = e.fields.find(name);
    return it == e.fields.end() ? std::string() : it->second.value;
  };
  std::string text = credit ? "Credit note" : "Invoice";
  if (!field("invoice_id").empty()) text += " " + field("invoice_id");
  if (!field("invoice_date").empty()) text += " of " + field("invoice_date");
  text += "\n";
  for (const auto& [label, p] :
       {std::pair{"Seller", &doc.seller}, std::pair{"Buyer", &doc.buyer}}) {
    if (p->name.empty() && p->address.empty()) continue;
    text += std::string(label) + ": " + p->name;
    if (!p->address.empty()) text += ", " + p->address;
    text += "\n";
  }
  for (const core::LineItem& li : e.line_items) {
    text += li.quantity.value_or("") + " x " + li.description.value_or("") +
            " " + li.amount.value_or("") + "\n";
  }
  if (!field("total").empty()) {
    text += "Total " + field("total") + " " + doc.currency + "\n";
  }
  return text;
}

}  // namespace

bool LooksLikeEInvoice(std::span<const uint8_t> bytes) {
  const std::optional<std::string_view> tag = RootStartTag(View(bytes));
  if (!tag) return false;
  const std::string_view name = TagName(*tag);
  const std::string_view prefix = PrefixPart(name);
  const std::string xmlns =
      prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  const std::optional<std::string_view> ns = RawAttribute(*tag, xmlns);
  return ns && SyntaxOf(LocalPart(name), *ns).has_value();
}

core::Result<core::Extraction> ReadEInvoice(std::span<const uint8_t> xml,
                                            std::string_view file,
                                            const EInvoiceLimits& limits) {
  const auto start = std::chrono::steady_clock::now();
  if (xml.empty()) return core::InvalidArgument("the e-invoice is empty");
  if (xml.size() > limits.max_bytes) {
    return core::TooLarge("e-invoice of " + std::to_string(xml.size()) +
                          " bytes is larger than the limit of " +
                          std::to_string(limits.max_bytes));
  }
  const std::string_view s = View(xml);
  // UTF-16 and UTF-32 have NUL bytes in their first characters; EN 16931
  // syntaxes are UTF-8, and the byte scan below only reads ASCII-compatible
  // encodings, so they are refused rather than parsed unchecked.
  if (s.substr(0, 4).find('\0') != std::string_view::npos ||
      s.starts_with("\xFE\xFF") || s.starts_with("\xFF\xFE")) {
    return core::UnsupportedMediaType(
        "e-invoice XML in UTF-16 or UTF-32 is not supported (EN 16931 uses "
        "UTF-8)");
  }
  if (auto finding = ScanMarkup(s, limits.max_depth)) {
    return core::MakeError(finding->code, std::move(finding->message));
  }

  try {
    pugi::xml_document dom;
    // parse_doctype keeps a DOCTYPE node, so that one the scan missed is
    // still seen and refused; pugixml expands no entities but the five
    // predefined ones and character references, and loads nothing.
    const pugi::xml_parse_result parsed = dom.load_buffer(
        xml.data(), xml.size(), pugi::parse_default | pugi::parse_doctype,
        pugi::encoding_auto);
    if (!parsed) {
      return core::InvalidArgument("malformed e-invoice XML at byte " +
                                   std::to_string(parsed.offset) + ": " +
                                   parsed.description());
    }
    for (pugi::xml_node n : dom.children()) {
      if (n.type() == pugi::node_doctype) {
        return core::InvalidArgument(
            "e-invoice XML with a DOCTYPE is refused (entity expansion and "
            "external entities are not allowed)");
      }
    }
    const pugi::xml_node root = dom.document_element();
    const std::string_view qname = root.name();
    const std::string_view prefix = PrefixPart(qname);
    const std::string xmlns =
        prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
    const std::optional<Syntax> syntax =
        SyntaxOf(LocalPart(qname), root.attribute(xmlns.c_str()).value());
    if (!syntax) {
      return core::UnsupportedMediaType(
          "XML root <" + std::string(qname) +
          "> is not an e-invoice (UBL Invoice or CreditNote, CII "
          "CrossIndustryInvoice, or ZUGFeRD 1.0 CrossIndustryDocument)");
    }

    core::Extraction out;
    out.file = std::string(file);
    out.document.mime = "application/xml";
    out.document.pages = 1;
    out.document.source = "e-invoice";
    Document doc{.syntax = *syntax};
    if (*syntax == Syntax::kCii) {
      ReadCii(root, kCiiD16b, doc, out);
    } else if (*syntax == Syntax::kZugferd1) {
      ReadCii(root, kCiiZugferd1, doc, out);
    } else {
      ReadUbl(root, doc, out);
    }
    Builder b(out);
    PutParty(b, "vendor", doc.seller, true);
    PutParty(b, "receiver", doc.buyer, false);

    const bool credit =
        *syntax == Syntax::kUblCreditNote || IsCreditNoteCode(doc.type_code);
    if (credit) out.warnings.insert(out.warnings.begin(), "credit note");
    out.text = Summary(doc, out, credit);
    const double ms = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start)
                          .count();
    out.timings_ms = {{"extract", ms}, {"total", ms}};
    return out;
  } catch (const std::exception& e) {
    // pugixml reports through results; what could throw here is allocation.
    return core::Internal(std::string("reading the e-invoice: ") + e.what());
  }
}

}  // namespace invoices::extract
