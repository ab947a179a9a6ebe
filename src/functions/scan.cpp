#include "invoices/functions/scan.h"

#include "invoices/functions/multipart.h"

namespace invoices::functions {

core::Result<Upload> UploadFromRequest(const HttpRequest& request) {
  Upload upload;
  const std::string_view content_type = request.Header("content-type");
  if (content_type.starts_with("multipart/")) {
    INVOICES_ASSIGN_OR_RETURN(auto parts,
                              ParseMultipart(request.body, content_type));
    auto file = std::find_if(parts.begin(), parts.end(),
                             [](const auto& p) { return p.name == "file"; });
    if (file == parts.end()) {
      return core::InvalidArgument(
          "the multipart body has no field named \"file\"");
    }
    upload.bytes = file->data;
    upload.file_name = file->filename;
    upload.content_type = file->content_type;
    auto lang = std::find_if(parts.begin(), parts.end(),
                             [](const auto& p) { return p.name == "lang"; });
    if (lang != parts.end()) upload.languages = lang->data;
  } else {
    upload.bytes = request.body;
    upload.content_type = std::string(content_type);
    auto name = request.query_parameters.find("file");
    if (name != request.query_parameters.end()) upload.file_name = name->second;
  }
  // The query parameter wins over a form field: it is what a client that
  // cannot touch the form (a share target, a proxy) can set.
  if (auto lang = request.query_parameters.find("lang");
      lang != request.query_parameters.end()) {
    upload.languages = lang->second;
  }
  if (upload.file_name.empty()) upload.file_name = "upload";
  if (upload.bytes.empty()) {
    return core::InvalidArgument(
        "the document is empty: send the file as the "
        "request body or as the multipart field "
        "\"file\"");
  }
  return upload;
}

HttpResponse ScanFunction::operator()(const HttpRequest& request) const {
  auto upload = UploadFromRequest(request);
  if (!upload) return ErrorResponse(upload.error(), request.request_id);
  const auto* data = reinterpret_cast<const uint8_t*>(upload->bytes.data());
  auto extraction =
      scanner_.Scan({data, upload->bytes.size()}, upload->file_name,
                    upload->content_type, upload->languages);
  if (!extraction) {
    core::Json body;
    body["file"] = upload->file_name;
    body.update(ErrorBody(extraction.error(), request.request_id));
    return JsonResponse(core::HttpStatus(extraction.error().code()), body);
  }
  return JsonResponse(200, core::ToJson(*extraction));
}

}  // namespace invoices::functions
