// rtlgen_mvu against a C++ reference: random weights (written to WEIGHT_FILE in the documented
// packing), random and extreme input vectors, random idle cycles and backpressure, a reset in
// the middle of traffic, and steady-state throughput (cycles per vector vs NF*SF).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "Vrtlgen_mvu.h"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int MW = RTLGEN_P_MW;
constexpr int MH = RTLGEN_P_MH;
constexpr int PE = RTLGEN_P_PE;
constexpr int SIMD = RTLGEN_P_SIMD;
constexpr bool IN_SIGNED = RTLGEN_P_IN_SIGNED != 0;
constexpr int IN_ZP = RTLGEN_P_IN_ZP;
constexpr bool W_SIGNED = RTLGEN_P_W_SIGNED != 0;
constexpr int W_ZP = RTLGEN_P_W_ZP;
constexpr int ACC_BITS = RTLGEN_P_ACC_BITS;
constexpr int SF = MW / SIMD;
constexpr int NF = MH / PE;
const char* const WEIGHT_FILE = RTLGEN_P_WEIGHT_FILE;

using Matrix = std::vector<std::vector<int64_t>>;  // [MH][MW]

Matrix random_weights(Rng& rng) {
  Matrix w(MH, std::vector<int64_t>(MW));
  for (auto& row : w)
    for (auto& v : row) v = rng.element(8, W_SIGNED);
  // Extremes in the first rows so the largest products and sums are exercised.
  const int64_t lo = W_SIGNED ? -128 : 0, hi = W_SIGNED ? 127 : 255;
  for (int k = 0; k < MW; ++k) {
    w[0][static_cast<std::size_t>(k)] = (W_ZP - lo) > (hi - W_ZP) ? lo : hi;
    if (MH > 1) w[1][static_cast<std::size_t>(k)] = (W_ZP - lo) > (hi - W_ZP) ? hi : lo;
  }
  return w;
}

// Packing of docs/rtl-architecture.md: word nf*SF + sf, weight (p, s) at bits (p*SIMD + s)*8.
void write_weights(const Matrix& w) {
  std::vector<MemWord> words;
  for (int nf = 0; nf < NF; ++nf)
    for (int sf = 0; sf < SF; ++sf) {
      MemWord word(PE * SIMD * 8);
      for (int p = 0; p < PE; ++p)
        for (int s = 0; s < SIMD; ++s)
          word.set((p * SIMD + s) * 8, 8,
                   static_cast<uint64_t>(w[static_cast<std::size_t>(nf * PE + p)]
                                          [static_cast<std::size_t>(sf * SIMD + s)]));
      words.push_back(word);
    }
  write_memh(WEIGHT_FILE, words);
#ifdef RTLGEN_P_ROM_BANK_WORDS
  // the banked ROM: bank b holds words b*ROM_BANK_WORDS.. in <prefix>_bank<bbb>.mem
  const std::size_t bank_words = RTLGEN_P_ROM_BANK_WORDS;
  for (std::size_t b = 0; b * bank_words < words.size(); ++b) {
    const std::vector<MemWord> bank(
        words.begin() + static_cast<std::ptrdiff_t>(b * bank_words),
        words.begin() + static_cast<std::ptrdiff_t>(std::min(words.size(), (b + 1) * bank_words)));
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "_bank%03zu.mem", b);
    write_memh(std::string(RTLGEN_P_WEIGHT_BANK_PREFIX) + suffix, bank);
  }
#endif
}

// Reference: acc[oc] = sum_k (x_k - IN_ZP) * (w - W_ZP), wrapped to ACC_BITS signed.
std::vector<int64_t> reference(const Matrix& w, const std::vector<int64_t>& x) {
  std::vector<int64_t> y(MH);
  for (int oc = 0; oc < MH; ++oc) {
    int64_t acc = 0;
    for (int k = 0; k < MW; ++k)
      acc += (x[static_cast<std::size_t>(k)] - IN_ZP) *
             (w[static_cast<std::size_t>(oc)][static_cast<std::size_t>(k)] - W_ZP);
    y[static_cast<std::size_t>(oc)] = sign_extend(static_cast<uint64_t>(acc), ACC_BITS);
  }
  return y;
}

std::vector<std::vector<int64_t>> make_vectors(Rng& rng, int n) {
  std::vector<std::vector<int64_t>> v;
  const int64_t lo = IN_SIGNED ? -128 : 0, hi = IN_SIGNED ? 127 : 255;
  v.push_back(std::vector<int64_t>(MW, lo));
  v.push_back(std::vector<int64_t>(MW, hi));
  while (static_cast<int>(v.size()) < n) {
    std::vector<int64_t> x(MW);
    for (auto& e : x) e = rng.element(8, IN_SIGNED);
    v.push_back(x);
  }
  return v;
}

struct Bench {
  VerilatedContext ctx;
  std::unique_ptr<Vrtlgen_mvu> dut;
  std::unique_ptr<Simulation<Vrtlgen_mvu>> sim;
  std::unique_ptr<AxisDriver> src;
  std::unique_ptr<AxisMonitor> sink;

  explicit Bench(uint64_t seed) {
    ctx.randReset(2);  // random initial values for everything not reset
    ctx.randSeed(static_cast<int>(seed & 0x7fffffff));
    dut = std::make_unique<Vrtlgen_mvu>(&ctx);
    sim = std::make_unique<Simulation<Vrtlgen_mvu>>(*dut, dut->clk, dut->rst);
    src = std::make_unique<AxisDriver>("s_axis", dut->s_axis_tdata, dut->s_axis_tvalid,
                                       dut->s_axis_tready, SIMD, 8, seed * 3 + 1);
    sink = std::make_unique<AxisMonitor>("m_axis", dut->m_axis_tdata, dut->m_axis_tvalid,
                                         &dut->m_axis_tready, PE, ACC_BITS, true, seed * 3 + 2);
    sim->add(*src).add(*sink);
    sim->reset();
  }
  ~Bench() { dut->final(); }
};

std::vector<int64_t> flatten(const std::vector<std::vector<int64_t>>& v) {
  std::vector<int64_t> r;
  for (const auto& e : v) r.insert(r.end(), e.begin(), e.end());
  return r;
}

bool inject_fault() { return std::getenv("RTLGEN_INJECT_FAULT") != nullptr; }

}  // namespace

TEST_CASE("mvu matches the reference under random stalls and backpressure", "[mvu]") {
  const uint64_t seed = seed_from_env(0x5eed + MW * 7 + MH);
  Rng rng(seed);
  const Matrix w = random_weights(rng);
  write_weights(w);
  const int nvec = 12;
  const auto vecs = make_vectors(rng, nvec);
  std::vector<int64_t> expected;
  for (const auto& x : vecs) {
    const auto y = reference(w, x);
    expected.insert(expected.end(), y.begin(), y.end());
  }
  if (inject_fault()) expected[expected.size() / 2] += 1;

  struct Mode {
    double idle, ready;
  };
  for (const Mode m : {Mode{0.0, 1.0}, Mode{0.5, 1.0}, Mode{0.0, 0.4}, Mode{0.3, 0.6},
                       Mode{0.8, 0.9}, Mode{0.1, 0.1}}) {
    INFO("idle probability " << m.idle << ", ready probability " << m.ready);
    Bench b(seed + static_cast<uint64_t>(m.idle * 100 + m.ready * 10));
    b.src->idle_probability(m.idle);
    b.sink->ready_probability(m.ready);

    // Traffic interrupted by a reset: the partial vector and pending results must vanish.
    b.src->push_stream(flatten({vecs[2], vecs[3]}), false);
    b.src->push(AxisBeat{std::vector<int64_t>(SIMD, 1), false, 0, 0});
    b.sim->step(static_cast<uint64_t>(rng.uniform(1, 3 * NF * SF + 10)));
    b.sim->reset(2);
    b.src->clear();
    b.sink->clear();

    b.src->push_stream(flatten(vecs), false);
    const uint64_t beats = static_cast<uint64_t>(nvec) * NF;
    b.sim->run_until([&] { return b.sink->received() == beats; },
                     static_cast<uint64_t>(nvec) * NF * SF * 40 + 2000, "mvu");
    b.sim->step(3 * NF * SF + 20);  // nothing extra may come out
    const std::string diff = compare_elements(b.sink->elements(), expected, MH);
    INFO(diff);
    CHECK(diff.empty());
  }
}

TEST_CASE("mvu sustains NF*SF cycles per vector without stalls", "[mvu][throughput]") {
  const uint64_t seed = seed_from_env(0x7ab1e + MW);
  Rng rng(seed);
  const Matrix w = random_weights(rng);
  write_weights(w);
  // Enough vectors that the pipeline fill is amortised and at least ~2000 folds are run.
  const int nvec = std::max(16, std::min(400, 2000 / (NF * SF)));
  const auto vecs = make_vectors(rng, nvec);
  std::vector<int64_t> expected;
  for (const auto& x : vecs) {
    const auto y = reference(w, x);
    expected.insert(expected.end(), y.begin(), y.end());
  }

  Bench b(seed);
  b.src->push_stream(flatten(vecs), false);
  const uint64_t beats = static_cast<uint64_t>(nvec) * NF;
  const uint64_t start = b.sim->cycle();
  b.sim->run_until([&] { return b.sink->received() == beats; },
                   static_cast<uint64_t>(nvec) * NF * SF * 4 + 1000, "mvu throughput");
  const uint64_t total = b.sim->cycle() - start;
  CHECK(compare_elements(b.sink->elements(), expected, MH).empty());

  const auto& bt = b.sink->beats();
  const uint64_t first = bt.front().cycle;
  const uint64_t last_vec_first = bt[static_cast<std::size_t>((nvec - 1) * NF)].cycle;
  const double per_vector = static_cast<double>(last_vec_first - first) / (nvec - 1);
  std::printf("[%s] MW=%d MH=%d PE=%d SIMD=%d NF=%d SF=%d: %.3f cycles/vector steady state "
              "(NF*SF=%d), %llu cycles for %d vectors, latency to first output %llu\n",
              RTLGEN_TEST_NAME, MW, MH, PE, SIMD, NF, SF, per_vector, NF * SF,
              static_cast<unsigned long long>(total), nvec,
              static_cast<unsigned long long>(first - start));
  CHECK(per_vector <= NF * SF + 1e-9);
  // Whole run: NF*SF per vector, plus loading the first vector (SF beats) and the pipeline
  // latency (5 + ceil(log2 SIMD) cycles) once.
  CHECK(total <= static_cast<uint64_t>(nvec) * NF * SF + SF + 16);
}
