// The parts of S3 that are plain text processing: XML documents, error
// translation, the retry policy and the configuration from the environment.
#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "invoices/core/strings.h"
#include "invoices/store/s3_store.h"

namespace invoices::store {
namespace {

using core::ErrorCode;

// The text inside the first <tag>...</tag> at or after `*pos`, advancing
// `*pos` past it; nullopt when there is none. Attributes on the opening tag
// and a self-closing <tag/> are understood; S3 sends nothing fancier.
std::optional<std::string_view> NextElement(std::string_view xml,
                                            std::string_view tag, size_t* pos) {
  const std::string open = "<" + std::string(tag);
  size_t at = *pos;
  while (true) {
    at = xml.find(open, at);
    if (at == std::string_view::npos) return std::nullopt;
    const size_t after = at + open.size();
    if (after >= xml.size()) return std::nullopt;
    const char next = xml[after];
    if (next == '>' || next == ' ' || next == '/' || next == '\t' ||
        next == '\n' || next == '\r') {
      break;
    }
    at = after;  // a longer tag name that starts with this one
  }
  const size_t gt = xml.find('>', at);
  if (gt == std::string_view::npos) return std::nullopt;
  if (xml[gt - 1] == '/') {
    *pos = gt + 1;
    return std::string_view();
  }
  const std::string close = "</" + std::string(tag) + ">";
  const size_t end = xml.find(close, gt + 1);
  if (end == std::string_view::npos) return std::nullopt;
  *pos = end + close.size();
  return xml.substr(gt + 1, end - gt - 1);
}

std::string ElementText(std::string_view xml, std::string_view tag) {
  size_t pos = 0;
  auto inner = NextElement(xml, tag, &pos);
  return inner ? XmlUnescape(*inner) : std::string();
}

std::string Getenv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

bool IsValidBucket(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '-')) {
      return false;
    }
  }
  return bucket.front() != '.' && bucket.front() != '-' &&
         bucket.back() != '.' && bucket.back() != '-';
}

// A time_t as a time point; nullopt beyond what system_clock holds (its
// 64-bit nanoseconds span the years 1678 to 2261): from_time_t would
// overflow, undefined behaviour, for a date a server sends.
std::optional<std::chrono::system_clock::time_point> FromTimeT(time_t t) {
  constexpr time_t kLimit = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::duration::max())
                                .count() -
                            1;  // room for the milliseconds added to it
  if (t > kLimit || t < -kLimit) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

}  // namespace

std::string XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    const size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      out.push_back('&');
      continue;
    }
    const std::string_view entity = text.substr(i + 1, semi - i - 1);
    std::string decoded;
    if (entity == "amp") {
      decoded = "&";
    } else if (entity == "lt") {
      decoded = "<";
    } else if (entity == "gt") {
      decoded = ">";
    } else if (entity == "quot") {
      decoded = "\"";
    } else if (entity == "apos") {
      decoded = "'";
    } else if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      const std::string digits(entity.substr(hex ? 2 : 1));
      char* end = nullptr;
      const unsigned long cp =
          digits.empty() ? 0
                         : std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
      if (!digits.empty() && end != nullptr && *end == '\0' && cp > 0 &&
          cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
        core::AppendUtf8(decoded, static_cast<char32_t>(cp));
      }
    }
    if (decoded.empty()) {
      out.push_back('&');  // unknown: keep the text as it was
      continue;
    }
    out += decoded;
    i = semi;
  }
  return out;
}

Result<ListObjectsV2Result> ParseListObjectsV2(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) {
    return core::Internal("the list response is not a ListBucketResult");
  }
  ListObjectsV2Result result;
  size_t pos = 0;
  while (auto contents = NextElement(xml, "Contents", &pos)) {
    ObjectInfo info;
    info.key = ElementText(*contents, "Key");
    info.etag = ElementText(*contents, "ETag");
    const std::string size = ElementText(*contents, "Size");
    info.size = size.empty() ? 0 : std::strtoull(size.c_str(), nullptr, 10);
    info.last_modified = ParseIsoTime(ElementText(*contents, "LastModified"))
                             .value_or(std::chrono::system_clock::time_point());
    result.objects.push_back(std::move(info));
  }
  result.is_truncated = ElementText(xml, "IsTruncated") == "true";
  result.next_continuation_token = ElementText(xml, "NextContinuationToken");
  return result;
}

S3ErrorInfo ParseS3Error(std::string_view xml) {
  S3ErrorInfo info;
  size_t pos = 0;
  auto error = NextElement(xml, "Error", &pos);
  if (!error) return info;
  info.code = ElementText(*error, "Code");
  info.message = ElementText(*error, "Message");
  info.request_id = ElementText(*error, "RequestId");
  return info;
}

core::Error S3ErrorToError(int status, const S3ErrorInfo& info,
                           std::string_view operation, std::string_view key) {
  ErrorCode code;
  if (status == 404) {
    code = ErrorCode::kNotFound;
  } else if (status == 412 || status == 409) {
    code = ErrorCode::kFailedPrecondition;
  } else if (status == 400 || status == 416) {
    code = ErrorCode::kInvalidArgument;
  } else if (status == 401 || status == 403) {
    code = ErrorCode::kPermissionDenied;
  } else if (status == 429 || status >= 500 || info.code == "SlowDown") {
    code = ErrorCode::kUnavailable;
  } else {
    code = ErrorCode::kInternal;
  }
  std::string message = "S3 " + std::string(operation);
  if (!key.empty()) message += " '" + std::string(key) + "'";
  message += ": HTTP " + std::to_string(status);
  if (!info.code.empty()) message += " " + info.code;
  if (!info.message.empty()) message += " (" + info.message + ")";
  if (!info.request_id.empty()) message += ", request id " + info.request_id;
  return core::Error(code, std::move(message));
}

bool S3RetryPolicy::IsRetryable(int status, std::string_view s3_code) const {
  if (status == 0) return true;
  if (s3_code == "SlowDown" || s3_code == "InternalError" ||
      s3_code == "RequestTimeout") {
    return true;
  }
  return status == 500 || status == 502 || status == 503 || status == 504;
}

std::chrono::milliseconds S3RetryPolicy::Ceiling(int retry) const {
  if (retry < 1) return std::chrono::milliseconds(0);
  // Doubling stops well before overflow; the cap applies anyway.
  const int doublings = std::min(retry - 1, 30);
  const auto grown = base_delay * (int64_t{1} << doublings);
  return std::min<std::chrono::milliseconds>(grown, max_delay);
}

std::chrono::milliseconds S3RetryPolicy::Delay(int retry, double unit) const {
  unit = std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(Ceiling(retry).count()) * unit));
}

std::optional<std::chrono::system_clock::time_point> ParseIsoTime(
    std::string_view text) {
  // 2009-10-12T17:50:30.000Z (fraction optional)
  struct tm tm = {};
  const std::string s(text);
  const char* end = ::strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr) return std::nullopt;
  int64_t millis = 0;
  if (*end == '.') {
    ++end;
    int digits = 0;
    while (*end >= '0' && *end <= '9') {
      if (digits < 3) millis = millis * 10 + (*end - '0');
      ++digits;
      ++end;
    }
    for (; digits < 3; ++digits) millis *= 10;
  }
  if (*end != 'Z' || end[1] != '\0') return std::nullopt;
  auto time = FromTimeT(::timegm(&tm));
  if (!time) return std::nullopt;
  return *time + std::chrono::milliseconds(millis);
}

std::optional<std::chrono::system_clock::time_point> ParseHttpDate(
    std::string_view text) {
  // Wed, 12 Oct 2009 17:50:00 GMT (RFC 7231 IMF-fixdate)
  struct tm tm = {};
  const std::string s(text);
  const char* end = ::strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return FromTimeT(::timegm(&tm));
}

Result<S3Options> S3OptionsFromUrl(std::string_view url) {
  if (!url.starts_with("s3://")) {
    return core::InvalidArgument("an S3 store URL starts with s3://");
  }
  std::string_view rest = url.substr(5);
  const size_t slash = rest.find('/');
  S3Options options;
  options.bucket = std::string(rest.substr(0, slash));
  if (!IsValidBucket(options.bucket)) {
    return core::InvalidArgument("'" + options.bucket +
                                 "' is not a valid S3 bucket name");
  }
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash + 1);
    while (prefix.ends_with('/')) prefix.remove_suffix(1);
    if (!prefix.empty()) {
      INVOICES_RETURN_IF_ERROR(ValidateKey(prefix));
      options.prefix = std::string(prefix);
    }
  }
  options.region = Getenv("AWS_REGION");
  if (options.region.empty()) options.region = Getenv("AWS_DEFAULT_REGION");
  if (options.region.empty()) options.region = "us-east-1";
  options.credentials.access_key_id = Getenv("AWS_ACCESS_KEY_ID");
  options.credentials.secret_access_key = Getenv("AWS_SECRET_ACCESS_KEY");
  options.credentials.session_token = Getenv("AWS_SESSION_TOKEN");
  options.endpoint = Getenv("AWS_ENDPOINT_URL_S3");
  if (options.endpoint.empty()) options.endpoint = Getenv("AWS_ENDPOINT_URL");
  options.path_style = !options.endpoint.empty();
  return options;
}

}  // namespace invoices::store
