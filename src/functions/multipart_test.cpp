#include "invoices/functions/multipart.h"

#include <gtest/gtest.h>

namespace invoices::functions {
namespace {

const char* kType = "multipart/form-data; boundary=----XyZ";

TEST(MultipartTest, SplitsPartsWithBinaryData) {
  const std::string binary("\x00\xff\r\n--not-the-boundary\r\n", 24);
  const std::string body =
      "------XyZ\r\n"
      "Content-Disposition: form-data; name=\"fields\"\r\n\r\n"
      "{\"total\":\"9.00\"}\r\n"
      "------XyZ\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"r.jpg\"\r\n"
      "Content-Type: image/jpeg\r\n\r\n" +
      binary + "\r\n------XyZ--\r\n";
  auto parts = ParseMultipart(body, kType);
  ASSERT_TRUE(parts) << parts.error().ToString();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "fields");
  EXPECT_EQ((*parts)[0].data, "{\"total\":\"9.00\"}");
  EXPECT_EQ((*parts)[1].name, "file");
  EXPECT_EQ((*parts)[1].filename, "r.jpg");
  EXPECT_EQ((*parts)[1].content_type, "image/jpeg");
  EXPECT_EQ((*parts)[1].data, binary);
}

TEST(MultipartTest, QuotedBoundaryAndCaseInsensitiveHeaders) {
  const std::string body =
      "--a b\r\ncontent-disposition: form-data; name=file\r\n\r\nx\r\n--a b--";
  auto parts = ParseMultipart(body, "Multipart/Form-Data; boundary=\"a b\"");
  ASSERT_TRUE(parts) << parts.error().ToString();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].name, "file");
  EXPECT_EQ((*parts)[0].data, "x");
}

TEST(MultipartTest, RefusesMalformedBodies) {
  EXPECT_FALSE(ParseMultipart("x", "multipart/form-data"));  // no boundary
  EXPECT_FALSE(ParseMultipart("x", "image/jpeg"));
  EXPECT_FALSE(ParseMultipart("no boundary here", kType));
  // A part that never ends.
  EXPECT_FALSE(ParseMultipart(
      "------XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc",
      kType));
  // Headers that never end.
  EXPECT_FALSE(ParseMultipart("------XyZ\r\nContent-Disposition: x", kType));
  // Too many parts.
  std::string many;
  for (int i = 0; i < 5; ++i) {
    many +=
        "------XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n1\r\n";
  }
  many += "------XyZ--";
  EXPECT_TRUE(ParseMultipart(many, kType, 5));
  EXPECT_FALSE(ParseMultipart(many, kType, 4));
}

}  // namespace
}  // namespace invoices::functions
