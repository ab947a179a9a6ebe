#include "invoices/functions/http.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace invoices::functions {
namespace {

TEST(HttpEventTest, ParsesPayload20WithBase64Body) {
  const core::Json event = core::Json::parse(R"({
    "version": "2.0", "routeKey": "POST /scan", "rawPath": "/scan",
    "rawQueryString": "file=r.jpg",
    "headers": {"Content-Type": "image/jpeg", "x-request-id": "abc"},
    "queryStringParameters": {"file": "r.jpg"},
    "requestContext": {"requestId": "req-1",
      "http": {"method": "POST", "path": "/scan", "sourceIp": "10.0.0.1"},
      "authorizer": {"jwt": {"claims": {"sub": "user-1"}, "scopes": null}}},
    "body": "/9j/", "isBase64Encoded": true})");
  auto r = RequestFromEvent(event);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->route_key, "POST /scan");
  EXPECT_EQ(r->Header("content-type"), "image/jpeg");
  EXPECT_EQ(r->body, "\xff\xd8\xff");
  EXPECT_EQ(r->claims.at("sub"), "user-1");
  EXPECT_EQ(r->query_parameters.at("file"), "r.jpg");
  EXPECT_EQ(r->request_id, "req-1");
  EXPECT_EQ(r->source_ip, "10.0.0.1");
}

TEST(HttpEventTest, RoundTripsThroughEvent) {
  HttpRequest r;
  r.route_key = "POST /scan";
  r.method = "POST";
  r.raw_path = "/scan";
  r.headers["content-type"] = "image/png";
  r.body = std::string("\x89PNG\0\x01", 6);
  r.request_id = "id-9";
  auto back = RequestFromEvent(RequestToEvent(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->body, r.body);
  EXPECT_EQ(back->headers, r.headers);
  EXPECT_EQ(RequestToEvent(r)["isBase64Encoded"], true);
}

TEST(HttpEventTest, RefusesOtherEvents) {
  EXPECT_FALSE(RequestFromEvent(core::Json::parse(R"({"version": "1.0"})")));
  EXPECT_FALSE(RequestFromEvent(core::Json::parse(R"([1, 2])")));
  EXPECT_FALSE(RequestFromEvent(core::Json::parse(
      R"({"version": "2.0", "requestContext": {}, "body": "!!",
          "isBase64Encoded": true})")));
}

// Found by tests/fuzz/http_event_fuzz.cpp: a member of the wrong type made
// RequestFromEvent throw nlohmann's type_error out of the module.
TEST(HttpEventTest, MembersOfTheWrongTypeAreInvalidNotThrown) {
  for (
      const char* event : {
          R"({"version": 2, "requestContext": {}})",
          R"({"version": "2.0", "requestContext": {}, "rawPath": 7})",
          R"({"version": "2.0", "requestContext": {}, "rawQueryString": {}})",
          R"({"version": "2.0", "requestContext": {}, "routeKey": []})",
          R"({"version": "2.0", "requestContext": {"requestId": 1}})",
          R"({"version": "2.0", "requestContext": {"http": {"method": 1}}})",
          R"({"version": "2.0", "requestContext": {"http": {"sourceIp": {}}}})",
          R"({"version": "2.0", "requestContext": {}, "body": "e30=",
               "isBase64Encoded": "true"})",
      }) {
    core::Result<HttpRequest> r = core::InvalidArgument("unset");
    ASSERT_NO_THROW(r = RequestFromEvent(core::Json::parse(event))) << event;
    ASSERT_FALSE(r) << event;
    EXPECT_EQ(r.error().code(), core::ErrorCode::kInvalidArgument) << event;
  }
  // Null is absent: the defaults apply.
  auto r = RequestFromEvent(core::Json::parse(
      R"({"version": "2.0", "requestContext": {"requestId": null},
          "rawPath": null, "routeKey": null, "isBase64Encoded": null,
          "body": "x"})"));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->raw_path, "/");
  EXPECT_EQ(r->route_key, "$default");
  EXPECT_EQ(r->body, "x");
}

TEST(HttpResponseTest, ErrorShapeAndStatus) {
  HttpResponse r = ErrorResponse(
      core::Error(core::ErrorCode::kTooLarge, "too many pixels"), "req-7");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers["content-type"], "application/json");
  const core::Json body = core::Json::parse(r.body);
  EXPECT_EQ(body["error"]["code"], "too_large");
  EXPECT_EQ(body["error"]["message"], "too many pixels");
  EXPECT_EQ(body["error"]["request_id"], "req-7");
}

TEST(HttpResponseTest, BinaryBodiesAreBase64ForLambda) {
  HttpResponse r;
  r.headers["content-type"] = "image/jpeg";
  r.body = "\xff\xd8";
  const core::Json j = ResponseToJson(r);
  EXPECT_EQ(j["isBase64Encoded"], true);
  EXPECT_EQ(j["body"], "/9g=");
  EXPECT_EQ(ResponseToJson(JsonResponse(200, {{"a", 1}}))["body"],
            R"({"a":1})");
}

TEST(HttpResponseTest, StreamedBodiesAreDrainedForLambda) {
  HttpResponse r;
  r.headers["content-type"] = "text/csv";
  r.body = "head\n";
  auto calls = std::make_shared<int>(0);
  r.stream = [calls](std::string& chunk) -> core::Result<bool> {
    chunk += "row" + std::to_string(++*calls) + "\n";
    return *calls < 3;
  };
  const core::Json j = ResponseToJson(r);
  EXPECT_EQ(j["statusCode"], 200);
  EXPECT_EQ(j["isBase64Encoded"], false);
  EXPECT_EQ(j["body"], "head\nrow1\nrow2\nrow3\n");
  EXPECT_EQ(*calls, 3);

  HttpResponse copy = r;
  *calls = 0;
  ASSERT_TRUE(DrainStream(copy));
  EXPECT_FALSE(copy.stream);
  EXPECT_EQ(copy.body, "head\nrow1\nrow2\nrow3\n");
  EXPECT_TRUE(DrainStream(copy));  // no stream: nothing to do

  // A failing stream cannot be half-sent to Lambda: it becomes the error.
  HttpResponse failing;
  failing.stream = [](std::string& chunk) -> core::Result<bool> {
    chunk += "partial";
    return core::Unavailable("store down");
  };
  const core::Json e = ResponseToJson(failing);
  EXPECT_EQ(e["statusCode"], 503);
  EXPECT_EQ(core::Json::parse(e["body"].get<std::string>())["error"]["code"],
            "unavailable");
  HttpResponse throwing;
  throwing.stream = [](std::string&) -> core::Result<bool> {
    throw std::runtime_error("boom");
  };
  EXPECT_EQ(ResponseToJson(throwing)["statusCode"], 500);
}

}  // namespace
}  // namespace invoices::functions
