// `invoices lambda` (and the same binary run as `bootstrap`): the custom
// runtime of the AWS deployment (deploy/template.yaml). The function is
// chosen by _HANDLER, the handler setting of the Lambda function; each one
// is the handler that `invoices serve` routes to, behind the Lambda loop
// instead of the gateway:
//   scan       POST /scan
//   save       POST /invoices
//   invoices   the other /invoices routes, POST /uploads, and the open
//              GET /healthz and GET /config.json
//   s3-upload  S3 ObjectCreated events under uploads/ (upload_event.h)
// After each request an API function (scan, save, invoices) answers, it
// prints one CloudWatch Embedded Metric Format line on standard output
// (gateway/emf.h: Latency, 4XXError and 5XXError by Function and Route),
// which CloudWatch Logs turns into metrics: what `invoices serve` shows at
// /metrics.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "commands.h"
#include "invoices/extract/scanner.h"
#include "invoices/functions/invoices.h"
#include "invoices/functions/scan.h"
#include "invoices/functions/upload_event.h"
#include "invoices/functions/upload_url.h"
#include "invoices/gateway/emf.h"
#include "invoices/lambda/events.h"
#include "invoices/lambda/loop.h"
#include "invoices/lambda/runtime.h"
#include "invoices/lambda/upload_events.h"
#include "invoices/store/invoice_repository.h"
#include "invoices/store/s3_store.h"
#include "pool_flags.h"

namespace invoices::cli {
namespace {

struct LambdaFlags {
  OcrFlags ocr;
  StoreFlags store;
  std::string handler;
};

// What a function keeps between invocations (Lambda reuses the process).
struct Function {
  std::unique_ptr<extract::EnginePool> engines;
  std::unique_ptr<extract::LanguagePools> languages;
  std::unique_ptr<extract::Scanner> scanner;
  std::unique_ptr<store::ObjectStore> store;
  std::unique_ptr<store::InvoiceRepository> repository;
  std::unique_ptr<functions::ScanFunction> scan;
  std::unique_ptr<functions::InvoicesFunction> invoices;
  std::unique_ptr<functions::UploadUrlFunction> upload_url;
  std::unique_ptr<functions::UploadProcessor> uploads;
  core::Json config;  // GET /config.json
};

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// What the web page needs to sign in and call the API, as `invoices serve`
// answers GET /config.json, from the settings the deployment gives the
// function (the same names as serve's flags): the user pool's issuer
// (INVOICES_AUTH_ISSUER), its app client (INVOICES_AUTH_AUDIENCE, the
// first one) and the API's URL (INVOICES_PUBLIC_URL; when unset, the host
// the request came to).
core::Json ClientConfig() {
  std::string issuer = Env("INVOICES_AUTH_ISSUER");
  while (issuer.ends_with('/')) issuer.pop_back();
  core::Json auth = core::Json::object();
  if (!issuer.empty()) auth["issuer"] = issuer;
  // https://cognito-idp.REGION.amazonaws.com/POOL
  constexpr std::string_view kCognito = "https://cognito-idp.";
  if (issuer.starts_with(kCognito)) {
    const size_t dot = issuer.find('.', kCognito.size());
    if (dot != std::string::npos) {
      const std::string region =
          issuer.substr(kCognito.size(), dot - kCognito.size());
      auth["endpoint"] = "https://cognito-idp." + region + ".amazonaws.com/";
      auth["region"] = region;
    }
  }
  const std::string audience = Env("INVOICES_AUTH_AUDIENCE");
  if (!audience.empty()) {
    auth["clientId"] = audience.substr(0, audience.find(','));
  }
  core::Json config = {{"auth", auth}};
  if (std::string url = Env("INVOICES_PUBLIC_URL"); !url.empty()) {
    config["api"] = {{"endpoint", url}};
  }
  return config;
}

// Prints the EMF line of each answered request on standard output, where
// Lambda's log agent takes it (one line, flushed at once: a line is never
// held back until the next invocation).
lambda::HttpObserver EmfOnStdout(std::string function) {
  return [function = std::move(function)](
             const functions::HttpRequest& request,
             const functions::HttpResponse& response, double latency_ms) {
    std::string line = gateway::EmfRequestLine(
        function, request.route_key, latency_ms, response.status,
        request.request_id, std::chrono::system_clock::now());
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  };
}

// The repository as `invoices serve` has it, with the cache of parsed index
// objects sized to the function: a quarter of the memory Lambda gives it
// (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, in MB; 32 MB of a 128 MB function).
store::RepositoryOptions RepositoryOptionsForLambda() {
  store::RepositoryOptions options;
  size_t megabytes = 128;
  const std::string memory = Env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
  if (!memory.empty()) {
    char* end = nullptr;
    const unsigned long long value = std::strtoull(memory.c_str(), &end, 10);
    if (end != memory.c_str() && *end == '\0' && value >= 64 &&
        value <= 10240) {
      megabytes = static_cast<size_t>(value);
    }
  }
  options.index_cache_bytes = (megabytes << 20) / 4;
  return options;
}

// The last path segment names the route (a stage prefix may precede it).
bool PathEndsWith(const functions::HttpRequest& r, std::string_view tail) {
  return r.raw_path == tail || r.raw_path.ends_with(tail);
}

// The `invoices` function's routes besides InvoicesFunction's: API Gateway
// has routed each request here by its route key already.
functions::HttpResponse ServeApi(const Function& f,
                                 const functions::HttpRequest& r) {
  if (r.method == "GET" && PathEndsWith(r, "/healthz")) {
    return functions::JsonResponse(200, {{"status", "ok"}});
  }
  if (r.method == "GET" && PathEndsWith(r, "/config.json")) {
    core::Json config = f.config;
    if (!config.contains("api") && !r.Header("host").empty()) {
      config["api"] = {
          {"endpoint", "https://" + std::string(r.Header("host"))}};
    }
    functions::HttpResponse response = functions::JsonResponse(200, config);
    response.headers["cache-control"] = "no-cache";
    return response;
  }
  if (PathEndsWith(r, "/uploads")) return (*f.upload_url)(r);
  return (*f.invoices)(r);
}

core::Result<lambda::Handler> Init(const LambdaFlags& flags, Function& f) {
  const std::string& name = flags.handler;
  // One invocation at a time per sandbox: one engine. The functions that
  // read documents load it now, during init, which Lambda does not bill at
  // the invocation's memory; the API function never reads one on its read
  // routes, and starts without it.
  auto factory = [lang = flags.ocr.lang] {
    return extract::NewTesseractEngine({.language = lang});
  };
  if (name == "scan" || name == "save" || name == "s3-upload") {
    INVOICES_ASSIGN_OR_RETURN(f.engines,
                              extract::EnginePool::Create(1, factory));
  } else if (name == "invoices") {
    INVOICES_ASSIGN_OR_RETURN(f.engines,
                              extract::EnginePool::CreateLazy(1, factory));
  } else {
    return core::InvalidArgument(
        "unknown handler \"" + name +
        "\" (set _HANDLER or --handler to scan, save, invoices or "
        "s3-upload)");
  }
  // A request may ask for other languages (?lang=deu) among those packaged:
  // one engine for the last set asked for, made on first use.
  f.languages = std::make_unique<extract::LanguagePools>(
      *f.engines,
      extract::LanguagePools::Options{.default_languages = flags.ocr.lang,
                                      .engines_per_set = 1,
                                      .max_sets = 1},
      [](const std::string& lang) {
        return extract::NewTesseractEngine({.language = lang});
      });
  extract::ScannerOptions scan_options;
  scan_options.decode.max_pixels = flags.ocr.max_pixels;
  f.scanner = std::make_unique<extract::Scanner>(*f.engines, scan_options,
                                                 f.languages.get());
  if (name == "scan") {
    f.scan = std::make_unique<functions::ScanFunction>(*f.scanner);
    return lambda::HttpApiHandler(
        [&scan = *f.scan](const functions::HttpRequest& r) { return scan(r); },
        EmfOnStdout(name));
  }
  INVOICES_ASSIGN_OR_RETURN(f.store, OpenStoreFromFlags(flags.store));
  f.repository = std::make_unique<store::InvoiceRepository>(
      *f.store, RepositoryOptionsForLambda());
  if (name == "s3-upload") {
    f.uploads = std::make_unique<functions::UploadProcessor>(
        *f.store, *f.repository, *f.scanner);
    lambda::UploadEventOptions options;
    // The notification names the bucket and the whole key; the store's own
    // prefix (s3://bucket/prefix) is not part of its keys.
    if (flags.store.store.starts_with("s3://")) {
      INVOICES_ASSIGN_OR_RETURN(store::S3Options s3,
                                store::S3OptionsFromUrl(flags.store.store));
      options.bucket = s3.bucket;
      options.prefix = s3.prefix;
    }
    return lambda::UploadEventHandler(*f.uploads, options);
  }
  f.invoices =
      std::make_unique<functions::InvoicesFunction>(*f.repository, *f.scanner);
  f.upload_url = std::make_unique<functions::UploadUrlFunction>(*f.store);
  f.config = ClientConfig();
  return lambda::HttpApiHandler(
      [&f](const functions::HttpRequest& r) { return ServeApi(f, r); },
      EmfOnStdout(name));
}

int RunLambda(const LambdaFlags& flags) {
  const char* api = std::getenv(lambda::kRuntimeApiEnv);
  if (api == nullptr || *api == '\0') {
    std::fprintf(stderr,
                 "invoices lambda: %s is not set: this command is the "
                 "runtime of an AWS Lambda function, started by Lambda (or "
                 "the Runtime Interface Emulator)\n",
                 lambda::kRuntimeApiEnv);
    return 2;
  }
  std::unique_ptr<lambda::RuntimeTransport> runtime =
      lambda::NewCurlRuntime(api);
  Function function;
  return lambda::RunWithInit(*runtime, [&] { return Init(flags, function); });
}

}  // namespace

Run AddLambdaCommand(CLI::App& app) {
  auto flags = std::make_shared<LambdaFlags>();
  if (const char* handler = std::getenv("_HANDLER")) flags->handler = handler;
  CLI::App* cmd = app.add_subcommand(
      "lambda",
      "Run as an AWS Lambda function (custom runtime; the deployment's "
      "`bootstrap` is this binary): takes invocations from "
      "AWS_LAMBDA_RUNTIME_API and answers them with the function named by "
      "_HANDLER: scan (POST /scan), save (POST /invoices), invoices (the "
      "other /invoices routes, POST /uploads, GET /healthz, GET "
      "/config.json) or s3-upload (S3 events of uploads/). Store, language "
      "and limits as for `serve`.");
  cmd->add_option(
      "--handler", flags->handler,
      "the function: scan, save, invoices or s3-upload (default: $_HANDLER)");
  AddOcrFlags(*cmd, flags->ocr);
  AddStoreFlags(*cmd, flags->store);
  return [flags] { return RunLambda(*flags); };
}

}  // namespace invoices::cli
