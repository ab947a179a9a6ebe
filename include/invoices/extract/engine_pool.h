// A fixed set of OCR engines, created once (each loads its language models)
// and lent to one worker at a time; or created on first use, for processes
// that may never read a document (the API function in Lambda, which must
// start in milliseconds). Thread safety: Acquire and the Lease
// destructor may be called from any thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "invoices/core/error.h"
#include "invoices/extract/ocr_engine.h"

namespace invoices::extract {

class EnginePool {
 public:
  using Factory = std::function<core::Result<std::unique_ptr<OcrEngine>>()>;

  // Creates `size` engines with `factory` (in parallel); fails with the first
  // engine's error.
  static core::Result<std::unique_ptr<EnginePool>> Create(
      size_t size, const Factory& factory);

  // An engine on loan; returned to the pool when the lease is destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    OcrEngine& operator*() const { return *engine_; }
    OcrEngine* operator->() const { return engine_; }

   private:
    friend class EnginePool;
    Lease(EnginePool* pool, OcrEngine* engine) : pool_(pool), engine_(engine) {}
    EnginePool* pool_;
    OcrEngine* engine_;
  };

  // A pool of up to `size` engines, each made by `factory` when a lease
  // finds no free engine; nothing is loaded before the first Acquire.
  static core::Result<std::unique_ptr<EnginePool>> CreateLazy(size_t size,
                                                              Factory factory);

  // Blocks until an engine is free. Fails only in a lazy pool, with the
  // factory's error, when a new engine could not be made.
  core::Result<Lease> Acquire();

  // The most engines the pool holds.
  size_t size() const { return size_; }

 private:
  EnginePool(std::vector<std::unique_ptr<OcrEngine>> engines, size_t size,
             Factory factory);
  void Release(OcrEngine* engine);

  const size_t size_;
  const Factory factory_;                            // empty unless lazy
  std::vector<std::unique_ptr<OcrEngine>> engines_;  // guarded by mutex_
  size_t making_ = 0;                                // guarded by mutex_
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<OcrEngine*> free_;
};

}  // namespace invoices::extract
