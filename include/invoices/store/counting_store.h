// A decorator that counts what an ObjectStore is asked and how it fails: the
// store requests and store errors of `invoices serve`'s metrics (CloudWatch
// has them for S3 as 4xx/5xx request metrics). It passes every call through
// unchanged and counts each by operation, and each failure by operation and
// error code. Not-found and failed preconditions count as failures too: they
// are the store's answers, and normal ones (an If-None-Match create that
// finds the key, a Get of a key that may not exist); look at the codes.
//
// Thread safety: as the wrapped store's; StoreCounters is lock-free and may
// be read while the store is in use.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "invoices/core/error.h"
#include "invoices/store/object_store.h"

namespace invoices::store {

enum class StoreOp {
  kPut,
  kGet,
  kHead,
  kDelete,
  kList,
  kPresign,     // PresignGet
  kPresignPut,  // PresignPut
};
inline constexpr size_t kStoreOpCount = 7;
inline constexpr size_t kErrorCodeCount =
    static_cast<size_t>(core::ErrorCode::kInternal) + 1;

// "put", "get", "head", "delete", "list", "presign", "presign_put".
std::string_view StoreOpName(StoreOp op);

class StoreCounters {
 public:
  // One call of `op`, and its error code when it failed.
  void Count(StoreOp op, const core::Error* error);

  uint64_t requests(StoreOp op) const;
  uint64_t errors(StoreOp op, core::ErrorCode code) const;

 private:
  std::array<std::atomic<uint64_t>, kStoreOpCount> requests_{};
  std::array<std::array<std::atomic<uint64_t>, kErrorCodeCount>, kStoreOpCount>
      errors_{};
};

// `base` with every call counted into `counters`, which must outlive the
// returned store.
std::unique_ptr<ObjectStore> NewCountingStore(std::unique_ptr<ObjectStore> base,
                                              StoreCounters& counters);

}  // namespace invoices::store
