#include "invoices/auth/keys.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <climits>
#include <utility>

#include "invoices/core/base64.h"

namespace invoices::auth {
namespace {

using core::InvalidArgument;
using core::Result;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// OpenSSL queues errors per thread; a failed operation must not leave them
// for unrelated code (libcurl's TLS reads the same queue).
std::unexpected<core::Error> OpenSslError(core::ErrorCode code,
                                          std::string what) {
  const unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    what += ": ";
    what += buf;
  }
  ERR_clear_error();
  return core::MakeError(code, std::move(what));
}

std::string_view StripLeadingZeros(std::string_view bytes) {
  while (!bytes.empty() && bytes.front() == '\0') bytes.remove_prefix(1);
  return bytes;
}

std::string BnBytes(const BIGNUM* bn) {
  std::string out(BN_num_bytes(bn), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

BnPtr BnFromBytes(std::string_view bytes) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                         static_cast<int>(bytes.size()), nullptr));
}

// Reads n and e out of an RSA EVP_PKEY (public or private).
Result<std::pair<std::string, std::string>> RsaComponents(
    const EVP_PKEY* pkey) {
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
      EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
    BN_free(n);
    BN_free(e);
    return OpenSslError(core::ErrorCode::kInternal,
                        "cannot read the RSA key's components");
  }
  BnPtr n_owner(n), e_owner(e);
  return std::pair(BnBytes(n), BnBytes(e));
}

int NoPassphrase(char*, int, int, void*) { return -1; }

}  // namespace

struct PublicKey::Impl {
  PkeyPtr pkey;
  std::string n;  // big-endian, no leading zeros
  std::string e;
  int bits = 0;
  size_t signature_size = 0;
};

PublicKey::PublicKey(std::shared_ptr<const Impl> impl)
    : impl_(std::move(impl)) {}

Result<PublicKey> PublicKey::FromRsaComponents(std::string_view n,
                                               std::string_view e) {
  n = StripLeadingZeros(n);
  e = StripLeadingZeros(e);
  BnPtr bn_n = BnFromBytes(n);
  BnPtr bn_e = BnFromBytes(e);
  if (!bn_n || !bn_e) {
    return OpenSslError(core::ErrorCode::kInternal, "out of memory");
  }
  const int bits = BN_num_bits(bn_n.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return InvalidArgument("RSA modulus of " + std::to_string(bits) +
                           " bits; accepted: " + std::to_string(kMinRsaBits) +
                           ".." + std::to_string(kMaxRsaBits));
  }
  if (!BN_is_odd(bn_e.get()) || BN_num_bits(bn_e.get()) < 2 ||
      BN_num_bits(bn_e.get()) > 33) {
    return InvalidArgument("RSA public exponent must be odd and in 3..2^32");
  }
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) !=
          1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) !=
          1) {
    return OpenSslError(core::ErrorCode::kInternal, "cannot build RSA key");
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(
      OSSL_PARAM_BLD_to_param(bld.get()));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) !=
          1) {
    return OpenSslError(core::ErrorCode::kInvalidArgument,
                        "not a usable RSA public key");
  }
  auto impl = std::make_shared<Impl>();
  impl->pkey.reset(raw);
  impl->n = std::string(n);
  impl->e = std::string(e);
  impl->bits = bits;
  impl->signature_size = static_cast<size_t>(EVP_PKEY_get_size(raw));
  return PublicKey(std::move(impl));
}

Result<PublicKey> PublicKey::FromJwk(const core::Json& jwk) {
  if (!jwk.is_object()) return InvalidArgument("JWK is not a JSON object");
  const auto member = [&](const char* name) -> const core::Json* {
    const auto it = jwk.find(name);
    return it == jwk.end() ? nullptr : &*it;
  };
  const core::Json* kty = member("kty");
  if (!kty || *kty != "RSA") return InvalidArgument("JWK kty is not RSA");
  if (const core::Json* use = member("use"); use && *use != "sig") {
    return InvalidArgument("JWK use is not sig");
  }
  if (const core::Json* alg = member("alg"); alg && *alg != "RS256") {
    return InvalidArgument("JWK alg is not RS256");
  }
  const core::Json* n = member("n");
  const core::Json* e = member("e");
  if (!n || !n->is_string() || !e || !e->is_string()) {
    return InvalidArgument("JWK lacks string n and e");
  }
  auto n_bytes = core::Base64UrlDecode(n->get_ref<const std::string&>());
  auto e_bytes = core::Base64UrlDecode(e->get_ref<const std::string&>());
  if (!n_bytes || !e_bytes) {
    return InvalidArgument("JWK n or e is not base64url");
  }
  return FromRsaComponents(*n_bytes, *e_bytes);
}

core::Json PublicKey::ToJwk(std::string_view kid) const {
  return core::Json{{"kty", "RSA"},
                    {"alg", "RS256"},
                    {"use", "sig"},
                    {"kid", std::string(kid)},
                    {"n", core::Base64UrlEncode(impl_->n)},
                    {"e", core::Base64UrlEncode(impl_->e)}};
}

std::string PublicKey::Thumbprint() const {
  // RFC 7638: the required members in lexicographic order, no whitespace.
  const std::string canonical = R"({"e":")" + core::Base64UrlEncode(impl_->e) +
                                R"(","kty":"RSA","n":")" +
                                core::Base64UrlEncode(impl_->n) + R"("})";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(canonical.data(), canonical.size(), digest, &size,
                 EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  return core::Base64UrlEncode(
      std::string_view(reinterpret_cast<const char*>(digest), size));
}

int PublicKey::bits() const { return impl_->bits; }

core::Status PublicKey::VerifyRs256(std::string_view data,
                                    std::string_view signature) const {
  // PKCS#1 v1.5 signatures are exactly the modulus' length; checking first
  // spares OpenSSL work on junk.
  if (signature.size() != impl_->signature_size) {
    return core::MakeError(core::ErrorCode::kUnauthenticated,
                           "signature has the wrong length");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  // The default RSA padding is PKCS#1 v1.5, which is what RS256 is.
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                                   impl_->pkey.get()) != 1) {
    return OpenSslError(core::ErrorCode::kInternal,
                        "cannot start signature verification");
  }
  const int ok = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
      signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
      data.size());
  if (ok != 1) {
    ERR_clear_error();
    return core::MakeError(core::ErrorCode::kUnauthenticated,
                           "signature does not match");
  }
  return {};
}

bool operator==(const PublicKey& a, const PublicKey& b) {
  return a.impl_->n == b.impl_->n && a.impl_->e == b.impl_->e;
}

struct PrivateKey::Impl {
  PkeyPtr pkey;
};

PrivateKey::PrivateKey(std::shared_ptr<const Impl> impl, PublicKey public_key)
    : impl_(std::move(impl)), public_key_(std::move(public_key)) {}

Result<PrivateKey> PrivateKey::Adopt(std::shared_ptr<const Impl> impl) {
  INVOICES_ASSIGN_OR_RETURN(auto components, RsaComponents(impl->pkey.get()));
  INVOICES_ASSIGN_OR_RETURN(
      PublicKey pub,
      PublicKey::FromRsaComponents(components.first, components.second));
  return PrivateKey(std::move(impl), std::move(pub));
}

Result<PrivateKey> PrivateKey::Generate(int bits) {
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return InvalidArgument("RSA key size out of range");
  }
  PkeyPtr pkey(EVP_RSA_gen(static_cast<unsigned int>(bits)));
  if (!pkey) {
    return OpenSslError(core::ErrorCode::kInternal,
                        "RSA key generation failed");
  }
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  return Adopt(std::move(impl));
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  if (pem.size() > INT_MAX) return InvalidArgument("PEM too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError(core::ErrorCode::kInternal, "out of memory");
  PkeyPtr pkey(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr));
  if (!pkey) {
    return OpenSslError(core::ErrorCode::kInvalidArgument,
                        "not an unencrypted PEM private key");
  }
  if (!EVP_PKEY_is_a(pkey.get(), "RSA")) {
    return InvalidArgument("the PEM private key is not an RSA key");
  }
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  return Adopt(std::move(impl));
}

Result<std::string> PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr,
                                       nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError(core::ErrorCode::kInternal,
                        "cannot write the private key as PEM");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

Result<std::string> PrivateKey::SignRs256(std::string_view data) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t size = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                         impl_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size,
                     reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return OpenSslError(core::ErrorCode::kInternal, "RS256 signing failed");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(),
                     reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return OpenSslError(core::ErrorCode::kInternal, "RS256 signing failed");
  }
  signature.resize(size);
  return signature;
}

Result<KeyMap> ParseJwks(const core::Json& jwks) {
  if (!jwks.is_object()) return InvalidArgument("JWKS is not a JSON object");
  const auto keys = jwks.find("keys");
  if (keys == jwks.end() || !keys->is_array()) {
    return InvalidArgument("JWKS has no keys array");
  }
  KeyMap out;
  for (const core::Json& jwk : *keys) {
    if (!jwk.is_object()) continue;
    const auto kid = jwk.find("kid");
    if (kid == jwk.end() || !kid->is_string()) continue;
    const std::string& name = kid->get_ref<const std::string&>();
    if (name.empty() || out.contains(name)) continue;
    auto key = PublicKey::FromJwk(jwk);
    if (!key) continue;
    out.emplace(name, std::move(*key));
  }
  return out;
}

}  // namespace invoices::auth
