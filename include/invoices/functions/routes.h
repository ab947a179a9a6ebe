// Every HTTP route of `invoices serve`, in one table that it builds its
// router from, that the tests read (tests/openapi.test.mjs: every route is
// documented in docs/openapi.yaml, and nothing else is) and that names, for
// the AWS deployment (deploy/template.yaml), the Lambda function behind each
// API route (LambdaHandler). A route's handler is named by `function`; the
// code that serves each function stays with whoever wires it
// (src/cli/serve_command.cpp for the gateway, src/cli/lambda_command.cpp for
// Lambda).
//
// Functions, and who plays them in AWS:
//   scan      ScanFunction (functions/scan.h)              Lambda "scan"
//   save      InvoicesFunction's upload (POST /invoices)    Lambda "save"
//   invoices  InvoicesFunction's read side and corrections  Lambda "invoices"
//   health    the server is up (/healthz)                   Lambda "invoices"
//   config    the web page's settings (/config.json)        Lambda "invoices"
//   metrics   Prometheus text (/metrics)                    CloudWatch
//   site      the web page's static files                   S3 / CloudFront
//   cognito   the built-in user pool's Cognito protocol     Cognito; and only
//   keys      its JWKS and OpenID discovery documents       with the built-in
//                                                           pool
//                                                           (NeedsBuiltInPool)
// Lambda-only routes (POST /uploads, functions/upload_url.h) are not here:
// `invoices serve` takes uploads through POST /invoices.
//
// Thread safety: constants.
#pragma once

#include <array>
#include <string_view>

namespace invoices::functions {

// What a route's handler spends its time on, which decides where the gateway
// runs it.
enum class RouteWork {
  kLight,    // little, and never blocks: on an IO thread
  kCompute,  // CPU (OCR, password hashing): the workers, one per core
  kStore,    // waiting for the store: a pool of its own, never behind OCR
};

struct RouteSpec {
  std::string_view method;  // "GET", "POST", ...
  // API Gateway's route syntax, which the gateway shares: "{id}" is one path
  // segment, a last "{path+}" one or more.
  std::string_view path;
  std::string_view function;  // see the file comment
  // API Gateway's JWT authorizer is on the route: no handler runs without a
  // valid token, and the handler reads the user from its claims.
  bool needs_token;
  RouteWork work;
  // Charged to the stage throttle (gateway/throttle.h). The operators'
  // routes are not: a load balancer must see health and a scraper the
  // metrics, above all when the users' load is throttled (both are cheap).
  bool throttled;
};

// clang-format off
inline constexpr std::array<RouteSpec, 17> kRoutes = {{
    {"GET",    "/healthz",                          "health",   false, RouteWork::kLight,   false},
    {"GET",    "/metrics",                          "metrics",  false, RouteWork::kLight,   false},
    {"GET",    "/config.json",                      "config",   false, RouteWork::kLight,   true},
    {"GET",    "/.well-known/jwks.json",            "keys",     false, RouteWork::kLight,   true},
    {"GET",    "/.well-known/openid-configuration", "keys",     false, RouteWork::kLight,   true},
    // Password hashing is deliberately slow.
    {"POST",   "/cognito",                          "cognito",  false, RouteWork::kCompute, true},
    {"POST",   "/cognito/",                         "cognito",  false, RouteWork::kCompute, true},
    {"POST",   "/scan",                             "scan",     true,  RouteWork::kCompute, true},
    // An upload is read (OCR) unless it comes with the user's values.
    {"POST",   "/invoices",                         "save",     true,  RouteWork::kCompute, true},
    // The rest read or write the store. export.csv is a literal segment, so
    // it wins over {id}.
    {"GET",    "/invoices",                         "invoices", true,  RouteWork::kStore,   true},
    {"GET",    "/invoices/export.csv",              "invoices", true,  RouteWork::kStore,   true},
    {"GET",    "/invoices/{id}",                    "invoices", true,  RouteWork::kStore,   true},
    {"PATCH",  "/invoices/{id}",                    "invoices", true,  RouteWork::kStore,   true},
    {"DELETE", "/invoices/{id}",                    "invoices", true,  RouteWork::kStore,   true},
    {"GET",    "/invoices/{id}/picture",            "invoices", true,  RouteWork::kStore,   true},
    {"GET",    "/",                                 "site",     false, RouteWork::kLight,   true},
    {"GET",    "/{path+}",                          "site",     false, RouteWork::kLight,   true},
}};
// clang-format on

// The Lambda handler (`invoices lambda`'s _HANDLER) that serves `function`'s
// routes behind API Gateway, or "" for a function that AWS plays with a
// service of its own (metrics, site, cognito, keys).
constexpr std::string_view LambdaHandler(std::string_view function) {
  if (function == "scan" || function == "save") return function;
  if (function == "invoices" || function == "health" || function == "config") {
    return "invoices";
  }
  return "";
}

// Whether `function` exists only with the built-in user pool (no
// --auth-issuer): the Cognito protocol and its keys.
constexpr bool NeedsBuiltInPool(std::string_view function) {
  return function == "cognito" || function == "keys";
}

}  // namespace invoices::functions
