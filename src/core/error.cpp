#include "invoices/core/error.h"

#include <array>

namespace invoices::core {
namespace {

struct CodeInfo {
  ErrorCode code;
  std::string_view name;
  int http_status;
  int exit_code;
};

// The one table that maps the vocabulary to the outside world.
constexpr std::array<CodeInfo, 12> kCodes = {{
    {ErrorCode::kInvalidArgument, "invalid_argument", 400, 2},
    {ErrorCode::kNotFound, "not_found", 404, 3},
    {ErrorCode::kAlreadyExists, "already_exists", 409, 4},
    {ErrorCode::kFailedPrecondition, "failed_precondition", 412, 4},
    {ErrorCode::kUnauthenticated, "unauthenticated", 401, 5},
    {ErrorCode::kPermissionDenied, "permission_denied", 403, 5},
    {ErrorCode::kTooLarge, "too_large", 413, 6},
    {ErrorCode::kUnsupportedMediaType, "unsupported_media_type", 415, 7},
    {ErrorCode::kResourceExhausted, "resource_exhausted", 429, 8},
    {ErrorCode::kUnavailable, "unavailable", 503, 8},
    {ErrorCode::kDeadlineExceeded, "deadline_exceeded", 504, 8},
    {ErrorCode::kInternal, "internal", 500, 1},
}};

const CodeInfo& Info(ErrorCode code) {
  for (const auto& info : kCodes) {
    if (info.code == code) return info;
  }
  return kCodes.back();
}

}  // namespace

std::string Error::ToString() const {
  return std::string(CodeName(code_)) + ": " + message_;
}

std::string_view CodeName(ErrorCode code) { return Info(code).name; }

ErrorCode CodeFromName(std::string_view name) {
  for (const auto& info : kCodes) {
    if (info.name == name) return info.code;
  }
  return ErrorCode::kInternal;
}

int HttpStatus(ErrorCode code) { return Info(code).http_status; }

int ExitCode(ErrorCode code) { return Info(code).exit_code; }

}  // namespace invoices::core
