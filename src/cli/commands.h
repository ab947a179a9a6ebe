// The subcommands of `invoices`: each registers its flags on the CLI11 app
// and returns the function that runs it (its result is the exit code).
// Flags and environment variables follow ARCHITECTURE.md's configuration table.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string_view>

#include "invoices/core/error.h"

namespace invoices::cli {

using Run = std::function<int()>;

Run AddScanCommand(CLI::App& app);
Run AddServeCommand(CLI::App& app);
Run AddUserCommand(CLI::App& app);
Run AddReindexCommand(CLI::App& app);
Run AddLambdaCommand(CLI::App& app);

// The OCR options shared by every command that reads documents.
struct OcrFlags {
  std::string lang = "eng";
  int64_t max_pixels = 64'000'000;
};
void AddOcrFlags(CLI::App& command, OcrFlags& flags);

// Prints "invoices COMMAND: code: message" on stderr and returns the exit
// code the error maps to.
int ReportError(std::string_view command, const core::Error& error);

}  // namespace invoices::cli
