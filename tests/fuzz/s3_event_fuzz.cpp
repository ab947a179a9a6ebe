// S3 event notifications, which start the processing of presigned uploads:
// lambda::ParseS3Event on the raw text and functions::ParseUploadKey on every
// key it reports (the file name part of an upload key is the user's choice).
// Never crashes; errors are invalid_argument; an object reported has a bucket
// and a key, and a key that parses is under uploads/ for a valid user.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "invoices/functions/upload_event.h"
#include "invoices/lambda/events.h"
#include "invoices/store/invoice_repository.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace invoices;
  const std::string_view text = fuzz::AsView(data, size);
  auto objects = lambda::ParseS3Event(text);
  if (!objects) {
    FUZZ_CHECK(objects.error().code() == core::ErrorCode::kInvalidArgument);
  } else {
    for (const auto& object : *objects) {
      FUZZ_CHECK(!object.bucket.empty() && !object.key.empty());
      auto key = functions::ParseUploadKey(object.key);
      if (!key) {
        FUZZ_CHECK(key.error().code() == core::ErrorCode::kInvalidArgument);
        continue;
      }
      FUZZ_CHECK(object.key.starts_with(functions::kUploadsPrefix));
      FUZZ_CHECK(store::ValidateSub(key->sub).has_value());
      FUZZ_CHECK(!key->rest.empty());
    }
  }
  auto decoded = lambda::DecodeS3Key(text);
  if (decoded) FUZZ_CHECK(decoded->size() <= text.size());
  auto key = functions::ParseUploadKey(text);
  if (!key) FUZZ_CHECK(key.error().code() == core::ErrorCode::kInvalidArgument);
  return 0;
}
