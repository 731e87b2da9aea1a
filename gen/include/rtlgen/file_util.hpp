// Small file and shell helpers shared by the commands that drive external tools.
#pragma once

#include <filesystem>
#include <string>

namespace rtlgen {

// Throws rtlgen::Error unless PATH is a regular file (after symbolic links) of at most 2 GiB:
// missing, a directory, a device such as /dev/zero, a FIFO or a socket are refused before
// anything is read. EXPECTED says what the file should be ("a .npy file").
void require_regular_file(const std::string& path, const std::string& expected);
// Whole file as bytes; throws rtlgen::Error naming the path if it cannot be read.
std::string read_file_bytes(const std::string& path, const std::string& expected = "a file");
// Single-quotes a string for /bin/sh.
std::string shell_quote(const std::string& s);
// Runs a /bin/sh command line; returns its exit status (128 if it did not exit normally).
int run_shell(const std::string& command);
// Removes the hidden siblings PARENT/.STEM.tmp-PID[-N] and .STEM.old-PID[-N] that a killed
// rtlgen left behind (those whose process PID is gone); a running writer's are kept.
void remove_stale_siblings(const std::filesystem::path& parent, const std::string& stem);

}  // namespace rtlgen
