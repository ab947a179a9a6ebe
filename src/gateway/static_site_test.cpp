#include "invoices/gateway/static_site.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace invoices::gateway {
namespace {

functions::HttpRequest Get(std::string path, std::string etag = "") {
  functions::HttpRequest r;
  r.method = "GET";
  r.raw_path = "/" + path;
  if (!path.empty()) r.path_parameters["path"] = path;
  if (!etag.empty()) r.headers["if-none-match"] = etag;
  return r;
}

TEST(StaticSiteTest, ServesAFolderWithTypesAndRevalidation) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / "invoices-static-test";
  fs::remove_all(root);
  fs::create_directories(root / "css");
  std::ofstream(root / "index.html") << "<!doctype html><title>x</title>";
  std::ofstream(root / "css" / "site.css") << "body{}";
  auto site = StaticSite::FromDirectory(root.string());
  ASSERT_TRUE(site) << site.error().ToString();
  EXPECT_EQ(site->size(), 2u);

  functions::HttpResponse index = site->Serve(Get(""));
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html><title>x</title>");
  EXPECT_EQ(index.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_FALSE(index.headers["content-security-policy"].empty());
  EXPECT_EQ(index.headers["cache-control"], "no-cache");

  functions::HttpResponse css = site->Serve(Get("css/site.css"));
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.headers["content-type"], "text/css; charset=utf-8");

  functions::HttpResponse again =
      site->Serve(Get("css/site.css", css.headers["etag"]));
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());

  functions::HttpResponse missing = site->Serve(Get("../etc/passwd"));
  EXPECT_EQ(missing.status, 404);
  fs::remove_all(root);
}

TEST(StaticSiteTest, RefusesAMissingFolder) {
  EXPECT_FALSE(StaticSite::FromDirectory("/nonexistent/web"));
}

TEST(StaticSiteTest, ContentTypes) {
  EXPECT_EQ(ContentTypeForPath("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeForPath("icon.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeForPath("blob"), "application/octet-stream");
}

}  // namespace
}  // namespace invoices::gateway
