// functions::ParseMultipart on an arbitrary Content-Type and body (the input's
// first line is the Content-Type, the rest the body, so that the fuzzer can
// change both). Never crashes; errors are invalid_argument; the parts are no
// more than max_parts and each one's data lies inside the body.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "invoices/functions/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = invoices::fuzz::AsView(data, size);
  const size_t eol = input.find('\n');
  const std::string_view content_type =
      eol == std::string_view::npos ? input : input.substr(0, eol);
  const std::string_view body = eol == std::string_view::npos
                                    ? std::string_view()
                                    : input.substr(eol + 1);
  constexpr size_t kMaxParts = 8;
  auto parts =
      invoices::functions::ParseMultipart(body, content_type, kMaxParts);
  if (!parts) {
    FUZZ_CHECK(parts.error().code() ==
               invoices::core::ErrorCode::kInvalidArgument);
    return 0;
  }
  FUZZ_CHECK(parts->size() <= kMaxParts);
  for (const auto& part : *parts) {
    FUZZ_CHECK(part.data.data() >= body.data());
    FUZZ_CHECK(part.data.data() + part.data.size() <=
               body.data() + body.size());
  }
  return 0;
}
