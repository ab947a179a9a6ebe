#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "invoices/auth/keys.h"

namespace invoices::auth {
namespace {

using core::ErrorCode;
using core::Json;

const PublicKey& KeyA() {
  static const PublicKey key = PrivateKey::Generate()->public_key();
  return key;
}
const PublicKey& KeyB() {
  static const PublicKey key = PrivateKey::Generate()->public_key();
  return key;
}

// An HttpFetch that serves whatever the test last put in it and counts calls.
class FakeJwksServer {
 public:
  void Serve(Json jwks) {
    std::lock_guard lock(mu_);
    body_ = jwks.dump();
    fail_ = false;
  }
  void ServeRaw(std::string body) {
    std::lock_guard lock(mu_);
    body_ = std::move(body);
    fail_ = false;
  }
  void Fail() {
    std::lock_guard lock(mu_);
    fail_ = true;
  }
  void SetDelay(std::chrono::milliseconds delay) { delay_ = delay; }
  int calls() const { return calls_.load(); }

  HttpFetch AsFetch() {
    return [this](const std::string& url) -> core::Result<std::string> {
      EXPECT_EQ(url, "https://issuer.example/.well-known/jwks.json");
      ++calls_;
      std::this_thread::sleep_for(delay_);
      std::lock_guard lock(mu_);
      if (fail_) return core::Unavailable("connection refused");
      return body_;
    };
  }

 private:
  std::mutex mu_;
  std::string body_;
  bool fail_ = false;
  std::chrono::milliseconds delay_{0};
  std::atomic<int> calls_{0};
};

Json Jwks(
    std::initializer_list<std::pair<const char*, const PublicKey*>> keys) {
  Json list = Json::array();
  for (const auto& [kid, key] : keys) list.push_back(key->ToJwk(kid));
  return Json{{"keys", list}};
}

class JwksUrlKeySourceTest : public ::testing::Test {
 protected:
  JwksUrlKeySourceTest() {
    server_.Serve(Jwks({{"a", &KeyA()}}));
    source_ = NewJwksUrlKeySource(
        {.url = "https://issuer.example/.well-known/jwks.json",
         .min_refresh_interval_seconds = 30,
         .max_age_seconds = 3600},
        server_.AsFetch(), clock_.AsClock());
  }

  FakeJwksServer server_;
  ManualClock clock_{1'700'000'000};
  std::unique_ptr<KeySource> source_;
};

TEST(StaticKeySourceTest, FindsByKid) {
  auto source = NewStaticKeySource(Jwks({{"a", &KeyA()}, {"b", &KeyB()}}));
  ASSERT_TRUE(source);
  auto a = (*source)->Find("a");
  ASSERT_TRUE(a);
  EXPECT_TRUE(*a == KeyA());
  auto b = (*source)->Find("b");
  ASSERT_TRUE(b);
  EXPECT_TRUE(*b == KeyB());
  auto none = (*source)->Find("c");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), ErrorCode::kNotFound);
  EXPECT_FALSE((*source)->Find(""));
  EXPECT_FALSE(NewStaticKeySource(Json{{"keys", 1}}));

  auto direct = NewStaticKeySource(KeyMap{{"x", KeyA()}});
  EXPECT_TRUE(direct->Find("x"));
}

TEST_F(JwksUrlKeySourceTest, FetchesOnFirstUseThenServesFromCache) {
  EXPECT_EQ(server_.calls(), 0);
  for (int i = 0; i < 100; ++i) {
    auto key = source_->Find("a");
    ASSERT_TRUE(key) << key.error().ToString();
    EXPECT_TRUE(*key == KeyA());
  }
  EXPECT_EQ(server_.calls(), 1);
}

TEST_F(JwksUrlKeySourceTest, UnknownKidRefreshesWithinTheRateBound) {
  ASSERT_TRUE(source_->Find("a"));
  ASSERT_EQ(server_.calls(), 1);

  // The first fetch happened just now: an unknown kid may not refetch yet.
  auto unknown = source_->Find("zzz");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(server_.calls(), 1);

  // After the interval: exactly one refresh, however many forged kids come.
  clock_.Advance(30);
  for (int i = 0; i < 50; ++i) {
    EXPECT_FALSE(source_->Find("forged-" + std::to_string(i)));
  }
  EXPECT_EQ(server_.calls(), 2);
  clock_.Advance(29);
  EXPECT_FALSE(source_->Find("zzz"));
  EXPECT_EQ(server_.calls(), 2);
  clock_.Advance(1);
  EXPECT_FALSE(source_->Find("zzz"));
  EXPECT_EQ(server_.calls(), 3);
  // Known keys never waited on any of this.
  EXPECT_TRUE(source_->Find("a"));
  EXPECT_EQ(server_.calls(), 3);
}

TEST_F(JwksUrlKeySourceTest, PicksUpRotatedKeys) {
  ASSERT_TRUE(source_->Find("a"));
  server_.Serve(Jwks({{"a", &KeyA()}, {"b", &KeyB()}}));
  clock_.Advance(31);
  auto b = source_->Find("b");
  ASSERT_TRUE(b) << b.error().ToString();
  EXPECT_TRUE(*b == KeyB());
  EXPECT_EQ(server_.calls(), 2);
}

TEST_F(JwksUrlKeySourceTest, FetchFailureIsUnavailableAndRateBounded) {
  server_.Fail();
  auto first = source_->Find("a");
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(first.error().message(),
              ::testing::HasSubstr("connection refused"));
  EXPECT_EQ(server_.calls(), 1);
  // Within the window the failure is remembered, not retried.
  auto again = source_->Find("a");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(server_.calls(), 1);

  server_.Serve(Jwks({{"a", &KeyA()}}));
  clock_.Advance(30);
  EXPECT_TRUE(source_->Find("a"));
  EXPECT_EQ(server_.calls(), 2);
}

TEST_F(JwksUrlKeySourceTest, MalformedJwksKeepsThePreviousKeys) {
  ASSERT_TRUE(source_->Find("a"));
  for (const char* body : {"<html>", R"({"keys": 3})"}) {
    server_.ServeRaw(body);
    clock_.Advance(30);
    auto b = source_->Find("b");
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().code(), ErrorCode::kUnavailable);
    EXPECT_TRUE(source_->Find("a"));
  }
}

TEST_F(JwksUrlKeySourceTest, StaleKeysAreRefreshedAndWithdrawnKeysStop) {
  ASSERT_TRUE(source_->Find("a"));
  // Past max age with the issuer down: keep serving what we have.
  server_.Fail();
  clock_.Advance(3600);
  EXPECT_TRUE(source_->Find("a"));
  EXPECT_EQ(server_.calls(), 2);
  EXPECT_TRUE(source_->Find("a"));  // rate bound: no retry yet
  EXPECT_EQ(server_.calls(), 2);

  // The issuer comes back having withdrawn "a".
  server_.Serve(Jwks({{"b", &KeyB()}}));
  clock_.Advance(30);
  auto a = source_->Find("a");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(server_.calls(), 3);
  EXPECT_TRUE(source_->Find("b"));
}

TEST_F(JwksUrlKeySourceTest, ConcurrentUnknownKidsShareOneFetch) {
  server_.SetDelay(std::chrono::milliseconds(50));
  std::atomic<int> found{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        if (source_->Find("a")) ++found;
        EXPECT_FALSE(source_->Find("unknown"));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(found.load(), 8 * 20);
  EXPECT_EQ(server_.calls(), 1);
}

}  // namespace
}  // namespace invoices::auth
