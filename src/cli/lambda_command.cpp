// `invoices lambda` (and the same binary run as `bootstrap`): the custom
// runtime of the AWS deployment. The function is chosen by _HANDLER, the
// handler setting of the Lambda function; each one is the handler that
// `invoices serve` routes to, behind the Lambda loop instead of the gateway.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "commands.h"
#include "invoices/extract/scanner.h"
#include "invoices/functions/invoices.h"
#include "invoices/functions/scan.h"
#include "invoices/lambda/events.h"
#include "invoices/lambda/loop.h"
#include "invoices/lambda/runtime.h"
#include "invoices/store/invoice_repository.h"
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
  std::unique_ptr<extract::Scanner> scanner;
  std::unique_ptr<store::ObjectStore> store;
  std::unique_ptr<store::InvoiceRepository> repository;
  std::unique_ptr<functions::ScanFunction> scan;
  std::unique_ptr<functions::InvoicesFunction> invoices;
};

core::Result<lambda::Handler> Init(const LambdaFlags& flags, Function& f) {
  const std::string& name = flags.handler;
  // One invocation at a time per sandbox: one engine. The functions that
  // read documents load it now, during init, which Lambda does not bill at
  // the invocation's memory; the API function never reads one on its read
  // routes, and starts without it.
  auto factory = [lang = flags.ocr.lang] {
    return extract::NewTesseractEngine({.language = lang});
  };
  if (name == "scan" || name == "save") {
    INVOICES_ASSIGN_OR_RETURN(f.engines,
                              extract::EnginePool::Create(1, factory));
  } else if (name == "invoices") {
    INVOICES_ASSIGN_OR_RETURN(f.engines,
                              extract::EnginePool::CreateLazy(1, factory));
  } else {
    return core::InvalidArgument(
        "unknown handler \"" + name +
        "\" (set _HANDLER or --handler to scan, save or invoices)");
  }
  extract::ScannerOptions scan_options;
  scan_options.decode.max_pixels = flags.ocr.max_pixels;
  f.scanner = std::make_unique<extract::Scanner>(*f.engines, scan_options);
  if (name == "scan") {
    f.scan = std::make_unique<functions::ScanFunction>(*f.scanner);
    return lambda::HttpApiHandler(
        [&scan = *f.scan](const functions::HttpRequest& r) { return scan(r); });
  }
  INVOICES_ASSIGN_OR_RETURN(f.store, OpenStoreFromFlags(flags.store));
  f.repository = std::make_unique<store::InvoiceRepository>(*f.store);
  f.invoices =
      std::make_unique<functions::InvoicesFunction>(*f.repository, *f.scanner);
  return lambda::HttpApiHandler(
      [&invoices = *f.invoices](const functions::HttpRequest& r) {
        return invoices(r);
      });
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
      "_HANDLER: scan (POST /scan), save (POST /invoices) or invoices (the "
      "other /invoices routes). Store, language and limits as for `serve`.");
  cmd->add_option("--handler", flags->handler,
                  "the function: scan, save or invoices (default: $_HANDLER)");
  AddOcrFlags(*cmd, flags->ocr);
  AddStoreFlags(*cmd, flags->store);
  return [flags] { return RunLambda(*flags); };
}

}  // namespace invoices::cli
