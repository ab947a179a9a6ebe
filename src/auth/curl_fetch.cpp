// The real HttpFetch: one GET over libcurl, bounded in time and size.
#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <string>

#include "invoices/auth/keys.h"

namespace invoices::auth {
namespace {

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Sink {
  std::string body;
  size_t limit = 0;
  bool overflow = false;
};

size_t Write(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  if (sink->body.size() + n > sink->limit) {
    sink->overflow = true;
    return 0;  // makes libcurl abort with CURLE_WRITE_ERROR
  }
  sink->body.append(data, n);
  return n;
}

core::Result<std::string> Fetch(const CurlFetchOptions& options,
                                const std::string& url) {
  if (!url.starts_with("https://") && !url.starts_with("http://")) {
    return core::InvalidArgument("not an http(s) URL");
  }
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) return core::Internal("curl_easy_init failed");
  std::unique_ptr<curl_slist, SlistFree> headers(
      curl_slist_append(nullptr, "Accept: application/json"));
  Sink sink{.limit = options.max_body_bytes};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(options.timeout_ms));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options.max_body_bytes));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "invoices-auth/1");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  const CURLcode rc = curl_easy_perform(c);
  if (sink.overflow || rc == CURLE_FILESIZE_EXCEEDED) {
    return core::TooLarge("response larger than " +
                          std::to_string(options.max_body_bytes) + " bytes");
  }
  if (rc != CURLE_OK) return core::Unavailable(curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return core::Unavailable("HTTP status " + std::to_string(status));
  }
  return std::move(sink.body);
}

}  // namespace

HttpFetch NewCurlFetch(const CurlFetchOptions& options) {
  // Thread-safe since libcurl 7.84, and reference-counted, so other modules
  // calling it too is harmless; never paired with cleanup because the
  // process may still have transfers elsewhere.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return [options](const std::string& url) { return Fetch(options, url); };
}

}  // namespace invoices::auth
