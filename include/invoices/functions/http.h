// The one seam between transport and logic: the API Gateway HTTP API payload
// format 2.0. A request is what API Gateway sends to a Lambda function; a
// response is what the function returns. `invoices serve` builds the same
// structures from its own sockets, the Lambda loop from JSON events, so the
// handlers in functions/ never know which one called them.
// Thread safety: plain values.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "invoices/core/error.h"
#include "invoices/core/extraction.h"

namespace invoices::functions {

struct HttpRequest {
  std::string route_key;         // "POST /scan" ("$default" when unrouted)
  std::string method;            // requestContext.http.method, upper case
  std::string raw_path;          // rawPath: "/scan"
  std::string raw_query_string;  // rawQueryString, without '?'
  // Header names in lower case; repeated headers joined with ",".
  std::map<std::string, std::string> headers;
  std::map<std::string, std::string> path_parameters;
  std::map<std::string, std::string> query_parameters;
  std::string body;        // decoded bytes (never base64 here)
  std::string request_id;  // requestContext.requestId
  std::string source_ip;   // requestContext.http.sourceIp
  // requestContext.authorizer.jwt.claims, as strings; empty when the route is
  // open. Handlers read the user only from here.
  std::map<std::string, std::string> claims;

  // A header by lower-case name, or "" when absent.
  std::string_view Header(std::string_view lower_name) const;
};

// Produces a streamed response body piece by piece: each call appends the
// next chunk to `chunk` (which may hold leftovers; append, do not assign) and
// returns true while more follows, false after the last chunk, or an error.
using BodyProducer = std::function<core::Result<bool>(std::string& chunk)>;

struct HttpResponse {
  int status = 200;
  std::map<std::string, std::string> headers;
  std::string body;  // bytes; base64-encoded only when serialised for Lambda
  // Optional streamed body (for answers too large to hold, such as a CSV
  // export). When set, `body` is the first part of the body (may be empty)
  // and `stream` is called until it returns false or an error; it may be
  // empty-handed (true with nothing appended). The contract:
  //  - It is called from one thread at a time, in order, but not
  //    necessarily the same thread each time, and never on an IO thread:
  //    the gateway calls it on a worker, so it may do blocking store IO.
  //    Whatever it captures must stay valid until it is destroyed.
  //  - The gateway asks for the next chunk only after the previous one was
  //    written (backpressure), and frames the body with
  //    "Transfer-Encoding: chunked" (HTTP/1.0: close-delimited). Handlers
  //    must not set Content-Length.
  //  - An error (or exception) before anything has been sent becomes an
  //    ErrorResponse; after the status line has been sent it ends the
  //    response abruptly: the client sees a truncated chunked body (no
  //    terminating chunk, then the connection closes), which is how a
  //    failed stream must look.
  //  - HEAD, 204 and 304 answers never call it.
  //  - ResponseToJson (Lambda, which buffers) drains it into the body.
  BodyProducer stream;
};

// A JSON response with the given status.
HttpResponse JsonResponse(int status, const core::Json& body);
// The project's error shape {"error": {"code", "message", "request_id"}}.
core::Json ErrorBody(const core::Error& error, std::string_view request_id);
// ErrorBody with the status that the error code maps to.
HttpResponse ErrorResponse(const core::Error& error,
                           std::string_view request_id);

// Calls response.stream until it ends, appending to response.body, then
// clears it. On an error (or an exception from the producer) the body is
// partial and the error is returned. A no-op without a stream.
core::Status DrainStream(HttpResponse& response);

// Payload 2.0 JSON event -> request (body base64-decoded when
// isBase64Encoded). invalid_argument for an event that is not payload 2.0.
core::Result<HttpRequest> RequestFromEvent(const core::Json& event);
// Request -> payload 2.0 JSON event (binary bodies base64-encoded).
core::Json RequestToEvent(const HttpRequest& request);
// Response -> payload 2.0 response JSON ({"statusCode", "headers", "body",
// "isBase64Encoded"}). A streamed body is drained first (Lambda buffers
// responses); a producer error serialises ErrorResponse(error) instead.
core::Json ResponseToJson(const HttpResponse& response);

}  // namespace invoices::functions
