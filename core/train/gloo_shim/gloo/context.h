// Opaque declarations only; see README.md in this folder. Context is named
// with the one member an inline function of ProcessGroupGloo.hpp calls; it
// is never created or sized here (LibTorch owns every Gloo object).
#pragma once

#include <chrono>

namespace gloo {
class Context
{
public:
    Context() = delete;
    void setTimeout(std::chrono::milliseconds timeout);
};
namespace transport {
class Device;
class UnboundBuffer;
} // namespace transport
} // namespace gloo
