// A bounded worker pool: a fixed number of threads fed from a queue with a
// fixed capacity. It exists so that CPU-heavy work (decoding, OCR) runs on a
// known number of threads and so that overload is refused at the door
// (TrySubmit fails at once) instead of piling up unbounded memory and latency.
// Tasks should not throw; one that does is caught and dropped, so that one bad
// task cannot take a worker (and the process) down with it.
//
// Thread safety: every member may be called from any thread concurrently,
// except that Shutdown() and the destructor must not be called from a task
// running on this executor (they join the worker threads).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace invoices::core {

class Executor {
 public:
  // Starts `threads` worker threads (at least 1) sharing a queue that holds at
  // most `queue_capacity` tasks (at least 1) waiting to start; running tasks
  // do not count against the capacity.
  Executor(size_t threads, size_t queue_capacity);
  // Shutdown(): the tasks already queued still run.
  ~Executor();

  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `task` and returns true, or returns false at once, without running
  // or keeping `task`, when the queue is full or the executor is shut down.
  // Never blocks beyond a short internal lock.
  [[nodiscard]] bool TrySubmit(std::function<void()> task);

  // Queues `task`, blocking until the queue has room. Returns false, without
  // running `task`, only when the executor is (or becomes, while waiting) shut
  // down. A task that calls Submit on its own executor can deadlock when every
  // worker does so on a full queue; use TrySubmit from tasks.
  bool Submit(std::function<void()> task);

  // Tasks queued and not yet started.
  size_t QueueDepth() const;
  // Tasks being run by a worker right now.
  size_t Running() const;

  size_t threads() const { return workers_.size(); }
  size_t capacity() const { return capacity_; }

  // Refuses new tasks, lets the queued and running ones finish, and joins the
  // worker threads. Idempotent; returns once every worker has exited. A task
  // that never returns makes this never return: tasks cannot be cancelled.
  void Shutdown();

 private:
  void WorkerLoop();

  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable has_task_;  // workers wait on it
  std::condition_variable has_room_;  // Submit waits on it
  std::deque<std::function<void()>> queue_;
  size_t running_ = 0;
  bool stopping_ = false;
  std::mutex join_mu_;  // serialises concurrent Shutdown() calls
  std::vector<std::thread> workers_;
};

}  // namespace invoices::core
