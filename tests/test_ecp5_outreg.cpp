// The netlist pass that moves the fabric register behind a DP16KD read port into the block's
// output register (rtlgen pnr, open ECP5 flow): when it applies, what it rewires, and every
// condition under which it must leave the port alone.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "rtlgen/ecp5_outreg.hpp"

using namespace rtlgen;
using Json = nlohmann::json;

namespace {

std::string fmt_pin(const char* prefix, int k) { return prefix + std::to_string(k); }

// A DP16KD reading on port A (as Yosys maps a ROM), DOA0..DOA2 used: net 10+k, each into a
// TRELLIS_FF "ff<k>" (clock net 2, clock enable net 3, Q net 20+k); DOA3..17 unconnected.
Json rom_with_registers() {
  Json ram;
  ram["type"] = "DP16KD";
  ram["parameters"] = {{"REGMODE_A", "NOREG"},
                       {"REGMODE_B", "NOREG"},
                       {"CLKAMUX", "CLKA"},
                       {"CLKBMUX", "CLKB"},
                       {"DATA_WIDTH_A", "00000000000000000000000000010010"},  // 18, Yosys' way
                       {"DATA_WIDTH_B", "00000000000000000000000000010010"}};
  ram["port_directions"] = Json::object();
  ram["connections"] = {{"CLKA", {2}}, {"CEA", {4}}, {"OCEA", {"1"}}, {"RSTA", {"0"}},
                        {"CLKB", {"0"}}, {"OCEB", {"1"}}, {"RSTB", {"0"}}};
  for (int k = 0; k < 18; ++k) {
    ram["port_directions"][fmt_pin("DOA", k)] = "output";
    ram["port_directions"][fmt_pin("DOB", k)] = "output";
    ram["connections"][fmt_pin("DOA", k)] = Json::array({k < 3 ? Json(10 + k) : Json(100 + k)});
    ram["connections"][fmt_pin("DOB", k)] = Json::array({Json(200 + k)});
  }
  Json cells;
  cells["rom"] = ram;
  for (int k = 0; k < 3; ++k) {
    Json ff;
    ff["type"] = "TRELLIS_FF";
    ff["parameters"] = {{"CEMUX", "CE"}, {"CLKMUX", "CLK"}, {"GSR", "DISABLED"},
                        {"LSRMUX", "LSR"}, {"REGSET", "RESET"}};
    ff["port_directions"] = {{"CLK", "input"}, {"CE", "input"}, {"LSR", "input"},
                             {"DI", "input"}, {"Q", "output"}};
    ff["connections"] = {{"CLK", {2}}, {"CE", {3}}, {"LSR", {"0"}}, {"DI", {10 + k}},
                         {"Q", {20 + k}}};
    cells["ff" + std::to_string(k)] = ff;
  }
  Json module;
  module["cells"] = cells;
  module["ports"] = Json::object();
  return module;
}

}  // namespace

TEST_CASE("DP16KD output register: the fabric registers behind a read port move into the block",
          "[pnr][ecp5]") {
  Json m = rom_with_registers();
  const OutregResult r = absorb_dp16kd_output_registers(m);
  CHECK(r.ports == 1);
  CHECK(r.flip_flops_removed == 3);
  CHECK(r.ports_left == 0);
  const Json& ram = m["cells"]["rom"];
  CHECK(ram["parameters"]["REGMODE_A"] == "OUTREG");
  CHECK(ram["parameters"]["REGMODE_B"] == "NOREG");  // port B reads nothing used
  CHECK(ram["connections"]["OCEA"] == Json::array({3}));  // the flip-flops' clock enable
  for (int k = 0; k < 3; ++k) {
    CHECK(ram["connections"]["DOA" + std::to_string(k)] == Json::array({20 + k}));
    CHECK_FALSE(m["cells"].contains("ff" + std::to_string(k)));
  }
  CHECK(ram["connections"]["DOA5"] == Json::array({105}));
}

TEST_CASE("DP16KD output register: flip-flops without a clock enable give OCE = 1",
          "[pnr][ecp5]") {
  Json m = rom_with_registers();
  for (int k = 0; k < 3; ++k) {
    auto& ff = m["cells"]["ff" + std::to_string(k)];
    ff["parameters"]["CEMUX"] = "1 ";  // Yosys' spelling of the string "1"
    ff["connections"].erase("CE");
  }
  CHECK(absorb_dp16kd_output_registers(m).ports == 1);
  CHECK(m["cells"]["rom"]["connections"]["OCEA"] == Json::array({"1"}));
}

TEST_CASE("DP16KD output register: blocks in the 36-bit mode are left alone", "[pnr][ecp5]") {
  Json m = rom_with_registers();
  m["cells"]["rom"]["parameters"]["DATA_WIDTH_A"] = "00000000000000000000000000100100";  // 36
  m["cells"]["rom"]["parameters"]["DATA_WIDTH_B"] = "00000000000000000000000000100100";
  const Json before = m;
  const OutregResult r = absorb_dp16kd_output_registers(m);
  CHECK(r.ports == 0);
  CHECK(r.ports_left == 2);
  CHECK(m == before);
}

TEST_CASE("DP16KD output register: ports that do not match are left alone", "[pnr][ecp5]") {
  auto unchanged = [](Json m) {
    const Json before = m;
    const OutregResult r = absorb_dp16kd_output_registers(m);
    CHECK(r.ports == 0);
    CHECK(r.flip_flops_removed == 0);
    CHECK(r.ports_left == 1);
    CHECK(m == before);
  };
  SECTION("a data bit with a second sink") {
    Json m = rom_with_registers();
    m["cells"]["ff1"]["connections"]["CE"] = Json::array({11});  // DOA1 also drives a CE
    unchanged(m);
  }
  SECTION("a data bit that leaves the module") {
    Json m = rom_with_registers();
    m["ports"]["dbg"] = {{"direction", "output"}, {"bits", {12}}};
    unchanged(m);
  }
  SECTION("a flip-flop on another clock") {
    Json m = rom_with_registers();
    m["cells"]["ff2"]["connections"]["CLK"] = Json::array({5});
    unchanged(m);
  }
  SECTION("a flip-flop on the inverted clock") {
    Json m = rom_with_registers();
    m["cells"]["ff0"]["parameters"]["CLKMUX"] = "INV";
    unchanged(m);
  }
  SECTION("flip-flops with different clock enables") {
    Json m = rom_with_registers();
    m["cells"]["ff1"]["connections"]["CE"] = Json::array({6});
    unchanged(m);
  }
  SECTION("a flip-flop with a set/reset") {
    Json m = rom_with_registers();
    m["cells"]["ff2"]["connections"]["LSR"] = Json::array({7});
    unchanged(m);
  }
  SECTION("a flip-flop whose power-up value is 1") {
    Json m = rom_with_registers();
    m["cells"]["ff0"]["parameters"]["REGSET"] = "SET";
    unchanged(m);
  }
  SECTION("a port whose reset is in use") {
    Json m = rom_with_registers();
    m["cells"]["rom"]["connections"]["RSTA"] = Json::array({8});
    unchanged(m);
  }
  SECTION("a port already in OUTREG") {
    Json m = rom_with_registers();
    m["cells"]["rom"]["parameters"]["REGMODE_A"] = "OUTREG";
    unchanged(m);
  }
  SECTION("a data bit into logic, not a flip-flop") {
    Json m = rom_with_registers();
    m["cells"]["ff1"]["type"] = "LUT4";
    unchanged(m);
  }
}
