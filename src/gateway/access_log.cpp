#include "invoices/gateway/access_log.h"

#include <cmath>
#include <ctime>
#include <mutex>

#include "invoices/core/extraction.h"

namespace invoices::gateway {

std::string AccessLogLine(const AccessLogRecord& r,
                          std::chrono::system_clock::time_point now) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      now.time_since_epoch())
                      .count();
  const std::time_t seconds = ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char time[64];
  std::snprintf(time, sizeof time, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                utc.tm_min, utc.tm_sec, int(ms % 1000));
  core::Json j;
  j["time"] = time;
  j["request_id"] = r.request_id;
  j["method"] = r.method;
  j["path"] = r.path;
  j["route"] = r.route_key;
  j["status"] = r.status;
  j["latency_ms"] = std::round(r.latency_ms * 100) / 100;
  if (!r.user.empty()) j["user"] = r.user;
  j["bytes_in"] = r.bytes_in;
  j["bytes_out"] = r.bytes_out;
  j["source_ip"] = r.source_ip;
  if (!r.error.empty()) j["error"] = r.error;
  // Paths and errors come from outside: never let them break the line.
  return j.dump(-1, ' ', false, core::Json::error_handler_t::replace);
}

std::function<void(const AccessLogRecord&)> NewJsonLinesAccessLog(FILE* out) {
  auto mutex = std::make_shared<std::mutex>();
  return [out, mutex](const AccessLogRecord& record) {
    std::string line =
        AccessLogLine(record, std::chrono::system_clock::now()) + "\n";
    std::lock_guard lock(*mutex);
    std::fwrite(line.data(), 1, line.size(), out);
    std::fflush(out);
  };
}

}  // namespace invoices::gateway
