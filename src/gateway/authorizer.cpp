#include "invoices/gateway/authorizer.h"

namespace invoices::gateway {

std::map<std::string, std::string> ClaimsMap(const core::Json& claims) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : claims.items()) {
    out[name] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return out;
}

Authorizer NewJwtAuthorizer(const auth::TokenVerifier& verifier) {
  return [&verifier](const functions::HttpRequest& request)
             -> core::Result<std::map<std::string, std::string>> {
    const std::string_view header = request.Header("authorization");
    if (header.empty()) {
      return core::MakeError(core::ErrorCode::kUnauthenticated,
                             "sign in first: this route needs an "
                             "Authorization: Bearer token");
    }
    INVOICES_ASSIGN_OR_RETURN(const std::string_view token,
                              auth::ExtractBearer(header));
    INVOICES_ASSIGN_OR_RETURN(const auth::Claims claims,
                              verifier.Verify(token));
    return ClaimsMap(claims.json);
  };
}

}  // namespace invoices::gateway
