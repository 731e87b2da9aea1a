// libFuzzer target: the .tflite importer, then what every command does with its result
// (`rtlgen import`: the YAML text; `rtlgen info/run/generate`: the passes and the info table).
// Input: the bytes of a .tflite file. Seeds: tests/fuzz/corpus/tflite/ (configs/*.tflite).
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/tflite_import.hpp"
#include "rtlgen/yaml_writer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  rtlgen::Network net;
  try {
    rtlgen::ImportNotes notes;
    net = rtlgen::import_tflite_bytes(bytes, "fuzz.tflite", &notes);
  } catch (const rtlgen::Error&) {
    return 0;  // refused with a message: fine
  }
  // An imported network is self-consistent: one weight per element of its shape, one bias
  // and one scale (or a single per-tensor scale) per output channel.
  RTLGEN_FUZZ_CHECK(!net.layers.empty());
  for (const rtlgen::Layer& l : net.layers) {
    if (!rtlgen::has_weights(l.op)) continue;
    int64_t n = 1;
    for (int32_t d : l.weight_shape) n *= d;
    RTLGEN_FUZZ_CHECK(l.weight_shape.size() >= 2 && n == int64_t(l.weights.size()));
    const int oc = rtlgen::output_channels(l);
    RTLGEN_FUZZ_CHECK(int64_t(l.bias.size()) == oc);  // an absent bias is zeros
    RTLGEN_FUZZ_CHECK(l.weight_scales.size() == 1 || int64_t(l.weight_scales.size()) == oc);
  }
  try {
    (void)rtlgen::network_yaml_text(net, "fuzz_params");
    rtlgen::prepare_network(net);
    (void)rtlgen::info_table(net);
  } catch (const rtlgen::Error&) {
  }
  return 0;
}
