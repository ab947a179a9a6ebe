#include "invoices/functions/upload_url.h"

#include <string>
#include <utility>

#include "invoices/core/ids.h"
#include "invoices/functions/upload_event.h"
#include "invoices/store/invoice_repository.h"

namespace invoices::functions {
namespace {

using core::ErrorCode;
using core::Json;

constexpr size_t kMaxFileName = 100;

HttpResponse Fail(const core::Error& error, const HttpRequest& request) {
  HttpResponse r = ErrorResponse(error, request.request_id);
  if (error.code() == ErrorCode::kUnauthenticated) {
    r.headers["www-authenticate"] = "Bearer";
  }
  return r;
}

}  // namespace

std::string SafeFileName(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (out.size() == kMaxFileName) break;
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                      c == '-';
    if (c == '.' && out.empty()) continue;
    out.push_back(safe ? static_cast<char>(c) : '_');
  }
  return out.empty() ? "upload" : out;
}

UploadUrlFunction::UploadUrlFunction(store::ObjectStore& store,
                                     UploadUrlOptions options)
    : store_(store), options_(std::move(options)) {}

HttpResponse UploadUrlFunction::operator()(const HttpRequest& request) const {
  if (request.method != "POST") {
    HttpResponse r = Fail(
        core::Error(ErrorCode::kInvalidArgument,
                    "method " + request.method + " is not allowed on /uploads"),
        request);
    r.status = 405;
    r.headers["allow"] = "POST";
    return r;
  }
  auto sub = request.claims.find("sub");
  if (sub == request.claims.end() || sub->second.empty()) {
    return Fail(core::Error(ErrorCode::kUnauthenticated,
                            "a signed-in user is required"),
                request);
  }
  if (auto valid = store::ValidateSub(sub->second); !valid) {
    return Fail(valid.error(), request);
  }
  std::string file_name = "upload";
  if (!request.body.empty()) {
    const Json body =
        Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object() ||
        (body.contains("file_name") && !body["file_name"].is_string())) {
      return Fail(core::Error(ErrorCode::kInvalidArgument,
                              "the body must be a JSON object with an "
                              "optional string file_name"),
                  request);
    }
    if (body.contains("file_name")) {
      file_name = SafeFileName(body["file_name"].get<std::string>());
    }
  }
  const auto now =
      options_.clock ? options_.clock() : std::chrono::system_clock::now();
  const std::string key = std::string(kUploadsPrefix) + sub->second + "/" +
                          core::NewId(now) + "/" + file_name;
  auto url = store_.PresignPut(key, options_.expiry);
  if (!url) return Fail(url.error(), request);
  HttpResponse r = JsonResponse(200, {{"url", *url},
                                      {"method", "PUT"},
                                      {"key", key},
                                      {"expires_in", options_.expiry.count()}});
  r.headers["cache-control"] = "no-store";
  return r;
}

}  // namespace invoices::functions
