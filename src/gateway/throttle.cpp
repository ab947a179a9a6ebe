#include "invoices/gateway/throttle.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace invoices::gateway {
namespace {

using TimePoint = std::chrono::steady_clock::time_point;

struct Bucket {
  double tokens;
  TimePoint updated;
};

struct Limit {
  double rate;
  double burst;
  bool on() const { return rate > 0; }
};

double Seconds(TimePoint from, TimePoint to) {
  return to > from ? std::chrono::duration<double>(to - from).count() : 0.0;
}

void Refill(Bucket& b, const Limit& limit, TimePoint now) {
  b.tokens =
      std::min(limit.burst, b.tokens + Seconds(b.updated, now) * limit.rate);
  if (now > b.updated) b.updated = now;
}

// Full again by `now`: the same as a bucket that was never used.
bool Idle(const Bucket& b, const Limit& limit, TimePoint now) {
  return b.tokens + Seconds(b.updated, now) * limit.rate >= limit.burst;
}

// Whole seconds until `b` (refilled to now) holds one token, at least 1.
std::chrono::seconds RetryAfter(const Bucket& b, const Limit& limit) {
  const double wait = (1.0 - b.tokens) / limit.rate;
  // The epsilon keeps 2.0000000001 (a rounding error) from becoming 3.
  return std::chrono::seconds(
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait - 1e-9))));
}

// A share of the per-client buckets, in least-recently-used order (front:
// the latest). The map's keys view the strings held by the list's nodes,
// which never move.
struct Shard {
  struct Entry {
    std::string client;
    Bucket bucket;
  };
  std::mutex mu;
  std::list<Entry> lru;
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index;
  size_t capacity = 0;

  void Erase(std::list<Entry>::iterator it) {
    index.erase(it->client);
    lru.erase(it);
  }

  // Drops idle buckets from the old end, at most `max` of them; stops at the
  // first one still in use. Each bucket is dropped once, so this is cheap
  // over time however many it finds.
  void DropIdle(const Limit& limit, TimePoint now, size_t max) {
    while (max-- > 0 && !lru.empty() && Idle(lru.back().bucket, limit, now)) {
      Erase(std::prev(lru.end()));
    }
  }
};

}  // namespace

class Throttle::Impl {
 public:
  Impl(ThrottleOptions options, Clock clock)
      : options_(options),
        clock_(std::move(clock)),
        global_limit_{options.rate, options.burst},
        client_limit_{options.client_rate, options.client_burst},
        global_{options.burst, clock_()},
        // Sharding only pays with many clients; one shard keeps the bound
        // exact for small limits.
        shards_(options.max_clients >= 1024 ? 16 : 1) {
    for (Shard& s : shards_) s.capacity = options.max_clients / shards_.size();
  }

  ThrottleDecision Admit(std::string_view client) {
    const TimePoint now = clock_();
    std::unique_lock<std::mutex> shard_lock;
    Bucket* own = nullptr;
    if (client_limit_.on()) {
      Shard& shard =
          shards_[std::hash<std::string_view>()(client) % shards_.size()];
      shard_lock = std::unique_lock(shard.mu);
      own = &Find(shard, client, now);
      Refill(*own, client_limit_, now);
    }
    // Always taken after a shard's lock, never before: no deadlock.
    std::unique_lock<std::mutex> global_lock;
    if (global_limit_.on()) {
      global_lock = std::unique_lock(global_mu_);
      Refill(global_, global_limit_, now);
    }
    const bool client_ok = own == nullptr || own->tokens >= 1;
    const bool global_ok = !global_limit_.on() || global_.tokens >= 1;
    ThrottleDecision decision;
    if (client_ok && global_ok) {
      if (own != nullptr) own->tokens -= 1;
      if (global_limit_.on()) global_.tokens -= 1;
      return decision;
    }
    decision.admitted = false;
    if (!global_ok) {
      decision.limit = ThrottleLimit::kGlobal;
      decision.retry_after = RetryAfter(global_, global_limit_);
    }
    if (!client_ok) {
      if (global_ok) decision.limit = ThrottleLimit::kClient;
      decision.retry_after =
          std::max(decision.retry_after, RetryAfter(*own, client_limit_));
    }
    (decision.limit == ThrottleLimit::kGlobal ? refused_global_
                                              : refused_client_)
        .fetch_add(1, std::memory_order_relaxed);
    return decision;
  }

  uint64_t refused(ThrottleLimit limit) const {
    switch (limit) {
      case ThrottleLimit::kGlobal:
        return refused_global_.load(std::memory_order_relaxed);
      case ThrottleLimit::kClient:
        return refused_client_.load(std::memory_order_relaxed);
      case ThrottleLimit::kNone:
        break;
    }
    return 0;
  }

  size_t clients() const {
    size_t n = 0;
    for (Shard& s : shards_) {
      std::lock_guard lock(s.mu);
      n += s.lru.size();
    }
    return n;
  }

  const ThrottleOptions& options() const { return options_; }

 private:
  // The client's bucket, made full when it has none; moved to the front.
  Bucket& Find(Shard& shard, std::string_view client, TimePoint now) {
    // A couple of idle buckets go on every call, so that the map shrinks
    // after a crowd has left; before making a new bucket, every idle one at
    // the old end goes.
    auto it = shard.index.find(client);
    shard.DropIdle(client_limit_, now, it == shard.index.end() ? SIZE_MAX : 2);
    it = shard.index.find(client);  // it may have been dropped as idle
    if (it != shard.index.end()) {
      shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
      return it->second->bucket;
    }
    if (shard.lru.size() >= shard.capacity && !shard.lru.empty()) {
      shard.Erase(std::prev(shard.lru.end()));
    }
    shard.lru.push_front({std::string(client), {client_limit_.burst, now}});
    shard.index.emplace(shard.lru.front().client, shard.lru.begin());
    return shard.lru.front().bucket;
  }

  const ThrottleOptions options_;
  const Clock clock_;
  const Limit global_limit_;
  const Limit client_limit_;
  std::mutex global_mu_;
  Bucket global_;
  mutable std::vector<Shard> shards_;
  std::atomic<uint64_t> refused_global_{0};
  std::atomic<uint64_t> refused_client_{0};
};

core::Result<std::unique_ptr<Throttle>> Throttle::Create(
    ThrottleOptions options, Clock clock) {
  for (const auto& [rate, burst, what] :
       {std::tuple{options.rate, options.burst, "throttle"},
        std::tuple{options.client_rate, options.client_burst,
                   "per-client throttle"}}) {
    if (!std::isfinite(rate) || rate < 0) {
      return core::InvalidArgument(std::string(what) +
                                   " rate must be 0 (off) or positive");
    }
    if (rate > 0 && (!std::isfinite(burst) || burst < 1)) {
      return core::InvalidArgument(std::string(what) +
                                   " burst must be at least 1");
    }
  }
  if (options.max_clients == 0) {
    return core::InvalidArgument("max_clients must be at least 1");
  }
  if (!clock) clock = [] { return std::chrono::steady_clock::now(); };
  return std::unique_ptr<Throttle>(
      new Throttle(std::make_unique<Impl>(options, std::move(clock))));
}

Throttle::Throttle(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Throttle::~Throttle() = default;

ThrottleDecision Throttle::Admit(std::string_view client) {
  return impl_->Admit(client);
}
uint64_t Throttle::refused(ThrottleLimit limit) const {
  return impl_->refused(limit);
}
size_t Throttle::clients() const { return impl_->clients(); }
const ThrottleOptions& Throttle::options() const { return impl_->options(); }

}  // namespace invoices::gateway
