#include "invoices/core/executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <stdexcept>
#include <thread>

namespace invoices::core {
namespace {

using namespace std::chrono_literals;

// Polls `pred` for up to two seconds.
template <class Pred>
bool Eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return pred();
}

TEST(ExecutorTest, RunsTasksOnWorkerThreads) {
  std::mutex mu;
  std::set<std::thread::id> ids;
  std::atomic<int> done{0};
  {
    Executor executor(2, 64);
    EXPECT_EQ(executor.threads(), 2u);
    EXPECT_EQ(executor.capacity(), 64u);
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(executor.Submit([&] {
        std::lock_guard lock(mu);
        ids.insert(std::this_thread::get_id());
        ++done;
      }));
    }
  }
  EXPECT_EQ(done.load(), 50);
  EXPECT_EQ(ids.count(std::this_thread::get_id()), 0u);
  EXPECT_LE(ids.size(), 2u);
}

TEST(ExecutorTest, TrySubmitRefusesAtOnceWhenFull) {
  Executor executor(1, 2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(executor.TrySubmit([&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();  // the worker is busy, the queue is empty
  EXPECT_EQ(executor.Running(), 1u);
  EXPECT_TRUE(executor.TrySubmit([] {}));
  EXPECT_TRUE(executor.TrySubmit([] {}));
  EXPECT_EQ(executor.QueueDepth(), 2u);

  const auto before = std::chrono::steady_clock::now();
  bool ran = false;
  EXPECT_FALSE(executor.TrySubmit([&] { ran = true; }));
  EXPECT_LT(std::chrono::steady_clock::now() - before, 100ms);

  release.set_value();
  EXPECT_TRUE(Eventually([&] { return executor.QueueDepth() == 0; }));
  executor.Shutdown();
  EXPECT_FALSE(ran);
  EXPECT_EQ(executor.Running(), 0u);
}

TEST(ExecutorTest, SubmitBlocksUntilThereIsRoom) {
  Executor executor(1, 1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(executor.Submit([&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();
  ASSERT_TRUE(executor.Submit([] {}));  // fills the queue

  std::atomic<bool> submitted{false};
  std::atomic<bool> third_ran{false};
  std::thread submitter([&] {
    EXPECT_TRUE(executor.Submit([&] { third_ran = true; }));
    submitted = true;
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(submitted.load());  // still waiting for room

  release.set_value();
  submitter.join();
  EXPECT_TRUE(submitted.load());
  EXPECT_TRUE(Eventually([&] { return third_ran.load(); }));
}

TEST(ExecutorTest, DestructorDrainsQueuedTasks) {
  std::atomic<int> done{0};
  {
    Executor executor(1, 100);
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(executor.TrySubmit([&] {
        std::this_thread::sleep_for(100us);
        ++done;
      }));
    }
  }
  EXPECT_EQ(done.load(), 100);
}

TEST(ExecutorTest, ShutdownRefusesNewTasksAndWakesBlockedSubmitters) {
  auto executor = std::make_unique<Executor>(1, 1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(executor->Submit([&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();
  ASSERT_TRUE(executor->Submit([] {}));

  std::promise<bool> blocked_result;
  std::thread blocked(
      [&] { blocked_result.set_value(executor->Submit([] {})); });
  std::this_thread::sleep_for(50ms);

  std::thread stopper([&] { executor->Shutdown(); });
  // The blocked Submit is refused as soon as shutdown begins, even though
  // the worker is still busy.
  auto result = blocked_result.get_future();
  ASSERT_EQ(result.wait_for(2s), std::future_status::ready);
  EXPECT_FALSE(result.get());
  EXPECT_FALSE(executor->TrySubmit([] {}));
  EXPECT_FALSE(executor->Submit([] {}));

  release.set_value();
  stopper.join();
  blocked.join();
  executor->Shutdown();  // idempotent
  EXPECT_EQ(executor->QueueDepth(), 0u);
}

TEST(ExecutorTest, ThrowingTaskDoesNotKillTheWorker) {
  Executor executor(1, 4);
  ASSERT_TRUE(executor.Submit([] { throw std::runtime_error("boom"); }));
  std::promise<int> after;
  ASSERT_TRUE(executor.Submit([&] { after.set_value(42); }));
  auto f = after.get_future();
  ASSERT_EQ(f.wait_for(2s), std::future_status::ready);
  EXPECT_EQ(f.get(), 42);
}

TEST(ExecutorTest, ClampsZeroSizes) {
  Executor executor(0, 0);
  EXPECT_EQ(executor.threads(), 1u);
  EXPECT_EQ(executor.capacity(), 1u);
  std::promise<void> ran;
  ASSERT_TRUE(executor.Submit([&] { ran.set_value(); }));
  EXPECT_EQ(ran.get_future().wait_for(2s), std::future_status::ready);
}

TEST(ExecutorTest, ConcurrentSubmittersFromManyThreads) {
  std::atomic<int> done{0};
  std::atomic<int> refused{0};
  {
    Executor executor(2, 8);
    std::vector<std::thread> producers;
    for (int p = 0; p < 4; ++p) {
      producers.emplace_back([&] {
        for (int i = 0; i < 200; ++i) {
          if (i % 2 == 0) {
            ASSERT_TRUE(executor.Submit([&] { ++done; }));
          } else if (!executor.TrySubmit([&] { ++done; })) {
            ++refused;
          }
        }
      });
    }
    for (auto& t : producers) t.join();
  }
  EXPECT_EQ(done.load() + refused.load(), 800);
  EXPECT_GE(done.load(), 400);
}

}  // namespace
}  // namespace invoices::core
