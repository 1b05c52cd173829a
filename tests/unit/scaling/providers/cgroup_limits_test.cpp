#include "scaling/providers/cgroup_limits.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "scaling/providers/process_provider.h"
#include "test_support.h"

namespace ballast::scaling {
namespace {

using namespace std::chrono_literals;

// This machine's layout when the tests were written: cgroup v1 controllers plus
// a cgroup2 mount at /sys/fs/cgroup/unified holding only hugetlb.
constexpr const char* kHybridMountinfo =
    "30 22 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "40 30 0:36 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
constexpr const char* kUnifiedMountinfo =
    "25 1 0:21 / / rw - ext4 /dev/root rw\n"
    "36 25 0:31 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
    "rw,nsdelegate\n";

TEST(CgroupDetection, FindsTheCgroup2MountInHybridAndUnifiedLayouts) {
  EXPECT_EQ(findCgroup2Mount(kHybridMountinfo), std::filesystem::path("/sys/fs/cgroup/unified"));
  EXPECT_EQ(findCgroup2Mount(kUnifiedMountinfo), std::filesystem::path("/sys/fs/cgroup"));
  EXPECT_FALSE(findCgroup2Mount("31 30 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"));
}

TEST(CgroupDetection, ReadsOwnCgroupV2Path) {
  EXPECT_EQ(findOwnCgroup2Path("4:memory:/x\n0::/system.slice/ballast.service\n"),
            "/system.slice/ballast.service");
  EXPECT_FALSE(findOwnCgroup2Path("4:memory:/x\n1:cpu:/\n"));
}

TEST(CgroupDetection, OnThisMachineEitherWorksOrSaysWhyNot) {
  auto detected = CgroupLimiter::detect();
  if (detected) {
    EXPECT_TRUE(std::filesystem::is_directory(detected->base()));
  } else {
    EXPECT_EQ(detected.error().code, core::ErrorCode::kUnavailable);
    EXPECT_TRUE(detected.error().message.starts_with("ballast may not manage cgroups here: "))
        << detected.error().message;
    std::cout << "cgroup v2 limits on this machine: " << detected.error().message << "\n";
  }
}

TEST(CgroupLimits, ValuesForCpuMaxAndMemoryMax) {
  EXPECT_EQ(CgroupLimiter::cpuMaxValue(500), "50000 100000");
  EXPECT_EQ(CgroupLimiter::cpuMaxValue(2000), "200000 100000");
  EXPECT_EQ(CgroupLimiter::cpuMaxValue(1), "1000 100000");  // the kernel's minimum quota
  EXPECT_EQ(CgroupLimiter::cpuMaxValue(0), "max 100000");
  EXPECT_EQ(CgroupLimiter::memoryMaxValue(256 << 20), "268435456");
  EXPECT_EQ(CgroupLimiter::memoryMaxValue(0), "max");
}

TEST(CgroupLimits, WritesTheInstanceCgroupUnderTheDelegatedDirectory) {
  testing::TempDir dir;
  CgroupLimiter limiter(dir.path());
  auto leaf = limiter.apply("svc-1", {1234, 1235}, {.cpuMillicores = 250, .memoryBytes = 64 << 20});
  ASSERT_TRUE(leaf) << leaf.error().message;
  EXPECT_EQ(*leaf, dir.path() / "ballast-instances" / "svc-1");
  EXPECT_EQ(testing::readFile(dir.path() / "cgroup.subtree_control"), "+cpu +memory");
  EXPECT_EQ(testing::readFile(dir.path() / "ballast-instances" / "cgroup.subtree_control"),
            "+cpu +memory");
  EXPECT_EQ(testing::readFile(*leaf / "cpu.max"), "25000 100000");
  EXPECT_EQ(testing::readFile(*leaf / "memory.max"), "67108864");
  EXPECT_EQ(testing::readFile(*leaf / "cgroup.procs"), "1234\n1235\n");
  // Applying again replaces the limits.
  ASSERT_TRUE(limiter.apply("svc-1", {}, {.cpuMillicores = 0, .memoryBytes = 0}));
  EXPECT_EQ(testing::readFile(*leaf / "cpu.max"), "max 100000");
  EXPECT_EQ(testing::readFile(*leaf / "memory.max"), "max");
}

TEST(CgroupLimits, ProcessProviderMovesTheInstanceGroupIntoItsCgroup) {
  testing::TempDir dir;
  testing::ProcessReaper reaper;
  core::SystemClock clock;
  ProcessProviderSpec spec;
  spec.command = "exec python3 " + testing::writeListenerScript(dir.path()).string() + " {port}";
  auto provider = ProcessProvider::create(spec, "svc", dir.path() / "data", clock);
  ASSERT_TRUE(provider);
  auto unknown = (*provider)->applyResourceLimits("svc-1", 500, 1 << 30);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::kNotFound);

  auto instance = (*provider)->start();
  ASSERT_TRUE(instance);
  reaper.add(*instance->pid);
  ASSERT_TRUE(testing::waitUntil(
      [&] {
        (*provider)->reap();
        return !(*provider)->instances().empty() &&
               (*provider)->instances()[0].state == InstanceState::kRunning;
      },
      10s));
  // Whatever this machine allows, the answer is success or a reason.
  auto real = (*provider)->applyResourceLimits(instance->id, 500, 1 << 30);
  if (!real) {
    EXPECT_EQ(real.error().code, core::ErrorCode::kUnavailable);
    EXPECT_FALSE(real.error().message.empty());
  }
  std::filesystem::create_directories(dir.path() / "cgroup");
  (*provider)->setCgroupLimiter(CgroupLimiter(dir.path() / "cgroup"));
  ASSERT_TRUE((*provider)->applyResourceLimits(instance->id, 500, 1 << 30));
  const auto leaf = dir.path() / "cgroup" / "ballast-instances" / instance->id;
  EXPECT_EQ(testing::readFile(leaf / "cpu.max"), "50000 100000");
  // Every member of the instance's process group moves (the leader first).
  EXPECT_TRUE(
      testing::readFile(leaf / "cgroup.procs").starts_with(std::to_string(*instance->pid) + "\n"))
      << testing::readFile(leaf / "cgroup.procs");
  ASSERT_TRUE((*provider)->stop(instance->id));
  EXPECT_TRUE(testing::waitUntil([&] { return !(*provider)->reap().empty(); }, 10s));
}

}  // namespace
}  // namespace ballast::scaling
