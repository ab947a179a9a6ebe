#include "invoices/lambda/upload_events.h"

#include <optional>
#include <string>
#include <utility>

#include "invoices/lambda/events.h"

namespace invoices::lambda {

using core::Json;

Handler UploadEventHandler(const functions::UploadProcessor& processor,
                           UploadEventOptions options) {
  return [&processor, options = std::move(options)](
             std::string_view event,
             const InvocationContext& context) -> core::Result<std::string> {
    INVOICES_ASSIGN_OR_RETURN(std::vector<S3Object> objects,
                              ParseS3Event(event));
    const std::string prefix =
        options.prefix.empty() ? "" : options.prefix + "/";
    Json results = Json::array();
    std::optional<core::Error> retry;
    for (const S3Object& object : objects) {
      Json result;
      if (!options.bucket.empty() && object.bucket != options.bucket) {
        result = {{"key", object.key},
                  {"outcome", "skipped"},
                  {"error",
                   {{"code", "invalid_argument"},
                    {"message", "an object of bucket " + object.bucket +
                                    ", not the store's " + options.bucket}}}};
      } else if (!object.key.starts_with(prefix)) {
        result = {{"key", object.key},
                  {"outcome", "skipped"},
                  {"error",
                   {{"code", "invalid_argument"},
                    {"message",
                     "a key outside the store's prefix " + options.prefix}}}};
      } else {
        auto outcome = processor.Process(object.key.substr(prefix.size()));
        if (outcome) {
          result = functions::OutcomeToJson(*outcome);
        } else {
          result = {{"key", object.key},
                    {"outcome", "retry"},
                    {"error",
                     {{"code", core::CodeName(outcome.error().code())},
                      {"message", outcome.error().message()}}}};
          if (!retry) retry = outcome.error();
        }
      }
      const std::string outcome_name = result["outcome"];
      context.Log(outcome_name == "saved" || outcome_name == "replayed" ||
                          outcome_name == "gone"
                      ? "info"
                  : outcome_name == "retry" ? "error"
                                            : "warn",
                  result.dump());
      results.push_back(std::move(result));
    }
    if (retry) return std::unexpected(*retry);
    return Json{{"results", std::move(results)}}.dump();
  };
}

}  // namespace invoices::lambda
