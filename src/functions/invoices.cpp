#include "invoices/functions/invoices.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "invoices/core/date.h"
#include "invoices/core/decimal.h"
#include "invoices/core/ids.h"
#include "invoices/core/json_text.h"
#include "invoices/core/strings.h"
#include "invoices/extract/image.h"
#include "invoices/functions/multipart.h"
#include "invoices/functions/scan.h"

namespace invoices::functions {
namespace {

using core::ErrorCode;
using core::Json;

constexpr size_t kMaxIdempotencyKey = 255;

HttpResponse Fail(const core::Error& error, const HttpRequest& request) {
  HttpResponse r = ErrorResponse(error, request.request_id);
  if (error.code() == ErrorCode::kUnavailable ||
      error.code() == ErrorCode::kResourceExhausted) {
    r.headers["retry-after"] = "1";
  }
  if (error.code() == ErrorCode::kUnauthenticated) {
    r.headers["www-authenticate"] = "Bearer";
  }
  return r;
}

HttpResponse Fail(ErrorCode code, std::string message,
                  const HttpRequest& request) {
  return Fail(core::Error(code, std::move(message)), request);
}

// The verified user: 401 without one, 400 when it cannot be a key segment.
core::Result<std::string> SubOf(const HttpRequest& request) {
  auto it = request.claims.find("sub");
  if (it == request.claims.end() || it->second.empty()) {
    return core::MakeError(ErrorCode::kUnauthenticated,
                           "a signed-in user is required");
  }
  INVOICES_RETURN_IF_ERROR(store::ValidateSub(it->second));
  return it->second;
}

std::vector<std::string_view> PathSegments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The segments after the last "invoices" segment that leaves at most two.
std::optional<std::vector<std::string_view>> RouteTail(std::string_view path) {
  const auto segs = PathSegments(path);
  for (size_t k = segs.size(); k-- > 0;) {
    if (segs[k] != "invoices") continue;
    if (segs.size() - k - 1 > 2) return std::nullopt;
    return std::vector<std::string_view>(segs.begin() + k + 1, segs.end());
  }
  return std::nullopt;
}

core::Result<std::string> IdOf(const HttpRequest& request) {
  std::string_view text;
  if (auto it = request.path_parameters.find("id");
      it != request.path_parameters.end()) {
    text = it->second;
  } else if (auto tail = RouteTail(request.raw_path); tail && !tail->empty()) {
    text = (*tail)[0];
  }
  auto id = core::ParseId(text);
  if (!id) {
    return core::InvalidArgument("malformed invoice id: " +
                                 id.error().message());
  }
  return id;
}

std::string_view Query(const HttpRequest& request, const std::string& name) {
  auto it = request.query_parameters.find(name);
  return it == request.query_parameters.end() ? std::string_view()
                                              : std::string_view(it->second);
}

core::Result<store::InvoiceFilter> FilterOf(const HttpRequest& request) {
  store::InvoiceFilter f;
  f.q = std::string(Query(request, "q"));
  f.vendor = std::string(Query(request, "vendor"));
  f.status = std::string(Query(request, "status"));
  if (auto c = Query(request, "currency"); !c.empty()) {
    std::string upper(c);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char ch) { return std::toupper(ch); });
    if (auto ok = core::ValidateFieldValue("currency", upper); !ok) {
      return core::InvalidArgument("currency must be an ISO 4217 code");
    }
    f.currency = upper;
  }
  for (auto [name, target] : {std::pair{"from", &f.from}, {"to", &f.to}}) {
    if (auto v = Query(request, name); !v.empty()) {
      auto d = core::Date::ParseIso(v);
      if (!d) {
        return core::InvalidArgument(std::string(name) +
                                     " must be a date YYYY-MM-DD");
      }
      *target = *d;
    }
  }
  for (auto [name, target] :
       {std::pair{"min_total", &f.min_total}, {"max_total", &f.max_total}}) {
    if (auto v = Query(request, name); !v.empty()) {
      auto d = core::Decimal::Parse(v);
      if (!d) {
        return core::InvalidArgument(std::string(name) +
                                     " must be a decimal such as 12.50");
      }
      *target = *d;
    }
  }
  return f;
}

core::Result<int> LimitOf(const HttpRequest& request, int fallback, int max) {
  std::string_view text = Query(request, "limit");
  if (text.empty()) return fallback;
  int limit = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), limit);
  if (ec != std::errc() || end != text.data() + text.size() || limit < 1 ||
      limit > max) {
    return core::InvalidArgument("limit must be a whole number from 1 to " +
                                 std::to_string(max));
  }
  return limit;
}

// The user's values of an upload's `fields` part.
core::Result<std::map<std::string, std::string>> FieldsFromJson(
    std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return core::InvalidArgument("fields must be a JSON object");
  }
  if (j.size() == 1 && j.contains("fields") && j["fields"].is_object()) {
    j = Json(j["fields"]);
  }
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : j.items()) {
    if (value.is_null()) continue;
    if (!value.is_string()) {
      return core::InvalidArgument("field " + name + ": must be a string");
    }
    INVOICES_RETURN_IF_ERROR(
        core::ValidateFieldValue(name, value.get<std::string>()));
    out[name] = value.get<std::string>();
  }
  return out;
}

// Whether an original of this type may be shown inline by a browser: the
// images and PDFs the system reads. Anything else (XML, which a browser
// renders as XHTML or SVG when its root says so, or a type some other path
// stored) is sent as a download.
bool ServedInline(std::string_view content_type) {
  static constexpr std::string_view kInline[] = {
      "image/jpeg", "image/png",  "image/gif",  "image/webp",
      "image/tiff", "image/heic", "image/avif", "application/pdf"};
  const std::string type =
      core::AsciiLower(content_type.substr(0, content_type.find(';')));
  return std::find(std::begin(kInline), std::end(kInline), type) !=
         std::end(kInline);
}

// Text fields a spreadsheet could take for a formula get a leading quote.
bool IsFormulaLike(std::string_view v) {
  return !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' ||
                        v[0] == '@' || v[0] == '\t' || v[0] == '\r');
}

void AppendCsvRow(std::string& out, const store::InvoiceSummary& item) {
  out += CsvField(item.id);
  out += ',';
  out += CsvField(item.created_at);
  out += ',';
  out += CsvField(item.status);
  for (const auto& spec : core::kFieldSpecs) {
    out += ',';
    auto it = item.fields.find(std::string(spec.name));
    if (it == item.fields.end()) continue;
    if (spec.kind == core::FieldKind::kText && IsFormulaLike(it->second)) {
      out += CsvField("'" + it->second);
    } else {
      out += CsvField(it->second);
    }
  }
  out += "\r\n";
}

HttpResponse WithInvoice(int status, const store::Invoice& invoice) {
  HttpResponse r = JsonResponse(status, InvoiceToJson(invoice));
  r.headers["etag"] = invoice.etag;
  return r;
}

// "\"a\", W/\"b\"" contains `etag` (weak comparison, as If-None-Match uses).
bool EtagListContains(std::string_view list, std::string_view etag) {
  if (list == "*") return true;
  size_t start = 0;
  while (start < list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = list.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

Json InvoiceToJson(const store::Invoice& inv) {
  Json j;
  j["id"] = inv.id;
  j["created_at"] = inv.created_at;
  j["updated_at"] = inv.updated_at;
  j["status"] = inv.status;
  const auto fields = inv.Fields();
  j["fields"] = Json::object();
  j["corrections"] = Json::object();
  for (const auto& spec : core::kFieldSpecs) {
    const std::string name(spec.name);
    if (auto it = fields.find(name); it != fields.end()) {
      j["fields"][name] = it->second;
    }
  }
  j["extraction"] = core::ToJson(inv.extraction);
  for (const auto& spec : core::kFieldSpecs) {
    const std::string name(spec.name);
    if (auto it = inv.corrections.find(name); it != inv.corrections.end()) {
      j["corrections"][name] = it->second;
    }
  }
  j["picture"] = {{"content_type", inv.picture.content_type},
                  {"bytes", inv.picture.bytes},
                  {"sha256", inv.picture.sha256}};
  if (inv.duplicate_of) j["duplicate_of"] = *inv.duplicate_of;
  return j;
}

Json SummaryToJson(const store::InvoiceSummary& s) {
  Json j;
  j["id"] = s.id;
  j["created_at"] = s.created_at;
  j["status"] = s.status;
  j["fields"] = Json::object();
  for (const auto& spec : core::kFieldSpecs) {
    const std::string name(spec.name);
    if (auto it = s.fields.find(name); it != s.fields.end()) {
      j["fields"][name] = it->second;
    }
  }
  return j;
}

std::string ListPageJson(const store::ListResult& page) {
  std::string out;
  out.reserve(32 + page.items.size() * 384);
  out += "{\"items\":[";
  for (size_t i = 0; i < page.items.size(); ++i) {
    const store::InvoiceSummary& s = page.items[i];
    if (i > 0) out += ',';
    out += "{\"id\":";
    core::AppendJsonString(out, s.id);
    out += ",\"created_at\":";
    core::AppendJsonString(out, s.created_at);
    out += ",\"status\":";
    core::AppendJsonString(out, s.status);
    out += ",\"fields\":{";
    bool first = true;
    for (const auto& spec : core::kFieldSpecs) {
      auto it = s.fields.find(std::string(spec.name));
      if (it == s.fields.end()) continue;
      if (!first) out += ',';
      first = false;
      core::AppendJsonString(out, spec.name);
      out += ':';
      core::AppendJsonString(out, it->second);
    }
    out += "}}";
  }
  out += ']';
  if (!page.next_cursor.empty()) {
    out += ",\"next_cursor\":";
    core::AppendJsonString(out, page.next_cursor);
  }
  out += '}';
  return out;
}

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    return std::string(value);
  }
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

InvoicesFunction::InvoicesFunction(store::InvoiceRepository& repository,
                                   const extract::Scanner& scanner,
                                   InvoicesOptions options)
    : repository_(repository), scanner_(scanner), options_(options) {
  options_.max_limit = std::clamp(options_.max_limit, 1, 1000);
  options_.default_limit =
      std::clamp(options_.default_limit, 1, options_.max_limit);
  options_.export_page_size = std::clamp(options_.export_page_size, 1, 1000);
}

HttpResponse InvoicesFunction::operator()(const HttpRequest& request) const {
  auto tail = RouteTail(request.raw_path);
  if (!tail) {
    return Fail(ErrorCode::kNotFound, "no route for " + request.raw_path,
                request);
  }
  const std::string& m = request.method;
  std::string allow;
  if (tail->empty()) {
    if (m == "POST") return Create(request);
    if (m == "GET") return List(request);
    allow = "GET, POST";
  } else if (tail->size() == 1 && (*tail)[0] == "export.csv") {
    if (m == "GET") return Export(request);
    allow = "GET";
  } else if (tail->size() == 1) {
    if (m == "GET") return Get(request);
    if (m == "PATCH") return Patch(request);
    if (m == "DELETE") return Delete(request);
    allow = "DELETE, GET, PATCH";
  } else if ((*tail)[1] == "picture") {
    if (m == "GET") return Picture(request);
    allow = "GET";
  } else {
    return Fail(ErrorCode::kNotFound, "no route for " + request.raw_path,
                request);
  }
  HttpResponse r =
      Fail(ErrorCode::kInvalidArgument,
           "method " + m + " is not allowed on " + request.raw_path, request);
  r.status = 405;
  r.headers["allow"] = allow;
  return r;
}

HttpResponse InvoicesFunction::Create(const HttpRequest& request) const {
  auto sub = SubOf(request);
  if (!sub) return Fail(sub.error(), request);
  auto upload = UploadFromRequest(request);
  if (!upload) return Fail(upload.error(), request);

  // The user's own values, when the upload carries them.
  std::map<std::string, std::string> user_fields;
  bool has_fields = false;
  if (request.Header("content-type").starts_with("multipart/")) {
    auto parts = ParseMultipart(request.body, request.Header("content-type"));
    if (!parts) return Fail(parts.error(), request);
    for (const auto& part : *parts) {
      if (part.name != "fields") continue;
      if (part.data.size() > options_.max_fields_json) {
        return Fail(ErrorCode::kTooLarge, "the fields part is too large",
                    request);
      }
      auto fields = FieldsFromJson(part.data);
      if (!fields) return Fail(fields.error(), request);
      user_fields = std::move(*fields);
      has_fields = !user_fields.empty();
    }
  }

  const std::string_view key = request.Header("idempotency-key");
  if (key.size() > kMaxIdempotencyKey ||
      std::any_of(key.begin(), key.end(),
                  [](char c) { return c < 0x20 || c > 0x7e; })) {
    return Fail(ErrorCode::kInvalidArgument,
                "Idempotency-Key must be at most 255 printable characters",
                request);
  }
  const std::string location_prefix = "/invoices/";
  if (!key.empty()) {
    // A retry: answer it without reading the document again.
    auto earlier = repository_.FindByIdempotencyKey(*sub, key, upload->bytes);
    if (!earlier) return Fail(earlier.error(), request);
    if (*earlier) {
      HttpResponse r = WithInvoice(200, **earlier);
      r.headers["location"] = location_prefix + (*earlier)->id;
      r.headers["idempotent-replayed"] = "true";
      return r;
    }
  }

  const auto* data = reinterpret_cast<const uint8_t*>(upload->bytes.data());
  const std::span<const uint8_t> bytes(data, upload->bytes.size());
  const extract::Format format = extract::DetectFormat(bytes);
  store::NewInvoice invoice;
  invoice.original = upload->bytes;
  invoice.file_name = upload->file_name;
  invoice.idempotency_key = std::string(key);
  if (has_fields) {
    if (format == extract::Format::kUnknown) {
      return Fail(ErrorCode::kUnsupportedMediaType,
                  "the document is not an image, PDF or XML file", request);
    }
    invoice.extraction.file = upload->file_name;
    invoice.extraction.document.mime = std::string(extract::MimeType(format));
    invoice.extraction.document.source = "user";
    invoice.corrections = std::move(user_fields);
  } else {
    auto extraction = scanner_.Scan(bytes, upload->file_name,
                                    upload->content_type, upload->languages);
    if (!extraction) {
      Json body;
      body["file"] = upload->file_name;
      body.update(ErrorBody(extraction.error(), request.request_id));
      HttpResponse r =
          JsonResponse(core::HttpStatus(extraction.error().code()), body);
      if (extraction.error().code() == ErrorCode::kUnavailable ||
          extraction.error().code() == ErrorCode::kResourceExhausted) {
        r.headers["retry-after"] = "1";
      }
      return r;
    }
    invoice.extraction = std::move(*extraction);
  }
  // The content type as detected wins over the declared one: it decides
  // how the original is served back.
  invoice.content_type = format != extract::Format::kUnknown
                             ? std::string(extract::MimeType(format))
                             : upload->content_type;

  auto created = repository_.Create(*sub, invoice);
  if (!created) return Fail(created.error(), request);
  HttpResponse r = WithInvoice(created->replayed ? 200 : 201, created->invoice);
  r.headers["location"] = location_prefix + created->invoice.id;
  if (created->replayed) r.headers["idempotent-replayed"] = "true";
  return r;
}

HttpResponse InvoicesFunction::List(const HttpRequest& request) const {
  auto sub = SubOf(request);
  if (!sub) return Fail(sub.error(), request);
  auto filter = FilterOf(request);
  if (!filter) return Fail(filter.error(), request);
  auto limit = LimitOf(request, options_.default_limit, options_.max_limit);
  if (!limit) return Fail(limit.error(), request);
  store::ListRequest list;
  list.filter = std::move(*filter);
  list.limit = *limit;
  list.cursor = std::string(Query(request, "cursor"));
  auto page = repository_.List(*sub, list);
  if (!page) return Fail(page.error(), request);
  // Written directly: the JSON library's document and dump were more than
  // half of what a page cost once the index was cached (BENCHMARKS.md).
  HttpResponse r;
  r.headers["content-type"] = "application/json";
  r.body = ListPageJson(*page);
  return r;
}

HttpResponse InvoicesFunction::Export(const HttpRequest& request) const {
  auto sub = SubOf(request);
  if (!sub) return Fail(sub.error(), request);
  auto filter = FilterOf(request);
  if (!filter) return Fail(filter.error(), request);

  // What the stream needs between chunks: one index page at a time, so the
  // memory an export holds does not grow with the number of invoices.
  struct ExportState {
    store::InvoiceRepository* repository;
    std::string sub;
    store::ListRequest list;
    std::optional<store::ListResult> page;  // fetched, not yet written
  };
  auto state = std::make_shared<ExportState>();
  state->repository = &repository_;
  state->sub = std::move(*sub);
  state->list.filter = std::move(*filter);
  state->list.limit = options_.export_page_size;
  state->list.cursor = std::string(Query(request, "cursor"));
  // The first page is read here, so that a store that is down is still
  // answered with a 503 rather than a truncated stream.
  auto first = repository_.List(state->sub, state->list);
  if (!first) return Fail(first.error(), request);
  state->page = std::move(*first);

  HttpResponse r;
  r.status = 200;
  r.headers["content-type"] = "text/csv; charset=utf-8; header=present";
  r.headers["content-disposition"] = "attachment; filename=\"invoices.csv\"";
  r.body = "id,created_at,status";
  for (const auto& spec : core::kFieldSpecs) {
    r.body += ',';
    r.body += spec.name;
  }
  r.body += "\r\n";
  // Then one chunk per index page.
  r.stream = [state](std::string& out) -> core::Result<bool> {
    if (!state->page) {
      if (state->list.cursor.empty()) return false;
      auto page = state->repository->List(state->sub, state->list);
      if (!page) return std::unexpected(std::move(page).error());
      state->page = std::move(*page);
    }
    for (const auto& item : state->page->items) AppendCsvRow(out, item);
    state->list.cursor = std::move(state->page->next_cursor);
    state->page.reset();
    return !state->list.cursor.empty();
  };
  return r;
}

HttpResponse InvoicesFunction::Get(const HttpRequest& request) const {
  auto sub = SubOf(request);
  if (!sub) return Fail(sub.error(), request);
  auto id = IdOf(request);
  if (!id) return Fail(id.error(), request);
  auto invoice = repository_.Get(*sub, *id);
  if (!invoice) return Fail(invoice.error(), request);
  if (const auto inm = request.Header("if-none-match");
      !inm.empty() && EtagListContains(inm, invoice->etag)) {
    HttpResponse r;
    r.status = 304;
    r.headers["etag"] = invoice->etag;
    return r;
  }
  return WithInvoice(200, *invoice);
}

HttpResponse InvoicesFunction::Patch(const HttpRequest& request) const {
  auto sub = SubOf(request);
  if (!sub) return Fail(sub.error(), request);
  auto id = IdOf(request);
  if (!id) return Fail(id.error(), request);
  const Json body = Json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Fail(ErrorCode::kInvalidArgument,
                "the body must be a JSON merge patch {\"fields\": {...}}",
                request);
  }
  store::FieldPatch patch;
  for (const auto& [key, value] : body.items()) {
    if (key != "fields") {
      return Fail(ErrorCode::kInvalidArgument,
                  "only fields can be changed, not \"" + key + "\"", request);
    }
    if (!value.is_object()) {
      return Fail(ErrorCode::kInvalidArgument, "fields must be an object",
                  request);
    }
    for (const auto& [name, v] : value.items()) {
      if (v.is_null()) {
        patch[name] = std::nullopt;
      } else if (v.is_string()) {
        patch[name] = v.get<std::string>();
      } else {
        return Fail(ErrorCode::kInvalidArgument,
                    "field " + name + ": must be a string or null", request);
      }
    }
  }
  auto invoice =
      repository_.Patch(*sub, *id, patch, request.Header("if-match"));
  if (!invoice) return Fail(invoice.error(), request);
  return WithInvoice(200, *invoice);
}

HttpResponse InvoicesFunction::Delete(const HttpRequest& request) const {
  auto sub = SubOf(request);
  if (!sub) return Fail(sub.error(), request);
  auto id = IdOf(request);
  if (!id) return Fail(id.error(), request);
  auto done = repository_.Delete(*sub, *id);
  if (!done) return Fail(done.error(), request);
  HttpResponse r;
  r.status = 204;
  return r;
}

HttpResponse InvoicesFunction::Picture(const HttpRequest& request) const {
  auto sub = SubOf(request);
  if (!sub) return Fail(sub.error(), request);
  auto id = IdOf(request);
  if (!id) return Fail(id.error(), request);
  if (options_.redirect_pictures) {
    auto invoice = repository_.Get(*sub, *id);
    if (!invoice) return Fail(invoice.error(), request);
    // Only what may be shown inline: the store serves the object with the
    // type it was stored with and no Content-Disposition.
    if (ServedInline(invoice->picture.content_type)) {
      auto url = repository_.PresignPicture(*sub, *invoice,
                                            options_.picture_url_expiry);
      if (url) {
        HttpResponse r;
        r.status = 302;
        r.headers["location"] = *url;
        r.headers["cache-control"] = "private, no-store";
        return r;
      }
      // unavailable is also how a store says it cannot presign: stream.
      if (url.error().code() != ErrorCode::kUnavailable) {
        return Fail(url.error(), request);
      }
    }
  }
  auto picture = repository_.GetPicture(*sub, *id);
  if (!picture) return Fail(picture.error(), request);
  HttpResponse r;
  r.status = 200;
  r.headers["content-type"] = picture->content_type;
  r.headers["cache-control"] = "private, max-age=3600";
  // User content: never sniffed into something active, never scripted,
  // and a download unless it is an image or a PDF.
  r.headers["x-content-type-options"] = "nosniff";
  r.headers["content-security-policy"] = "default-src 'none'; sandbox";
  if (!ServedInline(picture->content_type)) {
    const std::string ext =
        store::ExtensionForContentType(picture->content_type);
    if (ext == "bin") r.headers["content-type"] = "application/octet-stream";
    r.headers["content-disposition"] =
        "attachment; filename=\"invoice-" + *id + "." + ext + "\"";
  }
  r.body = std::move(picture->bytes);
  return r;
}

}  // namespace invoices::functions
