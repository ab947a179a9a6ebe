#include <map>
#include <mutex>
#include <string>

#include "invoices/store/backend_util.h"
#include "invoices/store/object_store.h"

namespace invoices::store {
namespace {

using core::ErrorCode;
using core::MakeError;

class MemoryStore final : public ObjectStore {
 public:
  Result<ObjectInfo> Put(std::string_view key, std::string_view bytes,
                         const PutOptions& options) override {
    INVOICES_RETURN_IF_ERROR(ValidateKey(key));
    INVOICES_RETURN_IF_ERROR(ValidateMetadata(options.metadata));
    Entry entry;
    entry.bytes = std::string(bytes);
    entry.info.key = std::string(key);
    entry.info.etag = ComputeEtag(bytes);
    entry.info.size = bytes.size();
    entry.info.content_type = options.content_type.empty()
                                  ? "application/octet-stream"
                                  : options.content_type;
    entry.info.last_modified = std::chrono::system_clock::now();
    entry.info.metadata = options.metadata;

    std::lock_guard lock(mu_);
    auto it = objects_.find(entry.info.key);
    if (options.if_none_match_star && it != objects_.end()) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "'" + entry.info.key + "' already exists");
    }
    if (!options.if_match_etag.empty() &&
        (it == objects_.end() ||
         it->second.info.etag != options.if_match_etag)) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "'" + entry.info.key + "' does not have ETag " +
                           options.if_match_etag);
    }
    ObjectInfo info = entry.info;
    objects_.insert_or_assign(entry.info.key, std::move(entry));
    return info;
  }

  Result<Object> Get(std::string_view key,
                     std::optional<ByteRange> range) override {
    INVOICES_RETURN_IF_ERROR(ValidateKey(key));
    std::lock_guard lock(mu_);
    auto it = objects_.find(std::string(key));
    if (it == objects_.end()) return NotFoundError(key);
    INVOICES_ASSIGN_OR_RETURN(
        auto slice, internal::ResolveRange(range, it->second.bytes.size()));
    return Object{it->second.bytes.substr(slice.first, slice.second),
                  it->second.info};
  }

  Result<ObjectInfo> Head(std::string_view key) override {
    INVOICES_RETURN_IF_ERROR(ValidateKey(key));
    std::lock_guard lock(mu_);
    auto it = objects_.find(std::string(key));
    if (it == objects_.end()) return NotFoundError(key);
    return it->second.info;
  }

  Status Delete(std::string_view key) override {
    INVOICES_RETURN_IF_ERROR(ValidateKey(key));
    std::lock_guard lock(mu_);
    objects_.erase(std::string(key));
    return {};
  }

  Result<ListPage> List(std::string_view prefix,
                        std::string_view continuation_token,
                        int max_keys) override {
    INVOICES_ASSIGN_OR_RETURN(const int limit,
                              internal::ResolveMaxKeys(max_keys));
    INVOICES_ASSIGN_OR_RETURN(const std::string after,
                              internal::DecodeListToken(continuation_token));
    ListPage page;
    std::lock_guard lock(mu_);
    // A token from another prefix must not lead outside this one.
    auto it = !after.empty() && after >= prefix ? objects_.upper_bound(after)
                                                : objects_.lower_bound(prefix);
    for (; it != objects_.end() && it->first.starts_with(prefix); ++it) {
      if (static_cast<int>(page.objects.size()) == limit) {
        page.next_token = internal::EncodeListToken(page.objects.back().key);
        break;
      }
      ObjectInfo info = it->second.info;
      // List reports what S3's ListObjectsV2 reports, no more.
      info.content_type.clear();
      info.metadata.clear();
      page.objects.push_back(std::move(info));
    }
    return page;
  }

  Result<std::string> PresignGet(std::string_view key,
                                 std::chrono::seconds expiry) override {
    INVOICES_RETURN_IF_ERROR(ValidateKey(key));
    INVOICES_RETURN_IF_ERROR(internal::ValidateExpiry(expiry));
    return core::Unavailable(
        "the memory store cannot hand out URLs; stream the object instead");
  }

 private:
  struct Entry {
    std::string bytes;
    ObjectInfo info;
  };

  static std::unexpected<core::Error> NotFoundError(std::string_view key) {
    return core::NotFound("no object '" + std::string(key) + "'");
  }

  std::mutex mu_;
  std::map<std::string, Entry, std::less<>> objects_;
};

}  // namespace

std::unique_ptr<ObjectStore> NewMemoryStore() {
  return std::make_unique<MemoryStore>();
}

}  // namespace invoices::store
