#include "invoices/auth/jwt.h"

#include <array>
#include <unordered_set>
#include <utility>
#include <vector>

#include "invoices/core/base64.h"

namespace invoices::auth {
namespace {

using core::Json;
using core::Result;
using core::Status;

constexpr int kMaxJsonDepth = 16;

std::unexpected<core::Error> Refuse(std::string why) {
  return core::MakeError(core::ErrorCode::kUnauthenticated, std::move(why));
}

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// core::Base64UrlDecode tolerates padding; a JWS part must not carry any.
Result<std::string> DecodePart(std::string_view part, const char* name) {
  for (const char c : part) {
    if (!IsBase64UrlChar(c)) {
      return Refuse(std::string("malformed token: ") + name +
                    " is not base64url");
    }
  }
  auto bytes = core::Base64UrlDecode(part);
  if (!bytes) {
    return Refuse(std::string("malformed token: ") + name +
                  " is not base64url");
  }
  return bytes;
}

// Parses a JSON object, refusing duplicate member names at any level and
// anything else two parsers could read differently (a classic bypass), and
// deep nesting.
Result<Json> ParseObject(std::string_view text, const char* name) {
  // nlohmann's lexer ends the input at a NUL byte and ignores the rest;
  // JSON text never holds a raw NUL, so "{...}\0anything" is refused.
  if (text.find('\0') != std::string_view::npos) {
    return Refuse(std::string("malformed token: ") + name +
                  " is not a JSON object");
  }
  std::vector<std::unordered_set<std::string>> open_objects;
  bool ok = true;
  auto callback = [&](int depth, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        open_objects.emplace_back();
        [[fallthrough]];
      case Json::parse_event_t::array_start:
        if (depth >= kMaxJsonDepth) ok = false;
        break;
      case Json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case Json::parse_event_t::key:
        if (open_objects.empty() ||
            !open_objects.back()
                 .insert(parsed.get_ref<const std::string&>())
                 .second) {
          ok = false;
        }
        break;
      default:
        break;
    }
    return true;
  };
  Json json = Json::parse(text.begin(), text.end(), callback,
                          /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Refuse(std::string("malformed token: ") + name +
                  " is not a JSON object");
  }
  if (!ok) {
    return Refuse(std::string("malformed token: ") + name +
                  " repeats a member or nests too deeply");
  }
  return json;
}

Status CheckHeader(const Json& header) {
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) {
    return Refuse("malformed token: header has no alg");
  }
  const std::string& name = alg->get_ref<const std::string&>();
  if (name != "RS256") {
    // Said plainly because these are the classic forgeries.
    if (name == "none" || name.empty()) {
      return Refuse("unsigned tokens (alg none) are not accepted");
    }
    if (name.starts_with("HS")) {
      return Refuse("HMAC-signed tokens are not accepted");
    }
    return Refuse("token algorithm is not RS256");
  }
  // The key must come from the configured issuer, never from the token.
  for (const char* member : {"jwk", "jku", "x5u", "x5c"}) {
    if (header.contains(member)) {
      return Refuse("token header carries its own key (" + std::string(member) +
                    ")");
    }
  }
  // RFC 7515 4.1.11: critical extensions we do not understand must fail.
  if (header.contains("crit")) {
    return Refuse("token header has critical extensions");
  }
  const auto kid = header.find("kid");
  if (kid != header.end() && !kid->is_string()) {
    return Refuse("malformed token: kid is not a string");
  }
  return {};
}

}  // namespace

Result<Jwt> ParseJwt(std::string_view token) {
  if (token.empty()) return Refuse("empty token");
  if (token.size() > kMaxTokenBytes) {
    return Refuse("token longer than " + std::to_string(kMaxTokenBytes) +
                  " bytes");
  }
  const size_t dot1 = token.find('.');
  const size_t dot2 =
      dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos ||
      token.find('.', dot2 + 1) != std::string_view::npos) {
    return Refuse("malformed token: not three dot-separated parts");
  }
  const std::string_view header_part = token.substr(0, dot1);
  const std::string_view claims_part = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_part = token.substr(dot2 + 1);
  if (header_part.empty() || claims_part.empty()) {
    return Refuse("malformed token: empty header or claims");
  }
  if (signature_part.empty()) return Refuse("token has no signature");

  INVOICES_ASSIGN_OR_RETURN(std::string header_json,
                            DecodePart(header_part, "header"));
  INVOICES_ASSIGN_OR_RETURN(std::string claims_json,
                            DecodePart(claims_part, "claims"));
  INVOICES_ASSIGN_OR_RETURN(std::string signature,
                            DecodePart(signature_part, "signature"));
  INVOICES_ASSIGN_OR_RETURN(Json header, ParseObject(header_json, "header"));
  INVOICES_RETURN_IF_ERROR(CheckHeader(header));
  INVOICES_ASSIGN_OR_RETURN(Json claims, ParseObject(claims_json, "claims"));

  Jwt jwt;
  if (const auto kid = header.find("kid"); kid != header.end()) {
    jwt.kid = kid->get<std::string>();
  }
  jwt.header = std::move(header);
  jwt.claims = std::move(claims);
  jwt.signing_input = std::string(token.substr(0, dot2));
  jwt.signature = std::move(signature);
  return jwt;
}

core::Status VerifyJwtSignature(const Jwt& jwt, const PublicKey& key) {
  return key.VerifyRs256(jwt.signing_input, jwt.signature);
}

Result<std::string> SignJwt(const Json& claims, const PrivateKey& key,
                            std::string_view kid) {
  if (!claims.is_object()) {
    return core::InvalidArgument("JWT claims must be a JSON object");
  }
  if (kid.empty()) return core::InvalidArgument("JWT kid must not be empty");
  const Json header = {{"kid", std::string(kid)}, {"alg", "RS256"}};
  std::string token = core::Base64UrlEncode(header.dump()) + '.' +
                      core::Base64UrlEncode(claims.dump());
  INVOICES_ASSIGN_OR_RETURN(std::string signature, key.SignRs256(token));
  token += '.';
  token += core::Base64UrlEncode(signature);
  return token;
}

}  // namespace invoices::auth
