// CloudWatch Embedded Metric Format (EMF): metrics written as one JSON log
// line, which CloudWatch Logs turns into CloudWatch metrics by itself. In
// Lambda, printing the line on standard output is all it takes (no agent, no
// PutMetricData call). This is how the functions of the AWS deployment report
// what `invoices serve` shows at /metrics.
//
// The document (the specification's names; a sketch):
//   {"_aws": {"Timestamp": <ms since the epoch>,
//             "CloudWatchMetrics": [{"Namespace": "InvoicesServerless",
//                                    "Dimensions": [["Function", "Route"]],
//                                    "Metrics": [{"Name": "Latency",
//                                                 "Unit": "Milliseconds"}]}]},
//    "Function": "scan", "Route": "POST /scan", "Latency": 412.5}
// Dimension values and metric values are members of the root object, next to
// any other properties (searchable in CloudWatch Logs Insights, not metrics).
//
// Nothing here depends on the server or the Lambda runtime: the Lambda loop
// (or `invoices lambda`) calls EmfRequestLine after each invocation and
// prints the line. Thread safety: pure functions.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "invoices/core/error.h"
#include "invoices/core/extraction.h"

namespace invoices::gateway {

inline constexpr std::string_view kEmfNamespace = "InvoicesServerless";

struct EmfMetric {
  std::string name;  // 1..255 characters; a member of the root object
  // A CloudWatch unit: "Milliseconds", "Count", "Bytes", "None", ... (the
  // StandardUnit names).
  std::string unit = "None";
  double value = 0;
};

struct EmfEvent {
  std::string metric_namespace{kEmfNamespace};
  // One dimension set, in order: (name, value); at most 30. Values are
  // strings of 1..1024 characters.
  std::vector<std::pair<std::string, std::string>> dimensions;
  std::vector<EmfMetric> metrics;  // 1..100, distinct names
  // Other members of the root: log fields, not metrics. Must not collide
  // with a dimension or metric name, nor be "_aws".
  std::map<std::string, core::Json> properties;
  std::chrono::system_clock::time_point time;
};

// The event as one line of JSON (no newline). invalid_argument when the event
// breaks a rule of the specification (above), so that a bad line is caught
// where it is made rather than silently dropped by CloudWatch.
core::Result<std::string> EmfLine(const EmfEvent& event);

// The line for one answered API request of a Lambda function, with the
// dimensions Function and Route (one dimension set) and the metrics of API
// Gateway's own: Latency (Milliseconds), 4XXError and 5XXError (Count, 0 or
// 1, so their Sum is the number of errors and their Average the error rate).
// `request_id` and `status` are properties. `function` and `route` must not
// be empty ("scan", "POST /scan"); an unrouted request is "$default".
std::string EmfRequestLine(std::string_view function, std::string_view route,
                           double latency_ms, int status,
                           std::string_view request_id,
                           std::chrono::system_clock::time_point now);

}  // namespace invoices::gateway
