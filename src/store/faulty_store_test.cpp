#include "invoices/store/faulty_store.h"

#include <gtest/gtest.h>

#include <vector>

namespace invoices::store {
namespace {

using core::ErrorCode;

class FaultyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    faults_.set_sleep(
        [this](std::chrono::milliseconds d) { slept_.push_back(d); });
  }

  std::unique_ptr<ObjectStore> base_ = NewMemoryStore();
  FaultInjector faults_{42};
  std::unique_ptr<ObjectStore> store_ = NewFaultyStore(*base_, faults_);
  std::vector<std::chrono::milliseconds> slept_;
};

TEST_F(FaultyStoreTest, WithoutRulesEverythingPassesThrough) {
  ASSERT_TRUE(store_->Put("a/b", "hello", {.content_type = "text/plain"}));
  auto got = store_->Get("a/b");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->bytes, "hello");
  EXPECT_EQ(store_->Head("a/b")->content_type, "text/plain");
  EXPECT_EQ(store_->List("a/")->objects.size(), 1u);
  EXPECT_TRUE(store_->Delete("a/b"));
  EXPECT_EQ(store_->Get("a/b").error().code(), ErrorCode::kNotFound);
  // The memory store cannot presign: its own answer comes back.
  EXPECT_EQ(store_->PresignGet("a/b", std::chrono::seconds(60)).error().code(),
            ErrorCode::kUnavailable);
  const FaultStats s = faults_.stats();
  EXPECT_EQ(s.calls, 7u);
  EXPECT_EQ(s.writes, 2u);
  EXPECT_EQ(s.injected, 0u);
}

TEST_F(FaultyStoreTest, FailsByOperationAndKeyPrefixWithTheChosenCode) {
  faults_.Add({.ops = kFaultPut,
               .key_prefix = "users/u1/",
               .error = ErrorCode::kInternal});
  auto refused = store_->Put("users/u1/x", "1", {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kInternal);
  EXPECT_NE(refused.error().message().find("users/u1/x"), std::string::npos);
  EXPECT_EQ(base_->Head("users/u1/x").error().code(), ErrorCode::kNotFound);
  // Another prefix, another operation: untouched.
  EXPECT_TRUE(store_->Put("users/u2/x", "2", {}));
  EXPECT_EQ(store_->Get("users/u1/x").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(faults_.stats().injected, 1u);
}

TEST_F(FaultyStoreTest, EveryNthMatchingCallAndAtMostMaxFaults) {
  ASSERT_TRUE(base_->Put("k", "v", {}));
  faults_.Add({.ops = kFaultGet, .every_nth = 3, .max_faults = 2});
  std::vector<bool> ok;
  for (int i = 0; i < 12; ++i) ok.push_back(store_->Get("k").has_value());
  EXPECT_EQ(ok, (std::vector<bool>{true, true, false, true, true, false, true,
                                   true, true, true, true, true}));
}

TEST_F(FaultyStoreTest, ProbabilityIsRepeatableForASeed) {
  ASSERT_TRUE(base_->Put("k", "v", {}));
  auto pattern = [&](uint64_t seed, double p) {
    FaultInjector faults(seed);
    faults.Add({.ops = kFaultGet, .probability = p});
    auto store = NewFaultyStore(*base_, faults);
    std::vector<bool> out;
    for (int i = 0; i < 200; ++i) out.push_back(store->Get("k").has_value());
    return out;
  };
  const auto a = pattern(7, 0.3);
  EXPECT_EQ(a, pattern(7, 0.3));
  const auto failed = std::count(a.begin(), a.end(), false);
  EXPECT_GT(failed, 20);  // 60 expected; the seed fixes the exact count
  EXPECT_LT(failed, 100);
  const auto none = pattern(7, 0.0);
  EXPECT_EQ(std::count(none.begin(), none.end(), false), 0);
  const auto all = pattern(7, 1.0);
  EXPECT_EQ(std::count(all.begin(), all.end(), true), 0);
}

TEST_F(FaultyStoreTest, DelaysWithAndWithoutAnError) {
  faults_.Add({.ops = kFaultHead,
               .error = std::nullopt,
               .delay = std::chrono::milliseconds(250)});
  faults_.Add({.ops = kFaultGet, .delay = std::chrono::milliseconds(40)});
  ASSERT_TRUE(base_->Put("k", "v", {}));
  EXPECT_TRUE(store_->Head("k"));  // slow, but answered
  EXPECT_EQ(store_->Get("k").error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(slept_, (std::vector<std::chrono::milliseconds>{
                        std::chrono::milliseconds(250),
                        std::chrono::milliseconds(40)}));
  EXPECT_EQ(faults_.stats().delayed, 2u);
  EXPECT_EQ(faults_.stats().injected, 1u);
}

TEST_F(FaultyStoreTest, ALostResponseHidesAWriteThatHappened) {
  faults_.Add({.ops = kFaultPut, .max_faults = 1, .after_applying = true});
  faults_.Add({.ops = kFaultDelete, .max_faults = 1, .after_applying = true});
  auto put = store_->Put("k", "written", {.if_none_match_star = true});
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(base_->Get("k")->bytes, "written");
  // A retry of the conditional put now meets its own first attempt.
  EXPECT_EQ(
      store_->Put("k", "written", {.if_none_match_star = true}).error().code(),
      ErrorCode::kFailedPrecondition);
  EXPECT_FALSE(store_->Delete("k"));
  EXPECT_EQ(base_->Head("k").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(faults_.stats().lost, 2u);
}

TEST_F(FaultyStoreTest, CrashAfterTheKthWriteFailsEveryLaterCall) {
  faults_.CrashAfterWrites(2);
  EXPECT_TRUE(store_->Put("a", "1", {}));
  EXPECT_TRUE(store_->Get("a"));  // reads do not count
  EXPECT_TRUE(store_->Put("b", "2", {}));
  EXPECT_TRUE(faults_.crashed());
  EXPECT_EQ(store_->Get("a").error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(store_->Put("c", "3", {}).error().code(), ErrorCode::kUnavailable);
  EXPECT_FALSE(store_->Delete("a"));
  EXPECT_FALSE(store_->List(""));
  // The base store holds what the two writes left, nothing more.
  auto all = base_->List("");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->objects.size(), 2u);
  EXPECT_EQ(faults_.stats().refused_by_crash, 4u);
  // A restart: the same base store, a store without the crash.
  faults_.Revive();
  EXPECT_TRUE(store_->Put("c", "3", {}));

  faults_.CrashAfterWrites(0);  // dead before any write
  EXPECT_FALSE(store_->Get("a"));
}

TEST_F(FaultyStoreTest, ClearRemovesRulesAndTheCrash) {
  faults_.Add({.ops = kFaultAll});
  faults_.CrashAfterWrites(0);
  EXPECT_FALSE(store_->Put("a", "1", {}));
  faults_.Clear();
  EXPECT_TRUE(store_->Put("a", "1", {}));
}

}  // namespace
}  // namespace invoices::store
