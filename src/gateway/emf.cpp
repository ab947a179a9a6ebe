#include "invoices/gateway/emf.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

namespace invoices::gateway {
namespace {

// CloudWatch's StandardUnit values.
constexpr std::array<std::string_view, 27> kUnits = {"Seconds",
                                                     "Microseconds",
                                                     "Milliseconds",
                                                     "Bytes",
                                                     "Kilobytes",
                                                     "Megabytes",
                                                     "Gigabytes",
                                                     "Terabytes",
                                                     "Bits",
                                                     "Kilobits",
                                                     "Megabits",
                                                     "Gigabits",
                                                     "Terabits",
                                                     "Percent",
                                                     "Count",
                                                     "Bytes/Second",
                                                     "Kilobytes/Second",
                                                     "Megabytes/Second",
                                                     "Gigabytes/Second",
                                                     "Terabytes/Second",
                                                     "Bits/Second",
                                                     "Kilobits/Second",
                                                     "Megabits/Second",
                                                     "Gigabits/Second",
                                                     "Terabits/Second",
                                                     "Count/Second",
                                                     "None"};

constexpr size_t kMaxDimensions = 30;
constexpr size_t kMaxMetrics = 100;
constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxDimensionValue = 1024;

// Each root member may be claimed once: a dimension, a metric or a property.
bool Claim(std::set<std::string>& names, const std::string& name) {
  return name != "_aws" && names.insert(name).second;
}

}  // namespace

core::Result<std::string> EmfLine(const EmfEvent& event) {
  if (event.metric_namespace.empty() ||
      event.metric_namespace.size() > kMaxNameLength) {
    return core::InvalidArgument(
        "EMF: the namespace must have 1..255 "
        "characters");
  }
  if (event.dimensions.size() > kMaxDimensions) {
    return core::InvalidArgument("EMF: at most 30 dimensions");
  }
  if (event.metrics.empty() || event.metrics.size() > kMaxMetrics) {
    return core::InvalidArgument("EMF: 1..100 metrics");
  }
  std::set<std::string> names;
  core::Json root = core::Json::object();
  core::Json dimension_set = core::Json::array();
  for (const auto& [name, value] : event.dimensions) {
    if (name.empty() || name.size() > kMaxNameLength || !Claim(names, name)) {
      return core::InvalidArgument("EMF: bad or repeated dimension name '" +
                                   name + "'");
    }
    if (value.empty() || value.size() > kMaxDimensionValue) {
      return core::InvalidArgument("EMF: dimension '" + name +
                                   "' needs a value of 1..1024 characters");
    }
    dimension_set.push_back(name);
    root[name] = value;
  }
  core::Json definitions = core::Json::array();
  for (const EmfMetric& m : event.metrics) {
    if (m.name.empty() || m.name.size() > kMaxNameLength ||
        !Claim(names, m.name)) {
      return core::InvalidArgument("EMF: bad or repeated metric name '" +
                                   m.name + "'");
    }
    if (std::find(kUnits.begin(), kUnits.end(), m.unit) == kUnits.end()) {
      return core::InvalidArgument("EMF: '" + m.unit +
                                   "' is not a CloudWatch unit");
    }
    if (!std::isfinite(m.value)) {
      return core::InvalidArgument("EMF: metric '" + m.name +
                                   "' is not a finite number");
    }
    definitions.push_back({{"Name", m.name}, {"Unit", m.unit}});
    root[m.name] = m.value;
  }
  for (const auto& [name, value] : event.properties) {
    if (!Claim(names, name)) {
      return core::InvalidArgument("EMF: property '" + name +
                                   "' clashes with a dimension, a metric or "
                                   "_aws");
    }
    root[name] = value;
  }
  core::Json directive = {{"Namespace", event.metric_namespace},
                          {"Dimensions", core::Json::array()},
                          {"Metrics", std::move(definitions)}};
  // Without dimensions this is one empty dimension set, which the
  // specification allows: metrics of the namespace as a whole.
  directive["Dimensions"].push_back(std::move(dimension_set));
  root["_aws"] = {
      {"Timestamp", std::chrono::duration_cast<std::chrono::milliseconds>(
                        event.time.time_since_epoch())
                        .count()},
      {"CloudWatchMetrics", core::Json::array({std::move(directive)})}};
  // Values come from requests: never let them break the line.
  return root.dump(-1, ' ', false, core::Json::error_handler_t::replace);
}

std::string EmfRequestLine(std::string_view function, std::string_view route,
                           double latency_ms, int status,
                           std::string_view request_id,
                           std::chrono::system_clock::time_point now) {
  auto value = [](std::string_view v, std::string_view fallback) {
    return std::string(v.empty() ? fallback : v.substr(0, kMaxDimensionValue));
  };
  EmfEvent event;
  event.dimensions = {{"Function", value(function, "unknown")},
                      {"Route", value(route, "$default")}};
  event.metrics = {
      {"Latency", "Milliseconds", std::isfinite(latency_ms) ? latency_ms : 0},
      {"4XXError", "Count", status >= 400 && status < 500 ? 1.0 : 0.0},
      {"5XXError", "Count", status >= 500 ? 1.0 : 0.0}};
  event.properties = {{"status", status},
                      {"request_id", std::string(request_id)}};
  event.time = now;
  // Every rule holds by construction.
  return *EmfLine(event);
}

}  // namespace invoices::gateway
