// Access logs as CloudWatch would keep them: one JSON object per answered
// request, on one line. Thread safety: AccessLogLine is a pure function;
// NewJsonLinesAccessLog's sink may be called from any thread at once.
#pragma once

#include <cstdio>
#include <functional>
#include <string>

#include "invoices/gateway/server.h"

namespace invoices::gateway {

// {"time": ISO 8601 UTC with ms, "request_id", "method", "path", "route",
//  "status", "latency_ms", "function_ms" (when a handler ran), "user" (the
//  token's sub, when there is one), "bytes_in", "bytes_out", "source_ip",
//  "throttled" ("global" or "client", when refused with 429), "error" (when
//  a handler threw)}.
std::string AccessLogLine(const AccessLogRecord& record,
                          std::chrono::system_clock::time_point now);

// A ServerOptions::access_log that writes AccessLogLine and a newline to
// the descriptor of `out` (stderr in `invoices serve`; unbuffered, so no
// stdio buffer is bypassed), one whole line per write, on the calling thread.
std::function<void(const AccessLogRecord&)> NewJsonLinesAccessLog(FILE* out);

}  // namespace invoices::gateway
