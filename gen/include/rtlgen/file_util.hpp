// Small file and shell helpers shared by the commands that drive external tools.
#pragma once

#include <string>

namespace rtlgen {

// Whole file as bytes; throws rtlgen::Error naming the path if it cannot be read.
std::string read_file_bytes(const std::string& path);
// Single-quotes a string for /bin/sh.
std::string shell_quote(const std::string& s);
// Runs a /bin/sh command line; returns its exit status (128 if it did not exit normally).
int run_shell(const std::string& command);

}  // namespace rtlgen
