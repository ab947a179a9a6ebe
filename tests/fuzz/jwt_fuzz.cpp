// auth::ParseJwt on arbitrary bytes: a bearer token is the first thing an
// attacker controls. Never crashes; every refusal is unauthenticated; a token
// that parses is RS256 with a non-empty signature, its signing input is the
// token's first two parts, and its header and claims are JSON objects.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "invoices/auth/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view token = invoices::fuzz::AsView(data, size);
  auto jwt = invoices::auth::ParseJwt(token);
  if (!jwt) {
    FUZZ_CHECK(jwt.error().code() ==
               invoices::core::ErrorCode::kUnauthenticated);
    return 0;
  }
  FUZZ_CHECK(token.size() <= invoices::auth::kMaxTokenBytes);
  FUZZ_CHECK(jwt->header.is_object() && jwt->claims.is_object());
  FUZZ_CHECK(jwt->header.value("alg", "") == "RS256");
  FUZZ_CHECK(!jwt->signature.empty());
  FUZZ_CHECK(token.starts_with(jwt->signing_input));
  FUZZ_CHECK(token.size() > jwt->signing_input.size() &&
             token[jwt->signing_input.size()] == '.');
  return 0;
}
