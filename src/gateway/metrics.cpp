#include "invoices/gateway/metrics.h"

#include <cstdio>

namespace invoices::gateway {
namespace {

// A label value with \, " and newlines escaped, as the format requires.
std::string Label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace

void Metrics::Record(const AccessLogRecord& r) {
  std::lock_guard lock(mutex_);
  RouteStats& s = routes_[r.route_key];
  ++s.by_status_class[r.status / 100];
  for (size_t i = 0; i < kBucketsMs.size(); ++i) {
    if (r.latency_ms <= kBucketsMs[i]) ++s.buckets[i];
  }
  ++s.count;
  s.sum_ms += r.latency_ms;
  s.bytes_in += r.bytes_in;
  s.bytes_out += r.bytes_out;
}

std::string Metrics::Prometheus(
    const std::vector<std::pair<std::string, double>>& gauges) const {
  std::string out;
  std::lock_guard lock(mutex_);
  out +=
      "# HELP invoices_requests_total Requests answered, by route and status "
      "class.\n# TYPE invoices_requests_total counter\n";
  for (const auto& [route, s] : routes_) {
    for (const auto& [cls, n] : s.by_status_class) {
      out += "invoices_requests_total{route=\"" + Label(route) +
             "\",status=\"" + std::to_string(cls) + "xx\"} " +
             std::to_string(n) + "\n";
    }
  }
  out +=
      "# HELP invoices_request_duration_ms Request latency from the first "
      "byte to the response sent.\n"
      "# TYPE invoices_request_duration_ms histogram\n";
  for (const auto& [route, s] : routes_) {
    const std::string label = "route=\"" + Label(route) + "\"";
    for (size_t i = 0; i < kBucketsMs.size(); ++i) {
      out += "invoices_request_duration_ms_bucket{" + label + ",le=\"" +
             Number(kBucketsMs[i]) + "\"} " + std::to_string(s.buckets[i]) +
             "\n";
    }
    out += "invoices_request_duration_ms_bucket{" + label + ",le=\"+Inf\"} " +
           std::to_string(s.count) + "\n";
    out += "invoices_request_duration_ms_sum{" + label + "} " +
           Number(s.sum_ms) + "\n";
    out += "invoices_request_duration_ms_count{" + label + "} " +
           std::to_string(s.count) + "\n";
  }
  out += "# TYPE invoices_request_bytes_total counter\n";
  for (const auto& [route, s] : routes_) {
    out += "invoices_request_bytes_total{route=\"" + Label(route) +
           "\",direction=\"in\"} " + std::to_string(s.bytes_in) + "\n";
    out += "invoices_request_bytes_total{route=\"" + Label(route) +
           "\",direction=\"out\"} " + std::to_string(s.bytes_out) + "\n";
  }
  for (const auto& [name, value] : gauges) {
    out += "# TYPE " + name + " gauge\n" + name + " " + Number(value) + "\n";
  }
  return out;
}

}  // namespace invoices::gateway
