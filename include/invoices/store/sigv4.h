// AWS Signature Version 4 (AWS4-HMAC-SHA256), written from the specification
// on OpenSSL's SHA-256 and HMAC: the canonical request, the string to sign,
// the signing key, and either the headers of a signed request (Authorization,
// X-Amz-Date, ...) or the query parameters of a presigned URL. Proven against
// the AWS signing test suite (../shared/testdata/aws-sigv4), byte for byte.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "invoices/core/error.h"

namespace invoices::store {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" for long-term keys
};

// What S3 accepts instead of a payload hash (presigned URLs, streaming).
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// The request to sign, as it will be sent.
struct SigningRequest {
  std::string method;  // "GET", "PUT", ...
  // The path as on the request line, without the query ("/bucket/a%20b").
  std::string path;
  // The query as on the request line, without '?' ("b=2&a=%E1%88%B4"). Each
  // name and value is percent-decoded and re-encoded the SigV4 way, so raw
  // and already-encoded text both sign correctly.
  std::string query;
  // As sent, in order; a name may repeat (values are joined with ','), a
  // value may be folded over lines. Must include Host. Must not include
  // X-Amz-Date, X-Amz-Security-Token or Authorization, which the signer adds.
  std::vector<std::pair<std::string, std::string>> headers;
  // Hashed unless SigningConfig::payload_hash is given. Not owned.
  std::string_view body;
};

struct SigningConfig {
  Credentials credentials;
  std::string region;   // "us-east-1"
  std::string service;  // "s3"
  std::chrono::system_clock::time_point time;
  // Remove "." and ".." segments and repeated '/' from the path before
  // signing. Every service but S3 (false: S3 keys are signed as they are).
  bool normalize_path = true;
  // URI-encode the path before signing. Every service but S3 signs the path
  // encoded once more; S3 (false) signs the already-encoded path as it is.
  bool encode_path = true;
  // Add and sign x-amz-content-sha256 with the payload hash (S3 wants it).
  bool add_content_sha256_header = false;
  // Add the session token after signing, unsigned (a few services want it).
  bool omit_session_token = false;
  // The hex SHA-256 of the body, kUnsignedPayload, or "" to hash `body`.
  std::string payload_hash;
  // How long a presigned URL is valid (X-Amz-Expires); query signing only.
  std::chrono::seconds expires{3600};
};

struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lowercase hex
  // Header signing: the headers to add to the request, in this order:
  // X-Amz-Security-Token (with a session token), X-Amz-Date,
  // x-amz-content-sha256 (when asked for), Authorization.
  // Query signing: none.
  std::vector<std::pair<std::string, std::string>> headers;
  // Query signing: the parameters to append to the query, in this order,
  // names and values already URI-encoded: X-Amz-Algorithm, X-Amz-Credential,
  // X-Amz-Date, X-Amz-SignedHeaders, X-Amz-Expires, X-Amz-Security-Token
  // (with a session token), X-Amz-Signature. Header signing: none.
  std::vector<std::pair<std::string, std::string>> query;
};

// Signs with the Authorization header.
// Errors: kInvalidArgument when Host is missing, a header the signer adds is
// already there, the credentials, region or service are empty, or the query
// has a malformed percent-escape.
[[nodiscard]] core::Result<SigningResult> SignWithHeaders(
    const SigningRequest& request, const SigningConfig& config);

// Signs with query parameters (a presigned URL), valid for config.expires
// (1 s .. 7 days). Errors: those of SignWithHeaders, and an expiry out of
// range.
[[nodiscard]] core::Result<SigningResult> PresignWithQuery(
    const SigningRequest& request, const SigningConfig& config);

// --- Building blocks, exposed for tests and for S3 URL building. ---

// RFC 3986 percent-encoding of every byte but A-Z a-z 0-9 - _ . ~ (and '/'
// when `keep_slash`), with uppercase hex, as SigV4 requires.
std::string UriEncode(std::string_view text, bool keep_slash);
// "%41b" -> "Ab"; kInvalidArgument for a truncated or non-hex escape.
[[nodiscard]] core::Result<std::string> UriDecode(std::string_view text);
// "20150830T123600Z"
std::string FormatAmzDate(std::chrono::system_clock::time_point time);
// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
// "aws4_request"), raw bytes; `date` is "20150830".
std::string DeriveSigningKey(std::string_view secret_access_key,
                             std::string_view date, std::string_view region,
                             std::string_view service);

}  // namespace invoices::store
