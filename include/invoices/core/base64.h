// Base64 (RFC 4648) in the standard and the URL-safe alphabet.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "invoices/core/error.h"

namespace invoices::core {

std::string Base64Encode(std::string_view bytes);
// Standard alphabet with padding; invalid_argument on any other character.
Result<std::string> Base64Decode(std::string_view text);
// URL-safe alphabet without padding (JWT, cursors).
std::string Base64UrlEncode(std::string_view bytes);
// URL-safe alphabet; padding optional; invalid_argument otherwise.
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace invoices::core
