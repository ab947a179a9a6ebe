// `invoices serve`: one process that plays API Gateway and the functions.
#include <signal.h>

#include <cstdio>
#include <thread>

#include "commands.h"
#include "invoices/extract/scanner.h"
#include "invoices/functions/scan.h"
#include "invoices/gateway/server.h"

namespace invoices::cli {
namespace {

struct ServeFlags {
  OcrFlags ocr;
  std::string host = "127.0.0.1";
  int port = 8080;
  int workers = 0;
  size_t max_body = 10 * 1024 * 1024;
};

int RunServe(const ServeFlags& flags) {
  // Signals are taken by sigwait below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const int workers =
      flags.workers > 0 ? flags.workers
                        : std::max(1, int(std::thread::hardware_concurrency()));
  auto engines = extract::EnginePool::Create(workers, [&] {
    return extract::NewTesseractEngine({.language = flags.ocr.lang});
  });
  if (!engines) {
    std::fprintf(stderr, "invoices serve: %s\n",
                 engines.error().ToString().c_str());
    return core::ExitCode(engines.error().code());
  }
  extract::ScannerOptions scan_options;
  scan_options.decode.max_pixels = flags.ocr.max_pixels;
  const extract::Scanner scanner(**engines, scan_options);
  const functions::ScanFunction scan(scanner);

  std::vector<gateway::Route> routes;
  routes.push_back({"GET", "/healthz",
                    [](const functions::HttpRequest&) {
                      return functions::JsonResponse(200, {{"status", "ok"}});
                    },
                    gateway::Execution::kInline});
  routes.push_back({"POST", "/scan", scan, gateway::Execution::kWorker});

  gateway::ServerOptions options;
  options.host = flags.host;
  options.port = flags.port;
  options.worker_threads = workers;
  options.worker_queue = size_t(workers) * 8;
  options.max_body_bytes = flags.max_body;
  auto server = gateway::Server::Start(options, std::move(routes));
  if (!server) {
    std::fprintf(stderr, "invoices serve: %s\n",
                 server.error().ToString().c_str());
    return core::ExitCode(server.error().code());
  }
  const std::string host = flags.host.find(':') != std::string::npos
                               ? "[" + flags.host + "]"
                               : flags.host;
  std::printf(
      "invoices serve: listening on http://%s:%d (OCR %s, %d workers)\n",
      host.c_str(), (*server)->port(), flags.ocr.lang.c_str(), workers);
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
      "Serve the HTTP API (and, later, the web page) on one machine: the "
      "embedded default, with no configuration needed.");
  cmd->add_option("--host", flags->host, "address to listen on")
      ->envname("INVOICES_HOST")
      ->capture_default_str();
  cmd->add_option("--port", flags->port, "port to listen on (0: any free port)")
      ->envname("INVOICES_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--workers", flags->workers,
                  "OCR workers (default: the number of cores)")
      ->envname("INVOICES_WORKERS")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-body", flags->max_body,
                  "largest request body in bytes (API Gateway's is 10 MB)")
      ->envname("INVOICES_MAX_BODY")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  AddOcrFlags(*cmd, flags->ocr);
  return [flags] { return RunServe(*flags); };
}

}  // namespace invoices::cli
