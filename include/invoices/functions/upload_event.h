// Uploads straight to the bucket: the S3-event function (`s3-upload` in
// Lambda) and the keys it works on. A client that has a large file or a
// batch asks POST /uploads (upload_url.h) for a presigned PUT URL, sends the
// bytes to the bucket under
//
//   uploads/{sub}/{name}            (or uploads/{sub}/{anything}/{name})
//
// and S3 reports the new object; UploadProcessor then reads it, scans it,
// saves it as the user's invoice (InvoiceRepository::Create, the same record
// as POST /invoices makes) and deletes the upload. {sub} is the user the URL
// was made for: only the API hands out URLs, each for a key under the
// caller's own prefix, so the key is as trustworthy as the token it came
// from. The file name is the last segment.
//
// Delivery is at least once (S3 may report an object twice, Lambda retries a
// failed event), so processing is idempotent: the invoice is created with an
// idempotency key derived from the upload's key and ETag
// (UploadIdempotencyKey), and a repeated event finds the invoice made before
// (replayed) or no upload at all (gone) and changes nothing.
//
// A document that cannot be read (not an image, PDF or XML; damaged; too
// many pixels; empty) is not lost and not retried: it is moved to
//
//   failed/{sub}/{rest}              the upload, byte for byte
//   failed/{sub}/{rest}.error.json   {"key", "etag", "bytes", "content_type",
//                                     "file_name", "failed_at",
//                                     "error": {"code", "message"},
//                                     "kept": true|false}
//
// ({rest} is the key after uploads/{sub}/), so that the user or an operator
// can see why and try again; the bucket's lifecycle expires failed/ after a
// while. An upload larger than UploadOptions::max_bytes is not read into
// memory at all: only its error record is written (kept: false) and the
// upload is deleted. Errors that a later attempt may not meet (the store or
// the OCR engine unavailable, throttled, a concurrent attempt in progress)
// are returned instead, and the upload stays where it is for the retry.
//
// Thread safety: Process may be called from several threads at once (the
// store, the repository and the scanner are thread-safe).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "invoices/core/error.h"
#include "invoices/extract/scanner.h"
#include "invoices/store/invoice_repository.h"
#include "invoices/store/object_store.h"

namespace invoices::functions {

inline constexpr std::string_view kUploadsPrefix = "uploads/";
inline constexpr std::string_view kFailedPrefix = "failed/";

// An upload key taken apart.
struct UploadKey {
  std::string sub;        // the user
  std::string rest;       // the key after "uploads/{sub}/"
  std::string file_name;  // the last segment
};

// "uploads/{sub}/{rest}" -> its parts. invalid_argument when the key is not
// under uploads/, the sub is not a valid user (store::ValidateSub), or
// nothing follows it.
core::Result<UploadKey> ParseUploadKey(std::string_view key);

// The idempotency key an upload's invoice is created with:
// "s3-upload:" + hex SHA-256 of key + "\n" + the ETag without quotes. The
// same object (same key, same bytes) always gives the same key.
std::string UploadIdempotencyKey(std::string_view key, std::string_view etag);

struct UploadOptions {
  // Uploads larger than this are refused (too_large) without being read.
  uint64_t max_bytes = uint64_t{50} * 1024 * 1024;
  // The wall clock, for failed_at; the system clock when empty.
  std::function<std::chrono::system_clock::time_point()> clock;
};

struct UploadOutcome {
  enum class Kind {
    kSaved,     // a new invoice was made and the upload deleted
    kReplayed,  // an earlier delivery made the invoice; upload deleted
    kFailed,    // unreadable: moved to failed/ (see above)
    kGone,      // no such upload (processed before, or deleted)
    kSkipped,   // not an upload key; left alone
  };
  Kind kind = Kind::kSkipped;
  std::string key;                          // the upload key processed
  std::string sub;                          // "" when skipped
  std::string invoice_id;                   // saved, replayed
  std::optional<std::string> duplicate_of;  // saved: same bytes as this id
  std::string failed_key;                   // failed: the error record's key
  // failed: why the document could not be read; skipped: why the key was
  // not processed.
  std::optional<core::Error> error;
};

// The outcome's name: "saved", "replayed", "failed", "gone", "skipped".
std::string_view OutcomeName(UploadOutcome::Kind kind);
// {"key", "outcome", "sub"?, "invoice_id"?, "duplicate_of"?, "failed_key"?,
//  "error"?: {"code", "message"}}: what the function reports per object.
core::Json OutcomeToJson(const UploadOutcome& outcome);

// Whether an error is worth a later attempt (the upload then stays):
// unavailable, resource_exhausted, deadline_exceeded, already_exists (a
// concurrent attempt holds the idempotency key) and failed_precondition (a
// concurrent write won a race).
bool IsTransient(const core::Error& error);

class UploadProcessor {
 public:
  // `store` is the store `repository` works on; both, and `scanner`, must
  // outlive this object.
  UploadProcessor(store::ObjectStore& store,
                  store::InvoiceRepository& repository,
                  const extract::Scanner& scanner, UploadOptions options = {});

  // Processes the object under `key` (a store key: without the store's own
  // prefix). An outcome for everything decided (see Kind); an error (the
  // store's, the scanner's, the repository's) when a later attempt may
  // succeed: IsTransient errors, and any error of the store or repository
  // that is not about the document.
  core::Result<UploadOutcome> Process(std::string_view key) const;

 private:
  core::Result<UploadOutcome> Fail(const UploadKey& parts, std::string_view key,
                                   const store::ObjectInfo& info,
                                   const std::string* bytes,
                                   const core::Error& why) const;

  store::ObjectStore& store_;
  store::InvoiceRepository& repository_;
  const extract::Scanner& scanner_;
  UploadOptions options_;
};

}  // namespace invoices::functions
