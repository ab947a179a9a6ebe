// Signature V4 against every case of the AWS signing test suite: each case's
// request is signed with headers and with query parameters, and every file
// of the case (canonical request, string to sign, signature, signed request)
// must be reproduced byte for byte.
#include "invoices/store/sigv4.h"

#include <gtest/gtest.h>
#include <time.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "invoices/store/digest.h"

namespace invoices::store {
namespace {

namespace fs = std::filesystem;

const fs::path kSuite = fs::path(INVOICES_SHARED_DIR) / "testdata/aws-sigv4/v4";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// request.txt: a request line, header lines (a line starting with whitespace
// continues the previous value), then an optional blank line and body.
struct RawRequest {
  std::string method;
  std::string target;  // path and query as on the request line
  std::string version;
  std::vector<std::pair<std::string, std::string>> headers;  // values raw
  std::string body;
  bool has_body_separator = false;
};

RawRequest ParseRequest(const std::string& text) {
  RawRequest r;
  size_t pos = text.find('\n');
  const std::string line = text.substr(0, pos);
  const size_t first = line.find(' ');
  const size_t last = line.rfind(' ');
  r.method = line.substr(0, first);
  r.target = line.substr(first + 1, last - first - 1);
  r.version = line.substr(last + 1);
  pos = pos == std::string::npos ? text.size() : pos + 1;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string l = text.substr(pos, end - pos);
    pos = end + 1;
    if (l.empty()) {
      r.has_body_separator = true;
      if (pos < text.size()) r.body = text.substr(pos);
      break;
    }
    if ((l[0] == ' ' || l[0] == '\t') && !r.headers.empty()) {
      r.headers.back().second += "\n" + l;
      continue;
    }
    const size_t colon = l.find(':');
    r.headers.emplace_back(l.substr(0, colon), l.substr(colon + 1));
  }
  return r;
}

std::string Render(
    const RawRequest& r, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& added_headers) {
  std::string out = r.method + " " + target + " " + r.version + "\n";
  for (const auto& [name, value] : r.headers) out += name + ":" + value + "\n";
  for (const auto& [name, value] : added_headers) {
    out += name + ":" + value + "\n";
  }
  out += "\n" + r.body;
  return out;
}

std::chrono::system_clock::time_point ParseTime(const std::string& iso) {
  struct tm tm = {};
  ::strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

struct Case {
  std::string name;
  RawRequest raw;
  SigningRequest request;
  SigningConfig config;
};

Case LoadCase(const fs::path& dir) {
  Case c;
  c.name = dir.filename().string();
  const auto context = nlohmann::json::parse(ReadFile(dir / "context.json"));
  const auto& creds = context.at("credentials");
  c.config.credentials.access_key_id = creds.at("access_key_id");
  c.config.credentials.secret_access_key = creds.at("secret_access_key");
  c.config.credentials.session_token = creds.value("token", "");
  c.config.region = context.at("region");
  c.config.service = context.at("service");
  c.config.time = ParseTime(context.at("timestamp"));
  c.config.normalize_path = context.value("normalize", true);
  c.config.add_content_sha256_header = context.value("sign_body", false);
  c.config.omit_session_token = context.value("omit_session_token", false);
  c.config.expires =
      std::chrono::seconds(context.value("expiration_in_seconds", 3600));
  c.raw = ParseRequest(ReadFile(dir / "request.txt"));
  const size_t q = c.raw.target.find('?');
  c.request.method = c.raw.method;
  c.request.path = c.raw.target.substr(0, q);
  c.request.query = q == std::string::npos ? "" : c.raw.target.substr(q + 1);
  c.request.headers = c.raw.headers;
  return c;
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kSuite)) {
    if (e.is_directory()) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class SigV4SuiteTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SigV4SuiteTest, HeaderSigning) {
  const fs::path dir = kSuite / GetParam();
  Case c = LoadCase(dir);
  c.request.body = c.raw.body;
  auto signed_request = SignWithHeaders(c.request, c.config);
  ASSERT_TRUE(signed_request) << signed_request.error().ToString();
  EXPECT_EQ(signed_request->canonical_request,
            ReadFile(dir / "header-canonical-request.txt"));
  EXPECT_EQ(signed_request->string_to_sign,
            ReadFile(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(signed_request->signature, ReadFile(dir / "header-signature.txt"));
  EXPECT_EQ(Render(c.raw, c.raw.target, signed_request->headers),
            ReadFile(dir / "header-signed-request.txt"));
}

TEST_P(SigV4SuiteTest, QuerySigning) {
  const fs::path dir = kSuite / GetParam();
  Case c = LoadCase(dir);
  c.request.body = c.raw.body;
  auto presigned = PresignWithQuery(c.request, c.config);
  ASSERT_TRUE(presigned) << presigned.error().ToString();
  EXPECT_EQ(presigned->canonical_request,
            ReadFile(dir / "query-canonical-request.txt"));
  EXPECT_EQ(presigned->string_to_sign,
            ReadFile(dir / "query-string-to-sign.txt"));
  EXPECT_EQ(presigned->signature, ReadFile(dir / "query-signature.txt"));
  std::string target = c.raw.target;
  char separator = target.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : presigned->query) {
    target += separator + name + "=" + value;
    separator = '&';
  }
  EXPECT_EQ(Render(c.raw, target, {}),
            ReadFile(dir / "query-signed-request.txt"));
}

INSTANTIATE_TEST_SUITE_P(AwsSuite, SigV4SuiteTest,
                         ::testing::ValuesIn(CaseNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch)))
                               ch = '_';
                           }
                           return name;
                         });

TEST(SigV4Test, SuiteIsComplete) {
  // The README promises 38 cases; a missing folder must not pass silently.
  EXPECT_EQ(CaseNames().size(), 38u);
}

TEST(SigV4Test, UriEncoding) {
  EXPECT_EQ(UriEncode("a b/c~d_e.f-g", true), "a%20b/c~d_e.f-g");
  EXPECT_EQ(UriEncode("a b/c", false), "a%20b%2Fc");
  EXPECT_EQ(UriEncode("\xe1\x88\xb4+=&", false), "%E1%88%B4%2B%3D%26");
  EXPECT_EQ(*UriDecode("%E1%88%b4x%20"), "\xe1\x88\xb4x ");
  EXPECT_FALSE(UriDecode("%E"));
  EXPECT_FALSE(UriDecode("%"));
  EXPECT_FALSE(UriDecode("%zz"));
}

TEST(SigV4Test, AwsDocumentationSigningKey) {
  // The worked example of the AWS documentation ("Derive a signing key").
  EXPECT_EQ(
      HexEncode(DeriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                 "20120215", "us-east-1", "iam")),
      "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

SigningConfig S3Config() {
  SigningConfig config;
  config.credentials = {"AKIAIOSFODNN7EXAMPLE",
                        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  config.region = "us-east-1";
  config.service = "s3";
  config.time = ParseTime("2013-05-24T00:00:00Z");
  config.normalize_path = false;
  config.encode_path = false;
  return config;
}

TEST(SigV4Test, S3DocumentationGetObject) {
  // "Example: GET Object" of the S3 SigV4 documentation (header signing).
  SigningRequest request;
  request.method = "GET";
  request.path = "/test.txt";
  request.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                     {"Range", "bytes=0-9"}};
  SigningConfig config = S3Config();
  config.add_content_sha256_header = true;
  auto signed_request = SignWithHeaders(request, config);
  ASSERT_TRUE(signed_request);
  EXPECT_EQ(signed_request->signature,
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Test, S3DocumentationPresignedUrl) {
  // "Example: Query string authentication" of the S3 SigV4 documentation:
  // a presigned GET with the unsigned-payload constant.
  SigningRequest request;
  request.method = "GET";
  request.path = "/test.txt";
  request.headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  SigningConfig config = S3Config();
  config.payload_hash = std::string(kUnsignedPayload);
  config.expires = std::chrono::seconds(86400);
  auto presigned = PresignWithQuery(request, config);
  ASSERT_TRUE(presigned);
  EXPECT_EQ(presigned->signature,
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(SigV4Test, S3KeepsTheEncodedPathAsItIs) {
  SigningRequest request;
  request.method = "GET";
  request.path = "/bucket/a%20b/../c";
  request.headers = {{"Host", "localhost"}};
  auto signed_request = SignWithHeaders(request, S3Config());
  ASSERT_TRUE(signed_request);
  EXPECT_TRUE(signed_request->canonical_request.starts_with(
      "GET\n/bucket/a%20b/../c\n"));
}

TEST(SigV4Test, RefusesWhatItCannotSign) {
  SigningRequest request;
  request.method = "GET";
  request.path = "/";
  SigningConfig config = S3Config();
  EXPECT_FALSE(SignWithHeaders(request, config));  // no Host
  request.headers = {{"Host", "h"}, {"X-Amz-Date", "20130524T000000Z"}};
  EXPECT_FALSE(SignWithHeaders(request, config));  // the signer's header
  request.headers = {{"Host", "h"}};
  request.query = "a=%zz";
  EXPECT_FALSE(SignWithHeaders(request, config));
  request.query = "";
  config.credentials.secret_access_key.clear();
  EXPECT_FALSE(SignWithHeaders(request, config));
  config = S3Config();
  config.expires = std::chrono::seconds(7 * 24 * 3600 + 1);
  EXPECT_FALSE(PresignWithQuery(request, config));
}

}  // namespace
}  // namespace invoices::store
