#include "invoices/extract/payment_qr.h"

// Without it zxing-cpp 1.4's Result.h prints a transition warning and
// declares text() as std::wstring. text() is never called here (payment
// payloads are read from bytes(), in the character set they declare), but
// any other file that includes Result.h should define it too, so that the
// inline member is the same everywhere.
#define ZX_USE_UTF8
#include <ZXing/ReadBarcode.h>
#include <iconv.h>

#include <algorithm>
#include <array>
#include <climits>
#include <exception>

namespace invoices::extract {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAlnum(char c) {
  return IsDigit(c) || IsUpper(c) || (c >= 'a' && c <= 'z');
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  return std::all_of(s.begin(), s.end(), pred);
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string WithoutSpaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ') out += c;
  }
  return out;
}

// Lines separated by LF or CR LF.
std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (true) {
    const size_t end = s.find('\n', start);
    std::string_view line = s.substr(start, end - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

// The number of code points of `s`, or -1 when it is not well-formed UTF-8
// (lead and continuation bytes; overlong forms are not looked for).
int Utf8Length(std::string_view s) {
  int count = 0;
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    if (c < 0x80) {
      extra = 0;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if ((c >> 4) == 0xE) {
      extra = 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
    } else {
      return -1;
    }
    if (s.size() - i < 1 + extra) return -1;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return -1;
    }
    i += 1 + extra;
    ++count;
  }
  return count;
}

// ISO 7064 mod 97-10 over an alphanumeric string, letters as 10..35: the
// check of IBANs and ISO 11649 creditor references (after moving their first
// four characters to the end).
std::optional<int> Mod97(std::string_view s) {
  int rest = 0;
  for (char c : s) {
    if (IsDigit(c)) {
      rest = (rest * 10 + (c - '0')) % 97;
    } else if (IsUpper(c)) {
      rest = (rest * 100 + (c - 'A' + 10)) % 97;
    } else {
      return std::nullopt;
    }
  }
  return rest;
}

// Lengths from the SWIFT IBAN registry; a country not listed is checked by
// the general form and the check digits only.
constexpr std::array<std::pair<std::string_view, int>, 80> kIbanLengths = {{
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20},
    {"BE", 16}, {"BG", 22}, {"BH", 22}, {"BR", 29}, {"BY", 28}, {"CH", 21},
    {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"DO", 28},
    {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27},
    {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28},
    {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26},
    {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32},
    {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24},
    {"ME", 22}, {"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18},
    {"NO", 15}, {"PK", 24}, {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29},
    {"RO", 24}, {"RS", 22}, {"SA", 24}, {"SC", 31}, {"SE", 24}, {"SI", 19},
    {"SK", 24}, {"SM", 27}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24},
    {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"GF", 27},
    {"GP", 27}, {"MQ", 27},
}};

// An ISO 11649 creditor reference: RF, two check digits, 1 to 21
// alphanumerics, mod 97 == 1 (spaces allowed, any case).
bool IsValidCreditorReference(std::string_view reference) {
  const std::string r = Upper(WithoutSpaces(reference));
  if (r.size() < 5 || r.size() > 25 || !r.starts_with("RF") || !IsDigit(r[2]) ||
      !IsDigit(r[3]) || !AllOf(r, IsAlnum)) {
    return false;
  }
  const auto rest = Mod97(r.substr(4) + r.substr(0, 4));
  return rest && *rest == 1;
}

// The Swiss QR reference: 27 digits, the last a mod-10 recursive check
// digit over the first 26.
bool IsValidQrReference(std::string_view r) {
  static constexpr int kTable[] = {0, 9, 4, 6, 8, 2, 7, 1, 3, 5};
  if (r.size() != 27 || !AllOf(r, IsDigit)) return false;
  int carry = 0;
  for (size_t i = 0; i + 1 < r.size(); ++i) {
    carry = kTable[(carry + (r[i] - '0')) % 10];
  }
  return (10 - carry) % 10 == r.back() - '0';
}

// A QR-IBAN has an institution id (positions 5 to 9) from 30000 to 31999.
bool IsQrIban(std::string_view iban) {
  if (iban.size() < 9) return false;
  const std::string_view iid = iban.substr(4, 5);
  return AllOf(iid, IsDigit) && iid >= "30000" && iid <= "31999";
}

// An amount written "123", "123.4" or "123.45" (no sign, no grouping),
// within [min_units, 999999999.99] in hundredths.
core::Result<core::Decimal> ParsePaymentAmount(std::string_view text,
                                               int64_t min_units) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 9 || !AllOf(whole, IsDigit) ||
      (dot != std::string_view::npos && (frac.empty() || frac.size() > 2)) ||
      !AllOf(frac, IsDigit)) {
    return core::InvalidArgument("payment amount \"" + std::string(text) +
                                 "\" is not of the form 123.45");
  }
  INVOICES_ASSIGN_OR_RETURN(core::Decimal d, core::Decimal::Parse(text));
  if (d.Rescaled(2).units() < min_units) {
    return core::InvalidArgument("payment amount " + std::string(text) +
                                 " is below the minimum");
  }
  return d;
}

core::Status CheckLength(std::string_view what, std::string_view value,
                         int max_chars, bool required) {
  const int n = Utf8Length(value);
  if (n < 0) return core::InvalidArgument(std::string(what) + " is not UTF-8");
  if (required && n == 0) {
    return core::InvalidArgument(std::string(what) + " is missing");
  }
  if (n > max_chars) {
    return core::InvalidArgument(std::string(what) + " is longer than " +
                                 std::to_string(max_chars) + " characters");
  }
  return {};
}

// ISO 8859-1 maps byte for byte to U+0000..U+00FF.
std::string Latin1ToUtf8(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

core::Result<std::string> IconvToUtf8(std::string_view s, const char* from) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return core::InvalidArgument(std::string("character set ") + from +
                                 " is not available");
  }
  std::string in(s);
  std::string out(s.size() * 4 + 4, '\0');
  char* in_ptr = in.data();
  size_t in_left = in.size();
  char* out_ptr = out.data();
  size_t out_left = out.size();
  const size_t rc = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  iconv_close(cd);
  if (rc == static_cast<size_t>(-1)) {
    return core::InvalidArgument(std::string("payload is not valid ") + from);
  }
  out.resize(out.size() - out_left);
  return out;
}

// The EPC payload as UTF-8, from the character set its third line names.
core::Result<std::string> EpcToUtf8(std::string_view payload, char charset) {
  switch (charset) {
    case '1':
      if (Utf8Length(payload) < 0) {
        return core::InvalidArgument("EPC QR payload is not valid UTF-8");
      }
      return std::string(payload);
    case '2':
      return Latin1ToUtf8(payload);
    case '3':
      return IconvToUtf8(payload, "ISO-8859-2");
    case '4':
      return IconvToUtf8(payload, "ISO-8859-4");
    case '5':
      return IconvToUtf8(payload, "ISO-8859-5");
    case '6':
      return IconvToUtf8(payload, "ISO-8859-7");
    case '7':
      return IconvToUtf8(payload, "ISO-8859-10");
    case '8':
      return IconvToUtf8(payload, "ISO-8859-15");
  }
  return core::InvalidArgument(std::string("EPC QR character set \"") +
                               charset + "\" is not 1 to 8");
}

bool IsValidBic(std::string_view bic) {
  if (bic.size() != 8 && bic.size() != 11) return false;
  return AllOf(bic.substr(0, 6), IsUpper) &&
         std::all_of(bic.begin() + 6, bic.end(),
                     [](char c) { return IsDigit(c) || IsUpper(c); });
}

core::Result<std::string> CheckedIban(std::string_view raw) {
  if (!IsValidIban(raw)) {
    return core::InvalidArgument("IBAN \"" + std::string(raw) +
                                 "\" is not valid");
  }
  return Upper(WithoutSpaces(raw));
}

std::string FormatAmount(const core::Decimal& amount,
                         std::string_view currency) {
  return amount.ToString(std::max(amount.scale(), core::MinorDigits(currency)));
}

// Equal as amounts ("12.5" and "12.50"), or as text when either is none.
bool SameValue(std::string_view a, std::string_view b) {
  auto da = core::Decimal::Parse(a);
  auto db = core::Decimal::Parse(b);
  if (da && db) return *da == *db;
  return a == b;
}

}  // namespace

std::string_view KindName(PaymentQrKind kind) {
  switch (kind) {
    case PaymentQrKind::kEpcGiroCode:
      return "epc";
    case PaymentQrKind::kSwissQrBill:
      return "swiss";
  }
  return "unknown";
}

bool IsValidIban(std::string_view iban) {
  const std::string s = Upper(WithoutSpaces(iban));
  if (s.size() < 15 || s.size() > 34 || !IsUpper(s[0]) || !IsUpper(s[1]) ||
      !IsDigit(s[2]) || !IsDigit(s[3]) || !AllOf(s, IsAlnum)) {
    return false;
  }
  for (const auto& [country, length] : kIbanLengths) {
    if (s.starts_with(country) && static_cast<int>(s.size()) != length) {
      return false;
    }
  }
  const auto rest = Mod97(s.substr(4) + s.substr(0, 4));
  return rest && *rest == 1;
}

core::Result<PaymentQr> ParseEpcQr(std::string_view payload) {
  // EPC069-12 v3.0, section 3.4.
  if (payload.size() > 331) {
    return core::InvalidArgument("EPC QR payload is longer than 331 bytes");
  }
  std::vector<std::string_view> raw = SplitLines(payload);
  if (raw.size() < 3 || raw[0] != "BCD") {
    return core::InvalidArgument("EPC QR payload does not start with BCD");
  }
  if (raw[1] != "001" && raw[1] != "002") {
    return core::InvalidArgument("EPC QR version \"" + std::string(raw[1]) +
                                 "\" is not 001 or 002");
  }
  if (raw[2].size() != 1) {
    return core::InvalidArgument("EPC QR character set \"" +
                                 std::string(raw[2]) + "\" is not 1 to 8");
  }
  INVOICES_ASSIGN_OR_RETURN(const std::string text,
                            EpcToUtf8(payload, raw[2][0]));
  std::vector<std::string_view> f = SplitLines(text);
  // Trailing empty elements may be left out, and a final line break added.
  while (!f.empty() && f.back().empty()) f.pop_back();
  if (f.size() < 7 || f.size() > 12) {
    return core::InvalidArgument("EPC QR payload has " +
                                 std::to_string(f.size()) +
                                 " lines, not 7 to 12");
  }
  f.resize(12);
  if (f[3] != "SCT") {
    return core::InvalidArgument("EPC QR identification \"" +
                                 std::string(f[3]) + "\" is not SCT");
  }
  PaymentQr qr;
  qr.kind = PaymentQrKind::kEpcGiroCode;
  qr.bic = std::string(f[4]);
  if (qr.bic.empty() ? f[1] == "001" : !IsValidBic(qr.bic)) {
    return core::InvalidArgument(
        qr.bic.empty() ? "EPC QR version 001 needs a BIC"
                       : "EPC QR BIC \"" + qr.bic + "\" is not valid");
  }
  INVOICES_RETURN_IF_ERROR(CheckLength("EPC QR beneficiary name", f[5], 70,
                                       /*required=*/true));
  qr.creditor_name = std::string(f[5]);
  INVOICES_ASSIGN_OR_RETURN(qr.iban, CheckedIban(f[6]));
  if (!f[7].empty()) {
    if (!f[7].starts_with("EUR")) {
      return core::InvalidArgument("EPC QR amount \"" + std::string(f[7]) +
                                   "\" is not in EUR");
    }
    INVOICES_ASSIGN_OR_RETURN(qr.amount, ParsePaymentAmount(f[7].substr(3), 1));
  }
  qr.currency = "EUR";
  if (f[8].size() > 4 || !AllOf(f[8], IsAlnum)) {
    return core::InvalidArgument("EPC QR purpose code \"" + std::string(f[8]) +
                                 "\" is not valid");
  }
  if (!f[9].empty() && !f[10].empty()) {
    return core::InvalidArgument(
        "EPC QR payload has both a structured and an unstructured remittance");
  }
  INVOICES_RETURN_IF_ERROR(
      CheckLength("EPC QR structured reference", f[9], 35, false));
  INVOICES_RETURN_IF_ERROR(
      CheckLength("EPC QR remittance text", f[10], 140, false));
  INVOICES_RETURN_IF_ERROR(CheckLength("EPC QR information", f[11], 70, false));
  if (!f[9].empty()) {
    qr.reference = WithoutSpaces(f[9]);
    if (Upper(qr.reference).starts_with("RF")) {
      if (!IsValidCreditorReference(qr.reference)) {
        return core::InvalidArgument("EPC QR creditor reference \"" +
                                     qr.reference + "\" is not valid");
      }
      qr.reference = Upper(qr.reference);
      qr.reference_type = "RF";
    }
  }
  qr.message = std::string(f[10]);
  return qr;
}

core::Result<PaymentQr> ParseSwissQr(std::string_view payload) {
  // Swiss Implementation Guidelines for the QR-bill, v2.2/2.3, section 4.3.
  if (Utf8Length(payload) < 0) {
    return core::InvalidArgument("Swiss QR payload is not valid UTF-8");
  }
  std::vector<std::string_view> f = SplitLines(payload);
  if (f.size() > 31 && f.back().empty()) f.pop_back();
  if (f.empty() || f[0] != "SPC") {
    return core::InvalidArgument("Swiss QR payload does not start with SPC");
  }
  if (f.size() < 31 || f.size() > 34) {
    return core::InvalidArgument("Swiss QR payload has " +
                                 std::to_string(f.size()) +
                                 " lines, not 31 to 34");
  }
  if (f[1].size() != 4 || !f[1].starts_with("02") || !AllOf(f[1], IsDigit)) {
    return core::InvalidArgument("Swiss QR version \"" + std::string(f[1]) +
                                 "\" is not 02xx");
  }
  if (f[2] != "1") {
    return core::InvalidArgument("Swiss QR coding type \"" + std::string(f[2]) +
                                 "\" is not 1");
  }
  if (f[30] != "EPD") {
    return core::InvalidArgument("Swiss QR trailer \"" + std::string(f[30]) +
                                 "\" is not EPD");
  }
  PaymentQr qr;
  qr.kind = PaymentQrKind::kSwissQrBill;
  INVOICES_ASSIGN_OR_RETURN(qr.iban, CheckedIban(f[3]));
  if (!qr.iban.starts_with("CH") && !qr.iban.starts_with("LI")) {
    return core::InvalidArgument("Swiss QR IBAN " + qr.iban +
                                 " is not a CH or LI account");
  }
  // Creditor: address type, name, street or line 1, building or line 2,
  // postcode, town, country.
  const std::string_view type = f[4];
  if (type != "S" && type != "K") {
    return core::InvalidArgument("Swiss QR creditor address type \"" +
                                 std::string(type) + "\" is not S or K");
  }
  INVOICES_RETURN_IF_ERROR(
      CheckLength("Swiss QR creditor name", f[5], 70, true));
  INVOICES_RETURN_IF_ERROR(
      CheckLength("Swiss QR creditor address", f[6], 70, false));
  INVOICES_RETURN_IF_ERROR(CheckLength("Swiss QR creditor address", f[7],
                                       type == "S" ? 16 : 70, type == "K"));
  INVOICES_RETURN_IF_ERROR(
      CheckLength("Swiss QR creditor postcode", f[8], 16, type == "S"));
  INVOICES_RETURN_IF_ERROR(
      CheckLength("Swiss QR creditor town", f[9], 35, type == "S"));
  if (type == "K" && (!f[8].empty() || !f[9].empty())) {
    return core::InvalidArgument(
        "Swiss QR combined address (K) has a separate postcode or town");
  }
  if (f[10].size() != 2 || !AllOf(f[10], IsUpper)) {
    return core::InvalidArgument("Swiss QR creditor country \"" +
                                 std::string(f[10]) + "\" is not valid");
  }
  qr.creditor_name = std::string(f[5]);
  // f[11..17]: the ultimate creditor, reserved for future use.
  if (!f[18].empty()) {
    INVOICES_ASSIGN_OR_RETURN(qr.amount, ParsePaymentAmount(f[18], 0));
  }
  if (f[19] != "CHF" && f[19] != "EUR") {
    return core::InvalidArgument("Swiss QR currency \"" + std::string(f[19]) +
                                 "\" is not CHF or EUR");
  }
  qr.currency = std::string(f[19]);
  if (!f[20].empty() && f[20] != "S" && f[20] != "K") {
    return core::InvalidArgument("Swiss QR debtor address type \"" +
                                 std::string(f[20]) + "\" is not S or K");
  }
  qr.reference_type = std::string(f[27]);
  qr.reference = WithoutSpaces(f[28]);
  const bool qr_iban = IsQrIban(qr.iban);
  if (qr.reference_type == "QRR") {
    if (!qr_iban) {
      return core::InvalidArgument(
          "Swiss QR reference type QRR needs a QR-IBAN");
    }
    if (!IsValidQrReference(qr.reference)) {
      return core::InvalidArgument("Swiss QR reference \"" + qr.reference +
                                   "\" is not valid");
    }
  } else if (qr.reference_type == "SCOR") {
    if (qr_iban || !IsValidCreditorReference(qr.reference)) {
      return core::InvalidArgument(
          qr_iban ? "Swiss QR reference type SCOR cannot use a QR-IBAN"
                  : "Swiss QR creditor reference \"" + qr.reference +
                        "\" is not valid");
    }
    qr.reference = Upper(qr.reference);
  } else if (qr.reference_type == "NON") {
    if (qr_iban || !qr.reference.empty()) {
      return core::InvalidArgument(
          qr_iban ? "Swiss QR reference type NON cannot use a QR-IBAN"
                  : "Swiss QR reference type NON has a reference");
    }
  } else {
    return core::InvalidArgument("Swiss QR reference type \"" +
                                 qr.reference_type +
                                 "\" is not QRR, SCOR or NON");
  }
  INVOICES_RETURN_IF_ERROR(CheckLength("Swiss QR message", f[29], 140, false));
  qr.message = std::string(f[29]);
  return qr;
}

core::Result<PaymentQr> ParsePaymentQr(std::string_view payload) {
  if (payload.starts_with("BCD\n") || payload.starts_with("BCD\r\n")) {
    return ParseEpcQr(payload);
  }
  if (payload.starts_with("SPC\n") || payload.starts_with("SPC\r\n")) {
    return ParseSwissQr(payload);
  }
  return core::InvalidArgument("not a payment QR code (BCD or SPC)");
}

std::vector<PaymentQr> FindPaymentQrCodes(const GrayImage& image) {
  std::vector<PaymentQr> found;
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() < size_t(image.width) * image.height) {
    return found;
  }
  try {
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode)
        .setTryHarder(true)
        .setTryRotate(true)
        .setTryDownscale(true);
    const ZXing::ImageView view(image.pixels.data(), image.width, image.height,
                                ZXing::ImageFormat::Lum);
    std::vector<std::string> seen;
    for (const ZXing::Result& r : ZXing::ReadBarcodes(view, hints)) {
      if (!r.isValid()) continue;
      const ZXing::ByteArray& bytes = r.bytes();
      std::string payload(bytes.begin(), bytes.end());
      if (std::find(seen.begin(), seen.end(), payload) != seen.end()) continue;
      auto qr = ParsePaymentQr(payload);
      if (!qr) continue;
      int x0 = INT_MAX, y0 = INT_MAX, x1 = INT_MIN, y1 = INT_MIN;
      for (const auto& p : r.position()) {
        x0 = std::min(x0, p.x);
        y0 = std::min(y0, p.y);
        x1 = std::max(x1, p.x);
        y1 = std::max(y1, p.y);
      }
      qr->bbox = core::BBox{x0, y0, x1, y1};
      seen.push_back(std::move(payload));
      found.push_back(std::move(*qr));
    }
  } catch (const std::exception&) {
    // A decoder failure on a hostile image is "no code found", like an
    // unreadable one; the page still has its OCR.
  }
  return found;
}

void ApplyPaymentQr(const PaymentQr& qr, core::Extraction& extraction) {
  auto& fields = extraction.fields;
  auto set = [&](const std::string& name, const std::string& value,
                 double confidence) {
    auto it = fields.find(name);
    if (it != fields.end() && !SameValue(it->second.value, value)) {
      extraction.warnings.push_back("payment QR code: " + name + " " +
                                    it->second.value + " replaced by " + value);
    }
    core::Field f;
    f.value = value;
    f.confidence = confidence;
    f.page = qr.page;
    f.bbox = qr.bbox;
    fields[name] = std::move(f);
  };

  if (qr.amount && qr.amount->units() > 0) {
    const std::string amount = FormatAmount(*qr.amount, qr.currency);
    // A total that differs from the amount due already read tells of a
    // prepayment: the code pays the amount due, and the total stays.
    auto total = fields.find("total");
    auto due = fields.find("amount_due");
    const bool prepaid = total != fields.end() && due != fields.end() &&
                         !SameValue(total->second.value, due->second.value);
    if (!prepaid) set("total", amount, 1.0);
    set("amount_due", amount, 1.0);
    set("currency", qr.currency, 1.0);
  }
  if (!fields.contains("vendor_name") &&
      core::ValidateFieldValue("vendor_name", qr.creditor_name)) {
    set("vendor_name", qr.creditor_name, 0.9);
  }

  std::string line =
      "Payment QR (" + std::string(KindName(qr.kind)) + "): IBAN " + qr.iban;
  if (!qr.bic.empty()) line += ", BIC " + qr.bic;
  line += ", creditor " + qr.creditor_name;
  if (qr.amount) {
    line +=
        ", amount " + qr.currency + " " + FormatAmount(*qr.amount, qr.currency);
  }
  if (!qr.reference.empty()) line += ", reference " + qr.reference;
  if (!qr.message.empty()) line += ", message " + qr.message;
  if (!extraction.text.empty() && !extraction.text.ends_with('\n')) {
    extraction.text += '\n';
  }
  extraction.text += line + "\n";
}

}  // namespace invoices::extract
