#include "scaling/providers/static_provider.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "scaling/providers/make_provider.h"

namespace ballast::scaling {
namespace {

TEST(StaticProvider, RefusesToScaleWithAConflictThatSaysWhatToDo) {
  StaticProvider provider("api");
  EXPECT_EQ(provider.type(), "static");
  EXPECT_FALSE(provider.canScale());
  auto started = provider.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, core::ErrorCode::kConflict);
  EXPECT_TRUE(
      started.error().message.starts_with("service api uses the static provider: add servers with "
                                          "POST /api/infrastructure/services/api/servers"))
      << started.error().message;
  auto stopped = provider.stop("api-1");
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code, core::ErrorCode::kConflict);
  EXPECT_TRUE(provider.instances().empty());
  EXPECT_TRUE(provider.reap().empty());
  EXPECT_FALSE(provider.usage("api-1"));
}

TEST(MakeProvider, BuildsTheProviderTheSpecNames) {
  core::SimulatedClock clock;
  auto made = makeProvider(ProviderSpec{}, "api", "/nonexistent", clock);
  ASSERT_TRUE(made);
  EXPECT_EQ((*made)->type(), "static");

  ProviderSpec exec;
  exec.type = ProviderType::kExec;
  exec.exec = {"true", "true", "echo []", 1000};
  made = makeProvider(exec, "api", "/nonexistent", clock);
  ASSERT_TRUE(made);
  EXPECT_EQ((*made)->type(), "exec");

  ProviderSpec kube;
  kube.type = ProviderType::kKubernetes;
  kube.kubernetes.deployment = "api";
  kube.kubernetes.apiServer = "https://10.0.0.1:6443";
  made = makeProvider(kube, "api", "/nonexistent", clock);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ((*made)->type(), "kubernetes");
}

}  // namespace
}  // namespace ballast::scaling
