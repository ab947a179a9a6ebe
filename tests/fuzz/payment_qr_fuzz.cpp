// extract::ParsePaymentQr on arbitrary payloads (a QR code on an uploaded
// page says whatever its maker wrote). Never crashes; errors are
// invalid_argument; a payload that parses has a valid IBAN, a currency of
// three letters and an amount within the specifications' bounds, and applying
// it to an extraction keeps that extraction valid SCHEMA.md.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "invoices/core/extraction.h"
#include "invoices/extract/payment_qr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace invoices;
  const std::string_view payload = fuzz::AsView(data, size);
  auto qr = extract::ParsePaymentQr(payload);
  if (!qr) {
    FUZZ_CHECK(qr.error().code() == core::ErrorCode::kInvalidArgument);
    return 0;
  }
  FUZZ_CHECK(extract::IsValidIban(qr->iban));
  FUZZ_CHECK(qr->currency == "EUR" || qr->currency == "CHF");
  if (qr->amount) {
    FUZZ_CHECK(!qr->amount->is_negative());
    FUZZ_CHECK(*qr->amount <= core::Decimal(99999999999, 2));
  }
  core::Extraction extraction;
  extraction.file = "qr";
  extraction.document.mime = "image/png";
  extraction.document.source = "ocr";
  extract::ApplyPaymentQr(*qr, extraction);
  auto back = core::ExtractionFromJson(core::ToJson(extraction));
  FUZZ_CHECK(back.has_value());
  return 0;
}
