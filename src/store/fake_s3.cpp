#include "invoices/store/fake_s3.h"

#include <time.h>

#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "invoices/core/base64.h"
#include "invoices/core/strings.h"
#include "invoices/store/digest.h"

namespace invoices::store {
namespace {

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string HttpDate(std::chrono::system_clock::time_point t) {
  const time_t tt = std::chrono::system_clock::to_time_t(t);
  struct tm tm;
  ::gmtime_r(&tt, &tm);
  char buffer[64];
  ::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

std::string IsoDate(std::chrono::system_clock::time_point t) {
  const time_t tt = std::chrono::system_clock::to_time_t(t);
  struct tm tm;
  ::gmtime_r(&tt, &tm);
  char buffer[64];
  ::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buffer;
}

HttpResponse ErrorResponse(int status, std::string_view code,
                           std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/xml"},
               {"x-amz-request-id", "FAKEREQUEST"}};
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" +
           std::string(code) + "</Code><Message>" + XmlEscape(message) +
           "</Message><RequestId>FAKEREQUEST</RequestId></Error>";
  return r;
}

class FakeS3Impl final : public FakeS3 {
 public:
  explicit FakeS3Impl(FakeS3Options options) : options_(std::move(options)) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    std::lock_guard lock(mu_);
    ++requests_;
    last_ = request;
    if (!failures_.empty()) {
      const Failure f = failures_.front();
      failures_.pop_front();
      if (f.apply_first) {
        (void)Handle(request);
        return core::Unavailable("fake: connection lost after the request");
      }
      if (f.status == 0) return core::Unavailable("fake: connection refused");
      return ErrorResponse(f.status, f.code, "injected failure");
    }
    return Handle(request);
  }

  void FailNext(int count, int status, std::string s3_code) override {
    std::lock_guard lock(mu_);
    for (int i = 0; i < count; ++i) {
      failures_.push_back({status, s3_code, false});
    }
  }

  void LoseNextAnswers(int count) override {
    std::lock_guard lock(mu_);
    for (int i = 0; i < count; ++i) failures_.push_back({0, "", true});
  }

  int RequestCount() const override {
    std::lock_guard lock(mu_);
    return requests_;
  }

  HttpRequest LastRequest() const override {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  struct Failure {
    int status;
    std::string code;
    bool apply_first;
  };
  struct Stored {
    std::string bytes;
    std::string etag;
    std::string content_type;
    std::map<std::string, std::string> metadata;
    std::chrono::system_clock::time_point modified;
  };

  static std::string HeaderOf(const HttpRequest& request,
                              std::string_view name) {
    for (const auto& [n, v] : request.headers) {
      if (core::AsciiLower(n) == core::AsciiLower(name)) return v;
    }
    return "";
  }

  // A presigned URL's signature (the X-Amz-* query parameters), recomputed
  // from what arrived and checked for expiry; "" when it holds.
  std::string CheckPresigned(const HttpRequest& request,
                             const std::string& path,
                             const std::string& query) const {
    std::map<std::string, std::string> auth;
    std::string rest;  // the query without the signing parameters
    size_t start = 0;
    while (start < query.size()) {
      size_t end = query.find('&', start);
      if (end == std::string::npos) end = query.size();
      const std::string pair = query.substr(start, end - start);
      start = end + 1;
      const size_t eq = pair.find('=');
      const std::string name = pair.substr(0, eq);
      if (name.starts_with("X-Amz-")) {
        auto value =
            UriDecode(eq == std::string::npos ? "" : pair.substr(eq + 1));
        if (!value) return "bad escape in " + name;
        auth[name] = *value;
      } else {
        rest += (rest.empty() ? "" : "&") + pair;
      }
    }
    if (auth["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256" ||
        !auth["X-Amz-Credential"].starts_with(
            options_.credentials.access_key_id + "/")) {
      return "malformed or foreign presigned URL";
    }
    struct tm tm = {};
    if (::strptime(auth["X-Amz-Date"].c_str(), "%Y%m%dT%H%M%SZ", &tm) ==
        nullptr) {
      return "no X-Amz-Date";
    }
    const auto signed_at =
        std::chrono::system_clock::from_time_t(::timegm(&tm));
    const long expires = std::atol(auth["X-Amz-Expires"].c_str());
    if (std::chrono::system_clock::now() >
        signed_at + std::chrono::seconds(expires)) {
      return "Request has expired";
    }
    SigningRequest to_sign;
    to_sign.method = request.method;
    to_sign.path = path;
    to_sign.query = rest;
    const std::string names = ";" + auth["X-Amz-SignedHeaders"] + ";";
    bool has_host = false;
    for (const auto& [n, v] : request.headers) {
      const std::string lower = core::AsciiLower(n);
      if (names.find(";" + lower + ";") == std::string::npos) continue;
      to_sign.headers.emplace_back(n, v);
      has_host = has_host || lower == "host";
    }
    if (!has_host && names.find(";host;") != std::string::npos) {
      // What an HTTP client sends: the URL's authority.
      const std::string authority =
          options_.endpoint.substr(options_.endpoint.find("://") + 3);
      to_sign.headers.emplace_back("Host", authority);
    }
    SigningConfig config;
    config.credentials = options_.credentials;
    config.region = options_.region;
    config.service = "s3";
    config.time = signed_at;
    config.normalize_path = false;
    config.encode_path = false;
    config.payload_hash = std::string(kUnsignedPayload);
    config.expires = std::chrono::seconds(expires);
    auto expected = PresignWithQuery(to_sign, config);
    if (!expected) return expected.error().ToString();
    if (auth["X-Amz-Signature"] != expected->signature) {
      return "signature mismatch; expected canonical request:\n" +
             expected->canonical_request;
    }
    return "";
  }

  // Recomputes the signature from what arrived; "" when it matches.
  std::string CheckSignature(const HttpRequest& request,
                             const std::string& path,
                             const std::string& query) const {
    if (query.find("X-Amz-Signature=") != std::string::npos) {
      return CheckPresigned(request, path, query);
    }
    const std::string authorization = HeaderOf(request, "Authorization");
    const size_t sh = authorization.find("SignedHeaders=");
    const size_t sig = authorization.find("Signature=");
    if (!authorization.starts_with("AWS4-HMAC-SHA256 Credential=" +
                                   options_.credentials.access_key_id + "/") ||
        sh == std::string::npos || sig == std::string::npos) {
      return "malformed or foreign Authorization";
    }
    const std::string signed_names =
        authorization.substr(sh + 14, authorization.find(',', sh) - sh - 14);
    SigningRequest to_sign;
    to_sign.method = request.method;
    to_sign.path = path;
    to_sign.query = query;
    to_sign.body = request.body;
    std::string names = ";" + signed_names + ";";
    for (const auto& [n, v] : request.headers) {
      const std::string lower = core::AsciiLower(n);
      if (lower == "x-amz-date" || lower == "x-amz-content-sha256" ||
          lower == "x-amz-security-token" || lower == "authorization") {
        continue;
      }
      if (names.find(";" + lower + ";") != std::string::npos) {
        to_sign.headers.emplace_back(n, v);
      }
    }
    struct tm tm = {};
    const std::string date = HeaderOf(request, "X-Amz-Date");
    if (::strptime(date.c_str(), "%Y%m%dT%H%M%SZ", &tm) == nullptr) {
      return "no X-Amz-Date";
    }
    SigningConfig config;
    config.credentials = options_.credentials;
    config.region = options_.region;
    config.service = "s3";
    config.time = std::chrono::system_clock::from_time_t(::timegm(&tm));
    config.normalize_path = false;
    config.encode_path = false;
    config.add_content_sha256_header = true;
    config.payload_hash = HeaderOf(request, "x-amz-content-sha256");
    if (config.payload_hash != HexEncode(Sha256(request.body))) {
      return "x-amz-content-sha256 is not the body's hash";
    }
    auto expected = SignWithHeaders(to_sign, config);
    if (!expected) return expected.error().ToString();
    if (authorization.substr(sig + 10) != expected->signature) {
      return "signature mismatch; expected canonical request:\n" +
             expected->canonical_request;
    }
    return "";
  }

  HttpResponse Handle(const HttpRequest& request) {
    if (!request.url.starts_with(options_.endpoint + "/")) {
      return ErrorResponse(400, "InvalidURI", "not this fake's endpoint");
    }
    std::string target = request.url.substr(options_.endpoint.size());
    const size_t q = target.find('?');
    const std::string query =
        q == std::string::npos ? "" : target.substr(q + 1);
    const std::string path = target.substr(0, q);
    if (std::string problem = CheckSignature(request, path, query);
        !problem.empty()) {
      return ErrorResponse(403, "SignatureDoesNotMatch", problem);
    }
    const std::string bucket_path = "/" + options_.bucket;
    if (path == bucket_path || path == bucket_path + "/") {
      if (request.method == "GET") return ListObjects(query);
      return ErrorResponse(405, "MethodNotAllowed", "bucket operation");
    }
    if (!path.starts_with(bucket_path + "/")) {
      return ErrorResponse(404, "NoSuchBucket", "no such bucket");
    }
    auto key = UriDecode(path.substr(bucket_path.size() + 1));
    if (!key) return ErrorResponse(400, "InvalidURI", "bad escape");
    if (request.method == "PUT") return PutObject(request, *key);
    if (request.method == "GET" || request.method == "HEAD") {
      return GetObject(request, *key);
    }
    if (request.method == "DELETE") {
      objects_.erase(*key);
      HttpResponse r;
      r.status = 204;
      return r;
    }
    return ErrorResponse(405, "MethodNotAllowed", request.method);
  }

  HttpResponse PutObject(const HttpRequest& request, const std::string& key) {
    auto it = objects_.find(key);
    const std::string if_none_match = HeaderOf(request, "If-None-Match");
    const std::string if_match = HeaderOf(request, "If-Match");
    if ((if_none_match == "*" && it != objects_.end()) ||
        (!if_match.empty() &&
         (it == objects_.end() || it->second.etag != if_match))) {
      return ErrorResponse(412, "PreconditionFailed",
                           "At least one of the pre-conditions you specified "
                           "did not hold");
    }
    Stored stored;
    stored.bytes = request.body;
    stored.etag = ComputeEtag(request.body);
    stored.content_type = HeaderOf(request, "Content-Type");
    stored.modified = std::chrono::system_clock::now();
    for (const auto& [n, v] : request.headers) {
      const std::string lower = core::AsciiLower(n);
      if (lower.starts_with("x-amz-meta-")) {
        stored.metadata[lower.substr(11)] = v;
      }
    }
    HttpResponse r;
    r.status = 200;
    r.headers = {{"ETag", stored.etag}, {"Date", HttpDate(stored.modified)}};
    const std::string sse = HeaderOf(request, "x-amz-server-side-encryption");
    if (!sse.empty()) {
      r.headers.emplace_back("x-amz-server-side-encryption", sse);
    }
    objects_.insert_or_assign(key, std::move(stored));
    return r;
  }

  HttpResponse GetObject(const HttpRequest& request, const std::string& key) {
    auto it = objects_.find(key);
    if (it == objects_.end()) {
      if (request.method == "HEAD") {
        HttpResponse r;
        r.status = 404;
        r.headers = {{"x-amz-request-id", "FAKEREQUEST"}};
        return r;
      }
      return ErrorResponse(404, "NoSuchKey",
                           "The specified key does not exist.");
    }
    const Stored& s = it->second;
    HttpResponse r;
    r.status = 200;
    r.headers = {{"ETag", s.etag},
                 {"Content-Type", s.content_type},
                 {"Last-Modified", HttpDate(s.modified)},
                 {"Content-Length", std::to_string(s.bytes.size())}};
    for (const auto& [n, v] : s.metadata) {
      r.headers.emplace_back("x-amz-meta-" + n, v);
    }
    std::string body = s.bytes;
    const std::string range = HeaderOf(request, "Range");
    if (!range.empty()) {
      // bytes=first-[last]
      const size_t dash = range.find('-');
      const uint64_t first = std::stoull(range.substr(6, dash - 6));
      uint64_t last = dash + 1 < range.size()
                          ? std::stoull(range.substr(dash + 1))
                          : s.bytes.size() - 1;
      if (first >= s.bytes.size()) {
        return ErrorResponse(416, "InvalidRange",
                             "The requested range is not satisfiable");
      }
      if (last >= s.bytes.size()) last = s.bytes.size() - 1;
      body = s.bytes.substr(first, last - first + 1);
      r.status = 206;
      r.headers.emplace_back("Content-Range",
                             "bytes " + std::to_string(first) + "-" +
                                 std::to_string(last) + "/" +
                                 std::to_string(s.bytes.size()));
      r.headers[3].second = std::to_string(body.size());
    }
    if (request.method == "GET") r.body = std::move(body);
    return r;
  }

  HttpResponse ListObjects(const std::string& query) {
    std::map<std::string, std::string> params;
    size_t pos = 0;
    while (pos < query.size()) {
      size_t amp = query.find('&', pos);
      if (amp == std::string::npos) amp = query.size();
      const std::string part = query.substr(pos, amp - pos);
      pos = amp + 1;
      const size_t eq = part.find('=');
      params[*UriDecode(part.substr(0, eq))] =
          eq == std::string::npos ? "" : *UriDecode(part.substr(eq + 1));
    }
    if (params["list-type"] != "2") {
      return ErrorResponse(400, "InvalidArgument", "only ListObjectsV2");
    }
    const std::string prefix = params["prefix"];
    const int max_keys =
        params.count("max-keys") ? std::stoi(params["max-keys"]) : 1000;
    std::string after;
    if (!params["continuation-token"].empty()) {
      auto decoded = core::Base64UrlDecode(params["continuation-token"]);
      if (!decoded) {
        return ErrorResponse(400, "InvalidArgument",
                             "The continuation token provided is incorrect");
      }
      after = *decoded;
    }
    std::string contents;
    int count = 0;
    bool truncated = false;
    std::string last;
    auto it = after.empty() ? objects_.lower_bound(prefix)
                            : objects_.upper_bound(after);
    for (; it != objects_.end() && it->first.starts_with(prefix); ++it) {
      if (count == max_keys) {
        truncated = true;
        break;
      }
      ++count;
      last = it->first;
      contents += "<Contents><Key>" + XmlEscape(it->first) +
                  "</Key><LastModified>" + IsoDate(it->second.modified) +
                  "</LastModified><ETag>" + XmlEscape(it->second.etag) +
                  "</ETag><Size>" + std::to_string(it->second.bytes.size()) +
                  "</Size><StorageClass>STANDARD</StorageClass></Contents>";
    }
    HttpResponse r;
    r.status = 200;
    r.headers = {{"Content-Type", "application/xml"}};
    r.body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/"
        "2006-03-01/\"><Name>" +
        options_.bucket + "</Name><Prefix>" + XmlEscape(prefix) +
        "</Prefix><KeyCount>" + std::to_string(count) + "</KeyCount><MaxKeys>" +
        std::to_string(max_keys) + "</MaxKeys><IsTruncated>" +
        (truncated ? "true" : "false") + "</IsTruncated>" + contents;
    if (truncated) {
      r.body += "<NextContinuationToken>" + core::Base64UrlEncode(last) +
                "</NextContinuationToken>";
    }
    r.body += "</ListBucketResult>";
    return r;
  }

  const FakeS3Options options_;
  mutable std::mutex mu_;
  std::map<std::string, Stored> objects_;
  std::deque<Failure> failures_;
  int requests_ = 0;
  HttpRequest last_;
};

}  // namespace

std::shared_ptr<FakeS3> NewFakeS3(const FakeS3Options& options) {
  return std::make_shared<FakeS3Impl>(options);
}

S3Options FakeS3StoreOptions(const FakeS3Options& options) {
  S3Options s3;
  s3.bucket = options.bucket;
  s3.region = options.region;
  s3.endpoint = options.endpoint;
  s3.path_style = true;
  s3.credentials = options.credentials;
  s3.sleep = [](std::chrono::milliseconds) {};
  return s3;
}

}  // namespace invoices::store
