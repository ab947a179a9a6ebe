#include "invoices/auth/jwt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "invoices/core/base64.h"

namespace invoices::auth {
namespace {

using core::Base64UrlEncode;
using core::ErrorCode;
using core::Json;
using ::testing::HasSubstr;
using ::testing::Not;

const PrivateKey& TestKey() {
  static const PrivateKey key = *PrivateKey::Generate(2048);
  return key;
}

// A token from raw header and claims text, signed by the test key (so that
// only the property under test is wrong).
std::string Token(const std::string& header, const std::string& claims) {
  const std::string input =
      Base64UrlEncode(header) + "." + Base64UrlEncode(claims);
  return input + "." + Base64UrlEncode(*TestKey().SignRs256(input));
}

const char* kHeader = R"({"kid":"k1","alg":"RS256"})";
const char* kClaims = R"({"sub":"u1","iss":"https://issuer"})";

void ExpectRefused(std::string_view token, std::string_view why) {
  auto jwt = ParseJwt(token);
  ASSERT_FALSE(jwt) << "accepted, expected: " << why;
  EXPECT_EQ(jwt.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_THAT(jwt.error().message(), HasSubstr(why));
}

TEST(JwtTest, SignThenParse) {
  const Json claims = {{"sub", "u1"}, {"exp", 2000000000}, {"n", {1, 2}}};
  auto token = SignJwt(claims, TestKey(), "k1");
  ASSERT_TRUE(token) << token.error().ToString();
  auto jwt = ParseJwt(*token);
  ASSERT_TRUE(jwt) << jwt.error().ToString();
  EXPECT_EQ(jwt->kid, "k1");
  EXPECT_EQ(jwt->header, (Json{{"kid", "k1"}, {"alg", "RS256"}}));
  EXPECT_EQ(jwt->claims, claims);
  EXPECT_EQ(jwt->signature.size(), 256u);
  EXPECT_EQ(jwt->signing_input, token->substr(0, token->rfind('.')));
  EXPECT_TRUE(VerifyJwtSignature(*jwt, TestKey().public_key()));

  EXPECT_FALSE(SignJwt(Json::array(), TestKey(), "k1"));
  EXPECT_FALSE(SignJwt(claims, TestKey(), ""));
}

// RFC 7515 appendix A.2 (no kid; a CR LF inside the claims JSON).
TEST(JwtTest, ParsesRfc7515Example) {
  auto jwt = ParseJwt(
      "eyJhbGciOiJSUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv"
      "bS9pc19yb290Ijp0cnVlfQ."
      "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4B"
      "h-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZ"
      "LgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_d"
      "O--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6"
      "LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw");
  ASSERT_TRUE(jwt) << jwt.error().ToString();
  EXPECT_EQ(jwt->kid, "");
  EXPECT_EQ(jwt->claims["iss"], "joe");
  EXPECT_EQ(jwt->claims["exp"], 1300819380);
  EXPECT_EQ(jwt->claims["http://example.com/is_root"], true);
}

TEST(JwtTest, RefusesOtherAlgorithms) {
  // alg none, with and without a signature part.
  const std::string none = Base64UrlEncode(R"({"alg":"none","kid":"k1"})") +
                           "." + Base64UrlEncode(kClaims);
  ExpectRefused(none + ".", "no signature");
  ExpectRefused(none + ".c2ln", "alg none");
  ExpectRefused(Token(R"({"alg":"None","kid":"k1"})", kClaims), "not RS256");
  ExpectRefused(Token(R"({"alg":"HS256","kid":"k1"})", kClaims), "HMAC");
  ExpectRefused(Token(R"({"alg":"HS512","kid":"k1"})", kClaims), "HMAC");
  ExpectRefused(Token(R"({"alg":"ES256","kid":"k1"})", kClaims), "not RS256");
  ExpectRefused(Token(R"({"alg":"PS256","kid":"k1"})", kClaims), "not RS256");
  ExpectRefused(Token(R"({"alg":"rs256","kid":"k1"})", kClaims), "not RS256");
  ExpectRefused(Token(R"({"kid":"k1"})", kClaims), "no alg");
  ExpectRefused(Token(R"({"alg":["RS256"],"kid":"k1"})", kClaims), "no alg");
}

TEST(JwtTest, RefusesKeysCarriedByTheToken) {
  const Json jwk = TestKey().public_key().ToJwk("k1");
  for (const auto& [member, value] :
       std::initializer_list<std::pair<const char*, Json>>{
           {"jwk", jwk},
           {"jku", "https://attacker.example/jwks.json"},
           {"x5u", "https://attacker.example/cert.pem"},
           {"x5c", Json::array({"MIIB"})}}) {
    Json header = {{"alg", "RS256"}, {"kid", "k1"}};
    header[member] = value;
    ExpectRefused(Token(header.dump(), kClaims), "carries its own key");
  }
  ExpectRefused(Token(R"({"alg":"RS256","crit":["exp"]})", kClaims),
                "critical");
  ExpectRefused(Token(R"({"alg":"RS256","kid":7})", kClaims),
                "kid is not a string");
}

TEST(JwtTest, RefusesMalformedStructure) {
  const std::string good = Token(kHeader, kClaims);
  ASSERT_TRUE(ParseJwt(good));
  const size_t dot1 = good.find('.');
  const size_t dot2 = good.rfind('.');

  ExpectRefused("", "empty token");
  ExpectRefused("abc", "three");
  ExpectRefused(good.substr(0, dot2), "three");             // two parts
  ExpectRefused(good + ".x", "three");                      // four parts
  ExpectRefused(good.substr(0, dot2 + 1), "no signature");  // empty signature
  ExpectRefused("." + good.substr(dot1 + 1), "empty header");
  ExpectRefused(good.substr(0, dot1 + 1) + good.substr(dot2), "empty");
  // Truncated anywhere: never accepted.
  for (size_t n = 1; n < good.size(); n += 7) {
    auto jwt = ParseJwt(good.substr(0, n));
    if (jwt) {
      // Cutting inside the signature can still parse; it cannot verify.
      EXPECT_GT(n, dot2);
      EXPECT_FALSE(VerifyJwtSignature(*jwt, TestKey().public_key()));
    }
  }
}

TEST(JwtTest, RefusesBadBase64) {
  const std::string good = Token(kHeader, kClaims);
  const size_t dot1 = good.find('.');
  const std::string header = good.substr(0, dot1);
  const std::string rest = good.substr(dot1);
  ExpectRefused(header + "=" + rest, "not base64url");  // padding
  ExpectRefused(header + "==" + rest, "not base64url");
  std::string plus = good;
  plus[2] = '+';  // standard alphabet
  ExpectRefused(plus, "not base64url");
  std::string space = good;
  space[2] = ' ';
  ExpectRefused(space, "not base64url");
  ExpectRefused(header + "AA" + rest, "not base64url");  // impossible length
  ExpectRefused(good + "%", "signature is not base64url");
  // Non-canonical encodings: only one spelling of each byte string.
  ExpectRefused(
      Base64UrlEncode(kHeader) + "." + Base64UrlEncode(kClaims) + ".AB",
      "not base64url");  // "AB" leaves non-zero trailing bits
}

TEST(JwtTest, RefusesNonJson) {
  ExpectRefused(Token("not json", kClaims), "header is not a JSON object");
  ExpectRefused(Token(R"(["alg","RS256"])", kClaims),
                "header is not a JSON object");
  ExpectRefused(Token(R"({"alg":"RS256")", kClaims),
                "header is not a JSON object");
  ExpectRefused(Token(kHeader, "\"a string\""), "claims is not a JSON object");
  ExpectRefused(Token(kHeader, "{} trailing"), "claims is not a JSON object");
  ExpectRefused(Token(kHeader, "{\"sub\":\"\xff\"}"),
                "claims is not a JSON object");  // invalid UTF-8
  // nlohmann alone would stop at the NUL and accept the first object.
  ExpectRefused(Token(kHeader, std::string("{}\0{\"sub\":\"x\"}", 14)),
                "claims is not a JSON object");
  ExpectRefused(Token(std::string(kHeader) + '\0', kClaims),
                "header is not a JSON object");
}

TEST(JwtTest, RefusesDuplicateMembersAndDeepNesting) {
  // Two parsers reading different "alg" or "sub" values is a known bypass.
  ExpectRefused(Token(R"({"alg":"RS256","alg":"none"})", kClaims),
                "repeats a member");
  ExpectRefused(Token(kHeader, R"({"sub":"a","sub":"b"})"), "repeats a member");
  ExpectRefused(Token(kHeader, R"({"x":{"a":1,"a":2}})"), "repeats a member");
  // Same name in different objects is fine.
  EXPECT_TRUE(ParseJwt(Token(kHeader, R"({"a":{"a":{"a":1}},"b":{"a":2}})")));
  std::string deep = std::string(40, '[') + std::string(40, ']');
  ExpectRefused(Token(kHeader, R"({"x":)" + deep + "}"), "nests too deeply");
}

TEST(JwtTest, RefusesOversizedTokens) {
  // A 1 MB header: refused on length before any decoding.
  const std::string huge = Token(R"({"alg":"RS256","kid":"k1","pad":")" +
                                     std::string(1 << 20, 'a') + R"("})",
                                 kClaims);
  ExpectRefused(huge, "longer than 8192 bytes");
  // Right at the limit is still parsed.
  const std::string base =
      Token(R"({"alg":"RS256","kid":"k1","p":""})", kClaims);
  const size_t room = (kMaxTokenBytes - base.size()) / 4 * 3;
  const std::string at_limit = Token(
      R"({"alg":"RS256","kid":"k1","p":")" + std::string(room, 'a') + R"("})",
      kClaims);
  ASSERT_LE(at_limit.size(), kMaxTokenBytes);
  EXPECT_TRUE(ParseJwt(at_limit));
  ExpectRefused(at_limit + std::string(kMaxTokenBytes, 'A'), "longer than");
}

TEST(JwtTest, ErrorsNeverQuoteTheToken) {
  const std::string token =
      Token(R"({"alg":"HS256","kid":"secret-kid"})", R"({"sub":"secret-sub"})");
  auto jwt = ParseJwt(token);
  ASSERT_FALSE(jwt);
  EXPECT_THAT(jwt.error().message(), Not(HasSubstr("secret")));
  EXPECT_THAT(jwt.error().message(), Not(HasSubstr(token.substr(0, 10))));
}

}  // namespace
}  // namespace invoices::auth
