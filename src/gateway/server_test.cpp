#include "invoices/gateway/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "invoices/gateway/throttle.h"

namespace invoices::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using functions::HttpRequest;
using functions::HttpResponse;
using Response = http::response<http::string_body>;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::string Str(beast::string_view s) {
  return std::string(s.data(), s.size());
}

// A blocking HTTP client over a real TCP connection, with a deadline on
// every read so that a misbehaving server fails the test instead of hanging
// it. (Not beast::tcp_stream: its timeouts close the socket, and a test must
// be able to wait for a while and then carry on.)
class Client {
 public:
  explicit Client(int port) : socket_(ioc_), timer_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::address_v4::loopback(),
                                  static_cast<unsigned short>(port)));
  }

  void WriteRaw(std::string_view bytes) {
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()));
  }

  void Write(http::request<http::string_body> req) {
    req.prepare_payload();
    http::write(socket_, req);
  }

  // One response, or nullopt on error or timeout (see last_error()).
  // `head`: the answer to a HEAD request, whose body is not sent.
  std::optional<Response> Read(std::chrono::milliseconds timeout = 5s,
                               bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    parser.skip(head);
    error_code_ = RunFor(timeout, [&](auto done) {
      http::async_read(socket_, buffer_, parser,
                       [done](beast::error_code ec, size_t) { done(ec); });
    });
    if (error_code_) return std::nullopt;
    return parser.release();
  }

  std::optional<Response> Send(
      http::verb method, std::string target, std::string body = "",
      std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::request<http::string_body> req(method, target, 11);
    req.set(http::field::host, "localhost");
    for (auto& [k, v] : headers) req.insert(k, v);
    req.body() = std::move(body);
    Write(std::move(req));
    return Read(5s, method == http::verb::head);
  }

  // True when the server closes the connection (EOF or reset) within
  // `timeout`; bytes still arriving before that are ignored.
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    buffer_.consume(buffer_.size());
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return false;
      char buf[1024];
      const beast::error_code ec = RunFor(left, [&](auto done) {
        socket_.async_read_some(
            asio::buffer(buf),
            [done](beast::error_code ec, size_t) { done(ec); });
      });
      if (ec == asio::error::operation_aborted) return false;  // timed out
      if (ec) return true;
    }
  }

  // Every byte until the server closes the connection (or `timeout`
  // passes), including any already buffered.
  std::string ReadUntilClosed(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string out = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return out;
      char buf[4096];
      size_t got = 0;
      const beast::error_code ec = RunFor(left, [&](auto done) {
        socket_.async_read_some(asio::buffer(buf),
                                [done, &got](beast::error_code ec, size_t n) {
                                  got = n;
                                  done(ec);
                                });
      });
      out.append(buf, got);
      if (ec) return out;
    }
  }

  beast::error_code last_error() const { return error_code_; }

 private:
  // Starts `start(done)` and runs until it calls done(ec) or `timeout`
  // passes (then the operation is cancelled: operation_aborted).
  template <class Start>
  beast::error_code RunFor(std::chrono::milliseconds timeout, Start start) {
    std::optional<beast::error_code> result;
    timer_.expires_after(timeout);
    timer_.async_wait([this](beast::error_code ec) {
      if (!ec) socket_.cancel();
    });
    start([&result, this](beast::error_code ec) {
      result = ec;
      timer_.cancel();
    });
    ioc_.restart();
    ioc_.run();  // both handlers have run when it returns
    return *result;
  }

  asio::io_context ioc_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  beast::error_code error_code_;
};

core::Json Json(const Response& r) {
  return core::Json::parse(r.body(), nullptr, /*allow_exceptions=*/false);
}

HttpResponse Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers["content-type"] = "text/plain";
  r.body = std::move(body);
  return r;
}

Handler Reply(std::string body) {
  return [body](const HttpRequest&) { return Text(200, body); };
}

ServerOptions TestOptions() {
  ServerOptions o;
  o.port = 0;
  o.io_threads = 2;
  return o;
}

std::unique_ptr<Server> StartOrDie(ServerOptions options,
                                   std::vector<Route> routes) {
  auto server = Server::Start(std::move(options), std::move(routes));
  if (!server) {
    ADD_FAILURE() << server.error().ToString();
    return nullptr;
  }
  return std::move(*server);
}

// Releases handlers blocked on it; safe to wait on from many threads.
class Gate {
 public:
  void Open() { promise_.set_value(); }
  void Wait() const { future_.wait(); }

 private:
  std::promise<void> promise_;
  std::shared_future<void> future_ = promise_.get_future().share();
};

template <class Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}

// ---------------------------------------------------------------------------

TEST(ServerTest, ConvertsTheRequestToPayloadV2) {
  std::mutex mu;
  HttpRequest seen;
  auto server =
      StartOrDie(TestOptions(),
                 {{"POST", "/invoices/{id}/picture", [&](const HttpRequest& r) {
                     std::lock_guard lock(mu);
                     seen = r;
                     HttpResponse res = Text(201, "stored");
                     res.headers["x-custom"] = "yes";
                     return res;
                   }}});
  ASSERT_TRUE(server);
  ASSERT_GT(server->port(), 0);

  Client client(server->port());
  auto res = client.Send(
      http::verb::post, "/invoices/in%20v-1/picture?b=2&a=x+y&a=%41&flag",
      "the body",
      {{"X-Thing", "one"}, {"x-thing", "two"}, {"Content-Type", "image/png"}});
  ASSERT_TRUE(res) << client.last_error().message();
  EXPECT_EQ(res->result_int(), 201);
  EXPECT_EQ(res->body(), "stored");
  EXPECT_EQ(Str((*res)["x-custom"]), "yes");
  EXPECT_EQ(Str((*res)["content-type"]), "text/plain");
  EXPECT_EQ(Str((*res)[http::field::content_length]), "6");

  std::lock_guard lock(mu);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.route_key, "POST /invoices/{id}/picture");
  EXPECT_EQ(seen.raw_path, "/invoices/in%20v-1/picture");
  EXPECT_EQ(seen.raw_query_string, "b=2&a=x+y&a=%41&flag");
  EXPECT_EQ(seen.query_parameters,
            (std::map<std::string, std::string>{
                {"a", "x y,A"}, {"b", "2"}, {"flag", ""}}));
  EXPECT_EQ(seen.path_parameters,
            (std::map<std::string, std::string>{{"id", "in v-1"}}));
  EXPECT_EQ(seen.Header("x-thing"), "one,two");
  EXPECT_EQ(seen.Header("content-type"), "image/png");
  EXPECT_EQ(seen.Header("host"), "localhost");
  EXPECT_EQ(seen.body, "the body");
  EXPECT_EQ(seen.source_ip, "127.0.0.1");
  EXPECT_FALSE(seen.request_id.empty());
  EXPECT_EQ(Str((*res)["x-request-id"]), seen.request_id);
}

TEST(ServerTest, LiteralSegmentWinsOverParameter) {
  auto server = StartOrDie(
      TestOptions(), {{"GET", "/invoices/{id}",
                       [](const HttpRequest& r) {
                         return Text(200, "id=" + r.path_parameters.at("id"));
                       }},
                      {"GET", "/invoices/search", Reply("search")},
                      {"GET", "/", Reply("root")}});
  ASSERT_TRUE(server);
  Client client(server->port());
  EXPECT_EQ(client.Send(http::verb::get, "/invoices/search")->body(), "search");
  EXPECT_EQ(client.Send(http::verb::get, "/invoices/42")->body(), "id=42");
  EXPECT_EQ(client.Send(http::verb::get, "/")->body(), "root");
  // A parameter never matches an empty segment.
  EXPECT_EQ(client.Send(http::verb::get, "/invoices/")->result_int(), 404);
  EXPECT_EQ(client.Send(http::verb::get, "/invoices/1/x")->result_int(), 404);
}

TEST(ServerTest, UnknownPathIs404InTheErrorShape) {
  auto server = StartOrDie(TestOptions(), {{"GET", "/scan", Reply("x")}});
  ASSERT_TRUE(server);
  Client client(server->port());
  auto res = client.Send(http::verb::get, "/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 404);
  EXPECT_EQ(Str((*res)[http::field::content_type]), "application/json");
  const auto body = Json(*res);
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_FALSE(Str((*res)["x-request-id"]).empty());
  EXPECT_EQ(body["error"]["request_id"], Str((*res)["x-request-id"]));
}

TEST(ServerTest, KnownPathWrongMethodIs405WithAllow) {
  auto server =
      StartOrDie(TestOptions(), {{"GET", "/invoices/{id}", Reply("get")},
                                 {"delete", "/invoices/{id}", Reply("del")}});
  ASSERT_TRUE(server);
  Client client(server->port());
  auto res = client.Send(http::verb::post, "/invoices/7");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 405);
  EXPECT_EQ(Str((*res)[http::field::allow]), "DELETE, GET");
  EXPECT_TRUE(Json(*res).contains("error"));
  // The route's method was upper-cased.
  EXPECT_EQ(client.Send(http::verb::delete_, "/invoices/7")->body(), "del");
}

TEST(ServerTest, BodyOverTheLimitIs413AndCloses) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1000;
  std::atomic<int> calls{0};
  auto server = StartOrDie(options, {{"POST", "/scan", [&](const auto&) {
                                        ++calls;
                                        return Text(200, "ok");
                                      }}});
  ASSERT_TRUE(server);
  {
    Client client(server->port());
    auto ok = client.Send(http::verb::post, "/scan", std::string(1000, 'a'));
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->result_int(), 200);
    auto res = client.Send(http::verb::post, "/scan", std::string(1001, 'a'));
    ASSERT_TRUE(res) << client.last_error().message();
    EXPECT_EQ(res->result_int(), 413);
    EXPECT_EQ(Json(*res)["error"]["code"], "too_large");
    EXPECT_FALSE(res->keep_alive());
    EXPECT_TRUE(client.ClosedWithin(3s));
  }
  {
    // Answered before the body is read, yet the client, still sending a
    // large body, gets the answer rather than a reset.
    Client client(server->port());
    auto res =
        client.Send(http::verb::post, "/scan", std::string(4 << 20, 'a'));
    ASSERT_TRUE(res) << client.last_error().message();
    EXPECT_EQ(res->result_int(), 413);
  }
  {
    // A chunked body has no length up front: the limit cuts it while
    // reading.
    Client client(server->port());
    client.WriteRaw(
        "POST /scan HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string chunk(600, 'b');
    client.WriteRaw("258\r\n" + chunk + "\r\n");
    client.WriteRaw("258\r\n" + chunk + "\r\n0\r\n\r\n");
    auto res = client.Read();
    ASSERT_TRUE(res) << client.last_error().message();
    EXPECT_EQ(res->result_int(), 413);
    EXPECT_TRUE(client.ClosedWithin(3s));
  }
  EXPECT_EQ(calls.load(), 1);
}

TEST(ServerTest, ExpectContinueGets100ThenTheAnswer) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 100;
  auto server =
      StartOrDie(options, {{"POST", "/scan", [](const HttpRequest& r) {
                              return Text(200, "got " + r.body);
                            }}});
  ASSERT_TRUE(server);
  Client client(server->port());
  client.WriteRaw(
      "POST /scan HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
      "Content-Length: 5\r\n\r\n");
  auto interim = client.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->result_int(), 100);
  client.WriteRaw("hello");
  auto res = client.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200);
  EXPECT_EQ(res->body(), "got hello");

  // Too large: refused before the client sends the body.
  client.WriteRaw(
      "POST /scan HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
      "Content-Length: 101\r\n\r\n");
  auto refused = client.Read();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 413);
}

TEST(ServerTest, MalformedHttpIs400AndCloses) {
  auto server = StartOrDie(TestOptions(), {{"GET", "/scan", Reply("x")}});
  ASSERT_TRUE(server);
  Client client(server->port());
  client.WriteRaw("GET /scan HTTP/1.1\r\nThis is not a header\r\n\r\n");
  auto res = client.Read();
  ASSERT_TRUE(res) << client.last_error().message();
  EXPECT_EQ(res->result_int(), 400);
  EXPECT_EQ(Json(*res)["error"]["code"], "invalid_argument");
  EXPECT_FALSE(Str((*res)["x-request-id"]).empty());
  EXPECT_TRUE(client.ClosedWithin(3s));

  Client bad_target(server->port());
  bad_target.WriteRaw("GET * HTTP/1.1\r\nHost: x\r\n\r\n");
  auto res2 = bad_target.Read();
  ASSERT_TRUE(res2);
  EXPECT_EQ(res2->result_int(), 400);
}

TEST(ServerTest, HeaderOverTheLimitIs431) {
  ServerOptions options = TestOptions();
  options.max_header_bytes = 1024;
  auto server = StartOrDie(options, {{"GET", "/scan", Reply("x")}});
  ASSERT_TRUE(server);
  Client client(server->port());
  client.WriteRaw("GET /scan HTTP/1.1\r\nHost: x\r\nX-Big: " +
                  std::string(2000, 'h') + "\r\n\r\n");
  auto res = client.Read();
  ASSERT_TRUE(res) << client.last_error().message();
  EXPECT_EQ(res->result_int(), 431);
  EXPECT_EQ(Json(*res)["error"]["code"], "too_large");
  EXPECT_TRUE(client.ClosedWithin(3s));
}

TEST(ServerTest, ThrowingHandlerIs500AndTheServerKeepsServing) {
  std::mutex mu;
  std::vector<AccessLogRecord> log;
  ServerOptions options = TestOptions();
  options.access_log = [&](const AccessLogRecord& r) {
    std::lock_guard lock(mu);
    log.push_back(r);
  };
  auto server = StartOrDie(
      options,
      {{"GET", "/boom",
        [](const HttpRequest&) -> HttpResponse {
          throw std::runtime_error("secret detail");
        }},
       {"GET", "/weird", [](const HttpRequest&) { return Text(42, "?"); }},
       {"GET", "/ok", Reply("fine")}});
  ASSERT_TRUE(server);
  Client client(server->port());
  auto res = client.Send(http::verb::get, "/boom");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 500);
  EXPECT_EQ(Json(*res)["error"]["code"], "internal");
  EXPECT_THAT(res->body(), ::testing::Not(HasSubstr("secret")));
  // The same connection, then a new one.
  EXPECT_EQ(client.Send(http::verb::get, "/ok")->body(), "fine");
  EXPECT_EQ(client.Send(http::verb::get, "/weird")->result_int(), 500);
  Client other(server->port());
  EXPECT_EQ(other.Send(http::verb::get, "/ok")->body(), "fine");

  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mu);
    return log.size() == 4;
  }));
  std::lock_guard lock(mu);
  EXPECT_EQ(log[0].status, 500);
  EXPECT_EQ(log[0].error, "secret detail");
  EXPECT_EQ(log[0].route_key, "GET /boom");
  EXPECT_EQ(log[1].status, 200);
  EXPECT_EQ(log[1].bytes_out, 4u);
  EXPECT_EQ(log[1].path, "/ok");
  EXPECT_EQ(log[1].method, "GET");
  EXPECT_EQ(log[1].source_ip, "127.0.0.1");
  EXPECT_TRUE(log[1].error.empty());
  // The last two may be logged in either order: two connections.
  const auto& weird = log[2].route_key == "GET /weird" ? log[2] : log[3];
  EXPECT_EQ(weird.route_key, "GET /weird");
  EXPECT_THAT(weird.error, HasSubstr("status 42"));
}

TEST(ServerTest, KeepAliveReusesOneConnectionAndHonoursClose) {
  auto server = StartOrDie(
      TestOptions(), {{"GET", "/a", Reply("a")}, {"POST", "/b", Reply("b")}});
  ASSERT_TRUE(server);
  Client client(server->port());
  auto first = client.Send(http::verb::get, "/a");
  auto second = client.Send(http::verb::post, "/b", "x");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body(), "a");
  EXPECT_EQ(second->body(), "b");
  EXPECT_TRUE(second->keep_alive());
  EXPECT_EQ(server->stats().open_connections, 1u);
  // Counted once the response is written: the client may read it first.
  EXPECT_TRUE(Eventually([&] { return server->stats().requests == 2; }));

  auto last = client.Send(http::verb::get, "/a", "", {{"Connection", "close"}});
  ASSERT_TRUE(last);
  EXPECT_FALSE(last->keep_alive());
  EXPECT_TRUE(client.ClosedWithin(3s));
  EXPECT_TRUE(
      Eventually([&] { return server->stats().open_connections == 0; }));
}

TEST(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  auto server = StartOrDie(
      TestOptions(), {{"GET", "/a", Reply("a")}, {"GET", "/b", Reply("b")}});
  ASSERT_TRUE(server);
  Client client(server->port());
  client.WriteRaw(
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  auto a = client.Read();
  auto b = client.Read();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->body(), "a");
  EXPECT_EQ(b->body(), "b");
}

TEST(ServerTest, ManyConcurrentConnectionsOnTwoIoThreads) {
  auto server =
      StartOrDie(TestOptions(), {{"GET", "/n/{n}", [](const HttpRequest& r) {
                                    return Text(200, r.path_parameters.at("n"));
                                  }}});
  ASSERT_TRUE(server);
  constexpr int kClients = 64;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(server->port()));
  }
  EXPECT_TRUE(
      Eventually([&] { return server->stats().open_connections == kClients; }));
  for (int round = 0; round < 3; ++round) {
    // Every connection has a request in flight before any answer is read.
    for (int i = 0; i < kClients; ++i) {
      clients[i]->WriteRaw("GET /n/" + std::to_string(i * 10 + round) +
                           " HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    for (int i = 0; i < kClients; ++i) {
      auto res = clients[i]->Read();
      ASSERT_TRUE(res);
      EXPECT_EQ(res->body(), std::to_string(i * 10 + round));
    }
  }
  EXPECT_TRUE(
      Eventually([&] { return server->stats().requests == 3u * kClients; }));
}

TEST(ServerTest, FullWorkerQueueIs503AndIoThreadsStayFree) {
  ServerOptions options = TestOptions();
  options.io_threads = 1;  // a blocked IO thread would stall everything
  options.worker_threads = 1;
  options.worker_queue = 1;
  Gate gate;
  std::promise<void> entered;
  std::atomic<int> calls{0};
  auto server = StartOrDie(options, {{"POST", "/scan",
                                      [&](const HttpRequest& r) {
                                        if (++calls == 1) entered.set_value();
                                        gate.Wait();
                                        return Text(200, "scanned " + r.body);
                                      },
                                      Execution::kWorker},
                                     {"GET", "/health", Reply("ok")}});
  ASSERT_TRUE(server);

  Client busy(server->port());
  busy.WriteRaw("POST /scan HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n1");
  ASSERT_EQ(entered.get_future().wait_for(3s), std::future_status::ready);

  Client queued(server->port());
  queued.WriteRaw(
      "POST /scan HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n2");
  ASSERT_TRUE(
      Eventually([&] { return server->stats().worker_queue_depth == 1; }));

  Client refused(server->port());
  const auto before = std::chrono::steady_clock::now();
  auto res = refused.Send(http::verb::post, "/scan", "3");
  ASSERT_TRUE(res);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1s);
  EXPECT_EQ(res->result_int(), 503);
  EXPECT_EQ(Str((*res)[http::field::retry_after]), "1");
  EXPECT_EQ(Json(*res)["error"]["code"], "unavailable");
  EXPECT_TRUE(res->keep_alive());
  EXPECT_EQ(server->stats().rejected, 1u);

  // The one IO thread still serves inline routes while the worker is stuck.
  Client health(server->port());
  EXPECT_EQ(health.Send(http::verb::get, "/health")->body(), "ok");

  gate.Open();
  auto first = busy.Read();
  auto second = queued.Read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body(), "scanned 1");
  EXPECT_EQ(second->body(), "scanned 2");
  // The refused connection is still usable.
  EXPECT_EQ(refused.Send(http::verb::post, "/scan", "4")->body(), "scanned 4");
}

TEST(ServerTest, WorkerHandlerThatThrowsIs500) {
  ServerOptions options = TestOptions();
  auto server = StartOrDie(
      options,
      {{"POST", "/scan", [](const HttpRequest&) -> HttpResponse { throw 7; },
        Execution::kWorker}});
  ASSERT_TRUE(server);
  Client client(server->port());
  auto res = client.Send(http::verb::post, "/scan", "x");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 500);
  EXPECT_EQ(client.Send(http::verb::post, "/scan", "x")->result_int(), 500);
}

TEST(ServerTest, SlowClientIsCutWithoutHurtingOthers) {
  ServerOptions options = TestOptions();
  options.io_threads = 1;
  options.header_timeout = 1s;
  options.idle_timeout = 5s;
  auto server = StartOrDie(options, {{"GET", "/ok", Reply("fine")}});
  ASSERT_TRUE(server);

  std::atomic<bool> slow_closed{false};
  std::atomic<bool> stop{false};
  const auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration slow_cut_after{};
  std::thread slowloris([&] {
    // Never finishes its header: one byte every 200 ms.
    Client slow(server->port());
    const std::string header =
        "GET /ok HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(100, 'p') +
        "\r\n\r\n";
    for (char c : header) {
      if (stop) break;
      try {
        slow.WriteRaw(std::string_view(&c, 1));
      } catch (const std::exception&) {
        break;  // the server closed the connection
      }
      if (slow.ClosedWithin(200ms)) break;
    }
    slow_cut_after = std::chrono::steady_clock::now() - start;
    slow_closed = true;
  });

  // Meanwhile, an ordinary client is served promptly, again and again.
  Client fast(server->port());
  int served = 0;
  while (!slow_closed && std::chrono::steady_clock::now() - start < 5s) {
    const auto t0 = std::chrono::steady_clock::now();
    auto res = fast.Send(http::verb::get, "/ok");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "fine");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
    ++served;
    std::this_thread::sleep_for(50ms);
  }
  stop = true;
  slowloris.join();
  EXPECT_TRUE(slow_closed);
  EXPECT_GE(slow_cut_after, 900ms);
  EXPECT_LT(slow_cut_after, 3s);
  EXPECT_GT(served, 5);
  // The fast connection survived the slow one being cut.
  EXPECT_EQ(fast.Send(http::verb::get, "/ok")->body(), "fine");
}

TEST(ServerTest, SilentNewConnectionIsCutAfterTheHeaderTimeout) {
  ServerOptions options = TestOptions();
  options.header_timeout = 300ms;
  auto server = StartOrDie(options, {{"GET", "/ok", Reply("fine")}});
  ASSERT_TRUE(server);
  Client silent(server->port());
  EXPECT_TRUE(silent.ClosedWithin(2s));
}

TEST(ServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions options = TestOptions();
  options.idle_timeout = 300ms;
  auto server = StartOrDie(options, {{"GET", "/ok", Reply("fine")}});
  ASSERT_TRUE(server);
  Client client(server->port());
  ASSERT_TRUE(client.Send(http::verb::get, "/ok"));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.ClosedWithin(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 200ms);
  EXPECT_TRUE(
      Eventually([&] { return server->stats().open_connections == 0; }));
}

TEST(ServerTest, ShutdownLetsInFlightRequestsFinish) {
  ServerOptions options = TestOptions();
  Gate gate;
  std::promise<void> entered;
  auto server = StartOrDie(options, {{"POST", "/scan",
                                      [&](const HttpRequest&) {
                                        entered.set_value();
                                        gate.Wait();
                                        return Text(200, "done");
                                      },
                                      Execution::kWorker},
                                     {"GET", "/ok", Reply("fine")}});
  ASSERT_TRUE(server);
  const int port = server->port();

  Client idle(port);
  ASSERT_TRUE(idle.Send(http::verb::get, "/ok"));
  Client in_flight(port);
  in_flight.WriteRaw(
      "POST /scan HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx");
  ASSERT_EQ(entered.get_future().wait_for(3s), std::future_status::ready);

  std::atomic<bool> shutdown_returned{false};
  std::thread stopper([&] {
    server->Shutdown();
    shutdown_returned = true;
  });
  std::atomic<bool> wait_returned{false};
  std::thread waiter([&] {
    server->Wait();
    wait_returned = true;
  });

  // Idle keep-alive connections are closed at once; new ones are refused.
  EXPECT_TRUE(idle.ClosedWithin(2s));
  EXPECT_TRUE(Eventually([&] {
    try {
      Client late(port);
      return late.ClosedWithin(100ms);
    } catch (const std::exception&) {
      return true;  // connection refused
    }
  }));
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(shutdown_returned);
  EXPECT_FALSE(wait_returned);

  gate.Open();
  auto res = in_flight.Read();
  ASSERT_TRUE(res) << in_flight.last_error().message();
  EXPECT_EQ(res->result_int(), 200);
  EXPECT_EQ(res->body(), "done");
  EXPECT_FALSE(res->keep_alive());
  stopper.join();
  waiter.join();
  EXPECT_TRUE(shutdown_returned);
  EXPECT_TRUE(wait_returned);
  server->Shutdown();  // idempotent
}

TEST(ServerTest, ShutdownClosesWhatOutlivesTheGracePeriod) {
  ServerOptions options = TestOptions();
  options.shutdown_grace = 300ms;
  Gate gate;
  std::promise<void> entered;
  auto server = StartOrDie(options, {{"POST", "/scan",
                                      [&](const HttpRequest&) {
                                        entered.set_value();
                                        gate.Wait();
                                        return Text(200, "late");
                                      },
                                      Execution::kWorker}});
  ASSERT_TRUE(server);
  Client stuck(server->port());
  stuck.WriteRaw(
      "POST /scan HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx");
  ASSERT_EQ(entered.get_future().wait_for(3s), std::future_status::ready);
  std::thread stopper([&] { server->Shutdown(); });
  // The connection is closed after the grace period even though the handler
  // is still running; Shutdown itself still waits for the handler.
  EXPECT_TRUE(stuck.ClosedWithin(3s));
  gate.Open();
  stopper.join();
}

TEST(ServerTest, RequestIdIsEchoedWhenSaneElseGenerated) {
  std::mutex mu;
  std::vector<std::string> ids;
  auto server =
      StartOrDie(TestOptions(), {{"GET", "/ok", [&](const HttpRequest& r) {
                                    std::lock_guard lock(mu);
                                    ids.push_back(r.request_id);
                                    return Text(200, "");
                                  }}});
  ASSERT_TRUE(server);
  Client client(server->port());
  auto echoed =
      client.Send(http::verb::get, "/ok", "", {{"X-Request-Id", "abc-1.2_3"}});
  ASSERT_TRUE(echoed);
  EXPECT_EQ(Str((*echoed)["x-request-id"]), "abc-1.2_3");

  auto bad = client.Send(http::verb::get, "/ok", "",
                         {{"X-Request-Id", "has space<script>"}});
  auto too_long = client.Send(http::verb::get, "/ok", "",
                              {{"X-Request-Id", std::string(129, 'a')}});
  auto none1 = client.Send(http::verb::get, "/ok");
  auto none2 = client.Send(http::verb::get, "/ok");
  ASSERT_TRUE(bad && too_long && none1 && none2);
  const std::set<std::string> generated = {
      Str((*bad)["x-request-id"]), Str((*too_long)["x-request-id"]),
      Str((*none1)["x-request-id"]), Str((*none2)["x-request-id"])};
  EXPECT_EQ(generated.size(), 4u);
  for (const auto& id : generated) {
    EXPECT_FALSE(id.empty());
    EXPECT_EQ(id.find(' '), std::string::npos);
    EXPECT_NE(id, "has space<script>");
  }
  // Error responses carry the client's id as well.
  auto missing =
      client.Send(http::verb::get, "/missing", "", {{"X-Request-Id", "r-9"}});
  EXPECT_EQ(Str((*missing)["x-request-id"]), "r-9");
  EXPECT_EQ(Json(*missing)["error"]["request_id"], "r-9");

  std::lock_guard lock(mu);
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_EQ(ids[0], "abc-1.2_3");
  EXPECT_EQ(ids[3], Str((*none1)["x-request-id"]));
}

TEST(ServerTest, HandlerCannotBreakFraming) {
  auto server =
      StartOrDie(TestOptions(), {{"GET", "/h",
                                  [](const HttpRequest&) {
                                    HttpResponse r = Text(200, "abc");
                                    r.headers["content-length"] = "999";
                                    r.headers["x-evil"] = "a\r\nSet-Cookie: x";
                                    r.headers["x-request-id"] = "forged";
                                    return r;
                                  }},
                                 {"GET", "/empty", [](const HttpRequest&) {
                                    return Text(204, "ignored");
                                  }}});
  ASSERT_TRUE(server);
  Client client(server->port());
  auto res = client.Send(http::verb::get, "/h");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "abc");
  EXPECT_EQ(res->count("x-evil"), 0u);
  EXPECT_EQ(res->count(http::field::set_cookie), 0u);
  EXPECT_NE(Str((*res)["x-request-id"]), "forged");
  auto empty = client.Send(http::verb::get, "/empty");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->result_int(), 204);
  EXPECT_TRUE(empty->body().empty());
  // The connection is still in sync.
  EXPECT_EQ(client.Send(http::verb::get, "/h")->body(), "abc");
}

TEST(ServerTest, HeadAnswersWithTheLengthButNoBody) {
  auto server = StartOrDie(TestOptions(), {{"HEAD", "/h", Reply("abcdef")},
                                           {"GET", "/h", Reply("abcdef")}});
  ASSERT_TRUE(server);
  Client client(server->port());
  auto head = client.Send(http::verb::head, "/h");
  ASSERT_TRUE(head);
  EXPECT_EQ(Str((*head)[http::field::content_length]), "6");
  EXPECT_TRUE(head->body().empty());
  // No stray body bytes: the next answer on the connection is intact.
  EXPECT_EQ(client.Send(http::verb::get, "/h")->body(), "abcdef");
}

TEST(ServerTest, StartRefusesBadRoutesAndBusyPorts) {
  auto no_slash = Server::Start(TestOptions(), {{"GET", "scan", Reply("")}});
  ASSERT_FALSE(no_slash);
  EXPECT_EQ(no_slash.error().code(), core::ErrorCode::kInvalidArgument);

  auto twice = Server::Start(TestOptions(), {{"GET", "/i/{a}", Reply("")},
                                             {"GET", "/i/{b}", Reply("")}});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code(), core::ErrorCode::kInvalidArgument);

  EXPECT_FALSE(Server::Start(TestOptions(), {{"GET", "/x", nullptr}}));
  EXPECT_FALSE(Server::Start(TestOptions(), {{"GET", "/a{id}", Reply("")}}));
  EXPECT_FALSE(Server::Start(TestOptions(), {{"", "/x", Reply("")}}));

  auto first = StartOrDie(TestOptions(), {{"GET", "/x", Reply("")}});
  ASSERT_TRUE(first);
  ServerOptions same = TestOptions();
  same.port = first->port();
  auto second = Server::Start(same, {{"GET", "/x", Reply("")}});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), core::ErrorCode::kUnavailable);
}

TEST(ServerTest, StartRefusesTimeoutsThatAreNotPositive) {
  // A zero timeout would cut every connection at once.
  for (int which = 0; which < 3; ++which) {
    ServerOptions options = TestOptions();
    auto& timeout = which == 0   ? options.header_timeout
                    : which == 1 ? options.body_timeout
                                 : options.idle_timeout;
    timeout = 0ms;
    auto server = Server::Start(options, {{"GET", "/x", Reply("")}});
    ASSERT_FALSE(server) << which;
    EXPECT_EQ(server.error().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_NE(server.error().message().find("timeout"), std::string::npos);
  }
}

}  // namespace
}  // namespace invoices::gateway

namespace invoices::gateway {
namespace {

TEST(ServerTest, RoutesThatNeedATokenGoThroughTheAuthorizer) {
  std::atomic<int> handled{0};
  ServerOptions options = TestOptions();
  options.authorizer = [](const HttpRequest& r)
      -> core::Result<std::map<std::string, std::string>> {
    if (r.Header("authorization") != "Bearer good") {
      return core::MakeError(core::ErrorCode::kUnauthenticated,
                             "the token is not valid");
    }
    return std::map<std::string, std::string>{{"sub", "user-1"}};
  };
  Route secret{"GET", "/secret",
               [&](const HttpRequest& r) {
                 ++handled;
                 return Text(200, "sub=" + r.claims.at("sub"));
               },
               Execution::kWorker, /*needs_token=*/true};
  auto server = StartOrDie(options, {secret, {"GET", "/open", Reply("open")}});
  ASSERT_TRUE(server);
  Client client(server->port());
  auto denied = client.Send(http::verb::get, "/secret");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->result_int(), 401);
  EXPECT_EQ(Str((*denied)["www-authenticate"]), "Bearer");
  EXPECT_EQ(Json(*denied)["error"]["code"], "unauthenticated");
  auto forged = client.Send(http::verb::get, "/secret", "",
                            {{"Authorization", "Bearer forged"}});
  EXPECT_EQ(forged->result_int(), 401);
  EXPECT_EQ(handled.load(), 0);  // the handler never saw a refused request
  auto ok = client.Send(http::verb::get, "/secret", "",
                        {{"Authorization", "Bearer good"}});
  EXPECT_EQ(ok->result_int(), 200);
  EXPECT_EQ(ok->body(), "sub=user-1");
  EXPECT_EQ(client.Send(http::verb::get, "/open")->result_int(), 200);

  // A route that needs a token without an authorizer is a wiring error.
  EXPECT_FALSE(Server::Start(TestOptions(), {secret}));
}

}  // namespace
}  // namespace invoices::gateway

namespace invoices::gateway {
namespace {

TEST(ServerTest, GreedySegmentTakesTheRestOfThePath) {
  auto echo = [](const HttpRequest& r) {
    return Text(200, r.route_key + " " + r.path_parameters.at("path"));
  };
  auto server = StartOrDie(TestOptions(), {{"GET", "/{path+}", echo},
                                           {"GET", "/invoices/{path}", echo},
                                           {"GET", "/healthz", Reply("ok")}});
  ASSERT_TRUE(server);
  Client client(server->port());
  EXPECT_EQ(client.Send(http::verb::get, "/app.js")->body(),
            "GET /{path+} app.js");
  EXPECT_EQ(client.Send(http::verb::get, "/assets/a%20b/c.css")->body(),
            "GET /{path+} assets/a b/c.css");
  EXPECT_EQ(client.Send(http::verb::get, "/invoices/7")->body(),
            "GET /invoices/{path} 7");
  EXPECT_EQ(client.Send(http::verb::get, "/healthz")->body(), "ok");
  EXPECT_EQ(client.Send(http::verb::get, "/")->result_int(), 404);
  EXPECT_EQ(client.Send(http::verb::get, "/a//b")->result_int(), 404);
  // A greedy segment must be the last one.
  EXPECT_FALSE(Server::Start(TestOptions(), {{"GET", "/{p+}/x", echo}}));
}

// ---------------------------------------------------------------------------
// Streamed bodies (HttpResponse::stream)

// A body of `chunks` chunks "line i\n" after `first`; `calls` counts the
// producer's calls.
HttpResponse Streamed(std::string first, int chunks,
                      std::shared_ptr<std::atomic<int>> calls) {
  HttpResponse r = Text(200, std::move(first));
  r.stream = [calls, chunks](std::string& out) -> core::Result<bool> {
    const int i = ++*calls;
    out += "line " + std::to_string(i) + "\n";
    return i < chunks;
  };
  return r;
}

std::string Lines(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) out += "line " + std::to_string(i) + "\n";
  return out;
}

TEST(ServerTest, StreamedResponseArrivesWholeAndChunked) {
  std::mutex mu;
  std::vector<AccessLogRecord> log;
  ServerOptions options = TestOptions();
  options.access_log = [&](const AccessLogRecord& r) {
    std::lock_guard lock(mu);
    log.push_back(r);
  };
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto server = StartOrDie(
      options,
      {{"GET", "/export",
        [calls](const HttpRequest&) {
          *calls = 0;
          HttpResponse r = Streamed("head\n", 500, calls);
          r.headers["Content-Length"] = "3";  // ignored
          return r;
        }},
       {"HEAD", "/export",
        [calls](const HttpRequest&) { return Streamed("", 500, calls); }},
       {"GET", "/ok", Reply("fine")}});
  ASSERT_TRUE(server);
  const std::string expected = "head\n" + Lines(1, 500);

  Client client(server->port());
  auto res = client.Send(http::verb::get, "/export");
  ASSERT_TRUE(res) << client.last_error().message();
  EXPECT_EQ(res->result_int(), 200);
  EXPECT_TRUE(res->chunked());
  EXPECT_EQ(res->count(http::field::content_length), 0u);
  EXPECT_EQ(Str((*res)[http::field::content_type]), "text/plain");
  EXPECT_FALSE(Str((*res)["x-request-id"]).empty());
  EXPECT_TRUE(res->keep_alive());
  EXPECT_EQ(res->body(), expected);
  EXPECT_EQ(calls->load(), 500);
  // The connection carries on after the last chunk.
  EXPECT_EQ(client.Send(http::verb::get, "/ok")->body(), "fine");

  // On the wire: chunk framing, ending with the last chunk.
  Client raw(server->port());
  raw.WriteRaw("GET /export HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string wire = raw.ReadUntilClosed();
  EXPECT_THAT(wire, HasSubstr("Transfer-Encoding: chunked\r\n"));
  // The handler's first part travels with the first chunk (12 bytes).
  EXPECT_THAT(wire, HasSubstr("\r\n\r\nc\r\nhead\nline 1\n\r\n7\r\n"));
  EXPECT_THAT(wire, HasSubstr("\r\n9\r\nline 500\n\r\n0\r\n\r\n"));
  EXPECT_TRUE(wire.ends_with("0\r\n\r\n"));

  // HTTP/1.0 has no chunked coding: the body ends with the connection.
  Client old(server->port());
  old.WriteRaw("GET /export HTTP/1.0\r\n\r\n");
  auto res10 = old.Read();
  ASSERT_TRUE(res10) << old.last_error().message();
  EXPECT_FALSE(res10->chunked());
  EXPECT_EQ(res10->count(http::field::content_length), 0u);
  EXPECT_EQ(res10->body(), expected);
  // (The body ended because the server closed the connection: a
  // close-delimited body has no other end.)

  // HEAD: the header only; the producer is never called.
  *calls = 0;
  Client head(server->port());
  auto h = head.Send(http::verb::head, "/export");
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->body().empty());
  EXPECT_EQ(head.Send(http::verb::get, "/ok")->body(), "fine");
  EXPECT_EQ(calls->load(), 0);

  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mu);
    return log.size() == 6;
  }));
  std::lock_guard lock(mu);
  size_t streamed = 0;
  for (const auto& r : log) {
    if (r.path != "/export" || r.method == "HEAD") continue;
    ++streamed;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.bytes_out, expected.size());  // payload, not chunk framing
    EXPECT_TRUE(r.error.empty()) << r.error;
  }
  EXPECT_EQ(streamed, 3u);
}

TEST(ServerTest, StreamErrorMidwayTruncatesAndTheServerKeepsServing) {
  std::mutex mu;
  std::vector<AccessLogRecord> log;
  ServerOptions options = TestOptions();
  options.access_log = [&](const AccessLogRecord& r) {
    std::lock_guard lock(mu);
    log.push_back(r);
  };
  auto failing = [](bool throws, int good) {
    return [throws, good](const HttpRequest&) {
      HttpResponse r = Text(200, "");
      auto n = std::make_shared<int>(0);
      r.stream = [throws, good, n](std::string& out) -> core::Result<bool> {
        if (++*n > good) {
          if (throws) throw std::runtime_error("disk on fire");
          return core::Unavailable("store went away");
        }
        out += std::string(1000, 'x');
        return true;
      };
      return r;
    };
  };
  auto server =
      StartOrDie(options, {{"GET", "/fails", failing(false, 3)},
                           {"GET", "/throws", failing(true, 2)},
                           {"GET", "/fails-at-once", failing(false, 0)},
                           {"GET", "/ok", Reply("fine")}});
  ASSERT_TRUE(server);

  // After the status line: a truncated chunked body, then the connection
  // closes.
  for (const char* path : {"/fails", "/throws"}) {
    Client client(server->port());
    EXPECT_FALSE(client.Send(http::verb::get, path)) << path;
    EXPECT_TRUE(client.last_error() == http::error::partial_message ||
                client.last_error() == asio::error::connection_reset)
        << client.last_error().message();
    Client raw(server->port());
    raw.WriteRaw(std::string("GET ") + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string wire = raw.ReadUntilClosed(3s);
    EXPECT_THAT(wire, HasSubstr("HTTP/1.1 200 OK"));
    EXPECT_THAT(wire, HasSubstr("3e8\r\n"));
    EXPECT_FALSE(wire.ends_with("0\r\n\r\n"));
  }

  // Before anything was sent: an ordinary error response.
  Client client(server->port());
  auto early = client.Send(http::verb::get, "/fails-at-once");
  ASSERT_TRUE(early);
  EXPECT_EQ(early->result_int(), 503);
  EXPECT_EQ(Json(*early)["error"]["code"], "unavailable");
  EXPECT_FALSE(early->chunked());
  EXPECT_EQ(client.Send(http::verb::get, "/ok")->body(), "fine");
  Client other(server->port());
  EXPECT_EQ(other.Send(http::verb::get, "/ok")->body(), "fine");

  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mu);
    return log.size() == 7;
  }));
  std::lock_guard lock(mu);
  for (const auto& r : log) {
    if (r.path == "/fails") {
      EXPECT_THAT(r.error, HasSubstr("store went away"));
      EXPECT_EQ(r.bytes_out, 3000u);
    } else if (r.path == "/throws") {
      EXPECT_THAT(r.error, HasSubstr("disk on fire"));
      EXPECT_EQ(r.bytes_out, 2000u);
    } else if (r.path == "/fails-at-once") {
      EXPECT_EQ(r.status, 503);
      EXPECT_THAT(r.error, HasSubstr("store went away"));
    }
  }
}

TEST(ServerTest, StreamProducerRunsOffTheIoThreads) {
  ServerOptions options = TestOptions();
  options.io_threads = 1;  // a producer on it would stall everything
  options.worker_threads = 1;
  Gate gate;
  std::promise<void> entered;
  std::mutex mu;
  std::set<std::thread::id> producer_threads;
  std::thread::id io_thread;
  auto server = StartOrDie(
      options, {{"GET", "/slow",
                 [&](const HttpRequest&) {
                   HttpResponse r = Text(200, "start\n");
                   auto n = std::make_shared<int>(0);
                   r.stream = [&, n](std::string& out) -> core::Result<bool> {
                     {
                       std::lock_guard lock(mu);
                       producer_threads.insert(std::this_thread::get_id());
                     }
                     if (++*n == 2) {
                       entered.set_value();
                       gate.Wait();
                     }
                     out += "chunk " + std::to_string(*n) + "\n";
                     return *n < 3;
                   };
                   return r;
                 }},
                {"GET", "/health", [&](const HttpRequest&) {
                   std::lock_guard lock(mu);
                   io_thread = std::this_thread::get_id();
                   return Text(200, "ok");
                 }}});
  ASSERT_TRUE(server);

  Client slow(server->port());
  slow.WriteRaw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(entered.get_future().wait_for(3s), std::future_status::ready);
  // The producer is blocked mid-stream; the one IO thread still answers.
  Client health(server->port());
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(health.Send(http::verb::get, "/health")->body(), "ok");
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1s);

  gate.Open();
  auto res = slow.Read();
  ASSERT_TRUE(res) << slow.last_error().message();
  EXPECT_EQ(res->body(), "start\nchunk 1\nchunk 2\nchunk 3\n");
  std::lock_guard lock(mu);
  EXPECT_EQ(producer_threads.size(), 1u);  // the one worker
  EXPECT_EQ(producer_threads.count(io_thread), 0u);
}

TEST(ServerTest, ShutdownLetsAStreamFinishOrCutsItAfterTheGrace) {
  for (const bool finish : {true, false}) {
    ServerOptions options = TestOptions();
    options.shutdown_grace = finish ? 10s : 300ms;
    Gate gate;
    std::promise<void> entered;
    auto server = StartOrDie(
        options, {{"GET", "/export", [&](const HttpRequest&) {
                     HttpResponse r = Text(200, "");
                     auto n = std::make_shared<int>(0);
                     r.stream = [&, n](std::string& out) -> core::Result<bool> {
                       if (++*n == 2) {
                         entered.set_value();
                         gate.Wait();
                       }
                       out += "part " + std::to_string(*n) + "\n";
                       return *n < 3;
                     };
                     return r;
                   }}});
    ASSERT_TRUE(server);
    Client client(server->port());
    client.WriteRaw("GET /export HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(entered.get_future().wait_for(3s), std::future_status::ready);
    std::thread stopper([&] { server->Shutdown(); });
    if (finish) {
      std::this_thread::sleep_for(200ms);
      gate.Open();
      auto res = client.Read();
      ASSERT_TRUE(res) << client.last_error().message();
      EXPECT_EQ(res->body(), "part 1\npart 2\npart 3\n");
      EXPECT_TRUE(client.ClosedWithin(2s));
    } else {
      const std::string wire = client.ReadUntilClosed(3s);
      EXPECT_THAT(wire, HasSubstr("part 1\n"));
      EXPECT_FALSE(wire.ends_with("0\r\n\r\n"));
      gate.Open();
    }
    stopper.join();
  }
}

}  // namespace
}  // namespace invoices::gateway

namespace invoices::gateway {
namespace {

TEST(ServerTest, CorsForConfiguredOriginsOnly) {
  ServerOptions options = TestOptions();
  options.cors_origins = {"https://app.example.com"};
  options.authorizer = [](const HttpRequest&)
      -> core::Result<std::map<std::string, std::string>> {
    return core::MakeError(core::ErrorCode::kUnauthenticated, "no");
  };
  Route secret{"GET", "/invoices", Reply("x"), Execution::kInline, true};
  auto server = StartOrDie(options, {secret, {"GET", "/open", Reply("open")}});
  ASSERT_TRUE(server);
  Client client(server->port());
  // A preflight is answered before routing and the authorizer.
  auto preflight = client.Send(
      http::verb::options, "/invoices", "",
      {{"Origin", "https://app.example.com"},
       {"Access-Control-Request-Method", "PATCH"},
       {"Access-Control-Request-Headers", "authorization, if-match"}});
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->result_int(), 204);
  EXPECT_EQ(Str((*preflight)["access-control-allow-origin"]),
            "https://app.example.com");
  EXPECT_THAT(Str((*preflight)["access-control-allow-methods"]),
              HasSubstr("PATCH"));
  EXPECT_THAT(Str((*preflight)["access-control-allow-headers"]),
              HasSubstr("If-Match"));
  // Actual responses, errors included, carry the origin and exposed headers.
  auto denied = client.Send(http::verb::get, "/invoices", "",
                            {{"Origin", "https://app.example.com"}});
  EXPECT_EQ(denied->result_int(), 401);
  EXPECT_EQ(Str((*denied)["access-control-allow-origin"]),
            "https://app.example.com");
  EXPECT_THAT(Str((*denied)["access-control-expose-headers"]),
              HasSubstr("ETag"));
  // Another origin gets no CORS headers, and its preflight is not answered.
  auto other = client.Send(http::verb::get, "/open", "",
                           {{"Origin", "https://evil.example"}});
  EXPECT_EQ(other->result_int(), 200);
  EXPECT_TRUE(Str((*other)["access-control-allow-origin"]).empty());
  auto other_preflight =
      client.Send(http::verb::options, "/invoices", "",
                  {{"Origin", "https://evil.example"},
                   {"Access-Control-Request-Method", "GET"}});
  EXPECT_NE(other_preflight->result_int(), 204);
  EXPECT_TRUE(Str((*other_preflight)["access-control-allow-origin"]).empty());
}

}  // namespace
}  // namespace invoices::gateway

namespace invoices::gateway {
namespace {

// Stage throttling in the server: charged after the authorizer (per user,
// or per address without a verified token), before the handler; 429 with
// Retry-After and the one error shape; the exempt requests are not charged.
TEST(ServerTest, ThrottlesPerUserAndPerAddressAfterTheAuthorizer) {
  auto now = std::make_shared<std::atomic<int64_t>>(0);  // ms, moved by hand
  auto throttle = Throttle::Create(
      {.rate = 0, .client_rate = 0.5, .client_burst = 2}, [now] {
        return std::chrono::steady_clock::time_point(
            std::chrono::milliseconds(now->load()));
      });
  ASSERT_TRUE(throttle);
  std::mutex mu;
  std::vector<AccessLogRecord> records;
  std::atomic<int> handled{0};
  ServerOptions options = TestOptions();
  options.throttle = std::move(*throttle);
  options.cors_origins = {"*"};
  options.access_log = [&](const AccessLogRecord& r) {
    std::lock_guard lock(mu);
    records.push_back(r);
  };
  options.authorizer = [](const HttpRequest& r)
      -> core::Result<std::map<std::string, std::string>> {
    const std::string_view token = r.Header("authorization");
    if (!token.starts_with("Bearer user-")) {
      return core::MakeError(core::ErrorCode::kUnauthenticated, "bad token");
    }
    return std::map<std::string, std::string>{
        {"sub", std::string(token.substr(7))}};
  };
  auto count = [&](const HttpRequest&) {
    ++handled;
    return Text(200, "ok");
  };
  Route secret{"GET", "/invoices", count, Execution::kWorker, true};
  Route open{"GET", "/config.json", count};
  Route health{"GET", "/healthz", count, Execution::kInline, false, false};
  auto server = StartOrDie(options, {secret, open, health});
  ASSERT_TRUE(server);
  Client client(server->port());
  auto as = [&](const char* user, const char* path = "/invoices") {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Origin", "https://app.example.com"}};
    if (user != nullptr) {
      headers.push_back({"Authorization", std::string("Bearer ") + user});
    }
    auto res = client.Send(http::verb::get, path, "", headers);
    EXPECT_TRUE(res) << client.last_error().message();
    return res.value_or(Response());
  };

  // Alice's burst, then 429 with the error shape and Retry-After: at 0.5
  // tokens a second, the next one is 2 s away.
  EXPECT_EQ(as("user-alice").result_int(), 200);
  EXPECT_EQ(as("user-alice").result_int(), 200);
  const Response refused = as("user-alice");
  EXPECT_EQ(refused.result_int(), 429);
  EXPECT_EQ(Str(refused["retry-after"]), "2");
  EXPECT_EQ(Json(refused)["error"]["code"], "resource_exhausted");
  EXPECT_EQ(Json(refused)["error"]["request_id"], Str(refused["x-request-id"]));
  // Browsers may read Retry-After.
  EXPECT_THAT(Str(refused["access-control-expose-headers"]),
              HasSubstr("Retry-After"));
  EXPECT_EQ(handled.load(), 2);  // the handler never saw it
  // Bob is another user: unaffected.
  EXPECT_EQ(as("user-bob").result_int(), 200);

  // Without a verified token the address is the client: open routes and
  // refused tokens share its bucket, so guessing tokens is throttled too.
  EXPECT_EQ(as(nullptr, "/config.json").result_int(), 200);
  EXPECT_EQ(as("forged").result_int(), 401);
  const Response address = as(nullptr, "/config.json");
  EXPECT_EQ(address.result_int(), 429);
  EXPECT_EQ(as("forged").result_int(), 429);
  // The health check, unknown paths and CORS preflights are not charged.
  EXPECT_EQ(as(nullptr, "/healthz").result_int(), 200);
  EXPECT_EQ(as(nullptr, "/nowhere").result_int(), 404);
  auto preflight = client.Send(http::verb::options, "/invoices", "",
                               {{"Origin", "https://app.example.com"},
                                {"Access-Control-Request-Method", "GET"}});
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->result_int(), 204);

  // Two seconds later alice has a token again.
  now->store(2000);
  EXPECT_EQ(as("user-alice").result_int(), 200);
  EXPECT_EQ(as("user-alice").result_int(), 429);
  EXPECT_EQ(server->stats().throttled, 4u);

  // Each 429 is logged with the limit that refused it, and no function time.
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mu);
    return records.size() == 13;
  }));
  std::lock_guard lock(mu);
  int throttled = 0;
  for (const AccessLogRecord& r : records) {
    if (r.status == 429) {
      ++throttled;
      EXPECT_EQ(r.throttled, "client");
      EXPECT_LT(r.function_ms, 0);
    } else if (r.status == 200) {
      EXPECT_TRUE(r.throttled.empty());
      EXPECT_GE(r.function_ms, 0) << r.route_key;
    }
  }
  EXPECT_EQ(throttled, 4);
  EXPECT_EQ(records[2].user, "user-alice");  // the refused request's user
}

TEST(ServerTest, TheGlobalLimitCoversEveryClient) {
  auto throttle =
      Throttle::Create({.rate = 0.001, .burst = 3, .client_rate = 0},
                       [] { return std::chrono::steady_clock::time_point(); });
  ASSERT_TRUE(throttle);
  ServerOptions options = TestOptions();
  options.throttle = std::move(*throttle);
  auto server = StartOrDie(options, {{"GET", "/a", Reply("a")}});
  ASSERT_TRUE(server);
  Client one(server->port());
  Client two(server->port());
  EXPECT_EQ(one.Send(http::verb::get, "/a")->result_int(), 200);
  EXPECT_EQ(two.Send(http::verb::get, "/a")->result_int(), 200);
  EXPECT_EQ(one.Send(http::verb::get, "/a")->result_int(), 200);
  auto refused = two.Send(http::verb::get, "/a");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 429);
  // 0.001 tokens a second: 1000 s.
  EXPECT_EQ(Str((*refused)["retry-after"]), "1000");
  EXPECT_THAT(Json(*refused)["error"]["message"].get<std::string>(),
              HasSubstr("the server is receiving too many requests"));
}

}  // namespace
}  // namespace invoices::gateway

namespace invoices::gateway {
namespace {

// Store routes have a pool of their own: they are answered while OCR holds
// every worker and fills its queue, and their streams run there too.
TEST(ServerTest, BlockingRoutesNeverWaitBehindTheWorkers) {
  ServerOptions options = TestOptions();
  options.worker_threads = 1;
  options.worker_queue = 1;
  options.blocking_threads = 2;
  Gate gate;
  std::promise<void> entered;
  std::atomic<bool> first{true};
  auto server = StartOrDie(
      options, {{"POST", "/scan",
                 [&](const HttpRequest&) {
                   if (first.exchange(false)) entered.set_value();
                   gate.Wait();
                   return Text(200, "scanned");
                 },
                 Execution::kWorker},
                {"GET", "/invoices", Reply("list"), Execution::kBlocking},
                {"GET", "/export",
                 [](const HttpRequest&) {
                   HttpResponse r = Text(200, "a,");
                   auto left = std::make_shared<int>(2);
                   r.stream = [left](std::string& chunk) -> core::Result<bool> {
                     chunk += "b";
                     return --*left > 0;
                   };
                   return r;
                 },
                 Execution::kBlocking}});
  ASSERT_TRUE(server);
  Client busy(server->port());
  busy.WriteRaw("POST /scan HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n1");
  ASSERT_EQ(entered.get_future().wait_for(3s), std::future_status::ready);
  Client queued(server->port());
  queued.WriteRaw(
      "POST /scan HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n2");
  ASSERT_TRUE(
      Eventually([&] { return server->stats().worker_queue_depth == 1; }));

  Client reader(server->port());
  auto list = reader.Send(http::verb::get, "/invoices");
  ASSERT_TRUE(list) << reader.last_error().message();
  EXPECT_EQ(list->body(), "list");
  auto csv = reader.Send(http::verb::get, "/export");
  ASSERT_TRUE(csv) << reader.last_error().message();
  EXPECT_EQ(csv->body(), "a,bb");
  EXPECT_EQ(server->stats().rejected, 0u);

  gate.Open();
  EXPECT_EQ(busy.Read()->body(), "scanned");
  EXPECT_EQ(queued.Read()->body(), "scanned");
}

// An idle keep-alive connection holds no read buffer, yet the next request
// on it, and one arriving in pieces, are read whole.
TEST(ServerTest, IdleConnectionsReadTheirNextRequest) {
  auto server = StartOrDie(TestOptions(), {{"GET", "/a", Reply("a")}});
  ASSERT_TRUE(server);
  Client client(server->port());
  EXPECT_EQ(client.Send(http::verb::get, "/a")->body(), "a");
  std::this_thread::sleep_for(50ms);  // idle in between
  client.WriteRaw("GET /a HTTP/1.1\r\nHo");
  std::this_thread::sleep_for(50ms);
  client.WriteRaw("st: x\r\n\r\n");
  auto res = client.Read();
  ASSERT_TRUE(res) << client.last_error().message();
  EXPECT_EQ(res->body(), "a");
  // A header larger than one read.
  auto big = client.Send(http::verb::get, "/a", "",
                         {{"X-Padding", std::string(9000, 'p')}});
  ASSERT_TRUE(big) << client.last_error().message();
  EXPECT_EQ(big->body(), "a");
}

}  // namespace
}  // namespace invoices::gateway

namespace invoices::gateway {
namespace {

TEST(ServerTest, WorkerThreadsRunAtTheirNiceValue) {
  ServerOptions options = TestOptions();
  options.worker_nice = 5;
  auto nice_here = [](const HttpRequest&) {
    return Text(200, std::to_string(getpriority(PRIO_PROCESS, gettid())));
  };
  auto server =
      StartOrDie(options, {{"GET", "/worker", nice_here, Execution::kWorker},
                           {"GET", "/store", nice_here, Execution::kBlocking},
                           {"GET", "/inline", nice_here}});
  ASSERT_TRUE(server);
  const int base = getpriority(PRIO_PROCESS, gettid());
  Client client(server->port());
  EXPECT_EQ(client.Send(http::verb::get, "/worker")->body(),
            std::to_string(std::min(19, base + 5)));
  EXPECT_EQ(client.Send(http::verb::get, "/store")->body(),
            std::to_string(base));
  EXPECT_EQ(client.Send(http::verb::get, "/inline")->body(),
            std::to_string(base));
}

}  // namespace
}  // namespace invoices::gateway
