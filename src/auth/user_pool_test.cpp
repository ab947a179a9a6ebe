#include "invoices/auth/user_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "invoices/auth/jwt.h"

namespace invoices::auth {
namespace {

using core::Json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr int64_t kNow = 1'700'000'000;
constexpr const char* kIssuer = "http://127.0.0.1:8080";
constexpr const char* kPassword = "Passw0rd!";
constexpr const char* kNewPassword = "N3w-Passw0rd";
const std::map<std::string, std::string> kAliceAttrs = {
    {"email", "alice@example.com"}};

// One signing key for most tests (generating one per test is slow); the
// persistence tests make their own.
const std::string& SharedKeyPem() {
  static const std::string pem = *PrivateKey::Generate()->ToPem();
  return pem;
}

UserPoolOptions CheapOptions() {
  UserPoolOptions options;
  options.issuer = kIssuer;
  options.argon2 = {.memory_kib = 8, .iterations = 1};
  return options;
}

class UserPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::NewMemoryStore();
    ASSERT_TRUE(store_->Put("auth/signing-key.pem", SharedKeyPem(), {}));
  }

  UserPool& Pool(UserPoolOptions options = CheapOptions()) {
    auto pool = UserPool::Create(*store_, std::move(options), clock_.AsClock());
    EXPECT_TRUE(pool) << pool.error().ToString();
    pool_ = std::move(*pool);
    return *pool_;
  }

  // The API's verifier for this pool's tokens.
  core::Result<Claims> VerifyForApi(const std::string& token) {
    auto keys = pool_->NewKeySource();
    TokenVerifier verifier(pool_->verifier_options(), *keys, clock_.AsClock());
    return verifier.Verify(token);
  }

  AuthTokens SignIn(std::string_view name,
                    std::string_view password = kPassword,
                    std::string_view address = "198.51.100.7") {
    auto tokens = pool_->InitiateAuth(name, password, address);
    EXPECT_TRUE(tokens) << (tokens ? "" : tokens.error().message);
    return tokens ? *tokens : AuthTokens{};
  }

  Json StoredUser(const std::string& lower) {
    auto got = store_->Get("auth/users/" + lower + ".json");
    EXPECT_TRUE(got);
    return Json::parse(got->bytes);
  }

  ManualClock clock_{kNow};
  std::unique_ptr<store::ObjectStore> store_;
  std::unique_ptr<UserPool> pool_;
};

template <class R>
void ExpectFailure(const R& result, PoolErrorCode code,
                   const std::string& message_part = "") {
  ASSERT_FALSE(result) << "expected " << CognitoErrorName(code);
  EXPECT_EQ(CognitoErrorName(result.error().code), CognitoErrorName(code))
      << result.error().message;
  EXPECT_THAT(result.error().message, HasSubstr(message_part));
}

TEST_F(UserPoolTest, SignsUpAndSignsInWithCognitoShapedTokens) {
  UserPool& pool = Pool();
  EXPECT_THAT(pool.pool_id(), MatchesRegex("local_[A-Za-z0-9]{9}"));
  EXPECT_THAT(pool.client_id(), MatchesRegex("[a-z0-9]{26}"));
  EXPECT_EQ(pool.kid(),
            PrivateKey::FromPem(SharedKeyPem())->public_key().Thumbprint());

  auto signed_up = pool.SignUp("Alice", kPassword, kAliceAttrs);
  ASSERT_TRUE(signed_up);
  EXPECT_TRUE(signed_up->confirmed);
  EXPECT_THAT(
      signed_up->sub,
      MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                   "[0-9a-f]{12}"));

  clock_.Advance(5);
  const AuthTokens tokens = SignIn("alice");
  EXPECT_EQ(tokens.expires_in, 3600);
  EXPECT_EQ(tokens.token_type, "Bearer");
  EXPECT_FALSE(tokens.refresh_token.empty());
  EXPECT_EQ(tokens.refresh_token.find(kPassword), std::string::npos);

  auto id = VerifyForApi(tokens.id_token);
  ASSERT_TRUE(id) << id.error().ToString();
  EXPECT_EQ(id->token_use, "id");
  EXPECT_EQ(id->subject, signed_up->sub);
  EXPECT_EQ(id->client_id, pool.client_id());
  const Json& ic = id->json;
  EXPECT_EQ(ic["iss"], kIssuer);
  EXPECT_EQ(ic["aud"], pool.client_id());
  EXPECT_EQ(ic["cognito:username"], "Alice");
  EXPECT_EQ(ic["email"], "alice@example.com");
  EXPECT_EQ(ic["email_verified"], false);
  EXPECT_EQ(ic["auth_time"], kNow + 5);
  EXPECT_EQ(ic["iat"], kNow + 5);
  EXPECT_EQ(ic["exp"], kNow + 5 + 3600);
  EXPECT_TRUE(ic.contains("jti"));
  EXPECT_TRUE(ic.contains("origin_jti"));
  EXPECT_FALSE(ic.contains("scope"));

  auto access = VerifyForApi(tokens.access_token);
  ASSERT_TRUE(access) << access.error().ToString();
  EXPECT_EQ(access->token_use, "access");
  EXPECT_EQ(access->subject, signed_up->sub);
  const Json& ac = access->json;
  EXPECT_EQ(ac["client_id"], pool.client_id());
  EXPECT_FALSE(ac.contains("aud"));
  EXPECT_EQ(ac["scope"], "aws.cognito.signin.user.admin");
  EXPECT_EQ(ac["username"], "Alice");
  EXPECT_EQ(ac["auth_time"], kNow + 5);
  EXPECT_EQ(ac["origin_jti"], ic["origin_jti"]);
  EXPECT_NE(ac["jti"], ic["jti"]);
  EXPECT_FALSE(ac.contains("email"));

  // The header names the key by its thumbprint.
  auto jwt = ParseJwt(tokens.access_token);
  ASSERT_TRUE(jwt);
  EXPECT_EQ(jwt->kid, pool.kid());

  // Nothing secret is stored in the clear.
  const std::string stored = StoredUser("alice").dump();
  EXPECT_THAT(stored, Not(HasSubstr(kPassword)));
  EXPECT_THAT(stored, HasSubstr("$argon2id$v=19$m=8,t=1,p=1$"));
  const std::string secret_part =
      tokens.refresh_token.substr(tokens.refresh_token.find('.') + 1);
  EXPECT_THAT(stored, Not(HasSubstr(secret_part)));
}

TEST_F(UserPoolTest, TokensFromAnotherPoolOrAfterExpiryAreRefused) {
  Pool();
  ASSERT_TRUE(pool_->SignUp("alice", kPassword, {}));
  const AuthTokens tokens = SignIn("alice");

  auto other_store = store::NewMemoryStore();
  auto other = UserPool::Create(*other_store, CheapOptions(), clock_.AsClock());
  ASSERT_TRUE(other);
  ASSERT_TRUE((*other)->SignUp("alice", kPassword, {}));
  auto foreign = (*other)->InitiateAuth("alice", kPassword, "");
  ASSERT_TRUE(foreign);
  EXPECT_FALSE(VerifyForApi(foreign->access_token));
  ExpectFailure(pool_->GetUser(foreign->access_token),
                PoolErrorCode::kNotAuthorized, "Invalid Access Token");
  ExpectFailure(pool_->GetUser(tokens.id_token), PoolErrorCode::kNotAuthorized,
                "Invalid Access Token");
  ExpectFailure(pool_->GetUser("not.a.token"), PoolErrorCode::kNotAuthorized,
                "Invalid Access Token");

  clock_.Advance(3600);
  // The API's verifier allows 60 s of clock skew; the pool's own
  // operations allow none, as Cognito's.
  EXPECT_TRUE(VerifyForApi(tokens.access_token));
  ExpectFailure(pool_->GetUser(tokens.access_token),
                PoolErrorCode::kNotAuthorized, "Access Token has expired");
}

TEST_F(UserPoolTest, SignUpValidatesItsInput) {
  UserPool& pool = Pool();
  ExpectFailure(pool.SignUp("", kPassword, {}),
                PoolErrorCode::kInvalidParameter);
  ExpectFailure(pool.SignUp(std::string(129, 'a'), kPassword, {}),
                PoolErrorCode::kInvalidParameter);
  for (const char* bad : {"a b", "a/b", "../x", "ä", "a:b", "a\nb"}) {
    ExpectFailure(pool.SignUp(bad, kPassword, {}),
                  PoolErrorCode::kInvalidParameter);
  }
  EXPECT_TRUE(pool.SignUp(std::string(128, 'a'), kPassword, {}));
  EXPECT_TRUE(pool.SignUp("first.last+tag@example.com", kPassword, {}));
  EXPECT_TRUE(pool.SignUp("under_score-dash", kPassword, {}));

  ExpectFailure(pool.SignUp("bob", kPassword, {{"phone_number", "+1555"}}),
                PoolErrorCode::kInvalidParameter,
                "Attribute does not exist in the schema.");
  ExpectFailure(pool.SignUp("bob", kPassword, {{"sub", "mine"}}),
                PoolErrorCode::kInvalidParameter);
  for (const char* bad_email :
       {"bob", "bob@", "@example.com", "bob@example", "bob@@example.com",
        "bob smith@example.com", "bob@.example.com", "bob@example.com.",
        "<bob>@example.com"}) {
    ExpectFailure(pool.SignUp("bob", kPassword, {{"email", bad_email}}),
                  PoolErrorCode::kInvalidParameter, "email");
  }
  ExpectFailure(
      pool.SignUp("bob", "short", {}), PoolErrorCode::kInvalidPassword,
      "Password did not conform with policy: Password not long enough");
  ExpectFailure(pool.SignUp("bob", "password1!", {}),
                PoolErrorCode::kInvalidPassword,
                "Password must have uppercase characters");
  // Nothing was created by the failures.
  EXPECT_EQ(pool.AdminGetUser("bob").error().code,
            PoolErrorCode::kUserNotFound);
  auto ok =
      pool.SignUp("bob", kPassword,
                  {{"email", "bob@example.co.uk"}, {"name", "Bob Smith"}});
  ASSERT_TRUE(ok);
  auto bob = pool.AdminGetUser("BOB");
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->attributes.at("name"), "Bob Smith");
}

TEST_F(UserPoolTest, EmailCanBeRequired) {
  UserPoolOptions options = CheapOptions();
  options.require_email = true;
  UserPool& pool = Pool(options);
  ExpectFailure(pool.SignUp("bob", kPassword, {}),
                PoolErrorCode::kInvalidParameter, "email");
  EXPECT_TRUE(pool.SignUp("bob", kPassword, {{"email", "b@example.com"}}));
}

TEST_F(UserPoolTest, UsernamesAreCaseInsensitive) {
  UserPool& pool = Pool();
  ASSERT_TRUE(pool.SignUp("Alice", kPassword, {}));
  ExpectFailure(pool.SignUp("alice", kPassword, {}),
                PoolErrorCode::kUsernameExists, "User already exists");
  ExpectFailure(pool.SignUp("ALICE", kPassword, {}),
                PoolErrorCode::kUsernameExists);
  const AuthTokens tokens = SignIn("aLiCe");
  auto user = pool.GetUser(tokens.access_token);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->username, "Alice");
}

TEST_F(UserPoolTest, WrongPasswordAndUnknownUserLookTheSame) {
  UserPool& pool = Pool();
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  auto wrong = pool.InitiateAuth("alice", "Wr0ng-pass", "");
  auto unknown = pool.InitiateAuth("mallory", kPassword, "");
  auto malformed = pool.InitiateAuth("not a name", kPassword, "");
  for (const auto* r : {&wrong, &unknown, &malformed}) {
    ExpectFailure(*r, PoolErrorCode::kNotAuthorized);
    EXPECT_EQ(r->error().message, "Incorrect username or password.");
  }
}

TEST_F(UserPoolTest, AdminConfirmationMode) {
  UserPoolOptions options = CheapOptions();
  options.require_admin_confirmation = true;
  UserPool& pool = Pool(options);
  auto signed_up = pool.SignUp("carol", kPassword, {});
  ASSERT_TRUE(signed_up);
  EXPECT_FALSE(signed_up->confirmed);
  EXPECT_FALSE(pool.AdminGetUser("carol")->confirmed);
  ExpectFailure(pool.InitiateAuth("carol", kPassword, ""),
                PoolErrorCode::kUserNotConfirmed, "User is not confirmed.");
  // A wrong password still says only that.
  ExpectFailure(pool.InitiateAuth("carol", "Wr0ng-pass", ""),
                PoolErrorCode::kNotAuthorized,
                "Incorrect username or password.");
  // No codes exist; the answer is the same for any name.
  ExpectFailure(pool.ConfirmSignUp("carol", "123456"),
                PoolErrorCode::kInvalidParameter, "administrator");
  ExpectFailure(pool.ConfirmSignUp("nobody", "123456"),
                PoolErrorCode::kInvalidParameter, "administrator");
  ExpectFailure(pool.ResendConfirmationCode("carol"),
                PoolErrorCode::kInvalidParameter);
  ASSERT_TRUE(pool.AdminConfirmSignUp("Carol"));
  ASSERT_TRUE(pool.AdminConfirmSignUp("carol"));  // idempotent
  EXPECT_TRUE(pool.AdminGetUser("carol")->confirmed);
  SignIn("carol");
  ExpectFailure(pool.AdminConfirmSignUp("nobody"),
                PoolErrorCode::kUserNotFound);
}

TEST_F(UserPoolTest, RefreshIssuesNewTokensForTheSameSession) {
  UserPool& pool = Pool();
  ASSERT_TRUE(pool.SignUp("alice", kPassword, kAliceAttrs));
  const AuthTokens first = SignIn("alice");
  clock_.Advance(3000);
  auto refreshed = pool.RefreshTokens(first.refresh_token);
  ASSERT_TRUE(refreshed) << refreshed.error().message;
  EXPECT_TRUE(refreshed->refresh_token.empty());  // not rotated
  EXPECT_EQ(refreshed->expires_in, 3600);
  auto before = VerifyForApi(first.access_token);
  auto after = VerifyForApi(refreshed->access_token);
  auto id = VerifyForApi(refreshed->id_token);
  ASSERT_TRUE(before && after && id);
  EXPECT_EQ(after->json["auth_time"], kNow);
  EXPECT_EQ(after->json["iat"], kNow + 3000);
  EXPECT_EQ(after->json["origin_jti"], before->json["origin_jti"]);
  EXPECT_NE(after->json["jti"], before->json["jti"]);
  EXPECT_EQ(id->json["email"], "alice@example.com");
  EXPECT_TRUE(pool.GetUser(refreshed->access_token));

  // 30 days after the sign-in the refresh token has expired.
  clock_.Set(kNow + 30 * 24 * 3600 - 1);
  EXPECT_TRUE(pool.RefreshTokens(first.refresh_token));
  clock_.Set(kNow + 30 * 24 * 3600);
  ExpectFailure(pool.RefreshTokens(first.refresh_token),
                PoolErrorCode::kNotAuthorized, "Refresh Token has expired");
}

TEST_F(UserPoolTest, RefusesForgedRefreshTokens) {
  UserPool& pool = Pool();
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  const AuthTokens tokens = SignIn("alice");
  const std::string& good = tokens.refresh_token;
  const std::string user_part = good.substr(0, good.find('.'));
  std::string flipped = good;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {std::string(""), std::string("garbage"), good + ".x",
        user_part + ".AAAA", tokens.access_token, tokens.id_token}) {
    ExpectFailure(pool.RefreshTokens(bad), PoolErrorCode::kNotAuthorized,
                  "Invalid Refresh Token");
  }
  ExpectFailure(pool.RefreshTokens(flipped), PoolErrorCode::kNotAuthorized);
  // Another user's name with alice's secret.
  ASSERT_TRUE(pool.SignUp("bob", kPassword, {}));
  const std::string bob_token = SignIn("bob").refresh_token;
  const std::string swapped =
      bob_token.substr(0, bob_token.find('.')) + good.substr(good.find('.'));
  ExpectFailure(pool.RefreshTokens(swapped), PoolErrorCode::kNotAuthorized,
                "Refresh Token has been revoked");
}

TEST_F(UserPoolTest, GetUserReportsAttributes) {
  UserPool& pool = Pool();
  auto sub = pool.SignUp("alice", kPassword, kAliceAttrs)->sub;
  auto user = pool.GetUser(SignIn("alice").access_token);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->username, "alice");
  EXPECT_EQ(user->sub, sub);
  EXPECT_EQ(user->attributes.at("email"), "alice@example.com");
  EXPECT_FALSE(user->email_verified);
  EXPECT_TRUE(user->confirmed);
  EXPECT_EQ(user->created_at, kNow);
}

TEST_F(UserPoolTest, GlobalSignOutEndsEverySession) {
  UserPool& pool = Pool();
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  const AuthTokens phone = SignIn("alice");
  const AuthTokens laptop = SignIn("alice");
  ASSERT_TRUE(pool.GlobalSignOut(laptop.access_token));
  for (const AuthTokens* t : {&phone, &laptop}) {
    ExpectFailure(pool.RefreshTokens(t->refresh_token),
                  PoolErrorCode::kNotAuthorized,
                  "Refresh Token has been revoked");
    ExpectFailure(pool.GetUser(t->access_token), PoolErrorCode::kNotAuthorized,
                  "Access Token has been revoked");
  }
  ExpectFailure(pool.GlobalSignOut(phone.access_token),
                PoolErrorCode::kNotAuthorized, "revoked");
  // The API (like API Gateway) still accepts the JWT until it expires.
  EXPECT_TRUE(VerifyForApi(phone.access_token));
  const AuthTokens again = SignIn("alice");
  EXPECT_TRUE(pool.GetUser(again.access_token));
  EXPECT_TRUE(pool.RefreshTokens(again.refresh_token));
}

TEST_F(UserPoolTest, RevokeTokenEndsOneSession) {
  UserPool& pool = Pool();
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  const AuthTokens phone = SignIn("alice");
  const AuthTokens laptop = SignIn("alice");
  ASSERT_TRUE(pool.RevokeToken(phone.refresh_token));
  ASSERT_TRUE(pool.RevokeToken(phone.refresh_token));  // already ended: OK
  ExpectFailure(pool.RefreshTokens(phone.refresh_token),
                PoolErrorCode::kNotAuthorized, "revoked");
  ExpectFailure(pool.GetUser(phone.access_token), PoolErrorCode::kNotAuthorized,
                "revoked");
  EXPECT_TRUE(pool.RefreshTokens(laptop.refresh_token));
  EXPECT_TRUE(pool.GetUser(laptop.access_token));
  ExpectFailure(pool.RevokeToken(laptop.access_token),
                PoolErrorCode::kUnsupportedTokenType);
}

TEST_F(UserPoolTest, ChangePassword) {
  UserPool& pool = Pool();
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  const AuthTokens other_device = SignIn("alice");
  const AuthTokens tokens = SignIn("alice");
  ExpectFailure(
      pool.ChangePassword(tokens.access_token, "Wr0ng-pass", kNewPassword, ""),
      PoolErrorCode::kNotAuthorized, "Incorrect username or password.");
  ExpectFailure(pool.ChangePassword(tokens.access_token, kPassword, "weak", ""),
                PoolErrorCode::kInvalidPassword, "Password not long enough");
  ExpectFailure(
      pool.ChangePassword(tokens.id_token, kPassword, kNewPassword, ""),
      PoolErrorCode::kNotAuthorized, "Invalid Access Token");
  ASSERT_TRUE(
      pool.ChangePassword(tokens.access_token, kPassword, kNewPassword, ""));

  ExpectFailure(pool.InitiateAuth("alice", kPassword, ""),
                PoolErrorCode::kNotAuthorized);
  for (const AuthTokens* t : {&tokens, &other_device}) {
    ExpectFailure(pool.RefreshTokens(t->refresh_token),
                  PoolErrorCode::kNotAuthorized, "revoked");
    ExpectFailure(pool.GetUser(t->access_token), PoolErrorCode::kNotAuthorized,
                  "revoked");
  }
  SignIn("alice", kNewPassword);
}

TEST_F(UserPoolTest, LocksOutAUsernameAfterFiveFailures) {
  UserPool& pool = Pool();
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  const auto wrong = [&] {
    return pool.InitiateAuth("alice", "Wr0ng-pass", "");
  };
  for (int i = 0; i < 5; ++i) {
    ExpectFailure(wrong(), PoolErrorCode::kNotAuthorized,
                  "Incorrect username or password.");
  }
  // Locked for 30 s: even the right password is refused, unchecked.
  ExpectFailure(pool.InitiateAuth("ALICE", kPassword, ""),
                PoolErrorCode::kNotAuthorized, "Password attempts exceeded");
  clock_.Advance(29);
  ExpectFailure(pool.InitiateAuth("alice", kPassword, ""),
                PoolErrorCode::kNotAuthorized, "Password attempts exceeded");
  clock_.Advance(1);
  // The next failure doubles the lockout.
  ExpectFailure(wrong(), PoolErrorCode::kNotAuthorized, "Incorrect");
  clock_.Advance(59);
  ExpectFailure(pool.InitiateAuth("alice", kPassword, ""),
                PoolErrorCode::kNotAuthorized, "Password attempts exceeded");
  clock_.Advance(1);
  // Success clears the count.
  SignIn("alice");
  for (int i = 0; i < 4; ++i) {
    ExpectFailure(wrong(), PoolErrorCode::kNotAuthorized, "Incorrect");
  }
  SignIn("alice");
  // Other users are unaffected throughout.
  ASSERT_TRUE(pool.SignUp("bob", kPassword, {}));
  for (int i = 0; i < 5; ++i) (void)wrong();
  SignIn("bob");
}

TEST_F(UserPoolTest, LockoutCapsAndForgets) {
  UserPool& pool = Pool();
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  // Unknown names lock out the same way (no hint that they do not exist).
  for (int i = 0; i < 5; ++i) (void)pool.InitiateAuth("ghost", "x", "");
  ExpectFailure(pool.InitiateAuth("ghost", "x", ""),
                PoolErrorCode::kNotAuthorized, "Password attempts exceeded");
  // The lockout grows to 15 minutes at most.
  for (int i = 0; i < 20; ++i) {
    (void)pool.InitiateAuth("alice", "Wr0ng-pass", "");
    clock_.Advance(900);
  }
  (void)pool.InitiateAuth("alice", "Wr0ng-pass", "");
  clock_.Advance(899);
  ExpectFailure(pool.InitiateAuth("alice", kPassword, ""),
                PoolErrorCode::kNotAuthorized, "Password attempts exceeded");
  // 15 minutes after the lockout ends, the failures are forgotten.
  clock_.Advance(1 + 901);
  for (int i = 0; i < 4; ++i)
    (void)pool.InitiateAuth("alice", "Wr0ng-pass", "");
  SignIn("alice");
}

TEST_F(UserPoolTest, SlowsASourceAddress) {
  UserPoolOptions options = CheapOptions();
  options.lockout.address_failures = 3;
  UserPool& pool = Pool(options);
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  for (const char* name : {"u1", "u2", "u3"}) {
    ExpectFailure(pool.InitiateAuth(name, "x", "203.0.113.9"),
                  PoolErrorCode::kNotAuthorized);
  }
  ExpectFailure(pool.InitiateAuth("alice", kPassword, "203.0.113.9"),
                PoolErrorCode::kTooManyRequests);
  SignIn("alice", kPassword, "203.0.113.10");
  SignIn("alice", kPassword, "");  // no address known: not tracked
  clock_.Advance(30);
  SignIn("alice", kPassword, "203.0.113.9");
}

// Guesses sent in parallel cannot get more password checks than the
// threshold: attempts in flight count before their outcome is known.
TEST_F(UserPoolTest, ParallelGuessesCannotOutrunTheLockout) {
  UserPoolOptions options = CheapOptions();
  options.argon2 = {.memory_kib = 2048, .iterations = 2};  // a few ms each
  UserPool& pool = Pool(options);
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  constexpr int kThreads = 24;
  std::atomic<int> checked{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      // Half from one address, half from as many addresses as guesses.
      const std::string address =
          i % 2 ? "203.0.113.1" : "198.51.100." + std::to_string(i);
      auto r = pool.InitiateAuth("alice", "Wr0ng-pass", address);
      if (r) return;
      if (r.error().message == "Incorrect username or password.") {
        ++checked;
      } else {
        ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(checked.load(), 5);
  EXPECT_EQ(checked.load() + refused.load(), kThreads);
  ExpectFailure(pool.InitiateAuth("alice", kPassword, ""),
                PoolErrorCode::kNotAuthorized, "Password attempts exceeded");
}

TEST_F(UserPoolTest, ChangePasswordFailuresCountTowardsTheLockout) {
  UserPool& pool = Pool();
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  const AuthTokens tokens = SignIn("alice");
  for (int i = 0; i < 5; ++i) {
    ExpectFailure(pool.ChangePassword(tokens.access_token, "Wr0ng-pass",
                                      kNewPassword, ""),
                  PoolErrorCode::kNotAuthorized);
  }
  ExpectFailure(
      pool.ChangePassword(tokens.access_token, kPassword, kNewPassword, ""),
      PoolErrorCode::kLimitExceeded, "Attempt limit exceeded");
  ExpectFailure(pool.InitiateAuth("alice", kPassword, ""),
                PoolErrorCode::kNotAuthorized, "Password attempts exceeded");
}

TEST_F(UserPoolTest, NoMailMeansNoCodes) {
  UserPool& pool = Pool();
  ASSERT_TRUE(pool.SignUp("alice", kPassword, kAliceAttrs));
  ExpectFailure(pool.ForgotPassword("alice"), PoolErrorCode::kInvalidParameter,
                "Cannot reset password for the user as there is no "
                "registered/verified email or phone_number");
  ExpectFailure(pool.ForgotPassword("nobody"), PoolErrorCode::kInvalidParameter,
                "Cannot reset password");
  ExpectFailure(pool.ConfirmForgotPassword("alice", "123456", kNewPassword),
                PoolErrorCode::kInvalidParameter);
  SignIn("alice");  // unchanged
}

TEST_F(UserPoolTest, AdminOperations) {
  UserPool& pool = Pool();
  auto dave =
      pool.AdminCreateUser("Dave", kPassword, {{"email", "dave@example.com"}},
                           /*email_verified=*/true);
  ASSERT_TRUE(dave);
  EXPECT_TRUE(dave->confirmed);
  EXPECT_TRUE(dave->email_verified);
  ExpectFailure(pool.AdminCreateUser("dave", kPassword, {}),
                PoolErrorCode::kUsernameExists);
  ExpectFailure(pool.AdminCreateUser("erin", "weak", {}),
                PoolErrorCode::kInvalidPassword);
  auto id = VerifyForApi(SignIn("dave").id_token);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->json["email_verified"], true);

  for (const char* name : {"b", "c", "a", "e"}) {
    ASSERT_TRUE(pool.AdminCreateUser(name, kPassword, {}));
  }
  std::vector<std::string> names;
  std::string token;
  int pages = 0;
  do {
    auto page = pool.AdminListUsers(2, token);
    ASSERT_TRUE(page);
    for (const User& u : page->users) names.push_back(u.username);
    token = page->next_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "Dave", "e"}));
  EXPECT_EQ(pages, 3);
  ExpectFailure(pool.AdminListUsers(61), PoolErrorCode::kInvalidParameter);
  ExpectFailure(pool.AdminListUsers(10, "bogus-token"),
                PoolErrorCode::kInvalidParameter);
  EXPECT_EQ(pool.AdminListUsers()->users.size(), 5u);

  ExpectFailure(pool.AdminGetUser("nobody"), PoolErrorCode::kUserNotFound);
  ExpectFailure(pool.AdminGetUser("not a name"), PoolErrorCode::kUserNotFound);
  ExpectFailure(pool.AdminDeleteUser("nobody"), PoolErrorCode::kUserNotFound);
  ExpectFailure(pool.AdminSetUserPassword("nobody", kPassword),
                PoolErrorCode::kUserNotFound);
}

TEST_F(UserPoolTest, AdminSetUserPasswordResetsSessionsAndLockout) {
  UserPool& pool = Pool();
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  const AuthTokens tokens = SignIn("alice");
  for (int i = 0; i < 5; ++i)
    (void)pool.InitiateAuth("alice", "Wr0ng-pass", "");
  ExpectFailure(pool.AdminSetUserPassword("alice", "weak"),
                PoolErrorCode::kInvalidPassword);
  ASSERT_TRUE(pool.AdminSetUserPassword("ALICE", kNewPassword));
  ExpectFailure(pool.RefreshTokens(tokens.refresh_token),
                PoolErrorCode::kNotAuthorized, "revoked");
  ExpectFailure(pool.GetUser(tokens.access_token),
                PoolErrorCode::kNotAuthorized);
  ExpectFailure(pool.InitiateAuth("alice", kPassword, ""),
                PoolErrorCode::kNotAuthorized, "Incorrect");
  SignIn("alice", kNewPassword);
}

TEST_F(UserPoolTest, DeletedUsersTokensStopWorking) {
  UserPool& pool = Pool();
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  const AuthTokens tokens = SignIn("alice");
  ASSERT_TRUE(pool.AdminDeleteUser("Alice"));
  ExpectFailure(pool.RefreshTokens(tokens.refresh_token),
                PoolErrorCode::kNotAuthorized, "User does not exist.");
  ExpectFailure(pool.GetUser(tokens.access_token),
                PoolErrorCode::kNotAuthorized, "User does not exist.");
  // Someone new under the same name is not the old user.
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  SignIn("alice");
  ExpectFailure(pool.GetUser(tokens.access_token),
                PoolErrorCode::kNotAuthorized, "User does not exist.");
  ExpectFailure(pool.RefreshTokens(tokens.refresh_token),
                PoolErrorCode::kNotAuthorized, "revoked");
  EXPECT_TRUE(pool.RevokeToken(tokens.refresh_token));
}

TEST_F(UserPoolTest, KeepsAtMostMaxSessions) {
  UserPoolOptions options = CheapOptions();
  options.max_sessions_per_user = 2;
  UserPool& pool = Pool(options);
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  const AuthTokens first = SignIn("alice");
  const AuthTokens second = SignIn("alice");
  const AuthTokens third = SignIn("alice");
  ExpectFailure(pool.RefreshTokens(first.refresh_token),
                PoolErrorCode::kNotAuthorized, "revoked");
  EXPECT_TRUE(pool.RefreshTokens(second.refresh_token));
  EXPECT_TRUE(pool.RefreshTokens(third.refresh_token));
  EXPECT_EQ(StoredUser("alice")["sessions"].size(), 2u);
}

TEST_F(UserPoolTest, ConcurrentSignUpsOfOneNameHaveOneWinner) {
  UserPool& pool = Pool();
  constexpr int kThreads = 8;
  std::atomic<int> won{0}, exists{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto r = pool.SignUp(i % 2 ? "Zed" : "zed", kPassword, {});
      if (r) {
        ++won;
      } else if (r.error().code == PoolErrorCode::kUsernameExists) {
        ++exists;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(exists.load(), kThreads - 1);
}

TEST_F(UserPoolTest, ConcurrentSignInsOfOneUserAllKeepTheirSessions) {
  UserPool& pool = Pool();
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  constexpr int kThreads = 8;
  std::vector<std::string> refresh(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      // More than the lockout threshold in flight at once is refused as
      // TooManyRequests, which clients retry (the AWS SDKs do).
      for (int attempt = 0; attempt < 1000; ++attempt) {
        auto r = pool.InitiateAuth("alice", kPassword, "");
        if (r) {
          refresh[i] = r->refresh_token;
          return;
        }
        if (r.error().code != PoolErrorCode::kTooManyRequests) {
          ADD_FAILURE() << r.error().message;
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& token : refresh) {
    ASSERT_FALSE(token.empty());
    EXPECT_TRUE(pool.RefreshTokens(token));  // no session lost to a race
  }
  EXPECT_EQ(StoredUser("alice")["sessions"].size(), size_t{kThreads});
}

TEST_F(UserPoolTest, RehashesWhenParametersChange) {
  Pool();
  ASSERT_TRUE(pool_->SignUp("alice", kPassword, {}));
  UserPoolOptions stronger = CheapOptions();
  stronger.argon2 = {.memory_kib = 16, .iterations = 2};
  Pool(stronger);
  SignIn("alice");
  EXPECT_THAT(StoredUser("alice")["password_hash"].get<std::string>(),
              HasSubstr("$m=16,t=2,p=1$"));
  SignIn("alice");
}

TEST_F(UserPoolTest, PublishesJwksAndDiscovery) {
  UserPool& pool = Pool();
  auto keys = ParseJwks(Json::parse(pool.JwksJson()));
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->begin()->first, pool.kid());
  EXPECT_THAT(pool.JwksJson(), Not(HasSubstr("\"d\"")));  // no private part
  const Json discovery = Json::parse(pool.OpenIdConfiguration());
  EXPECT_EQ(discovery["issuer"], kIssuer);
  EXPECT_EQ(discovery["jwks_uri"],
            std::string(kIssuer) + "/.well-known/jwks.json");
  EXPECT_EQ(discovery["id_token_signing_alg_values_supported"][0], "RS256");
  EXPECT_EQ(pool.verifier_options().issuer, kIssuer);
  EXPECT_EQ(pool.verifier_options().audiences,
            std::vector<std::string>{pool.client_id()});
}

TEST_F(UserPoolTest, ValidatesOptions) {
  const auto fails = [&](UserPoolOptions o) {
    return !UserPool::Create(*store_, std::move(o), clock_.AsClock());
  };
  UserPoolOptions o = CheapOptions();
  o.issuer = "";
  EXPECT_TRUE(fails(o));
  o = CheapOptions();
  o.issuer = "ftp://x";
  EXPECT_TRUE(fails(o));
  o = CheapOptions();
  o.region = "Bad_Region";
  EXPECT_TRUE(fails(o));
  o = CheapOptions();
  o.client_id = "bad id";
  EXPECT_TRUE(fails(o));
  o = CheapOptions();
  o.token_seconds = 10;
  EXPECT_TRUE(fails(o));
  o = CheapOptions();
  o.argon2.memory_kib = 1;
  EXPECT_TRUE(fails(o));
  o = CheapOptions();
  o.password_policy.min_length = 2;
  EXPECT_TRUE(fails(o));
  o = CheapOptions();
  o.lockout.max_lockout_seconds = 1;
  EXPECT_TRUE(fails(o));

  // A trailing slash is dropped; a configured client id wins.
  o = CheapOptions();
  o.issuer = std::string(kIssuer) + "/";
  o.client_id = "myclient";
  o.region = "eu-west-1";
  UserPool& pool = Pool(o);
  EXPECT_EQ(pool.issuer(), kIssuer);
  EXPECT_EQ(pool.client_id(), "myclient");
  EXPECT_EQ(pool.region(), "eu-west-1");
  EXPECT_THAT(pool.pool_id(), MatchesRegex("eu-west-1_[A-Za-z0-9]{9}"));
  ASSERT_TRUE(pool.SignUp("alice", kPassword, {}));
  auto access = VerifyForApi(SignIn("alice").access_token);
  ASSERT_TRUE(access);
  EXPECT_EQ(access->json["client_id"], "myclient");
}

TEST_F(UserPoolTest, RefusesAStoredKeyItCannotRead) {
  ASSERT_TRUE(store_->Put("auth/signing-key.pem", "not a key", {}));
  auto pool = UserPool::Create(*store_, CheapOptions(), clock_.AsClock());
  ASSERT_FALSE(pool);
  EXPECT_EQ(pool.error().code(), core::ErrorCode::kInternal);
  // ... and never replaces it.
  EXPECT_EQ(store_->Get("auth/signing-key.pem")->bytes, "not a key");
}

TEST(UserPoolPersistenceTest, KeyAndClientSurviveARestart) {
  auto store = store::NewMemoryStore();
  ManualClock clock(kNow);
  auto first = UserPool::Create(*store, CheapOptions(), clock.AsClock());
  ASSERT_TRUE(first);
  ASSERT_TRUE((*first)->SignUp("alice", kPassword, {}));
  auto tokens = (*first)->InitiateAuth("alice", kPassword, "");
  ASSERT_TRUE(tokens);
  const std::string kid = (*first)->kid();
  const std::string client = (*first)->client_id();
  const std::string pool_id = (*first)->pool_id();
  first->reset();

  auto second = UserPool::Create(*store, CheapOptions(), clock.AsClock());
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)->kid(), kid);
  EXPECT_EQ((*second)->client_id(), client);
  EXPECT_EQ((*second)->pool_id(), pool_id);
  EXPECT_EQ((*second)->JwksJson().find(kid) != std::string::npos, true);
  // Tokens and sessions from before the restart still work.
  EXPECT_TRUE((*second)->GetUser(tokens->access_token));
  EXPECT_TRUE((*second)->RefreshTokens(tokens->refresh_token));
  auto keys = (*second)->NewKeySource();
  TokenVerifier verifier((*second)->verifier_options(), *keys, clock.AsClock());
  EXPECT_TRUE(verifier.Verify(tokens->id_token));
}

TEST(UserPoolPersistenceTest, RacingReplicasAgreeOnOneKeyAndClient) {
  auto store = store::NewMemoryStore();
  ManualClock clock(kNow);
  constexpr int kReplicas = 4;
  std::vector<std::unique_ptr<UserPool>> pools(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] {
      auto pool = UserPool::Create(*store, CheapOptions(), clock.AsClock());
      if (pool) pools[i] = std::move(*pool);
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> kids, clients;
  for (const auto& pool : pools) {
    ASSERT_NE(pool, nullptr);
    kids.insert(pool->kid());
    clients.insert(pool->client_id());
  }
  EXPECT_EQ(kids.size(), 1u);
  EXPECT_EQ(clients.size(), 1u);
  EXPECT_EQ(*kids.begin(),
            PrivateKey::FromPem(store->Get("auth/signing-key.pem")->bytes)
                ->public_key()
                .Thumbprint());
  // A token from one replica is good at another.
  ASSERT_TRUE(pools[0]->SignUp("alice", kPassword, {}));
  auto tokens = pools[1]->InitiateAuth("alice", kPassword, "");
  ASSERT_TRUE(tokens);
  EXPECT_TRUE(pools[2]->GetUser(tokens->access_token));
}

TEST(PoolErrorTest, NamesAndCoreCodes) {
  EXPECT_EQ(CognitoErrorName(PoolErrorCode::kNotAuthorized),
            "NotAuthorizedException");
  EXPECT_EQ(CognitoErrorName(PoolErrorCode::kInternal),
            "InternalErrorException");
  EXPECT_EQ(ToCoreError({PoolErrorCode::kNotAuthorized, "m"}).code(),
            core::ErrorCode::kUnauthenticated);
  EXPECT_EQ(ToCoreError({PoolErrorCode::kUsernameExists, "m"}).code(),
            core::ErrorCode::kAlreadyExists);
  EXPECT_EQ(ToCoreError({PoolErrorCode::kUserNotFound, "m"}).code(),
            core::ErrorCode::kNotFound);
  EXPECT_EQ(ToCoreError({PoolErrorCode::kInvalidPassword, "m"}).code(),
            core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(ToCoreError({PoolErrorCode::kTooManyRequests, "m"}).message(), "m");
}

}  // namespace
}  // namespace invoices::auth
