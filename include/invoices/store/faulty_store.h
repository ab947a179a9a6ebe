// FaultyStore: an ObjectStore decorator that makes another store misbehave
// on purpose, for tests (leveldb's SpecialEnv, for objects). A FaultInjector
// holds the plan -- which calls fail, with which error, after how long --
// and the decorator consults it on every call, so a test can change the plan
// while the store is in use and "restart" by wrapping the same base store
// again.
//
// What can be injected:
//   - errors (normally kUnavailable or kInternal, any code works) on chosen
//     calls: by operation, by key prefix, every Nth matching call, with a
//     probability drawn from a seeded generator, at most so many times;
//   - delays before a call (with or without an error);
//   - lost responses: the call reaches the base store and takes effect, then
//     the caller is told it failed -- what a timeout after S3 applied a PUT
//     looks like, and the case that retries must get right;
//   - a crash: every call after the Kth write (Put or Delete) fails with
//     kUnavailable, as if the process died between two writes; the base
//     store keeps exactly what the first K writes left.
//
// Thread safety: a FaultInjector may be used and changed from any number of
// threads at once (one mutex: the random draws happen in call order, which
// is deterministic for a single-threaded test given the seed). The decorator
// is as thread-safe as its base store.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "invoices/core/error.h"
#include "invoices/store/object_store.h"

namespace invoices::store {

// Operations, as bits of FaultRule::ops.
enum FaultOp : uint32_t {
  kFaultPut = 1u << 0,
  kFaultGet = 1u << 1,
  kFaultHead = 1u << 2,
  kFaultDelete = 1u << 3,
  kFaultList = 1u << 4,
  kFaultPresign = 1u << 5,  // PresignGet and PresignPut
  kFaultWrites = kFaultPut | kFaultDelete,
  kFaultReads = kFaultGet | kFaultHead | kFaultList,
  kFaultAll = 0x3f,
};

// One kind of misbehaviour. A call matches a rule when its operation is in
// `ops` and its key starts with `key_prefix` (List: its prefix argument;
// every call matches an empty key_prefix). Of the matching calls, every
// `every_nth`-th one (the Nth, 2Nth, ... counted per rule) is a candidate,
// and a candidate fires with `probability`, until `max_faults` have fired.
// The first rule that fires decides the call; rules are tried in the order
// they were added.
struct FaultRule {
  uint32_t ops = kFaultAll;
  std::string key_prefix;
  int every_nth = 1;         // >= 1
  double probability = 1.0;  // 0 .. 1, drawn from the injector's generator
  int max_faults = -1;       // -1: no limit
  // The answer of a fired rule; nullopt: no error (a pure delay).
  std::optional<core::ErrorCode> error = core::ErrorCode::kUnavailable;
  // Waited before the call, when the rule fires.
  std::chrono::milliseconds delay{0};
  // The call is made first and its result thrown away: the caller gets the
  // error although the operation took effect (a lost response). Only for
  // Put and Delete; for reads it makes no difference.
  bool after_applying = false;
};

// Counts of what a FaultInjector saw and did (since construction or Reset).
struct FaultStats {
  uint64_t calls = 0;             // every call of every wrapped store
  uint64_t writes = 0;            // Put and Delete calls let through
  uint64_t injected = 0;          // calls answered with an injected error
  uint64_t delayed = 0;           // calls delayed
  uint64_t lost = 0;              // writes applied whose success was hidden
  uint64_t refused_by_crash = 0;  // calls after the crash point
};

class FaultInjector {
 public:
  // `seed` makes the probability draws repeatable.
  explicit FaultInjector(uint64_t seed = 1);

  // Adds a rule (see FaultRule; every_nth and probability are clamped).
  void Add(FaultRule rule);
  // Removes every rule and the crash point; counters stay.
  void Clear();

  // Lets `k` more writes (Put or Delete calls) through, running normally
  // (or as the rules say), then fails every later call of any kind with
  // kUnavailable: the process "died" just after its kth write. k = 0 fails
  // every call from now on.
  void CrashAfterWrites(uint64_t k);
  // Whether the crash point has been passed.
  bool crashed() const;
  // Lifts the crash (the same plan without it).
  void Revive();

  FaultStats stats() const;

  // How a delay is waited; tests may record instead of sleeping.
  // Default: std::this_thread::sleep_for.
  void set_sleep(std::function<void(std::chrono::milliseconds)> sleep);

  // What to do with one call; used by the decorator.
  struct Decision {
    std::chrono::milliseconds delay{0};
    std::optional<core::Error> error;
    bool after_applying = false;
  };
  Decision Decide(FaultOp op, std::string_view key);
  void Sleep(std::chrono::milliseconds delay) const;
  void NoteLost();

 private:
  struct RuleState {
    FaultRule rule;
    uint64_t matched = 0;
    int fired = 0;
  };

  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::vector<RuleState> rules_;
  std::optional<uint64_t> crash_after_;  // writes still allowed
  bool crashed_ = false;
  FaultStats stats_;
  std::function<void(std::chrono::milliseconds)> sleep_;
};

// `base` with the faults `faults` plans. Both must outlive the returned
// store; several stores may share one injector (and one crash point).
std::unique_ptr<ObjectStore> NewFaultyStore(ObjectStore& base,
                                            FaultInjector& faults);

}  // namespace invoices::store
