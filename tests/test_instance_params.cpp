// Typed instance parameters (rtlgen/hw_plan.hpp ParamValue): the printer prints the literal each
// template takes, and the readers of the resource model read the same value back, with no
// literal parsed.
#include <catch2/catch.hpp>

#include "rtlgen/hw_plan.hpp"
#include "rtlgen/resource_model.hpp"

using namespace rtlgen;

TEST_CASE("typed instance parameters print the Verilog literals the templates take",
          "[params][emit]") {
  CHECK(ParamValue::integer(42).verilog() == "42");
  CHECK(ParamValue::integer(-128).verilog() == "-128");
  CHECK(ParamValue::hex(0x1a2b, 24).verilog() == "24'h001a2b");
  // field 0 in the lowest bits: printed last
  CHECK(ParamValue::fields({4, 8}, 32, false).verilog() == "{32'd8, 32'd4}");
  CHECK(ParamValue::fields({-1, 5}, 32, true).verilog() == "{32'h00000005, 32'hffffffff}");
  CHECK(ParamValue::fields({7}, 32, false).verilog() == "{32'd7}");
  CHECK(ParamValue::string("conv1_weights.mem").verilog() == "\"conv1_weights.mem\"");
}

TEST_CASE("the resource model reads the typed value the printer prints", "[params][resource]") {
  // rtlgen_remap: per lane 2 + 32 LUT, 1 + 8 FF (resource_model's term, ops/concat.cpp)
  Instance remap{"rtlgen_remap", "r", {}, {}};
  remap.params = {{"N", ParamValue::integer(3)},
                  {"SIGNED", ParamValue::integer(1)},
                  {"TABLE_FILE", ParamValue::string("t.mem")}};
  CHECK(estimate_instance(remap, {}).lut == 2 + 3 * 32);
  CHECK(estimate_instance(remap, {}).ff == 1 + 3 * 8);
  // a value of another kind is not read as an integer (N's default, 1)
  remap.params[0].second = ParamValue::fields({3}, 32, false);
  CHECK(estimate_instance(remap, {}).lut == 2 + 32);
  CHECK(ParamValue::hex(0x800000, 24).as_int() == 0x800000);
  CHECK(ParamValue::hex(0x800000, 24) != ParamValue::integer(0x800000));
}
