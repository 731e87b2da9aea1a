// libFuzzer target: the YAML network loader with its .npy parameters, then the passes and the
// info table (what `rtlgen info/run/generate NET.yaml` do).
//
// Input: the YAML text, optionally followed by .npy files, each introduced by a line
// "#@npy\n" (a YAML comment, so a plain YAML file is a valid input):
//
//   network: x            <- written as SCRATCH/net.yaml
//   ...
//   #@npy                 <- the bytes up to the next "\n#@npy\n" become SCRATCH/params/in0.npy
//   \x93NUMPY...
//   #@npy                 <- ... in1.npy, and so on (at most 8)
//
// SCRATCH/params also holds copies of configs/lenet_params/*.npy and configs/tiny_params/*.npy,
// and SCRATCH/lenet_params, SCRATCH/tiny_params and SCRATCH/p point at it, so the seeds
// (configs/*.yaml, tests/fuzz/corpus/yaml/) load as they are.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen/yaml_loader.hpp"

namespace {

namespace fs = std::filesystem;
constexpr int kMaxNpy = 8;
const std::string kSep = "\n#@npy\n";

const fs::path& setup() {
  static const fs::path dir = [] {
    const fs::path d = rtlgen_fuzz::scratch_dir("yaml");
    fs::create_directories(d / "params");
    // Each set in a directory of its own (both have a conv1); `p` holds all of them.
    for (const char* set : {"lenet_params", "tiny_params"}) {
      const fs::path src = fs::path(RTLGEN_SOURCE_DIR) / "configs" / set;
      std::error_code ec;
      fs::create_directories(d / set);
      for (const auto& e : fs::directory_iterator(src, ec))
        for (const fs::path& to : {d / set, d / "params"})
          fs::copy_file(e.path(), to / e.path().filename(), fs::copy_options::overwrite_existing);
    }
    fs::create_directory_symlink("params", d / "p");
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path& dir = setup();
  const std::string in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  for (size_t pos = 0;;) {
    const size_t next = in.find(kSep, pos);
    parts.push_back(in.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos || int(parts.size()) > kMaxNpy) break;
    pos = next + kSep.size();
  }
  rtlgen_fuzz::write_bytes(dir / "net.yaml", parts[0].data(), parts[0].size());
  for (int i = 0; i < kMaxNpy; ++i) {
    const fs::path p = dir / "params" / ("in" + std::to_string(i) + ".npy");
    if (size_t(i) + 1 < parts.size())
      rtlgen_fuzz::write_bytes(p, parts[size_t(i) + 1].data(), parts[size_t(i) + 1].size());
    else
      fs::remove(p);  // no stale files from an earlier input: every run is reproducible
  }
  try {
    const rtlgen::Network net = rtlgen::load_network_yaml((dir / "net.yaml").string());
    RTLGEN_FUZZ_CHECK(!net.layers.empty());
    (void)rtlgen::info_table(net);
  } catch (const rtlgen::Error&) {
  }
  return 0;
}
