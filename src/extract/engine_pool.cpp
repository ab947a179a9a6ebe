#include "invoices/extract/engine_pool.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <thread>

namespace invoices::extract {

core::Result<std::unique_ptr<EnginePool>> EnginePool::Create(
    size_t size, const Factory& factory) {
  if (size == 0) return core::InvalidArgument("an engine pool needs an engine");
  // Loading a model is mostly IO and parsing: load the engines side by side.
  std::vector<std::optional<core::Result<std::unique_ptr<OcrEngine>>>> made(
      size);
  {
    std::vector<std::jthread> loaders;
    for (size_t i = 0; i < size; ++i) {
      loaders.emplace_back([&, i] { made[i].emplace(factory()); });
    }
  }
  std::vector<std::unique_ptr<OcrEngine>> engines;
  for (auto& m : made) {
    if (!*m) return std::unexpected(m->error());
    engines.push_back(std::move(**m));
  }
  return std::unique_ptr<EnginePool>(
      new EnginePool(std::move(engines), size, nullptr));
}

core::Result<std::unique_ptr<EnginePool>> EnginePool::CreateLazy(
    size_t size, Factory factory) {
  if (size == 0) return core::InvalidArgument("an engine pool needs an engine");
  return std::unique_ptr<EnginePool>(
      new EnginePool({}, size, std::move(factory)));
}

EnginePool::EnginePool(std::vector<std::unique_ptr<OcrEngine>> engines,
                       size_t size, Factory factory)
    : size_(size), factory_(std::move(factory)), engines_(std::move(engines)) {
  for (auto& e : engines_) free_.push_back(e.get());
}

core::Result<EnginePool::Lease> EnginePool::Acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] {
    return !free_.empty() || (factory_ && engines_.size() + making_ < size_);
  });
  if (free_.empty()) {
    // Made outside the lock: loading a model takes tens of milliseconds.
    ++making_;
    lock.unlock();
    core::Result<std::unique_ptr<OcrEngine>> made = factory_();
    lock.lock();
    --making_;
    if (!made) {
      lock.unlock();
      available_.notify_one();  // another waiter may try again
      return std::unexpected(made.error());
    }
    engines_.push_back(std::move(*made));
    return Lease(this, engines_.back().get());
  }
  OcrEngine* engine = free_.back();
  free_.pop_back();
  return Lease(this, engine);
}

void EnginePool::Release(OcrEngine* engine) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(engine);
  }
  available_.notify_one();
}

EnginePool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), engine_(other.engine_) {
  other.pool_ = nullptr;
  other.engine_ = nullptr;
}

EnginePool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Release(engine_);
}

// ---- LanguagePools -------------------------------------------------------

LanguagePools::LanguagePools(EnginePool& default_pool, Options options,
                             Factory factory)
    : default_pool_(default_pool),
      options_([&] {
        // Compared with normalized requests: "eng + deu" is "eng+deu".
        auto normal = Normalize(options.default_languages,
                                std::numeric_limits<size_t>::max());
        if (normal) options.default_languages = *normal;
        return std::move(options);
      }()),
      factory_(std::move(factory)),
      installed_(options_.installed) {}

core::Result<std::string> LanguagePools::Normalize(std::string_view languages,
                                                   size_t max_languages) {
  std::vector<std::string> names;
  size_t start = 0;
  while (true) {
    const size_t plus = languages.find('+', start);
    std::string_view name = languages.substr(
        start, plus == std::string_view::npos ? plus : plus - start);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) {
      name.remove_prefix(1);
    }
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) {
      name.remove_suffix(1);
    }
    const bool valid = !name.empty() && name.size() <= 32 &&
                       std::all_of(name.begin(), name.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') ||
                                (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '_';
                       });
    if (!valid) {
      return core::InvalidArgument(
          "malformed OCR language list \"" + std::string(languages) +
          "\": Tesseract language names joined by '+', e.g. \"deu\" or "
          "\"deu+eng\"");
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      names.emplace_back(name);
    }
    if (plus == std::string_view::npos) break;
    start = plus + 1;
  }
  if (names.size() > max_languages) {
    return core::InvalidArgument("too many OCR languages in \"" +
                                 std::string(languages) + "\": at most " +
                                 std::to_string(max_languages) + " at once");
  }
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : "+") + n;
  return out;
}

core::Status LanguagePools::CheckInstalled(const std::string& languages) {
  std::optional<std::vector<std::string>> installed;
  {
    std::lock_guard lock(mutex_);
    installed = installed_;
  }
  if (!installed) {
    // Asked outside the lock: the default pool may be busy a moment. Two
    // first requests may both ask; they get the same answer.
    INVOICES_ASSIGN_OR_RETURN(EnginePool::Lease engine,
                              default_pool_.Acquire());
    installed = engine->InstalledLanguages();
    // Orientation and script detection data is no language to read.
    std::erase(*installed, "osd");
    std::sort(installed->begin(), installed->end());
    std::lock_guard lock(mutex_);
    installed_ = installed;
  }
  size_t start = 0;
  while (start <= languages.size()) {
    const size_t plus = std::min(languages.find('+', start), languages.size());
    const std::string name = languages.substr(start, plus - start);
    if (std::find(installed->begin(), installed->end(), name) ==
        installed->end()) {
      std::string list;
      for (const std::string& l : *installed) {
        list += (list.empty() ? "" : ", ") + l;
      }
      return core::InvalidArgument(
          "OCR language \"" + name + "\" is not installed (installed: " +
          (list.empty() ? "none besides " + options_.default_languages : list) +
          ")");
    }
    start = plus + 1;
  }
  return {};
}

core::Result<std::shared_ptr<EnginePool>> LanguagePools::Get(
    std::string_view languages) {
  // The default pool is not ours: a shared_ptr that owns nothing.
  const std::shared_ptr<EnginePool> default_pool(std::shared_ptr<void>(),
                                                 &default_pool_);
  if (languages.find_first_not_of(" \t") == std::string_view::npos) {
    return default_pool;
  }
  INVOICES_ASSIGN_OR_RETURN(std::string set,
                            Normalize(languages, options_.max_languages));
  if (set == options_.default_languages) return default_pool;
  {
    std::lock_guard lock(mutex_);
    for (Entry& e : entries_) {
      if (e.languages == set) {
        e.last_used = ++clock_;
        return e.pool;
      }
    }
  }
  INVOICES_RETURN_IF_ERROR(CheckInstalled(set));
  std::lock_guard lock(mutex_);
  for (Entry& e : entries_) {  // made meanwhile by another request
    if (e.languages == set) {
      e.last_used = ++clock_;
      return e.pool;
    }
  }
  if (options_.max_sets == 0) {
    return core::InvalidArgument(
        "this server reads only \"" + options_.default_languages +
        "\"; it keeps no engines for other OCR languages");
  }
  if (entries_.size() >= options_.max_sets) {
    // The least recently used set goes; scans holding its pool finish.
    auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                   [](const Entry& a, const Entry& b) {
                                     return a.last_used < b.last_used;
                                   });
    entries_.erase(oldest);
  }
  INVOICES_ASSIGN_OR_RETURN(
      std::unique_ptr<EnginePool> pool,
      EnginePool::CreateLazy(
          std::max<size_t>(1, options_.engines_per_set),
          [factory = factory_, set] { return factory(set); }));
  entries_.push_back(
      {set, std::shared_ptr<EnginePool>(std::move(pool)), ++clock_});
  return entries_.back().pool;
}

std::vector<std::string> LanguagePools::kept() const {
  std::lock_guard lock(mutex_);
  std::vector<const Entry*> sorted;
  for (const Entry& e : entries_) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](const Entry* a, const Entry* b) {
    return a->last_used > b->last_used;
  });
  std::vector<std::string> out;
  for (const Entry* e : sorted) out.push_back(e->languages);
  return out;
}

}  // namespace invoices::extract
