// The built-in user pool: the embedded stand-in for an Amazon Cognito user
// pool with one app client. It keeps users in an ObjectStore, hashes
// passwords with Argon2id, signs RS256 ID and access tokens with the claims
// Cognito's carry, issues opaque refresh tokens, and slows password guessing.
// functions/cognito.h speaks Cognito's JSON protocol on top of it; the CLI
// uses the Admin* operations; the API's TokenVerifier checks its tokens
// through NewKeySource() and verifier_options() without any HTTP.
//
// Storage (the same keys in a folder and in S3; the prefix is fixed):
//   auth/pool.json          {"pool_id", "client_id", "created_at"}: made once
//   auth/signing-key.pem    the RS256 private key (PKCS#8 PEM): made once;
//                           secret, so the store must be private
//   auth/users/{name}.json  one user: {name} is the lower-cased username
// pool.json and the key are created with If-None-Match: *, so replicas that
// start together on one store agree on a single key and client id (the loser
// of the race loads the winner's). Users are created with If-None-Match: *
// (exactly one of two concurrent sign-ups of a name wins) and updated with
// If-Match on the ETag read, retried when another writer got there first.
//
// Sessions: each password sign-in opens a session kept in the user's record:
// an id (the tokens' "origin_jti", as Cognito's), the SHA-256 of the refresh
// token's secret, auth_time and an expiry (refresh_token_seconds). Refresh
// tokens are "<base64url(lower-cased username)>.<base64url(32 random
// bytes)>": opaque to clients, useless without the stored hash. Refreshing
// issues new ID and access tokens for the same session (no new refresh token,
// as Cognito without rotation). GlobalSignOut, ChangePassword,
// AdminSetUserPassword and deleting the user end every session; RevokeToken
// ends one. The pool's own operations that take an access token (GetUser,
// ChangePassword, GlobalSignOut) refuse a token whose session has ended, as
// Cognito does; the API's verifier, like API Gateway's, accepts it until it
// expires (at most token_seconds).
//
// Mail: the pool sends none, so it has no confirmation or reset codes.
// SignUp confirms at once unless require_admin_confirmation is set, in which
// case AdminConfirmSignUp (the CLI) confirms; ConfirmSignUp, ForgotPassword,
// ConfirmForgotPassword and ResendConfirmationCode answer
// InvalidParameterException saying so, the same for every username; an
// administrator resets a forgotten password with AdminSetUserPassword. Self
// sign-up emails are therefore never verified (email_verified false) unless an
// administrator creates the user with email_verified.
//
// Guessing: password checks (InitiateAuth, ChangePassword) are counted per
// lower-cased username (existing or not, so the answer never tells whether a
// user exists) and per source address. Past LockoutPolicy::user_failures
// failures the username is refused for a lockout that doubles with each
// further failure (NotAuthorizedException "Password attempts exceeded", as
// Cognito's; LimitExceededException for ChangePassword); past
// address_failures the address gets TooManyRequestsException. The password is
// not checked while locked out. An attempt counts from the moment it is
// admitted, so parallel guesses cannot outrun the count: while the failures
// plus the attempts in flight would reach the threshold, a second concurrent
// attempt is refused with TooManyRequestsException (which the AWS SDKs
// retry). A successful sign-in clears its username's count, never its
// address's. The counters live in this process's memory: each replica keeps
// its own, and a restart forgets them. A sign-in for an unknown username
// spends the same Argon2 work as one for a known username.
//
// Thread safety: every method may be called from any number of threads at
// once. The store and clock given to Create must be thread-safe and outlive
// the pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "invoices/auth/clock.h"
#include "invoices/auth/keys.h"
#include "invoices/auth/password.h"
#include "invoices/auth/verifier.h"
#include "invoices/core/error.h"
#include "invoices/store/object_store.h"

namespace invoices::auth {

// The failures of the pool's operations, one per Cognito exception a client
// of Cognito knows how to handle.
enum class PoolErrorCode {
  kNotAuthorized,         // NotAuthorizedException
  kUsernameExists,        // UsernameExistsException
  kUserNotFound,          // UserNotFoundException (Admin* operations only)
  kInvalidPassword,       // InvalidPasswordException
  kInvalidParameter,      // InvalidParameterException
  kUserNotConfirmed,      // UserNotConfirmedException
  kTooManyRequests,       // TooManyRequestsException
  kLimitExceeded,         // LimitExceededException
  kUnsupportedTokenType,  // UnsupportedTokenTypeException
  kInternal,              // InternalErrorException (storage failed)
};

struct PoolError {
  PoolErrorCode code;
  std::string message;  // Cognito's wording where Cognito has one
};

template <class T>
using PoolResult = std::expected<T, PoolError>;
using PoolStatus = std::expected<void, PoolError>;

// The Cognito exception name: "NotAuthorizedException", ...
std::string_view CognitoErrorName(PoolErrorCode code);
// The project's vocabulary, for the CLI's exit codes and messages:
// NotAuthorized -> unauthenticated, UsernameExists -> already_exists,
// UserNotFound -> not_found, TooManyRequests and LimitExceeded ->
// resource_exhausted, Internal -> internal, the rest -> invalid_argument.
core::Error ToCoreError(const PoolError& error);

// How failed password checks are slowed. See the header comment.
struct LockoutPolicy {
  int user_failures = 5;      // free failures per username ...
  int address_failures = 20;  // ... and per source address
  // Failures are forgotten this long after the last one (or after the end of
  // the last lockout, whichever is later).
  int64_t window_seconds = int64_t{15} * 60;
  // The first lockout; each further failure doubles it, up to the maximum.
  int64_t first_lockout_seconds = 30;
  int64_t max_lockout_seconds = int64_t{15} * 60;
  // Usernames and addresses tracked at once; when full, entries that are
  // neither locked nor recent are dropped first, then the oldest.
  size_t max_tracked = 100'000;
};

struct UserPoolOptions {
  // The tokens' "iss", without a trailing '/': the URL under which the
  // server serves /.well-known/jwks.json and
  // /.well-known/openid-configuration, e.g. "http://127.0.0.1:8080".
  // Required.
  std::string issuer;
  // Reported to clients (GET /config.json) and the first part of the pool
  // id; [a-z0-9-], 1..32 characters.
  std::string region = "local";
  // The app client id. Empty: the id stored in auth/pool.json, generated on
  // the first start (26 characters of [a-z0-9], like Cognito's).
  std::string client_id;
  // SignUp leaves users unconfirmed until AdminConfirmSignUp.
  bool require_admin_confirmation = false;
  // SignUp must carry an "email" attribute.
  bool require_email = false;
  PasswordPolicy password_policy;
  Argon2Params argon2;
  // Concurrent Argon2 computations; 0: the number of hardware threads.
  unsigned max_concurrent_hashes = 0;
  // ID and access token lifetime ("ExpiresIn"), 300..86400.
  int64_t token_seconds = 3600;
  // Refresh token (session) lifetime, 3600 .. 10 years.
  int64_t refresh_token_seconds = int64_t{30} * 24 * 3600;
  // Sessions kept per user; signing in beyond it ends the oldest. 1..100.
  size_t max_sessions_per_user = 20;
  LockoutPolicy lockout;
  // Size of the signing key generated on the first start.
  int key_bits = 2048;
};

// A user as the pool reports it (never the password hash or sessions).
struct User {
  std::string username;  // as signed up; matched case-insensitively
  std::string sub;       // a random UUID (v4), never reused
  // Settable attributes: "email", "name" (present only when set).
  std::map<std::string, std::string> attributes;
  bool email_verified = false;
  bool confirmed = false;  // UserStatus CONFIRMED, else UNCONFIRMED
  int64_t created_at = 0;  // seconds since the epoch
  int64_t updated_at = 0;
};

struct SignUpResult {
  std::string sub;
  bool confirmed = false;
};

// InitiateAuth's AuthenticationResult.
struct AuthTokens {
  std::string id_token;
  std::string access_token;
  std::string refresh_token;  // empty when refreshing (not rotated)
  int64_t expires_in = 0;     // seconds: token_seconds
  std::string token_type = "Bearer";
};

struct UserPage {
  std::vector<User> users;  // in order of lower-cased username
  std::string next_token;   // empty on the last page
};

// The attributes SignUp and AdminCreateUser accept.
inline constexpr std::string_view kSettableAttributes[] = {"email", "name"};

class UserPool {
 public:
  // Opens the pool in `store` (keys under auth/), creating auth/pool.json and
  // the signing key on the first start (the latter takes up to a second).
  // invalid_argument for bad options; the store's errors otherwise (a stored
  // key or pool.json that cannot be read is internal: never silently
  // replaced, since that would sign everyone out).
  static core::Result<std::unique_ptr<UserPool>> Create(
      store::ObjectStore& store, UserPoolOptions options,
      Clock clock = SystemClock());
  ~UserPool();
  UserPool(const UserPool&) = delete;
  UserPool& operator=(const UserPool&) = delete;

  const std::string& issuer() const;
  const std::string& region() const;
  const std::string& pool_id() const;    // "{region}_{9 alphanumerics}"
  const std::string& client_id() const;  // the one app client
  const std::string& kid() const;        // the signing key's thumbprint

  // {"keys": [the signing key's public JWK]}: /.well-known/jwks.json.
  std::string JwksJson() const;
  // The OpenID discovery document: issuer, jwks_uri, the signing algorithm,
  // subject types, scopes and claims. There is no authorization or token
  // endpoint (no hosted UI): clients sign in with the Cognito protocol.
  std::string OpenIdConfiguration() const;
  // The pool's public key by kid, for a TokenVerifier.
  std::unique_ptr<KeySource> NewKeySource() const;
  // issuer and audiences {client_id}: what the API's verifier needs to
  // accept this pool's ID and access tokens.
  VerifierOptions verifier_options() const;

  // Self sign-up. `attributes` among kSettableAttributes (InvalidParameter
  // "Attribute does not exist in the schema." otherwise); "email" loosely
  // validated. Errors: InvalidParameter (username not 1..128 of
  // [A-Za-z0-9._@+-], bad attribute), InvalidPassword (policy),
  // UsernameExists ("User already exists"), Internal.
  [[nodiscard]] PoolResult<SignUpResult> SignUp(
      std::string_view username, std::string_view password,
      const std::map<std::string, std::string>& attributes);
  // No confirmation codes exist (no mail): always InvalidParameter.
  [[nodiscard]] PoolStatus ConfirmSignUp(std::string_view username,
                                         std::string_view code);
  // Always InvalidParameter, as ConfirmSignUp.
  [[nodiscard]] PoolStatus ResendConfirmationCode(std::string_view username);

  // USER_PASSWORD_AUTH: checks the password and opens a session.
  // `source_address` (the caller's IP, may be empty) feeds the per-address
  // counter. Errors: NotAuthorized ("Incorrect username or password." for an
  // unknown user and a wrong password alike; "Password attempts exceeded"
  // while the username is locked out), TooManyRequests (address locked out,
  // or too many attempts in flight; retryable),
  // UserNotConfirmed (right password, unconfirmed), Internal.
  [[nodiscard]] PoolResult<AuthTokens> InitiateAuth(
      std::string_view username, std::string_view password,
      std::string_view source_address);
  // REFRESH_TOKEN_AUTH: new ID and access tokens for the refresh token's
  // session (auth_time and origin_jti kept). NotAuthorized ("Invalid Refresh
  // Token", "Refresh Token has expired", "Refresh Token has been revoked",
  // "User does not exist.") otherwise.
  [[nodiscard]] PoolResult<AuthTokens> RefreshTokens(
      std::string_view refresh_token);
  // Ends the refresh token's session. OK also when it has already ended;
  // UnsupportedTokenType when `refresh_token` is not one of this pool's.
  [[nodiscard]] PoolStatus RevokeToken(std::string_view refresh_token);

  // The access token's user. NotAuthorized ("Invalid Access Token",
  // "Access Token has expired", "Access Token has been revoked", "User does
  // not exist.") for a token that is not a live access token of this pool.
  [[nodiscard]] PoolResult<User> GetUser(std::string_view access_token);
  // Replaces the password after checking the previous one, and ends every
  // session (all refresh tokens stop working). Errors: those of GetUser;
  // NotAuthorized "Incorrect username or password." for a wrong previous
  // password (counted like a failed sign-in), LimitExceeded while locked
  // out, TooManyRequests as for InitiateAuth, InvalidPassword for the
  // policy (checked first).
  [[nodiscard]] PoolStatus ChangePassword(std::string_view access_token,
                                          std::string_view previous_password,
                                          std::string_view proposed_password,
                                          std::string_view source_address);
  // Ends every session of the access token's user. Errors: those of GetUser.
  [[nodiscard]] PoolStatus GlobalSignOut(std::string_view access_token);
  // No reset codes exist (no mail): always InvalidParameter.
  [[nodiscard]] PoolStatus ForgotPassword(std::string_view username);
  [[nodiscard]] PoolStatus ConfirmForgotPassword(std::string_view username,
                                                 std::string_view code,
                                                 std::string_view password);

  // Administration (the CLI; never exposed over HTTP). These report
  // UserNotFound for an unknown username.
  // A confirmed user with `password` (checked against the policy: the CLI
  // may generate one). Errors as SignUp.
  [[nodiscard]] PoolResult<User> AdminCreateUser(
      std::string_view username, std::string_view password,
      const std::map<std::string, std::string>& attributes,
      bool email_verified = false);
  [[nodiscard]] PoolResult<User> AdminGetUser(std::string_view username);
  // Up to `limit` (1..60; 0 means 60) users after `next_token` ("" first).
  // InvalidParameter for a bad limit or token.
  [[nodiscard]] PoolResult<UserPage> AdminListUsers(
      int limit = 0, std::string_view next_token = "");
  // Confirms an unconfirmed user; OK when already confirmed.
  [[nodiscard]] PoolStatus AdminConfirmSignUp(std::string_view username);
  // Deletes the user; their refresh tokens stop working with them.
  [[nodiscard]] PoolStatus AdminDeleteUser(std::string_view username);
  // Sets a new password (policy checked), ends every session and forgets the
  // username's failed attempts: the CLI's reset-password.
  [[nodiscard]] PoolStatus AdminSetUserPassword(std::string_view username,
                                                std::string_view password);

 private:
  class Impl;
  explicit UserPool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace invoices::auth
