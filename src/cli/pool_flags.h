// Opening the store and the built-in user pool, shared by `invoices serve`
// and `invoices user`.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "invoices/auth/user_pool.h"
#include "invoices/store/object_store.h"

namespace invoices::cli {

struct StoreFlags {
  std::string store = "file://./data";
};
void AddStoreFlags(CLI::App& command, StoreFlags& flags);
core::Result<std::unique_ptr<store::ObjectStore>> OpenStoreFromFlags(
    const StoreFlags& flags);

struct PoolFlags {
  bool admin_confirm = false;
  std::string region = "local";
  int min_password_length = 8;
};
void AddPoolFlags(CLI::App& command, PoolFlags& flags);
auth::UserPoolOptions PoolOptions(const PoolFlags& flags, std::string issuer);

}  // namespace invoices::cli
