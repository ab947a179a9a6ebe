// Small string helpers shared by every module. Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace invoices::core {

// `s` with A-Z changed to a-z (other bytes, UTF-8 included, as they are):
// header names, media types, usernames, keys.
std::string AsciiLower(std::string_view s);
// `s` with a-z changed to A-Z.
std::string AsciiUpper(std::string_view s);
// Appends code point `c` (up to U+10FFFF) to `out` in UTF-8.
void AppendUtf8(std::string& out, char32_t c);

}  // namespace invoices::core
