// The index cache of InvoiceRepository (RepositoryOptions::index_cache_bytes):
// list pages stop reading and parsing segments they have parsed before, and
// yet every replica sees every change of another at once, exactly as a
// repository without a cache does.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "invoices/store/invoice_repository.h"

namespace invoices::store {
namespace {

// Forwards to another store and counts the GETs of index objects.
class RecordingStore final : public ObjectStore {
 public:
  explicit RecordingStore(ObjectStore& base) : base_(base) {}

  std::atomic<int> segment_gets{0}, head_gets{0};

  void Reset() { segment_gets = head_gets = 0; }

  Result<ObjectInfo> Put(std::string_view key, std::string_view bytes,
                         const PutOptions& options) override {
    return base_.Put(key, bytes, options);
  }
  Result<Object> Get(std::string_view key,
                     std::optional<ByteRange> range) override {
    if (key.find("/index/segments/") != std::string_view::npos) {
      ++segment_gets;
    }
    if (key.ends_with("/index/head.json")) ++head_gets;
    return base_.Get(key, range);
  }
  Result<ObjectInfo> Head(std::string_view key) override {
    return base_.Head(key);
  }
  Status Delete(std::string_view key) override { return base_.Delete(key); }
  Result<ListPage> List(std::string_view prefix, std::string_view token,
                        int max_keys) override {
    return base_.List(prefix, token, max_keys);
  }
  Result<std::string> PresignGet(std::string_view key,
                                 std::chrono::seconds expiry) override {
    return base_.PresignGet(key, expiry);
  }

 private:
  ObjectStore& base_;
};

core::Extraction MakeExtraction(const std::string& vendor,
                                const std::string& total) {
  core::Extraction e;
  e.file = "receipt.jpg";
  e.document.mime = "image/jpeg";
  e.document.source = "ocr";
  for (const auto& [name, value] :
       {std::pair<const char*, std::string>{"vendor_name", vendor},
        {"invoice_date", "2024-03-01"},
        {"total", total},
        {"currency", "EUR"}}) {
    core::Field f;
    f.value = value;
    f.confidence = 0.9;
    e.fields[name] = f;
  }
  e.text = vendor + "\nTOTAL " + total;
  return e;
}

NewInvoice MakeNew(const std::string& bytes, const std::string& vendor) {
  NewInvoice n;
  n.original = bytes;
  n.content_type = "image/jpeg";
  n.file_name = "receipt.jpg";
  n.extraction = MakeExtraction(vendor, "9.00");
  return n;
}

RepositoryOptions SmallSegments(size_t cache_bytes) {
  RepositoryOptions options;
  options.segment_size = 4;  // head holds < 1, segments hold 4 to 8
  options.max_segments_per_page = 3;
  options.index_cache_bytes = cache_bytes;
  return options;
}

// Every item of every page, as "id status vendor total", following cursors.
std::vector<std::string> Walk(InvoiceRepository& repo, int limit = 5) {
  std::vector<std::string> out;
  ListRequest req;
  req.limit = limit;
  for (int pages = 0; pages < 1000; ++pages) {
    auto page = repo.List("u1", req);
    EXPECT_TRUE(page) << page.error().ToString();
    if (!page) break;
    for (const auto& item : page->items) {
      auto field = [&](const char* name) {
        auto it = item.fields.find(name);
        return it == item.fields.end() ? std::string("-") : it->second;
      };
      out.push_back(item.id + " " + item.status + " " + field("vendor_name") +
                    " " + field("total"));
    }
    if (page->next_cursor.empty()) break;
    req.cursor = page->next_cursor;
  }
  return out;
}

std::vector<std::string> CreateMany(InvoiceRepository& repo, int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    auto r = repo.Create(
        "u1", MakeNew("doc" + std::to_string(i), "Shop " + std::to_string(i)));
    EXPECT_TRUE(r) << r.error().ToString();
    if (r) ids.push_back(r->invoice.id);
  }
  return ids;
}

TEST(IndexCacheTest, APageReadAgainReadsOnlyHeadJson) {
  auto base = NewMemoryStore();
  RecordingStore store(*base);
  InvoiceRepository repo(store, SmallSegments(size_t{1} << 20));
  CreateMany(repo, 30);

  ListRequest req;
  req.limit = 10;
  // The segments this page needs may be cached already by the writes that
  // made them; whatever was read, it is not read a second time.
  auto first = repo.List("u1", req);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->items.size(), 10u);
  store.Reset();
  const IndexCacheStats before = repo.index_cache_stats();
  auto again = repo.List("u1", req);
  ASSERT_TRUE(again);
  EXPECT_EQ(store.head_gets, 1);  // head.json is always read
  EXPECT_EQ(store.segment_gets, 0);
  ASSERT_EQ(again->items.size(), first->items.size());
  for (size_t i = 0; i < first->items.size(); ++i) {
    EXPECT_EQ(again->items[i].id, first->items[i].id);
    EXPECT_EQ(again->items[i].fields, first->items[i].fields);
  }
  // head.json's bytes did not change: it was not parsed again either.
  const IndexCacheStats after = repo.index_cache_stats();
  EXPECT_GE(after.hits, before.hits + 2);  // the head and >= 1 segment
  EXPECT_EQ(after.misses, before.misses);
  EXPECT_GT(after.objects, 0u);
  EXPECT_GT(after.bytes, 0u);

  // A whole walk, twice: the second reads no segment at all.
  const auto all = Walk(repo);
  EXPECT_EQ(all.size(), 30u);
  store.Reset();
  EXPECT_EQ(Walk(repo), all);
  EXPECT_EQ(store.segment_gets, 0);
  EXPECT_GT(store.head_gets, 0);
}

TEST(IndexCacheTest, WithoutACacheEveryPageReadsItsSegments) {
  auto base = NewMemoryStore();
  RecordingStore store(*base);
  InvoiceRepository repo(store, SmallSegments(0));
  CreateMany(repo, 30);
  ListRequest req;
  req.limit = 10;
  ASSERT_TRUE(repo.List("u1", req));
  store.Reset();
  ASSERT_TRUE(repo.List("u1", req));
  EXPECT_GT(store.segment_gets, 0);
  const IndexCacheStats stats = repo.index_cache_stats();
  EXPECT_EQ(stats.hits + stats.misses + stats.objects + stats.bytes, 0u);
}

// Replica `a` lists (and caches) while replica `b` writes to the same
// store: after each change, `a` lists exactly what a repository without a
// cache lists.
TEST(IndexCacheTest, AnotherReplicasChangesAreSeenAtOnce) {
  auto store = NewMemoryStore();
  InvoiceRepository a(*store, SmallSegments(size_t{1} << 20));
  InvoiceRepository b(*store, SmallSegments(size_t{1} << 20));
  InvoiceRepository truth(*store, SmallSegments(0));
  std::vector<std::string> ids = CreateMany(b, 25);
  ASSERT_EQ(Walk(a), Walk(truth));

  auto check = [&](const std::string& what) {
    const auto want = Walk(truth);
    EXPECT_EQ(Walk(a), want) << what;
    EXPECT_EQ(Walk(a, 3), Walk(truth, 3)) << what;
  };
  // A patch of the oldest invoice rewrites a segment `a` has cached.
  ASSERT_TRUE(b.Patch("u1", ids[0], {{"vendor_name", "Renamed Oldest"}}));
  check("patch in an old segment");
  EXPECT_NE(Walk(a).back().find("Renamed Oldest"), std::string::npos);
  // The newest is in head.json or the newest segment.
  ASSERT_TRUE(b.Patch("u1", ids.back(), {{"total", "1234.50"}}));
  check("patch of the newest");
  EXPECT_NE(Walk(a).front().find("1234.50"), std::string::npos);
  ASSERT_TRUE(b.Delete("u1", ids[10]));
  check("delete");
  const auto more = CreateMany(b, 9);  // fills and seals the head
  check("creates");
  ASSERT_TRUE(b.Patch("u1", ids[5], {{"total", "0.50"}}));
  check("a correction");
  ASSERT_TRUE(b.Patch("u1", ids[5], {{"total", std::nullopt}}));
  check("a correction removed");
  ASSERT_TRUE(b.Reindex("u1"));  // every segment replaced
  check("reindex");
  EXPECT_EQ(Walk(a).size(), 25u - 1 + 9);
}

TEST(IndexCacheTest, StaysWithinItsBudgetAndListsTheSame) {
  auto store = NewMemoryStore();
  constexpr size_t kBudget = 24 * 1024;
  InvoiceRepository small(*store, SmallSegments(kBudget));
  InvoiceRepository truth(*store, SmallSegments(0));
  CreateMany(small, 60);
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(Walk(small), Walk(truth));
    const IndexCacheStats stats = small.index_cache_stats();
    EXPECT_LE(stats.bytes, kBudget);
    EXPECT_GT(stats.objects, 0u);
  }
  // Too small for anything: nothing kept, still right.
  InvoiceRepository tiny(*store, SmallSegments(1));
  EXPECT_EQ(Walk(tiny), Walk(truth));
  EXPECT_EQ(tiny.index_cache_stats().objects, 0u);
}

// Readers on one replica and writers on another at once: every page a
// reader gets is in order and without repeats, and at the end the cached
// replica lists exactly what the store holds.
TEST(IndexCacheTest, ConcurrentReadersAndWriters) {
  auto store = NewMemoryStore();
  RepositoryOptions options = SmallSegments(size_t{1} << 20);
  options.segment_size = 8;
  InvoiceRepository reader(*store, options), writer(*store, options);
  InvoiceRepository truth(*store, SmallSegments(0));
  std::atomic<bool> done{false};
  std::atomic<int> pages{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      do {
        ListRequest req;
        req.limit = 7;
        std::string last;
        do {
          auto page = reader.List("u1", req);
          ASSERT_TRUE(page) << page.error().ToString();
          for (const auto& item : page->items) {
            if (!last.empty()) {
              ASSERT_LT(item.id, last);
            }
            last = item.id;
          }
          ++pages;
          req.cursor = page->next_cursor;
        } while (!req.cursor.empty());
      } while (!done);
    });
  }
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::string> mine;
      for (int i = 0; i < 25; ++i) {
        auto r = writer.Create(
            "u1", MakeNew("t" + std::to_string(t) + "-" + std::to_string(i),
                          "V" + std::to_string(i)));
        ASSERT_TRUE(r) << r.error().ToString();
        mine.push_back(r->invoice.id);
        if (i % 4 == 3) {
          ASSERT_TRUE(writer.Patch("u1", mine[i - 2], {{"total", "2.00"}}));
          ASSERT_TRUE(writer.Delete("u1", mine[i - 3]));
        }
      }
    });
  }
  for (size_t i = 2; i < threads.size(); ++i) threads[i].join();
  done = true;
  threads[0].join();
  threads[1].join();
  EXPECT_GT(pages, 0);
  const auto want = Walk(truth);
  EXPECT_EQ(want.size(), 2u * (25 - 6));
  EXPECT_EQ(Walk(reader), want);
}

}  // namespace
}  // namespace invoices::store
