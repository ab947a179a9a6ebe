// The libcurl transport against a real HTTP server on loopback that plays the
// Runtime API, so the HTTP path (URLs, headers, bodies, keep-alive, status
// codes) is proven, not only the loop's logic.
#include "invoices/lambda/runtime.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "invoices/core/extraction.h"
#include "invoices/core/strings.h"
#include "invoices/lambda/loop.h"

namespace invoices::lambda {
namespace {

using core::ErrorCode;
using core::Json;
using ::testing::HasSubstr;

// A loopback HTTP/1.1 server (keep-alive, Content-Length bodies) answering
// as the Runtime API: GET .../invocation/next takes the next queued answer
// (500 when none is left), every POST is answered with post_status (202).
// Requests are recorded.
class RuntimeApiServer {
 public:
  struct Request {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
  };
  struct Answer {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
  };

  RuntimeApiServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~RuntimeApiServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  void QueueNext(Answer answer) {
    std::lock_guard lock(mu_);
    next_.push_back(std::move(answer));
  }
  // An invocation as Lambda sends it.
  void QueueInvocation(const std::string& id, const std::string& event,
                       const std::string& trace_id = "") {
    const auto deadline = std::chrono::duration_cast<std::chrono::milliseconds>(
        (std::chrono::system_clock::now() + std::chrono::minutes(1))
            .time_since_epoch());
    Answer a;
    a.headers = {
        {"Content-Type", "application/json"},
        {"Lambda-Runtime-Aws-Request-Id", id},
        {"Lambda-Runtime-Deadline-Ms", std::to_string(deadline.count())},
        {"Lambda-Runtime-Invoked-Function-Arn",
         "arn:aws:lambda:us-east-1:123456789012:function:scan"}};
    if (!trace_id.empty()) {
      a.headers.emplace_back("Lambda-Runtime-Trace-Id", trace_id);
    }
    a.body = event;
    QueueNext(std::move(a));
  }
  void set_post_status(int status) { post_status_ = status; }

  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  int connections() const { return connections_.load(); }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      const int client = accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      ++connections_;
      Serve(client);
      close(client);
    }
  }

  // Reads until `buffer` holds `size` bytes; false on EOF or stop.
  bool Fill(int client, std::string& buffer, size_t size) {
    char chunk[65536];
    while (buffer.size() < size) {
      pollfd c{client, POLLIN, 0};
      const int ready = poll(&c, 1, 20);
      if (stop_) return false;
      if (ready <= 0) continue;
      const ssize_t n = read(client, chunk, sizeof chunk);
      if (n <= 0) return false;
      buffer.append(chunk, n);
    }
    return true;
  }

  void Serve(int client) {
    std::string buffer;
    for (;;) {
      size_t head_end;
      while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        if (!Fill(client, buffer, buffer.size() + 1)) return;
      }
      Request request;
      const std::string head = buffer.substr(0, head_end);
      size_t line_end = head.find("\r\n");
      const std::string request_line = head.substr(0, line_end);
      const size_t sp1 = request_line.find(' ');
      const size_t sp2 = request_line.find(' ', sp1 + 1);
      request.method = request_line.substr(0, sp1);
      request.path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
      while (line_end != std::string::npos && line_end < head.size()) {
        const size_t start = line_end + 2;
        line_end = head.find("\r\n", start);
        const std::string line = head.substr(
            start, line_end == std::string::npos ? std::string::npos
                                                 : line_end - start);
        const size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        request.headers[core::AsciiLower(line.substr(0, colon))] = value;
      }
      size_t length = 0;
      if (auto it = request.headers.find("content-length");
          it != request.headers.end()) {
        length = std::stoul(it->second);
      }
      if (!Fill(client, buffer, head_end + 4 + length)) return;
      request.body = buffer.substr(head_end + 4, length);
      buffer.erase(0, head_end + 4 + length);

      Answer answer;
      {
        std::lock_guard lock(mu_);
        requests_.push_back(request);
        if (request.method == "GET" &&
            request.path == "/2018-06-01/runtime/invocation/next") {
          if (next_.empty()) {
            answer = {500, {}, R"({"errorMessage":"no more invocations"})"};
          } else {
            answer = std::move(next_.front());
            next_.pop_front();
          }
        } else if (request.method == "POST") {
          answer = {post_status_.load(), {}, R"({"status":"OK"})"};
        } else {
          answer = {404, {}, "{}"};
        }
      }
      std::string out = "HTTP/1.1 " + std::to_string(answer.status) + " X\r\n";
      for (const auto& [name, value] : answer.headers) {
        out += name + ": " + value + "\r\n";
      }
      out += "Content-Length: " + std::to_string(answer.body.size()) +
             "\r\n\r\n" + answer.body;
      size_t sent = 0;
      while (sent < out.size()) {
        const ssize_t n =
            send(client, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += n;
      }
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> post_status_{202};
  std::mutex mu_;
  std::deque<Answer> next_;
  std::vector<Request> requests_;
  std::thread thread_;
};

TEST(ErrorDocumentTest, IsWhatLambdaExpects) {
  const Json doc = Json::parse(ErrorDocument(
      core::Error(ErrorCode::kInvalidArgument, "the body is empty")));
  EXPECT_EQ(doc["errorMessage"], "the body is empty");
  EXPECT_EQ(doc["errorType"], "invalid_argument");
  ASSERT_TRUE(doc["stackTrace"].is_array());
  EXPECT_TRUE(doc["stackTrace"].empty());
  // Bytes that are not UTF-8 (from a request) do not break the document.
  EXPECT_TRUE(Json::accept(ErrorDocument(
      core::Error(ErrorCode::kInternal, std::string("bad \xff byte")))));
}

TEST(CurlRuntimeTest, NextReadsTheInvocation) {
  RuntimeApiServer server;
  RuntimeApiServer::Answer a;
  a.headers = {
      {"Lambda-Runtime-Aws-Request-Id", "8476a536-e9f4-11e8-9739-2dfe598c3fcd"},
      {"Lambda-Runtime-Deadline-Ms", "1542409706888"},
      {"Lambda-Runtime-Invoked-Function-Arn",
       "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime"},
      {"Lambda-Runtime-Trace-Id",
       "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent="
       "9a9197af755a6419;Sampled=1"},
      {"Lambda-Runtime-Client-Context", R"({"client":{"app":"x"}})"},
      {"Lambda-Runtime-Cognito-Identity",
       R"({"cognitoIdentityId":"us-east-1:123"})"}};
  // A large event with bytes beyond ASCII arrives whole.
  a.body = R"({"name":"Zoë","pad":")" + std::string(300000, 'x') + "\"}";
  server.QueueNext(a);

  auto runtime = NewCurlRuntime(server.host());
  auto invocation = runtime->Next();
  ASSERT_TRUE(invocation) << invocation.error().ToString();
  EXPECT_EQ(invocation->request_id, "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
  EXPECT_EQ(invocation->deadline,
            std::chrono::system_clock::time_point(
                std::chrono::milliseconds(1542409706888)));
  EXPECT_EQ(invocation->invoked_function_arn,
            "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime");
  EXPECT_EQ(invocation->trace_id,
            "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;"
            "Sampled=1");
  EXPECT_EQ(invocation->client_context, R"({"client":{"app":"x"}})");
  EXPECT_EQ(invocation->cognito_identity,
            R"({"cognitoIdentityId":"us-east-1:123"})");
  EXPECT_EQ(invocation->event, a.body);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, "/2018-06-01/runtime/invocation/next");
}

TEST(CurlRuntimeTest, NextWithoutADeadlineHasNone) {
  RuntimeApiServer server;
  server.QueueNext({200, {{"Lambda-Runtime-Aws-Request-Id", "r1"}}, "{}"});
  server.QueueNext({200,
                    {{"Lambda-Runtime-Aws-Request-Id", "r2"},
                     {"Lambda-Runtime-Deadline-Ms", "soon"}},
                    "{}"});
  auto runtime = NewCurlRuntime(server.host());
  for (const char* id : {"r1", "r2"}) {
    auto invocation = runtime->Next();
    ASSERT_TRUE(invocation) << invocation.error().ToString();
    EXPECT_EQ(invocation->request_id, id);
    EXPECT_EQ(invocation->deadline,
              std::chrono::system_clock::time_point::max());
    EXPECT_EQ(invocation->trace_id, "");
  }
}

TEST(CurlRuntimeTest, NextFailures) {
  RuntimeApiServer server;
  server.QueueNext({200, {}, "{}"});  // no request id
  server.QueueNext({403, {}, R"({"errorType":"Forbidden"})"});
  auto runtime = NewCurlRuntime(server.host());

  auto no_id = runtime->Next();
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().code(), ErrorCode::kInternal);
  auto forbidden = runtime->Next();
  ASSERT_FALSE(forbidden);
  EXPECT_EQ(forbidden.error().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(forbidden.error().message(), HasSubstr("403"));
  auto gone = runtime->Next();  // the server's 500
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code(), ErrorCode::kUnavailable);

  auto unset = NewCurlRuntime("")->Next();
  ASSERT_FALSE(unset);
  EXPECT_EQ(unset.error().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(unset.error().message(), HasSubstr(kRuntimeApiEnv));

  int port;
  {
    RuntimeApiServer closed;
    port = std::stoi(closed.host().substr(closed.host().find(':') + 1));
  }
  auto refused = NewCurlRuntime("127.0.0.1:" + std::to_string(port))->Next();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
}

TEST(CurlRuntimeTest, PostsResponsesErrorsAndInitErrors) {
  RuntimeApiServer server;
  auto runtime = NewCurlRuntime(server.host());
  // Over 1 MB: no "Expect: 100-continue" round trip, the bytes intact.
  std::string big = R"({"body":")" + std::string(1500000, 'b') + "\"}";
  ASSERT_TRUE(runtime->PostResponse("id-1", big));
  ASSERT_TRUE(runtime->PostError(
      "id-2", core::Error(ErrorCode::kNotFound, "no such invoice")));
  ASSERT_TRUE(runtime->PostInitError(
      core::Error(ErrorCode::kInvalidArgument, "INVOICES_STORE is malformed")));

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/2018-06-01/runtime/invocation/id-1/response");
  EXPECT_EQ(requests[0].body, big);
  EXPECT_EQ(requests[0].headers.count("expect"), 0u);
  EXPECT_EQ(requests[0].headers.count("lambda-runtime-function-error-type"),
            0u);

  EXPECT_EQ(requests[1].path, "/2018-06-01/runtime/invocation/id-2/error");
  EXPECT_EQ(requests[1].headers.at("lambda-runtime-function-error-type"),
            "Function.not_found");
  const Json error = Json::parse(requests[1].body);
  EXPECT_EQ(error["errorMessage"], "no such invoice");
  EXPECT_EQ(error["errorType"], "not_found");
  EXPECT_EQ(error["stackTrace"], Json::array());

  EXPECT_EQ(requests[2].path, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(requests[2].headers.at("lambda-runtime-function-error-type"),
            "Runtime.invalid_argument");
  EXPECT_EQ(Json::parse(requests[2].body)["errorType"], "invalid_argument");

  // One connection, kept alive for every call.
  EXPECT_EQ(server.connections(), 1);
}

TEST(CurlRuntimeTest, RefusedPostsMapToTheErrorVocabulary) {
  RuntimeApiServer server;
  auto runtime = NewCurlRuntime(server.host());
  server.set_post_status(413);
  auto too_large = runtime->PostResponse("id", "{}");
  ASSERT_FALSE(too_large);
  EXPECT_EQ(too_large.error().code(), ErrorCode::kTooLarge);
  server.set_post_status(500);
  auto failed = runtime->PostError("id", core::Error(ErrorCode::kInternal, ""));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), ErrorCode::kUnavailable);
  server.set_post_status(400);
  auto refused = runtime->PostResponse("id", "{}");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
}

TEST(CurlRuntimeTest, RequestIdsStayInTheirPathSegment) {
  RuntimeApiServer server;
  auto runtime = NewCurlRuntime(server.host());
  ASSERT_TRUE(runtime->PostResponse("a/b?c", "{}"));
  EXPECT_EQ(server.requests().at(0).path,
            "/2018-06-01/runtime/invocation/a%2Fb%3Fc/response");
}

// The loop over real HTTP: success, a handler error and an exception are
// each answered, the trace id is published, and the loop ends when the
// Runtime API fails.
TEST(CurlRuntimeTest, RunLoopOverHttp) {
  RuntimeApiServer server;
  server.QueueInvocation("ok", R"({"n":1})", "Root=1-aaaa;Sampled=1");
  server.QueueInvocation("bad", R"({"n":2})");
  server.QueueInvocation("throws", R"({"n":3})");
  auto runtime = NewCurlRuntime(server.host());

  std::vector<std::string> logs;
  LoopOptions options;
  options.log = [&](std::string_view line) { logs.emplace_back(line); };
  const int exit_code = RunLoop(
      *runtime,
      [](std::string_view event,
         const InvocationContext& context) -> core::Result<std::string> {
        const int n = Json::parse(event)["n"];
        if (n == 2) return core::NotFound("no invoice 2");
        if (n == 3) throw std::runtime_error("boom");
        EXPECT_GT(context.RemainingTime(), std::chrono::seconds(30));
        const char* trace = std::getenv(kTraceIdEnv);
        return Json{{"trace", trace ? trace : ""}}.dump();
      },
      options);
  EXPECT_EQ(exit_code, core::ExitCode(ErrorCode::kUnavailable));
  EXPECT_NE(exit_code, 0);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 7u);  // 4 next (the last fails), 3 posts
  EXPECT_EQ(requests[1].path, "/2018-06-01/runtime/invocation/ok/response");
  EXPECT_EQ(Json::parse(requests[1].body)["trace"], "Root=1-aaaa;Sampled=1");
  EXPECT_EQ(requests[3].path, "/2018-06-01/runtime/invocation/bad/error");
  EXPECT_EQ(requests[3].headers.at("lambda-runtime-function-error-type"),
            "Function.not_found");
  EXPECT_EQ(requests[5].path, "/2018-06-01/runtime/invocation/throws/error");
  const Json thrown = Json::parse(requests[5].body);
  EXPECT_EQ(thrown["errorType"], "internal");
  EXPECT_THAT(thrown["errorMessage"].get<std::string>(), HasSubstr("boom"));
  EXPECT_EQ(requests[6].path, "/2018-06-01/runtime/invocation/next");
  EXPECT_EQ(server.connections(), 1);
  ASSERT_FALSE(logs.empty());
  EXPECT_THAT(logs.back(), HasSubstr("next invocation"));
}

}  // namespace
}  // namespace invoices::lambda
