#include "invoices/extract/engine_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "invoices/extract/scanner.h"

namespace invoices::extract {
namespace {

// A canned engine that says which languages it reads and which are
// installed, as the Tesseract engine does.
class LanguageEngine final : public OcrEngine {
 public:
  LanguageEngine(std::string language, std::vector<std::string> installed)
      : language_(std::move(language)), installed_(std::move(installed)) {}
  using OcrEngine::Recognize;
  core::Result<OcrPage> Recognize(const GrayImage& image,
                                  const RecognizeOptions&) override {
    OcrPage page = PageFromText("GRÖSSE " + language_ + "\nSUMME 9,00 EUR");
    page.width = image.width;
    page.height = image.height;
    return page;
  }
  const std::string& language() const override { return language_; }
  std::vector<std::string> InstalledLanguages() const override {
    return installed_;
  }

 private:
  std::string language_;
  std::vector<std::string> installed_;
};

const std::vector<std::string> kInstalled = {"deu", "eng", "fra", "ita", "osd"};

std::unique_ptr<EnginePool> DefaultPool() {
  auto pool = EnginePool::Create(1, [] {
    return core::Result<std::unique_ptr<OcrEngine>>(
        std::make_unique<LanguageEngine>("eng", kInstalled));
  });
  EXPECT_TRUE(pool);
  return std::move(*pool);
}

// Counts the engines made, by language set.
struct MadeEngines {
  std::mutex mutex;
  std::vector<std::string> sets;
  LanguagePools::Factory Factory() {
    return [this](const std::string& languages)
               -> core::Result<std::unique_ptr<OcrEngine>> {
      std::lock_guard lock(mutex);
      sets.push_back(languages);
      return std::make_unique<LanguageEngine>(languages, kInstalled);
    };
  }
};

TEST(LanguagePoolsTest, NormalizeDropsBlanksAndRepeatsAndRefusesJunk) {
  EXPECT_EQ(*LanguagePools::Normalize(" deu + eng+deu", 4), "deu+eng");
  EXPECT_EQ(*LanguagePools::Normalize("chi_sim", 4), "chi_sim");
  for (const char* bad : {"deu++eng", "+deu", "deu+", "../eng", "de u",
                          "script/Latin", "deu;eng", "ü"}) {
    auto r = LanguagePools::Normalize(bad, 4);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find("deu+eng"), std::string::npos)
        << "the message shows the form: " << r.error().message();
  }
  auto many = LanguagePools::Normalize("deu+eng+fra+ita+spa", 4);
  ASSERT_FALSE(many);
  EXPECT_NE(many.error().message().find("at most 4"), std::string::npos);
  EXPECT_FALSE(LanguagePools::Normalize(std::string(33, 'a'), 4));
}

TEST(LanguagePoolsTest, DefaultSetIsTheDefaultPool) {
  auto default_pool = DefaultPool();
  MadeEngines made;
  LanguagePools pools(*default_pool, {.default_languages = "eng"},
                      made.Factory());
  for (const char* lang : {"", "  ", "eng", " eng+eng "}) {
    auto pool = pools.Get(lang);
    ASSERT_TRUE(pool) << lang;
    EXPECT_EQ(pool->get(), default_pool.get()) << lang;
  }
  EXPECT_TRUE(pools.kept().empty());
  EXPECT_TRUE(made.sets.empty());
}

TEST(LanguagePoolsTest, OtherSetsGetALazyPoolOfTheirOwnMadeOnce) {
  auto default_pool = DefaultPool();
  MadeEngines made;
  LanguagePools pools(*default_pool,
                      {.default_languages = "eng", .engines_per_set = 2},
                      made.Factory());
  auto deu = pools.Get("deu");
  ASSERT_TRUE(deu) << deu.error().ToString();
  EXPECT_NE(deu->get(), default_pool.get());
  EXPECT_TRUE(made.sets.empty()) << "no engine before a lease needs one";
  {
    auto lease = (*deu)->Acquire();
    ASSERT_TRUE(lease);
    EXPECT_EQ((*lease)->language(), "deu");
  }
  EXPECT_EQ((*deu)->size(), 2u);
  auto again = pools.Get("deu+deu");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->get(), deu->get());
  (void)*(*again)->Acquire();
  EXPECT_EQ(made.sets, std::vector<std::string>{"deu"});
  // Order matters to Tesseract (the first is the main language).
  auto both = pools.Get("deu+eng");
  ASSERT_TRUE(both);
  EXPECT_NE(both->get(), deu->get());
  EXPECT_EQ(pools.kept(), (std::vector<std::string>{"deu+eng", "deu"}));
}

TEST(LanguagePoolsTest, UnknownLanguageIsRefusedWithTheInstalledOnes) {
  auto default_pool = DefaultPool();
  MadeEngines made;
  LanguagePools pools(*default_pool, {.default_languages = "eng"},
                      made.Factory());
  for (const char* lang : {"xyz", "deu+xyz", "osd"}) {
    auto pool = pools.Get(lang);
    ASSERT_FALSE(pool) << lang;
    EXPECT_EQ(pool.error().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_NE(pool.error().message().find("is not installed"),
              std::string::npos)
        << pool.error().message();
    // Asked of the default engine; osd is no language to read.
    EXPECT_NE(pool.error().message().find("installed: deu, eng, fra, ita)"),
              std::string::npos)
        << pool.error().message();
  }
  EXPECT_TRUE(pools.kept().empty()) << "nothing kept for a refused set";
  EXPECT_TRUE(made.sets.empty());
}

TEST(LanguagePoolsTest, GivenInstalledListIsUsedWithoutAskingAnEngine) {
  auto default_pool = DefaultPool();
  // The only engine is lent out: asking it would block.
  auto lease = default_pool->Acquire();
  ASSERT_TRUE(lease);
  MadeEngines made;
  LanguagePools pools(*default_pool,
                      {.default_languages = "eng",
                       .installed = std::vector<std::string>{"eng", "spa"}},
                      made.Factory());
  EXPECT_TRUE(pools.Get("spa"));
  auto deu = pools.Get("deu");
  ASSERT_FALSE(deu);
  EXPECT_NE(deu.error().message().find("installed: eng, spa"),
            std::string::npos);
}

TEST(LanguagePoolsTest, KeepsAtMostMaxSetsAndDropsTheLeastRecentlyUsed) {
  auto default_pool = DefaultPool();
  MadeEngines made;
  LanguagePools pools(*default_pool,
                      {.default_languages = "eng", .max_sets = 2},
                      made.Factory());
  auto deu = pools.Get("deu");
  ASSERT_TRUE(deu);
  auto deu_lease = (*deu)->Acquire();  // a scan in flight on "deu"
  ASSERT_TRUE(deu_lease);
  ASSERT_TRUE(pools.Get("fra"));
  ASSERT_TRUE(pools.Get("deu"));  // deu used again: fra is now the oldest
  ASSERT_TRUE(pools.Get("ita"));
  EXPECT_EQ(pools.kept(), (std::vector<std::string>{"ita", "deu"}));
  ASSERT_TRUE(pools.Get("fra"));
  EXPECT_EQ(pools.kept(), (std::vector<std::string>{"fra", "ita"}));
  // The dropped pool lives on while a scan holds it.
  EXPECT_EQ((*deu_lease)->language(), "deu");
  auto fresh = pools.Get("deu");
  ASSERT_TRUE(fresh);
  EXPECT_NE(fresh->get(), deu->get()) << "a new pool for a dropped set";
}

TEST(LanguagePoolsTest, NoOtherSetsWhenMaxSetsIsZero) {
  auto default_pool = DefaultPool();
  MadeEngines made;
  LanguagePools pools(*default_pool,
                      {.default_languages = "eng", .max_sets = 0},
                      made.Factory());
  EXPECT_TRUE(pools.Get("eng"));
  auto deu = pools.Get("deu");
  ASSERT_FALSE(deu);
  EXPECT_EQ(deu.error().code(), core::ErrorCode::kInvalidArgument);
}

TEST(LanguagePoolsTest, ConcurrentFirstRequestsShareOnePool) {
  auto default_pool = DefaultPool();
  MadeEngines made;
  LanguagePools pools(*default_pool, {.default_languages = "eng"},
                      made.Factory());
  std::vector<EnginePool*> seen(8);
  {
    std::vector<std::jthread> threads;
    for (size_t i = 0; i < seen.size(); ++i) {
      threads.emplace_back([&, i] {
        auto pool = pools.Get("fra");
        ASSERT_TRUE(pool);
        seen[i] = pool->get();
      });
    }
  }
  for (EnginePool* p : seen) EXPECT_EQ(p, seen.front());
  EXPECT_EQ(pools.kept(), std::vector<std::string>{"fra"});
}

TEST(LanguagePoolsTest, TesseractListsItsInstalledLanguages) {
  auto engine = NewTesseractEngine({.language = "eng"});
  ASSERT_TRUE(engine) << engine.error().ToString();
  const std::vector<std::string> installed = (*engine)->InstalledLanguages();
  // scripts/install-deps installs these.
  for (const char* lang : {"eng", "deu", "fra"}) {
    EXPECT_NE(std::find(installed.begin(), installed.end(), lang),
              installed.end())
        << lang;
  }
  EXPECT_TRUE(std::is_sorted(installed.begin(), installed.end()));
}

// ---- through the scanner --------------------------------------------------

std::string DevReceipt() {
  std::ifstream in(std::string(INVOICES_SHARED_DIR) +
                       "/datasets/sroie-dev/images/X00016469612.jpg",
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::span<const uint8_t> Span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(LanguagePoolsTest, ScannerReadsWithTheSetADocumentNames) {
  auto default_pool = DefaultPool();
  MadeEngines made;
  LanguagePools pools(*default_pool, {.default_languages = "eng"},
                      made.Factory());
  const Scanner scanner(*default_pool, {}, &pools);
  const std::string receipt = DevReceipt();
  auto deu = scanner.Scan(Span(receipt), "r.jpg", "image/jpeg", "deu");
  ASSERT_TRUE(deu) << deu.error().ToString();
  EXPECT_EQ(deu->document.language, "deu");
  EXPECT_NE(deu->text.find("GRÖSSE deu"), std::string::npos) << deu->text;
  auto plain = scanner.Scan(Span(receipt), "r.jpg", "image/jpeg");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->document.language, "eng");
  EXPECT_EQ(made.sets, std::vector<std::string>{"deu"});
}

TEST(LanguagePoolsTest, ScannerRefusesAnUnknownSetBeforeReadingAnything) {
  auto default_pool = DefaultPool();
  MadeEngines made;
  LanguagePools pools(*default_pool, {.default_languages = "eng"},
                      made.Factory());
  const Scanner scanner(*default_pool, {}, &pools);
  // Not even a document: the language is checked first.
  const std::string junk = "not a document";
  auto r = scanner.Scan(Span(junk), "x", "", "klingon");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("\"klingon\" is not installed"),
            std::string::npos)
      << r.error().message();
  // A scanner without language pools says so.
  const Scanner fixed(*default_pool, {});
  auto no = fixed.Scan(Span(DevReceipt()), "r.jpg", "", "deu");
  ASSERT_FALSE(no);
  EXPECT_EQ(no.error().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_TRUE(fixed.Scan(Span(DevReceipt()), "r.jpg", "", ""));
}

}  // namespace
}  // namespace invoices::extract
