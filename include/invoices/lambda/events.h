// Event adapters between Lambda events and the project's types:
//  - API Gateway HTTP API, payload format 2.0: the event -> HttpRequest, an
//    HttpResponse -> the response JSON, and HttpApiHandler, which makes a
//    loop Handler of any functions/ handler. Built on the payload-2.0 codecs
//    of functions/http.h, so a request looks the same to a handler whether it
//    came through `invoices serve` or through Lambda.
//  - S3 event notifications: the objects created, to process.
// Thread safety: pure functions; HttpApiHandler's result is as thread-safe
// as the handler it wraps.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "invoices/core/error.h"
#include "invoices/functions/http.h"
#include "invoices/lambda/loop.h"

namespace invoices::lambda {

// A functions/ handler (ScanFunction, InvoicesFunction, CognitoFunction, a
// lambda): the same signature as gateway::Handler.
using HttpHandler =
    std::function<functions::HttpResponse(const functions::HttpRequest&)>;

// An HTTP API payload 2.0 event (its JSON text) -> request, by
// functions::RequestFromEvent (lower-case header names, cookies into a
// "cookie" header, base64 bodies decoded, requestContext.authorizer.jwt.claims
// into claims), plus what events written by hand (tests, `sam local`,
// a $default route) may lack or do differently:
//  - header names that differ only in case are one header, their values
//    joined with "," (as API Gateway joins a repeated header);
//  - without queryStringParameters, query_parameters come from
//    rawQueryString (percent-decoded, '+' a space, repeated keys joined with
//    ",", as the gateway does);
//  - without pathParameters, path_parameters come from the route key's
//    "{name}" and last "{name+}" segments matched against the end of rawPath
//    (a stage prefix such as "/prod" is skipped), percent-decoded;
//  - request_id, when requestContext.requestId is missing, is `fallback_id`
//    (the Lambda request id).
// invalid_argument when the text is not JSON or not a payload 2.0 event, or
// its base64 body does not decode.
core::Result<functions::HttpRequest> ParseHttpApiEvent(
    std::string_view event_json, std::string_view fallback_id = "");

// Response -> payload 2.0 response JSON text: functions::ResponseToJson
// ({"statusCode", "headers", "body", "isBase64Encoded"}, streams drained,
// binary bodies base64-encoded) plus "cookies": a "set-cookie" header moves
// into that array (API Gateway makes one Set-Cookie per element).
std::string HttpApiResponse(const functions::HttpResponse& response);

// What an HTTP API function reports after each request it answered: the
// request, the response (its status and headers; a streamed body has been
// sent into the response text already) and how long the invocation took
// from the event to the response text, in milliseconds. `invoices lambda`
// prints gateway/emf.h's EmfRequestLine of these: CloudWatch's metrics per
// route.
using HttpObserver = std::function<void(const functions::HttpRequest& request,
                                        const functions::HttpResponse& response,
                                        double latency_ms)>;

// A loop Handler serving HTTP API events with `handler`. A malformed event
// is an invocation error (invalid_argument): it did not come from API
// Gateway. An exception from `handler` is answered as `invoices serve`
// answers it, 500 with the error shape (code internal), and logged.
// `observer`, when given, is called once per answered request (not for a
// malformed event), after the response is made and before it is posted; an
// exception it throws is logged and otherwise ignored.
Handler HttpApiHandler(HttpHandler handler, HttpObserver observer = nullptr);

// One object of an S3 event notification.
struct S3Object {
  std::string bucket;      // s3.bucket.name
  std::string key;         // s3.object.key, URL-decoded
  std::string event_name;  // "ObjectCreated:Put", ...
  int64_t size = -1;       // s3.object.size, -1 when absent
  std::string etag;        // s3.object.eTag, or ""
};

// An S3 event notification (its JSON text) -> the objects it reports
// created: the Records[] whose eventName starts with "ObjectCreated:" (with
// or without an "s3:" prefix); other records (ObjectRemoved:*, ...) are
// skipped. The s3:TestEvent S3 sends when a notification is configured gives
// an empty list. invalid_argument when the text is not JSON, neither has
// Records nor is a test event, or a created-object record lacks the bucket
// name or key or has a malformed escape in the key.
core::Result<std::vector<S3Object>> ParseS3Event(std::string_view event_json);

// An S3 event key as the object's real name: "+" is a space, "%XX" a byte.
// invalid_argument for a malformed escape.
core::Result<std::string> DecodeS3Key(std::string_view key);

}  // namespace invoices::lambda
