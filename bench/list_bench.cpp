// list_bench: `GET /invoices` at the repository level (issue 4): the latency
// of InvoiceRepository::List pages for one user with many invoices, first
// pages and deep pages through the cursor, with and without filters, and the
// store requests and bytes each page costs.
//
//   list_bench --invoices 10000 [--dir DIR | --store URL] [--reuse]
//              [--limit 50] [--repeat 200] [--segment-size 512]
//              [--max-segments 8]
//
// The invoices are synthetic receipts (100 vendors, receipt text of about
// 1 KB, dates over three years, 80% extracted / 15% corrected / 5% needing
// review, 8 to 25 items and totals of a few to about 2,000 in EUR (90%), USD
// and GBP (2%)), written as
// invoice.json records, originals and sha256 markers, then indexed by one
// Reindex: the index that as many Creates would build, in a fraction of the
// time. With --dir (default /tmp/list_bench-N) the records are written as
// plain files straight into the folder store (which then computes their
// ETags when read); with --store they go through the store's Put. --reuse
// skips populating when the folder already holds an index.
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "invoices/core/extraction.h"
#include "invoices/core/ids.h"
#include "invoices/store/digest.h"
#include "invoices/store/invoice_repository.h"

namespace st = invoices::store;
namespace core = invoices::core;
namespace fs = std::filesystem;
using bench::Check;
using bench::Clock;
using SysClock = std::chrono::system_clock;

namespace {

constexpr const char* kSub = "bench";
// Three invoices carry this word: a search that matches almost nothing.
constexpr const char* kRareWord = "zebrawood";

const char* const kAdjectives[] = {"Golden", "Corner", "Blue",  "Green",
                                   "Royal",  "Sunny",  "Urban", "Happy",
                                   "Old",    "Little"};
const char* const kNouns[] = {"Bakery",   "Cafe",      "Mart",    "Hardware",
                              "Pharmacy", "Bookstore", "Kitchen", "Florist",
                              "Garage",   "Stationery"};
const char* const kItems[] = {
    "COFFEE",   "LATTE",    "TEA",      "CROISSANT", "BAGEL",   "MUFFIN",
    "SANDWICH", "SALAD",    "SOUP",     "WATER",     "JUICE",   "COOKIE",
    "BREAD",    "BUTTER",   "MILK",     "EGGS",      "CHEESE",  "APPLES",
    "BANANAS",  "RICE",     "PASTA",    "TOMATOES",  "ONIONS",  "PENCIL",
    "NOTEBOOK", "STAPLER",  "PAPER A4", "ENVELOPES", "TAPE",    "GLUE",
    "SCREWS",   "HAMMER",   "NAILS",    "PAINT",     "BRUSH",   "GLOVES",
    "ASPIRIN",  "BANDAGES", "SHAMPOO",  "SOAP",      "TISSUES", "ROSES",
    "TULIPS",   "VASE",     "NOVEL",    "MAGAZINE",  "MAP",     "BATTERY",
    "CABLE",    "OIL",      "FILTER",   "WIPERS"};
const char* const kStreets[] = {"Jalan Besar",  "Main Street", "Rue de Lyon",
                                "Hauptstrasse", "Market Road", "Station Lane"};

std::string Money(int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", (long long)(cents / 100),
                (long long)(cents % 100));
  return buf;
}

std::string IsoDate(SysClock::time_point t) {
  const time_t secs = SysClock::to_time_t(t);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

std::string Rfc3339(SysClock::time_point t) {
  const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         t.time_since_epoch())
                         .count();
  const time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

// One synthetic invoice: the record (from `model`, the invoice.json of an
// invoice made by Create), its original's bytes.
struct Made {
  std::string id;
  std::string record;
  std::string original;
  std::string sha256;
};

Made MakeInvoice(const core::Json& model, int i, int n,
                 SysClock::time_point created, const std::string& id,
                 std::mt19937_64& rng) {
  auto pick = [&](int k) {
    return static_cast<int>(std::uniform_int_distribution<int>(0, k - 1)(rng));
  };
  const int v = pick(100);
  const std::string vendor =
      std::string(kAdjectives[v / 10]) + " " + kNouns[v % 10];
  const SysClock::time_point dated =
      created - std::chrono::hours(24 * pick(10));
  const std::string date = IsoDate(dated);
  const int r = pick(100);
  const char* currency = r < 90 ? "EUR" : r < 98 ? "USD" : "GBP";
  const int s = pick(100);
  const bool corrected = s < 15, review = s >= 95;

  std::string text =
      vendor + "\n" + std::to_string(1 + pick(200)) + " " + kStreets[pick(6)] +
      "\nTEL 0" + std::to_string(100000000 + pick(899999999)) +
      "\nTAX INVOICE No: INV-" + std::to_string(100000 + i) + "\nDATE " + date +
      " " + std::to_string(8 + pick(12)) + ":" + std::to_string(10 + pick(50)) +
      "\nCASHIER: " + std::to_string(pick(20)) +
      "\n------------------------------------\n";
  const bool rare = i == n / 10 || i == n / 2 || i == n - n / 10;
  int64_t subtotal = 0;
  const int lines = 8 + pick(18);
  for (int k = 0; k < lines; ++k) {
    const int qty = 1 + pick(4);
    const int64_t price = 50 + pick(2500);
    subtotal += qty * price;
    text += std::to_string(qty) + " X " +
            (rare && k == 1 ? std::string("ZEBRAWOOD COASTER")
                            : std::string(kItems[pick(52)])) +
            "    " + Money(price) + "    " + Money(qty * price) + "\n";
  }
  const int64_t tax = subtotal * 6 / 100, total = subtotal + tax;
  text += "------------------------------------\nSUBTOTAL " + Money(subtotal) +
          "\nGST 6% " + Money(tax) + "\nTOTAL " + Money(total) + "\nCASH " +
          Money(total + 500) + "\nCHANGE 5.00\nTHANK YOU, PLEASE COME AGAIN\n";

  core::Extraction e;
  e.file = "receipt-" + std::to_string(i) + ".jpg";
  e.document.mime = "image/jpeg";
  e.document.source = "ocr";
  e.document.language = "eng";
  auto put = [&](const char* name, const std::string& value, double conf) {
    core::Field f;
    f.value = value;
    f.confidence = conf;
    f.page = 1;
    e.fields[name] = f;
  };
  put("vendor_name", vendor, 0.9);
  put("vendor_address", text.substr(vendor.size() + 1, 20), 0.7);
  put("invoice_date", date, 0.9);
  put("currency", currency, 0.8);
  put("subtotal", Money(subtotal), 0.8);
  put("tax", Money(tax), 0.8);
  put("total", Money(total), review ? 0.3 : 0.9);
  e.text = text;

  Made m;
  m.id = id;
  m.original = "original receipt " + std::to_string(i);
  m.sha256 = st::HexEncode(st::Sha256(m.original));
  core::Json record = model;
  record["id"] = id;
  record["created_at"] = Rfc3339(created);
  record["updated_at"] = Rfc3339(created);
  record["version"] = corrected ? 2 : 1;
  record["status"] = corrected ? "corrected"
                     : review  ? "needs_review"
                               : "extracted";
  record["picture"]["bytes"] = m.original.size();
  record["picture"]["sha256"] = m.sha256;
  record["picture"]["file_name"] = e.file;
  record["picture"]["extension"] = "jpg";
  record["corrections"] = core::Json::object();
  if (corrected) record["corrections"]["total"] = Money(total + 100);
  record["extraction"] = core::ToJson(e);
  m.record = record.dump();
  return m;
}

// The invoice.json of an invoice made by Create, to clone.
core::Json ModelRecord() {
  auto memory = st::NewMemoryStore();
  st::InvoiceRepository repo(*memory);
  st::NewInvoice n;
  const std::string bytes = "model";
  n.original = bytes;
  n.content_type = "image/jpeg";
  n.file_name = "model.jpg";
  auto made = Check(repo.Create(kSub, n), "create the model invoice");
  auto obj = Check(memory->Get(st::InvoiceRepository::UserPrefix(kSub) +
                               "invoices/" + made.invoice.id + "/invoice.json"),
                   "read the model invoice");
  return core::Json::parse(obj.bytes);
}

void WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) {
    std::fprintf(stderr, "list_bench: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

// Writes `n` invoices, through `store` or (when `dir` is set) as plain files
// in the folder store at `dir`, in two threads.
void Populate(st::ObjectStore& store, const std::string& dir, int n) {
  const core::Json model = ModelRecord();
  const std::string prefix = st::InvoiceRepository::UserPrefix(kSub);
  // Creation times spread over the three years before yesterday.
  const auto end = SysClock::now() - std::chrono::hours(24);
  const auto span = std::chrono::hours(24 * 365 * 3);
  std::vector<SysClock::time_point> times(n);
  std::vector<std::string> ids(n);
  core::IdGenerator generator;
  for (int i = 0; i < n; ++i) {
    times[i] = end - span + span * (i + 1) / n;
    ids[i] = generator.Next(times[i]);
  }
  auto work = [&](int part, int parts) {
    for (int i = part; i < n; i += parts) {
      std::mt19937_64 rng(42 + i);  // the same invoices whatever the threads
      const Made m = MakeInvoice(model, i, n, times[i], ids[i], rng);
      const std::string rel = prefix + "invoices/" + m.id + "/";
      const std::string marker = core::Json{{"id", m.id}}.dump();
      if (!dir.empty()) {
        fs::create_directories(dir + "/" + rel);
        WriteFile(dir + "/" + rel + "original.jpg", m.original);
        WriteFile(dir + "/" + rel + "invoice.json", m.record);
        WriteFile(dir + "/" + prefix + "index/sha256/" + m.sha256, marker);
      } else {
        st::PutOptions jpeg, json;
        jpeg.content_type = "image/jpeg";
        json.content_type = "application/json";
        Check(store.Put(rel + "original.jpg", m.original, jpeg), "put");
        Check(store.Put(rel + "invoice.json", m.record, json), "put");
        Check(store.Put(prefix + "index/sha256/" + m.sha256, marker, json),
              "put");
      }
    }
  };
  if (!dir.empty()) fs::create_directories(dir + "/" + prefix + "index/sha256");
  const int parts = dir.empty() ? 8 : 2;
  std::vector<std::thread> threads;
  for (int p = 0; p < parts; ++p) threads.emplace_back(work, p, parts);
  for (auto& t : threads) t.join();
}

struct Stats {
  std::vector<double> ms;
  std::vector<double> items, gets, kb;
};

void Add(Stats& s, double ms, size_t items, const bench::CountingStore& c) {
  s.ms.push_back(ms);
  s.items.push_back(static_cast<double>(items));
  s.gets.push_back(static_cast<double>(c.Requests()));
  s.kb.push_back(static_cast<double>(c.bytes_read) / 1024);
}

void PrintRow(const std::string& name, const Stats& s,
              const std::string& extra = "") {
  std::printf(
      "| %s | %zu | %.2f | %.2f | %.2f | %.0f | %.0f / %.0f | %.0f | %s |\n",
      name.c_str(), s.ms.size(), bench::Percentile(s.ms, 0.5),
      bench::Percentile(s.ms, 0.99),
      *std::max_element(s.ms.begin(), s.ms.end()), bench::Mean(s.items),
      bench::Mean(s.gets), *std::max_element(s.gets.begin(), s.gets.end()),
      bench::Mean(s.kb), extra.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int n = 10000, limit = 50, repeat = 200;
  std::string dir, url;
  bool reuse = false;
  st::RepositoryOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : ""; };
    if (a == "--invoices") {
      n = std::stoi(next());
    } else if (a == "--dir") {
      dir = next();
    } else if (a == "--store") {
      url = next();
    } else if (a == "--reuse") {
      reuse = true;
    } else if (a == "--limit") {
      limit = std::stoi(next());
    } else if (a == "--repeat") {
      repeat = std::stoi(next());
    } else if (a == "--segment-size") {
      options.segment_size = std::stoi(next());
    } else if (a == "--max-segments") {
      options.max_segments_per_page = std::stoi(next());
    } else {
      std::fprintf(stderr,
                   "usage: list_bench --invoices N [--dir DIR | --store URL] "
                   "[--reuse] [--limit 50] [--repeat 200] [--segment-size "
                   "512] [--max-segments 8]\n");
      return 2;
    }
  }
  if (url.empty() && dir.empty()) {
    dir = "/tmp/list_bench-" + std::to_string(n);
  }
  if (url.empty()) url = "file://" + fs::absolute(dir).string();
  auto base = Check(st::OpenStore(url), "open " + url);
  bench::CountingStore store(*base);
  st::InvoiceRepository repo(store, options);
  const std::string prefix = st::InvoiceRepository::UserPrefix(kSub);

  const bool have_index =
      static_cast<bool>(base->Head(prefix + "index/head.json"));
  std::string middle_month;
  if (!(reuse && have_index)) {
    if (have_index) {
      std::fprintf(stderr,
                   "list_bench: %s already holds invoices; remove it or pass "
                   "--reuse\n",
                   url.c_str());
      return 2;
    }
    auto t = Clock::now();
    Populate(*base, url.starts_with("file://") ? dir : "", n);
    std::printf("populated %d invoices in %.1f s\n", n,
                bench::Ms(Clock::now() - t) / 1000);
    t = Clock::now();
    store.Reset();
    const auto report = Check(repo.Reindex(kSub), "reindex");
    std::printf(
        "Reindex: %d invoices in %.1f s (%ld GETs, %ld PUTs, %ld LISTs)\n",
        report.invoices, bench::Ms(Clock::now() - t) / 1000, store.gets.load(),
        store.puts.load(), store.lists.load());
    if (report.invoices != n) {
      std::fprintf(stderr, "list_bench: indexed %d of %d\n", report.invoices,
                   n);
      return 1;
    }
  }

  // The shape of the index.
  auto head = Check(base->Get(prefix + "index/head.json"), "head.json");
  uint64_t seg_bytes = 0;
  int segments = 0;
  std::string token;
  do {
    auto page = Check(base->List(prefix + "index/segments/", token, 1000),
                      "list segments");
    for (const auto& o : page.objects) seg_bytes += o.size, ++segments;
    token = page.next_token;
  } while (!token.empty());
  const core::Json head_json = core::Json::parse(head.bytes);
  std::printf(
      "store %s: index of %d segments (mean %.0f KB), head.json %.0f KB with "
      "%zu entries; segment_size %d, max_segments_per_page %d, limit %d\n\n",
      url.c_str(), segments, segments ? seg_bytes / 1024.0 / segments : 0.0,
      head.bytes.size() / 1024.0, head_json["entries"].size(),
      options.segment_size, options.max_segments_per_page, limit);

  std::printf(
      "| page | n | p50 ms | p99 ms | max ms | items | GETs mean / max | KB "
      "read | note |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- "
      "|\n");
  auto page = [&](const st::ListRequest& req, Stats& s) {
    store.Reset();
    const auto t = Clock::now();
    auto r = Check(repo.List(kSub, req), "list");
    Add(s, bench::Ms(Clock::now() - t), r.items.size(), store);
    return r;
  };
  auto repeated = [&](const std::string& name, st::ListRequest req) {
    Stats s;
    for (int i = 0; i < repeat; ++i) page(req, s);
    PrintRow(name, s);
  };
  // Follows the cursor to the end; returns the matches.
  auto walk = [&](const std::string& name, st::ListRequest req,
                  std::vector<std::string>* cursors = nullptr) {
    Stats s;
    long matches = 0, empty = 0;
    const auto t = Clock::now();
    do {
      if (cursors) cursors->push_back(req.cursor);
      auto r = page(req, s);
      matches += static_cast<long>(r.items.size());
      empty += r.items.empty();
      req.cursor = r.next_cursor;
    } while (!req.cursor.empty());
    char note[160];
    std::snprintf(note, sizeof note,
                  "%ld matches in %zu pages (%ld empty), %.0f ms in all",
                  matches, s.ms.size(), empty, bench::Ms(Clock::now() - t));
    PrintRow(name, s, note);
    return matches;
  };

  st::ListRequest all;
  all.limit = limit;
  std::vector<std::string> cursors;
  repeated("first page, no filter", all);
  walk("every page, no filter (cursor walk)", all, &cursors);
  {
    st::ListRequest deep = all;
    deep.cursor = cursors[cursors.size() / 2];
    repeated("a middle page (cursor), no filter", deep);
    deep.cursor = cursors.back();
    repeated("the last page (cursor), no filter", deep);
  }
  // Filters: first page repeated, then every page.
  struct Filter {
    std::string name;
    st::InvoiceFilter filter;
  };
  std::vector<Filter> filters;
  {
    st::InvoiceFilter f;
    f.q = "coffee";
    filters.push_back({"q=coffee (common word)", f});
    f.q = "coffee latte";
    filters.push_back({"q=coffee latte (two words)", f});
    f.q = kRareWord;
    filters.push_back({std::string("q=") + kRareWord + " (3 invoices)", f});
    f = {};
    f.vendor = "golden bakery";
    filters.push_back({"vendor=golden bakery (1%)", f});
    f = {};
    f.status = "needs_review";
    filters.push_back({"status=needs_review (5%)", f});
    f = {};
    f.currency = "GBP";
    filters.push_back({"currency=GBP (2%)", f});
    f = {};
    f.min_total = *core::Decimal::Parse("1000");
    filters.push_back({"min_total=1000", f});
    // The month of the middle page of the unfiltered walk: the zone maps
    // should skip every segment outside it.
    st::ListRequest mid = all;
    mid.cursor = cursors[cursors.size() / 2];
    auto r = Check(repo.List(kSub, mid), "list");
    if (!r.items.empty()) {
      middle_month = r.items.front().fields["invoice_date"].substr(0, 7);
    }
    if (!middle_month.empty()) {
      f = {};
      f.from = *core::Date::ParseIso(middle_month + "-01");
      f.to = *core::Date::ParseIso(middle_month + "-28");
      filters.push_back({"from/to=" + middle_month + "-01..28", f});
      f.vendor = "golden bakery";
      filters.push_back({"from/to " + middle_month + " and vendor", f});
    }
  }
  for (const auto& [name, filter] : filters) {
    st::ListRequest req = all;
    req.filter = filter;
    repeated("first page, " + name, req);
    walk("every page, " + name, req);
  }
  return 0;
}
