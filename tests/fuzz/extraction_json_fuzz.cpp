// core::ExtractionFromJson, the codec of SCHEMA.md JSON read back from the
// store (invoice.json) and from clients: on any JSON the input parses to.
// Never throws; errors are invalid_argument; what it accepts round-trips
// (ToJson of the result reads back to the same JSON).
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "invoices/core/extraction.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace invoices;
  const auto json = core::Json::parse(fuzz::AsView(data, size), nullptr,
                                      /*allow_exceptions=*/false);
  if (json.is_discarded()) return 0;
  auto extraction = core::ExtractionFromJson(json);
  if (!extraction) {
    FUZZ_CHECK(extraction.error().code() == core::ErrorCode::kInvalidArgument);
    return 0;
  }
  const core::Json out = core::ToJson(*extraction);
  auto again = core::ExtractionFromJson(out);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(core::ToJson(*again) == out);
  (void)out.dump();  // what the store writes: must not throw
  return 0;
}
