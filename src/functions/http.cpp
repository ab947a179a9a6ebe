#include "invoices/functions/http.h"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include "invoices/core/base64.h"
#include "invoices/core/strings.h"

namespace invoices::functions {
namespace {

// True when the body can travel as a JSON string without base64.
bool IsTextual(std::string_view content_type) {
  return content_type.starts_with("text/") ||
         content_type.find("json") != std::string_view::npos ||
         content_type.find("xml") != std::string_view::npos ||
         content_type.find("yaml") != std::string_view::npos ||
         content_type.starts_with("application/x-www-form-urlencoded");
}

void StringMap(const core::Json& obj, std::map<std::string, std::string>& out,
               bool lower_keys) {
  if (!obj.is_object()) return;
  for (const auto& [k, v] : obj.items()) {
    std::string key = lower_keys ? core::AsciiLower(k) : k;
    out[key] = v.is_string() ? v.get<std::string>() : v.dump();
  }
}

// Reads the string member `name` of `obj` into `out`, which keeps its value
// when the member is absent or null. False for a member of another type:
// Json::value() would throw for it, and an event is outside input.
bool ReadString(const core::Json& obj, const char* name, std::string& out) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? std::string_view()
                             : std::string_view(it->second);
}

HttpResponse JsonResponse(int status, const core::Json& body) {
  HttpResponse r;
  r.status = status;
  r.headers["content-type"] = "application/json";
  r.body = body.dump();
  return r;
}

core::Json ErrorBody(const core::Error& error, std::string_view request_id) {
  core::Json body;
  body["error"] = {{"code", core::CodeName(error.code())},
                   {"message", error.message()},
                   {"request_id", request_id}};
  return body;
}

HttpResponse ErrorResponse(const core::Error& error,
                           std::string_view request_id) {
  return JsonResponse(core::HttpStatus(error.code()),
                      ErrorBody(error, request_id));
}

core::Result<HttpRequest> RequestFromEvent(const core::Json& event) {
  std::string version;
  if (!event.is_object() || !ReadString(event, "version", version) ||
      version != "2.0" || !event.contains("requestContext") ||
      !event["requestContext"].is_object()) {
    return core::InvalidArgument(
        "not an API Gateway HTTP API payload 2.0 event");
  }
  HttpRequest r;
  const core::Json& ctx = event["requestContext"];
  r.route_key = "$default";
  r.raw_path = "/";
  bool typed = ReadString(event, "routeKey", r.route_key) &&
               ReadString(event, "rawPath", r.raw_path) &&
               ReadString(event, "rawQueryString", r.raw_query_string) &&
               ReadString(ctx, "requestId", r.request_id);
  if (ctx.contains("http") && ctx["http"].is_object()) {
    typed = typed && ReadString(ctx["http"], "method", r.method) &&
            ReadString(ctx["http"], "sourceIp", r.source_ip);
  }
  bool base64 = false;
  if (auto it = event.find("isBase64Encoded");
      it != event.end() && !it->is_null()) {
    typed = typed && it->is_boolean();
    base64 = it->is_boolean() && it->get<bool>();
  }
  if (!typed) {
    return core::InvalidArgument(
        "malformed payload 2.0 event: a member has the wrong type");
  }
  if (event.contains("headers")) StringMap(event["headers"], r.headers, true);
  if (event.contains("cookies") && event["cookies"].is_array()) {
    std::string cookies;
    for (const auto& c : event["cookies"]) {
      if (!c.is_string()) continue;
      if (!cookies.empty()) cookies += "; ";
      cookies += c.get<std::string>();
    }
    if (!cookies.empty()) r.headers["cookie"] = cookies;
  }
  if (event.contains("pathParameters")) {
    StringMap(event["pathParameters"], r.path_parameters, false);
  }
  if (event.contains("queryStringParameters")) {
    StringMap(event["queryStringParameters"], r.query_parameters, false);
  }
  if (ctx.contains("authorizer") && ctx["authorizer"].contains("jwt") &&
      ctx["authorizer"]["jwt"].contains("claims")) {
    StringMap(ctx["authorizer"]["jwt"]["claims"], r.claims, false);
  }
  if (event.contains("body") && event["body"].is_string()) {
    const std::string body = event["body"].get<std::string>();
    if (base64) {
      auto decoded = core::Base64Decode(body);
      if (!decoded) {
        return core::InvalidArgument("event body is not valid base64");
      }
      r.body = std::move(*decoded);
    } else {
      r.body = body;
    }
  }
  return r;
}

core::Json RequestToEvent(const HttpRequest& r) {
  core::Json e;
  e["version"] = "2.0";
  e["routeKey"] = r.route_key.empty() ? "$default" : r.route_key;
  e["rawPath"] = r.raw_path;
  e["rawQueryString"] = r.raw_query_string;
  e["headers"] = r.headers;
  if (!r.query_parameters.empty()) {
    e["queryStringParameters"] = r.query_parameters;
  }
  if (!r.path_parameters.empty()) e["pathParameters"] = r.path_parameters;
  core::Json ctx;
  ctx["requestId"] = r.request_id;
  ctx["http"] = {{"method", r.method},
                 {"path", r.raw_path},
                 {"protocol", "HTTP/1.1"},
                 {"sourceIp", r.source_ip}};
  if (!r.claims.empty()) ctx["authorizer"]["jwt"]["claims"] = r.claims;
  e["requestContext"] = std::move(ctx);
  const bool text = IsTextual(r.Header("content-type"));
  e["isBase64Encoded"] = !text && !r.body.empty();
  if (!r.body.empty()) e["body"] = text ? r.body : core::Base64Encode(r.body);
  return e;
}

core::Status DrainStream(HttpResponse& response) {
  if (!response.stream) return {};
  BodyProducer stream = std::move(response.stream);
  response.stream = nullptr;
  for (;;) {
    core::Result<bool> more;
    try {
      more = stream(response.body);
    } catch (const std::exception& e) {
      return core::Internal(std::string("body stream threw: ") + e.what());
    } catch (...) {
      return core::Internal("body stream threw");
    }
    if (!more) return std::unexpected(std::move(more).error());
    if (!*more) return {};
  }
}

core::Json ResponseToJson(const HttpResponse& streamed) {
  if (streamed.stream) {
    HttpResponse drained = streamed;
    if (auto status = DrainStream(drained); !status) {
      return ResponseToJson(ErrorResponse(status.error(), ""));
    }
    return ResponseToJson(drained);
  }
  const HttpResponse& response = streamed;
  core::Json j;
  j["statusCode"] = response.status;
  j["headers"] = response.headers;
  auto ct = response.headers.find("content-type");
  const bool text = ct == response.headers.end() || IsTextual(ct->second);
  j["isBase64Encoded"] = !text;
  j["body"] = text ? response.body : core::Base64Encode(response.body);
  return j;
}

}  // namespace invoices::functions
