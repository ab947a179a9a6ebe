#include "invoices/lambda/loop.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "invoices/core/extraction.h"

namespace invoices::lambda {
namespace {

std::string LogLine(std::string_view level, std::string_view request_id,
                    std::string_view message) {
  core::Json line;
  line["level"] = level;
  if (!request_id.empty()) line["request_id"] = request_id;
  line["message"] = message;
  return line.dump(-1, ' ', false, core::Json::error_handler_t::replace);
}

void WriteToStderr(std::string_view line) {
  // One fwrite per line, so lines from several threads do not interleave.
  std::string out(line);
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
}

WallClock ClockOf(const LoopOptions& options) {
  if (options.clock) return options.clock;
  return [] { return std::chrono::system_clock::now(); };
}

LogSink LogOf(const LoopOptions& options) {
  return options.log ? options.log : LogSink(&WriteToStderr);
}

// The one place where a handler's exception stops: it becomes an internal
// error, posted like any other, and the loop carries on.
core::Result<std::string> Call(const Handler& handler, std::string_view event,
                               const InvocationContext& context) {
  try {
    return handler(event, context);
  } catch (const std::exception& e) {
    return core::Internal(std::string("handler threw: ") + e.what());
  } catch (...) {
    return core::Internal("handler threw a non-standard exception");
  }
}

// Sets _X_AMZN_TRACE_ID without setenv, which in glibc keeps every value it
// was ever given (a reader may still hold one): with a new trace id per
// invocation that is a leak of ~80 bytes an invocation (measured), for the
// life of the sandbox. Instead one buffer of ours is in environ (putenv) and
// rewritten in place; it grows (the old one kept, for the same reason) only
// when a longer id comes, which is rare and bounded.
void PublishTraceId(const std::string& trace_id) {
  static std::vector<char>* buffer = nullptr;  // never freed: see above
  constexpr size_t kNameSize = sizeof(kTraceIdEnv) - 1;
  if (trace_id.empty()) {
    unsetenv(kTraceIdEnv);
    return;
  }
  const size_t need = kNameSize + 1 + trace_id.size() + 1;
  if (buffer == nullptr || buffer->size() < need) {
    buffer = new std::vector<char>(std::max<size_t>(
        {need, 256, buffer == nullptr ? 0 : 2 * buffer->size()}));
  }
  char* entry = buffer->data();
  std::memcpy(entry, kTraceIdEnv, kNameSize);
  entry[kNameSize] = '=';
  std::memcpy(entry + kNameSize + 1, trace_id.data(), trace_id.size());
  entry[kNameSize + 1 + trace_id.size()] = '\0';
  // Someone else's setenv (or an unset) may have replaced our entry.
  if (std::getenv(kTraceIdEnv) != entry + kNameSize + 1) putenv(entry);
}

}  // namespace

InvocationContext::InvocationContext(const Invocation& invocation,
                                     WallClock clock, LogSink log)
    : invocation_(invocation), clock_(std::move(clock)), log_(std::move(log)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
}

std::chrono::milliseconds InvocationContext::RemainingTime() const {
  if (invocation_.deadline == std::chrono::system_clock::time_point::max()) {
    return std::chrono::milliseconds::max();
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      invocation_.deadline - clock_());
}

void InvocationContext::Log(std::string_view level,
                            std::string_view message) const {
  const std::string line = LogLine(level, invocation_.request_id, message);
  if (log_) {
    log_(line);
  } else {
    WriteToStderr(line);
  }
}

int RunLoop(RuntimeTransport& runtime, const Handler& handler,
            const LoopOptions& options) {
  const WallClock clock = ClockOf(options);
  const LogSink log = LogOf(options);
  for (uint64_t n = 0;
       options.max_invocations == 0 || n < options.max_invocations; ++n) {
    core::Result<Invocation> next = runtime.Next();
    if (!next) {
      log(LogLine("error", "",
                  "runtime API: next invocation: " + next.error().ToString()));
      return core::ExitCode(next.error().code());
    }
    const Invocation& invocation = *next;
    PublishTraceId(invocation.trace_id);
    const InvocationContext context(invocation, clock, log);
    core::Result<std::string> result = Call(handler, invocation.event, context);

    if (clock() > invocation.deadline) {
      // Lambda has answered the caller with a timeout already (see loop.h).
      log(LogLine("error", invocation.request_id,
                  "finished after the deadline; nothing posted"));
      continue;
    }
    core::Status posted;
    if (result) {
      posted = runtime.PostResponse(invocation.request_id, *result);
      if (!posted && posted.error().code() == core::ErrorCode::kTooLarge) {
        log(LogLine("error", invocation.request_id, posted.error().ToString()));
        posted = runtime.PostError(
            invocation.request_id,
            core::Error(core::ErrorCode::kTooLarge,
                        "the response of " + std::to_string(result->size()) +
                            " bytes is larger than Lambda accepts"));
      }
    } else {
      log(LogLine("error", invocation.request_id, result.error().ToString()));
      posted = runtime.PostError(invocation.request_id, result.error());
    }
    if (!posted) {
      log(LogLine("error", invocation.request_id,
                  "runtime API: post: " + posted.error().ToString()));
      // 5xx or no connection: Lambda says exit; a refusal (an id Lambda
      // no longer waits for) concerns this invocation only.
      if (posted.error().code() == core::ErrorCode::kUnavailable) {
        return core::ExitCode(posted.error().code());
      }
    }
  }
  return 0;
}

int ReportInitError(RuntimeTransport& runtime, const core::Error& error,
                    const LoopOptions& options) {
  const LogSink log = LogOf(options);
  log(LogLine("error", "", "init failed: " + error.ToString()));
  if (core::Status posted = runtime.PostInitError(error); !posted) {
    log(LogLine("error", "",
                "runtime API: init error: " + posted.error().ToString()));
  }
  return core::ExitCode(error.code());
}

int RunWithInit(RuntimeTransport& runtime, const InitFunction& init,
                const LoopOptions& options) {
  core::Result<Handler> handler = core::Internal("no init function");
  if (init) {
    try {
      handler = init();
    } catch (const std::exception& e) {
      handler = core::Internal(std::string("init threw: ") + e.what());
    } catch (...) {
      handler = core::Internal("init threw a non-standard exception");
    }
  }
  if (handler && !*handler) handler = core::Internal("init gave no handler");
  if (!handler) return ReportInitError(runtime, handler.error(), options);
  return RunLoop(runtime, *handler, options);
}

}  // namespace invoices::lambda
