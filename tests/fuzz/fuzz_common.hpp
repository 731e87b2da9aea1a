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

#include "rtlgen/error.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/yaml_writer.hpp"

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

// What every command does with an imported network, after checking that it agrees with itself:
// one weight per element of its shape, one bias and one scale (or a single per-tensor scale)
// per output channel; then the YAML text (`rtlgen import`), the passes and the info table
// (`rtlgen info/run/generate`), where refusals are fine.
inline void check_and_use_imported(rtlgen::Network& net) {
  RTLGEN_FUZZ_CHECK(!net.layers.empty());
  for (const rtlgen::Layer& l : net.layers) {
    if (!rtlgen::has_weights(l.op)) continue;
    int64_t n = 1;
    for (int32_t d : l.weight_shape) n *= d;
    RTLGEN_FUZZ_CHECK(l.weight_shape.size() >= 2 && n == int64_t(l.weights.size()));
    const int oc = rtlgen::output_channels(l);
    RTLGEN_FUZZ_CHECK(int64_t(l.bias.size()) == oc);  // an absent bias is zeros
    RTLGEN_FUZZ_CHECK(l.weight_scales.size() == 1 || int64_t(l.weight_scales.size()) == oc);
  }
  try {
    (void)rtlgen::network_yaml_text(net, "fuzz_params");
    rtlgen::prepare_network(net);
    (void)rtlgen::info_table(net);
  } catch (const rtlgen::Error&) {
  }
}

}  // namespace rtlgen_fuzz
