// A fixed set of OCR engines, created once (each loads its language models)
// and lent to one worker at a time. Thread safety: Acquire and the Lease
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

  // Blocks until an engine is free.
  Lease Acquire();

  size_t size() const { return engines_.size(); }
  const std::string& language() const { return engines_.front()->language(); }

 private:
  explicit EnginePool(std::vector<std::unique_ptr<OcrEngine>> engines);
  void Release(OcrEngine* engine);

  std::vector<std::unique_ptr<OcrEngine>> engines_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<OcrEngine*> free_;
};

}  // namespace invoices::extract
