#include "invoices/auth/password.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace invoices::auth {
namespace {

using core::ErrorCode;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr Argon2Params kCheap{.memory_kib = 8, .iterations = 1};

std::unique_ptr<PasswordHasher> Cheap() {
  return *PasswordHasher::Create(kCheap);
}

TEST(PasswordHasherTest, HashesIntoPhcStringsWithFreshSalts) {
  auto hasher = Cheap();
  auto a = hasher->Hash("correct horse");
  auto b = hasher->Hash("correct horse");
  ASSERT_TRUE(a && b);
  EXPECT_THAT(*a, StartsWith("$argon2id$v=19$m=8,t=1,p=1$"));
  EXPECT_NE(*a, *b);  // per-password random salt
  EXPECT_EQ(*hasher->Verify("correct horse", *a), true);
  EXPECT_EQ(*hasher->Verify("correct horse", *b), true);
  EXPECT_EQ(*hasher->Verify("correct horsE", *a), false);
  EXPECT_EQ(*hasher->Verify("", *a), false);
}

TEST(PasswordHasherTest, DefaultsAreOwaspArgon2id) {
  auto hasher = *PasswordHasher::Create(Argon2Params{});
  auto hash = hasher->Hash("pw");
  ASSERT_TRUE(hash);
  EXPECT_THAT(*hash, StartsWith("$argon2id$v=19$m=19456,t=2,p=1$"));
  EXPECT_TRUE(*hasher->Verify("pw", *hash));
}

// The reference implementation's vector (phc-winner-argon2, src/test.c):
// hashes made elsewhere verify here.
TEST(PasswordHasherTest, VerifiesTheReferenceVector) {
  const std::string reference =
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$"
      "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
  auto hasher = Cheap();
  EXPECT_EQ(*hasher->Verify("password", reference), true);
  EXPECT_EQ(*hasher->Verify("passwore", reference), false);
  EXPECT_TRUE(hasher->NeedsRehash(reference));
}

TEST(PasswordHasherTest, VerifiesHashesMadeWithOtherParameters) {
  auto old_hasher =
      *PasswordHasher::Create({.memory_kib = 16, .iterations = 2});
  auto hash = *old_hasher->Hash("secret");
  auto hasher = Cheap();
  EXPECT_TRUE(*hasher->Verify("secret", hash));
  EXPECT_TRUE(hasher->NeedsRehash(hash));
  EXPECT_FALSE(old_hasher->NeedsRehash(hash));
  EXPECT_FALSE(hasher->NeedsRehash(*hasher->Hash("secret")));
  EXPECT_TRUE(hasher->NeedsRehash("garbage"));
}

TEST(PasswordHasherTest, RefusesMalformedAndOutOfRangeStrings) {
  auto hasher = Cheap();
  const std::string good = *hasher->Hash("x");
  for (const std::string& bad : {
           std::string(""), std::string("plain"),
           "$argon2i$v=19$m=8,t=1,p=1$c29tZXNhbHQ$" +
               good.substr(good.rfind('$') + 1),
           "$argon2id$v=16$m=8,t=1,p=1$c29tZXNhbHQ$" +
               good.substr(good.rfind('$') + 1),
           std::string(
               "$argon2id$v=19$m=8,t=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA"),
           std::string("$argon2id$v=19$m=08,t=1,p=1$c29tZXNhbHQ$"
                       "AAAAAAAAAAAAAAAAAAAAAA"),
           std::string(
               "$argon2id$v=19$m=8,t=1,p=1$c29t*XNhbHQ$AAAAAAAAAAAAAAAAAAAAAA"),
           std::string("$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$"
                       "AAAAAAAAAAAAAAAAAAAAAA=="),
           good + "$extra",
           // 8 TiB of memory: refused before any is spent.
           std::string("$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHQ$"
                       "AAAAAAAAAAAAAAAAAAAAAA"),
           std::string(
               "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$AAAA"),  // 3 bytes
       }) {
    auto r = hasher->Verify("x", bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(PasswordHasherTest, RefusesOverlongPasswords) {
  auto hasher = Cheap();
  const std::string huge(kMaxPasswordBytes + 1, 'a');
  EXPECT_EQ(hasher->Hash(huge).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(hasher->Verify(huge, *hasher->Hash("a")).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(hasher->Hash(std::string(kMaxPasswordBytes, 'a')));
}

TEST(PasswordHasherTest, ValidatesParameters) {
  EXPECT_TRUE(ValidateArgon2Params({}));
  EXPECT_TRUE(ValidateArgon2Params(kCheap));
  EXPECT_FALSE(ValidateArgon2Params({.memory_kib = 7, .iterations = 1}));
  EXPECT_FALSE(ValidateArgon2Params(
      {.memory_kib = 16, .iterations = 1, .parallelism = 4}));  // < 8 * p
  EXPECT_FALSE(ValidateArgon2Params({.iterations = 0}));
  EXPECT_FALSE(ValidateArgon2Params({.parallelism = 0}));
  EXPECT_FALSE(ValidateArgon2Params({.salt_bytes = 4}));
  EXPECT_FALSE(ValidateArgon2Params({.hash_bytes = 8}));
  EXPECT_FALSE(PasswordHasher::Create({.iterations = 0}));
}

TEST(PasswordHasherTest, ManyThreadsThroughANarrowGate) {
  auto hasher = *PasswordHasher::Create(kCheap, /*max_concurrent=*/2);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      const std::string pw = "pw" + std::to_string(i);
      auto h = hasher->Hash(pw);
      if (h && *hasher->Verify(pw, *h)) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
}

TEST(PasswordPolicyTest, CognitoDefaults) {
  const PasswordPolicy policy;
  EXPECT_TRUE(CheckPassword(policy, "Passw0rd!"));
  EXPECT_TRUE(CheckPassword(policy, "Pass w0rd"));  // inner space is a symbol
  struct Case {
    std::string password;
    std::string message;
  } cases[] = {
      {"Pw0rd!", "Password not long enough"},
      {"password0!", "Password must have uppercase characters"},
      {"PASSWORD0!", "Password must have lowercase characters"},
      {"Password!!", "Password must have numeric characters"},
      {"Password00", "Password must have symbol characters"},
      {" Passw0rd!", "must not begin or end with a space"},
      {"Passw0rd! ", "must not begin or end with a space"},
      {"Aa0!" + std::string(253, 'x'), "Password is too long"},
  };
  for (const Case& c : cases) {
    auto r = CheckPassword(policy, c.password);
    ASSERT_FALSE(r) << c.password;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(r.error().message(),
                StartsWith("Password did not conform with policy: "));
    EXPECT_THAT(r.error().message(), HasSubstr(c.message)) << c.password;
  }
}

TEST(PasswordPolicyTest, CountsCharactersNotBytes) {
  const PasswordPolicy policy{.min_length = 8,
                              .require_uppercase = false,
                              .require_lowercase = false,
                              .require_digit = false,
                              .require_symbol = false};
  EXPECT_FALSE(CheckPassword(policy, "ééééééé"));  // 7 characters, 14 bytes
  EXPECT_TRUE(CheckPassword(policy, "éééééééé"));
  EXPECT_TRUE(CheckPassword(policy, "abcdefgh"));
}

TEST(PasswordPolicyTest, ValidatesItself) {
  EXPECT_TRUE(ValidatePasswordPolicy({}));
  EXPECT_FALSE(ValidatePasswordPolicy({.min_length = 5}));
  EXPECT_FALSE(ValidatePasswordPolicy({.min_length = 100}));
}

}  // namespace
}  // namespace invoices::auth
