// Shared helpers of the libFuzzer targets in tests/fuzz.
//
// Contract checked by every target: a reader either succeeds with a result that agrees with
// itself (sizes match shapes) or throws rtlgen::Error. Anything else -- a crash, an
// AddressSanitizer/UndefinedBehaviorSanitizer report, another exception type escaping
// (std::terminate aborts), an allocation beyond -malloc_limit_mb, a hang beyond -timeout -- is
// reported by libFuzzer as a bug.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace rtlgen_fuzz {

namespace fs = std::filesystem;

// A private scratch directory for this fuzzing process (removed at normal exit).
inline const fs::path& scratch_dir(const char* tag) {
  static fs::path dir = [&] {
    std::string templ = (fs::temp_directory_path() / (std::string("rtlgen_fuzz_") + tag + "_XXXXXX")).string();
    if (!::mkdtemp(templ.data())) {
      std::perror("mkdtemp");
      std::abort();
    }
    static fs::path keep;
    keep = templ;
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(keep, ec);
    });
    return fs::path(templ);
  }();
  return dir;
}

inline void write_bytes(const fs::path& p, const char* data, size_t size) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(data, std::streamsize(size));
  if (!f) {
    std::perror(p.c_str());
    std::abort();
  }
}

// A broken invariant (a reader that "lies") is a bug: abort so libFuzzer records the input.
#define RTLGEN_FUZZ_CHECK(cond)                                                   \
  do {                                                                            \
    if (!(cond)) {                                                                \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                               \
    }                                                                             \
  } while (0)

}  // namespace rtlgen_fuzz
