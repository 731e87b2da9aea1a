#include "rtlgen/file_util.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rtlgen/error.hpp"

namespace rtlgen {

void require_regular_file(const std::string& path, const std::string& expected) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st))
    throw Error(
        fmt::format("{}: no such file (expected {}){}", path, expected,
                    ec && ec != std::errc::no_such_file_or_directory ? ": " + ec.message() : ""));
  if (std::filesystem::is_directory(st))
    throw Error(fmt::format("{}: is a directory, expected {}", path, expected));
  if (!std::filesystem::is_regular_file(st))
    throw Error(fmt::format("{}: is not a regular file (a device, FIFO or socket), expected {}",
                            path, expected));
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size >= (uintmax_t(1) << 31))
    throw Error(
        fmt::format("{}: is {} bytes; files of 2 GiB or more are not supported (expected "
                    "{})",
                    path, size, expected));
}

std::string read_file_bytes(const std::string& path, const std::string& expected) {
  require_regular_file(path, expected);
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::stringstream ss;
  ss << f.rdbuf();
  if (f.bad()) throw Error(fmt::format("{}: read error", path));
  return ss.str();
}

std::string shell_quote(const std::string& s) {
  std::string r = "'";
  for (char c : s) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return r + "'";
}

int run_shell(const std::string& command) {
  // What we printed so far must come before the child's output in a log (stdout is
  // block-buffered when it is not a terminal).
  std::fflush(stdout);
  std::fflush(stderr);
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

namespace {

// ".STEM.tmp-PID" or ".STEM.old-PID", optionally followed by "-N", whose process is gone.
// Temporary siblings are hidden (leading dot); a partial one never holds a complete output's
// marker (written last).
bool is_stale_sibling(const std::string& name, const std::string& stem) {
  for (const char* kind : {".tmp-", ".old-"}) {
    const std::string prefix = "." + stem + kind;
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string pid_text = name.substr(prefix.size());
    const size_t dash = pid_text.find('-');
    if (dash != std::string::npos) {
      if (pid_text.find_first_not_of("0123456789", dash + 1) != std::string::npos) continue;
      pid_text.resize(dash);
    }
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos ||
        pid_text.size() > 9)
      continue;
    const pid_t pid = pid_t(std::stol(pid_text));
    return pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH;
  }
  return false;
}

}  // namespace

void remove_stale_siblings(const std::filesystem::path& parent, const std::string& stem) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(parent, ec))
    if (is_stale_sibling(e.path().filename().string(), stem))
      std::filesystem::remove_all(e.path(), ec);
}

}  // namespace rtlgen
