// ObjectStore: the project's one interface to object storage, with the
// semantics of S3 (keys, ETags, conditional puts, ranged gets, listing by
// prefix with continuation, presigned GET URLs). Backends: an in-memory fake
// (NewMemoryStore), a folder on the local disk (NewLocalStore) and S3 or any
// S3-compatible server (NewS3Store, in s3_store.h). OpenStore picks one from a
// URL (`--store` / INVOICES_STORE).
//
// Keys are the same in every backend: UTF-8 text of at most 1024 bytes made of
// '/'-separated segments; see ValidateKey. Errors use the project vocabulary
// (core/error.h); every backend answers the same situation with the same code.
//
// ETags are S3's: the quoted lowercase hex MD5 of the content
// ("\"9e107d9d372bb6826bd81d3542a419d6\""), as S3 computes it for objects
// written by a single PUT without SSE-KMS. The memory and local backends
// compute exactly that, so an ETag means the same thing everywhere.
//
// Thread safety: every ObjectStore returned by a factory may be used from any
// number of threads at once; the local backend also from several processes
// sharing one folder.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "invoices/core/error.h"

namespace invoices::store {

using core::Result;
using core::Status;

// What is known about one stored object.
struct ObjectInfo {
  // Filled by List; the other methods leave it as given by the caller's key.
  std::string key;
  // Quoted hex MD5 of the content, e.g. "\"d41d8cd98f00b204e9800998ecf8427e\"".
  std::string etag;
  // The whole object's size in bytes (also for a ranged Get).
  uint64_t size = 0;
  // As given to Put ("application/octet-stream" when none was). Empty in the
  // results of List, which S3 does not report it in.
  std::string content_type;
  std::chrono::system_clock::time_point last_modified;
  // User metadata given to Put (x-amz-meta-* in S3). Empty in List results.
  std::map<std::string, std::string> metadata;
};

struct PutOptions {
  // Stored and returned by Get/Head; empty means "application/octet-stream".
  std::string content_type;
  // If-None-Match: * -- write only when no object has this key.
  bool if_none_match_star = false;
  // If-Match: write only when the current object's ETag equals this (quoted
  // as returned by this interface). Empty: no such precondition.
  std::string if_match_etag;
  // User metadata: names of [a-z0-9-_.] (at most 128 bytes), values of
  // printable ASCII; at most 2 KiB in total, as S3 allows.
  std::map<std::string, std::string> metadata;
};

// A slice of an object: `length` bytes (to the end when absent) from
// `offset`. An HTTP "Range: bytes=a-b" is {a, b - a + 1}.
struct ByteRange {
  uint64_t offset = 0;
  std::optional<uint64_t> length;
};

struct Object {
  std::string bytes;  // the whole object, or only the requested range
  ObjectInfo info;    // info.size is the size of the whole object
};

struct ListPage {
  // In ascending byte-wise (lexicographic) order of key.
  std::vector<ObjectInfo> objects;
  // Empty when this is the last page; otherwise pass it to List to continue.
  std::string next_token;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Stores `bytes` under `key`, replacing any object there, atomically: a
  // reader sees either the whole old object or the whole new one, never a mix
  // or a partial write, also after a crash. Preconditions are checked and the
  // write done as one atomic step with respect to every other writer.
  // Returns the new object's info (etag, size, content_type, last_modified).
  // Errors: kInvalidArgument for a bad key (ValidateKey) or metadata;
  // kFailedPrecondition when `if_none_match_star` is set and the key exists,
  // or `if_match_etag` is set and the key is missing or has another ETag
  // (S3 answers 412 to both; kAlreadyExists is not used for them);
  // kUnavailable / kDeadlineExceeded when the storage cannot be reached (the
  // write may or may not have happened); kInternal for I/O failures.
  [[nodiscard]] virtual Result<ObjectInfo> Put(std::string_view key,
                                               std::string_view bytes,
                                               const PutOptions& options) = 0;

  // Reads the object under `key`, whole, or only `range` when given.
  // Errors: kInvalidArgument for a bad key, or for a range that starts at or
  // beyond the end of the object or has length 0 (HTTP 416 in S3);
  // kNotFound when no object has this key; kUnavailable as for Put.
  [[nodiscard]] virtual Result<Object> Get(
      std::string_view key, std::optional<ByteRange> range = std::nullopt) = 0;

  // The info of the object under `key` without its content.
  // Errors: kInvalidArgument for a bad key, kNotFound, kUnavailable.
  [[nodiscard]] virtual Result<ObjectInfo> Head(std::string_view key) = 0;

  // Removes the object under `key`. Idempotent: succeeds when there is none.
  // Errors: kInvalidArgument for a bad key, kUnavailable, kInternal.
  [[nodiscard]] virtual Status Delete(std::string_view key) = 0;

  // One page of the objects whose key starts with `prefix` ("" for all), in
  // ascending key order, at most `max_keys` of them (1..1000; 0 means 1000).
  // Pass the previous page's next_token as `continuation_token` ("" for the
  // first page); tokens are opaque and only valid for the same prefix.
  // Objects written or deleted between pages may or may not appear.
  // Errors: kInvalidArgument for a malformed token or max_keys > 1000;
  // kUnavailable.
  [[nodiscard]] virtual Result<ListPage> List(
      std::string_view prefix, std::string_view continuation_token = "",
      int max_keys = 0) = 0;

  // A URL that lets anyone holding it GET the object, without credentials,
  // for `expiry` (1 s .. 7 days). Does not check that the object exists.
  // Errors: kInvalidArgument for a bad key or expiry; kUnavailable when the
  // backend cannot hand out URLs (memory and local stores): the caller then
  // streams the object itself.
  [[nodiscard]] virtual Result<std::string> PresignGet(
      std::string_view key, std::chrono::seconds expiry) = 0;

  // A URL that lets anyone holding it PUT one object under `key` (replacing
  // any there), without credentials, for `expiry` (1 s .. 7 days): how
  // clients upload large files straight to the bucket. Only the host is
  // signed, so the uploader chooses the Content-Type and the size; whoever
  // processes the object must check both. Errors as PresignGet; this default
  // is the answer of the backends that cannot hand out URLs (memory, local):
  // kUnavailable after the argument checks.
  [[nodiscard]] virtual Result<std::string> PresignPut(
      std::string_view key, std::chrono::seconds expiry);
};

// Checks a key: not empty, at most 1024 bytes, valid UTF-8 without control
// characters (below 0x20 and 0x7f), no leading '/', and no empty, "." or ".."
// segment (so no "//" and no trailing '/'). kInvalidArgument naming the rule
// otherwise. Every backend calls this first, so a key valid in one is valid
// in all, and no key can name a path outside a local store's folder.
[[nodiscard]] Status ValidateKey(std::string_view key);

// Checks PutOptions::metadata against the rules above (kInvalidArgument).
[[nodiscard]] Status ValidateMetadata(
    const std::map<std::string, std::string>& metadata);

// The ETag of `bytes` as every backend computes it: quoted lowercase hex MD5.
std::string ComputeEtag(std::string_view bytes);

// A store that keeps everything in this process's memory: the fake for tests.
std::unique_ptr<ObjectStore> NewMemoryStore();

// A store in the folder `root` (created, with its parents, when missing).
// Each object is the plain file root/key (so the folder can be browsed and
// backed up as is), its ETag, content type and metadata kept in the file's
// extended attributes (user.invoices.*), which the filesystem must support
// (ext4, xfs, btrfs, tmpfs since Linux 6.6); a file put there by other means
// reads as application/octet-stream with its MD5 computed on demand.
// Writes go to a temporary file in the same folder that is fsynced, renamed
// into place and followed by an fsync of the folder; preconditions are
// checked under an flock of the object's folder, so they hold between
// processes too. Files are readable and writable by their owner only (0600),
// and the folders the store makes (the root included) are 0700: the folder
// holds personal data, password hashes and the user pool's signing key.
// Temporary files are named with a control character, which keys cannot
// contain, so they are never listed nor mistaken for objects. Limits of a
// filesystem: a key cannot be both an object and a "folder" of other keys ("a"
// and "a/b"): such a Put fails with kAlreadyExists; a segment longer than 255
// bytes fails with kInvalidArgument. Errors: kInvalidArgument when `root` is
// empty; kInternal when it cannot be created or is not a writable folder.
[[nodiscard]] Result<std::unique_ptr<ObjectStore>> NewLocalStore(
    const std::string& root);

// Opens the store a URL names:
//   file:///abs/path    a local store in /abs/path
//   file://./rel/path   a local store in ./rel/path (relative to the cwd)
//   s3://bucket[/prefix] an S3 store (S3OptionsFromEnvironment, s3_store.h)
//   memory://           a new, empty memory store
// Errors: kInvalidArgument for any other form; those of the factories.
[[nodiscard]] Result<std::unique_ptr<ObjectStore>> OpenStore(
    std::string_view url);

}  // namespace invoices::store
