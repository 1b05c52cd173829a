// Process statistics: /proc/self/stat and /proc/stat parsing, and the real process.
#include "telemetry/process_stats.h"

#include <gtest/gtest.h>

#include <ctime>

using namespace ballast::telemetry;

TEST(ProcessStats, ParsesProcSelfStatWithAnAwkwardCommandName) {
  // Fields 14/15 utime/stime, 22 starttime, 23 vsize, 24 rss.
  const char* text =
      "1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 5 0 9000 "
      "104857600 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
  auto f = parseProcSelfStat(text);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->userTicks, 250u);
  EXPECT_EQ(f->systemTicks, 50u);
  EXPECT_EQ(f->startTicks, 9000u);
  EXPECT_EQ(f->virtualBytes, 104857600u);
  EXPECT_EQ(f->residentPages, 2560u);
  EXPECT_EQ(f->state, 'S');
  EXPECT_EQ(f->processGroup, 1234);
}

TEST(ProcessStats, RejectsTruncatedOrMalformedStat) {
  EXPECT_FALSE(parseProcSelfStat("1234 (x) S 1 2 3").has_value());
  EXPECT_FALSE(parseProcSelfStat("no parenthesis here").has_value());
  EXPECT_FALSE(
      parseProcSelfStat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 u s 0 0 20 0 1 0 5 6 7\n").has_value());
}

TEST(ProcessStats, ParsesBootTime) {
  EXPECT_EQ(parseBootTime("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n"), 1700000000u);
  EXPECT_FALSE(parseBootTime("cpu  1 2 3\n").has_value());
}

TEST(ProcessStats, ReadsThisProcess) {
  auto s = readProcessStats();
  ASSERT_TRUE(s.has_value());
  EXPECT_GT(s->residentBytes, 0u);
  EXPECT_GT(s->virtualBytes, s->residentBytes);
  EXPECT_GE(s->openFds, 3u);  // stdin, stdout, stderr at least
  EXPECT_GT(s->maxFds, 0u);
  EXPECT_GE(s->cpuSeconds, 0.0);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_GT(s->startTimeSeconds, now - 3600);
  EXPECT_LE(s->startTimeSeconds, now + 5);
}
