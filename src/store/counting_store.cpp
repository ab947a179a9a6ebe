#include "invoices/store/counting_store.h"

namespace invoices::store {
namespace {

class CountingStore final : public ObjectStore {
 public:
  CountingStore(std::unique_ptr<ObjectStore> base, StoreCounters& counters)
      : base_(std::move(base)), counters_(counters) {}

  Result<ObjectInfo> Put(std::string_view key, std::string_view bytes,
                         const PutOptions& options) override {
    return Counted(StoreOp::kPut, base_->Put(key, bytes, options));
  }
  Result<Object> Get(std::string_view key,
                     std::optional<ByteRange> range) override {
    return Counted(StoreOp::kGet, base_->Get(key, range));
  }
  Result<ObjectInfo> Head(std::string_view key) override {
    return Counted(StoreOp::kHead, base_->Head(key));
  }
  Status Delete(std::string_view key) override {
    return Counted(StoreOp::kDelete, base_->Delete(key));
  }
  Result<ListPage> List(std::string_view prefix,
                        std::string_view continuation_token,
                        int max_keys) override {
    return Counted(StoreOp::kList,
                   base_->List(prefix, continuation_token, max_keys));
  }
  Result<std::string> PresignGet(std::string_view key,
                                 std::chrono::seconds expiry) override {
    return Counted(StoreOp::kPresign, base_->PresignGet(key, expiry));
  }
  Result<std::string> PresignPut(std::string_view key,
                                 std::chrono::seconds expiry) override {
    return Counted(StoreOp::kPresignPut, base_->PresignPut(key, expiry));
  }

 private:
  template <class R>
  R Counted(StoreOp op, R result) {
    counters_.Count(op, result ? nullptr : &result.error());
    return result;
  }

  std::unique_ptr<ObjectStore> base_;
  StoreCounters& counters_;
};

}  // namespace

std::string_view StoreOpName(StoreOp op) {
  switch (op) {
    case StoreOp::kPut:
      return "put";
    case StoreOp::kGet:
      return "get";
    case StoreOp::kHead:
      return "head";
    case StoreOp::kDelete:
      return "delete";
    case StoreOp::kList:
      return "list";
    case StoreOp::kPresign:
      return "presign";
    case StoreOp::kPresignPut:
      return "presign_put";
  }
  return "unknown";
}

void StoreCounters::Count(StoreOp op, const core::Error* error) {
  const auto o = static_cast<size_t>(op);
  requests_[o].fetch_add(1, std::memory_order_relaxed);
  if (error != nullptr) {
    errors_[o][static_cast<size_t>(error->code())].fetch_add(
        1, std::memory_order_relaxed);
  }
}

uint64_t StoreCounters::requests(StoreOp op) const {
  return requests_[static_cast<size_t>(op)].load(std::memory_order_relaxed);
}

uint64_t StoreCounters::errors(StoreOp op, core::ErrorCode code) const {
  return errors_[static_cast<size_t>(op)][static_cast<size_t>(code)].load(
      std::memory_order_relaxed);
}

std::unique_ptr<ObjectStore> NewCountingStore(std::unique_ptr<ObjectStore> base,
                                              StoreCounters& counters) {
  return std::make_unique<CountingStore>(std::move(base), counters);
}

}  // namespace invoices::store
