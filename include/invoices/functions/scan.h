// The scan function (the seed's scan_lambda): validates an upload, reads it
// and answers with the SCHEMA.md extraction. The body is the document itself
// (with its Content-Type) or multipart/form-data with the document in the
// field `file`; the OCR languages may be chosen per request (`lang`). Thread
// safety: const; may serve many requests at once.
#pragma once

#include "invoices/extract/scanner.h"
#include "invoices/functions/http.h"

namespace invoices::functions {

class ScanFunction {
 public:
  explicit ScanFunction(const extract::Scanner& scanner) : scanner_(scanner) {}

  // 200 with the extraction; 400 for an empty or unreadable document or an
  // OCR language that is malformed or not installed, 413
  // beyond the pixel limit, 415 for a format that is not read. Errors carry
  // the project's error shape plus the file name.
  HttpResponse operator()(const HttpRequest& request) const;

 private:
  const extract::Scanner& scanner_;
};

// The uploaded document of a request: its bytes (a view into the request's
// body), file name and declared content type. Shared by the functions that
// take uploads.
struct Upload {
  std::string_view bytes;
  std::string file_name;
  std::string content_type;
  // The OCR languages asked for ("deu", "deu+eng"): the query parameter
  // `lang`, else the multipart field `lang`; empty for the server's own.
  std::string languages;
};
core::Result<Upload> UploadFromRequest(const HttpRequest& request);

}  // namespace invoices::functions
