// rtlgen pnr: the wrapper around a generated top, the fit check before placement, and the
// mapping of nextpnr's report back to rtlgen's instances, templates and layers. (The whole
// flow runs in the pnr_guard_* ctest tests.)
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "rtlgen/error.hpp"
#include "rtlgen/pnr.hpp"

using namespace rtlgen;

namespace {

const char* kTop = R"(// generated
module net_top (
    input  wire clk,
    input  wire rst,

    input  wire [23:0] s_axis_tdata,   // three pixels
    input  wire s_axis_tvalid,
    output wire s_axis_tready,
    input  wire s_axis_tlast,

    output wire [7:0] m_axis_tdata,
    output wire m_axis_tvalid,
    input  wire m_axis_tready,
    output wire m_axis_tlast,
    output wire [3:0] m_axis_tuser
);
rtlgen_swg #(
    .K(3)
) conv1_swg (
    .clk(clk)
);
rtlgen_mvu #(
    .PE(2)
) conv1_mvu (
    .clk(clk)
);
rtlgen_tlast_gen output_framer (
    .clk(clk)
);
endmodule
)";

}  // namespace

TEST_CASE("pnr reads the port list of a generated top", "[pnr]") {
  const auto ports = parse_module_ports(kTop, "net_top", "net_top.v");
  REQUIRE(ports.size() == 11);
  CHECK(ports[0].name == "clk");
  CHECK(ports[2].name == "s_axis_tdata");
  CHECK(ports[2].width == 24);
  CHECK(ports[2].input);
  CHECK(ports[10].name == "m_axis_tuser");
  CHECK(ports[10].width == 4);
  CHECK_FALSE(ports[10].input);
  CHECK_THROWS_AS(parse_module_ports(kTop, "other_top", "net_top.v"), Error);
  CHECK_THROWS_AS(parse_module_ports("module m (\n input wire [W-1:0] x\n);", "m", "m.v"), Error);
}

TEST_CASE("pnr finds the instances and templates of a generated top", "[pnr]") {
  const auto inst = parse_instances(kTop);
  REQUIRE(inst.size() == 3);
  CHECK(inst.at("conv1_swg") == "rtlgen_swg");
  CHECK(inst.at("conv1_mvu") == "rtlgen_mvu");
  CHECK(inst.at("output_framer") == "rtlgen_tlast_gen");
}

TEST_CASE("pnr wrapper registers every port and serialises the wide ones", "[pnr]") {
  const auto ports = parse_module_ports(kTop, "net_top", "net_top.v");
  // The 1-bit ports clk, rst, s_tvalid, s_tready, s_tlast, m_tvalid, m_tready, m_tlast (8)
  // + serial in + shift + serial out.
  CHECK(pnr_wrapper_pins(ports) == 11);
  const std::string v = pnr_wrapper_verilog("net_top", ports, "clk", "// banner\n");
  CHECK(v.find("module rtlgen_pnr_wrapper (") != std::string::npos);
  CHECK(v.find("reg [23:0] wide_in_q;") != std::string::npos);
  CHECK(v.find("reg [11:0] wide_out_q;") != std::string::npos);  // 8 data + 4 user bits
  CHECK(v.find("always @(posedge clk) rst_q <= rst_pin;") != std::string::npos);
  CHECK(v.find("always @(posedge clk) m_axis_tvalid_q <= m_axis_tvalid_d;") !=
        std::string::npos);
  CHECK(v.find(".s_axis_tdata(wide_in_q[23:0])") != std::string::npos);
  CHECK(v.find("{m_axis_tdata_d, m_axis_tuser_d}") != std::string::npos);
  CHECK(v.find("net_top dut (") != std::string::npos);
  CHECK_THROWS_AS(pnr_wrapper_verilog("net_top", ports, "clock", ""), Error);
}

TEST_CASE("pnr refuses a design that does not fit before placement", "[pnr]") {
  const Device small = find_device("LFE5U-25F");
  std::map<std::string, int64_t> cells = {{"LUT4", 9000},      {"CCU2C", 2000},
                                          {"TRELLIS_FF", 8000}, {"MULT18X18D", 64},
                                          {"DP16KD", 40},      {"TRELLIS_DPR16X4", 10}};
  auto problems = check_ecp5_fit(cells, small);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].resource == "MULT18X18D");
  CHECK(problems[0].needed == 64);
  CHECK(problems[0].available == 28);
  CHECK(problems[0].advice.find("--max-multipliers") != std::string::npos);
  cells["DP16KD"] = 60;
  cells["LUT4"] = 30000;
  problems = check_ecp5_fit(cells, small);
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].resource.rfind("LUT4", 0) == 0);
  CHECK(problems[0].needed == 30000 + 2 * 2000 + 4 * 10);
  CHECK(problems[2].resource == "DP16KD");
  CHECK(check_ecp5_fit(cells, find_device("LFE5U-85F")).empty());
}

TEST_CASE("pnr names netlist cells by instance, template and layer", "[pnr]") {
  DesignNames names;
  names.instances = {{"conv1_swg", "rtlgen_swg"}, {"conv1_2_mvu", "rtlgen_mvu"}};
  names.layers = {"conv1", "conv1_2"};
  CellOrigin o = cell_origin("dut.conv1_swg.g_port[0].ky_reg_TRELLIS_FF_Q_2", names);
  CHECK(o.instance == "conv1_swg");
  CHECK(o.template_name == "rtlgen_swg");
  CHECK(o.layer == "conv1");
  o = cell_origin("dut.conv1_2_mvu.acc_TRELLIS_FF_Q$CCU2_COMB0", names);
  CHECK(o.layer == "conv1_2");  // the longest layer name that prefixes the instance
  CHECK(o.template_name == "rtlgen_mvu");
  CHECK(cell_origin("wide_in_q_TRELLIS_FF_Q_3", names).instance == "(pnr wrapper)");
  CHECK(cell_origin("$nextpnr_CCU2C_342$CCU2_COMB0", names).instance == "(tool-inserted)");
}

TEST_CASE("pnr summarises nextpnr's report with the design's names", "[pnr]") {
  const nlohmann::json step = {{"type", "logic"},
                               {"delay", 3.9},
                               {"from", {{"cell", "dut.c1_swg.m_MULT18X18D_P5"}, {"port", "A1"}}},
                               {"to", {{"cell", "dut.c1_swg.m_MULT18X18D_P5"}, {"port", "P0"}}}};
  const nlohmann::json route = {{"type", "routing"},
                                {"delay", 2.5},
                                {"from", {{"cell", "dut.c1_swg.m_MULT18X18D_P5"}, {"port", "P0"}}},
                                {"to", {{"cell", "dut.c1_mvu.q_TRELLIS_FF_Q"}, {"port", "DI"}}}};
  const nlohmann::json report = {
      {"fmax", {{"$glbnet$clk$TRELLIS_IO_IN", {{"achieved", 46.2}, {"constraint", 150}}}}},
      {"utilization",
       {{"MULT18X18D", {{"used", 66}, {"available", 156}}},
        {"TRELLIS_COMB", {{"used", 9322}, {"available", 83640}}}}},
      {"critical_paths",
       {{{"from", "posedge $glbnet$clk$TRELLIS_IO_IN"},
         {"to", "posedge $glbnet$clk$TRELLIS_IO_IN"},
         {"path", {step, route}}}}}};
  DesignNames names;
  names.instances = {{"c1_swg", "rtlgen_swg"}, {"c1_mvu", "rtlgen_mvu"}};
  names.layers = {"c1"};
  names.cell_types = {{"dut.c1_swg.m_MULT18X18D_P5", "MULT18X18D"},
                      {"dut.c1_mvu.q_TRELLIS_FF_Q", "TRELLIS_FF"}};
  const auto clocks = parse_nextpnr_clocks(report.dump());
  REQUIRE(clocks.size() == 1);
  CHECK(clocks[0].name == "clk");
  CHECK(clocks[0].fmax_mhz == 46.2);
  const auto s = nlohmann::json::parse(summarise_nextpnr_report(report.dump(), names));
  CHECK(s["clocks"][0]["met"] == false);
  CHECK(s["utilisation"][0]["resource"] == "MULT18X18D");
  CHECK(s["utilisation"][0]["used"] == 66);
  const auto& p = s["critical_paths"][0];
  CHECK(p["delay_ns"].get<double>() == 3.9 + 2.5);
  CHECK(p["routing_ns"].get<double>() == 2.5);
  CHECK(p["start"]["template"] == "rtlgen_swg");
  CHECK(p["end"]["template"] == "rtlgen_mvu");
  CHECK(p["end"]["layer"] == "c1");
  CHECK(p["cells_by_type"]["MULT18X18D"] == 1);
  REQUIRE(p["instances"].size() == 2);
  CHECK(p["instances"][1]["instance"] == "c1_mvu");
}
