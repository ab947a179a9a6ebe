#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "invoices/store/backend_util.h"
#include "invoices/store/digest.h"
#include "invoices/store/object_store.h"

namespace invoices::store {
namespace {

using core::ErrorCode;
using core::MakeError;

// One extended attribute holds everything S3 keeps beside the bytes, so that
// it is written to the temporary file before the rename and therefore appears
// atomically together with the content.
constexpr char kXattrName[] = "user.invoices";
// Keys cannot contain control characters, so a name starting with one can
// never be mistaken for an object, listed, or collide with a key.
constexpr char kTempPrefix[] = "\x01tmp.";
constexpr size_t kMaxNameBytes = 255;
constexpr int kMaxAttempts = 16;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int Get() const { return fd_; }
  bool Ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

std::unexpected<core::Error> OsError(std::string_view what,
                                     const std::string& path, int err) {
  return core::Internal(std::string(what) + " " + path + ": " +
                        std::strerror(err));
}

std::string RandomSuffix() {
  // Reseeded after fork(): a child must not repeat its parent's names.
  thread_local pid_t seeded_for = 0;
  thread_local std::mt19937_64 rng;
  if (seeded_for != ::getpid()) {
    seeded_for = ::getpid();
    std::random_device device;
    rng.seed((static_cast<uint64_t>(device()) << 32) ^ device() ^
             static_cast<uint64_t>(seeded_for));
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  uint64_t v = rng();
  for (int i = 0; i < 16; ++i, v >>= 4) s.push_back(kHex[v & 0xf]);
  return s;
}

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return OsError("write", path, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Status ReadAt(int fd, uint64_t offset, uint64_t length, std::string* out,
              const std::string& path) {
  out->resize(length);
  uint64_t done = 0;
  while (done < length) {
    const ssize_t n = ::pread(fd, out->data() + done, length - done,
                              static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return OsError("read", path, errno);
    }
    if (n == 0) break;  // shrunk under us: an outside writer; return what is
    done += static_cast<uint64_t>(n);
  }
  out->resize(done);
  return {};
}

int64_t MTimeNanos(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
         st.st_mtim.tv_nsec;
}

// `mtime` and `size` tell whether the file was edited in place since.
std::string EncodeRecord(const ObjectInfo& info, int64_t mtime) {
  nlohmann::json j = {{"etag", info.etag},
                      {"size", info.size},
                      {"mtime", mtime},
                      {"content_type", info.content_type},
                      {"metadata", info.metadata}};
  return j.dump();
}

bool IsValidSegment(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

std::chrono::system_clock::time_point MTime(const struct stat& st) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(st.st_mtim.tv_sec) +
          std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
}

class LocalStore final : public ObjectStore {
 public:
  explicit LocalStore(std::string root) : root_(std::move(root)) {}

  Result<ObjectInfo> Put(std::string_view key, std::string_view bytes,
                         const PutOptions& options) override {
    INVOICES_RETURN_IF_ERROR(CheckKey(key));
    INVOICES_RETURN_IF_ERROR(ValidateMetadata(options.metadata));
    const auto [dir_rel, name] = Split(key);
    ObjectInfo info;
    info.key = std::string(key);
    info.etag = ComputeEtag(bytes);
    info.size = bytes.size();
    info.content_type = options.content_type.empty()
                            ? "application/octet-stream"
                            : options.content_type;
    info.metadata = options.metadata;

    // A concurrent Delete may remove our (then empty) folder between making
    // and using it; start over when that happens.
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
      INVOICES_ASSIGN_OR_RETURN(const bool made, MakeDirs(dir_rel));
      if (!made) continue;
      const std::string dir_path = Path(dir_rel);
      Fd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!dir.Ok()) {
        if (errno == ENOENT) continue;
        if (errno == ENOTDIR) return Conflict(key);
        return OsError("open", dir_path, errno);
      }
      const std::string tmp_name = kTempPrefix + RandomSuffix();
      Fd tmp(::openat(dir.Get(), tmp_name.c_str(),
                      O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
      if (!tmp.Ok()) {
        // ENOENT: the folder was just removed; EEXIST: a name collision.
        if (errno == ENOENT || errno == EEXIST) continue;
        return OsError("create a temporary file in", dir_path, errno);
      }
      // From here the folder holds our file, so nobody can remove it.
      auto result = WriteAndCommit(dir.Get(), tmp.Get(), tmp_name, name, bytes,
                                   options, &info);
      if (!result) ::unlinkat(dir.Get(), tmp_name.c_str(), 0);
      return result;
    }
    return core::Unavailable("gave up writing '" + std::string(key) +
                             "': its folder kept disappearing");
  }

  Result<Object> Get(std::string_view key,
                     std::optional<ByteRange> range) override {
    INVOICES_RETURN_IF_ERROR(CheckKey(key));
    const std::string path = Path(key);
    INVOICES_ASSIGN_OR_RETURN(auto opened, OpenObject(key));
    ObjectInfo& info = opened.info;
    INVOICES_ASSIGN_OR_RETURN(auto slice,
                              internal::ResolveRange(range, info.size));
    Object object;
    INVOICES_RETURN_IF_ERROR(ReadAt(opened.fd.Get(), slice.first, slice.second,
                                    &object.bytes, path));
    object.info = std::move(info);
    return object;
  }

  Result<ObjectInfo> Head(std::string_view key) override {
    INVOICES_RETURN_IF_ERROR(CheckKey(key));
    INVOICES_ASSIGN_OR_RETURN(auto opened, OpenObject(key));
    return std::move(opened.info);
  }

  Status Delete(std::string_view key) override {
    INVOICES_RETURN_IF_ERROR(CheckKey(key));
    const auto [dir_rel, name] = Split(key);
    const std::string dir_path = Path(dir_rel);
    {
      Fd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!dir.Ok()) {
        if (errno == ENOENT || errno == ENOTDIR) return {};
        return OsError("open", dir_path, errno);
      }
      // Under the folder's lock so that a conditional Put never checks the
      // old object and then lands after this delete.
      INVOICES_RETURN_IF_ERROR(Lock(dir.Get(), dir_path));
      if (::unlinkat(dir.Get(), std::string(name).c_str(), 0) != 0) {
        if (errno == ENOENT || errno == EISDIR || errno == ENOTDIR) return {};
        return OsError("delete", Path(key), errno);
      }
      if (::fsync(dir.Get()) != 0) return OsError("fsync", dir_path, errno);
    }
    // Keys have no folders in S3: leave none behind (rmdir only removes
    // empty ones, so a concurrent writer's folder survives).
    std::string rel(dir_rel);
    while (!rel.empty()) {
      if (::rmdir(Path(rel).c_str()) != 0) break;
      const size_t slash = rel.rfind('/');
      rel.resize(slash == std::string::npos ? 0 : slash);
    }
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
    Walk walk{std::string(prefix), after, static_cast<size_t>(limit), &page,
              false};
    // Every key under the prefix lies in the folder its last '/' names.
    const size_t slash = prefix.rfind('/');
    const std::string start = slash == std::string_view::npos
                                  ? std::string()
                                  : std::string(prefix.substr(0, slash + 1));
    if (!start.empty() && !CheckKey(start.substr(0, start.size() - 1))) {
      return page;  // no key can have this prefix
    }
    INVOICES_RETURN_IF_ERROR(WalkDir(start, walk));
    if (walk.truncated) {
      page.next_token = internal::EncodeListToken(page.objects.back().key);
    }
    return page;
  }

  Result<std::string> PresignGet(std::string_view key,
                                 std::chrono::seconds expiry) override {
    INVOICES_RETURN_IF_ERROR(CheckKey(key));
    INVOICES_RETURN_IF_ERROR(internal::ValidateExpiry(expiry));
    return core::Unavailable(
        "the local store cannot hand out URLs; stream the object instead");
  }

 private:
  struct Walk {
    std::string prefix;
    std::string after;
    size_t limit;
    ListPage* page;
    bool truncated;
  };

  static std::pair<std::string_view, std::string_view> Split(
      std::string_view key) {
    const size_t slash = key.rfind('/');
    if (slash == std::string_view::npos) return {"", key};
    return {key.substr(0, slash), key.substr(slash + 1)};
  }

  static Status CheckKey(std::string_view key) {
    INVOICES_RETURN_IF_ERROR(ValidateKey(key));
    size_t start = 0;
    while (start <= key.size()) {
      size_t slash = key.find('/', start);
      if (slash == std::string_view::npos) slash = key.size();
      if (slash - start > kMaxNameBytes) {
        return core::InvalidArgument(
            "a key segment is longer than the 255 bytes a file name allows");
      }
      start = slash + 1;
    }
    return {};
  }

  static std::unexpected<core::Error> Conflict(std::string_view key) {
    return MakeError(ErrorCode::kAlreadyExists,
                     "'" + std::string(key) +
                         "' conflicts with an object that is a folder of "
                         "other keys, or lies under one (a local store "
                         "cannot hold both 'a' and 'a/b')");
  }

  std::string Path(std::string_view rel) const {
    if (rel.empty()) return root_;
    return root_ + "/" + std::string(rel);
  }

  static Status Lock(int fd, const std::string& path) {
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) return OsError("lock", path, errno);
    }
    return {};
  }

  // mkdir -p of root/rel, each new folder made durable in its parent.
  // Returns false when a concurrent Delete removed a parent meanwhile.
  Result<bool> MakeDirs(std::string_view rel) const {
    size_t pos = 0;
    while (pos < rel.size()) {
      size_t slash = rel.find('/', pos);
      if (slash == std::string_view::npos) slash = rel.size();
      const std::string path = Path(rel.substr(0, slash));
      if (::mkdir(path.c_str(), 0700) == 0) {
        const std::string parent = Path(rel.substr(0, pos == 0 ? 0 : pos - 1));
        Fd parent_fd(
            ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (parent_fd.Ok()) ::fsync(parent_fd.Get());
      } else if (errno == ENOENT) {
        return false;
      } else if (errno == ENOTDIR) {
        return Conflict(rel);
      } else if (errno == EEXIST) {
        struct stat st;
        if (::stat(path.c_str(), &st) != 0) {
          if (errno == ENOENT) return false;
          return OsError("stat", path, errno);
        }
        if (!S_ISDIR(st.st_mode)) return Conflict(rel);
      } else {
        return OsError("create the folder", path, errno);
      }
      pos = slash + 1;
    }
    return true;
  }

  // The info of the object open as `fd`: from its attribute, or computed for
  // a file put there by other means (or edited in place since).
  static Result<ObjectInfo> ReadInfo(int fd, std::string_view key,
                                     const std::string& path) {
    struct stat st;
    if (::fstat(fd, &st) != 0) return OsError("stat", path, errno);
    if (!S_ISREG(st.st_mode)) {
      return core::NotFound("no object '" + std::string(key) + "'");
    }
    ObjectInfo info;
    info.key = std::string(key);
    info.size = static_cast<uint64_t>(st.st_size);
    info.last_modified = MTime(st);
    char buffer[8192];
    const ssize_t n = ::fgetxattr(fd, kXattrName, buffer, sizeof(buffer));
    bool have_etag = false;
    if (n > 0) {
      auto j = nlohmann::json::parse(std::string_view(buffer, n), nullptr,
                                     /*allow_exceptions=*/false);
      if (j.is_object() && j.value("size", uint64_t{0}) == info.size &&
          j.value("mtime", int64_t{0}) == MTimeNanos(st) &&
          j.contains("etag") && j["etag"].is_string()) {
        info.etag = j["etag"].get<std::string>();
        have_etag = true;
        info.content_type = j.value("content_type", "");
        if (j.contains("metadata") && j["metadata"].is_object()) {
          for (const auto& [k, v] : j["metadata"].items()) {
            if (v.is_string()) info.metadata[k] = v.get<std::string>();
          }
        }
      }
    }
    if (!have_etag) {
      std::string bytes;
      INVOICES_RETURN_IF_ERROR(ReadAt(fd, 0, info.size, &bytes, path));
      info.etag = ComputeEtag(bytes);
    }
    if (info.content_type.empty()) {
      info.content_type = "application/octet-stream";
    }
    return info;
  }

  struct OpenedObject {
    Fd fd;
    ObjectInfo info;
  };

  // Opens the object's file and reads its info.
  Result<OpenedObject> OpenObject(std::string_view key) const {
    const std::string path = Path(key);
    const int raw = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (raw < 0) {
      if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
        return core::NotFound("no object '" + std::string(key) + "'");
      }
      return OsError("open", path, errno);
    }
    Fd fd(raw);
    INVOICES_ASSIGN_OR_RETURN(ObjectInfo info, ReadInfo(raw, key, path));
    return OpenedObject{std::move(fd), std::move(info)};
  }

  Result<ObjectInfo> WriteAndCommit(int dir, int tmp,
                                    const std::string& tmp_name,
                                    std::string_view name,
                                    std::string_view bytes,
                                    const PutOptions& options,
                                    ObjectInfo* info) const {
    const std::string key = info->key;
    const std::string path = Path(key);
    INVOICES_RETURN_IF_ERROR(WriteAll(tmp, bytes, path));
    struct stat st;
    if (::fstat(tmp, &st) != 0) return OsError("stat", path, errno);
    info->last_modified = MTime(st);
    const std::string record = EncodeRecord(*info, MTimeNanos(st));
    if (::fsetxattr(tmp, kXattrName, record.data(), record.size(), 0) != 0) {
      return OsError(
          "set the attributes (the folder's filesystem must "
          "support user extended attributes) of",
          path, errno);
    }
    if (::fsync(tmp) != 0) return OsError("fsync", path, errno);

    INVOICES_RETURN_IF_ERROR(Lock(dir, path));
    const std::string name_str(name);
    if (options.if_none_match_star || !options.if_match_etag.empty()) {
      Fd current(
          ::openat(dir, name_str.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      std::optional<ObjectInfo> existing;
      if (current.Ok()) {
        auto read = ReadInfo(current.Get(), key, path);
        if (read) {
          existing = std::move(*read);
        } else if (read.error().code() != ErrorCode::kNotFound) {
          return std::unexpected(read.error());
        }
      } else if (errno != ENOENT) {
        return OsError("open", path, errno);
      }
      if (options.if_none_match_star && existing) {
        return MakeError(ErrorCode::kFailedPrecondition,
                         "'" + key + "' already exists");
      }
      if (!options.if_match_etag.empty() &&
          (!existing || existing->etag != options.if_match_etag)) {
        return MakeError(
            ErrorCode::kFailedPrecondition,
            "'" + key + "' does not have ETag " + options.if_match_etag);
      }
    }
    if (::renameat(dir, tmp_name.c_str(), dir, name_str.c_str()) != 0) {
      if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST) {
        return Conflict(key);
      }
      return OsError("rename into", path, errno);
    }
    if (::fsync(dir) != 0) return OsError("fsync the folder of", path, errno);
    return *info;
  }

  // Visits the keys under folder `rel` ("" or ending in '/') in key order.
  Status WalkDir(const std::string& rel, Walk& walk) const {
    const std::string path =
        Path(rel.empty() ? rel : rel.substr(0, rel.size() - 1));
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) {
      if (errno == ENOENT || errno == ENOTDIR) return {};
      return OsError("list", path, errno);
    }
    struct Entry {
      std::string sort_key;  // the name, with '/' after a folder's
      bool is_dir;
    };
    std::vector<Entry> entries;
    errno = 0;
    while (const struct dirent* e = ::readdir(d)) {
      const std::string_view name = e->d_name;
      if (!IsValidSegment(name)) continue;
      unsigned char type = e->d_type;
      if (type == DT_UNKNOWN) {
        struct stat st;
        if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
          continue;
        }
        type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : 0;
      }
      if (type == DT_DIR) {
        entries.push_back({std::string(name) + "/", true});
      } else if (type == DT_REG) {
        entries.push_back({std::string(name), false});
      }
    }
    ::closedir(d);
    // A folder sorts as its name plus '/', which is where all of its keys
    // fall among its siblings: so this order is the order of full keys.
    std::sort(
        entries.begin(), entries.end(),
        [](const Entry& a, const Entry& b) { return a.sort_key < b.sort_key; });
    for (const Entry& e : entries) {
      const std::string full = rel + e.sort_key;
      if (e.is_dir) {
        if (!full.starts_with(walk.prefix) && !walk.prefix.starts_with(full)) {
          continue;
        }
        // Every key in the folder is <= after: skip it whole.
        if (!walk.after.empty() && full < walk.after &&
            !walk.after.starts_with(full)) {
          continue;
        }
        INVOICES_RETURN_IF_ERROR(WalkDir(full, walk));
        if (walk.truncated) return {};
        continue;
      }
      if (!full.starts_with(walk.prefix)) continue;
      if (!walk.after.empty() && full <= walk.after) continue;
      if (!ValidateKey(full)) continue;
      const std::string file = Path(full);
      Fd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!fd.Ok()) continue;  // deleted since readdir
      auto info = ReadInfo(fd.Get(), full, file);
      if (!info) {
        if (info.error().code() == ErrorCode::kNotFound) continue;
        return std::unexpected(info.error());
      }
      if (walk.page->objects.size() == walk.limit) {
        walk.truncated = true;
        return {};
      }
      info->content_type.clear();
      info->metadata.clear();
      walk.page->objects.push_back(std::move(*info));
    }
    return {};
  }

  const std::string root_;
};

}  // namespace

Result<std::unique_ptr<ObjectStore>> NewLocalStore(const std::string& root) {
  if (root.empty()) return core::InvalidArgument("the store folder is empty");
  std::string clean = root;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  // mkdir -p
  for (size_t pos = 1; pos <= clean.size(); ++pos) {
    if (pos == clean.size() || clean[pos] == '/') {
      const std::string part = clean.substr(0, pos);
      if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
        return OsError("create the store folder", part, errno);
      }
    }
  }
  // Relative to the working directory of now, not of each later call.
  char* real = ::realpath(clean.c_str(), nullptr);
  if (real == nullptr) return OsError("resolve", clean, errno);
  clean = real;
  ::free(real);
  struct stat st;
  if (::stat(clean.c_str(), &st) != 0) return OsError("stat", clean, errno);
  if (!S_ISDIR(st.st_mode)) {
    return core::Internal("the store path " + clean + " is not a folder");
  }
  // Fail now, not at the first upload, on a filesystem without user xattrs.
  const std::string probe_name = kTempPrefix + RandomSuffix();
  const std::string probe = clean + "/" + probe_name;
  Fd fd(::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.Ok()) return OsError("write in the store folder", clean, errno);
  const int rc = ::fsetxattr(fd.Get(), kXattrName, "{}", 2, 0);
  const int err = errno;
  ::unlink(probe.c_str());
  if (rc != 0) {
    return OsError(
        "the store folder's filesystem must support user extended "
        "attributes:",
        clean, err);
  }
  return std::unique_ptr<ObjectStore>(std::make_unique<LocalStore>(clean));
}

}  // namespace invoices::store
