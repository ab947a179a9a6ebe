#include "invoices/extract/engine_pool.h"

#include <optional>
#include <thread>

namespace invoices::extract {

core::Result<std::unique_ptr<EnginePool>> EnginePool::Create(
    size_t size, const Factory& factory) {
  if (size == 0) return core::InvalidArgument("an engine pool needs an engine");
  // Loading a model is mostly IO and parsing: load the engines side by side.
  std::vector<std::optional<core::Result<std::unique_ptr<OcrEngine>>>> made(
      size);
  {
    std::vector<std::jthread> loaders;
    for (size_t i = 0; i < size; ++i) {
      loaders.emplace_back([&, i] { made[i].emplace(factory()); });
    }
  }
  std::vector<std::unique_ptr<OcrEngine>> engines;
  for (auto& m : made) {
    if (!*m) return std::unexpected(m->error());
    engines.push_back(std::move(**m));
  }
  return std::unique_ptr<EnginePool>(
      new EnginePool(std::move(engines), size, nullptr));
}

core::Result<std::unique_ptr<EnginePool>> EnginePool::CreateLazy(
    size_t size, Factory factory) {
  if (size == 0) return core::InvalidArgument("an engine pool needs an engine");
  return std::unique_ptr<EnginePool>(
      new EnginePool({}, size, std::move(factory)));
}

EnginePool::EnginePool(std::vector<std::unique_ptr<OcrEngine>> engines,
                       size_t size, Factory factory)
    : size_(size), factory_(std::move(factory)), engines_(std::move(engines)) {
  for (auto& e : engines_) free_.push_back(e.get());
}

core::Result<EnginePool::Lease> EnginePool::Acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] {
    return !free_.empty() || (factory_ && engines_.size() + making_ < size_);
  });
  if (free_.empty()) {
    // Made outside the lock: loading a model takes tens of milliseconds.
    ++making_;
    lock.unlock();
    core::Result<std::unique_ptr<OcrEngine>> made = factory_();
    lock.lock();
    --making_;
    if (!made) {
      lock.unlock();
      available_.notify_one();  // another waiter may try again
      return std::unexpected(made.error());
    }
    engines_.push_back(std::move(*made));
    return Lease(this, engines_.back().get());
  }
  OcrEngine* engine = free_.back();
  free_.pop_back();
  return Lease(this, engine);
}

void EnginePool::Release(OcrEngine* engine) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(engine);
  }
  available_.notify_one();
}

EnginePool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), engine_(other.engine_) {
  other.pool_ = nullptr;
  other.engine_ = nullptr;
}

EnginePool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Release(engine_);
}

}  // namespace invoices::extract
