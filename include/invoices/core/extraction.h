// The extraction result: what reading one document gives, exactly as
// shared/docs/SCHEMA.md defines it, with its JSON codec. This object is the
// output of `invoices scan` and `POST /scan`, and is stored inside a saved
// invoice. Thread safety: plain values.
#pragma once

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "invoices/core/error.h"

namespace invoices::core {

using Json = nlohmann::ordered_json;

// [x0, y0, x1, y1] in pixels of the page as uploaded (after EXIF orientation).
struct BBox {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  friend bool operator==(const BBox&, const BBox&) = default;
};

// What kind of value a field holds; decides validation and formatting.
enum class FieldKind { kText, kDate, kAmount, kCurrency };

struct FieldSpec {
  std::string_view name;
  FieldKind kind;
};

// Every field of the schema, in the order the JSON lists them.
inline constexpr std::array<FieldSpec, 19> kFieldSpecs = {{
    {"vendor_name", FieldKind::kText},
    {"vendor_address", FieldKind::kText},
    {"vendor_tax_id", FieldKind::kText},
    {"vendor_phone", FieldKind::kText},
    {"receiver_name", FieldKind::kText},
    {"receiver_address", FieldKind::kText},
    {"receiver_tax_id", FieldKind::kText},
    {"invoice_id", FieldKind::kText},
    {"purchase_order", FieldKind::kText},
    {"payment_terms", FieldKind::kText},
    {"invoice_date", FieldKind::kDate},
    {"due_date", FieldKind::kDate},
    {"currency", FieldKind::kCurrency},
    {"subtotal", FieldKind::kAmount},
    {"tax", FieldKind::kAmount},
    {"discount", FieldKind::kAmount},
    {"tip", FieldKind::kAmount},
    {"total", FieldKind::kAmount},
    {"amount_due", FieldKind::kAmount},
}};

// The spec of a field name, or nullptr when the schema has no such field.
const FieldSpec* FindFieldSpec(std::string_view name);

// Checks a field value against its kind: dates ISO 8601, amounts canonical
// decimals, currency three upper-case letters, text non-empty. The error
// message names the field.
Status ValidateFieldValue(std::string_view name, std::string_view value);

struct Field {
  std::string value;
  double confidence = 0;
  int page = 0;  // from 1; 0 when the field was not read from a page
  std::optional<BBox> bbox;
  std::optional<std::string> text;  // as recognised
};

struct LineItem {
  std::optional<std::string> description, quantity, unit_price, amount;
  double confidence = 0;
  int page = 0;
  std::optional<BBox> bbox;
};

struct DocumentInfo {
  std::string mime;
  int pages = 1;
  int width = 0, height = 0;
  int rotation = 0;      // degrees clockwise applied to read the page
  std::string source;    // "ocr", "pdf-text", "e-invoice"
  std::string language;  // Tesseract style: "eng", "eng+deu"
};

struct Extraction {
  std::string file;
  DocumentInfo document;
  std::map<std::string, Field> fields;  // emitted in kFieldSpecs order
  std::vector<LineItem> line_items;
  std::vector<std::string> warnings;
  std::string text;
  std::vector<std::pair<std::string, double>> timings_ms;  // in stage order
};

// SCHEMA.md JSON. Fields absent from `fields` are left out, never null.
Json ToJson(const Extraction& extraction);
// Parses and validates SCHEMA.md JSON (unknown fields are invalid_argument).
Result<Extraction> ExtractionFromJson(const Json& json);

// {"file": ..., "error": {"code": ..., "message": ...}}
Json ErrorToJson(std::string_view file, const Error& error);

}  // namespace invoices::core
