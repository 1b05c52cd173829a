#include "scaling/providers/exec_provider.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_support.h"

namespace ballast::scaling {
namespace {

// A pretend cloud kept in files: `instances` has one "id host port" line per
// instance. The scripts are what a user would write around a real CLI.
class ExecProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    const std::string d = dir_.path().string();
    write(
        "scale-out.sh",
        "cd " + d +
            "\n"
            "n=$(( $(cat count 2>/dev/null || echo 0) + 1 )); echo $n > count\n"
            "echo \"$BALLAST_SERVICE-$n 127.0.0.1 $((9000 + n))\" >> instances\n"
            "[ \"$1\" = quiet ] || printf '{\"id\":\"%s-%s\",\"host\":\"127.0.0.1\",\"port\":%s}' "
            "\"$BALLAST_SERVICE\" $n $((9000 + n))\n");
    write("scale-in.sh",
          "cd " + d +
              "\n"
              "[ \"$1\" = \"$BALLAST_INSTANCE\" ] || { echo \"argument $1 differs from "
              "$BALLAST_INSTANCE\" >&2; exit 9; }\n"
              "grep -v \"^$1 \" instances > instances.new; mv instances.new instances\n");
    write("list.sh",
          "cd " + d +
              "\n"
              "touch instances; printf '['; sep=''\n"
              "while read id host port; do printf '%s{\"id\":\"%s\",\"host\":\"%s\",\"port\":%s}' "
              "\"$sep\" $id $host $port; sep=','; done < instances\n"
              "printf ']'\n");
    spec_.scaleOut = "sh " + d + "/scale-out.sh";
    spec_.scaleIn = "sh " + d + "/scale-in.sh {instance}";
    spec_.list = "sh " + d + "/list.sh";
    spec_.timeout = 5000;
  }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.path() / name) << text;
  }

  testing::TempDir dir_;
  core::SystemClock clock_;
  ExecProviderSpec spec_;
};

TEST_F(ExecProviderTest, ScalesOutAndInThroughTheCommands) {
  ExecProvider provider(spec_, "web", clock_);
  provider.setRefreshInterval(std::chrono::milliseconds(0));
  EXPECT_EQ(provider.type(), "exec");
  auto first = provider.start();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->id, "web-1");
  EXPECT_EQ(first->port, 9001);
  EXPECT_EQ(first->state, InstanceState::kStarting);
  EXPECT_TRUE(provider.reap().empty());
  ASSERT_EQ(provider.instances().size(), 1u);
  EXPECT_EQ(provider.instances()[0].state,
            InstanceState::kRunning);  // listed without a state: running

  // A scale-out command that prints nothing: the new instance comes from the list.
  spec_.scaleOut += " quiet";
  ExecProvider quiet(spec_, "web", clock_);
  quiet.setRefreshInterval(std::chrono::milliseconds(0));
  ASSERT_TRUE(quiet.reap().empty());
  auto second = quiet.start();
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->id, "web-2");
  EXPECT_EQ(second->host, "127.0.0.1");

  ASSERT_TRUE(quiet.stop("web-1"));
  EXPECT_EQ(quiet.instances()[0].state, InstanceState::kStopping);
  auto exits = quiet.reap();
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].instance.id, "web-1");
  EXPECT_TRUE(exits[0].expected);
  ASSERT_EQ(quiet.instances().size(), 1u);

  // Gone without being asked: unexpected.
  write("instances", "");
  exits = quiet.reap();
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_FALSE(exits[0].expected);
  EXPECT_EQ(exits[0].description, "vanished from the instance list");

  auto unknown = quiet.stop("web-7");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::kNotFound);
}

TEST_F(ExecProviderTest, FailuresCarryExitStatusAndStderr) {
  spec_.scaleOut = "echo 'quota exceeded' >&2; exit 4";
  ExecProvider provider(spec_, "web", clock_);
  auto started = provider.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, core::ErrorCode::kBadGateway);
  EXPECT_EQ(started.error().message,
            "`echo 'quota exceeded' >&2; exit 4` exited with status 4: quota exceeded");
}

TEST_F(ExecProviderTest, ACommandPastItsTimeoutIsKilled) {
  spec_.scaleOut = "sleep 30";
  spec_.timeout = 200;
  ExecProvider provider(spec_, "web", clock_);
  const auto before = std::chrono::steady_clock::now();
  auto started = provider.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, core::ErrorCode::kTimeout);
  EXPECT_EQ(started.error().message, "`sleep 30` timed out after 200 ms (killed)");
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
}

TEST_F(ExecProviderTest, AMalformedListIsAnErrorAndKeepsThePreviousInstances) {
  ExecProvider provider(spec_, "web", clock_);
  provider.setRefreshInterval(std::chrono::milliseconds(0));
  ASSERT_TRUE(provider.start());
  ASSERT_TRUE(provider.reap().empty());
  spec_.list = "echo '[{\"id\":\"a\",\"host\":\"127.0.0.1\",\"port\":0,\"zone\":\"x\"}]'";
  ExecProvider broken(spec_, "web", clock_);
  auto listed = broken.list();
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().message,
            "`echo '[{\"id\":\"a\",\"host\":\"127.0.0.1\",\"port\":0,\"zone\":\"x\"}]'` printed no "
            "valid instance "
            "list: the instance list is malformed: /0/port must be between 1 and 65535; /0/zone is "
            "not a known field");
  auto parsed = parseInstanceList("{\"id\":1}", clock_.wallNow());
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message, "expected a JSON array of instances, got object");
}

TEST_F(ExecProviderTest, ReapRunsTheListCommandAtMostOncePerInterval) {
  core::SimulatedClock clock;
  spec_.list = "echo x >> " + (dir_.path() / "runs").string() + "; echo []";
  ExecProvider provider(spec_, "web", clock);
  provider.reap();
  provider.reap();
  EXPECT_EQ(testing::readFile(dir_.path() / "runs"), "x\n");
  clock.advance(std::chrono::milliseconds(2000));
  provider.reap();
  EXPECT_EQ(testing::readFile(dir_.path() / "runs"), "x\nx\n");
}

TEST_F(ExecProviderTest, ScaleOutThatShowsNoInstanceFails) {
  spec_.scaleOut = "true";
  ExecProvider provider(spec_, "web", clock_);
  auto started = provider.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("printed no instance"), std::string::npos)
      << started.error().message;
}

// An instance id printed by a command goes back to the scale-in command. A
// hostile one (shell syntax) is refused where it is read, and even a legal
// id reaches the command only through BALLAST_INSTANCE, never as text.
TEST_F(ExecProviderTest, AHostileInstanceIdIsRefusedAndNeverRunByTheShell) {
  const std::string d = dir_.path().string();
  const std::string marker = d + "/pwned";
  for (const std::string& hostile :
       std::vector<std::string>{"x;touch " + marker, "$(touch " + marker + ")", "a b", "`id`", ""}) {
    write("evil-out.sh", "printf '%s' '{\"id\":\"" + hostile + "\",\"host\":\"127.0.0.1\",\"port\":9001}'\n");
    spec_.scaleOut = "sh " + d + "/evil-out.sh";
    ExecProvider provider(spec_, "web", clock_);
    const auto started = provider.start();
    ASSERT_FALSE(started) << hostile;
    EXPECT_NE(started.error().message.find("/id"), std::string::npos) << started.error().message;
  }
  // A list naming a hostile id is refused as a whole.
  write("evil-list.sh", "printf '[{\"id\":\"ok-1\",\"host\":\"h\",\"port\":1},"
                        "{\"id\":\"x|sh\",\"host\":\"h\",\"port\":2}]'\n");
  spec_.list = "sh " + d + "/evil-list.sh";
  ExecProvider lister(spec_, "web", clock_);
  lister.setRefreshInterval(std::chrono::milliseconds(0));
  EXPECT_TRUE(lister.reap().empty());
  EXPECT_TRUE(lister.instances().empty());
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST_F(ExecProviderTest, TheInstanceReachesScaleInAsAQuotedVariable) {
  // {instance} expands to "$BALLAST_INSTANCE": the command sees the id as one word.
  const std::string d = dir_.path().string();
  write("argv.sh", "printf '%s|' \"$@\" > " + d + "/argv\n");
  spec_.scaleIn = "sh " + d + "/argv.sh {instance} {service}";
  ExecProvider provider(spec_, "web", clock_);
  provider.setRefreshInterval(std::chrono::milliseconds(0));
  ASSERT_TRUE(provider.start());
  ASSERT_TRUE(provider.stop("web-1"));
  std::ifstream argv(dir_.path() / "argv");
  std::string seen((std::istreambuf_iterator<char>(argv)), std::istreambuf_iterator<char>());
  EXPECT_EQ(seen, "web-1|web|");
}

}  // namespace
}  // namespace ballast::scaling
