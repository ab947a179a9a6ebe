#include "invoices/store/object_store.h"

#include <string>

#include "invoices/core/base64.h"
#include "invoices/store/backend_util.h"
#include "invoices/store/digest.h"
#include "invoices/store/s3_store.h"

namespace invoices::store {
namespace {

using core::InvalidArgument;

constexpr size_t kMaxKeyBytes = 1024;
constexpr size_t kMaxMetadataBytes = 2048;

// Length of the UTF-8 sequence starting at `s[i]`, or 0 when it is malformed
// (overlong, surrogate, beyond U+10FFFF, truncated).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3f);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
      (cp >= 0xd800 && cp <= 0xdfff)) {
    return 0;
  }
  return n;
}

bool IsMetadataNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

}  // namespace

Status ValidateKey(std::string_view key) {
  if (key.empty()) return InvalidArgument("the key is empty");
  if (key.size() > kMaxKeyBytes) {
    return InvalidArgument("the key is longer than 1024 bytes");
  }
  if (key.front() == '/') return InvalidArgument("the key starts with '/'");
  for (size_t i = 0; i < key.size();) {
    const unsigned char c = static_cast<unsigned char>(key[i]);
    if (c < 0x20 || c == 0x7f) {
      return InvalidArgument("the key contains a control character");
    }
    const size_t n = Utf8SequenceLength(key, i);
    if (n == 0) return InvalidArgument("the key is not valid UTF-8");
    i += n;
  }
  size_t start = 0;
  while (true) {
    const size_t slash = key.find('/', start);
    const std::string_view segment = key.substr(
        start, slash == std::string_view::npos ? std::string_view::npos
                                               : slash - start);
    if (segment.empty()) {
      return InvalidArgument(
          "the key has an empty segment ('//' or a '/' at "
          "the end)");
    }
    if (segment == "." || segment == "..") {
      return InvalidArgument("the key has a '.' or '..' segment");
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return {};
}

Status ValidateMetadata(const std::map<std::string, std::string>& metadata) {
  size_t total = 0;
  for (const auto& [name, value] : metadata) {
    if (name.empty() || name.size() > 128) {
      return InvalidArgument("a metadata name is empty or too long");
    }
    for (char c : name) {
      if (!IsMetadataNameChar(c)) {
        return InvalidArgument("metadata name '" + name +
                               "' is not made of [a-z0-9-_.]");
      }
    }
    for (char c : value) {
      if (c < 0x20 || c > 0x7e) {
        return InvalidArgument("the value of metadata '" + name +
                               "' is not printable ASCII");
      }
    }
    total += name.size() + value.size();
  }
  if (total > kMaxMetadataBytes) {
    return InvalidArgument("metadata larger than 2 KiB");
  }
  return {};
}

std::string ComputeEtag(std::string_view bytes) {
  return "\"" + HexEncode(Md5(bytes)) + "\"";
}

Result<std::unique_ptr<ObjectStore>> OpenStore(std::string_view url) {
  if (url.starts_with("file://")) {
    const std::string_view path = url.substr(7);
    if (!path.starts_with("/") && !path.starts_with("./") &&
        !path.starts_with("../") && path != ".") {
      return InvalidArgument(
          "a file store URL is file:///abs/path or "
          "file://./relative/path, not '" +
          std::string(url) + "'");
    }
    return NewLocalStore(std::string(path));
  }
  if (url.starts_with("s3://")) {
    INVOICES_ASSIGN_OR_RETURN(S3Options options, S3OptionsFromUrl(url));
    return NewS3Store(options);
  }
  if (url == "memory://") return NewMemoryStore();
  return InvalidArgument("unknown store URL '" + std::string(url) +
                         "': expected file:///path, file://./path or "
                         "s3://bucket/prefix");
}

namespace internal {

Result<std::pair<uint64_t, uint64_t>> ResolveRange(
    const std::optional<ByteRange>& range, uint64_t size) {
  if (!range) return std::pair<uint64_t, uint64_t>{0, size};
  if (range->length && *range->length == 0) {
    return InvalidArgument("the range is empty");
  }
  if (range->offset >= size) {
    return InvalidArgument("range not satisfiable: offset " +
                           std::to_string(range->offset) + " of an object of " +
                           std::to_string(size) + " bytes");
  }
  uint64_t length = size - range->offset;
  if (range->length && *range->length < length) length = *range->length;
  return std::pair<uint64_t, uint64_t>{range->offset, length};
}

Result<int> ResolveMaxKeys(int max_keys) {
  if (max_keys < 0 || max_keys > 1000) {
    return InvalidArgument("max_keys must be within 0..1000");
  }
  return max_keys == 0 ? 1000 : max_keys;
}

std::string EncodeListToken(std::string_view last_key) {
  return core::Base64UrlEncode(last_key);
}

Result<std::string> DecodeListToken(std::string_view token) {
  if (token.empty()) return std::string();
  auto key = core::Base64UrlDecode(token);
  if (!key || !ValidateKey(*key)) {
    return InvalidArgument("malformed continuation token");
  }
  return *key;
}

Status ValidateExpiry(std::chrono::seconds expiry) {
  if (expiry < std::chrono::seconds(1) ||
      expiry > std::chrono::seconds(7 * 24 * 3600)) {
    return InvalidArgument("a presigned URL expires after 1 s .. 7 days");
  }
  return {};
}

}  // namespace internal

Result<std::string> ObjectStore::PresignPut(std::string_view key,
                                            std::chrono::seconds expiry) {
  INVOICES_RETURN_IF_ERROR(ValidateKey(key));
  INVOICES_RETURN_IF_ERROR(internal::ValidateExpiry(expiry));
  return core::Unavailable(
      "this store cannot hand out upload URLs (an S3 store can)");
}

}  // namespace invoices::store
