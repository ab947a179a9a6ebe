#include "invoices/gateway/access_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

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
  // No handler ran, nothing was throttled: neither is logged.
  EXPECT_FALSE(j.contains("function_ms"));
  EXPECT_FALSE(j.contains("throttled"));
}

TEST(AccessLogTest, TextIsValidJsonWhateverTheBytes) {
  AccessLogRecord r;
  // Valid UTF-8 is kept; each byte of a broken sequence (overlong, a
  // surrogate, truncated, a stray continuation) becomes U+FFFD; control
  // characters are escaped.
  r.path =
      "/caf\xc3\xa9/\xf0\x9f\xa7\xbe/\xc0\xaf/\xed\xa0\x80/\xe2\x82/"
      "\x80/a\x01\x7f\"\\b";
  const std::string line = AccessLogLine(r, {});
  const core::Json j = core::Json::parse(line);
  const std::string bad = "\xef\xbf\xbd";
  EXPECT_EQ(j["path"], "/caf\xc3\xa9/\xf0\x9f\xa7\xbe/" + bad + bad + "/" +
                           bad + bad + bad + "/" + bad + bad + "/" + bad +
                           "/a\x01\x7f\"\\b");
  EXPECT_EQ(line.find('\x01'), std::string::npos);
}

TEST(AccessLogTest, FunctionTimeAndThrottlingWhenThereAreAny) {
  AccessLogRecord r;
  r.status = 200;
  r.function_ms = 401.234;
  EXPECT_DOUBLE_EQ(
      core::Json::parse(AccessLogLine(r, {}))["function_ms"].get<double>(),
      401.23);
  AccessLogRecord t;
  t.status = 429;
  t.throttled = "client";
  EXPECT_EQ(core::Json::parse(AccessLogLine(t, {}))["throttled"], "client");
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

TEST(AccessLogTest, TheSinkWritesEveryLineWholeFromManyThreads) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  FILE* out = ::fdopen(fds[1], "w");
  ASSERT_NE(out, nullptr);
  // More than a pipe holds: the writer must wait for the reader, and the
  // callers must not.
  std::string read;
  std::thread reader([&] {
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
      read.append(buf, n);
  });
  {
    auto sink = NewJsonLinesAccessLog(out);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&sink, t] {
        for (int i = 0; i < 500; ++i) {
          AccessLogRecord r;
          r.request_id = std::to_string(t) + "-" + std::to_string(i);
          r.path = "/invoices/" + std::string(200, 'x');
          r.status = 200;
          sink(r);
        }
      });
    }
    for (auto& th : threads) th.join();
  }  // the last copy of the sink: everything pending is written
  std::fclose(out);
  reader.join();
  ::close(fds[0]);
  std::set<std::string> ids;
  std::istringstream lines(read);
  for (std::string line; std::getline(lines, line);) {
    const core::Json j = core::Json::parse(line);
    ids.insert(j["request_id"].get<std::string>());
  }
  EXPECT_EQ(ids.size(), 2000u);
}

}  // namespace
}  // namespace invoices::gateway
