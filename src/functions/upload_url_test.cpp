#include "invoices/functions/upload_url.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "invoices/functions/upload_event.h"
#include "invoices/store/fake_s3.h"
#include "invoices/store/s3_store.h"

namespace invoices::functions {
namespace {

using core::Json;

std::string DevReceipt() {
  std::ifstream in(std::string(INVOICES_SHARED_DIR) +
                       "/datasets/sroie-dev/images/X00016469612.jpg",
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

HttpRequest Post(std::string body, std::string sub = "alice") {
  HttpRequest r;
  r.method = "POST";
  r.raw_path = "/uploads";
  r.route_key = "POST /uploads";
  r.request_id = "req-9";
  r.body = std::move(body);
  if (!r.body.empty()) r.headers["content-type"] = "application/json";
  if (!sub.empty()) r.claims["sub"] = std::move(sub);
  return r;
}

class UploadUrlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = store::NewFakeS3();
    auto s3 = store::NewS3Store(store::FakeS3StoreOptions(), fake_);
    ASSERT_TRUE(s3) << s3.error().ToString();
    store_ = std::move(*s3);
    function_ = std::make_unique<UploadUrlFunction>(*store_);
  }

  std::shared_ptr<store::FakeS3> fake_;
  std::unique_ptr<store::ObjectStore> store_;
  std::unique_ptr<UploadUrlFunction> function_;
};

// The whole path of a large upload: a URL from the API, the bytes PUT
// straight to the bucket, the S3 event's processing, the user's invoice.
TEST_F(UploadUrlTest, AUrlToUploadStraightToTheBucketBecomesAnInvoice) {
  HttpResponse r = (*function_)(Post(R"({"file_name": "shop receipt.jpg"})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.headers["cache-control"], "no-store");
  const Json j = Json::parse(r.body);
  EXPECT_EQ(j["method"], "PUT");
  EXPECT_EQ(j["expires_in"], 900);
  const std::string key = j["key"];
  ASSERT_TRUE(key.starts_with("uploads/alice/")) << key;
  EXPECT_TRUE(key.ends_with("/shop_receipt.jpg")) << key;
  auto parts = ParseUploadKey(key);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->sub, "alice");
  EXPECT_TRUE(core::IsValidId(parts->rest.substr(0, core::kIdLength)));
  const std::string url = j["url"];
  EXPECT_NE(url.find("X-Amz-Expires=900"), std::string::npos);

  const std::string receipt = DevReceipt();
  auto put =
      fake_->Send({"PUT", url, {{"Content-Type", "image/jpeg"}}, receipt});
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 200) << put->body;

  auto pool = extract::EnginePool::Create(1, [] {
    return core::Result<std::unique_ptr<extract::OcrEngine>>(
        extract::NewCannedEngine(
            extract::PageFromText("CORNER SHOP\nTOTAL 12.50\n")));
  });
  ASSERT_TRUE(pool);
  extract::Scanner scanner(**pool, {});
  store::InvoiceRepository repository(*store_);
  UploadProcessor processor(*store_, repository, scanner);
  auto outcome = processor.Process(key);
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_EQ(outcome->kind, UploadOutcome::Kind::kSaved);
  auto invoice = repository.Get("alice", outcome->invoice_id);
  ASSERT_TRUE(invoice);
  EXPECT_EQ(invoice->picture.file_name, "shop_receipt.jpg");
  EXPECT_EQ(invoice->Fields()["total"], "12.50");
  EXPECT_FALSE(store_->Head(key));
}

TEST_F(UploadUrlTest, EachUrlHasItsOwnKeyUnderTheCallersPrefix) {
  std::set<std::string> keys;
  for (int i = 0; i < 5; ++i) {
    HttpResponse r = (*function_)(Post(""));
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string key = Json::parse(r.body)["key"];
    EXPECT_TRUE(key.starts_with("uploads/alice/")) << key;
    EXPECT_TRUE(key.ends_with("/upload")) << key;
    keys.insert(key);
  }
  EXPECT_EQ(keys.size(), 5u);
  HttpResponse bob = (*function_)(Post("{}", "bob"));
  ASSERT_EQ(bob.status, 200);
  EXPECT_TRUE(Json::parse(bob.body)["key"].get<std::string>().starts_with(
      "uploads/bob/"));
}

TEST_F(UploadUrlTest, RefusesWithoutAUserOrWithABadBody) {
  HttpResponse anonymous = (*function_)(Post("", ""));
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.headers["www-authenticate"], "Bearer");
  EXPECT_EQ(Json::parse(anonymous.body)["error"]["request_id"], "req-9");
  HttpResponse bad_sub = (*function_)(Post("", "../bob"));
  EXPECT_EQ(bad_sub.status, 400);
  for (const char* body : {"not json", "[]", R"({"file_name": 7})", R"("x")"}) {
    HttpResponse r = (*function_)(Post(body));
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(Json::parse(r.body)["error"]["code"], "invalid_argument");
  }
  HttpRequest get = Post("");
  get.method = "GET";
  HttpResponse r = (*function_)(get);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "POST");
}

TEST(UploadUrlStoreTest, AStoreWithoutUrlsIsUnavailable) {
  auto memory = store::NewMemoryStore();
  UploadUrlFunction function(*memory);
  HttpResponse r = function(Post(""));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "unavailable");
}

TEST(UploadUrlStoreTest, SafeFileNames) {
  EXPECT_EQ(SafeFileName("receipt.jpg"), "receipt.jpg");
  EXPECT_EQ(SafeFileName("my receipt (1).JPG"), "my_receipt__1_.JPG");
  EXPECT_EQ(SafeFileName("../../etc/passwd"), "_.._etc_passwd");
  EXPECT_EQ(SafeFileName(".."), "upload");
  EXPECT_EQ(SafeFileName(""), "upload");
  EXPECT_EQ(SafeFileName("caf\xc3\xa9.png"), "caf__.png");
  EXPECT_EQ(SafeFileName(std::string(300, 'a')).size(), 100u);
}

}  // namespace
}  // namespace invoices::functions
