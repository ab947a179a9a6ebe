// PATCH /invoices/{id}: the JSON merge patch body of a correction, through
// InvoicesFunction and the repository over a memory store (a fresh store with
// one invoice per input, so that every run starts alike). Never crashes and
// never answers 500: a body is applied (200) or refused (400 with the error
// shape); after a 200, every field the patch set is in force with that value
// and every field it removed is back to what was read.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz_check.h"
#include "invoices/extract/engine_pool.h"
#include "invoices/extract/scanner.h"
#include "invoices/functions/invoices.h"
#include "invoices/store/invoice_repository.h"
#include "invoices/store/object_store.h"

namespace {

using namespace invoices;

const extract::Scanner& CannedScanner() {
  static auto* pool = [] {
    auto p = extract::EnginePool::Create(1, [] {
      return core::Result<std::unique_ptr<extract::OcrEngine>>(
          extract::NewCannedEngine(extract::PageFromText("TOTAL 9.00\n")));
    });
    FUZZ_CHECK(p.has_value());
    return p->release();
  }();
  static auto* scanner = new extract::Scanner(*pool, extract::ScannerOptions{});
  return *scanner;
}

core::Extraction Read() {
  core::Extraction e;
  e.file = "receipt.jpg";
  e.document.mime = "image/jpeg";
  e.document.source = "ocr";
  e.fields["vendor_name"] = {"ACME", 0.9, 1, std::nullopt, std::nullopt};
  e.fields["total"] = {"9.00", 0.9, 1, std::nullopt, std::nullopt};
  e.fields["invoice_date"] = {"2018-12-25", 0.4, 1, std::nullopt, std::nullopt};
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(fuzz::AsView(data, size));
  auto store = store::NewMemoryStore();
  store::RepositoryOptions options;
  options.segment_size = 4;
  store::InvoiceRepository repository(*store, options);
  store::NewInvoice invoice;
  invoice.original = "picture";
  invoice.content_type = "image/jpeg";
  invoice.extraction = Read();
  auto created = repository.Create("alice", invoice);
  FUZZ_CHECK(created.has_value());
  const std::string id = created->invoice.id;

  functions::InvoicesFunction function(repository, CannedScanner());
  functions::HttpRequest request;
  request.method = "PATCH";
  request.raw_path = "/invoices/" + id;
  request.path_parameters["id"] = id;
  request.claims["sub"] = "alice";
  request.headers["content-type"] = "application/merge-patch+json";
  request.body = body;
  const functions::HttpResponse response = function(request);
  const auto answer = core::Json::parse(response.body, nullptr, false);
  FUZZ_CHECK(!answer.is_discarded());
  if (response.status != 200) {
    FUZZ_CHECK(response.status == 400);
    FUZZ_CHECK(answer["error"]["code"] == "invalid_argument");
    return 0;
  }
  auto stored = repository.Get("alice", id);
  FUZZ_CHECK(stored.has_value());
  const auto fields = stored->Fields();
  const auto patch = core::Json::parse(body);
  const core::Extraction read = Read();
  const core::Json changes = patch.value("fields", core::Json::object());
  for (const auto& [name, value] : changes.items()) {
    auto it = fields.find(name);
    if (value.is_string()) {
      FUZZ_CHECK(it != fields.end() && it->second == value.get<std::string>());
    } else {
      auto was = read.fields.find(name);
      FUZZ_CHECK((it == fields.end()) == (was == read.fields.end()));
      if (was != read.fields.end()) FUZZ_CHECK(it->second == was->second.value);
    }
  }
  FUZZ_CHECK(store::ComputeStatus(*stored) == stored->status);
  return 0;
}
