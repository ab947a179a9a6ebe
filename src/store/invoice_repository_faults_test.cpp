// The invoice repository under injected store faults (faulty_store.h): a
// process that dies after any one of the writes of a create, a patch or a
// delete; writes whose answer is lost after they took effect; and random
// errors. What must hold: nothing half-written is ever visible (a listed
// invoice can be read, with its original, whole), nothing acknowledged is
// lost, and a retry finishes what the crash interrupted.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "invoices/store/digest.h"
#include "invoices/store/faulty_store.h"
#include "invoices/store/invoice_repository.h"

namespace invoices::store {
namespace {

using core::ErrorCode;
using Clock = std::chrono::system_clock;
constexpr char kSub[] = "u1";

core::Extraction Extraction(const std::string& vendor) {
  core::Extraction e;
  e.file = "receipt.jpg";
  e.document.mime = "image/jpeg";
  e.document.source = "ocr";
  for (auto [name, value] :
       {std::pair<const char*, std::string>{"vendor_name", vendor},
        {"invoice_date", "2024-03-01"},
        {"total", "12.50"}}) {
    core::Field f;
    f.value = value;
    f.confidence = 0.9;
    e.fields[name] = f;
  }
  e.text = vendor + "\nTOTAL 12.50";
  return e;
}

NewInvoice New(const std::string& bytes, const std::string& vendor,
               const std::string& key = "") {
  NewInvoice n;
  n.original = bytes;
  n.content_type = "image/jpeg";
  n.file_name = "receipt.jpg";
  n.extraction = Extraction(vendor);
  n.idempotency_key = key;
  return n;
}

struct Backend {
  std::string name;
  std::function<std::unique_ptr<ObjectStore>(const std::string& dir)> make;
};

class RepositoryFaultsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/invoice_faults_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    base_ = GetParam().make(dir_ + "/root");
    ASSERT_NE(base_, nullptr);
    // Small segments: index writes seal the head into segments often, so
    // that crashes fall between segment and head writes too.
    options_.segment_size = 4;
    options_.clock = [this] {
      return Clock::time_point(std::chrono::milliseconds(now_ms_));
    };
  }
  void TearDown() override {
    base_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Tick(std::chrono::milliseconds d = std::chrono::milliseconds(1)) {
    now_ms_ += d.count();
  }

  // A repository as a freshly started process sees the storage.
  std::unique_ptr<InvoiceRepository> Restarted() {
    return std::make_unique<InvoiceRepository>(*base_, options_);
  }

  Invoice MustCreate(const std::string& bytes, const std::string& vendor) {
    Tick();
    auto r = Restarted()->Create(kSub, New(bytes, vendor));
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? r->invoice : Invoice{};
  }

  // Every listed invoice, all pages, by id: its fields.
  std::map<std::string, std::map<std::string, std::string>> Listed() {
    auto repo = Restarted();
    std::map<std::string, std::map<std::string, std::string>> out;
    ListRequest req;
    req.limit = 3;  // several pages, across segments
    for (int i = 0; i < 1000; ++i) {
      auto page = repo->List(kSub, req);
      EXPECT_TRUE(page) << page.error().ToString();
      if (!page) break;
      for (auto& item : page->items) {
        EXPECT_FALSE(out.contains(item.id)) << "listed twice: " << item.id;
        out[item.id] = item.fields;
      }
      if (page->next_cursor.empty()) break;
      req.cursor = page->next_cursor;
    }
    return out;
  }

  // The ids with any object under users/u1/invoices/, and which of them
  // have invoice.json.
  void StoredIds(std::set<std::string>& any, std::set<std::string>& records) {
    const std::string prefix = std::string("users/") + kSub + "/invoices/";
    std::string token;
    do {
      auto page = base_->List(prefix, token);
      ASSERT_TRUE(page) << page.error().ToString();
      for (const auto& o : page->objects) {
        const std::string rest = o.key.substr(prefix.size());
        const std::string id = rest.substr(0, rest.find('/'));
        any.insert(id);
        if (rest.ends_with("/invoice.json")) records.insert(id);
      }
      token = page->next_token;
    } while (!token.empty());
  }

  // Nothing half-written is visible, after a "restart": every listed
  // invoice reads back with its original whole and the fields it is listed
  // with; every record has its original; an original without a record is
  // invisible; `must_list` are all listed. Returns the listed ids.
  std::set<std::string> CheckNothingHalfVisible(
      const std::set<std::string>& must_list) {
    auto repo = Restarted();
    const auto listed = Listed();
    std::set<std::string> any, records;
    StoredIds(any, records);
    for (const auto& [id, fields] : listed) {
      EXPECT_TRUE(records.contains(id)) << "listed without a record: " << id;
    }
    for (const auto& id : any) {
      auto inv = repo->Get(kSub, id);
      if (!records.contains(id)) {
        EXPECT_FALSE(inv) << "an original alone is visible: " << id;
        if (!inv) {
          EXPECT_EQ(inv.error().code(), ErrorCode::kNotFound);
        }
        EXPECT_FALSE(listed.contains(id));
        continue;
      }
      EXPECT_TRUE(inv) << id << ": " << inv.error().ToString();
      if (!inv) continue;
      auto picture = repo->GetPicture(kSub, id);
      EXPECT_TRUE(picture) << "a record without its original: " << id;
      if (!picture) continue;
      EXPECT_EQ(picture->bytes.size(), inv->picture.bytes) << id;
      EXPECT_EQ(HexEncode(Sha256(picture->bytes)), inv->picture.sha256) << id;
      if (auto it = listed.find(id); it != listed.end()) {
        // A listed entry shows the record's values (a patch cut between
        // its two writes leaves older ones until retried: the patch test
        // checks that case before calling this).
        EXPECT_EQ(it->second.at("total"), inv->Fields().at("total")) << id;
      }
    }
    for (const auto& id : must_list) {
      EXPECT_TRUE(listed.contains(id)) << "acknowledged but not listed: " << id;
    }
    std::set<std::string> ids;
    for (const auto& [id, f] : listed) ids.insert(id);
    return ids;
  }

  std::string dir_;
  int64_t now_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                        Clock::now().time_since_epoch())
                        .count();
  RepositoryOptions options_;
  std::unique_ptr<ObjectStore> base_;
};

TEST_P(RepositoryFaultsTest, CreateDyingAfterAnyWriteIsFinishedByARetry) {
  std::set<std::string> acknowledged;
  for (int i = 0; i < 3; ++i) {
    acknowledged.insert(MustCreate("before" + std::to_string(i), "Old").id);
  }
  uint64_t k = 0;
  for (;; ++k) {
    ASSERT_LT(k, 40u) << "a create that never ends";
    const std::string bytes = "doc-" + std::to_string(k);
    const std::string key = "key-" + std::to_string(k);
    FaultInjector faults;
    faults.CrashAfterWrites(k);
    auto faulty = NewFaultyStore(*base_, faults);
    InvoiceRepository dying(*faulty, options_);
    Tick();
    auto r = dying.Create(kSub, New(bytes, "Shop " + std::to_string(k), key));
    if (r) {
      // Fewer writes than k (done), or only the best-effort duplicate
      // marker was cut: the invoice is whole and listed either way.
      acknowledged.insert(r->invoice.id);
      CheckNothingHalfVisible(acknowledged);
      if (!faults.crashed() || faults.stats().refused_by_crash == 0) break;
      continue;
    }
    EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
    SCOPED_TRACE("crashed after write " + std::to_string(k));
    const auto listed = CheckNothingHalfVisible(acknowledged);

    // The client retries with the same key on the restarted process.
    auto repo = Restarted();
    Tick();
    auto retry = repo->Create(kSub, New(bytes, "Shop", key));
    if (!retry && retry.error().code() == ErrorCode::kAlreadyExists) {
      // The key was reserved by the request that died: in progress for
      // idempotency_pending, then free to take over.
      Tick(options_.idempotency_pending + std::chrono::seconds(1));
      retry = repo->Create(kSub, New(bytes, "Shop", key));
    }
    ASSERT_TRUE(retry) << retry.error().ToString();
    // A second retry answers with the same invoice.
    auto again = repo->Create(kSub, New(bytes, "Shop", key));
    ASSERT_TRUE(again) << again.error().ToString();
    EXPECT_TRUE(again->replayed);
    EXPECT_EQ(again->invoice.id, retry->invoice.id);
    acknowledged.insert(retry->invoice.id);
    const auto after = CheckNothingHalfVisible(acknowledged);
    // Exactly one invoice for these bytes: the retry did not add a second.
    EXPECT_EQ(after, acknowledged);
    EXPECT_LE(listed.size(), after.size());
  }
  EXPECT_GE(k, 4u) << "a create makes at least 4 writes";

  // Reindex once the leftovers are old: no original without its record
  // remains, and the listing is unchanged.
  Tick(options_.orphan_age + std::chrono::minutes(1));
  ASSERT_TRUE(Restarted()->Reindex(kSub));
  std::set<std::string> any, records;
  StoredIds(any, records);
  EXPECT_EQ(any, records);
  EXPECT_EQ(CheckNothingHalfVisible(acknowledged), acknowledged);
}

TEST_P(RepositoryFaultsTest, CreateWithoutAKeyDyingAfterAnyWrite) {
  std::set<std::string> acknowledged;
  acknowledged.insert(MustCreate("first", "Old").id);
  uint64_t k = 0;
  for (;; ++k) {
    ASSERT_LT(k, 40u);
    FaultInjector faults;
    faults.CrashAfterWrites(k);
    auto faulty = NewFaultyStore(*base_, faults);
    InvoiceRepository dying(*faulty, options_);
    Tick();
    auto r = dying.Create(kSub, New("nokey-" + std::to_string(k), "Shop"));
    if (r) acknowledged.insert(r->invoice.id);
    SCOPED_TRACE("crashed after write " + std::to_string(k));
    const auto listed = CheckNothingHalfVisible(acknowledged);
    // Without a key nobody can finish it; nothing unacknowledged is listed
    // but an invoice cut only before its duplicate marker (listed, whole).
    for (const auto& id : listed) {
      if (!acknowledged.contains(id)) acknowledged.insert(id);
    }
    if (r && faults.stats().refused_by_crash == 0) break;
  }
  // Reindex lists every whole invoice, the ones whose index entry the
  // crash cut off included.
  ASSERT_TRUE(Restarted()->Reindex(kSub));
  std::set<std::string> any, records;
  StoredIds(any, records);
  EXPECT_EQ(CheckNothingHalfVisible(acknowledged), records);
}

TEST_P(RepositoryFaultsTest, PatchDyingAfterAnyWriteIsFinishedByARetry) {
  std::set<std::string> acknowledged;
  for (int i = 0; i < 6; ++i) {
    acknowledged.insert(MustCreate("p" + std::to_string(i), "Old").id);
  }
  // One in a segment, one in the head.
  const std::vector<std::string> targets = {*acknowledged.begin(),
                                            *acknowledged.rbegin()};
  for (const auto& id : targets) {
    std::string previous = "12.50";
    for (uint64_t k = 0;; ++k) {
      ASSERT_LT(k, 40u);
      const std::string total = std::to_string(100 + k) + ".00";
      FaultInjector faults;
      faults.CrashAfterWrites(k);
      auto faulty = NewFaultyStore(*base_, faults);
      InvoiceRepository dying(*faulty, options_);
      Tick();
      auto r = dying.Patch(kSub, id, {{"total", total}});
      SCOPED_TRACE("crashed after write " + std::to_string(k));
      auto repo = Restarted();
      auto got = repo->Get(kSub, id);
      ASSERT_TRUE(got) << got.error().ToString();
      // The record is the old or the new one, whole; the listing shows
      // the old or the new values, and every invoice.
      const std::string now_total = got->Fields().at("total");
      EXPECT_TRUE(now_total == total || now_total == previous) << now_total;
      EXPECT_TRUE(repo->GetPicture(kSub, id));
      const auto during = Listed();
      EXPECT_EQ(during.size(), acknowledged.size());
      ASSERT_TRUE(during.contains(id));
      EXPECT_TRUE(during.at(id).at("total") == total ||
                  during.at(id).at("total") == previous);
      // The retry brings the record and the listing to the patch.
      auto retry = repo->Patch(kSub, id, {{"total", total}});
      ASSERT_TRUE(retry) << retry.error().ToString();
      EXPECT_EQ(retry->Fields().at("total"), total);
      const auto listed = Listed();
      ASSERT_TRUE(listed.contains(id));
      EXPECT_EQ(listed.at(id).at("total"), total)
          << "the listing missed the patch after the retry";
      EXPECT_EQ(CheckNothingHalfVisible(acknowledged), acknowledged);
      previous = total;
      if (r && faults.stats().refused_by_crash == 0) break;
    }
  }
}

TEST_P(RepositoryFaultsTest, DeleteDyingAfterAnyWriteIsFinishedByARetry) {
  std::set<std::string> kept;
  for (int i = 0; i < 5; ++i) {
    kept.insert(MustCreate("keep" + std::to_string(i), "Keep").id);
  }
  for (uint64_t k = 0;; ++k) {
    ASSERT_LT(k, 40u);
    const std::string id = MustCreate("del-" + std::to_string(k), "Del").id;
    FaultInjector faults;
    faults.CrashAfterWrites(k);
    auto faulty = NewFaultyStore(*base_, faults);
    InvoiceRepository dying(*faulty, options_);
    Tick();
    auto r = dying.Delete(kSub, id);
    SCOPED_TRACE("crashed after write " + std::to_string(k));
    // Listed only while whole (checked inside); the others stay listed.
    CheckNothingHalfVisible(kept);
    auto repo = Restarted();
    auto retry = repo->Delete(kSub, id);
    if (!retry) {
      EXPECT_EQ(retry.error().code(), ErrorCode::kNotFound);
    }
    EXPECT_EQ(repo->Get(kSub, id).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(repo->GetPicture(kSub, id).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(CheckNothingHalfVisible(kept), kept);
    if (r && faults.stats().refused_by_crash == 0) break;
  }
}

// A write whose answer is lost after it took effect: a timeout after S3
// wrote. Regression: an index update whose head.json write was such a one
// deleted the segment it had just written, which head.json named, and
// every later list and create of the user failed.
TEST_P(RepositoryFaultsTest, LostAnswersToIndexWritesBreakNothing) {
  const std::string head = std::string("users/") + kSub + "/index/head.json";
  std::set<std::string> acknowledged;
  for (int i = 0; i < 12; ++i) {
    FaultInjector faults;
    // Every second head.json write of this create: the first is the
    // create's, the retry after a conflict would be the second.
    faults.Add({.ops = kFaultPut,
                .key_prefix = head,
                .max_faults = 1,
                .after_applying = true});
    auto faulty = NewFaultyStore(*base_, faults);
    InvoiceRepository repo(*faulty, options_);
    Tick();
    auto r = repo.Create(kSub, New("lost-" + std::to_string(i), "Lost"));
    ASSERT_EQ(faults.stats().lost, 1u);
    // The listing still works (the segment that head.json names was
    // deleted before), and the create succeeded: its head.json write took
    // effect.
    if (r) acknowledged.insert(r->invoice.id);
    const auto listed = CheckNothingHalfVisible(acknowledged);
    EXPECT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(listed, acknowledged);
  }
  // Deletes (the older half) and patches too.
  const std::string oldest_kept = *std::next(acknowledged.begin(), 6);
  for (const auto& id : std::set<std::string>(acknowledged)) {
    FaultInjector faults;
    faults.Add({.ops = kFaultPut,
                .key_prefix = head,
                .max_faults = 1,
                .after_applying = true});
    auto faulty = NewFaultyStore(*base_, faults);
    InvoiceRepository repo(*faulty, options_);
    Tick();
    if (id < oldest_kept) {
      ASSERT_TRUE(repo.Delete(kSub, id));
      acknowledged.erase(id);
    } else {
      auto p = repo.Patch(kSub, id, {{"total", "7.00"}});
      ASSERT_TRUE(p) << p.error().ToString();
      EXPECT_EQ(Listed().at(id).at("total"), "7.00");
    }
    ASSERT_EQ(CheckNothingHalfVisible(acknowledged), acknowledged);
  }
}

// Lost answers to the writes of a record and its original: the create
// fails and is rolled back, or (the rollback's delete lost too) leaves an
// invoice nobody lists.
TEST_P(RepositoryFaultsTest, LostAnswersToRecordWritesAreRolledBack) {
  std::set<std::string> acknowledged;
  acknowledged.insert(MustCreate("base", "Base").id);
  // Without a key the first put is the original's, the second the record's.
  for (int nth : {1, 2}) {
    FaultInjector faults;
    faults.Add({.ops = kFaultPut,
                .every_nth = nth,
                .max_faults = 1,
                .after_applying = true});
    auto faulty = NewFaultyStore(*base_, faults);
    InvoiceRepository repo(*faulty, options_);
    Tick();
    auto r = repo.Create(kSub, New("rb" + std::to_string(nth), "Rolled"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
    EXPECT_EQ(faults.stats().lost, 1u);
    EXPECT_EQ(CheckNothingHalfVisible(acknowledged), acknowledged);
    std::set<std::string> any, records;
    StoredIds(any, records);
    EXPECT_EQ(any, acknowledged) << "rolled back";
  }
}

// Random errors and lost answers on every kind of call, with a seeded
// generator: whatever an operation answered, no listed invoice is half
// written, every acknowledged one is listed, and every acknowledged delete
// is gone.
TEST_P(RepositoryFaultsTest, RandomFaultsNeverShowHalfInvoices) {
  FaultInjector faults(20240601);
  faults.Add(
      {.ops = kFaultWrites, .probability = 0.05, .after_applying = true});
  faults.Add({.ops = kFaultAll, .probability = 0.08});
  faults.Add(
      {.ops = kFaultReads, .probability = 0.05, .error = ErrorCode::kInternal});
  auto faulty = NewFaultyStore(*base_, faults);
  InvoiceRepository repo(*faulty, options_);
  std::mt19937 rng(7);
  std::set<std::string> live, deleted, uncertain;
  int failures = 0;
  for (int i = 0; i < 60; ++i) {
    Tick();
    if (live.empty() || rng() % 3 != 0) {
      auto r = repo.Create(kSub, New("rnd-" + std::to_string(i), "Rnd"));
      if (r) {
        live.insert(r->invoice.id);
      } else {
        ++failures;
        EXPECT_TRUE(r.error().code() == ErrorCode::kUnavailable ||
                    r.error().code() == ErrorCode::kInternal)
            << r.error().ToString();
      }
    } else {
      const std::string id =
          *std::next(live.begin(), static_cast<long>(rng() % live.size()));
      auto d = repo.Delete(kSub, id);
      live.erase(id);
      if (d) {
        deleted.insert(id);
      } else {
        // A failed delete may have happened in part: the invoice may be
        // unlisted already (tombstoned), and the client retries it.
        ++failures;
        uncertain.insert(id);
      }
    }
  }
  EXPECT_GT(failures, 5) << "the faults were injected";
  EXPECT_GT(faults.stats().lost, 0u);
  const auto listed = CheckNothingHalfVisible(live);
  for (const auto& id : deleted) {
    EXPECT_FALSE(listed.contains(id)) << id;
    EXPECT_FALSE(Restarted()->Get(kSub, id)) << id;
  }
  // The retries of the failed deletes finish them.
  for (const auto& id : uncertain) {
    auto d = Restarted()->Delete(kSub, id);
    if (!d) {
      EXPECT_EQ(d.error().code(), ErrorCode::kNotFound);
    }
  }
  const auto after = CheckNothingHalfVisible(live);
  for (const auto& id : uncertain) {
    EXPECT_FALSE(after.contains(id)) << id;
    EXPECT_FALSE(Restarted()->Get(kSub, id)) << id;
  }
}

const Backend kBackends[] = {
    {"memory", [](const std::string&) { return NewMemoryStore(); }},
    {"local",
     [](const std::string& dir) -> std::unique_ptr<ObjectStore> {
       auto s = NewLocalStore(dir);
       return s ? std::move(*s) : nullptr;
     }},
};

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryFaultsTest,
                         ::testing::ValuesIn(kBackends),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace invoices::store
