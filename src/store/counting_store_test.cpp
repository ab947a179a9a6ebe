#include "invoices/store/counting_store.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace invoices::store {
namespace {

using core::ErrorCode;

TEST(CountingStoreTest, PassesCallsThroughAndCountsThem) {
  StoreCounters counters;
  auto store = NewCountingStore(NewMemoryStore(), counters);
  auto put = store->Put("a/b", "hello", {.content_type = "text/plain"});
  ASSERT_TRUE(put.has_value());
  EXPECT_EQ(put->etag, ComputeEtag("hello"));
  auto got = store->Get("a/b", ByteRange{1, 3});
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->bytes, "ell");
  EXPECT_EQ(store->Head("a/b")->content_type, "text/plain");
  auto page = store->List("a/", "", 10);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "a/b");
  EXPECT_TRUE(store->Delete("a/b").has_value());

  for (StoreOp op : {StoreOp::kPut, StoreOp::kGet, StoreOp::kHead,
                     StoreOp::kList, StoreOp::kDelete}) {
    EXPECT_EQ(counters.requests(op), 1u) << StoreOpName(op);
    EXPECT_EQ(counters.errors(op, ErrorCode::kNotFound), 0u);
  }
}

TEST(CountingStoreTest, CountsFailuresByOperationAndCode) {
  StoreCounters counters;
  auto store = NewCountingStore(NewMemoryStore(), counters);
  ASSERT_TRUE(store->Put("k", "v", {}).has_value());
  // The backend's own answers come back unchanged.
  EXPECT_EQ(store->Get("missing").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->Head("missing").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->Put("k", "w", {.if_none_match_star = true}).error().code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(store->Put("/bad", "v", {}).error().code(),
            ErrorCode::kInvalidArgument);
  // The memory store hands out no URLs.
  EXPECT_EQ(store->PresignGet("k", std::chrono::seconds(60)).error().code(),
            ErrorCode::kUnavailable);
  EXPECT_EQ(store->PresignPut("k", std::chrono::seconds(60)).error().code(),
            ErrorCode::kUnavailable);

  EXPECT_EQ(counters.requests(StoreOp::kPut), 3u);
  EXPECT_EQ(counters.errors(StoreOp::kPut, ErrorCode::kFailedPrecondition), 1u);
  EXPECT_EQ(counters.errors(StoreOp::kPut, ErrorCode::kInvalidArgument), 1u);
  EXPECT_EQ(counters.errors(StoreOp::kGet, ErrorCode::kNotFound), 1u);
  EXPECT_EQ(counters.errors(StoreOp::kHead, ErrorCode::kNotFound), 1u);
  EXPECT_EQ(counters.errors(StoreOp::kPresign, ErrorCode::kUnavailable), 1u);
  EXPECT_EQ(counters.errors(StoreOp::kPresignPut, ErrorCode::kUnavailable), 1u);
  EXPECT_EQ(counters.errors(StoreOp::kGet, ErrorCode::kUnavailable), 0u);
}

TEST(CountingStoreTest, CountsFromManyThreads) {
  StoreCounters counters;
  auto store = NewCountingStore(NewMemoryStore(), counters);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) (void)store->Get("nothing");
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counters.requests(StoreOp::kGet), 2000u);
  EXPECT_EQ(counters.errors(StoreOp::kGet, ErrorCode::kNotFound), 2000u);
}

TEST(CountingStoreTest, OperationNames) {
  EXPECT_EQ(StoreOpName(StoreOp::kPut), "put");
  EXPECT_EQ(StoreOpName(StoreOp::kPresign), "presign");
  EXPECT_EQ(StoreOpName(StoreOp::kPresignPut), "presign_put");
}

}  // namespace
}  // namespace invoices::store
