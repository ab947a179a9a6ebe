// `invoices scan FILE...`: reads documents in parallel and prints SCHEMA.md
// objects in the order of the arguments.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "commands.h"
#include "invoices/extract/scanner.h"

namespace invoices::cli {
namespace {

struct ScanFlags {
  OcrFlags ocr;
  int jobs = 0;
  std::string format;
  std::vector<std::string> files;
};

core::Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::InvalidArgument("cannot read " + path + ": " +
                                 std::strerror(errno));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Progress on a terminal only: a line rewritten in place on stderr.
class Progress {
 public:
  explicit Progress(size_t total)
      : total_(total),
        enabled_(isatty(STDERR_FILENO) && total > 1),
        start_(std::chrono::steady_clock::now()) {}

  void Done(bool failed) {
    const size_t done = ++done_;
    if (failed) ++failed_;
    if (!enabled_) return;
    std::lock_guard lock(mutex_);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
            .count();
    std::fprintf(stderr, "\r  scanned %zu/%zu  (%zu failed)  %.1f docs/s ",
                 done, total_, failed_.load(), done / std::max(s, 1e-3));
    if (done == total_) std::fputc('\n', stderr);
  }

 private:
  size_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<size_t> done_{0}, failed_{0};
  std::mutex mutex_;
};

int RunScan(const ScanFlags& flags) {
  const size_t jobs = std::max<size_t>(
      1, std::min<size_t>(
             flags.jobs > 0 ? flags.jobs : std::thread::hardware_concurrency(),
             flags.files.size()));
  auto pool = extract::EnginePool::Create(jobs, [&] {
    return extract::NewTesseractEngine({.language = flags.ocr.lang});
  });
  if (!pool) return ReportError("scan", pool.error());
  // Engines of another language are made on first use: the accents of
  // names and addresses on a receipt in that language (Scanner::ReadAccents).
  extract::LanguagePools languages(
      **pool, {.default_languages = flags.ocr.lang, .engines_per_set = jobs},
      [](const std::string& lang) {
        return extract::NewTesseractEngine({.language = lang});
      });
  extract::ScannerOptions options;
  options.decode.max_pixels = flags.ocr.max_pixels;
  const extract::Scanner scanner(**pool, options, &languages);

  const bool jsonl = flags.format == "jsonl" ||
                     (flags.format.empty() && flags.files.size() > 1);
  // Results are printed in argument order as soon as all earlier ones are in.
  std::vector<std::optional<core::Json>> results(flags.files.size());
  std::vector<core::ErrorCode> failures;
  std::mutex mutex;
  size_t next_to_print = 0;
  std::atomic<size_t> next_to_scan{0};
  Progress progress(flags.files.size());
  core::Json all = core::Json::array();

  auto print_ready = [&] {  // with `mutex` held
    while (next_to_print < results.size() && results[next_to_print]) {
      core::Json& j = *results[next_to_print];
      if (jsonl) {
        std::cout << j.dump() << '\n' << std::flush;
      } else if (flags.files.size() == 1) {
        std::cout << j.dump(2) << '\n';
      } else {
        all.push_back(std::move(j));
      }
      results[next_to_print].reset();
      ++next_to_print;
    }
  };

  auto worker = [&] {
    for (size_t i; (i = next_to_scan++) < flags.files.size();) {
      const std::string& path = flags.files[i];
      core::Json out;
      auto bytes = ReadFile(path);
      core::Result<core::Extraction> extraction =
          bytes ? scanner.Scan({reinterpret_cast<const uint8_t*>(bytes->data()),
                                bytes->size()},
                               path, "")
                : std::unexpected(bytes.error());
      if (extraction) {
        out = core::ToJson(*extraction);
      } else {
        out = core::ErrorToJson(path, extraction.error());
      }
      progress.Done(!extraction);
      std::lock_guard lock(mutex);
      if (!extraction) failures.push_back(extraction.error().code());
      results[i] = std::move(out);
      print_ready();
    }
  };
  {
    std::vector<std::jthread> threads;
    for (size_t t = 0; t < jobs; ++t) threads.emplace_back(worker);
  }
  if (!jsonl && flags.files.size() > 1) std::cout << all.dump(2) << '\n';
  if (failures.empty()) return 0;
  std::fprintf(stderr, "invoices scan: %zu of %zu files failed\n",
               failures.size(), flags.files.size());
  return core::ExitCode(failures.front());
}

}  // namespace

int ReportError(std::string_view command, const core::Error& error) {
  std::fprintf(stderr, "invoices %.*s: %s\n", int(command.size()),
               command.data(), error.ToString().c_str());
  return core::ExitCode(error.code());
}

void AddOcrFlags(CLI::App& command, OcrFlags& flags) {
  command
      .add_option("--lang", flags.lang,
                  "OCR languages, Tesseract style (eng, eng+deu); for serve, "
                  "the default of requests that name none (POST /scan?lang=). "
                  "With eng, pages in Greek or Cyrillic letters are found and "
                  "read again in ell or rus (ukr) when those are installed")
      ->envname("INVOICES_LANG")
      ->capture_default_str();
  command
      .add_option("--max-pixels", flags.max_pixels,
                  "refuse images with more pixels than this")
      ->envname("INVOICES_MAX_PIXELS")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

Run AddScanCommand(CLI::App& app) {
  auto flags = std::make_shared<ScanFlags>();
  CLI::App* cmd = app.add_subcommand(
      "scan",
      "Read receipts and invoices (JPEG, PNG, TIFF, WebP, HEIC, PDF, and UBL "
      "or "
      "CII e-invoice XML) and print what was found as JSON "
      "(one object per file, in argument order). Exits non-zero when a file "
      "failed; the others are still printed.");
  AddOcrFlags(*cmd, flags->ocr);
  cmd->add_option("--jobs,-j", flags->jobs,
                  "documents read at once (default: the number of cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--format", flags->format,
                  "json: pretty (default for one file); jsonl: one object a "
                  "line (default for several)")
      ->check(CLI::IsMember({"json", "jsonl"}));
  cmd->add_option("files", flags->files, "documents to read")->required();
  return [flags] { return RunScan(*flags); };
}

}  // namespace invoices::cli
