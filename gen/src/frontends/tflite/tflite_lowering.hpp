// The lowering half of the .tflite importer (internal to gen/src): the verified model
// (rtlgen/tflite_model.hpp) onto the IR, operator by operator. tflite_import.cpp holds the pass
// over the operators (producers, edges, output checks, naming), tflite_ops.cpp the mapper of
// each operator.
#pragma once

#include <fmt/format.h>

#include <string>
#include <vector>

#include "rtlgen/tflite_import.hpp"
#include "rtlgen/tflite_model.hpp"

namespace rtlgen {
namespace tflite {

inline constexpr const char* kSupportedOps =
    "CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN (over H,W), "
    "ADD, CONCATENATION (channels; int8 with equal quantization), PAD, PADV2, RESHAPE, SQUEEZE, "
    "SOFTMAX, RELU/RELU6/RELU_N1_TO_1 (fused into the "
    "producer), QUANTIZE (network input only), DEQUANTIZE (network output only)";

// A layer under construction. Producers are indices into the pending list, -1 = network input.
struct Pending {
  Layer layer;
  std::vector<int> in_producers;
  int out_tensor = -1;
  int op_index = -1;
};

constexpr int kNoProducer = -2;
constexpr int kNetworkInput = -1;

// Lowers a verified model onto the IR, operator by operator.
class Lowering {
 public:
  Lowering(const Model& model, ImportNotes* notes) : m_(model), notes_(notes) {}

  Network run();

 private:
  [[noreturn]] void unsupported(int k, const std::string& why = "") const {
    m_.fail(fmt::format("{} is not supported by rtlgen{}; supported: {}", m_.op_place(k),
                        why.empty() ? "" : " (" + why + ")", kSupportedOps));
  }
  void note(const std::string& s) {
    if (notes_) notes_->lines.push_back(s);
  }

  int act_input(int k, int t, const char* role) const;  // producer of an activation input
  void load_weights(int k, Layer& L, int w, int b, int in_t, int channels, int qdim);

  int add_layer(Layer L, std::vector<int> in_producers, int out_tensor, int k);
  TensorQuant producer_quant(int k, int p) const;
  void check_arithmetic(int k, const Layer& L, const std::vector<int>& in_producers) const;

  // ---- operator mappers ----
  void map_conv(int k);
  void map_depthwise(int k);
  void map_fully_connected(int k);
  void map_pool(int k, OpKind kind);
  void map_mean(int k);
  void map_add(int k);
  void map_concat(int k);
  void map_pad(int k, bool v2);
  void map_reshape(int k);
  void map_softmax(int k);
  void map_relu(int k, Activation a);
  void map_quantize(int k);
  void map_dequantize(int k);

  const Model& m_;
  ImportNotes* notes_;
  std::vector<int> producer_;  // per tensor: pending index, kNetworkInput or kNoProducer
  std::vector<Pending> pending_;
  int input_tensor_ = -1;  // the network input (the graph's, or a QUANTIZE's output)
};

}  // namespace tflite
}  // namespace rtlgen
