// The invoice functions: the seed's savePicture (POST /invoices: read an
// upload and keep it) and the read side (list, search, get, correct, delete,
// download, export), over store::InvoiceRepository. Requests and responses
// are API Gateway payload 2.0 (http.h); the user is read only from the
// verified claims (request.claims["sub"]), never from the request itself.
//
// Routes (kInvoiceRoutes; the gateway or API Gateway routes them here):
//   POST   /invoices               upload: the document as the body (its
//                                  Content-Type), or multipart/form-data with
//                                  `file` and optional `fields`, a JSON object
//                                  {"total": "9.00", ...} (or {"fields":
//                                  {...}}) of the user's values, in which
//                                  case the document is stored unread.
//                                  Otherwise it is scanned first; a document
//                                  that cannot be read is answered with the
//                                  scan's error and nothing is stored.
//                                  201 + Location + ETag with the invoice;
//                                  `Idempotency-Key` makes a retry return the
//                                  same invoice (200, Idempotent-Replayed).
//   GET    /invoices               {"items": [summary...], "next_cursor"?}:
//                                  newest first; limit (default 50, max 200),
//                                  cursor, q, vendor, from, to (YYYY-MM-DD),
//                                  min_total, max_total, currency, status. A
//                                  filtered page may hold fewer than `limit`
//                                  items and still a next_cursor.
//   GET    /invoices/export.csv    the filtered list as RFC 4180 CSV: id,
//                                  created_at, status and every schema field.
//                                  Streamed (HttpResponse::stream): the
//                                  header row, then one chunk per index page.
//   GET    /invoices/{id}          the invoice, with its ETag (304 for a
//                                  matching If-None-Match).
//   PATCH  /invoices/{id}          JSON merge patch {"fields": {name: value
//                                  or null}}; If-Match (412 when stale).
//   DELETE /invoices/{id}          204.
//   GET    /invoices/{id}/picture  the original bytes with their content
//                                  type (nosniff, a sandboxing CSP), or a
//                                  302 to a presigned store URL. Anything
//                                  but an image or a PDF (XML, which a
//                                  browser may render as XHTML or SVG) is a
//                                  download (Content-Disposition:
//                                  attachment), never redirected.
//
// Shapes: an invoice is {"id", "created_at", "updated_at", "status",
// "fields": {name: value} (the correction, else the extraction),
// "extraction": <SCHEMA.md object>, "corrections": {name: value},
// "picture": {"content_type", "bytes", "sha256"}, "duplicate_of"?}; a list
// item is {"id", "created_at", "status", "fields"}.
// Errors use the project's shape ({"error": {"code", "message",
// "request_id"}}): 401 without a user, 400 for a malformed id, cursor,
// filter or field (named in the message), 404 for an id that is not the
// user's (whether or not it exists), 412, 415, 503 with Retry-After when the
// store is unavailable.
//
// Thread safety: the handlers are const and may serve many requests at once
// (the repository and the scanner are thread-safe).
#pragma once

#include <array>
#include <chrono>
#include <string>
#include <string_view>

#include "invoices/core/extraction.h"
#include "invoices/extract/scanner.h"
#include "invoices/functions/http.h"
#include "invoices/store/invoice_repository.h"

namespace invoices::functions {

struct InvoicesOptions {
  int default_limit = 50;
  int max_limit = 200;
  // Answer picture requests with a 302 to a presigned URL when the store
  // can make one (S3); the memory and folder stores always stream.
  bool redirect_pictures = true;
  std::chrono::seconds picture_url_expiry{300};
  // Invoices fetched per index page of a CSV export: one streamed chunk
  // each, which bounds the memory an export holds.
  int export_page_size = 1000;
  // Bytes of the `fields` JSON of an upload.
  size_t max_fields_json = 64 * 1024;
};

struct InvoiceRoute {
  std::string_view method;
  std::string_view path;  // gateway pattern syntax: "{id}" is a parameter
};

// Every route InvoicesFunction serves, for wiring a router.
inline constexpr std::array<InvoiceRoute, 7> kInvoiceRoutes = {{
    {"POST", "/invoices"},
    {"GET", "/invoices"},
    {"GET", "/invoices/export.csv"},
    {"GET", "/invoices/{id}"},
    {"PATCH", "/invoices/{id}"},
    {"DELETE", "/invoices/{id}"},
    {"GET", "/invoices/{id}/picture"},
}};

class InvoicesFunction {
 public:
  // `repository` and `scanner` must outlive this object, and `repository`
  // also the streams of the export responses it returned.
  InvoicesFunction(store::InvoiceRepository& repository,
                   const extract::Scanner& scanner,
                   InvoicesOptions options = {});

  // Dispatches on the method and the path (raw_path; the part from the last
  // "/invoices" segment on, so a stage prefix does not matter); 404 for a
  // path that is no invoice route, 405 for a method the path does not take.
  HttpResponse operator()(const HttpRequest& request) const;

  // The routes one by one. {id} is path_parameters["id"] when the router
  // set it, else taken from raw_path.
  HttpResponse Create(const HttpRequest& request) const;
  HttpResponse List(const HttpRequest& request) const;
  HttpResponse Export(const HttpRequest& request) const;
  HttpResponse Get(const HttpRequest& request) const;
  HttpResponse Patch(const HttpRequest& request) const;
  HttpResponse Delete(const HttpRequest& request) const;
  HttpResponse Picture(const HttpRequest& request) const;

 private:
  store::InvoiceRepository& repository_;
  const extract::Scanner& scanner_;
  InvoicesOptions options_;
};

// The API shapes above.
core::Json InvoiceToJson(const store::Invoice& invoice);
core::Json SummaryToJson(const store::InvoiceSummary& summary);
// The body of GET /invoices: the JSON document {"items": [SummaryToJson of
// each item], "next_cursor" when there is one}, members in that order,
// written directly as text (it is made on every list request). Invalid
// UTF-8 in a value becomes U+FFFD.
std::string ListPageJson(const store::ListResult& page);

// One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF,
// quotes doubled.
std::string CsvField(std::string_view value);

}  // namespace invoices::functions
