#include "scaling/providers/instance_state_file.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "core/json.h"
#include "scaling/providers/atomic_file.h"

namespace ballast::scaling {

core::Result<PersistedInstances> loadInstanceState(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return PersistedInstances{};
  std::ifstream in(path);
  if (!in)
    return core::fail(core::ErrorCode::kInternal, fmt::format("could not read {}", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  auto json = core::parseJson(text.str());
  auto malformed = [&](const std::string& why) {
    return core::fail(
        core::ErrorCode::kInternal,
        fmt::format(
            "the instance record {} is malformed ({}); stop the processes it lists by hand, "
            "then delete it",
            path.string(), why));
  };
  if (!json) return malformed(json.error().message);
  PersistedInstances state;
  try {
    state.nextIndex = json->at("nextIndex").get<uint64_t>();
    for (const auto& item : json->at("instances")) {
      PersistedInstance p;
      p.id = item.at("id").get<std::string>();
      p.pid = item.at("pid").get<pid_t>();
      p.port = item.at("port").get<int>();
      p.host = item.at("host").get<std::string>();
      p.startTicks = item.at("startTicks").get<uint64_t>();
      p.command = item.at("command").get<std::string>();
      p.startedAtMs = item.at("startedAtMs").get<int64_t>();
      p.stopping = item.value("stopping", false);
      state.instances.push_back(std::move(p));
    }
  } catch (const core::Json::exception& e) {
    return malformed(e.what());
  }
  return state;
}

core::Status saveInstanceState(const std::filesystem::path& path, const PersistedInstances& state) {
  core::Json instances = core::Json::array();
  for (const auto& p : state.instances) {
    instances.push_back({{"id", p.id},
                         {"pid", p.pid},
                         {"port", p.port},
                         {"host", p.host},
                         {"startTicks", p.startTicks},
                         {"command", p.command},
                         {"startedAtMs", p.startedAtMs},
                         {"stopping", p.stopping}});
  }
  const core::Json doc = {{"nextIndex", state.nextIndex}, {"instances", instances}};
  return writeFileAtomically(path, doc.dump(2) + "\n", 0600);
}

}  // namespace ballast::scaling
