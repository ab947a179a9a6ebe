#include "invoices/gateway/static_site.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace invoices::gateway {
namespace {

// FNV-1a: an ETag only needs to change when the bytes do.
std::string Etag(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"",
                static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

std::string_view ContentTypeForPath(std::string_view path) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".yaml", "application/yaml"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (path.ends_with(ext)) return type;
  }
  return "application/octet-stream";
}

void StaticSite::Add(std::string path, std::string bytes) {
  File f;
  f.content_type = std::string(ContentTypeForPath(path));
  f.etag = Etag(bytes);
  f.bytes = std::move(bytes);
  files_[std::move(path)] = std::move(f);
}

StaticSite StaticSite::Embedded() {
  StaticSite site;
  for (const auto& [path, bytes] : EmbeddedWebFiles()) {
    site.Add(std::string(path), std::string(bytes));
  }
  return site;
}

core::Result<StaticSite> StaticSite::FromDirectory(const std::string& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return core::InvalidArgument("web root " + root + " is not a folder");
  }
  StaticSite site;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    site.Add(fs::relative(it->path(), root).generic_string(), bytes.str());
  }
  if (ec)
    return core::InvalidArgument("cannot read " + root + ": " + ec.message());
  return site;
}

functions::HttpResponse StaticSite::Serve(
    const functions::HttpRequest& request) const {
  auto param = request.path_parameters.find("path");
  const std::string path =
      param == request.path_parameters.end() || param->second.empty()
          ? "index.html"
          : param->second;
  auto it = files_.find(path);
  if (it == files_.end()) {
    return functions::ErrorResponse(
        core::Error(core::ErrorCode::kNotFound, "no such file: /" + path),
        request.request_id);
  }
  const File& f = it->second;
  functions::HttpResponse r;
  r.headers["etag"] = f.etag;
  r.headers["cache-control"] = "no-cache";
  r.headers["x-content-type-options"] = "nosniff";
  if (request.Header("if-none-match") == f.etag) {
    r.status = 304;
    return r;
  }
  r.headers["content-type"] = f.content_type;
  if (f.content_type.starts_with("text/html")) {
    // The page talks to this server and to the sign-in endpoint named in
    // config.json (a Cognito user pool over https), shows pictures from blob
    // URLs or presigned storage URLs, and previews PDFs in a blob frame.
    r.headers["content-security-policy"] =
        "default-src 'self'; img-src 'self' blob: data: http: https:; "
        "connect-src 'self' http: https:; style-src 'self' 'unsafe-inline'; "
        "frame-src blob:; object-src 'none'; frame-ancestors 'none'";
    r.headers["x-frame-options"] = "DENY";
  }
  r.body = f.bytes;
  return r;
}

}  // namespace invoices::gateway
