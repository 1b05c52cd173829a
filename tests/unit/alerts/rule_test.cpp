#include "alerts/rule.h"

#include <gtest/gtest.h>

#include <set>

#include "alerts/builtin_rules.h"

namespace ballast::alerts {
namespace {

TEST(RuleTest, ComparisonsRoundTripAndHold) {
  for (std::string_view text : {">", ">=", "<", "<=", "==", "!="}) {
    auto c = parseComparison(text);
    ASSERT_TRUE(c) << text;
    EXPECT_EQ(comparisonText(*c), text);
  }
  EXPECT_FALSE(parseComparison("=>"));
  Rule rule{.comparison = Comparison::kGreaterEqual, .threshold = 5};
  EXPECT_TRUE(rule.conditionHolds(5));
  EXPECT_FALSE(rule.conditionHolds(4.9));
  rule.comparison = Comparison::kNotEqual;
  EXPECT_TRUE(rule.conditionHolds(4));
}

TEST(RuleTest, SeverityParses) {
  EXPECT_EQ(parseSeverity("critical"), Severity::kCritical);
  EXPECT_EQ(severityText(Severity::kInfo), "info");
  EXPECT_FALSE(parseSeverity("fatal"));
}

TEST(RuleTest, TemplatesExpandValueAndLabels) {
  EXPECT_EQ(renderTemplate("{{service}} at {{value}}% {{missing}}!", 12.5, {{"service", "web"}}), "web at 12.5% !");
  EXPECT_EQ(renderTemplate("open {{ never closed", 1, {}), "open {{ never closed");
}

TEST(RuleTest, BuiltinRulesAreBuiltInWithUniqueIds) {
  auto rules = builtinRules();
  std::set<std::string> ids;
  for (const auto& r : rules) {
    EXPECT_TRUE(r.builtIn);
    EXPECT_TRUE(ids.insert(r.id).second) << r.id;
  }
  EXPECT_EQ(rules.size(), 9u);
}

}  // namespace
}  // namespace ballast::alerts
