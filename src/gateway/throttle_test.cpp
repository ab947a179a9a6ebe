#include "invoices/gateway/throttle.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace invoices::gateway {
namespace {

using namespace std::chrono_literals;

// A clock that moves only when the test says so.
struct ManualClock {
  std::chrono::steady_clock::time_point now{};
  Throttle::Clock AsClock() {
    return [this] { return now; };
  }
};

std::unique_ptr<Throttle> Make(ThrottleOptions options, ManualClock& clock) {
  auto throttle = Throttle::Create(options, clock.AsClock());
  EXPECT_TRUE(throttle.has_value()) << throttle.error().ToString();
  return std::move(*throttle);
}

// Admits requests of `client` until one is refused; returns how many were.
int AdmitUntilRefused(Throttle& t, std::string_view client, int max = 10000) {
  int n = 0;
  while (n < max && t.Admit(client).admitted) ++n;
  return n;
}

TEST(ThrottleTest, ABurstIsAdmittedAtOnceThenTheRateRefills) {
  ManualClock clock;
  auto t = Make({.rate = 0, .client_rate = 10, .client_burst = 5}, clock);
  EXPECT_EQ(AdmitUntilRefused(*t, "alice"), 5);
  // 10 tokens a second: one every 100 ms.
  clock.now += 100ms;
  EXPECT_TRUE(t->Admit("alice").admitted);
  EXPECT_FALSE(t->Admit("alice").admitted);
  clock.now += 350ms;
  EXPECT_EQ(AdmitUntilRefused(*t, "alice"), 3);
  // Never more than the burst, however long the pause.
  clock.now += 1h;
  EXPECT_EQ(AdmitUntilRefused(*t, "alice"), 5);
}

TEST(ThrottleTest, ARefusalSaysWhichLimitAndTakesNoToken) {
  ManualClock clock;
  auto t = Make({.rate = 10, .burst = 4, .client_rate = 1, .client_burst = 2},
                clock);
  EXPECT_EQ(AdmitUntilRefused(*t, "alice"), 2);
  const ThrottleDecision d = t->Admit("alice");
  EXPECT_FALSE(d.admitted);
  EXPECT_EQ(d.limit, ThrottleLimit::kClient);
  // Alice's refusals did not drain the server's bucket: two tokens are left
  // for bob, then the server's own limit refuses.
  EXPECT_EQ(AdmitUntilRefused(*t, "bob"), 2);
  const ThrottleDecision g = t->Admit("carol");
  EXPECT_FALSE(g.admitted);
  EXPECT_EQ(g.limit, ThrottleLimit::kGlobal);
  EXPECT_EQ(t->refused(ThrottleLimit::kClient), 2u);  // alice twice
  EXPECT_EQ(t->refused(ThrottleLimit::kGlobal), 2u);  // bob's last, carol
}

TEST(ThrottleTest, ClientsAreIsolated) {
  ManualClock clock;
  auto t = Make({.rate = 0, .client_rate = 1, .client_burst = 3}, clock);
  EXPECT_EQ(AdmitUntilRefused(*t, "user alice"), 3);
  EXPECT_FALSE(t->Admit("user alice").admitted);
  EXPECT_EQ(AdmitUntilRefused(*t, "user bob"), 3);
  EXPECT_EQ(AdmitUntilRefused(*t, "ip 127.0.0.1"), 3);
  EXPECT_EQ(t->clients(), 3u);
}

TEST(ThrottleTest, RetryAfterIsTheWholeSecondsUntilATokenAtLeastOne) {
  ManualClock clock;
  {
    // 0.25 tokens a second: an empty bucket has its next token in 4 s.
    auto t = Make({.rate = 0, .client_rate = 0.25, .client_burst = 1}, clock);
    ASSERT_TRUE(t->Admit("a").admitted);
    EXPECT_EQ(t->Admit("a").retry_after, 4s);
    clock.now += 1500ms;  // 0.375 tokens: 2.5 s to go, rounded up
    EXPECT_EQ(t->Admit("a").retry_after, 3s);
    clock.now += 1500ms;  // 0.75 tokens: 1 s to go
    EXPECT_EQ(t->Admit("a").retry_after, 1s);
    clock.now += 1s;
    EXPECT_TRUE(t->Admit("a").admitted);
    EXPECT_EQ(t->Admit("a").retry_after, 4s);
  }
  {
    // A fast limit still says 1 s, never 0.
    auto t = Make({.rate = 100, .burst = 1, .client_rate = 0}, clock);
    ASSERT_TRUE(t->Admit("a").admitted);
    const ThrottleDecision d = t->Admit("b");
    EXPECT_FALSE(d.admitted);
    EXPECT_EQ(d.retry_after, 1s);
  }
  {
    // Both limits refuse: the later of the two.
    auto t =
        Make({.rate = 0.5, .burst = 1, .client_rate = 0.2, .client_burst = 1},
             clock);
    ASSERT_TRUE(t->Admit("a").admitted);
    const ThrottleDecision d = t->Admit("a");
    EXPECT_EQ(d.limit, ThrottleLimit::kGlobal);
    EXPECT_EQ(d.retry_after, 5s);
  }
}

TEST(ThrottleTest, ARateOfZeroTurnsALimitOff) {
  ManualClock clock;
  auto t = Make({.rate = 0, .client_rate = 0}, clock);
  EXPECT_EQ(AdmitUntilRefused(*t, "a", 100000), 100000);
  EXPECT_EQ(t->clients(), 0u);  // no buckets kept when there is no limit
}

// Below 1024 clients the buckets are in one shard, so that one call sees
// them all; with more, each shard drops its own idle buckets.
TEST(ThrottleTest, IdleBucketsAreDropped) {
  ManualClock clock;
  auto t = Make(
      {.rate = 0, .client_rate = 10, .client_burst = 10, .max_clients = 1000},
      clock);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(t->Admit("client" + std::to_string(i)).admitted);
  }
  EXPECT_EQ(t->clients(), 50u);
  // 0.1 s later each has refilled its one token: all idle, all dropped
  // when a new client arrives.
  clock.now += 100ms;
  ASSERT_TRUE(t->Admit("newcomer").admitted);
  EXPECT_EQ(t->clients(), 1u);
}

TEST(ThrottleTest, BucketsInUseAreKeptIdleOnesGoWithoutNewClients) {
  ManualClock clock;
  auto t = Make(
      {.rate = 0, .client_rate = 1, .client_burst = 5, .max_clients = 1000},
      clock);
  EXPECT_EQ(AdmitUntilRefused(*t, "busy"), 5);
  ASSERT_TRUE(t->Admit("quiet").admitted);
  clock.now += 2s;  // quiet is full again, busy has 2 of 5 tokens
  ASSERT_TRUE(t->Admit("busy").admitted);
  // The next call of a known client drops the idle bucket at the old end.
  ASSERT_TRUE(t->Admit("busy").admitted);
  EXPECT_EQ(t->clients(), 1u);
  // Busy's bucket was kept: it still has only 0 tokens left.
  EXPECT_FALSE(t->Admit("busy").admitted);
}

TEST(ThrottleTest, MemoryIsBoundedByMaxClients) {
  ManualClock clock;
  auto t =
      Make({.rate = 0, .client_rate = 1, .client_burst = 2, .max_clients = 100},
           clock);
  // A flood of distinct clients that all stay active (time stands still).
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(t->Admit("flood" + std::to_string(i)).admitted);
    ASSERT_LE(t->clients(), 100u);
  }
  EXPECT_EQ(t->clients(), 100u);
  // The least recently used went first: flood0's bucket is gone, so it
  // starts again with a full one (the documented price of the bound).
  EXPECT_EQ(AdmitUntilRefused(*t, "flood0"), 2);
  // The most recent ones are still there, with one token used.
  EXPECT_EQ(AdmitUntilRefused(*t, "flood999"), 1);
}

TEST(ThrottleTest, ShardedBucketsStayWithinTheBound) {
  ManualClock clock;
  auto t = Make(
      {.rate = 0, .client_rate = 1, .client_burst = 2, .max_clients = 2048},
      clock);
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(t->Admit("c" + std::to_string(i)).admitted);
  }
  EXPECT_LE(t->clients(), 2048u);
  EXPECT_GT(t->clients(), 1024u);
}

TEST(ThrottleTest, ConcurrentAdmitsNeverExceedTheBurst) {
  // With time standing still, exactly `burst` requests get through however
  // many threads ask at once.
  ManualClock clock;
  auto t = Make({.rate = 1, .burst = 1000, .client_rate = 0}, clock);
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < 1000; ++j) {
        if (t->Admit("t" + std::to_string(i)).admitted) ++admitted;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(admitted.load(), 1000);
  EXPECT_EQ(t->refused(ThrottleLimit::kGlobal), 3000u);
}

TEST(ThrottleTest, InvalidOptionsAreRefused) {
  EXPECT_FALSE(Throttle::Create({.rate = -1}).has_value());
  EXPECT_FALSE(Throttle::Create({.rate = 5, .burst = 0}).has_value());
  EXPECT_FALSE(
      Throttle::Create({.client_rate = 5, .client_burst = 0.5}).has_value());
  EXPECT_FALSE(Throttle::Create({.max_clients = 0}).has_value());
  // A limit that is off needs no burst.
  EXPECT_TRUE(Throttle::Create({.rate = 0, .burst = 0}).has_value());
}

}  // namespace
}  // namespace invoices::gateway
