// The local HTTP/1.1 server of `invoices serve`: it plays API Gateway's part
// of the reference design. It accepts connections, parses requests, matches
// them against routes, turns each into the payload 2.0 functions::HttpRequest
// that a Lambda function would receive, and writes back the handler's
// functions::HttpResponse. Errors the server itself detects (no route, wrong
// method, body too large, malformed HTTP, a handler that throws, overload)
// are answered with functions::ErrorResponse, the project's one error shape.
//
// A small fixed number of IO threads serves every connection with
// asynchronous reads and writes (each connection stays on one of them);
// CPU-heavy routes (Execution::kWorker) run on a bounded core::Executor so
// that OCR never stalls the IO threads, and are refused with 503 when its
// queue is full rather than queued without bound; routes that wait on the
// store (Execution::kBlocking) have a pool of their own, so that they never
// wait behind OCR either.
//
// A response with a body producer (functions::HttpResponse::stream) is sent
// with "Transfer-Encoding: chunked" (HTTP/1.0: close-delimited). Each call
// of the producer runs on the worker pool, never on an IO thread, and the
// next chunk is asked for only once the previous one has been written. The
// first chunk is produced before the status line is sent, so an early
// producer error is answered with the usual error response; a later one
// cuts the connection, leaving the client with a truncated body.
//
// Throttling (ServerOptions::throttle, throttle.h) is API Gateway's stage
// throttling: a routed request is charged to the server's bucket and to one
// client's, after the authorizer (so that the client is known) and before
// the handler or a worker is involved. The client is the token's sub when the
// route needs a token and the authorizer accepted it, otherwise the client
// address (a request with a bad token is charged to its address, so that
// guessing tokens is throttled too). A refused request is answered 429
// (resource_exhausted) with Retry-After in whole seconds. Not charged: CORS
// preflights (answered before routing, as API Gateway does), requests no
// route matches (404/405, as cheap to answer as a 429), and routes with
// Route::throttled false (a health check must report health, not load).
//
// Thread safety: Server's members may be called from any thread. Handlers and
// the access-log callback are called concurrently from several threads and
// must be thread-safe. Shutdown() and the destructor must not be called from a
// handler (they wait for handlers to finish).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "invoices/core/error.h"
#include "invoices/functions/http.h"

namespace invoices::gateway {

class Throttle;  // throttle.h

// Turns a request into a response. An exception escaping a handler is
// answered with 500 (code internal) and the server keeps serving.
using Handler =
    std::function<functions::HttpResponse(const functions::HttpRequest&)>;

enum class Execution {
  kInline,  // on the connection's IO thread: for cheap handlers only
  // On the worker pool (ServerOptions::worker_threads, about one per core):
  // for CPU-heavy work (OCR, password hashing). A short queue: overload is
  // refused early.
  kWorker,
  // On the blocking pool (ServerOptions::blocking_threads): for handlers
  // that mostly wait (store requests), so that they never queue behind OCR.
  kBlocking,
};

struct Route {
  std::string method;  // "GET", "POST", ... (matched exactly, upper-cased)
  // "/scan", "/invoices/{id}", "/invoices/{id}/picture": a "{name}" segment
  // matches one non-empty path segment, percent-decoded into
  // path_parameters[name]. A last segment "{name+}" (API Gateway's greedy
  // variable) matches one or more segments, joined with '/'. A literal
  // segment wins over a "{name}" one, which wins over a "{name+}" one.
  std::string path;
  Handler handler;
  Execution execution = Execution::kInline;
  // Whether the request must carry a token that ServerOptions::authorizer
  // accepts (API Gateway's JWT authorizer on the route).
  bool needs_token = false;
  // Whether ServerOptions::throttle applies (see the file comment).
  bool throttled = true;
};

// Verifies a request's credentials as API Gateway's JWT authorizer does: the
// verified claims (requestContext.authorizer.jwt.claims), or an error
// (normally unauthenticated) that is answered with 401 before the handler or
// a worker is involved. Called on IO threads; must be thread-safe and cheap.
using Authorizer =
    std::function<core::Result<std::map<std::string, std::string>>(
        const functions::HttpRequest&)>;

// One record per answered request, for access logs and metrics.
struct AccessLogRecord {
  std::string request_id;
  std::string method;
  std::string path;       // the raw path, without the query string
  std::string route_key;  // "GET /invoices/{id}", or "" when no route matched
  std::string source_ip;
  std::string user;  // the verified token's sub, when the route needs one
  int status = 0;
  double latency_ms = 0;   // from the request's first byte to the response sent
  uint64_t bytes_in = 0;   // request body bytes
  uint64_t bytes_out = 0;  // response body bytes (streamed: payload sent)
  // How long the handler ran (API Gateway's integration latency): from its
  // call to its return, without the wait for a worker or the IO; for a
  // streamed response, until the first part was returned. Negative when no
  // handler ran (the server answered itself: 404, 401, 429, 503, ...).
  double function_ms = -1;
  // "global" or "client" when the throttle refused the request (429).
  std::string throttled;
  // What a throwing handler threw (what()); empty otherwise. Never sent to
  // the client.
  std::string error;
};

struct ServerOptions {
  std::string host = "127.0.0.1";  // an address or a resolvable name
  int port = 8080;                 // 0: any free port (see Server::port())
  int io_threads = 2;
  int worker_threads = 2;
  size_t worker_queue = 16;  // worker requests waiting; more get 503
  int blocking_threads = 8;
  size_t blocking_queue = 1024;  // blocking requests waiting; more get 503
  // Added to the nice value of each worker thread (Linux: per thread) when
  // it first runs a task: with a positive value, OCR yields the cores to the
  // IO threads and the blocking pool when they compete, so that light
  // requests stay fast while scans saturate the workers. 0: unchanged.
  int worker_nice = 0;
  size_t max_body_bytes = 10 * 1024 * 1024;  // larger bodies get 413
  size_t max_header_bytes = 16 * 1024;       // larger headers get 431
  // Timeouts (each must be positive; `invoices serve --header-timeout,
  // --body-timeout, --idle-timeout`):
  // From a request's first byte until its header is complete: cuts clients
  // that trickle their header (slowloris). A new connection that sends
  // nothing is cut after this as well.
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  // For receiving a request body, and for sending a response (a streamed
  // one: each chunk).
  std::chrono::milliseconds body_timeout{std::chrono::seconds(60)};
  // A keep-alive connection waiting for its next request.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  // How long Shutdown() lets in-flight requests finish before it closes
  // their connections.
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(30)};
  // Called after each answered request, on an IO thread; keep it cheap.
  // Exceptions it throws are ignored.
  std::function<void(const AccessLogRecord&)> access_log;
  // CORS: the origins whose pages may call this server from a browser
  // ("https://app.example.com"), or "*" for any. Empty: no CORS headers, so
  // only same-origin pages can read responses. A preflight (OPTIONS with
  // Access-Control-Request-Method) from an allowed origin is answered 204 on
  // any path, before routing and the authorizer, as API Gateway does.
  std::vector<std::string> cors_origins;
  // Required when any route needs a token.
  Authorizer authorizer;
  // Stage throttling (see the file comment); null: none.
  std::shared_ptr<Throttle> throttle;
};

// Counters for metrics and tests; a snapshot, not a consistent cut.
struct ServerStats {
  size_t open_connections = 0;
  size_t worker_queue_depth = 0;    // worker requests waiting for a thread
  size_t blocking_queue_depth = 0;  // blocking requests waiting for a thread
  uint64_t requests = 0;            // requests answered
  uint64_t rejected = 0;            // pool requests refused with 503
  uint64_t throttled = 0;           // requests refused with 429 by the throttle
};

class Server {
 public:
  // Validates the options and routes (invalid_argument), binds and listens
  // (unavailable when the address cannot be bound), then starts the IO and
  // worker threads. The server runs until Shutdown().
  static core::Result<std::unique_ptr<Server>> Start(ServerOptions options,
                                                     std::vector<Route> routes);

  // Shutdown() and Wait().
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port actually bound (useful with options.port == 0).
  int port() const;

  ServerStats stats() const;

  // Graceful stop: stops accepting, closes idle keep-alive connections, lets
  // requests in flight (including those queued for or running on a worker,
  // and streams being sent) finish and receive their response with
  // "Connection: close" (or be closed after their stream), then closes
  // whatever is left after options.shutdown_grace. Returns when the IO and
  // worker threads have stopped. A worker handler that never returns makes
  // this never return: handlers cannot be cancelled. Idempotent.
  void Shutdown();

  // Blocks until the server has been shut down (by another thread).
  void Wait();

 private:
  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace invoices::gateway
