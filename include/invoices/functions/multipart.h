// multipart/form-data (RFC 7578) parsing, for uploads from browsers and curl
// -F. Parts refer to the body's bytes; the body must outlive them. Thread
// safety: pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "invoices/core/error.h"

namespace invoices::functions {

struct MultipartPart {
  std::string name;          // form field name
  std::string filename;      // empty when the part is not a file
  std::string content_type;  // empty when the part declares none
  std::string_view data;
};

// Splits `body` by the boundary of `content_type` ("multipart/form-data;
// boundary=..."). invalid_argument for a missing boundary, a body that does
// not follow it, or more than `max_parts` parts.
core::Result<std::vector<MultipartPart>> ParseMultipart(
    std::string_view body, std::string_view content_type,
    size_t max_parts = 32);

}  // namespace invoices::functions
