#include "invoices/core/extraction.h"

#include <cmath>

#include "invoices/core/date.h"
#include "invoices/core/decimal.h"

namespace invoices::core {
namespace {

// Confidences are printed with 3 decimals: more is noise, and it keeps the
// JSON stable and short.
double Round3(double v) { return std::round(v * 1000.0) / 1000.0; }

Json BBoxToJson(const BBox& b) { return Json::array({b.x0, b.y0, b.x1, b.y1}); }

Result<BBox> BBoxFromJson(const Json& j) {
  if (!j.is_array() || j.size() != 4) {
    return InvalidArgument("bbox must be [x0, y0, x1, y1]");
  }
  for (const auto& v : j) {
    if (!v.is_number_integer()) return InvalidArgument("bbox must be integers");
  }
  return BBox{j[0].get<int>(), j[1].get<int>(), j[2].get<int>(),
              j[3].get<int>()};
}

Result<double> ConfidenceFromJson(const Json& j, std::string_view where) {
  if (!j.is_number() || j.get<double>() < 0 || j.get<double>() > 1) {
    return InvalidArgument(std::string(where) +
                           ": confidence must be a number from 0 to 1");
  }
  return j.get<double>();
}

Result<std::string> StringMember(const Json& obj, const char* key) {
  if (!obj.contains(key)) return std::string();
  if (!obj[key].is_string()) {
    return InvalidArgument(std::string(key) + " must be a string");
  }
  return obj[key].get<std::string>();
}

void PutLocation(Json& out, int page, const std::optional<BBox>& bbox) {
  if (page > 0) out["page"] = page;
  if (bbox) out["bbox"] = BBoxToJson(*bbox);
}

Status GetLocation(const Json& in, int& page, std::optional<BBox>& bbox) {
  if (in.contains("page")) {
    if (!in["page"].is_number_integer() || in["page"].get<int>() < 1) {
      return InvalidArgument("page must be an integer from 1");
    }
    page = in["page"].get<int>();
  }
  if (in.contains("bbox")) {
    INVOICES_ASSIGN_OR_RETURN(bbox, BBoxFromJson(in["bbox"]));
  }
  return {};
}

}  // namespace

const FieldSpec* FindFieldSpec(std::string_view name) {
  for (const auto& spec : kFieldSpecs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

Status ValidateFieldValue(std::string_view name, std::string_view value) {
  const FieldSpec* spec = FindFieldSpec(name);
  if (spec == nullptr) {
    return InvalidArgument("unknown field \"" + std::string(name) + "\"");
  }
  const std::string prefix = "field " + std::string(name) + ": ";
  switch (spec->kind) {
    case FieldKind::kText:
      if (value.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return InvalidArgument(prefix + "must not be empty");
      }
      return {};
    case FieldKind::kDate:
      if (auto d = Date::ParseIso(value); !d) {
        return InvalidArgument(prefix + d.error().message());
      }
      return {};
    case FieldKind::kAmount:
      if (auto a = Decimal::Parse(value); !a) {
        return InvalidArgument(prefix + a.error().message());
      }
      return {};
    case FieldKind::kCurrency:
      if (value.size() != 3 ||
          !std::all_of(value.begin(), value.end(),
                       [](char c) { return c >= 'A' && c <= 'Z'; })) {
        return InvalidArgument(prefix + "must be an ISO 4217 code such as EUR");
      }
      return {};
  }
  return {};
}

Json ToJson(const Extraction& e) {
  Json out;
  out["file"] = e.file;
  const DocumentInfo& d = e.document;
  out["document"] = {{"mime", d.mime},         {"pages", d.pages},
                     {"width", d.width},       {"height", d.height},
                     {"rotation", d.rotation}, {"source", d.source},
                     {"language", d.language}};
  Json fields = Json::object();
  for (const auto& spec : kFieldSpecs) {
    auto it = e.fields.find(std::string(spec.name));
    if (it == e.fields.end()) continue;
    const Field& f = it->second;
    Json jf = {{"value", f.value}, {"confidence", Round3(f.confidence)}};
    PutLocation(jf, f.page, f.bbox);
    if (f.text) jf["text"] = *f.text;
    fields[std::string(spec.name)] = std::move(jf);
  }
  out["fields"] = std::move(fields);
  Json items = Json::array();
  for (const LineItem& li : e.line_items) {
    Json ji = Json::object();
    if (li.description) ji["description"] = *li.description;
    if (li.quantity) ji["quantity"] = *li.quantity;
    if (li.unit_price) ji["unit_price"] = *li.unit_price;
    if (li.amount) ji["amount"] = *li.amount;
    ji["confidence"] = Round3(li.confidence);
    PutLocation(ji, li.page, li.bbox);
    items.push_back(std::move(ji));
  }
  out["line_items"] = std::move(items);
  out["warnings"] = e.warnings;
  out["text"] = e.text;
  Json timings = Json::object();
  for (const auto& [stage, ms] : e.timings_ms) {
    timings[stage] = std::round(ms * 10.0) / 10.0;
  }
  out["timings_ms"] = std::move(timings);
  return out;
}

Result<Extraction> ExtractionFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("extraction must be an object");
  Extraction e;
  INVOICES_ASSIGN_OR_RETURN(e.file, StringMember(j, "file"));
  if (j.contains("document")) {
    const Json& d = j["document"];
    if (!d.is_object()) return InvalidArgument("document must be an object");
    INVOICES_ASSIGN_OR_RETURN(e.document.mime, StringMember(d, "mime"));
    INVOICES_ASSIGN_OR_RETURN(e.document.source, StringMember(d, "source"));
    INVOICES_ASSIGN_OR_RETURN(e.document.language, StringMember(d, "language"));
    for (auto [key, target] : {std::pair{"pages", &e.document.pages},
                               {"width", &e.document.width},
                               {"height", &e.document.height},
                               {"rotation", &e.document.rotation}}) {
      if (!d.contains(key)) continue;
      if (!d[key].is_number_integer()) {
        return InvalidArgument(std::string("document.") + key +
                               " must be an integer");
      }
      *target = d[key].get<int>();
    }
  }
  if (j.contains("fields")) {
    if (!j["fields"].is_object())
      return InvalidArgument("fields must be an object");
    for (const auto& [name, jf] : j["fields"].items()) {
      if (!jf.is_object() || !jf.contains("value") ||
          !jf["value"].is_string()) {
        return InvalidArgument("field " + name + ": needs a string value");
      }
      Field f;
      f.value = jf["value"].get<std::string>();
      INVOICES_RETURN_IF_ERROR(ValidateFieldValue(name, f.value));
      if (jf.contains("confidence")) {
        INVOICES_ASSIGN_OR_RETURN(f.confidence,
                                  ConfidenceFromJson(jf["confidence"], name));
      }
      INVOICES_RETURN_IF_ERROR(GetLocation(jf, f.page, f.bbox));
      if (jf.contains("text")) {
        if (!jf["text"].is_string()) {
          return InvalidArgument("field " + name + ": text must be a string");
        }
        f.text = jf["text"].get<std::string>();
      }
      e.fields.emplace(name, std::move(f));
    }
  }
  if (j.contains("line_items")) {
    if (!j["line_items"].is_array()) {
      return InvalidArgument("line_items must be an array");
    }
    for (const Json& ji : j["line_items"]) {
      if (!ji.is_object())
        return InvalidArgument("a line item must be an object");
      LineItem li;
      for (auto [key, target] : {std::pair{"description", &li.description},
                                 {"quantity", &li.quantity},
                                 {"unit_price", &li.unit_price},
                                 {"amount", &li.amount}}) {
        if (!ji.contains(key)) continue;
        if (!ji[key].is_string()) {
          return InvalidArgument(std::string("line item ") + key +
                                 " must be a string");
        }
        *target = ji[key].get<std::string>();
      }
      if (ji.contains("confidence")) {
        INVOICES_ASSIGN_OR_RETURN(
            li.confidence, ConfidenceFromJson(ji["confidence"], "line item"));
      }
      INVOICES_RETURN_IF_ERROR(GetLocation(ji, li.page, li.bbox));
      e.line_items.push_back(std::move(li));
    }
  }
  if (j.contains("warnings")) {
    if (!j["warnings"].is_array())
      return InvalidArgument("warnings must be an array");
    for (const Json& w : j["warnings"]) {
      if (!w.is_string()) return InvalidArgument("a warning must be a string");
      e.warnings.push_back(w.get<std::string>());
    }
  }
  INVOICES_ASSIGN_OR_RETURN(e.text, StringMember(j, "text"));
  if (j.contains("timings_ms")) {
    if (!j["timings_ms"].is_object()) {
      return InvalidArgument("timings_ms must be an object");
    }
    for (const auto& [stage, ms] : j["timings_ms"].items()) {
      if (!ms.is_number()) return InvalidArgument("timings must be numbers");
      e.timings_ms.emplace_back(stage, ms.get<double>());
    }
  }
  return e;
}

Json ErrorToJson(std::string_view file, const Error& error) {
  Json out;
  out["file"] = file;
  out["error"] = {{"code", CodeName(error.code())},
                  {"message", error.message()}};
  return out;
}

}  // namespace invoices::core
