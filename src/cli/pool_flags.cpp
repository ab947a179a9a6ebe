#include "pool_flags.h"

namespace invoices::cli {

void AddStoreFlags(CLI::App& command, StoreFlags& flags) {
  command
      .add_option("--store", flags.store,
                  "where invoices and users are kept: file:///abs/path, "
                  "file://./relative or s3://bucket/prefix (S3 settings from "
                  "the standard AWS_* variables)")
      ->envname("INVOICES_STORE")
      ->capture_default_str();
}

core::Result<std::unique_ptr<store::ObjectStore>> OpenStoreFromFlags(
    const StoreFlags& flags) {
  return store::OpenStore(flags.store);
}

void AddPoolFlags(CLI::App& command, PoolFlags& flags) {
  command
      .add_flag("--auth-admin-confirm", flags.admin_confirm,
                "built-in user pool: new sign-ups wait for `invoices user "
                "confirm` instead of being confirmed at once")
      ->envname("INVOICES_AUTH_ADMIN_CONFIRM");
  command
      .add_option("--auth-region", flags.region,
                  "built-in user pool: the region reported to clients")
      ->envname("INVOICES_AUTH_REGION")
      ->capture_default_str();
  command
      .add_option("--password-min-length", flags.min_password_length,
                  "built-in user pool: shortest password accepted (upper and "
                  "lower case, a digit and a symbol are also required)")
      ->envname("INVOICES_PASSWORD_MIN_LENGTH")
      ->check(CLI::Range(6, 99))
      ->capture_default_str();
}

auth::UserPoolOptions PoolOptions(const PoolFlags& flags, std::string issuer) {
  auth::UserPoolOptions options;
  options.issuer = std::move(issuer);
  options.region = flags.region;
  options.require_admin_confirmation = flags.admin_confirm;
  options.password_policy.min_length = flags.min_password_length;
  return options;
}

}  // namespace invoices::cli
