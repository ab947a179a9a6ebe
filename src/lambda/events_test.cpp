#include "invoices/lambda/events.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "invoices/core/base64.h"
#include "invoices/extract/engine_pool.h"
#include "invoices/extract/ocr_engine.h"
#include "invoices/extract/scanner.h"
#include "invoices/functions/invoices.h"
#include "invoices/lambda/fake_runtime.h"
#include "invoices/store/invoice_repository.h"
#include "invoices/store/object_store.h"

namespace invoices::lambda {
namespace {

using core::ErrorCode;
using core::Json;
using functions::HttpRequest;
using functions::HttpResponse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using StringMap = std::map<std::string, std::string>;

std::string Fixture(const std::string& name) {
  std::ifstream in(
      std::string(INVOICES_SOURCE_DIR) + "/tests/fixtures/apigw-v2/" + name,
      std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// ---------------------------------------------------------------------------
// The fixtures: API Gateway HTTP API events as AWS documents them.

TEST(HttpApiFixtureTest, HealthzWithoutAuth) {
  auto r = ParseHttpApiEvent(Fixture("get-healthz.json"));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->route_key, "GET /healthz");
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->raw_path, "/healthz");
  EXPECT_EQ(r->raw_query_string, "");
  EXPECT_TRUE(r->query_parameters.empty());
  EXPECT_TRUE(r->path_parameters.empty());
  EXPECT_TRUE(r->claims.empty());
  EXPECT_EQ(r->request_id, "JKJaXmPLvHcESHA=");
  EXPECT_EQ(r->source_ip, "198.51.100.24");
  EXPECT_EQ(r->Header("user-agent"), "curl/8.5.0");
  EXPECT_EQ(r->body, "");
}

TEST(HttpApiFixtureTest, InvoicesWithJwtClaims) {
  auto r = ParseHttpApiEvent(Fixture("get-invoices-jwt.json"));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->route_key, "GET /invoices");
  EXPECT_EQ(r->raw_query_string,
            "limit=10&vendor=acme&vendor=acme+ltd&q=caf%C3%A9+bar");
  // API Gateway's own decoding, repeated parameters joined with commas.
  EXPECT_EQ(r->query_parameters, (StringMap{{"limit", "10"},
                                            {"q", "café bar"},
                                            {"vendor", "acme,acme ltd"}}));
  EXPECT_EQ(r->claims.at("sub"), "7d8ca528-4931-4254-9273-ea5ee853f271");
  EXPECT_EQ(r->claims.at("username"), "alice");
  EXPECT_EQ(r->claims.at("token_use"), "access");
  EXPECT_EQ(r->claims.at("cognito:groups"), "[admins users]");
  EXPECT_EQ(r->claims.size(), 13u);
  EXPECT_EQ(r->Header("cookie"), "theme=dark; session=abc123");
  EXPECT_EQ(r->Header("x-custom"), "one,two");
  EXPECT_THAT(std::string(r->Header("authorization")), HasSubstr("Bearer "));
}

TEST(HttpApiFixtureTest, InvoiceUnderANamedStage) {
  auto r = ParseHttpApiEvent(Fixture("get-invoice-stage.json"));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->route_key, "GET /invoices/{id}");
  EXPECT_EQ(r->raw_path, "/prod/invoices/01HRZ3Q9K7V2M4N6P8R0T2W4Y6");
  EXPECT_EQ(r->path_parameters,
            (StringMap{{"id", "01HRZ3Q9K7V2M4N6P8R0T2W4Y6"}}));
  EXPECT_EQ(r->claims.at("sub"), "b0b0b0b0-1111-2222-3333-444455556666");
  EXPECT_EQ(r->Header("if-none-match"), "\"3f1c\"");
  EXPECT_EQ(r->source_ip, "192.0.2.44");
}

TEST(HttpApiFixtureTest, ScanWithABase64Body) {
  auto r = ParseHttpApiEvent(Fixture("post-scan-base64.json"));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->route_key, "POST /scan");
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->Header("content-type"), "image/png");
  ASSERT_EQ(r->body.size(), 70u);  // decoded bytes, not base64 text
  EXPECT_EQ(r->body.substr(0, 8), "\x89PNG\r\n\x1a\n");
  EXPECT_EQ(r->body.substr(r->body.size() - 8), "IEND\xae\x42\x60\x82");
  EXPECT_EQ(r->claims.at("username"), "alice");
}

// ---------------------------------------------------------------------------
// What hand-written events lack.

TEST(ParseHttpApiEventTest, JoinsHeadersThatDifferOnlyInCase) {
  auto r = ParseHttpApiEvent(R"({"version": "2.0", "requestContext": {},
      "headers": {"Accept": "text/html", "accept": "application/json",
                  "X-Count": 3}})");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->Header("accept"), "text/html,application/json");
  EXPECT_EQ(r->Header("x-count"), "3");
}

TEST(ParseHttpApiEventTest, QueryFromTheRawQueryString) {
  auto r = ParseHttpApiEvent(R"({"version": "2.0", "requestContext": {},
      "rawQueryString": "a=1&a=2&b=x%20y+z&flag&=skip&c=%zz"})");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(
      r->query_parameters,
      (StringMap{{"a", "1,2"}, {"b", "x y z"}, {"flag", ""}, {"c", "%zz"}}));
}

TEST(ParseHttpApiEventTest, PathParametersFromTheRoute) {
  auto Params = [](const std::string& route, const std::string& path,
                   const std::string& stage) {
    Json e = {{"version", "2.0"},
              {"routeKey", route},
              {"rawPath", path},
              {"requestContext", {{"stage", stage}}}};
    auto r = ParseHttpApiEvent(e.dump());
    EXPECT_TRUE(r);
    return r ? r->path_parameters : StringMap{};
  };
  EXPECT_EQ(Params("GET /invoices/{id}", "/invoices/a%20b", "$default"),
            (StringMap{{"id", "a b"}}));
  EXPECT_EQ(
      Params("GET /invoices/{id}/picture", "/prod/invoices/7/picture", "prod"),
      (StringMap{{"id", "7"}}));
  EXPECT_EQ(Params("GET /{path+}", "/assets/app/main.js", "$default"),
            (StringMap{{"path", "assets/app/main.js"}}));
  // A custom domain: no stage in rawPath, though the stage is named.
  EXPECT_EQ(Params("GET /invoices/{id}", "/invoices/9", "prod"),
            (StringMap{{"id", "9"}}));
  // No parameters: $default, a literal route, a path that does not fit.
  EXPECT_TRUE(Params("$default", "/invoices/9", "$default").empty());
  EXPECT_TRUE(Params("GET /invoices", "/invoices", "$default").empty());
  EXPECT_TRUE(Params("GET /invoices/{id}", "/other/9", "$default").empty());
  EXPECT_TRUE(
      Params("GET /invoices/{id}", "/invoices/9/extra", "$default").empty());
}

TEST(ParseHttpApiEventTest, GivenPathParametersWin) {
  auto r = ParseHttpApiEvent(R"({"version": "2.0", "requestContext": {},
      "routeKey": "GET /invoices/{id}", "rawPath": "/invoices/raw",
      "pathParameters": {"id": "given"}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->path_parameters, (StringMap{{"id", "given"}}));
}

TEST(ParseHttpApiEventTest, RequestIdFallsBackToTheLambdaId) {
  auto r = ParseHttpApiEvent(R"({"version": "2.0", "requestContext": {}})",
                             "lambda-req-1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->request_id, "lambda-req-1");
}

TEST(ParseHttpApiEventTest, RefusesWhatIsNotAPayload20Event) {
  for (const char* text :
       {"", "not json", "[1, 2]", R"({"version": "1.0", "requestContext": {}})",
        R"({"version": "2.0"})",
        R"({"version": "2.0", "requestContext": {}, "body": "%%%",
            "isBase64Encoded": true})",
        R"({"version": "2.0", "requestContext": {"requestId": 7}})",
        R"({"version": "2.0", "requestContext": {}, "rawPath": ["/"]})"}) {
    auto r = ParseHttpApiEvent(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << text;
  }
}

// ---------------------------------------------------------------------------
// Responses.

TEST(HttpApiResponseTest, JsonTextBodyAndCookies) {
  HttpResponse response = functions::JsonResponse(201, {{"id", "7"}});
  response.headers["set-cookie"] = "session=abc; HttpOnly; Secure";
  response.headers["location"] = "/invoices/7";
  const Json j = Json::parse(HttpApiResponse(response));
  EXPECT_EQ(j["statusCode"], 201);
  EXPECT_EQ(j["isBase64Encoded"], false);
  EXPECT_EQ(Json::parse(j["body"].get<std::string>()), Json({{"id", "7"}}));
  EXPECT_EQ(j["headers"]["location"], "/invoices/7");
  EXPECT_EQ(j["headers"]["content-type"], "application/json");
  EXPECT_FALSE(j["headers"].contains("set-cookie"));
  EXPECT_EQ(j["cookies"], Json::array({"session=abc; HttpOnly; Secure"}));
}

TEST(HttpApiResponseTest, BinaryBodiesAreBase64) {
  HttpResponse response;
  response.headers["content-type"] = "image/jpeg";
  response.body = std::string("\xff\xd8\xff\xe0\x00\x10JFIF", 10);
  const Json j = Json::parse(HttpApiResponse(response));
  EXPECT_EQ(j["statusCode"], 200);
  EXPECT_EQ(j["isBase64Encoded"], true);
  EXPECT_EQ(core::Base64Decode(j["body"].get<std::string>()).value(),
            response.body);
  EXPECT_FALSE(j.contains("cookies"));
}

TEST(HttpApiResponseTest, TextThatIsNotUtf8TravelsAsBase64) {
  HttpResponse response;
  response.headers["content-type"] = "text/csv";
  response.body = "caf\xe9;1\n";  // Latin-1
  const Json j = Json::parse(HttpApiResponse(response));
  EXPECT_EQ(j["isBase64Encoded"], true);
  EXPECT_EQ(core::Base64Decode(j["body"].get<std::string>()).value(),
            response.body);
}

TEST(HttpApiResponseTest, StreamsAreDrained) {
  HttpResponse response;
  response.headers["content-type"] = "text/csv";
  response.body = "id\n";
  int chunk = 0;
  response.stream = [&](std::string& out) -> core::Result<bool> {
    out += std::to_string(++chunk) + "\n";
    return chunk < 3;
  };
  const Json j = Json::parse(HttpApiResponse(response));
  EXPECT_EQ(j["body"], "id\n1\n2\n3\n");
}

TEST(HttpApiHandlerTest, AnExceptionIsAnsweredAsTheGatewayAnswersIt) {
  FakeRuntime runtime;
  runtime.PushEvent(Fixture("get-healthz.json"));
  std::vector<std::string> logs;
  LoopOptions options;
  options.log = [&](std::string_view line) { logs.emplace_back(line); };
  RunLoop(runtime, HttpApiHandler([](const HttpRequest&) -> HttpResponse {
            throw std::logic_error("secret detail");
          }),
          options);
  ASSERT_EQ(runtime.posts().size(), 1u);
  EXPECT_EQ(runtime.posts()[0].kind, FakeRuntime::Post::Kind::kResponse);
  const Json j = Json::parse(runtime.posts()[0].body);
  EXPECT_EQ(j["statusCode"], 500);
  const Json body = Json::parse(j["body"].get<std::string>());
  EXPECT_EQ(body["error"]["code"], "internal");
  EXPECT_EQ(body["error"]["request_id"], "JKJaXmPLvHcESHA=");
  EXPECT_THAT(j["body"].get<std::string>(),
              ::testing::Not(HasSubstr("secret detail")));
  ASSERT_FALSE(logs.empty());
  EXPECT_THAT(logs[0], HasSubstr("secret detail"));
  EXPECT_EQ(Json::parse(logs[0])["request_id"], "req-1");
}

TEST(HttpApiHandlerTest, TheObserverSeesEveryAnsweredRequest) {
  FakeRuntime runtime;
  runtime.PushEvent(Fixture("get-healthz.json"));
  runtime.PushEvent("not an event");  // an invocation error: not observed
  runtime.PushEvent(Fixture("get-invoices-jwt.json"));
  struct Seen {
    std::string route_key, request_id;
    int status;
    double latency_ms;
  };
  std::vector<Seen> seen;
  LoopOptions options;
  options.max_invocations = 3;
  options.log = [](std::string_view) {};
  const Handler handler = HttpApiHandler(
      [](const HttpRequest& r) -> HttpResponse {
        if (r.route_key == "GET /healthz") {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          return functions::JsonResponse(200, {{"status", "ok"}});
        }
        throw std::runtime_error("boom");
      },
      [&](const HttpRequest& request, const HttpResponse& response,
          double latency_ms) {
        seen.push_back({request.route_key, request.request_id, response.status,
                        latency_ms});
      });
  EXPECT_EQ(RunLoop(runtime, handler, options), 0);
  ASSERT_EQ(runtime.posts().size(), 3u);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].route_key, "GET /healthz");
  EXPECT_EQ(seen[0].request_id, "JKJaXmPLvHcESHA=");
  EXPECT_EQ(seen[0].status, 200);
  EXPECT_GE(seen[0].latency_ms, 19.0);
  EXPECT_LT(seen[0].latency_ms, 5000.0);
  // A handler that threw is observed as what the client got: 500.
  EXPECT_EQ(seen[1].route_key, "GET /invoices");
  EXPECT_EQ(seen[1].status, 500);
  EXPECT_GE(seen[1].latency_ms, 0.0);
}

TEST(HttpApiHandlerTest, AnObserverThatThrowsDoesNotChangeTheResponse) {
  FakeRuntime runtime;
  runtime.PushEvent(Fixture("get-healthz.json"));
  std::vector<std::string> logs;
  LoopOptions options;
  options.max_invocations = 1;
  options.log = [&](std::string_view line) { logs.emplace_back(line); };
  RunLoop(runtime,
          HttpApiHandler(
              [](const HttpRequest&) {
                return functions::JsonResponse(200, {{"status", "ok"}});
              },
              [](const HttpRequest&, const HttpResponse&, double) {
                throw std::runtime_error("metrics down");
              }),
          options);
  ASSERT_EQ(runtime.posts().size(), 1u);
  EXPECT_EQ(runtime.posts()[0].kind, FakeRuntime::Post::Kind::kResponse);
  EXPECT_EQ(Json::parse(runtime.posts()[0].body)["statusCode"], 200);
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_THAT(logs[0], HasSubstr("metrics down"));
}

// The same event gives the same response through the handler called
// directly and through the Lambda loop (ARCHITECTURE.md's promise), with the
// real invoice function over a memory store.
class ParityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = extract::EnginePool::Create(1, [] {
      return core::Result<std::unique_ptr<extract::OcrEngine>>(
          extract::NewCannedEngine(extract::PageFromText("TOTAL 9.00\n")));
    });
    ASSERT_TRUE(pool);
    pool_ = std::move(*pool);
    scanner_ =
        std::make_unique<extract::Scanner>(*pool_, extract::ScannerOptions{});
    store_ = store::NewMemoryStore();
    repo_ = std::make_unique<store::InvoiceRepository>(
        *store_, store::RepositoryOptions{});
    function_ =
        std::make_unique<functions::InvoicesFunction>(*repo_, *scanner_);
  }

  // The response JSON through the loop.
  Json ThroughLoop(const std::string& event) {
    FakeRuntime runtime;
    runtime.PushEvent(event);
    LoopOptions options;
    options.max_invocations = 1;
    EXPECT_EQ(RunLoop(runtime, HttpApiHandler([this](const HttpRequest& r) {
                        return (*function_)(r);
                      }),
                      options),
              0);
    EXPECT_EQ(runtime.responses(), 1u);
    return runtime.posts().empty() ? Json()
                                   : Json::parse(runtime.posts()[0].body);
  }

  // The response JSON from the handler called directly.
  Json Direct(const std::string& event) {
    auto request = ParseHttpApiEvent(event);
    EXPECT_TRUE(request);
    return Json::parse(HttpApiResponse((*function_)(*request)));
  }

  std::unique_ptr<extract::EnginePool> pool_;
  std::unique_ptr<extract::Scanner> scanner_;
  std::unique_ptr<store::ObjectStore> store_;
  std::unique_ptr<store::InvoiceRepository> repo_;
  std::unique_ptr<functions::InvoicesFunction> function_;
};

TEST_F(ParityTest, ListingWithClaims) {
  const std::string event = Fixture("get-invoices-jwt.json");
  const Json loop = ThroughLoop(event);
  EXPECT_EQ(loop, Direct(event));
  EXPECT_EQ(loop["statusCode"], 200) << loop.dump();
  EXPECT_EQ(Json::parse(loop["body"].get<std::string>())["items"],
            Json::array());
}

TEST_F(ParityTest, SomeoneElsesInvoiceUnderAStage) {
  const std::string event = Fixture("get-invoice-stage.json");
  const Json loop = ThroughLoop(event);
  EXPECT_EQ(loop, Direct(event));
  EXPECT_EQ(loop["statusCode"], 404);
  EXPECT_EQ(Json::parse(loop["body"].get<std::string>())["error"]["request_id"],
            "JKJcFg2NvHcEMKw=");
}

TEST_F(ParityTest, NoClaimsIsUnauthenticated) {
  Json event = Json::parse(Fixture("get-invoices-jwt.json"));
  event["requestContext"].erase("authorizer");
  const Json loop = ThroughLoop(event.dump());
  EXPECT_EQ(loop, Direct(event.dump()));
  EXPECT_EQ(loop["statusCode"], 401);
}

// ---------------------------------------------------------------------------
// S3 event notifications.

// AWS's documented example record, with a second (removed) object and a key
// that needs decoding.
constexpr char kS3Event[] = R"({
  "Records": [
    {
      "eventVersion": "2.1",
      "eventSource": "aws:s3",
      "awsRegion": "us-east-1",
      "eventTime": "2024-03-14T09:20:00.000Z",
      "eventName": "ObjectCreated:Put",
      "userIdentity": {"principalId": "AWS:AIDAJDPLRKLG7UEXAMPLE"},
      "requestParameters": {"sourceIPAddress": "127.0.0.1"},
      "responseElements": {
        "x-amz-request-id": "C3D13FE58DE4C810",
        "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"
      },
      "s3": {
        "s3SchemaVersion": "1.0",
        "configurationId": "scan-uploads",
        "bucket": {
          "name": "invoices-uploads",
          "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
          "arn": "arn:aws:s3:::invoices-uploads"
        },
        "object": {
          "key": "users/alice/inbox/Caf%C3%A9+receipt+%2825%25%29.jpg",
          "size": 1024,
          "eTag": "d41d8cd98f00b204e9800998ecf8427e",
          "versionId": "096fKKXTRTtl3on89fVO.nfljtsv6qko",
          "sequencer": "0055AED6DCD90281E5"
        }
      }
    },
    {
      "eventVersion": "2.1",
      "eventSource": "aws:s3",
      "eventName": "ObjectRemoved:Delete",
      "s3": {"bucket": {"name": "invoices-uploads"},
             "object": {"key": "users/alice/inbox/old.jpg"}}
    },
    {
      "eventVersion": "2.1",
      "eventSource": "aws:s3",
      "eventName": "ObjectCreated:CompleteMultipartUpload",
      "s3": {"bucket": {"name": "other-bucket"},
             "object": {"key": "big.pdf"}}
    }
  ]
})";

TEST(ParseS3EventTest, CreatedObjectsWithDecodedKeys) {
  auto objects = ParseS3Event(kS3Event);
  ASSERT_TRUE(objects) << objects.error().ToString();
  ASSERT_EQ(objects->size(), 2u);
  const S3Object& first = (*objects)[0];
  EXPECT_EQ(first.bucket, "invoices-uploads");
  EXPECT_EQ(first.key, "users/alice/inbox/Café receipt (25%).jpg");
  EXPECT_EQ(first.event_name, "ObjectCreated:Put");
  EXPECT_EQ(first.size, 1024);
  EXPECT_EQ(first.etag, "d41d8cd98f00b204e9800998ecf8427e");
  const S3Object& second = (*objects)[1];
  EXPECT_EQ(second.bucket, "other-bucket");
  EXPECT_EQ(second.key, "big.pdf");
  EXPECT_EQ(second.event_name, "ObjectCreated:CompleteMultipartUpload");
  EXPECT_EQ(second.size, -1);
}

TEST(ParseS3EventTest, TestEventsAndOtherRecordsGiveNothing) {
  auto test = ParseS3Event(R"({"Service": "Amazon S3", "Event":
      "s3:TestEvent", "Time": "2024-03-14T09:00:00.000Z",
      "Bucket": "invoices-uploads", "RequestId": "5582815E1AEA5ADF"})");
  ASSERT_TRUE(test);
  EXPECT_TRUE(test->empty());
  auto removed = ParseS3Event(R"({"Records": [{"eventName":
      "ObjectRemoved:Delete", "s3": {}}]})");
  ASSERT_TRUE(removed);
  EXPECT_TRUE(removed->empty());
  // The "s3:" prefix of the configuration syntax is accepted too.
  auto prefixed = ParseS3Event(R"({"Records": [{"eventName":
      "s3:ObjectCreated:Copy", "s3": {"bucket": {"name": "b"},
      "object": {"key": "k"}}}]})");
  ASSERT_TRUE(prefixed);
  ASSERT_EQ(prefixed->size(), 1u);
  EXPECT_EQ((*prefixed)[0].event_name, "ObjectCreated:Copy");
}

TEST(ParseS3EventTest, RefusesMalformedEvents) {
  for (const char* text : {
           "",
           "nope",
           "[]",
           R"({"version": "2.0"})",
           R"({"Records": {}})",
           R"({"Records": [{"eventName": "ObjectCreated:Put", "s3": {}}]})",
           R"({"Records": [{"eventName": "ObjectCreated:Put",
               "s3": {"bucket": {"name": "b"}, "object": {"key": 7}}}]})",
           R"({"Records": [{"eventName": "ObjectCreated:Put",
               "s3": {"bucket": {"name": "b"}, "object": {"key": "a%2"}}}]})",
       }) {
    auto r = ParseS3Event(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << text;
  }
}

TEST(DecodeS3KeyTest, PlusIsASpaceAndEscapesAreBytes) {
  EXPECT_EQ(DecodeS3Key("a+b%2Bc%2fd").value(), "a b+c/d");
  EXPECT_EQ(DecodeS3Key("%E2%82%AC").value(), "\xe2\x82\xac");
  EXPECT_FALSE(DecodeS3Key("100%"));
  EXPECT_FALSE(DecodeS3Key("%g0"));
}

}  // namespace
}  // namespace invoices::lambda
