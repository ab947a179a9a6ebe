// The functions tesseract_engine.cpp defines in place of the libraries' (see
// there): a model loads without the legacy engine's ambiguities, OpenMP
// regions run on the calling thread with no team, and Leptonica's memory
// codecs behave as Leptonica's outside recognition.
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>
#include <omp.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "invoices/extract/ocr_engine.h"

namespace invoices::extract {
namespace internal {
// Counts the loads of the universal ambiguities skipped (tesseract_engine.cpp).
extern std::atomic<int> universal_ambigs_skipped;
}  // namespace internal
namespace {

TEST(TesseractEngineStart, SkipsTheLegacyEnginesAmbiguities) {
  const int before = internal::universal_ambigs_skipped;
  auto engine = NewTesseractEngine({.language = "eng"});
  ASSERT_TRUE(engine) << engine.error().ToString();
  EXPECT_EQ(internal::universal_ambigs_skipped, before + 1);
  GrayImage blank;
  blank.width = 200;
  blank.height = 60;
  blank.pixels.assign(200 * 60, 255);
  auto page = (*engine)->Recognize(blank);
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_TRUE(page->lines.empty());
}

struct Ran {
  int section;
  std::thread::id thread;
  int level;
};

class Record {
 public:
  void Add(int section) {
    std::lock_guard lock(mutex_);
    ran_.push_back({section, std::this_thread::get_id(), omp_get_level()});
  }
  std::vector<Ran> ran() const { return ran_; }

 private:
  std::mutex mutex_;
  std::vector<Ran> ran_;
};

TEST(OpenMpRegions, ParallelSectionsRunInOrderOnTheCallingThreadWithNoTeam) {
  Record record;
#pragma omp parallel sections num_threads(4)
  {
#pragma omp section
    record.Add(1);
#pragma omp section
    record.Add(2);
#pragma omp section
    record.Add(3);
#pragma omp section
    record.Add(4);
  }
  const auto ran = record.ran();
  ASSERT_EQ(ran.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(ran[i].section, i + 1);
    EXPECT_EQ(ran[i].thread, std::this_thread::get_id());
    // libgomp counts a team of one as a level; no team was made.
    EXPECT_EQ(ran[i].level, 0);
  }
}

TEST(OpenMpRegions, SectionsNestedInASectionEachRunOnce) {
  Record record;
#pragma omp parallel sections
  {
#pragma omp section
    {
      record.Add(1);
#pragma omp parallel sections
      {
#pragma omp section
        record.Add(11);
#pragma omp section
        record.Add(12);
      }
    }
#pragma omp section
    record.Add(2);
  }
  std::vector<int> order;
  for (const auto& r : record.ran()) order.push_back(r.section);
  EXPECT_EQ(order, (std::vector<int>{1, 11, 12, 2}));
}

TEST(OpenMpRegions, ParallelLoopRunsEveryIterationOnTheCallingThread) {
  std::vector<int> seen(100, 0);
  std::vector<std::thread::id> threads(100);
#pragma omp parallel for num_threads(4)
  for (int i = 0; i < 100; ++i) {
    seen[i] += 1;
    threads[i] = std::this_thread::get_id();
  }
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(seen[i], 1) << i;
    EXPECT_EQ(threads[i], std::this_thread::get_id()) << i;
  }
}

TEST(LeptonicaPng, WrittenOutsideRecognitionIsStillCompressed) {
  // 1000 x 1000 white grey pixels: 1 MB raw, a few hundred bytes deflated.
  PIX* pix = pixCreate(1000, 1000, 8);
  ASSERT_NE(pix, nullptr);
  pixSetAllArbitrary(pix, 255);
  l_uint8* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(pixWriteMem(&data, &size, pix, IFF_PNG), 0);
  EXPECT_LT(size, 20000u);
  PIX* back = pixReadMem(data, size);
  ASSERT_NE(back, nullptr);
  l_int32 same = 0;
  pixEqual(pix, back, &same);
  EXPECT_EQ(same, 1);
  pixDestroy(&back);
  lept_free(data);
  pixDestroy(&pix);
}

TEST(LeptonicaPng, BytesShapedLikeALineTokenAreNoImage) {
  // What pixWriteMem hands Tesseract's LSTM during recognition: a marker and
  // a pointer. Outside recognition, or naming no image handed out, such
  // bytes are decoded as Leptonica decodes them: as nothing. (Lines handed
  // by reference are read in TesseractEngineTest.ReadsADevReceiptWithBoxes.)
  struct {
    char magic[8] = {'\x89', 'I', 'N', 'V', 'L', 'I', 'N', 'E'};
    void* pix = reinterpret_cast<void*>(0x1234);
  } forged;
  EXPECT_EQ(
      pixReadMem(reinterpret_cast<const l_uint8*>(&forged), sizeof forged),
      nullptr);
}

}  // namespace
}  // namespace invoices::extract
