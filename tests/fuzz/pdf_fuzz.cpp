// PDF up to the OCR boundary (extract/pdf.h): OpenPdf with small limits, the
// text layer of the first page and its verdict, the first page rendered at a
// low resolution, and the embedded e-invoice attachment read. Never crashes;
// errors are values of the documented codes; a rendered page holds width x
// height pixels within the pixel limit, at no more than the dpi asked.
// poppler itself is not instrumented (Debian's build): coverage guides the
// fuzzer through our code only, so this target finds what reaches it.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "invoices/extract/pdf.h"

namespace {

using namespace invoices;

bool Documented(const core::Error& error) {
  const auto code = error.code();
  return code == core::ErrorCode::kInvalidArgument ||
         code == core::ErrorCode::kTooLarge ||
         code == core::ErrorCode::kUnsupportedMediaType;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  extract::PdfLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_pages = 4;
  limits.max_pixels = 250'000;
  limits.max_attachment_bytes = 1 << 20;
  auto pdf = extract::OpenPdf(fuzz::AsSpan(data, size), limits);
  if (!pdf) {
    FUZZ_CHECK(Documented(pdf.error()));
    return 0;
  }
  FUZZ_CHECK(pdf->page_count() >= 1 && pdf->page_count() <= limits.max_pages);
  FUZZ_CHECK(!pdf->PageSize(pdf->page_count()).has_value());

  if (auto text = pdf->TextLayer(0, 72)) {
    (void)extract::JudgeTextLayer(*text);
  } else {
    FUZZ_CHECK(Documented(text.error()));
  }
  if (auto page = pdf->Render(0, 36)) {
    const auto& image = page->image;
    FUZZ_CHECK(image.pixels.size() == size_t(image.width) * image.height);
    FUZZ_CHECK(int64_t(image.width) * image.height <= limits.max_pixels);
    FUZZ_CHECK(page->dpi > 0 && page->dpi <= 36);
  } else {
    FUZZ_CHECK(Documented(page.error()));
  }
  const int xml = extract::FindEInvoiceAttachment(pdf->attachments());
  FUZZ_CHECK(xml >= -1 && xml < int(pdf->attachments().size()));
  if (xml >= 0) {
    if (auto bytes = pdf->ReadAttachment(xml)) {
      FUZZ_CHECK(int64_t(bytes->size()) <= limits.max_attachment_bytes);
    } else {
      FUZZ_CHECK(Documented(bytes.error()));
    }
  }
  return 0;
}
