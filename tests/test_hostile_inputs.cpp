// Hostile inputs, second pass: messages that misled, names that collided with generated identifiers, tensors
// without a size bound. Each case failed (or said the wrong thing) before the fix.
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>

#include "net_builder.hpp"
#include "rtlgen/emit.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/idx.hpp"
#include "rtlgen/image.hpp"
#include "rtlgen/names.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen/npy.hpp"
#include "rtlgen/tflite_import.hpp"
#include "rtlgen/yaml_loader.hpp"

using namespace rtlgen;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path dir;
  TempDir() {
    static int counter = 0;
    dir = fs::temp_directory_path() /
          ("rtlgen_hostile_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~TempDir() { fs::remove_all(dir); }
  std::string path(const std::string& rel) const { return (dir / rel).string(); }
  std::string write(const std::string& rel, const std::string& text) const {
    std::ofstream(path(rel), std::ios::binary) << text;
    return path(rel);
  }
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("names: long names are shortened deterministically and stay distinct", "[names]") {
  CHECK(shorten_name("conv1") == "conv1");
  const std::string a(5000, 'a');
  std::string b = a;
  b.back() = 'b';
  CHECK(shorten_name(a).size() == kMaxNameLength);
  CHECK(shorten_name(a) == shorten_name(a));
  CHECK(shorten_name(a) != shorten_name(b));
  // The importer's names go through it (tensor names of 5,000 characters).
  CHECK(sanitize_identifier(a, "x").size() <= kMaxNameLength);
  CHECK(sanitize_identifier("model/" + a + ";fused", "x") ==
        sanitize_identifier("model/" + a, "x"));
}

TEST_CASE("names: a layer named like a generated identifier is refused, naming it", "[names]") {
  using namespace test;
  const auto build = [](const std::string& second) {
    Network n = network({4, 4, 2}, q(DType::Int8, 0.5f, 0));
    Layer pool;
    pool.op = OpKind::MaxPool2D;
    pool.kernel_h = pool.kernel_w = 2;
    pool.stride_h = pool.stride_w = 2;
    pool.out_quant = n.input.quant;
    pool.name = "p";
    add(n, pool);
    pool.name = second;
    pool.kernel_h = pool.kernel_w = pool.stride_h = pool.stride_w = 1;
    add(n, pool);
    prepare_network(n);
    return n;
  };
  CHECK_NOTHROW(plan_hardware(build("q")));
  // p's window generator streams on p_win_tdata, ...: a layer named p_win declares the same.
  CHECK_THAT(
      error_of([&] { plan_hardware(build("p_win")); }),
      Catch::Contains("would declare 'p_win_tdata' twice") && Catch::Contains("rename 'p_win'"));
  CHECK_THAT(
      error_of([&] { plan_hardware(build("m_axis")); }),
      Catch::Contains("would declare 'm_axis_tdata' twice") && Catch::Contains("rename 'm_axis'"));
}

TEST_CASE("names: colliding names are refused at load, naming the file, the layer and the fix",
          "[names]") {
  TempDir t;
  const auto yaml = [&](const std::string& second) {
    return t.write(second + ".yaml",
                   "network: t\n"
                   "input: {name: input, shape: [4, 4, 2], dtype: int8, scale: 0.5, "
                   "zero_point: 0}\n"
                   "layers:\n"
                   "  - {name: p, op: max_pool2d, pool: 2}\n"
                   "  - {name: " +
                       second + ", op: max_pool2d, pool: 1}\n");
  };
  CHECK_NOTHROW(load_network_yaml(yaml("q")));
  // The loader refuses what generate would (the planner's own identifiers), at the layer's line.
  for (const std::string& name : {"p_win", "p_pl", "s_axis", "m_axis"}) {
    INFO(name);
    const std::string path = yaml(name);
    const std::string e = error_of([&] { load_network_yaml(path); });
    CHECK_THAT(
        e, Catch::StartsWith(path + ":5:5: the netlist would declare '" + name + "_tdata' twice") &&
               Catch::Contains("rename '" + name + "'"));
    CHECK(error_of([&] { load_network(path); }) == e);
  }
  // A name that only looks generated but declares nothing twice loads (the rule is the
  // planner's, not a pattern): p_mvu (no MVU for a pool), clk (its wires are clk_tdata, ...).
  CHECK_NOTHROW(load_network_yaml(yaml("p_mvu")));
  CHECK_NOTHROW(load_network_yaml(yaml("clk")));
  // A network the planner refuses for another reason still loads (generate says why).
  const std::string sm = t.write("softmax.yaml",
                                 "network: t\n"
                                 "input: {shape: [1, 1, 10], dtype: int8, scale: 0.1, "
                                 "zero_point: 0}\n"
                                 "layers:\n"
                                 "  - {name: s, op: softmax, output: {dtype: int8, scale: "
                                 "0.00390625, zero_point: -128}}\n");
  CHECK_NOTHROW(load_network_yaml(sm));
}

TEST_CASE("passes: every tensor is bounded, naming the layer", "[passes]") {
  using namespace test;
  Network n = network({4, 4, 1}, q(DType::Int8, 1.0f, 0));
  Layer pad;
  pad.op = OpKind::Pad;
  pad.name = "big_pad";
  pad.pads = {65536, 65536, 65536, 65536};
  pad.out_quant = n.input.quant;
  add(n, pad);
  CHECK_THAT(error_of([&] { prepare_network(n); }),
             Catch::Contains("layer 'big_pad' (pad): output 131076x131076x1 has 17180917776 "
                             "elements; every tensor is limited to 2^26"));
}

TEST_CASE("yaml: HWIO convolution weights are named as such, not as a bias problem", "[yaml]") {
  TempDir t;
  fs::create_directories(t.dir / "p");
  write_npy(t.path("p/w.npy"), "|i1", {3, 3, 1, 4}, std::vector<int64_t>(36, 1));
  write_npy(t.path("p/b.npy"), "<i4", {4}, {0, 0, 0, 0});
  const std::string y = t.write("net.yaml", R"(network: t
params: p
input: {shape: [8, 8, 1], dtype: int8, scale: 0.5, zero_point: 0}
layers:
  - {name: c, op: conv2d, kernel: 3, weights: w.npy, bias: b.npy, weight_scales: 0.01,
     output: {scale: 0.5, zero_point: 0}}
)");
  const std::string e = error_of([&] { load_network_yaml(y); });
  CHECK_THAT(e,
             Catch::Contains("look like HWIO") && Catch::Contains("np.transpose(w, (3, 0, 1, 2))"));
  CHECK_THAT(e, !Catch::Contains("bias"));
}

TEST_CASE("yaml: depthwise hw.simd other than 1 gets the advice that works", "[yaml]") {
  TempDir t;
  fs::create_directories(t.dir / "p");
  write_npy(t.path("p/dw.npy"), "|i1", {1, 3, 3, 4}, std::vector<int64_t>(36, 1));
  const std::string y = t.write("net.yaml", R"(network: t
params: p
input: {shape: [8, 8, 4], dtype: int8, scale: 0.5, zero_point: 0}
layers:
  - {name: d, op: depthwise_conv2d, kernel: 3, weights: dw.npy, weight_scales: 0.01,
     output: {scale: 0.5, zero_point: 0}, hw: {simd: 3}}
)");
  CHECK_THAT(error_of([&] { load_network_yaml(y); }),
             Catch::Contains("a depthwise layer takes hw.simd = 1"));
}

TEST_CASE("yaml: errors of the fold: key name the file and line", "[yaml][fold]") {
  TempDir t;
  fs::create_directories(t.dir / "p");
  write_npy(t.path("p/dw.npy"), "|i1", {1, 3, 3, 4}, std::vector<int64_t>(36, 1));
  const std::string y = t.write("net.yaml", R"(network: t
params: p
input: {shape: [8, 8, 4], dtype: int8, scale: 0.5, zero_point: 0}
fold: {target_fps: 1e12}
layers:
  - {name: d, op: depthwise_conv2d, kernel: 3, weights: dw.npy, weight_scales: 0.01,
     output: {scale: 0.5, zero_point: 0}}
)");
  CHECK_THAT(error_of([&] { load_network(y); }), Catch::StartsWith(y + ":4:7: fold: "));
}

TEST_CASE("readers: non-regular files are refused before reading", "[readers]") {
  CHECK_THAT(error_of([] { read_npy("/dev/zero"); }),
             Catch::Contains("/dev/zero: is not a regular file"));
  CHECK_THAT(error_of([] { import_tflite("/dev/zero"); }),
             Catch::Contains("/dev/zero: is not a regular file"));
  CHECK_THAT(error_of([] { read_idx("/dev/zero"); }),
             Catch::Contains("/dev/zero: is not a regular file"));
}

TEST_CASE("readers: a truncated gzip is called truncated, not bad magic", "[readers][idx]") {
  TempDir t;
  std::string idx =
      std::string("\0\0\x08\x01", 4) + std::string("\0\0\0\x0a", 4) + std::string(10, 1);
  const std::string gz = t.path("labels.gz");
  gzFile f = gzopen(gz.c_str(), "wb");
  gzwrite(f, idx.data(), unsigned(idx.size()));
  gzclose(f);
  std::ifstream in(gz, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  t.write("cut.gz", bytes.substr(0, 12));
  CHECK_THAT(error_of([&] { read_idx(t.path("cut.gz")); }),
             Catch::Contains("truncated gzip stream"));
}

TEST_CASE("readers: a corrupted .npy shape is shown short", "[readers][npy]") {
  std::string shape = "(" + std::string(2700, '9') + "x)";
  std::string h = "{'descr': '|i1', 'fortran_order': False, 'shape': " + shape + ", }";
  h += std::string((64 - (10 + h.size() + 1) % 64) % 64, ' ') + "\n";
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += char(h.size() & 0xff);
  bytes += char(h.size() >> 8);
  bytes += h;
  const std::string e = error_of([&] { parse_npy(bytes, "x.npy"); });
  CHECK_THAT(e, Catch::Contains("bad .npy shape"));
  CHECK(e.size() < 200);
}

TEST_CASE("readers: PGM header errors say which field and value", "[readers][image]") {
  CHECK_THAT(error_of([] { parse_pgm("P5\n0 4\n255\n", "w.pgm"); }),
             Catch::Contains("width 0 (1 to 65535)"));
  CHECK_THAT(error_of([] { parse_pgm("P5\n4 70000\n255\n", "h.pgm"); }),
             Catch::Contains("height 70000 (1 to 65535)"));
}

TEST_CASE("generate: a command line that is not UTF-8 still gives a report.json", "[generate]") {
  // fuzz_cli found it: `rtlgen generate NET -o $'b\xff'` ended in "internal error:
  // [json.exception.type_error.316] invalid UTF-8 byte" (tests/fuzz/corpus/cli/crash_*).
  const Network net = load_network(std::string(RTLGEN_SOURCE_DIR) + "/configs/residual_tiny.yaml");
  const HwPlan plan = plan_hardware(net);
  const auto files = generate_files(net, plan, "rtlgen generate x -o b\xff\xfe");
  CHECK_THAT(files.at("report.json"), Catch::Contains("\xef\xbf\xbd"));  // U+FFFD
}
