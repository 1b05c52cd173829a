// CORS decisions and the security header set.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "security/cors.h"
#include "security/security_headers.h"

using namespace ballast::security;

namespace {

std::map<std::string, std::string> asMap(const CorsPolicy::Headers& headers) {
  return {headers.begin(), headers.end()};
}

TEST(CorsOrigins, ParsesACommaSeparatedList) {
  auto origins = parseCorsOrigins(" https://a.example ,http://b.example:8080,, ");
  ASSERT_TRUE(origins.has_value());
  EXPECT_EQ(*origins, (std::vector<std::string>{"https://a.example", "http://b.example:8080"}));
  EXPECT_FALSE(parseCorsOrigins("https://a.example/path").has_value());
  EXPECT_FALSE(parseCorsOrigins("a.example").has_value());
  EXPECT_FALSE(parseCorsOrigins("ftp://a.example").has_value());
}

TEST(CorsOrigins, WildcardWithCredentialsIsRefused) {
  EXPECT_FALSE(validateCors({.origins = {"*"}, .credentials = true}).has_value());
  EXPECT_TRUE(validateCors({.origins = {"*"}, .credentials = false}).has_value());
  EXPECT_TRUE(validateCors({.origins = {"https://a.example"}, .credentials = true}).has_value());
}

TEST(CorsPolicyTest, AllowedOriginGetsItselfBackAndVary) {
  CorsPolicy cors({.origins = {"https://a.example"}});
  auto h = asMap(cors.responseHeaders("https://a.example"));
  EXPECT_EQ(h["Access-Control-Allow-Origin"], "https://a.example");
  EXPECT_EQ(h["Vary"], "Origin");
  EXPECT_FALSE(h.contains("Access-Control-Allow-Credentials"));
  EXPECT_NE(h["Access-Control-Expose-Headers"].find("RateLimit"), std::string::npos);
}

TEST(CorsPolicyTest, OtherOriginsGetNoCorsHeaders) {
  CorsPolicy cors({.origins = {"https://a.example"}});
  for (const char* origin :
       {"https://evil.example", "https://a.example.evil", "http://a.example", "null", ""}) {
    auto h = asMap(cors.responseHeaders(origin));
    EXPECT_FALSE(h.contains("Access-Control-Allow-Origin")) << origin;
    EXPECT_EQ(h["Vary"], "Origin") << origin;  // the answer still depends on Origin
  }
}

TEST(CorsPolicyTest, NothingConfiguredMeansNoHeadersAtAll) {
  CorsPolicy cors({});
  EXPECT_TRUE(cors.responseHeaders("https://a.example").empty());
  EXPECT_EQ(cors.preflight("https://a.example", "GET", "").status, 403);
}

TEST(CorsPolicyTest, CredentialsOnlyWhenAskedFor) {
  CorsPolicy cors({.origins = {"https://a.example"}, .credentials = true});
  EXPECT_EQ(asMap(cors.responseHeaders("https://a.example"))["Access-Control-Allow-Credentials"],
            "true");
  EXPECT_EQ(asMap(cors.preflight("https://a.example", "POST", "content-type")
                      .headers)["Access-Control-Allow-Credentials"],
            "true");
}

TEST(CorsPolicyTest, WildcardIsNeverSentWithCredentials) {
  CorsPolicy cors(
      {.origins = {"*"},
       .credentials = true});  // validateCors refuses this; the policy still never sends both
  auto h = asMap(cors.responseHeaders("https://x.example"));
  EXPECT_EQ(h["Access-Control-Allow-Origin"], "*");
  EXPECT_FALSE(h.contains("Access-Control-Allow-Credentials"));
}

TEST(CorsPolicyTest, PreflightAllowedAndDenied) {
  CorsPolicy cors({.origins = {"https://a.example"}, .maxAgeSeconds = 300});
  EXPECT_TRUE(CorsPolicy::isPreflight("OPTIONS", "https://a.example", "PUT"));
  EXPECT_FALSE(CorsPolicy::isPreflight("OPTIONS", "https://a.example", ""));
  EXPECT_FALSE(CorsPolicy::isPreflight("GET", "https://a.example", "PUT"));
  auto ok = cors.preflight("https://a.example", "PUT", "authorization,content-type");
  EXPECT_EQ(ok.status, 204);
  auto h = asMap(ok.headers);
  EXPECT_EQ(h["Access-Control-Allow-Origin"], "https://a.example");
  EXPECT_NE(h["Access-Control-Allow-Methods"].find("PUT"), std::string::npos);
  EXPECT_NE(h["Access-Control-Allow-Headers"].find("Authorization"), std::string::npos);
  EXPECT_EQ(h["Access-Control-Max-Age"], "300");
  auto denied = cors.preflight("https://evil.example", "PUT", "");
  EXPECT_EQ(denied.status, 403);
  EXPECT_FALSE(asMap(denied.headers).contains("Access-Control-Allow-Origin"));
  EXPECT_EQ(cors.preflight("https://a.example", "TRACE", "").status, 403);
}

TEST(SecurityHeadersTest, HelmetsSetWithoutStrictTransportSecurityByDefault) {
  SecurityHeaders headers;
  std::map<std::string, std::string> h(headers.headers().begin(), headers.headers().end());
  for (const char* name :
       {"Content-Security-Policy", "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy",
        "Origin-Agent-Cluster", "Referrer-Policy", "X-Content-Type-Options",
        "X-DNS-Prefetch-Control", "X-Download-Options", "X-Frame-Options",
        "X-Permitted-Cross-Domain-Policies", "X-XSS-Protection"}) {
    EXPECT_TRUE(h.contains(name)) << name;
  }
  EXPECT_EQ(h["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(h["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(h["X-Permitted-Cross-Domain-Policies"], "none");
  EXPECT_NE(h["Content-Security-Policy"].find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_FALSE(h.contains("X-Powered-By"));
  EXPECT_FALSE(h.contains("Strict-Transport-Security"));
  EXPECT_TRUE(headers.strictTransportSecurity().empty());
  SecurityHeaders tls({.strictTransportSecurity = "max-age=31536000"});
  EXPECT_EQ(tls.strictTransportSecurity(), "max-age=31536000");
}

}  // namespace
