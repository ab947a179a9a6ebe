// `invoices reindex`: rebuilds users' invoice indexes from their invoice.json
// files (after a crash, an interrupted delete, or by hand), and removes
// originals that never got an invoice.json.
#include <cstdio>
#include <set>

#include "commands.h"
#include "invoices/store/invoice_repository.h"
#include "pool_flags.h"

namespace invoices::cli {
namespace {

struct ReindexFlags {
  StoreFlags store;
  std::vector<std::string> users;
  bool all = false;
};

// Every sub that has something under users/: one pass over the keys, the
// price of a command an administrator runs rarely.
core::Result<std::vector<std::string>> AllUsers(store::ObjectStore& store) {
  std::set<std::string> subs;
  std::string token;
  do {
    INVOICES_ASSIGN_OR_RETURN(store::ListPage page,
                              store.List("users/", token));
    for (const auto& object : page.objects) {
      const std::string_view rest = std::string_view(object.key).substr(6);
      subs.emplace(rest.substr(0, rest.find('/')));
    }
    token = page.next_token;
  } while (!token.empty());
  return std::vector<std::string>(subs.begin(), subs.end());
}

int RunReindex(const ReindexFlags& flags) {
  auto fail = [](const core::Error& e) { return ReportError("reindex", e); };
  auto store = OpenStoreFromFlags(flags.store);
  if (!store) return fail(store.error());
  std::vector<std::string> users = flags.users;
  if (flags.all) {
    auto all = AllUsers(**store);
    if (!all) return fail(all.error());
    users = std::move(*all);
  }
  if (users.empty()) {
    std::fprintf(stderr,
                 "invoices reindex: name users with --user SUB, or "
                 "--all\n");
    return 2;
  }
  store::InvoiceRepository repository(**store);
  int failed = 0;
  for (size_t i = 0; i < users.size(); ++i) {
    auto report = repository.Reindex(users[i]);
    if (!report) {
      std::fprintf(stderr, "[%zu/%zu] %s: %s\n", i + 1, users.size(),
                   users[i].c_str(), report.error().ToString().c_str());
      ++failed;
      continue;
    }
    std::printf(
        "[%zu/%zu] %s: %d invoices indexed, %d orphan originals deleted, %d "
        "kept (too recent), %d unreadable\n",
        i + 1, users.size(), users[i].c_str(), report->invoices,
        report->orphans_deleted, report->orphans_kept, report->unreadable);
    std::fflush(stdout);
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace

Run AddReindexCommand(CLI::App& app) {
  auto flags = std::make_shared<ReindexFlags>();
  CLI::App* cmd = app.add_subcommand(
      "reindex",
      "Rebuild invoice indexes from the stored invoices (safe while the "
      "server runs) and delete originals that never got an invoice.json.");
  AddStoreFlags(*cmd, flags->store);
  cmd->add_option("--user", flags->users,
                  "the sub of a user to reindex (repeatable)");
  cmd->add_flag("--all", flags->all, "every user found in the store");
  return [flags] { return RunReindex(*flags); };
}

}  // namespace invoices::cli
