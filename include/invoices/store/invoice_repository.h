// InvoiceRepository: a user's saved invoices on an ObjectStore -- the
// original upload, the invoice record (extraction, the user's corrections,
// status, timestamps, content hash) and the index that listing, search and
// export read. The same keys and the same guarantees in memory, in a folder
// and in S3; several processes may share one bucket.
//
// Thread safety: every member may be called from any number of threads at
// once, and from several processes on one store: all shared state is in the
// store and every read-modify-write of it is a conditional put (If-Match /
// If-None-Match) retried on conflict.
//
// ---------------------------------------------------------------------------
// Storage layout ({sub} is the verified user, {id} a core/ids.h id)
//
//   users/{sub}/invoices/{id}/original.{ext}   the upload, byte for byte;
//                                              written once, never rewritten
//   users/{sub}/invoices/{id}/invoice.json     the record (see Invoice);
//                                              its ETag is the invoice's ETag
//   users/{sub}/index/head.json                the index root (below)
//   users/{sub}/index/segments/{hi}-{rand}.json  immutable index segments
//   users/{sub}/index/sha256/{hex}             {"id"}: an invoice with
//                                              these bytes (duplicates)
//   users/{sub}/index/idempotency/{hex}        {"id", "sha256", "created_ms"}
//                                              for an Idempotency-Key
//
// Write order, so that nothing half-written is ever visible:
//   Create: (idempotency marker, If-None-Match) -> original (If-None-Match)
//           -> invoice.json (If-None-Match) -> index entry -> sha256 marker.
//           An invoice exists once invoice.json does; the index only ever
//           names invoices whose invoice.json was written first. A crash
//           before invoice.json leaves an original nobody sees, which
//           Reindex deletes once it is older than `orphan_age`; a crash
//           after it leaves a complete invoice that the listing misses until
//           a retry with the same Idempotency-Key or Reindex adds it.
//           Failures before the index step are rolled back (best effort).
//   Patch:  invoice.json (If-Match) -> index entry (newer version wins).
//   Delete: index tombstone -> invoice.json -> original -> markers. A crash
//           after the tombstone leaves an unlisted invoice that a repeated
//           Delete or Reindex (which honours live tombstones) finishes.
//
// The index (what one list page reads, whatever the number of invoices):
//   Every invoice has one entry {id, created_at, version, status, the fields
//   in force, a lower-case search text of at most `max_search_text` bytes:
//   the field values, the file name and the start of the recognised text}.
//   Entries are kept in descending id order (= newest first) and partitioned
//   by id range: head.json holds the newest entries (fewer than
//   segment_size / 4, so that the object every change rewrites stays small)
//   and the manifest of segments, each a contiguous id range of up to
//   `segment_size` entries (the range's upper bound "hi", the number of live
//   entries and a zone map: invoice date and total ranges, currencies and
//   statuses present). When the head fills up, its entries join the newest
//   segment while it has room, else start a new one. An entry whose id falls
//   in an older segment's range (a replica with a slow clock) goes into that
//   segment, which is split when it outgrows 2 x segment_size.
//   Segments are copy-on-write: a change to an entry in a segment writes the
//   segment anew under a fresh key, then replaces head.json with If-Match,
//   then deletes the old segment; a conflict deletes the new one and starts
//   again from a fresh head. A failed head.json write is checked first: its
//   answer may have been lost after it took effect (head.json's ETag is
//   then the MD5 of what was sent: a success), and a segment that the
//   current head.json names is never deleted. So head.json is the one atomic
//   root: every change to the index (create, patch, delete, the head filling up
//   and being sealed into a segment) is one successful If-Match of head.json,
//   and no concurrent update from any process can be lost. Entries carry
//   the invoice.json version so that a late, older update never overwrites
//   a newer one; deletes leave tombstones (dropped after `tombstone_ttl`) so
//   that a late update cannot bring a deleted invoice back.
//   A list page reads head.json, then only the segments its cursor and the
//   zone maps cannot rule out, at most `max_segments_per_page` of them: at
//   most 1 + max_segments_per_page GETs (plus one restart when a segment was
//   replaced while reading), never one per invoice. A filter that matches
//   few invoices may therefore give a page with fewer than `limit` items
//   (even none) and a next_cursor; the client follows the cursor to go on.
//   With the default segment_size of 512, 100,000 invoices are about 200
//   segments (a manifest of ~40 KB in head.json): an unfiltered page of 200
//   reads head.json and one or two segments; a create reads and writes
//   head.json, plus one segment every 128 creates.
//
// The index cache (RepositoryOptions::index_cache_bytes): parsing the JSON
// of a segment (up to about 500 KB) was most of the cost of a list page, so
// a repository keeps what it parsed in memory, shared by all requests:
//   - segments by key. A segment object is never rewritten: it is written
//     once under a fresh random name (If-None-Match) and only ever deleted,
//     so a parsed segment is right for as long as anyone can name it, in
//     this process or another. It is read from the cache without asking the
//     store.
//   - each user's head.json, with the bytes it was parsed from. head.json
//     changes with every write, from any replica, so it is still read from
//     the store on every request, and the parsed copy is used only when the
//     store returns exactly the same bytes. Freshness is therefore exactly as
//     without the cache: every list and every change starts from the head
//     the store holds at that moment.
// ---------------------------------------------------------------------------
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "invoices/core/date.h"
#include "invoices/core/decimal.h"
#include "invoices/core/error.h"
#include "invoices/core/extraction.h"
#include "invoices/core/ids.h"
#include "invoices/store/object_store.h"

namespace invoices::store {

// Invoice statuses.
inline constexpr std::string_view kStatusExtracted = "extracted";
inline constexpr std::string_view kStatusCorrected = "corrected";
inline constexpr std::string_view kStatusNeedsReview = "needs_review";

// The stored original.
struct PictureInfo {
  std::string content_type;  // as uploaded or detected
  uint64_t bytes = 0;
  std::string sha256;     // lowercase hex of the original's bytes
  std::string file_name;  // as uploaded ("upload" when none was given)
  std::string extension;  // of original.{ext}: "jpg", "png", "pdf", "bin"
};

// One saved invoice: invoice.json.
struct Invoice {
  std::string id;
  std::string created_at;  // RFC 3339 UTC with milliseconds
  std::string updated_at;
  int64_t version = 1;  // 1 when created, +1 per change
  std::string status;   // kStatus*
  core::Extraction extraction;
  // The user's values, by field name; they win over the extraction.
  std::map<std::string, std::string> corrections;
  PictureInfo picture;
  std::optional<std::string> duplicate_of;  // an earlier id with equal bytes
  std::string idempotency_key_sha256;       // hex, "" when none was given
  // The ETag of invoice.json as read or written (not part of the record).
  std::string etag;

  // The values in force: each correction, else the extracted value.
  std::map<std::string, std::string> Fields() const;
};

// The status that an invoice's values call for: needs_review when
// vendor_name, invoice_date or total is missing, or was extracted with a
// confidence below 0.5 and not corrected; else corrected when the user gave
// any value; else extracted.
std::string ComputeStatus(const Invoice& invoice);

// What Create stores.
struct NewInvoice {
  std::string_view original;  // the upload's bytes (must outlive the call)
  std::string content_type;   // "" -> application/octet-stream
  std::string file_name;
  core::Extraction extraction;
  std::map<std::string, std::string> corrections;  // validated by Create
  std::string idempotency_key;                     // "" for none
};

struct CreateResult {
  Invoice invoice;
  // True when `idempotency_key` named an invoice created earlier, which is
  // returned instead of a new one.
  bool replayed = false;
};

// One list item.
struct InvoiceSummary {
  std::string id;
  std::string created_at;
  std::string status;
  std::map<std::string, std::string> fields;  // in force
};

// All conditions must hold. Text conditions are case-blind (ASCII).
struct InvoiceFilter {
  // Every whitespace-separated term occurs in the search text (field values,
  // file name, the start of the recognised text).
  std::string q;
  std::string vendor;                  // occurs in vendor_name
  std::string currency;                // equals currency (ISO 4217, upper case)
  std::string status;                  // equals status ("" for any)
  std::optional<core::Date> from, to;  // invoice_date within, inclusive
  std::optional<core::Decimal> min_total, max_total;  // total within

  bool empty() const;
};

struct ListRequest {
  InvoiceFilter filter;
  int limit = 50;      // 1 .. 1000
  std::string cursor;  // "" for the first page, else a next_cursor
};

struct ListResult {
  std::vector<InvoiceSummary> items;  // newest first
  // "" on the last page; otherwise pass it as `cursor` to go on. Opaque
  // base64url text, valid for any filter.
  std::string next_cursor;
};

// The position a list cursor names: the page goes on with the ids below `id`
// (at most `id` when `inclusive`). The codec of that client-supplied text,
// exposed so that it can be tested and fuzzed on its own; List uses it.
struct ListCursor {
  std::string id;  // "" for the first page
  bool inclusive = false;
};
// A next_cursor for `cursor` (base64url of "lt:" or "le:" and the id).
std::string EncodeListCursor(const ListCursor& cursor);
// "" is the first page. invalid_argument for anything but what
// EncodeListCursor makes of a valid id.
[[nodiscard]] Result<ListCursor> DecodeListCursor(std::string_view text);

// A field change: a value sets the user's correction, nullopt removes it.
using FieldPatch = std::map<std::string, std::optional<std::string>>;

struct PictureObject {
  std::string bytes;
  std::string content_type;
};

struct ReindexReport {
  int invoices = 0;          // indexed
  int orphans_deleted = 0;   // originals without invoice.json
  int orphans_kept = 0;      // such originals younger than orphan_age
  int unreadable = 0;        // invoice.json files that could not be parsed
  int segments_deleted = 0;  // index segments no longer referenced
  int attempts = 0;          // 1 unless writers changed the index meanwhile
};

struct RepositoryOptions {
  // Index entries per segment (and the head's capacity). Tests use small
  // values to exercise many segments.
  int segment_size = 512;
  // At most this many segments read by one list page.
  int max_segments_per_page = 8;
  // Bytes of search text kept per invoice in the index.
  size_t max_search_text = 1024;
  // Bytes of one field value (corrections are refused beyond it).
  size_t max_field_value = 1000;
  // How old an original without invoice.json (or an unreferenced segment)
  // must be before Reindex deletes it: younger ones may be a create or an
  // index update in progress.
  std::chrono::seconds orphan_age = std::chrono::minutes(15);
  // An Idempotency-Key whose invoice does not exist yet is "in progress"
  // (a retry is refused with already_exists) for this long, then free.
  std::chrono::seconds idempotency_pending = std::chrono::minutes(2);
  // How long a delete's tombstone stays in the index.
  std::chrono::seconds tombstone_ttl = std::chrono::minutes(10);
  // Parallel GETs of invoice.json files in Reindex.
  int reindex_threads = 8;
  // Memory for parsed index objects (see "The index cache" above), shared
  // by every user of the repository; the least recently used are dropped
  // first. An estimate of what they occupy, not a hard limit. 0: no cache,
  // every request parses what it reads.
  size_t index_cache_bytes = size_t{64} << 20;
  // The wall clock (timestamps, ids, ages); the system clock when empty.
  std::function<std::chrono::system_clock::time_point()> clock;
};

// What the index cache holds and how well it serves; a snapshot.
struct IndexCacheStats {
  uint64_t hits = 0;    // index objects used as parsed before
  uint64_t misses = 0;  // index objects parsed (new, changed or dropped)
  size_t objects = 0;   // held now
  size_t bytes = 0;     // their estimated memory
};

class IndexCache;  // invoice_repository.cpp

class InvoiceRepository {
 public:
  // `store` must outlive the repository. Options out of range are clamped.
  InvoiceRepository(ObjectStore& store, RepositoryOptions options = {});
  ~InvoiceRepository();
  InvoiceRepository(const InvoiceRepository&) = delete;
  InvoiceRepository& operator=(const InvoiceRepository&) = delete;

  // Saves a new invoice for `sub` with a fresh id (see the write order
  // above). With an idempotency_key that was used before by this user for
  // the same bytes, returns that invoice (replayed) and stores nothing.
  // The new invoice's duplicate_of names an existing invoice of this user
  // with the same bytes, if any. Errors: invalid_argument for a bad sub, an
  // empty original, a correction that ValidateFieldValue refuses (the
  // message names the field), or an idempotency_key used with other bytes;
  // already_exists while another request with the same key is in progress;
  // unavailable and others from the store.
  [[nodiscard]] Result<CreateResult> Create(std::string_view sub,
                                            const NewInvoice& invoice);

  // The invoice an earlier Create with this key made, if any (and makes
  // sure it is listed). Lets callers skip scanning a retried upload.
  // invalid_argument when the key was used for other bytes than `original`.
  [[nodiscard]] Result<std::optional<Invoice>> FindByIdempotencyKey(
      std::string_view sub, std::string_view key, std::string_view original);

  // The invoice `id` of `sub`. not_found when there is none (also when it
  // belongs to another user); invalid_argument for a malformed id or sub.
  [[nodiscard]] Result<Invoice> Get(std::string_view sub, std::string_view id);

  // Applies `patch` to the corrections, recomputes the status and bumps
  // version and updated_at. `if_match` ("" or "*" for none) must equal the
  // current ETag, else failed_precondition; without it, concurrent patches
  // are applied one after the other. A patch that changes nothing writes
  // nothing. Errors: invalid_argument naming the field for an unknown field
  // or an invalid value; not_found; the store's.
  [[nodiscard]] Result<Invoice> Patch(std::string_view sub, std::string_view id,
                                      const FieldPatch& patch,
                                      std::string_view if_match = "");

  // Removes the invoice, its original and its index entry. not_found when
  // there is none.
  [[nodiscard]] Status Delete(std::string_view sub, std::string_view id);

  // One page of the user's invoices, newest first (see the index above).
  // invalid_argument for a malformed cursor, a limit outside 1..1000 or an
  // oversized query.
  [[nodiscard]] Result<ListResult> List(std::string_view sub,
                                        const ListRequest& request);

  // The original's bytes and content type.
  [[nodiscard]] Result<PictureObject> GetPicture(std::string_view sub,
                                                 std::string_view id);
  // A URL to GET the original directly from the store, valid for `expiry`;
  // unavailable when the store cannot presign (memory, folder).
  [[nodiscard]] Result<std::string> PresignPicture(std::string_view sub,
                                                   std::string_view id,
                                                   std::chrono::seconds expiry);
  // The same for an invoice of `sub` already read with Get (no read).
  [[nodiscard]] Result<std::string> PresignPicture(std::string_view sub,
                                                   const Invoice& invoice,
                                                   std::chrono::seconds expiry);

  // Rebuilds the user's index from the invoice.json files (the truth),
  // deletes originals without invoice.json older than orphan_age, index
  // segments no longer referenced, and restores missing sha256 and
  // idempotency markers. Safe while the user's invoices change: it replaces
  // head.json with If-Match and starts again (re-reading only what changed)
  // when a writer got there first. Reads every invoice.json: O(invoices).
  [[nodiscard]] Result<ReindexReport> Reindex(std::string_view sub);

  // The store key prefix of a user ("users/{sub}/").
  static std::string UserPrefix(std::string_view sub);

  // The index cache's figures (all zero without a cache).
  IndexCacheStats index_cache_stats() const;

 private:
  std::chrono::system_clock::time_point Now() const;

  ObjectStore& store_;
  RepositoryOptions options_;
  core::IdGenerator ids_;
  std::unique_ptr<IndexCache> cache_;  // null when index_cache_bytes is 0
};

// Checks that `sub` can be one key segment: 1..128 bytes of [A-Za-z0-9._@-]
// (Cognito subs are UUIDs), not "." or "..". invalid_argument otherwise.
[[nodiscard]] Status ValidateSub(std::string_view sub);

// The file extension stored for a content type: "jpg", "png", "gif", "tif",
// "webp", "heic", "pdf", "xml", else "bin".
std::string ExtensionForContentType(std::string_view content_type);

}  // namespace invoices::store
