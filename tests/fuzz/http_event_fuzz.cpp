// The API Gateway HTTP API payload 2.0 event, the whole input of a Lambda
// function: functions::RequestFromEvent on any JSON value the input parses to,
// and lambda::ParseHttpApiEvent on the raw text. Neither may throw (no target
// catches) and their errors are invalid_argument. An event that parses
// round-trips: RequestToEvent then RequestFromEvent gives the same request.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "invoices/functions/http.h"
#include "invoices/lambda/events.h"

namespace {

using invoices::core::ErrorCode;
using invoices::functions::HttpRequest;

bool Same(const HttpRequest& a, const HttpRequest& b) {
  return a.route_key == b.route_key && a.method == b.method &&
         a.raw_path == b.raw_path && a.raw_query_string == b.raw_query_string &&
         a.headers == b.headers && a.path_parameters == b.path_parameters &&
         a.query_parameters == b.query_parameters && a.body == b.body &&
         a.request_id == b.request_id && a.source_ip == b.source_ip &&
         a.claims == b.claims;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = invoices::fuzz::AsView(data, size);
  const auto event = invoices::core::Json::parse(text, nullptr, false);
  if (!event.is_discarded()) {
    auto request = invoices::functions::RequestFromEvent(event);
    if (!request) {
      FUZZ_CHECK(request.error().code() == ErrorCode::kInvalidArgument);
    } else {
      auto again = invoices::functions::RequestFromEvent(
          invoices::functions::RequestToEvent(*request));
      FUZZ_CHECK(again.has_value());
      if (request->route_key.empty()) request->route_key = "$default";
      FUZZ_CHECK(Same(*request, *again));
    }
  }
  auto parsed = invoices::lambda::ParseHttpApiEvent(text, "fallback-id");
  if (!parsed) {
    FUZZ_CHECK(parsed.error().code() == ErrorCode::kInvalidArgument);
  } else {
    FUZZ_CHECK(!parsed->request_id.empty());
  }
  return 0;
}
