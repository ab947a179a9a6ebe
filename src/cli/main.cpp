// invoices: read, keep and serve invoices. Wires the library; no logic here.
#include <cstdio>
#include <exception>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Invoices Serverless: read receipts and invoices (photos, scans), keep "
      "them, and serve them over HTTP.\nRun `invoices serve` and open the "
      "printed URL, or `invoices scan FILE...` to read files."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "invoices 0.1.0");
  const invoices::cli::Run scan = invoices::cli::AddScanCommand(app);
  const invoices::cli::Run serve = invoices::cli::AddServeCommand(app);
  const invoices::cli::Run user = invoices::cli::AddUserCommand(app);
  const invoices::cli::Run reindex = invoices::cli::AddReindexCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (app.got_subcommand("scan")) return scan();
    if (app.got_subcommand("serve")) return serve();
    if (app.got_subcommand("user")) return user();
    if (app.got_subcommand("reindex")) return reindex();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invoices: internal error: %s\n", e.what());
    return 1;
  }
  return 1;
}
