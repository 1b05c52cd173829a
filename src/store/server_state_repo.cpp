#include "store/server_state_repo.h"

namespace ballast::store {

core::Status ServerStateRepository::save(const std::vector<ServerRuntimeState>& states) {
  return db_.transaction([&]() -> core::Status {
    for (const auto& state : states) {
      auto stmt = db_.prepare(
          "INSERT INTO server_runtime_state(id, healthy, circuit_open) VALUES(?, ?, ?) "
          "ON CONFLICT(id) DO UPDATE SET healthy = excluded.healthy, circuit_open = excluded.circuit_open");
      if (!stmt) return std::unexpected(stmt.error());
      auto ran = stmt->bind(1, state.id)
                     .bind(2, static_cast<int64_t>(state.healthy))
                     .bind(3, static_cast<int64_t>(state.circuitOpen))
                     .run();
      if (!ran) return ran;
    }
    return {};
  });
}

core::Result<std::vector<ServerRuntimeState>> ServerStateRepository::list() {
  auto stmt = db_.prepare("SELECT id, healthy, circuit_open FROM server_runtime_state ORDER BY id");
  if (!stmt) return std::unexpected(stmt.error());
  std::vector<ServerRuntimeState> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back({stmt->text(0), stmt->integer(1) != 0, stmt->integer(2) != 0});
  }
  return out;
}

}  // namespace ballast::store
