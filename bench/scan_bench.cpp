// scan_bench: accuracy and speed of `invoices scan` over a labelled dataset
// (shared/datasets/sroie-dev), scored as shared/datasets/README.md says, and
// the `tesseract` command-line tool on the same images for comparison.
//
//   scan_bench --dataset DIR [--jobs 1,2] [--limit N] [--lang eng]
//              [--tesseract-cli] [--details FILE.jsonl]
//              [--layout auto|block|sparse] [--reread-below Q] [--ocr-setting
//              NAME=VALUE]...
//              [--min-side PX] [--flatten auto|always|never] [--no-crop]
//              [--deskew-min-degrees D]
//              [--no-rules] [--raw-confidence] [--fit-calibration]
//              [--reread-lines N] [--no-reread-name] [--reread-name-below Q]
//              [--dropped-lines N] [--reread-parts N] [--no-stacked-columns]
//              [--ocr-cache DIR]
//
// --ocr-cache DIR keeps every OCR reading in DIR, keyed by the image's pixels
// and the engine's settings, and reuses it on later runs: changes to field
// extraction are then measured in seconds instead of a minute. Readings
// served from the cache make the latency figures meaningless (they say so).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "invoices/extract/calibration.h"
#include "invoices/extract/scanner.h"
#include "invoices/extract/text_parse.h"

using invoices::core::Json;
namespace ex = invoices::extract;
using Clock = std::chrono::steady_clock;

namespace {

// A line item as labelled (decimal strings, as SCHEMA.md gives them).
struct LabelledItem {
  std::string description, quantity, unit_price, amount;
};

struct Sample {
  std::string id, path, company, date, address, total;
  // Fields labelled only in some datasets (the made-up documents), by the
  // field's name (OptionalField::name): absent when not labelled.
  std::map<std::string, std::string> optional;
  std::optional<std::vector<LabelledItem>> items;
  std::string bytes;
};

// How a field labelled only in some datasets compares with the result.
// kId: an identifier (tax number, phone), compared on its letters and
// digits alone, case aside: "GB 123 4567 89" is "GB123456789", "(212)
// 555-0134" is "212-555-0134".
enum class Compare { kText, kDate, kAmount, kId };
struct OptionalField {
  // The field of the result, and its key in labels.jsonl and --details.
  const char* name;
  Compare compare;
};
constexpr OptionalField kOptionalFields[] = {
    {"invoice_id", Compare::kText},    {"due_date", Compare::kDate},
    {"receiver_name", Compare::kText}, {"receiver_address", Compare::kText},
    {"currency", Compare::kText},      {"subtotal", Compare::kAmount},
    {"tax", Compare::kAmount},         {"discount", Compare::kAmount},
    {"tip", Compare::kAmount},         {"amount_due", Compare::kAmount},
    {"vendor_phone", Compare::kId},    {"vendor_tax_id", Compare::kId},
    {"receiver_tax_id", Compare::kId}, {"purchase_order", Compare::kId},
    {"payment_terms", Compare::kText},
};

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, size_t(p * (v.size() - 1) + 0.5));
  return v[i];
}

long PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

std::string Normalize(std::string s) {
  std::string out;
  bool space = false;
  for (unsigned char c : s) {
    if (std::isspace(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += char(std::toupper(c));
  }
  return out;
}

// 1 - Levenshtein distance / longer length.
double Similarity(const std::string& a, const std::string& b) {
  if (a.empty() && b.empty()) return 1;
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1,
                         prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return 1.0 - double(prev[b.size()]) / std::max(a.size(), b.size());
}

std::string LabelDateIso(const std::string& printed) {
  auto d = ex::ParseDate(printed);
  if (d) return d->date.ToIso();
  // A label printed as YYYYMMDD, a form the extractor does not read as a
  // date on its own (too many other 8-digit numbers on receipts).
  if (printed.size() == 8 &&
      printed.find_first_not_of("0123456789") == std::string::npos) {
    auto iso = invoices::core::Date::FromYmd(std::stoi(printed.substr(0, 4)),
                                             std::stoi(printed.substr(4, 2)),
                                             std::stoi(printed.substr(6, 2)));
    if (iso) return iso->ToIso();
  }
  return "";
}

std::string FieldValue(const invoices::core::Extraction& e, const char* name) {
  auto it = e.fields.find(name);
  return it == e.fields.end() ? "" : it->second.value;
}

// An identifier's letters and digits, in capitals (bytes of other scripts
// kept as they are).
std::string IdCharacters(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x80 || std::isalnum(c)) out += char(std::toupper(c));
  }
  return out;
}

// Whether `got` (a result's field value) is the labelled `want`.
bool SameValue(Compare how, const std::string& want, const std::string& got) {
  switch (how) {
    case Compare::kText:
      return Normalize(got) == Normalize(want);
    case Compare::kDate:
      return !LabelDateIso(want).empty() && LabelDateIso(want) == got;
    case Compare::kAmount: {
      auto w = ex::ParseAmount(want);
      auto g = invoices::core::Decimal::Parse(got);
      return w && g && w->value == *g;
    }
    case Compare::kId:
      return !got.empty() && IdCharacters(got) == IdCharacters(want);
  }
  return false;
}

// Line items against their labels: each labelled item is matched to an
// item read with the same amount (the most similar description among
// several); a document is right when it has as many items as labelled and
// every one matched with its description, quantity and unit price.
struct ItemScore {
  int documents = 0, documents_right = 0;
  int labelled = 0, read = 0, amount = 0, description = 0, quantity = 0,
      unit_price = 0;

  // Scores one document; whether it is right.
  bool Add(const std::vector<LabelledItem>& want,
           const std::vector<invoices::core::LineItem>& got) {
    ++documents;
    labelled += int(want.size());
    read += int(got.size());
    std::vector<bool> used(got.size(), false);
    bool right = want.size() == got.size();
    for (const LabelledItem& w : want) {
      const auto amount_wanted = ex::ParseAmount(w.amount);
      int best = -1;
      double best_similarity = -1;
      for (size_t g = 0; g < got.size(); ++g) {
        if (used[g] || !amount_wanted) continue;
        auto a = invoices::core::Decimal::Parse(got[g].amount.value_or(""));
        if (!a || *a != amount_wanted->value) continue;
        const double sim =
            Similarity(Normalize(w.description),
                       Normalize(got[g].description.value_or("")));
        if (sim > best_similarity) best = int(g), best_similarity = sim;
      }
      if (best < 0) {
        right = false;
        continue;
      }
      used[best] = true;
      const auto& item = got[best];
      ++amount;
      const bool description_ok =
          Normalize(item.description.value_or("")) == Normalize(w.description);
      // A quantity or unit price not printed (one of it) is not read.
      const bool one = w.quantity == "1";
      const bool quantity_ok =
          item.quantity
              ? SameValue(Compare::kAmount, w.quantity, *item.quantity)
              : one;
      const bool price_ok =
          item.unit_price
              ? SameValue(Compare::kAmount, w.unit_price, *item.unit_price)
              : one;
      description += description_ok;
      quantity += quantity_ok;
      unit_price += price_ok;
      right = right && description_ok && quantity_ok && price_ok;
    }
    documents_right += right;
    return right;
  }
};

struct Scored {
  int n = 0, total = 0, date = 0, company = 0, address = 0;
  double company_sim = 0, address_sim = 0;
  // Fields scored only where labelled, by label: how many labelled, right.
  std::map<std::string, std::pair<int, int>> optional;
  ItemScore items;
};

double FieldConfidence(const invoices::core::Extraction& e, const char* name) {
  auto it = e.fields.find(name);
  return it == e.fields.end() ? -1 : it->second.confidence;
}

// Whether confidences are calibrated: the fields found, by confidence bin,
// with how many were right. A field at 0.9 should be right about 90% of
// the time.
struct Calibration {
  static constexpr double kEdges[] = {0, 0.3, 0.5, 0.7, 0.8, 0.9, 1.0001};
  static constexpr int kBins = 6;
  int count[kBins] = {}, right[kBins] = {};
  double confidence[kBins] = {};

  void Add(double c, bool ok) {
    if (c < 0) return;  // not found: no confidence to judge
    int b = 0;
    while (b + 1 < kBins && c >= kEdges[b + 1]) ++b;
    ++count[b];
    right[b] += ok;
    confidence[b] += c;
  }
  // Expected calibration error: the mean gap between confidence and
  // accuracy, weighted by the fields in each bin.
  double Error() const {
    double n = 0, gap = 0;
    for (int b = 0; b < kBins; ++b) {
      if (count[b] == 0) continue;
      n += count[b];
      gap += std::abs(confidence[b] - right[b]);
    }
    return n == 0 ? 0 : gap / n;
  }
  void Print(const char* name) const {
    std::printf("| %s |", name);
    for (int b = 0; b < kBins; ++b) {
      if (count[b] == 0) {
        std::printf(" - |");
      } else {
        std::printf(" %d/%d (%.0f%% at %.2f) |", right[b], count[b],
                    100.0 * right[b] / count[b], confidence[b] / count[b]);
      }
    }
    std::printf(" %.3f |\n", Error());
  }
};

// A decorator that serves OCR readings from files in `dir` when it has read
// the same pixels with the same request before, and stores new ones.
class CachingEngine final : public ex::OcrEngine {
 public:
  CachingEngine(std::unique_ptr<ex::OcrEngine> inner, std::string dir,
                std::string settings, std::atomic<size_t>& hits)
      : inner_(std::move(inner)),
        dir_(std::move(dir)),
        settings_(std::move(settings)),
        hits_(hits) {}

  using ex::OcrEngine::Recognize;
  invoices::core::Result<ex::OcrPage> Recognize(
      const ex::GrayImage& image,
      const ex::RecognizeOptions& options) override {
    std::string key_text = settings_ + '|' + std::to_string(image.width) + 'x' +
                           std::to_string(image.height) + '|' +
                           std::to_string(int(options.layout)) + '|' +
                           options.allowed_chars + '|';
    key_text.append(reinterpret_cast<const char*>(image.pixels.data()),
                    image.pixels.size());
    uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (unsigned char c : key_text) h = (h ^ c) * 1099511628211ull;
    char name[32];
    std::snprintf(name, sizeof name, "%016llx.json", (unsigned long long)h);
    const std::string path = dir_ + "/" + name;
    if (std::ifstream in(path); in) {
      ++hits_;
      return FromJson(Json::parse(in));
    }
    auto page = inner_->Recognize(image, options);
    if (page) {
      const std::string tmp = path + ".tmp" + std::to_string(getpid());
      std::ofstream(tmp) << ToJson(*page).dump();
      std::filesystem::rename(tmp, path);
    }
    return page;
  }
  const std::string& language() const override { return inner_->language(); }
  // Without it, LanguagePools would take no other language as installed.
  std::vector<std::string> InstalledLanguages() const override {
    return inner_->InstalledLanguages();
  }

 private:
  static Json Box(const invoices::core::BBox& b) {
    return Json::array({b.x0, b.y0, b.x1, b.y1});
  }
  static invoices::core::BBox Box(const Json& j) {
    return {j[0].get<int>(), j[1].get<int>(), j[2].get<int>(), j[3].get<int>()};
  }
  static Json ToJson(const ex::OcrPage& page) {
    Json lines = Json::array();
    for (const ex::OcrLine& l : page.lines) {
      Json words = Json::array();
      for (const ex::OcrWord& w : l.words) {
        words.push_back(
            {w.text, Box(w.box), w.confidence, w.block, w.paragraph, w.line});
      }
      lines.push_back({Box(l.box), words});
    }
    return {{"w", page.width}, {"h", page.height}, {"lines", lines}};
  }
  static ex::OcrPage FromJson(const Json& j) {
    ex::OcrPage page;
    page.width = j["w"];
    page.height = j["h"];
    for (const Json& l : j["lines"]) {
      ex::OcrLine line;
      line.box = Box(l[0]);
      for (const Json& w : l[1]) {
        line.words.push_back({w[0], Box(w[1]), w[2], w[3], w[4], w[5]});
      }
      page.lines.push_back(std::move(line));
    }
    return page;
  }

  std::unique_ptr<ex::OcrEngine> inner_;
  std::string dir_, settings_;
  std::atomic<size_t>& hits_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string dataset, lang = "eng", details;
  bool fit_calibration = false;
  std::vector<int> jobs_list = {1};
  size_t limit = SIZE_MAX;
  bool tesseract_cli = false;
  std::string ocr_cache;
  std::atomic<size_t> cache_hits{0};
  ex::OcrOptions ocr;
  ex::ScannerOptions scanner_options;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : ""; };
    if (a == "--dataset") {
      dataset = next();
    } else if (a == "--jobs") {
      jobs_list.clear();
      std::stringstream ss(next());
      for (std::string j; std::getline(ss, j, ',');)
        jobs_list.push_back(std::stoi(j));
    } else if (a == "--limit") {
      limit = std::stoul(next());
    } else if (a == "--lang") {
      ocr.language = lang = next();
    } else if (a == "--details") {
      details = next();
    } else if (a == "--layout") {
      scanner_options.layout =
          ex::LayoutFromName(next()).value_or(ex::Layout::kAuto);
    } else if (a == "--reread-below") {
      scanner_options.reread_below_quality = std::stod(next());
    } else if (a == "--ocr-setting") {
      const std::string kv = next();
      ocr.settings.emplace_back(kv.substr(0, kv.find('=')),
                                kv.substr(kv.find('=') + 1));
    } else if (a == "--min-side") {
      scanner_options.ocr_min_side = std::stoi(next());
    } else if (a == "--flatten") {
      scanner_options.flatten = next();
    } else if (a == "--reread-lines") {
      scanner_options.reread_lines = std::stoul(next());
    } else if (a == "--dropped-lines") {
      scanner_options.dropped_lines = std::stoul(next());
    } else if (a == "--reread-parts") {
      scanner_options.reread_parts = std::stoul(next());
    } else if (a == "--no-stacked-columns") {
      scanner_options.stacked_columns = false;
    } else if (a == "--reread-name-below") {
      scanner_options.reread_name_below = std::stod(next());
    } else if (a == "--no-reread-name") {
      scanner_options.reread_name = false;
    } else if (a == "--no-crop") {
      scanner_options.crop_to_paper = false;
    } else if (a == "--deskew-min-degrees") {
      scanner_options.deskew_min_degrees = std::stod(next());
    } else if (a == "--no-rules") {
      scanner_options.remove_rules = false;
    } else if (a == "--raw-confidence") {
      scanner_options.calibrate_confidence = false;
    } else if (a == "--fit-calibration") {
      scanner_options.calibrate_confidence = false;
      fit_calibration = true;
    } else if (a == "--ocr-cache") {
      ocr_cache = next();
    } else if (a == "--tesseract-cli") {
      tesseract_cli = true;
    } else {
      std::fprintf(
          stderr,
          "usage: scan_bench --dataset DIR [--jobs 1,2] [--limit N] "
          "[--lang eng] [--tesseract-cli] [--details FILE] [--layout "
          "auto|block|sparse] [--reread-below Q] [--ocr-setting NAME=VALUE] "
          "[--min-side PX] [--flatten auto|always|never] [--no-crop] "
          "[--deskew-min-degrees D] [--reread-lines N] [--no-reread-name] "
          "[--reread-name-below Q] "
          "[--dropped-lines N] [--reread-parts N] [--no-stacked-columns] "
          "[--no-rules] "
          "[--raw-confidence] "
          "[--fit-calibration] [--ocr-cache DIR]\n");
      return 2;
    }
  }
  if (!ocr_cache.empty()) std::filesystem::create_directories(ocr_cache);
  if (dataset.empty()) {
    std::fprintf(stderr, "scan_bench: --dataset DIR is required\n");
    return 2;
  }

  std::vector<Sample> samples;
  std::ifstream labels(dataset + "/labels.jsonl");
  for (std::string line;
       std::getline(labels, line) && samples.size() < limit;) {
    const Json j = Json::parse(line);
    Sample s{j["id"],
             dataset + "/" + j["file"].get<std::string>(),
             j.value("company", ""),
             j.value("date", ""),
             j.value("address", ""),
             j.value("total", ""),
             {},
             std::nullopt,
             ""};
    for (const OptionalField& f : kOptionalFields) {
      if (j.contains(f.name)) s.optional[f.name] = j[f.name];
    }
    if (j.contains("line_items")) {
      s.items.emplace();
      for (const Json& item : j["line_items"]) {
        s.items->push_back(
            {item.value("description", ""), item.value("quantity", ""),
             item.value("unit_price", ""), item.value("amount", "")});
      }
    }
    std::ifstream in(s.path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    s.bytes = buf.str();
    samples.push_back(std::move(s));
  }
  if (samples.empty()) {
    std::fprintf(stderr, "scan_bench: no samples in %s\n", dataset.c_str());
    return 2;
  }
  std::printf("dataset: %s (%zu documents), lang %s, %u cores\n\n",
              dataset.c_str(), samples.size(), lang.c_str(),
              std::thread::hardware_concurrency());

  // Engine start: the time until the first document can be scanned.
  auto t0 = Clock::now();
  auto first = ex::NewTesseractEngine(ocr);
  const double engine_start_ms = Ms(Clock::now() - t0);
  if (!first) {
    std::fprintf(stderr, "scan_bench: %s\n", first.error().ToString().c_str());
    return 1;
  }
  first->reset();

  Scored score;
  Calibration calibration[5];  // total, date, vendor, address, all
  std::vector<std::pair<double, bool>> fit_samples[4];
  std::vector<std::pair<double, bool>> fold_samples[4][2];  // by parity
  std::ofstream details_out;
  if (!details.empty()) details_out.open(details);
  std::printf("| jobs | p50 ms | p95 ms | max ms | docs/s | peak RSS MB |\n");
  std::printf("| --- | --- | --- | --- | --- | --- |\n");
  for (int jobs : jobs_list) {
    // Engines for `lang`, reading through the cache when there is one.
    auto make_engine = [&](const std::string& lang)
        -> invoices::core::Result<std::unique_ptr<ex::OcrEngine>> {
      ex::OcrOptions options = ocr;
      options.language = lang;
      auto engine = ex::NewTesseractEngine(options);
      if (!engine || ocr_cache.empty()) return engine;
      // The settings that change a reading are part of the key (the data
      // directory too: another model reads differently).
      std::string settings = options.language + '|' + options.data_path + '|';
      if (const char* prefix = std::getenv("TESSDATA_PREFIX")) {
        settings += prefix;
      }
      for (const auto& [k, v] : options.settings) {
        settings += k + '=' + v + ';';
      }
      return std::make_unique<CachingEngine>(std::move(*engine), ocr_cache,
                                             settings, cache_hits);
    };
    auto pool =
        ex::EnginePool::Create(jobs, [&] { return make_engine(ocr.language); });
    if (!pool) return 1;
    // Other languages as `invoices scan` and `serve` have them (accents of
    // names and addresses read in the page's language).
    ex::LanguagePools languages(
        **pool,
        {.default_languages = ocr.language, .engines_per_set = size_t(jobs)},
        make_engine);
    ex::Scanner scanner(**pool, scanner_options, &languages);
    std::vector<double> latency(samples.size());
    std::vector<invoices::core::Extraction> results(samples.size());
    std::atomic<size_t> next{0};
    const auto start = Clock::now();
    {
      std::vector<std::jthread> threads;
      for (int t = 0; t < jobs; ++t) {
        threads.emplace_back([&] {
          for (size_t i; (i = next++) < samples.size();) {
            const auto s = Clock::now();
            auto r = scanner.Scan(
                {reinterpret_cast<const uint8_t*>(samples[i].bytes.data()),
                 samples[i].bytes.size()},
                samples[i].id, "image/jpeg");
            latency[i] = Ms(Clock::now() - s);
            if (r) results[i] = std::move(*r);
          }
        });
      }
    }
    const double wall_s = Ms(Clock::now() - start) / 1000;
    if (cache_hits > 0) {
      std::printf(
          "(%zu OCR readings came from --ocr-cache: the times below "
          "are not OCR times)\n",
          cache_hits.load());
    }
    std::printf("| %d | %.0f | %.0f | %.0f | %.2f | %ld |\n", jobs,
                Percentile(latency, 0.5), Percentile(latency, 0.95),
                *std::max_element(latency.begin(), latency.end()),
                samples.size() / wall_s, PeakRssMb());
    if (jobs != jobs_list.front()) continue;
    {
      // Where the time goes: each stage's share of the summed latency, and
      // its median over the documents that ran it.
      std::vector<std::string> stages;
      std::map<std::string, std::vector<double>> by_stage;
      for (const auto& e : results) {
        for (const auto& [stage, ms] : e.timings_ms) {
          if (stage == "total") continue;
          if (!by_stage.contains(stage)) stages.push_back(stage);
          by_stage[stage].push_back(ms);
        }
      }
      double all = 0;
      for (double ms : latency) all += ms;
      std::printf("\nstages (jobs %d): ", jobs);
      for (const std::string& stage : stages) {
        const auto& v = by_stage[stage];
        double sum = 0;
        for (double ms : v) sum += ms;
        std::printf("%s %.0f%% (p50 %.0f ms, %zu docs); ", stage.c_str(),
                    100 * sum / std::max(all, 1.0), Percentile(v, 0.5),
                    v.size());
      }
      std::printf("\n");
    }
    for (size_t i = 0; i < samples.size(); ++i) {
      const Sample& s = samples[i];
      const auto& e = results[i];
      ++score.n;
      // Labels give the total as printed ("RM 9.00", "$8.70"): compare as
      // decimal amounts, as the dataset's README says.
      const bool total_ok =
          SameValue(Compare::kAmount, s.total, FieldValue(e, "total"));
      const bool date_ok =
          SameValue(Compare::kDate, s.date, FieldValue(e, "invoice_date"));
      const std::string company = Normalize(FieldValue(e, "vendor_name"));
      const std::string address = Normalize(FieldValue(e, "vendor_address"));
      score.total += total_ok;
      score.date += date_ok;
      score.company += company == Normalize(s.company);
      score.address += address == Normalize(s.address);
      score.company_sim += Similarity(company, Normalize(s.company));
      score.address_sim += Similarity(address, Normalize(s.address));
      Json optional_details = Json::object();
      for (const OptionalField& f : kOptionalFields) {
        auto it = s.optional.find(f.name);
        if (it == s.optional.end()) continue;
        const std::string got = FieldValue(e, f.name);
        const bool right = SameValue(f.compare, it->second, got);
        auto& [labelled, right_count] = score.optional[f.name];
        ++labelled;
        right_count += right;
        optional_details[f.name] = {it->second, got, right};
      }
      if (s.items) {
        const int matched_before = score.items.amount;
        const bool right = score.items.Add(*s.items, e.line_items);
        // Labelled, read, found by amount, all right; when not right, the
        // items read (description, quantity, unit price, amount) to compare.
        Json entry = {s.items->size(), e.line_items.size(),
                      score.items.amount - matched_before, right};
        if (!right) {
          Json read = Json::array();
          for (const auto& item : e.line_items) {
            read.push_back(
                {item.description.value_or(""), item.quantity.value_or(""),
                 item.unit_price.value_or(""), item.amount.value_or("")});
          }
          entry.push_back(std::move(read));
        }
        optional_details["line_items"] = std::move(entry);
      }
      const double conf[4] = {FieldConfidence(e, "total"),
                              FieldConfidence(e, "invoice_date"),
                              FieldConfidence(e, "vendor_name"),
                              FieldConfidence(e, "vendor_address")};
      const bool ok[4] = {total_ok, date_ok, company == Normalize(s.company),
                          address == Normalize(s.address)};
      for (int f = 0; f < 4; ++f) {
        calibration[f].Add(conf[f], ok[f]);
        calibration[4].Add(conf[f], ok[f]);
        if (conf[f] >= 0) {
          fit_samples[f].emplace_back(conf[f], ok[f]);
          fold_samples[f][i % 2].emplace_back(conf[f], ok[f]);
        }
      }
      if (details_out) {
        Json d = {
            {"id", s.id},
            {"total", {s.total, FieldValue(e, "total"), total_ok, conf[0]}},
            {"date", {s.date, FieldValue(e, "invoice_date"), date_ok, conf[1]}},
            {"company", {s.company, FieldValue(e, "vendor_name"), conf[2]}},
            {"address", {s.address, FieldValue(e, "vendor_address"), conf[3]}}};
        d.update(optional_details);
        details_out << d.dump() << '\n';
      }
    }
  }
  const double n = score.n;
  std::printf("\nengine start (first document ready): %.0f ms\n\n",
              engine_start_ms);
  std::printf("| field | exact | mean similarity |\n| --- | --- | --- |\n");
  std::printf("| total | %.1f%% | |\n", 100 * score.total / n);
  std::printf("| invoice_date | %.1f%% | |\n", 100 * score.date / n);
  std::printf("| vendor_name | %.1f%% | %.3f |\n", 100 * score.company / n,
              score.company_sim / n);
  std::printf("| vendor_address | %.1f%% | %.3f |\n", 100 * score.address / n,
              score.address_sim / n);
  for (const OptionalField& f : kOptionalFields) {
    auto it = score.optional.find(f.name);
    if (it == score.optional.end()) continue;
    const auto [labelled, right] = it->second;
    std::printf("| %s (%d labelled) | %.1f%% | |\n", f.name, labelled,
                100.0 * right / labelled);
  }
  if (const ItemScore& items = score.items; items.documents > 0) {
    // Of the labelled items: found by amount, and of those with the
    // description, quantity and unit price right.
    auto share = [](int part, int whole) {
      return whole > 0 ? 100.0 * part / whole : 0.0;
    };
    std::printf(
        "\n| line items | labelled | read | amount found | description | "
        "quantity | unit price | documents all right |\n| --- | --- | --- | "
        "--- | --- | --- | --- | --- |\n| %d documents | %d | %d | %.1f%% | "
        "%.1f%% | %.1f%% | %.1f%% | %.1f%% |\n",
        items.documents, items.labelled, items.read,
        share(items.amount, items.labelled),
        share(items.description, items.amount),
        share(items.quantity, items.amount),
        share(items.unit_price, items.amount),
        share(items.documents_right, items.documents));
  }

  std::printf(
      "\nconfidence calibration: right/found (accuracy at mean confidence) "
      "by confidence\n\n| field |");
  for (int b = 0; b < Calibration::kBins; ++b) {
    std::printf(" %.1f-%.1f |", Calibration::kEdges[b],
                std::min(1.0, Calibration::kEdges[b + 1]));
  }
  std::printf(" calibration error |\n|");
  for (int b = 0; b < Calibration::kBins + 2; ++b) std::printf(" --- |");
  std::printf("\n");
  const char* names[5] = {"total", "invoice_date", "vendor_name",
                          "vendor_address", "all four"};
  for (int f = 0; f < 5; ++f) calibration[f].Print(names[f]);
  if (fit_calibration) {
    // The maps of src/extract/calibration.cpp, fitted to these raw scores.
    const char* tables[4] = {"kTotal", "kDate", "kVendor", "kAddress"};
    std::printf("\n");
    for (int f = 0; f < 4; ++f) {
      std::printf("constexpr CalibrationKnot %s[] = {", tables[f]);
      const auto knots = ex::FitCalibration(fit_samples[f]);
      for (size_t k = 0; k < knots.size(); ++k) {
        std::printf("%s{%.3f, %.3f}", k ? ", " : "", knots[k].raw,
                    knots[k].calibrated);
      }
      std::printf("};\n");
    }
    // Fitted on one half of the documents, judged on the other: what the
    // maps promise on documents they were not fitted to.
    std::printf(
        "\ncalibration error, raw -> fitted on the other half "
        "(2-fold cross-validation):");
    for (int f = 0; f < 4; ++f) {
      Calibration raw, cross;
      for (int fold = 0; fold < 2; ++fold) {
        const auto knots = ex::FitCalibration(fold_samples[f][1 - fold]);
        for (const auto& [c, right] : fold_samples[f][fold]) {
          raw.Add(c, right);
          cross.Add(ex::Calibrate(knots, c), right);
        }
      }
      std::printf(" %s %.3f -> %.3f;", names[f], raw.Error(), cross.Error());
    }
    std::printf("\n");
  }

  if (tesseract_cli) {
    // The floor: the `tesseract` command line, one process an image, and
    // naive regular expressions over its text (the last amount after
    // "total", the first d/m/y date, the first line as the vendor).
    std::vector<double> cli;
    int total_ok = 0, date_ok = 0, vendor_ok = 0;
    const std::regex total_re(R"(total[^0-9\n]*([0-9]+[.,][0-9]{2}))",
                              std::regex::icase);
    const std::regex date_re(R"((\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4}))");
    for (const Sample& s : samples) {
      const std::string cmd = "tesseract '" + s.path + "' - 2>/dev/null";
      const auto t = Clock::now();
      FILE* out = popen(cmd.c_str(), "r");
      if (out == nullptr) continue;
      std::string text;
      char buf[4096];
      for (size_t n; (n = std::fread(buf, 1, sizeof buf, out)) > 0;) {
        text.append(buf, n);
      }
      if (pclose(out) != 0) continue;
      cli.push_back(Ms(Clock::now() - t));
      std::string total;
      for (auto it = std::sregex_iterator(text.begin(), text.end(), total_re);
           it != std::sregex_iterator(); ++it) {
        total = (*it)[1];
      }
      auto want = ex::ParseAmount(s.total);
      auto got = ex::ParseAmount(total);
      total_ok += want && got && want->value == got->value;
      std::smatch d;
      if (std::regex_search(text, d, date_re)) {
        date_ok += !LabelDateIso(s.date).empty() &&
                   LabelDateIso(d[0]) == LabelDateIso(s.date);
      }
      std::istringstream lines(text);
      std::string first;
      while (std::getline(lines, first) && Normalize(first).empty()) {
      }
      vendor_ok += Normalize(first) == Normalize(s.company);
    }
    std::printf(
        "\n`tesseract IMAGE -` command line, one process an image, 1 job: p50 "
        "%.0f ms, p95 %.0f ms (%zu images); naive regular expressions on its "
        "text: total %.1f%%, date %.1f%%, vendor %.1f%%\n",
        Percentile(cli, 0.5), Percentile(cli, 0.95), cli.size(),
        100.0 * total_ok / samples.size(), 100.0 * date_ok / samples.size(),
        100.0 * vendor_ok / samples.size());
  }
  return 0;
}
