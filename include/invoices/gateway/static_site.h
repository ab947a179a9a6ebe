// The web page's static files, served by `invoices serve` at "/": built into
// the binary from web/ (so the embedded default needs no files beside it), or
// read from a folder at start (--web-root, for working on the page).
// Thread safety: immutable after construction; Serve may run concurrently.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "invoices/core/error.h"
#include "invoices/functions/http.h"

namespace invoices::gateway {

// The files of web/ as compiled in: (path relative to web/, bytes).
std::vector<std::pair<std::string_view, std::string_view>> EmbeddedWebFiles();

class StaticSite {
 public:
  // The files compiled into the binary.
  static StaticSite Embedded();
  // Every regular file below `root`, read now. invalid_argument when `root`
  // is not a readable folder.
  static core::Result<StaticSite> FromDirectory(const std::string& root);

  // GET "/" is index.html; GET "/a/b.js" is web/a/b.js. Answers 200 with the
  // content type from the extension, an ETag and "Cache-Control: no-cache"
  // (always revalidated, so a new binary's page is seen at once); 304 when
  // If-None-Match matches; 404 in the project's error shape otherwise.
  functions::HttpResponse Serve(const functions::HttpRequest& request) const;

  size_t size() const { return files_.size(); }

 private:
  struct File {
    std::string bytes;
    std::string content_type;
    std::string etag;
  };
  void Add(std::string path, std::string bytes);
  std::map<std::string, File> files_;
};

// The content type of a file name by its extension.
std::string_view ContentTypeForPath(std::string_view path);

}  // namespace invoices::gateway
