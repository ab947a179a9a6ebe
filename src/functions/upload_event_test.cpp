#include "invoices/functions/upload_event.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace invoices::functions {
namespace {

using core::ErrorCode;
using core::Json;
using Kind = UploadOutcome::Kind;

std::string DevReceipt() {
  std::ifstream in(std::string(INVOICES_SHARED_DIR) +
                       "/datasets/sroie-dev/images/X00016469612.jpg",
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Forwards to a store; fails the next Deletes or every call on demand.
class FlakyStore final : public store::ObjectStore {
 public:
  explicit FlakyStore(store::ObjectStore& inner) : inner_(inner) {}
  int fail_deletes = 0;
  bool down = false;

  core::Result<store::ObjectInfo> Put(std::string_view key,
                                      std::string_view bytes,
                                      const store::PutOptions& o) override {
    if (down) return core::Unavailable("down");
    return inner_.Put(key, bytes, o);
  }
  core::Result<store::Object> Get(
      std::string_view key, std::optional<store::ByteRange> range) override {
    if (down) return core::Unavailable("down");
    return inner_.Get(key, range);
  }
  core::Result<store::ObjectInfo> Head(std::string_view key) override {
    if (down) return core::Unavailable("down");
    return inner_.Head(key);
  }
  core::Status Delete(std::string_view key) override {
    if (down) return core::Unavailable("down");
    if (fail_deletes > 0) {
      --fail_deletes;
      return core::Unavailable("delete lost");
    }
    return inner_.Delete(key);
  }
  core::Result<store::ListPage> List(std::string_view prefix,
                                     std::string_view token,
                                     int max_keys) override {
    if (down) return core::Unavailable("down");
    return inner_.List(prefix, token, max_keys);
  }
  core::Result<std::string> PresignGet(std::string_view key,
                                       std::chrono::seconds expiry) override {
    return inner_.PresignGet(key, expiry);
  }

 private:
  store::ObjectStore& inner_;
};

class UploadProcessorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = extract::EnginePool::Create(1, [] {
      return core::Result<std::unique_ptr<extract::OcrEngine>>(
          extract::NewCannedEngine(
              extract::PageFromText("ACME TRADING SDN BHD\n"
                                    "DATE: 25/12/2018\n"
                                    "PENCIL 2 x 4.50 9.00\n"
                                    "TOTAL RM 9.00\n")));
    });
    ASSERT_TRUE(pool);
    pool_ = std::move(*pool);
    scanner_ =
        std::make_unique<extract::Scanner>(*pool_, extract::ScannerOptions{});
    memory_ = store::NewMemoryStore();
    flaky_ = std::make_unique<FlakyStore>(*memory_);
    repo_ = std::make_unique<store::InvoiceRepository>(*flaky_);
    UploadOptions options;
    options.clock = [] {
      return std::chrono::system_clock::from_time_t(1710407550);
    };
    Use(options);
  }

  void Use(UploadOptions options) {
    processor_ = std::make_unique<UploadProcessor>(*flaky_, *repo_, *scanner_,
                                                   std::move(options));
  }

  void Upload(const std::string& key, const std::string& bytes,
              const std::string& type = "image/jpeg") {
    store::PutOptions put;
    put.content_type = type;
    ASSERT_TRUE(memory_->Put(key, bytes, put));
  }

  UploadOutcome MustProcess(const std::string& key) {
    auto outcome = processor_->Process(key);
    EXPECT_TRUE(outcome) << outcome.error().ToString();
    return outcome ? *outcome : UploadOutcome{};
  }

  std::vector<store::InvoiceSummary> Invoices(const std::string& sub) {
    auto page = repo_->List(sub, {});
    EXPECT_TRUE(page) << page.error().ToString();
    return page ? page->items : std::vector<store::InvoiceSummary>{};
  }

  bool Exists(const std::string& key) { return bool(memory_->Head(key)); }

  std::unique_ptr<extract::EnginePool> pool_;
  std::unique_ptr<extract::Scanner> scanner_;
  std::unique_ptr<store::ObjectStore> memory_;
  std::unique_ptr<FlakyStore> flaky_;
  std::unique_ptr<store::InvoiceRepository> repo_;
  std::unique_ptr<UploadProcessor> processor_;
};

TEST(UploadKeyTest, ParsesTheUserAndTheName) {
  auto k = ParseUploadKey("uploads/7d8ca528-4931/01HZX3K6W8/shop (1).jpg");
  ASSERT_TRUE(k) << k.error().ToString();
  EXPECT_EQ(k->sub, "7d8ca528-4931");
  EXPECT_EQ(k->rest, "01HZX3K6W8/shop (1).jpg");
  EXPECT_EQ(k->file_name, "shop (1).jpg");
  auto flat = ParseUploadKey("uploads/alice/receipt.png");
  ASSERT_TRUE(flat);
  EXPECT_EQ(flat->file_name, "receipt.png");
  for (const char* bad :
       {"users/alice/receipt.png", "uploads/alice", "uploads/alice/",
        "uploads//receipt.png", "uploads/../receipt.png",
        "uploads/al ice/receipt.png", "uploads/alice/a//b", "upload/alice/x"}) {
    auto r = ParseUploadKey(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(UploadKeyTest, IdempotencyKeyNamesKeyAndContent) {
  const std::string a = UploadIdempotencyKey("uploads/u/a.jpg", "\"abc\"");
  EXPECT_EQ(a, UploadIdempotencyKey("uploads/u/a.jpg", "abc"));  // quotes
  EXPECT_TRUE(a.starts_with("s3-upload:"));
  EXPECT_EQ(a.size(), 10u + 64u);
  EXPECT_NE(a, UploadIdempotencyKey("uploads/u/b.jpg", "abc"));
  EXPECT_NE(a, UploadIdempotencyKey("uploads/u/a.jpg", "abd"));
  // Printable and short enough for POST /invoices' Idempotency-Key too.
  EXPECT_LE(a.size(), 255u);
}

TEST_F(UploadProcessorTest, SavesTheUploadAsTheUsersInvoiceAndDeletesIt) {
  const std::string receipt = DevReceipt();
  const std::string key = "uploads/alice/01HZX3K6W8Q9T2V4B7N5M0C1DE/shop.jpg";
  Upload(key, receipt, "binary/octet-stream");
  const UploadOutcome out = MustProcess(key);
  EXPECT_EQ(out.kind, Kind::kSaved);
  EXPECT_EQ(out.sub, "alice");
  EXPECT_FALSE(out.error);
  EXPECT_FALSE(Exists(key));

  auto invoice = repo_->Get("alice", out.invoice_id);
  ASSERT_TRUE(invoice) << invoice.error().ToString();
  EXPECT_EQ(invoice->picture.file_name, "shop.jpg");
  EXPECT_EQ(invoice->picture.content_type, "image/jpeg");  // detected
  EXPECT_EQ(invoice->picture.bytes, receipt.size());
  EXPECT_EQ(invoice->Fields()["total"], "9.00");
  EXPECT_EQ(invoice->Fields()["invoice_date"], "2018-12-25");
  EXPECT_EQ(invoice->idempotency_key_sha256.size(), 64u);
  auto picture = repo_->GetPicture("alice", out.invoice_id);
  ASSERT_TRUE(picture);
  EXPECT_EQ(picture->bytes, receipt);
  ASSERT_EQ(Invoices("alice").size(), 1u);
  EXPECT_EQ(Invoices("alice")[0].id, out.invoice_id);
  EXPECT_TRUE(Invoices("bob").empty());

  const Json j = OutcomeToJson(out);
  EXPECT_EQ(j["outcome"], "saved");
  EXPECT_EQ(j["key"], key);
  EXPECT_EQ(j["sub"], "alice");
  EXPECT_EQ(j["invoice_id"], out.invoice_id);
  EXPECT_FALSE(j.contains("error"));
}

TEST_F(UploadProcessorTest, RedeliveredEventsMakeNoDuplicate) {
  const std::string receipt = DevReceipt();
  const std::string key = "uploads/alice/r.jpg";
  Upload(key, receipt);
  const UploadOutcome first = MustProcess(key);
  ASSERT_EQ(first.kind, Kind::kSaved);
  // The same event again: the upload is gone.
  EXPECT_EQ(MustProcess(key).kind, Kind::kGone);
  // The client sends the same bytes to the same key again (a retried PUT
  // that S3 reports anew): the invoice made before, not a second one.
  Upload(key, receipt);
  const UploadOutcome again = MustProcess(key);
  EXPECT_EQ(again.kind, Kind::kReplayed);
  EXPECT_EQ(again.invoice_id, first.invoice_id);
  EXPECT_FALSE(Exists(key));
  EXPECT_EQ(Invoices("alice").size(), 1u);
  // Other bytes under the same key are another document.
  Upload(key, receipt + "x");
  const UploadOutcome other = MustProcess(key);
  EXPECT_EQ(other.kind, Kind::kSaved);
  EXPECT_NE(other.invoice_id, first.invoice_id);
  EXPECT_EQ(other.duplicate_of, std::nullopt);  // the bytes differ
  EXPECT_EQ(Invoices("alice").size(), 2u);
}

TEST_F(UploadProcessorTest, ACrashBeforeTheDeleteIsFinishedByTheRetry) {
  const std::string key = "uploads/alice/crash.jpg";
  Upload(key, DevReceipt());
  flaky_->fail_deletes = 1;  // the invoice is made, the upload stays
  auto failed = processor_->Process(key);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(IsTransient(failed.error()));
  EXPECT_TRUE(Exists(key));
  ASSERT_EQ(Invoices("alice").size(), 1u);
  // Lambda retries the event: the same invoice, and the upload goes.
  const UploadOutcome retry = MustProcess(key);
  EXPECT_EQ(retry.kind, Kind::kReplayed);
  EXPECT_EQ(retry.invoice_id, Invoices("alice")[0].id);
  EXPECT_FALSE(Exists(key));
  EXPECT_EQ(Invoices("alice").size(), 1u);
}

TEST_F(UploadProcessorTest, AnUnreadableDocumentIsMovedToFailedWithItsError) {
  const std::string key = "uploads/bob/01J/notes.txt";
  Upload(key, "just some text, not a receipt", "text/plain");
  const UploadOutcome out = MustProcess(key);
  EXPECT_EQ(out.kind, Kind::kFailed);
  ASSERT_TRUE(out.error);
  EXPECT_FALSE(IsTransient(*out.error));
  EXPECT_EQ(out.failed_key, "failed/bob/01J/notes.txt.error.json");
  EXPECT_FALSE(Exists(key));
  EXPECT_TRUE(Invoices("bob").empty());

  auto kept = memory_->Get("failed/bob/01J/notes.txt");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->bytes, "just some text, not a receipt");
  EXPECT_EQ(kept->info.content_type, "text/plain");
  auto record = memory_->Get(out.failed_key);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->info.content_type, "application/json");
  const Json j = Json::parse(record->bytes);
  EXPECT_EQ(j["key"], key);
  EXPECT_EQ(j["file_name"], "notes.txt");
  EXPECT_EQ(j["bytes"], 29);
  EXPECT_EQ(j["content_type"], "text/plain");
  EXPECT_EQ(j["etag"], store::ComputeEtag("just some text, not a receipt"));
  EXPECT_EQ(j["failed_at"], "2024-03-14T09:12:30.000Z");
  EXPECT_EQ(j["kept"], true);
  EXPECT_EQ(j["error"]["code"], core::CodeName(out.error->code()));
  EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  EXPECT_EQ(OutcomeToJson(out)["error"]["code"], j["error"]["code"]);

  // Redelivered: nothing left to do, and the failure record stays.
  EXPECT_EQ(MustProcess(key).kind, Kind::kGone);
  EXPECT_TRUE(Exists(out.failed_key));
}

TEST_F(UploadProcessorTest, EmptyAndTruncatedUploadsFail) {
  Upload("uploads/bob/empty.jpg", "");
  const UploadOutcome empty = MustProcess("uploads/bob/empty.jpg");
  EXPECT_EQ(empty.kind, Kind::kFailed);
  EXPECT_EQ(empty.error->code(), ErrorCode::kInvalidArgument);
  Upload("uploads/bob/cut.jpg", DevReceipt().substr(0, 20000));
  const UploadOutcome cut = MustProcess("uploads/bob/cut.jpg");
  EXPECT_EQ(cut.kind, Kind::kFailed);
  EXPECT_EQ(cut.error->code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Exists("failed/bob/cut.jpg"));
  EXPECT_TRUE(Invoices("bob").empty());
}

TEST_F(UploadProcessorTest, AnUploadTooLargeIsRecordedWithoutBeingKept) {
  UploadOptions options;
  options.max_bytes = 1000;
  Use(options);
  const std::string key = "uploads/bob/big.jpg";
  Upload(key, DevReceipt());
  const UploadOutcome out = MustProcess(key);
  EXPECT_EQ(out.kind, Kind::kFailed);
  EXPECT_EQ(out.error->code(), ErrorCode::kTooLarge);
  EXPECT_FALSE(Exists(key));
  EXPECT_FALSE(Exists("failed/bob/big.jpg"));
  auto record = memory_->Get("failed/bob/big.jpg.error.json");
  ASSERT_TRUE(record);
  EXPECT_EQ(Json::parse(record->bytes)["kept"], false);
  EXPECT_EQ(Json::parse(record->bytes)["error"]["code"], "too_large");
}

TEST_F(UploadProcessorTest, KeysThatAreNoUploadsAreLeftAlone) {
  Upload("users/alice/invoices/x/original.jpg", "bytes");
  Upload("uploads/not a user/a.jpg", "bytes");
  for (const char* key :
       {"users/alice/invoices/x/original.jpg", "uploads/not a user/a.jpg"}) {
    const UploadOutcome out = MustProcess(key);
    EXPECT_EQ(out.kind, Kind::kSkipped) << key;
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(Exists(key)) << key;
    EXPECT_EQ(OutcomeToJson(out)["outcome"], "skipped");
  }
}

TEST_F(UploadProcessorTest, AStoreThatIsDownIsRetriedLater) {
  const std::string key = "uploads/alice/r.jpg";
  Upload(key, DevReceipt());
  flaky_->down = true;
  auto out = processor_->Process(key);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(IsTransient(out.error()));
  flaky_->down = false;
  EXPECT_TRUE(Exists(key));
  EXPECT_EQ(MustProcess(key).kind, Kind::kSaved);
}

TEST_F(UploadProcessorTest, EachUserGetsTheirOwnUploads) {
  const std::string receipt = DevReceipt();
  Upload("uploads/alice/a.jpg", receipt);
  Upload("uploads/bob/b.jpg", receipt);
  const UploadOutcome a = MustProcess("uploads/alice/a.jpg");
  const UploadOutcome b = MustProcess("uploads/bob/b.jpg");
  EXPECT_EQ(a.kind, Kind::kSaved);
  EXPECT_EQ(b.kind, Kind::kSaved);
  ASSERT_EQ(Invoices("alice").size(), 1u);
  ASSERT_EQ(Invoices("bob").size(), 1u);
  EXPECT_EQ(Invoices("alice")[0].id, a.invoice_id);
  EXPECT_EQ(Invoices("bob")[0].id, b.invoice_id);
  EXPECT_FALSE(repo_->Get("alice", b.invoice_id));
  // The same bytes again for alice: a new invoice, flagged as a duplicate.
  Upload("uploads/alice/again.jpg", receipt);
  const UploadOutcome again = MustProcess("uploads/alice/again.jpg");
  EXPECT_EQ(again.kind, Kind::kSaved);
  EXPECT_EQ(again.duplicate_of, a.invoice_id);
}

TEST(UploadOutcomeTest, TransientErrors) {
  for (ErrorCode code :
       {ErrorCode::kUnavailable, ErrorCode::kResourceExhausted,
        ErrorCode::kDeadlineExceeded, ErrorCode::kAlreadyExists,
        ErrorCode::kFailedPrecondition}) {
    EXPECT_TRUE(IsTransient(core::Error(code, ""))) << core::CodeName(code);
  }
  for (ErrorCode code :
       {ErrorCode::kInvalidArgument, ErrorCode::kUnsupportedMediaType,
        ErrorCode::kTooLarge, ErrorCode::kInternal, ErrorCode::kNotFound}) {
    EXPECT_FALSE(IsTransient(core::Error(code, ""))) << core::CodeName(code);
  }
  EXPECT_EQ(OutcomeName(Kind::kGone), "gone");
  EXPECT_EQ(OutcomeName(Kind::kReplayed), "replayed");
}

}  // namespace
}  // namespace invoices::functions
