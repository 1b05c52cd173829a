// The JSON Schema subset: each keyword, path reporting, refs and compile errors.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/json_schema.h"

using namespace ballast::core;

namespace {

JsonSchema compiled(const Json& schema, const Json& root = Json::object()) {
  auto s = JsonSchema::compile(schema, root);
  EXPECT_TRUE(s.has_value()) << (s ? ""
                                   : s.error().details.at(0).path + ": " +
                                         s.error().details.at(0).message);
  return *s;
}

std::vector<std::string> paths(const JsonSchema& schema, const Json& value) {
  std::vector<FieldError> errors;
  schema.validate(value, errors);
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.path);
  return out;
}

std::string firstMessage(const JsonSchema& schema, const Json& value) {
  std::vector<FieldError> errors;
  schema.validate(value, errors);
  return errors.empty() ? "" : errors[0].message;
}

TEST(JsonSchemaTest, Types) {
  auto s = compiled({{"type", "integer"}});
  EXPECT_TRUE(s.accepts(3));
  EXPECT_TRUE(s.accepts(3.0));  // 2020-12: a number with no fraction is an integer
  EXPECT_FALSE(s.accepts(3.5));
  EXPECT_FALSE(s.accepts("3"));
  EXPECT_EQ(firstMessage(s, "3"), "must be an integer, got string");
  auto nullable = compiled({{"type", {"string", "null"}}});
  EXPECT_TRUE(nullable.accepts(nullptr));
  EXPECT_TRUE(nullable.accepts("x"));
  EXPECT_FALSE(nullable.accepts(1));
  EXPECT_EQ(firstMessage(nullable, 1), "must be a null or string, got integer");
  auto number = compiled({{"type", "number"}});
  EXPECT_TRUE(number.accepts(1));
  EXPECT_TRUE(number.accepts(1.5));
  EXPECT_FALSE(number.accepts(true));
  EXPECT_TRUE(compiled({{"type", "boolean"}}).accepts(false));
  EXPECT_TRUE(compiled({{"type", "array"}}).accepts(Json::array()));
  EXPECT_FALSE(compiled({{"type", "object"}}).accepts(Json::array()));
}

TEST(JsonSchemaTest, ObjectsReportEveryFieldByPointer) {
  auto s = compiled({{"type", "object"},
                     {"required", {"host", "port"}},
                     {"additionalProperties", false},
                     {"properties",
                      {{"host", {{"type", "string"}, {"minLength", 1}}},
                       {"port", {{"type", "integer"}, {"minimum", 1}, {"maximum", 65535}}},
                       {"a/b", {{"type", "string"}}}}}});
  EXPECT_TRUE(s.accepts({{"host", "h"}, {"port", 80}}));
  auto p = paths(s, {{"port", 0}, {"colour", "red"}, {"a/b", 1}});
  std::sort(p.begin(), p.end());
  EXPECT_EQ(p, (std::vector<std::string>{"/a~1b", "/colour", "/host", "/port"}));
  EXPECT_EQ(firstMessage(s, {{"port", 80}}), "is required");
}

TEST(JsonSchemaTest, AdditionalPropertiesAsASchemaAndPropertyNames) {
  auto s = compiled({{"type", "object"},
                     {"additionalProperties", {{"type", "string"}}},
                     {"propertyNames", {{"maxLength", 3}}},
                     {"minProperties", 1},
                     {"maxProperties", 2}});
  EXPECT_TRUE(s.accepts({{"a", "x"}}));
  EXPECT_EQ(paths(s, {{"a", 1}}), std::vector<std::string>{"/a"});
  EXPECT_EQ(paths(s, {{"long", "x"}}), std::vector<std::string>{"/long"});
  EXPECT_EQ(paths(s, Json::object()), std::vector<std::string>{""});
  EXPECT_EQ(paths(s, {{"a", "1"}, {"b", "2"}, {"c", "3"}}), std::vector<std::string>{""});
}

TEST(JsonSchemaTest, EnumAndConst) {
  auto e = compiled({{"enum", {"a", "b", 3}}});
  EXPECT_TRUE(e.accepts("a"));
  EXPECT_TRUE(e.accepts(3));
  EXPECT_FALSE(e.accepts("c"));
  EXPECT_EQ(firstMessage(e, "c"), "must be one of a, b, 3, got \"c\"");
  auto c = compiled({{"const", true}});
  EXPECT_TRUE(c.accepts(true));
  EXPECT_FALSE(c.accepts(false));
}

TEST(JsonSchemaTest, NumericBounds) {
  auto s = compiled({{"type", "number"}, {"minimum", 1}, {"maximum", 10}});
  EXPECT_TRUE(s.accepts(1));
  EXPECT_TRUE(s.accepts(10));
  EXPECT_FALSE(s.accepts(0.5));
  EXPECT_EQ(firstMessage(s, 11), "must be at most 10");
  auto x = compiled({{"exclusiveMinimum", 0}, {"exclusiveMaximum", 1}});
  EXPECT_FALSE(x.accepts(0));
  EXPECT_TRUE(x.accepts(0.5));
  EXPECT_FALSE(x.accepts(1));
  auto m = compiled({{"multipleOf", 5}});
  EXPECT_TRUE(m.accepts(15));
  EXPECT_FALSE(m.accepts(7));
}

TEST(JsonSchemaTest, StringLengthCountsCodePointsAndPatternSearches) {
  auto s = compiled({{"type", "string"}, {"minLength", 2}, {"maxLength", 3}});
  EXPECT_TRUE(s.accepts("äöü"));  // 3 code points, 6 bytes
  EXPECT_FALSE(s.accepts("a"));
  EXPECT_FALSE(s.accepts("abcd"));
  EXPECT_EQ(firstMessage(compiled({{"minLength", 1}}), ""), "must not be empty");
  auto p = compiled({{"pattern", "^[A-Za-z0-9._-]+$"}});
  EXPECT_TRUE(p.accepts("srv-1.a_b"));
  EXPECT_FALSE(p.accepts("srv 1"));
  EXPECT_TRUE(compiled({{"pattern", "b"}}).accepts("abc"));  // unanchored, as in ECMA-262
  EXPECT_TRUE(p.accepts(5));                                 // string keywords ignore other types
}

TEST(JsonSchemaTest, ArraysCheckEveryItemWithItsIndex) {
  auto s = compiled({{"type", "array"},
                     {"minItems", 1},
                     {"maxItems", 3},
                     {"uniqueItems", true},
                     {"items", {{"type", "integer"}}}});
  EXPECT_TRUE(s.accepts({1, 2}));
  EXPECT_EQ(paths(s, Json::array()), std::vector<std::string>{""});
  EXPECT_EQ(paths(s, {1, "x", 3, "y"}), (std::vector<std::string>{"", "/1", "/3"}));
  EXPECT_EQ(paths(s, {1, 1}), std::vector<std::string>{"/1"});
}

TEST(JsonSchemaTest, Combinators) {
  auto one = compiled({{"oneOf", {{{"type", "string"}}, {{"type", "integer"}, {"minimum", 0}}}}});
  EXPECT_TRUE(one.accepts("a"));
  EXPECT_TRUE(one.accepts(1));
  EXPECT_FALSE(one.accepts(-1));
  EXPECT_EQ(firstMessage(one, -1), "must be at least 0");  // the nearest alternative's problem
  auto both = compiled({{"oneOf", {{{"type", "integer"}}, {{"type", "number"}}}}});
  EXPECT_FALSE(both.accepts(1));  // matches both
  auto any = compiled({{"anyOf", {{{"type", "integer"}}, {{"type", "number"}}}}});
  EXPECT_TRUE(any.accepts(1));
  auto all = compiled({{"allOf", {{{"minimum", 1}}, {{"maximum", 2}}}}});
  EXPECT_FALSE(all.accepts(3));
  auto no = compiled({{"not", {{"type", "null"}}}});
  EXPECT_FALSE(no.accepts(nullptr));
  EXPECT_TRUE(no.accepts(0));
}

TEST(JsonSchemaTest, RefsResolveIntoTheDocumentIncludingCycles) {
  Json root = {{"components",
                {{"schemas",
                  {{"Node",
                    {{"type", "object"},
                     {"additionalProperties", false},
                     {"properties",
                      {{"value", {{"type", "integer"}}},
                       {"next", {{"$ref", "#/components/schemas/Node"}}}}}}}}}}}};
  auto s = compiled({{"$ref", "#/components/schemas/Node"}}, root);
  EXPECT_TRUE(s.accepts({{"value", 1}, {"next", {{"value", 2}}}}));
  EXPECT_EQ(paths(s, {{"value", 1}, {"next", {{"value", "x"}, {"bad", 1}}}}),
            (std::vector<std::string>{"/next/value", "/next/bad"}));
}

TEST(JsonSchemaTest, CompileErrorsNameTheLocation) {
  auto unknown = JsonSchema::compile({{"properties", {{"a", {{"typo", 1}}}}}}, Json::object());
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().details.at(0).path, "/properties/a/typo");
  EXPECT_FALSE(JsonSchema::compile({{"$ref", "#/nowhere"}}, Json::object()).has_value());
  EXPECT_FALSE(JsonSchema::compile({{"pattern", "("}}, Json::object()).has_value());
  EXPECT_FALSE(JsonSchema::compile({{"type", "int"}}, Json::object()).has_value());
  // Annotations are fine.
  EXPECT_TRUE(
      JsonSchema::compile({{"description", "x"}, {"format", "uri"}, {"default", 1}, {"x-y", 2}},
                          Json::object())
          .has_value());
}

TEST(JsonSchemaTest, BasePathPrefixesEveryError) {
  auto s = compiled({{"type", "object"}, {"required", {"a"}}});
  std::vector<FieldError> errors;
  s.validate(Json::object(), errors, "/body");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "/body/a");
}

}  // namespace
