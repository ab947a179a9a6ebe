#include "invoices/store/invoice_repository.h"

#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <exception>
#include <list>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>

#include "invoices/core/base64.h"
#include "invoices/core/strings.h"
#include "invoices/store/digest.h"

namespace invoices::store {
namespace {

using core::ErrorCode;
using core::Json;
// The index's own formats use the std::map-based json: the ordered one keeps
// members in a vector of pairs with const keys, which is copied (not moved)
// as it grows, and head.json is parsed and written on every change.
using IJson = nlohmann::json;
using Clock = std::chrono::system_clock;

constexpr int kFormat = 1;
constexpr int kMaxIndexAttempts = 100;
constexpr int kMaxRecordAttempts = 20;
constexpr int kMaxPageAttempts = 3;
constexpr int kMaxReindexAttempts = 5;
constexpr size_t kMaxQueryBytes = 256;
constexpr size_t kMaxQueryTerms = 16;
constexpr size_t kMaxZoneCurrencies = 32;
constexpr double kReviewConfidence = 0.5;
constexpr std::array<std::string_view, 3> kKeyFields = {
    "vendor_name", "invoice_date", "total"};

// --- Small helpers ----------------------------------------------------------

bool IsCode(const core::Error& e, ErrorCode code) { return e.code() == code; }

int64_t ToMs(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             t.time_since_epoch())
      .count();
}

// RFC 3339 in UTC with milliseconds: "2024-05-01T12:00:00.123Z".
std::string FormatTime(Clock::time_point t) {
  const int64_t ms = ToMs(t);
  const time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : 0);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec,
                static_cast<int>(ms >= 0 ? ms % 1000 : 0));
  return buf;
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
void TruncateUtf8(std::string& s, size_t max) {
  if (s.size() <= max) return;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  s.resize(end);
}

// Appends `text` with runs of white space collapsed into one space.
void AppendCollapsed(std::string& out, std::string_view text, size_t max) {
  bool space = !out.empty() && out.back() == ' ';
  for (char c : text) {
    if (out.size() > max) return;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
        c == '\v') {
      if (!space && !out.empty()) out += ' ';
      space = true;
    } else {
      out += c;
      space = false;
    }
  }
}

template <class J = Json>
Result<J> ParseJson(std::string_view text, std::string_view what) {
  J j = J::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return core::Internal(std::string(what) + " is not a JSON object");
  }
  return j;
}

template <class J>
std::string Dump(const J& j) {
  return j.dump();
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  core::RandomBytes(
      {reinterpret_cast<uint8_t*>(raw.data()), static_cast<size_t>(bytes)});
  return HexEncode(raw);
}

// Sleeps a random time growing with `attempt`, so that writers contending
// for one head.json spread out instead of colliding again.
void Backoff(int attempt) {
  if (attempt <= 0) return;
  thread_local std::mt19937 rng(std::random_device{}());
  const int cap = std::min(1 << std::min(attempt, 6), 50);
  std::uniform_int_distribution<int> dist(0, cap * 1000);
  std::this_thread::sleep_for(std::chrono::microseconds(dist(rng)));
}

std::string Sha256Hex(std::string_view bytes) {
  return HexEncode(Sha256(bytes));
}

// String members of a JSON object, with a default for absent ones; the
// caller has checked that `j` is an object.
template <class J>
std::string Str(const J& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->template get<std::string>()
                                          : std::string();
}
template <class J>
int64_t Int(const J& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->template get<int64_t>()
                                                  : 0;
}

// --- Keys -------------------------------------------------------------------

struct Keys {
  explicit Keys(std::string_view sub)
      : user(InvoiceRepository::UserPrefix(sub)) {}

  std::string InvoicesPrefix() const { return user + "invoices/"; }
  std::string Record(std::string_view id) const {
    return user + "invoices/" + std::string(id) + "/invoice.json";
  }
  std::string Original(std::string_view id, std::string_view ext) const {
    return user + "invoices/" + std::string(id) + "/original." +
           std::string(ext);
  }
  std::string Head() const { return user + "index/head.json"; }
  std::string SegmentsPrefix() const { return user + "index/segments/"; }
  std::string Segment(std::string_view name) const {
    return SegmentsPrefix() + std::string(name);
  }
  std::string ShaPrefix() const { return user + "index/sha256/"; }
  std::string Sha(std::string_view hex) const {
    return ShaPrefix() + std::string(hex);
  }
  std::string IdemPrefix() const { return user + "index/idempotency/"; }
  std::string Idem(std::string_view hex) const {
    return IdemPrefix() + std::string(hex);
  }

  std::string user;
};

// Every key under `prefix`, all pages.
Result<std::vector<ObjectInfo>> ListAll(ObjectStore& store,
                                        const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::string token;
  do {
    INVOICES_ASSIGN_OR_RETURN(ListPage page, store.List(prefix, token));
    for (auto& o : page.objects) out.push_back(std::move(o));
    token = std::move(page.next_token);
  } while (!token.empty());
  return out;
}

// --- The record: invoice.json ----------------------------------------------

Json RecordToJson(const Invoice& inv) {
  Json j;
  j["format"] = kFormat;
  j["id"] = inv.id;
  j["created_at"] = inv.created_at;
  j["updated_at"] = inv.updated_at;
  j["version"] = inv.version;
  j["status"] = inv.status;
  j["picture"] = {{"content_type", inv.picture.content_type},
                  {"bytes", inv.picture.bytes},
                  {"sha256", inv.picture.sha256},
                  {"file_name", inv.picture.file_name},
                  {"extension", inv.picture.extension}};
  if (inv.duplicate_of) j["duplicate_of"] = *inv.duplicate_of;
  if (!inv.idempotency_key_sha256.empty()) {
    j["idempotency_key_sha256"] = inv.idempotency_key_sha256;
  }
  j["corrections"] = Json::object();
  for (const auto& [k, v] : inv.corrections) j["corrections"][k] = v;
  j["extraction"] = core::ToJson(inv.extraction);
  return j;
}

Result<Invoice> RecordFromJson(std::string_view text, std::string etag) {
  INVOICES_ASSIGN_OR_RETURN(Json j, ParseJson(text, "invoice.json"));
  try {
    Invoice inv;
    inv.id = Str(j, "id");
    inv.created_at = Str(j, "created_at");
    inv.updated_at = Str(j, "updated_at");
    inv.version = Int(j, "version");
    inv.status = Str(j, "status");
    if (!core::IsValidId(inv.id) || inv.version < 1) {
      return core::Internal("invoice.json has no valid id or version");
    }
    if (auto p = j.find("picture"); p != j.end() && p->is_object()) {
      inv.picture.content_type = Str(*p, "content_type");
      inv.picture.bytes = static_cast<uint64_t>(Int(*p, "bytes"));
      inv.picture.sha256 = Str(*p, "sha256");
      inv.picture.file_name = Str(*p, "file_name");
      inv.picture.extension = Str(*p, "extension");
    }
    if (inv.picture.extension.empty()) inv.picture.extension = "bin";
    if (auto d = j.find("duplicate_of"); d != j.end() && d->is_string()) {
      inv.duplicate_of = d->get<std::string>();
    }
    inv.idempotency_key_sha256 = Str(j, "idempotency_key_sha256");
    if (auto c = j.find("corrections"); c != j.end() && c->is_object()) {
      for (const auto& [k, v] : c->items()) {
        if (v.is_string()) inv.corrections[k] = v.get<std::string>();
      }
    }
    if (auto e = j.find("extraction"); e != j.end()) {
      auto extraction = core::ExtractionFromJson(*e);
      if (!extraction) {
        return core::Internal("invoice.json: " + extraction.error().message());
      }
      inv.extraction = std::move(*extraction);
    }
    inv.etag = std::move(etag);
    return inv;
  } catch (const std::exception& e) {
    return core::Internal(std::string("invoice.json: ") + e.what());
  }
}

// --- Index entries, segments and the head ------------------------------------

// One invoice in the index, or a tombstone (deleted_ms > 0).
struct Entry {
  std::string id;
  std::string created_at;
  int64_t version = 0;
  std::string status;
  std::map<std::string, std::string> fields;
  std::string text;  // lower case
  int64_t deleted_ms = 0;

  bool tombstone() const { return deleted_ms > 0; }
};

IJson EntryToJson(const Entry& e) {
  IJson j;
  j["id"] = e.id;
  j["v"] = e.version;
  if (e.tombstone()) {
    j["x"] = e.deleted_ms;
    return j;
  }
  j["c"] = e.created_at;
  j["s"] = e.status;
  j["f"] = IJson::object();
  for (const auto& [k, v] : e.fields) j["f"][k] = v;
  j["t"] = e.text;
  return j;
}

Entry EntryFromJson(const IJson& j) {
  Entry e;
  e.id = Str(j, "id");
  e.version = Int(j, "v");
  e.deleted_ms = Int(j, "x");
  e.created_at = Str(j, "c");
  e.status = Str(j, "s");
  if (auto f = j.find("f"); f != j.end() && f->is_object()) {
    for (const auto& [k, v] : f->items()) {
      if (v.is_string()) e.fields[k] = v.get<std::string>();
    }
  }
  e.text = Str(j, "t");
  return e;
}

Entry EntryFor(const Invoice& inv, size_t max_text) {
  Entry e;
  e.id = inv.id;
  e.created_at = inv.created_at;
  e.version = inv.version;
  e.status = inv.status;
  e.fields = inv.Fields();
  std::string text;
  for (const auto& spec : core::kFieldSpecs) {
    auto it = e.fields.find(std::string(spec.name));
    if (it == e.fields.end()) continue;
    AppendCollapsed(text, it->second, max_text);
    text += ' ';
  }
  AppendCollapsed(text, inv.picture.file_name, max_text);
  text += ' ';
  AppendCollapsed(text, inv.extraction.text, max_text);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  TruncateUtf8(text, max_text);
  e.text = core::AsciiLower(text);
  return e;
}

// What a segment holds, for skipping it without reading it.
struct Zone {
  int64_t live = 0;
  std::string date_min, date_max;  // "" when none is dated
  std::optional<core::Decimal> total_min, total_max;
  std::set<std::string> currencies;
  bool currencies_known = true;  // false when there were too many to list
  std::set<std::string> statuses;
};

Zone ComputeZone(const std::vector<Entry>& entries) {
  Zone z;
  for (const Entry& e : entries) {
    if (e.tombstone()) continue;
    ++z.live;
    z.statuses.insert(e.status);
    if (auto d = e.fields.find("invoice_date"); d != e.fields.end()) {
      if (z.date_min.empty() || d->second < z.date_min) z.date_min = d->second;
      if (z.date_max.empty() || d->second > z.date_max) z.date_max = d->second;
    }
    if (auto t = e.fields.find("total"); t != e.fields.end()) {
      if (auto v = core::Decimal::Parse(t->second)) {
        if (!z.total_min || *v < *z.total_min) z.total_min = *v;
        if (!z.total_max || *v > *z.total_max) z.total_max = *v;
      }
    }
    if (auto c = e.fields.find("currency"); c != e.fields.end()) {
      z.currencies.insert(c->second);
    }
  }
  if (z.currencies.size() > kMaxZoneCurrencies) {
    z.currencies.clear();
    z.currencies_known = false;
  }
  return z;
}

struct SegmentRef {
  std::string name;  // under index/segments/
  std::string hi;    // inclusive upper bound of the ids it covers
  Zone zone;
};

IJson SegmentRefToJson(const SegmentRef& s) {
  IJson j;
  j["name"] = s.name;
  j["hi"] = s.hi;
  j["n"] = s.zone.live;
  if (!s.zone.date_min.empty()) j["d"] = {s.zone.date_min, s.zone.date_max};
  if (s.zone.total_min) {
    j["t"] = {s.zone.total_min->ToString(), s.zone.total_max->ToString()};
  }
  if (s.zone.currencies_known) j["cur"] = s.zone.currencies;
  j["st"] = s.zone.statuses;
  return j;
}

SegmentRef SegmentRefFromJson(const IJson& j) {
  SegmentRef s;
  s.name = Str(j, "name");
  s.hi = Str(j, "hi");
  s.zone.live = Int(j, "n");
  if (auto d = j.find("d"); d != j.end() && d->is_array() && d->size() == 2) {
    s.zone.date_min = d->at(0).get<std::string>();
    s.zone.date_max = d->at(1).get<std::string>();
  }
  if (auto t = j.find("t"); t != j.end() && t->is_array() && t->size() == 2) {
    auto lo = core::Decimal::Parse(t->at(0).get<std::string>());
    auto hi = core::Decimal::Parse(t->at(1).get<std::string>());
    if (lo && hi) {
      s.zone.total_min = *lo;
      s.zone.total_max = *hi;
    }
  }
  if (auto c = j.find("cur"); c != j.end() && c->is_array()) {
    for (const auto& v : *c) s.zone.currencies.insert(v.get<std::string>());
  } else {
    s.zone.currencies_known = false;
  }
  if (auto st = j.find("st"); st != j.end() && st->is_array()) {
    for (const auto& v : *st) s.zone.statuses.insert(v.get<std::string>());
  }
  return s;
}

struct Head {
  std::vector<SegmentRef> segments;  // by descending hi
  std::vector<Entry> entries;        // by descending id, all > segments[0].hi
  std::string etag;                  // "" when head.json does not exist
};

IJson HeadToJson(const Head& h) {
  IJson j;
  j["format"] = kFormat;
  j["segments"] = IJson::array();
  for (const auto& s : h.segments) j["segments"].push_back(SegmentRefToJson(s));
  j["entries"] = IJson::array();
  for (const auto& e : h.entries) j["entries"].push_back(EntryToJson(e));
  return j;
}

IJson SegmentToJson(const std::vector<Entry>& entries) {
  IJson j;
  j["format"] = kFormat;
  j["entries"] = IJson::array();
  for (const auto& e : entries) j["entries"].push_back(EntryToJson(e));
  return j;
}

Result<std::vector<Entry>> EntriesFromJson(const IJson& j,
                                           std::string_view what) {
  std::vector<Entry> out;
  auto it = j.find("entries");
  if (it == j.end() || !it->is_array()) {
    return core::Internal(std::string(what) + " has no entries");
  }
  out.reserve(it->size());
  for (const auto& e : *it) {
    if (!e.is_object())
      return core::Internal(std::string(what) + ": bad entry");
    out.push_back(EntryFromJson(e));
  }
  return out;
}

// Descending id order.
bool NewerFirst(const Entry& a, const Entry& b) { return a.id > b.id; }

std::vector<Entry>::iterator FindEntry(std::vector<Entry>& chunk,
                                       std::string_view id) {
  auto it = std::lower_bound(
      chunk.begin(), chunk.end(), id,
      [](const Entry& e, std::string_view key) { return e.id > key; });
  return it != chunk.end() && it->id == id ? it : chunk.end();
}

void PutEntry(std::vector<Entry>& chunk, Entry entry) {
  auto it = std::lower_bound(chunk.begin(), chunk.end(), entry, NewerFirst);
  if (it != chunk.end() && it->id == entry.id) {
    *it = std::move(entry);
  } else {
    chunk.insert(it, std::move(entry));
  }
}

// The partition that holds `id`: -1 for the head, else a segment index.
int PartitionOf(const Head& head, std::string_view id) {
  const auto& segs = head.segments;
  if (segs.empty() || id > segs[0].hi) return -1;
  // The segment j with segs[j+1].hi < id <= segs[j].hi: the last one whose
  // hi is >= id, segments being in descending hi order.
  auto it =
      std::partition_point(segs.begin(), segs.end(),
                           [&](const SegmentRef& s) { return s.hi >= id; });
  return static_cast<int>(it - segs.begin()) - 1;
}

// --- The index cache ---------------------------------------------------------

// Heap bytes of a string beyond the object itself (none with the short
// string optimisation).
size_t HeapBytes(const std::string& s) {
  return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

// About what a red-black tree node costs besides its value.
constexpr size_t kTreeNodeBytes = 32;

size_t EstimateBytes(const Entry& e) {
  size_t n = sizeof(Entry) + HeapBytes(e.id) + HeapBytes(e.created_at) +
             HeapBytes(e.status) + HeapBytes(e.text);
  for (const auto& [k, v] : e.fields) {
    n += kTreeNodeBytes + 2 * sizeof(std::string) + HeapBytes(k) + HeapBytes(v);
  }
  return n;
}

size_t EstimateBytes(const std::vector<Entry>& entries) {
  size_t n =
      sizeof(entries) + (entries.capacity() - entries.size()) * sizeof(Entry);
  for (const Entry& e : entries) n += EstimateBytes(e);
  return n;
}

size_t EstimateBytes(const Head& h) {
  size_t n = sizeof(Head) + EstimateBytes(h.entries);
  for (const SegmentRef& s : h.segments) {
    n += sizeof(SegmentRef) + HeapBytes(s.name) + HeapBytes(s.hi) +
         HeapBytes(s.zone.date_min) + HeapBytes(s.zone.date_max);
    for (const auto& c : s.zone.currencies) {
      n += kTreeNodeBytes + sizeof(std::string) + HeapBytes(c);
    }
    for (const auto& st : s.zone.statuses) {
      n += kTreeNodeBytes + sizeof(std::string) + HeapBytes(st);
    }
  }
  return n;
}

}  // namespace

// Parsed index objects by store key, least recently used dropped first when
// they hold more than the capacity (RepositoryOptions::index_cache_bytes;
// the header says why each kind may be cached). Items are immutable once
// inserted and shared: a reader keeps using its item after it was dropped or
// replaced. Thread-safe; the lock is held for the bookkeeping only, never
// while parsing or comparing.
class IndexCache {
 public:
  struct Item {
    // head.json: the bytes it was parsed from, and what they say.
    std::string raw;
    std::shared_ptr<const Head> head;
    // A segment.
    std::shared_ptr<const std::vector<Entry>> segment;
    size_t bytes = 0;  // the estimate charged against the capacity
  };

  explicit IndexCache(size_t capacity) : capacity_(capacity) {}

  // The item under `key`, now the most recently used, or null.
  std::shared_ptr<const Item> Find(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second;
  }

  // Stores `item` under `key` (replacing any), then drops the least
  // recently used items while the cache holds more than its capacity. An
  // item larger than the whole capacity is not kept.
  void Insert(const std::string& key, std::shared_ptr<const Item> item) {
    const size_t bytes = item->bytes + key.size() + kItemOverhead;
    std::lock_guard lock(mu_);
    EraseLocked(key);
    if (bytes > capacity_) return;
    lru_.emplace_front(key, std::move(item));
    index_.emplace(key, lru_.begin());
    bytes_ += bytes;
    while (bytes_ > capacity_ && !lru_.empty()) {
      EraseLocked(lru_.back().first);
    }
  }

  void Erase(const std::string& key) {
    std::lock_guard lock(mu_);
    EraseLocked(key);
  }

  void Count(bool hit) { (hit ? hits_ : misses_).fetch_add(1); }

  IndexCacheStats Stats() const {
    std::lock_guard lock(mu_);
    return {hits_.load(), misses_.load(), index_.size(), bytes_};
  }

 private:
  // The list and map nodes and the key's copies.
  static constexpr size_t kItemOverhead = 160 + sizeof(Item);

  void EraseLocked(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return;
    bytes_ -= it->second->second->bytes + key.size() + kItemOverhead;
    lru_.erase(it->second);
    index_.erase(it);
  }

  using Lru = std::list<std::pair<std::string, std::shared_ptr<const Item>>>;
  mutable std::mutex mu_;
  const size_t capacity_;
  size_t bytes_ = 0;
  Lru lru_;  // the most recently used first
  std::unordered_map<std::string, Lru::iterator> index_;
  std::atomic<uint64_t> hits_{0}, misses_{0};
};

namespace {

// --- Filters and cursors -----------------------------------------------------

struct Matcher {
  std::vector<std::string> terms;
  std::string vendor;
  std::string currency;
  std::string status;
  std::string from, to;  // ISO dates, "" for open
  std::optional<core::Decimal> min_total, max_total;

  bool Matches(const Entry& e) const {
    if (e.tombstone()) return false;
    if (!status.empty() && e.status != status) return false;
    auto field = [&](const char* name) -> const std::string* {
      auto it = e.fields.find(name);
      return it == e.fields.end() ? nullptr : &it->second;
    };
    if (!currency.empty()) {
      const std::string* c = field("currency");
      if (c == nullptr || *c != currency) return false;
    }
    if (!from.empty() || !to.empty()) {
      const std::string* d = field("invoice_date");
      if (d == nullptr) return false;
      if (!from.empty() && *d < from) return false;
      if (!to.empty() && *d > to) return false;
    }
    if (min_total || max_total) {
      const std::string* t = field("total");
      if (t == nullptr) return false;
      auto v = core::Decimal::Parse(*t);
      if (!v) return false;
      if (min_total && *v < *min_total) return false;
      if (max_total && *v > *max_total) return false;
    }
    if (!vendor.empty()) {
      const std::string* v = field("vendor_name");
      if (v == nullptr ||
          core::AsciiLower(*v).find(vendor) == std::string::npos) {
        return false;
      }
    }
    for (const auto& term : terms) {
      if (e.text.find(term) == std::string::npos) return false;
    }
    return true;
  }

  // False when no entry of a segment with this zone can match.
  bool MayMatch(const Zone& z) const {
    if (z.live == 0) return false;
    if (!status.empty() && !z.statuses.contains(status)) return false;
    if (!currency.empty() && z.currencies_known &&
        !z.currencies.contains(currency)) {
      return false;
    }
    if (!from.empty() || !to.empty()) {
      if (z.date_min.empty()) return false;
      if (!from.empty() && z.date_max < from) return false;
      if (!to.empty() && z.date_min > to) return false;
    }
    if (min_total || max_total) {
      if (!z.total_min) return false;
      if (min_total && *z.total_max < *min_total) return false;
      if (max_total && *z.total_min > *max_total) return false;
    }
    return true;
  }
};

Result<Matcher> MakeMatcher(const InvoiceFilter& f) {
  Matcher m;
  if (f.q.size() > kMaxQueryBytes || f.vendor.size() > kMaxQueryBytes) {
    return core::InvalidArgument("q and vendor are limited to " +
                                 std::to_string(kMaxQueryBytes) + " bytes");
  }
  std::string collapsed;
  AppendCollapsed(collapsed, core::AsciiLower(f.q), kMaxQueryBytes);
  size_t start = 0;
  while (start < collapsed.size()) {
    size_t end = collapsed.find(' ', start);
    if (end == std::string::npos) end = collapsed.size();
    if (end > start) m.terms.push_back(collapsed.substr(start, end - start));
    start = end + 1;
  }
  if (m.terms.size() > kMaxQueryTerms) {
    return core::InvalidArgument("q has more than " +
                                 std::to_string(kMaxQueryTerms) + " words");
  }
  m.vendor = core::AsciiLower(f.vendor);
  m.currency = f.currency;
  if (!f.status.empty() && f.status != kStatusExtracted &&
      f.status != kStatusCorrected && f.status != kStatusNeedsReview) {
    return core::InvalidArgument(
        "status must be extracted, corrected or needs_review");
  }
  m.status = f.status;
  if (f.from) m.from = f.from->ToIso();
  if (f.to) m.to = f.to->ToIso();
  m.min_total = f.min_total;
  m.max_total = f.max_total;
  return m;
}

// A position in the newest-first order: ids below `id` (or at most `id`).
struct Cursor {
  std::string id;  // "" for the start
  bool inclusive = false;

  bool Admits(std::string_view other) const {
    return id.empty() || (inclusive ? other <= id : other < id);
  }
};

std::string EncodeCursor(const Cursor& c) {
  return core::Base64UrlEncode((c.inclusive ? "le:" : "lt:") + c.id);
}

Result<Cursor> DecodeCursor(std::string_view text) {
  if (text.empty()) return Cursor{};
  auto bad = [] { return core::InvalidArgument("malformed cursor"); };
  if (text.size() > 64) return bad();
  auto raw = core::Base64UrlDecode(text);
  if (!raw || raw->size() != 3 + core::kIdLength) return bad();
  Cursor c;
  if (raw->starts_with("le:")) {
    c.inclusive = true;
  } else if (!raw->starts_with("lt:")) {
    return bad();
  }
  c.id = raw->substr(3);
  if (!core::IsValidId(c.id)) return bad();
  return c;
}

// --- The index of one user --------------------------------------------------

// How an entry changes: given the current one (nullptr when absent), the
// entry to store, or nullopt to leave the index as it is.
using EntryUpdate = std::function<std::optional<Entry>(const Entry* current)>;

// An upsert by version: tombstones win, then the higher version.
EntryUpdate UpsertNewer(Entry next) {
  return [next = std::move(next)](const Entry* cur) -> std::optional<Entry> {
    if (cur != nullptr) {
      if (cur->tombstone()) return std::nullopt;
      if (!next.tombstone() && cur->version >= next.version) {
        return std::nullopt;
      }
    }
    return next;
  };
}

using Segment = std::shared_ptr<const std::vector<Entry>>;

// head.json as read: what it says (shared, possibly with the cache: never
// modified) and its ETag ("" when there is none).
struct HeadSnapshot {
  std::shared_ptr<const Head> head;
  std::string etag;
};

class Index {
 public:
  // `cache` may be null.
  Index(ObjectStore& store, const RepositoryOptions& options, const Keys& keys,
        Clock::time_point now, IndexCache* cache)
      : store_(store),
        options_(options),
        keys_(keys),
        now_(now),
        cache_(cache) {}

  // head.json, always read from the store; parsed only when its bytes are
  // not those the cache parsed last.
  Result<HeadSnapshot> LoadHead() {
    const std::string key = keys_.Head();
    auto obj = store_.Get(key);
    if (!obj) {
      if (IsCode(obj.error(), ErrorCode::kNotFound)) {
        static const auto kEmpty = std::make_shared<const Head>();
        return HeadSnapshot{kEmpty, ""};
      }
      return std::unexpected(obj.error());
    }
    if (cache_ != nullptr) {
      auto item = cache_->Find(key);
      const bool hit =
          item != nullptr && item->head != nullptr && item->raw == obj->bytes;
      cache_->Count(hit);
      if (hit) return HeadSnapshot{item->head, obj->info.etag};
    }
    INVOICES_ASSIGN_OR_RETURN(IJson j,
                              ParseJson<IJson>(obj->bytes, "index head"));
    auto h = std::make_shared<Head>();
    try {
      if (auto s = j.find("segments"); s != j.end() && s->is_array()) {
        for (const auto& sj : *s) {
          h->segments.push_back(SegmentRefFromJson(sj));
        }
      }
      INVOICES_ASSIGN_OR_RETURN(h->entries, EntriesFromJson(j, "index head"));
    } catch (const std::exception& e) {
      return core::Internal(std::string("index head: ") + e.what());
    }
    if (cache_ != nullptr) {
      auto item = std::make_shared<IndexCache::Item>();
      item->bytes = EstimateBytes(*h) + obj->bytes.size();
      item->raw = std::move(obj->bytes);
      item->head = h;
      cache_->Insert(key, std::move(item));
    }
    return HeadSnapshot{std::move(h), obj->info.etag};
  }

  // head.json as a copy to change, its etag set.
  Result<Head> ReadHead() {
    INVOICES_ASSIGN_OR_RETURN(HeadSnapshot snapshot, LoadHead());
    Head h = *snapshot.head;
    h.etag = std::move(snapshot.etag);
    return h;
  }

  // not_found when the segment was replaced since its head was read (and
  // the cache no longer holds it).
  Result<Segment> ReadSegment(const std::string& name) {
    const std::string key = keys_.Segment(name);
    if (cache_ != nullptr) {
      auto item = cache_->Find(key);
      const bool hit = item != nullptr && item->segment != nullptr;
      cache_->Count(hit);
      if (hit) return item->segment;
    }
    INVOICES_ASSIGN_OR_RETURN(Object obj, store_.Get(key));
    INVOICES_ASSIGN_OR_RETURN(IJson j,
                              ParseJson<IJson>(obj.bytes, "index segment"));
    std::vector<Entry> entries;
    try {
      INVOICES_ASSIGN_OR_RETURN(entries, EntriesFromJson(j, "index segment"));
    } catch (const std::exception& e) {
      return core::Internal(std::string("index segment: ") + e.what());
    }
    auto segment =
        std::make_shared<const std::vector<Entry>>(std::move(entries));
    Remember(key, segment);
    return segment;
  }

  // Writes `entries` as a new segment object covering ids up to `hi`.
  Result<SegmentRef> WriteSegment(const std::vector<Entry>& entries,
                                  std::string hi) {
    SegmentRef ref;
    ref.hi = std::move(hi);
    ref.name = ref.hi + "-" + RandomHex(8) + ".json";
    ref.zone = ComputeZone(entries);
    PutOptions put;
    put.content_type = "application/json";
    put.if_none_match_star = true;
    const std::string key = keys_.Segment(ref.name);
    INVOICES_RETURN_IF_ERROR(
        store_.Put(key, Dump(SegmentToJson(entries)), put));
    // What it holds is known: the next page that reads it need not parse it.
    if (cache_ != nullptr) {
      Remember(key, std::make_shared<const std::vector<Entry>>(entries));
    }
    return ref;
  }

  // Deletes a segment that no head names any more (best effort).
  void DeleteSegment(const std::string& name) {
    const std::string key = keys_.Segment(name);
    if (cache_ != nullptr) cache_->Erase(key);
    (void)store_.Delete(key);
  }

  // failed_precondition when head.json changed since `head` was read.
  Status WriteHead(const Head& head) {
    PutOptions put;
    put.content_type = "application/json";
    if (head.etag.empty()) {
      put.if_none_match_star = true;
    } else {
      put.if_match_etag = head.etag;
    }
    INVOICES_RETURN_IF_ERROR(
        store_.Put(keys_.Head(), Dump(HeadToJson(head)), put));
    return {};
  }

  // After a WriteHead that failed, `sent` being what it sent: a store can lose
  // the answer to a write that took effect (a timeout, a connection reset after
  // S3 wrote), and then head.json is ours, or a later one built on ours that
  // may name the segments written for it. Returns whether head.json is ours,
  // and keeps in `written` only the segments that the current head.json does
  // not reference, which the caller may delete. When head.json cannot be
  // read, `written` is emptied: Reindex removes unreferenced segments once
  // they are older than orphan_age.
  bool Settle(const std::string& sent, std::vector<std::string>& written) {
    auto current = LoadHead();
    if (!current) {
      written.clear();
      return false;
    }
    if (!current->etag.empty() && current->etag == ComputeEtag(sent)) {
      return true;
    }
    const auto& segments = current->head->segments;
    std::erase_if(written, [&](const std::string& name) {
      return std::any_of(segments.begin(), segments.end(),
                         [&](const SegmentRef& s) { return s.name == name; });
    });
    return false;
  }

  // Applies `update` to the entry of `id`, as one If-Match of head.json.
  Status Mutate(const std::string& id, const EntryUpdate& update) {
    const size_t segment_size = static_cast<size_t>(options_.segment_size);
    for (int attempt = 0; attempt < kMaxIndexAttempts; ++attempt) {
      Backoff(attempt);
      INVOICES_ASSIGN_OR_RETURN(Head head, ReadHead());
      const int j = PartitionOf(head, id);
      std::vector<Entry> segment;
      if (j >= 0) {
        auto read = ReadSegment(head.segments[j].name);
        if (!read) {
          if (IsCode(read.error(), ErrorCode::kNotFound)) continue;
          return std::unexpected(read.error());
        }
        segment = **read;  // a copy to change: the cache's is shared
      }
      std::vector<Entry>& chunk = j < 0 ? head.entries : segment;
      auto it = FindEntry(chunk, id);
      std::optional<Entry> next = update(it == chunk.end() ? nullptr : &*it);
      if (!next) return {};
      PutEntry(chunk, std::move(*next));
      DropExpiredTombstones(chunk, id);

      std::vector<std::string> written;
      std::string replaced;
      Status status = {};
      if (j < 0) {
        if (chunk.size() >= HeadCapacity()) {
          // Seal the head: its entries join the newest segment while that
          // has room, else start a new one. All of them are newer than any
          // segment's, so the two sorted runs simply concatenate.
          std::vector<Entry> merged;
          if (!head.segments.empty()) {
            auto newest = ReadSegment(head.segments[0].name);
            if (!newest) {
              if (IsCode(newest.error(), ErrorCode::kNotFound)) continue;
              return std::unexpected(newest.error());
            }
            const std::vector<Entry>& older = **newest;
            if (older.size() + chunk.size() <= segment_size) {
              merged = std::move(chunk);
              merged.insert(merged.end(), older.begin(), older.end());
              replaced = head.segments[0].name;
              head.segments.erase(head.segments.begin());
            }
          }
          if (merged.empty()) merged = std::move(chunk);
          auto ref = WriteSegment(merged, merged.front().id);
          if (!ref) return std::unexpected(ref.error());
          written.push_back(ref->name);
          head.segments.insert(head.segments.begin(), std::move(*ref));
          head.entries.clear();
        }
      } else {
        replaced = head.segments[j].name;
        const std::string hi = head.segments[j].hi;
        head.segments.erase(head.segments.begin() + j);
        std::vector<SegmentRef> refs;
        if (chunk.size() > 2 * segment_size) {  // split an overgrown one
          const size_t mid = chunk.size() / 2;
          std::vector<Entry> newer(chunk.begin(), chunk.begin() + mid);
          std::vector<Entry> older(chunk.begin() + mid, chunk.end());
          auto a = WriteSegment(newer, hi);
          if (a) {
            written.push_back(a->name);
            refs.push_back(std::move(*a));
            auto b = WriteSegment(older, older.front().id);
            if (b) {
              written.push_back(b->name);
              refs.push_back(std::move(*b));
            } else {
              status = std::unexpected(b.error());
            }
          } else {
            status = std::unexpected(a.error());
          }
        } else if (!chunk.empty()) {
          auto a = WriteSegment(chunk, hi);
          if (a) {
            written.push_back(a->name);
            refs.push_back(std::move(*a));
          } else {
            status = std::unexpected(a.error());
          }
        }
        head.segments.insert(head.segments.begin() + j, refs.begin(),
                             refs.end());
      }
      if (status) {
        status = WriteHead(head);
        // Not for a plain conflict that wrote no segment (the common case
        // under contention): nothing to keep, and the loop reads anyway.
        if (!status &&
            (!written.empty() ||
             !IsCode(status.error(), ErrorCode::kFailedPrecondition)) &&
            Settle(Dump(HeadToJson(head)), written)) {
          status = {};
        }
      }
      if (status) {
        if (!replaced.empty()) DeleteSegment(replaced);
        return {};
      }
      for (const auto& name : written) DeleteSegment(name);
      if (!IsCode(status.error(), ErrorCode::kFailedPrecondition)) {
        return status;
      }
    }
    return core::Unavailable(
        "the invoice index is busy with concurrent updates; retry later");
  }

  // Entries the head holds before they move to a segment: a quarter of a
  // segment, so that head.json, read and written by every change, stays
  // small while segments stay large for listing.
  size_t HeadCapacity() const {
    return std::max<size_t>(2, static_cast<size_t>(options_.segment_size) / 4);
  }

  Result<ListResult> Page(const Matcher& match, size_t limit,
                          const Cursor& cursor) {
    const int budget = options_.max_segments_per_page;
    for (int attempt = 0; attempt < kMaxPageAttempts; ++attempt) {
      INVOICES_ASSIGN_OR_RETURN(const HeadSnapshot snapshot, LoadHead());
      const Head& head = *snapshot.head;
      ListResult out;
      const auto& segs = head.segments;
      const int n = static_cast<int>(segs.size());
      int reads = 0;
      bool restart = false;
      for (int k = -1; k < n && !restart; ++k) {
        // Chunk k holds ids in (lower, upper]: skip it when the cursor is
        // at or below its lower bound, or its zone map rules it out.
        const std::string& lower = k + 1 < n ? segs[k + 1].hi : kNone;
        if (!cursor.id.empty() && !lower.empty() && lower >= cursor.id) {
          continue;
        }
        Segment segment;
        const std::vector<Entry>* chunk = &head.entries;
        if (k >= 0) {
          if (!match.MayMatch(segs[k].zone)) continue;
          if (out.items.size() == limit) {
            out.next_cursor = EncodeCursor({out.items.back().id, false});
            return out;
          }
          if (reads == budget) {
            Cursor next{segs[k].hi, true};
            if (!cursor.id.empty() && cursor.id <= segs[k].hi) next = cursor;
            out.next_cursor = EncodeCursor(next);
            return out;
          }
          auto read = ReadSegment(segs[k].name);
          if (!read) {
            if (!IsCode(read.error(), ErrorCode::kNotFound)) {
              return std::unexpected(read.error());
            }
            restart = true;  // replaced meanwhile: read the new head
            break;
          }
          ++reads;
          segment = std::move(*read);
          chunk = segment.get();
        }
        for (const Entry& e : *chunk) {
          if (!cursor.Admits(e.id) || !match.Matches(e)) continue;
          if (out.items.size() == limit) {
            out.next_cursor = EncodeCursor({out.items.back().id, false});
            return out;
          }
          out.items.push_back({e.id, e.created_at, e.status, e.fields});
        }
      }
      if (!restart) return out;
    }
    return core::Unavailable(
        "the invoice index kept changing while being read; retry");
  }

 private:
  inline static const std::string kNone;

  void DropExpiredTombstones(std::vector<Entry>& chunk,
                             const std::string& keep) {
    const int64_t cutoff =
        ToMs(now_) - std::chrono::duration_cast<std::chrono::milliseconds>(
                         options_.tombstone_ttl)
                         .count();
    std::erase_if(chunk, [&](const Entry& e) {
      return e.tombstone() && e.deleted_ms < cutoff && e.id != keep;
    });
  }

  void Remember(const std::string& key, Segment segment) {
    if (cache_ == nullptr) return;
    auto item = std::make_shared<IndexCache::Item>();
    item->bytes = EstimateBytes(*segment);
    item->segment = std::move(segment);
    cache_->Insert(key, std::move(item));
  }

  ObjectStore& store_;
  const RepositoryOptions& options_;
  const Keys& keys_;
  Clock::time_point now_;
  IndexCache* cache_;
};

// --- Markers -----------------------------------------------------------------

struct ShaMarker {
  bool exists = false;
  std::string etag;
  std::optional<std::string> live_id;  // names an existing invoice
};

struct IdemMarker {
  std::string id;
  std::string sha256;
  int64_t created_ms = 0;
  std::string etag;
};

Json IdemMarkerJson(std::string_view id, std::string_view sha,
                    int64_t created_ms) {
  return Json{{"id", id}, {"sha256", sha}, {"created_ms", created_ms}};
}

Result<std::optional<IdemMarker>> ReadIdemMarker(ObjectStore& store,
                                                 const std::string& key) {
  auto obj = store.Get(key);
  if (!obj) {
    if (IsCode(obj.error(), ErrorCode::kNotFound)) {
      return std::optional<IdemMarker>();
    }
    return std::unexpected(obj.error());
  }
  INVOICES_ASSIGN_OR_RETURN(Json j,
                            ParseJson(obj->bytes, "idempotency marker"));
  IdemMarker m{Str(j, "id"), Str(j, "sha256"), Int(j, "created_ms"),
               obj->info.etag};
  return std::optional<IdemMarker>(std::move(m));
}

Status WriteJson(ObjectStore& store, const std::string& key, const Json& j,
                 const PutOptions& base) {
  PutOptions put = base;
  put.content_type = "application/json";
  INVOICES_RETURN_IF_ERROR(store.Put(key, Dump(j), put));
  return {};
}

PutOptions IfNoneMatch() {
  PutOptions p;
  p.if_none_match_star = true;
  return p;
}

PutOptions IfMatch(std::string etag) {
  PutOptions p;
  p.if_match_etag = std::move(etag);
  return p;
}

Status ValidateCorrection(std::string_view name, std::string_view value,
                          size_t max) {
  INVOICES_RETURN_IF_ERROR(core::ValidateFieldValue(name, value));
  if (value.size() > max) {
    return core::InvalidArgument("field " + std::string(name) +
                                 ": longer than " + std::to_string(max) +
                                 " bytes");
  }
  return {};
}

}  // namespace

std::string EncodeListCursor(const ListCursor& cursor) {
  return EncodeCursor({cursor.id, cursor.inclusive});
}

Result<ListCursor> DecodeListCursor(std::string_view text) {
  INVOICES_ASSIGN_OR_RETURN(Cursor c, DecodeCursor(text));
  return ListCursor{std::move(c.id), c.inclusive};
}

// --- Public helpers
// ------------------------------------------------------------

std::map<std::string, std::string> Invoice::Fields() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, field] : extraction.fields) out[name] = field.value;
  for (const auto& [name, value] : corrections) out[name] = value;
  return out;
}

std::string ComputeStatus(const Invoice& inv) {
  for (std::string_view name : kKeyFields) {
    const std::string key(name);
    if (inv.corrections.contains(key)) continue;
    auto it = inv.extraction.fields.find(key);
    if (it == inv.extraction.fields.end() ||
        it->second.confidence < kReviewConfidence) {
      return std::string(kStatusNeedsReview);
    }
  }
  return std::string(inv.corrections.empty() ? kStatusExtracted
                                             : kStatusCorrected);
}

bool InvoiceFilter::empty() const {
  return q.empty() && vendor.empty() && currency.empty() && status.empty() &&
         !from && !to && !min_total && !max_total;
}

Status ValidateSub(std::string_view sub) {
  if (sub.empty() || sub.size() > 128 || sub == "." || sub == "..") {
    return core::InvalidArgument("the user id is not a valid key segment");
  }
  for (char c : sub) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                    c == '@' || c == '-';
    if (!ok) {
      return core::InvalidArgument("the user id is not a valid key segment");
    }
  }
  return {};
}

std::string ExtensionForContentType(std::string_view content_type) {
  std::string type =
      core::AsciiLower(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  static const std::map<std::string, std::string, std::less<>> kExt = {
      {"image/jpeg", "jpg"},      {"image/jpg", "jpg"},
      {"image/png", "png"},       {"image/gif", "gif"},
      {"image/tiff", "tif"},      {"image/webp", "webp"},
      {"image/heic", "heic"},     {"image/heif", "heic"},
      {"image/avif", "avif"},     {"application/pdf", "pdf"},
      {"application/xml", "xml"}, {"text/xml", "xml"},
  };
  auto it = kExt.find(type);
  return it == kExt.end() ? "bin" : it->second;
}

// --- InvoiceRepository
// ---------------------------------------------------------

InvoiceRepository::InvoiceRepository(ObjectStore& store,
                                     RepositoryOptions options)
    : store_(store), options_(std::move(options)) {
  options_.segment_size = std::clamp(options_.segment_size, 2, 100000);
  options_.max_segments_per_page =
      std::clamp(options_.max_segments_per_page, 1, 1000);
  options_.max_search_text =
      std::clamp<size_t>(options_.max_search_text, 0, size_t{1} << 20);
  options_.reindex_threads = std::clamp(options_.reindex_threads, 1, 64);
  if (options_.index_cache_bytes > 0) {
    cache_ = std::make_unique<IndexCache>(options_.index_cache_bytes);
  }
}

InvoiceRepository::~InvoiceRepository() = default;

IndexCacheStats InvoiceRepository::index_cache_stats() const {
  return cache_ ? cache_->Stats() : IndexCacheStats{};
}

std::string InvoiceRepository::UserPrefix(std::string_view sub) {
  return "users/" + std::string(sub) + "/";
}

Clock::time_point InvoiceRepository::Now() const {
  return options_.clock ? options_.clock() : Clock::now();
}

Result<Invoice> InvoiceRepository::Get(std::string_view sub,
                                       std::string_view id_text) {
  INVOICES_RETURN_IF_ERROR(ValidateSub(sub));
  INVOICES_ASSIGN_OR_RETURN(const std::string id, core::ParseId(id_text));
  const Keys keys(sub);
  auto obj = store_.Get(keys.Record(id));
  if (!obj) {
    if (IsCode(obj.error(), ErrorCode::kNotFound)) {
      return core::NotFound("no invoice " + id);
    }
    return std::unexpected(obj.error());
  }
  return RecordFromJson(obj->bytes, obj->info.etag);
}

Result<std::optional<Invoice>> InvoiceRepository::FindByIdempotencyKey(
    std::string_view sub, std::string_view key, std::string_view original) {
  INVOICES_RETURN_IF_ERROR(ValidateSub(sub));
  if (key.empty()) return std::optional<Invoice>();
  const Keys keys(sub);
  INVOICES_ASSIGN_OR_RETURN(auto marker,
                            ReadIdemMarker(store_, keys.Idem(Sha256Hex(key))));
  if (!marker) return std::optional<Invoice>();
  if (marker->sha256 != Sha256Hex(original)) {
    return core::InvalidArgument(
        "this Idempotency-Key was used for another document");
  }
  auto inv = Get(sub, marker->id);
  if (!inv) {
    if (IsCode(inv.error(), ErrorCode::kNotFound)) {
      return std::optional<Invoice>();
    }
    return std::unexpected(inv.error());
  }
  Index index(store_, options_, keys, Now(), cache_.get());
  INVOICES_RETURN_IF_ERROR(index.Mutate(
      inv->id, UpsertNewer(EntryFor(*inv, options_.max_search_text))));
  return std::optional<Invoice>(std::move(*inv));
}

Result<CreateResult> InvoiceRepository::Create(std::string_view sub,
                                               const NewInvoice& in) {
  INVOICES_RETURN_IF_ERROR(ValidateSub(sub));
  if (in.original.empty()) {
    return core::InvalidArgument("the document is empty");
  }
  for (const auto& [name, value] : in.corrections) {
    INVOICES_RETURN_IF_ERROR(
        ValidateCorrection(name, value, options_.max_field_value));
  }
  const Keys keys(sub);
  const Clock::time_point now = Now();
  Index index(store_, options_, keys, now, cache_.get());
  const std::string sha = Sha256Hex(in.original);

  Invoice inv;
  inv.id = ids_.Next(now);
  inv.created_at = inv.updated_at = FormatTime(now);
  inv.version = 1;
  inv.extraction = in.extraction;
  inv.corrections = in.corrections;
  inv.picture.content_type =
      in.content_type.empty() ? "application/octet-stream" : in.content_type;
  inv.picture.bytes = in.original.size();
  inv.picture.sha256 = sha;
  inv.picture.file_name = in.file_name.empty() ? "upload" : in.file_name;
  inv.picture.extension = ExtensionForContentType(inv.picture.content_type);
  inv.status = ComputeStatus(inv);

  // 1. Reserve the idempotency key, or answer with what it already made.
  std::string idem_key;
  if (!in.idempotency_key.empty()) {
    inv.idempotency_key_sha256 = Sha256Hex(in.idempotency_key);
    idem_key = keys.Idem(inv.idempotency_key_sha256);
    const Json mine = IdemMarkerJson(inv.id, sha, ToMs(now));
    bool reserved = false;
    for (int attempt = 0; attempt < kMaxRecordAttempts && !reserved;
         ++attempt) {
      auto put = WriteJson(store_, idem_key, mine, IfNoneMatch());
      if (put) {
        reserved = true;
        break;
      }
      if (!IsCode(put.error(), ErrorCode::kFailedPrecondition)) {
        return std::unexpected(put.error());
      }
      INVOICES_ASSIGN_OR_RETURN(auto marker, ReadIdemMarker(store_, idem_key));
      if (!marker) continue;  // released meanwhile
      if (marker->sha256 != sha) {
        return core::InvalidArgument(
            "this Idempotency-Key was used for another document");
      }
      auto earlier = Get(sub, marker->id);
      if (earlier) {
        INVOICES_RETURN_IF_ERROR(index.Mutate(
            earlier->id,
            UpsertNewer(EntryFor(*earlier, options_.max_search_text))));
        return CreateResult{std::move(*earlier), true};
      }
      if (!IsCode(earlier.error(), ErrorCode::kNotFound)) {
        return std::unexpected(earlier.error());
      }
      const auto pending_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(
              options_.idempotency_pending)
              .count();
      if (ToMs(now) - marker->created_ms < pending_ms) {
        return core::MakeError(
            ErrorCode::kAlreadyExists,
            "a request with this Idempotency-Key is in progress; retry later");
      }
      // Its request died before saving: take the key over.
      auto take = WriteJson(store_, idem_key, mine, IfMatch(marker->etag));
      if (take) {
        reserved = true;
      } else if (!IsCode(take.error(), ErrorCode::kFailedPrecondition)) {
        return std::unexpected(take.error());
      }
    }
    if (!reserved) {
      return core::Unavailable("could not reserve the Idempotency-Key");
    }
  }
  auto release = [&] {
    if (!idem_key.empty()) (void)store_.Delete(idem_key);
  };

  // 2. An earlier invoice with the same bytes?
  ShaMarker dup;
  {
    auto obj = store_.Get(keys.Sha(sha));
    if (obj) {
      dup.exists = true;
      dup.etag = obj->info.etag;
      auto j = ParseJson(obj->bytes, "sha256 marker");
      const std::string id = j ? Str(*j, "id") : std::string();
      if (core::IsValidId(id)) {
        auto head = store_.Head(keys.Record(id));
        if (head) {
          dup.live_id = id;
        } else if (!IsCode(head.error(), ErrorCode::kNotFound)) {
          release();
          return std::unexpected(head.error());
        }
      }
    } else if (!IsCode(obj.error(), ErrorCode::kNotFound)) {
      release();
      return std::unexpected(obj.error());
    }
  }
  inv.duplicate_of = dup.live_id;

  // 3. The original, then 4. the record: the invoice exists from here on.
  const std::string original_key = keys.Original(inv.id, inv.picture.extension);
  {
    PutOptions put = IfNoneMatch();
    put.content_type = inv.picture.content_type;
    put.metadata["sha256"] = sha;
    auto r = store_.Put(original_key, in.original, put);
    if (!r) {
      (void)store_.Delete(original_key);
      release();
      return std::unexpected(r.error());
    }
  }
  {
    PutOptions put = IfNoneMatch();
    put.content_type = "application/json";
    auto r = store_.Put(keys.Record(inv.id), Dump(RecordToJson(inv)), put);
    if (!r) {
      // Nothing refers to them yet; undo in the order that never leaves a
      // record without its original.
      if (store_.Delete(keys.Record(inv.id))) {
        (void)store_.Delete(original_key);
        release();
      }
      return std::unexpected(r.error());
    }
    inv.etag = r->etag;
  }

  // 5. The index entry: only now can the invoice be listed.
  INVOICES_RETURN_IF_ERROR(index.Mutate(
      inv.id, UpsertNewer(EntryFor(inv, options_.max_search_text))));

  // 6. Mark these bytes as seen (best effort: a missing marker only misses
  // a duplicate, and Reindex restores it).
  if (!dup.live_id) {
    const Json marker{{"id", inv.id}};
    (void)WriteJson(store_, keys.Sha(sha), marker,
                    dup.exists ? IfMatch(dup.etag) : IfNoneMatch());
  }
  return CreateResult{std::move(inv), false};
}

Result<Invoice> InvoiceRepository::Patch(std::string_view sub,
                                         std::string_view id_text,
                                         const FieldPatch& patch,
                                         std::string_view if_match) {
  INVOICES_RETURN_IF_ERROR(ValidateSub(sub));
  INVOICES_ASSIGN_OR_RETURN(const std::string id, core::ParseId(id_text));
  for (const auto& [name, value] : patch) {
    if (core::FindFieldSpec(name) == nullptr) {
      return core::InvalidArgument("unknown field \"" + name + "\"");
    }
    if (value) {
      INVOICES_RETURN_IF_ERROR(
          ValidateCorrection(name, *value, options_.max_field_value));
    }
  }
  const bool client_precondition = !if_match.empty() && if_match != "*";
  const Keys keys(sub);
  for (int attempt = 0; attempt < kMaxRecordAttempts; ++attempt) {
    Backoff(attempt);
    INVOICES_ASSIGN_OR_RETURN(Invoice inv, Get(sub, id));
    if (client_precondition && inv.etag != if_match) {
      return core::MakeError(
          ErrorCode::kFailedPrecondition,
          "the invoice has changed since ETag " + std::string(if_match));
    }
    bool changed = false;
    for (const auto& [name, value] : patch) {
      auto it = inv.corrections.find(name);
      if (value) {
        if (it == inv.corrections.end() || it->second != *value) {
          inv.corrections[name] = *value;
          changed = true;
        }
      } else if (it != inv.corrections.end()) {
        inv.corrections.erase(it);
        changed = true;
      }
    }
    if (!changed) {
      // Also the retry of a patch whose index update was lost (a crash or
      // an error between the two writes): bring the index up to date. No
      // write when it is.
      Index index(store_, options_, keys, Now(), cache_.get());
      INVOICES_RETURN_IF_ERROR(index.Mutate(
          inv.id, UpsertNewer(EntryFor(inv, options_.max_search_text))));
      return inv;
    }
    const Clock::time_point now = Now();
    inv.version += 1;
    inv.updated_at = FormatTime(now);
    inv.status = ComputeStatus(inv);
    PutOptions put = IfMatch(inv.etag);
    put.content_type = "application/json";
    auto r = store_.Put(keys.Record(id), Dump(RecordToJson(inv)), put);
    if (!r) {
      if (IsCode(r.error(), ErrorCode::kFailedPrecondition)) {
        if (client_precondition) {
          return core::MakeError(
              ErrorCode::kFailedPrecondition,
              "the invoice has changed since ETag " + std::string(if_match));
        }
        continue;  // someone else patched it: apply ours to theirs
      }
      return std::unexpected(r.error());
    }
    inv.etag = r->etag;
    Index index(store_, options_, keys, now, cache_.get());
    INVOICES_RETURN_IF_ERROR(index.Mutate(
        inv.id, UpsertNewer(EntryFor(inv, options_.max_search_text))));
    return inv;
  }
  return core::Unavailable("the invoice is changing too often; retry later");
}

Status InvoiceRepository::Delete(std::string_view sub,
                                 std::string_view id_text) {
  INVOICES_ASSIGN_OR_RETURN(Invoice inv, Get(sub, id_text));
  const Keys keys(sub);
  const Clock::time_point now = Now();
  Index index(store_, options_, keys, now, cache_.get());
  Entry tombstone;
  tombstone.id = inv.id;
  tombstone.version = inv.version;
  tombstone.deleted_ms = std::max<int64_t>(ToMs(now), 1);
  INVOICES_RETURN_IF_ERROR(
      index.Mutate(inv.id, [&](const Entry* cur) -> std::optional<Entry> {
        if (cur != nullptr && cur->tombstone()) return std::nullopt;
        return tombstone;
      }));
  INVOICES_RETURN_IF_ERROR(store_.Delete(keys.Record(inv.id)));
  // The invoice is gone; what follows only tidies up, and whatever a
  // failure leaves behind Reindex removes.
  (void)store_.Delete(keys.Original(inv.id, inv.picture.extension));
  if (auto obj = store_.Get(keys.Sha(inv.picture.sha256)); obj) {
    auto j = ParseJson(obj->bytes, "sha256 marker");
    if (j && Str(*j, "id") == inv.id) {
      (void)store_.Delete(keys.Sha(inv.picture.sha256));
    }
  }
  if (!inv.idempotency_key_sha256.empty()) {
    (void)store_.Delete(keys.Idem(inv.idempotency_key_sha256));
  }
  return {};
}

Result<ListResult> InvoiceRepository::List(std::string_view sub,
                                           const ListRequest& request) {
  INVOICES_RETURN_IF_ERROR(ValidateSub(sub));
  if (request.limit < 1 || request.limit > 1000) {
    return core::InvalidArgument("limit must be from 1 to 1000");
  }
  INVOICES_ASSIGN_OR_RETURN(const Matcher match, MakeMatcher(request.filter));
  INVOICES_ASSIGN_OR_RETURN(const Cursor cursor, DecodeCursor(request.cursor));
  const Keys keys(sub);
  Index index(store_, options_, keys, Now(), cache_.get());
  return index.Page(match, static_cast<size_t>(request.limit), cursor);
}

Result<PictureObject> InvoiceRepository::GetPicture(std::string_view sub,
                                                    std::string_view id) {
  INVOICES_ASSIGN_OR_RETURN(Invoice inv, Get(sub, id));
  const Keys keys(sub);
  auto obj = store_.Get(keys.Original(inv.id, inv.picture.extension));
  if (!obj) {
    if (IsCode(obj.error(), ErrorCode::kNotFound)) {
      return core::NotFound("the original of invoice " + inv.id +
                            " is missing");
    }
    return std::unexpected(obj.error());
  }
  PictureObject out;
  out.bytes = std::move(obj->bytes);
  out.content_type = inv.picture.content_type.empty()
                         ? obj->info.content_type
                         : inv.picture.content_type;
  return out;
}

Result<std::string> InvoiceRepository::PresignPicture(
    std::string_view sub, std::string_view id, std::chrono::seconds expiry) {
  INVOICES_ASSIGN_OR_RETURN(Invoice inv, Get(sub, id));
  return PresignPicture(sub, inv, expiry);
}

Result<std::string> InvoiceRepository::PresignPicture(
    std::string_view sub, const Invoice& inv, std::chrono::seconds expiry) {
  INVOICES_RETURN_IF_ERROR(ValidateSub(sub));
  INVOICES_ASSIGN_OR_RETURN(const std::string id, core::ParseId(inv.id));
  const Keys keys(sub);
  return store_.PresignGet(keys.Original(id, inv.picture.extension), expiry);
}

Result<ReindexReport> InvoiceRepository::Reindex(std::string_view sub) {
  INVOICES_RETURN_IF_ERROR(ValidateSub(sub));
  const Keys keys(sub);
  const Clock::time_point now = Now();
  Index index(store_, options_, keys, now, cache_.get());
  const int64_t orphan_cutoff_ms =
      ToMs(now) -
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.orphan_age)
          .count();
  const size_t segment_size = static_cast<size_t>(options_.segment_size);

  // What an invoice.json contributes, by its ETag, so that a second attempt
  // reads only the records that changed.
  struct Parsed {
    std::string etag;
    bool ok = false;
    Entry entry;
    std::string sha256;
    std::string idem;
    std::string extension;
  };
  std::map<std::string, Parsed> cache;

  ReindexReport report;
  for (int attempt = 1; attempt <= kMaxReindexAttempts; ++attempt) {
    report = ReindexReport{};
    report.attempts = attempt;
    INVOICES_ASSIGN_OR_RETURN(Head old_head, index.ReadHead());

    // Live tombstones: deletes that may not have finished.
    std::map<std::string, Entry> tombstones;
    bool changed = false;
    auto collect = [&](const std::vector<Entry>& entries) {
      for (const Entry& e : entries) {
        if (e.tombstone()) tombstones[e.id] = e;
      }
    };
    collect(old_head.entries);
    for (const auto& seg : old_head.segments) {
      auto read = index.ReadSegment(seg.name);
      if (!read) {
        if (!IsCode(read.error(), ErrorCode::kNotFound)) {
          return std::unexpected(read.error());
        }
        changed = true;
        break;
      }
      collect(**read);
    }
    if (changed) continue;

    // What the folder holds.
    INVOICES_ASSIGN_OR_RETURN(auto objects,
                              ListAll(store_, keys.InvoicesPrefix()));
    struct Found {
      std::optional<ObjectInfo> record;
      std::vector<ObjectInfo> originals;
    };
    std::map<std::string, Found> found;
    const size_t prefix_len = keys.InvoicesPrefix().size();
    for (auto& o : objects) {
      std::string_view rest = std::string_view(o.key).substr(prefix_len);
      const size_t slash = rest.find('/');
      if (slash == std::string_view::npos) continue;
      const std::string id(rest.substr(0, slash));
      const std::string_view name = rest.substr(slash + 1);
      if (!core::IsValidId(id)) continue;
      if (name == "invoice.json") {
        found[id].record = o;
      } else if (name.starts_with("original.")) {
        found[id].originals.push_back(o);
      }
    }

    // Read the records that are new or changed, in parallel.
    std::vector<std::pair<std::string, std::string>> to_read;  // id, etag
    for (const auto& [id, f] : found) {
      if (!f.record) continue;
      auto it = cache.find(id);
      if (it == cache.end() || it->second.etag != f.record->etag) {
        to_read.emplace_back(id, f.record->etag);
      }
    }
    std::vector<std::optional<Parsed>> results(to_read.size());
    std::atomic<size_t> next{0};
    std::mutex error_mu;
    std::optional<core::Error> failure;
    auto worker = [&] {
      for (size_t i = next++; i < to_read.size(); i = next++) {
        auto obj = store_.Get(keys.Record(to_read[i].first));
        if (!obj) {
          if (IsCode(obj.error(), ErrorCode::kNotFound)) continue;
          std::lock_guard lock(error_mu);
          if (!failure) failure = obj.error();
          return;
        }
        Parsed p;
        p.etag = obj->info.etag;
        auto inv = RecordFromJson(obj->bytes, obj->info.etag);
        if (inv && inv->id == to_read[i].first) {
          p.ok = true;
          p.entry = EntryFor(*inv, options_.max_search_text);
          p.sha256 = inv->picture.sha256;
          p.idem = inv->idempotency_key_sha256;
          p.extension = inv->picture.extension;
        }
        results[i] = std::move(p);
      }
    };
    {
      const int threads = std::min<int>(options_.reindex_threads,
                                        static_cast<int>(to_read.size()));
      std::vector<std::thread> pool;
      for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
      worker();
      for (auto& t : pool) t.join();
    }
    if (failure) return std::unexpected(*failure);
    for (size_t i = 0; i < to_read.size(); ++i) {
      if (results[i]) {
        cache[to_read[i].first] = std::move(*results[i]);
      } else {
        cache.erase(to_read[i].first);  // deleted while we listed
      }
    }

    // The new index: every readable record, and the live tombstones.
    std::vector<Entry> entries;
    std::vector<std::string> finish_delete;
    for (const auto& [id, f] : found) {
      if (!f.record) continue;
      auto it = cache.find(id);
      if (it == cache.end()) continue;
      if (!it->second.ok) {
        ++report.unreadable;
        continue;
      }
      if (tombstones.contains(id)) {
        finish_delete.push_back(id);
        continue;
      }
      entries.push_back(it->second.entry);
      ++report.invoices;
    }
    const int64_t tombstone_cutoff_ms =
        ToMs(now) - std::chrono::duration_cast<std::chrono::milliseconds>(
                        options_.tombstone_ttl)
                        .count();
    for (auto& [id, t] : tombstones) {
      if (t.deleted_ms >= tombstone_cutoff_ms) entries.push_back(t);
    }
    std::sort(entries.begin(), entries.end(), NewerFirst);

    Head fresh;
    fresh.etag = old_head.etag;
    // Full segments from the oldest on; the newest remainder in the head
    // when it fits there, else in a last, partial segment.
    size_t in_head = entries.size() % segment_size;
    if (in_head >= index.HeadCapacity()) in_head = 0;
    fresh.entries.assign(entries.begin(), entries.begin() + in_head);
    std::vector<std::string> written;
    Status status = {};
    const size_t partial = (entries.size() - in_head) % segment_size;
    for (size_t pos = in_head; pos < entries.size() && status;) {
      const size_t len = pos == in_head && partial > 0 ? partial : segment_size;
      std::vector<Entry> chunk(entries.begin() + pos,
                               entries.begin() + pos + len);
      pos += len;
      auto ref = index.WriteSegment(chunk, chunk.front().id);
      if (!ref) {
        status = std::unexpected(ref.error());
        break;
      }
      written.push_back(ref->name);
      fresh.segments.push_back(std::move(*ref));
    }
    if (status) {
      status = index.WriteHead(fresh);
      if (!status && index.Settle(Dump(HeadToJson(fresh)), written)) {
        status = {};
      }
    }
    if (!status) {
      for (const auto& name : written) index.DeleteSegment(name);
      if (IsCode(status.error(), ErrorCode::kFailedPrecondition)) continue;
      return std::unexpected(status.error());
    }

    // The new index is in force: tidy up.
    std::set<std::string> referenced(written.begin(), written.end());
    std::set<std::string> replaced;
    for (const auto& seg : old_head.segments) {
      replaced.insert(seg.name);
      if (cache_) cache_->Erase(keys.Segment(seg.name));
      if (store_.Delete(keys.Segment(seg.name))) ++report.segments_deleted;
    }
    if (auto segs = ListAll(store_, keys.SegmentsPrefix()); segs) {
      for (const auto& o : *segs) {
        const std::string name = o.key.substr(keys.SegmentsPrefix().size());
        if (referenced.contains(name) || replaced.contains(name)) continue;
        if (ToMs(o.last_modified) < orphan_cutoff_ms && store_.Delete(o.key)) {
          ++report.segments_deleted;
        }
      }
    }
    for (const auto& id : finish_delete) {
      if (store_.Delete(keys.Record(id))) {
        for (const auto& o : found[id].originals) (void)store_.Delete(o.key);
      }
    }
    for (const auto& [id, f] : found) {
      if (f.record) continue;
      for (const auto& o : f.originals) {
        if (ToMs(o.last_modified) < orphan_cutoff_ms) {
          if (store_.Delete(o.key)) ++report.orphans_deleted;
        } else {
          ++report.orphans_kept;
        }
      }
    }

    // Markers that a crash may have left unwritten.
    std::set<std::string> have_sha, have_idem;
    if (auto l = ListAll(store_, keys.ShaPrefix()); l) {
      for (const auto& o : *l) {
        have_sha.insert(o.key.substr(keys.ShaPrefix().size()));
      }
    }
    if (auto l = ListAll(store_, keys.IdemPrefix()); l) {
      for (const auto& o : *l) {
        have_idem.insert(o.key.substr(keys.IdemPrefix().size()));
      }
    }
    for (const auto& [id, p] : cache) {  // ascending id: the earliest first
      if (!p.ok || tombstones.contains(id) || !found.contains(id)) continue;
      if (!p.sha256.empty() && have_sha.insert(p.sha256).second) {
        (void)WriteJson(store_, keys.Sha(p.sha256), Json{{"id", id}},
                        IfNoneMatch());
      }
      if (!p.idem.empty() && have_idem.insert(p.idem).second) {
        (void)WriteJson(
            store_, keys.Idem(p.idem),
            IdemMarkerJson(id, p.sha256,
                           static_cast<int64_t>(core::IdTimestampMs(id))),
            IfNoneMatch());
      }
    }
    return report;
  }
  return core::Unavailable("the index kept changing during reindex; try again");
}

}  // namespace invoices::store
