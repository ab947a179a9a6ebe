// Compact JWS (RFC 7515) tokens signed with RS256: parsing with the limits a
// service facing the internet needs, and signing for the built-in user pool.
//
// ParseJwt only checks form; it does not verify the signature or any claim
// (TokenVerifier in verifier.h does both). It refuses everything but RS256:
// "none", HMAC (HS*), ECDSA (ES*), RSASSA-PSS (PS*), and any header that
// brings its own key or a pointer to one (jwk, jku, x5u, x5c), so the key
// always comes from the configured KeySource.
//
// Thread safety: pure functions over values; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "invoices/auth/keys.h"
#include "invoices/core/error.h"
#include "invoices/core/extraction.h"  // core::Json

namespace invoices::auth {

// Longest token accepted, in bytes. Cognito's tokens are 1-2 KB; API Gateway
// caps a whole header at 10 KB.
inline constexpr size_t kMaxTokenBytes = 8 * 1024;

// A parsed, not yet verified, token.
struct Jwt {
  core::Json header;          // a JSON object; "alg" is "RS256"
  core::Json claims;          // a JSON object
  std::string kid;            // header "kid"; empty when absent
  std::string signing_input;  // "BASE64URL(header).BASE64URL(claims)"
  std::string signature;      // decoded signature bytes (non-empty)
};

// Parses a compact JWS: exactly three dot-separated parts, at most
// kMaxTokenBytes, each part strict base64url (URL alphabet, no padding, no
// whitespace, canonical trailing bits); header and claims UTF-8 JSON objects
// with no duplicate member names and at most 16 levels of nesting; header
// "alg" exactly "RS256"; "kid", when present, a string; no "jwk", "jku",
// "x5u", "x5c" or "crit" header. unauthenticated with a reason otherwise; the
// reason never quotes the token.
core::Result<Jwt> ParseJwt(std::string_view token);

// OK when `jwt.signature` is `key`'s RS256 signature over `jwt.signing_input`;
// unauthenticated otherwise.
core::Status VerifyJwtSignature(const Jwt& jwt, const PublicKey& key);

// Signs `claims` (a JSON object) as a compact JWS with header
// {"kid": kid, "alg": "RS256"}, the shape Cognito issues. invalid_argument
// when `claims` is not an object or `kid` is empty; internal if signing fails.
core::Result<std::string> SignJwt(const core::Json& claims,
                                  const PrivateKey& key, std::string_view kid);

}  // namespace invoices::auth
