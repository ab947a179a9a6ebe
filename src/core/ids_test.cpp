#include "invoices/core/ids.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

namespace invoices::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

system_clock::time_point At(int64_t ms) {
  return system_clock::time_point(milliseconds(ms));
}

TEST(IdsTest, LayoutAndTimestamp) {
  IdGenerator gen;
  const std::string id = gen.Next(At(1700000000123));
  EXPECT_EQ(id.size(), kIdLength);
  EXPECT_TRUE(IsValidId(id)) << id;
  EXPECT_EQ(IdTimestampMs(id), 1700000000123u);
  // The ULID spec's example timestamp.
  IdGenerator fresh;  // `gen` never goes back in time
  EXPECT_EQ(fresh.Next(At(1469918176385)).substr(0, 10), "01ARYZ6S41");
}

TEST(IdsTest, SortInTimeOrderAndStayIncreasingWithinAMillisecond) {
  IdGenerator gen;
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(gen.Next(At(1000 + i / 100)));
  ids.push_back(gen.Next(At(5)));  // the clock stepped back
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  EXPECT_EQ(IdTimestampMs(ids.back()), 1009u);
}

TEST(IdsTest, RandomPartDiffersBetweenGenerators) {
  IdGenerator a, b;
  EXPECT_NE(a.Next(At(1)), b.Next(At(1)));
}

TEST(IdsTest, ConcurrentNextIsUnique) {
  IdGenerator gen;
  std::vector<std::vector<std::string>> out(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) out[t].push_back(gen.Next(At(42)));
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& v : out) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), 2000u);
}

TEST(IdsTest, ParseIdNormalisesAndRefuses) {
  const std::string id = NewId();
  std::string lower = id;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  ASSERT_TRUE(ParseId(lower));
  EXPECT_EQ(*ParseId(lower), id);
  for (std::string_view bad :
       {"", "abc", "01ARYZ6S41TSV4RRFFQ69G5FAVX", "01ARYZ6S41TSV4RRFFQ69G5FAU",
        "81ARYZ6S41TSV4RRFFQ69G5FAV", "01ARYZ6S41TSV4RRFFQ69G5FA/",
        "../../../../../../etc/pass"}) {
    EXPECT_FALSE(ParseId(bad)) << bad;
    EXPECT_FALSE(IsValidId(bad)) << bad;
  }
}

}  // namespace
}  // namespace invoices::core
