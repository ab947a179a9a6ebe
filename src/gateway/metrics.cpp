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

void Metrics::Histogram::Add(double ms) {
  for (size_t i = 0; i < kBucketsMs.size(); ++i) {
    if (ms <= kBucketsMs[i]) ++buckets[i];
  }
  ++count;
  sum_ms += ms;
}

void Metrics::Record(const AccessLogRecord& r) {
  std::lock_guard lock(mutex_);
  RouteStats& s = routes_[r.route_key];
  ++s.by_status_class[r.status / 100];
  s.latency.Add(r.latency_ms);
  if (r.function_ms >= 0) s.function.Add(r.function_ms);
  s.bytes_in += r.bytes_in;
  s.bytes_out += r.bytes_out;
  if (!r.throttled.empty()) ++s.throttled[r.throttled];
}

std::string Metrics::Prometheus(
    const std::vector<std::pair<std::string, double>>& gauges,
    const std::vector<MetricFamily>& families) const {
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
  auto histogram = [&](const std::string& name, const std::string& help,
                       Histogram RouteStats::*member) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
    for (const auto& [route, s] : routes_) {
      const Histogram& h = s.*member;
      if (h.count == 0) continue;
      const std::string label = "route=\"" + Label(route) + "\"";
      for (size_t i = 0; i < kBucketsMs.size(); ++i) {
        out += name + "_bucket{" + label + ",le=\"" + Number(kBucketsMs[i]) +
               "\"} " + std::to_string(h.buckets[i]) + "\n";
      }
      out += name + "_bucket{" + label + ",le=\"+Inf\"} " +
             std::to_string(h.count) + "\n";
      out += name + "_sum{" + label + "} " + Number(h.sum_ms) + "\n";
      out += name + "_count{" + label + "} " + std::to_string(h.count) + "\n";
    }
  };
  histogram("invoices_request_duration_ms",
            "Request latency from the first byte to the response sent.",
            &RouteStats::latency);
  histogram("invoices_function_duration_ms",
            "Time in the route's function (integration latency), without "
            "waiting for a worker; POST /scan's is the scan latency.",
            &RouteStats::function);
  out += "# TYPE invoices_request_bytes_total counter\n";
  for (const auto& [route, s] : routes_) {
    out += "invoices_request_bytes_total{route=\"" + Label(route) +
           "\",direction=\"in\"} " + std::to_string(s.bytes_in) + "\n";
    out += "invoices_request_bytes_total{route=\"" + Label(route) +
           "\",direction=\"out\"} " + std::to_string(s.bytes_out) + "\n";
  }
  out +=
      "# HELP invoices_throttled_requests_total Requests refused with 429 by "
      "the throttle, by route and limit (global or client).\n"
      "# TYPE invoices_throttled_requests_total counter\n";
  for (const auto& [route, s] : routes_) {
    for (const auto& [limit, n] : s.throttled) {
      out += "invoices_throttled_requests_total{route=\"" + Label(route) +
             "\",limit=\"" + Label(limit) + "\"} " + std::to_string(n) + "\n";
    }
  }
  for (const auto& [name, value] : gauges) {
    out += "# TYPE " + name + " gauge\n" + name + " " + Number(value) + "\n";
  }
  for (const MetricFamily& f : families) {
    if (!f.help.empty()) out += "# HELP " + f.name + " " + f.help + "\n";
    out += "# TYPE " + f.name + " " + f.type + "\n";
    for (const auto& [labels, value] : f.samples) {
      out += f.name;
      if (!labels.empty()) {
        out += "{";
        bool first = true;
        for (const auto& [k, v] : labels) {
          out += (first ? "" : ",") + k + "=\"" + Label(v) + "\"";
          first = false;
        }
        out += "}";
      }
      out += " " + Number(value) + "\n";
    }
  }
  return out;
}

}  // namespace invoices::gateway
