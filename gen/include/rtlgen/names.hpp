// Names the user gives (network, input, layers, shared units) become Verilog identifiers and
// file names: their length limit, deterministic shortening for imported names, and the check
// that no generated identifier collides with one derived from another name.
#pragma once

#include <cstddef>
#include <string>

#include "rtlgen/hw_plan.hpp"
#include "rtlgen/ir.hpp"

namespace rtlgen {

// Longest network, input, layer or shared-unit name (they name files such as
// rtl/<network>_top.v and mem/<layer>_w.mem; a file name is limited to 255 bytes).
constexpr size_t kMaxNameLength = 64;

// `s` itself when it has at most `max` characters, else its first max - 9 characters, '_' and 8
// hex digits of a hash of the whole of `s` (same input, same name; distinct long names stay
// distinct).
std::string shorten_name(const std::string& s, size_t max = kMaxNameLength);

// Throws rtlgen::Error when two identifiers declared in the top-level netlist are equal (a user
// name equal to one rtlgen derives from another, e.g. a layer 'conv_a_rq' next to the
// requantizer of 'conv_a'), naming the layers and what to rename.
void check_netlist_identifiers(const Network& net, const HwPlan& plan);

}  // namespace rtlgen
