#include "invoices/functions/upload_event.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <span>
#include <string>
#include <utility>

#include "invoices/extract/image.h"
#include "invoices/store/digest.h"

namespace invoices::functions {
namespace {

using core::ErrorCode;
using core::Json;

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      t.time_since_epoch())
                      .count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", text, static_cast<int>(ms % 1000));
  return out;
}

std::string Unquoted(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

}  // namespace

core::Result<UploadKey> ParseUploadKey(std::string_view key) {
  if (!key.starts_with(kUploadsPrefix)) {
    return core::InvalidArgument("not an upload key (uploads/{sub}/{name})");
  }
  std::string_view tail = key.substr(kUploadsPrefix.size());
  const size_t slash = tail.find('/');
  if (slash == std::string_view::npos || slash + 1 >= tail.size()) {
    return core::InvalidArgument(
        "an upload key is uploads/{sub}/{name}: no name after the user");
  }
  UploadKey parts;
  parts.sub = std::string(tail.substr(0, slash));
  INVOICES_RETURN_IF_ERROR(store::ValidateSub(parts.sub));
  parts.rest = std::string(tail.substr(slash + 1));
  INVOICES_RETURN_IF_ERROR(store::ValidateKey(parts.rest));
  parts.file_name = parts.rest.substr(parts.rest.rfind('/') + 1);
  return parts;
}

std::string UploadIdempotencyKey(std::string_view key, std::string_view etag) {
  std::string material(key);
  material += '\n';
  material += Unquoted(etag);
  return "s3-upload:" + store::HexEncode(store::Sha256(material));
}

std::string_view OutcomeName(UploadOutcome::Kind kind) {
  switch (kind) {
    case UploadOutcome::Kind::kSaved:
      return "saved";
    case UploadOutcome::Kind::kReplayed:
      return "replayed";
    case UploadOutcome::Kind::kFailed:
      return "failed";
    case UploadOutcome::Kind::kGone:
      return "gone";
    case UploadOutcome::Kind::kSkipped:
      return "skipped";
  }
  return "skipped";
}

Json OutcomeToJson(const UploadOutcome& outcome) {
  Json j;
  j["key"] = outcome.key;
  j["outcome"] = OutcomeName(outcome.kind);
  if (!outcome.sub.empty()) j["sub"] = outcome.sub;
  if (!outcome.invoice_id.empty()) j["invoice_id"] = outcome.invoice_id;
  if (outcome.duplicate_of) j["duplicate_of"] = *outcome.duplicate_of;
  if (!outcome.failed_key.empty()) j["failed_key"] = outcome.failed_key;
  if (outcome.error) {
    j["error"] = {{"code", core::CodeName(outcome.error->code())},
                  {"message", outcome.error->message()}};
  }
  return j;
}

bool IsTransient(const core::Error& error) {
  switch (error.code()) {
    case ErrorCode::kUnavailable:
    case ErrorCode::kResourceExhausted:
    case ErrorCode::kDeadlineExceeded:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition:
      return true;
    default:
      return false;
  }
}

UploadProcessor::UploadProcessor(store::ObjectStore& store,
                                 store::InvoiceRepository& repository,
                                 const extract::Scanner& scanner,
                                 UploadOptions options)
    : store_(store),
      repository_(repository),
      scanner_(scanner),
      options_(std::move(options)) {}

core::Result<UploadOutcome> UploadProcessor::Process(
    std::string_view key) const {
  UploadOutcome outcome;
  outcome.key = std::string(key);
  auto parts = ParseUploadKey(key);
  if (!parts) {
    outcome.kind = UploadOutcome::Kind::kSkipped;
    outcome.error = parts.error();
    return outcome;
  }
  outcome.sub = parts->sub;

  // Head first, so that an object too large to hold is never read.
  auto head = store_.Head(key);
  if (!head && head.error().code() == ErrorCode::kNotFound) {
    outcome.kind = UploadOutcome::Kind::kGone;
    return outcome;
  }
  if (!head) return std::unexpected(head.error());
  if (head->size > options_.max_bytes) {
    return Fail(*parts, key, *head, nullptr,
                core::Error(ErrorCode::kTooLarge,
                            "the upload has " + std::to_string(head->size) +
                                " bytes, more than the " +
                                std::to_string(options_.max_bytes) +
                                " an upload may have"));
  }
  auto object = store_.Get(key);
  if (!object && object.error().code() == ErrorCode::kNotFound) {
    outcome.kind = UploadOutcome::Kind::kGone;
    return outcome;
  }
  if (!object) return std::unexpected(object.error());
  const std::string& bytes = object->bytes;
  store::ObjectInfo& info = object->info;
  // Replaced since the Head: judge the object actually read.
  if (info.size > options_.max_bytes) {
    return Fail(*parts, key, info, nullptr,
                core::Error(ErrorCode::kTooLarge, "the upload is too large"));
  }
  if (bytes.empty()) {
    return Fail(
        *parts, key, info, &bytes,
        core::Error(ErrorCode::kInvalidArgument, "the upload is empty"));
  }

  // The ETag of what was read, not the event's: if the object was replaced
  // meanwhile, this run processes the new bytes and the new object's own
  // event finds nothing left (gone).
  const std::string idempotency_key = UploadIdempotencyKey(key, info.etag);
  auto earlier =
      repository_.FindByIdempotencyKey(parts->sub, idempotency_key, bytes);
  if (!earlier) return std::unexpected(earlier.error());
  if (*earlier) {
    INVOICES_RETURN_IF_ERROR(store_.Delete(key));
    outcome.kind = UploadOutcome::Kind::kReplayed;
    outcome.invoice_id = (*earlier)->id;
    return outcome;
  }

  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const std::span<const uint8_t> span(data, bytes.size());
  auto extraction = scanner_.Scan(span, parts->file_name, info.content_type);
  if (!extraction) {
    if (IsTransient(extraction.error())) {
      return std::unexpected(extraction.error());
    }
    return Fail(*parts, key, info, &bytes, extraction.error());
  }

  const extract::Format format = extract::DetectFormat(span);
  store::NewInvoice invoice;
  invoice.original = bytes;
  invoice.file_name = parts->file_name;
  // As POST /invoices: the detected type decides how the original is served.
  invoice.content_type = format != extract::Format::kUnknown
                             ? std::string(extract::MimeType(format))
                             : info.content_type;
  invoice.extraction = std::move(*extraction);
  invoice.idempotency_key = idempotency_key;
  auto created = repository_.Create(parts->sub, invoice);
  if (!created) return std::unexpected(created.error());
  // Deleted only once the invoice exists: a crash before this line leaves the
  // upload for the retry, which replays the invoice.
  INVOICES_RETURN_IF_ERROR(store_.Delete(key));
  outcome.kind = created->replayed ? UploadOutcome::Kind::kReplayed
                                   : UploadOutcome::Kind::kSaved;
  outcome.invoice_id = created->invoice.id;
  outcome.duplicate_of = created->invoice.duplicate_of;
  return outcome;
}

core::Result<UploadOutcome> UploadProcessor::Fail(
    const UploadKey& parts, std::string_view key, const store::ObjectInfo& info,
    const std::string* bytes, const core::Error& why) const {
  std::string failed =
      std::string(kFailedPrefix) + parts.sub + "/" + parts.rest;
  // The record's key must fit the key rules too; a name too long for it is
  // replaced by its hash (the record still names the upload key).
  if (!store::ValidateKey(failed + ".error.json")) {
    failed = std::string(kFailedPrefix) + parts.sub + "/" +
             store::HexEncode(store::Sha256(parts.rest));
  }
  const auto now =
      options_.clock ? options_.clock() : std::chrono::system_clock::now();
  Json record;
  record["key"] = std::string(key);
  record["etag"] = info.etag;
  record["bytes"] = info.size;
  record["content_type"] = info.content_type;
  record["file_name"] = parts.file_name;
  record["failed_at"] = Rfc3339(now);
  record["error"] = {{"code", core::CodeName(why.code())},
                     {"message", why.message()}};
  record["kept"] = bytes != nullptr;
  // The document first, then its record, then the upload goes: a crash in
  // between leaves the upload for the retry, which writes both again.
  if (bytes != nullptr) {
    store::PutOptions put;
    put.content_type = info.content_type;
    INVOICES_RETURN_IF_ERROR(store_.Put(failed, *bytes, put));
  }
  store::PutOptions put_record;
  put_record.content_type = "application/json";
  const std::string record_key = failed + ".error.json";
  INVOICES_RETURN_IF_ERROR(
      store_.Put(record_key, record.dump(2) + "\n", put_record));
  INVOICES_RETURN_IF_ERROR(store_.Delete(key));
  UploadOutcome outcome;
  outcome.kind = UploadOutcome::Kind::kFailed;
  outcome.key = std::string(key);
  outcome.sub = parts.sub;
  outcome.failed_key = record_key;
  outcome.error = why;
  return outcome;
}

}  // namespace invoices::functions
