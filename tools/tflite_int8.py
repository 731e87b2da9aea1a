"""Full-integer int8 conversion of a Keras model with TFLite's converter, the set-up every tool
that writes a .tflite shares: default optimizations calibrated on a representative dataset, int8
builtin kernels only, int8 network input and output. Needs tensorflow (requirements-train.txt);
callers pass their `tf` module so that importing this file does not load it."""


def one_at_a_time(samples):
    """A representative_dataset yielding samples[i:i+1] (one input, batch 1) for each i."""
    def rep():
        for i in range(len(samples)):
            yield [samples[i:i + 1]]
    return rep


def convert_int8(tf, model, representative_dataset):
    """The .tflite bytes of Keras `model`, quantized to int8 throughout."""
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = representative_dataset
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    return conv.convert()
