#include "invoices/auth/password.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "invoices/core/base64.h"

namespace invoices::auth {
namespace {

using core::Result;

constexpr uint32_t kMaxMemoryKib = 4u * 1024 * 1024;  // 4 GiB

// The parts of a PHC argon2id string.
struct Encoded {
  uint32_t memory_kib = 0;
  uint32_t iterations = 0;
  uint32_t parallelism = 0;
  std::string salt;
  std::string hash;
};

std::optional<uint32_t> ParseUint(std::string_view text) {
  uint32_t value = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  return value;
}

// PHC strings use standard base64 without padding.
std::optional<std::string> DecodeUnpadded(std::string_view text) {
  if (text.empty() || text.find('=') != std::string_view::npos) {
    return std::nullopt;
  }
  std::string padded(text);
  while (padded.size() % 4 != 0) padded.push_back('=');
  auto bytes = core::Base64Decode(padded);
  if (!bytes) return std::nullopt;
  return std::move(*bytes);
}

// "$argon2id$v=19$m=M,t=T,p=P$SALT$HASH", nothing else (no keyid or data).
std::optional<Encoded> ParseEncoded(std::string_view text) {
  std::vector<std::string_view> parts;
  if (!text.starts_with('$')) return std::nullopt;
  text.remove_prefix(1);
  while (true) {
    const size_t dollar = text.find('$');
    parts.push_back(text.substr(0, dollar));
    if (dollar == std::string_view::npos) break;
    text.remove_prefix(dollar + 1);
  }
  if (parts.size() != 5 || parts[0] != "argon2id" || parts[1] != "v=19") {
    return std::nullopt;
  }
  Encoded out;
  std::string_view params = parts[2];
  const struct {
    std::string_view name;
    uint32_t* value;
  } fields[] = {{"m=", &out.memory_kib},
                {"t=", &out.iterations},
                {"p=", &out.parallelism}};
  for (size_t i = 0; i < 3; ++i) {
    if (!params.starts_with(fields[i].name)) return std::nullopt;
    params.remove_prefix(2);
    const size_t comma = params.find(',');
    if ((comma == std::string_view::npos) != (i == 2)) return std::nullopt;
    const auto value = ParseUint(params.substr(0, comma));
    if (!value) return std::nullopt;
    *fields[i].value = *value;
    if (i < 2) params.remove_prefix(comma + 1);
  }
  auto salt = DecodeUnpadded(parts[3]);
  auto hash = DecodeUnpadded(parts[4]);
  if (!salt || !hash) return std::nullopt;
  out.salt = std::move(*salt);
  out.hash = std::move(*hash);
  return out;
}

bool IsSymbol(char c) {
  static constexpr std::string_view kSymbols =
      "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";
  return kSymbols.find(c) != std::string_view::npos;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

}  // namespace

// A counting semaphore: bounds the memory that hashing holds at once.
class PasswordHasher::Gate {
 public:
  explicit Gate(unsigned slots) : free_(slots) {}

  // Holds one slot for its lifetime.
  class Hold {
   public:
    explicit Hold(Gate& gate) : gate_(gate) { gate_.Acquire(); }
    ~Hold() { gate_.Release(); }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    Gate& gate_;
  };

  void Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return free_ > 0; });
    --free_;
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      ++free_;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  unsigned free_;
};

core::Status ValidateArgon2Params(const Argon2Params& p) {
  if (p.parallelism < 1 || p.parallelism > 16) {
    return core::InvalidArgument("argon2 parallelism must be 1..16");
  }
  if (p.memory_kib < 8 * p.parallelism || p.memory_kib > kMaxMemoryKib) {
    return core::InvalidArgument(
        "argon2 memory must be 8 * parallelism KiB .. 4 GiB");
  }
  if (p.iterations < 1 || p.iterations > 1000) {
    return core::InvalidArgument("argon2 iterations must be 1..1000");
  }
  if (p.salt_bytes < 8 || p.salt_bytes > 64) {
    return core::InvalidArgument("argon2 salt must be 8..64 bytes");
  }
  if (p.hash_bytes < 16 || p.hash_bytes > 64) {
    return core::InvalidArgument("argon2 hash must be 16..64 bytes");
  }
  return {};
}

Result<std::unique_ptr<PasswordHasher>> PasswordHasher::Create(
    const Argon2Params& params, unsigned max_concurrent) {
  INVOICES_RETURN_IF_ERROR(ValidateArgon2Params(params));
  if (max_concurrent == 0) {
    max_concurrent = std::max(1u, std::thread::hardware_concurrency());
  }
  return std::unique_ptr<PasswordHasher>(
      new PasswordHasher(params, max_concurrent));
}

PasswordHasher::PasswordHasher(const Argon2Params& params,
                               unsigned max_concurrent)
    : params_(params), gate_(std::make_unique<Gate>(max_concurrent)) {}

PasswordHasher::~PasswordHasher() = default;

Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  if (password.size() > kMaxPasswordBytes) {
    return core::InvalidArgument("password is too long");
  }
  std::string salt(params_.salt_bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()),
                 static_cast<int>(salt.size())) != 1) {
    return core::Internal("no randomness for a password salt");
  }
  const size_t length = argon2_encodedlen(
      params_.iterations, params_.memory_kib, params_.parallelism,
      params_.salt_bytes, params_.hash_bytes, Argon2_id);
  std::string encoded(length, '\0');
  int rc;
  {
    Gate::Hold hold(*gate_);
    rc = argon2id_hash_encoded(
        params_.iterations, params_.memory_kib, params_.parallelism,
        password.data(), password.size(), salt.data(), salt.size(),
        params_.hash_bytes, encoded.data(), encoded.size());
  }
  OPENSSL_cleanse(salt.data(), salt.size());
  if (rc != ARGON2_OK) {
    return core::Internal(std::string("argon2 hashing failed: ") +
                          argon2_error_message(rc));
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

Result<bool> PasswordHasher::Verify(std::string_view password,
                                    std::string_view encoded) const {
  if (password.size() > kMaxPasswordBytes) {
    return core::InvalidArgument("password is too long");
  }
  const std::optional<Encoded> parsed = ParseEncoded(encoded);
  if (!parsed) return core::InvalidArgument("not an argon2id PHC string");
  // Bound what a stored hash can make us spend before spending it.
  const Argon2Params stored{parsed->memory_kib, parsed->iterations,
                            parsed->parallelism,
                            static_cast<uint32_t>(parsed->salt.size()),
                            static_cast<uint32_t>(parsed->hash.size())};
  if (auto valid = ValidateArgon2Params(stored); !valid) {
    return core::InvalidArgument("argon2id PHC string out of range: " +
                                 valid.error().message());
  }
  std::string computed(parsed->hash.size(), '\0');
  int rc;
  {
    Gate::Hold hold(*gate_);
    rc = argon2id_hash_raw(stored.iterations, stored.memory_kib,
                           stored.parallelism, password.data(), password.size(),
                           parsed->salt.data(), parsed->salt.size(),
                           computed.data(), computed.size());
  }
  if (rc != ARGON2_OK) {
    return core::Internal(std::string("argon2 hashing failed: ") +
                          argon2_error_message(rc));
  }
  const bool same =
      CRYPTO_memcmp(computed.data(), parsed->hash.data(), computed.size()) == 0;
  OPENSSL_cleanse(computed.data(), computed.size());
  return same;
}

bool PasswordHasher::NeedsRehash(std::string_view encoded) const {
  const std::optional<Encoded> parsed = ParseEncoded(encoded);
  return !parsed || parsed->memory_kib != params_.memory_kib ||
         parsed->iterations != params_.iterations ||
         parsed->parallelism != params_.parallelism ||
         parsed->salt.size() != params_.salt_bytes ||
         parsed->hash.size() != params_.hash_bytes;
}

core::Status ValidatePasswordPolicy(const PasswordPolicy& policy) {
  if (policy.min_length < 6 || policy.min_length > 99) {
    return core::InvalidArgument("password minimum length must be 6..99");
  }
  return {};
}

core::Status CheckPassword(const PasswordPolicy& policy,
                           std::string_view password) {
  const auto refuse = [](std::string_view why) {
    return core::InvalidArgument("Password did not conform with policy: " +
                                 std::string(why));
  };
  int characters = 0;
  for (const char c : password) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++characters;
  }
  if (characters < policy.min_length) {
    return refuse("Password not long enough");
  }
  if (characters > kMaxPasswordLength) return refuse("Password is too long");
  if (IsSpace(password.front()) || IsSpace(password.back())) {
    return refuse("Password must not begin or end with a space");
  }
  bool upper = false, lower = false, digit = false, symbol = false;
  for (const char c : password) {
    upper |= c >= 'A' && c <= 'Z';
    lower |= c >= 'a' && c <= 'z';
    digit |= c >= '0' && c <= '9';
    symbol |= IsSymbol(c) || c == ' ';  // inner spaces: ends were refused
  }
  if (policy.require_uppercase && !upper) {
    return refuse("Password must have uppercase characters");
  }
  if (policy.require_lowercase && !lower) {
    return refuse("Password must have lowercase characters");
  }
  if (policy.require_digit && !digit) {
    return refuse("Password must have numeric characters");
  }
  if (policy.require_symbol && !symbol) {
    return refuse("Password must have symbol characters");
  }
  return {};
}

}  // namespace invoices::auth
