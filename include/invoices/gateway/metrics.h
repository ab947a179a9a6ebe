// Request metrics as CloudWatch would give them, in the Prometheus text
// format for `GET /metrics`: requests by route and status class, latency
// histograms by route (the whole request, and the function's own time: API
// Gateway's Latency and IntegrationLatency), requests refused by the throttle,
// and what the caller samples at scrape time (gauges such as open connections
// and OCR queue depth, counters kept elsewhere such as store errors). Fed from
// the access-log records. Thread safety: Record and Prometheus may be called
// concurrently from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "invoices/gateway/server.h"

namespace invoices::gateway {

// Samples of one metric kept outside Metrics, rendered as given.
struct MetricFamily {
  std::string name;  // a valid metric name: invoices_store_errors_total
  std::string help;  // one line
  std::string type;  // "counter" or "gauge"
  // Each sample's labels (name -> value; values are escaped) and value.
  std::vector<std::pair<std::map<std::string, std::string>, double>> samples;
};

class Metrics {
 public:
  // Latency bucket bounds in milliseconds (le), as Prometheus histograms.
  static constexpr std::array<double, 12> kBucketsMs = {
      1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};

  void Record(const AccessLogRecord& record);

  // The exposition text. `gauges` are (name, value) pairs sampled now, e.g.
  // {"invoices_open_connections", 3}; names must be valid metric names.
  // `families` are appended as they are.
  std::string Prometheus(
      const std::vector<std::pair<std::string, double>>& gauges,
      const std::vector<MetricFamily>& families = {}) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBucketsMs.size()> buckets{};
    uint64_t count = 0;
    double sum_ms = 0;
    void Add(double ms);
  };
  struct RouteStats {
    std::map<int, uint64_t> by_status_class;  // 2, 3, 4, 5
    Histogram latency;
    Histogram function;  // only requests that reached the handler
    uint64_t bytes_in = 0, bytes_out = 0;
    std::map<std::string, uint64_t> throttled;  // by limit
  };
  mutable std::mutex mutex_;
  std::map<std::string, RouteStats> routes_;  // by route key ("" unrouted)
};

}  // namespace invoices::gateway
