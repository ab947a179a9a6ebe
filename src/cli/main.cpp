// invoices: read, keep and serve invoices. Wires the library; no logic here.
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include "commands.h"

int main(int argc, char** argv) {
  // In a Lambda deployment this binary is `bootstrap`, which Lambda starts
  // with no arguments: it is the `lambda` command.
  std::vector<char*> args(argv, argv + argc);
  const std::string_view self = argv[0];
  const std::string_view base = self.substr(self.find_last_of('/') + 1);
  char lambda_command[] = "lambda";
  if (base == "bootstrap" && argc == 1) args.push_back(lambda_command);
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
  const invoices::cli::Run lambda = invoices::cli::AddLambdaCommand(app);
  try {
    app.parse(int(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (app.got_subcommand("scan")) return scan();
    if (app.got_subcommand("serve")) return serve();
    if (app.got_subcommand("user")) return user();
    if (app.got_subcommand("reindex")) return reindex();
    if (app.got_subcommand("lambda")) return lambda();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invoices: internal error: %s\n", e.what());
    return 1;
  }
  return 1;
}
