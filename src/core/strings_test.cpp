#include "invoices/core/strings.h"

#include <gtest/gtest.h>

namespace invoices::core {
namespace {

TEST(StringsTest, ChangesOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower("Content-Type: Image/JPEG"), "content-type: image/jpeg");
  EXPECT_EQ(AsciiUpper("get /a-Z"), "GET /A-Z");
  EXPECT_EQ(AsciiLower("MÄRZ"), "mÄrz");  // UTF-8 bytes untouched
  EXPECT_EQ(AsciiLower(""), "");
}

}  // namespace
}  // namespace invoices::core
