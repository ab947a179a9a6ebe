#include "invoices/gateway/access_log.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>
#include <utility>

#include "invoices/core/json_text.h"

namespace invoices::gateway {
namespace {

// Paths and errors come from outside: they must never break the line.
void AppendString(std::string& out, std::string_view s) {
  core::AppendJsonString(out, s);
}

void AppendField(std::string& out, const char* name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":";
  AppendString(out, value);
}

void AppendNumber(std::string& out, const char* name, uint64_t value) {
  out += ",\"";
  out += name;
  out += "\":";
  out += std::to_string(value);
}

void AppendDigits(std::string& out, unsigned value, int width);

// Milliseconds rounded to two decimals ("12.35"), as a JSON number, without
// floating-point formatting.
void AppendMs(std::string& out, const char* name, double ms) {
  const double clamped = std::isfinite(ms) ? std::clamp(ms, 0.0, 1e12) : 0.0;
  const auto centis = static_cast<uint64_t>(std::llround(clamped * 100));
  out += ",\"";
  out += name;
  out += "\":";
  out += std::to_string(centis / 100);
  out += '.';
  AppendDigits(out, unsigned(centis % 100), 2);
}

void AppendDigits(std::string& out, unsigned value, int width) {
  char buf[8];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf, width);
}

}  // namespace

std::string AccessLogLine(const AccessLogRecord& r,
                          std::chrono::system_clock::time_point now) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      now.time_since_epoch())
                      .count();
  const std::time_t seconds = ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  // Formatted by hand: this runs for every request, on an IO thread.
  std::string out;
  out.reserve(320 + r.path.size() + r.error.size());
  out += "{\"time\":\"";
  AppendDigits(out, unsigned(utc.tm_year + 1900), 4);
  out += '-';
  AppendDigits(out, unsigned(utc.tm_mon + 1), 2);
  out += '-';
  AppendDigits(out, unsigned(utc.tm_mday), 2);
  out += 'T';
  AppendDigits(out, unsigned(utc.tm_hour), 2);
  out += ':';
  AppendDigits(out, unsigned(utc.tm_min), 2);
  out += ':';
  AppendDigits(out, unsigned(utc.tm_sec), 2);
  out += '.';
  AppendDigits(out, unsigned(ms % 1000), 3);
  out += "Z\"";
  AppendField(out, "request_id", r.request_id);
  AppendField(out, "method", r.method);
  AppendField(out, "path", r.path);
  AppendField(out, "route", r.route_key);
  out += ",\"status\":";
  out += std::to_string(r.status);
  AppendMs(out, "latency_ms", r.latency_ms);
  if (r.function_ms >= 0) AppendMs(out, "function_ms", r.function_ms);
  if (!r.user.empty()) AppendField(out, "user", r.user);
  AppendNumber(out, "bytes_in", r.bytes_in);
  AppendNumber(out, "bytes_out", r.bytes_out);
  AppendField(out, "source_ip", r.source_ip);
  if (!r.throttled.empty()) AppendField(out, "throttled", r.throttled);
  if (!r.error.empty()) AppendField(out, "error", r.error);
  out += '}';
  return out;
}

std::function<void(const AccessLogRecord&)> NewJsonLinesAccessLog(FILE* out) {
  auto mutex = std::make_shared<std::mutex>();
  const int fd = fileno(out);
  // Written by the calling IO thread. A writer thread instead was measured
  // (docs/BENCHMARKS.md): waking it for each line cost more CPU than the
  // write it saved, except under heavy load.
  return [fd, mutex](const AccessLogRecord& record) {
    std::string line = AccessLogLine(record, std::chrono::system_clock::now());
    line += '\n';
    std::lock_guard lock(*mutex);
    for (size_t done = 0; done < line.size();) {
      const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // nowhere to log: drop the line
      done += static_cast<size_t>(n);
    }
  };
}

}  // namespace invoices::gateway
