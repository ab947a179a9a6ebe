#include "invoices/auth/verifier.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "invoices/auth/jwt.h"

namespace invoices::auth {
namespace {

using core::Json;
using core::Result;

constexpr size_t kMaxSubjectBytes = 255;

std::unexpected<core::Error> Refuse(std::string why) {
  return core::MakeError(core::ErrorCode::kUnauthenticated, std::move(why));
}

enum class Round { kDown, kUp };

// A NumericDate (RFC 7519: seconds, possibly fractional) as whole seconds,
// rounded in the direction that makes the check stricter; nullopt when the
// value is not a number or is absurdly far from now.
std::optional<int64_t> NumericDate(const Json& value, Round round) {
  constexpr int64_t kLimit = int64_t{1} << 40;  // ~35,000 years
  if (value.is_number_unsigned()) {
    const uint64_t v = value.get<uint64_t>();
    if (v > static_cast<uint64_t>(kLimit)) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (value.is_number_integer()) {
    const int64_t v = value.get<int64_t>();
    if (v > kLimit || v < -kLimit) return std::nullopt;
    return v;
  }
  if (value.is_number_float()) {
    const double v = value.get<double>();
    if (!std::isfinite(v) || std::fabs(v) > static_cast<double>(kLimit)) {
      return std::nullopt;
    }
    return static_cast<int64_t>(round == Round::kDown ? std::floor(v)
                                                      : std::ceil(v));
  }
  return std::nullopt;
}

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

const std::string* StringClaim(const Json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

// The audience that matches, per API Gateway: "aud" when present (a string
// or an array), else "client_id".
Result<std::string> MatchAudience(const Json& claims,
                                  const std::vector<std::string>& audiences) {
  if (const auto aud = claims.find("aud"); aud != claims.end()) {
    if (aud->is_string()) {
      if (Contains(audiences, aud->get_ref<const std::string&>())) {
        return aud->get<std::string>();
      }
    } else if (aud->is_array()) {
      for (const Json& one : *aud) {
        if (one.is_string() &&
            Contains(audiences, one.get_ref<const std::string&>())) {
          return one.get<std::string>();
        }
      }
    }
    return Refuse("token audience is not accepted");
  }
  if (const std::string* client_id = StringClaim(claims, "client_id")) {
    if (Contains(audiences, *client_id)) return *client_id;
    return Refuse("token client_id is not accepted");
  }
  return Refuse("token has neither aud nor client_id");
}

bool HasScope(std::string_view scopes, std::string_view wanted) {
  while (!scopes.empty()) {
    const size_t space = scopes.find(' ');
    if (scopes.substr(0, space) == wanted) return true;
    if (space == std::string_view::npos) break;
    scopes.remove_prefix(space + 1);
  }
  return false;
}

}  // namespace

Clock SystemClock() {
  return [] {
    return static_cast<int64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count());
  };
}

TokenVerifier::TokenVerifier(VerifierOptions options, KeySource& keys,
                             Clock clock)
    : options_(std::move(options)), keys_(keys), clock_(std::move(clock)) {}

Result<Claims> TokenVerifier::Verify(std::string_view token) const {
  if (options_.issuer.empty()) return Refuse("no token issuer is configured");
  INVOICES_ASSIGN_OR_RETURN(Jwt jwt, ParseJwt(token));
  if (jwt.kid.empty()) return Refuse("token header has no kid");
  auto key = keys_.Find(jwt.kid);
  if (!key) {
    if (key.error().code() == core::ErrorCode::kNotFound) {
      return Refuse("token signed by an unknown key");
    }
    return Refuse("signing keys unavailable: " + key.error().message());
  }
  if (!VerifyJwtSignature(jwt, *key)) {
    return Refuse("token signature does not match");
  }
  return CheckClaims(jwt.claims);
}

Result<Claims> TokenVerifier::CheckClaims(const Json& claims) const {
  Claims out;
  const std::string* iss = StringClaim(claims, "iss");
  if (!iss || *iss != options_.issuer) {
    return Refuse("token issuer is not accepted");
  }
  if (!options_.audiences.empty()) {
    INVOICES_ASSIGN_OR_RETURN(out.client_id,
                              MatchAudience(claims, options_.audiences));
  }

  const int64_t now = clock_();
  const int64_t leeway = options_.leeway_seconds;
  const auto exp = claims.find("exp");
  if (exp == claims.end()) return Refuse("token has no exp");
  const std::optional<int64_t> expires = NumericDate(*exp, Round::kDown);
  if (!expires) return Refuse("token exp is not a valid time");
  if (now >= *expires + leeway) return Refuse("token expired");
  out.expires_at = *expires;
  if (const auto nbf = claims.find("nbf"); nbf != claims.end()) {
    const std::optional<int64_t> not_before = NumericDate(*nbf, Round::kUp);
    if (!not_before) return Refuse("token nbf is not a valid time");
    if (now + leeway < *not_before) return Refuse("token not yet valid");
  }
  if (const auto iat = claims.find("iat"); iat != claims.end()) {
    const std::optional<int64_t> issued = NumericDate(*iat, Round::kUp);
    if (!issued) return Refuse("token iat is not a valid time");
    if (*issued > now + leeway) return Refuse("token issued in the future");
    out.issued_at = *issued;
  }

  if (const std::string* use = StringClaim(claims, "token_use")) {
    out.token_use = *use;
  } else if (claims.contains("token_use")) {
    return Refuse("token token_use is not a string");
  }
  if (!options_.token_uses.empty() &&
      !Contains(options_.token_uses, out.token_use)) {
    return Refuse(out.token_use.empty() ? "token has no token_use"
                                        : "token token_use is not accepted");
  }
  if (!options_.required_scopes.empty()) {
    const std::string* scope = StringClaim(claims, "scope");
    for (const std::string& wanted : options_.required_scopes) {
      if (!scope || !HasScope(*scope, wanted)) {
        return Refuse("token lacks a required scope");
      }
    }
  }

  const std::string* sub = StringClaim(claims, "sub");
  if (!sub || sub->empty() || sub->size() > kMaxSubjectBytes) {
    return Refuse("token has no valid sub");
  }
  out.subject = *sub;
  if (const std::string* name = StringClaim(claims, "cognito:username")) {
    out.username = *name;
  } else if (const std::string* name = StringClaim(claims, "username")) {
    out.username = *name;
  }
  out.json = claims;
  return out;
}

Result<std::string_view> ExtractBearer(std::string_view authorization) {
  constexpr std::string_view kSpace = " \t";
  const auto trim = [&](std::string_view s) {
    const size_t first = s.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return std::string_view();
    const size_t last = s.find_last_not_of(kSpace);
    return s.substr(first, last - first + 1);
  };
  const auto is_bearer = [](std::string_view scheme) {
    constexpr std::string_view kBearer = "bearer";
    return scheme.size() == kBearer.size() &&
           std::equal(scheme.begin(), scheme.end(), kBearer.begin(),
                      [](char a, char b) { return (a | 0x20) == b; });
  };
  std::string_view value = trim(authorization);
  if (value.empty() || is_bearer(value)) return Refuse("no bearer token");
  const size_t space = value.find_first_of(kSpace);
  if (space == std::string_view::npos) return value;  // a bare token
  if (!is_bearer(value.substr(0, space))) {
    return Refuse("authorization scheme is not Bearer");
  }
  value = trim(value.substr(space));
  if (value.find_first_of(kSpace) != std::string_view::npos) {
    return Refuse("malformed bearer token");
  }
  return value;
}

}  // namespace invoices::auth
