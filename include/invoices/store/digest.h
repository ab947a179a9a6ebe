// Message digests the store needs (MD5 for ETags, SHA-256 and HMAC-SHA-256
// for Signature V4), over OpenSSL's EVP interface, plus lowercase hex.
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace invoices::store {

// The raw 16-byte MD5 digest of `bytes`.
std::string Md5(std::string_view bytes);
// The raw 32-byte SHA-256 digest of `bytes`.
std::string Sha256(std::string_view bytes);
// The raw 32-byte HMAC-SHA-256 of `message` under `key`.
std::string HmacSha256(std::string_view key, std::string_view message);
// Lowercase hex of raw bytes: "\x01\xab" -> "01ab".
std::string HexEncode(std::string_view bytes);

// Incremental MD5, for content written in pieces.
class Md5Hasher {
 public:
  Md5Hasher();
  ~Md5Hasher();
  Md5Hasher(const Md5Hasher&) = delete;
  Md5Hasher& operator=(const Md5Hasher&) = delete;

  void Update(std::string_view bytes);
  // The raw digest; the hasher must not be updated afterwards.
  std::string Finish();

 private:
  void* ctx_;  // EVP_MD_CTX, kept out of this header
};

}  // namespace invoices::store
