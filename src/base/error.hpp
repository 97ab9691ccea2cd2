#pragma once

#include <string>
#include <string_view>

namespace bulwark {

// The closed set of failure kinds a service or store may report. Each maps to one HTTP status in
// http/error_response.cpp; pick by what the caller can do about it.
enum class ErrorCode {
    // The request itself is wrong: bad JSON, a missing field, a check digit that does not match.
    kInvalidArgument,
    // The thing named does not exist, or exists outside the caller's scope (never say which).
    kNotFound,
    // A create collides with something that already exists (a unique name, a used barcode).
    kAlreadyExists,
    // Well-formed, but the current state forbids it: a closed tube, an idempotency key reused
    // with another body, a migration applied by a newer binary.
    kFailedPrecondition,
    // Authenticated, but the role or scope does not allow this action.
    kPermissionDenied,
    // No valid session, or the session expired.
    kUnauthenticated,
    // Temporarily unable: overload, the database is unreachable. The caller may retry.
    kUnavailable,
    // A bug or an environment failure the caller cannot fix.
    kInternal,
};

// Stable lower-case name of a code, used in the JSON error body ("invalid_argument").
std::string_view ErrorCodeName(ErrorCode code);

// A failure: its kind, a message for people (zh-CN where users see it), and optionally the field
// (JSON key or column) it concerns.
struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;
    std::string field;

    Error() = default;
    Error(ErrorCode c, std::string msg, std::string fld = {})
        : code(c), message(std::move(msg)), field(std::move(fld)) {}
};

inline Error InvalidArgument(std::string msg, std::string field = {}) {
    return {ErrorCode::kInvalidArgument, std::move(msg), std::move(field)};
}
inline Error NotFound(std::string msg) { return {ErrorCode::kNotFound, std::move(msg)}; }
inline Error AlreadyExists(std::string msg, std::string field = {}) {
    return {ErrorCode::kAlreadyExists, std::move(msg), std::move(field)};
}
inline Error FailedPrecondition(std::string msg, std::string field = {}) {
    return {ErrorCode::kFailedPrecondition, std::move(msg), std::move(field)};
}
inline Error PermissionDenied(std::string msg) {
    return {ErrorCode::kPermissionDenied, std::move(msg)};
}
inline Error Unauthenticated(std::string msg) {
    return {ErrorCode::kUnauthenticated, std::move(msg)};
}
inline Error Unavailable(std::string msg) { return {ErrorCode::kUnavailable, std::move(msg)}; }
inline Error Internal(std::string msg) { return {ErrorCode::kInternal, std::move(msg)}; }

}  // namespace bulwark
