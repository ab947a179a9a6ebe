// The Lambda Runtime API (version 2018-06-01) as a custom runtime
// (provided.al2023, a `bootstrap` binary) speaks it: ask for the next
// invocation, answer it with a response or an error, or report that the
// function could not initialise. RuntimeTransport is the seam: the real one
// speaks HTTP over libcurl to the host in AWS_LAMBDA_RUNTIME_API
// (NewCurlRuntime); FakeRuntime (fake_runtime.h) plays Lambda in process.
//
// Thread safety: a RuntimeTransport is driven by one thread at a time (the
// loop's); implementations need not be thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "invoices/core/error.h"

namespace invoices::lambda {

// Where Lambda puts the Runtime API's "host:port".
inline constexpr char kRuntimeApiEnv[] = "AWS_LAMBDA_RUNTIME_API";
// Where a runtime publishes the invocation's X-Ray trace header for SDKs.
inline constexpr char kTraceIdEnv[] = "_X_AMZN_TRACE_ID";

// One invocation, as GET /runtime/invocation/next delivers it.
struct Invocation {
  std::string request_id;  // Lambda-Runtime-Aws-Request-Id
  // Lambda-Runtime-Deadline-Ms: when Lambda stops the invocation (and, in
  // AWS, the sandbox). time_point::max() when the header is absent or
  // malformed.
  std::chrono::system_clock::time_point deadline =
      std::chrono::system_clock::time_point::max();
  std::string invoked_function_arn;  // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;              // Lambda-Runtime-Trace-Id, or ""
  std::string client_context;    // Lambda-Runtime-Client-Context (JSON), or ""
  std::string cognito_identity;  // Lambda-Runtime-Cognito-Identity, or ""
  std::string event;             // the body: the event JSON, as sent
};

class RuntimeTransport {
 public:
  virtual ~RuntimeTransport() = default;

  // GET /runtime/invocation/next: blocks, with no time limit (Lambda freezes
  // the sandbox between invocations, for as long as it likes), until there
  // is an invocation. unavailable when the API cannot be reached or answers
  // anything but 200 (Lambda documents 403 and 500 as fatal: the runtime
  // should exit); internal when the answer has no request id.
  virtual core::Result<Invocation> Next() = 0;

  // POST /runtime/invocation/{request_id}/response with `body` as it is.
  // too_large when Lambda refuses the body as too large (413: over 6 MB);
  // unavailable when the API cannot be reached or fails (5xx: the runtime
  // should exit); invalid_argument for another refusal (400, 403: an id that
  // is unknown or already answered).
  [[nodiscard]] virtual core::Status PostResponse(std::string_view request_id,
                                                  std::string_view body) = 0;

  // POST /runtime/invocation/{request_id}/error with the body
  // ErrorDocument(error) and the header Lambda-Runtime-Function-Error-Type:
  // "Function.<CodeName>". Errors as PostResponse.
  [[nodiscard]] virtual core::Status PostError(std::string_view request_id,
                                               const core::Error& error) = 0;

  // POST /runtime/init/error with ErrorDocument(error) and
  // Lambda-Runtime-Function-Error-Type: "Runtime.<CodeName>". Lambda then
  // expects the process to exit. Errors as PostResponse.
  [[nodiscard]] virtual core::Status PostInitError(
      const core::Error& error) = 0;
};

// The Runtime API over libcurl at http://{api_host}/2018-06-01/ (api_host is
// AWS_LAMBDA_RUNTIME_API's value, "127.0.0.1:9001"). One connection, kept
// open between calls. Posts give up after 10 s. With an empty api_host
// every call fails with unavailable.
std::unique_ptr<RuntimeTransport> NewCurlRuntime(std::string api_host);

// The error body Lambda expects: {"errorMessage": message, "errorType":
// CodeName(code), "stackTrace": []}. What the caller of Invoke sees.
std::string ErrorDocument(const core::Error& error);

}  // namespace invoices::lambda
