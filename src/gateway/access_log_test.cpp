#include "invoices/gateway/access_log.h"

#include <gtest/gtest.h>

#include "invoices/core/extraction.h"

namespace invoices::gateway {
namespace {

TEST(AccessLogTest, OneJsonObjectPerLineWithTheRecord) {
  AccessLogRecord r;
  r.request_id = "req-1";
  r.method = "POST";
  r.path = "/invoices";
  r.route_key = "POST /invoices";
  r.source_ip = "127.0.0.1";
  r.user = "sub-1";
  r.status = 201;
  r.latency_ms = 12.3456;
  r.bytes_in = 1000;
  r.bytes_out = 200;
  const std::string line = AccessLogLine(
      r, std::chrono::system_clock::time_point(std::chrono::milliseconds(
             1543104000123)));  // 2018-11-25T00:00:00.123Z
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const core::Json j = core::Json::parse(line);
  EXPECT_EQ(j["time"], "2018-11-25T00:00:00.123Z");
  EXPECT_EQ(j["route"], "POST /invoices");
  EXPECT_EQ(j["status"], 201);
  EXPECT_EQ(j["user"], "sub-1");
  EXPECT_DOUBLE_EQ(j["latency_ms"].get<double>(), 12.35);
  EXPECT_EQ(j["bytes_in"], 1000);
  EXPECT_FALSE(j.contains("error"));
}

TEST(AccessLogTest, HostilePathsCannotBreakTheLine) {
  AccessLogRecord r;
  r.path = "/a\n{\"forged\": true}\xff";
  r.error = "boom\r\n";
  const std::string line = AccessLogLine(r, std::chrono::system_clock::now());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const core::Json j = core::Json::parse(line);
  EXPECT_FALSE(j.contains("forged"));
  EXPECT_EQ(j["error"], "boom\r\n");
  EXPECT_FALSE(j.contains("user"));
}

}  // namespace
}  // namespace invoices::gateway
