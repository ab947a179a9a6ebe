#include "invoices/functions/scan.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace invoices::functions {
namespace {

std::string DevReceipt() {
  std::ifstream in(std::string(INVOICES_SHARED_DIR) +
                       "/datasets/sroie-dev/images/X00016469612.jpg",
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The scan function over a canned OCR engine: everything but Tesseract.
class ScanFunctionTest : public ::testing::Test {
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
  }

  HttpResponse Post(std::string body, std::string content_type) {
    HttpRequest r;
    r.method = "POST";
    r.raw_path = "/scan";
    r.request_id = "req-1";
    r.headers["content-type"] = std::move(content_type);
    r.body = std::move(body);
    return ScanFunction(*scanner_)(r);
  }

  std::unique_ptr<extract::EnginePool> pool_;
  std::unique_ptr<extract::Scanner> scanner_;
};

TEST_F(ScanFunctionTest, RawBodyGivesExtraction) {
  HttpResponse r = Post(DevReceipt(), "image/jpeg");
  ASSERT_EQ(r.status, 200) << r.body;
  const core::Json j = core::Json::parse(r.body);
  EXPECT_EQ(j["document"]["width"], 463);
  EXPECT_EQ(j["document"]["mime"], "image/jpeg");
  EXPECT_EQ(j["fields"]["total"]["value"], "9.00");
  EXPECT_EQ(j["fields"]["invoice_date"]["value"], "2018-12-25");
  EXPECT_EQ(j["file"], "upload");
  // Boxes are in pixels of the page as uploaded.
  const auto& box = j["fields"]["total"]["bbox"];
  EXPECT_LE(box[2].get<int>(), 463);
  EXPECT_LE(box[3].get<int>(), 1013);
}

TEST_F(ScanFunctionTest, MultipartFileField) {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"shop.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" +
      DevReceipt() + "\r\n--b--\r\n";
  HttpResponse r = Post(body, "multipart/form-data; boundary=b");
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(core::Json::parse(r.body)["file"], "shop.jpg");
}

TEST_F(ScanFunctionTest, ErrorsCarryStatusCodeAndFile) {
  struct Case {
    std::string body, type;
    int status;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"", "image/jpeg", 400, "invalid_argument"},
      {"plain text", "text/plain", 400, "invalid_argument"},
      {DevReceipt().substr(0, 20000), "image/jpeg", 400, "invalid_argument"},
      {"%PDF-1.7\n...", "application/pdf", 400, "invalid_argument"},
      {"GIF89a\x01\x00\x01\x00", "image/gif", 415, "unsupported_media_type"},
      {"--b\r\nContent-Disposition: form-data; "
       "name=\"other\"\r\n\r\nx\r\n--b--",
       "multipart/form-data; boundary=b", 400, "invalid_argument"},
  };
  for (const Case& c : cases) {
    HttpResponse r = Post(c.body, c.type);
    EXPECT_EQ(r.status, c.status) << c.type << " " << r.body;
    const core::Json j = core::Json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], c.code) << r.body;
    EXPECT_EQ(j["error"]["request_id"], "req-1");
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  }
}

// Engines that read whatever language they were made for, with a list of
// what is installed; the scanner given LanguagePools as `invoices serve`
// wires it.
class LanguageScanTest : public ::testing::Test {
 protected:
  class Engine final : public extract::OcrEngine {
   public:
    explicit Engine(std::string language) : language_(std::move(language)) {}
    using OcrEngine::Recognize;
    core::Result<extract::OcrPage> Recognize(
        const extract::GrayImage&, const extract::RecognizeOptions&) override {
      return extract::PageFromText("BÄCKEREI\nSUMME 9,00 EUR");
    }
    const std::string& language() const override { return language_; }
    std::vector<std::string> InstalledLanguages() const override {
      return {"deu", "eng", "osd"};
    }

   private:
    std::string language_;
  };

  void SetUp() override {
    auto pool = extract::EnginePool::Create(1, [] {
      return core::Result<std::unique_ptr<extract::OcrEngine>>(
          std::make_unique<Engine>("eng"));
    });
    ASSERT_TRUE(pool);
    pool_ = std::move(*pool);
    languages_ = std::make_unique<extract::LanguagePools>(
        *pool_, extract::LanguagePools::Options{.default_languages = "eng"},
        [](const std::string& lang)
            -> core::Result<std::unique_ptr<extract::OcrEngine>> {
          return std::make_unique<Engine>(lang);
        });
    scanner_ = std::make_unique<extract::Scanner>(
        *pool_, extract::ScannerOptions{}, languages_.get());
  }

  HttpResponse Post(std::string body, std::string content_type,
                    std::map<std::string, std::string> query = {}) {
    HttpRequest r;
    r.method = "POST";
    r.raw_path = "/scan";
    r.request_id = "req-2";
    r.headers["content-type"] = std::move(content_type);
    r.query_parameters = std::move(query);
    r.body = std::move(body);
    return ScanFunction(*scanner_)(r);
  }

  std::unique_ptr<extract::EnginePool> pool_;
  std::unique_ptr<extract::LanguagePools> languages_;
  std::unique_ptr<extract::Scanner> scanner_;
};

TEST_F(LanguageScanTest, LangQueryParameterChoosesTheOcrLanguages) {
  HttpResponse r = Post(DevReceipt(), "image/jpeg", {{"lang", "deu"}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(core::Json::parse(r.body)["document"]["language"], "deu");
  HttpResponse plain = Post(DevReceipt(), "image/jpeg");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(core::Json::parse(plain.body)["document"]["language"], "eng");
}

TEST_F(LanguageScanTest, LangMultipartFieldChoosesTheOcrLanguages) {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"lang\"\r\n\r\n"
      "deu+eng\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"beleg.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" +
      DevReceipt() + "\r\n--b--\r\n";
  HttpResponse r = Post(body, "multipart/form-data; boundary=b");
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(core::Json::parse(r.body)["document"]["language"], "deu+eng");
  // The query parameter wins.
  HttpResponse q =
      Post(body, "multipart/form-data; boundary=b", {{"lang", "deu"}});
  ASSERT_EQ(q.status, 200);
  EXPECT_EQ(core::Json::parse(q.body)["document"]["language"], "deu");
}

TEST_F(LanguageScanTest, UnknownOrMalformedLangIs400WithAClearMessage) {
  for (const char* lang : {"xyz", "deu+xyz", "deu;rm -rf", "../../etc"}) {
    HttpResponse r = Post(DevReceipt(), "image/jpeg", {{"lang", lang}});
    EXPECT_EQ(r.status, 400) << lang;
    const core::Json j = core::Json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], "invalid_argument");
    EXPECT_EQ(j["error"]["request_id"], "req-2");
    const std::string message = j["error"]["message"];
    EXPECT_NE(message.find("OCR language"), std::string::npos) << message;
  }
  HttpResponse r = Post(DevReceipt(), "image/jpeg", {{"lang", "xyz"}});
  EXPECT_NE(
      core::Json::parse(r.body)["error"]["message"].get<std::string>().find(
          "installed: deu, eng)"),
      std::string::npos)
      << r.body;
}

}  // namespace
}  // namespace invoices::functions
