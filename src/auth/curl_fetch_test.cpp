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
#include <mutex>
#include <string>
#include <thread>

#include "invoices/auth/jwt.h"
#include "invoices/auth/keys.h"
#include "invoices/auth/verifier.h"

namespace invoices::auth {
namespace {

using core::ErrorCode;
using core::Json;
using ::testing::HasSubstr;

// A loopback HTTP server that answers every request with one canned
// response, or, when the response is empty, reads the request and never
// answers (to test timeouts).
class TestHttpServer {
 public:
  explicit TestHttpServer(std::string response)
      : response_(std::move(response)) {
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
  ~TestHttpServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string last_request() {
    std::lock_guard lock(mu_);
    return last_request_;
  }
  int requests() const { return requests_.load(); }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      const int client = accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        pollfd c{client, POLLIN, 0};
        if (poll(&c, 1, 1000) <= 0) break;
        const ssize_t n = read(client, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, n);
      }
      {
        std::lock_guard lock(mu_);
        last_request_ = request;
      }
      ++requests_;
      if (response_.empty()) {
        while (!stop_)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
      } else {
        size_t sent = 0;
        while (sent < response_.size()) {
          const ssize_t n = send(client, response_.data() + sent,
                                 response_.size() - sent, MSG_NOSIGNAL);
          if (n <= 0) break;
          sent += n;
        }
      }
      close(client);
    }
  }

  const std::string response_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::string last_request_;
  std::thread thread_;
};

std::string Response(int status, const std::string& body,
                     bool chunked = false) {
  std::string head = "HTTP/1.1 " + std::to_string(status) +
                     " X\r\nContent-Type: application/json\r\n"
                     "Connection: close\r\n";
  if (chunked) {
    char size[32];
    snprintf(size, sizeof size, "%zx", body.size());
    return head + "Transfer-Encoding: chunked\r\n\r\n" + size + "\r\n" + body +
           "\r\n0\r\n\r\n";
  }
  return head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body;
}

TEST(CurlFetchTest, ReturnsTheBodyOfA200) {
  TestHttpServer server(Response(200, R"({"keys":[]})"));
  auto body = NewCurlFetch()(server.Url("/.well-known/jwks.json"));
  ASSERT_TRUE(body) << body.error().ToString();
  EXPECT_EQ(*body, R"({"keys":[]})");
  EXPECT_THAT(server.last_request(),
              HasSubstr("GET /.well-known/jwks.json HTTP/1.1"));
  EXPECT_THAT(server.last_request(), HasSubstr("Accept: application/json"));
}

TEST(CurlFetchTest, OtherStatusesAreUnavailable) {
  for (int status : {404, 500, 302}) {
    TestHttpServer server(Response(status, "{}"));
    auto body = NewCurlFetch()(server.Url("/jwks"));
    ASSERT_FALSE(body) << status;
    EXPECT_EQ(body.error().code(), ErrorCode::kUnavailable);
    EXPECT_THAT(body.error().message(),
                HasSubstr("HTTP status " + std::to_string(status)));
  }
}

TEST(CurlFetchTest, BodiesBeyondTheLimitAreTooLarge) {
  const std::string big(5000, 'x');
  for (bool chunked : {false, true}) {
    TestHttpServer server(Response(200, big, chunked));
    auto body = NewCurlFetch({.max_body_bytes = 1000})(server.Url("/jwks"));
    ASSERT_FALSE(body) << chunked;
    EXPECT_EQ(body.error().code(), ErrorCode::kTooLarge);
  }
}

TEST(CurlFetchTest, TimesOut) {
  TestHttpServer server("");  // never answers
  const auto start = std::chrono::steady_clock::now();
  auto body = NewCurlFetch({.timeout_ms = 300})(server.Url("/jwks"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code(), ErrorCode::kUnavailable);
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(CurlFetchTest, RefusedConnectionIsUnavailable) {
  std::string url;
  {
    TestHttpServer server(Response(200, "{}"));
    url = server.Url("/jwks");
  }  // closed: nothing listens on the port any more
  auto body = NewCurlFetch()(url);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code(), ErrorCode::kUnavailable);
}

TEST(CurlFetchTest, OnlyHttpAndHttps) {
  for (const char* url :
       {"file:///etc/passwd", "ftp://example.com/jwks", "gopher://x", ""}) {
    auto body = NewCurlFetch()(url);
    ASSERT_FALSE(body) << url;
    EXPECT_EQ(body.error().code(), ErrorCode::kInvalidArgument);
  }
}

// The whole path as `invoices serve` will run it against an external issuer:
// JWKS over HTTP, cached, used by the verifier.
TEST(CurlFetchTest, VerifierWithJwksFromAUrl) {
  const PrivateKey key = *PrivateKey::Generate();
  const Json jwks = {{"keys", {key.public_key().ToJwk("kid-1")}}};
  TestHttpServer server(Response(200, jwks.dump()));
  const std::string issuer = server.Url("");
  auto keys = NewJwksUrlKeySource({.url = server.Url("/.well-known/jwks.json")},
                                  NewCurlFetch(), SystemClock());
  TokenVerifier verifier({.issuer = issuer, .audiences = {"app"}}, *keys);
  const int64_t now = SystemClock()();
  const Json claims = {{"sub", "u1"},       {"iss", issuer},    {"aud", "app"},
                       {"token_use", "id"}, {"exp", now + 600}, {"iat", now}};
  for (int i = 0; i < 3; ++i) {
    auto verified = verifier.Verify(*SignJwt(claims, key, "kid-1"));
    ASSERT_TRUE(verified) << verified.error().ToString();
    EXPECT_EQ(verified->subject, "u1");
  }
  EXPECT_EQ(server.requests(), 1);
}

}  // namespace
}  // namespace invoices::auth
