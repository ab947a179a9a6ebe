#include "invoices/functions/multipart.h"

#include <algorithm>

#include "invoices/core/strings.h"

namespace invoices::functions {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// The value of `key=` in a header's parameters (quoted or not), or "".
std::string Param(std::string_view header, std::string_view key) {
  const std::string lower = core::AsciiLower(header);
  size_t pos = 0;
  while ((pos = lower.find(key, pos)) != std::string::npos) {
    const bool at_start =
        pos == 0 || lower[pos - 1] == ';' || lower[pos - 1] == ' ';
    const size_t eq = pos + key.size();
    if (at_start && eq < lower.size() && lower[eq] == '=') {
      std::string_view rest = header.substr(eq + 1);
      if (!rest.empty() && rest.front() == '"') {
        rest.remove_prefix(1);
        return std::string(rest.substr(0, rest.find('"')));
      }
      return std::string(Trim(rest.substr(0, rest.find(';'))));
    }
    pos = eq;
  }
  return "";
}

}  // namespace

core::Result<std::vector<MultipartPart>> ParseMultipart(
    std::string_view body, std::string_view content_type, size_t max_parts) {
  if (!core::AsciiLower(content_type).starts_with("multipart/form-data")) {
    return core::InvalidArgument("not multipart/form-data");
  }
  const std::string boundary = Param(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 200) {
    return core::InvalidArgument("multipart body without a valid boundary");
  }
  const std::string delimiter = "--" + boundary;
  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) {
    return core::InvalidArgument(
        "multipart body does not contain its boundary");
  }
  std::vector<MultipartPart> parts;
  const std::string next_delimiter = "\r\n" + delimiter;
  while (true) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") {
      return core::InvalidArgument("malformed multipart delimiter line");
    }
    pos += 2;
    const size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) {
      return core::InvalidArgument("multipart part without a header end");
    }
    MultipartPart part;
    std::string_view headers = body.substr(pos, headers_end - pos);
    while (!headers.empty()) {
      const size_t eol = headers.find("\r\n");
      const std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? "" : headers.substr(eol + 2);
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string name = core::AsciiLower(Trim(line.substr(0, colon)));
      const std::string_view value = Trim(line.substr(colon + 1));
      if (name == "content-disposition") {
        part.name = Param(value, "name");
        part.filename = Param(value, "filename");
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    const size_t data_start = headers_end + 4;
    const size_t data_end = body.find(next_delimiter, data_start);
    if (data_end == std::string_view::npos) {
      return core::InvalidArgument("multipart body ends inside a part");
    }
    part.data = body.substr(data_start, data_end - data_start);
    if (parts.size() >= max_parts) {
      return core::InvalidArgument("too many parts in the multipart body");
    }
    parts.push_back(std::move(part));
    pos = data_end + 2;
  }
}

}  // namespace invoices::functions
