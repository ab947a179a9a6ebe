// API Gateway's stage throttling, locally: token buckets that refill at a
// steady rate up to a burst size, one for the whole server and one per
// client. A request is admitted only when both its buckets hold a token, and
// then takes one from each; a refused request takes none, so a throttled
// client does not drain the server's bucket for everyone else. The server
// answers a refused request with 429 and Retry-After (server.h).
//
// Clients are named by the caller (the server uses the token's sub, or the
// client address when there is no verified token). Per-client buckets are
// kept in memory, at most ThrottleOptions::max_clients of them: a bucket that
// has refilled to its burst is indistinguishable from a new one and is
// dropped when seen idle; when the limit is still reached, the least recently
// used bucket is dropped, which hands that client a full bucket the next time
// (bounded memory wins over exactness for a flood of distinct clients).
//
// Thread safety: Admit and the accessors may be called from any thread at
// once. The per-client buckets are split over shards, each with its own
// lock, so IO threads rarely wait for each other.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "invoices/core/error.h"

namespace invoices::gateway {

struct ThrottleOptions {
  // The whole server: tokens per second and bucket size. A rate of 0 turns
  // the limit off (API Gateway's default account limits are 10,000/s with a
  // burst of 5,000; one machine gets less).
  double rate = 1000;
  double burst = 2000;
  // Each client: tokens per second and bucket size; a rate of 0: no limit.
  double client_rate = 50;
  double client_burst = 100;
  // Per-client buckets kept at most (memory: about 100 bytes each).
  size_t max_clients = 100000;
};

// Which limit refused a request.
enum class ThrottleLimit { kNone, kGlobal, kClient };

struct ThrottleDecision {
  bool admitted = true;
  ThrottleLimit limit = ThrottleLimit::kNone;  // the limit that refused it
  // When refused: whole seconds until every refusing bucket holds a token
  // again (at least 1), for Retry-After. Zero when admitted.
  std::chrono::seconds retry_after{0};
};

class Throttle {
 public:
  // Monotonic time, injectable for tests.
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // invalid_argument for a negative or non-finite rate, a burst below 1 for
  // a limit that is on, or max_clients 0.
  static core::Result<std::unique_ptr<Throttle>> Create(ThrottleOptions options,
                                                        Clock clock = nullptr);

  ~Throttle();
  Throttle(const Throttle&) = delete;
  Throttle& operator=(const Throttle&) = delete;

  // Admits one request of `client` or refuses it; see the file comment.
  ThrottleDecision Admit(std::string_view client);

  // Requests refused, by limit (kGlobal or kClient).
  uint64_t refused(ThrottleLimit limit) const;
  // Per-client buckets held now.
  size_t clients() const;

  const ThrottleOptions& options() const;

 private:
  class Impl;
  explicit Throttle(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace invoices::gateway
