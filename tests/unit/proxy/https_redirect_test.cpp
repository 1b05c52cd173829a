// loadBalancer.ssl.redirectHttp: where a plain request is sent.
#include <gtest/gtest.h>

#include "proxy/https_redirect.h"

using ballast::proxy::httpsLocation;
using ballast::proxy::httpsRedirectResponse;

TEST(HttpsRedirect, KeepsHostPathAndQueryAndUsesTheTlsPort) {
  EXPECT_EQ(httpsLocation("shop.example:8080", "/cart?id=7&x=%20", 8443), "https://shop.example:8443/cart?id=7&x=%20");
  EXPECT_EQ(httpsLocation("shop.example", "/", 443), "https://shop.example/");
  EXPECT_EQ(httpsLocation("[::1]:8080", "/a", 8443), "https://[::1]:8443/a");
  EXPECT_EQ(httpsLocation("[::1]", "/a", 443), "https://[::1]/a");
}

TEST(HttpsRedirect, AbsoluteFormTargetsKeepTheirPath) {
  EXPECT_EQ(httpsLocation("h", "http://h:8080/p?q=1", 8443), "https://h:8443/p?q=1");
  EXPECT_EQ(httpsLocation("h", "http://h", 8443), "https://h:8443/");
  EXPECT_EQ(httpsLocation("h", "*", 8443), "https://h:8443/");
}

TEST(HttpsRedirect, NoUsableHostIsRefused) {
  EXPECT_FALSE(httpsLocation("", "/", 8443).has_value());
  EXPECT_FALSE(httpsLocation(":80", "/", 8443).has_value());
  EXPECT_FALSE(httpsLocation("[::1", "/", 8443).has_value());
}

TEST(HttpsRedirect, ResponseIs308WithLocationAndClose) {
  const std::string response = httpsRedirectResponse("https://h:8443/p", "rid");
  EXPECT_TRUE(response.starts_with("HTTP/1.1 308 Permanent Redirect\r\n"));
  EXPECT_NE(response.find("\r\nLocation: https://h:8443/p\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nConnection: close\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nContent-Length: 0\r\n"), std::string::npos);
  EXPECT_TRUE(response.ends_with("\r\n\r\n"));
}
