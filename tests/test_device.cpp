// The device table: lookups by part, full vendor part and board; the figures folding relies on.
#include <catch2/catch.hpp>
#include <string>

#include "rtlgen/device.hpp"
#include "rtlgen/error.hpp"

using namespace rtlgen;

TEST_CASE("device table holds every part the folding targets", "[device]") {
  for (const char* n : {"xc7z010", "xc7z020", "xc7a35t", "xc7a100t", "xczu3eg", "xck26", "xczu7ev",
                        "xcu250", "5CSEMA5", "5CSEBA6", "LFE5U-25F", "LFE5U-45F", "LFE5U-85F"}) {
    const Device d = find_device(n);
    CHECK(d.name == n);
    CHECK(d.luts > 0);
    CHECK(d.ffs >= d.luts);
    CHECK(d.dsps > 0);
    CHECK(d.bram_bits() > 0);
    CHECK(d.lutram_luts > 0);
    CHECK(!d.part.empty());
  }
}

TEST_CASE("xc7z020 has the data-sheet resources of the Pynq-Z2 / ZedBoard part", "[device]") {
  const Device d = find_device("xc7z020");
  CHECK(d.family == DeviceFamily::Xilinx7Series);
  CHECK(d.luts == 53200);
  CHECK(d.ffs == 106400);
  CHECK(d.lutram_luts == 17400);
  CHECK(d.dsps == 220);
  CHECK(d.dsp_name == "DSP48E1");
  CHECK(d.bram36 == 140);
  CHECK(d.bram18 == 280);
  CHECK(d.bram_bits() == 140 * 36864);
  CHECK(d.part == "xc7z020clg400-1");
}

TEST_CASE("board names resolve to their part, package and speed grade", "[device]") {
  CHECK(find_device("pynq-z2").part == "xc7z020clg400-1");
  CHECK(find_device("PYNQ-Z2").board == "pynq-z2");
  CHECK(find_device("zedboard").part == "xc7z020clg484-1");
  CHECK(find_device("arty-a7-100").name == "xc7a100t");
  CHECK(find_device("ultra96").name == "xczu3eg");
  const Device kv = find_device("kv260");
  CHECK(kv.name == "xck26");
  CHECK(kv.uram == 64);
  CHECK(kv.dsp_name == "DSP48E2");
  CHECK(find_device("zcu104").name == "xczu7ev");
  CHECK(find_device("de10-nano").part == "5CSEBA6U23I7");
  CHECK(find_device("de1-soc").part == "5CSEMA5F31C6");

  const Device ulx = find_device("ulx3s-85f");
  CHECK(ulx.name == "LFE5U-85F");
  CHECK(ulx.package == "CABGA381");
  CHECK(ulx.speed == "6");
  CHECK(ulx.nextpnr_device == "--85k");
  CHECK(ulx.part == "LFE5U-85F-6BG381C");
  CHECK(ulx.dsps == 156);
  CHECK(ulx.bram_blocks == 208);
  CHECK(ulx.bram_name == "DP16KD");
  CHECK(ulx.dsp_name == "MULT18X18D");
  CHECK(ulx.lut_name == "LUT4");
  CHECK(ulx.ff_name == "TRELLIS_FF");

  const Device oc = find_device("orangecrab");
  CHECK(oc.name == "LFE5U-25F");
  CHECK(oc.package == "CSFBGA285");
  CHECK(oc.speed == "8");
  CHECK(oc.nextpnr_device == "--25k");
}

TEST_CASE("full vendor parts give package and speed grade", "[device]") {
  const Device z = find_device("xc7z020clg484-1");
  CHECK(z.name == "xc7z020");
  CHECK(z.package == "clg484");
  CHECK(z.speed == "-1");
  const Device u = find_device("xczu7ev-ffvc1156-2-e");
  CHECK(u.package == "ffvc1156");
  CHECK(u.speed == "-2-e");
  const Device e = find_device("LFE5U-45F-7MG285I");
  CHECK(e.name == "LFE5U-45F");
  CHECK(e.nextpnr_device == "--45k");
  CHECK(e.package == "CSFBGA285");
  CHECK(e.speed == "7");
  const Device c = find_device("5csema5f31c6");
  CHECK(c.name == "5CSEMA5");
  CHECK(c.package == "F31");
  CHECK(c.speed == "C6");
}

TEST_CASE("unknown devices are an error listing the known names", "[device]") {
  try {
    find_device("xc7z030");
    FAIL("no error");
  } catch (const Error& e) {
    const std::string m = e.what();
    CHECK(m.find("unknown device 'xc7z030'") != std::string::npos);
    CHECK(m.find("xc7z020") != std::string::npos);
    CHECK(m.find("ulx3s-85f") != std::string::npos);
  }
  CHECK_THROWS_AS(find_device(""), Error);
  CHECK_THROWS_AS(find_device("LFE5U-85F-9BG381C"), Error);  // no speed grade 9
  CHECK_THROWS_AS(find_device("LFE5U-85F-6TG144C"), Error);  // the 85F has no TQFP144
  CHECK_THROWS_AS(find_device("LFE5U-25F-6BG756C"), Error);  // nor the 25F a CABGA756
  CHECK_THROWS_AS(find_device("5CSEMA5X"), Error);           // no package code
}
