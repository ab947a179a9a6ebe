// The S3 store beyond the shared contract: request shapes, retries, error
// translation, XML parsing, configuration, and the curl transport against a
// socket server in this process.
#include "invoices/store/s3_store.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "invoices/store/digest.h"
#include "invoices/store/fake_s3.h"

namespace invoices::store {
namespace {

using core::ErrorCode;
using std::chrono::milliseconds;

bool HasHeader(const HttpRequest& r, std::string_view name,
               std::string_view value) {
  for (const auto& [n, v] : r.headers) {
    if (n == name && v == value) return true;
  }
  return false;
}

std::string HeaderValue(const HttpRequest& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

class S3StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = NewFakeS3();
    options_ = FakeS3StoreOptions();
    options_.sleep = [this](milliseconds d) { sleeps_.push_back(d); };
  }
  std::unique_ptr<ObjectStore> Store() {
    auto store = NewS3Store(options_, fake_);
    EXPECT_TRUE(store) << store.error().ToString();
    return store ? std::move(*store) : nullptr;
  }

  std::shared_ptr<FakeS3> fake_;
  S3Options options_;
  std::vector<milliseconds> sleeps_;
};

TEST_F(S3StoreTest, PutSendsASignedPathStyleRequest) {
  options_.prefix = "tenant/a";
  options_.server_side_encryption = "AES256";
  auto store = Store();
  PutOptions put;
  put.content_type = "image/jpeg";
  put.if_none_match_star = true;
  put.metadata = {{"sha256", "abc"}};
  auto info = store->Put("x y/\xc3\xa4.jpg", "JPEG", put);
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_EQ(info->etag, ComputeEtag("JPEG"));
  const HttpRequest r = fake_->LastRequest();
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(
      r.url,
      "http://fake-s3.invalid:9000/test-bucket/tenant/a/x%20y/%C3%A4.jpg");
  EXPECT_TRUE(HasHeader(r, "Host", "fake-s3.invalid:9000"));
  EXPECT_TRUE(HasHeader(r, "Content-Type", "image/jpeg"));
  EXPECT_TRUE(HasHeader(r, "If-None-Match", "*"));
  EXPECT_TRUE(HasHeader(r, "x-amz-meta-sha256", "abc"));
  EXPECT_TRUE(HasHeader(r, "x-amz-server-side-encryption", "AES256"));
  EXPECT_TRUE(HasHeader(r, "x-amz-content-sha256", HexEncode(Sha256("JPEG"))));
  EXPECT_TRUE(HeaderValue(r, "Authorization")
                  .starts_with("AWS4-HMAC-SHA256 Credential=AKIDFAKE/"));
  EXPECT_EQ(r.body, "JPEG");

  // The prefix is invisible to the caller.
  auto page = store->List("x y/");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "x y/\xc3\xa4.jpg");
  EXPECT_EQ(fake_->LastRequest().url,
            "http://fake-s3.invalid:9000/test-bucket?list-type=2&max-keys=1000"
            "&prefix=tenant%2Fa%2Fx%20y%2F");
}

TEST_F(S3StoreTest, WrongCredentialsArePermissionDenied) {
  options_.credentials.secret_access_key = "not-the-secret";
  auto r = Store()->Put("k", "v", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(r.error().message().find("SignatureDoesNotMatch"),
            std::string::npos);
  EXPECT_NE(r.error().message().find("FAKEREQUEST"), std::string::npos);
  EXPECT_EQ(fake_->RequestCount(), 1);  // 4xx: never retried
}

TEST_F(S3StoreTest, SessionTokenIsSent) {
  FakeS3Options fake_options;
  fake_options.credentials.session_token = "TOKEN/+=";
  fake_ = NewFakeS3(fake_options);
  options_.credentials.session_token = "TOKEN/+=";
  ASSERT_TRUE(Store()->Put("k", "v", {}));
  EXPECT_TRUE(
      HasHeader(fake_->LastRequest(), "X-Amz-Security-Token", "TOKEN/+="));
}

TEST_F(S3StoreTest, RetriesServerErrorsWithBackoffAndJitter) {
  auto store = Store();
  fake_->FailNext(2, 503, "SlowDown");
  ASSERT_TRUE(store->Put("k", "v", {}));
  EXPECT_EQ(fake_->RequestCount(), 3);
  ASSERT_EQ(sleeps_.size(), 2u);
  EXPECT_LE(sleeps_[0], milliseconds(100));
  EXPECT_LE(sleeps_[1], milliseconds(200));

  fake_->FailNext(2, 0, "");  // connection errors
  EXPECT_TRUE(store->Get("k"));
  EXPECT_EQ(fake_->RequestCount(), 6);
}

TEST_F(S3StoreTest, GivesUpAfterMaxAttempts) {
  auto store = Store();
  fake_->FailNext(4, 500, "InternalError");
  auto r = store->Get("k");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message().find("InternalError"), std::string::npos);
  EXPECT_NE(r.error().message().find("request id FAKEREQUEST"),
            std::string::npos);
  EXPECT_EQ(fake_->RequestCount(), 4);
  EXPECT_EQ(sleeps_.size(), 3u);

  fake_->FailNext(4, 0, "");
  auto down = store->Head("k");
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(down.error().message().find("failed 4 times"), std::string::npos);
}

TEST_F(S3StoreTest, NeverRetriesClientErrors) {
  auto store = Store();
  for (auto [status, code, expected] :
       std::vector<std::tuple<int, std::string, ErrorCode>>{
           {400, "InvalidRequest", ErrorCode::kInvalidArgument},
           {403, "AccessDenied", ErrorCode::kPermissionDenied},
           {404, "NoSuchBucket", ErrorCode::kNotFound},
           {409, "ConditionalRequestConflict", ErrorCode::kFailedPrecondition},
           {412, "PreconditionFailed", ErrorCode::kFailedPrecondition}}) {
    const int before = fake_->RequestCount();
    fake_->FailNext(1, status, code);
    auto r = store->Put("k", "v", {});
    ASSERT_FALSE(r) << code;
    EXPECT_EQ(r.error().code(), expected) << code;
    EXPECT_NE(r.error().message().find(code), std::string::npos);
    EXPECT_EQ(fake_->RequestCount(), before + 1) << code;
  }
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(S3StoreTest, ConditionalPutWhoseAnswerWasLostStillSucceeds) {
  auto store = Store();
  PutOptions create;
  create.if_none_match_star = true;
  // The first attempt creates the object but its answer is lost; the retry
  // then meets its own object (412), which must not count as a failure.
  fake_->LoseNextAnswers(1);
  auto r = store->Put("once", "mine", create);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->etag, ComputeEtag("mine"));
  // Someone else's object is still a failed precondition.
  fake_->LoseNextAnswers(1);
  auto other = store->Put("once", "theirs", create);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code(), ErrorCode::kFailedPrecondition);
}

TEST_F(S3StoreTest, DeleteOfMissingKeyAndBucketErrors) {
  auto store = Store();
  EXPECT_TRUE(store->Delete("missing"));
  fake_->FailNext(1, 404, "NoSuchKey");
  EXPECT_TRUE(store->Delete("missing"));
  fake_->FailNext(1, 404, "NoSuchBucket");
  auto r = store->Delete("missing");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
}

TEST_F(S3StoreTest, RangedGetSendsRangeAndReportsWholeSize) {
  auto store = Store();
  ASSERT_TRUE(store->Put("r", "0123456789", {}));
  auto got = store->Get("r", ByteRange{2, 3});
  ASSERT_TRUE(got);
  EXPECT_TRUE(HasHeader(fake_->LastRequest(), "Range", "bytes=2-4"));
  EXPECT_EQ(got->bytes, "234");
  EXPECT_EQ(got->info.size, 10u);
  got = store->Get("r", ByteRange{7, std::nullopt});
  ASSERT_TRUE(got);
  EXPECT_TRUE(HasHeader(fake_->LastRequest(), "Range", "bytes=7-"));
}

TEST_F(S3StoreTest, UrlsForAws) {
  // A transport that records and answers 200, to see the URLs built.
  struct Recorder final : HttpTransport {
    Result<HttpResponse> Send(const HttpRequest& request) override {
      std::lock_guard lock(mu);
      urls.push_back(request.url);
      for (const auto& [n, v] : request.headers) {
        if (n == "Host") hosts.push_back(v);
      }
      HttpResponse r;
      r.status = 200;
      return r;
    }
    std::mutex mu;
    std::vector<std::string> urls, hosts;
  };
  auto recorder = std::make_shared<Recorder>();
  S3Options options;
  options.bucket = "invoices-prod";
  options.region = "eu-west-1";
  options.credentials = {"AKID", "SECRET", ""};
  auto virtual_hosted = NewS3Store(options, recorder);
  ASSERT_TRUE(virtual_hosted);
  ASSERT_TRUE((*virtual_hosted)->Delete("a/b.json"));
  options.path_style = true;
  auto path_style = NewS3Store(options, recorder);
  ASSERT_TRUE(path_style);
  ASSERT_TRUE((*path_style)->Delete("a/b.json"));
  EXPECT_EQ(recorder->urls,
            (std::vector<std::string>{
                "https://invoices-prod.s3.eu-west-1.amazonaws.com/a/b.json",
                "https://s3.eu-west-1.amazonaws.com/invoices-prod/a/b.json"}));
  EXPECT_EQ(recorder->hosts, (std::vector<std::string>{
                                 "invoices-prod.s3.eu-west-1.amazonaws.com",
                                 "s3.eu-west-1.amazonaws.com"}));
}

TEST_F(S3StoreTest, PresignGet) {
  const auto now = std::chrono::system_clock::from_time_t(1700000000);
  options_.now = [now] { return now; };
  auto url = Store()->PresignGet("users/u 1/a.jpg", std::chrono::seconds(300));
  ASSERT_TRUE(url) << url.error().ToString();
  SigningRequest request;
  request.method = "GET";
  request.path = "/test-bucket/users/u%201/a.jpg";
  request.headers = {{"Host", "fake-s3.invalid:9000"}};
  SigningConfig config;
  config.credentials = options_.credentials;
  config.region = "us-east-1";
  config.service = "s3";
  config.time = now;
  config.normalize_path = false;
  config.encode_path = false;
  config.payload_hash = std::string(kUnsignedPayload);
  config.expires = std::chrono::seconds(300);
  auto expected = PresignWithQuery(request, config);
  ASSERT_TRUE(expected);
  EXPECT_EQ(
      *url,
      "http://fake-s3.invalid:9000/test-bucket/users/u%201/a.jpg"
      "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
      "&X-Amz-Credential=AKIDFAKE%2F20231114%2Fus-east-1%2Fs3%2Faws4_request"
      "&X-Amz-Date=20231114T221320Z&X-Amz-SignedHeaders=host"
      "&X-Amz-Expires=300&X-Amz-Signature=" +
          expected->signature);
  EXPECT_NE(expected->canonical_request.find("UNSIGNED-PAYLOAD"),
            std::string::npos);
  EXPECT_EQ(Store()->PresignGet("k", std::chrono::seconds(0)).error().code(),
            ErrorCode::kInvalidArgument);
}

// The URLs work: the fake checks a presigned request's signature and expiry
// as S3 does, so an upload through a PUT URL lands under its key, and a
// changed key, method or expired URL is refused.
TEST_F(S3StoreTest, PresignedPutAndGetAreServed) {
  auto store = Store();
  auto put_url =
      store->PresignPut("uploads/u1/01J/a b.jpg", std::chrono::seconds(300));
  ASSERT_TRUE(put_url) << put_url.error().ToString();
  EXPECT_NE(put_url->find("X-Amz-SignedHeaders=host&"), std::string::npos);
  auto put = fake_->Send(
      {"PUT", *put_url, {{"Content-Type", "image/jpeg"}}, "picture bytes"});
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 200) << put->body;
  auto stored = store->Get("uploads/u1/01J/a b.jpg");
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_EQ(stored->bytes, "picture bytes");
  EXPECT_EQ(stored->info.content_type, "image/jpeg");

  // The URL is for that key and that method only.
  std::string other = *put_url;
  other.replace(other.find("a%20b.jpg"), 9, "c%20d.jpg");
  EXPECT_EQ(fake_->Send({"PUT", other, {}, "x"})->status, 403);
  EXPECT_EQ(fake_->Send({"GET", *put_url, {}, ""})->status, 403);
  EXPECT_FALSE(store->Head("uploads/u1/01J/c d.jpg"));

  auto get_url =
      store->PresignGet("uploads/u1/01J/a b.jpg", std::chrono::seconds(60));
  ASSERT_TRUE(get_url);
  auto got = fake_->Send({"GET", *get_url, {}, ""});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "picture bytes");

  // Signed an hour ago for a minute: expired.
  options_.now = [] {
    return std::chrono::system_clock::now() - std::chrono::hours(1);
  };
  auto stale =
      Store()->PresignPut("uploads/u1/late.jpg", std::chrono::seconds(60));
  ASSERT_TRUE(stale);
  auto refused = fake_->Send({"PUT", *stale, {}, "late"});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_NE(refused->body.find("expired"), std::string::npos);
  EXPECT_FALSE(store->Head("uploads/u1/late.jpg"));

  EXPECT_EQ(store->PresignPut("k", std::chrono::seconds(0)).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->PresignPut("/k", std::chrono::seconds(9)).error().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(S3StoreTest, FactoryRefusesIncompleteOptions) {
  S3Options options = FakeS3StoreOptions();
  options.bucket.clear();
  EXPECT_EQ(NewS3Store(options, fake_).error().code(),
            ErrorCode::kInvalidArgument);
  options = FakeS3StoreOptions();
  options.credentials.secret_access_key.clear();
  EXPECT_EQ(NewS3Store(options, fake_).error().code(),
            ErrorCode::kInvalidArgument);
  options = FakeS3StoreOptions();
  options.endpoint = "ftp://x";
  EXPECT_EQ(NewS3Store(options, fake_).error().code(),
            ErrorCode::kInvalidArgument);
}

// ------------------------------------------------------------ protocol --

TEST(S3ProtocolTest, ParseListObjectsV2) {
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount>
  <MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
  <Contents>
    <Key>p/a&amp;b &lt;c&gt; &#38;&#x41;.txt</Key>
    <LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
    <Size>434234</Size>
    <StorageClass>STANDARD</StorageClass>
    <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner>
  </Contents>
  <Contents><Key>p/empty</Key><LastModified>2020-01-01T00:00:00Z</LastModified><ETag>"x"</ETag><Size>0</Size></Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>)";
  auto parsed = ParseListObjectsV2(xml);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->objects.size(), 2u);
  EXPECT_EQ(parsed->objects[0].key, "p/a&b <c> &A.txt");
  EXPECT_EQ(parsed->objects[0].etag, "\"fba9dede5f27731c9771645a39863328\"");
  EXPECT_EQ(parsed->objects[0].size, 434234u);
  EXPECT_EQ(parsed->objects[0].last_modified,
            std::chrono::system_clock::from_time_t(1255369830));
  EXPECT_EQ(parsed->objects[1].key, "p/empty");
  EXPECT_EQ(parsed->objects[1].size, 0u);
  EXPECT_TRUE(parsed->is_truncated);
  EXPECT_EQ(parsed->next_continuation_token,
            "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");

  auto empty = ParseListObjectsV2(
      "<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0"
      "</KeyCount></ListBucketResult>");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->objects.empty());
  EXPECT_FALSE(empty->is_truncated);
  EXPECT_FALSE(ParseListObjectsV2("<Error><Code>x</Code></Error>"));
}

TEST(S3ProtocolTest, XmlUnescape) {
  EXPECT_EQ(XmlUnescape("a&amp;b&lt;&gt;&quot;&apos;"), "a&b<>\"'");
  EXPECT_EQ(XmlUnescape("&#233;&#xE9;&#x1F600;"),
            "\xc3\xa9\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(XmlUnescape("&unknown; & &#xD800; &"), "&unknown; & &#xD800; &");
}

TEST(S3ProtocolTest, ParseS3Error) {
  auto info = ParseS3Error(
      "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The "
      "resource &amp; you requested does not exist</Message><Resource>/b/k"
      "</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>");
  EXPECT_EQ(info.code, "NoSuchKey");
  EXPECT_EQ(info.message, "The resource & you requested does not exist");
  EXPECT_EQ(info.request_id, "4442587FB7D0A2F9");
  EXPECT_EQ(ParseS3Error("").code, "");
  EXPECT_EQ(ParseS3Error("not xml").code, "");
}

TEST(S3ProtocolTest, ErrorTranslation) {
  const S3ErrorInfo info{"SlowDown", "Reduce your request rate.", "RID"};
  const core::Error e = S3ErrorToError(503, info, "PUT", "a/b");
  EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(e.message(),
            "S3 PUT 'a/b': HTTP 503 SlowDown (Reduce your request rate.), "
            "request id RID");
  EXPECT_EQ(S3ErrorToError(404, {}, "GET", "k").code(), ErrorCode::kNotFound);
  EXPECT_EQ(S3ErrorToError(412, {}, "PUT", "k").code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(S3ErrorToError(416, {}, "GET", "k").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(S3ErrorToError(403, {}, "GET", "k").code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(S3ErrorToError(429, {}, "GET", "k").code(),
            ErrorCode::kUnavailable);
  EXPECT_EQ(S3ErrorToError(301, {}, "GET", "k").code(), ErrorCode::kInternal);
}

TEST(S3ProtocolTest, RetryPolicy) {
  S3RetryPolicy policy;
  EXPECT_TRUE(policy.IsRetryable(0, ""));
  EXPECT_TRUE(policy.IsRetryable(500, ""));
  EXPECT_TRUE(policy.IsRetryable(502, ""));
  EXPECT_TRUE(policy.IsRetryable(503, "SlowDown"));
  EXPECT_TRUE(policy.IsRetryable(504, ""));
  EXPECT_TRUE(policy.IsRetryable(400, "RequestTimeout"));
  EXPECT_FALSE(policy.IsRetryable(400, ""));
  EXPECT_FALSE(policy.IsRetryable(403, "AccessDenied"));
  EXPECT_FALSE(policy.IsRetryable(404, "NoSuchKey"));
  EXPECT_FALSE(policy.IsRetryable(412, "PreconditionFailed"));
  EXPECT_FALSE(policy.IsRetryable(501, "NotImplemented"));
  EXPECT_EQ(policy.Ceiling(1), milliseconds(100));
  EXPECT_EQ(policy.Ceiling(2), milliseconds(200));
  EXPECT_EQ(policy.Ceiling(3), milliseconds(400));
  EXPECT_EQ(policy.Ceiling(7), milliseconds(5000));
  EXPECT_EQ(policy.Ceiling(1000), milliseconds(5000));
  EXPECT_EQ(policy.Delay(3, 0.0), milliseconds(0));
  EXPECT_EQ(policy.Delay(3, 0.5), milliseconds(200));
  EXPECT_LT(policy.Delay(3, 0.999), milliseconds(400));
}

TEST(S3ProtocolTest, Dates) {
  EXPECT_EQ(
      ParseIsoTime("2009-10-12T17:50:30.5Z"),
      std::chrono::system_clock::from_time_t(1255369830) + milliseconds(500));
  EXPECT_EQ(ParseIsoTime("2009-10-12T17:50:30Z"),
            std::chrono::system_clock::from_time_t(1255369830));
  EXPECT_FALSE(ParseIsoTime("2009-10-12"));
  EXPECT_FALSE(ParseIsoTime("2009-10-12T17:50:30+01:00"));
  EXPECT_EQ(ParseHttpDate("Mon, 12 Oct 2009 17:50:30 GMT"),
            std::chrono::system_clock::from_time_t(1255369830));
  EXPECT_FALSE(ParseHttpDate("yesterday"));
}

// Found by tests/fuzz/s3_xml_fuzz.cpp: a year beyond what system_clock holds
// (1678..2261) overflowed from_time_t, undefined behaviour. Such a date is
// no date (LastModified then reads as the epoch, as when it is missing).
TEST(S3ProtocolTest, DatesBeyondTheClockAreRefused) {
  EXPECT_FALSE(ParseIsoTime("1123-01-01T00:00:00Z"));
  EXPECT_FALSE(ParseIsoTime("9999-12-31T23:59:59.999Z"));
  EXPECT_FALSE(ParseHttpDate("Fri, 31 Dec 9999 23:59:59 GMT"));
  EXPECT_TRUE(ParseIsoTime("2200-01-01T00:00:00Z"));
  EXPECT_TRUE(ParseHttpDate("Tue, 01 Jan 1680 00:00:00 GMT"));
  auto list = ParseListObjectsV2(
      "<ListBucketResult><Contents><Key>a</Key><LastModified>"
      "1123-01-01T00:00:00Z</LastModified></Contents></ListBucketResult>");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->objects.size(), 1u);
  EXPECT_EQ(list->objects[0].last_modified,
            std::chrono::system_clock::time_point());
}

class EnvVar {
 public:
  EnvVar(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value == nullptr) {
      ::unsetenv(name);
    } else {
      ::setenv(name, value, 1);
    }
  }
  ~EnvVar() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(S3ProtocolTest, OptionsFromUrlAndEnvironment) {
  EnvVar region("AWS_REGION", "eu-central-1");
  EnvVar key("AWS_ACCESS_KEY_ID", "AKID");
  EnvVar secret("AWS_SECRET_ACCESS_KEY", "SECRET");
  EnvVar token("AWS_SESSION_TOKEN", "TOKEN");
  EnvVar endpoint("AWS_ENDPOINT_URL_S3", nullptr);
  EnvVar endpoint2("AWS_ENDPOINT_URL", nullptr);
  auto options = S3OptionsFromUrl("s3://my-bucket/some/prefix/");
  ASSERT_TRUE(options) << options.error().ToString();
  EXPECT_EQ(options->bucket, "my-bucket");
  EXPECT_EQ(options->prefix, "some/prefix");
  EXPECT_EQ(options->region, "eu-central-1");
  EXPECT_EQ(options->credentials.access_key_id, "AKID");
  EXPECT_EQ(options->credentials.secret_access_key, "SECRET");
  EXPECT_EQ(options->credentials.session_token, "TOKEN");
  EXPECT_TRUE(options->endpoint.empty());
  EXPECT_FALSE(options->path_style);
  {
    EnvVar e("AWS_ENDPOINT_URL", "http://127.0.0.1:4569");
    auto with_endpoint = S3OptionsFromUrl("s3://my-bucket");
    ASSERT_TRUE(with_endpoint);
    EXPECT_EQ(with_endpoint->endpoint, "http://127.0.0.1:4569");
    EXPECT_TRUE(with_endpoint->path_style);
    EXPECT_EQ(with_endpoint->prefix, "");
    EnvVar s3("AWS_ENDPOINT_URL_S3", "http://s3.local:9000");
    EXPECT_EQ(S3OptionsFromUrl("s3://my-bucket")->endpoint,
              "http://s3.local:9000");
  }
  for (const char* bad :
       {"s3://", "s3://A_B", "s3://ab", "s3://b/a//c", "s3://-bucket"}) {
    EXPECT_FALSE(S3OptionsFromUrl(bad)) << bad;
  }
  EnvVar no_region("AWS_REGION", nullptr);
  EnvVar default_region("AWS_DEFAULT_REGION", nullptr);
  EXPECT_EQ(S3OptionsFromUrl("s3://my-bucket")->region, "us-east-1");
}

// ---------------------------------------------------------------- curl --

// A one-connection-at-a-time HTTP server on 127.0.0.1 that records each
// request and answers with `reply` (or never, when `silent`).
class TinyServer {
 public:
  TinyServer(std::string reply, bool silent = false)
      : reply_(std::move(reply)), silent_(silent) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 8);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TinyServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  int connections() const { return connections_; }

 private:
  void Serve() {
    while (!stop_) {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      ++connections_;
      // Keep-alive: answer requests on this connection until it closes.
      std::string buffer;
      char chunk[4096];
      while (true) {
        const size_t head_end = buffer.find("\r\n\r\n");
        if (head_end != std::string::npos) {
          size_t length = 0;
          const size_t cl = buffer.find("Content-Length: ");
          if (cl != std::string::npos && cl < head_end) {
            length = std::stoul(buffer.substr(cl + 16));
          }
          if (buffer.size() >= head_end + 4 + length) {
            {
              std::lock_guard lock(mu_);
              requests_.push_back(buffer.substr(0, head_end + 4 + length));
            }
            buffer.erase(0, head_end + 4 + length);
            if (silent_) continue;
            ::send(client, reply_.data(), reply_.size(), MSG_NOSIGNAL);
            continue;
          }
        }
        const ssize_t n = ::recv(client, chunk, sizeof(chunk), 0);
        if (n <= 0) break;
        buffer.append(chunk, static_cast<size_t>(n));
      }
      ::close(client);
    }
  }

  std::string reply_;
  bool silent_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_ = false;
  std::atomic<int> connections_ = 0;
  std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

TEST(CurlTransportTest, SendsAndReceivesWithConnectionReuse) {
  TinyServer server(
      "HTTP/1.1 200 OK\r\nETag: \"abc\"\r\nX-Amz-Meta-K: v\r\n"
      "Content-Length: 5\r\n\r\nhello");
  auto transport = NewCurlTransport(milliseconds(2000), milliseconds(5000));
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  HttpRequest put{
      "PUT", base + "/b/k%20x", {{"Host", "example"}, {"X-Empty", ""}}, "BODY"};
  auto r = transport->Send(put);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->Header("etag"), "\"abc\"");
  EXPECT_EQ(r->Header("x-amz-meta-k"), "v");
  HttpRequest get{"GET", base + "/b/k", {}, ""};
  ASSERT_TRUE(transport->Send(get));
  HttpRequest del{"DELETE", base + "/b/k", {}, ""};
  ASSERT_TRUE(transport->Send(del));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_TRUE(requests[0].starts_with("PUT /b/k%20x HTTP/1.1\r\n"));
  EXPECT_NE(requests[0].find("Host: example\r\n"), std::string::npos);
  EXPECT_NE(requests[0].find("X-Empty:\r\n"), std::string::npos);
  EXPECT_EQ(requests[0].find("Expect:"), std::string::npos);
  EXPECT_TRUE(requests[0].ends_with("\r\n\r\nBODY"));
  EXPECT_TRUE(requests[1].starts_with("GET /b/k HTTP/1.1\r\n"));
  EXPECT_TRUE(requests[2].starts_with("DELETE /b/k HTTP/1.1\r\n"));
  EXPECT_EQ(server.connections(), 1);  // one connection, reused
}

// The Lambda package brings its own CA file; SSL_CERT_FILE names it.
TEST(CurlTransportTest, TheCaFileComesFromTheEnvironment) {
  TinyServer server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  const std::string url =
      "https://127.0.0.1:" + std::to_string(server.port()) + "/b/k";
  EnvVar ca("SSL_CERT_FILE", "/nonexistent/invoices-ca.pem");
  auto transport = NewCurlTransport(milliseconds(2000), milliseconds(5000));
  auto r = transport->Send({"GET", url, {}, ""});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message().find("/nonexistent/invoices-ca.pem"),
            std::string::npos)
      << r.error().message();
}

TEST(CurlTransportTest, HeadHasNoBody) {
  TinyServer server(
      "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
      "x-amz-request-id: RID\r\n\r\n");
  auto transport = NewCurlTransport(milliseconds(2000), milliseconds(5000));
  HttpRequest head{"HEAD",
                   "http://127.0.0.1:" + std::to_string(server.port()) + "/b/k",
                   {},
                   ""};
  auto r = transport->Send(head);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->Header("X-Amz-Request-Id"), "RID");
}

TEST(CurlTransportTest, ConnectionRefusedIsUnavailable) {
  int port;
  {
    TinyServer server("");
    port = server.port();
  }  // closed: nothing listens there now
  auto transport = NewCurlTransport(milliseconds(2000), milliseconds(5000));
  auto r = transport->Send(
      {"GET", "http://127.0.0.1:" + std::to_string(port) + "/", {}, ""});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
}

TEST(CurlTransportTest, SilenceIsDeadlineExceeded) {
  TinyServer server("", /*silent=*/true);
  auto transport = NewCurlTransport(milliseconds(2000), milliseconds(300));
  auto r = transport->Send(
      {"GET",
       "http://127.0.0.1:" + std::to_string(server.port()) + "/",
       {},
       ""});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace invoices::store
