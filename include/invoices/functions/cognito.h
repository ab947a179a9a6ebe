// The Cognito function: the Amazon Cognito Identity Provider JSON protocol
// (AWS JSON 1.1, as every AWS SDK's CognitoIdentityProvider client speaks it)
// in front of the built-in UserPool, so an SDK client whose endpoint is set to
// this route (e.g. http://127.0.0.1:8080/cognito/) works unchanged.
//
// Request: POST, header X-Amz-Target:
// AWSCognitoIdentityProviderService.<Action>, Content-Type
// application/x-amz-json-1.1 (1.0 and application/json are also accepted), a
// JSON object body. The route is open: the caller is identified by the body
// (credentials or an AccessToken), never by an Authorization header, which is
// ignored (an SDK that holds AWS credentials signs these requests with SigV4;
// the gateway must let such a header through here).
//
// Actions:
//   SignUp                 {ClientId, Username, Password, UserAttributes?}
//                          -> {UserConfirmed, UserSub}
//   InitiateAuth           {AuthFlow: USER_PASSWORD_AUTH, ClientId,
//                           AuthParameters: {USERNAME, PASSWORD}}
//                          {AuthFlow: REFRESH_TOKEN_AUTH | REFRESH_TOKEN,
//                           ClientId, AuthParameters: {REFRESH_TOKEN}}
//                          -> {AuthenticationResult: {AccessToken, ExpiresIn,
//                              IdToken, RefreshToken (password flow only),
//                              TokenType}, ChallengeParameters: {}}
//   GetUser                {AccessToken} -> {Username, UserAttributes}
//   ChangePassword         {AccessToken, PreviousPassword, ProposedPassword}
//                          -> {}
//   GlobalSignOut          {AccessToken} -> {}
//   RevokeToken            {Token, ClientId} -> {}
//   ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
//   ConfirmForgotPassword  -> InvalidParameterException: the pool sends no
//                          mail, so it has no codes (see user_pool.h)
// Other flows (USER_SRP_AUTH, CUSTOM_AUTH, USER_AUTH, ADMIN_*) are refused
// with InvalidParameterException; configure Amplify and other clients for
// USER_PASSWORD_AUTH. Admin* actions are not served over HTTP (they are the
// CLI's); they and every other action get UnknownOperationException.
//
// Success is 200 with Content-Type application/x-amz-json-1.1. Errors are
// Cognito's: status 400 (500 for InternalErrorException), header
// x-amzn-ErrorType: <Name>, body {"__type": "<Name>", "message": "..."}, with
// the names of user_pool.h's PoolErrorCode plus ResourceNotFoundException
// (wrong ClientId), UnknownOperationException (missing or unknown target) and
// SerializationException (body not a JSON object of the right types).
//
// Thread safety: operator() may be called from many threads at once (the
// UserPool is thread-safe). The pool must outlive the function.
#pragma once

#include <string_view>

#include "invoices/auth/user_pool.h"
#include "invoices/functions/http.h"

namespace invoices::functions {

// Largest request body read; Cognito requests are a few KB.
inline constexpr size_t kMaxCognitoBodyBytes = 64 * 1024;

class CognitoFunction {
 public:
  explicit CognitoFunction(auth::UserPool& pool) : pool_(pool) {}

  // Answers one request of the protocol above. Never throws.
  HttpResponse operator()(const HttpRequest& request) const;

 private:
  auth::UserPool& pool_;
};

// A Cognito-shaped error: status 400 (500 for "InternalErrorException"),
// x-amzn-ErrorType and {"__type", "message"}; x-amzn-RequestId when
// `request_id` is not empty.
HttpResponse CognitoErrorResponse(std::string_view type,
                                  std::string_view message,
                                  std::string_view request_id);

}  // namespace invoices::functions
