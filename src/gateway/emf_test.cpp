#include "invoices/gateway/emf.h"

#include <gtest/gtest.h>

#include <cmath>

namespace invoices::gateway {
namespace {

using core::Json;

const auto kTime = std::chrono::system_clock::time_point(
    std::chrono::milliseconds(1764547200123));

// The rules of the specification that CloudWatch applies before it extracts
// anything: checked on the parsed line, independently of how it was made.
void ExpectValidEmf(const Json& doc) {
  ASSERT_TRUE(doc.is_object());
  ASSERT_TRUE(doc.contains("_aws"));
  const Json& aws = doc["_aws"];
  ASSERT_TRUE(aws["Timestamp"].is_number_integer());
  ASSERT_TRUE(aws["CloudWatchMetrics"].is_array());
  ASSERT_FALSE(aws["CloudWatchMetrics"].empty());
  for (const Json& directive : aws["CloudWatchMetrics"]) {
    ASSERT_TRUE(directive["Namespace"].is_string());
    const auto ns = directive["Namespace"].get<std::string>();
    EXPECT_GE(ns.size(), 1u);
    EXPECT_LE(ns.size(), 255u);
    ASSERT_TRUE(directive["Dimensions"].is_array());
    for (const Json& set : directive["Dimensions"]) {
      ASSERT_TRUE(set.is_array());
      EXPECT_LE(set.size(), 30u);
      for (const Json& name : set) {
        ASSERT_TRUE(name.is_string());
        // A target member: a string value on the root.
        ASSERT_TRUE(doc.contains(name.get<std::string>())) << name;
        EXPECT_TRUE(doc[name.get<std::string>()].is_string()) << name;
      }
    }
    ASSERT_TRUE(directive["Metrics"].is_array());
    EXPECT_GE(directive["Metrics"].size(), 1u);
    EXPECT_LE(directive["Metrics"].size(), 100u);
    for (const Json& metric : directive["Metrics"]) {
      ASSERT_TRUE(metric["Name"].is_string());
      const auto name = metric["Name"].get<std::string>();
      ASSERT_TRUE(doc.contains(name)) << name;
      EXPECT_TRUE(doc[name].is_number()) << name;
      if (metric.contains("Unit")) {
        EXPECT_TRUE(metric["Unit"].is_string());
      }
    }
  }
}

TEST(EmfTest, RequestLineHasTheDocumentedShape) {
  const std::string line =
      EmfRequestLine("scan", "POST /scan", 412.5, 200, "req-1", kTime);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const Json doc = Json::parse(line);
  ExpectValidEmf(doc);
  EXPECT_EQ(doc["_aws"]["Timestamp"], 1764547200123);
  const Json& directive = doc["_aws"]["CloudWatchMetrics"][0];
  EXPECT_EQ(directive["Namespace"], "InvoicesServerless");
  EXPECT_EQ(directive["Dimensions"], Json::parse(R"([["Function","Route"]])"));
  EXPECT_EQ(directive["Metrics"], Json::parse(R"([
      {"Name": "Latency", "Unit": "Milliseconds"},
      {"Name": "4XXError", "Unit": "Count"},
      {"Name": "5XXError", "Unit": "Count"}])"));
  EXPECT_EQ(doc["Function"], "scan");
  EXPECT_EQ(doc["Route"], "POST /scan");
  EXPECT_EQ(doc["Latency"], 412.5);
  EXPECT_EQ(doc["4XXError"], 0);
  EXPECT_EQ(doc["5XXError"], 0);
  EXPECT_EQ(doc["status"], 200);
  EXPECT_EQ(doc["request_id"], "req-1");
}

TEST(EmfTest, ErrorsCountAsOneOfTheirClass) {
  const Json client = Json::parse(
      EmfRequestLine("invoices", "GET /invoices/{id}", 3, 404, "r", kTime));
  EXPECT_EQ(client["4XXError"], 1);
  EXPECT_EQ(client["5XXError"], 0);
  const Json server =
      Json::parse(EmfRequestLine("save", "POST /invoices", 3, 503, "r", kTime));
  EXPECT_EQ(server["4XXError"], 0);
  EXPECT_EQ(server["5XXError"], 1);
}

TEST(EmfTest, EmptyOrHostileValuesStillMakeAValidLine) {
  const std::string line =
      EmfRequestLine("", "", std::nan(""), 200, "a\n\"b\xff", kTime);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const Json doc = Json::parse(line);
  ExpectValidEmf(doc);
  EXPECT_EQ(doc["Function"], "unknown");
  EXPECT_EQ(doc["Route"], "$default");
  EXPECT_EQ(doc["Latency"], 0);
}

TEST(EmfTest, AnyEventWithinTheRules) {
  EmfEvent event;
  event.metric_namespace = "Custom";
  event.dimensions = {{"Service", "invoices"}};
  event.metrics = {{"Pages", "Count", 3}, {"Bytes", "Bytes", 1024}};
  event.properties = {{"trace", "abc"}};
  event.time = kTime;
  auto line = EmfLine(event);
  ASSERT_TRUE(line.has_value()) << line.error().ToString();
  const Json doc = Json::parse(*line);
  ExpectValidEmf(doc);
  EXPECT_EQ(doc["Pages"], 3);
  EXPECT_EQ(doc["trace"], "abc");

  // No dimensions: one empty dimension set.
  event.dimensions.clear();
  const Json plain = Json::parse(*EmfLine(event));
  ExpectValidEmf(plain);
  EXPECT_EQ(plain["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            Json::parse("[[]]"));
}

TEST(EmfTest, EventsThatBreakTheRulesAreRefused) {
  EmfEvent good;
  good.dimensions = {{"Function", "scan"}};
  good.metrics = {{"Latency", "Milliseconds", 1}};
  ASSERT_TRUE(EmfLine(good).has_value());

  auto refused = [&](auto change, const char* why) {
    EmfEvent e = good;
    change(e);
    auto line = EmfLine(e);
    ASSERT_FALSE(line.has_value()) << why;
    EXPECT_EQ(line.error().code(), core::ErrorCode::kInvalidArgument);
  };
  refused([](EmfEvent& e) { e.metrics.clear(); }, "no metric");
  refused(
      [](EmfEvent& e) {
        e.metrics.resize(101, {"x", "Count", 1});
      },
      "over 100 metrics");
  refused(
      [](EmfEvent& e) {
        for (int i = 0; i < 31; ++i) {
          e.dimensions.push_back({"d" + std::to_string(i), "v"});
        }
      },
      "over 30 dimensions");
  refused([](EmfEvent& e) { e.metrics[0].unit = "Millis"; }, "bad unit");
  refused([](EmfEvent& e) { e.metrics[0].value = INFINITY; }, "not finite");
  refused([](EmfEvent& e) { e.dimensions[0].second = ""; }, "empty value");
  refused([](EmfEvent& e) { e.dimensions[0].second = std::string(1025, 'x'); },
          "value too long");
  refused(
      [](EmfEvent& e) {
        e.metrics.push_back({"Function", "Count", 1});
      },
      "a metric named as a dimension");
  refused([](EmfEvent& e) { e.properties["Latency"] = 3; },
          "a property named as a metric");
  refused([](EmfEvent& e) { e.properties["_aws"] = 3; }, "_aws");
  refused([](EmfEvent& e) { e.metric_namespace = ""; }, "empty namespace");
}

}  // namespace
}  // namespace invoices::gateway
