// A fixed set of OCR engines, created once (each loads its language models)
// and lent to one worker at a time; or created on first use, for processes
// that may never read a document (the API function in Lambda, which must
// start in milliseconds). LanguagePools keeps one lazily made pool per set
// of languages that requests choose. Thread safety: Acquire, the Lease
// destructor and LanguagePools::Get may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "invoices/core/error.h"
#include "invoices/extract/ocr_engine.h"

namespace invoices::extract {

class EnginePool {
 public:
  using Factory = std::function<core::Result<std::unique_ptr<OcrEngine>>()>;

  // Creates `size` engines with `factory` (in parallel); fails with the first
  // engine's error.
  static core::Result<std::unique_ptr<EnginePool>> Create(
      size_t size, const Factory& factory);

  // An engine on loan; returned to the pool when the lease is destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    OcrEngine& operator*() const { return *engine_; }
    OcrEngine* operator->() const { return engine_; }

   private:
    friend class EnginePool;
    Lease(EnginePool* pool, OcrEngine* engine) : pool_(pool), engine_(engine) {}
    EnginePool* pool_;
    OcrEngine* engine_;
  };

  // A pool of up to `size` engines, each made by `factory` when a lease
  // finds no free engine; nothing is loaded before the first Acquire.
  static core::Result<std::unique_ptr<EnginePool>> CreateLazy(size_t size,
                                                              Factory factory);

  // Blocks until an engine is free. Fails only in a lazy pool, with the
  // factory's error, when a new engine could not be made.
  core::Result<Lease> Acquire();

  // The most engines the pool holds.
  size_t size() const { return size_; }

 private:
  EnginePool(std::vector<std::unique_ptr<OcrEngine>> engines, size_t size,
             Factory factory);
  void Release(OcrEngine* engine);

  const size_t size_;
  const Factory factory_;                            // empty unless lazy
  std::vector<std::unique_ptr<OcrEngine>> engines_;  // guarded by mutex_
  size_t making_ = 0;                                // guarded by mutex_
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<OcrEngine*> free_;
};

// The engines for requests that choose their OCR languages ("deu",
// "deu+eng"): the default set is served by the pool given at construction;
// each other set gets a lazy EnginePool of up to `engines_per_set` engines,
// made when a request first names it. At most `max_sets` such pools are
// kept: when one more set is asked for, the least recently used one is
// dropped, and its engines are freed as soon as the scans still holding it
// finish. So a server holds at most its default engines, plus max_sets x
// engines_per_set, plus one pool per scan in flight whose set was dropped.
class LanguagePools {
 public:
  // Makes an engine that reads `languages` (Tesseract style, "deu+eng").
  using Factory = std::function<core::Result<std::unique_ptr<OcrEngine>>(
      const std::string& languages)>;

  struct Options {
    // What the default pool reads ("eng", "eng+deu").
    std::string default_languages = "eng";
    // Engines each other set's pool may make (one per concurrent scan).
    size_t engines_per_set = 1;
    // Pools kept besides the default one (least recently used dropped).
    size_t max_sets = 4;
    // Languages one request may combine: each one more slows OCR.
    size_t max_languages = 4;
    // The languages a request may name. nullopt: asked once of an engine
    // of the default pool (OcrEngine::InstalledLanguages) when a request
    // first names a set other than the default.
    std::optional<std::vector<std::string>> installed;
  };

  LanguagePools(EnginePool& default_pool, Options options, Factory factory);

  // The pool for `languages`; an empty string or the default set gives the
  // default pool (owned by the caller of the constructor, not shared).
  // Errors: invalid_argument for a malformed set ("deu++eng", "../x"),
  // more than max_languages, or a language that is not installed (the
  // message lists the installed ones); when the installed languages must be
  // asked of the default pool, its Acquire error.
  core::Result<std::shared_ptr<EnginePool>> Get(std::string_view languages);

  // "deu+eng" for " deu + eng+deu": the languages of a set in order, blanks
  // and repeats dropped; invalid_argument for an empty or malformed name
  // (letters, digits and '_' only, up to 32) or more than `max_languages`.
  static core::Result<std::string> Normalize(std::string_view languages,
                                             size_t max_languages);

  // The sets with a pool of their own, most recently used first.
  std::vector<std::string> kept() const;

 private:
  struct Entry {
    std::string languages;
    std::shared_ptr<EnginePool> pool;
    uint64_t last_used = 0;
  };
  core::Status CheckInstalled(const std::string& languages);

  EnginePool& default_pool_;
  const Options options_;
  const Factory factory_;
  mutable std::mutex mutex_;
  std::optional<std::vector<std::string>> installed_;  // guarded by mutex_
  std::vector<Entry> entries_;                         // guarded by mutex_
  uint64_t clock_ = 0;                                 // guarded by mutex_
};

}  // namespace invoices::extract
