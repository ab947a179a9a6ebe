// The built-in user pool's Cognito protocol (POST /cognito/, open to anyone:
// the caller is known only from the body): CognitoFunction with the action
// picked by the input's first byte and the rest as the JSON body, over a pool
// in a memory store (one pool for the whole run, cheap Argon2 parameters;
// "alice" exists, so that sign-in paths can be reached). Never crashes; the
// answer is JSON of Cognito's error shape or a 200; never a 500, which the
// function gives only for an exception or a failing store (a memory store
// does not fail).
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz_check.h"
#include "invoices/auth/user_pool.h"
#include "invoices/functions/cognito.h"
#include "invoices/store/object_store.h"

namespace {

using namespace invoices;

constexpr const char* kActions[] = {
    "SignUp",          "InitiateAuth", "GetUser",       "ChangePassword",
    "GlobalSignOut",   "RevokeToken",  "ConfirmSignUp", "ForgotPassword",
    "AdminCreateUser", "Unknown"};

struct World {
  std::unique_ptr<store::ObjectStore> store = store::NewMemoryStore();
  std::unique_ptr<auth::UserPool> pool;
  World() {
    auth::UserPoolOptions options;
    options.issuer = "http://127.0.0.1:8080";
    options.client_id = "fuzzclient";
    options.argon2.memory_kib = 8;
    options.argon2.iterations = 1;
    options.key_bits = 2048;
    auto created = auth::UserPool::Create(*store, options);
    FUZZ_CHECK(created.has_value());
    pool = std::move(*created);
    FUZZ_CHECK(pool->SignUp("alice", "Passw0rd!", {}).has_value());
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  if (size == 0) return 0;
  const functions::CognitoFunction function(*world.pool);
  functions::HttpRequest request;
  request.method = "POST";
  request.raw_path = "/cognito/";
  request.headers["x-amz-target"] =
      std::string("AWSCognitoIdentityProviderService.") +
      kActions[data[0] % std::size(kActions)];
  request.headers["content-type"] = "application/x-amz-json-1.1";
  request.body = std::string(fuzz::AsView(data + 1, size - 1));
  request.source_ip = "10.0.0.1";
  const functions::HttpResponse response = function(request);
  FUZZ_CHECK(response.status == 200 || response.status == 400);
  const auto answer = core::Json::parse(response.body, nullptr, false);
  FUZZ_CHECK(answer.is_object());
  if (response.status == 400) FUZZ_CHECK(answer.contains("__type"));
  return 0;
}
