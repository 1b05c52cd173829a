#include "core/json.h"

#include <gtest/gtest.h>

using ballast::core::ErrorCode;
using ballast::core::parseJson;

TEST(ParseJson, AcceptsValidDocument) {
  auto doc = parseJson(R"({"a":[1,2,{"b":null}]})");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ((*doc)["a"][1], 2);
}

TEST(ParseJson, SaysWhereMalformedInputBroke) {
  auto doc = parseJson("{\n  \"a\": 1,\n  }");
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(doc.error().message.find("line 3"), std::string::npos) << doc.error().message;
  EXPECT_NE(doc.error().message.find("column"), std::string::npos);
}

TEST(ParseJson, RefusesDeepNestingBeforeParsing) {
  std::string deep(100000, '[');
  auto doc = parseJson(deep);
  ASSERT_FALSE(doc.has_value());
  EXPECT_NE(doc.error().message.find("nesting deeper than 64"), std::string::npos);
}

TEST(ParseJson, BracketsInsideStringsDoNotCountAsNesting) {
  std::string s = "{\"a\":\"" + std::string(200, '[') + "\"}";
  EXPECT_TRUE(parseJson(s).has_value());
}

TEST(ParseJson, RejectsTrailingGarbageAndEmptyInput) {
  EXPECT_FALSE(parseJson("{} x").has_value());
  EXPECT_FALSE(parseJson("").has_value());
}

TEST(ParseJson, RejectsInvalidUtf8) {
  EXPECT_FALSE(parseJson("\"\xff\xfe\"").has_value());
}

TEST(ParseJson, NumbersBeyondDoubleAreMalformedNotAnException) {
  // Found by fuzz/json_body_fuzz: nlohmann throws out_of_range for these.
  for (const char* text : {"1e400", "[1, -1e309]", "{\"port\": 1E+99999}"}) {
    auto json = parseJson(text);
    ASSERT_FALSE(json.has_value()) << text;
    EXPECT_EQ(json.error().code, ErrorCode::kBadRequest) << text;
    EXPECT_NE(json.error().message.find("Malformed JSON"), std::string::npos) << json.error().message;
  }
}
