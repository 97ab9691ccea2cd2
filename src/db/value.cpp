#include "db/value.hpp"

#include <charconv>

namespace bulwark::db {

int64_t Value::AsInt() const {
    switch (v_.index()) {
        case 1:
            return std::get<1>(v_);
        case 2:
            return static_cast<int64_t>(std::get<2>(v_));
        case 3: {
            const std::string& s = std::get<3>(v_);
            int64_t out = 0;
            std::from_chars(s.data(), s.data() + s.size(), out);
            return out;
        }
        default:
            return 0;
    }
}

double Value::AsDouble() const {
    switch (v_.index()) {
        case 1:
            return static_cast<double>(std::get<1>(v_));
        case 2:
            return std::get<2>(v_);
        case 3: {
            const std::string& s = std::get<3>(v_);
            double out = 0;
            std::from_chars(s.data(), s.data() + s.size(), out);
            return out;
        }
        default:
            return 0;
    }
}

std::string Value::AsText() const {
    switch (v_.index()) {
        case 1:
            return std::to_string(std::get<1>(v_));
        case 2:
            return std::to_string(std::get<2>(v_));
        case 3:
            return std::get<3>(v_);
        case 4:
            return std::get<4>(v_).bytes;
        default:
            return {};
    }
}

const Blob& Value::AsBlob() const {
    static const Blob kEmpty;
    return v_.index() == 4 ? std::get<4>(v_) : kEmpty;
}

}  // namespace bulwark::db
