// Bad input never crashes or lies: the .npy, image and IDX readers and the output directories,
// with the regressions of what fuzzing found (tests/fuzz/, README "Fuzzing and sanitizers").
// Every reproducer tests/fuzz/corpus/<target>/crash_* is replayed here through its reader.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "rtlgen/emit.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/idx.hpp"
#include "rtlgen/image.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen/npy.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/onnx_import.hpp"
#include "rtlgen/tflite_import.hpp"
#include "rtlgen/yaml_loader.hpp"

using namespace rtlgen;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

struct Tmp {
  fs::path dir;
  explicit Tmp(const std::string& tag) {
    dir = fs::temp_directory_path() / ("rtlgen_readers_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Tmp() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string write(const std::string& name, const std::string& bytes) const {
    const fs::path p = dir / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// A .npy with a hand-written shape text (the writer only writes valid ones).
std::string npy_with_shape(const std::string& descr, const std::string& shape_text,
                           const std::string& payload) {
  std::string h = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape_text + ", }";
  h.append((64 - (10 + h.size() + 1) % 64) % 64, ' ');
  h += '\n';
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  out += char(h.size() & 0xff);
  out += char(h.size() >> 8);
  return out + h + payload;
}

std::string le32(uint32_t v) {
  return {char(v & 0xff), char(v >> 8 & 0xff), char(v >> 16 & 0xff), char(v >> 24 & 0xff)};
}
std::string be32(uint32_t v) {
  return {char(v >> 24 & 0xff), char(v >> 16 & 0xff), char(v >> 8 & 0xff), char(v & 0xff)};
}

// BMP with a 40-byte info header; `palette` (BGRA entries) for 8-bit images.
std::string bmp(int32_t w, int32_t h, uint16_t bpp, uint32_t compression, const std::string& palette,
                const std::string& pixels, uint32_t colours_used = 0) {
  const uint32_t off = 14 + 40 + uint32_t(palette.size());
  std::string s = "BM" + le32(off + uint32_t(pixels.size())) + le32(0) + le32(off);
  s += le32(40) + le32(uint32_t(w)) + le32(uint32_t(h));
  s += std::string{1, 0} + std::string{char(bpp & 0xff), char(bpp >> 8)};
  s += le32(compression) + le32(uint32_t(pixels.size())) + le32(2835) + le32(2835) +
       le32(colours_used) + le32(0);
  return s + palette + pixels;
}

}  // namespace

// ---- .npy ----------------------------------------------------------------------------------

TEST_CASE("npy: malformed shapes are errors, never exceptions of other types", "[npy][fuzz]") {
  // Regression (fuzz): an empty shape value threw std::out_of_range out of the reader.
  const std::string crash =
      slurp(fs::path(RTLGEN_SOURCE_DIR) / "tests/fuzz/corpus/npy/crash_empty_shape.npy");
  REQUIRE(!crash.empty());
  CHECK_THAT(error_of([&] { parse_npy(crash, "crash.npy"); }),
             Contains("crash.npy: bad .npy shape '' (expected a tuple such as (3, 4))"));
  for (const char* bad : {"(3,,4)", "(,)", "(3, x)", "(-1,)", "(3 4)", "[3, 4]"}) {
    INFO(bad);
    CHECK_THAT(error_of([&] { parse_npy(npy_with_shape("|u1", bad, std::string(12, '\0')), "s.npy"); }),
               Contains("s.npy: bad .npy shape"));
  }
  CHECK(parse_npy(npy_with_shape("|u1", "(3, 4)", std::string(12, '\1')), "ok").ints.size() == 12);
  CHECK(parse_npy(npy_with_shape("|u1", "(12,)", std::string(12, '\1')), "ok").shape ==
        std::vector<int64_t>{12});
  CHECK(parse_npy(npy_with_shape("|u1", "(12L,)", std::string(12, '\1')), "ok").shape ==
        std::vector<int64_t>{12});
  CHECK(parse_npy(npy_with_shape("<i8", "()", std::string(8, '\1')), "ok").ints.size() == 1);
}

TEST_CASE("npy: shapes whose element count overflows are refused before allocating", "[npy][fuzz]") {
  CHECK(error_of([] { parse_npy(npy_with_shape("|i1", "(4294967296, 4294967296)", ""), "h.npy"); }) ==
        "h.npy: bad .npy shape '(4294967296, 4294967296)' (dimension larger than 2^31 - 1)");
  CHECK(error_of([] {
          parse_npy(npy_with_shape("<i4", "(2147483647, 2147483647, 2147483647)", "abcd"), "h.npy");
        }) ==
        "h.npy: truncated .npy data: shape (2147483647, 2147483647, 2147483647) of '<i4' needs more "
        "than 2^64 bytes, the file has 4");
  CHECK(error_of([] { parse_npy(npy_with_shape("<i4", "(1000, 1000)", "abcd"), "h.npy"); }) ==
        "h.npy: truncated .npy data: shape (1000, 1000) of '<i4' needs 4000000 bytes, the file has 4");
  // An empty array may have large other dimensions: its size is 0, not an overflow.
  const NpyArray e = parse_npy(npy_with_shape("|i1", "(2147483647, 2147483647, 0)", ""), "e.npy");
  CHECK(e.size() == 0);
  CHECK(e.ints.empty());
}

TEST_CASE("npy: a directory is not a .npy file", "[npy]") {
  Tmp t("npydir");
  fs::create_directories(t.dir / "x.npy");
  CHECK(error_of([&] { read_npy((t.dir / "x.npy").string()); }) ==
        (t.dir / "x.npy").string() + ": is a directory, expected a .npy file");
}

// ---- images --------------------------------------------------------------------------------

TEST_CASE("bmp: height INT32_MIN is refused (was undefined behaviour in abs)", "[image][fuzz]") {
  const std::string b = bmp(4, int32_t(0x80000000u), 24, 0, "", std::string(48, '\0'));
  CHECK(error_of([&] { parse_bmp(b, "m.bmp"); }) == "m.bmp: bad BMP dimensions 4x-2147483648");
}

TEST_CASE("bmp: 8-bit images go through their palette (no silent index-as-gray)", "[image]") {
  // 2x1 pixels, indices 0 and 1, rows padded to 4 bytes.
  const std::string px = std::string{0, 1, 0, 0};
  std::string gray, colour;
  for (int i = 0; i < 256; ++i) {
    const char v = char(255 - i);
    gray += std::string{v, v, v, 0};
  }
  colour = std::string{char(10), char(20), char(30), 0} + std::string{char(40), char(50), char(60), 0};
  const Image g = parse_bmp(bmp(2, 1, 8, 0, gray, px), "g.bmp");
  CHECK(g.c == 1);
  CHECK(g.px == std::vector<uint8_t>{255, 254});  // inverted gray palette applied
  const Image c = parse_bmp(bmp(2, 1, 8, 0, colour, px, 2), "c.bmp");
  CHECK(c.c == 3);
  CHECK(c.px == std::vector<uint8_t>{30, 20, 10, 60, 50, 40});  // BGRA entries -> RGB
  CHECK_THAT(error_of([&] { parse_bmp(bmp(2, 1, 8, 0, colour.substr(0, 4), px, 2), "p.bmp"); }),
             Contains("p.bmp: truncated BMP palette (2 colours)"));
  CHECK_THAT(error_of([&] { parse_bmp(bmp(2, 1, 8, 0, "", px, 300), "p.bmp"); }),
             Contains("8-bit BMP with 300 palette colours"));
}

TEST_CASE("bmp: headers and channel masks it cannot read correctly are refused", "[image]") {
  std::string b = bmp(1, 1, 32, 3, le32(0x000000FF) + le32(0x0000FF00) + le32(0x00FF0000),
                      std::string{1, 2, 3, 4});
  CHECK_THAT(error_of([&] { parse_bmp(b, "m.bmp"); }),
             Contains("m.bmp: BMP channel masks other than 8-bit B, G, R"));
  b = bmp(1, 1, 32, 3, le32(0x00FF0000) + le32(0x0000FF00) + le32(0x000000FF),
          std::string{1, 2, 3, 4});
  CHECK(parse_bmp(b, "ok.bmp").px == std::vector<uint8_t>{3, 2, 1});
  b = bmp(1, 1, 24, 0, "", std::string{1, 2, 3, 0});
  b[14] = 12;  // OS/2 BITMAPCOREHEADER: other field layout
  CHECK_THAT(error_of([&] { parse_bmp(b, "os2.bmp"); }),
             Contains("os2.bmp: unsupported BMP header (info header size 12"));
}

// ---- IDX -----------------------------------------------------------------------------------

TEST_CASE("idx: sizes that wrap or disagree with the header are refused", "[idx][fuzz]") {
  Tmp t("idx");
  // Dimensions whose product is 2^64: it wrapped to 0 and matched an empty payload (a lie:
  // dims 2^24 x 2^24 x 2^16 with no data).
  const std::string wrap = std::string{0, 0, 8, 4} + be32(1u << 24) + be32(1u << 24) +
                           be32(1u << 16) + be32(1);
  CHECK_THAT(error_of([&] { read_idx(t.write("wrap", wrap)); }),
             Contains("IDX dimensions 16777216 x 16777216 x 65536 x 1 announce more than 2 GiB"));
  const std::string head = std::string{0, 0, 8, 1} + be32(5);
  CHECK_THAT(error_of([&] { read_idx(t.write("short", head + "abc")); }),
             Contains("IDX data has 3 bytes, header says 5 (truncated?)"));
  CHECK_THAT(error_of([&] { read_idx(t.write("long", head + "abcdefgh")); }),
             Contains("IDX data is longer than the 5 bytes the header announces"));
  CHECK_THAT(error_of([&] { read_idx(t.write("rank", std::string{0, 0, 8, 9})); }),
             Contains("bad IDX rank 9 (1 to 4)"));
  CHECK_THAT(error_of([&] { read_idx(t.write("head", std::string{0, 0, 8, 3, 0, 0})); }),
             Contains("truncated IDX header (6 bytes)"));
  const IdxArray ok = read_idx(t.write("ok", head + "abcde"));
  CHECK(ok.dims == std::vector<int>{5});
  CHECK(ok.data.size() == 5);
}

// ---- every fuzzing reproducer: refused with rtlgen::Error (or read), never a crash -----------

TEST_CASE("fuzz reproducers are refused cleanly", "[fuzz]") {
  const fs::path corpus = fs::path(RTLGEN_SOURCE_DIR) / "tests/fuzz/corpus";
  Tmp t("repro");
  int replayed = 0;
  for (const char* target : {"tflite", "onnx", "yaml", "npy", "image"}) {
    for (const auto& e : fs::directory_iterator(corpus / target)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("crash_", 0) != 0) continue;
      INFO(target << "/" << name);
      const std::string bytes = slurp(e.path());
      try {
        if (std::string(target) == "tflite") {
          Network net = import_tflite_bytes(bytes, name);
          prepare_network(net);
        } else if (std::string(target) == "onnx") {
          Network net = import_onnx_bytes(bytes, name);
          prepare_network(net);
        } else if (std::string(target) == "npy") {
          parse_npy(bytes, name);
        } else if (std::string(target) == "image") {
          const std::string p = t.write(name, bytes);
          try {
            read_image(p);
          } catch (const Error&) {
          }
          read_idx(p);
        } else {
          // YAML reproducers: laid out as tests/fuzz/fuzz_yaml.cpp lays them out.
          const fs::path d = t.dir / ("yaml_" + name);
          fs::create_directories(d / "params");
          for (const char* set : {"lenet_params", "tiny_params"}) {
            for (const auto& f : fs::directory_iterator(fs::path(RTLGEN_SOURCE_DIR) / "configs" / set))
              fs::copy_file(f.path(), d / "params" / f.path().filename(),
                            fs::copy_options::overwrite_existing);
            fs::create_directory_symlink("params", d / set);
          }
          fs::create_directory_symlink("params", d / "p");
          const std::string sep = "\n#@npy\n";
          std::vector<std::string> parts;
          for (size_t pos = 0;;) {
            const size_t next = bytes.find(sep, pos);
            parts.push_back(bytes.substr(pos, next == std::string::npos ? next : next - pos));
            if (next == std::string::npos || parts.size() > 8) break;
            pos = next + sep.size();
          }
          for (size_t i = 1; i < parts.size(); ++i)
            std::ofstream(d / "params" / ("in" + std::to_string(i - 1) + ".npy"), std::ios::binary)
                << parts[i];
          std::ofstream(d / "net.yaml", std::ios::binary) << parts[0];
          load_network_yaml((d / "net.yaml").string());
        }
      } catch (const Error&) {
      }
      ++replayed;
    }
  }
  CHECK(replayed >= 2);
}

// ---- output directories ----------------------------------------------------------------------

TEST_CASE("output directories: replaced whole, stale temporaries removed", "[generate]") {
  Tmp t("outdir");
  const std::string out = (t.dir / "OUT").string();
  write_output_dir(out + "/", {{"a.txt", "one"}, {"sub/b.txt", "two"}}, "test 1");  // "OUT/" = OUT
  CHECK(slurp(t.dir / "OUT/a.txt") == "one");
  CHECK(slurp(t.dir / "OUT/.rtlgen") == "test 1\n");
  // Leftovers of a killed run (a process id that no longer exists) and of a live one.
  fs::create_directories(t.dir / ".OUT.tmp-999999999");
  fs::create_directories(t.dir / ".OUT.old-999999999");
  fs::create_directories(t.dir / ".OUT.tmp-1");  // pid 1 is alive: not ours to remove
  fs::create_directories(t.dir / ".OUTX.tmp-999999999");  // another output's
  write_output_dir(out, {{"c.txt", "three"}}, "test 2");
  CHECK_FALSE(fs::exists(t.dir / "OUT/a.txt"));  // replaced whole, not merged
  CHECK(slurp(t.dir / "OUT/c.txt") == "three");
  CHECK_FALSE(fs::exists(t.dir / ".OUT.tmp-999999999"));
  CHECK_FALSE(fs::exists(t.dir / ".OUT.old-999999999"));
  CHECK(fs::exists(t.dir / ".OUT.tmp-1"));
  CHECK(fs::exists(t.dir / ".OUTX.tmp-999999999"));
  int entries = 0;
  for (const auto& e : fs::directory_iterator(t.dir)) entries += e.path().filename() == "OUT";
  CHECK(entries == 1);
}

TEST_CASE("run --dump writes its directory atomically and never over a foreign one", "[generate]") {
  Network net = load_network_yaml(std::string(RTLGEN_SOURCE_DIR) + "/configs/tiny.yaml");
  Tmp t("dump");
  Tensor in(net.input.shape, net.input.quant.dtype);
  std::vector<Tensor> outs;
  for (const Layer& l : net.layers) outs.emplace_back(l.out_shape, l.out_quant.dtype);
  const std::string dir = (t.dir / "dump").string();
  dump_tensors(net, in, outs, dir);
  CHECK(fs::exists(t.dir / "dump/manifest.json"));
  CHECK(fs::exists(t.dir / "dump/input.npy"));
  CHECK(fs::exists(t.dir / "dump/.rtlgen"));
  CHECK(parse_npy(slurp(t.dir / "dump" / (net.layers[0].name + ".npy")), "x").shape.size() == 3);
  dump_tensors(net, in, outs, dir);  // its own output: replaced
  t.write("mine/keep.txt", "mine");
  CHECK_THAT(error_of([&] { dump_tensors(net, in, outs, (t.dir / "mine").string()); }),
             Contains("was not written by rtlgen"));
  CHECK(slurp(t.dir / "mine/keep.txt") == "mine");
}

TEST_CASE("input .npy: any rank with the network's elements in HWC order is accepted",
          "[image][npy]") {
  Tmp tmp("input_rank");
  InputSpec vec;  // an MLPerf Tiny-style autoencoder input, [1, 640] in TFLite
  vec.shape = Shape{1, 1, 640};
  vec.quant.dtype = DType::Int8;
  std::vector<int64_t> ramp(640);
  for (int i = 0; i < 640; ++i) ramp[size_t(i)] = i % 256 - 128;
  for (const auto& shape : std::vector<std::vector<int64_t>>{
           {640}, {1, 640}, {1, 1, 640}, {1, 1, 1, 640}, {640, 1}}) {
    const std::string p = (tmp.dir / "x.npy").string();
    write_npy(p, "|i1", shape, ramp);
    const Tensor t = load_input(p, vec);
    CHECK(t.shape == vec.shape);
    CHECK(std::vector<int64_t>(t.data.begin(), t.data.end()) == ramp);
  }
  InputSpec img;  // 4x3x2 image: (4, 3, 2), (1, 4, 3, 2) or flat 24; channels-first refused
  img.shape = Shape{4, 3, 2};
  img.quant.dtype = DType::Int8;
  std::vector<int64_t> v(24);
  for (int i = 0; i < 24; ++i) v[size_t(i)] = i;
  const std::string p = (tmp.dir / "img.npy").string();
  for (const auto& shape : std::vector<std::vector<int64_t>>{{4, 3, 2}, {1, 4, 3, 2}, {24}, {1, 24}}) {
    write_npy(p, "|i1", shape, v);
    CHECK(load_input(p, img).data[5] == 5);
  }
  for (const auto& shape : std::vector<std::vector<int64_t>>{{2, 4, 3}, {4, 6}, {12, 2}}) {
    write_npy(p, "|i1", shape, v);
    CHECK_THROWS_WITH(load_input(p, img), Contains("same 24 elements in the same order"));
  }
}
