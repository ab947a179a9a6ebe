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

TEST(MetricsTest, FunctionTimeOnlyForRequestsThatReachedTheHandler) {
  Metrics m;
  AccessLogRecord scan = Record("POST /scan", 200, 450);
  scan.function_ms = 400;  // the rest: upload and waiting for a worker
  m.Record(scan);
  m.Record(Record("POST /scan", 401, 1));  // answered by the authorizer
  const std::string text = m.Prometheus({});
  EXPECT_THAT(text, HasSubstr("# TYPE invoices_function_duration_ms "
                              "histogram\n"));
  EXPECT_THAT(text, HasSubstr("invoices_function_duration_ms_bucket{route="
                              "\"POST /scan\",le=\"250\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("invoices_function_duration_ms_bucket{route="
                              "\"POST /scan\",le=\"500\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("invoices_function_duration_ms_count{route="
                              "\"POST /scan\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("invoices_function_duration_ms_sum{route="
                              "\"POST /scan\"} 400\n"));
  EXPECT_THAT(text, HasSubstr("invoices_request_duration_ms_count{route="
                              "\"POST /scan\"} 2\n"));
}

TEST(MetricsTest, ThrottledRequestsByRouteAndLimit) {
  Metrics m;
  for (const char* limit : {"client", "client", "global"}) {
    AccessLogRecord r = Record("GET /invoices", 429, 0.1);
    r.throttled = limit;
    m.Record(r);
  }
  m.Record(Record("GET /invoices", 200, 3));
  const std::string text = m.Prometheus({});
  EXPECT_THAT(text, HasSubstr("invoices_throttled_requests_total{route=\"GET "
                              "/invoices\",limit=\"client\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("invoices_throttled_requests_total{route=\"GET "
                              "/invoices\",limit=\"global\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("invoices_requests_total{route=\"GET "
                              "/invoices\",status=\"4xx\"} 3\n"));
}

TEST(MetricsTest, FamiliesFromElsewhereAreAppended) {
  Metrics m;
  MetricFamily errors{"invoices_store_errors_total",
                      "Store operations that failed.",
                      "counter",
                      {{{{"op", "get"}, {"code", "not_found"}}, 3},
                       {{{"op", "put"}, {"code", "un\"avail"}}, 1}}};
  const std::string text = m.Prometheus({}, {errors});
  EXPECT_THAT(text,
              HasSubstr("# HELP invoices_store_errors_total Store operations "
                        "that failed.\n# TYPE invoices_store_errors_total "
                        "counter\n"
                        "invoices_store_errors_total{code=\"not_found\","
                        "op=\"get\"} 3\n"
                        "invoices_store_errors_total{code=\"un\\\"avail\","
                        "op=\"put\"} 1\n"));
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  Metrics m;
  m.Record(Record("GET /a\"b\\c\nd", 200, 1));
  EXPECT_THAT(m.Prometheus({}), HasSubstr("route=\"GET /a\\\"b\\\\c\\nd\""));
}

}  // namespace
}  // namespace invoices::gateway
