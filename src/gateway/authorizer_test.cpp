#include "invoices/gateway/authorizer.h"

#include <gtest/gtest.h>

#include "invoices/auth/jwt.h"
#include "invoices/auth/keys.h"

namespace invoices::gateway {
namespace {

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = auth::PrivateKey::Generate(2048);
    ASSERT_TRUE(key);
    key_ = std::make_unique<auth::PrivateKey>(std::move(*key));
    auth::KeyMap keys;
    keys.emplace("k1", key_->public_key());
    source_ = auth::NewStaticKeySource(std::move(keys));
    verifier_ = std::make_unique<auth::TokenVerifier>(
        auth::VerifierOptions{.issuer = "http://issuer", .audiences = {"app"}},
        *source_);
  }

  std::string Token(std::string iss) {
    const int64_t now = std::time(nullptr);
    core::Json claims = {{"sub", "user-1"},   {"iss", iss}, {"aud", "app"},
                         {"token_use", "id"}, {"iat", now}, {"exp", now + 600},
                         {"email", "a@b.c"}};
    auto token = auth::SignJwt(claims, *key_, "k1");
    EXPECT_TRUE(token);
    return *token;
  }

  functions::HttpRequest WithAuthorization(std::string value) {
    functions::HttpRequest r;
    if (!value.empty()) r.headers["authorization"] = std::move(value);
    return r;
  }

  std::unique_ptr<auth::PrivateKey> key_;
  std::unique_ptr<auth::KeySource> source_;
  std::unique_ptr<auth::TokenVerifier> verifier_;
};

TEST_F(AuthorizerTest, ValidTokenGivesItsClaimsAsStrings) {
  Authorizer authorize = NewJwtAuthorizer(*verifier_);
  for (const char* prefix : {"Bearer ", "bearer ", ""}) {
    auto claims = authorize(
        WithAuthorization(std::string(prefix) + Token("http://issuer")));
    ASSERT_TRUE(claims) << claims.error().ToString();
    EXPECT_EQ(claims->at("sub"), "user-1");
    EXPECT_EQ(claims->at("email"), "a@b.c");
    EXPECT_FALSE(claims->at("exp").empty());  // numbers as their JSON text
  }
}

TEST_F(AuthorizerTest, MissingOrInvalidTokensAreUnauthenticated) {
  Authorizer authorize = NewJwtAuthorizer(*verifier_);
  for (const std::string& header :
       {std::string(), std::string("Bearer"), std::string("Basic dXNlcjpwdw=="),
        "Bearer " + Token("http://other-issuer"),
        std::string("Bearer x.y.z")}) {
    auto claims = authorize(WithAuthorization(header));
    ASSERT_FALSE(claims) << header;
    EXPECT_EQ(claims.error().code(), core::ErrorCode::kUnauthenticated);
  }
}

TEST(ClaimsMapTest, StringsStayNumbersAndArraysAreJson) {
  auto m = ClaimsMap(core::Json::parse(
      R"({"sub": "s", "exp": 12, "cognito:groups": ["a", "b"]})"));
  EXPECT_EQ(m["sub"], "s");
  EXPECT_EQ(m["exp"], "12");
  EXPECT_EQ(m["cognito:groups"], R"(["a","b"])");
}

}  // namespace
}  // namespace invoices::gateway
