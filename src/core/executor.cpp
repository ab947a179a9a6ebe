#include "invoices/core/executor.h"

#include <algorithm>
#include <utility>

namespace invoices::core {

Executor::Executor(size_t threads, size_t queue_capacity)
    : capacity_(std::max<size_t>(queue_capacity, 1)) {
  threads = std::max<size_t>(threads, 1);
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

Executor::~Executor() { Shutdown(); }

bool Executor::TrySubmit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= capacity_) return false;
    queue_.push_back(std::move(task));
  }
  has_task_.notify_one();
  return true;
}

bool Executor::Submit(std::function<void()> task) {
  {
    std::unique_lock lock(mu_);
    has_room_.wait(lock,
                   [this] { return stopping_ || queue_.size() < capacity_; });
    if (stopping_) return false;
    queue_.push_back(std::move(task));
  }
  has_task_.notify_one();
  return true;
}

size_t Executor::QueueDepth() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

size_t Executor::Running() const {
  std::lock_guard lock(mu_);
  return running_;
}

void Executor::Shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  has_task_.notify_all();
  has_room_.notify_all();
  std::lock_guard join_lock(join_mu_);
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

void Executor::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      has_task_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Drain before exiting: a queued task was accepted, so it runs.
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    has_room_.notify_one();
    try {
      task();
    } catch (...) {
      // See the header: dropped on purpose, the worker lives on.
    }
    // Destroy the task's captures before it stops counting as running, so
    // that Running() == 0 means nothing of it is left.
    task = nullptr;
    std::lock_guard lock(mu_);
    --running_;
  }
}

}  // namespace invoices::core
