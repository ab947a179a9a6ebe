// What an S3-compatible server answers, which the store must survive whatever
// it is (a misconfigured endpoint, a proxy's HTML page, a hostile server):
// ParseListObjectsV2, ParseS3Error, XmlUnescape, the date parsers, and the S3
// store's List, Get and Delete over a transport that answers with the input
// (its first byte picks the HTTP status, the rest is the body). Never crashes;
// errors are values; a listed key is addressable (the store validates it).
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz_check.h"
#include "invoices/store/s3_store.h"

namespace {

using namespace invoices;

class CannedTransport final : public store::HttpTransport {
 public:
  CannedTransport(int status, std::string body)
      : status_(status), body_(std::move(body)) {}
  core::Result<store::HttpResponse> Send(const store::HttpRequest&) override {
    store::HttpResponse r;
    r.status = status_;
    r.headers = {{"x-amz-request-id", "fuzz"},
                 {"Last-Modified", "Wed, 12 Oct 2009 17:50:00 GMT"}};
    r.body = body_;
    return r;
  }

 private:
  int status_;
  std::string body_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  constexpr int kStatuses[] = {200, 200, 200, 200, 400, 403, 404, 409,
                               412, 416, 429, 500, 503, 301, 204, 206};
  const int status = kStatuses[data[0] % 16];
  const std::string_view xml = fuzz::AsView(data + 1, size - 1);

  const std::string text = store::XmlUnescape(xml);
  FUZZ_CHECK(text.size() <= xml.size());
  (void)store::ParseIsoTime(xml);
  (void)store::ParseHttpDate(xml);
  if (auto list = store::ParseListObjectsV2(xml); !list) {
    FUZZ_CHECK(list.error().code() == core::ErrorCode::kInternal);
  }
  const store::S3ErrorInfo info = store::ParseS3Error(xml);
  (void)store::S3ErrorToError(status, info, "GET", "a/b");

  store::S3Options options;
  options.bucket = "fuzz-bucket";
  options.prefix = (data[0] & 16) != 0 ? "p" : "";
  options.endpoint = "http://127.0.0.1:9";
  options.credentials = {"AKIDFUZZ", "secret", ""};
  options.retry.max_attempts = 2;
  options.sleep = [](std::chrono::milliseconds) {};
  auto s3 = store::NewS3Store(
      options, std::make_shared<CannedTransport>(status, std::string(xml)));
  FUZZ_CHECK(s3.has_value());
  if (auto page = (*s3)->List("", "", 1000)) {
    for (const auto& object : page->objects) {
      FUZZ_CHECK(!object.key.empty());
      auto head = (*s3)->Head(object.key);  // addressable: no invalid_argument
      FUZZ_CHECK(head ||
                 head.error().code() != core::ErrorCode::kInvalidArgument ||
                 status == 400 || status == 416);
    }
  }
  (void)(*s3)->Get("a/b", std::nullopt);
  (void)(*s3)->Delete("a/b");
  return 0;
}
