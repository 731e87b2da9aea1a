// The one intermediate representation every stage of rtlgen works on: a graph of typed layers
// with shapes, quantization, activation clamps, derived requantization constants and folding.
// Frontends (YAML, .tflite) build it, passes complete and check it, the golden model runs it and
// the emitters print it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rtlgen/fixed_point.hpp"

namespace rtlgen {

enum class DType { UInt8, Int8, Int32 };
enum class OpKind {
  Conv2D,
  DepthwiseConv2D,
  FullyConnected,
  AveragePool2D,
  MaxPool2D,
  Mean,  // global average over H and W
  Add,
  Concat,  // along the channels; two or more inputs of the same height and width
  Pad,
  Reshape,
  Softmax,
};
// Every op, in the enum's order (the op table and the YAML reader walk it).
inline constexpr OpKind kOpKinds[] = {
    OpKind::Conv2D,        OpKind::DepthwiseConv2D, OpKind::FullyConnected,
    OpKind::AveragePool2D, OpKind::MaxPool2D,       OpKind::Mean,
    OpKind::Add,           OpKind::Concat,          OpKind::Pad,
    OpKind::Reshape,       OpKind::Softmax};
static_assert(sizeof(kOpKinds) / sizeof(kOpKinds[0]) == size_t(OpKind::Softmax) + 1,
              "kOpKinds lists every OpKind");
enum class Padding { Same, Valid };
enum class Activation { None, Relu, Relu6, ReluN1To1 };

// Where a construct came from, for error messages ("file:line:col").
struct SourceLoc {
  std::string file;
  int line = 0;    // 1-based, 0 = unknown
  int column = 0;  // 1-based
  std::string str() const;
};

// Activations are rank-3 HWC tensors (batch 1). A flattened vector is 1 x 1 x N.
struct Shape {
  int h = 1, w = 1, c = 1;
  int64_t elements() const { return int64_t(h) * w * c; }
  bool operator==(const Shape& o) const { return h == o.h && w == o.w && c == o.c; }
  bool operator!=(const Shape& o) const { return !(*this == o); }
  std::string str() const;
};

// Per-tensor affine quantization of an activation tensor: real = scale * (q - zero_point).
// `bits` > 8 makes a wide integer tensor (the integer scale-shift scheme, rtlgen/scale_shift.hpp):
// dtype then only says signed (Int8) or unsigned (UInt8) and the values span `bits` bits.
struct TensorQuant {
  DType dtype = DType::UInt8;
  float scale = 1.0f;
  int32_t zero_point = 0;
  int bits = 8;
  bool wide() const { return bits != 8; }
};

// How a dot-product layer turns its accumulator into its output.
enum class RequantMode {
  FromScales,  // TFLite: multiplier and shift derived from float scales (derive_quantization)
  ScaleShift,  // explicit integers: y = round(acc * multiplier / 2^shift) + zero point, clamp
  // ONNX Runtime's CPU kernels (docs/onnx-runtime-arithmetic.md; set by the ONNX importer, also
  // on average_pool2d and mean): int32 -> float32, times a float32 scale, round half to even,
  // plus zero point, saturate; the average pool sums dequantized floats.
  OnnxRuntimeFloat,
};
// Rounding of the scale-shift requantizer's division by 2^shift (and of half-even pools).
enum class Rounding { Floor, HalfUp, HalfEven };

// YAML `requant: {multiplier, shift, rounding, clamp}` (rtlgen/scale_shift.hpp).
struct ScaleShift {
  int64_t multiplier = 1;  // |multiplier| < 2^31
  int shift = 0;           // 0..62, right shift
  Rounding rounding = Rounding::Floor;
  bool clamp = false;  // explicit clamp [clamp_min, clamp_max] given in the YAML
  int64_t clamp_min = 0, clamp_max = 0;
};

struct Pads {
  int top = 0, bottom = 0, left = 0, right = 0;
};

// Hardware folding hints: PE output channels and SIMD input elements processed per cycle.
// 0 means "not chosen yet" (a pass picks a default).
struct Folding {
  int pe = 0;
  int simd = 0;
  // Depthwise layers only: name of a shared depthwise unit (rtlgen_dwu_shared). Layers with the
  // same name time-share one multiplier array of `pe` lanes; empty = a unit of its own.
  std::string share;
  // hw: {mult: lut}: the layer's MAC multipliers in LUTs instead of DSP blocks (rtlgen_mvu
  // MULT_STYLE 1; conv2d and fully_connected). Chosen by `fold --device` when DSPs run short.
  bool lut_mult = false;
  // hw: {buffer: lut}: the layer's line buffer (rtlgen_swg) in LUT RAM whatever its size
  // (MEM_STYLE 1). Chosen by `fold --device` when block RAM runs short and LUTs do not.
  bool lut_buffer = false;
};

// Constants of TFLite's int8/uint8 ADD (left_shift 20 scheme).
struct AddParams {
  int left_shift = 20;
  QuantizedMultiplier input1, input2, output;
};

// Constants of TFLite's quantized reference SOFTMAX.
struct SoftmaxParams {
  float beta = 1.0f;
  int32_t input_multiplier = 0;
  int input_left_shift = 0;
  int32_t diff_min = 0;
};

struct Layer {
  std::string name;
  OpKind op = OpKind::Conv2D;
  std::vector<std::string> inputs;  // tensor names: layer names or the network input's name
  std::string source;               // provenance, e.g. the .tflite output tensor name
  SourceLoc loc;

  // Geometry (conv, depthwise, pools).
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;  // only 1 is supported; kept so importers can refuse others
  Padding padding = Padding::Valid;
  int depth_multiplier = 1;
  Pads pads;  // conv/pool: derived from padding by shape inference; PAD: given explicitly
  Activation activation = Activation::None;
  // AVERAGE_POOL_2D: TFLite's rounding (halves away from zero) or round half to even.
  bool pool_half_even = false;

  // Parameters (conv: OHWI [O][KH][KW][I]; depthwise: [KH][KW][I*DM]; FC: [O][I]).
  DType weight_dtype = DType::Int8;
  std::vector<int32_t> weight_shape;
  std::vector<int32_t> weights;      // raw quantized values, widened
  std::vector<float> weight_scales;  // 1 (per-tensor) or one per output channel
  int32_t weight_zero_point = 0;
  std::vector<int32_t> bias;  // one per output channel (empty = zero)
  float softmax_beta = 1.0f;
  Shape reshape_to{0, 0, 0};  // RESHAPE target; {0,0,0} = flatten to 1 x 1 x N

  // Explicit integer requantization (RequantMode::ScaleShift) and how its output width is set.
  RequantMode requant_mode = RequantMode::FromScales;
  ScaleShift scale_shift;
  bool out_bits_auto = false;  // output bits chosen by the interval analysis (YAML bits: auto)

  // Output tensor.
  TensorQuant out_quant;
  Shape out_shape;  // filled by shape inference

  // Derived by passes (derive_quantization, infer_shapes, analyze_accumulators).
  std::vector<QuantizedMultiplier> requant;  // one per output channel (conv/dw/fc/mean)
  // OnnxRuntimeFloat only: the float32 scale per output channel, formed in float32 in ONNX
  // Runtime's order (conv/fc: (in_scale * w_scale) / out_scale; mean: in_scale / N / out_scale).
  std::vector<float> float_scale;
  // OnnxRuntimeFloat average pool only: ONNX Runtime (x86 CPU) runs an int8 QDQ graph as uint8
  // (every zero point + 128) and its pool adds the output zero point in float before rounding,
  // which can round differently; the offset it used (128 for QDQ int8, 0 otherwise).
  int32_t onnx_zero_point_offset = 0;
  bool single_rounding = false;  // epilogue rounds once (int8 FULLY_CONNECTED), else twice
  int32_t mean_bias = 0;         // MEAN: added to the raw sum before requantization
  AddParams add;
  SoftmaxParams softmax;
  int32_t act_min = 0, act_max = 0;
  int acc_bits = 0;  // worst-case signed accumulator width, bias included
  int product_bits = 0;  // ScaleShift: worst-case signed width of acc * multiplier
  int64_t out_min = 0, out_max = 0;  // ScaleShift: worst-case output interval (before a clamp)
  int64_t macs = 0;  // multiply-accumulates per frame
  Folding folding;
};

struct InputSpec {
  std::string name = "input";
  Shape shape;
  TensorQuant quant;
  SourceLoc loc;
  // Pixels per beat of the hardware's input stream (divides the width): part of the folding,
  // so a small network is not limited to one pixel per clock. YAML `input.pixels_per_beat`.
  int pixels_per_beat = 1;
};

// Automatic folding request (YAML `fold:`): when set, the loader chooses every layer's folding
// (rtlgen/folding.hpp) and the per-layer `hw:` hints are ignored.
struct FoldSpec {
  int64_t max_multipliers = 0;    // > 0: fastest pipeline within this many multipliers
  double target_fps = 0;          // > 0: cheapest pipeline reaching this frame rate
  double min_utilisation = 0.85;  // budget: utilisation floor (rtlgen/folding.hpp), 0 = off
  bool share_depthwise = true;    // light depthwise layers may share a unit (rtlgen/folding.hpp)
  std::string device;             // fastest folding that fits this device (rtlgen/device.hpp)
  double fill = 0.8;              // device: fraction of each resource the design may use
  SourceLoc loc;                  // the YAML's fold: key (errors of the folding point at it)
  bool active() const { return max_multipliers > 0 || target_fps > 0 || !device.empty(); }
};

struct Network {
  std::string name;
  std::string source;  // path of the description it was loaded from
  InputSpec input;
  std::vector<Layer> layers;        // topological order; the last layer is the output
  double target_clock_mhz = 200.0;  // YAML `target_clock_mhz`: clock constraints, throughput
  // YAML `device` (or fold.device): the part the design is for; generate refuses a design the
  // resource model does not fit on it and the vendor scripts / ECP5 flow use it. "" = the
  // smallest part of the table that holds the estimate.
  std::string device;
  FoldSpec fold;
  // YAML `argmax`: the class index of the output on m_axis_tuser. Auto: for classifiers (an
  // output of 1x1xC, C > 1, that is a softmax's input or has fewer elements than the network
  // input; an autoencoder's reconstruction gets none). On/Off: as the YAML says.
  enum class Argmax { Auto, On, Off } argmax = Argmax::Auto;
  SourceLoc argmax_loc;

  const Layer* find(const std::string& name) const;
  // Shape and quantization of any tensor (the input or a layer's output) by name.
  Shape shape_of(const std::string& tensor) const;
  TensorQuant quant_of(const std::string& tensor) const;
};

const char* to_string(OpKind op);
const char* to_string(DType t);
const char* to_string(Activation a);
const char* to_string(Padding p);
const char* to_string(RequantMode m);
int qmin(DType t);
int qmax(DType t);
// Range of a tensor's values, wide tensors included.
int64_t qmin(const TensorQuant& q);
int64_t qmax(const TensorQuant& q);
// "uint8", "int8", or for wide tensors "uint15", "int23".
std::string type_name(const TensorQuant& q);
const char* to_string(Rounding r);
// Layers whose arithmetic is a dot product through the matrix-vector unit.
bool has_weights(OpKind op);

// Number of output channels of a weighted layer (MH of the matrix-vector unit) and the length
// of the vector one output element reduces over (MW).
int output_channels(const Layer& l);
int vector_length(const Network& net, const Layer& l);

// A 1x1 stride-1 unpadded convolution: the matrix-vector unit reads pixels directly (no line
// buffer), exactly like a fully-connected layer applied to every pixel.
bool is_pointwise(const Layer& l);

// Shape of the stream that carries `tensor` in hardware: a PAD is merged into the next layer's
// line buffer, so its consumer streams the unpadded tensor.
Shape stream_shape(const Network& net, const std::string& tensor);

// The divisors of n > 0, ascending (the PE / SIMD values a dimension of n allows).
std::vector<int> divisors(int n);

// Throws rtlgen::Error at the layer's source location: "layer 'NAME' (OP): MSG".
[[noreturn]] void fail(const Layer& l, const std::string& msg);

}  // namespace rtlgen
