// RSA keys for RS256 tokens, and where a verifier finds them.
//
// PublicKey and PrivateKey are immutable handles (copies share one OpenSSL
// key); they convert to and from JWK (RFC 7517/7518) and PEM, and perform the
// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) primitive. KeySource answers "which
// public key has this kid": a static JWKS, or a JWKS fetched from a URL,
// cached, and refreshed when a token names an unknown kid (rate-bounded).
//
// Thread safety: PublicKey and PrivateKey are safe to use from several threads
// at once (every operation is const). Every KeySource made here is safe to
// call concurrently. HttpFetch functions made here are safe to call
// concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "invoices/auth/clock.h"
#include "invoices/core/error.h"
#include "invoices/core/extraction.h"  // core::Json

namespace invoices::auth {

// Accepted RSA modulus sizes. Smaller keys are forgeable; larger ones only
// make verification slower (a denial-of-service lever for a hostile JWKS).
inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;

class PublicKey {
 public:
  // From a JWK object: "kty" must be "RSA"; "n" and "e" base64url (unsigned
  // big-endian); "use", when present, must be "sig"; "alg", when present,
  // must be "RS256"; the modulus must have kMinRsaBits..kMaxRsaBits bits and
  // the exponent must be odd, at least 3 and at most 2^32. Private members
  // ("d", ...) are ignored. invalid_argument, naming the problem, otherwise.
  static core::Result<PublicKey> FromJwk(const core::Json& jwk);
  // From the modulus and public exponent as unsigned big-endian bytes, with
  // the same limits as FromJwk.
  static core::Result<PublicKey> FromRsaComponents(std::string_view n,
                                                   std::string_view e);

  // {"kty":"RSA","alg":"RS256","use":"sig","kid":kid,"n":...,"e":...}: one
  // entry of the "keys" array of a JWKS document.
  core::Json ToJwk(std::string_view kid) const;
  // The RFC 7638 JWK thumbprint (SHA-256, base64url): a stable key id.
  std::string Thumbprint() const;
  // Modulus size in bits.
  int bits() const;

  // OK when `signature` is a valid RS256 signature of `data` by the private
  // half of this key; unauthenticated ("signature does not match")
  // otherwise (including a signature of the wrong length). Never throws.
  core::Status VerifyRs256(std::string_view data,
                           std::string_view signature) const;

  // Same modulus and exponent.
  friend bool operator==(const PublicKey& a, const PublicKey& b);

 private:
  friend class PrivateKey;
  struct Impl;
  explicit PublicKey(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

// The signing key of the built-in user pool.
class PrivateKey {
 public:
  // A fresh RSA key of `bits` bits (kMinRsaBits..kMaxRsaBits) with exponent
  // 65537. Takes tens to hundreds of milliseconds. internal on failure.
  static core::Result<PrivateKey> Generate(int bits = 2048);
  // From an unencrypted PEM RSA private key, PKCS#8 ("BEGIN PRIVATE KEY") or
  // PKCS#1 ("BEGIN RSA PRIVATE KEY"). Never prompts for a passphrase: an
  // encrypted key is invalid_argument, as is a non-RSA or too small key.
  static core::Result<PrivateKey> FromPem(std::string_view pem);

  // The key as unencrypted PKCS#8 PEM, for FromPem. The text is secret: the
  // caller stores it where only the service can read it.
  core::Result<std::string> ToPem() const;
  PublicKey public_key() const { return public_key_; }

  // The RS256 signature of `data` (bits()/8 bytes). internal on failure.
  core::Result<std::string> SignRs256(std::string_view data) const;

 private:
  struct Impl;
  PrivateKey(std::shared_ptr<const Impl> impl, PublicKey public_key);
  // Derives the public half (n and e only, no private material).
  static core::Result<PrivateKey> Adopt(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
  PublicKey public_key_;
};

// The usable keys of a JWKS document ({"keys": [...]}) by kid: RSA keys with
// a string "kid" that FromJwk accepts. Entries that are not (EC keys,
// encryption keys, other algorithms, malformed or keyless entries) are
// skipped, so one odd key does not disable the rest; when two entries share a
// kid the first wins. invalid_argument when the document is not an object
// with a "keys" array.
using KeyMap = std::map<std::string, PublicKey, std::less<>>;
core::Result<KeyMap> ParseJwks(const core::Json& jwks);

// Where a verifier finds the public key a token's header names.
class KeySource {
 public:
  virtual ~KeySource() = default;

  // The key whose kid is `kid`. not_found when the source has no such key
  // (a source that fetches its keys has refreshed them first, unless its
  // rate bound forbade it); unavailable when the keys could not be obtained
  // (network, HTTP status, malformed JWKS) and none are cached under `kid`.
  // May block on the network. Safe to call from several threads at once.
  virtual core::Result<PublicKey> Find(std::string_view kid) = 0;
};

// A fixed set of keys: from a JWKS document (see ParseJwks), or from keys
// directly (the built-in pool, tests).
core::Result<std::unique_ptr<KeySource>> NewStaticKeySource(
    const core::Json& jwks);
std::unique_ptr<KeySource> NewStaticKeySource(KeyMap keys);

// GETs `url` and returns the body of a 200 answer. unavailable for a
// transport error, a timeout or any other status; too_large when the body
// exceeds the fetcher's limit; invalid_argument for a URL that is not http(s).
using HttpFetch =
    std::function<core::Result<std::string>(const std::string& url)>;

struct CurlFetchOptions {
  int64_t connect_timeout_ms = 3000;
  int64_t timeout_ms = 5000;            // the whole transfer
  size_t max_body_bytes = 1024 * 1024;  // JWKS documents are a few KB
};
// The real HttpFetch, over libcurl: http and https only, no redirects, TLS
// peer and host verified, no signals (safe in threads).
HttpFetch NewCurlFetch(const CurlFetchOptions& options = {});

struct JwksUrlOptions {
  std::string
      url;  // e.g.
            // https://cognito-idp.REGION.amazonaws.com/POOL/.well-known/jwks.json
  // A fetch, successful or not, happens at most once per this many seconds;
  // a token with an unknown kid inside the window gets not_found without
  // touching the network. Bounds what forged kids can make the service do.
  int64_t min_refresh_interval_seconds = 30;
  // Cached keys older than this are refreshed on the next Find (within the
  // rate bound), so a key the issuer withdrew stops verifying. While the
  // refresh fails the cached keys keep serving. 0: never expire.
  int64_t max_age_seconds = 3600;
};
// Keys fetched from a JWKS URL on first use, then cached. An unknown kid
// triggers one refresh (rate-bounded, one fetch in flight: concurrent callers
// with unknown kids wait for it; callers with cached kids never wait). A
// failed refresh keeps the previous keys.
std::unique_ptr<KeySource> NewJwksUrlKeySource(JwksUrlOptions options,
                                               HttpFetch fetch, Clock clock);

}  // namespace invoices::auth
