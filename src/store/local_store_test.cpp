// What the folder store adds to the contract: files on disk, several
// processes, crashes, and the limits of a filesystem.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "invoices/store/object_store.h"

namespace invoices::store {
namespace {

using core::ErrorCode;
namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/local_store_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    root_ = dir_ / "data";
    auto store = NewLocalStore(root_.string());
    ASSERT_TRUE(store) << store.error().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  fs::path dir_;
  fs::path root_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_F(LocalStoreTest, ObjectsArePlainFiles) {
  PutOptions options;
  options.content_type = "application/pdf";
  ASSERT_TRUE(
      store_->Put("users/u/invoices/i/original.pdf", "%PDF-1.7", options));
  EXPECT_EQ(ReadFile(root_ / "users/u/invoices/i/original.pdf"), "%PDF-1.7");
  // Nothing else is left in the folder: no temporary or sidecar file.
  std::vector<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(root_)) {
    if (e.is_regular_file()) names.push_back(e.path().string());
  }
  EXPECT_EQ(names.size(), 1u);
}

// Invoices, password hashes and the signing key live here: other users of
// the machine must not read them.
TEST_F(LocalStoreTest, OnlyTheOwnerCanReadOrEnter) {
  ASSERT_TRUE(store_->Put("auth/signing-key.pem", "-----BEGIN", {}));
  ASSERT_TRUE(store_->Put("users/u/invoices/i/original.jpg", "jpeg", {}));
  const auto mode = [](const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 0777;
  };
  EXPECT_EQ(mode(root_ / "auth/signing-key.pem"), 0600u);
  EXPECT_EQ(mode(root_ / "users/u/invoices/i/original.jpg"), 0600u);
  EXPECT_EQ(mode(root_ / "users/u/invoices/i"), 0700u);
  EXPECT_EQ(mode(root_ / "users"), 0700u);
  auto fresh = NewLocalStore((dir_ / "new-root").string());
  ASSERT_TRUE(fresh);
  EXPECT_EQ(mode(dir_ / "new-root"), 0700u);
}

TEST_F(LocalStoreTest, CreatesItsFolderAndReopens) {
  const fs::path nested = dir_ / "a/b/c";
  auto store = NewLocalStore(nested.string() + "/");
  ASSERT_TRUE(store) << store.error().ToString();
  PutOptions options;
  options.content_type = "text/plain";
  options.metadata = {{"k", "v"}};
  ASSERT_TRUE((*store)->Put("x", "data", options));
  store->reset();
  auto again = NewLocalStore(nested.string());
  ASSERT_TRUE(again);
  auto head = (*again)->Head("x");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->content_type, "text/plain");
  EXPECT_EQ(head->metadata.at("k"), "v");
  EXPECT_EQ(head->etag, ComputeEtag("data"));
}

TEST_F(LocalStoreTest, RefusesAFileAsRootAndAnEmptyRoot) {
  std::ofstream(dir_ / "file") << "x";
  EXPECT_FALSE(NewLocalStore((dir_ / "file").string()));
  EXPECT_FALSE(NewLocalStore((dir_ / "file/sub").string()));
  auto empty = NewLocalStore("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(LocalStoreTest, FilesPutThereByOtherMeansAreObjects) {
  fs::create_directories(root_ / "imported");
  std::ofstream(root_ / "imported/scan.png", std::ios::binary) << "PNGDATA";
  auto head = store_->Head("imported/scan.png");
  ASSERT_TRUE(head) << head.error().ToString();
  EXPECT_EQ(head->etag, ComputeEtag("PNGDATA"));
  EXPECT_EQ(head->size, 7u);
  EXPECT_EQ(head->content_type, "application/octet-stream");
  auto page = store_->List("imported/");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].etag, ComputeEtag("PNGDATA"));
  // If-Match works against the computed ETag too.
  PutOptions update;
  update.if_match_etag = head->etag;
  EXPECT_TRUE(store_->Put("imported/scan.png", "NEW", update));
}

TEST_F(LocalStoreTest, AFileEditedInPlaceGetsItsEtagRecomputed) {
  ASSERT_TRUE(store_->Put("e", "before", {}));
  std::ofstream(root_ / "e", std::ios::binary | std::ios::in) << "AFTER!";
  EXPECT_EQ(store_->Head("e")->etag, ComputeEtag("AFTER!"));
  std::ofstream(root_ / "e", std::ios::binary | std::ios::trunc)
      << "longer text";
  EXPECT_EQ(store_->Head("e")->etag, ComputeEtag("longer text"));
}

TEST_F(LocalStoreTest, TemporaryFilesAreNeverListed) {
  ASSERT_TRUE(store_->Put("t/real", "x", {}));
  // What a crash between create and rename leaves behind.
  std::ofstream(root_ / "t" / "\x01tmp.0123456789abcdef") << "partial";
  std::ofstream(root_ / "\x01tmp.feedfacefeedface") << "partial";
  auto page = store_->List("");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "t/real");
}

TEST_F(LocalStoreTest, SymlinksAreNotFollowed) {
  std::ofstream(dir_ / "secret") << "outside the root";
  fs::create_symlink(dir_ / "secret", root_ / "link");
  EXPECT_EQ(store_->Get("link").error().code(), ErrorCode::kNotFound);
  auto page = store_->List("");
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->objects.empty());
}

TEST_F(LocalStoreTest, ObjectAndFolderOfTheSameNameConflict) {
  ASSERT_TRUE(store_->Put("a/b", "x", {}));
  auto as_file = store_->Put("a", "y", {});
  ASSERT_FALSE(as_file);
  EXPECT_EQ(as_file.error().code(), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(store_->Put("f", "y", {}));
  auto under_file = store_->Put("f/g", "z", {});
  ASSERT_FALSE(under_file);
  EXPECT_EQ(under_file.error().code(), ErrorCode::kAlreadyExists);
  auto deeper = store_->Put("f/g/h", "z", {});
  ASSERT_FALSE(deeper);
  EXPECT_EQ(deeper.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_->Get("f")->bytes, "y");
}

TEST_F(LocalStoreTest, LongSegmentsAreRefused) {
  auto r = store_->Put(std::string(256, 's'), "x", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(store_->Put(std::string(255, 's'), "x", {}));
}

TEST_F(LocalStoreTest, DeleteLeavesNoEmptyFolders) {
  ASSERT_TRUE(store_->Put("users/u/invoices/i/original.jpg", "x", {}));
  ASSERT_TRUE(store_->Put("users/u/other", "y", {}));
  ASSERT_TRUE(store_->Delete("users/u/invoices/i/original.jpg"));
  EXPECT_FALSE(fs::exists(root_ / "users/u/invoices"));
  EXPECT_TRUE(fs::exists(root_ / "users/u/other"));
  EXPECT_TRUE(fs::exists(root_));
}

TEST_F(LocalStoreTest, PutsAndDeletesOfOneFolderRace) {
  // Deletes remove the folder that concurrent puts are writing into.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string key = "f/g/k" + std::to_string(t);
        auto r = store_->Put(key, "x", {});
        ASSERT_TRUE(r) << r.error().ToString();
        ASSERT_TRUE(store_->Delete(key));
      }
    });
  }
  for (auto& t : threads) t.join();
  auto page = store_->List("");
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->objects.empty());
}

// Runs `body` in `n` forked processes and returns their exit codes.
std::vector<int> InProcesses(int n, const std::function<int(int)>& body) {
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(body(i));
    pids.push_back(pid);
  }
  std::vector<int> codes;
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 255);
  }
  return codes;
}

TEST_F(LocalStoreTest, ProcessesRacingIfNoneMatchHaveOneWinnerPerKey) {
  constexpr int kKeys = 20;
  const std::string root = root_.string();
  // Each process opens its own store on the folder; exit code: keys won.
  auto codes = InProcesses(4, [&](int p) {
    auto store = NewLocalStore(root);
    if (!store) return 200;
    int wins = 0;
    for (int k = 0; k < kKeys; ++k) {
      PutOptions create;
      create.if_none_match_star = true;
      auto r = (*store)->Put("race/" + std::to_string(k),
                             "process " + std::to_string(p), create);
      if (r) {
        ++wins;
      } else if (r.error().code() != ErrorCode::kFailedPrecondition) {
        return 201;
      }
    }
    return wins;
  });
  int total = 0;
  for (int c : codes) {
    ASSERT_LE(c, kKeys) << "a child failed";
    total += c;
  }
  EXPECT_EQ(total, kKeys);
}

TEST_F(LocalStoreTest, ProcessesRacingIfMatchLoseNoUpdate) {
  ASSERT_TRUE(store_->Put("counter", "0", {}));
  const std::string root = root_.string();
  auto codes = InProcesses(4, [&](int) {
    auto store = NewLocalStore(root);
    if (!store) return 1;
    for (int done = 0; done < 25;) {
      auto cur = (*store)->Get("counter");
      if (!cur) return 2;
      PutOptions update;
      update.if_match_etag = cur->info.etag;
      auto r = (*store)->Put("counter",
                             std::to_string(std::stoi(cur->bytes) + 1), update);
      if (r) {
        ++done;
      } else if (r.error().code() != ErrorCode::kFailedPrecondition) {
        return 3;
      }
    }
    return 0;
  });
  for (int c : codes) EXPECT_EQ(c, 0);
  EXPECT_EQ(store_->Get("counter")->bytes, "100");
}

TEST_F(LocalStoreTest, AKilledWriterLeavesTheOldOrTheNewObject) {
  const std::string a(512 * 1024, 'a');
  const std::string b(768 * 1024, 'b');
  ASSERT_TRUE(store_->Put("victim", a, {}));
  const std::string root = root_.string();
  for (int round = 0; round < 5; ++round) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      auto store = NewLocalStore(root);
      for (int i = 0;; ++i) (void)(*store)->Put("victim", i % 2 ? a : b, {});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + round * 7));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    auto got = store_->Get("victim");
    ASSERT_TRUE(got) << got.error().ToString();
    EXPECT_TRUE(got->bytes == a || got->bytes == b);
    EXPECT_EQ(got->info.etag, ComputeEtag(got->bytes));
    auto page = store_->List("");
    ASSERT_TRUE(page);
    ASSERT_EQ(page->objects.size(), 1u);
  }
}

TEST(OpenStoreTest, Urls) {
  char tmpl[] = "/tmp/open_store_test.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  auto abs = OpenStore("file://" + dir + "/abs");
  ASSERT_TRUE(abs) << abs.error().ToString();
  ASSERT_TRUE((*abs)->Put("k", "v", {}));
  EXPECT_EQ(ReadFile(dir + "/abs/k"), "v");

  const fs::path cwd = fs::current_path();
  fs::current_path(dir);
  auto rel = OpenStore("file://./rel/data");
  fs::current_path(cwd);
  ASSERT_TRUE(rel) << rel.error().ToString();
  ASSERT_TRUE((*rel)->Put("k", "r", {}));
  EXPECT_EQ(ReadFile(dir + "/rel/data/k"), "r");

  auto memory = OpenStore("memory://");
  ASSERT_TRUE(memory);
  EXPECT_TRUE((*memory)->Put("k", "m", {}));

  for (const char* bad : {"", "data", "/abs/path", "file://host/path",
                          "file:relative", "ftp://x", "s3:/bucket"}) {
    auto r = OpenStore(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace invoices::store
