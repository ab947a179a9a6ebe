#include "invoices/core/json_text.h"

#include <gtest/gtest.h>

#include "invoices/core/extraction.h"

namespace invoices::core {
namespace {

std::string Quoted(std::string_view s) {
  std::string out = "x";
  AppendJsonString(out, s);
  return out.substr(1);
}

TEST(JsonTextTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(Quoted(""), "\"\"");
  EXPECT_EQ(Quoted("plain text 123"), "\"plain text 123\"");
  EXPECT_EQ(Quoted("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Quoted("l1\nl2\r\t"), R"("l1\nl2\r\t")");
  EXPECT_EQ(Quoted(std::string("\x00\x01\x1f\x7f", 4)),
            R"("\u0000\u0001\u001f\u007f")");
  EXPECT_EQ(Quoted("Café 9,00 €"), "\"Café 9,00 €\"");  // UTF-8 kept
}

TEST(JsonTextTest, ReplacesInvalidUtf8) {
  EXPECT_EQ(Quoted("a\xff"
                   "b"),
            "\"a\xef\xbf\xbd"
            "b\"");
  EXPECT_EQ(Quoted("\xc3"), "\"\xef\xbf\xbd\"");                  // truncated
  EXPECT_EQ(Quoted("\xc0\xaf"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");  // overlong
  EXPECT_EQ(Quoted("\xed\xa0\x80"),                               // a surrogate
            "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
}

TEST(JsonTextTest, TheJsonLibraryReadsBackWhatWasWritten) {
  for (std::string s :
       {std::string("x"), std::string("\"\\/\b\f\n\r\t"),
        std::string("\x01 \x7f end", 7), std::string("日本語 ✓ 😀"),
        std::string(1000, 'z') + "\"" + std::string(1000, 'y')}) {
    const Json parsed = Json::parse(Quoted(s));
    EXPECT_EQ(parsed.get<std::string>(), s);
  }
}

}  // namespace
}  // namespace invoices::core
