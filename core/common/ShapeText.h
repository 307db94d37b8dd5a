// A tensor shape as people read it in messages: "[4096, 576]". Takes any
// range of integers (std::vector<int64_t>, at::IntArrayRef), so torch-free
// and LibTorch code name shapes alike.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

namespace headroom {

template <class Shape> std::string shapeText(const Shape &shape)
{
    std::string text = "[";
    bool first = true;
    for (const auto extent : shape) {
        text += (first ? "" : ", ") + std::to_string(extent);
        first = false;
    }
    return text + "]";
}

// shapeText({out, in}).
inline std::string shapeText(std::initializer_list<int64_t> shape)
{
    return shapeText<std::initializer_list<int64_t>>(shape);
}

} // namespace headroom
