#include "lb/algorithm.h"

#include <gtest/gtest.h>

using namespace ballast::lb;

TEST(LbAlgorithm, ParsesCanonicalNames) {
  EXPECT_EQ(parseAlgorithm("round-robin"), Algorithm::kRoundRobin);
  EXPECT_EQ(parseAlgorithm("weighted"), Algorithm::kWeighted);
  EXPECT_EQ(parseAlgorithm("least-connections"), Algorithm::kLeastConnections);
  EXPECT_EQ(parseAlgorithm("ip-hash"), Algorithm::kIpHash);
  EXPECT_EQ(parseAlgorithm("random"), Algorithm::kRandom);
  EXPECT_EQ(parseAlgorithm("least-response-time"), Algorithm::kLeastResponseTime);
}

TEST(LbAlgorithm, ParsesAliasesCaseAndUnderscores) {
  EXPECT_EQ(parseAlgorithm("weighted-round-robin"), Algorithm::kWeighted);
  EXPECT_EQ(parseAlgorithm("least-conn"), Algorithm::kLeastConnections);
  EXPECT_EQ(parseAlgorithm("consistent-hash"), Algorithm::kIpHash);
  EXPECT_EQ(parseAlgorithm("power-of-two"), Algorithm::kRandom);
  EXPECT_EQ(parseAlgorithm("p2c"), Algorithm::kRandom);
  EXPECT_EQ(parseAlgorithm("Round_Robin"), Algorithm::kRoundRobin);
  EXPECT_EQ(parseAlgorithm("IP-HASH"), Algorithm::kIpHash);
}

TEST(LbAlgorithm, RejectsUnknownNames) {
  EXPECT_EQ(parseAlgorithm(""), std::nullopt);
  EXPECT_EQ(parseAlgorithm("roundrobin"), std::nullopt);
  EXPECT_EQ(parseAlgorithm("least-connections "), std::nullopt);
}

TEST(LbAlgorithm, ToStringGivesCanonicalNameThatParsesBack) {
  for (Algorithm a : {Algorithm::kRoundRobin, Algorithm::kWeighted, Algorithm::kLeastConnections,
                      Algorithm::kIpHash, Algorithm::kRandom, Algorithm::kLeastResponseTime}) {
    EXPECT_EQ(parseAlgorithm(toString(a)), a) << toString(a);
  }
  EXPECT_EQ(toString(Algorithm::kWeighted), "weighted");
  EXPECT_EQ(toString(Algorithm::kRandom), "random");
}
