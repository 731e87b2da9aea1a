// Runs a whole network through the golden kernels in layer (topological) order.
#include <fmt/format.h>

#include <map>

#include "ops/op.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/golden.hpp"

namespace rtlgen::golden {

Tensor run_layer(const Network& net, const Layer& l, const std::vector<const Tensor*>& in) {
  return op_def(l.op).golden(net, l, in);  // the op table's kernel
}

std::vector<Tensor> run_network(const Network& net, const Tensor& input) {
  if (input.shape != net.input.shape)
    throw Error(fmt::format("input tensor is {} but network '{}' expects {}", input.shape.str(),
                            net.name, net.input.shape.str()));
  std::vector<Tensor> outputs;
  outputs.reserve(net.layers.size());
  std::map<std::string, size_t> index;  // tensor name -> position in outputs
  for (const Layer& l : net.layers) {
    std::vector<const Tensor*> ins;
    for (const auto& name : l.inputs)
      ins.push_back(name == net.input.name ? &input : &outputs[index.at(name)]);
    outputs.push_back(run_layer(net, l, ins));
    index[l.name] = outputs.size() - 1;
  }
  return outputs;
}

}  // namespace rtlgen::golden
