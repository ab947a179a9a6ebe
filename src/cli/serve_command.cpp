// `invoices serve`: one process that plays API Gateway, Cognito and the
// functions, storing into a folder (or any S3-compatible store).
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <regex>
#include <sstream>
#include <thread>

#include "commands.h"
#include "invoices/auth/keys.h"
#include "invoices/auth/user_pool.h"
#include "invoices/auth/verifier.h"
#include "invoices/extract/scanner.h"
#include "invoices/functions/cognito.h"
#include "invoices/functions/invoices.h"
#include "invoices/functions/routes.h"
#include "invoices/functions/scan.h"
#include "invoices/gateway/access_log.h"
#include "invoices/gateway/authorizer.h"
#include "invoices/gateway/metrics.h"
#include "invoices/gateway/server.h"
#include "invoices/gateway/static_site.h"
#include "invoices/gateway/throttle.h"
#include "invoices/store/counting_store.h"
#include "pool_flags.h"

namespace invoices::cli {
namespace {

struct ServeFlags {
  OcrFlags ocr;
  StoreFlags store;
  PoolFlags pool;
  std::string host = "127.0.0.1";
  int port = 8080;
  int workers = 0;
  size_t max_body = 10 * 1024 * 1024;
  std::string public_url;
  std::string auth_issuer, auth_jwks_url, auth_audience;
  std::string web_root;
  bool access_log = true;
  std::string cors_origins;
  gateway::ThrottleOptions throttle;
  // Seconds; ServerOptions' defaults.
  double header_timeout = 10;
  double body_timeout = 60;
  double idle_timeout = 30;
};

// Seconds from a flag as the server's milliseconds (at least 1).
std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(
      std::max<int64_t>(1, std::llround(seconds * 1000)));
}

// What the routes use beyond the scanner. Made once the server is bound: the
// built-in pool's issuer is the server's own URL, known only then with
// --port 0. Until it is ready, the routes that need it answer 503.
struct Services {
  std::unique_ptr<store::ObjectStore> store;
  std::unique_ptr<auth::UserPool> pool;  // the built-in pool, or null
  std::unique_ptr<auth::KeySource> keys;
  std::unique_ptr<auth::TokenVerifier> verifier;
  std::unique_ptr<functions::CognitoFunction> cognito;
  std::unique_ptr<store::InvoiceRepository> repository;
  std::unique_ptr<functions::InvoicesFunction> invoices;
  gateway::Authorizer authorizer;
  core::Json config;  // GET /config.json
};

// Where the gateway runs a route's handler.
gateway::Execution ExecutionFor(functions::RouteWork work) {
  switch (work) {
    case functions::RouteWork::kCompute:
      return gateway::Execution::kWorker;
    case functions::RouteWork::kStore:
      return gateway::Execution::kBlocking;
    case functions::RouteWork::kLight:
      break;
  }
  return gateway::Execution::kInline;
}

// The store's requests by operation and its failures by operation and code,
// for GET /metrics.
std::vector<gateway::MetricFamily> StoreFamilies(
    const store::StoreCounters& counters) {
  gateway::MetricFamily requests{"invoices_store_requests_total",
                                 "Store operations, by operation.",
                                 "counter",
                                 {}};
  gateway::MetricFamily errors{
      "invoices_store_errors_total",
      "Store operations that failed, by operation and error code "
      "(not_found and failed_precondition are normal answers).",
      "counter",
      {}};
  for (size_t o = 0; o < store::kStoreOpCount; ++o) {
    const auto op = static_cast<store::StoreOp>(o);
    const std::string name(store::StoreOpName(op));
    requests.samples.push_back({{{"op", name}}, double(counters.requests(op))});
    for (size_t c = 0; c < store::kErrorCodeCount; ++c) {
      const auto code = static_cast<core::ErrorCode>(c);
      if (const uint64_t n = counters.errors(op, code); n > 0) {
        errors.samples.push_back(
            {{{"op", name}, {"code", std::string(core::CodeName(code))}},
             double(n)});
      }
    }
  }
  return {std::move(requests), std::move(errors)};
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

core::Result<std::unique_ptr<Services>> MakeServices(
    const ServeFlags& flags, const std::string& url,
    const extract::Scanner& scanner, store::StoreCounters& store_counters) {
  auto services = std::make_unique<Services>();
  INVOICES_ASSIGN_OR_RETURN(auto store, OpenStoreFromFlags(flags.store));
  services->store = store::NewCountingStore(std::move(store), store_counters);
  services->repository =
      std::make_unique<store::InvoiceRepository>(*services->store);
  services->invoices = std::make_unique<functions::InvoicesFunction>(
      *services->repository, scanner);
  auth::VerifierOptions verifier_options;
  if (flags.auth_issuer.empty()) {
    INVOICES_ASSIGN_OR_RETURN(
        services->pool,
        auth::UserPool::Create(*services->store, PoolOptions(flags.pool, url)));
    services->keys = services->pool->NewKeySource();
    verifier_options = services->pool->verifier_options();
    services->cognito =
        std::make_unique<functions::CognitoFunction>(*services->pool);
    services->config["auth"] = {{"endpoint", url + "/cognito/"},
                                {"region", services->pool->region()},
                                {"clientId", services->pool->client_id()},
                                {"issuer", services->pool->issuer()}};
  } else {
    std::string issuer = flags.auth_issuer;
    while (issuer.ends_with('/')) issuer.pop_back();
    verifier_options.issuer = issuer;
    verifier_options.audiences = SplitList(flags.auth_audience);
    // Cognito's tokens say what they are for; other OIDC issuers' do not.
    static const std::regex kCognito(
        R"(^https://cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/[^/]+$)");
    std::smatch cognito;
    if (!std::regex_match(issuer, cognito, kCognito)) {
      verifier_options.token_uses.clear();
    }
    services->keys = auth::NewJwksUrlKeySource(
        {.url = flags.auth_jwks_url.empty() ? issuer + "/.well-known/jwks.json"
                                            : flags.auth_jwks_url},
        auth::NewCurlFetch(), auth::SystemClock());
    core::Json auth = {{"issuer", issuer}};
    if (!cognito.empty()) {
      auth["endpoint"] =
          "https://cognito-idp." + cognito[1].str() + ".amazonaws.com/";
      auth["region"] = cognito[1].str();
    }
    if (!verifier_options.audiences.empty()) {
      auth["clientId"] = verifier_options.audiences.front();
    }
    services->config["auth"] = std::move(auth);
  }
  services->verifier = std::make_unique<auth::TokenVerifier>(
      std::move(verifier_options), *services->keys);
  services->authorizer = gateway::NewJwtAuthorizer(*services->verifier);
  return services;
}

int RunServe(const ServeFlags& flags) {
  // Signals are taken by sigwait below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto fail = [](const core::Error& e) { return ReportError("serve", e); };

  const int workers =
      flags.workers > 0 ? flags.workers
                        : std::max(1, int(std::thread::hardware_concurrency()));
  auto engines = extract::EnginePool::Create(workers, [&] {
    return extract::NewTesseractEngine({.language = flags.ocr.lang});
  });
  if (!engines) return fail(engines.error());
  // Requests that name other languages (POST /scan?lang=deu) get engines of
  // their own, made on first use: up to one per worker for each of the
  // last kLanguageSets sets asked for.
  constexpr size_t kLanguageSets = 4;
  extract::LanguagePools languages(
      **engines,
      {.default_languages = flags.ocr.lang,
       .engines_per_set = size_t(workers),
       .max_sets = kLanguageSets},
      [](const std::string& lang) {
        return extract::NewTesseractEngine({.language = lang});
      });
  extract::ScannerOptions scan_options;
  scan_options.decode.max_pixels = flags.ocr.max_pixels;
  const extract::Scanner scanner(**engines, scan_options, &languages);
  const functions::ScanFunction scan(scanner);

  gateway::StaticSite site = gateway::StaticSite::Embedded();
  if (!flags.web_root.empty()) {
    auto from_disk = gateway::StaticSite::FromDirectory(flags.web_root);
    if (!from_disk) return fail(from_disk.error());
    site = std::move(*from_disk);
  }

  std::atomic<Services*> ready{nullptr};
  const core::Error not_ready(core::ErrorCode::kUnavailable,
                              "the server is starting; retry in a moment");
  // A handler that needs the services.
  auto with_services = [&](auto handler) -> gateway::Handler {
    return [&ready, &not_ready, handler](const functions::HttpRequest& r) {
      Services* s = ready.load(std::memory_order_acquire);
      if (s == nullptr) {
        functions::HttpResponse starting =
            functions::ErrorResponse(not_ready, r.request_id);
        starting.headers["retry-after"] = "1";
        return starting;
      }
      return handler(*s, r);
    };
  };
  using functions::HttpRequest;
  using functions::HttpResponse;
  gateway::Metrics metrics;  // fed by the access log, read by GET /metrics
  store::StoreCounters store_counters;  // fed by the store, read by /metrics
  auto throttle = gateway::Throttle::Create(flags.throttle);
  if (!throttle) return fail(throttle.error());
  std::shared_ptr<gateway::Throttle> throttled = std::move(*throttle);
  std::atomic<gateway::Server*> running{nullptr};

  // The handler of each function of functions::kRoutes (routes.h).
  auto invoices = with_services(
      [](Services& s, const HttpRequest& r) { return (*s.invoices)(r); });
  auto handler_for = [&](const functions::RouteSpec& spec) -> gateway::Handler {
    const std::string_view f = spec.function;
    if (f == "health") {
      // Made once: load balancers ask often.
      return [ok = functions::JsonResponse(200, {{"status", "ok"}})](
                 const HttpRequest&) { return ok; };
    }
    if (f == "scan") return scan;
    if (f == "save" || f == "invoices") return invoices;
    if (f == "config") {
      return with_services([](Services& s, const HttpRequest&) {
        HttpResponse r = functions::JsonResponse(200, s.config);
        r.headers["cache-control"] = "no-cache";
        return r;
      });
    }
    if (f == "cognito") {
      return with_services(
          [](Services& s, const HttpRequest& r) { return (*s.cognito)(r); });
    }
    if (f == "keys") {
      const bool jwks = spec.path.ends_with("/jwks.json");
      return with_services([jwks](Services& s, const HttpRequest&) {
        HttpResponse r;
        r.headers["content-type"] = "application/json";
        r.body = jwks ? s.pool->JwksJson() : s.pool->OpenIdConfiguration();
        return r;
      });
    }
    if (f == "metrics") {
      return [&metrics, &running, &store_counters, &ready,
              throttled](const HttpRequest&) {
        std::vector<std::pair<std::string, double>> gauges;
        if (gateway::Server* server = running.load()) {
          const gateway::ServerStats stats = server->stats();
          gauges = {
              {"invoices_open_connections", double(stats.open_connections)},
              {"invoices_ocr_queue_depth", double(stats.worker_queue_depth)},
              {"invoices_store_queue_depth",
               double(stats.blocking_queue_depth)},
              {"invoices_rejected_busy_total", double(stats.rejected)}};
        }
        gauges.push_back(
            {"invoices_throttle_clients", double(throttled->clients())});
        std::vector<gateway::MetricFamily> families =
            StoreFamilies(store_counters);
        if (Services* s = ready.load(std::memory_order_acquire)) {
          const store::IndexCacheStats cache =
              s->repository->index_cache_stats();
          families.push_back(
              {"invoices_index_cache_lookups_total",
               "Index objects (head.json, segments) looked up in the "
               "repository's cache of parsed objects, by result.",
               "counter",
               {{{{"result", "hit"}}, double(cache.hits)},
                {{{"result", "miss"}}, double(cache.misses)}}});
          gauges.push_back({"invoices_index_cache_bytes", double(cache.bytes)});
        }
        HttpResponse r;
        r.headers["content-type"] = "text/plain; version=0.0.4";
        r.body = metrics.Prometheus(gauges, std::move(families));
        return r;
      };
    }
    if (f == "site") {
      return [&site](const HttpRequest& r) { return site.Serve(r); };
    }
    return nullptr;
  };
  std::vector<gateway::Route> routes;
  for (const functions::RouteSpec& spec : functions::kRoutes) {
    // With an external issuer, its own Cognito (or OIDC provider) serves
    // these.
    if (functions::NeedsBuiltInPool(spec.function) &&
        !flags.auth_issuer.empty()) {
      continue;
    }
    gateway::Handler handler = handler_for(spec);
    if (!handler) {
      return fail(core::Error(
          core::ErrorCode::kInternal,
          "no handler for the function " + std::string(spec.function)));
    }
    routes.push_back({std::string(spec.method), std::string(spec.path),
                      std::move(handler), ExecutionFor(spec.work),
                      spec.needs_token, spec.throttled});
  }

  gateway::ServerOptions options;
  options.host = flags.host;
  options.port = flags.port;
  options.worker_threads = workers;
  options.worker_queue = size_t(workers) * 8;
  // OCR yields the cores to requests when both want them: light requests
  // stay fast while scans saturate the workers (docs/BENCHMARKS.md).
  options.worker_nice = 10;
  options.max_body_bytes = flags.max_body;
  options.header_timeout = Millis(flags.header_timeout);
  options.body_timeout = Millis(flags.body_timeout);
  options.idle_timeout = Millis(flags.idle_timeout);
  auto json_log =
      flags.access_log ? gateway::NewJsonLinesAccessLog(stderr) : nullptr;
  options.access_log = [&metrics, json_log](const gateway::AccessLogRecord& r) {
    metrics.Record(r);
    if (json_log) json_log(r);
  };
  options.cors_origins = SplitList(flags.cors_origins);
  // Off when both limits are.
  if (flags.throttle.rate > 0 || flags.throttle.client_rate > 0) {
    options.throttle = throttled;
  }
  options.authorizer = [&ready, &not_ready](const HttpRequest& r)
      -> core::Result<std::map<std::string, std::string>> {
    Services* s = ready.load(std::memory_order_acquire);
    if (s == nullptr) return std::unexpected(not_ready);
    return s->authorizer(r);
  };
  auto server = gateway::Server::Start(options, std::move(routes));
  if (!server) return fail(server.error());
  running.store(server->get());

  const std::string host = flags.host.find(':') != std::string::npos
                               ? "[" + flags.host + "]"
                           : flags.host == "0.0.0.0" ? "localhost"
                                                     : flags.host;
  std::string url =
      flags.public_url.empty()
          ? "http://" + host + ":" + std::to_string((*server)->port())
          : flags.public_url;
  while (url.ends_with('/')) url.pop_back();
  auto services = MakeServices(flags, url, scanner, store_counters);
  if (!services) {
    (*server)->Shutdown();
    return fail(services.error());
  }
  ready.store(services->get(), std::memory_order_release);

  std::printf(
      "invoices serve: listening on %s (store %s, %s, OCR %s, %d "
      "workers)\n",
      url.c_str(), flags.store.store.c_str(),
      flags.auth_issuer.empty() ? "built-in user pool"
                                : ("tokens from " + flags.auth_issuer).c_str(),
      flags.ocr.lang.c_str(), workers);
  std::fflush(stdout);

  int signal = 0;
  sigwait(&signals, &signal);
  std::fprintf(stderr, "invoices serve: %s, finishing in-flight requests\n",
               signal == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->Shutdown();
  (*server)->Wait();
  return 0;
}

}  // namespace

Run AddServeCommand(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve the web page and the HTTP API on one machine: the embedded "
      "default, with a built-in user pool and a local folder as storage, and "
      "no configuration needed.");
  cmd->add_option("--host", flags->host, "address to listen on")
      ->envname("INVOICES_HOST")
      ->capture_default_str();
  cmd->add_option("--port", flags->port, "port to listen on (0: any free port)")
      ->envname("INVOICES_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--public-url", flags->public_url,
                  "the URL clients reach this server at (default: "
                  "http://HOST:PORT); the built-in pool's token issuer")
      ->envname("INVOICES_PUBLIC_URL");
  cmd->add_option("--workers", flags->workers,
                  "OCR workers (default: the number of cores)")
      ->envname("INVOICES_WORKERS")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-body", flags->max_body,
                  "largest request body in bytes (API Gateway's is 10 MB)")
      ->envname("INVOICES_MAX_BODY")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  // From a millisecond to a day.
  const auto seconds = CLI::Range(0.001, 86400.0);
  cmd->add_option("--header-timeout", flags->header_timeout,
                  "seconds a client has from the first byte of a request "
                  "(or from connecting) to the end of its header; cuts "
                  "clients that trickle their header (slowloris)")
      ->envname("INVOICES_HEADER_TIMEOUT")
      ->check(seconds)
      ->capture_default_str();
  cmd->add_option("--body-timeout", flags->body_timeout,
                  "seconds for receiving a request body, and for sending a "
                  "response (a streamed one: each part)")
      ->envname("INVOICES_BODY_TIMEOUT")
      ->check(seconds)
      ->capture_default_str();
  cmd->add_option("--idle-timeout", flags->idle_timeout,
                  "seconds a keep-alive connection may wait for its next "
                  "request before it is closed")
      ->envname("INVOICES_IDLE_TIMEOUT")
      ->check(seconds)
      ->capture_default_str();
  AddStoreFlags(*cmd, flags->store);
  cmd->add_option("--auth-issuer", flags->auth_issuer,
                  "accept tokens of this issuer instead of the built-in user "
                  "pool: a Cognito user pool "
                  "(https://cognito-idp.REGION.amazonaws.com/POOL_ID) or any "
                  "OIDC issuer")
      ->envname("INVOICES_AUTH_ISSUER");
  cmd->add_option("--auth-jwks-url", flags->auth_jwks_url,
                  "where the issuer's keys are (default: ISSUER/.well-known/"
                  "jwks.json)")
      ->envname("INVOICES_AUTH_JWKS_URL");
  cmd->add_option("--auth-audience", flags->auth_audience,
                  "comma-separated app client ids accepted in aud / client_id")
      ->envname("INVOICES_AUTH_AUDIENCE");
  AddPoolFlags(*cmd, flags->pool);
  cmd->add_option("--web-root", flags->web_root,
                  "serve the web page from this folder instead of the copy "
                  "built into the binary (for working on the page)")
      ->envname("INVOICES_WEB_ROOT");
  cmd->add_option("--cors-origins", flags->cors_origins,
                  "comma-separated origins whose pages may call the API from "
                  "a browser (e.g. the web page deployed on CloudFront), or * "
                  "for any; default: none, the page served here needs none")
      ->envname("INVOICES_CORS_ORIGINS");
  cmd->add_flag("!--no-access-log", flags->access_log,
                "do not write the access log (one JSON line per request on "
                "standard error)")
      ->envname("INVOICES_NO_ACCESS_LOG");
  cmd->add_option("--throttle-rate", flags->throttle.rate,
                  "requests per second the whole server admits (API "
                  "Gateway's stage throttling; 0: no limit); more get 429")
      ->envname("INVOICES_THROTTLE_RATE")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--throttle-burst", flags->throttle.burst,
                  "requests the whole server admits at once above the rate")
      ->envname("INVOICES_THROTTLE_BURST")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--user-throttle-rate", flags->throttle.client_rate,
                  "requests per second admitted per user (the token's sub; "
                  "the client address without a token; 0: no limit)")
      ->envname("INVOICES_USER_THROTTLE_RATE")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--user-throttle-burst", flags->throttle.client_burst,
                  "requests a user may send at once above the rate")
      ->envname("INVOICES_USER_THROTTLE_BURST")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  AddOcrFlags(*cmd, flags->ocr);
  return [flags] { return RunServe(*flags); };
}

}  // namespace invoices::cli
