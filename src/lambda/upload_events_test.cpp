#include "invoices/lambda/upload_events.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "invoices/lambda/fake_runtime.h"
#include "invoices/store/digest.h"

namespace invoices::lambda {
namespace {

using core::Json;
using Kind = FakeRuntime::Post::Kind;
using ::testing::HasSubstr;

constexpr char kSub[] = "7d8ca528-4931-4254-9273-ea5ee853f271";
constexpr char kKey[] =
    "uploads/7d8ca528-4931-4254-9273-ea5ee853f271/01HZX3K6W8Q9T2V4B7N5M0C1DE/"
    "shop receipt (1).jpg";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Fixture() {
  return ReadFile(std::string(INVOICES_SOURCE_DIR) +
                  "/tests/fixtures/s3/upload-created.json");
}

std::string DevReceipt() {
  return ReadFile(std::string(INVOICES_SHARED_DIR) +
                  "/datasets/sroie-dev/images/X00016469612.jpg");
}

// An S3 event of one created object under `key` of `bucket`.
std::string Event(const std::string& bucket, const std::string& key) {
  Json event = Json::parse(Fixture());
  event["Records"][0]["s3"]["bucket"]["name"] = bucket;
  event["Records"][0]["s3"]["object"]["key"] = key;
  return event.dump();
}

class UploadEventHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = extract::EnginePool::Create(1, [] {
      return core::Result<std::unique_ptr<extract::OcrEngine>>(
          extract::NewCannedEngine(
              extract::PageFromText("CORNER SHOP\nTOTAL 12.50\n")));
    });
    ASSERT_TRUE(pool);
    pool_ = std::move(*pool);
    scanner_ =
        std::make_unique<extract::Scanner>(*pool_, extract::ScannerOptions{});
    store_ = store::NewMemoryStore();
    repo_ = std::make_unique<store::InvoiceRepository>(*store_);
    processor_ = std::make_unique<functions::UploadProcessor>(*store_, *repo_,
                                                              *scanner_);
    options_.log = [this](std::string_view line) { logs_.emplace_back(line); };
  }

  void Put(const std::string& key, const std::string& bytes) {
    ASSERT_TRUE(store_->Put(key, bytes, {}));
  }

  std::unique_ptr<extract::EnginePool> pool_;
  std::unique_ptr<extract::Scanner> scanner_;
  std::unique_ptr<store::ObjectStore> store_;
  std::unique_ptr<store::InvoiceRepository> repo_;
  std::unique_ptr<functions::UploadProcessor> processor_;
  LoopOptions options_;
  std::vector<std::string> logs_;
};

// The event S3 sends (key URL-encoded) through the Lambda loop: the upload
// becomes the user's invoice and the answer reports it.
TEST_F(UploadEventHandlerTest, AnS3EventBecomesTheUsersInvoice) {
  Put(kKey, DevReceipt());
  FakeRuntime runtime;
  runtime.PushEvent(Fixture());
  runtime.PushEvent(Fixture());  // delivered twice
  options_.max_invocations = 2;
  EXPECT_EQ(RunLoop(runtime,
                    UploadEventHandler(*processor_,
                                       {.bucket = "invoices-data-example"}),
                    options_),
            0);
  ASSERT_EQ(runtime.posts().size(), 2u);
  ASSERT_EQ(runtime.posts()[0].kind, Kind::kResponse)
      << runtime.posts()[0].body;
  const Json first = Json::parse(runtime.posts()[0].body);
  ASSERT_EQ(first["results"].size(), 1u);
  EXPECT_EQ(first["results"][0]["outcome"], "saved");
  EXPECT_EQ(first["results"][0]["key"], kKey);
  EXPECT_EQ(first["results"][0]["sub"], kSub);
  const std::string id = first["results"][0]["invoice_id"];
  auto invoice = repo_->Get(kSub, id);
  ASSERT_TRUE(invoice) << invoice.error().ToString();
  EXPECT_EQ(invoice->picture.file_name, "shop receipt (1).jpg");
  EXPECT_EQ(invoice->Fields()["total"], "12.50");
  EXPECT_FALSE(store_->Head(kKey));

  const Json second = Json::parse(runtime.posts()[1].body);
  EXPECT_EQ(second["results"][0]["outcome"], "gone");
  auto page = repo_->List(kSub, {});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->items.size(), 1u);
  ASSERT_GE(logs_.size(), 2u);
  const Json log = Json::parse(logs_[0]);
  EXPECT_EQ(log["level"], "info");
  EXPECT_EQ(Json::parse(log["message"].get<std::string>())["outcome"], "saved");
}

TEST_F(UploadEventHandlerTest, OtherBucketsAndPrefixesAreSkipped) {
  Put(kKey, DevReceipt());
  Put("prod/" + std::string(kKey), DevReceipt());
  const Handler other_bucket =
      UploadEventHandler(*processor_, {.bucket = "someone-elses"});
  FakeRuntime runtime;
  runtime.PushEvent(Event("invoices-data-example", "uploads/x/y.jpg"));
  options_.max_invocations = 1;
  RunLoop(runtime, other_bucket, options_);
  ASSERT_EQ(runtime.posts().size(), 1u);
  const Json skipped = Json::parse(runtime.posts()[0].body);
  EXPECT_EQ(skipped["results"][0]["outcome"], "skipped");
  EXPECT_THAT(skipped["results"][0]["error"]["message"].get<std::string>(),
              HasSubstr("someone-elses"));
  EXPECT_TRUE(store_->Head(kKey));
  EXPECT_EQ(Json::parse(logs_[0])["level"], "warn");

  // A store with a prefix: its keys are the event's without it.
  const Handler prefixed = UploadEventHandler(
      *processor_, {.bucket = "invoices-data-example", .prefix = "prod"});
  FakeRuntime runtime2;
  runtime2.PushEvent(Event("invoices-data-example", "uploads/x/y.jpg"));
  runtime2.PushEvent(
      Event("invoices-data-example", "prod/" + std::string(kKey)));
  options_.max_invocations = 2;
  RunLoop(runtime2, prefixed, options_);
  ASSERT_EQ(runtime2.posts().size(), 2u);
  EXPECT_EQ(Json::parse(runtime2.posts()[0].body)["results"][0]["outcome"],
            "skipped");
  const Json saved = Json::parse(runtime2.posts()[1].body);
  EXPECT_EQ(saved["results"][0]["outcome"], "saved") << saved.dump();
  EXPECT_EQ(saved["results"][0]["key"], kKey);  // the store's key
  EXPECT_FALSE(store_->Head(kKey));
}

TEST_F(UploadEventHandlerTest, AnErrorToRetryFailsTheInvocationAfterTheRest) {
  // Two objects: the first cannot be saved now (its idempotency key is held
  // by an attempt in progress), the second can.
  const std::string receipt = DevReceipt();
  Put(kKey, receipt);
  const std::string second = "uploads/alice/second.jpg";
  Put(second, receipt + "2");
  ASSERT_TRUE(store_->Put(
      "users/" + std::string(kSub) + "/index/idempotency/" +
          store::HexEncode(store::Sha256(functions::UploadIdempotencyKey(
              kKey, store::ComputeEtag(receipt)))),
      Json{{"id", "01HZX3K6W8Q9T2V4B7N5M0C1DE"},
           {"sha256", store::HexEncode(store::Sha256(receipt))},
           {"created_ms", int64_t{99999999999999}}}
          .dump(),
      {}));
  Json event = Json::parse(Fixture());
  Json record = event["Records"][0];
  record["s3"]["object"]["key"] = second;
  event["Records"].push_back(record);
  FakeRuntime runtime;
  runtime.PushEvent(event.dump());
  options_.max_invocations = 1;
  RunLoop(runtime, UploadEventHandler(*processor_), options_);
  ASSERT_EQ(runtime.posts().size(), 1u);
  EXPECT_EQ(runtime.posts()[0].kind, Kind::kError) << runtime.posts()[0].body;
  EXPECT_TRUE(store_->Head(kKey));     // stays for the retry
  EXPECT_FALSE(store_->Head(second));  // done
  auto page = repo_->List("alice", {});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->items.size(), 1u);
  ASSERT_EQ(logs_.size() >= 2, true);
  EXPECT_EQ(Json::parse(logs_[0])["level"], "error");
}

TEST_F(UploadEventHandlerTest, AMalformedEventIsAnInvocationError) {
  FakeRuntime runtime;
  runtime.PushEvent(R"({"version": "2.0", "routeKey": "GET /healthz"})");
  options_.max_invocations = 1;
  RunLoop(runtime, UploadEventHandler(*processor_), options_);
  ASSERT_EQ(runtime.posts().size(), 1u);
  EXPECT_EQ(runtime.posts()[0].kind, Kind::kError);
  EXPECT_EQ(runtime.posts()[0].error_type, "Function.invalid_argument");
}

}  // namespace
}  // namespace invoices::lambda
