// Request metrics as CloudWatch would give them, in the Prometheus text
// format for `GET /metrics`: requests by route and status class, latency
// histograms by route, and gauges the caller samples (open connections, OCR
// queue depth). Fed from the access-log records. Thread safety: Record and
// Prometheus may be called concurrently from any thread.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "invoices/gateway/server.h"

namespace invoices::gateway {

class Metrics {
 public:
  // Latency bucket bounds in milliseconds (le), as Prometheus histograms.
  static constexpr std::array<double, 12> kBucketsMs = {
      1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};

  void Record(const AccessLogRecord& record);

  // The exposition text. `gauges` are (name, value) pairs sampled now, e.g.
  // {"invoices_open_connections", 3}; names must be valid metric names.
  std::string Prometheus(
      const std::vector<std::pair<std::string, double>>& gauges) const;

 private:
  struct RouteStats {
    std::map<int, uint64_t> by_status_class;  // 2, 3, 4, 5
    std::array<uint64_t, kBucketsMs.size()> buckets{};
    uint64_t count = 0;
    double sum_ms = 0;
    uint64_t bytes_in = 0, bytes_out = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, RouteStats> routes_;  // by route key ("" unrouted)
};

}  // namespace invoices::gateway
