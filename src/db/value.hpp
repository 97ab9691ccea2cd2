#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace bulwark::db {

// Raw bytes stored in a BLOB (SQLite) or BYTEA (PostgreSQL) column.
struct Blob {
    std::string bytes;
    bool operator==(const Blob&) const = default;
};

// One SQL value, as a parameter or a result cell: NULL, a 64-bit integer, a double, UTF-8 text or
// bytes. Integer-like PostgreSQL types (int2/4/8, bool, numeric without fraction) arrive as
// int64_t, so that stores read the same types from both drivers. A plain value type.
class Value {
public:
    using Variant = std::variant<std::monostate, int64_t, double, std::string, Blob>;

    Value() = default;
    Value(std::nullptr_t) {}
    Value(std::nullopt_t) {}
    Value(int v) : v_(static_cast<int64_t>(v)) {}
    Value(unsigned v) : v_(static_cast<int64_t>(v)) {}
    Value(long v) : v_(static_cast<int64_t>(v)) {}
    Value(long long v) : v_(static_cast<int64_t>(v)) {}
    Value(bool v) : v_(static_cast<int64_t>(v ? 1 : 0)) {}
    Value(double v) : v_(v) {}
    Value(const char* v) : v_(std::string(v)) {}
    Value(std::string v) : v_(std::move(v)) {}
    Value(std::string_view v) : v_(std::string(v)) {}
    Value(Blob v) : v_(std::move(v)) {}
    template <class T>
    Value(const std::optional<T>& v) {
        if (v) *this = Value(*v);
    }

    bool is_null() const { return v_.index() == 0; }
    bool is_int() const { return v_.index() == 1; }
    bool is_double() const { return v_.index() == 2; }
    bool is_text() const { return v_.index() == 3; }
    bool is_blob() const { return v_.index() == 4; }

    // Accessors convert where it is lossless and obvious (int <-> double, text of digits -> int);
    // NULL reads as 0 / "" / empty blob. Use is_null() where NULL means something.
    int64_t AsInt() const;
    double AsDouble() const;
    std::string AsText() const;
    const Blob& AsBlob() const;
    std::optional<int64_t> AsOptInt() const {
        return is_null() ? std::nullopt : std::optional<int64_t>(AsInt());
    }
    std::optional<std::string> AsOptText() const {
        return is_null() ? std::nullopt : std::optional<std::string>(AsText());
    }

    const Variant& variant() const { return v_; }
    bool operator==(const Value&) const = default;

private:
    Variant v_;
};

using Params = std::vector<Value>;

// One result row: cells by position, in the order of the SELECT list.
class Row {
public:
    Row() = default;
    explicit Row(std::vector<Value> cells) : cells_(std::move(cells)) {}
    size_t size() const { return cells_.size(); }
    const Value& operator[](size_t i) const { return cells_.at(i); }
    int64_t Int(size_t i) const { return cells_.at(i).AsInt(); }
    double Double(size_t i) const { return cells_.at(i).AsDouble(); }
    std::string Text(size_t i) const { return cells_.at(i).AsText(); }
    bool IsNull(size_t i) const { return cells_.at(i).is_null(); }
    std::vector<Value>& cells() { return cells_; }

private:
    std::vector<Value> cells_;
};

// All rows of a query, with the column names.
struct Rows {
    std::vector<std::string> columns;
    std::vector<Row> rows;
    bool empty() const { return rows.empty(); }
    size_t size() const { return rows.size(); }
    const Row& operator[](size_t i) const { return rows.at(i); }
    auto begin() const { return rows.begin(); }
    auto end() const { return rows.end(); }
};

}  // namespace bulwark::db
