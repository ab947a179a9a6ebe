#include "invoices/gateway/server.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

#include "invoices/core/executor.h"
#include "invoices/core/strings.h"
#include "invoices/gateway/throttle.h"

namespace invoices::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using beast::error_code;
using SteadyClock = std::chrono::steady_clock;
// Connections use their io_context's executor as it is, not type-erased
// (asio::any_io_executor): copying and destroying an erased executor on
// every asynchronous operation cost about 5% of a small request.
using IoExecutor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, IoExecutor>;
using Stream =
    beast::basic_stream<tcp, IoExecutor, beast::unlimited_rate_policy>;

// ---------------------------------------------------------------------------
// Text helpers

// Boost 1.74's Beast has its own string_view.
std::string_view Sv(beast::string_view s) { return {s.data(), s.size()}; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes (and '+' as a space in query strings). A malformed
// escape is kept as it is: rejecting it would only move the error into every
// handler, which validate their inputs anyway.
std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      const int hi = HexValue(s[i + 1]);
      const int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// Repeated keys are joined with ",", as API Gateway does.
std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> params;
  if (query.empty()) return params;
  for (std::string_view part : Split(query, '&')) {
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    std::string key = PercentDecode(part.substr(0, eq), true);
    if (key.empty()) continue;
    std::string value = eq == std::string_view::npos
                            ? std::string()
                            : PercentDecode(part.substr(eq + 1), true);
    auto [it, inserted] = params.try_emplace(std::move(key), value);
    if (!inserted) it->second += "," + value;
  }
  return params;
}

// A client-supplied id is echoed only when it cannot smuggle anything into
// logs or headers.
bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) !=
               std::string_view::npos;
  });
}

// Unique within the process (a counter) and hard to guess across processes
// (a random prefix), without a lock on the request path.
class RequestIdGenerator {
 public:
  RequestIdGenerator() {
    std::random_device rd;
    prefix_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }
  // "%016llx-%08llx" of the prefix and the counter, without printf (every
  // request needs one).
  std::string Next() {
    const uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed);
    static constexpr char kHex[] = "0123456789abcdef";
    const int counter_digits = n >> 32 ? 16 : 8;
    std::string id(17 + counter_digits, '-');
    for (int i = 0; i < 16; ++i) id[i] = kHex[(prefix_ >> (60 - 4 * i)) & 15];
    for (int i = 0; i < counter_digits; ++i) {
      id[17 + i] = kHex[(n >> (4 * (counter_digits - 1 - i))) & 15];
    }
    return id;
  }

 private:
  uint64_t prefix_;
  std::atomic<uint64_t> counter_{1};
};

// ---------------------------------------------------------------------------
// Routing

struct Segment {
  bool is_param;
  bool greedy = false;  // "{name+}": the rest of the path, one or more segments
  std::string text;     // the literal, or the parameter name
};

struct CompiledRoute {
  std::string method;
  std::string pattern;
  std::string route_key;  // "GET /invoices/{id}"
  std::vector<Segment> segments;
  Handler handler;
  Execution execution;
  bool needs_token;
  bool throttled;
};

core::Result<CompiledRoute> CompileRoute(Route route) {
  CompiledRoute out;
  out.method = core::AsciiUpper(route.method);
  if (!IsToken(out.method)) {
    return core::InvalidArgument("route method '" + route.method +
                                 "' is not an HTTP method");
  }
  if (route.path.empty() || route.path[0] != '/' ||
      route.path.find_first_of("?#") != std::string::npos) {
    return core::InvalidArgument("route path '" + route.path +
                                 "' must start with '/' and have no query");
  }
  if (!route.handler) {
    return core::InvalidArgument("route " + out.method + " " + route.path +
                                 " has no handler");
  }
  std::set<std::string> names;
  for (std::string_view seg :
       Split(std::string_view(route.path).substr(1), '/')) {
    if (!out.segments.empty() && out.segments.back().greedy) {
      return core::InvalidArgument("route path '" + route.path +
                                   "': a {name+} segment must be the last");
    }
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      std::string name(seg.substr(1, seg.size() - 2));
      const bool greedy = !name.empty() && name.back() == '+';
      if (greedy) name.pop_back();
      const bool valid =
          !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   (c >= '0' && c <= '9') || c == '_';
          });
      if (!valid || !names.insert(name).second) {
        return core::InvalidArgument("route path '" + route.path +
                                     "' has a bad or repeated parameter");
      }
      out.segments.push_back({true, greedy, std::move(name)});
    } else if (seg.find_first_of("{}") != std::string_view::npos) {
      return core::InvalidArgument("route path '" + route.path +
                                   "': a parameter must be a whole segment");
    } else {
      out.segments.push_back({false, false, std::string(seg)});
    }
  }
  out.pattern = std::move(route.path);
  out.route_key = out.method + " " + out.pattern;
  out.handler = std::move(route.handler);
  out.execution = route.execution;
  out.needs_token = route.needs_token;
  out.throttled = route.throttled;
  return out;
}

// The pattern with parameter names erased: two routes with the same shape
// and method could never be told apart.
std::string Shape(const CompiledRoute& r) {
  std::string shape = r.method + " ";
  for (const auto& s : r.segments) {
    shape += "/" + (s.greedy ? "{+}" : s.is_param ? "{}" : s.text);
  }
  return shape;
}

bool Matches(const CompiledRoute& route,
             const std::vector<std::string_view>& path) {
  const bool greedy = !route.segments.empty() && route.segments.back().greedy;
  if (greedy ? path.size() < route.segments.size()
             : route.segments.size() != path.size()) {
    return false;
  }
  for (size_t i = 0; i < route.segments.size(); ++i) {
    if (route.segments[i].greedy) {
      // One or more non-empty segments.
      return std::none_of(path.begin() + i, path.end(),
                          [](std::string_view p) { return p.empty(); });
    }
    const Segment& s = route.segments[i];
    if (s.is_param ? path[i].empty() : s.text != path[i]) return false;
  }
  return true;
}

// Both routes match the same path, so they have as many segments; the first
// segment where one is literal and the other a parameter decides.
bool MoreSpecific(const CompiledRoute& a, const CompiledRoute& b) {
  const size_t n = std::min(a.segments.size(), b.segments.size());
  for (size_t i = 0; i < n; ++i) {
    if (a.segments[i].greedy != b.segments[i].greedy) {
      return !a.segments[i].greedy;
    }
    if (a.segments[i].is_param != b.segments[i].is_param) {
      return !a.segments[i].is_param;
    }
  }
  return a.segments.size() > b.segments.size();
}

struct RouteMatch {
  const CompiledRoute* route = nullptr;
  std::map<std::string, std::string> params;
  std::set<std::string> allowed;  // methods of routes whose path matched
};

RouteMatch MatchRoute(const std::vector<CompiledRoute>& routes,
                      std::string_view method, std::string_view raw_path) {
  RouteMatch match;
  const std::vector<std::string_view> path = Split(raw_path.substr(1), '/');
  for (const auto& route : routes) {
    if (!Matches(route, path)) continue;
    match.allowed.insert(route.method);
    if (route.method == method &&
        (match.route == nullptr || MoreSpecific(route, *match.route))) {
      match.route = &route;
    }
  }
  if (match.route != nullptr) {
    const auto& segments = match.route->segments;
    for (size_t i = 0; i < segments.size(); ++i) {
      const Segment& s = segments[i];
      if (s.greedy) {
        std::string rest;
        for (size_t j = i; j < path.size(); ++j) {
          if (j > i) rest += '/';
          rest += PercentDecode(path[j], false);
        }
        match.params[s.text] = std::move(rest);
      } else if (s.is_param) {
        match.params[s.text] = PercentDecode(path[i], false);
      }
    }
  }
  return match;
}

// ---------------------------------------------------------------------------
// Handler invocation

struct Outcome {
  functions::HttpResponse response;
  std::string error;  // what a throwing handler threw
  double function_ms = 0;
};

Outcome Call(const Handler& handler, const functions::HttpRequest& request) {
  try {
    return {handler(request), {}};
  } catch (const std::exception& e) {
    return {functions::ErrorResponse(
                core::Error(core::ErrorCode::kInternal, "internal error"),
                request.request_id),
            e.what()};
  } catch (...) {
    return {functions::ErrorResponse(
                core::Error(core::ErrorCode::kInternal, "internal error"),
                request.request_id),
            "unknown exception"};
  }
}

// The one place where a handler's exception stops: it becomes a 500 and the
// connection (and the server) carry on. Timed, for the integration latency.
Outcome Invoke(const Handler& handler, const functions::HttpRequest& request) {
  const auto start = SteadyClock::now();
  Outcome outcome = Call(handler, request);
  outcome.function_ms =
      std::chrono::duration<double, std::milli>(SteadyClock::now() - start)
          .count();
  return outcome;
}

bool IsParseError(const error_code& ec) {
  static const auto& category =
      http::make_error_code(http::error::bad_method).category();
  return ec.category() == category && ec != http::error::end_of_stream &&
         ec != http::error::partial_message;
}

constexpr size_t kReadChunk = 4096;
// How long a connection that is closed after an error keeps draining what
// the client still sends, so that the client reads our answer instead of a
// reset.
constexpr auto kLingerTime = std::chrono::seconds(2);

class Session;

// ---------------------------------------------------------------------------
// Everything the server shares between its IO threads and sessions.

class ServerCore {
 public:
  ServerCore(ServerOptions options, std::vector<CompiledRoute> routes)
      : options_(std::move(options)),
        routes_(std::move(routes)),
        executor_(static_cast<size_t>(options_.worker_threads),
                  options_.worker_queue),
        blocking_(static_cast<size_t>(options_.blocking_threads),
                  options_.blocking_queue),
        iocs_(MakeContexts(options_.io_threads)),
        acceptor_(iocs_.front()->get_executor()),
        accept_retry_(acceptor_.get_executor()) {}

  core::Status Listen();
  void Run();
  void Shutdown();
  void Wait();
  ServerStats Stats() const;

  int port() const { return port_; }
  const ServerOptions& options() const { return options_; }
  const std::vector<CompiledRoute>& routes() const { return routes_; }
  // Queues `task` on the pool that runs a route's handler (and its stream):
  // the blocking pool for kBlocking, the workers otherwise (kInline
  // handlers' streams still need a thread that may block). False when the
  // pool's queue is full.
  bool Submit(Execution execution, std::function<void()> task) {
    if (execution == Execution::kBlocking) {
      return blocking_.TrySubmit(std::move(task));
    }
    const int nice = options_.worker_nice;
    if (nice == 0) return executor_.TrySubmit(std::move(task));
    return executor_.TrySubmit([nice, task = std::move(task)] {
      // Once per worker thread (Linux nice values are per thread).
      static thread_local const bool lowered = [nice] {
        errno = 0;
        const int now = getpriority(PRIO_PROCESS, gettid());
        return errno == 0 && setpriority(PRIO_PROCESS, gettid(),
                                         std::min(19, now + nice)) == 0;
      }();
      (void)lowered;
      task();
    });
  }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  std::string NextRequestId() { return ids_.Next(); }

  void Unregister(Session* session);
  void CountRequest(const AccessLogRecord& record);
  void CountRejected() { rejected_.fetch_add(1, std::memory_order_relaxed); }
  void CountThrottled() { throttled_.fetch_add(1, std::memory_order_relaxed); }

 private:
  // One io_context per IO thread: a connection stays on one thread for its
  // life, so the threads neither share a scheduler (one lock, and wake-ups
  // of each other for every event) nor need strands.
  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (int i = 0; i < n; ++i) {
      contexts.push_back(std::make_unique<asio::io_context>(1));
    }
    return contexts;
  }
  void DoAccept();
  void OnAccept(error_code ec, Socket socket);
  std::vector<std::shared_ptr<Session>> LiveSessions();
  bool WaitForSessions(std::chrono::milliseconds timeout);

  const ServerOptions options_;
  const std::vector<CompiledRoute> routes_;
  RequestIdGenerator ids_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> throttled_{0};

  // Sessions unregister from their destructors, which may run while iocs_
  // are being destroyed: these members are declared before them.
  mutable std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;

  std::mutex shutdown_mu_;  // held for the whole of Shutdown()
  bool shut_down_ = false;
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  bool done_ = false;

  core::Executor executor_;
  core::Executor blocking_;
  std::vector<std::unique_ptr<asio::io_context>> iocs_;
  size_t next_ioc_ = 0;  // the context of the next connection (accept only)
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  std::vector<std::thread> io_threads_;
  int port_ = 0;
};

// ---------------------------------------------------------------------------
// One connection. Every member except closed_ is touched only by the
// connection's IO thread (its executor, "strand" below: the one thread of its
// io_context); worker tasks hop back onto it to answer.

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Strand = IoExecutor;

  Session(ServerCore& server, Socket socket)
      : server_(server),
        strand_(socket.get_executor()),
        stream_(std::move(socket)) {
    error_code ec;
    const auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) source_ip_ = endpoint.address().to_string();
  }

  ~Session() { server_.Unregister(this); }

  // The connection's strand; fixed for the session's life, so any thread may
  // post to it.
  const Strand& strand() const { return strand_; }

  void Start() {
    asio::dispatch(strand_,
                   [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // On the strand: the server is stopping.
  void OnShutdown() {
    if (state_ == State::kIdle) Close();
  }

  // On the strand: the shutdown grace period is over.
  void ForceClose() { Close(); }

 private:
  enum class State { kIdle, kReading, kBusy, kClosed };

  void WaitForRequest() {
    if (server_.stopping()) return Close();
    parser_.reset();
    // Pipelined bytes already buffered start the next request at once.
    if (buffer_.size() > 0) return BeginRequest();
    state_ = State::kIdle;
    // An idle connection holds no 4 KB read buffer (10,000 idle keep-alive
    // connections held 90 MB; docs/BENCHMARKS.md): it waits with a small
    // one for the first bytes of its next request, and the header read
    // takes the rest.
    buffer_.shrink_to_fit();
    // A fresh connection has not sent a request yet: that is a header delay,
    // not keep-alive idleness.
    stream_.expires_after(first_request_ ? server_.options().header_timeout
                                         : server_.options().idle_timeout);
    stream_.async_read_some(
        asio::buffer(first_bytes_),
        [self = shared_from_this()](error_code ec, size_t n) {
          if (ec) return self->Close();
          self->buffer_.commit(
              asio::buffer_copy(self->buffer_.prepare(std::max(n, kReadChunk)),
                                asio::buffer(self->first_bytes_, n)));
          self->BeginRequest();
        });
  }

  // The request's Origin when CORS allows it ("*" when any is), else "".
  std::string AllowedOrigin(std::string_view origin) const {
    if (origin.empty()) return "";
    for (const std::string& allowed : server_.options().cors_origins) {
      if (allowed == "*") return "*";
      if (allowed == origin) return std::string(origin);
    }
    return "";
  }

  void BeginRequest() {
    if (state_ == State::kClosed) return;
    state_ = State::kReading;
    first_request_ = false;
    started_ = SteadyClock::now();
    request_id_.clear();
    cors_origin_.clear();
    execution_ = Execution::kInline;
    record_ = AccessLogRecord();
    record_.source_ip = source_ip_;
    parser_.emplace();
    const auto& opts = server_.options();
    parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(
        opts.max_header_bytes, std::numeric_limits<uint32_t>::max())));
    parser_->body_limit(static_cast<uint64_t>(opts.max_body_bytes));
    // One deadline for the whole header however it trickles in: this is
    // what cuts slowloris clients.
    stream_.expires_after(opts.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](error_code ec, size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(error_code ec) {
    if (ec) return OnReadError(ec);
    auto& msg = parser_->get();
    record_.method = std::string(msg.method_string());
    if (!parser_->is_done() &&
        beast::iequals(msg[http::field::expect], "100-continue")) {
      // The client waits for this before sending the body.
      continue_ = http::response<http::empty_body>(http::status::continue_,
                                                   msg.version());
      stream_.expires_after(server_.options().body_timeout);
      http::async_write(stream_, continue_,
                        [self = shared_from_this()](error_code ec, size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    // Most requests (every GET) are complete with their header: no body
    // read to start, and no timer to reset for it.
    if (parser_->is_done()) return Dispatch();
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(server_.options().body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, size_t) {
                       if (ec) return self->OnReadError(ec);
                       self->Dispatch();
                     });
  }

  void OnReadError(error_code ec) {
    // Part of the request may be unread: answer, then close.
    if (ec == http::error::body_limit) {
      return RespondError(core::ErrorCode::kTooLarge,
                          "the request body is larger than " +
                              std::to_string(server_.options().max_body_bytes) +
                              " bytes",
                          /*status=*/0);
    }
    if (ec == http::error::header_limit) {
      return RespondError(core::ErrorCode::kTooLarge,
                          "the request header is too large", 431);
    }
    if (IsParseError(ec)) {
      return RespondError(core::ErrorCode::kInvalidArgument,
                          "malformed HTTP request: " + ec.message(), 0);
    }
    // Timeouts, resets, a client that went away: nobody to answer.
    Close();
  }

  const std::string& RequestId() {
    if (request_id_.empty()) {
      std::string_view supplied;
      if (parser_) supplied = Sv(parser_->get()["x-request-id"]);
      request_id_ = IsSaneRequestId(supplied) ? std::string(supplied)
                                              : server_.NextRequestId();
    }
    return request_id_;
  }

  // An error the server answers itself, on a connection it then closes.
  void RespondError(core::ErrorCode code, std::string message, int status) {
    functions::HttpResponse response = functions::ErrorResponse(
        core::Error(code, std::move(message)), RequestId());
    if (status != 0) response.status = status;
    Respond(std::move(response), /*close=*/true, /*linger=*/true, {});
  }

  void Dispatch() {
    state_ = State::kBusy;
    stream_.expires_never();
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();

    functions::HttpRequest request;
    request.method = std::string(msg.method_string());
    request.request_id = RequestId();
    request.source_ip = source_ip_;
    std::string_view target = Sv(msg.target());
    // Absolute form (a proxy's "http://host/path") names the same resource.
    if (const size_t scheme = target.find("://");
        scheme != std::string_view::npos && !target.starts_with("/")) {
      const size_t slash = target.find('/', scheme + 3);
      target = slash == std::string_view::npos ? std::string_view("/")
                                               : target.substr(slash);
    }
    const size_t q = target.find('?');
    request.raw_path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) {
      request.raw_query_string = std::string(target.substr(q + 1));
    }
    record_.path = request.raw_path;
    cors_origin_ = AllowedOrigin(Sv(msg[http::field::origin]));
    if (!cors_origin_.empty() && msg.method() == http::verb::options &&
        msg.find(http::field::access_control_request_method) != msg.end()) {
      functions::HttpResponse preflight;
      preflight.status = 204;
      preflight.headers["access-control-allow-methods"] =
          "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS";
      preflight.headers["access-control-allow-headers"] =
          "Authorization, Content-Type, If-Match, If-None-Match, "
          "Idempotency-Key, X-Request-Id, X-Amz-Target, X-Amz-User-Agent";
      preflight.headers["access-control-max-age"] = "600";
      return Respond(std::move(preflight), false, false, {});
    }
    if (request.raw_path.empty() || request.raw_path[0] != '/') {
      return Respond(functions::ErrorResponse(
                         core::Error(core::ErrorCode::kInvalidArgument,
                                     "the request target is not a path"),
                         request_id_),
                     false, false, {});
    }
    request.query_parameters = ParseQuery(request.raw_query_string);
    for (const auto& field : msg) {
      std::string name = core::AsciiLower(Sv(field.name_string()));
      auto [it, inserted] =
          request.headers.try_emplace(std::move(name), Sv(field.value()));
      if (!inserted) {
        it->second += ",";
        it->second += Sv(field.value());
      }
    }
    request.body = std::move(msg.body());
    record_.bytes_in = request.body.size();

    RouteMatch match =
        MatchRoute(server_.routes(), request.method, request.raw_path);
    if (match.route == nullptr) {
      if (match.allowed.empty()) {
        return Respond(functions::ErrorResponse(
                           core::Error(core::ErrorCode::kNotFound,
                                       "no route for " + request.raw_path),
                           request_id_),
                       false, false, {});
      }
      functions::HttpResponse response = functions::ErrorResponse(
          core::Error(core::ErrorCode::kInvalidArgument,
                      "method " + request.method + " is not allowed on " +
                          request.raw_path),
          request_id_);
      response.status = 405;
      std::string allow;
      for (const auto& m : match.allowed) {
        if (!allow.empty()) allow += ", ";
        allow += m;
      }
      response.headers["allow"] = allow;
      return Respond(std::move(response), false, false, {});
    }
    const CompiledRoute* route = match.route;
    request.route_key = route->route_key;
    request.path_parameters = std::move(match.params);
    record_.route_key = route->route_key;
    execution_ = route->execution;

    std::optional<core::Error> refused;  // by the authorizer
    if (route->needs_token) {
      auto claims = server_.options().authorizer(request);
      if (claims) {
        request.claims = std::move(*claims);
        auto sub = request.claims.find("sub");
        if (sub != request.claims.end()) record_.user = sub->second;
      } else {
        refused = std::move(claims).error();
      }
    }
    if (route->throttled && server_.options().throttle &&
        !AdmitThrottled(refused.has_value())) {
      return;
    }
    if (refused) {
      functions::HttpResponse response =
          functions::ErrorResponse(*refused, request_id_);
      if (response.status == 401) {
        response.headers["www-authenticate"] = "Bearer";
      }
      return Respond(std::move(response), false, false, {});
    }

    if (route->execution == Execution::kInline) {
      Outcome outcome = Invoke(route->handler, request);
      record_.function_ms = outcome.function_ms;
      return Respond(std::move(outcome.response), false, false,
                     std::move(outcome.error));
    }

    // The IO thread only queues the work; the answer comes back through the
    // strand, so that the connection's state is never touched concurrently.
    auto self = shared_from_this();
    const bool queued = server_.Submit(
        route->execution, [self, route, request = std::move(request)] {
          // The connection was closed (forced shutdown): skip the work.
          if (self->closed_.load(std::memory_order_acquire)) return;
          Outcome outcome = Invoke(route->handler, request);
          asio::post(self->strand_,
                     [self, outcome = std::move(outcome)]() mutable {
                       self->record_.function_ms = outcome.function_ms;
                       self->Respond(std::move(outcome.response), false, false,
                                     std::move(outcome.error));
                     });
        });
    if (!queued) {
      server_.CountRejected();
      functions::HttpResponse response = functions::ErrorResponse(
          core::Error(core::ErrorCode::kUnavailable,
                      "the server is busy; retry later"),
          request_id_);
      response.headers["retry-after"] = "1";
      Respond(std::move(response), false, false, {});
    }
  }

  // Charges the request to the throttle: to the token's user, or to the
  // client address when there is no verified token. False when it was
  // refused and answered 429.
  bool AdmitThrottled(bool unauthenticated) {
    const std::string client = !unauthenticated && !record_.user.empty()
                                   ? "user " + record_.user
                                   : "ip " + source_ip_;
    const ThrottleDecision decision = server_.options().throttle->Admit(client);
    if (decision.admitted) return true;
    server_.CountThrottled();
    const bool global = decision.limit == ThrottleLimit::kGlobal;
    record_.throttled = global ? "global" : "client";
    const std::string seconds = std::to_string(decision.retry_after.count());
    functions::HttpResponse response = functions::ErrorResponse(
        core::Error(core::ErrorCode::kResourceExhausted,
                    std::string(global ? "the server is receiving"
                                       : "this client is sending") +
                        " too many requests; retry after " + seconds + " s"),
        request_id_);
    response.headers["retry-after"] = seconds;
    Respond(std::move(response), false, false, {});
    return false;
  }

  // Writes `response`; `close` ends the connection after it, `linger`
  // drains unread request bytes before closing.
  void Respond(functions::HttpResponse response, bool close, bool linger,
               std::string error) {
    if (state_ == State::kClosed) return;
    state_ = State::kBusy;
    if (response.status < 200 || response.status > 599) {
      error = "handler returned status " + std::to_string(response.status);
      response = functions::ErrorResponse(
          core::Error(core::ErrorCode::kInternal, "internal error"),
          RequestId());
    }
    const unsigned version =
        parser_ && parser_->get().version() == 10 ? 10 : 11;
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version);
    bool handler_closes = false;
    for (auto& [name, value] : response.headers) {
      const std::string lower = core::AsciiLower(name);
      // The server owns framing and connection management; a CR or LF would
      // let a value forge headers of its own.
      if (lower == "content-length" || lower == "transfer-encoding" ||
          lower == "x-request-id" || !IsToken(name) ||
          value.find_first_of("\r\n") != std::string::npos) {
        continue;
      }
      if (lower == "connection") {
        handler_closes = beast::iequals(value, "close");
        continue;
      }
      res->set(name, value);
    }
    res->set("X-Request-Id", RequestId());
    if (!cors_origin_.empty()) {
      res->set(http::field::access_control_allow_origin, cors_origin_);
      res->set(http::field::access_control_expose_headers,
               "ETag, Location, X-Request-Id, Retry-After, "
               "Idempotent-Replayed");
      res->set(http::field::vary, "Origin");
    }
    const bool keep_alive =
        keep_alive_ && !close && !handler_closes && !server_.stopping();
    res->keep_alive(keep_alive);
    const int status = response.status;
    const bool head = parser_ && parser_->get().method() == http::verb::head;
    if (response.stream && status != 204 && status != 304) {
      return StartStream(std::move(response), std::move(res), head, close,
                         linger, std::move(error));
    }
    const size_t body_size =
        status == 204 || status == 304 ? 0 : response.body.size();
    if (head) {
      // The length the body would have, without the body.
      res->content_length(body_size);
    } else {
      if (body_size != 0) res->body() = std::move(response.body);
      res->prepare_payload();
    }

    record_.request_id = RequestId();
    record_.status = status;
    record_.bytes_out = head ? 0 : body_size;
    record_.error = std::move(error);
    if (record_.path.empty() && parser_) {
      std::string_view target = Sv(parser_->get().target());
      record_.path = std::string(target.substr(0, target.find('?')));
    }

    stream_.expires_after(server_.options().body_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep_alive, linger](
                          error_code ec, size_t) {
                        self->OnWritten(ec, keep_alive, linger);
                      });
  }

  // A streamed body (functions::HttpResponse::stream). The producer always
  // runs on the worker pool, one call at a time; its chunks are written on
  // the strand, and the next one is asked for only once the previous write
  // has completed, so a slow client holds at most one chunk in memory. The
  // first chunk is pulled before the status line is written, so that a
  // producer that fails at once still gets a proper error response.
  void StartStream(functions::HttpResponse response,
                   std::shared_ptr<http::response<http::string_body>> res,
                   bool head, bool close, bool linger, std::string error) {
    out_ = {};
    out_.execution = execution_;
    out_.producer =
        std::make_shared<functions::BodyProducer>(std::move(response.stream));
    out_.pending = std::move(response.body);
    out_.chunked = res->version() == 11;
    // HTTP/1.0 has no chunked coding: the body ends where the connection
    // does.
    out_.keep_alive = out_.chunked && res->keep_alive();
    out_.close = close;
    // A close-delimited body ends with our FIN: drain, do not reset.
    out_.linger = linger || !out_.chunked;
    out_.error = std::move(error);
    res->keep_alive(out_.keep_alive);
    if (out_.chunked) res->chunked(true);
    std::ostringstream header;
    header << res->base();
    out_.header = std::move(header).str();

    record_.request_id = RequestId();
    record_.status = res->result_int();
    record_.bytes_out = 0;
    record_.error = out_.error;
    if (record_.path.empty() && parser_) {
      std::string_view target = Sv(parser_->get().target());
      record_.path = std::string(target.substr(0, target.find('?')));
    }
    if (head) {
      // The header alone: the producer is never called.
      out_.producer.reset();
      out_.buffer = std::move(out_.header);
      out_.header_sent = true;
      stream_.expires_after(server_.options().body_timeout);
      asio::async_write(stream_, asio::buffer(out_.buffer),
                        [self = shared_from_this()](error_code ec, size_t) {
                          self->OnWritten(ec, self->out_.keep_alive,
                                          self->out_.linger);
                        });
      return;
    }
    PullChunk();
  }

  // On the strand: asks a worker for the next chunk.
  void PullChunk() {
    if (state_ == State::kClosed) return;
    auto self = shared_from_this();
    const bool queued =
        server_.Submit(out_.execution, [self, producer = out_.producer] {
          // The connection was closed (forced shutdown): skip the work.
          if (self->closed_.load(std::memory_order_acquire)) return;
          std::string chunk;
          core::Result<bool> more = CallProducer(*producer, chunk);
          asio::post(self->strand_, [self, more = std::move(more),
                                     chunk = std::move(chunk)]() mutable {
            self->OnChunk(std::move(more), std::move(chunk));
          });
        });
    if (queued) {
      out_.busy_since.reset();
      return;
    }
    if (!out_.header_sent) {
      // Nothing sent yet: the usual answer to overload.
      server_.CountRejected();
      functions::HttpResponse response = functions::ErrorResponse(
          core::Error(core::ErrorCode::kUnavailable,
                      "the server is busy; retry later"),
          RequestId());
      response.headers["retry-after"] = "1";
      out_.producer.reset();
      return Respond(std::move(response), out_.close, out_.linger, {});
    }
    // Mid-stream the answer cannot change any more: try again shortly, for
    // as long as a write would be allowed to take.
    const auto now = SteadyClock::now();
    if (!out_.busy_since) out_.busy_since = now;
    if (now - *out_.busy_since > server_.options().body_timeout) {
      return AbortStream("the worker queue stayed full");
    }
    timer_.expires_after(std::chrono::milliseconds(10));
    timer_.async_wait([self](error_code ec) {
      if (!ec) self->PullChunk();
    });
  }

  static core::Result<bool> CallProducer(const functions::BodyProducer& p,
                                         std::string& chunk) {
    try {
      return p(chunk);
    } catch (const std::exception& e) {
      return core::Internal(std::string("body stream threw: ") + e.what());
    } catch (...) {
      return core::Internal("body stream threw");
    }
  }

  // On the strand: a chunk (or the end, or an error) from the producer.
  void OnChunk(core::Result<bool> more, std::string chunk) {
    if (state_ == State::kClosed) return;
    if (!more) {
      if (!out_.header_sent) {
        out_.producer.reset();
        functions::HttpResponse response =
            functions::ErrorResponse(more.error(), RequestId());
        if (response.status == 503) response.headers["retry-after"] = "1";
        return Respond(std::move(response), out_.close, out_.linger,
                       "body stream: " + more.error().ToString());
      }
      return AbortStream("body stream: " + more.error().ToString());
    }
    const bool done = !*more;
    std::string& buffer = out_.buffer;
    buffer.clear();
    if (!out_.header_sent) {
      buffer = std::move(out_.header);
      out_.header_sent = true;
      if (!out_.pending.empty()) {
        // The handler's first part and the first chunk travel together.
        out_.pending += chunk;
        chunk = std::move(out_.pending);
      }
      out_.pending = {};
    }
    if (!chunk.empty()) {
      if (out_.chunked) {
        char size[24];
        std::snprintf(size, sizeof(size), "%zx\r\n", chunk.size());
        buffer += size;
        buffer += chunk;
        buffer += "\r\n";
      } else {
        buffer += chunk;
      }
      record_.bytes_out += chunk.size();
    }
    if (done) {
      out_.producer.reset();
      if (out_.chunked) buffer += "0\r\n\r\n";
    }
    if (buffer.empty()) return PullChunk();  // an empty-handed call
    stream_.expires_after(server_.options().body_timeout);
    asio::async_write(stream_, asio::buffer(buffer),
                      [self = shared_from_this(), done](error_code ec, size_t) {
                        if (ec || done) {
                          return self->OnWritten(ec, self->out_.keep_alive,
                                                 self->out_.linger);
                        }
                        self->PullChunk();
                      });
  }

  // Ends a stream whose status line is out: no terminating chunk, then the
  // connection closes, so the client sees a truncated body.
  void AbortStream(std::string error) {
    out_.producer.reset();
    record_.error = std::move(error);
    record_.latency_ms =
        std::chrono::duration<double, std::milli>(SteadyClock::now() - started_)
            .count();
    server_.CountRequest(record_);
    if (!out_.chunked) {
      // A close-delimited body cannot be told from a complete one by a
      // clean close: reset the connection instead.
      error_code ignored;
      stream_.socket().set_option(asio::socket_base::linger(true, 0), ignored);
    }
    Close();
  }

  void OnWritten(error_code ec, bool keep_alive, bool linger) {
    record_.latency_ms =
        std::chrono::duration<double, std::milli>(SteadyClock::now() - started_)
            .count();
    server_.CountRequest(record_);
    if (ec) return Close();
    if (!keep_alive) return linger ? Linger() : Close();
    WaitForRequest();
  }

  // Closing with unread input makes the kernel send a reset that can destroy
  // the response before the client reads it; so stop sending, then read and
  // drop what still arrives, for a bounded time.
  void Linger() {
    state_ = State::kBusy;
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    DrainSome();
  }

  void DrainSome() {
    if (!drain_) drain_ = std::make_unique<std::array<char, kReadChunk>>();
    stream_.async_read_some(asio::buffer(*drain_),
                            [self = shared_from_this()](error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->DrainSome();
                            });
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    closed_.store(true, std::memory_order_release);
    timer_.cancel();
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  ServerCore& server_;
  const Strand strand_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::empty_body> continue_;
  std::unique_ptr<std::array<char, kReadChunk>> drain_;  // when lingering
  std::string source_ip_;
  State state_ = State::kIdle;
  bool first_request_ = true;
  // The first bytes of a request on an idle connection.
  std::array<char, 256> first_bytes_;
  bool keep_alive_ = false;
  std::atomic<bool> closed_{false};  // read by worker threads
  // The streamed body being sent, if any.
  struct Outgoing {
    std::shared_ptr<functions::BodyProducer> producer;
    std::string header;   // the status line and fields, until sent
    std::string pending;  // the response's `body`, sent with the first chunk
    std::string buffer;   // what is being written
    bool header_sent = false;
    bool chunked = true;  // else close-delimited (HTTP/1.0)
    bool keep_alive = false;
    bool close = false;
    bool linger = false;
    std::string error;
    Execution execution = Execution::kInline;  // where the producer runs
    // Since when the worker queue has refused the next pull.
    std::optional<SteadyClock::time_point> busy_since;
  };
  Outgoing out_;
  // The retry of a chunk pull while streaming.
  asio::steady_timer timer_{strand_};
  // The request being served.
  SteadyClock::time_point started_;
  std::string request_id_;
  std::string cors_origin_;  // Access-Control-Allow-Origin, or "" for none
  Execution execution_ = Execution::kInline;  // the matched route's
  AccessLogRecord record_;
};

// ---------------------------------------------------------------------------

core::Status ServerCore::Listen() {
  error_code ec;
  tcp::resolver resolver(*iocs_.front());
  const auto results = resolver.resolve(
      options_.host, std::to_string(options_.port),
      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  if (ec || results.empty()) {
    return core::Unavailable("cannot resolve " + where + ": " + ec.message());
  }
  const tcp::endpoint endpoint = results.begin()->endpoint();
  acceptor_.open(endpoint.protocol(), ec);
  // Lets a restarted server bind while old connections are in TIME_WAIT.
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::Unavailable("cannot listen on " + where + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint(ec).port();
  return {};
}

void ServerCore::Run() {
  for (auto& ioc : iocs_) work_.emplace_back(ioc->get_executor());
  asio::dispatch(acceptor_.get_executor(), [this] { DoAccept(); });
  for (auto& ioc : iocs_) {
    io_threads_.emplace_back([ioc = ioc.get()] { ioc->run(); });
  }
}

void ServerCore::DoAccept() {
  // Round robin over the IO threads.
  asio::io_context& ioc = *iocs_[next_ioc_++ % iocs_.size()];
  acceptor_.async_accept(ioc.get_executor(),
                         [this](error_code ec, Socket socket) {
                           OnAccept(ec, std::move(socket));
                         });
}

void ServerCore::OnAccept(error_code ec, Socket socket) {
  if (stopping() || !acceptor_.is_open()) return;
  if (ec) {
    // Out of descriptors and the like: back off rather than spin.
    accept_retry_.expires_after(std::chrono::milliseconds(50));
    accept_retry_.async_wait([this](error_code ec) {
      if (!ec && !stopping()) DoAccept();
    });
    return;
  }
  auto session = std::make_shared<Session>(*this, std::move(socket));
  {
    std::lock_guard lock(sessions_mu_);
    sessions_.emplace(session.get(), session);
  }
  session->Start();
  DoAccept();
}

void ServerCore::Unregister(Session* session) {
  std::lock_guard lock(sessions_mu_);
  sessions_.erase(session);
  if (sessions_.empty()) sessions_cv_.notify_all();
}

void ServerCore::CountRequest(const AccessLogRecord& record) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  if (!options_.access_log) return;
  try {
    options_.access_log(record);
  } catch (...) {
    // A logging failure must not take the connection down.
  }
}

ServerStats ServerCore::Stats() const {
  ServerStats stats;
  {
    std::lock_guard lock(sessions_mu_);
    stats.open_connections = sessions_.size();
  }
  stats.worker_queue_depth = executor_.QueueDepth();
  stats.blocking_queue_depth = blocking_.QueueDepth();
  stats.requests = requests_.load(std::memory_order_relaxed);
  stats.rejected = rejected_.load(std::memory_order_relaxed);
  stats.throttled = throttled_.load(std::memory_order_relaxed);
  return stats;
}

std::vector<std::shared_ptr<Session>> ServerCore::LiveSessions() {
  std::vector<std::shared_ptr<Session>> live;
  std::lock_guard lock(sessions_mu_);
  for (auto& [ptr, weak] : sessions_) {
    if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  // Returned (and released) outside the lock: the last reference to a
  // session runs its destructor, which takes the lock.
  return live;
}

bool ServerCore::WaitForSessions(std::chrono::milliseconds timeout) {
  std::unique_lock lock(sessions_mu_);
  return sessions_cv_.wait_for(lock, timeout,
                               [this] { return sessions_.empty(); });
}

void ServerCore::Shutdown() {
  std::lock_guard shutdown_lock(shutdown_mu_);
  if (shut_down_) return;
  stopping_.store(true, std::memory_order_release);
  asio::post(acceptor_.get_executor(), [this] {
    error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
  });
  // Sessions check stopping() whenever they finish a response; only those
  // waiting for a request need telling.
  for (auto& session : LiveSessions()) {
    asio::post(session->strand(), [session] { session->OnShutdown(); });
  }
  if (!WaitForSessions(options_.shutdown_grace)) {
    for (auto& session : LiveSessions()) {
      asio::post(session->strand(), [session] { session->ForceClose(); });
    }
  }
  // Running handlers cannot be interrupted; their answers go nowhere now.
  executor_.Shutdown();
  blocking_.Shutdown();
  work_.clear();
  WaitForSessions(std::chrono::seconds(1));
  for (auto& ioc : iocs_) ioc->stop();
  for (auto& t : io_threads_) {
    if (t.joinable()) t.join();
  }
  shut_down_ = true;
  {
    std::lock_guard lock(done_mu_);
    done_ = true;
  }
  done_cv_.notify_all();
}

void ServerCore::Wait() {
  std::unique_lock lock(done_mu_);
  done_cv_.wait(lock, [this] { return done_; });
}

}  // namespace

// ---------------------------------------------------------------------------

class Server::Impl final : public ServerCore {
 public:
  using ServerCore::ServerCore;
};

core::Result<std::unique_ptr<Server>> Server::Start(ServerOptions options,
                                                    std::vector<Route> routes) {
  if (options.port < 0 || options.port > 65535) {
    return core::InvalidArgument("port must be in 0..65535");
  }
  if (options.io_threads < 1 || options.worker_threads < 1 ||
      options.worker_queue < 1 || options.blocking_threads < 1 ||
      options.blocking_queue < 1) {
    return core::InvalidArgument(
        "io_threads, worker_threads, worker_queue, blocking_threads and "
        "blocking_queue must be at least 1");
  }
  if (options.max_header_bytes < 64) {
    return core::InvalidArgument("max_header_bytes is too small");
  }
  if (options.header_timeout.count() <= 0 ||
      options.body_timeout.count() <= 0 || options.idle_timeout.count() <= 0) {
    return core::InvalidArgument(
        "header_timeout, body_timeout and idle_timeout must be positive");
  }
  std::vector<CompiledRoute> compiled;
  std::set<std::string> shapes;
  for (auto& route : routes) {
    INVOICES_ASSIGN_OR_RETURN(CompiledRoute c, CompileRoute(std::move(route)));
    if (c.needs_token && !options.authorizer) {
      return core::InvalidArgument("route " + c.route_key +
                                   " needs a token but there is no authorizer");
    }
    if (!shapes.insert(Shape(c)).second) {
      return core::InvalidArgument("route " + c.route_key +
                                   " is defined twice");
    }
    compiled.push_back(std::move(c));
  }
  auto impl = std::make_unique<Impl>(std::move(options), std::move(compiled));
  INVOICES_RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { impl_->Shutdown(); }

int Server::port() const { return impl_->port(); }

ServerStats Server::stats() const { return impl_->Stats(); }

void Server::Shutdown() { impl_->Shutdown(); }

void Server::Wait() { impl_->Wait(); }

}  // namespace invoices::gateway
