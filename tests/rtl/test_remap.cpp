// rtlgen_remap with the table of golden::onnxruntime_concat_table (ONNX Runtime's
// QLinearConcat requantization of one input): every input value in every lane (exhaustive,
// shuffled into beats) plus random beats, under random idle cycles and backpressure, a reset in
// the middle of traffic, and one beat per cycle when not stalled.
//
// Configuration: RTLGEN_P_<PARAM> compile definitions (set by rtlgen_rtl_test from -G params);
// the quantization is RTLGEN_P_IN_SCALE/IN_ZP/OUT_SCALE/OUT_ZP (testbench only).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "Vrtlgen_remap.h"
#include "rtlgen/ops/concat.hpp"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int N = RTLGEN_P_N;
constexpr bool SIGNED = RTLGEN_P_SIGNED != 0;
constexpr int64_t kLo = SIGNED ? -128 : 0;

std::vector<int32_t> table() {
  rtlgen::TensorQuant in, out;
  in.dtype = out.dtype = SIGNED ? rtlgen::DType::Int8 : rtlgen::DType::UInt8;
  in.scale = RTLGEN_P_IN_SCALE;
  in.zero_point = RTLGEN_P_IN_ZP;
  out.scale = RTLGEN_P_OUT_SCALE;
  out.zero_point = RTLGEN_P_OUT_ZP;
  return rtlgen::golden::onnxruntime_concat_table(in, out);
}

// Written before the model is built: the template reads it at time 0.
const bool kTableWritten = [] {
  FILE* f = std::fopen(RTLGEN_P_TABLE_FILE, "w");
  if (!f) return false;
  for (int32_t v : table()) std::fprintf(f, "%02x\n", unsigned(v) & 0xffu);
  return std::fclose(f) == 0;
}();

struct Bench {
  VerilatedContext ctx;
  std::unique_ptr<Vrtlgen_remap> dut;
  std::unique_ptr<Simulation<Vrtlgen_remap>> sim;
  std::unique_ptr<AxisDriver> src;
  std::unique_ptr<AxisMonitor> out;

  explicit Bench(uint64_t seed) {
    ctx.randReset(2);
    ctx.randSeed(static_cast<int>(seed & 0x7fffffff));
    dut = std::make_unique<Vrtlgen_remap>(&ctx);
    sim = std::make_unique<Simulation<Vrtlgen_remap>>(*dut, dut->clk, dut->rst);
    src = std::make_unique<AxisDriver>("s_axis", dut->s_axis_tdata, dut->s_axis_tvalid,
                                       dut->s_axis_tready, N, 8, seed * 3 + 1);
    out = std::make_unique<AxisMonitor>("m_axis", dut->m_axis_tdata, dut->m_axis_tvalid,
                                        &dut->m_axis_tready, N, 8, SIGNED, seed * 3 + 2);
    sim->add(*src).add(*out);
    sim->reset();
  }
  ~Bench() { dut->final(); }
};

}  // namespace

TEST_CASE("remap looks every value up in ONNX Runtime's concat table", "[remap]") {
  REQUIRE(kTableWritten);
  const std::vector<int32_t> t = table();
  const uint64_t seed = seed_from_env(0x4e + N);
  Rng rng(seed);
  // every value in every lane, shuffled, then random beats
  std::vector<int64_t> values;
  for (int rep = 0; rep < N; ++rep)
    for (int64_t v = kLo; v < kLo + 256; ++v) values.push_back(v);
  for (size_t i = values.size(); i > 1; --i)
    std::swap(values[i - 1], values[size_t(rng.uniform(0, int64_t(i) - 1))]);
  for (int k = 0; k < 256 * N; ++k) values.push_back(rng.element(8, SIGNED));
  const struct { double idle, ready; } modes[] = {{0.0, 1.0}, {0.4, 0.6}, {0.0, 0.2}, {0.7, 1.0}};
  int mi = 0;
  for (const auto& m : modes) {
    INFO("mode " << mi << ", seed " << seed);
    Bench b(seed + uint64_t(mi++));
    b.src->idle_probability(m.idle);
    b.out->ready_probability(m.ready);
    b.src->push_stream(std::vector<int64_t>(values.begin(), values.begin() + 8 * N), false);
    b.sim->step(static_cast<uint64_t>(rng.uniform(1, 8)));
    b.sim->reset(2);
    b.src->clear();
    b.out->clear();
    b.src->push_stream(values, false);
    const size_t beats = values.size() / N;
    b.sim->run_until([&] { return b.out->received() == beats; }, 100 * beats + 1000,
                     RTLGEN_TEST_NAME);
    const std::vector<int64_t> got = b.out->elements();
    REQUIRE(got.size() == values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      INFO("element " << i << " input " << values[i]);
      REQUIRE(got[i] == t[size_t(values[i] - kLo)]);
    }
  }
}

TEST_CASE("remap steady-state throughput", "[remap][perf]") {
  Bench b(2);
  std::vector<int64_t> values;
  for (int k = 0; k < 100 * N; ++k) values.push_back(kLo + k % 256);
  b.src->push_stream(values, false);
  b.sim->run_until([&] { return b.out->received() == 100; }, 2000, RTLGEN_TEST_NAME);
  const auto& beats = b.out->beats();
  CHECK(beats.back().cycle - beats.front().cycle == 99);
}
