#include "invoices/store/invoice_repository.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "invoices/store/digest.h"
#include "invoices/store/fake_s3.h"
#include "invoices/store/s3_store.h"

namespace invoices::store {
namespace {

using core::ErrorCode;
using Clock = std::chrono::system_clock;

// Forwards to another store, counting requests and failing them on demand:
// `fail_put_at` = n makes the n-th Put (from 1) and, when `crash` is set,
// every request after it fail with unavailable, as if the process died.
class FaultyStore final : public ObjectStore {
 public:
  explicit FaultyStore(ObjectStore& base) : base_(base) {}

  std::atomic<int> gets{0}, puts{0}, heads{0}, deletes{0}, lists{0};
  std::atomic<int> fail_put_at{0};
  std::atomic<bool> crash{false};
  // Fails every Delete of a key that ends with this, when set.
  std::string fail_delete_suffix;

  int Requests() const { return gets + puts + heads + deletes + lists; }
  void ResetCounts() { gets = puts = heads = deletes = lists = 0; }

  Result<ObjectInfo> Put(std::string_view key, std::string_view bytes,
                         const PutOptions& options) override {
    const int n = ++puts;
    if (Dead() || (fail_put_at > 0 && n == fail_put_at)) {
      if (fail_put_at > 0 && n >= fail_put_at && crash) dead_ = true;
      return core::Unavailable("injected: put " + std::string(key));
    }
    return base_.Put(key, bytes, options);
  }
  Result<Object> Get(std::string_view key,
                     std::optional<ByteRange> range) override {
    ++gets;
    if (Dead()) return core::Unavailable("injected: dead");
    return base_.Get(key, range);
  }
  Result<ObjectInfo> Head(std::string_view key) override {
    ++heads;
    if (Dead()) return core::Unavailable("injected: dead");
    return base_.Head(key);
  }
  Status Delete(std::string_view key) override {
    ++deletes;
    if (Dead()) return core::Unavailable("injected: dead");
    if (!fail_delete_suffix.empty() && key.ends_with(fail_delete_suffix)) {
      return core::Unavailable("injected: delete " + std::string(key));
    }
    return base_.Delete(key);
  }
  Result<ListPage> List(std::string_view prefix, std::string_view token,
                        int max_keys) override {
    ++lists;
    if (Dead()) return core::Unavailable("injected: dead");
    return base_.List(prefix, token, max_keys);
  }
  Result<std::string> PresignGet(std::string_view key,
                                 std::chrono::seconds expiry) override {
    return base_.PresignGet(key, expiry);
  }

 private:
  bool Dead() const { return dead_; }
  ObjectStore& base_;
  std::atomic<bool> dead_{false};
};

// A wall clock that moves only when told.
// It starts at the real time, because stores stamp objects with the real
// time and Reindex compares ages with them.
struct TestClock {
  std::atomic<int64_t> ms{std::chrono::duration_cast<std::chrono::milliseconds>(
                              Clock::now().time_since_epoch())
                              .count()};
  std::function<Clock::time_point()> Fn() {
    return [this] { return Clock::time_point(std::chrono::milliseconds(ms)); };
  }
  void Advance(std::chrono::milliseconds d) { ms += d.count(); }
};

core::Extraction MakeExtraction(const std::string& vendor,
                                const std::string& date,
                                const std::string& total,
                                const std::string& currency = "EUR",
                                const std::string& text = "",
                                double confidence = 0.9) {
  core::Extraction e;
  e.file = "receipt.jpg";
  e.document.mime = "image/jpeg";
  e.document.source = "ocr";
  auto put = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    core::Field f;
    f.value = value;
    f.confidence = confidence;
    e.fields[name] = f;
  };
  put("vendor_name", vendor);
  put("invoice_date", date);
  put("total", total);
  put("currency", currency);
  e.text = text.empty() ? vendor + "\nTOTAL " + total : text;
  return e;
}

NewInvoice MakeNew(const std::string& bytes, core::Extraction extraction,
                   std::string idempotency_key = "") {
  NewInvoice n;
  n.original = bytes;
  n.content_type = "image/jpeg";
  n.file_name = "receipt.jpg";
  n.extraction = std::move(extraction);
  n.idempotency_key = std::move(idempotency_key);
  return n;
}

std::vector<std::string> Ids(const std::vector<InvoiceSummary>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.id);
  return out;
}

struct Backend {
  std::string name;
  std::function<std::unique_ptr<ObjectStore>(const std::string& dir)> make;
};

class InvoiceRepositoryTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/invoice_repo_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    base_ = GetParam().make(dir_ + "/root");
    ASSERT_NE(base_, nullptr);
    store_ = std::make_unique<FaultyStore>(*base_);
    options_.segment_size = 4;
    options_.clock = clock_.Fn();
    repo_ = std::make_unique<InvoiceRepository>(*store_, options_);
  }
  void TearDown() override {
    repo_.reset();
    store_.reset();
    base_.reset();
    std::filesystem::remove_all(dir_);
  }

  Invoice MustCreate(const std::string& sub, const std::string& bytes,
                     core::Extraction e) {
    clock_.Advance(std::chrono::milliseconds(1));
    auto r = repo_->Create(sub, MakeNew(bytes, std::move(e)));
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? r->invoice : Invoice{};
  }

  std::vector<InvoiceSummary> ListAllPages(const std::string& sub,
                                           InvoiceFilter filter, int limit,
                                           int* pages = nullptr) {
    std::vector<InvoiceSummary> all;
    ListRequest req;
    req.filter = std::move(filter);
    req.limit = limit;
    for (int i = 0; i < 10000; ++i) {
      auto page = repo_->List(sub, req);
      EXPECT_TRUE(page) << page.error().ToString();
      if (!page) break;
      if (pages) ++*pages;
      EXPECT_LE(page->items.size(), static_cast<size_t>(limit));
      for (auto& item : page->items) all.push_back(std::move(item));
      if (page->next_cursor.empty()) break;
      req.cursor = page->next_cursor;
    }
    return all;
  }

  std::string dir_;
  TestClock clock_;
  RepositoryOptions options_;
  std::unique_ptr<ObjectStore> base_;
  std::unique_ptr<FaultyStore> store_;
  std::unique_ptr<InvoiceRepository> repo_;
};

TEST(ExtensionForContentTypeTest, EveryReadableFormatKeepsItsExtension) {
  EXPECT_EQ(ExtensionForContentType("image/jpeg"), "jpg");
  EXPECT_EQ(ExtensionForContentType("image/HEIC"), "heic");
  EXPECT_EQ(ExtensionForContentType("image/avif"), "avif");
  EXPECT_EQ(ExtensionForContentType("application/pdf; charset=binary"), "pdf");
  EXPECT_EQ(ExtensionForContentType("application/x-unknown"), "bin");
}

TEST_P(InvoiceRepositoryTest, CreateStoresOriginalAndRecordInTheLayout) {
  const std::string bytes("\xff\xd8\xff\xe0 jpeg\0bytes", 16);
  clock_.ms = 1'700'000'000'000;
  Invoice inv =
      MustCreate("user-1", bytes, MakeExtraction("ACME", "2024-01-31", "9.00"));
  ASSERT_TRUE(core::IsValidId(inv.id));
  EXPECT_EQ(inv.status, kStatusExtracted);
  EXPECT_EQ(inv.version, 1);
  EXPECT_EQ(inv.picture.bytes, bytes.size());
  EXPECT_EQ(inv.picture.extension, "jpg");
  EXPECT_EQ(inv.picture.sha256.size(), 64u);
  EXPECT_EQ(inv.created_at, "2023-11-14T22:13:20.001Z");
  EXPECT_FALSE(inv.duplicate_of);

  const std::string dir = "users/user-1/invoices/" + inv.id + "/";
  auto original = base_->Get(dir + "original.jpg");
  ASSERT_TRUE(original) << original.error().ToString();
  EXPECT_EQ(original->bytes, bytes);
  EXPECT_EQ(original->info.content_type, "image/jpeg");
  auto record = base_->Get(dir + "invoice.json");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->info.etag, inv.etag);
  const auto j = core::Json::parse(record->bytes);
  EXPECT_EQ(j["id"], inv.id);
  EXPECT_EQ(j["extraction"]["fields"]["total"]["value"], "9.00");

  auto got = repo_->Get("user-1", inv.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->etag, inv.etag);
  EXPECT_EQ(got->Fields().at("vendor_name"), "ACME");
  auto picture = repo_->GetPicture("user-1", inv.id);
  ASSERT_TRUE(picture);
  EXPECT_EQ(picture->bytes, bytes);
  EXPECT_EQ(picture->content_type, "image/jpeg");
}

TEST_P(InvoiceRepositoryTest, CreateListPatchDelete) {
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    ids.push_back(MustCreate("u1", "bytes-" + std::to_string(i),
                             MakeExtraction("Shop " + std::to_string(i),
                                            "2024-02-01", "1.00"))
                      .id);
  }
  auto all = ListAllPages("u1", {}, 3);
  std::vector<std::string> want(ids.rbegin(), ids.rend());
  EXPECT_EQ(Ids(all), want);  // newest first
  EXPECT_EQ(all[0].fields.at("vendor_name"), "Shop 9");

  // Patch: corrections win and are kept apart; null removes them.
  auto patched = repo_->Patch("u1", ids[3], {{"total", "12.50"}});
  ASSERT_TRUE(patched) << patched.error().ToString();
  EXPECT_EQ(patched->version, 2);
  EXPECT_EQ(patched->status, kStatusCorrected);
  EXPECT_EQ(patched->Fields().at("total"), "12.50");
  EXPECT_EQ(patched->extraction.fields.at("total").value, "1.00");
  InvoiceFilter f;
  f.min_total = *core::Decimal::Parse("10");
  EXPECT_EQ(Ids(ListAllPages("u1", f, 5)), std::vector<std::string>{ids[3]});
  auto restored = repo_->Patch("u1", ids[3], {{"total", std::nullopt}});
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->status, kStatusExtracted);
  EXPECT_TRUE(restored->corrections.empty());
  EXPECT_TRUE(ListAllPages("u1", f, 5).empty());

  // Delete: gone from Get, listing and the folder.
  ASSERT_TRUE(repo_->Delete("u1", ids[5]));
  EXPECT_EQ(repo_->Get("u1", ids[5]).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(repo_->Delete("u1", ids[5]).error().code(), ErrorCode::kNotFound);
  all = ListAllPages("u1", {}, 4);
  EXPECT_EQ(all.size(), 9u);
  for (const auto& item : all) EXPECT_NE(item.id, ids[5]);
  auto left = base_->List("users/u1/invoices/" + ids[5] + "/");
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->objects.empty());
}

TEST_P(InvoiceRepositoryTest, PaginationAcrossPagesWithFilters) {
  struct Row {
    std::string id, vendor, date, total, currency, status;
  };
  std::vector<Row> rows;
  const char* vendors[] = {"Acme Trading", "Book Ta K", "Cafe Noir",
                           "ACME Hardware"};
  const char* currencies[] = {"EUR", "MYR", "USD"};
  for (int i = 0; i < 40; ++i) {
    const std::string vendor = vendors[i % 4];
    const std::string date = "2024-" + std::string(i % 12 < 9 ? "0" : "") +
                             std::to_string(i % 12 + 1) + "-15";
    const std::string total = std::to_string(i * 3) + ".50";
    const std::string currency = currencies[i % 3];
    // Every fifth lacks a total, so it needs review.
    Invoice inv = MustCreate(
        "u1", "doc " + std::to_string(i),
        MakeExtraction(vendor, date, i % 5 == 0 ? "" : total, currency,
                       vendor + "\npencil " + std::to_string(i) + "\n"));
    rows.push_back(
        {inv.id, vendor, date, i % 5 == 0 ? "" : total, currency, inv.status});
  }
  std::reverse(rows.begin(), rows.end());

  auto expect = [&](const InvoiceFilter& f,
                    const std::function<bool(const Row&)>& pred,
                    const char* what) {
    std::vector<std::string> want;
    for (const auto& r : rows) {
      if (pred(r)) want.push_back(r.id);
    }
    for (int limit : {1, 3, 50}) {
      EXPECT_EQ(Ids(ListAllPages("u1", f, limit)), want)
          << what << " limit " << limit;
    }
  };
  auto is_acme = [](const Row& r) {
    return r.vendor.starts_with("Acme") || r.vendor.starts_with("ACME");
  };
  expect(
      {}, [](const Row&) { return true; }, "all");
  InvoiceFilter f;
  f.vendor = "acme";
  expect(f, is_acme, "vendor");
  f = {};
  f.q = "ACME pencil -15";  // every text has "pencil" and a date "-15"
  expect(f, is_acme, "q");
  f = {};
  f.currency = "MYR";
  f.from = *core::Date::ParseIso("2024-03-01");
  f.to = *core::Date::ParseIso("2024-08-31");
  expect(
      f,
      [](const Row& r) {
        return r.currency == "MYR" && r.date >= "2024-03-01" &&
               r.date <= "2024-08-31";
      },
      "currency+dates");
  f = {};
  f.min_total = *core::Decimal::Parse("30");
  f.max_total = *core::Decimal::Parse("60.5");
  expect(
      f,
      [](const Row& r) {
        if (r.total.empty()) return false;
        const auto v = *core::Decimal::Parse(r.total);
        return v >= *core::Decimal::Parse("30") &&
               v <= *core::Decimal::Parse("60.5");
      },
      "totals");
  f = {};
  f.status = std::string(kStatusNeedsReview);
  expect(
      f, [](const Row& r) { return r.total.empty(); }, "status");
  f = {};
  f.q = "no such thing";
  expect(
      f, [](const Row&) { return false; }, "nothing");
}

TEST_P(InvoiceRepositoryTest, FullTextMatchesEveryTermAnywhere) {
  Invoice a =
      MustCreate("u1", "a",
                 MakeExtraction("Acme", "2024-01-01", "5.00", "EUR",
                                "ACME TRADING\nKF MODELLING CLAY\nTOTAL 5.00"));
  MustCreate("u1", "b",
             MakeExtraction("Other", "2024-01-01", "5.00", "EUR",
                            "OTHER SHOP\nPENCIL\nTOTAL 5.00"));
  InvoiceFilter f;
  f.q = "modelling  ACME";
  EXPECT_EQ(Ids(ListAllPages("u1", f, 10)), std::vector<std::string>{a.id});
  f.q = "clay pencil";
  EXPECT_TRUE(ListAllPages("u1", f, 10).empty());
  f.q = "receipt.jpg 5.00";  // file name and field values count too
  EXPECT_EQ(ListAllPages("u1", f, 10).size(), 2u);
}

TEST_P(InvoiceRepositoryTest, UsersAreIsolated) {
  Invoice a = MustCreate("alice", "a", MakeExtraction("A", "2024-01-01", "1"));
  Invoice b = MustCreate("bob", "b", MakeExtraction("B", "2024-01-01", "2"));
  EXPECT_EQ(Ids(ListAllPages("alice", {}, 10)), std::vector<std::string>{a.id});
  EXPECT_EQ(Ids(ListAllPages("bob", {}, 10)), std::vector<std::string>{b.id});
  EXPECT_EQ(repo_->Get("bob", a.id).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(repo_->GetPicture("bob", a.id).error().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(repo_->Patch("bob", a.id, {{"total", "3"}}).error().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(repo_->Delete("bob", a.id).error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(repo_->Get("alice", a.id));
}

TEST_P(InvoiceRepositoryTest, RefusesBadSubIdAndCursor) {
  for (std::string_view sub : {"", "..", "a/b", "a b", "x\n"}) {
    EXPECT_EQ(repo_->List(sub, {}).error().code(), ErrorCode::kInvalidArgument)
        << sub;
  }
  EXPECT_EQ(repo_->Get("u1", "nope").error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(repo_->Get("u1", "../../../../../../../../etc").error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(repo_->Get("u1", core::NewId()).error().code(),
            ErrorCode::kNotFound);
  ListRequest req;
  for (std::string cursor : {"%%%", "bHQ6eA", "AAAA"}) {
    req.cursor = cursor;
    EXPECT_EQ(repo_->List("u1", req).error().code(),
              ErrorCode::kInvalidArgument)
        << cursor;
  }
  req = {};
  req.limit = 0;
  EXPECT_EQ(repo_->List("u1", req).error().code(), ErrorCode::kInvalidArgument);
  req.limit = 10;
  req.filter.status = "paid";
  EXPECT_EQ(repo_->List("u1", req).error().code(), ErrorCode::kInvalidArgument);
}

TEST_P(InvoiceRepositoryTest, PatchValidatesAndHonoursIfMatch) {
  Invoice inv = MustCreate("u1", "x", MakeExtraction("V", "2024-01-01", "1"));
  auto bad = repo_->Patch("u1", inv.id, {{"invoice_date", "31/01/2024"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message().find("invoice_date"), std::string::npos);
  bad = repo_->Patch("u1", inv.id, {{"total", "twelve"}});
  EXPECT_NE(bad.error().message().find("total"), std::string::npos);
  bad = repo_->Patch("u1", inv.id, {{"colour", "red"}});
  EXPECT_NE(bad.error().message().find("colour"), std::string::npos);
  EXPECT_TRUE(repo_->Patch("u1", inv.id, {{"total", "-3.00"}}));  // negative ok

  auto stale = repo_->Patch("u1", inv.id, {{"tax", "1.00"}}, inv.etag);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code(), ErrorCode::kFailedPrecondition);
  auto now = repo_->Get("u1", inv.id);
  ASSERT_TRUE(now);
  auto ok = repo_->Patch("u1", inv.id, {{"tax", "1.00"}}, now->etag);
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_NE(ok->etag, now->etag);
  EXPECT_EQ(ok->version, 3);
  // A patch that changes nothing writes nothing.
  auto same = repo_->Patch("u1", inv.id, {{"tax", "1.00"}}, ok->etag);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->etag, ok->etag);
}

TEST_P(InvoiceRepositoryTest, StatusFollowsKeyFieldsAndConfidence) {
  EXPECT_EQ(
      MustCreate("u1", "1", MakeExtraction("V", "2024-01-01", "1")).status,
      kStatusExtracted);
  Invoice missing = MustCreate("u1", "2", MakeExtraction("V", "", "1"));
  EXPECT_EQ(missing.status, kStatusNeedsReview);
  auto fixed = repo_->Patch("u1", missing.id, {{"invoice_date", "2024-01-02"}});
  ASSERT_TRUE(fixed);
  EXPECT_EQ(fixed->status, kStatusCorrected);
  EXPECT_EQ(MustCreate("u1", "3",
                       MakeExtraction("V", "2024-01-01", "1", "EUR", "", 0.3))
                .status,
            kStatusNeedsReview);
}

TEST_P(InvoiceRepositoryTest, IdempotencyKeyReturnsTheSameInvoice) {
  const std::string bytes = "the same upload";
  auto first =
      repo_->Create("u1", MakeNew(bytes, MakeExtraction("V", "", ""), "key-1"));
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_FALSE(first->replayed);
  auto again =
      repo_->Create("u1", MakeNew(bytes, MakeExtraction("V", "", ""), "key-1"));
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->invoice.id, first->invoice.id);
  auto found = repo_->FindByIdempotencyKey("u1", "key-1", bytes);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, first->invoice.id);
  EXPECT_FALSE(*repo_->FindByIdempotencyKey("u1", "key-2", bytes));
  // The key is the user's: another user with the same key gets their own.
  auto other =
      repo_->Create("u2", MakeNew(bytes, MakeExtraction("V", "", ""), "key-1"));
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->replayed);
  // The same key with other bytes is refused.
  auto misuse = repo_->Create(
      "u1", MakeNew("other bytes", MakeExtraction("V", "", ""), "key-1"));
  ASSERT_FALSE(misuse);
  EXPECT_EQ(misuse.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ListAllPages("u1", {}, 10).size(), 1u);
}

TEST_P(InvoiceRepositoryTest, IdempotencyKeyInProgressThenTakenOver) {
  // A failure before the invoice exists releases the key at once: puts are
  // the key's marker (1), then the original (2).
  store_->fail_put_at = store_->puts + 2;
  auto failed =
      repo_->Create("u1", MakeNew("doc", MakeExtraction("V", "", ""), "key-9"));
  ASSERT_FALSE(failed);
  store_->fail_put_at = 0;
  auto retry =
      repo_->Create("u1", MakeNew("doc", MakeExtraction("V", "", ""), "key-9"));
  ASSERT_TRUE(retry) << retry.error().ToString();
  EXPECT_FALSE(retry->replayed);

  // A marker whose invoice never came (its process died) blocks the key
  // for a while, then is taken over.
  const std::string ghost = core::NewId();
  const core::Json marker{{"id", ghost},
                          {"sha256", HexEncode(Sha256("doc2"))},
                          {"created_ms", clock_.ms.load()}};
  ASSERT_TRUE(
      base_->Put("users/u1/index/idempotency/" + HexEncode(Sha256("key-10")),
                 marker.dump(), {}));
  auto busy = repo_->Create(
      "u1", MakeNew("doc2", MakeExtraction("V", "", ""), "key-10"));
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code(), ErrorCode::kAlreadyExists);
  clock_.Advance(options_.idempotency_pending + std::chrono::seconds(1));
  auto taken = repo_->Create(
      "u1", MakeNew("doc2", MakeExtraction("V", "", ""), "key-10"));
  ASSERT_TRUE(taken) << taken.error().ToString();
  EXPECT_FALSE(taken->replayed);
  EXPECT_NE(taken->invoice.id, ghost);
  auto replay = repo_->Create(
      "u1", MakeNew("doc2", MakeExtraction("V", "", ""), "key-10"));
  ASSERT_TRUE(replay);
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->invoice.id, taken->invoice.id);
}

TEST_P(InvoiceRepositoryTest, SameBytesTwiceIsAReportedDuplicate) {
  Invoice a = MustCreate("u1", "identical", MakeExtraction("V", "", ""));
  Invoice b = MustCreate("u1", "identical", MakeExtraction("V", "", ""));
  EXPECT_NE(a.id, b.id);
  EXPECT_FALSE(a.duplicate_of);
  ASSERT_TRUE(b.duplicate_of);
  EXPECT_EQ(*b.duplicate_of, a.id);
  EXPECT_EQ(ListAllPages("u1", {}, 10).size(), 2u);  // never merged
  // Another user's identical upload is no duplicate of this one.
  Invoice c = MustCreate("u2", "identical", MakeExtraction("V", "", ""));
  EXPECT_FALSE(c.duplicate_of);
  // Once the first is deleted, a new upload is not reported against it.
  ASSERT_TRUE(repo_->Delete("u1", a.id));
  Invoice d = MustCreate("u1", "identical", MakeExtraction("V", "", ""));
  EXPECT_NE(d.duplicate_of, std::optional<std::string>(a.id));
}

TEST_P(InvoiceRepositoryTest, ReindexRebuildsTheIndexFromTheRecords) {
  std::vector<std::string> ids;
  for (int i = 0; i < 11; ++i) {
    ids.push_back(
        MustCreate("u1", "doc" + std::to_string(i),
                   MakeExtraction("V" + std::to_string(i), "2024-01-01", "1"))
            .id);
  }
  ASSERT_TRUE(repo_->Patch("u1", ids[2], {{"total", "99"}}));
  const auto before = ListAllPages("u1", {}, 5);
  auto index = base_->List("users/u1/index/");
  ASSERT_TRUE(index);
  for (const auto& o : index->objects) ASSERT_TRUE(base_->Delete(o.key));
  EXPECT_TRUE(ListAllPages("u1", {}, 5).empty());

  auto report = repo_->Reindex("u1");
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->invoices, 11);
  const auto after = ListAllPages("u1", {}, 5);
  ASSERT_EQ(Ids(after), Ids(before));
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].fields, before[i].fields);
  }
  // Markers came back too: duplicates and idempotency work again.
  Invoice dup = MustCreate("u1", "doc4", MakeExtraction("V", "", ""));
  ASSERT_TRUE(dup.duplicate_of);
  EXPECT_EQ(*dup.duplicate_of, ids[4]);
  // Reindexing an index in good shape changes nothing visible.
  ASSERT_TRUE(repo_->Reindex("u1"));
  EXPECT_EQ(ListAllPages("u1", {}, 5).size(), 12u);
}

TEST_P(InvoiceRepositoryTest, CrashAtAnyPutLeavesNothingHalfVisible) {
  // Some invoices exist already, so that index writes fill segments.
  for (int i = 0; i < 5; ++i) {
    MustCreate("u1", "before" + std::to_string(i),
               MakeExtraction("V", "2024-01-01", "1"));
  }
  // A create takes a handful of puts; crash at each of them in turn.
  for (int n = 1; n <= 7; ++n) {
    store_ = std::make_unique<FaultyStore>(*base_);
    repo_ = std::make_unique<InvoiceRepository>(*store_, options_);
    store_->crash = true;
    store_->fail_put_at = n;
    clock_.Advance(std::chrono::milliseconds(1));
    auto r = repo_->Create("u1", MakeNew("crash" + std::to_string(n),
                                         MakeExtraction("C", "2024-01-01", "1"),
                                         "k" + std::to_string(n)));
    // "Restart the process": a fresh repository on the same storage.
    FaultyStore restarted(*base_);
    InvoiceRepository repo(restarted, options_);
    ListRequest req;
    req.limit = 100;
    auto page = repo.List("u1", req);
    ASSERT_TRUE(page) << page.error().ToString();
    const std::vector<std::string> listed = Ids(page->items);
    for (const auto& id : listed) {
      ASSERT_TRUE(repo.Get("u1", id)) << "listed but not readable: " << id;
      EXPECT_TRUE(repo.GetPicture("u1", id)) << id;
    }
    if (r) {
      // Only the best-effort duplicate marker failed: the invoice is whole.
      EXPECT_NE(std::find(listed.begin(), listed.end(), r->invoice.id),
                listed.end());
    }
  }
  store_ = std::make_unique<FaultyStore>(*base_);
  repo_ = std::make_unique<InvoiceRepository>(*store_, options_);

  // Reindex: records become listed, originals without one are kept while
  // young, then deleted.
  auto young = repo_->Reindex("u1");
  ASSERT_TRUE(young) << young.error().ToString();
  clock_.Advance(options_.orphan_age + std::chrono::minutes(1));
  auto old = repo_->Reindex("u1");
  ASSERT_TRUE(old) << old.error().ToString();
  EXPECT_EQ(old->orphans_deleted, young->orphans_kept);
  auto objects = base_->List("users/u1/invoices/");
  ASSERT_TRUE(objects);
  std::set<std::string> with_record, with_original;
  for (const auto& o : objects->objects) {
    const std::string rest = o.key.substr(strlen("users/u1/invoices/"));
    const std::string id = rest.substr(0, rest.find('/'));
    (rest.ends_with("invoice.json") ? with_record : with_original).insert(id);
  }
  EXPECT_EQ(with_original, with_record);  // no orphan survives
  const auto listed = Ids(ListAllPages("u1", {}, 100));
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), with_record);
}

TEST_P(InvoiceRepositoryTest, InterruptedDeleteIsFinishedByReindex) {
  Invoice inv = MustCreate("u1", "d", MakeExtraction("V", "2024-01-01", "1"));
  store_->fail_delete_suffix = inv.id + "/invoice.json";
  auto r = repo_->Delete("u1", inv.id);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(ListAllPages("u1", {}, 10).empty());  // no longer listed
  store_->fail_delete_suffix.clear();
  auto report = repo_->Reindex("u1");
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->invoices, 0);
  EXPECT_EQ(repo_->Get("u1", inv.id).error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(ListAllPages("u1", {}, 10).empty());
}

TEST_P(InvoiceRepositoryTest, StoreUnavailableIsReportedAndNothingListed) {
  store_->crash = true;
  store_->fail_put_at = store_->puts + 1;
  auto r = repo_->Create("u1", MakeNew("x", MakeExtraction("V", "", "")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(repo_->List("u1", {}).error().code(), ErrorCode::kUnavailable);
}

TEST_P(InvoiceRepositoryTest, CursorIsStableWhileInvoicesAreAdded) {
  for (int i = 0; i < 9; ++i) {
    MustCreate("u1", "s" + std::to_string(i), MakeExtraction("V", "", ""));
  }
  ListRequest req;
  req.limit = 4;
  auto first = repo_->List("u1", req);
  ASSERT_TRUE(first);
  for (int i = 0; i < 6; ++i) {
    MustCreate("u1", "n" + std::to_string(i), MakeExtraction("V", "", ""));
  }
  std::vector<std::string> seen = Ids(first->items);
  req.cursor = first->next_cursor;
  while (!req.cursor.empty()) {
    auto page = repo_->List("u1", req);
    ASSERT_TRUE(page);
    for (const auto& id : Ids(page->items)) seen.push_back(id);
    req.cursor = page->next_cursor;
  }
  EXPECT_EQ(seen.size(), 9u);  // the older 9, none twice, none of the new
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend()));
}

const Backend kBackends[] = {
    {"memory", [](const std::string&) { return NewMemoryStore(); }},
    {"local",
     [](const std::string& dir) -> std::unique_ptr<ObjectStore> {
       auto s = NewLocalStore(dir);
       return s ? std::move(*s) : nullptr;
     }},
    {"fake_s3",
     [](const std::string&) -> std::unique_ptr<ObjectStore> {
       auto s = NewS3Store(FakeS3StoreOptions(), NewFakeS3());
       return s ? std::move(*s) : nullptr;
     }},
};

INSTANTIATE_TEST_SUITE_P(Backends, InvoiceRepositoryTest,
                         ::testing::ValuesIn(kBackends),
                         [](const auto& info) { return info.param.name; });

// --- Concurrency and scale (memory and folder)
// --------------------------------

TEST(InvoiceRepositoryConcurrencyTest, ConcurrentCreatesNeverLoseAnEntry) {
  for (const char* backend : {"memory", "local"}) {
    char tmpl[] = "/tmp/invoice_repo_conc.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    std::unique_ptr<ObjectStore> store;
    if (std::string(backend) == "memory") {
      store = NewMemoryStore();
    } else {
      store = std::move(*NewLocalStore(std::string(tmpl) + "/root"));
    }
    RepositoryOptions options;
    options.segment_size = 8;  // seal often, under contention
    // Two "replicas" on one store.
    InvoiceRepository a(*store, options), b(*store, options);
    constexpr int kThreads = 6, kEach = 20;
    std::vector<std::vector<std::string>> made(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        InvoiceRepository& repo = t % 2 ? a : b;
        for (int i = 0; i < kEach; ++i) {
          const std::string bytes =
              "t" + std::to_string(t) + "i" + std::to_string(i);
          auto r = repo.Create(
              "u1", MakeNew(bytes, MakeExtraction("V", "2024-01-01", "1")));
          ASSERT_TRUE(r) << r.error().ToString();
          made[t].push_back(r->invoice.id);
          if (i % 5 == 4) {  // some patches and deletes in the mix
            ASSERT_TRUE(repo.Patch("u1", made[t][i - 1], {{"tax", "0.10"}}));
            ASSERT_TRUE(repo.Delete("u1", made[t][i - 2]));
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    std::set<std::string> want;
    for (int t = 0; t < kThreads; ++t) {
      for (int i = 0; i < kEach; ++i) {
        if (i % 5 != 2) want.insert(made[t][i]);
      }
    }
    std::set<std::string> listed;
    ListRequest req;
    req.limit = 7;
    do {
      auto page = a.List("u1", req);
      ASSERT_TRUE(page) << page.error().ToString();
      for (const auto& item : page->items) {
        EXPECT_TRUE(listed.insert(item.id).second) << "twice: " << item.id;
      }
      req.cursor = page->next_cursor;
    } while (!req.cursor.empty());
    EXPECT_EQ(listed, want) << backend;
    std::filesystem::remove_all(tmpl);
  }
}

TEST(InvoiceRepositoryScaleTest, ListPagesUseABoundedNumberOfRequests) {
  auto base = NewMemoryStore();
  FaultyStore store(*base);
  TestClock clock;
  RepositoryOptions options;
  options.segment_size = 64;
  options.max_segments_per_page = 4;
  options.clock = clock.Fn();
  InvoiceRepository repo(store, options);
  // 5,000 invoices, written as records straight into the store (cloned from
  // one made by Create) and indexed by one Reindex: the same index that
  // 5,000 Creates build, in a fraction of the time.
  auto model =
      repo.Create("big", MakeNew("model", MakeExtraction("M", "", "")));
  ASSERT_TRUE(model);
  auto model_json =
      base->Get("users/big/invoices/" + model->invoice.id + "/invoice.json");
  ASSERT_TRUE(model_json);
  ASSERT_TRUE(repo.Delete("big", model->invoice.id));
  const core::Json model_record = core::Json::parse(model_json->bytes);
  constexpr int kInvoices = 5000;
  core::IdGenerator ids;
  std::string rare_id;
  for (int i = 0; i < kInvoices; ++i) {
    clock.Advance(std::chrono::milliseconds(1000));
    const int month = 1 + (i * 12 / kInvoices);  // dates rise with time
    const std::string date = std::string("2023-") + (month < 10 ? "0" : "") +
                             std::to_string(month) + "-10";
    core::Json record = model_record;
    const std::string id = ids.Next(clock.Fn()());
    record["id"] = id;
    auto& fields = record["extraction"]["fields"];
    fields["vendor_name"] = {{"value", i == 1234 ? "Zebra Unique" : "Shop"},
                             {"confidence", 0.9}};
    fields["invoice_date"] = {{"value", date}, {"confidence", 0.9}};
    fields["total"] = {{"value", std::to_string(i % 100) + ".00"},
                       {"confidence", 0.9}};
    record["extraction"]["text"] = "text of " + std::to_string(i);
    record["status"] = "extracted";
    const std::string dir = "users/big/invoices/" + id + "/";
    ASSERT_TRUE(base->Put(dir + "original.jpg", "doc" + std::to_string(i), {}));
    ASSERT_TRUE(base->Put(dir + "invoice.json", record.dump(), {}));
    if (i == 1234) rare_id = id;
  }
  auto report = repo.Reindex("big");
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->invoices, kInvoices);
  const int bound = 1 + options.max_segments_per_page;

  auto page_cost = [&](ListRequest req, ListResult* out = nullptr) {
    store.ResetCounts();
    auto page = repo.List("big", req);
    EXPECT_TRUE(page) << page.error().ToString();
    if (out && page) *out = *page;
    EXPECT_EQ(store.puts + store.deletes + store.lists + store.heads, 0);
    return store.Requests();
  };
  ListRequest req;
  req.limit = 200;
  ListResult first;
  EXPECT_LE(page_cost(req, &first), bound);  // head + 200 / 64 segments
  EXPECT_EQ(first.items.size(), 200u);
  // Deep in the list, through a cursor.
  req.cursor = first.next_cursor;
  for (int i = 0; i < 10; ++i) {
    ListResult next;
    EXPECT_LE(page_cost(req, &next), bound);
    EXPECT_GE(next.items.size(), 190u);
    req.cursor = next.next_cursor;
  }
  // A date range far back: the zone maps skip the newer segments unread.
  req = {};
  req.limit = 50;
  req.filter.from = *core::Date::ParseIso("2023-02-01");
  req.filter.to = *core::Date::ParseIso("2023-02-28");
  ListResult feb;
  EXPECT_LE(page_cost(req, &feb), 4);
  EXPECT_EQ(feb.items.size(), 50u);
  // A rare word: each page reads at most `bound` objects and moves on.
  req = {};
  req.limit = 50;
  req.filter.q = "zebra";
  int pages = 0;
  std::vector<std::string> found;
  do {
    ListResult page;
    EXPECT_LE(page_cost(req, &page), bound);
    for (const auto& item : page.items) found.push_back(item.id);
    req.cursor = page.next_cursor;
    ++pages;
  } while (!req.cursor.empty() && pages < 1000);
  EXPECT_EQ(found, std::vector<std::string>{rare_id});
  EXPECT_LE(pages, kInvoices / 64 / options.max_segments_per_page + 2);
  // Creating, patching and deleting cost a constant number of requests too.
  store.ResetCounts();
  auto more =
      repo.Create("big", MakeNew("one more", MakeExtraction("V", "", "")));
  ASSERT_TRUE(more);
  EXPECT_LE(store.Requests(), 10);
  store.ResetCounts();
  ASSERT_TRUE(repo.Patch("big", rare_id, {{"total", "1.00"}}));
  EXPECT_LE(store.Requests(), 8);
  store.ResetCounts();
  ASSERT_TRUE(repo.Delete("big", rare_id));
  EXPECT_LE(store.Requests(), 12);
  req = {};
  req.limit = 1000;
  req.filter.q = "zebra";
  do {
    auto page = repo.List("big", req);
    ASSERT_TRUE(page);
    EXPECT_TRUE(page->items.empty());
    req.cursor = page->next_cursor;
  } while (!req.cursor.empty());
}

// The cursor codec, exposed for tests/fuzz/cursor_fuzz.cpp.
TEST(ListCursorTest, RoundTripsAndRefusesEverythingElse) {
  const std::string id = core::NewId();
  for (bool inclusive : {false, true}) {
    const std::string text = EncodeListCursor({id, inclusive});
    auto back = DecodeListCursor(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(back->id, id);
    EXPECT_EQ(back->inclusive, inclusive);
  }
  auto first = DecodeListCursor("");
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->id.empty());
  for (std::string bad :
       {std::string("%%%"), std::string("bHQ6eA"),
        EncodeListCursor({"", false}),
        EncodeListCursor({"lowercase-is-no-id-0000000", false}),
        std::string(65, 'A')}) {
    auto decoded = DecodeListCursor(bad);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace invoices::store
