// The KeySource implementations: a fixed key set, and a JWKS URL with a
// cache and a rate-bounded refresh.
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <utility>

#include "invoices/auth/keys.h"

namespace invoices::auth {
namespace {

using core::Result;

core::Result<PublicKey> UnknownKid() {
  return core::NotFound("no key with the token's kid");
}

class StaticKeySource final : public KeySource {
 public:
  explicit StaticKeySource(KeyMap keys) : keys_(std::move(keys)) {}

  Result<PublicKey> Find(std::string_view kid) override {
    const auto it = keys_.find(kid);
    if (it == keys_.end()) return UnknownKid();
    return it->second;
  }

 private:
  const KeyMap keys_;
};

class JwksUrlKeySource final : public KeySource {
 public:
  JwksUrlKeySource(JwksUrlOptions options, HttpFetch fetch, Clock clock)
      : options_(std::move(options)),
        fetch_(std::move(fetch)),
        clock_(std::move(clock)) {}

  Result<PublicKey> Find(std::string_view kid) override {
    std::optional<PublicKey> cached;
    bool stale = false;
    {
      std::shared_lock lock(keys_mu_);
      if (const auto it = keys_.find(kid); it != keys_.end()) {
        cached = it->second;
        stale = IsStale();
      }
    }
    if (cached) {
      if (!stale) return *cached;
      // One caller refreshes a stale set; the others keep using the cached
      // key rather than queueing behind the network, and so does everyone
      // while the issuer cannot be reached.
      std::unique_lock fetch_lock(fetch_mu_, std::try_to_lock);
      if (!fetch_lock.owns_lock() || !RefreshAllowed() || !RefreshLocked()) {
        return *cached;
      }
      return Lookup(kid);
    }
    // Unknown kid: one fetch in flight at a time; whoever waited re-checks
    // what the fetch that finished meanwhile brought.
    std::lock_guard fetch_lock(fetch_mu_);
    if (auto key = Lookup(kid); key) return key;
    if (!RefreshAllowed()) {
      if (last_error_) return std::unexpected(*last_error_);
      return UnknownKid();
    }
    if (auto refreshed = RefreshLocked(); !refreshed) {
      return std::unexpected(refreshed.error());
    }
    return Lookup(kid);
  }

 private:
  Result<PublicKey> Lookup(std::string_view kid) {
    std::shared_lock lock(keys_mu_);
    const auto it = keys_.find(kid);
    if (it == keys_.end()) return UnknownKid();
    return it->second;
  }

  // Requires keys_mu_ (shared) held.
  bool IsStale() const {
    return options_.max_age_seconds > 0 && fetched_at_ &&
           clock_() - *fetched_at_ >= options_.max_age_seconds;
  }

  // Requires fetch_mu_ held.
  bool RefreshAllowed() const {
    return !attempted_at_ ||
           clock_() - *attempted_at_ >= options_.min_refresh_interval_seconds;
  }

  // Fetches and installs the key set, honouring the rate bound. Requires
  // fetch_mu_ held. On failure the previous keys stay.
  core::Status RefreshLocked() {
    if (!RefreshAllowed()) {
      return core::ResourceExhausted("JWKS refreshed too recently");
    }
    const int64_t now = clock_();
    attempted_at_ = now;
    auto keys = FetchKeys();
    if (!keys) {
      last_error_ = keys.error();
      return std::unexpected(keys.error());
    }
    last_error_.reset();
    std::unique_lock lock(keys_mu_);
    keys_ = std::move(*keys);
    fetched_at_ = now;
    return {};
  }

  Result<KeyMap> FetchKeys() const {
    auto body = fetch_(options_.url);
    if (!body) {
      return core::Unavailable("cannot fetch the JWKS from " + options_.url +
                               ": " + body.error().message());
    }
    const core::Json doc = core::Json::parse(*body, nullptr, false);
    if (doc.is_discarded()) {
      return core::Unavailable("the JWKS at " + options_.url + " is not JSON");
    }
    auto keys = ParseJwks(doc);
    if (!keys) {
      return core::Unavailable("the JWKS at " + options_.url +
                               " is malformed: " + keys.error().message());
    }
    return keys;
  }

  const JwksUrlOptions options_;
  const HttpFetch fetch_;
  const Clock clock_;

  // Lock order: fetch_mu_ before keys_mu_.
  std::mutex fetch_mu_;  // one fetch at a time; guards the fields below it
  std::optional<int64_t> attempted_at_;
  std::optional<core::Error> last_error_;  // of the last attempt, if failed

  std::shared_mutex keys_mu_;  // guards keys_ and fetched_at_
  KeyMap keys_;
  std::optional<int64_t> fetched_at_;
};

}  // namespace

Result<std::unique_ptr<KeySource>> NewStaticKeySource(const core::Json& jwks) {
  INVOICES_ASSIGN_OR_RETURN(KeyMap keys, ParseJwks(jwks));
  return std::make_unique<StaticKeySource>(std::move(keys));
}

std::unique_ptr<KeySource> NewStaticKeySource(KeyMap keys) {
  return std::make_unique<StaticKeySource>(std::move(keys));
}

std::unique_ptr<KeySource> NewJwksUrlKeySource(JwksUrlOptions options,
                                               HttpFetch fetch, Clock clock) {
  return std::make_unique<JwksUrlKeySource>(std::move(options),
                                            std::move(fetch), std::move(clock));
}

}  // namespace invoices::auth
