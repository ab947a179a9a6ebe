// JSON text written by hand, for the few outputs made on every request (the
// access log line, a list page), where building a JSON document first and
// dumping it cost more than the work itself (docs/BENCHMARKS.md). Anything
// less hot uses the JSON library (extraction.h's core::Json).
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace invoices::core {

// Appends `s` as a JSON string, quotes included: '"', '\' and control
// characters (below 0x20, and 0x7f) escaped, other bytes of valid UTF-8 as
// they are, and each byte that is not part of a valid UTF-8 sequence
// replaced by U+FFFD (as the JSON library's "replace" error handler does),
// so that text from outside can never break the document.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace invoices::core
