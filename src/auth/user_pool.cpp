#include "invoices/auth/user_pool.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

#include "invoices/auth/jwt.h"
#include "invoices/core/base64.h"
#include "invoices/core/strings.h"
#include "invoices/store/digest.h"

namespace invoices::auth {
namespace {

using core::ErrorCode;
using core::Json;
using core::Result;

constexpr std::string_view kPoolKey = "auth/pool.json";
constexpr std::string_view kSigningKeyKey = "auth/signing-key.pem";
constexpr std::string_view kUsersPrefix = "auth/users/";
constexpr std::string_view kScope = "aws.cognito.signin.user.admin";
constexpr size_t kMaxUsernameBytes = 128;
constexpr size_t kRefreshSecretBytes = 32;
// Writers racing on one user (sign-ins of one account from many devices)
// retry their If-Match put this many times before giving up.
constexpr int kMaxUpdateAttempts = 16;

constexpr std::string_view kIncorrect = "Incorrect username or password.";
constexpr std::string_view kNoCodes =
    "This user pool sends no mail, so it has no verification codes: an "
    "administrator confirms users and resets passwords";

std::unexpected<PoolError> Fail(PoolErrorCode code, std::string_view message) {
  return std::unexpected(PoolError{code, std::string(message)});
}

std::unexpected<PoolError> StoreFailed(const core::Error& error) {
  return Fail(PoolErrorCode::kInternal, "storage failed: " + error.message());
}

Result<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(n)) != 1) {
    return core::Internal("no randomness available");
  }
  return out;
}

// `n` characters drawn uniformly from `alphabet` (rejection sampling).
Result<std::string> RandomString(size_t n, std::string_view alphabet) {
  const unsigned limit = 256 - 256 % alphabet.size();
  std::string out;
  while (out.size() < n) {
    INVOICES_ASSIGN_OR_RETURN(std::string bytes, RandomBytes(2 * n));
    for (const unsigned char b : bytes) {
      if (b < limit && out.size() < n)
        out.push_back(alphabet[b % alphabet.size()]);
    }
  }
  return out;
}

// A random (version 4) UUID: 122 random bits.
Result<std::string> NewUuid() {
  INVOICES_ASSIGN_OR_RETURN(std::string b, RandomBytes(16));
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
  const std::string hex = store::HexEncode(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
         "-" + hex.substr(16, 4) + "-" + hex.substr(20);
}

// 1..128 of [A-Za-z0-9._@+-]: safe in an object key, an email fits.
bool ValidUsername(std::string_view name) {
  if (name.empty() || name.size() > kMaxUsernameBytes) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' ||
           c == '+' || c == '-';
  });
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
  });
}

// Loose: one '@' between a non-empty local part and a dotted domain, no
// spaces or characters that make mail headers ambiguous.
bool ValidEmail(std::string_view email) {
  if (email.size() < 3 || email.size() > 254 || HasControl(email)) {
    return false;
  }
  if (email.find_first_of(" <>,;:\"()[]\\") != std::string_view::npos) {
    return false;
  }
  const size_t at = email.find('@');
  if (at == 0 || at == std::string_view::npos || at > 64 ||
      email.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = email.substr(at + 1);
  const size_t dot = domain.find('.');
  return dot != std::string_view::npos && dot != 0 && !domain.ends_with('.') &&
         domain.find("..") == std::string_view::npos;
}

std::string UserKey(std::string_view lower) {
  return std::string(kUsersPrefix) + std::string(lower) + ".json";
}

PoolStatus CheckAttributes(const std::map<std::string, std::string>& attrs,
                           bool require_email) {
  for (const auto& [name, value] : attrs) {
    if (std::find(std::begin(kSettableAttributes),
                  std::end(kSettableAttributes),
                  name) == std::end(kSettableAttributes)) {
      return Fail(PoolErrorCode::kInvalidParameter,
                  "Attribute does not exist in the schema.");
    }
    if (name == "email" && !ValidEmail(value)) {
      return Fail(PoolErrorCode::kInvalidParameter,
                  "Invalid email address format.");
    }
    if (name == "name" &&
        (value.empty() || value.size() > 2048 || HasControl(value))) {
      return Fail(PoolErrorCode::kInvalidParameter,
                  "Invalid name: 1 to 2048 characters without control "
                  "characters.");
    }
  }
  if (require_email && !attrs.contains("email")) {
    return Fail(PoolErrorCode::kInvalidParameter,
                "Attributes did not conform to the schema: email: The "
                "attribute is required");
  }
  return {};
}

struct Session {
  std::string id;    // origin_jti
  std::string hash;  // hex SHA-256 of the refresh token's secret
  int64_t auth_time = 0;
  int64_t expires_at = 0;
};

// One user's object.
struct UserRecord {
  std::string username;
  std::string sub;
  std::string password_hash;
  std::map<std::string, std::string> attributes;
  bool email_verified = false;
  bool confirmed = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::vector<Session> sessions;
};

Json RecordToJson(const UserRecord& r) {
  Json sessions = Json::array();
  for (const Session& s : r.sessions) {
    sessions.push_back({{"id", s.id},
                        {"hash", s.hash},
                        {"auth_time", s.auth_time},
                        {"expires_at", s.expires_at}});
  }
  return {{"version", 1},
          {"username", r.username},
          {"sub", r.sub},
          {"status", r.confirmed ? "CONFIRMED" : "UNCONFIRMED"},
          {"attributes", r.attributes},
          {"email_verified", r.email_verified},
          {"password_hash", r.password_hash},
          {"created_at", r.created_at},
          {"updated_at", r.updated_at},
          {"sessions", sessions}};
}

std::optional<UserRecord> RecordFromJson(std::string_view text) {
  const Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  try {
    UserRecord r;
    r.username = j.at("username").get<std::string>();
    r.sub = j.at("sub").get<std::string>();
    r.confirmed = j.at("status").get<std::string>() == "CONFIRMED";
    r.attributes = j.at("attributes").get<std::map<std::string, std::string>>();
    r.email_verified = j.at("email_verified").get<bool>();
    r.password_hash = j.at("password_hash").get<std::string>();
    r.created_at = j.at("created_at").get<int64_t>();
    r.updated_at = j.at("updated_at").get<int64_t>();
    for (const Json& s : j.at("sessions")) {
      r.sessions.push_back({s.at("id").get<std::string>(),
                            s.at("hash").get<std::string>(),
                            s.at("auth_time").get<int64_t>(),
                            s.at("expires_at").get<int64_t>()});
    }
    return r;
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

User ToUser(const UserRecord& r) {
  return User{r.username,  r.sub,        r.attributes, r.email_verified,
              r.confirmed, r.created_at, r.updated_at};
}

// A refresh token: "<base64url(lower-cased username)>.<base64url(secret)>".
struct RefreshToken {
  std::string lower;
  std::string secret;
};

std::string EncodeRefreshToken(std::string_view lower,
                               std::string_view secret) {
  return core::Base64UrlEncode(lower) + "." + core::Base64UrlEncode(secret);
}

std::optional<RefreshToken> ParseRefreshToken(std::string_view token) {
  if (token.size() > 1024) return std::nullopt;
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos ||
      token.find('.', dot + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  auto lower = core::Base64UrlDecode(token.substr(0, dot));
  auto secret = core::Base64UrlDecode(token.substr(dot + 1));
  if (!lower || !secret || !ValidUsername(*lower) ||
      core::AsciiLower(*lower) != *lower ||
      secret->size() != kRefreshSecretBytes) {
    return std::nullopt;
  }
  return RefreshToken{std::move(*lower), std::move(*secret)};
}

std::string SecretHash(std::string_view secret) {
  return store::HexEncode(store::Sha256(secret));
}

// Constant time in the position of the first difference.
bool SameHash(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Failed password checks per key (a username or an address), with
// exponentially growing lockouts. See LockoutPolicy.
//
// Checking "is it locked?" and later recording the failure would let N
// parallel guesses all pass the check before the first failure lands, so an
// attempt is admitted and counted as in flight in one step (Begin), and ends
// with its outcome (End). While failures plus attempts in flight would reach
// the threshold, only one attempt at a time is admitted.
class FailureTracker {
 public:
  enum class Admission { kAdmitted, kLockedOut, kBusy };
  enum class Outcome { kFailed, kSucceeded, kUndecided };

  // `reset_on_success`: a success forgets the failures (usernames), or
  // leaves them (addresses: signing into one's own account must not clear
  // the count of guesses at others).
  FailureTracker(int free_failures, bool reset_on_success,
                 const LockoutPolicy& policy)
      : free_failures_(free_failures),
        reset_on_success_(reset_on_success),
        policy_(policy) {}

  // Admits an attempt for `key` (which the caller must End) or says why not.
  Admission Begin(const std::string& key, int64_t now) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      if (entries_.size() >= policy_.max_tracked) MakeRoom(now);
      it = entries_.emplace(key, Entry{}).first;
    }
    Entry& e = it->second;
    if (Stale(e, now)) e.failures = 0;
    if (now < e.locked_until) return Admission::kLockedOut;
    if (e.in_flight > 0 && e.failures + e.in_flight >= free_failures_) {
      return Admission::kBusy;
    }
    ++e.in_flight;
    return Admission::kAdmitted;
  }

  // Ends an attempt Begin admitted.
  void End(const std::string& key, int64_t now, Outcome outcome) {
    std::lock_guard lock(mu_);
    Entry& e = entries_[key];  // never evicted while in flight
    if (e.in_flight > 0) --e.in_flight;
    if (outcome == Outcome::kFailed) {
      if (Stale(e, now)) e.failures = 0;
      ++e.failures;
      e.last_failure = now;
      if (e.failures >= free_failures_) {
        const int shift = std::min(e.failures - free_failures_, 30);
        const int64_t lockout =
            std::min(policy_.max_lockout_seconds,
                     policy_.first_lockout_seconds * (int64_t{1} << shift));
        e.locked_until = now + lockout;
      }
    } else if (outcome == Outcome::kSucceeded && reset_on_success_) {
      e.failures = 0;
      e.locked_until = 0;
    }
    if (e.in_flight == 0 && e.failures == 0 && e.locked_until <= now) {
      entries_.erase(key);
    }
  }

  // Forgets the failures of `key` (an administrator reset its password).
  void Forget(const std::string& key) {
    std::lock_guard lock(mu_);
    const auto it = entries_.find(key);
    if (it == entries_.end()) return;
    it->second.failures = 0;
    it->second.locked_until = 0;
    if (it->second.in_flight == 0) entries_.erase(it);
  }

 private:
  struct Entry {
    int failures = 0;
    int in_flight = 0;
    int64_t last_failure = 0;
    int64_t locked_until = 0;
  };

  int64_t LastActivity(const Entry& e) const {
    return std::max(e.last_failure, e.locked_until);
  }
  bool Stale(const Entry& e, int64_t now) const {
    return now - LastActivity(e) > policy_.window_seconds;
  }

  // Drops stale entries; when that is not enough, the oldest tenth. Entries
  // with attempts in flight stay.
  void MakeRoom(int64_t now) {
    std::erase_if(entries_, [&](const auto& kv) {
      return kv.second.in_flight == 0 && Stale(kv.second, now);
    });
    if (entries_.size() < policy_.max_tracked) return;
    std::vector<std::pair<int64_t, std::string>> by_age;
    by_age.reserve(entries_.size());
    for (const auto& [key, e] : entries_) {
      if (e.in_flight == 0) by_age.emplace_back(LastActivity(e), key);
    }
    if (by_age.empty()) return;
    const size_t drop = std::max<size_t>(1, by_age.size() / 10);
    std::nth_element(by_age.begin(), by_age.begin() + (drop - 1), by_age.end());
    for (size_t i = 0; i < drop; ++i) entries_.erase(by_age[i].second);
  }

  const int free_failures_;
  const bool reset_on_success_;
  const LockoutPolicy policy_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

// One password check, admitted by the username's and the address's
// trackers and ended with its outcome when it goes out of scope.
class Attempt {
 public:
  Attempt(FailureTracker& users, FailureTracker& addresses, std::string user,
          std::string address, int64_t now)
      : users_(users),
        addresses_(addresses),
        user_(std::move(user)),
        address_(std::move(address)),
        now_(now) {}
  ~Attempt() {
    if (user_admitted_) users_.End(user_, now_, outcome_);
    if (address_admitted_) addresses_.End(address_, now_, outcome_);
  }
  Attempt(const Attempt&) = delete;
  Attempt& operator=(const Attempt&) = delete;

  // Admission by the address (skipped when unknown), then the username.
  // `locked_user` is the error for a locked-out username.
  PoolStatus Admit(PoolError locked_user) {
    using Admission = FailureTracker::Admission;
    if (!address_.empty()) {
      const Admission a = addresses_.Begin(address_, now_);
      if (a != Admission::kAdmitted) {
        return Fail(PoolErrorCode::kTooManyRequests,
                    a == Admission::kLockedOut
                        ? "Too many failed attempts from this address; try "
                          "again later."
                        : "Too many concurrent attempts from this address; "
                          "try again.");
      }
      address_admitted_ = true;
    }
    const Admission u = users_.Begin(user_, now_);
    if (u == Admission::kLockedOut) return std::unexpected(locked_user);
    if (u == Admission::kBusy) {
      return Fail(PoolErrorCode::kTooManyRequests,
                  "Too many concurrent attempts for this user; try again.");
    }
    user_admitted_ = true;
    return {};
  }

  void Failed() { outcome_ = FailureTracker::Outcome::kFailed; }
  void Succeeded() { outcome_ = FailureTracker::Outcome::kSucceeded; }

 private:
  FailureTracker& users_;
  FailureTracker& addresses_;
  const std::string user_;
  const std::string address_;
  const int64_t now_;
  bool user_admitted_ = false;
  bool address_admitted_ = false;
  FailureTracker::Outcome outcome_ = FailureTracker::Outcome::kUndecided;
};

core::Status ValidateOptions(const UserPoolOptions& o) {
  if (!o.issuer.starts_with("http://") && !o.issuer.starts_with("https://")) {
    return core::InvalidArgument("user pool issuer must be an http(s) URL");
  }
  if (o.region.empty() || o.region.size() > 32 ||
      !std::all_of(o.region.begin(), o.region.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      })) {
    return core::InvalidArgument("user pool region must be 1..32 of [a-z0-9-]");
  }
  if (!o.client_id.empty() &&
      (o.client_id.size() > 128 ||
       !std::all_of(o.client_id.begin(), o.client_id.end(), [](char c) {
         return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                c == '+';
       }))) {
    return core::InvalidArgument(
        "user pool client id must be 1..128 of [A-Za-z0-9_+]");
  }
  if (o.token_seconds < 300 || o.token_seconds > 86400) {
    return core::InvalidArgument("token lifetime must be 300..86400 seconds");
  }
  if (o.refresh_token_seconds < 3600 ||
      o.refresh_token_seconds > int64_t{3650} * 86400) {
    return core::InvalidArgument(
        "refresh token lifetime must be 1 hour .. 10 years");
  }
  if (o.max_sessions_per_user < 1 || o.max_sessions_per_user > 100) {
    return core::InvalidArgument("sessions per user must be 1..100");
  }
  const LockoutPolicy& l = o.lockout;
  if (l.user_failures < 1 || l.address_failures < 1 || l.window_seconds < 1 ||
      l.first_lockout_seconds < 1 ||
      l.max_lockout_seconds < l.first_lockout_seconds ||
      l.max_lockout_seconds > 86400 || l.max_tracked < 1) {
    return core::InvalidArgument("lockout policy out of range");
  }
  if (o.key_bits < kMinRsaBits || o.key_bits > kMaxRsaBits) {
    return core::InvalidArgument("signing key size out of range");
  }
  INVOICES_RETURN_IF_ERROR(ValidatePasswordPolicy(o.password_policy));
  return ValidateArgon2Params(o.argon2);
}

struct PoolIdentity {
  std::string pool_id;
  std::string client_id;
};

// auth/pool.json, made by the first replica to start.
Result<PoolIdentity> LoadOrCreateIdentity(store::ObjectStore& store,
                                          std::string_view region,
                                          int64_t now) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto got = store.Get(kPoolKey);
    if (got) {
      const Json j = Json::parse(got->bytes, nullptr, false);
      if (j.is_object() && j.value("pool_id", "") != "" &&
          j.value("client_id", "") != "") {
        return PoolIdentity{j["pool_id"].get<std::string>(),
                            j["client_id"].get<std::string>()};
      }
      return core::Internal(std::string(kPoolKey) + " is malformed");
    }
    if (got.error().code() != ErrorCode::kNotFound) {
      return std::unexpected(got.error());
    }
    INVOICES_ASSIGN_OR_RETURN(
        std::string suffix,
        RandomString(
            9,
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"));
    INVOICES_ASSIGN_OR_RETURN(
        std::string client_id,
        RandomString(26, "abcdefghijklmnopqrstuvwxyz0123456789"));
    const Json doc = {{"pool_id", std::string(region) + "_" + suffix},
                      {"client_id", client_id},
                      {"created_at", now}};
    store::PutOptions put;
    put.content_type = "application/json";
    put.if_none_match_star = true;
    auto wrote = store.Put(kPoolKey, doc.dump(2), put);
    if (wrote) return PoolIdentity{doc["pool_id"], doc["client_id"]};
    if (wrote.error().code() != ErrorCode::kFailedPrecondition) {
      return std::unexpected(wrote.error());
    }
    // Another replica won the race: read theirs.
  }
  return core::Internal(std::string(kPoolKey) + " could not be read");
}

// auth/signing-key.pem, generated by the first replica to start.
Result<PrivateKey> LoadOrCreateKey(store::ObjectStore& store, int bits) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto got = store.Get(kSigningKeyKey);
    if (got) {
      auto key = PrivateKey::FromPem(got->bytes);
      if (!key) {
        return core::Internal(std::string(kSigningKeyKey) +
                              " is not a usable key: " + key.error().message());
      }
      return std::move(*key);
    }
    if (got.error().code() != ErrorCode::kNotFound) {
      return std::unexpected(got.error());
    }
    INVOICES_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate(bits));
    INVOICES_ASSIGN_OR_RETURN(std::string pem, key.ToPem());
    store::PutOptions put;
    put.content_type = "application/x-pem-file";
    put.if_none_match_star = true;
    auto wrote = store.Put(kSigningKeyKey, pem, put);
    OPENSSL_cleanse(pem.data(), pem.size());
    if (wrote) return key;
    if (wrote.error().code() != ErrorCode::kFailedPrecondition) {
      return std::unexpected(wrote.error());
    }
  }
  return core::Internal(std::string(kSigningKeyKey) + " could not be read");
}

}  // namespace

std::string_view CognitoErrorName(PoolErrorCode code) {
  switch (code) {
    case PoolErrorCode::kNotAuthorized:
      return "NotAuthorizedException";
    case PoolErrorCode::kUsernameExists:
      return "UsernameExistsException";
    case PoolErrorCode::kUserNotFound:
      return "UserNotFoundException";
    case PoolErrorCode::kInvalidPassword:
      return "InvalidPasswordException";
    case PoolErrorCode::kInvalidParameter:
      return "InvalidParameterException";
    case PoolErrorCode::kUserNotConfirmed:
      return "UserNotConfirmedException";
    case PoolErrorCode::kTooManyRequests:
      return "TooManyRequestsException";
    case PoolErrorCode::kLimitExceeded:
      return "LimitExceededException";
    case PoolErrorCode::kUnsupportedTokenType:
      return "UnsupportedTokenTypeException";
    case PoolErrorCode::kInternal:
      return "InternalErrorException";
  }
  return "InternalErrorException";
}

core::Error ToCoreError(const PoolError& error) {
  ErrorCode code = ErrorCode::kInvalidArgument;
  switch (error.code) {
    case PoolErrorCode::kNotAuthorized:
      code = ErrorCode::kUnauthenticated;
      break;
    case PoolErrorCode::kUsernameExists:
      code = ErrorCode::kAlreadyExists;
      break;
    case PoolErrorCode::kUserNotFound:
      code = ErrorCode::kNotFound;
      break;
    case PoolErrorCode::kTooManyRequests:
    case PoolErrorCode::kLimitExceeded:
      code = ErrorCode::kResourceExhausted;
      break;
    case PoolErrorCode::kInternal:
      code = ErrorCode::kInternal;
      break;
    case PoolErrorCode::kInvalidPassword:
    case PoolErrorCode::kInvalidParameter:
    case PoolErrorCode::kUserNotConfirmed:
    case PoolErrorCode::kUnsupportedTokenType:
      break;
  }
  return core::Error(code, error.message);
}

class UserPool::Impl {
 public:
  Impl(store::ObjectStore& store, UserPoolOptions options, Clock clock,
       PoolIdentity identity, PrivateKey key,
       std::unique_ptr<PasswordHasher> hasher, std::string dummy_hash)
      : store_(store),
        options_(std::move(options)),
        clock_(std::move(clock)),
        pool_id_(std::move(identity.pool_id)),
        client_id_(options_.client_id.empty() ? std::move(identity.client_id)
                                              : options_.client_id),
        key_(std::move(key)),
        kid_(key_.public_key().Thumbprint()),
        hasher_(std::move(hasher)),
        dummy_hash_(std::move(dummy_hash)),
        own_keys_(NewStaticKeySource(KeyMap{{kid_, key_.public_key()}})),
        access_verifier_(VerifierOptions{.issuer = options_.issuer,
                                         .audiences = {client_id_},
                                         .token_uses = {"access"},
                                         .leeway_seconds = 0},
                         *own_keys_, clock_),
        user_failures_(options_.lockout.user_failures,
                       /*reset_on_success=*/true, options_.lockout),
        address_failures_(options_.lockout.address_failures,
                          /*reset_on_success=*/false, options_.lockout) {}

  store::ObjectStore& store_;
  const UserPoolOptions options_;
  const Clock clock_;
  const std::string pool_id_;
  const std::string client_id_;
  const PrivateKey key_;
  const std::string kid_;
  const std::unique_ptr<PasswordHasher> hasher_;
  // Verified against for unknown usernames, so that they cost the same.
  const std::string dummy_hash_;
  const std::unique_ptr<KeySource> own_keys_;
  const TokenVerifier access_verifier_;
  FailureTracker user_failures_;
  FailureTracker address_failures_;

  struct Loaded {
    UserRecord record;
    std::string etag;
  };

  // kUserNotFound when there is no such user.
  PoolResult<Loaded> Load(std::string_view lower) {
    auto got = store_.Get(UserKey(lower));
    if (!got) {
      if (got.error().code() == ErrorCode::kNotFound) {
        return Fail(PoolErrorCode::kUserNotFound, "User does not exist.");
      }
      return StoreFailed(got.error());
    }
    auto record = RecordFromJson(got->bytes);
    if (!record) {
      return Fail(PoolErrorCode::kInternal, "stored user record is malformed");
    }
    return Loaded{std::move(*record), got->info.etag};
  }

  // Read, `mutate`, write with If-Match; again from the read when another
  // writer changed the user in between. `mutate` may run several times.
  PoolResult<UserRecord> Update(
      std::string_view lower,
      const std::function<PoolStatus(UserRecord&)>& mutate) {
    for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
      auto loaded = Load(lower);
      if (!loaded) return std::unexpected(std::move(loaded).error());
      UserRecord& record = loaded->record;
      if (auto changed = mutate(record); !changed) {
        return std::unexpected(std::move(changed).error());
      }
      record.updated_at = clock_();
      store::PutOptions put;
      put.content_type = "application/json";
      put.if_match_etag = loaded->etag;
      auto wrote = store_.Put(UserKey(lower), RecordToJson(record).dump(), put);
      if (wrote) return std::move(record);
      if (wrote.error().code() != ErrorCode::kFailedPrecondition) {
        return StoreFailed(wrote.error());
      }
    }
    return Fail(PoolErrorCode::kTooManyRequests,
                "Too many concurrent updates of this user; try again.");
  }

  PoolResult<User> Insert(std::string_view username, std::string_view password,
                          const std::map<std::string, std::string>& attributes,
                          bool confirmed, bool email_verified) {
    if (!ValidUsername(username)) {
      return Fail(PoolErrorCode::kInvalidParameter,
                  "Invalid username: 1 to 128 characters of letters, digits "
                  "and . _ @ + -");
    }
    if (auto ok = CheckAttributes(attributes, options_.require_email); !ok) {
      return std::unexpected(std::move(ok).error());
    }
    if (auto ok = CheckPassword(options_.password_policy, password); !ok) {
      return Fail(PoolErrorCode::kInvalidPassword, ok.error().message());
    }
    auto hash = hasher_->Hash(password);
    if (!hash) return Fail(PoolErrorCode::kInternal, hash.error().message());
    auto sub = NewUuid();
    if (!sub) return Fail(PoolErrorCode::kInternal, sub.error().message());
    UserRecord record;
    record.username = std::string(username);
    record.sub = std::move(*sub);
    record.password_hash = std::move(*hash);
    record.attributes = attributes;
    record.email_verified = email_verified && attributes.contains("email");
    record.confirmed = confirmed;
    record.created_at = record.updated_at = clock_();
    store::PutOptions put;
    put.content_type = "application/json";
    put.if_none_match_star = true;
    auto wrote = store_.Put(UserKey(core::AsciiLower(username)),
                            RecordToJson(record).dump(), put);
    if (!wrote) {
      if (wrote.error().code() == ErrorCode::kFailedPrecondition) {
        return Fail(PoolErrorCode::kUsernameExists, "User already exists");
      }
      return StoreFailed(wrote.error());
    }
    return ToUser(record);
  }

  PoolResult<AuthTokens> IssueTokens(const UserRecord& user,
                                     const Session& session) {
    const int64_t now = clock_();
    auto id_jti = NewUuid();
    auto access_jti = NewUuid();
    if (!id_jti || !access_jti) {
      return Fail(PoolErrorCode::kInternal, "no randomness available");
    }
    Json id = {{"sub", user.sub},
               {"email_verified", user.email_verified},
               {"iss", options_.issuer},
               {"cognito:username", user.username},
               {"origin_jti", session.id},
               {"aud", client_id_},
               {"token_use", "id"},
               {"auth_time", session.auth_time},
               {"exp", now + options_.token_seconds},
               {"iat", now},
               {"jti", *id_jti}};
    for (const auto& [name, value] : user.attributes) id[name] = value;
    const Json access = {{"sub", user.sub},
                         {"iss", options_.issuer},
                         {"client_id", client_id_},
                         {"origin_jti", session.id},
                         {"token_use", "access"},
                         {"scope", kScope},
                         {"auth_time", session.auth_time},
                         {"exp", now + options_.token_seconds},
                         {"iat", now},
                         {"jti", *access_jti},
                         {"username", user.username}};
    auto id_token = SignJwt(id, key_, kid_);
    auto access_token = SignJwt(access, key_, kid_);
    if (!id_token || !access_token) {
      return Fail(PoolErrorCode::kInternal, "token signing failed");
    }
    AuthTokens out;
    out.id_token = std::move(*id_token);
    out.access_token = std::move(*access_token);
    out.expires_in = options_.token_seconds;
    return out;
  }

  struct Caller {
    std::string lower;
    UserRecord record;
    std::string session_id;
  };

  // The user behind a live access token of this pool.
  PoolResult<Caller> Authenticate(std::string_view access_token) {
    auto claims = access_verifier_.Verify(access_token);
    if (!claims) {
      return Fail(PoolErrorCode::kNotAuthorized,
                  claims.error().message() == "token expired"
                      ? "Access Token has expired"
                      : "Invalid Access Token");
    }
    const std::string session_id = claims->json.value("origin_jti", "");
    if (!ValidUsername(claims->username)) {
      return Fail(PoolErrorCode::kNotAuthorized, "Invalid Access Token");
    }
    const std::string lower = core::AsciiLower(claims->username);
    auto loaded = Load(lower);
    if (!loaded) {
      if (loaded.error().code == PoolErrorCode::kUserNotFound) {
        return Fail(PoolErrorCode::kNotAuthorized, "User does not exist.");
      }
      return std::unexpected(std::move(loaded).error());
    }
    // A user deleted and made again under the same name is someone else.
    if (loaded->record.sub != claims->subject) {
      return Fail(PoolErrorCode::kNotAuthorized, "User does not exist.");
    }
    const int64_t now = clock_();
    const auto& sessions = loaded->record.sessions;
    if (std::none_of(sessions.begin(), sessions.end(), [&](const Session& s) {
          return s.id == session_id && now < s.expires_at;
        })) {
      return Fail(PoolErrorCode::kNotAuthorized,
                  "Access Token has been revoked");
    }
    return Caller{lower, std::move(loaded->record), session_id};
  }

  // Ends every session of `caller`'s user, and sets a new password hash when
  // one is given.
  PoolStatus EndSessions(const Caller& caller,
                         std::optional<std::string> new_hash,
                         std::string_view expected_hash) {
    auto updated = Update(caller.lower, [&](UserRecord& r) -> PoolStatus {
      if (r.sub != caller.record.sub) {
        return Fail(PoolErrorCode::kNotAuthorized, "User does not exist.");
      }
      if (new_hash) {
        // The previous password was checked against this hash: a
        // concurrent change makes that check void.
        if (r.password_hash != expected_hash) {
          return Fail(PoolErrorCode::kNotAuthorized, kIncorrect);
        }
        r.password_hash = *new_hash;
      }
      r.sessions.clear();
      return {};
    });
    if (!updated) return std::unexpected(std::move(updated).error());
    return {};
  }
};

UserPool::UserPool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UserPool::~UserPool() = default;

Result<std::unique_ptr<UserPool>> UserPool::Create(store::ObjectStore& store,
                                                   UserPoolOptions options,
                                                   Clock clock) {
  while (options.issuer.ends_with('/')) options.issuer.pop_back();
  INVOICES_RETURN_IF_ERROR(ValidateOptions(options));
  INVOICES_ASSIGN_OR_RETURN(
      PoolIdentity identity,
      LoadOrCreateIdentity(store, options.region, clock()));
  INVOICES_ASSIGN_OR_RETURN(PrivateKey key,
                            LoadOrCreateKey(store, options.key_bits));
  INVOICES_ASSIGN_OR_RETURN(
      std::unique_ptr<PasswordHasher> hasher,
      PasswordHasher::Create(options.argon2, options.max_concurrent_hashes));
  INVOICES_ASSIGN_OR_RETURN(std::string dummy_secret, RandomBytes(16));
  INVOICES_ASSIGN_OR_RETURN(std::string dummy_hash,
                            hasher->Hash(core::Base64UrlEncode(dummy_secret)));
  auto impl = std::make_unique<Impl>(
      store, std::move(options), std::move(clock), std::move(identity),
      std::move(key), std::move(hasher), std::move(dummy_hash));
  return std::unique_ptr<UserPool>(new UserPool(std::move(impl)));
}

const std::string& UserPool::issuer() const { return impl_->options_.issuer; }
const std::string& UserPool::region() const { return impl_->options_.region; }
const std::string& UserPool::pool_id() const { return impl_->pool_id_; }
const std::string& UserPool::client_id() const { return impl_->client_id_; }
const std::string& UserPool::kid() const { return impl_->kid_; }

std::string UserPool::JwksJson() const {
  Json keys = Json::array();
  keys.push_back(impl_->key_.public_key().ToJwk(impl_->kid_));
  return Json{{"keys", keys}}.dump();
}

std::string UserPool::OpenIdConfiguration() const {
  const std::string& issuer = impl_->options_.issuer;
  return Json{{"issuer", issuer},
              {"jwks_uri", issuer + "/.well-known/jwks.json"},
              {"subject_types_supported", {"public"}},
              {"id_token_signing_alg_values_supported", {"RS256"}},
              {"scopes_supported", {kScope}},
              {"claims_supported",
               {"sub", "iss", "aud", "exp", "iat", "auth_time", "token_use",
                "cognito:username", "email", "email_verified", "name"}}}
      .dump();
}

std::unique_ptr<KeySource> UserPool::NewKeySource() const {
  return NewStaticKeySource(KeyMap{{impl_->kid_, impl_->key_.public_key()}});
}

VerifierOptions UserPool::verifier_options() const {
  VerifierOptions options;
  options.issuer = impl_->options_.issuer;
  options.audiences = {impl_->client_id_};
  return options;
}

PoolResult<SignUpResult> UserPool::SignUp(
    std::string_view username, std::string_view password,
    const std::map<std::string, std::string>& attributes) {
  const bool confirmed = !impl_->options_.require_admin_confirmation;
  auto user = impl_->Insert(username, password, attributes, confirmed,
                            /*email_verified=*/false);
  if (!user) return std::unexpected(std::move(user).error());
  return SignUpResult{user->sub, user->confirmed};
}

PoolStatus UserPool::ConfirmSignUp(std::string_view, std::string_view) {
  return Fail(PoolErrorCode::kInvalidParameter, kNoCodes);
}

PoolStatus UserPool::ResendConfirmationCode(std::string_view) {
  return Fail(PoolErrorCode::kInvalidParameter, kNoCodes);
}

PoolStatus UserPool::ForgotPassword(std::string_view) {
  return Fail(PoolErrorCode::kInvalidParameter,
              "Cannot reset password for the user as there is no "
              "registered/verified email or phone_number. " +
                  std::string(kNoCodes) + ".");
}

PoolStatus UserPool::ConfirmForgotPassword(std::string_view, std::string_view,
                                           std::string_view) {
  return Fail(PoolErrorCode::kInvalidParameter, kNoCodes);
}

PoolResult<AuthTokens> UserPool::InitiateAuth(std::string_view username,
                                              std::string_view password,
                                              std::string_view source_address) {
  Impl& s = *impl_;
  const int64_t now = s.clock_();
  const std::string lower = core::AsciiLower(username);
  UserRecord user;
  {
    Attempt attempt(s.user_failures_, s.address_failures_, lower,
                    std::string(source_address), now);
    if (auto admitted = attempt.Admit(
            {PoolErrorCode::kNotAuthorized, "Password attempts exceeded"});
        !admitted) {
      return std::unexpected(std::move(admitted).error());
    }
    if (!ValidUsername(username) || password.size() > kMaxPasswordBytes) {
      attempt.Failed();
      return Fail(PoolErrorCode::kNotAuthorized, kIncorrect);
    }
    auto loaded = s.Load(lower);
    if (!loaded) {
      if (loaded.error().code != PoolErrorCode::kUserNotFound) {
        return std::unexpected(std::move(loaded).error());
      }
      (void)s.hasher_->Verify(password, s.dummy_hash_);
      attempt.Failed();
      return Fail(PoolErrorCode::kNotAuthorized, kIncorrect);
    }
    auto match = s.hasher_->Verify(password, loaded->record.password_hash);
    if (!match) return Fail(PoolErrorCode::kInternal, match.error().message());
    if (!*match) {
      attempt.Failed();
      return Fail(PoolErrorCode::kNotAuthorized, kIncorrect);
    }
    attempt.Succeeded();
    user = std::move(loaded->record);
  }
  if (!user.confirmed) {
    return Fail(PoolErrorCode::kUserNotConfirmed, "User is not confirmed.");
  }

  // A fresh hash when the parameters have changed since this one was made.
  std::optional<std::string> rehash;
  if (s.hasher_->NeedsRehash(user.password_hash)) {
    if (auto fresh = s.hasher_->Hash(password)) rehash = std::move(*fresh);
  }
  auto secret = RandomBytes(kRefreshSecretBytes);
  auto session_id = NewUuid();
  if (!secret || !session_id) {
    return Fail(PoolErrorCode::kInternal, "no randomness available");
  }
  Session session{*session_id, SecretHash(*secret), now,
                  now + s.options_.refresh_token_seconds};
  const std::string verified_hash = user.password_hash;
  const std::string sub = user.sub;
  auto updated = s.Update(lower, [&](UserRecord& r) -> PoolStatus {
    if (r.sub != sub || r.password_hash != verified_hash) {
      return Fail(PoolErrorCode::kNotAuthorized, kIncorrect);
    }
    std::erase_if(r.sessions,
                  [&](const Session& old) { return old.expires_at <= now; });
    r.sessions.push_back(session);
    if (r.sessions.size() > s.options_.max_sessions_per_user) {
      r.sessions.erase(r.sessions.begin(),
                       r.sessions.end() - s.options_.max_sessions_per_user);
    }
    if (rehash) r.password_hash = *rehash;
    return {};
  });
  if (!updated) return std::unexpected(std::move(updated).error());
  auto tokens = s.IssueTokens(*updated, session);
  if (!tokens) return tokens;
  tokens->refresh_token = EncodeRefreshToken(lower, *secret);
  OPENSSL_cleanse(secret->data(), secret->size());
  return tokens;
}

PoolResult<AuthTokens> UserPool::RefreshTokens(std::string_view refresh_token) {
  Impl& s = *impl_;
  const std::optional<RefreshToken> token = ParseRefreshToken(refresh_token);
  if (!token)
    return Fail(PoolErrorCode::kNotAuthorized, "Invalid Refresh Token");
  auto loaded = s.Load(token->lower);
  if (!loaded) {
    if (loaded.error().code == PoolErrorCode::kUserNotFound) {
      return Fail(PoolErrorCode::kNotAuthorized, "User does not exist.");
    }
    return std::unexpected(std::move(loaded).error());
  }
  const std::string hash = SecretHash(token->secret);
  const Session* session = nullptr;
  for (const Session& candidate : loaded->record.sessions) {
    if (SameHash(candidate.hash, hash)) session = &candidate;
  }
  if (!session) {
    return Fail(PoolErrorCode::kNotAuthorized,
                "Refresh Token has been revoked");
  }
  if (s.clock_() >= session->expires_at) {
    return Fail(PoolErrorCode::kNotAuthorized, "Refresh Token has expired");
  }
  if (!loaded->record.confirmed) {
    return Fail(PoolErrorCode::kUserNotConfirmed, "User is not confirmed.");
  }
  return s.IssueTokens(loaded->record, *session);
}

PoolStatus UserPool::RevokeToken(std::string_view refresh_token) {
  Impl& s = *impl_;
  const std::optional<RefreshToken> token = ParseRefreshToken(refresh_token);
  if (!token) {
    return Fail(PoolErrorCode::kUnsupportedTokenType,
                "Only refresh tokens of this user pool can be revoked.");
  }
  const std::string hash = SecretHash(token->secret);
  const auto matches = [&](const Session& session) {
    return SameHash(session.hash, hash);
  };
  auto loaded = s.Load(token->lower);
  if (!loaded) {
    if (loaded.error().code == PoolErrorCode::kUserNotFound) return {};
    return std::unexpected(std::move(loaded).error());
  }
  if (std::none_of(loaded->record.sessions.begin(),
                   loaded->record.sessions.end(), matches)) {
    return {};  // already ended
  }
  auto updated = s.Update(token->lower, [&](UserRecord& r) -> PoolStatus {
    std::erase_if(r.sessions, matches);
    return {};
  });
  if (!updated && updated.error().code != PoolErrorCode::kUserNotFound) {
    return std::unexpected(std::move(updated).error());
  }
  return {};
}

PoolResult<User> UserPool::GetUser(std::string_view access_token) {
  auto caller = impl_->Authenticate(access_token);
  if (!caller) return std::unexpected(std::move(caller).error());
  return ToUser(caller->record);
}

PoolStatus UserPool::ChangePassword(std::string_view access_token,
                                    std::string_view previous_password,
                                    std::string_view proposed_password,
                                    std::string_view source_address) {
  Impl& s = *impl_;
  auto caller = s.Authenticate(access_token);
  if (!caller) return std::unexpected(std::move(caller).error());
  if (auto ok = CheckPassword(s.options_.password_policy, proposed_password);
      !ok) {
    return Fail(PoolErrorCode::kInvalidPassword, ok.error().message());
  }
  {
    Attempt attempt(s.user_failures_, s.address_failures_, caller->lower,
                    std::string(source_address), s.clock_());
    if (auto admitted = attempt.Admit(
            {PoolErrorCode::kLimitExceeded,
             "Attempt limit exceeded, please try after some time."});
        !admitted) {
      return std::unexpected(std::move(admitted).error());
    }
    if (previous_password.size() > kMaxPasswordBytes) {
      attempt.Failed();
      return Fail(PoolErrorCode::kNotAuthorized, kIncorrect);
    }
    auto match =
        s.hasher_->Verify(previous_password, caller->record.password_hash);
    if (!match) return Fail(PoolErrorCode::kInternal, match.error().message());
    if (!*match) {
      attempt.Failed();
      return Fail(PoolErrorCode::kNotAuthorized, kIncorrect);
    }
    attempt.Succeeded();
  }
  auto hash = s.hasher_->Hash(proposed_password);
  if (!hash) return Fail(PoolErrorCode::kInternal, hash.error().message());
  return s.EndSessions(*caller, std::move(*hash), caller->record.password_hash);
}

PoolStatus UserPool::GlobalSignOut(std::string_view access_token) {
  auto caller = impl_->Authenticate(access_token);
  if (!caller) return std::unexpected(std::move(caller).error());
  return impl_->EndSessions(*caller, std::nullopt, "");
}

PoolResult<User> UserPool::AdminCreateUser(
    std::string_view username, std::string_view password,
    const std::map<std::string, std::string>& attributes, bool email_verified) {
  return impl_->Insert(username, password, attributes, /*confirmed=*/true,
                       email_verified);
}

PoolResult<User> UserPool::AdminGetUser(std::string_view username) {
  if (!ValidUsername(username)) {
    return Fail(PoolErrorCode::kUserNotFound, "User does not exist.");
  }
  auto loaded = impl_->Load(core::AsciiLower(username));
  if (!loaded) return std::unexpected(std::move(loaded).error());
  return ToUser(loaded->record);
}

PoolResult<UserPage> UserPool::AdminListUsers(int limit,
                                              std::string_view next_token) {
  if (limit == 0) limit = 60;
  if (limit < 1 || limit > 60) {
    return Fail(PoolErrorCode::kInvalidParameter, "Limit must be 1..60.");
  }
  auto page = impl_->store_.List(kUsersPrefix, next_token, limit);
  if (!page) {
    if (page.error().code() == ErrorCode::kInvalidArgument) {
      return Fail(PoolErrorCode::kInvalidParameter,
                  "Invalid pagination token.");
    }
    return StoreFailed(page.error());
  }
  UserPage out;
  out.next_token = page->next_token;
  for (const store::ObjectInfo& info : page->objects) {
    auto got = impl_->store_.Get(info.key);
    if (!got) {
      if (got.error().code() == ErrorCode::kNotFound) continue;  // deleted
      return StoreFailed(got.error());
    }
    if (auto record = RecordFromJson(got->bytes)) {
      out.users.push_back(ToUser(*record));
    }
  }
  return out;
}

PoolStatus UserPool::AdminConfirmSignUp(std::string_view username) {
  if (!ValidUsername(username)) {
    return Fail(PoolErrorCode::kUserNotFound, "User does not exist.");
  }
  auto updated = impl_->Update(core::AsciiLower(username),
                               [](UserRecord& r) -> PoolStatus {
                                 r.confirmed = true;
                                 return {};
                               });
  if (!updated) return std::unexpected(std::move(updated).error());
  return {};
}

PoolStatus UserPool::AdminDeleteUser(std::string_view username) {
  if (!ValidUsername(username)) {
    return Fail(PoolErrorCode::kUserNotFound, "User does not exist.");
  }
  const std::string key = UserKey(core::AsciiLower(username));
  auto head = impl_->store_.Head(key);
  if (!head) {
    if (head.error().code() == ErrorCode::kNotFound) {
      return Fail(PoolErrorCode::kUserNotFound, "User does not exist.");
    }
    return StoreFailed(head.error());
  }
  if (auto deleted = impl_->store_.Delete(key); !deleted) {
    return StoreFailed(deleted.error());
  }
  return {};
}

PoolStatus UserPool::AdminSetUserPassword(std::string_view username,
                                          std::string_view password) {
  Impl& s = *impl_;
  if (!ValidUsername(username)) {
    return Fail(PoolErrorCode::kUserNotFound, "User does not exist.");
  }
  if (auto ok = CheckPassword(s.options_.password_policy, password); !ok) {
    return Fail(PoolErrorCode::kInvalidPassword, ok.error().message());
  }
  const std::string lower = core::AsciiLower(username);
  if (auto exists = s.Load(lower); !exists) {
    return std::unexpected(std::move(exists).error());
  }
  auto hash = s.hasher_->Hash(password);
  if (!hash) return Fail(PoolErrorCode::kInternal, hash.error().message());
  auto updated = s.Update(lower, [&](UserRecord& r) -> PoolStatus {
    r.password_hash = *hash;
    r.sessions.clear();
    return {};
  });
  if (!updated) return std::unexpected(std::move(updated).error());
  s.user_failures_.Forget(lower);
  return {};
}

}  // namespace invoices::auth
