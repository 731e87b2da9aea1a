// .tflite -> rtlgen::Network. See rtlgen/tflite_import.hpp for what is supported and how.
//
// Two halves. The reader (rtlgen/tflite_model.hpp, tflite_model.cpp) verifies the file and reads
// tensors, operators, quantization and constants. The lowering (tflite_lowering.hpp) builds the
// IR: this file makes one pass over the operators in execution order, building "pending" layers
// that refer to their producers by index (each operator's mapper is in tflite_ops.cpp), then
// checks the output and the edges and names the layers (rtlgen/import_naming.hpp).
#include "rtlgen/tflite_import.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <set>

#include "frontends/tflite/tflite_lowering.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/file_util.hpp"
#include "rtlgen/quant_checks.hpp"
#include "rtlgen/tflite_model.hpp"

namespace rtlgen {
namespace tflite {

namespace {

std::string file_stem(const std::string& path) {
  std::string base = path;
  auto slash = base.find_last_of("/\\");
  if (slash != std::string::npos) base = base.substr(slash + 1);
  auto dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0) base = base.substr(0, dot);
  return base;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Per-operator helpers
// ---------------------------------------------------------------------------------------------

int Lowering::act_input(int k, int t, const char* role) const {
  int p = producer_[size_t(t)];
  if (p != kNoProducer) return p;
  if (m_.tensor(t).is_const())
    m_.op_fail(k, fmt::format("{} tensor {} is a constant; rtlgen supports constants only as "
                              "weights and biases",
                              role, m_.tname(t)));
  if (t == m_.graph_input())
    m_.op_fail(k, fmt::format("{} tensor {} is the float network input, which is only supported "
                              "through a single QUANTIZE operator",
                              role, m_.tname(t)));
  m_.op_fail(k, fmt::format("{} tensor {} is not produced by an earlier supported operator", role,
                            m_.tname(t)));
}

// Reads weights tensor `w` (and bias `b`, may be -1) of a conv/dw/fc into L. `channels` is the
// number of output channels, `qdim` the per-channel quantization dimension.
void Lowering::load_weights(int k, Layer& L, int w, int b, int in_t, int channels, int qdim) {
  WeightData d = m_.weights(k, w, b, m_.act_quant(k, in_t, "input").dtype, channels, qdim);
  L.weight_zero_point = d.zero_point;
  L.weight_dtype = d.dtype;
  L.weight_shape = std::move(d.shape);
  L.weights = std::move(d.values);
  L.weight_scales = std::move(d.scales);
  L.bias = std::move(d.bias);
}

TensorQuant Lowering::producer_quant(int k, int p) const {
  return p == kNetworkInput ? m_.act_quant(k, input_tensor_, "input")
                            : pending_[size_t(p)].layer.out_quant;
}

// What the FlatBuffers verifier cannot know: scales whose integer arithmetic does not fit
// int32, and accumulators that could overflow int32 (also checked by the passes, but
// `rtlgen import` must not write a description that cannot be loaded).
void Lowering::check_arithmetic(int k, const Layer& L, const std::vector<int>& in_producers) const {
  if (in_producers.empty()) return;
  const TensorQuant a = producer_quant(k, in_producers[0]);
  const TensorQuant b = in_producers.size() > 1 ? producer_quant(k, in_producers[1]) : a;
  std::string why = quantization_problem(L, a, b);
  if (why.empty()) why = accumulator_problem(L, a);
  if (!why.empty()) m_.op_fail(k, why);
}

int Lowering::add_layer(Layer L, std::vector<int> in_producers, int out_tensor, int k) {
  L.source = m_.tensor(out_tensor).name;
  L.loc.file = m_.file();
  L.out_quant = m_.act_quant(k, out_tensor, "output");
  L.out_shape = m_.hwc(k, out_tensor, "output");
  check_arithmetic(k, L, in_producers);
  Pending P;
  P.layer = std::move(L);
  P.in_producers = std::move(in_producers);
  P.out_tensor = out_tensor;
  P.op_index = k;
  pending_.push_back(std::move(P));
  if (producer_[size_t(out_tensor)] != kNoProducer)
    m_.op_fail(k, fmt::format("output tensor {} is written by more than one operator",
                              m_.tname(out_tensor)));
  producer_[size_t(out_tensor)] = int(pending_.size()) - 1;
  // Activations keep their type through every supported layer.
  for (int p : pending_.back().in_producers) {
    DType d = p == kNetworkInput ? m_.act_quant(k, input_tensor_, "input").dtype
                                 : pending_[size_t(p)].layer.out_quant.dtype;
    if (d != pending_.back().layer.out_quant.dtype)
      m_.op_fail(k, fmt::format("input is {} but output is {}; mixed uint8/int8 layers are not "
                                "supported",
                                to_string(d), to_string(pending_.back().layer.out_quant.dtype)));
  }
  return int(pending_.size()) - 1;
}

// ---------------------------------------------------------------------------------------------

Network Lowering::run() {
  input_tensor_ = m_.graph_input();
  producer_.assign(m_.num_tensors(), kNoProducer);
  producer_[size_t(input_tensor_)] = kNetworkInput;

  namespace op = tfl::builtin_op;
  const std::map<int, std::function<void(int)>> mappers = {
      {op::CONV_2D, [&](int k) { map_conv(k); }},
      {op::DEPTHWISE_CONV_2D, [&](int k) { map_depthwise(k); }},
      {op::FULLY_CONNECTED, [&](int k) { map_fully_connected(k); }},
      {op::AVERAGE_POOL_2D, [&](int k) { map_pool(k, OpKind::AveragePool2D); }},
      {op::MAX_POOL_2D, [&](int k) { map_pool(k, OpKind::MaxPool2D); }},
      {op::MEAN, [&](int k) { map_mean(k); }},
      {op::ADD, [&](int k) { map_add(k); }},
      {op::CONCATENATION, [&](int k) { map_concat(k); }},
      {op::PAD, [&](int k) { map_pad(k, false); }},
      {op::PADV2, [&](int k) { map_pad(k, true); }},
      {op::RESHAPE, [&](int k) { map_reshape(k); }},
      {op::SQUEEZE, [&](int k) { map_reshape(k); }},
      {op::SOFTMAX, [&](int k) { map_softmax(k); }},
      {op::RELU, [&](int k) { map_relu(k, Activation::Relu); }},
      {op::RELU6, [&](int k) { map_relu(k, Activation::Relu6); }},
      {op::RELU_N1_TO_1, [&](int k) { map_relu(k, Activation::ReluN1To1); }},
      {op::QUANTIZE, [&](int k) { map_quantize(k); }},
      {op::DEQUANTIZE, [&](int k) { map_dequantize(k); }},
  };
  for (int k = 0; k < m_.num_ops(); ++k) {
    const auto mapper = mappers.find(m_.op_code(k));
    if (mapper == mappers.end()) unsupported(k);
    mapper->second(k);
  }

  // Output: must be the last layer; no dangling layers.
  const int po = producer_[size_t(m_.graph_output())];
  const void* out_at = m_.graph_output_at();
  if (po == kNoProducer)
    m_.fail_at(out_at, "Model.subgraphs[0].outputs[0]",
               fmt::format("the network output {} is not produced by any operator",
                           m_.tname(m_.graph_output())));
  if (po == kNetworkInput || pending_.empty())
    m_.fail_at(out_at, "Model.subgraphs[0].outputs[0]",
               "the model has no layers (its output is its input)");
  if (po != int(pending_.size()) - 1)
    m_.fail_at(
        out_at, "Model.subgraphs[0].outputs[0]",
        fmt::format("the network output {} is produced by operator #{}, but operator #{} runs "
                    "after it; rtlgen needs a single-output network whose output is computed "
                    "last",
                    m_.tname(m_.graph_output()), pending_[size_t(po)].op_index,
                    pending_.back().op_index));
  std::vector<int> used(pending_.size(), 0);
  for (const auto& P : pending_)
    for (int p : P.in_producers)
      if (p >= 0) ++used[size_t(p)];
  for (size_t i = 0; i + 1 < pending_.size(); ++i)
    if (!used[i])
      m_.fail(
          fmt::format("{}: its output {} is never used (models with several outputs are not "
                      "supported)",
                      m_.op_place(pending_[i].op_index), m_.tname(pending_[i].out_tensor)));

  // Network input.
  Network net;
  net.source = m_.file();
  net.name = sanitize_identifier(file_stem(m_.file()), "model");
  {
    const int t = input_tensor_;
    const TensorInfo& T = m_.tensor(t);
    const void* in_at = m_.graph_input_at();
    if (T.type != tfl::tensor_type::UINT8 && T.type != tfl::tensor_type::INT8)
      m_.fail_at(in_at, "Model.subgraphs[0].inputs[0]",
                 fmt::format("the network input {} is {}; rtlgen needs a uint8 or int8 input (or a "
                             "float32 input followed by QUANTIZE)",
                             m_.tname(t), type_name(T.type)));
    if (T.shape.empty() || T.shape.size() > 4 || (T.shape.size() >= 2 && T.shape[0] != 1))
      m_.fail_at(
          in_at, "Model.subgraphs[0].inputs[0]",
          fmt::format("the network input {} has shape {}; rtlgen needs [1, H, W, C] or [1, N] "
                      "(batch 1)",
                      m_.tname(t), shape_str(T.shape)));
    // Reuse the operator-level helpers with the first consumer for context.
    int k0 = pending_.front().op_index;
    net.input.quant = m_.act_quant(k0, t, "network input");
    net.input.shape = m_.hwc(k0, t, "network input");
    net.input.name = sanitize_identifier(T.name, "input");
    net.input.loc.file = m_.file();
  }

  // Names: short, from the op and its position (conv1, dw1, pool2, fc1, ...), because they
  // name ports, instances and .mem files and fill report columns; TFLite tensor names are long
  // and alike ("model_1/block_3/conv/Relu;model_1/..."). The tensor name stays in `source:`
  // (the key tools/tflite_compare.py matches on). The input name is reserved first.
  ImportedLayerNames names;
  names.reserve(net.input.name);
  for (Pending& P : pending_) P.layer.name = names.next(P.layer.op);
  for (Pending& P : pending_) {
    P.layer.inputs.clear();
    for (int p : P.in_producers)
      P.layer.inputs.push_back(p == kNetworkInput ? net.input.name
                                                  : pending_[size_t(p)].layer.name);
  }
  for (Pending& P : pending_) net.layers.push_back(std::move(P.layer));
  return net;
}


}  // namespace tflite


Network import_tflite_bytes(const std::string& bytes, const std::string& name, ImportNotes* notes) {
  // FlatBuffers needs aligned storage (the verifier checks alignment relative to the start).
  std::vector<uint64_t> aligned((bytes.size() + 7) / 8 + 1, 0);
  std::memcpy(aligned.data(), bytes.data(), bytes.size());
  const tflite::Model model(reinterpret_cast<const uint8_t*>(aligned.data()), bytes.size(), name);
  return tflite::Lowering(model, notes).run();
}

Network import_tflite(const std::string& path, ImportNotes* notes) {
  return import_tflite_bytes(read_file_bytes(path, "a .tflite file"), path, notes);
}

}  // namespace rtlgen
