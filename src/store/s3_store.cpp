#include "invoices/store/s3_store.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "invoices/core/strings.h"
#include "invoices/store/backend_util.h"
#include "invoices/store/digest.h"

namespace invoices::store {
namespace {

using core::ErrorCode;

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

// ---------------------------------------------------------------- curl --

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport(std::chrono::milliseconds connect_timeout,
                std::chrono::milliseconds request_timeout)
      : connect_timeout_(connect_timeout), request_timeout_(request_timeout) {
    // libcurl has its CA file compiled in (Debian's path); a binary carried
    // to another system (the Lambda package on Amazon Linux) names the one
    // it brings, as the curl tool and OpenSSL let one do.
    for (const char* name : {"SSL_CERT_FILE", "CURL_CA_BUNDLE"}) {
      const char* value = std::getenv(name);
      if (value != nullptr && *value != '\0') {
        ca_file_ = value;
        break;
      }
    }
  }

  ~CurlTransport() override {
    for (CURL* handle : idle_) curl_easy_cleanup(handle);
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    CURL* handle = Acquire();
    if (handle == nullptr) return core::Internal("curl_easy_init failed");
    auto response = Perform(handle, request);
    Release(handle);
    return response;
  }

 private:
  struct Upload {
    std::string_view remaining;
  };

  static size_t OnBody(char* data, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
  }

  static size_t OnHeader(char* data, size_t size, size_t n, void* user) {
    auto* headers =
        static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
    const std::string_view line(data, size * n);
    // A new status line (after 100 Continue): forget the interim headers.
    if (line.starts_with("HTTP/")) {
      headers->clear();
    } else if (const size_t colon = line.find(':');
               colon != std::string_view::npos) {
      headers->emplace_back(Trim(line.substr(0, colon)),
                            Trim(line.substr(colon + 1)));
    }
    return size * n;
  }

  static size_t OnRead(char* buffer, size_t size, size_t n, void* user) {
    auto* upload = static_cast<Upload*>(user);
    const size_t count = std::min(size * n, upload->remaining.size());
    std::copy_n(upload->remaining.data(), count, buffer);
    upload->remaining.remove_prefix(count);
    return count;
  }

  Result<HttpResponse> Perform(CURL* h, const HttpRequest& request) {
    HttpResponse response;
    Upload upload{request.body};
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);  // the signed path, as is
    if (!ca_file_.empty())
      curl_easy_setopt(h, CURLOPT_CAINFO, ca_file_.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(connect_timeout_.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(request_timeout_.count()));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);
    if (request.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (request.method == "PUT" || request.method == "POST") {
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_READFUNCTION, &OnRead);
      curl_easy_setopt(h, CURLOPT_READDATA, &upload);
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      if (request.method == "POST") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "POST");
      }
    } else if (request.method != "GET") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
      // "Name;" is curl's way to send a header with an empty value.
      const std::string line = value.empty() ? name + ";" : name + ": " + value;
      headers = curl_slist_append(headers, line.c_str());
    }
    // A round trip saved on every PUT; S3 answers errors after the body.
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    const CURLcode code = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (code != CURLE_OK) {
      const std::string detail =
          error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
      const std::string message =
          request.method + " " + request.url + ": " + detail;
      if (code == CURLE_OPERATION_TIMEDOUT) {
        return core::MakeError(ErrorCode::kDeadlineExceeded, message);
      }
      return core::Unavailable(message);
    }
    long status = 0;  // NOLINT(google-runtime-int): curl's type
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return response;
  }

  CURL* Acquire() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        CURL* handle = idle_.back();
        idle_.pop_back();
        // Keeps the handle's open connections, DNS and TLS session caches.
        curl_easy_reset(handle);
        return handle;
      }
    }
    return curl_easy_init();
  }

  void Release(CURL* handle) {
    std::lock_guard lock(mu_);
    if (idle_.size() < kMaxIdle) {
      idle_.push_back(handle);
      return;
    }
    curl_easy_cleanup(handle);
  }

  static constexpr size_t kMaxIdle = 32;
  const std::chrono::milliseconds connect_timeout_;
  const std::chrono::milliseconds request_timeout_;
  std::string ca_file_;  // SSL_CERT_FILE or CURL_CA_BUNDLE; "" for curl's own
  std::mutex mu_;
  std::vector<CURL*> idle_;
};

// ------------------------------------------------------------------ S3 --

struct Endpoint {
  std::string origin;     // "https://bucket.s3.us-east-1.amazonaws.com"
  std::string host;       // the Host header: the origin's authority
  std::string base_path;  // "/bucket" path-style, "" virtual-hosted
};

Result<Endpoint> ResolveEndpoint(const S3Options& options) {
  Endpoint ep;
  if (options.endpoint.empty()) {
    if (options.path_style) {
      ep.host = "s3." + options.region + ".amazonaws.com";
      ep.base_path = "/" + options.bucket;
    } else {
      ep.host = options.bucket + ".s3." + options.region + ".amazonaws.com";
    }
    ep.origin = "https://" + ep.host;
    return ep;
  }
  std::string_view url = options.endpoint;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos ||
      (url.substr(0, scheme_end) != "http" &&
       url.substr(0, scheme_end) != "https")) {
    return core::InvalidArgument("the S3 endpoint '" + options.endpoint +
                                 "' is not an http(s) URL");
  }
  const std::string_view rest = url.substr(scheme_end + 3);
  const size_t slash = rest.find('/');
  ep.host = std::string(rest.substr(0, slash));
  if (ep.host.empty()) {
    return core::InvalidArgument("the S3 endpoint '" + options.endpoint +
                                 "' has no host");
  }
  std::string path =
      slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!path.empty() && path.back() == '/') path.pop_back();
  ep.origin = std::string(url.substr(0, scheme_end + 3)) + ep.host;
  ep.base_path = path + "/" + options.bucket;
  return ep;
}

class S3Store final : public ObjectStore {
 public:
  S3Store(S3Options options, std::shared_ptr<HttpTransport> transport,
          Endpoint endpoint)
      : options_(std::move(options)),
        transport_(std::move(transport)),
        endpoint_(std::move(endpoint)) {
    if (!options_.sleep) {
      options_.sleep = [](std::chrono::milliseconds d) {
        std::this_thread::sleep_for(d);
      };
    }
    if (!options_.now)
      options_.now = [] { return std::chrono::system_clock::now(); };
  }

  Result<ObjectInfo> Put(std::string_view key, std::string_view bytes,
                         const PutOptions& options) override {
    INVOICES_RETURN_IF_ERROR(ValidateKey(key));
    INVOICES_RETURN_IF_ERROR(ValidateMetadata(options.metadata));
    Call call{"PUT", ObjectPath(key), "", {}, bytes};
    ObjectInfo info;
    info.key = std::string(key);
    info.size = bytes.size();
    info.content_type = options.content_type.empty()
                            ? "application/octet-stream"
                            : options.content_type;
    info.metadata = options.metadata;
    call.headers.emplace_back("Content-Type", info.content_type);
    if (options.if_none_match_star) {
      call.headers.emplace_back("If-None-Match", "*");
    }
    if (!options.if_match_etag.empty()) {
      call.headers.emplace_back("If-Match", options.if_match_etag);
    }
    for (const auto& [name, value] : options.metadata) {
      call.headers.emplace_back("x-amz-meta-" + name, value);
    }
    if (!options_.server_side_encryption.empty()) {
      call.headers.emplace_back("x-amz-server-side-encryption",
                                options_.server_side_encryption);
    }
    bool maybe_applied = false;
    INVOICES_ASSIGN_OR_RETURN(HttpResponse response,
                              Execute(call, key, "PUT", &maybe_applied));
    if (response.status == 412 && maybe_applied) {
      // An earlier attempt that timed out may have been the one that
      // succeeded: then the object holds exactly our bytes.
      auto head = Head(key);
      if (head && head->etag == ComputeEtag(bytes)) return *head;
    }
    if (response.status / 100 != 2) return Failure(response, "PUT", key);
    info.etag = response.Header("ETag");
    info.last_modified =
        ParseHttpDate(response.Header("Date")).value_or(options_.now());
    return info;
  }

  Result<Object> Get(std::string_view key,
                     std::optional<ByteRange> range) override {
    INVOICES_RETURN_IF_ERROR(ValidateKey(key));
    Call call{"GET", ObjectPath(key), "", {}, {}};
    if (range) {
      if (range->length && *range->length == 0) {
        return core::InvalidArgument("the range is empty");
      }
      std::string value = "bytes=" + std::to_string(range->offset) + "-";
      if (range->length) {
        value += std::to_string(range->offset + *range->length - 1);
      }
      call.headers.emplace_back("Range", value);
    }
    bool maybe_applied = false;
    INVOICES_ASSIGN_OR_RETURN(HttpResponse response,
                              Execute(call, key, "GET", &maybe_applied));
    if (response.status / 100 != 2) return Failure(response, "GET", key);
    Object object;
    object.info = InfoFromHeaders(key, response);
    object.info.size = response.body.size();
    if (response.status == 206) {
      // Content-Range: bytes 0-9/1234
      const std::string content_range = response.Header("Content-Range");
      const size_t slash = content_range.rfind('/');
      if (slash != std::string::npos && content_range[slash + 1] != '*') {
        object.info.size =
            std::strtoull(content_range.c_str() + slash + 1, nullptr, 10);
      }
      object.bytes = std::move(response.body);
    } else if (range) {
      // The server ignored the Range header: cut the slice ourselves.
      INVOICES_ASSIGN_OR_RETURN(
          auto slice, internal::ResolveRange(range, response.body.size()));
      object.bytes = response.body.substr(slice.first, slice.second);
    } else {
      object.bytes = std::move(response.body);
    }
    return object;
  }

  Result<ObjectInfo> Head(std::string_view key) override {
    INVOICES_RETURN_IF_ERROR(ValidateKey(key));
    Call call{"HEAD", ObjectPath(key), "", {}, {}};
    bool maybe_applied = false;
    INVOICES_ASSIGN_OR_RETURN(HttpResponse response,
                              Execute(call, key, "HEAD", &maybe_applied));
    if (response.status / 100 != 2) return Failure(response, "HEAD", key);
    ObjectInfo info = InfoFromHeaders(key, response);
    info.size =
        std::strtoull(response.Header("Content-Length").c_str(), nullptr, 10);
    return info;
  }

  Status Delete(std::string_view key) override {
    INVOICES_RETURN_IF_ERROR(ValidateKey(key));
    Call call{"DELETE", ObjectPath(key), "", {}, {}};
    bool maybe_applied = false;
    INVOICES_ASSIGN_OR_RETURN(HttpResponse response,
                              Execute(call, key, "DELETE", &maybe_applied));
    if (response.status / 100 == 2) return {};
    if (response.status == 404 &&
        ParseS3Error(response.body).code != "NoSuchBucket") {
      return {};
    }
    return Failure(response, "DELETE", key);
  }

  Result<ListPage> List(std::string_view prefix,
                        std::string_view continuation_token,
                        int max_keys) override {
    INVOICES_ASSIGN_OR_RETURN(const int limit,
                              internal::ResolveMaxKeys(max_keys));
    const std::string full_prefix = KeyPrefix() + std::string(prefix);
    // In the byte order SigV4 sorts in, so the URL is the canonical query.
    std::string query;
    if (!continuation_token.empty()) {
      query +=
          "continuation-token=" + UriEncode(continuation_token, false) + "&";
    }
    query += "list-type=2&max-keys=" + std::to_string(limit);
    if (!full_prefix.empty()) {
      query += "&prefix=" + UriEncode(full_prefix, false);
    }
    Call call{"GET", BucketPath(), query, {}, {}};
    bool maybe_applied = false;
    INVOICES_ASSIGN_OR_RETURN(HttpResponse response,
                              Execute(call, prefix, "LIST", &maybe_applied));
    if (response.status / 100 != 2) return Failure(response, "LIST", prefix);
    INVOICES_ASSIGN_OR_RETURN(ListObjectsV2Result parsed,
                              ParseListObjectsV2(response.body));
    ListPage page;
    const std::string store_prefix = KeyPrefix();
    for (ObjectInfo& info : parsed.objects) {
      if (!info.key.starts_with(store_prefix)) continue;
      info.key.erase(0, store_prefix.size());
      // Objects written by other tools may have keys we could not address.
      if (!ValidateKey(info.key)) continue;
      page.objects.push_back(std::move(info));
    }
    if (parsed.is_truncated) page.next_token = parsed.next_continuation_token;
    return page;
  }

  Result<std::string> PresignGet(std::string_view key,
                                 std::chrono::seconds expiry) override {
    return Presign("GET", key, expiry);
  }

  Result<std::string> PresignPut(std::string_view key,
                                 std::chrono::seconds expiry) override {
    return Presign("PUT", key, expiry);
  }

 private:
  Result<std::string> Presign(std::string method, std::string_view key,
                              std::chrono::seconds expiry) const {
    INVOICES_RETURN_IF_ERROR(ValidateKey(key));
    INVOICES_RETURN_IF_ERROR(internal::ValidateExpiry(expiry));
    SigningRequest request;
    request.method = std::move(method);
    request.path = ObjectPath(key);
    request.headers = {{"Host", endpoint_.host}};
    SigningConfig config = SigningConfigFor();
    config.payload_hash = std::string(kUnsignedPayload);
    config.add_content_sha256_header = false;
    config.expires = expiry;
    INVOICES_ASSIGN_OR_RETURN(SigningResult signed_url,
                              PresignWithQuery(request, config));
    std::string url = endpoint_.origin + request.path;
    char separator = '?';
    for (const auto& [name, value] : signed_url.query) {
      url += separator + name + "=" + value;
      separator = '&';
    }
    return url;
  }

  struct Call {
    std::string method;
    std::string path;   // percent-encoded
    std::string query;  // percent-encoded, sorted
    std::vector<std::pair<std::string, std::string>> headers;
    std::string_view body;
  };

  std::string KeyPrefix() const {
    return options_.prefix.empty() ? "" : options_.prefix + "/";
  }
  std::string BucketPath() const {
    return endpoint_.base_path.empty() ? "/" : endpoint_.base_path;
  }
  std::string ObjectPath(std::string_view key) const {
    return endpoint_.base_path + "/" +
           UriEncode(KeyPrefix() + std::string(key),
                     /*keep_slash=*/true);
  }

  SigningConfig SigningConfigFor() const {
    SigningConfig config;
    config.credentials = options_.credentials;
    config.region = options_.region;
    config.service = "s3";
    config.time = options_.now();
    config.normalize_path = false;
    config.encode_path = false;
    config.add_content_sha256_header = true;
    return config;
  }

  // Sends `call`, retrying what the policy allows. Returns the last
  // response whatever its status, or the transport's error when no attempt
  // got one. `maybe_applied`: an attempt before the last may have taken
  // effect on the server without us seeing the answer.
  Result<HttpResponse> Execute(const Call& call, std::string_view key,
                               std::string_view operation,
                               bool* maybe_applied) {
    const std::string payload_hash = HexEncode(Sha256(call.body));
    const int attempts = std::max(1, options_.retry.max_attempts);
    std::optional<core::Error> last_error;
    for (int attempt = 1;; ++attempt) {
      SigningRequest to_sign;
      to_sign.method = call.method;
      to_sign.path = call.path;
      to_sign.query = call.query;
      to_sign.headers = call.headers;
      to_sign.headers.emplace_back("Host", endpoint_.host);
      SigningConfig config = SigningConfigFor();
      config.payload_hash = payload_hash;
      INVOICES_ASSIGN_OR_RETURN(SigningResult signature,
                                SignWithHeaders(to_sign, config));
      HttpRequest request;
      request.method = call.method;
      request.url = endpoint_.origin + call.path +
                    (call.query.empty() ? "" : "?" + call.query);
      request.headers = std::move(to_sign.headers);
      request.headers.insert(request.headers.end(), signature.headers.begin(),
                             signature.headers.end());
      request.body = std::string(call.body);
      auto response = transport_->Send(request);
      bool retry = false;
      if (!response) {
        last_error = response.error();
        retry = true;
      } else if (response->status >= 300 &&
                 options_.retry.IsRetryable(
                     response->status, ParseS3Error(response->body).code)) {
        retry = true;
      }
      if (!retry) return response;
      if (attempt >= attempts) {
        if (response) return response;
        return core::MakeError(last_error->code(),
                               "S3 " + std::string(operation) + " '" +
                                   std::string(key) + "' failed " +
                                   std::to_string(attempts) +
                                   " times; last: " + last_error->message());
      }
      *maybe_applied = true;
      options_.sleep(options_.retry.Delay(attempt, Uniform()));
    }
  }

  static double Uniform() {
    thread_local std::mt19937_64 rng(std::random_device{}());
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  }

  std::unexpected<core::Error> Failure(const HttpResponse& response,
                                       std::string_view operation,
                                       std::string_view key) const {
    S3ErrorInfo info = ParseS3Error(response.body);
    if (info.request_id.empty()) {
      info.request_id = response.Header("x-amz-request-id");
    }
    if (info.code.empty() && response.status == 404) info.code = "NoSuchKey";
    return std::unexpected(
        S3ErrorToError(response.status, info, operation, key));
  }

  static ObjectInfo InfoFromHeaders(std::string_view key,
                                    const HttpResponse& response) {
    ObjectInfo info;
    info.key = std::string(key);
    info.etag = response.Header("ETag");
    info.content_type = response.Header("Content-Type");
    if (info.content_type.empty()) {
      info.content_type = "application/octet-stream";
    }
    info.last_modified = ParseHttpDate(response.Header("Last-Modified"))
                             .value_or(std::chrono::system_clock::time_point());
    for (const auto& [name, value] : response.headers) {
      const std::string lower = core::AsciiLower(name);
      if (lower.starts_with("x-amz-meta-")) {
        info.metadata[lower.substr(11)] = value;
      }
    }
    return info;
  }

  S3Options options_;
  std::shared_ptr<HttpTransport> transport_;
  const Endpoint endpoint_;
};

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [n, value] : headers) {
    if (n.size() == name.size() &&
        std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return "";
}

std::unique_ptr<HttpTransport> NewCurlTransport(
    std::chrono::milliseconds connect_timeout,
    std::chrono::milliseconds request_timeout) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return std::make_unique<CurlTransport>(connect_timeout, request_timeout);
}

Result<std::unique_ptr<ObjectStore>> NewS3Store(
    const S3Options& options, std::shared_ptr<HttpTransport> transport) {
  if (options.bucket.empty()) {
    return core::InvalidArgument("the S3 store needs a bucket");
  }
  if (options.region.empty()) {
    return core::InvalidArgument("the S3 store needs a region (AWS_REGION)");
  }
  if (options.credentials.access_key_id.empty() ||
      options.credentials.secret_access_key.empty()) {
    return core::InvalidArgument(
        "the S3 store needs credentials (AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY)");
  }
  INVOICES_ASSIGN_OR_RETURN(Endpoint endpoint, ResolveEndpoint(options));
  if (!transport) {
    transport =
        NewCurlTransport(options.connect_timeout, options.request_timeout);
  }
  return std::unique_ptr<ObjectStore>(std::make_unique<S3Store>(
      options, std::move(transport), std::move(endpoint)));
}

}  // namespace invoices::store
