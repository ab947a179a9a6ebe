// The wall-clock seam of the auth module: token lifetimes (exp, nbf, iat) and
// the JWKS refresh rate bound read time only through a Clock, so tests fix it.
// Thread safety: SystemClock() is safe from any thread; ManualClock is safe to
// read and set from several threads (an atomic).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

namespace invoices::auth {

// Returns whole seconds since the Unix epoch (UTC). Must be callable from
// several threads at once.
using Clock = std::function<int64_t()>;

// The system's real-time clock.
Clock SystemClock();

// A clock that stands still until told otherwise: the fake for tests. The
// Clock returned by AsClock() refers to this object, which must outlive it.
class ManualClock {
 public:
  explicit ManualClock(int64_t now) : now_(now) {}

  int64_t Now() const { return now_.load(); }
  void Set(int64_t now) { now_.store(now); }
  void Advance(int64_t seconds) { now_.fetch_add(seconds); }
  Clock AsClock() const {
    return [this] { return Now(); };
  }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace invoices::auth
