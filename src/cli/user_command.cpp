// `invoices user add|list|delete|reset-password|confirm`: administering the
// built-in user pool of the embedded default, in the same store the server
// uses (the server may be running).
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "pool_flags.h"

namespace invoices::cli {
namespace {

struct UserFlags {
  StoreFlags store;
  PoolFlags pool;
  std::string username, password, email;
};

int Fail(const core::Error& e) { return ReportError("user", e); }

int Fail(const auth::PoolError& e) { return Fail(auth::ToCoreError(e)); }

// Runs `action` with the pool opened from the flags.
template <class Action>
int WithPool(const UserFlags& flags, Action action) {
  auto store = OpenStoreFromFlags(flags.store);
  if (!store) return Fail(store.error());
  // Administration issues no tokens: the issuer is not used.
  auto pool = auth::UserPool::Create(
      **store, PoolOptions(flags.pool, "http://127.0.0.1:8080"));
  if (!pool) return Fail(pool.error());
  return action(**pool);
}

// The password from the flag, else from standard input (one line), so that
// it need not appear in the process list or shell history.
std::string PasswordFrom(const UserFlags& flags) {
  if (!flags.password.empty()) return flags.password;
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

Run AddUserCommand(CLI::App& app) {
  auto flags = std::make_shared<UserFlags>();
  CLI::App* cmd = app.add_subcommand(
      "user", "Administer the built-in user pool (the embedded default).");
  cmd->require_subcommand(1);
  AddStoreFlags(*cmd, flags->store);
  AddPoolFlags(*cmd, flags->pool);

  auto* add = cmd->add_subcommand(
      "add",
      "Create a confirmed user. The password comes from --password or "
      "one line of standard input.");
  add->add_option("username", flags->username)->required();
  add->add_option("--password", flags->password, "the password");
  add->add_option("--email", flags->email, "the user's email (verified)");
  auto* list = cmd->add_subcommand("list", "List users, one a line.");
  auto* del = cmd->add_subcommand(
      "delete", "Delete a user and end their sessions (their invoices stay).");
  del->add_option("username", flags->username)->required();
  auto* reset = cmd->add_subcommand(
      "reset-password",
      "Set a new password and end the user's sessions. The password comes "
      "from --password or one line of standard input.");
  reset->add_option("username", flags->username)->required();
  reset->add_option("--password", flags->password, "the new password");
  auto* confirm = cmd->add_subcommand(
      "confirm", "Confirm a user who signed up (with --auth-admin-confirm).");
  confirm->add_option("username", flags->username)->required();

  // --store and the pool flags may come after the action too.
  for (CLI::App* action : {add, list, del, reset, confirm})
    action->fallthrough();

  return [flags, add, list, del, reset, confirm] {
    const UserFlags& f = *flags;
    return WithPool(f, [&](auth::UserPool& pool) -> int {
      if (add->parsed()) {
        std::map<std::string, std::string> attributes;
        if (!f.email.empty()) attributes["email"] = f.email;
        auto user = pool.AdminCreateUser(f.username, PasswordFrom(f),
                                         attributes, !f.email.empty());
        if (!user) return Fail(user.error());
        std::printf("created %s (sub %s)\n", user->username.c_str(),
                    user->sub.c_str());
        return 0;
      }
      if (list->parsed()) {
        std::string token;
        do {
          auto page = pool.AdminListUsers(60, token);
          if (!page) return Fail(page.error());
          for (const auto& u : page->users) {
            auto email = u.attributes.find("email");
            std::printf(
                "%s\t%s\t%s\t%s\n", u.username.c_str(), u.sub.c_str(),
                u.confirmed ? "CONFIRMED" : "UNCONFIRMED",
                email == u.attributes.end() ? "" : email->second.c_str());
          }
          token = page->next_token;
        } while (!token.empty());
        return 0;
      }
      if (del->parsed()) {
        if (auto s = pool.AdminDeleteUser(f.username); !s)
          return Fail(s.error());
        std::printf("deleted %s\n", f.username.c_str());
        return 0;
      }
      if (reset->parsed()) {
        if (auto s = pool.AdminSetUserPassword(f.username, PasswordFrom(f));
            !s) {
          return Fail(s.error());
        }
        std::printf("password of %s reset; their sessions ended\n",
                    f.username.c_str());
        return 0;
      }
      if (confirm->parsed()) {
        if (auto s = pool.AdminConfirmSignUp(f.username); !s) {
          return Fail(s.error());
        }
        std::printf("confirmed %s\n", f.username.c_str());
        return 0;
      }
      return 2;
    });
  };
}

}  // namespace invoices::cli
