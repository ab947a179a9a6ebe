#include "invoices/lambda/events.h"

#include <chrono>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "invoices/core/base64.h"
#include "invoices/core/extraction.h"
#include "invoices/core/strings.h"

namespace invoices::lambda {
namespace {

using core::Json;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "%XX" as a byte, and '+' as a space when `plus_is_space`; nullopt for a
// malformed escape.
std::optional<std::string> PercentDecode(std::string_view s,
                                         bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = HexValue(s[i + 1]);
      const int lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// Lenient decoding for paths and queries: a malformed escape stays as it is.
std::string DecodeOrKeep(std::string_view s, bool plus_is_space) {
  auto decoded = PercentDecode(s, plus_is_space);
  return decoded ? std::move(*decoded) : std::string(s);
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) out.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

// A JSON member, or null when `j` is not an object or lacks it.
const Json* Member(const Json& j, const char* name) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(name);
  return it == j.end() ? nullptr : &*it;
}

std::string AsString(const Json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// Header names that differ only in case become one lower-case header with
// the values joined, before functions::RequestFromEvent sees them.
void MergeHeaders(Json& event) {
  auto it = event.find("headers");
  if (it == event.end() || !it->is_object()) return;
  Json merged = Json::object();
  for (const auto& [name, value] : it->items()) {
    const std::string lower = core::AsciiLower(name);
    if (merged.contains(lower)) {
      merged[lower] = merged[lower].get<std::string>() + "," + AsString(value);
    } else {
      merged[lower] = AsString(value);
    }
  }
  *it = std::move(merged);
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> params;
  size_t start = 0;
  while (start <= query.size()) {
    const size_t amp = query.find('&', start);
    const std::string_view part = query.substr(
        start,
        amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (!part.empty()) {
      const size_t eq = part.find('=');
      std::string key = DecodeOrKeep(part.substr(0, eq), true);
      std::string value = eq == std::string_view::npos
                              ? std::string()
                              : DecodeOrKeep(part.substr(eq + 1), true);
      if (!key.empty()) {
        auto [it, inserted] = params.try_emplace(std::move(key), value);
        if (!inserted) it->second += "," + value;
      }
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return params;
}

// The parameters of a route pattern's "{name}" and last "{name+}" segments
// in `path`; nullopt when the path does not fit the pattern.
std::optional<std::map<std::string, std::string>> MatchPattern(
    const std::vector<std::string_view>& pattern,
    const std::vector<std::string_view>& path, size_t skip) {
  std::map<std::string, std::string> params;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const std::string_view p = pattern[i];
    const size_t at = skip + i;
    const bool variable = p.size() > 2 && p.front() == '{' && p.back() == '}';
    if (variable && p.ends_with("+}") && i + 1 == pattern.size()) {
      if (at >= path.size()) return std::nullopt;
      std::string rest;
      for (size_t k = at; k < path.size(); ++k) {
        if (!rest.empty()) rest += '/';
        rest += DecodeOrKeep(path[k], false);
      }
      params[std::string(p.substr(1, p.size() - 3))] = std::move(rest);
      return params;
    }
    if (at >= path.size()) return std::nullopt;
    if (variable) {
      params[std::string(p.substr(1, p.size() - 2))] =
          DecodeOrKeep(path[at], false);
    } else if (p != path[at]) {
      return std::nullopt;
    }
  }
  if (path.size() != skip + pattern.size()) return std::nullopt;
  return params;
}

// The route key's parameters ("GET /invoices/{id}") in the path; empty when
// the route has none or the path does not fit it.
std::map<std::string, std::string> PathParameters(std::string_view route_key,
                                                  std::string_view raw_path,
                                                  std::string_view stage) {
  const size_t space = route_key.find(' ');
  if (space == std::string_view::npos) return {};  // "$default"
  const std::vector<std::string_view> pattern =
      Segments(route_key.substr(space + 1));
  const std::vector<std::string_view> path = Segments(raw_path);
  if (auto params = MatchPattern(pattern, path, 0)) return std::move(*params);
  // Through the default endpoint, rawPath starts with a named stage
  // ("/prod/invoices/7"); through a custom domain it does not.
  if (!stage.empty() && stage != "$default" && !path.empty() &&
      path.front() == stage) {
    if (auto params = MatchPattern(pattern, path, 1)) {
      return std::move(*params);
    }
  }
  return {};
}

}  // namespace

core::Result<functions::HttpRequest> ParseHttpApiEvent(
    std::string_view event_json, std::string_view fallback_id) {
  Json event = Json::parse(event_json, nullptr, /*allow_exceptions=*/false);
  if (event.is_discarded()) {
    return core::InvalidArgument("the event is not JSON");
  }
  if (event.is_object()) MergeHeaders(event);
  core::Result<functions::HttpRequest> parsed =
      core::InvalidArgument("not an API Gateway HTTP API payload 2.0 event");
  try {
    parsed = functions::RequestFromEvent(event);
  } catch (const Json::exception& e) {
    // RequestFromEvent reports members of the wrong type ({"rawPath": 7})
    // as invalid_argument itself; this guards against anything else the
    // JSON library may throw.
    return core::InvalidArgument(std::string("malformed payload 2.0 event: ") +
                                 e.what());
  }
  INVOICES_ASSIGN_OR_RETURN(functions::HttpRequest request, std::move(parsed));
  if (request.query_parameters.empty() && !request.raw_query_string.empty()) {
    request.query_parameters = ParseQuery(request.raw_query_string);
  }
  if (request.path_parameters.empty()) {
    std::string stage;
    if (const Json* ctx = Member(event, "requestContext")) {
      if (const Json* s = Member(*ctx, "stage"); s && s->is_string()) {
        stage = s->get<std::string>();
      }
    }
    request.path_parameters =
        PathParameters(request.route_key, request.raw_path, stage);
  }
  if (request.request_id.empty()) request.request_id = fallback_id;
  return request;
}

std::string HttpApiResponse(const functions::HttpResponse& response) {
  Json j = functions::ResponseToJson(response);
  Json& headers = j["headers"];
  if (headers.is_object() && headers.contains("set-cookie")) {
    Json cookies = Json::array({std::move(headers["set-cookie"])});
    headers.erase("set-cookie");
    j["cookies"] = std::move(cookies);  // after: inserting moves `headers`
  }
  try {
    return j.dump();
  } catch (const Json::type_error&) {
    // A text body (or header) that is not UTF-8: JSON cannot carry it as a
    // string, base64 can.
    if (!j.value("isBase64Encoded", false) && j["body"].is_string()) {
      j["body"] = core::Base64Encode(j["body"].get<std::string>());
      j["isBase64Encoded"] = true;
    }
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

Handler HttpApiHandler(HttpHandler handler, HttpObserver observer) {
  return [handler = std::move(handler), observer = std::move(observer)](
             std::string_view event,
             const InvocationContext& context) -> core::Result<std::string> {
    const auto start = std::chrono::steady_clock::now();
    INVOICES_ASSIGN_OR_RETURN(functions::HttpRequest request,
                              ParseHttpApiEvent(event, context.request_id()));
    functions::HttpResponse response;
    std::string thrown;
    try {
      response = handler(request);
    } catch (const std::exception& e) {
      thrown = e.what();
    } catch (...) {
      thrown = "a non-standard exception";
    }
    if (!thrown.empty()) {
      // As `invoices serve` answers it: the details go to the log only.
      context.Log("error", "handler threw: " + thrown);
      response = functions::ErrorResponse(
          core::Error(core::ErrorCode::kInternal, "internal error"),
          request.request_id);
    }
    std::string text = HttpApiResponse(response);
    if (observer) {
      const double latency_ms = std::chrono::duration<double, std::milli>(
                                    std::chrono::steady_clock::now() - start)
                                    .count();
      try {
        observer(request, response, latency_ms);
      } catch (const std::exception& e) {
        context.Log("error", std::string("observer threw: ") + e.what());
      } catch (...) {
        context.Log("error", "observer threw a non-standard exception");
      }
    }
    return text;
  };
}

core::Result<std::string> DecodeS3Key(std::string_view key) {
  auto decoded = PercentDecode(key, true);
  if (!decoded) {
    return core::InvalidArgument("malformed escape in S3 key \"" +
                                 std::string(key) + "\"");
  }
  return std::move(*decoded);
}

core::Result<std::vector<S3Object>> ParseS3Event(std::string_view event_json) {
  const Json event =
      Json::parse(event_json, nullptr, /*allow_exceptions=*/false);
  if (event.is_discarded()) {
    return core::InvalidArgument("the event is not JSON");
  }
  std::vector<S3Object> objects;
  if (const Json* test = Member(event, "Event");
      test && test->is_string() && *test == "s3:TestEvent") {
    return objects;
  }
  const Json* records = Member(event, "Records");
  if (records == nullptr || !records->is_array()) {
    return core::InvalidArgument("not an S3 event notification (no Records)");
  }
  for (const Json& record : *records) {
    const Json* name = Member(record, "eventName");
    if (name == nullptr || !name->is_string()) continue;
    std::string_view event_name = name->get_ref<const std::string&>();
    if (event_name.starts_with("s3:")) event_name.remove_prefix(3);
    if (!event_name.starts_with("ObjectCreated:")) continue;
    const Json* s3 = Member(record, "s3");
    const Json* bucket = s3 ? Member(*s3, "bucket") : nullptr;
    const Json* bucket_name = bucket ? Member(*bucket, "name") : nullptr;
    const Json* object = s3 ? Member(*s3, "object") : nullptr;
    const Json* key = object ? Member(*object, "key") : nullptr;
    if (bucket_name == nullptr || !bucket_name->is_string() ||
        bucket_name->get_ref<const std::string&>().empty() || key == nullptr ||
        !key->is_string() || key->get_ref<const std::string&>().empty()) {
      return core::InvalidArgument(
          "S3 record without s3.bucket.name or s3.object.key");
    }
    S3Object out;
    out.bucket = bucket_name->get<std::string>();
    INVOICES_ASSIGN_OR_RETURN(out.key,
                              DecodeS3Key(key->get_ref<const std::string&>()));
    out.event_name = std::string(event_name);
    if (const Json* size = Member(*object, "size");
        size && size->is_number_integer()) {
      out.size = size->get<int64_t>();
    }
    if (const Json* etag = Member(*object, "eTag"); etag && etag->is_string()) {
      out.etag = etag->get<std::string>();
    }
    objects.push_back(std::move(out));
  }
  return objects;
}

}  // namespace invoices::lambda
