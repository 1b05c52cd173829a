#include "alerts/http_transport.h"

#include <gtest/gtest.h>

namespace ballast::alerts {
namespace {

TEST(HttpUrlTest, ParsesHostPortAndPath) {
  auto url = parseHttpUrl("http://127.0.0.1:9093/api/v2/alerts");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, "9093");
  EXPECT_EQ(url->path, "/api/v2/alerts");
  url = parseHttpUrl("http://hooks.local");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, "80");
  EXPECT_EQ(url->path, "/");
  url = parseHttpUrl("http://[::1]:8080/x");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, "8080");
}

TEST(HttpUrlTest, RefusesHttpsAndGarbage) {
  EXPECT_NE(parseHttpUrl("https://x/").error().message.find("not supported"), std::string::npos);
  EXPECT_FALSE(parseHttpUrl("ftp://x/"));
  EXPECT_FALSE(parseHttpUrl("http:///path"));
}

TEST(HttpTransportTest, UnreachableReceiverIsAnError) {
  HttpTransport transport;
  // Port 1 on loopback: nothing listens there in the test environment.
  auto sent = transport.post("http://127.0.0.1:1/hook", {}, "{}", std::chrono::milliseconds(500));
  EXPECT_FALSE(sent);
}

}  // namespace
}  // namespace ballast::alerts
