#include "invoices/functions/invoices.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

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

// A store that is down.
class DownStore final : public store::ObjectStore {
 public:
  core::Result<store::ObjectInfo> Put(std::string_view, std::string_view,
                                      const store::PutOptions&) override {
    return core::Unavailable("down");
  }
  core::Result<store::Object> Get(std::string_view,
                                  std::optional<store::ByteRange>) override {
    return core::Unavailable("down");
  }
  core::Result<store::ObjectInfo> Head(std::string_view) override {
    return core::Unavailable("down");
  }
  core::Status Delete(std::string_view) override {
    return core::Unavailable("down");
  }
  core::Result<store::ListPage> List(std::string_view, std::string_view,
                                     int) override {
    return core::Unavailable("down");
  }
  core::Result<std::string> PresignGet(std::string_view,
                                       std::chrono::seconds) override {
    return core::Unavailable("down");
  }
};

// Drains a streamed response into its body, as a client would read it;
// returns how many times the producer was called.
int Drain(HttpResponse& r) {
  int calls = 0;
  while (r.stream) {
    ++calls;
    auto more = r.stream(r.body);
    if (!more) {
      ADD_FAILURE() << more.error().ToString();
      break;
    }
    if (!*more) r.stream = nullptr;
  }
  return calls;
}

std::string Multipart(const std::string& file, const std::string& type,
                      const std::optional<std::string>& fields) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"shop.jpg\"\r\nContent-Type: " +
      type + "\r\n\r\n" + file + "\r\n";
  if (fields) {
    body +=
        "--XyZ\r\nContent-Disposition: form-data; name=\"fields\"\r\n"
        "Content-Type: application/json\r\n\r\n" +
        *fields + "\r\n";
  }
  return body + "--XyZ--\r\n";
}

class InvoicesFunctionTest : public ::testing::Test {
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
    store_ = store::NewMemoryStore();
    Use(*store_);
  }

  void Use(store::ObjectStore& s, InvoicesOptions options = {}) {
    function_.reset();
    store::RepositoryOptions repo_options;
    repo_options.segment_size = 4;
    repo_ = std::make_unique<store::InvoiceRepository>(s, repo_options);
    function_ = std::make_unique<InvoicesFunction>(*repo_, *scanner_, options);
  }

  HttpRequest Request(std::string method, std::string path,
                      std::string sub = "alice") {
    HttpRequest r;
    r.method = std::move(method);
    const size_t q = path.find('?');
    r.raw_path = path.substr(0, q);
    if (q != std::string::npos) {
      r.raw_query_string = path.substr(q + 1);
      std::stringstream ss(r.raw_query_string);
      std::string pair;
      while (std::getline(ss, pair, '&')) {
        const size_t eq = pair.find('=');
        r.query_parameters[pair.substr(0, eq)] =
            eq == std::string::npos ? "" : pair.substr(eq + 1);
      }
    }
    r.request_id = "req-7";
    if (!sub.empty()) r.claims["sub"] = std::move(sub);
    return r;
  }

  HttpResponse Call(const HttpRequest& r) { return (*function_)(r); }

  HttpResponse Post(std::string body, std::string content_type,
                    std::string sub = "alice", std::string key = "") {
    HttpRequest r = Request("POST", "/invoices", std::move(sub));
    r.headers["content-type"] = std::move(content_type);
    if (!key.empty()) r.headers["idempotency-key"] = std::move(key);
    r.body = std::move(body);
    return Call(r);
  }

  // An invoice with the user's values (no scan); each call different bytes.
  std::string PostFields(const Json& fields, std::string sub = "alice") {
    const std::string bytes = DevReceipt() + std::to_string(++uploads_);
    HttpResponse r = Post(Multipart(bytes, "image/jpeg", fields.dump()),
                          "multipart/form-data; boundary=XyZ", std::move(sub));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? Json::parse(r.body)["id"].get<std::string>()
                           : std::string();
  }

  static Json Body(const HttpResponse& r) { return Json::parse(r.body); }

  std::unique_ptr<extract::EnginePool> pool_;
  std::unique_ptr<extract::Scanner> scanner_;
  std::unique_ptr<store::ObjectStore> store_;
  std::unique_ptr<store::InvoiceRepository> repo_;
  std::unique_ptr<InvoicesFunction> function_;
  int uploads_ = 0;
};

TEST_F(InvoicesFunctionTest, PostScansStoresAndAnswersTheInvoice) {
  const std::string receipt = DevReceipt();
  HttpResponse r = Post(receipt, "image/jpeg");
  ASSERT_EQ(r.status, 201) << r.body;
  const Json j = Body(r);
  const std::string id = j["id"];
  EXPECT_EQ(r.headers["location"], "/invoices/" + id);
  EXPECT_FALSE(r.headers["etag"].empty());
  EXPECT_EQ(j["fields"]["total"], "9.00");
  EXPECT_EQ(j["fields"]["invoice_date"], "2018-12-25");
  EXPECT_EQ(j["extraction"]["fields"]["total"]["value"], "9.00");
  EXPECT_EQ(j["extraction"]["document"]["width"], 463);
  EXPECT_EQ(j["corrections"], Json::object());
  EXPECT_EQ(j["picture"]["content_type"], "image/jpeg");
  EXPECT_EQ(j["picture"]["bytes"], receipt.size());
  EXPECT_EQ(j["picture"]["sha256"].get<std::string>().size(), 64u);
  EXPECT_FALSE(j.contains("duplicate_of"));
  EXPECT_EQ(j["created_at"], j["updated_at"]);
  for (const char* key : {"id", "created_at", "updated_at", "status", "fields",
                          "extraction", "corrections", "picture"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }

  // The original is kept byte for byte in the documented place.
  auto original = store_->Get("users/alice/invoices/" + id + "/original.jpg");
  ASSERT_TRUE(original);
  EXPECT_EQ(original->bytes, receipt);
  EXPECT_TRUE(store_->Head("users/alice/invoices/" + id + "/invoice.json"));

  HttpResponse got = Call(Request("GET", "/invoices/" + id));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Body(got), j);
  EXPECT_EQ(got.headers["etag"], r.headers["etag"]);

  HttpResponse picture = Call(Request("GET", "/invoices/" + id + "/picture"));
  ASSERT_EQ(picture.status, 200) << picture.body;
  EXPECT_EQ(picture.headers["content-type"], "image/jpeg");
  EXPECT_EQ(picture.headers["x-content-type-options"], "nosniff");
  EXPECT_EQ(picture.body, receipt);

  HttpResponse list = Call(Request("GET", "/invoices"));
  ASSERT_EQ(list.status, 200);
  const Json items = Body(list)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["id"], id);
  EXPECT_EQ(items[0]["fields"]["total"], "9.00");
  EXPECT_EQ(items[0].size(), 4u);  // id, created_at, status, fields
  EXPECT_FALSE(Body(list).contains("next_cursor"));
}

TEST_F(InvoicesFunctionTest, MultipartFieldsAreStoredUnread) {
  // Unreadable as an image (cut short), but the user gave the values.
  const std::string partial = DevReceipt().substr(0, 20000);
  const Json fields = {{"vendor_name", "Corner Shop"},
                       {"invoice_date", "2024-03-01"},
                       {"total", "12.30"},
                       {"currency", "EUR"}};
  HttpResponse r = Post(Multipart(partial, "image/jpeg", fields.dump()),
                        "multipart/form-data; boundary=XyZ");
  ASSERT_EQ(r.status, 201) << r.body;
  const Json j = Body(r);
  EXPECT_EQ(j["fields"]["vendor_name"], "Corner Shop");
  EXPECT_EQ(j["corrections"]["total"], "12.30");
  EXPECT_EQ(j["status"], "corrected");
  EXPECT_EQ(j["extraction"]["document"]["source"], "user");
  EXPECT_EQ(j["extraction"]["fields"], Json::object());

  // {"fields": {...}} is accepted too; invalid values are refused by name.
  HttpResponse nested =
      Post(Multipart(partial + "x", "image/jpeg",
                     Json{{"fields", {{"total", "1.00"}}}}.dump()),
           "multipart/form-data; boundary=XyZ");
  EXPECT_EQ(nested.status, 201) << nested.body;
  HttpResponse bad = Post(
      Multipart(partial, "image/jpeg", R"({"invoice_date": "31.12.2024"})"),
      "multipart/form-data; boundary=XyZ");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(
      Body(bad)["error"]["message"].get<std::string>().find("invoice_date"),
      std::string::npos);
  HttpResponse number =
      Post(Multipart(partial, "image/jpeg", R"({"total": 12.3})"),
           "multipart/form-data; boundary=XyZ");
  EXPECT_EQ(number.status, 400);
  HttpResponse text = Post(Multipart("just text", "text/plain", fields.dump()),
                           "multipart/form-data; boundary=XyZ");
  EXPECT_EQ(text.status, 415) << text.body;
}

TEST_F(InvoicesFunctionTest, UnreadableUploadIsAnsweredAndNothingStored) {
  for (const auto& [body, type, status] :
       std::vector<std::tuple<std::string, std::string, int>>{
           {DevReceipt().substr(0, 20000), "image/jpeg", 400},
           {"plain text", "text/plain", 400},
           {"%PDF-1.7\n...", "application/pdf", 400},  // a damaged PDF
           {"GIF89a\x01\x00\x01\x00", "image/gif", 415},
           {"", "image/jpeg", 400}}) {
    HttpResponse r = Post(body, type);
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(Body(r)["error"]["request_id"], "req-7");
  }
  auto objects = store_->List("users/");
  ASSERT_TRUE(objects);
  EXPECT_TRUE(objects->objects.empty());
}

TEST_F(InvoicesFunctionTest, TheOcrLanguagesOfTheRequestReachTheScanner) {
  // This scanner reads only its own languages: a request that names others
  // is refused as the scan refuses it, and nothing is stored.
  HttpRequest r = Request("POST", "/invoices?lang=deu");
  r.headers["content-type"] = "image/jpeg";
  r.body = DevReceipt();
  HttpResponse refused = Call(r);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(Body(refused)["error"]["message"].get<std::string>().find(
                "OCR languages"),
            std::string::npos)
      << refused.body;
  auto objects = store_->List("users/");
  ASSERT_TRUE(objects);
  EXPECT_TRUE(objects->objects.empty());
  r.query_parameters.clear();
  EXPECT_EQ(Call(r).status, 201);
}

TEST_F(InvoicesFunctionTest, TheUserComesOnlyFromClaims) {
  HttpResponse none = Post(DevReceipt(), "image/jpeg", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(Body(none)["error"]["code"], "unauthenticated");
  HttpResponse list = Call(Request("GET", "/invoices", ""));
  EXPECT_EQ(list.status, 401);
  for (const char* bad : {"../bob", "a/b", "x y"}) {
    EXPECT_EQ(Call(Request("GET", "/invoices", bad)).status, 400) << bad;
  }
}

TEST_F(InvoicesFunctionTest, IdempotencyKeyAndDuplicates) {
  const std::string receipt = DevReceipt();
  HttpResponse first = Post(receipt, "image/jpeg", "alice", "k-123");
  ASSERT_EQ(first.status, 201) << first.body;
  HttpResponse retry = Post(receipt, "image/jpeg", "alice", "k-123");
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(Body(retry)["id"], Body(first)["id"]);
  EXPECT_EQ(retry.headers["location"], first.headers["location"]);
  EXPECT_EQ(retry.headers["idempotent-replayed"], "true");
  HttpResponse misuse = Post(receipt.substr(0, receipt.size() - 1),
                             "image/jpeg", "alice", "k-123");
  EXPECT_EQ(misuse.status, 400) << misuse.body;

  // The same bytes again without the key: a new invoice, flagged.
  HttpResponse again = Post(receipt, "image/jpeg");
  ASSERT_EQ(again.status, 201);
  EXPECT_NE(Body(again)["id"], Body(first)["id"]);
  EXPECT_EQ(Body(again)["duplicate_of"], Body(first)["id"]);
  EXPECT_EQ(Body(Call(Request("GET", "/invoices")))["items"].size(), 2u);
}

TEST_F(InvoicesFunctionTest, ListPaginatesAndFilters) {
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    ids.push_back(
        PostFields({{"vendor_name", i % 2 ? "Acme" : "Bolt, Inc"},
                    {"invoice_date", "2024-0" + std::to_string(i + 1) + "-10"},
                    {"total", std::to_string(i * 10) + ".00"},
                    {"currency", i < 3 ? "EUR" : "USD"}}));
  }
  auto all = [&](const std::string& query) {
    std::vector<std::string> out;
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      std::string path = "/invoices?limit=2" + query;
      if (!cursor.empty()) path += "&cursor=" + cursor;
      HttpResponse r = Call(Request("GET", path));
      EXPECT_EQ(r.status, 200) << r.body;
      const Json j = Body(r);
      EXPECT_LE(j["items"].size(), 2u);
      for (const auto& item : j["items"]) out.push_back(item["id"]);
      if (!j.contains("next_cursor")) break;
      cursor = j["next_cursor"];
    }
    return out;
  };
  EXPECT_EQ(all(""), std::vector<std::string>(ids.rbegin(), ids.rend()));
  EXPECT_EQ(all("&vendor=acme"),
            (std::vector<std::string>{ids[5], ids[3], ids[1]}));
  EXPECT_EQ(all("&q=BOLT"),
            (std::vector<std::string>{ids[6], ids[4], ids[2], ids[0]}));
  EXPECT_EQ(all("&from=2024-02-01&to=2024-04-30"),
            (std::vector<std::string>{ids[3], ids[2], ids[1]}));
  EXPECT_EQ(all("&min_total=20&max_total=40.00"),
            (std::vector<std::string>{ids[4], ids[3], ids[2]}));
  EXPECT_EQ(all("&currency=eur"),
            (std::vector<std::string>{ids[2], ids[1], ids[0]}));
  EXPECT_EQ(all("&status=corrected").size(), 7u);
  EXPECT_TRUE(all("&status=needs_review").empty());

  HttpResponse one = Call(Request("GET", "/invoices"));
  EXPECT_EQ(Body(one)["items"].size(), 7u);  // default limit 50

  for (const char* bad :
       {"limit=0", "limit=201", "limit=abc", "limit=5x", "cursor=garbage!",
        "cursor=bHQ6eA", "from=2024-13-01", "to=yesterday", "min_total=abc",
        "max_total=1,5", "currency=EURO", "status=paid"}) {
    HttpResponse r = Call(Request("GET", std::string("/invoices?") + bad));
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    EXPECT_EQ(Body(r)["error"]["code"], "invalid_argument");
  }
}

TEST_F(InvoicesFunctionTest, PatchMergesValidatesAndHonoursIfMatch) {
  const std::string id = PostFields({{"vendor_name", "Shop"},
                                     {"invoice_date", "2024-01-01"},
                                     {"total", "5.00"}});
  HttpResponse got = Call(Request("GET", "/invoices/" + id));
  const std::string etag = got.headers["etag"];

  auto patch = [&](const std::string& body, const std::string& if_match = "") {
    HttpRequest r = Request("PATCH", "/invoices/" + id);
    r.headers["content-type"] = "application/merge-patch+json";
    if (!if_match.empty()) r.headers["if-match"] = if_match;
    r.body = body;
    return Call(r);
  };
  HttpResponse ok =
      patch(R"({"fields": {"total": "6.00", "tax": "0.50"}})", etag);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Body(ok)["fields"]["total"], "6.00");
  EXPECT_EQ(Body(ok)["fields"]["tax"], "0.50");
  EXPECT_NE(ok.headers["etag"], etag);

  HttpResponse stale = patch(R"({"fields": {"total": "7.00"}})", etag);
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(Body(stale)["error"]["code"], "failed_precondition");

  HttpResponse removed =
      patch(R"({"fields": {"tax": null}})", ok.headers["etag"]);
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_FALSE(Body(removed)["fields"].contains("tax"));
  EXPECT_FALSE(Body(removed)["corrections"].contains("tax"));

  HttpResponse bad_date = patch(R"({"fields": {"due_date": "tomorrow"}})");
  EXPECT_EQ(bad_date.status, 400);
  EXPECT_NE(
      Body(bad_date)["error"]["message"].get<std::string>().find("due_date"),
      std::string::npos);
  HttpResponse bad_total = patch(R"({"fields": {"total": "12 EUR"}})");
  EXPECT_EQ(bad_total.status, 400);
  EXPECT_NE(
      Body(bad_total)["error"]["message"].get<std::string>().find("total"),
      std::string::npos);
  EXPECT_EQ(patch(R"({"fields": {"total": "-12.00"}})").status, 200);
  EXPECT_EQ(patch(R"({"fields": {"total": 12}})").status, 400);
  EXPECT_EQ(patch(R"({"status": "paid"})").status, 400);
  EXPECT_EQ(patch(R"({"fields": {"colour": "red"}})").status, 400);
  EXPECT_EQ(patch("not json").status, 400);
  EXPECT_EQ(patch("[]").status, 400);

  // The listing shows the values in force.
  HttpResponse list = Call(Request("GET", "/invoices"));
  EXPECT_EQ(Body(list)["items"][0]["fields"]["total"], "-12.00");
}

TEST_F(InvoicesFunctionTest, GetHonoursIfNoneMatch) {
  const std::string id = PostFields({{"total", "1.00"}});
  HttpResponse got = Call(Request("GET", "/invoices/" + id));
  HttpRequest again = Request("GET", "/invoices/" + id);
  again.headers["if-none-match"] = got.headers["etag"];
  HttpResponse r = Call(again);
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(InvoicesFunctionTest, DeleteRemovesEverything) {
  const std::string id = PostFields({{"total", "1.00"}});
  HttpResponse r = Call(Request("DELETE", "/invoices/" + id));
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(Call(Request("GET", "/invoices/" + id)).status, 404);
  EXPECT_EQ(Call(Request("GET", "/invoices/" + id + "/picture")).status, 404);
  EXPECT_EQ(Call(Request("DELETE", "/invoices/" + id)).status, 404);
  EXPECT_TRUE(Body(Call(Request("GET", "/invoices")))["items"].empty());
  auto left = store_->List("users/alice/invoices/");
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->objects.empty());
}

TEST_F(InvoicesFunctionTest, AnotherUsersInvoiceIsNotFoundAndIdsAreChecked) {
  const std::string id = PostFields({{"total", "1.00"}});
  for (const auto& [method, suffix] :
       std::vector<std::pair<std::string, std::string>>{
           {"GET", ""}, {"PATCH", ""}, {"DELETE", ""}, {"GET", "/picture"}}) {
    HttpRequest r = Request(method, "/invoices/" + id + suffix, "bob");
    r.body = R"({"fields": {"total": "2.00"}})";
    HttpResponse resp = Call(r);
    EXPECT_EQ(resp.status, 404) << method << suffix << " " << resp.body;
    EXPECT_EQ(Body(resp)["error"]["code"], "not_found");
  }
  // Unknown ids look the same as other users' ones.
  EXPECT_EQ(Call(Request("GET", "/invoices/" + core::NewId())).status, 404);
  for (const char* bad :
       {"123", "not-an-id", "..%2F..%2Fetc", "01ARZ3NDEKTSV4RRFFQ69G5FA!"}) {
    EXPECT_EQ(Call(Request("GET", std::string("/invoices/") + bad)).status, 400)
        << bad;
  }
  EXPECT_EQ(Body(Call(Request("GET", "/invoices", "bob")))["items"].size(), 0u);
  // Path parameters from a router take precedence over the raw path.
  HttpRequest routed = Request("GET", "/ignored");
  routed.path_parameters["id"] = id;
  EXPECT_EQ(function_->Get(routed).status, 200);
}

TEST_F(InvoicesFunctionTest, ExportCsvQuotesAndPages) {
  Use(*store_, InvoicesOptions{.export_page_size = 2});
  const std::string a = PostFields({{"vendor_name", "Plain Shop"},
                                    {"invoice_date", "2024-01-02"},
                                    {"total", "10.00"},
                                    {"currency", "EUR"}});
  const std::string b = PostFields({{"vendor_name", "Say \"Hi\", Ltd"},
                                    {"vendor_address", "1 Road\nTown"},
                                    {"total", "-3.50"}});
  const std::string c = PostFields({{"vendor_name", "=HYPERLINK(\"x\")"}});
  HttpResponse r = Call(Request("GET", "/invoices/export.csv"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"],
            "text/csv; charset=utf-8; header=present");
  EXPECT_NE(r.headers["content-disposition"].find("attachment"),
            std::string::npos);
  EXPECT_EQ(r.headers.count("content-length"), 0u);
  const std::string header =
      "id,created_at,status,vendor_name,vendor_address,vendor_tax_id,"
      "vendor_phone,receiver_name,receiver_address,receiver_tax_id,"
      "invoice_id,purchase_order,payment_terms,invoice_date,due_date,"
      "currency,subtotal,tax,discount,tip,total,amount_due\r\n";
  // Streamed: the header row first, then one chunk per index page.
  ASSERT_TRUE(r.stream);
  EXPECT_EQ(r.body, header);
  std::string first_chunk;
  auto more = r.stream(first_chunk);
  ASSERT_TRUE(more && *more);  // two pages of two
  EXPECT_EQ(std::count(first_chunk.begin(), first_chunk.end(), '\n'), 3);
  r.body += first_chunk;
  EXPECT_EQ(Drain(r), 1);
  ASSERT_TRUE(r.body.starts_with(header)) << r.body;
  std::vector<std::string> rows;
  size_t pos = header.size();
  // Split on CRLF outside quotes.
  bool quoted = false;
  std::string row;
  for (; pos < r.body.size(); ++pos) {
    const char ch = r.body[pos];
    if (ch == '"') quoted = !quoted;
    if (!quoted && ch == '\r' && pos + 1 < r.body.size() &&
        r.body[pos + 1] == '\n') {
      rows.push_back(row);
      row.clear();
      ++pos;
      continue;
    }
    row += ch;
  }
  EXPECT_TRUE(row.empty());
  ASSERT_EQ(rows.size(), 3u);  // newest first, across two index pages
  EXPECT_TRUE(rows[0].starts_with(c + ","));
  EXPECT_NE(rows[0].find(",\"'=HYPERLINK(\"\"x\"\")\","), std::string::npos)
      << rows[0];
  EXPECT_TRUE(rows[1].starts_with(b + ","));
  EXPECT_NE(rows[1].find(",\"Say \"\"Hi\"\", Ltd\",\"1 Road\nTown\","),
            std::string::npos)
      << rows[1];
  EXPECT_TRUE(rows[1].ends_with(",-3.50,"));  // amounts are not escaped
  EXPECT_TRUE(rows[2].starts_with(a + ","));
  EXPECT_NE(rows[2].find(",corrected,Plain Shop,"), std::string::npos);
  EXPECT_EQ(std::count(rows[2].begin(), rows[2].end(), ','), 21);

  HttpResponse filtered =
      Call(Request("GET", "/invoices/export.csv?currency=EUR"));
  ASSERT_EQ(filtered.status, 200);
  Drain(filtered);
  EXPECT_EQ(filtered.body.substr(header.size()).find(b), std::string::npos);
  EXPECT_NE(filtered.body.find(a), std::string::npos);
  EXPECT_EQ(Call(Request("GET", "/invoices/export.csv?from=x")).status, 400);
  EXPECT_EQ(Call(Request("GET", "/invoices/export.csv", "")).status, 401);
}

TEST_F(InvoicesFunctionTest, StoreDownIs503WithRetryAfter) {
  DownStore down;
  Use(down);
  for (HttpResponse r : {Call(Request("GET", "/invoices")),
                         Call(Request("GET", "/invoices/" + core::NewId())),
                         Call(Request("GET", "/invoices/export.csv")),
                         Post(DevReceipt(), "image/jpeg")}) {
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.headers["retry-after"], "1");
    EXPECT_EQ(Body(r)["error"]["code"], "unavailable");
  }
}

TEST_F(InvoicesFunctionTest, DispatchesByPathAndMethod) {
  const std::string id = PostFields({{"total", "1.00"}});
  EXPECT_EQ(Call(Request("GET", "/prod/invoices/" + id)).status, 200);
  EXPECT_EQ(Call(Request("GET", "/invoices/")).status, 200);
  EXPECT_EQ(Call(Request("GET", "/elsewhere")).status, 404);
  EXPECT_EQ(Call(Request("GET", "/invoices/" + id + "/other")).status, 404);
  EXPECT_EQ(Call(Request("GET", "/invoices/a/b/c")).status, 404);
  HttpResponse put = Call(Request("PUT", "/invoices/" + id));
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(put.headers["allow"], "DELETE, GET, PATCH");
  EXPECT_EQ(Call(Request("DELETE", "/invoices")).status, 405);
  EXPECT_EQ(Call(Request("POST", "/invoices/export.csv")).status, 405);
  EXPECT_EQ(kInvoiceRoutes.size(), 7u);
}

TEST_F(InvoicesFunctionTest, PictureRedirectsToAPresignedUrlOnS3) {
  auto s3 = store::NewS3Store(store::FakeS3StoreOptions(), store::NewFakeS3());
  ASSERT_TRUE(s3);
  Use(**s3);
  const std::string id = PostFields({{"total", "1.00"}});
  HttpResponse r = Call(Request("GET", "/invoices/" + id + "/picture"));
  ASSERT_EQ(r.status, 302) << r.body;
  EXPECT_NE(r.headers["location"].find("X-Amz-Signature="), std::string::npos);
  EXPECT_NE(r.headers["location"].find(id), std::string::npos);
  Use(**s3, InvoicesOptions{.redirect_pictures = false});
  HttpResponse streamed = Call(Request("GET", "/invoices/" + id + "/picture"));
  EXPECT_EQ(streamed.status, 200);
  EXPECT_EQ(streamed.headers["content-type"], "image/jpeg");
  Use(*store_);  // before `s3` goes
}

// Content-type confusion: a document a browser would run (HTML, SVG) must
// never come back as something it renders in the API's origin.
TEST_F(InvoicesFunctionTest, ActiveContentIsNeverServedInline) {
  const std::string svg =
      "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\">"
      "<script>alert(document.domain)</script></svg>";
  const std::string xhtml =
      "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"
      "<body>Invoice<script>alert(1)</script></body></html>";
  for (const auto& [bytes, declared] :
       {std::pair{svg, std::string("image/svg+xml")},
        {xhtml, std::string("text/html")}}) {
    HttpResponse up = Post(Multipart(bytes, declared, R"({"total": "1.00"})"),
                           "multipart/form-data; boundary=XyZ");
    // Stored unread, as the XML it is (the declared type is not trusted).
    ASSERT_EQ(up.status, 201) << up.body;
    EXPECT_EQ(Body(up)["picture"]["content_type"], "application/xml");
    const std::string id = Body(up)["id"];
    HttpResponse r = Call(Request("GET", "/invoices/" + id + "/picture"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, bytes);
    EXPECT_EQ(r.headers["content-type"], "application/xml");
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
    EXPECT_EQ(r.headers["content-disposition"],
              "attachment; filename=\"invoice-" + id + ".xml\"");
    EXPECT_NE(r.headers["content-security-policy"].find("sandbox"),
              std::string::npos);
  }
  // HTML that is not XML is not a document the system keeps.
  HttpResponse html =
      Post(Multipart("<!DOCTYPE html><html><script>alert(1)</script></html>",
                     "image/jpeg", R"({"total": "1.00"})"),
           "multipart/form-data; boundary=XyZ");
  EXPECT_EQ(html.status, 415) << html.body;
  // A photo is shown inline.
  const std::string jpeg = PostFields({{"total", "2.00"}});
  HttpResponse photo = Call(Request("GET", "/invoices/" + jpeg + "/picture"));
  EXPECT_EQ(photo.headers["content-type"], "image/jpeg");
  EXPECT_EQ(photo.headers.count("content-disposition"), 0u);
}

TEST_F(InvoicesFunctionTest, ActiveContentIsStreamedNotRedirectedOnS3) {
  auto s3 = store::NewS3Store(store::FakeS3StoreOptions(), store::NewFakeS3());
  ASSERT_TRUE(s3);
  Use(**s3);
  HttpResponse up = Post(
      Multipart("<?xml version=\"1.0\"?><svg "
                "xmlns=\"http://www.w3.org/2000/svg\"><script>1</script></svg>",
                "image/svg+xml", R"({"total": "1.00"})"),
      "multipart/form-data; boundary=XyZ");
  ASSERT_EQ(up.status, 201) << up.body;
  const std::string id = Body(up)["id"];
  // The bucket would serve it with its stored type and no
  // Content-Disposition: no presigned URL for it.
  HttpResponse r = Call(Request("GET", "/invoices/" + id + "/picture"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.count("location"), 0u);
  EXPECT_NE(r.headers["content-disposition"].find("attachment"),
            std::string::npos);
  Use(*store_);  // before `s3` goes
}

TEST_F(InvoicesFunctionTest, CsvExportNeutralisesEveryFormulaLead) {
  // OWASP's list: = + - @ tab and carriage return.
  const std::vector<std::string> names = {"=HYPERLINK(\"http://x\",\"y\")",
                                          "+1+2",
                                          "-2+3",
                                          "@SUM(A1)",
                                          "\tcmd",
                                          "\rcmd"};
  for (const auto& name : names) PostFields({{"vendor_name", name}});
  PostFields({{"vendor_name", "Plain"}, {"total", "-1.00"}});
  HttpResponse r = Call(Request("GET", "/invoices/export.csv"));
  ASSERT_EQ(r.status, 200);
  Drain(r);
  for (const auto& name : names) {
    EXPECT_EQ(r.body.find("," + name), std::string::npos) << name;
    EXPECT_EQ(r.body.find(",\"" + name), std::string::npos) << name;
    std::string quoted;  // as CsvField writes "'" + name
    for (char c : "'" + name) {
      if (c == '"') quoted += '"';
      quoted += c;
    }
    EXPECT_NE(r.body.find(quoted), std::string::npos) << name;
  }
  EXPECT_NE(r.body.find(",Plain,"), std::string::npos);
  EXPECT_NE(r.body.find(",-1.00,"), std::string::npos);  // a number stays
}

TEST(ListPageJsonTest, IsTheDocumentOfTheSummaries) {
  store::ListResult page;
  page.items.push_back({"01HZX3K6W8Q9T2V4B7N5M0C1DE",
                        "2024-05-01T12:00:00.123Z",
                        "corrected",
                        {{"total", "9.00"},
                         {"vendor_name", "Caf\xc3\xa9 \"Zum\" L\xc3\xb6wen\\"},
                         {"vendor_address", "Line 1\nLine 2\tTab \x01"},
                         {"not_a_field", "left out, as SummaryToJson does"},
                         {"currency", "EUR"}}});
  page.items.push_back({"01HZX3K6W8Q9T2V4B7N5M0C1DD",
                        "2024-05-01T11:00:00.000Z",
                        "needs_review",
                        {}});
  auto document = [&] {
    Json body;
    body["items"] = Json::array();
    for (const auto& item : page.items) {
      body["items"].push_back(SummaryToJson(item));
    }
    if (!page.next_cursor.empty()) body["next_cursor"] = page.next_cursor;
    return body;
  };
  EXPECT_EQ(Json::parse(ListPageJson(page)), document());
  // Member order as well: fields in kFieldSpecs order.
  EXPECT_EQ(Json::parse(ListPageJson(page)).dump(), document().dump());
  page.next_cursor = "bHQ6MDFIWlgzSzZXOFE5VDJWNEI3TjVNMEMxREQ";
  EXPECT_EQ(Json::parse(ListPageJson(page)).dump(), document().dump());
  // Without control characters, byte for byte what the library writes.
  page.items[0].fields["vendor_address"] = "Line 1 / Line 2";
  EXPECT_EQ(ListPageJson(page), document().dump());
  page.items.clear();
  page.next_cursor.clear();
  EXPECT_EQ(ListPageJson(page), R"({"items":[]})");
}

TEST(ListPageJsonTest, InvalidUtf8NeverBreaksThePage) {
  store::ListResult page;
  page.items.push_back({"01HZX3K6W8Q9T2V4B7N5M0C1DE",
                        "2024-05-01T12:00:00.123Z",
                        "extracted",
                        {{"vendor_name", "Shop \xff\xfe"}}});
  const Json j = Json::parse(ListPageJson(page));
  EXPECT_EQ(j["items"][0]["fields"]["vendor_name"],
            "Shop \xef\xbf\xbd\xef\xbf\xbd");
}

TEST(CsvFieldTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"x\""), "\"say \"\"x\"\"\"");
  EXPECT_EQ(CsvField("l1\nl2"), "\"l1\nl2\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
}

}  // namespace
}  // namespace invoices::functions
