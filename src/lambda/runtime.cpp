// The real RuntimeTransport: the Runtime API over libcurl, one reused handle
// (and so one kept-alive connection) for the life of the sandbox.
#include "invoices/lambda/runtime.h"

#include <curl/curl.h>

#include <charconv>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "invoices/core/extraction.h"
#include "invoices/core/strings.h"

namespace invoices::lambda {
namespace {

// The Runtime API is on the sandbox's loopback: a connection that takes
// longer than this is not coming.
constexpr long kConnectTimeoutMs = 2000;
// A post is bounded (6 MB over loopback takes milliseconds); only the wait
// for the next invocation is not.
constexpr long kPostTimeoutMs = 10000;

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Reply {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  static_cast<Reply*>(user)->body.append(data, size * count);
  return size * count;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* reply = static_cast<Reply*>(user);
  const std::string_view line(data, size * count);
  // A status line starts a new header block (after a 100 Continue).
  if (line.starts_with("HTTP/")) {
    reply->headers.clear();
    return line.size();
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  std::string name = core::AsciiLower(Trim(line.substr(0, colon)));
  const std::string_view value = Trim(line.substr(colon + 1));
  auto [it, inserted] = reply->headers.try_emplace(std::move(name), value);
  if (!inserted) {
    it->second += ",";
    it->second += value;
  }
  return line.size();
}

std::string Snippet(std::string_view body) {
  constexpr size_t kMax = 200;
  return std::string(body.substr(0, kMax)) + (body.size() > kMax ? "..." : "");
}

// The Runtime API's answer to a post, in the error vocabulary.
core::Status PostStatus(const core::Result<Reply>& reply,
                        std::string_view what) {
  if (!reply) return std::unexpected(reply.error());
  const long status = reply->status;
  if (status >= 200 && status < 300) return {};
  std::string message = "runtime API refused the " + std::string(what) +
                        " with HTTP " + std::to_string(status) + ": " +
                        Snippet(reply->body);
  if (status == 413) return core::TooLarge(std::move(message));
  if (status >= 500) return core::Unavailable(std::move(message));
  return core::InvalidArgument(std::move(message));
}

class CurlRuntime final : public RuntimeTransport {
 public:
  explicit CurlRuntime(std::string api_host)
      : api_host_(std::move(api_host)),
        base_("http://" + api_host_ + "/2018-06-01/runtime/"),
        curl_(curl_easy_init()) {}

  core::Result<Invocation> Next() override {
    INVOICES_ASSIGN_OR_RETURN(Reply reply,
                              Perform(base_ + "invocation/next", nullptr, ""));
    if (reply.status != 200) {
      return core::Unavailable(
          "runtime API answered the next invocation "
          "with HTTP " +
          std::to_string(reply.status) + ": " + Snippet(reply.body));
    }
    Invocation invocation;
    invocation.request_id = reply.Header("lambda-runtime-aws-request-id");
    if (invocation.request_id.empty()) {
      return core::Internal(
          "the next invocation has no Lambda-Runtime-Aws-Request-Id");
    }
    const std::string deadline = reply.Header("lambda-runtime-deadline-ms");
    int64_t ms = 0;
    const auto [end, ec] =
        std::from_chars(deadline.data(), deadline.data() + deadline.size(), ms);
    if (ec == std::errc() && end == deadline.data() + deadline.size() &&
        ms > 0) {
      invocation.deadline =
          std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
    }
    invocation.invoked_function_arn =
        reply.Header("lambda-runtime-invoked-function-arn");
    invocation.trace_id = reply.Header("lambda-runtime-trace-id");
    invocation.client_context = reply.Header("lambda-runtime-client-context");
    invocation.cognito_identity =
        reply.Header("lambda-runtime-cognito-identity");
    invocation.event = std::move(reply.body);
    return invocation;
  }

  core::Status PostResponse(std::string_view request_id,
                            std::string_view body) override {
    return PostStatus(
        Perform(InvocationUrl(request_id, "/response"), &body, ""), "response");
  }

  core::Status PostError(std::string_view request_id,
                         const core::Error& error) override {
    const std::string body = ErrorDocument(error);
    const std::string_view view(body);
    return PostStatus(
        Perform(InvocationUrl(request_id, "/error"), &view,
                "Function." + std::string(core::CodeName(error.code()))),
        "error");
  }

  core::Status PostInitError(const core::Error& error) override {
    const std::string body = ErrorDocument(error);
    const std::string_view view(body);
    return PostStatus(
        Perform(base_ + "init/error", &view,
                "Runtime." + std::string(core::CodeName(error.code()))),
        "init error");
  }

 private:
  std::string InvocationUrl(std::string_view request_id,
                            std::string_view suffix) {
    // Request ids are UUIDs; escaping keeps anything else inside its segment.
    std::string url = base_ + "invocation/";
    if (curl_) {
      char* escaped = curl_easy_escape(curl_.get(), request_id.data(),
                                       static_cast<int>(request_id.size()));
      if (escaped != nullptr) {
        url += escaped;
        curl_free(escaped);
      }
    }
    return url + std::string(suffix);
  }

  // GET `url` when `body` is null, else POST it (as JSON), with
  // Lambda-Runtime-Function-Error-Type when `error_type` is not empty.
  core::Result<Reply> Perform(const std::string& url,
                              const std::string_view* body,
                              const std::string& error_type) {
    if (api_host_.empty()) {
      return core::Unavailable(std::string(kRuntimeApiEnv) + " is not set");
    }
    if (!curl_) return core::Internal("curl_easy_init failed");
    CURL* c = curl_.get();
    // Reset keeps the connection cache, so the connection is reused.
    curl_easy_reset(c);
    Reply reply;
    std::unique_ptr<curl_slist, SlistFree> headers;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
    // The API is local: never through an http_proxy from the environment.
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &WriteHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &reply);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "invoices-lambda/1");
    if (body == nullptr) {
      curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
      // Lambda freezes the sandbox while it waits for work, for any time.
      curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 0L);
    } else {
      curl_slist* list =
          curl_slist_append(nullptr, "Content-Type: application/json");
      // No "Expect: 100-continue" round trip for bodies over 1 MB.
      list = curl_slist_append(list, "Expect:");
      if (!error_type.empty()) {
        list = curl_slist_append(
            list,
            ("Lambda-Runtime-Function-Error-Type: " + error_type).c_str());
      }
      headers.reset(list);
      curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(body->size()));
      curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, kPostTimeoutMs);
    }
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
      return core::Unavailable("runtime API at " + api_host_ + ": " +
                               curl_easy_strerror(rc));
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
  }

  const std::string api_host_;
  const std::string base_;
  std::unique_ptr<CURL, CurlFree> curl_;
};

}  // namespace

std::string ErrorDocument(const core::Error& error) {
  core::Json doc;
  doc["errorMessage"] = error.message();
  doc["errorType"] = core::CodeName(error.code());
  doc["stackTrace"] = core::Json::array();
  // Messages may quote request bytes; invalid UTF-8 must not throw here.
  return doc.dump(-1, ' ', false, core::Json::error_handler_t::replace);
}

std::unique_ptr<RuntimeTransport> NewCurlRuntime(std::string api_host) {
  // Thread-safe since libcurl 7.84 and reference-counted (other modules call
  // it too); never paired with cleanup, the process ends instead.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return std::make_unique<CurlRuntime>(std::move(api_host));
}

}  // namespace invoices::lambda
