// POST /uploads: a presigned PUT URL for sending a large file (or each file
// of a batch) straight to the bucket instead of through the API, whose
// request bodies are limited (API Gateway: 10 MB; Lambda: 6 MB). What
// happens to the upload afterwards is upload_event.h's.
//
//   request   no body, or JSON {"file_name": "receipt.jpg"} (optional; kept
//             as the invoice's file name, characters outside
//             [A-Za-z0-9._-] replaced by "_", at most 100 bytes)
//   response  200 {"url", "method": "PUT", "key", "expires_in": seconds}
//             The client PUTs the bytes to `url` (any Content-Type, which is
//             kept) before it expires; `key` is
//             uploads/{sub}/{id}/{file name}, a fresh id per URL, so two
//             uploads of the same name never meet.
//   errors    401 without a user; 400 for a body that is not such JSON;
//             503 when the store cannot hand out URLs (memory and folder
//             stores: `invoices serve` takes uploads through POST /invoices).
//
// Thread safety: operator() is const and may serve many requests at once.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "invoices/functions/http.h"
#include "invoices/functions/invoices.h"
#include "invoices/store/object_store.h"

namespace invoices::functions {

inline constexpr std::array<InvoiceRoute, 1> kUploadRoutes = {{
    {"POST", "/uploads"},
}};

struct UploadUrlOptions {
  // How long a URL stays valid.
  std::chrono::seconds expiry{900};
  // The wall clock, for the ids; the system clock when empty.
  std::function<std::chrono::system_clock::time_point()> clock;
};

class UploadUrlFunction {
 public:
  // `store` must outlive this object.
  explicit UploadUrlFunction(store::ObjectStore& store,
                             UploadUrlOptions options = {});

  HttpResponse operator()(const HttpRequest& request) const;

 private:
  store::ObjectStore& store_;
  UploadUrlOptions options_;
};

// A client's file name as one safe key segment: bytes outside
// [A-Za-z0-9._-] become "_", leading dots are dropped, at most 100 bytes;
// "upload" when nothing is left.
std::string SafeFileName(std::string_view name);

}  // namespace invoices::functions
