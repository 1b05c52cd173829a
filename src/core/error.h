#pragma once
// Errors are values on the request path: Result<T> = std::expected<T, Error>.
// Each code maps one-to-one to an HTTP status and to the `code` of the API's
// error envelope, and names what the caller should do.

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace ballast::core {

enum class ErrorCode {
  kValidation,            // 400: fix the input named in details
  kBadRequest,            // 400: the request itself is malformed (bad JSON, bad framing)
  kUnauthorized,          // 401: authenticate
  kForbidden,             // 403: use an identity with a higher role
  kNotFound,              // 404
  kMethodNotAllowed,      // 405
  kConflict,              // 409: the resource exists or is in the wrong state
  kRequestTimeout,        // 408: the client was too slow sending its request
  kPayloadTooLarge,       // 413
  kUnsupportedMediaType,  // 415
  kHeadersTooLarge,       // 431
  kRateLimited,           // 429: retry later
  kInternal,              // 500: our fault
  kBadGateway,            // 502: upstream failed
  kUnavailable,           // 503: retry later
  kTimeout,               // 504
};

struct FieldError {
  std::string path;     // JSON pointer ("/port") or config key path ("cluster.workerCount")
  std::string message;  // why it is wrong
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::vector<FieldError> details;

  static Error validation(std::string path, std::string message);
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected(Error{code, std::move(message), {}});
}

int httpStatus(ErrorCode code);
// The envelope's code, e.g. "VALIDATION_ERROR".
std::string_view codeName(ErrorCode code);

}  // namespace ballast::core
