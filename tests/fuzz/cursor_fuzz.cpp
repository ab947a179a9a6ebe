// List cursors (GET /invoices?cursor=...): opaque text that clients send
// back, so anything. store::DecodeListCursor, then the repository's List with
// the input as cursor over a memory store holding a few invoices. Never
// crashes; a malformed cursor is invalid_argument, in List too; a cursor that
// decodes names a valid id and re-encodes to a cursor that decodes the same;
// a page after a cursor holds only ids the cursor admits, newest first.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz_check.h"
#include "invoices/core/ids.h"
#include "invoices/store/invoice_repository.h"
#include "invoices/store/object_store.h"

namespace {

using namespace invoices;

struct World {
  std::unique_ptr<store::ObjectStore> store = store::NewMemoryStore();
  std::unique_ptr<store::InvoiceRepository> repository;

  World() {
    store::RepositoryOptions options;
    options.segment_size = 2;  // several segments for five invoices
    repository = std::make_unique<store::InvoiceRepository>(*store, options);
    for (int i = 0; i < 5; ++i) {
      store::NewInvoice invoice;
      const std::string original = "picture " + std::to_string(i);
      invoice.original = original;
      invoice.extraction.file = "r.jpg";
      invoice.extraction.document.mime = "image/jpeg";
      invoice.extraction.document.source = "ocr";
      FUZZ_CHECK(repository->Create("alice", invoice).has_value());
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  const std::string_view text = fuzz::AsView(data, size);
  auto cursor = store::DecodeListCursor(text);
  if (cursor) {
    FUZZ_CHECK(cursor->id.empty() == text.empty());
    if (!text.empty()) {
      FUZZ_CHECK(core::IsValidId(cursor->id));
      auto again = store::DecodeListCursor(store::EncodeListCursor(*cursor));
      FUZZ_CHECK(again && again->id == cursor->id &&
                 again->inclusive == cursor->inclusive);
    }
  } else {
    FUZZ_CHECK(cursor.error().code() == core::ErrorCode::kInvalidArgument);
  }

  store::ListRequest request;
  request.cursor = std::string(text);
  request.limit = 2;
  auto page = world.repository->List("alice", request);
  FUZZ_CHECK(page.has_value() == cursor.has_value());
  if (!page) {
    FUZZ_CHECK(page.error().code() == core::ErrorCode::kInvalidArgument);
    return 0;
  }
  std::string previous;
  for (const auto& item : page->items) {
    if (!cursor->id.empty()) {
      FUZZ_CHECK(cursor->inclusive ? item.id <= cursor->id
                                   : item.id < cursor->id);
    }
    if (!previous.empty()) FUZZ_CHECK(item.id < previous);
    previous = item.id;
  }
  if (!page->next_cursor.empty()) {
    FUZZ_CHECK(store::DecodeListCursor(page->next_cursor).has_value());
  }
  return 0;
}
