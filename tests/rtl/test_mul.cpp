// rtlgen_mul: p is the signed product held by the product register, which loads (on ce_p) the
// product of the operand registers, which load on ce; random operands, the extremes of both types
// (most negative x most negative included), and both enables dropping at random and
// independently (the MVU drives them from different pipeline stages); registers hold while their
// enable is low. Verilated twice per
// configuration: plain (fabric registers) and with RTLGEN_ECP5 against the behavioural MULT18X18D
// model in sim/models, which checks the primitive's port connections and register use.
//
// Configuration: RTLGEN_P_<PARAM> compile definitions (set by rtlgen_rtl_test from -G params).
#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "Vrtlgen_mul.h"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int A_BITS = RTLGEN_P_A_BITS;
constexpr int B_BITS = RTLGEN_P_B_BITS;
constexpr int P_BITS = A_BITS + B_BITS;

uint64_t mask(int bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

int64_t product_value(uint64_t v, int bits) {
  const uint64_t m = mask(bits);
  v &= m;
  return (v >> (bits - 1)) & 1 ? static_cast<int64_t>(v | ~m) : static_cast<int64_t>(v);
}

int64_t operand(Rng& rng, int bits) {
  const int64_t lo = -(int64_t{1} << (bits - 1)), hi = (int64_t{1} << (bits - 1)) - 1;
  switch (rng.uniform(0, 5)) {
    case 0:
      return lo;
    case 1:
      return hi;
    case 2:
      return rng.uniform(-2, 1);
    default:
      return rng.uniform(lo, hi);
  }
}

}  // namespace

TEST_CASE("rtlgen_mul: product register holds the product of the operand registers at its last "
          "enable",
          RTLGEN_TEST_NAME) {
  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vrtlgen_mul>(ctx.get());
  Rng rng(0x6d756cu + A_BITS * 64 + B_BITS);

  // reference state: the operand registers, and the product register once it has been loaded
  // from operand registers that were themselves loaded
  bool operands_loaded = false, product_known = false;
  int64_t a_reg = 0, b_reg = 0, p_reg = 0;
  int64_t checked = 0, held = 0;
  top->clk = 0;
  top->ce = 0;
  top->ce_p = 0;
  top->eval();
  for (int cycle = 0; cycle < 20000; ++cycle) {
    const int64_t a = cycle < 4 ? -(int64_t{1} << (A_BITS - 1)) : operand(rng, A_BITS);
    const int64_t b = cycle < 4 ? -(int64_t{1} << (B_BITS - 1)) : operand(rng, B_BITS);
    // the first cycles load both stages together, later the enables are independent
    const bool ce = cycle < 8 || rng.chance(0.7);
    const bool ce_p = cycle < 8 || rng.chance(0.7);
    top->a = static_cast<std::remove_reference_t<decltype(top->a)>>(static_cast<uint64_t>(a) &
                                                                    mask(A_BITS));
    top->b = static_cast<std::remove_reference_t<decltype(top->b)>>(static_cast<uint64_t>(b) &
                                                                    mask(B_BITS));
    top->ce = ce;
    top->ce_p = ce_p;
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
    if (ce_p && operands_loaded) {
      p_reg = a_reg * b_reg;
      product_known = true;
    }
    if (ce) {
      a_reg = a;
      b_reg = b;
      operands_loaded = true;
    }
    if (product_known) {
      const int64_t got = product_value(static_cast<uint64_t>(top->p), P_BITS);
      INFO("cycle " << cycle << ": expected " << p_reg);
      REQUIRE(got == p_reg);
      ++checked;
      if (!ce_p) ++held;
    }
  }
  REQUIRE(checked > 10000);
  REQUIRE(held > 1000);  // the product register was seen holding while its enable was low
}
