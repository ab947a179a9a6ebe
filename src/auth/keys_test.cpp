#include "invoices/auth/keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstring>
#include <memory>
#include <string>

#include "invoices/core/base64.h"

namespace invoices::auth {
namespace {

using core::ErrorCode;
using core::Json;
using ::testing::HasSubstr;

// RFC 7517 appendix A.1 / RFC 7638 section 3.1: the public key whose
// thumbprint the RFC publishes.
constexpr const char* kRfc7638N =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFF"
    "xuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt"
    "7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6q"
    "MQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHa"
    "Q-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

// RFC 7515 appendix A.2: an RS256 JWS and the key that signed it.
constexpr const char* kRfc7515N =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJ"
    "rcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo"
    "9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapH"
    "g665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_"
    "h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
constexpr const char* kRfc7515SigningInput =
    "eyJhbGciOiJSUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS"
    "9pc19yb290Ijp0cnVlfQ";
constexpr const char* kRfc7515Signature =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-"
    "0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrn"
    "byTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi1"
    "2jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs"
    "98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// One 2048-bit key for the suite: generation is the slow part.
const PrivateKey& TestKey() {
  static const PrivateKey key = *PrivateKey::Generate(2048);
  return key;
}

std::string Pem(EVP_PKEY* pkey, const EVP_CIPHER* cipher = nullptr,
                const char* pass = nullptr) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(
      bio, pkey, cipher, reinterpret_cast<const unsigned char*>(pass),
      pass ? static_cast<int>(strlen(pass)) : 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string out(data, size);
  BIO_free(bio);
  return out;
}

std::string Bytes(const EVP_PKEY* pkey, const char* param) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(pkey, param, &bn);
  std::string out(BN_num_bytes(bn), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

TEST(PublicKeyTest, JwkRoundTrip) {
  const PublicKey pub = TestKey().public_key();
  EXPECT_EQ(pub.bits(), 2048);
  const Json jwk = pub.ToJwk("k1");
  EXPECT_EQ(jwk["kty"], "RSA");
  EXPECT_EQ(jwk["alg"], "RS256");
  EXPECT_EQ(jwk["use"], "sig");
  EXPECT_EQ(jwk["kid"], "k1");
  EXPECT_EQ(jwk["e"], "AQAB");
  EXPECT_FALSE(jwk.contains("d"));
  auto back = PublicKey::FromJwk(jwk);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_TRUE(*back == pub);
}

TEST(PublicKeyTest, Rfc7638Thumbprint) {
  auto key = PublicKey::FromJwk(
      Json{{"kty", "RSA"}, {"n", kRfc7638N}, {"e", "AQAB"}, {"kid", "x"}});
  ASSERT_TRUE(key) << key.error().ToString();
  EXPECT_EQ(key->Thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(PublicKeyTest, VerifiesRfc7515Example) {
  auto key =
      PublicKey::FromJwk(Json{{"kty", "RSA"}, {"n", kRfc7515N}, {"e", "AQAB"}});
  ASSERT_TRUE(key) << key.error().ToString();
  const std::string signature = *core::Base64UrlDecode(kRfc7515Signature);
  EXPECT_TRUE(key->VerifyRs256(kRfc7515SigningInput, signature));

  std::string altered = kRfc7515SigningInput;
  altered.back() ^= 1;
  auto bad = key->VerifyRs256(altered, signature);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_FALSE(key->VerifyRs256(kRfc7515SigningInput, signature.substr(1)));
  EXPECT_FALSE(key->VerifyRs256(kRfc7515SigningInput, ""));
}

TEST(PublicKeyTest, RejectsUnusableJwks) {
  const Json good = TestKey().public_key().ToJwk("k");
  auto with = [&](const char* member, Json value) {
    Json j = good;
    j[member] = std::move(value);
    return PublicKey::FromJwk(j);
  };
  auto without = [&](const char* member) {
    Json j = good;
    j.erase(member);
    return PublicKey::FromJwk(j);
  };
  EXPECT_TRUE(PublicKey::FromJwk(good));
  EXPECT_FALSE(with("kty", "EC"));
  EXPECT_FALSE(with("use", "enc"));
  EXPECT_FALSE(with("alg", "RS384"));
  EXPECT_FALSE(with("alg", "HS256"));
  EXPECT_FALSE(with("n", "not base64!"));
  EXPECT_FALSE(with("n", 12));
  EXPECT_FALSE(with("e", "AQAA"));  // 65536: even
  EXPECT_FALSE(with("e", "AQ"));    // 1
  EXPECT_FALSE(without("kty"));
  EXPECT_FALSE(without("n"));
  EXPECT_FALSE(without("e"));
  EXPECT_FALSE(PublicKey::FromJwk(Json::array()));
  // Absent use and alg are fine (many issuers omit them).
  Json bare = good;
  bare.erase("use");
  bare.erase("alg");
  EXPECT_TRUE(PublicKey::FromJwk(bare));

  // 1024-bit keys are factorable by well-funded attackers.
  PkeyPtr small(EVP_RSA_gen(1024));
  auto weak = with(
      "n", core::Base64UrlEncode(Bytes(small.get(), OSSL_PKEY_PARAM_RSA_N)));
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(weak.error().message(), HasSubstr("1024 bits"));
}

TEST(PrivateKeyTest, PemRoundTripKeepsTheKey) {
  auto pem = TestKey().ToPem();
  ASSERT_TRUE(pem) << pem.error().ToString();
  EXPECT_THAT(*pem, HasSubstr("-----BEGIN PRIVATE KEY-----"));
  auto loaded = PrivateKey::FromPem(*pem);
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  EXPECT_TRUE(loaded->public_key() == TestKey().public_key());
  auto signature = loaded->SignRs256("data");
  ASSERT_TRUE(signature);
  EXPECT_EQ(signature->size(), 256u);
  EXPECT_TRUE(TestKey().public_key().VerifyRs256("data", *signature));
}

TEST(PrivateKeyTest, LoadsPkcs1Pem) {
  PkeyPtr pkey(EVP_RSA_gen(2048));
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey_traditional(bio, pkey.get(), nullptr, nullptr, 0,
                                       nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  const std::string pem(data, size);
  BIO_free(bio);
  ASSERT_THAT(pem, HasSubstr("BEGIN RSA PRIVATE KEY"));
  auto key = PrivateKey::FromPem(pem);
  ASSERT_TRUE(key) << key.error().ToString();
  EXPECT_EQ(key->public_key().bits(), 2048);
}

TEST(PrivateKeyTest, RefusesBadPem) {
  EXPECT_FALSE(PrivateKey::FromPem(""));
  EXPECT_FALSE(
      PrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n"
                          "-----END PRIVATE KEY-----\n"));
  // Encrypted: must fail, not prompt on the terminal.
  PkeyPtr pkey(EVP_RSA_gen(2048));
  auto encrypted =
      PrivateKey::FromPem(Pem(pkey.get(), EVP_aes_128_cbc(), "secret"));
  ASSERT_FALSE(encrypted);
  EXPECT_EQ(encrypted.error().code(), ErrorCode::kInvalidArgument);
  // Not RSA.
  PkeyPtr ec(EVP_EC_gen("P-256"));
  EXPECT_FALSE(PrivateKey::FromPem(Pem(ec.get())));
  // Too small.
  PkeyPtr small(EVP_RSA_gen(1024));
  EXPECT_FALSE(PrivateKey::FromPem(Pem(small.get())));
  EXPECT_FALSE(PrivateKey::Generate(1024));
}

// Our signatures verify with plain OpenSSL, and plain OpenSSL's with ours:
// RS256 is the standard primitive, not something only we understand.
TEST(KeysInteropTest, SignaturesMatchOpenSsl) {
  PkeyPtr pkey(EVP_RSA_gen(2048));
  auto ours = PrivateKey::FromPem(Pem(pkey.get()));
  ASSERT_TRUE(ours);
  const std::string data = "header.claims";

  auto signature = ours->SignRs256(data);
  ASSERT_TRUE(signature);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pkey.get()), 1);
  EXPECT_EQ(
      EVP_DigestVerify(
          ctx, reinterpret_cast<const unsigned char*>(signature->data()),
          signature->size(),
          reinterpret_cast<const unsigned char*>(data.data()), data.size()),
      1);
  EVP_MD_CTX_free(ctx);

  ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, pkey.get()),
            1);
  size_t size = 0;
  EVP_DigestSign(ctx, nullptr, &size, nullptr, 0);
  std::string theirs(size, '\0');
  ASSERT_EQ(
      EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(theirs.data()),
                     &size, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()),
      1);
  EVP_MD_CTX_free(ctx);
  auto pub =
      PublicKey::FromRsaComponents(Bytes(pkey.get(), OSSL_PKEY_PARAM_RSA_N),
                                   Bytes(pkey.get(), OSSL_PKEY_PARAM_RSA_E));
  ASSERT_TRUE(pub);
  EXPECT_TRUE(pub->VerifyRs256(data, theirs));
  EXPECT_TRUE(*pub == ours->public_key());
}

TEST(ParseJwksTest, KeepsUsableKeysOnly) {
  const PublicKey pub = TestKey().public_key();
  Json no_kid = pub.ToJwk("x");
  no_kid.erase("kid");
  Json broken = pub.ToJwk("broken");
  broken["n"] = "AQAB";
  const Json jwks = {
      {"keys",
       {
           pub.ToJwk("a"),
           {{"kty", "EC"}, {"kid", "ec"}, {"crv", "P-256"}, {"x", "AA"}},
           no_kid,
           broken,
           pub.ToJwk("b"),
           pub.ToJwk("a"),  // duplicate: the first wins
           "not an object",
       }}};
  auto keys = ParseJwks(jwks);
  ASSERT_TRUE(keys) << keys.error().ToString();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_TRUE(keys->contains("a"));
  EXPECT_TRUE(keys->contains("b"));

  EXPECT_FALSE(ParseJwks(Json::array()));
  EXPECT_FALSE(ParseJwks(Json{{"keys", "a"}}));
  EXPECT_FALSE(ParseJwks(Json{{"other", Json::array()}}));
  auto empty = ParseJwks(Json{{"keys", Json::array()}});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace invoices::auth
