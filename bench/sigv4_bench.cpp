// sigv4_bench: the cost of Signature V4 as the S3 store pays it on every
// request (issue 4): signing a GET, a conditional PUT and a ListObjectsV2
// query with the Authorization header, presigning a GET URL, and the pieces
// (the signing key derivation, the payload hash S3 needs for a PUT body).
// Google Benchmark.
//
//   sigv4_bench [--benchmark_repetitions=5 --benchmark_report_aggregates_only]
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "invoices/store/digest.h"
#include "invoices/store/object_store.h"
#include "invoices/store/sigv4.h"

namespace {

namespace st = invoices::store;

const char* const kHost = "invoices-prod.s3.eu-west-1.amazonaws.com";
const char* const kKeyPath =
    "/users/5f1c0d2e-1111-4222-8333-944455556666/invoices/"
    "01JD2Q7W8X9Y0Z1A2B3C4D5E6F/invoice.json";

// As S3Store signs: S3's path rules, x-amz-content-sha256, a session token
// (Lambda's credentials always have one).
st::SigningConfig S3Config() {
  st::SigningConfig c;
  c.credentials = {"ASIAIOSFODNN7EXAMPLE",
                   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                   std::string(800, 'T')};  // session tokens are ~800 bytes
  c.region = "eu-west-1";
  c.service = "s3";
  c.time = std::chrono::system_clock::now();
  c.normalize_path = false;
  c.encode_path = false;
  c.add_content_sha256_header = true;
  return c;
}

void BM_SignGet(benchmark::State& state) {
  st::SigningRequest r;
  r.method = "GET";
  r.path = kKeyPath;
  r.headers = {{"Host", kHost}};
  st::SigningConfig c = S3Config();
  c.payload_hash = st::HexEncode(st::Sha256(""));
  for (auto _ : state) {
    auto signed_request = st::SignWithHeaders(r, c);
    benchmark::DoNotOptimize(signed_request);
  }
}
BENCHMARK(BM_SignGet)->Unit(benchmark::kMicrosecond);

// A conditional PUT of invoice.json with its content type and an
// If-Match, the payload hash computed by the caller (as S3Store does).
void BM_SignPut(benchmark::State& state) {
  st::SigningRequest r;
  r.method = "PUT";
  r.path = kKeyPath;
  r.headers = {{"Host", kHost},
               {"Content-Type", "application/json"},
               {"If-Match", "\"9e107d9d372bb6826bd81d3542a419d6\""},
               {"x-amz-server-side-encryption", "AES256"}};
  st::SigningConfig c = S3Config();
  c.payload_hash = st::HexEncode(st::Sha256(std::string(4096, 'x')));
  for (auto _ : state) {
    auto signed_request = st::SignWithHeaders(r, c);
    benchmark::DoNotOptimize(signed_request);
  }
}
BENCHMARK(BM_SignPut)->Unit(benchmark::kMicrosecond);

// ListObjectsV2 with a continuation token (the query is canonicalised).
void BM_SignList(benchmark::State& state) {
  st::SigningRequest r;
  r.method = "GET";
  r.path = "/";
  r.query =
      "continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2FwIM5%2BZf2h8t"
      "&list-type=2&max-keys=1000&prefix=users%2F5f1c0d2e-1111-4222-8333-"
      "944455556666%2Finvoices%2F";
  r.headers = {{"Host", kHost}};
  st::SigningConfig c = S3Config();
  c.payload_hash = st::HexEncode(st::Sha256(""));
  for (auto _ : state) {
    auto signed_request = st::SignWithHeaders(r, c);
    benchmark::DoNotOptimize(signed_request);
  }
}
BENCHMARK(BM_SignList)->Unit(benchmark::kMicrosecond);

// A presigned GET URL (the picture redirect), as S3Store::PresignGet makes.
void BM_PresignGet(benchmark::State& state) {
  st::SigningRequest r;
  r.method = "GET";
  r.path = kKeyPath;
  r.headers = {{"Host", kHost}};
  st::SigningConfig c = S3Config();
  c.payload_hash = std::string(st::kUnsignedPayload);
  c.add_content_sha256_header = false;
  c.expires = std::chrono::seconds(300);
  for (auto _ : state) {
    auto url = st::PresignWithQuery(r, c);
    benchmark::DoNotOptimize(url);
  }
}
BENCHMARK(BM_PresignGet)->Unit(benchmark::kMicrosecond);

// The four chained HMACs of the signing key (a part of every signature).
void BM_DeriveSigningKey(benchmark::State& state) {
  for (auto _ : state) {
    auto key = st::DeriveSigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                    "20261124", "eu-west-1", "s3");
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_DeriveSigningKey)->Unit(benchmark::kMicrosecond);

// The payload hash of a PUT body (x-amz-content-sha256): invoice.json is a
// few KB, an original picture 100 KB to a few MB.
void BM_PayloadSha256(benchmark::State& state) {
  const std::string body(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    auto hex = st::HexEncode(st::Sha256(body));
    benchmark::DoNotOptimize(hex);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}
BENCHMARK(BM_PayloadSha256)
    ->ArgName("bytes")
    ->Arg(4 << 10)
    ->Arg(1 << 20)
    ->Unit(benchmark::kMicrosecond);

// The ETag every backend computes on Put (MD5), for comparison.
void BM_EtagMd5(benchmark::State& state) {
  const std::string body(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    auto etag = st::ComputeEtag(body);
    benchmark::DoNotOptimize(etag);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}
BENCHMARK(BM_EtagMd5)
    ->ArgName("bytes")
    ->Arg(4 << 10)
    ->Arg(1 << 20)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
