// One exception type for every user-facing error: it carries where (file:line:col) and what to do.
#pragma once

#include <stdexcept>
#include <string>

#include "rtlgen/ir.hpp"

namespace rtlgen {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  Error(const SourceLoc& where, const std::string& message)
      : std::runtime_error(where.str() + ": " + message) {}
};

}  // namespace rtlgen
