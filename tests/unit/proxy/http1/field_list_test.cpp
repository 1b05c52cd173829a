#include "proxy/http1/field_list.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy/http1/field_line.h"

namespace ballast::proxy::http1 {
namespace {

std::vector<std::string> elements(std::string_view list) {
  std::vector<std::string> out;
  ListCursor cursor(list);
  for (std::string_view e; cursor.next(e);) out.emplace_back(e);
  return out;
}

TEST(Http1FieldList, SplitsAndTrimsElementsKeepingEmptyOnes) {
  EXPECT_TRUE(elements("").empty());
  EXPECT_EQ(elements("a"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(elements(" a ,\tb,,c , "), (std::vector<std::string>{"a", "b", "", "c", ""}));
}

TEST(Http1FieldList, ComparesIgnoringAsciiCase) {
  EXPECT_TRUE(equalsLower("Keep-Alive", "keep-alive"));
  EXPECT_FALSE(equalsLower("Keep-Alive ", "keep-alive"));
  EXPECT_FALSE(equalsLower("Keep_Alive", "keep-alive"));
  EXPECT_TRUE(listContains("Upgrade, Keep-Alive", "keep-alive"));
  EXPECT_FALSE(listContains("Upgrade, Keep-Alivex", "keep-alive"));
  EXPECT_EQ(trimOws(" \t x y \t"), "x y");
}

TEST(Http1FieldLine, ParsesNameAndTrimmedValue) {
  FieldLine f;
  ASSERT_EQ(parseFieldLine("Name:  a b\t", f), nullptr);
  EXPECT_EQ(f.name, "Name");
  EXPECT_EQ(f.value, "a b");
  ASSERT_EQ(parseFieldLine("X-Empty:", f), nullptr);
  EXPECT_EQ(f.value, "");
  ASSERT_EQ(parseFieldLine("X-Obs: caf\xc3\xa9", f), nullptr);  // obs-text is allowed
}

TEST(Http1FieldLine, RejectsWhatSmugglersUse) {
  FieldLine f;
  EXPECT_NE(parseFieldLine(" folded", f), nullptr);
  EXPECT_NE(parseFieldLine("\tfolded", f), nullptr);
  EXPECT_NE(parseFieldLine("Name : v", f), nullptr);
  EXPECT_NE(parseFieldLine("Na me: v", f), nullptr);
  EXPECT_NE(parseFieldLine(": v", f), nullptr);
  EXPECT_NE(parseFieldLine("NoColon", f), nullptr);
  EXPECT_NE(parseFieldLine("Name: a\rb", f), nullptr);
  EXPECT_NE(parseFieldLine(std::string_view("Name: a\0b", 9), f), nullptr);
  EXPECT_NE(parseFieldLine("Name: a\x7f", f), nullptr);
  EXPECT_NE(parseFieldLine("Name: a\x01", f), nullptr);
  EXPECT_NE(parseFieldLine("N\xc3\xa9: v", f), nullptr);
}

}  // namespace
}  // namespace ballast::proxy::http1
