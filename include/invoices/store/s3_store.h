// S3Store: the ObjectStore over the S3 REST API (AWS S3 or any S3-compatible
// server), signed with our Signature V4 (sigv4.h) and sent through an
// HttpTransport: libcurl with connection reuse in production, a fake in tests.
//
// Requests that fail with 500, 503, SlowDown or a connection error are
// retried with exponential backoff and full jitter (S3RetryPolicy); 4xx never
// are. S3 errors become the project's error vocabulary with the S3 code and
// request id in the message.
//
// Thread safety: an S3 store may be used from any number of threads at once
// (the curl transport keeps a pool of handles, each with its own open
// connections, so concurrent requests do not wait for each other).
// HttpTransport implementations must be callable from several threads at
// once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "invoices/core/error.h"
#include "invoices/store/object_store.h"
#include "invoices/store/sigv4.h"

namespace invoices::store {

struct S3RetryPolicy {
  // Attempts in all, the first included (1 = no retry).
  int max_attempts = 4;
  // Full jitter: the n-th retry (n from 1) waits uniformly in
  // [0, min(max_delay, base_delay * 2^(n-1))].
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{5000};

  // Whether a request may be retried after this outcome: HTTP 500, 502, 503,
  // 504, or an S3 error code SlowDown, InternalError, RequestTimeout
  // (whatever the status); never another 4xx. `status` 0 means no response
  // at all (a connection error or timeout): retryable.
  bool IsRetryable(int status, std::string_view s3_code) const;
  // The upper bound of the wait before retry number `retry` (1-based).
  std::chrono::milliseconds Ceiling(int retry) const;
  // The wait before retry number `retry` given a uniform random `unit` in
  // [0, 1): Ceiling(retry) * unit.
  std::chrono::milliseconds Delay(int retry, double unit) const;
};

struct S3Options {
  std::string bucket;
  // Prepended to every key, with a '/' between ("invoices/prod" stores key
  // "a/b" as "invoices/prod/a/b"); "" for none. List results drop it again.
  std::string prefix;
  std::string region = "us-east-1";
  // "" for AWS (https://BUCKET.s3.REGION.amazonaws.com, virtual-hosted
  // style); otherwise the base URL of an S3-compatible server
  // ("http://127.0.0.1:4569"), addressed path-style (ENDPOINT/BUCKET/KEY).
  std::string endpoint;
  // Path-style addressing also for AWS; always true with an endpoint.
  bool path_style = false;
  Credentials credentials;
  // The x-amz-server-side-encryption header sent with every PUT ("AES256",
  // "aws:kms"); "" sends none (the bucket's default applies).
  std::string server_side_encryption;
  std::chrono::milliseconds connect_timeout{3000};
  // The whole of one attempt, connection included.
  std::chrono::milliseconds request_timeout{30000};
  S3RetryPolicy retry;
  // How retries wait; tests replace it. Default: std::this_thread::sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep;
  // The signing time; tests replace it. Default: the system clock.
  std::function<std::chrono::system_clock::time_point()> now;
};

// Options for `url` = s3://BUCKET[/PREFIX], the rest from the standard AWS
// environment: AWS_REGION (else AWS_DEFAULT_REGION, else us-east-1),
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
// AWS_ENDPOINT_URL_S3 (else AWS_ENDPOINT_URL), which implies path-style.
// Errors: kInvalidArgument for a malformed URL or bucket name.
[[nodiscard]] Result<S3Options> S3OptionsFromUrl(std::string_view url);

struct HttpRequest {
  std::string method;  // GET, PUT, HEAD, DELETE
  std::string url;     // absolute, already percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  // Names as received; look them up case-insensitively (Header()).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header named `name` (any case), or "".
  std::string Header(std::string_view name) const;
};

// One HTTP exchange. Implementations must be safe to call from several
// threads at once.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends `request` and returns the response whatever its status, with the
  // body read in full (none for HEAD). Errors: kUnavailable when no response
  // came (cannot connect, connection reset, TLS failure);
  // kDeadlineExceeded when the timeout passed first.
  [[nodiscard]] virtual Result<HttpResponse> Send(
      const HttpRequest& request) = 0;
};

// libcurl: a pool of easy handles, each keeping its connections open for
// reuse (keep-alive, TLS sessions, DNS cache). HTTPS is verified against
// the CA file named by SSL_CERT_FILE (else CURL_CA_BUNDLE) when set at
// creation, else libcurl's built-in one: a binary run on another system
// than it was built on (the Lambda package) brings its own.
std::unique_ptr<HttpTransport> NewCurlTransport(
    std::chrono::milliseconds connect_timeout,
    std::chrono::milliseconds request_timeout);

// An S3 store. `transport` null means NewCurlTransport with the options'
// timeouts. Errors: kInvalidArgument when the bucket, region or credentials
// are missing or the endpoint is not an http(s) URL.
[[nodiscard]] Result<std::unique_ptr<ObjectStore>> NewS3Store(
    const S3Options& options, std::shared_ptr<HttpTransport> transport = {});

// --- The S3 protocol pieces, exposed for tests. ---

// XML text with the five predefined entities and numeric character
// references (&#38; &#x26;) decoded; an unknown entity is kept as is.
std::string XmlUnescape(std::string_view text);

struct ListObjectsV2Result {
  std::vector<ObjectInfo> objects;  // keys as in the bucket, prefix included
  bool is_truncated = false;
  std::string next_continuation_token;
};
// Parses a ListBucketResult document. kInternal when it is not one.
[[nodiscard]] Result<ListObjectsV2Result> ParseListObjectsV2(
    std::string_view xml);

struct S3ErrorInfo {
  std::string code;  // "NoSuchKey", "PreconditionFailed", ...
  std::string message;
  std::string request_id;  // from the XML, else the x-amz-request-id header
};
// The <Error> document of a failed request ("" fields when absent).
S3ErrorInfo ParseS3Error(std::string_view xml);

// "2009-10-12T17:50:30.000Z" (ListObjectsV2's LastModified).
std::optional<std::chrono::system_clock::time_point> ParseIsoTime(
    std::string_view text);
// "Wed, 12 Oct 2009 17:50:00 GMT" (the Last-Modified header).
std::optional<std::chrono::system_clock::time_point> ParseHttpDate(
    std::string_view text);

// The project error for a failed S3 response: 404 / NoSuchKey -> kNotFound,
// 412 -> kFailedPrecondition, 416 -> kInvalidArgument, 400 ->
// kInvalidArgument, 401/403 -> kPermissionDenied (credentials the server
// refuses are a deployment fault, not the end user's), 409 ->
// kFailedPrecondition (a conflicting concurrent conditional write), 429 /
// SlowDown -> kUnavailable, 5xx -> kUnavailable, anything else kInternal. The
// message names the operation, the key, the S3 code and the request id.
core::Error S3ErrorToError(int status, const S3ErrorInfo& info,
                           std::string_view operation, std::string_view key);

}  // namespace invoices::store
