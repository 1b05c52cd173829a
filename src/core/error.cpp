#include "core/error.h"

namespace ballast::core {

Error Error::validation(std::string path, std::string message) {
  Error e{ErrorCode::kValidation, "Request validation failed", {}};
  e.details.push_back({std::move(path), std::move(message)});
  return e;
}

int httpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kValidation:
    case ErrorCode::kBadRequest: return 400;
    case ErrorCode::kUnauthorized: return 401;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kMethodNotAllowed: return 405;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kRequestTimeout: return 408;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kUnsupportedMediaType: return 415;
    case ErrorCode::kHeadersTooLarge: return 431;
    case ErrorCode::kRateLimited: return 429;
    case ErrorCode::kInternal: return 500;
    case ErrorCode::kBadGateway: return 502;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kTimeout: return 504;
  }
  return 500;
}

std::string_view codeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kValidation: return "VALIDATION_ERROR";
    case ErrorCode::kBadRequest: return "BAD_REQUEST";
    case ErrorCode::kUnauthorized: return "UNAUTHORIZED";
    case ErrorCode::kForbidden: return "FORBIDDEN";
    case ErrorCode::kNotFound: return "NOT_FOUND";
    case ErrorCode::kMethodNotAllowed: return "METHOD_NOT_ALLOWED";
    case ErrorCode::kConflict: return "CONFLICT";
    case ErrorCode::kRequestTimeout: return "REQUEST_TIMEOUT";
    case ErrorCode::kPayloadTooLarge: return "PAYLOAD_TOO_LARGE";
    case ErrorCode::kUnsupportedMediaType: return "UNSUPPORTED_MEDIA_TYPE";
    case ErrorCode::kHeadersTooLarge: return "HEADERS_TOO_LARGE";
    case ErrorCode::kRateLimited: return "RATE_LIMITED";
    case ErrorCode::kInternal: return "INTERNAL_ERROR";
    case ErrorCode::kBadGateway: return "BAD_GATEWAY";
    case ErrorCode::kUnavailable: return "SERVICE_UNAVAILABLE";
    case ErrorCode::kTimeout: return "GATEWAY_TIMEOUT";
  }
  return "INTERNAL_ERROR";
}

}  // namespace ballast::core
