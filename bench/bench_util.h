// Small helpers shared by the percentile harnesses in bench/ (store_bench,
// list_bench): timing, percentiles, a store wrapper that counts requests.
// Header-only; not part of the library.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "invoices/store/object_store.h"

namespace bench {

using Clock = std::chrono::steady_clock;

inline double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Nearest-rank percentile of `v` (p in [0, 1]).
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, size_t(p * (v.size() - 1) + 0.5));
  return v[i];
}

inline double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / v.size();
}

// Exits with a message when `r` holds an error.
template <class T>
T Check(invoices::core::Result<T> r, std::string_view what) {
  if (!r) {
    std::fprintf(stderr, "%.*s: %s\n", int(what.size()), what.data(),
                 r.error().ToString().c_str());
    std::exit(1);
  }
  return std::move(*r);
}
inline void Check(const invoices::core::Status& s, std::string_view what) {
  if (!s) {
    std::fprintf(stderr, "%.*s: %s\n", int(what.size()), what.data(),
                 s.error().ToString().c_str());
    std::exit(1);
  }
}

// Forwards to another store, counting requests and the bytes Get returned.
class CountingStore final : public invoices::store::ObjectStore {
 public:
  explicit CountingStore(invoices::store::ObjectStore& base) : base_(base) {}

  std::atomic<long> gets{0}, puts{0}, heads{0}, deletes{0}, lists{0};
  std::atomic<long> bytes_read{0};

  long Requests() const { return gets + puts + heads + deletes + lists; }
  void Reset() { gets = puts = heads = deletes = lists = bytes_read = 0; }

  invoices::core::Result<invoices::store::ObjectInfo> Put(
      std::string_view key, std::string_view bytes,
      const invoices::store::PutOptions& options) override {
    ++puts;
    return base_.Put(key, bytes, options);
  }
  invoices::core::Result<invoices::store::Object> Get(
      std::string_view key,
      std::optional<invoices::store::ByteRange> range) override {
    ++gets;
    auto r = base_.Get(key, range);
    if (r) bytes_read += static_cast<long>(r->bytes.size());
    return r;
  }
  invoices::core::Result<invoices::store::ObjectInfo> Head(
      std::string_view key) override {
    ++heads;
    return base_.Head(key);
  }
  invoices::core::Status Delete(std::string_view key) override {
    ++deletes;
    return base_.Delete(key);
  }
  invoices::core::Result<invoices::store::ListPage> List(
      std::string_view prefix, std::string_view token, int max_keys) override {
    ++lists;
    return base_.List(prefix, token, max_keys);
  }
  invoices::core::Result<std::string> PresignGet(
      std::string_view key, std::chrono::seconds expiry) override {
    return base_.PresignGet(key, expiry);
  }

 private:
  invoices::store::ObjectStore& base_;
};

}  // namespace bench
