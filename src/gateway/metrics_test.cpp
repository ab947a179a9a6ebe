#include "invoices/gateway/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace invoices::gateway {
namespace {

using ::testing::HasSubstr;

AccessLogRecord Record(std::string route, int status, double ms) {
  AccessLogRecord r;
  r.route_key = std::move(route);
  r.status = status;
  r.latency_ms = ms;
  r.bytes_in = 10;
  r.bytes_out = 20;
  return r;
}

TEST(MetricsTest, CountsHistogramsAndGaugesInPrometheusText) {
  Metrics m;
  m.Record(Record("POST /scan", 200, 300));
  m.Record(Record("POST /scan", 200, 40));
  m.Record(Record("POST /scan", 413, 2));
  m.Record(Record("", 404, 0.5));
  const std::string text = m.Prometheus({{"invoices_ocr_queue_depth", 3}});
  EXPECT_THAT(
      text,
      HasSubstr(
          "invoices_requests_total{route=\"POST /scan\",status=\"2xx\"} 2\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "invoices_requests_total{route=\"POST /scan\",status=\"4xx\"} 1\n"));
  EXPECT_THAT(
      text,
      HasSubstr("invoices_requests_total{route=\"\",status=\"4xx\"} 1\n"));
  // Cumulative buckets: 2 ms and 40 ms are <= 50; 300 ms only from 500 on.
  EXPECT_THAT(text,
              HasSubstr("invoices_request_duration_ms_bucket{route=\"POST "
                        "/scan\",le=\"50\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("invoices_request_duration_ms_bucket{route=\"POST "
                        "/scan\",le=\"250\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("invoices_request_duration_ms_bucket{route=\"POST "
                        "/scan\",le=\"500\"} 3\n"));
  EXPECT_THAT(text,
              HasSubstr("invoices_request_duration_ms_bucket{route=\"POST "
                        "/scan\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "invoices_request_duration_ms_sum{route=\"POST /scan\"} 342\n"));
  EXPECT_THAT(text, HasSubstr("invoices_request_bytes_total{route=\"POST "
                              "/scan\",direction=\"out\"} 60\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE invoices_ocr_queue_depth gauge\n"
                              "invoices_ocr_queue_depth 3\n"));
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  Metrics m;
  m.Record(Record("GET /a\"b\\c\nd", 200, 1));
  EXPECT_THAT(m.Prometheus({}), HasSubstr("route=\"GET /a\\\"b\\\\c\\nd\""));
}

}  // namespace
}  // namespace invoices::gateway
