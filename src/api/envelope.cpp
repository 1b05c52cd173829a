#include "api/envelope.h"

namespace ballast::api {

namespace {
http::Response jsonResponse(int status, const core::Json& body) {
  http::Response response;
  response.status = status;
  // Invalid UTF-8 from a client must never make serialisation throw.
  response.body = body.dump(-1, ' ', false, core::Json::error_handler_t::replace);
  response.set("Content-Type", "application/json; charset=utf-8");
  return response;
}
}  // namespace

core::Json errorBody(const core::Error& error) {
  core::Json body = {{"success", false},
                     {"error", {{"code", core::codeName(error.code)}, {"message", error.message}}}};
  if (!error.details.empty()) {
    auto& details = body["error"]["details"] = core::Json::array();
    for (const auto& d : error.details) details.push_back({{"path", d.path}, {"message", d.message}});
  }
  return body;
}

http::Response successResponse(const core::Json& data, int status) {
  return jsonResponse(status, {{"success", true}, {"data", data}});
}

http::Response errorResponse(const core::Error& error) {
  return jsonResponse(core::httpStatus(error.code), errorBody(error));
}

}  // namespace ballast::api
