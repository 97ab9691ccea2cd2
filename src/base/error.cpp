#include "base/error.hpp"

namespace bulwark {

std::string_view ErrorCodeName(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "invalid_argument";
        case ErrorCode::kNotFound:
            return "not_found";
        case ErrorCode::kAlreadyExists:
            return "already_exists";
        case ErrorCode::kFailedPrecondition:
            return "failed_precondition";
        case ErrorCode::kPermissionDenied:
            return "permission_denied";
        case ErrorCode::kUnauthenticated:
            return "unauthenticated";
        case ErrorCode::kUnavailable:
            return "unavailable";
        case ErrorCode::kInternal:
            return "internal";
    }
    return "internal";
}

}  // namespace bulwark
