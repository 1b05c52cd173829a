#include "telemetry/system_stats.h"

#include <gtest/gtest.h>

using namespace ballast::telemetry;

TEST(SystemStats, ParsesAggregateCpuLine) {
  auto t = parseProcStat("cpu  100 0 50 800 50 0 0 0 30 0\ncpu0 1 2 3 4\n");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->total, 1000u);  // guest (30) is already inside user
  EXPECT_EQ(t->idle, 850u);
}

TEST(SystemStats, CpuUsageIsOverTheIntervalNotSinceBoot) {
  CpuTimes boot{900000, 1000000};  // 10% busy since boot
  CpuTimes later{900000 + 100, 1000000 + 400};  // 300 of 400 busy in the interval
  EXPECT_DOUBLE_EQ(cpuUsagePercent(boot, later), 75.0);
  EXPECT_DOUBLE_EQ(cpuUsagePercent(later, later), 0.0);
}

TEST(SystemStats, ParsesMeminfo) {
  auto m = parseMeminfo("MemTotal:       16000 kB\nMemFree:  1000 kB\nMemAvailable:   4000 kB\n");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->total, 16000u * 1024);
  EXPECT_EQ(m->used(), 12000u * 1024);
  EXPECT_FALSE(parseMeminfo("MemTotal: 5 kB\n").has_value());
}

TEST(SystemStats, RejectsMalformedProcStat) {
  EXPECT_FALSE(parseProcStat("intr 1 2 3").has_value());
  EXPECT_FALSE(parseProcStat("cpu  x y z").has_value());
}

TEST(SystemStats, ReadsTheRealMachine) {
  SystemSampler sampler("/");
  sampler.sample();
  sampler.sample();
  auto s = sampler.snapshot();
  EXPECT_GT(s.memory.total, 0u);
  EXPECT_GT(s.cpuCores, 0);
  ASSERT_TRUE(s.disk.has_value());
  EXPECT_GT(s.disk->total, 0u);
  EXPECT_GE(s.cpuUsage, 0.0);
  EXPECT_LE(s.cpuUsage, 100.0);
  EXPECT_GT(residentMemoryBytes().value_or(0), 0u);
}
