// libFuzzer target: the rtlgen command line (gen/cli/main.cpp, argument parsing and every
// subcommand that runs in-process: info, run, eval, import, fold, generate, devices).
//
// Input: the arguments after "rtlgen", one per line (at most 16, each at most 200 bytes).
// Tokens name the files of a private scratch directory (the working directory):
//   @tiny    tiny.yaml (+ tiny_params/)       @res     residual_tiny.yaml (+ params)
//   @lenet   lenet.yaml (+ lenet_params/)     @tflite  lenet.tflite
//   @npy     tiny_input.npy                   @mnist   mnist/ (10 IDX digits + labels)
// An argument with '/' or ".." is replaced by "x" (outputs stay in the scratch directory), and
// sim, synth and pnr (they run Verilator, Yosys, nextpnr) are not run.
//
// Contract: rtlgen_main returns 0 (success) or 1 (one clean error); 3 (internal error), a crash,
// a sanitizer report or an escaped exception is a bug.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_common.hpp"

int rtlgen_main(int argc, char** argv);

namespace {

namespace fs = std::filesystem;

const fs::path& setup() {
  static const fs::path dir = [] {
    const fs::path d = rtlgen_fuzz::scratch_dir("cli");
    const fs::path src = fs::path(RTLGEN_SOURCE_DIR) / "configs";
    const auto copy = fs::copy_options::recursive | fs::copy_options::overwrite_existing;
    for (const char* f : {"tiny.yaml", "tiny_params", "residual_tiny.yaml", "residual_tiny_params",
                          "lenet.yaml", "lenet_params", "lenet.tflite", "tiny_input.npy"})
      fs::copy(src / f, d / f, copy);
    // Ten digits: eval under the sanitizers stays well inside the 5 s limit.
    fs::create_directories(d / "mnist");
    const fs::path data = fs::path(RTLGEN_SOURCE_DIR) / "tests" / "data";
    for (const char* kind : {"images-idx3", "labels-idx1"}) {
      std::ifstream in(data / (std::string("mnist100-") + kind + "-ubyte"), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const size_t header = kind[0] == 'i' ? 16 : 8, item = kind[0] == 'i' ? 784 : 1;
      bytes.resize(header + 10 * item);
      bytes[7] = 10;  // count (big-endian, < 256)
      bytes[4] = bytes[5] = bytes[6] = 0;
      rtlgen_fuzz::write_bytes(d / "mnist" / (std::string("t10k-") + kind + "-ubyte"), bytes.data(),
                               bytes.size());
    }
    fs::current_path(d);
    // rtlgen's tables and reports are not what is being tested: keep stdout quiet.
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) ::dup2(null, 1);
    return d;
  }();
  return dir;
}

// Everything an input created in the scratch directory is removed before the next one.
void clean(const fs::path& dir) {
  static const std::vector<std::string> keep = {
      "tiny.yaml",  "tiny_params",  "residual_tiny.yaml", "residual_tiny_params",
      "lenet.yaml", "lenet_params", "lenet.tflite",       "tiny_input.npy",
      "mnist"};
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (std::find(keep.begin(), keep.end(), name) == keep.end()) fs::remove_all(e.path(), ec);
  }
}

std::string substitute(const std::string& a) {
  static const std::vector<std::pair<std::string, std::string>> tokens = {
      {"@tiny", "tiny.yaml"},      {"@res", "residual_tiny.yaml"}, {"@lenet", "lenet.yaml"},
      {"@tflite", "lenet.tflite"}, {"@npy", "tiny_input.npy"},     {"@mnist", "mnist"}};
  for (const auto& [token, file] : tokens)
    if (a == token) return file;
  if (a.find('/') != std::string::npos || a.find("..") != std::string::npos) return "x";
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path& dir = setup();
  std::vector<std::string> args = {"rtlgen"};
  std::string cur;
  for (size_t i = 0; i <= size && args.size() <= 16; ++i) {
    if (i == size || data[i] == '\n') {
      args.push_back(substitute(cur.substr(0, 200)));
      cur.clear();
    } else if (data[i] != 0) {
      cur += char(data[i]);
    }
  }
  for (const auto& a : args)
    if (a == "sim" || a == "synth" || a == "pnr") return 0;  // external tools: not fuzzed here
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = rtlgen_main(int(args.size()), argv.data());
  clean(dir);
  RTLGEN_FUZZ_CHECK(rc == 0 || rc == 1);
  return 0;
}
