#include "invoices/auth/verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "invoices/auth/jwt.h"
#include "invoices/core/base64.h"

namespace invoices::auth {
namespace {

using core::Base64UrlEncode;
using core::ErrorCode;
using core::Json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kNow = 1'700'000'000;
constexpr const char* kIssuer =
    "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test";
constexpr const char* kJwksUrl =
    "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test/.well-known/"
    "jwks.json";

// The pool's signing key, made with OpenSSL directly so that the test also
// holds its public PEM (the HS256 key-confusion forgery needs it).
struct PoolKey {
  PrivateKey key;
  std::string public_pem;
};
const PoolKey& Pool() {
  static const PoolKey pool = [] {
    EVP_PKEY* pkey = EVP_RSA_gen(2048);
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    auto key = PrivateKey::FromPem(std::string(data, size));
    BIO_free(bio);
    bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, pkey);
    size = BIO_get_mem_data(bio, &data);
    PoolKey out{*key, std::string(data, size)};
    BIO_free(bio);
    EVP_PKEY_free(pkey);
    return out;
  }();
  return pool;
}
const PrivateKey& OtherKey() {
  static const PrivateKey key = *PrivateKey::Generate();
  return key;
}

Json IdClaims() {
  return {{"sub", "5f1c0d2e-1111-4222-8333-944455556666"},
          {"email_verified", true},
          {"iss", kIssuer},
          {"cognito:username", "alice"},
          {"aud", "client1"},
          {"token_use", "id"},
          {"auth_time", kNow - 10},
          {"exp", kNow + 3600},
          {"iat", kNow - 10},
          {"email", "alice@example.com"}};
}

Json AccessClaims() {
  return {{"sub", "5f1c0d2e-1111-4222-8333-944455556666"},
          {"iss", kIssuer},
          {"client_id", "client1"},
          {"token_use", "access"},
          {"scope", "openid aws.cognito.signin.user.admin email"},
          {"auth_time", kNow - 10},
          {"exp", kNow + 3600},
          {"iat", kNow - 10},
          {"jti", "0b1f"},
          {"username", "alice"}};
}

std::string Sign(const Json& claims, const PrivateKey& key = Pool().key,
                 std::string_view kid = "a") {
  return *SignJwt(claims, key, kid);
}

// Any header, RS256-signed by `key`: forgeries that are well signed.
std::string SignWithHeader(const Json& header, const Json& claims,
                           const PrivateKey& key) {
  const std::string input =
      Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  return input + "." + Base64UrlEncode(*key.SignRs256(input));
}

std::string Hs256(const std::string& secret, const Json& claims) {
  const std::string input =
      Base64UrlEncode(Json{{"alg", "HS256"}, {"kid", "a"}}.dump()) + "." +
      Base64UrlEncode(claims.dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t size = 0;
  EXPECT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr,
                      secret.data(), secret.size(),
                      reinterpret_cast<const unsigned char*>(input.data()),
                      input.size(), mac, sizeof mac, &size),
            nullptr);
  return input + "." +
         Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), size));
}

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() {
    fetch_ = [this](const std::string& url) -> core::Result<std::string> {
      EXPECT_EQ(url, kJwksUrl);
      ++fetches_;
      std::this_thread::sleep_for(fetch_delay_);
      return Json{{"keys", {Pool().key.public_key().ToJwk("a")}}}.dump();
    };
    keys_ = NewJwksUrlKeySource({.url = kJwksUrl}, fetch_, clock_.AsClock());
  }

  VerifierOptions Options() const {
    return {.issuer = kIssuer, .audiences = {"client1", "client2"}};
  }
  TokenVerifier Verifier(VerifierOptions options) {
    return TokenVerifier(std::move(options), *keys_, clock_.AsClock());
  }
  TokenVerifier Verifier() { return Verifier(Options()); }

  void ExpectRefused(const TokenVerifier& verifier, const std::string& token,
                     std::string_view why) {
    auto claims = verifier.Verify(token);
    ASSERT_FALSE(claims) << "accepted, expected: " << why;
    EXPECT_EQ(claims.error().code(), ErrorCode::kUnauthenticated);
    EXPECT_THAT(claims.error().message(), HasSubstr(why));
    // The reason is for logs and a 401 body: it must not echo the token.
    if (token.size() > 16) {
      EXPECT_THAT(claims.error().message(),
                  Not(HasSubstr(token.substr(0, 16))));
    }
  }
  void ExpectRefused(const std::string& token, std::string_view why) {
    ExpectRefused(Verifier(), token, why);
  }

  ManualClock clock_{kNow};
  std::atomic<int> fetches_{0};
  std::chrono::milliseconds fetch_delay_{0};
  HttpFetch fetch_;
  std::unique_ptr<KeySource> keys_;
};

TEST_F(VerifierTest, ValidIdTokenGivesItsClaims) {
  auto claims = Verifier().Verify(Sign(IdClaims()));
  ASSERT_TRUE(claims) << claims.error().ToString();
  EXPECT_EQ(claims->subject, "5f1c0d2e-1111-4222-8333-944455556666");
  EXPECT_EQ(claims->token_use, "id");
  EXPECT_EQ(claims->client_id, "client1");
  EXPECT_EQ(claims->username, "alice");
  EXPECT_EQ(claims->expires_at, kNow + 3600);
  EXPECT_EQ(claims->issued_at, kNow - 10);
  EXPECT_EQ(claims->json, IdClaims());
  EXPECT_EQ(fetches_.load(), 1);
}

TEST_F(VerifierTest, ValidAccessTokenMatchesClientId) {
  VerifierOptions options = Options();
  options.required_scopes = {"openid", "email"};
  auto claims = Verifier(options).Verify(Sign(AccessClaims()));
  ASSERT_TRUE(claims) << claims.error().ToString();
  EXPECT_EQ(claims->token_use, "access");
  EXPECT_EQ(claims->client_id, "client1");
  EXPECT_EQ(claims->username, "alice");
}

TEST_F(VerifierTest, AudienceMayBeAnArray) {
  Json claims = IdClaims();
  claims["aud"] = {"other", "client2"};
  auto verified = Verifier().Verify(Sign(claims));
  ASSERT_TRUE(verified) << verified.error().ToString();
  EXPECT_EQ(verified->client_id, "client2");
}

TEST_F(VerifierTest, RefusesAlgNone) {
  const std::string input = Base64UrlEncode(R"({"alg":"none","kid":"a"})") +
                            "." + Base64UrlEncode(IdClaims().dump());
  ExpectRefused(input + ".", "no signature");
  ExpectRefused(input + "." + Base64UrlEncode("x"), "alg none");
}

TEST_F(VerifierTest, RefusesHs256SignedWithThePublicKey) {
  // Key confusion: a verifier that let the token pick the algorithm would
  // check this HMAC with the (public) key bytes as the secret.
  const PublicKey pub = Pool().key.public_key();
  for (const std::string& secret :
       {Pool().public_pem, pub.ToJwk("a").dump(),
        *core::Base64UrlDecode(pub.ToJwk("a")["n"].get<std::string>())}) {
    ExpectRefused(Hs256(secret, IdClaims()), "HMAC");
  }
}

TEST_F(VerifierTest, RefusesUnknownKidAfterOneRefresh) {
  ASSERT_TRUE(Verifier().Verify(Sign(IdClaims())));
  ASSERT_EQ(fetches_.load(), 1);
  clock_.Advance(60);
  ExpectRefused(Sign(IdClaims(), OtherKey(), "b"), "unknown key");
  EXPECT_EQ(fetches_.load(), 2);
  ExpectRefused(Sign(IdClaims(), OtherKey(), "b"), "unknown key");
  EXPECT_EQ(fetches_.load(), 2);  // rate bound
  ExpectRefused(SignWithHeader({{"alg", "RS256"}}, IdClaims(), Pool().key),
                "no kid");
}

TEST_F(VerifierTest, RefusesSignatureFromAnotherKey) {
  ExpectRefused(Sign(IdClaims(), OtherKey(), "a"), "signature does not match");
}

TEST_F(VerifierTest, RefusesAlteredClaims) {
  const std::string token = Sign(IdClaims());
  Json claims = IdClaims();
  claims["sub"] = "someone-else";
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.rfind('.');
  const std::string altered = token.substr(0, dot1 + 1) +
                              Base64UrlEncode(claims.dump()) +
                              token.substr(dot2);
  ExpectRefused(altered, "signature does not match");
}

TEST_F(VerifierTest, RefusesAKeyCarriedByTheToken) {
  // Signed by the attacker, who ships the matching public key in the header.
  const Json header = {{"alg", "RS256"},
                       {"kid", "a"},
                       {"jwk", OtherKey().public_key().ToJwk("a")}};
  ExpectRefused(SignWithHeader(header, IdClaims(), OtherKey()),
                "carries its own key");
  const Json jku = {{"alg", "RS256"},
                    {"kid", "a"},
                    {"jku", "https://attacker.example/jwks.json"}};
  ExpectRefused(SignWithHeader(jku, IdClaims(), OtherKey()),
                "carries its own key");
}

TEST_F(VerifierTest, RefusesWrongIssuer) {
  for (const Json& iss :
       {Json("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"),
        Json(std::string(kIssuer) + "/"),
        Json("HTTPS://cognito-idp.eu-west-1."
             "amazonaws.com/eu-west-1_Test"),
        Json(""), Json(1)}) {
    Json claims = IdClaims();
    claims["iss"] = iss;
    ExpectRefused(Sign(claims), "issuer is not accepted");
  }
  Json claims = IdClaims();
  claims.erase("iss");
  ExpectRefused(Sign(claims), "issuer is not accepted");
}

TEST_F(VerifierTest, RefusesWrongAudience) {
  Json claims = IdClaims();
  claims["aud"] = "client3";
  ExpectRefused(Sign(claims), "audience is not accepted");
  claims["aud"] = {"client3", "client4"};
  ExpectRefused(Sign(claims), "audience is not accepted");
  claims["aud"] = Json::array();
  ExpectRefused(Sign(claims), "audience is not accepted");
  // aud wins over client_id, as in API Gateway.
  claims["aud"] = "client3";
  claims["client_id"] = "client1";
  ExpectRefused(Sign(claims), "audience is not accepted");

  Json access = AccessClaims();
  access["client_id"] = "client3";
  ExpectRefused(Sign(access), "client_id is not accepted");
  access.erase("client_id");
  ExpectRefused(Sign(access), "neither aud nor client_id");
}

TEST_F(VerifierTest, NoConfiguredAudienceSkipsTheCheck) {
  VerifierOptions options = Options();
  options.audiences.clear();
  Json claims = IdClaims();
  claims["aud"] = "anything";
  auto verified = Verifier(options).Verify(Sign(claims));
  ASSERT_TRUE(verified) << verified.error().ToString();
  EXPECT_EQ(verified->client_id, "");
}

TEST_F(VerifierTest, ChecksTimesWithLeeway) {
  const TokenVerifier verifier = Verifier();
  auto with = [](const char* claim, Json value) {
    Json claims = IdClaims();
    claims[claim] = std::move(value);
    return Sign(claims);
  };
  // exp: valid until exp + leeway (exclusive).
  EXPECT_TRUE(verifier.Verify(with("exp", kNow - 59)));
  ExpectRefused(verifier, with("exp", kNow - 60), "expired");
  ExpectRefused(verifier, with("exp", kNow - 86400), "expired");
  ExpectRefused(verifier, with("exp", 0), "expired");
  // Fractional NumericDates round towards the stricter side.
  EXPECT_TRUE(verifier.Verify(with("exp", kNow - 58.5)));
  ExpectRefused(verifier, with("exp", kNow - 59.5), "expired");
  ExpectRefused(verifier, with("nbf", kNow + 60.5), "not yet valid");
  // nbf: valid from nbf - leeway.
  EXPECT_TRUE(verifier.Verify(with("nbf", kNow + 60)));
  ExpectRefused(verifier, with("nbf", kNow + 61), "not yet valid");
  ExpectRefused(verifier, with("nbf", kNow + 86400), "not yet valid");
  // iat: not later than now + leeway.
  EXPECT_TRUE(verifier.Verify(with("iat", kNow + 60)));
  ExpectRefused(verifier, with("iat", kNow + 61), "issued in the future");
  ExpectRefused(verifier, with("iat", kNow + 10 * 365 * 86400),
                "issued in the future");
  // Malformed times.
  ExpectRefused(verifier, with("exp", std::to_string(kNow + 3600)),
                "exp is not a valid time");
  ExpectRefused(verifier, with("exp", 1e300), "exp is not a valid time");
  ExpectRefused(verifier, with("exp", Json::array()),
                "exp is not a valid time");
  ExpectRefused(verifier, with("nbf", "soon"), "nbf is not a valid time");
  ExpectRefused(verifier, with("iat", true), "iat is not a valid time");
  Json claims = IdClaims();
  claims.erase("exp");
  ExpectRefused(verifier, Sign(claims), "no exp");
  // The clock moves: the same token expires.
  const std::string token = Sign(IdClaims());
  EXPECT_TRUE(verifier.Verify(token));
  clock_.Advance(3600 + 60);
  ExpectRefused(verifier, token, "expired");
}

TEST_F(VerifierTest, ChecksTokenUseScopesAndSubject) {
  Json claims = IdClaims();
  claims["token_use"] = "refresh";
  ExpectRefused(Sign(claims), "token_use is not accepted");
  claims.erase("token_use");
  ExpectRefused(Sign(claims), "no token_use");
  claims["token_use"] = 1;
  ExpectRefused(Sign(claims), "token_use is not a string");

  // An OIDC issuer that is not Cognito: no token_use at all.
  VerifierOptions oidc = Options();
  oidc.token_uses.clear();
  claims.erase("token_use");
  EXPECT_TRUE(Verifier(oidc).Verify(Sign(claims)));

  VerifierOptions only_access = Options();
  only_access.token_uses = {"access"};
  ExpectRefused(Verifier(only_access), Sign(IdClaims()),
                "token_use is not accepted");

  VerifierOptions scoped = Options();
  scoped.required_scopes = {"invoices/read"};
  ExpectRefused(Verifier(scoped), Sign(AccessClaims()), "required scope");
  ExpectRefused(Verifier(scoped), Sign(IdClaims()), "required scope");
  Json access = AccessClaims();
  access["scope"] = "openid invoices/read";
  EXPECT_TRUE(Verifier(scoped).Verify(Sign(access)));
  access["scope"] = "openid invoices/read-only";  // whole words only
  ExpectRefused(Verifier(scoped), Sign(access), "required scope");

  for (const Json& sub : {Json(""), Json(7), Json(std::string(256, 'x'))}) {
    Json bad = IdClaims();
    bad["sub"] = sub;
    ExpectRefused(Sign(bad), "no valid sub");
  }
  Json no_sub = IdClaims();
  no_sub.erase("sub");
  ExpectRefused(Sign(no_sub), "no valid sub");
}

TEST_F(VerifierTest, RefusesMalformedTokens) {
  const std::string token = Sign(IdClaims());
  ExpectRefused(token.substr(0, token.size() - 10), "signature");  // truncated
  ExpectRefused(token.substr(0, token.rfind('.')), "three");
  ExpectRefused(token.substr(0, token.find('.') + 5), "three");
  std::string bad_base64 = token;
  bad_base64[token.find('.') + 3] = '*';
  ExpectRefused(bad_base64, "not base64url");
  const std::string not_json =
      Base64UrlEncode("{alg:RS256}") + token.substr(token.find('.'));
  ExpectRefused(not_json, "header is not a JSON object");
  const std::string huge_header =
      Base64UrlEncode(R"({"alg":"RS256","kid":"a","x":")" +
                      std::string(1 << 20, 'x') + R"("})") +
      token.substr(token.find('.'));
  ExpectRefused(huge_header, "longer than");
  ExpectRefused("", "empty token");
  ExpectRefused("Bearer " + token, "malformed token");
}

TEST_F(VerifierTest, UnconfiguredIssuerRefusesEverything) {
  Json claims = IdClaims();
  claims["iss"] = "";
  ExpectRefused(Verifier(VerifierOptions{}), Sign(claims),
                "no token issuer is configured");
}

TEST_F(VerifierTest, UnreachableKeysAreUnauthenticated) {
  auto down = NewJwksUrlKeySource(
      {.url = kJwksUrl},
      [](const std::string&) -> core::Result<std::string> {
        return core::Unavailable("timed out");
      },
      clock_.AsClock());
  TokenVerifier verifier(Options(), *down, clock_.AsClock());
  ExpectRefused(verifier, Sign(IdClaims()), "signing keys unavailable");
}

TEST_F(VerifierTest, ConcurrentVerifyFromSeveralThreads) {
  fetch_delay_ = std::chrono::milliseconds(20);  // all threads meet the fetch
  const TokenVerifier verifier = Verifier();
  const std::string id = Sign(IdClaims());
  const std::string access = Sign(AccessClaims());
  const std::string forged = Sign(IdClaims(), OtherKey(), "a");
  Json expired_claims = IdClaims();
  expired_claims["exp"] = kNow - 3600;
  const std::string expired = Sign(expired_claims);

  std::atomic<int> accepted{0}, refused{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        switch ((t + i) % 4) {
          case 0:
          case 1: {
            auto claims = verifier.Verify((t + i) % 4 ? access : id);
            if (claims && claims->username == "alice") {
              ++accepted;
            } else {
              ++wrong;
            }
            break;
          }
          default: {
            auto claims = verifier.Verify((t + i) % 4 == 2 ? forged : expired);
            if (!claims &&
                claims.error().code() == ErrorCode::kUnauthenticated) {
              ++refused;
            } else {
              ++wrong;
            }
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(accepted.load(), 400);
  EXPECT_EQ(refused.load(), 400);
  EXPECT_EQ(fetches_.load(), 1);
}

TEST(ExtractBearerTest, AcceptsWhatApiGatewayAccepts) {
  EXPECT_EQ(*ExtractBearer("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(*ExtractBearer("bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(*ExtractBearer("BEARER   abc.def.ghi  "), "abc.def.ghi");
  EXPECT_EQ(*ExtractBearer("abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(*ExtractBearer(" abc.def.ghi\t"), "abc.def.ghi");
}

TEST(ExtractBearerTest, RefusesOtherShapes) {
  for (std::string_view bad :
       {"", "   ", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearerx abc",
        "Bearer abc def", "Token abc"}) {
    auto token = ExtractBearer(bad);
    ASSERT_FALSE(token) << bad;
    EXPECT_EQ(token.error().code(), ErrorCode::kUnauthenticated);
  }
}

}  // namespace
}  // namespace invoices::auth
