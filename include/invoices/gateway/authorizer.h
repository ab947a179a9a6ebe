// API Gateway's JWT authorizer, locally: the bearer token of a request
// (`Authorization: Bearer ...`, or the bare token as API Gateway allows)
// verified by an auth::TokenVerifier, and its claims handed to the handler as
// requestContext.authorizer.jwt.claims. Thread safety: as the verifier's
// (TokenVerifier::Verify is thread-safe).
#pragma once

#include <map>
#include <string>

#include "invoices/auth/verifier.h"
#include "invoices/gateway/server.h"

namespace invoices::gateway {

// The claims as API Gateway passes them: strings as they are, other JSON
// values (numbers, arrays) in their JSON text.
std::map<std::string, std::string> ClaimsMap(const core::Json& claims);

// An Authorizer over `verifier`, which must outlive it. A missing or invalid
// token is unauthenticated (401); the message says why without echoing it.
Authorizer NewJwtAuthorizer(const auth::TokenVerifier& verifier);

}  // namespace invoices::gateway
