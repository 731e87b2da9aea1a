// Frontend: the YAML network description + .npy parameters (docs/network-format.md) -> IR.
#pragma once

#include <string>

#include "rtlgen/ir.hpp"

namespace rtlgen {

// Loads and fully prepares (validates, infers shapes, derives quantization) a network:
// compile() up to the passes (rtlgen/compile.hpp).
// Throws rtlgen::Error with file:line:column on any problem.
Network load_network_yaml(const std::string& path);

// Loads without running the passes (for tools that want the raw description).
Network parse_network_yaml(const std::string& path);

}  // namespace rtlgen
