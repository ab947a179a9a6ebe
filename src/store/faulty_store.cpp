#include "invoices/store/faulty_store.h"

#include <algorithm>
#include <thread>
#include <utility>

namespace invoices::store {
namespace {

std::string_view OpName(FaultOp op) {
  switch (op) {
    case kFaultPut:
      return "put";
    case kFaultGet:
      return "get";
    case kFaultHead:
      return "head";
    case kFaultDelete:
      return "delete";
    case kFaultList:
      return "list";
    case kFaultPresign:
      return "presign";
    default:
      return "call";
  }
}

bool IsWrite(FaultOp op) { return op == kFaultPut || op == kFaultDelete; }

class FaultyStore final : public ObjectStore {
 public:
  FaultyStore(ObjectStore& base, FaultInjector& faults)
      : base_(base), faults_(faults) {}

  Result<ObjectInfo> Put(std::string_view key, std::string_view bytes,
                         const PutOptions& options) override {
    return Run(kFaultPut, key, [&] { return base_.Put(key, bytes, options); });
  }
  Result<Object> Get(std::string_view key,
                     std::optional<ByteRange> range) override {
    return Run(kFaultGet, key, [&] { return base_.Get(key, range); });
  }
  Result<ObjectInfo> Head(std::string_view key) override {
    return Run(kFaultHead, key, [&] { return base_.Head(key); });
  }
  Status Delete(std::string_view key) override {
    return Run(kFaultDelete, key, [&] { return base_.Delete(key); });
  }
  Result<ListPage> List(std::string_view prefix,
                        std::string_view continuation_token,
                        int max_keys) override {
    return Run(kFaultList, prefix, [&] {
      return base_.List(prefix, continuation_token, max_keys);
    });
  }
  Result<std::string> PresignGet(std::string_view key,
                                 std::chrono::seconds expiry) override {
    return Run(kFaultPresign, key,
               [&] { return base_.PresignGet(key, expiry); });
  }
  Result<std::string> PresignPut(std::string_view key,
                                 std::chrono::seconds expiry) override {
    return Run(kFaultPresign, key,
               [&] { return base_.PresignPut(key, expiry); });
  }

 private:
  template <class F>
  auto Run(FaultOp op, std::string_view key, F call) -> decltype(call()) {
    FaultInjector::Decision d = faults_.Decide(op, key);
    if (d.delay.count() > 0) faults_.Sleep(d.delay);
    if (!d.error) return call();
    if (d.after_applying && IsWrite(op)) {
      // The write happens; only its answer is lost.
      if (call()) faults_.NoteLost();
    }
    return std::unexpected(std::move(*d.error));
  }

  ObjectStore& base_;
  FaultInjector& faults_;
};

}  // namespace

FaultInjector::FaultInjector(uint64_t seed)
    : rng_(seed), sleep_([](std::chrono::milliseconds d) {
        std::this_thread::sleep_for(d);
      }) {}

void FaultInjector::Add(FaultRule rule) {
  rule.every_nth = std::max(rule.every_nth, 1);
  rule.probability = std::clamp(rule.probability, 0.0, 1.0);
  std::lock_guard lock(mu_);
  rules_.push_back({std::move(rule)});
}

void FaultInjector::Clear() {
  std::lock_guard lock(mu_);
  rules_.clear();
  crash_after_.reset();
  crashed_ = false;
}

void FaultInjector::CrashAfterWrites(uint64_t k) {
  std::lock_guard lock(mu_);
  crashed_ = k == 0;
  crash_after_ = k;
}

bool FaultInjector::crashed() const {
  std::lock_guard lock(mu_);
  return crashed_;
}

void FaultInjector::Revive() {
  std::lock_guard lock(mu_);
  crashed_ = false;
  crash_after_.reset();
}

FaultStats FaultInjector::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void FaultInjector::set_sleep(
    std::function<void(std::chrono::milliseconds)> sleep) {
  std::lock_guard lock(mu_);
  sleep_ = std::move(sleep);
}

void FaultInjector::Sleep(std::chrono::milliseconds delay) const {
  std::function<void(std::chrono::milliseconds)> sleep;
  {
    std::lock_guard lock(mu_);
    sleep = sleep_;
  }
  sleep(delay);  // outside the lock: other calls go on meanwhile
}

void FaultInjector::NoteLost() {
  std::lock_guard lock(mu_);
  ++stats_.lost;
}

FaultInjector::Decision FaultInjector::Decide(FaultOp op,
                                              std::string_view key) {
  std::lock_guard lock(mu_);
  ++stats_.calls;
  Decision d;
  if (crashed_) {
    ++stats_.refused_by_crash;
    d.error =
        core::Error(core::ErrorCode::kUnavailable,
                    "injected: the process crashed before this " +
                        std::string(OpName(op)) + " of " + std::string(key));
    return d;
  }
  for (RuleState& r : rules_) {
    if ((r.rule.ops & op) == 0 || !key.starts_with(r.rule.key_prefix)) {
      continue;
    }
    if (r.rule.max_faults >= 0 && r.fired >= r.rule.max_faults) continue;
    if (++r.matched % static_cast<uint64_t>(r.rule.every_nth) != 0) continue;
    if (r.rule.probability < 1.0) {
      const double draw = std::uniform_real_distribution<double>(0, 1)(rng_);
      if (draw >= r.rule.probability) continue;
    }
    ++r.fired;
    d.delay = r.rule.delay;
    if (d.delay.count() > 0) ++stats_.delayed;
    if (r.rule.error) {
      ++stats_.injected;
      d.error =
          core::Error(*r.rule.error, "injected: " + std::string(OpName(op)) +
                                         " of " + std::string(key));
      d.after_applying = r.rule.after_applying;
    }
    break;
  }
  // A write that goes on to the base store (also a lost response) counts
  // towards the crash point; the crash begins once it is done.
  const bool reaches_base = !d.error || d.after_applying;
  if (IsWrite(op) && reaches_base) {
    ++stats_.writes;
    if (crash_after_ && *crash_after_ > 0 && --*crash_after_ == 0) {
      crashed_ = true;
    }
  }
  return d;
}

std::unique_ptr<ObjectStore> NewFaultyStore(ObjectStore& base,
                                            FaultInjector& faults) {
  return std::make_unique<FaultyStore>(base, faults);
}

}  // namespace invoices::store
