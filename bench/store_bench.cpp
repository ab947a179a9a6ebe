// store_bench: latency of each ObjectStore operation against one backend
// (issue 4: the folder store and an S3-compatible server), one request at a
// time, as the invoice functions make them.
//
//   store_bench --store URL [--n 200] [--list-keys 1000]
//
// URL as for `--store` (file:///path, s3://bucket[/prefix], memory://); the
// S3 store takes its credentials and endpoint from the AWS_* environment.
// Everything is written under a fresh prefix (bench/<random>/) and deleted at
// the end. Objects: 4 KiB (an invoice.json) and 256 KiB (a receipt picture).
#include <cstdio>
#include <string>
#include <vector>

#include "bench_util.h"
#include "invoices/core/ids.h"
#include "invoices/store/object_store.h"

namespace st = invoices::store;
using bench::Check;
using bench::Clock;

namespace {

struct Row {
  std::string name;
  std::vector<double> ms;
};

void Print(const Row& r) {
  std::printf("| %s | %zu | %.3f | %.3f | %.3f | %.3f |\n", r.name.c_str(),
              r.ms.size(), bench::Percentile(r.ms, 0.5),
              bench::Percentile(r.ms, 0.9), bench::Percentile(r.ms, 0.99),
              *std::max_element(r.ms.begin(), r.ms.end()));
  std::fflush(stdout);
}

template <class F>
Row Time(std::string name, int n, F&& op) {
  Row row{std::move(name), {}};
  row.ms.reserve(n);
  for (int i = 0; i < n; ++i) {
    const auto t = Clock::now();
    op(i);
    row.ms.push_back(bench::Ms(Clock::now() - t));
  }
  return row;
}

std::string Bytes(size_t n, int seed) {
  std::string s(n, '\0');
  uint32_t x = 2463534242u + seed;
  for (char& c : s) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    c = static_cast<char>(x);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int n = 200, list_keys = 1000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : ""; };
    if (a == "--store") {
      url = next();
    } else if (a == "--n") {
      n = std::stoi(next());
    } else if (a == "--list-keys") {
      list_keys = std::stoi(next());
    } else {
      url.clear();
      break;
    }
  }
  if (url.empty() || n < 1 || list_keys < 1) {
    std::fprintf(stderr,
                 "usage: store_bench --store URL [--n 200] [--list-keys "
                 "1000]\n");
    return 2;
  }
  auto store = Check(st::OpenStore(url), "open " + url);
  const std::string base = "bench/" + invoices::core::NewId() + "/";
  const std::string small = Bytes(4 << 10, 1), large = Bytes(256 << 10, 2);
  auto key = [&](const char* kind, int i) {
    return base + kind + "/" + std::to_string(1000000 + i);
  };

  // Warm-up: the first request opens the connection (S3) or the folders.
  for (int i = 0; i < 5; ++i) {
    Check(store->Put(base + "warm", small, {}), "warm-up put");
    Check(store->Get(base + "warm"), "warm-up get");
  }

  std::printf("store: %s, %d requests each, one at a time\n\n", url.c_str(), n);
  std::printf("| operation | n | p50 ms | p90 ms | p99 ms | max ms |\n");
  std::printf("| --- | --- | --- | --- | --- | --- |\n");
  st::PutOptions json;
  json.content_type = "application/json";
  Print(Time("put 4 KiB, new key", n, [&](int i) {
    Check(store->Put(key("a", i), small, json), "put");
  }));
  st::PutOptions if_none = json;
  if_none.if_none_match_star = true;
  Print(Time("put 4 KiB, If-None-Match: * (new key)", n, [&](int i) {
    Check(store->Put(key("b", i), small, if_none), "put if-none-match");
  }));
  std::vector<std::string> etags(n);
  for (int i = 0; i < n; ++i) {
    etags[i] = Check(store->Head(key("a", i)), "head").etag;
  }
  Print(Time("put 4 KiB, If-Match (replace)", n, [&](int i) {
    st::PutOptions o = json;
    o.if_match_etag = etags[i];
    Check(store->Put(key("a", i), Bytes(4 << 10, 3), o), "put if-match");
  }));
  // Some S3 stand-ins (s3rver 3.7.1) ignore preconditions on PUT: say so
  // instead of timing a write that happened.
  if (store->Put(key("b", 0), small, if_none)) {
    std::printf(
        "| put 4 KiB, If-None-Match: * on an existing key: NOT refused (the "
        "server ignores If-None-Match on PUT) | - | - | - | - | - |\n");
  } else {
    Print(Time("put 4 KiB, If-None-Match: * refused (exists)", n, [&](int i) {
      if (store->Put(key("b", i), small, if_none)) {
        std::fprintf(stderr, "store_bench: a conditional put went through\n");
        std::exit(1);
      }
    }));
  }
  st::PutOptions jpeg;
  jpeg.content_type = "image/jpeg";
  Print(Time("put 256 KiB, new key", n, [&](int i) {
    Check(store->Put(key("c", i), large, jpeg), "put large");
  }));
  Print(Time("get 4 KiB", n,
             [&](int i) { Check(store->Get(key("a", i)), "get"); }));
  Print(Time("get 256 KiB", n,
             [&](int i) { Check(store->Get(key("c", i)), "get large"); }));
  Print(Time("get 64 KiB range of 256 KiB", n, [&](int i) {
    Check(store->Get(key("c", i), st::ByteRange{65536, 65536}), "get range");
  }));
  Print(Time("get missing key (not found)", n, [&](int i) {
    auto r = store->Get(key("missing", i));
    if (r || r.error().code() != invoices::core::ErrorCode::kNotFound) {
      std::fprintf(stderr, "store_bench: a missing key was found\n");
      std::exit(1);
    }
  }));
  Print(
      Time("head", n, [&](int i) { Check(store->Head(key("a", i)), "head"); }));

  // Listing: a prefix holding `list_keys` small objects.
  for (int i = 0; i < list_keys; ++i) {
    Check(store->Put(key("list", i), "x", {}), "put for list");
  }
  const std::string list_prefix = base + "list/";
  const int list_n = std::max(10, n / 4);
  Print(Time("list " + std::to_string(std::min(list_keys, 1000)) + " of " +
                 std::to_string(list_keys) + " keys (one page)",
             list_n, [&](int) {
               auto page = Check(store->List(list_prefix, "", 1000), "list");
               if (page.objects.size() != size_t(std::min(list_keys, 1000))) {
                 std::fprintf(stderr, "store_bench: short list page\n");
                 std::exit(1);
               }
             }));
  Print(Time("list 50 of " + std::to_string(list_keys) + " keys", list_n,
             [&](int) { Check(store->List(list_prefix, "", 50), "list"); }));
  std::string mid_token;
  if (list_keys > 100) {
    mid_token =
        Check(store->List(list_prefix, "", list_keys / 2), "list").next_token;
    Print(Time(
        "list 50 after a continuation token (mid-prefix)", list_n,
        [&](int) { Check(store->List(list_prefix, mid_token, 50), "list"); }));
  }
  Print(Time("list an empty prefix", list_n, [&](int) {
    Check(store->List(base + "nothing/", "", 1000), "list");
  }));
  if (auto url_or = store->PresignGet(key("c", 0), std::chrono::seconds(300));
      url_or) {
    Print(Time("presign GET (no request)", n, [&](int i) {
      Check(store->PresignGet(key("c", i), std::chrono::seconds(300)),
            "presign");
    }));
  }
  Print(Time("delete", n,
             [&](int i) { Check(store->Delete(key("a", i)), "delete"); }));
  Print(Time("delete missing key", n,
             [&](int i) { Check(store->Delete(key("a", i)), "delete"); }));

  // Clean up.
  for (int i = 0; i < n; ++i) {
    Check(store->Delete(key("b", i)), "clean up");
    Check(store->Delete(key("c", i)), "clean up");
  }
  for (int i = 0; i < list_keys; ++i) {
    Check(store->Delete(key("list", i)), "clean up");
  }
  Check(store->Delete(base + "warm"), "clean up");
  return 0;
}
