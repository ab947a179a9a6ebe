// functions::kRoutes (routes.h), the one route table, against the router
// that serves it and the routes InvoicesFunction dispatches itself.
#include "invoices/functions/routes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "invoices/functions/invoices.h"
#include "invoices/gateway/server.h"

namespace invoices::gateway {
namespace {

using functions::kRoutes;

TEST(RouteTableTest, TheGatewayAcceptsEveryRoute) {
  std::vector<Route> routes;
  for (const auto& spec : kRoutes) {
    routes.push_back({std::string(spec.method), std::string(spec.path),
                      [](const functions::HttpRequest&) {
                        return functions::HttpResponse();
                      },
                      spec.work == functions::RouteWork::kLight
                          ? Execution::kInline
                          : Execution::kWorker,
                      spec.needs_token, spec.throttled});
  }
  ServerOptions options;
  options.port = 0;
  options.authorizer = [](const functions::HttpRequest&)
      -> core::Result<std::map<std::string, std::string>> {
    return std::map<std::string, std::string>();
  };
  // Start validates every pattern and refuses duplicates.
  auto server = Server::Start(options, std::move(routes));
  ASSERT_TRUE(server.has_value()) << server.error().ToString();
}

TEST(RouteTableTest, InvoiceRoutesAreTheInvoiceFunctions) {
  std::set<std::string> table;
  for (const auto& spec : kRoutes) {
    if (spec.function == "save" || spec.function == "invoices") {
      table.insert(std::string(spec.method) + " " + std::string(spec.path));
      EXPECT_TRUE(spec.needs_token) << spec.path;
      // Never on an IO thread; the upload may run OCR.
      EXPECT_EQ(spec.work, spec.function == "save"
                               ? functions::RouteWork::kCompute
                               : functions::RouteWork::kStore)
          << spec.path;
      // The upload is the only route of "save".
      EXPECT_EQ(spec.function == "save",
                spec.method == "POST" && spec.path == "/invoices");
    }
  }
  std::set<std::string> dispatched;
  for (const auto& route : functions::kInvoiceRoutes) {
    dispatched.insert(std::string(route.method) + " " +
                      std::string(route.path));
  }
  EXPECT_EQ(table, dispatched);
}

TEST(RouteTableTest, TokensLambdaHandlersAndThrottling) {
  std::set<std::string_view> functions;
  for (const auto& spec : kRoutes) {
    functions.insert(spec.function);
    // Behind API Gateway, the routes of the invoices and the scan need the
    // authorizer; the health check and the page's settings are open.
    const std::string_view lambda = functions::LambdaHandler(spec.function);
    if (!lambda.empty()) {
      EXPECT_EQ(spec.needs_token,
                spec.function != "health" && spec.function != "config")
          << spec.path;
    }
    EXPECT_EQ(spec.throttled,
              spec.function != "health" && spec.function != "metrics")
        << spec.path;
  }
  EXPECT_EQ(functions::LambdaHandler("save"), "save");
  EXPECT_EQ(functions::LambdaHandler("health"), "invoices");
  EXPECT_EQ(functions::LambdaHandler("site"), "");
  EXPECT_EQ(functions, (std::set<std::string_view>{
                           "health", "metrics", "config", "keys", "cognito",
                           "scan", "save", "invoices", "site"}));
}

}  // namespace
}  // namespace invoices::gateway
