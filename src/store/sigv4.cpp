#include "invoices/store/sigv4.h"

#include <time.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "invoices/core/strings.h"
#include "invoices/store/digest.h"

namespace invoices::store {
namespace {

using core::InvalidArgument;
using core::Result;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

// Headers that proxies and clients add or rewrite on the way: signing them
// would break the signature without protecting anything.
bool IsUnsignedHeader(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "connection" ||
         lower_name == "expect" || lower_name == "user-agent" ||
         lower_name == "x-amzn-trace-id";
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trimmed, with every run of whitespace (folded lines included) made one
// space, as the specification says.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// Removes "." and ".." segments and empty segments (repeated '/'); keeps a
// trailing '/'.
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  bool trailing_slash = false;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view seg = path.substr(pos, slash - pos);
    const bool last = slash == path.size();
    if (seg.empty() || seg == ".") {
      if (last) trailing_slash = true;
    } else if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
      if (last) trailing_slash = true;
    } else {
      segments.push_back(seg);
      trailing_slash = false;
    }
    pos = slash + 1;
  }
  std::string out;
  for (const auto& seg : segments) {
    out.push_back('/');
    out.append(seg);
  }
  if (out.empty() || trailing_slash) out.push_back('/');
  return out;
}

Result<std::string> CanonicalQuery(
    std::string_view raw,
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t amp = raw.find('&', pos);
    if (amp == std::string_view::npos) amp = raw.size();
    const std::string_view part = raw.substr(pos, amp - pos);
    pos = amp + 1;
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    const std::string_view name = part.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    INVOICES_ASSIGN_OR_RETURN(std::string n, UriDecode(name));
    INVOICES_ASSIGN_OR_RETURN(std::string v, UriDecode(value));
    params.emplace_back(UriEncode(n, false), UriEncode(v, false));
  }
  params.insert(params.end(), extra.begin(), extra.end());
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

struct CanonicalHeaders {
  std::string text;          // "name:value\n" lines
  std::string signed_names;  // "host;x-amz-date"
};

Result<CanonicalHeaders> BuildCanonicalHeaders(
    const std::vector<std::pair<std::string, std::string>>& headers,
    const std::vector<std::pair<std::string, std::string>>& added) {
  // Values of a repeated name are joined with ',' in the order sent.
  std::map<std::string, std::string> merged;
  bool has_host = false;
  auto add = [&](std::string_view name, std::string_view value) {
    std::string lower = core::AsciiLower(name);
    if (IsUnsignedHeader(lower)) return;
    if (lower == "host") has_host = true;
    auto [it, inserted] = merged.try_emplace(lower);
    if (!inserted) it->second.push_back(',');
    it->second += CanonicalHeaderValue(value);
  };
  for (const auto& [name, value] : headers) {
    const std::string lower = core::AsciiLower(name);
    if (lower == "x-amz-date" || lower == "x-amz-security-token" ||
        lower == "authorization") {
      return InvalidArgument("the request already has " + name +
                             ", which the signer adds");
    }
    add(name, value);
  }
  for (const auto& [name, value] : added) add(name, value);
  if (!has_host) return InvalidArgument("the request has no Host header");
  CanonicalHeaders out;
  for (const auto& [name, value] : merged) {
    out.text += name + ":" + value + "\n";
    if (!out.signed_names.empty()) out.signed_names.push_back(';');
    out.signed_names += name;
  }
  return out;
}

core::Status CheckConfig(const SigningConfig& config) {
  if (config.credentials.access_key_id.empty() ||
      config.credentials.secret_access_key.empty()) {
    return InvalidArgument("no AWS credentials to sign with");
  }
  if (config.region.empty() || config.service.empty()) {
    return InvalidArgument("signing needs a region and a service");
  }
  return {};
}

struct Prepared {
  std::string amz_date;  // 20150830T123600Z
  std::string date;      // 20150830
  std::string scope;     // 20150830/us-east-1/service/aws4_request
  std::string payload_hash;
  std::string path;  // canonical URI
};

Prepared Prepare(const SigningRequest& request, const SigningConfig& config) {
  Prepared p;
  p.amz_date = FormatAmzDate(config.time);
  p.date = p.amz_date.substr(0, 8);
  p.scope =
      p.date + "/" + config.region + "/" + config.service + "/aws4_request";
  p.payload_hash = config.payload_hash.empty() ? HexEncode(Sha256(request.body))
                                               : config.payload_hash;
  std::string path = request.path.empty() ? "/" : request.path;
  if (config.normalize_path) path = NormalizePath(path);
  p.path = config.encode_path ? UriEncode(path, true) : path;
  return p;
}

// Fills canonical request, string to sign and signature.
void Sign(const SigningRequest& request, const SigningConfig& config,
          const Prepared& p, const std::string& canonical_query,
          const CanonicalHeaders& headers, SigningResult* result) {
  result->canonical_request = request.method + "\n" + p.path + "\n" +
                              canonical_query + "\n" + headers.text + "\n" +
                              headers.signed_names + "\n" + p.payload_hash;
  result->string_to_sign = std::string(kAlgorithm) + "\n" + p.amz_date + "\n" +
                           p.scope + "\n" +
                           HexEncode(Sha256(result->canonical_request));
  const std::string key =
      DeriveSigningKey(config.credentials.secret_access_key, p.date,
                       config.region, config.service);
  result->signature = HexEncode(HmacSha256(key, result->string_to_sign));
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

Result<std::string> UriDecode(std::string_view text) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return InvalidArgument("a truncated percent-escape");
    }
    const int hi = hex(text[i + 1]);
    const int lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return InvalidArgument("a malformed percent-escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string FormatAmzDate(std::chrono::system_clock::time_point time) {
  const time_t t = std::chrono::system_clock::to_time_t(time);
  struct tm tm;
  ::gmtime_r(&t, &tm);
  char buffer[32];
  ::strftime(buffer, sizeof(buffer), "%Y%m%dT%H%M%SZ", &tm);
  return buffer;
}

std::string DeriveSigningKey(std::string_view secret_access_key,
                             std::string_view date, std::string_view region,
                             std::string_view service) {
  std::string key = HmacSha256("AWS4" + std::string(secret_access_key), date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  return HmacSha256(key, "aws4_request");
}

Result<SigningResult> SignWithHeaders(const SigningRequest& request,
                                      const SigningConfig& config) {
  INVOICES_RETURN_IF_ERROR(CheckConfig(config));
  const Prepared p = Prepare(request, config);
  SigningResult result;
  const std::string& token = config.credentials.session_token;
  if (!token.empty()) {
    result.headers.emplace_back("X-Amz-Security-Token", token);
  }
  result.headers.emplace_back("X-Amz-Date", p.amz_date);
  if (config.add_content_sha256_header) {
    result.headers.emplace_back("x-amz-content-sha256", p.payload_hash);
  }
  std::vector<std::pair<std::string, std::string>> signed_added;
  for (const auto& h : result.headers) {
    if (config.omit_session_token && h.first == "X-Amz-Security-Token") {
      continue;
    }
    signed_added.push_back(h);
  }
  INVOICES_ASSIGN_OR_RETURN(
      CanonicalHeaders headers,
      BuildCanonicalHeaders(request.headers, signed_added));
  INVOICES_ASSIGN_OR_RETURN(std::string query,
                            CanonicalQuery(request.query, {}));
  Sign(request, config, p, query, headers, &result);
  result.headers.emplace_back(
      "Authorization", std::string(kAlgorithm) + " Credential=" +
                           config.credentials.access_key_id + "/" + p.scope +
                           ", SignedHeaders=" + headers.signed_names +
                           ", Signature=" + result.signature);
  return result;
}

Result<SigningResult> PresignWithQuery(const SigningRequest& request,
                                       const SigningConfig& config) {
  INVOICES_RETURN_IF_ERROR(CheckConfig(config));
  if (config.expires < std::chrono::seconds(1) ||
      config.expires > std::chrono::seconds(7 * 24 * 3600)) {
    return InvalidArgument("a presigned URL expires after 1 s .. 7 days");
  }
  const Prepared p = Prepare(request, config);
  INVOICES_ASSIGN_OR_RETURN(CanonicalHeaders headers,
                            BuildCanonicalHeaders(request.headers, {}));
  SigningResult result;
  auto& q = result.query;
  q.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  q.emplace_back(
      "X-Amz-Credential",
      UriEncode(config.credentials.access_key_id + "/" + p.scope, false));
  q.emplace_back("X-Amz-Date", p.amz_date);
  q.emplace_back("X-Amz-SignedHeaders", UriEncode(headers.signed_names, false));
  q.emplace_back("X-Amz-Expires", std::to_string(config.expires.count()));
  const std::string& token = config.credentials.session_token;
  if (!token.empty()) {
    q.emplace_back("X-Amz-Security-Token", UriEncode(token, false));
  }
  std::vector<std::pair<std::string, std::string>> signed_params;
  for (const auto& param : q) {
    if (config.omit_session_token && param.first == "X-Amz-Security-Token") {
      continue;
    }
    signed_params.push_back(param);
  }
  INVOICES_ASSIGN_OR_RETURN(std::string query,
                            CanonicalQuery(request.query, signed_params));
  Sign(request, config, p, query, headers, &result);
  q.emplace_back("X-Amz-Signature", result.signature);
  return result;
}

}  // namespace invoices::store
