#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "base/error.hpp"

namespace bulwark {

// Result<T> holds either a value or an Error, shaped like std::expected (C++23) so that it can be
// replaced by it later. Not thread-safe (a plain value type).
template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(v_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(v_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& {
        assert(!ok());
        return std::get<1>(v_);
    }
    Error&& error() && {
        assert(!ok());
        return std::get<1>(std::move(v_));
    }

private:
    std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const& {
        assert(!ok_);
        return error_;
    }
    Error&& error() && {
        assert(!ok_);
        return std::move(error_);
    }

private:
    Error error_;
    bool ok_ = true;
};

using Status = Result<void>;

inline Status Ok() { return {}; }

}  // namespace bulwark

// Early return of an error from a function returning Result<...> or Status.
#define BULWARK_CONCAT_INNER(a, b) a##b
#define BULWARK_CONCAT(a, b) BULWARK_CONCAT_INNER(a, b)
#define RETURN_IF_ERROR(expr)                                                 \
    do {                                                                      \
        auto&& bulwark_status_ = (expr);                                      \
        if (!bulwark_status_.ok()) return std::move(bulwark_status_).error(); \
    } while (0)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)     \
    auto tmp = (expr);                            \
    if (!tmp.ok()) return std::move(tmp).error(); \
    lhs = std::move(tmp).value()
#define ASSIGN_OR_RETURN(lhs, expr) \
    ASSIGN_OR_RETURN_IMPL(BULWARK_CONCAT(bulwark_result_, __LINE__), lhs, expr)
