// Bearer-token verification as API Gateway's JWT authorizer does it for a
// Cognito user pool or any OIDC issuer: RS256 signature by the key the
// header's kid names (from a KeySource), then the claims: iss exact, aud (or
// Cognito's client_id when aud is absent) among the configured audiences,
// exp / nbf / iat against the clock with a leeway, token_use and scopes.
//
// Thread safety: a TokenVerifier is immutable after construction; Verify may
// be called from any number of threads at once (the KeySource and Clock it
// was given must be thread-safe, as the ones in this module are).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "invoices/auth/clock.h"
#include "invoices/auth/keys.h"
#include "invoices/core/error.h"
#include "invoices/core/extraction.h"  // core::Json

namespace invoices::auth {

struct VerifierOptions {
  // The exact "iss" expected, e.g.
  // https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf. Empty:
  // every token is refused (an unconfigured verifier must not accept a token
  // with an empty or absent issuer).
  std::string issuer;
  // App client ids accepted. A token's "aud" (a string, or an array of which
  // one element must match) is checked when present; otherwise its
  // "client_id" (Cognito access tokens); a token with neither is refused.
  // Empty: the audience is not checked (any client of the issuer).
  std::vector<std::string> audiences;
  // Accepted "token_use" values (Cognito: "id", "access"). When non-empty the
  // claim is required. Empty: not checked (OIDC issuers that are not Cognito
  // do not send token_use).
  std::vector<std::string> token_uses = {"id", "access"};
  // Every one of these must appear in the space-separated "scope" claim.
  // Note that Cognito ID tokens carry no scope, so requiring scopes admits
  // access tokens only.
  std::vector<std::string> required_scopes;
  // Clock skew tolerated on exp, nbf and iat.
  int64_t leeway_seconds = 60;
};

// What a verified token says.
struct Claims {
  std::string subject;    // "sub": non-empty, at most 255 bytes
  std::string token_use;  // "id", "access", or empty when absent
  // The audience that matched: "aud" (ID tokens) or "client_id" (access
  // tokens); empty when audiences are not checked.
  std::string client_id;
  // "cognito:username" (ID tokens) or "username" (access tokens); may be
  // empty.
  std::string username;
  int64_t expires_at = 0;  // "exp", seconds since the epoch
  int64_t issued_at = 0;   // "iat", 0 when absent
  core::Json json;         // every claim, as the token carries them
};

class TokenVerifier {
 public:
  // `keys` must outlive the verifier. `clock` defaults to the system clock.
  TokenVerifier(VerifierOptions options, KeySource& keys,
                Clock clock = SystemClock());

  // Verifies `token` (the bare token, see ExtractBearer) and returns its
  // claims. Any failure is unauthenticated, with a message saying why (for
  // logs and the 401 body) that never quotes the token or its contents. The
  // checks: form (ParseJwt), a "kid" the KeySource knows, the signature, then
  // "iss", audience, "exp" (required; refused from exp + leeway on), "nbf"
  // (refused before nbf - leeway), "iat" (refused when later than now +
  // leeway), "token_use", scopes and "sub" (required). May block while the
  // KeySource fetches keys.
  core::Result<Claims> Verify(std::string_view token) const;

  const VerifierOptions& options() const { return options_; }

 private:
  core::Result<Claims> CheckClaims(const core::Json& claims) const;

  VerifierOptions options_;
  KeySource& keys_;
  Clock clock_;
};

// The token in an Authorization header value: "Bearer <token>" (the scheme in
// any case, as RFC 7235 says) or the bare token, as API Gateway's JWT
// authorizer accepts both. Surrounding whitespace is ignored. unauthenticated
// when the value is empty, names another scheme ("Basic ..."), or the token
// contains whitespace. The result points into `authorization`.
core::Result<std::string_view> ExtractBearer(std::string_view authorization);

}  // namespace invoices::auth
