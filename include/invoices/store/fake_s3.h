// FakeS3: an in-process S3 server behind the HttpTransport seam, so that the
// S3 store (and anything built on it) can be tested without a network: PUT
// with If-None-Match / If-Match, GET with Range, HEAD, DELETE and
// ListObjectsV2 of one bucket, path-style, answering with S3's status codes,
// headers and XML. Every request's Signature V4 is checked, in the
// Authorization header or in a presigned URL's query, expiry included (403
// SignatureDoesNotMatch otherwise). Failures can be injected to exercise
// retries. Not a conformance reference: real-server tests use s3rver.
//
// Thread safety: Send and every other member may be called concurrently.
#pragma once

#include <memory>
#include <string>

#include "invoices/store/s3_store.h"
#include "invoices/store/sigv4.h"

namespace invoices::store {

struct FakeS3Options {
  std::string bucket = "test-bucket";
  std::string region = "us-east-1";
  Credentials credentials = {"AKIDFAKE", "fake-secret", ""};
  // What S3Options::endpoint must be for requests to reach this fake.
  std::string endpoint = "http://fake-s3.invalid:9000";
};

class FakeS3 : public HttpTransport {
 public:
  // The next `count` requests fail before reaching the bucket: with HTTP
  // `status` and an <Error> of S3 code `s3_code` when status > 0, or as a
  // connection error (kUnavailable) when status is 0.
  virtual void FailNext(int count, int status, std::string s3_code) = 0;
  // Like FailNext with status 0, except that the request is applied first:
  // a connection lost after the server acted but before the answer.
  virtual void LoseNextAnswers(int count) = 0;
  // Requests received so far, the failed ones included.
  virtual int RequestCount() const = 0;
  // The most recent request, as received.
  virtual HttpRequest LastRequest() const = 0;
};

std::shared_ptr<FakeS3> NewFakeS3(const FakeS3Options& options = {});

// S3Options that reach `fake` with the fake's credentials, no retry delays.
S3Options FakeS3StoreOptions(const FakeS3Options& options = {});

}  // namespace invoices::store
