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

namespace invoices::gateway {
namespace {

// The length of the valid UTF-8 sequence at the start of `s`, or 0 when it
// is not one (stray continuation bytes, overlong forms, surrogates, beyond
// U+10FFFF, truncated).
size_t Utf8Length(std::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  size_t n;
  unsigned char lo = 0x80, hi = 0xbf;  // the second byte's range
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (s.size() < n || b(1) < lo || b(1) > hi) return 0;
  for (size_t i = 2; i < n; ++i) {
    if ((b(i) & 0xc0) != 0x80) return 0;
  }
  return n;
}

// `s` as a JSON string: quotes, backslashes and control characters escaped,
// invalid UTF-8 replaced by U+FFFD, as the JSON library's "replace" does.
// Paths and errors come from outside: they must never break the line.
void AppendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = Utf8Length(s.substr(i));
      if (n == 0) {
        out += "\xef\xbf\xbd";
        ++i;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
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
