// The `s3-upload` Lambda function's handler: an S3 event notification
// (ObjectCreated under uploads/, see functions/upload_event.h) in, each
// created object handed to functions::UploadProcessor, a JSON report out:
//
//   {"results": [{"key", "outcome": "saved"|"replayed"|"failed"|"gone"|
//                 "skipped"|"retry", ...}]}   (functions::OutcomeToJson)
//
// Every object is tried, each outcome logged as one JSON line. When any
// object met an error a later attempt may not meet (UploadProcessor::Process
// returned an error), the invocation fails with the first such error after
// the others were done: Lambda runs an S3 event asynchronously and retries
// a failed one (twice by default, then its on-failure destination), and the
// objects finished the first time are "gone" or "replayed" on the retry.
// Records of another bucket, and keys outside the store's prefix, are
// skipped: the notification is configured for the store's bucket only, so
// they are a misconfiguration to report, not work to do.
//
// Thread safety: the handler may be called from one thread at a time (the
// loop's), as every loop Handler.
#pragma once

#include <string>

#include "invoices/functions/upload_event.h"
#include "invoices/lambda/loop.h"

namespace invoices::lambda {

struct UploadEventOptions {
  // The store's bucket; records of other buckets are skipped. "" accepts
  // any (a store that is not S3, in tests).
  std::string bucket;
  // The store's key prefix (s3://bucket/PREFIX), without a trailing '/':
  // removed from each key before processing; keys outside it are skipped.
  std::string prefix;
};

// `processor` must outlive the handler.
Handler UploadEventHandler(const functions::UploadProcessor& processor,
                           UploadEventOptions options = {});

}  // namespace invoices::lambda
