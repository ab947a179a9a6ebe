// extract::ReadEInvoice on arbitrary bytes (an uploaded XML file or one
// embedded in a PDF). Never crashes, never expands entities; errors are
// values of the documented codes; an e-invoice that reads is valid SCHEMA.md
// (ToJson then ExtractionFromJson succeeds, and gives the same JSON).
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "invoices/core/extraction.h"
#include "invoices/extract/einvoice.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace invoices;
  const auto bytes = fuzz::AsSpan(data, size);
  (void)extract::LooksLikeEInvoice(bytes);
  extract::EInvoiceLimits limits;
  limits.max_bytes = 512 * 1024;
  limits.max_depth = 32;
  auto read = extract::ReadEInvoice(bytes, "fuzz.xml", limits);
  if (!read) {
    const auto code = read.error().code();
    FUZZ_CHECK(code == core::ErrorCode::kInvalidArgument ||
               code == core::ErrorCode::kUnsupportedMediaType ||
               code == core::ErrorCode::kTooLarge);
    return 0;
  }
  const core::Json json = core::ToJson(*read);
  auto back = core::ExtractionFromJson(json);
  if (!back) {
    std::fprintf(
        stderr, "%s\n%s\n", back.error().ToString().c_str(),
        json.dump(1, ' ', false, core::Json::error_handler_t::replace).c_str());
  }
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(core::ToJson(*back) == json);
  return 0;
}
