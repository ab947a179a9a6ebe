// The custom runtime's loop: take the next invocation from the Runtime API,
// run the handler on its event, post the result, again. The whole `main` of
// a Lambda function is
//
//   const char* api = std::getenv(lambda::kRuntimeApiEnv);
//   auto runtime = lambda::NewCurlRuntime(api ? api : "");
//   return lambda::RunWithInit(*runtime, [&]() -> core::Result<Handler> {
//     ...read the configuration, open the store, build the function...;
//     return lambda::HttpApiHandler(std::move(function));
//   });
//
// What becomes of a handler's outcome:
//   - a value: posted as the response, byte for byte. When Lambda refuses it
//     as too large, an error (too_large) is posted instead.
//   - an error Result: posted as an invocation error, errorType the code's
//     name ("invalid_argument"); the loop goes on.
//   - an exception: caught here (one of the three places that catch
//     everything), posted as an internal error with what() in the message;
//     the loop goes on.
//   - finishing after the invocation's deadline: nothing is posted. Lambda
//     has already answered the caller with a timeout and, in AWS, stops the
//     sandbox at the deadline, so a late answer is at best refused and at
//     worst confused with the next invocation's. Handlers see the deadline
//     in their InvocationContext (RemainingTime()) and should return
//     deadline_exceeded while there is still time to post it. The handler
//     is not run on a watchdog thread: it cannot be stopped safely, and a
//     runaway handler would overlap the next invocation.
//
// Thread safety: RunLoop drives one transport from the calling thread, one
// invocation at a time (Lambda sends a sandbox one event at a time). Before
// each handler call it publishes the trace id as _X_AMZN_TRACE_ID (one
// environment entry rewritten in place, not setenv, which leaks a copy per
// value), which must not race other threads' setenv or putenv; threads that
// read it should do so while the invocation lasts.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "invoices/core/error.h"
#include "invoices/lambda/runtime.h"

namespace invoices::lambda {

// Reads the wall clock (system_clock::now by default; fixed in tests).
using WallClock = std::function<std::chrono::system_clock::time_point()>;
// Receives one log line (no newline), a JSON object; stderr by default,
// which Lambda sends to CloudWatch Logs.
using LogSink = std::function<void(std::string_view line)>;

// What a handler knows of its invocation besides the event. Valid during the
// handler call only (it refers to the loop's invocation).
class InvocationContext {
 public:
  InvocationContext(const Invocation& invocation, WallClock clock, LogSink log);

  const std::string& request_id() const { return invocation_.request_id; }
  const std::string& invoked_function_arn() const {
    return invocation_.invoked_function_arn;
  }
  const std::string& trace_id() const { return invocation_.trace_id; }
  const std::string& client_context() const {
    return invocation_.client_context;
  }
  const std::string& cognito_identity() const {
    return invocation_.cognito_identity;
  }
  std::chrono::system_clock::time_point deadline() const {
    return invocation_.deadline;
  }

  // Time left before Lambda stops the invocation: zero or less once it has
  // passed; very large without a deadline.
  std::chrono::milliseconds RemainingTime() const;
  bool Expired() const { return RemainingTime().count() <= 0; }

  // Writes a JSON log line {"level", "request_id", "message"}.
  void Log(std::string_view level, std::string_view message) const;

 private:
  const Invocation& invocation_;
  WallClock clock_;
  LogSink log_;
};

// Handles one event (its JSON text): the response body, or an error.
using Handler = std::function<core::Result<std::string>(
    std::string_view event, const InvocationContext& context)>;

// Builds the handler once, before the first invocation (Lambda's init
// phase): configuration, store, OCR engines.
using InitFunction = std::function<core::Result<Handler>()>;

struct LoopOptions {
  // Return 0 after this many invocations (answered or not); 0 runs until the
  // Runtime API fails. For tests.
  uint64_t max_invocations = 0;
  WallClock clock;  // system_clock::now when empty
  LogSink log;      // stderr when empty
};

// Runs invocations until the Runtime API fails (Next fails, or a post fails
// with unavailable), returning ExitCode of that error (never 0), or until
// options.max_invocations, returning 0. A refused post (invalid_argument) is
// logged and the loop goes on. Before each handler call, _X_AMZN_TRACE_ID
// is set to the invocation's trace id (unset when it has none).
int RunLoop(RuntimeTransport& runtime, const Handler& handler,
            const LoopOptions& options = {});

// Lambda's init phase, then RunLoop: calls `init` (an exception counts as an
// internal error); when it fails, posts /runtime/init/error and returns
// ExitCode of the error, never 0 (Lambda records the failure and retries
// the init with a fresh process).
int RunWithInit(RuntimeTransport& runtime, const InitFunction& init,
                const LoopOptions& options = {});

// Posts `error` to /runtime/init/error, logs it, and returns its ExitCode:
// for a bootstrap that fails before it can call RunWithInit.
int ReportInitError(RuntimeTransport& runtime, const core::Error& error,
                    const LoopOptions& options = {});

}  // namespace invoices::lambda
