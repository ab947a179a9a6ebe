// The project's one error vocabulary: a code and a message, carried by value in
// Result<T> (std::expected). Each code maps, in exactly one function each, to
// an HTTP status, a process exit code and the snake_case name used on the wire.
// Thread safety: plain values; safe to copy across threads.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace invoices::core {

enum class ErrorCode {
  kInvalidArgument,     // the request or document is malformed (400)
  kNotFound,            // no such object, or not the caller's (404)
  kAlreadyExists,       // a create that must not overwrite (409)
  kFailedPrecondition,  // an If-Match / If-None-Match precondition failed (412)
  kUnauthenticated,     // no valid credentials (401)
  kPermissionDenied,    // valid credentials, not allowed (403)
  kTooLarge,            // bytes, pixels or pages beyond a limit (413)
  kUnsupportedMediaType,  // a format the system does not read (415)
  kResourceExhausted,     // throttled or queue full; retry later (429)
  kUnavailable,           // a dependency is down; retry later (503)
  kDeadlineExceeded,      // the work did not finish in time (504)
  kInternal,              // a bug or an unexpected state (500)
};

class [[nodiscard]] Error {
 public:
  Error(ErrorCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid_argument: the body is empty"
  std::string ToString() const;

 private:
  ErrorCode code_;
  std::string message_;
};

// The wire name of a code: "invalid_argument", "too_large", ...
std::string_view CodeName(ErrorCode code);
// Inverse of CodeName; kInternal for an unknown name.
ErrorCode CodeFromName(std::string_view name);
// The HTTP status an error is answered with.
int HttpStatus(ErrorCode code);
// The exit code of a command that failed with this error (never 0).
int ExitCode(ErrorCode code);

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error(code, std::move(message)));
}
inline std::unexpected<Error> InvalidArgument(std::string m) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(m));
}
inline std::unexpected<Error> NotFound(std::string m) {
  return MakeError(ErrorCode::kNotFound, std::move(m));
}
inline std::unexpected<Error> TooLarge(std::string m) {
  return MakeError(ErrorCode::kTooLarge, std::move(m));
}
inline std::unexpected<Error> UnsupportedMediaType(std::string m) {
  return MakeError(ErrorCode::kUnsupportedMediaType, std::move(m));
}
inline std::unexpected<Error> Unavailable(std::string m) {
  return MakeError(ErrorCode::kUnavailable, std::move(m));
}
inline std::unexpected<Error> ResourceExhausted(std::string m) {
  return MakeError(ErrorCode::kResourceExhausted, std::move(m));
}
inline std::unexpected<Error> Internal(std::string m) {
  return MakeError(ErrorCode::kInternal, std::move(m));
}

}  // namespace invoices::core

// Evaluates `expr` (a Result or Status); on error returns the error from the
// enclosing function.
#define INVOICES_RETURN_IF_ERROR(expr)                             \
  do {                                                             \
    auto invoices_status_ = (expr);                                \
    if (!invoices_status_)                                         \
      return std::unexpected(std::move(invoices_status_).error()); \
  } while (0)

#define INVOICES_CONCAT_INNER_(a, b) a##b
#define INVOICES_CONCAT_(a, b) INVOICES_CONCAT_INNER_(a, b)
// Declares `lhs` from a Result's value, or returns its error.
#define INVOICES_ASSIGN_OR_RETURN(lhs, expr)                               \
  INVOICES_ASSIGN_OR_RETURN_IMPL_(INVOICES_CONCAT_(invoices_r_, __LINE__), \
                                  lhs, expr)
#define INVOICES_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)     \
  auto tmp = (expr);                                        \
  if (!tmp) return std::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)
