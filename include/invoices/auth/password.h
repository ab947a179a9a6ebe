// Passwords of the built-in user pool: Argon2id hashing (RFC 9106) into PHC
// strings, constant-time verification, and the pool's password policy with
// Cognito's InvalidPasswordException wording.
//
// A hash is the PHC string libargon2 encodes:
//   $argon2id$v=19$m=19456,t=2,p=1$<base64 salt>$<base64 hash>
// so the parameters travel with each hash: raising them later keeps old hashes
// verifiable, and NeedsRehash tells the caller to re-hash on the next
// successful sign-in.
//
// Thread safety: PasswordHasher is safe to call from any number of threads at
// once; at most `max_concurrent` hashes run at a time (each one holds
// memory_kib of memory for its duration), the other callers wait their turn.
// CheckPassword is a pure function.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "invoices/core/error.h"

namespace invoices::auth {

// Argon2id cost parameters. The defaults are OWASP's recommended minimum for
// Argon2id (19 MiB, 2 passes, 1 lane), tens of milliseconds per hash; tests
// use the cheapest parameters (memory_kib = 8, iterations = 1).
struct Argon2Params {
  uint32_t memory_kib = 19 * 1024;  // m: at least 8 * parallelism
  uint32_t iterations = 2;          // t: at least 1
  uint32_t parallelism = 1;         // p: lanes, 1..16
  uint32_t salt_bytes = 16;         // random per password, 8..64
  uint32_t hash_bytes = 32;         // 16..64
};

// OK when every parameter is in the range above and memory_kib is at most
// 4 GiB; invalid_argument naming the first offender otherwise.
core::Status ValidateArgon2Params(const Argon2Params& params);

// Longest password Hash and Verify accept, in bytes; longer is
// invalid_argument (the policy's limit is lower still).
inline constexpr size_t kMaxPasswordBytes = 4096;

class PasswordHasher {
 public:
  // `params` must pass ValidateArgon2Params (checked by Create).
  // `max_concurrent`: hashes computed at once; 0 means the number of
  // hardware threads.
  static core::Result<std::unique_ptr<PasswordHasher>> Create(
      const Argon2Params& params, unsigned max_concurrent = 0);
  ~PasswordHasher();
  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  // The PHC string of `password` with a fresh random salt (OpenSSL
  // RAND_bytes), so hashing one password twice gives two different strings.
  // invalid_argument for a password longer than kMaxPasswordBytes; internal
  // when randomness or libargon2 fails.
  core::Result<std::string> Hash(std::string_view password) const;

  // Whether `password` matches `encoded` (a PHC argon2id string as Hash
  // makes, with any parameters ValidateArgon2Params accepts). The hash
  // comparison takes the same time wherever the first difference is.
  // invalid_argument when `encoded` is not such a string or the password is
  // too long; internal when libargon2 fails.
  core::Result<bool> Verify(std::string_view password,
                            std::string_view encoded) const;

  // True when `encoded` was made with other parameters than this hasher's
  // (or cannot be parsed): the caller should store a fresh Hash after the
  // next successful Verify.
  bool NeedsRehash(std::string_view encoded) const;

  const Argon2Params& params() const { return params_; }

 private:
  class Gate;
  PasswordHasher(const Argon2Params& params, unsigned max_concurrent);

  Argon2Params params_;
  std::unique_ptr<Gate> gate_;
};

// What a password must look like. The defaults are those of a new Cognito
// user pool, so a client written against Cognito meets the same rules.
struct PasswordPolicy {
  int min_length = 8;             // in characters (UTF-8 code points), 6..99
  bool require_uppercase = true;  // A-Z
  bool require_lowercase = true;  // a-z
  bool require_digit = true;      // 0-9
  // One of Cognito's special characters: ^ $ * . [ ] { } ( ) ? " ! @ # % &
  // / \ , > < ' : ; | _ ~ ` = + - or a space that is neither leading nor
  // trailing.
  bool require_symbol = true;
};

// Longest password the pool accepts, in characters (Cognito's limit).
inline constexpr int kMaxPasswordLength = 256;

// OK when `password` satisfies `policy`: at least min_length and at most
// kMaxPasswordLength characters, no leading or trailing whitespace, and the
// required character classes. invalid_argument otherwise, with Cognito's
// InvalidPasswordException message for the first rule broken, e.g.
// "Password did not conform with policy: Password not long enough" or
// "Password did not conform with policy: Password must have uppercase
// characters".
core::Status CheckPassword(const PasswordPolicy& policy,
                           std::string_view password);

// invalid_argument when min_length is outside 6..99 (Cognito's range).
core::Status ValidatePasswordPolicy(const PasswordPolicy& policy);

}  // namespace invoices::auth
