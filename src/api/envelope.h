#pragma once
// The admin API's response envelope (DESIGN.md, API conventions):
//   success: {"success":true,"data":...}
//   failure: {"success":false,"error":{"code":"...","message":"...","details":[{"path","message"}]}}

#include "core/error.h"
#include "core/json.h"
#include "http/message.h"

namespace ballast::api {

http::Response successResponse(const core::Json& data, int status = 200);
http::Response errorResponse(const core::Error& error);
core::Json errorBody(const core::Error& error);

}  // namespace ballast::api
